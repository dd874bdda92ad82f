//! `klab` as a library: the command line ([`cli`]) with every subcommand, and the entry points
//! the fuzz targets drive ([`fuzz`]). The binary (`src/main.rs`) only calls [`cli::main`].
//!
//! Subcommands, one module each: `run` (boot an ELF), `bench` (the benchmarks, sweeps and
//! report merging), `report` (report files), `compare` (two result directories side by side),
//! `gdb` (the debugger stub), `trace` (commit logs), `images` (the embedded guests), `inject`
//! (the `--inject` fault-injection option), `validate` (the validation page, `docs/model.md`),
//! `readme` (what the docs quote from the build, with `schema`, the JSON Schemas); `export` is
//! the `-`-is-stdout and `--format` output they share; `symbols` the symbol tables of the
//! embedded guests that sampled runs use; `suggest` the did-you-mean of mistyped names.

mod bench;
pub mod cli;
mod compare;
mod export;
pub mod fuzz;
mod gdb;
mod images;
mod inject;
pub mod readme;
mod report;
mod run;
pub mod schema;
mod size;
mod suggest;
mod symbols;
mod terminal;
mod timeline;
mod trace;
pub mod validate;
