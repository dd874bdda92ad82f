//! `klab` as a library: the command line ([`cli`]) with every subcommand, and the entry points
//! the fuzz targets drive ([`fuzz`]). The binary (`src/main.rs`) only calls [`cli::main`].
//!
//! Subcommands, one module each: `run` (boot an ELF), `bench` (the benchmarks, sweeps and
//! report merging), `report` (report files), `gdb` (the debugger stub), `trace` (commit logs),
//! `images` (the embedded guests), `inject` (the `--inject` fault-injection option), `validate`
//! (the validation page, `docs/model.md`).

mod bench;
pub mod cli;
pub mod fuzz;
mod gdb;
mod images;
mod inject;
mod report;
mod run;
mod size;
mod terminal;
mod timeline;
mod trace;
pub mod validate;
