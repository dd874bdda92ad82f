//! `klab` — run, compare and debug kernels on the klab machine.
//!
//! This file is the command line (clap) and nothing else; each subcommand lives in its own
//! module. Errors reach the user through `anyhow` with one line saying what was wrong.

mod bench;
mod gdb;
mod images;
mod inject;
mod report;
mod run;
mod size;
mod terminal;
mod trace;

use clap::{Parser, Subcommand};

/// klab: a RISC-V laboratory for measuring what operating-system structure costs.
#[derive(Parser)]
#[command(name = "klab", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Boot a kernel (mono, micro) or any ELF on the klab machine (QEMU `virt`-compatible,
    /// `-bios none` style).
    Run(Box<run::RunArgs>),
    /// Run every benchmark on both kernels (in parallel), print the comparison and write
    /// report.json, report.md and report.html.
    Bench(Box<bench::BenchArgs>),
    /// Run the benchmarks over a grid of machine parameters and chart how the ratios move.
    Sweep(Box<bench::sweep::SweepArgs>),
    /// Merge report directories (independent runs) and regenerate the report files.
    Report(bench::merge::ReportArgs),
    /// List the embedded guest images (kernels and initrd) with their hashes and sizes.
    Images,
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(*args),
        Command::Bench(args) => bench::bench(*args),
        Command::Sweep(args) => bench::sweep::sweep(*args),
        Command::Report(args) => bench::merge::report(args),
        Command::Images => Ok(images::list()),
    };
    match result {
        Ok(status) => std::process::exit(status),
        Err(e) => {
            eprintln!("klab: {e:#}");
            std::process::exit(run::STATUS_KLAB_ERROR);
        }
    }
}
