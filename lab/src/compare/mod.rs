//! `klab compare A [B]`: what changed between two result directories of `klab bench`,
//! `klab sweep` or `klab report` — another kernel build, another profile, another point — per
//! benchmark × kernel (× sweep point): every counter's change per operation, absolute and in
//! percent, and which places (user, kernel, each server) moved; largest change first.
//!
//! Writes `compare.json` ([`model`]), `compare.md` and `compare.html` ([`html`], with charts)
//! into `--out`, and prints the table ([`text`]) or, with `--format`, the JSON or CSV. With one
//! directory and `--kernels KA,KB` it compares two kernels of one run (`klab bench --kernel
//! mono-new=ELF --kernels mono,mono-new`).
//!
//! An input that is not a result directory is a [`crate::cli::BadInput`] (exit status 2).

mod chart;
pub mod html;
pub mod model;
pub mod pair;
pub mod text;

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use crate::bench::files;
use crate::bench::model::Report;
use crate::cli::BadInput;
use crate::export::{self, Format};
use model::Comparison;
use pair::Input;

/// Arguments of `klab compare`.
#[derive(Args)]
pub struct CompareArgs {
    /// The baseline: a result directory of klab bench, sweep or report (or its report.json).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// The results to compare with it (default: A again, with --kernels naming two of its
    /// kernels).
    #[arg(value_name = "B")]
    pub b: Option<PathBuf>,
    /// Compare kernel KA of A with kernel KB of B (default: each kernel with the kernel of the
    /// same name).
    #[arg(long, value_name = "KA,KB", value_delimiter = ',')]
    pub kernels: Vec<String>,
    /// Name a side in the output: A=NAME or B=NAME (repeatable; default: the directory's name,
    /// or the kernel's with --kernels).
    #[arg(long = "label", value_name = "A|B=NAME")]
    pub labels: Vec<String>,
    /// Where to write compare.json, compare.md and compare.html.
    #[arg(long, value_name = "DIR", default_value = "compare")]
    pub out: PathBuf,
    /// Print the comparison to stdout as json (compare.json) or csv (one line per result,
    /// place and counter); the table is then not printed.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<Format>,
}

/// The files written into the output directory.
pub const FILES: [&str; 3] = ["compare.json", "compare.md", "compare.html"];

/// `klab compare`.
pub fn compare(args: CompareArgs) -> anyhow::Result<i32> {
    let (ka, kb) = match args.kernels.as_slice() {
        [] => (None, None),
        [ka, kb] => (Some(ka.clone()), Some(kb.clone())),
        _ => {
            return Err(BadInput::error(format!(
                "--kernels {}: give two kernels, KA,KB",
                args.kernels.join(",")
            )));
        }
    };
    let b_path = match (&args.b, &ka) {
        (Some(b), _) => b.clone(),
        (None, Some(_)) => args.a.clone(),
        (None, None) => {
            return Err(BadInput::error(
                "give two result directories, or one and --kernels KA,KB to compare two of its kernels",
            ));
        }
    };
    let mut labels = [None, None];
    for l in &args.labels {
        let (side, name) = l
            .split_once('=')
            .filter(|(_, n)| !n.trim().is_empty())
            .ok_or_else(|| BadInput::error(format!("--label {l}: expected A=NAME or B=NAME")))?;
        match side.trim() {
            "A" | "a" => labels[0] = Some(name.trim().to_string()),
            "B" | "b" => labels[1] = Some(name.trim().to_string()),
            _ => {
                return Err(BadInput::error(format!(
                    "--label {l}: the sides are A and B"
                )));
            }
        }
    }
    files::check_out(&args.out)?;
    let [la, lb] = labels;
    let a = input(&args.a, ka, la)?;
    let b = input(&b_path, kb, lb)?;
    let comparison = pair::compare(&a, &b);
    let paths = write(&args.out, &comparison)?;
    match args.format {
        Some(f) => export::print(&render(&comparison, f)?)?,
        None => print!("{}", text::table(&comparison)),
    }
    eprintln!(
        "klab: compared {} pairs of results; wrote {}",
        comparison.rows.len(),
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(0)
}

/// Reads one side: the report at `path`, the kernel taken from it (which must be there), and
/// its label.
fn input(path: &Path, kernel: Option<String>, label: Option<String>) -> anyhow::Result<Input> {
    let report = files::read(path).map_err(|e| BadInput::error(format!("{e:#}")))?;
    if report.results.is_empty() {
        return Err(BadInput::error(format!(
            "{} holds no results",
            emu::input::shorten(&path.to_string_lossy())
        )));
    }
    if let Some(k) = &kernel
        && !report.results.iter().any(|r| &r.kernel == k)
    {
        let mut names: Vec<&str> = report.results.iter().map(|r| r.kernel.as_str()).collect();
        names.dedup();
        names.sort_unstable();
        names.dedup();
        return Err(BadInput::error(format!(
            "{} has no results of kernel {k}; it has {}",
            emu::input::shorten(&path.to_string_lossy()),
            names.join(", ")
        )));
    }
    let label = label.unwrap_or_else(|| match &kernel {
        Some(k) => k.clone(),
        None => default_label(path),
    });
    Ok(Input {
        label,
        source: path.display().to_string(),
        kernel,
        report,
    })
}

/// A directory's own name (`report-old`), or its parent's for a report.json.
fn default_label(path: &Path) -> String {
    let dir = if path.is_dir() {
        path
    } else {
        path.parent().unwrap_or(path)
    };
    let name = std::fs::canonicalize(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
    name.unwrap_or_else(|| path.display().to_string())
}

/// The comparison as `--format` prints it.
pub fn render(c: &Comparison, format: Format) -> anyhow::Result<String> {
    Ok(match format {
        Format::Json => {
            serde_json::to_string_pretty(c).context("cannot serialize the comparison")? + "\n"
        }
        Format::Csv => text::csv(c),
    })
}

/// Writes the three files into `dir` (created if missing); returns their paths.
pub fn write(dir: &Path, c: &Comparison) -> anyhow::Result<Vec<PathBuf>> {
    files::prepare(dir)?;
    let contents = [render(c, Format::Json)?, text::markdown(c), html::render(c)];
    let mut paths = Vec::new();
    for (name, text) in FILES.iter().zip(contents) {
        let path = dir.join(name);
        // A temporary name first, so an interrupted run never leaves half a file.
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
        paths.push(path);
    }
    Ok(paths)
}

/// The kernels of a report beyond the embedded two, each against the embedded kernel its name
/// starts with (`mono-new` against `mono`), else the report's first embedded kernel: the
/// comparison tables `klab bench` and `klab report` print after their own table, which shows
/// mono and micro only. Empty when the report has no other kernel.
pub fn kernels_table(report: &Report) -> String {
    const EMBEDDED: [&str; 2] = ["mono", "micro"];
    let mut names: Vec<&str> = Vec::new();
    for r in &report.results {
        if !names.contains(&r.kernel.as_str()) {
            names.push(&r.kernel);
        }
    }
    let present: Vec<&str> = EMBEDDED.into_iter().filter(|e| names.contains(e)).collect();
    let base_of = |k: &str| {
        present
            .iter()
            .find(|e| k.starts_with(**e))
            .or(present.first())
            .copied()
    };
    let mut out = String::new();
    for k in names.iter().filter(|k| !EMBEDDED.contains(k)) {
        let side = |kernel: &str| Input {
            label: kernel.to_string(),
            source: "this run".to_string(),
            kernel: Some(kernel.to_string()),
            report: report.clone(),
        };
        let c = match base_of(k) {
            Some(base) => pair::compare(&side(base), &side(k)),
            // No embedded kernel to compare with: the kernel against itself shows its figures.
            None => pair::compare(&side(k), &side(k)),
        };
        out.push('\n');
        out.push_str(&text::table(&c));
    }
    out
}
