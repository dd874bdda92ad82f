//! The command line (clap) and nothing else; each subcommand lives in its own module. Errors
//! reach the user through `anyhow` as exactly one line `klab: …` on stderr, clap's too.

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser, Subcommand};

use crate::{bench, compare, images, readme, run, validate};

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
    /// Compare two result directories (another kernel build, profile or point): every
    /// counter's change per benchmark and kernel, and where it moved; writes compare.json,
    /// compare.md and compare.html.
    Compare(compare::CompareArgs),
    /// List the embedded guest images (kernels and initrd) with their hashes and sizes.
    Images,
    /// Measure the cycle model with the `validate` guest and write the validation page
    /// (docs/model.md): klab's figures next to the published ones.
    Validate(Box<validate::ValidateArgs>),
    /// Regenerate what the docs quote from the build (README regions, docs/*.svg, the JSON
    /// Schemas in docs/schema) from a `klab bench` directory; `--check` only compares.
    Readme(readme::ReadmeArgs),
}

/// A malformed command line (clap's status): an unknown or missing argument, a bad value;
/// and a [`BadInput`]. Every other error klab reports is `run::STATUS_KLAB_ERROR` (1).
const STATUS_USAGE: i32 = 2;

/// An input klab cannot use at all — a result directory that is not one, options that
/// contradict each other — reported like a malformed command line (exit status 2).
#[derive(Debug)]
pub struct BadInput(String);

impl BadInput {
    /// The error saying `what` was wrong.
    pub fn error(what: impl Into<String>) -> anyhow::Error {
        anyhow::Error::new(BadInput(what.into()))
    }
}

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// Runs klab on the process's command line and exits with its status.
pub fn main() -> ! {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => match e.kind() {
            // Asked for: printed whole, on stdout, with status 0.
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => e.exit(),
            _ => {
                eprintln!("klab: {}", usage_error(&e));
                std::process::exit(STATUS_USAGE);
            }
        },
    };
    let result = match cli.command {
        Command::Run(args) => run::run(*args),
        Command::Bench(args) => bench::bench(*args),
        Command::Sweep(args) => bench::sweep::sweep(*args),
        Command::Report(args) => bench::merge::report(args),
        Command::Compare(args) => compare::compare(args),
        Command::Images => Ok(images::list()),
        Command::Validate(args) => validate::validate(*args),
        Command::Readme(args) => readme::readme(args),
    };
    match result {
        Ok(status) => std::process::exit(status),
        Err(e) => {
            // One line whatever the error: quoted user input shortened, no control characters.
            eprintln!("klab: {}", emu::input::shorten_quoted(&format!("{e:#}")));
            let status = if e.downcast_ref::<BadInput>().is_some() {
                STATUS_USAGE
            } else {
                run::STATUS_KLAB_ERROR
            };
            std::process::exit(status);
        }
    }
}

/// A clap error as one line: what was wrong (with clap's tip, if any) and which help to read.
/// clap's own rendering is several lines (the error, a tip, the usage, a pointer to --help).
fn usage_error(e: &clap::Error) -> String {
    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let names: Vec<String> = Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .filter(|n| n != "help")
            .collect();
        return format!(
            "no command given: the commands are {}; see `klab --help`",
            names.join(", ")
        );
    }
    let text = e.render().to_string();
    let mut what = Vec::new();
    let mut tips = Vec::new();
    // The subcommand whose help to read: from clap's usage line, else the command line.
    // (`args_os`: an argument that is not UTF-8 must not panic here.)
    let mut command = std::env::args_os()
        .skip(1)
        .filter_map(|a| a.into_string().ok())
        .find(|a| Cli::command().find_subcommand(a).is_some())
        .map_or("klab".to_string(), |sub| format!("klab {sub}"));
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(usage) = line.strip_prefix("Usage: ") {
            // `klab run [OPTIONS] <KERNEL|ELF>` → `klab run`.
            let words: Vec<&str> = usage
                .split_whitespace()
                .take_while(|w| !w.starts_with(['[', '<', '-']))
                .collect();
            command = words.join(" ");
        } else if let Some(tip) = line.strip_prefix("tip: ") {
            tips.push(tip.to_string());
        } else if !line.starts_with("For more information") {
            what.push(line.strip_prefix("error: ").unwrap_or(line).to_string());
        }
    }
    let what = emu::input::shorten_quoted(&what.join(" "));
    let tips = emu::input::shorten_quoted(&tips.join("; "));
    // A tip repeats what was typed: it is left out when it would make the line long.
    if tips.is_empty() || what.chars().count() + tips.chars().count() > 120 {
        format!("{what}; see `{command} --help`")
    } else {
        format!("{what} ({tips}); see `{command} --help`")
    }
}
