//! Helpers for the lab tests: scratch directories (`scratch`), and a benchmark report read through
//! the real binary.
#![allow(dead_code)] // each test binary uses only some of these helpers

use std::process::Command;

use serde_json::Value;

mod scratch;
#[allow(unused_imports)] // as above: each test binary uses only some
pub use scratch::{Scratch, shared};

/// What one `klab bench --quick` wrote: report.json, parsed, and report.md.
pub struct Report {
    pub json: Value,
    pub md: String,
}

/// Runs `klab bench --quick --only BENCHES --out DIR`, in a [`Scratch`] directory named by the
/// benchmarks (tests run in parallel), and returns what it wrote.
pub fn quick_bench(benches: &str) -> Report {
    let dir = Scratch::new("quick", &benches.replace(',', "_"));
    let out = Command::new(env!("CARGO_BIN_EXE_klab"))
        .args(["bench", "--quick", "--only", benches, "--out"])
        .arg(&dir)
        .output()
        .expect("run klab");
    assert!(
        out.status.success(),
        "klab bench failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let json = std::fs::read_to_string(dir.join("report.json")).expect("report.json");
    let md = std::fs::read_to_string(dir.join("report.md")).expect("report.md");
    Report {
        json: serde_json::from_str(&json).expect("report.json is JSON"),
        md,
    }
}

/// The result of `bench` on `kernel` in report.json `r`.
pub fn result<'a>(r: &'a Value, bench: &str, kernel: &str) -> &'a Value {
    r["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|x| x["bench"] == bench && x["kernel"] == kernel)
        .unwrap_or_else(|| panic!("no {bench} result on {kernel}"))
}
