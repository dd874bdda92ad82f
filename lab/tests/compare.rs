//! The researcher's loop through the real binary: `klab compare` reports the change a profile
//! parameter makes, in the right direction and of the exact size; a kernel given with
//! `--kernel NAME=ELF` runs like the embedded one; `klab report` merges different images under
//! different names only; every `--format` output parses; `-` writes to stdout; a malformed
//! result directory is exit status 2. Each run is one or two quick benchmarks (seconds).

mod common;

use common::Scratch;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

fn klab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_klab"))
        .args(args)
        .output()
        .expect("run klab")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs klab, which must succeed; its stdout.
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

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> Scratch {
    Scratch::new("compare", name)
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("JSON")
}

/// `klab bench --quick --only BENCHES ARGS… --out DIR`; the report.json.
fn bench(dir: &Path, benches: &str, args: &[&str]) -> Value {
    let d = s(dir);
    let mut all = vec!["bench", "--quick", "--only", benches, "--out", &d];
    all.extend(args);
    ok(&all);
    read_json(&dir.join("report.json"))
}

/// The row of `bench` on `kernel` in a compare.json.
fn row<'a>(c: &'a Value, bench: &str, kernel: &str) -> &'a Value {
    c["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["bench"] == bench && r["kernel_a"] == kernel)
        .unwrap_or_else(|| panic!("no row {bench} on {kernel} in {c}"))
}

/// The change of `metric` in a row (or a place of it).
fn change<'a>(metrics: &'a Value, metric: &str) -> &'a Value {
    metrics
        .as_array()
        .expect("metrics")
        .iter()
        .find(|m| m["metric"] == metric)
        .unwrap_or_else(|| panic!("no {metric}"))
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

/// What does raising the trap penalty by 20 cycles change? Cycles only, by exactly 20 per trap
/// (one per getpid on mono, two on micro: the call and proc's reply), charged where the traps
/// are taken; and the comparison says which profile key differs.
#[test]
fn a_profile_change_shows_with_its_direction_and_exact_size() {
    let a = scratch("trap-a");
    let b = scratch("trap-b");
    let out = scratch("trap-out");
    // Under the simple model, where a trap's penalty is booked to the place that takes it. (The
    // pipeline default books each place the same way: `bands.rs` checks it place by place.)
    bench(&a, "getpid", &["--profile", "simple"]);
    bench(
        &b,
        "getpid",
        &["--profile", "simple", "--set", "penalty.trap=40"],
    );
    let table = ok(&[
        "compare",
        &s(&a),
        &s(&b),
        "--out",
        &s(&out),
        "--label",
        "B=slow-traps",
    ]);
    assert!(table.contains("B: slow-traps"), "{table}");
    assert!(table.contains("profile penalty.trap 20 → 40"), "{table}");
    let c = read_json(&out.join("compare.json"));
    assert_eq!(c["b"]["label"], "slow-traps");
    assert_eq!(
        c["differences"],
        json!([{"what": "profile penalty.trap", "a": "20", "b": "40"}])
    );
    assert_eq!(c["mismatches"], json!([]));
    for (kernel, traps_per_op) in [("mono", 1), ("micro", 2)] {
        let r = row(&c, "getpid", kernel);
        let ops = u(&r["ops_a"]);
        assert_eq!(ops, u(&r["ops_b"]));
        let cycles = change(&r["metrics"], "cycles");
        let traps = u(&change(&r["metrics"], "traps")["total_a"]);
        assert_eq!(traps, u(&change(&r["metrics"], "traps")["total_b"]));
        assert_eq!(traps, traps_per_op * ops, "{kernel}: traps per getpid");
        assert_eq!(
            u(&cycles["total_b"]) - u(&cycles["total_a"]),
            20 * traps,
            "{kernel}: 20 more cycles per trap"
        );
        assert_eq!(cycles["delta"].as_f64(), Some(20.0 * traps_per_op as f64));
        assert!(cycles["percent"].as_f64().unwrap() > 0.0);
        for other in [
            "instructions",
            "context_switches",
            "tlb_misses",
            "l1d_misses",
        ] {
            assert_eq!(
                change(&r["metrics"], other)["delta"],
                0.0,
                "{kernel} {other}"
            );
        }
        // Every place that moved moved by whole trap penalties; together, all of it.
        let mut moved = 0;
        for p in r["places"].as_array().unwrap() {
            let c = change(&p["metrics"], "cycles");
            let d = u(&c["total_b"]) - u(&c["total_a"]);
            assert_eq!(d % 20, 0, "{kernel} {}: {d}", p["place"]);
            moved += d;
        }
        assert_eq!(moved, 20 * traps);
    }
    // Largest change in percent first: mono's 20 of ~160 before micro's 40 of ~670.
    assert_eq!(c["rows"][0]["kernel_a"], "mono");
    let md = std::fs::read_to_string(out.join("compare.md")).unwrap();
    assert!(md.contains("| profile penalty.trap | 20 | 40 |"), "{md}");
    let html = std::fs::read_to_string(out.join("compare.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), 2, "two charts");
    assert!(!html.contains("chart could not be drawn"));
}

/// Does a kernel given as a file (a copy of the embedded mono) run exactly like the embedded
/// one, with its images recorded, and does compare find nothing between them?
#[test]
fn a_kernel_of_your_own_runs_like_the_embedded_one() {
    let elf = klab_tests::kernel("mono");
    let images = ok(&["images"]);
    let hash = images
        .lines()
        .find_map(|l| l.strip_prefix("mono"))
        .and_then(|l| l.split_whitespace().next())
        .expect("klab images lists mono")
        .to_string();
    let dir = scratch("own");
    let spec = format!("mono2={}", s(&elf));
    let stdout = ok(&[
        "bench",
        "--quick",
        "--only",
        "getpid,fstat",
        "--kernel",
        &spec,
        "--kernels",
        "mono,mono2",
        "--out",
        &s(&dir),
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_str(&stdout).expect("--format json is the report");
    assert_eq!(report, read_json(&dir.join("report.json")));
    let k = &report["kernels"];
    assert_eq!(
        k["mono"]["kernel"],
        hash.as_str(),
        "the file is the embedded mono"
    );
    assert_eq!(k["mono2"]["kernel"], hash.as_str());
    assert_eq!(k["mono"]["source"], "embedded");
    assert_eq!(k["mono2"]["source"], s(&elf).as_str());
    assert_eq!(k["mono2"]["initrd"], k["mono"]["initrd"]);
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    for bench in ["getpid", "fstat"] {
        let of = |kernel: &str| {
            let r = results
                .iter()
                .find(|r| r["bench"] == bench && r["kernel"] == kernel)
                .unwrap_or_else(|| panic!("no {bench} on {kernel}"));
            (r["total"].clone(), r["parts"].clone(), r["guest"].clone())
        };
        assert_eq!(of("mono"), of("mono2"), "{bench}: identical figures");
    }
    // The built initrd given as a file is the embedded one: the same figures, its path recorded.
    let initrd = klab_tests::repo_root().join("userland/target/initrd.tar");
    let own: Value = serde_json::from_str(&ok(&[
        "bench",
        "--quick",
        "--only",
        "getpid",
        "--kernels",
        "mono",
        "--initrd",
        &s(&initrd),
        "--out",
        &s(&scratch("own-initrd")),
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(own["kernels"]["mono"]["initrd"], k["mono"]["initrd"]);
    assert_eq!(own["kernels"]["mono"]["initrd_source"], s(&initrd).as_str());
    let getpid = |r: &Value| {
        r["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["bench"] == "getpid" && x["kernel"] == "mono")
            .map(|x| x["total"].clone())
    };
    assert_eq!(getpid(&own), getpid(&report));
    // One directory, two of its kernels.
    let out = scratch("own-out");
    let c: Value = serde_json::from_str(&ok(&[
        "compare",
        &s(&dir),
        "--kernels",
        "mono,mono2",
        "--out",
        &s(&out),
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(c["rows"].as_array().unwrap().len(), 2);
    for r in c["rows"].as_array().unwrap() {
        assert_eq!(r["kernel_b"], "mono2");
        for m in r["metrics"].as_array().unwrap() {
            assert_eq!(m["delta"], 0.0, "{r}");
        }
    }
    // A kernel name that is no kernel, and a file that is no ELF, are refused before running.
    let out = klab(&["bench", "--quick", "--only", "getpid", "--kernels", "nope"]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(
        text(&out.stderr).contains("--kernel nope=ELF"),
        "{}",
        text(&out.stderr)
    );
    let junk = dir.join("junk.elf");
    std::fs::write(&junk, b"not an elf").unwrap();
    let spec = format!("bad={}", s(&junk));
    let out = klab(&["bench", "--quick", "--only", "getpid", "--kernel", &spec]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("--kernel bad="),
        "{}",
        text(&out.stderr)
    );
}

/// Does `klab report` merge results of different images under different names, and refuse
/// two different images under one name?
#[test]
fn report_merges_different_images_only_under_different_names() {
    let a = scratch("images-a");
    let b = scratch("images-b");
    let out = scratch("images-out");
    let report = bench(&a, "fstat", &["--kernels", "mono"]);
    // The same run as if from another mono build, named mono-new.
    let mut other = report.clone();
    other["results"][0]["kernel"] = json!("mono-new");
    other["results"][0]["total"]["cycles"] = json!(1);
    let mut images = other["kernels"]["mono"].clone();
    images["kernel"] = json!("0123456789abcdef");
    other["kernels"] = json!({ "mono-new": images });
    other["images"]["mono"] = json!("fedcba9876543210");
    std::fs::write(b.join("report.json"), other.to_string()).unwrap();
    let stdout = ok(&[
        "report",
        &s(&a),
        &s(&b),
        "--out",
        &s(&out),
        "--format",
        "json",
    ]);
    let merged: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(merged["results"].as_array().unwrap().len(), 2);
    assert_eq!(merged["kernels"]["mono-new"]["kernel"], "0123456789abcdef");
    assert_eq!(merged["kernels"]["mono"], report["kernels"]["mono"]);
    assert!(
        merged["images"].get("mono").is_none(),
        "conflicting embedded hashes are dropped, not guessed: {}",
        merged["images"]
    );
    // Under the same name, two images are refused.
    other["results"][0]["kernel"] = json!("mono");
    other["kernels"] = json!({ "mono": images });
    std::fs::write(b.join("report.json"), other.to_string()).unwrap();
    let res = klab(&["report", &s(&a), &s(&b), "--out", &s(&out)]);
    assert_eq!(res.status.code(), Some(1));
    let err = text(&res.stderr);
    assert!(
        err.contains("different kernel images") && err.contains("--kernel NAME=ELF"),
        "{err}"
    );
}

/// Does every `--format` output parse, with one record per result (and place, and counter)?
#[test]
fn every_format_output_parses() {
    let dir = scratch("formats");
    let sweep = scratch("formats-sweep");
    let merged = scratch("formats-merged");
    let out = scratch("formats-out");
    let (d, w, m, o) = (s(&dir), s(&sweep), s(&merged), s(&out));
    let csv_rows = |stdout: &str, header: &str| -> Vec<csv::StringRecord> {
        let mut r = csv::Reader::from_reader(stdout.as_bytes());
        let h = r.headers().expect("a CSV header").clone();
        assert_eq!(h.get(0), Some(header), "{stdout}");
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("a CSV record")).collect();
        assert!(rows.iter().all(|x| x.len() == h.len()));
        rows
    };
    let places = |report: &Value| -> usize {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| 1 + r["parts"].as_array().unwrap().len())
            .sum()
    };
    let csv_bench = ok(&[
        "bench", "--quick", "--only", "getpid", "--out", &d, "--format", "csv",
    ]);
    let report = read_json(&dir.join("report.json"));
    let rows = csv_rows(&csv_bench, "bench");
    assert_eq!(rows.len(), places(&report));
    assert!(rows.iter().any(|r| &r[3] == "micro" && &r[6] == "proc"));
    let csv_sweep = ok(&[
        "sweep",
        "--quick",
        "--only",
        "getpid",
        "--kernels",
        "mono",
        "--param",
        "tlb.entries=8,16",
        "--out",
        &w,
        "--format",
        "csv",
    ]);
    let rows = csv_rows(&csv_sweep, "bench");
    assert_eq!(rows.len(), places(&read_json(&sweep.join("report.json"))));
    assert!(rows.iter().any(|r| &r[5] == "tlb.entries=16"));
    let json_sweep: Value = serde_json::from_str(&ok(&[
        "sweep",
        "--quick",
        "--only",
        "getpid",
        "--kernels",
        "mono",
        "--param",
        "tlb.entries=8,16",
        "--out",
        &w,
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(json_sweep["results"].as_array().unwrap().len(), 2);
    let json_report: Value =
        serde_json::from_str(&ok(&["report", &d, &w, "--out", &m, "--format", "json"])).unwrap();
    assert_eq!(json_report["results"].as_array().unwrap().len(), 4);
    let rows = csv_rows(
        &ok(&["report", &d, &w, "--out", &m, "--format", "csv"]),
        "bench",
    );
    assert_eq!(rows.len(), places(&json_report));
    // bench's results are all in the merged report (the same figures); the sweep's points are
    // only there.
    let c: Value =
        serde_json::from_str(&ok(&["compare", &d, &m, "--out", &o, "--format", "json"])).unwrap();
    assert_eq!(c, read_json(&out.join("compare.json")));
    assert_eq!(c["rows"].as_array().unwrap().len(), 2);
    let kinds: Vec<&str> = c["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["only-in-b", "only-in-b"], "the sweep's two points");
    let rows = csv_rows(
        &ok(&["compare", &d, &m, "--out", &o, "--format", "csv"]),
        "bench",
    );
    let metrics = 9;
    let expected: usize = c["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (1 + r["places"].as_array().unwrap().len()) * metrics)
        .sum();
    assert_eq!(rows.len(), expected);
}

/// Does `-` mean stdout for the output-file options, and is `--out -` refused with advice?
#[test]
fn a_dash_writes_to_stdout() {
    let out = ok(&["run", "--stats-json", "-", "mono", "true"]);
    let start = out.find("{\n").expect("the statistics on stdout");
    let stats: Value = serde_json::from_str(&out[start..]).expect("the statistics are JSON");
    assert!(u(&stats["instructions"]) > 0);
    assert!(!Path::new("-").exists(), "no file named -");
    // The first 50 instructions of the boot code trap nothing: one line each.
    let out = klab(&["run", "--max-insns", "50", "--trace", "-", "mono"]);
    assert_eq!(out.status.code(), Some(124), "stopped by --max-insns");
    let trace = text(&out.stdout);
    assert_eq!(
        trace
            .lines()
            .filter(|l| l.starts_with("core   0: 3 0x"))
            .count(),
        50,
        "{trace}"
    );
    let res = klab(&["bench", "--quick", "--only", "getpid", "--out", "-"]);
    assert_eq!(res.status.code(), Some(2));
    assert!(
        text(&res.stderr).contains("--format json"),
        "{}",
        text(&res.stderr)
    );
}

/// Is a result directory that is not one refused with one line and exit status 2, and are
/// results of different sizes compared per operation and listed?
#[test]
fn malformed_or_mismatched_inputs_are_reported() {
    let good = scratch("good");
    let report = bench(&good, "getpid", &["--kernels", "mono"]);
    let g = s(&good);
    let out = scratch("bad-out");
    let o = s(&out);
    let empty = scratch("empty");
    let bad = |dir: &Path, contents: Option<&str>, says: &str| {
        if let Some(c) = contents {
            std::fs::write(dir.join("report.json"), c).unwrap();
        }
        let res = klab(&["compare", &g, &s(dir), "--out", &o]);
        let err = text(&res.stderr);
        assert_eq!(res.status.code(), Some(2), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("klab: ") && err.contains(says), "{err}");
    };
    bad(&empty, None, "no such file");
    bad(&empty, Some("{\"results\": ["), "is not JSON");
    bad(&empty, Some("{\"schema\": 99}"), "schema 99");
    bad(
        &empty,
        Some("{\"schema\": 1, \"results\": 3}"),
        "report schema",
    );
    let mut none = report.clone();
    none["results"] = json!([]);
    bad(&empty, Some(&none.to_string()), "no results");
    let res = klab(&["compare", &g, "--out", &o]);
    assert_eq!(res.status.code(), Some(2));
    let res = klab(&["compare", &g, &g, "--kernels", "mono", "--out", &o]);
    assert_eq!(res.status.code(), Some(2));
    // Twice the operations: compared per operation, and said.
    let mut longer = report.clone();
    longer["results"][0]["ops"] = json!(u(&report["results"][0]["ops"]) * 2);
    std::fs::write(empty.join("report.json"), longer.to_string()).unwrap();
    let table = ok(&["compare", &g, &s(&empty), "--out", &o]);
    let n = u(&report["results"][0]["ops"]);
    let said = format!("A measured {n} operations, B {}", 2 * n);
    assert!(table.contains(&said), "{table}");
    let c = read_json(&out.join("compare.json"));
    assert_eq!(c["mismatches"][0]["kind"], "ops");
    let cycles = change(&row(&c, "getpid", "mono")["metrics"], "cycles");
    assert!(
        cycles["delta"].as_f64().unwrap() < 0.0,
        "half the cycles per op"
    );
}
