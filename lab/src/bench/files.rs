//! A report directory: `report.json` (the data, schema `model::SCHEMA`), `report.md` and
//! `report.html` (both regenerated from the data).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::model::{Report, SCHEMA};
use crate::report;

/// The largest report.json read (a full sweep's is well under 1 MiB).
const MAX_REPORT_FILE: emu::input::Bound = emu::input::Bound {
    bytes: 64 << 20,
    why: "the report limit",
    advice: "give a report.json written by klab",
};

/// The three files written into a report directory.
pub const FILES: [&str; 3] = ["report.json", "report.md", "report.html"];

/// Refuses `-` as an output directory: the directory holds three files, and stdout is what
/// `--format` is for.
pub fn check_out(dir: &Path) -> anyhow::Result<()> {
    if dir.as_os_str() == "-" {
        return Err(crate::cli::BadInput::error(
            "--out takes a directory; for the results on stdout use --format json or --format csv",
        ));
    }
    Ok(())
}

/// The report as `--format` prints it: report.json's text, or CSV ([`super::rows`]).
pub fn export(r: &Report, format: crate::export::Format) -> anyhow::Result<String> {
    Ok(match format {
        crate::export::Format::Json => {
            serde_json::to_string_pretty(r).context("cannot serialize the report")? + "\n"
        }
        crate::export::Format::Csv => super::rows::csv(r),
    })
}

/// Creates `dir` if missing and checks that files can be written in it.
pub fn prepare(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let probe = dir.join(".klab-write-test");
    std::fs::write(&probe, b"").with_context(|| format!("cannot write in {}", dir.display()))?;
    // Best effort: a probe left behind is harmless.
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Writes the three files into `dir` (created if missing); returns their paths.
pub fn write(dir: &Path, r: &Report) -> anyhow::Result<Vec<PathBuf>> {
    prepare(dir)?;
    let json = serde_json::to_string_pretty(r).context("cannot serialize the report")?;
    let contents = [json + "\n", report::markdown(r), report::html(r)];
    let mut paths = Vec::new();
    for (name, text) in FILES.iter().zip(contents) {
        let path = dir.join(name);
        // Write to a temporary name first, so an interrupted run never leaves half a report.
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
        paths.push(path);
    }
    Ok(paths)
}

/// Reads `dir/report.json` (or `dir` itself if it is a file).
pub fn read(dir: &Path) -> anyhow::Result<Report> {
    let path = if dir.is_dir() {
        dir.join(FILES[0])
    } else {
        dir.to_path_buf()
    };
    let text = emu::input::read_text(&path, "the report", MAX_REPORT_FILE)?;
    parse(&text, &emu::input::shorten(&path.to_string_lossy()))
}

/// Parses a report.json's text; `shown` names it in errors.
pub fn parse(text: &str, shown: &str) -> anyhow::Result<Report> {
    let schema = serde_json::from_str::<serde_json::Value>(text)
        .with_context(|| format!("{shown} is not JSON"))?
        .get("schema")
        .and_then(serde_json::Value::as_u64);
    if schema != Some(u64::from(SCHEMA)) {
        bail!(
            "{shown} has schema {}, this klab reads schema {SCHEMA}",
            schema.map_or("none".to_string(), |s| s.to_string())
        );
    }
    serde_json::from_str(text).with_context(|| format!("{shown} does not follow the report schema"))
}
