//! Docs that stay true. Does the README quote this build? (`klab readme --check` on a full
//! `klab bench` made here: the table, the figures in the prose, the command excerpts, the
//! addresses, the charts in docs/ and the JSON Schemas). Does every relative link in README.md
//! and docs/*.md point at a file that exists, and every `#anchor` at a heading? Are the committed
//! schemas the ones the types generate, and does real `report.json` and `--stats-json` output
//! validate against them?
//!
//! The full `klab bench` (about a minute) runs once and is shared by the tests that need it.

mod common;

use common::Scratch;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

fn klab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_klab"))
        .args(args)
        .output()
        .expect("run klab")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(args: &[&str]) -> String {
    let out = klab(args);
    assert!(
        out.status.success(),
        "klab {args:?} failed ({:?}):\n{}{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn root() -> PathBuf {
    klab_tests::repo_root()
}

/// The directory of one full `klab bench` (default profile), made once per test run.
fn full_bench() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = common::shared("docs", "report");
        ok(&["bench", "--out", &dir.to_string_lossy()]);
        dir
    })
}

#[test]
fn the_readme_charts_and_schemas_are_what_this_build_generates() {
    let report = full_bench().to_string_lossy().into_owned();
    let root = root().to_string_lossy().into_owned();
    let out = klab(&["readme", "--check", &report, "--root", &root]);
    assert!(
        out.status.success(),
        "the docs drift from the build — run `make readme` and commit:\n{}",
        text(&out.stderr)
    );
}

#[test]
fn a_drifting_figure_is_found_and_named() {
    // A copy of the repository's README with one figure changed fails the check, naming the
    // region; the repository's own files are not touched.
    let scratch = Scratch::new("docs", "drift");
    std::fs::create_dir_all(scratch.join("docs/schema")).unwrap();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let begin = "<!-- klab:begin bench-count -->";
    let at = readme
        .find(begin)
        .expect("the README has a bench-count region")
        + begin.len();
    let end = at + readme[at..].find("<!--").unwrap();
    let drifted = format!("{}999{}", &readme[..at], &readme[end..]);
    std::fs::write(scratch.join("README.md"), drifted).unwrap();
    // The guest builds and sources the figures come from are the repository's.
    for dir in ["kernels", "userland", "tests"] {
        std::os::unix::fs::symlink(root().join(dir), scratch.join(dir)).unwrap();
    }
    let report = full_bench().to_string_lossy().into_owned();
    let out = klab(&[
        "readme",
        "--check",
        &report,
        "--root",
        &scratch.to_string_lossy(),
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("README.md in bench-count"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    // Written (not checked), the copy is repaired and then passes.
    ok(&["readme", &report, "--root", &scratch.to_string_lossy()]);
    let fixed = std::fs::read_to_string(scratch.join("README.md")).unwrap();
    assert_eq!(
        fixed, readme,
        "regenerating restores the repository's README"
    );
}

/// The GitHub anchor of a heading: lower case, spaces to `-`, punctuation other than `-` and
/// `_` dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The link targets of `markdown` (`](target)`), outside code blocks.
fn links(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(close) = after.find(')') else { break };
            out.push(after[..close].to_string());
            rest = &after[close..];
        }
    }
    out
}

/// The anchors of the headings of `markdown`.
fn anchors(markdown: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.push(anchor(
                line.trim_start_matches('#').replace('`', "").as_str(),
            ));
        }
    }
    out
}

#[test]
fn every_relative_link_in_the_readme_and_docs_resolves() {
    let root = root();
    let mut files = vec![root.join("README.md"), root.join("CHANGELOG.md")];
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    assert!(
        files.len() >= 4,
        "README, CHANGELOG and docs/*.md: {files:?}"
    );
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in &files {
        let md = std::fs::read_to_string(file).unwrap();
        for link in links(&md) {
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (path, fragment) = link.split_once('#').unwrap_or((&link, ""));
            let target = if path.is_empty() {
                file.clone()
            } else {
                file.parent().unwrap().join(path)
            };
            if !target.exists() {
                broken.push(format!("{}: {link} (no such file)", file.display()));
            } else if !fragment.is_empty() && target.extension().is_some_and(|e| e == "md") {
                let doc = std::fs::read_to_string(&target).unwrap();
                if !anchors(&doc).iter().any(|a| a == fragment) {
                    broken.push(format!("{}: {link} (no such heading)", file.display()));
                }
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} links found: is the parser broken?"
    );
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_link_checker_knows_github_anchors() {
    assert_eq!(anchor("The researcher's loop"), "the-researchers-loop");
    assert_eq!(
        anchor("What `make bench` prints".replace('`', "").as_str()),
        "what-make-bench-prints"
    );
    assert_eq!(
        links("a [b](c.md#d) `x` [e](#f)\n```\n[g](h)\n```"),
        ["c.md#d", "#f"]
    );
}

/// The committed schema `name` (in docs/schema) as a validator.
fn validator(name: &str) -> jsonschema::Validator {
    let path = root().join("docs/schema").join(name);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name} is no schema: {e}"))
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not validate:\n{}",
        errors.join("\n")
    );
}

#[test]
fn the_committed_schemas_are_the_generated_ones() {
    for (name, generated) in lab::schema::schemas() {
        let path = root().join("docs/schema").join(name);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{} is not what the types generate: run `make readme`",
            path.display()
        );
    }
}

#[test]
fn a_real_report_and_real_statistics_validate_against_the_schemas() {
    let report_schema = validator("report.schema.json");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(full_bench().join("report.json")).unwrap())
            .unwrap();
    assert!(report["results"].as_array().is_some_and(|r| !r.is_empty()));
    assert_valid(&report_schema, &report, "report.json");
    // The schema is not vacuous: a result without its counters, or a count that is text, fails.
    let mut broken = report.clone();
    broken["results"][0]["total"]
        .as_object_mut()
        .unwrap()
        .remove("cycles");
    assert!(!report_schema.is_valid(&broken));
    let mut broken = report.clone();
    broken["results"][0]["ops"] = Value::String("10".into());
    assert!(!report_schema.is_valid(&broken));

    let stats_schema = validator("stats.schema.json");
    for kernel in ["mono", "micro"] {
        let stats: Value = serde_json::from_str(
            &ok(&["run", "--stats-json", "-", "--check-tlb", kernel, "true"])
                .lines()
                .skip_while(|l| !l.starts_with('{'))
                .collect::<Vec<_>>()
                .join("\n"),
        )
        .expect("--stats-json - prints JSON after the console output");
        assert!(stats["symbols"].as_array().is_some_and(|s| !s.is_empty()));
        assert_valid(&stats_schema, &stats, &format!("--stats-json of {kernel}"));
        let mut broken = stats.clone();
        broken["buckets"][0]["counts"]["l1d_misses"] = Value::from(-1);
        assert!(
            !stats_schema.is_valid(&broken),
            "a negative count must fail"
        );
    }
}
