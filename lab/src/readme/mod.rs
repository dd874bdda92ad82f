//! `klab readme [--check] [REPORT_DIR]`: the documentation that quotes the build, regenerated
//! from it — the README's generated regions ([`regions`]), the charts in `docs/*.svg` (cut from
//! `report.html`) and the JSON Schemas in `docs/schema/` ([`crate::schema`]).
//!
//! The figures come from the report directory of a full `klab bench` (default profile) and from
//! a few short runs of this klab made here ([`figures`]): the excerpts of commands the README
//! shows, `getpid` with ASIDs, a compare of two trap penalties, addresses from the guest ELFs.
//! Everything is deterministic, so a second run writes the same bytes and `--check` (which
//! writes nothing) fails exactly when a file or region drifts from the build. `make readme` runs
//! `klab bench` and then this.

mod figures;
pub mod regions;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// Regions generated from a template (`templates/NAME.md`, `{{key}}` placeholders filled from
/// the figures); any other region is the figure of its name.
const TEMPLATES: [(&str, &str); 9] = [
    ("quickstart", include_str!("templates/quickstart.md")),
    ("reading", include_str!("templates/reading.md")),
    ("timelines", include_str!("templates/timelines.md")),
    ("compare-trap", include_str!("templates/compare-trap.md")),
    ("gdb-kernel", include_str!("templates/gdb-kernel.md")),
    ("gdb-user", include_str!("templates/gdb-user.md")),
    ("gdb-micro", include_str!("templates/gdb-micro.md")),
    ("trace", include_str!("templates/trace.md")),
    ("symbols", include_str!("templates/symbols.md")),
];

/// The charts cut from `report.html`: (section id, file under the root).
const CHARTS: [(&str, &str); 4] = [
    ("ladder", "docs/bench-ladder.svg"),
    ("breakdown-getpid", "docs/bench-getpid.svg"),
    ("timeline-getpid", "docs/bench-timeline-getpid.svg"),
    ("q-io-models", "docs/bench-io-models.svg"),
];

/// The files with generated regions.
const DOCUMENTS: [&str; 1] = ["README.md"];

/// `klab readme`'s arguments.
#[derive(clap::Args)]
pub struct ReadmeArgs {
    /// The result directory of a full `klab bench` with the default profile (`make readme` makes
    /// it): the figures, table and charts come from its report.json and report.html.
    #[arg(default_value = "report")]
    report: PathBuf,
    /// The repository: README.md, docs/ and the guest builds (`make guests`) are found there.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Write nothing; fail (status 1) naming every file and region that is not what this build
    /// generates.
    #[arg(long)]
    check: bool,
}

/// Runs `klab readme`.
pub fn readme(args: ReadmeArgs) -> Result<i32> {
    let outputs = generate(&args.report, &args.root)?;
    if args.check {
        let drift = drift(&args.root, &outputs);
        if !drift.is_empty() {
            bail!(
                "the docs drift from this build: {}; run `make readme` and commit the result",
                drift.join("; ")
            );
        }
        eprintln!(
            "klab readme: {} files are what this build generates",
            outputs.len()
        );
    } else {
        for (path, text) in &outputs {
            let full = args.root.join(path);
            if let Some(dir) = full.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            std::fs::write(&full, text)
                .with_context(|| format!("cannot write {}", full.display()))?;
        }
        eprintln!("klab readme: wrote {} files", outputs.len());
    }
    Ok(0)
}

/// Every generated file: (path under the root, its text).
pub fn generate(report_dir: &Path, root: &Path) -> Result<Vec<(String, String)>> {
    let values = figures::compute(report_dir, root)?;
    let mut out = Vec::new();
    for doc in DOCUMENTS {
        let text = read(&root.join(doc))?;
        let (filled, _) = fill(&text, &values).map_err(|e| anyhow::anyhow!("{doc}: {e}"))?;
        out.push((doc.to_string(), filled));
    }
    let html = read(&report_dir.join("report.html"))?;
    for (section, file) in CHARTS {
        let svg = chart(&html, section).with_context(|| {
            format!(
                "{}: no chart in section `{section}`: give the directory of a full `klab bench`",
                report_dir.join("report.html").display()
            )
        })?;
        out.push((file.to_string(), svg));
    }
    for (file, text) in crate::schema::schemas() {
        out.push((format!("docs/schema/{file}"), text));
    }
    Ok(out)
}

/// `text` with its regions regenerated from `values`, and the regions that changed.
fn fill(text: &str, values: &BTreeMap<String, String>) -> Result<(String, Vec<String>), String> {
    let expanded: BTreeMap<&str, Result<String, String>> = TEMPLATES
        .iter()
        .map(|(name, t)| (*name, regions::expand(t, values)))
        .collect();
    if let Some((name, Err(e))) = expanded.iter().find(|(_, r)| r.is_err()) {
        return Err(format!("template {name}: {e}"));
    }
    regions::fill(text, &|name| match expanded.get(name) {
        Some(Ok(t)) => Some(t.clone()),
        _ => values.get(name).cloned(),
    })
}

/// What differs between `outputs` and the files under `root`: one phrase per file.
fn drift(root: &Path, outputs: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (path, text) in outputs {
        let old = std::fs::read_to_string(root.join(path)).ok();
        match old {
            None => out.push(format!("{path} is missing")),
            Some(old) if old != *text => {
                let changed: Vec<String> = regions::names(&old)
                    .into_iter()
                    .filter(|name| regions::content(&old, name) != regions::content(text, name))
                    .collect();
                if changed.is_empty() {
                    out.push(format!("{path} differs"));
                } else {
                    out.push(format!("{path} in {}", changed.join(", ")));
                }
            }
            Some(_) => {}
        }
    }
    out
}

/// The first `<svg>…</svg>` of the `<section id="ID">` of `html`, with a final newline.
fn chart(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("<section id=\"{id}\">"))?;
    let section = &html[at..];
    let section = &section[..section.find("</section>")?];
    let start = section.find("<svg")?;
    let end = section[start..].find("</svg>")? + start + "</svg>".len();
    Some(format!("{}\n", &section[start..end]))
}

/// The text of the file at `path`.
fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_cut_from_its_section_only() {
        let html = "<section id=\"a\">\n<h2>A</h2><svg x>a</svg></section>\n\
                    <section id=\"b\"><svg y>b</svg><svg>c</svg></section>";
        assert_eq!(chart(html, "a").as_deref(), Some("<svg x>a</svg>\n"));
        assert_eq!(chart(html, "b").as_deref(), Some("<svg y>b</svg>\n"));
        assert_eq!(chart(html, "c"), None);
        let no_chart = "<section id=\"d\">text</section><svg>e</svg>";
        assert_eq!(chart(no_chart, "d"), None);
    }

    #[test]
    fn every_template_names_only_regions_it_can_fill() {
        // Each template is a block (it ends with a line break) and has no region inside.
        for (name, t) in TEMPLATES {
            assert!(t.ends_with('\n'), "template {name} must end with a newline");
            assert!(!t.contains("klab:begin"), "template {name} holds a region");
        }
    }
}
