//! What do `micro`'s null system call and raw IPC round trip cost, in instructions (exact and
//! model-independent, so they may be asserted)? Issue 14's targets — `getpid`, forwarded to
//! `proc`, within 550 instructions per call; an IPC round trip of 0 words between two spaces
//! within 450 — and the budgets this kernel holds today, so a change that makes them dearer
//! fails here. Each runs the benchmark program as `klab bench` does (`bench getpid`,
//! `bench ipc N 0`) and reads its own `instructions=` counter (region 1, every mode) and the
//! kernel's part (S-mode instructions in region 1, from `--stats-json`).

use std::process::Command;

use serde_json::Value;

/// `(instructions per op, kernel instructions per op)` of `bench ARGS…` on `micro`, with
/// `ops` operations (the first argument after the case).
fn per_op(args: &[&str], ops: u64) -> (f64, f64) {
    let json = std::env::temp_dir().join(format!(
        "klab-budget-{}-{}.json",
        std::process::id(),
        args[0]
    ));
    let out = Command::new(env!("CARGO_BIN_EXE_klab"))
        .args([
            "run",
            "--stats-json",
            json.to_str().unwrap(),
            "micro",
            "bench",
        ])
        .args(args)
        .output()
        .expect("run klab");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "bench {args:?}:\n{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("bench "))
        .expect("a result line");
    let field = |name: &str| -> u64 {
        line.split(' ')
            .find_map(|w| w.strip_prefix(name))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {line}"))
    };
    assert_eq!(field("ops="), ops, "{line}");
    let stats: Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("stats")).expect("JSON");
    let _ = std::fs::remove_file(&json);
    let kernel: u64 = stats["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .filter(|r| r["region"] == 1 && r["mode"] == "S")
        .map(|r| r["counts"]["instructions"].as_u64().expect("a count"))
        .sum();
    (
        field("instructions=") as f64 / ops as f64,
        kernel as f64 / ops as f64,
    )
}

fn getpid() -> (f64, f64) {
    per_op(&["getpid", "10000"], 10_000)
}

fn ipc() -> (f64, f64) {
    per_op(&["ipc", "2000", "0"], 2000)
}

#[test]
fn does_getpid_stay_within_the_budget_it_reached() {
    let (all, kernel) = getpid();
    assert!(all <= 700.0, "getpid: {all} instructions per call");
    assert!(
        kernel <= 600.0,
        "getpid: {kernel} kernel instructions per call"
    );
}

#[test]
fn does_an_ipc_round_trip_stay_within_the_budget_it_reached() {
    let (_, kernel) = ipc();
    // Two kernel passes (call, reply_recv); the user side is the bench program's own.
    assert!(
        kernel <= 660.0,
        "ipc: {kernel} kernel instructions per round trip"
    );
}

#[test]
#[ignore = "issue 14's target, not reached: getpid is 685 instructions per call (kernel 591 in two fast-path passes, proc 85, user 9)"]
fn is_getpid_within_550_instructions() {
    let (all, _) = getpid();
    assert!(all <= 550.0, "getpid: {all} instructions per call");
}

#[test]
#[ignore = "issue 14's target, not reached: the round trip is 903 instructions (kernel 599 in two fast-path passes, the bench program's user loop through ulib 304)"]
fn is_an_ipc_round_trip_within_450_instructions() {
    let (all, _) = ipc();
    assert!(all <= 450.0, "ipc: {all} instructions per round trip");
}
