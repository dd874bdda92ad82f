//! Does `klab run … --timeline K` show one operation as it happened? The timeline of one
//! `getpid` on each kernel adds up to what one more operation costs (`bench --mark-ops getpid
//! 101` minus `… 100`, exact when every operation is identical); micro's has the two
//! address-space switches and the `proc` server, mono's neither; two runs print the same; and a
//! program that marks no operations, or too few, gets a one-line error.

use std::process::{Command, Output};

use serde_json::Value;

/// Instruction limit for every run here.
const MAX_INSNS: &str = "200000000";

fn klab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_klab"))
        .args(["run", "--max-insns", MAX_INSNS])
        .args(args)
        .output()
        .expect("run klab")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The guest's own `cycles=` and `instructions=` of `bench --mark-ops getpid N`.
fn guest_counts(kernel: &str, n: &str) -> (u64, u64) {
    let out = klab(&[kernel, "bench", "--mark-ops", "getpid", n]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("bench getpid: "))
        .unwrap_or_else(|| panic!("no result line in {stdout}"));
    let field = |k: &str| -> u64 {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(k))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {k} in {line}"))
    };
    (field("cycles="), field("instructions="))
}

/// The timeline JSON of operation 50 of `bench getpid 100` (klab adds `--mark-ops`).
fn timeline(kernel: &str) -> Value {
    let path = std::env::temp_dir().join(format!(
        "klab-timeline-{kernel}-{}.json",
        std::process::id()
    ));
    let p = path.to_str().unwrap();
    let out = klab(&[
        "--timeline",
        "50",
        "--timeline-json",
        p,
        kernel,
        "bench",
        "getpid",
        "100",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("timeline of operation 50: "),
        "{}",
        text(&out.stdout)
    );
    let json = std::fs::read_to_string(&path).expect("timeline json");
    let _ = std::fs::remove_file(&path);
    serde_json::from_str(&json).expect("valid json")
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn kinds(t: &Value) -> Vec<String> {
    t["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap().to_string())
        .collect()
}

/// The phases add up to the operation, and the operation is what one more `getpid` costs.
fn check_adds_up(kernel: &str, t: &Value) {
    let phases = t["phases"].as_array().unwrap();
    let sum = |k: &str| phases.iter().map(|p| u(&p[k])).sum::<u64>();
    assert_eq!(sum("cycles"), u(&t["cycles"]), "{kernel}: {t:#}");
    assert_eq!(
        sum("instructions"),
        u(&t["instructions"]),
        "{kernel}: {t:#}"
    );
    let (c100, i100) = guest_counts(kernel, "100");
    let (c101, i101) = guest_counts(kernel, "101");
    assert_eq!(
        (u(&t["cycles"]), u(&t["instructions"])),
        (c101 - c100, i101 - i100),
        "{kernel}: the timeline's operation is not what one more operation costs"
    );
    let (mut c, mut i) = (0, 0);
    for p in phases {
        assert_eq!((u(&p["start_cycle"]), u(&p["start_instruction"])), (c, i));
        c += u(&p["cycles"]);
        i += u(&p["instructions"]);
    }
}

// One getpid on mono: user, trap, kernel, sret, user; no switch, no server.
#[test]
fn monos_getpid_is_one_trap_with_no_switch() {
    let t = timeline("mono");
    check_adds_up("mono", &t);
    assert_eq!(
        kinds(&t),
        ["user", "trap", "kernel", "return", "user"],
        "{t:#}"
    );
    assert_eq!(t["phases"][1]["label"], "trap (ecall from U)");
    assert_eq!(t["phases"][0]["label"], "user (bench)");
}

// One getpid on micro: forwarded to proc, so two switches, the server, and two traps.
#[test]
fn micros_getpid_switches_to_proc_and_back() {
    let t = timeline("micro");
    check_adds_up("micro", &t);
    let k = kinds(&t);
    assert_eq!(k.iter().filter(|k| *k == "switch").count(), 2, "{t:#}");
    assert_eq!(k.iter().filter(|k| *k == "trap").count(), 2, "{t:#}");
    let phases = t["phases"].as_array().unwrap();
    let server = phases
        .iter()
        .find(|p| p["kind"] == "server")
        .unwrap_or_else(|| panic!("no server phase: {t:#}"));
    assert_eq!(server["label"], "server (proc)");
    assert!(u(&server["instructions"]) > 0);
    let switches: Vec<&str> = phases
        .iter()
        .filter(|p| p["kind"] == "switch")
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        switches,
        [
            "address-space switch → proc",
            "address-space switch → bench"
        ]
    );
    assert_eq!(
        (k.first().unwrap(), k.last().unwrap()),
        (&"user".to_string(), &"user".to_string())
    );
}

// Two timeline runs print the same bytes.
#[test]
fn timelines_are_deterministic() {
    let args = ["--timeline", "7", "micro", "bench", "getpid", "10"];
    let a = klab(&args);
    let b = klab(&args);
    assert!(a.status.success(), "{}", text(&a.stderr));
    assert_eq!(text(&a.stdout), text(&b.stdout));
}

// A program without operation markers, or an operation that never ended: one line, status 1.
#[test]
fn missing_operations_are_one_line_errors() {
    let out = klab(&["--timeline", "1", "mono", "echo", "hi"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("marked no operations"), "{err}");
    let out = klab(&["--timeline", "11", "mono", "bench", "getpid", "10"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("operation 11 never ended"), "{err}");
}
