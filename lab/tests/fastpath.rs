//! Does `micro`'s IPC fast path give exactly what the general path gives, and is it taken? The
//! same programs run with the fast path on (the default) and off (`fastpath=off`, the kernel's
//! leading boot word), through the real `klab` binary:
//! - `ipctest` (calls of 0 to 4 words and with leases between two processes, every register word
//!   and byte checked on both sides, refused calls and their error codes): the same console
//!   output line for line, the same exit status;
//! - `usertests` (every system call, forwarded to the servers, and their error paths): the same
//!   lines, all passing;
//! - the `bench getpid` and `bench ipc 0` cases: the same result lines apart from the counters,
//!   and with the fast path on, far fewer kernel instructions per operation — proof it was taken.

use std::process::{Command, Output};
use std::thread;

use serde_json::Value;

/// Instruction limit for every run here: generous, but a hung kernel fails instead of hanging.
const MAX_INSNS: &str = "3000000000";

/// `klab run [OPTS…] micro [fastpath=off] PROGRAM…`.
fn run_micro(fast: bool, opts: &[&str], program: &[&str]) -> Output {
    let mut args: Vec<&str> = vec!["run", "--max-insns", MAX_INSNS];
    args.extend(opts);
    args.push("micro");
    if !fast {
        args.push("fastpath=off");
    }
    args.extend(program);
    Command::new(env!("CARGO_BIN_EXE_klab"))
        .args(&args)
        .output()
        .expect("run klab")
}

/// Runs `program` with the fast path on and off at the same time; (on, off).
fn both(opts: &[&str], program: &[&str]) -> (Output, Output) {
    thread::scope(|s| {
        let off = s.spawn(|| run_micro(false, opts, program));
        let on = run_micro(true, opts, program);
        (on, off.join().expect("the fastpath=off run"))
    })
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The console lines that do not print times or counters (which the fast path changes).
fn comparable(output: &[u8]) -> Vec<String> {
    text(output)
        .lines()
        .map(|l| l.trim_end_matches('\r').to_string())
        .filter(|l| !l.contains(" ns") && !l.contains("cycles"))
        .collect()
}

#[test]
fn does_ipctest_see_the_same_registers_and_messages_with_the_fast_path_off() {
    let (on, off) = both(&[], &["ipctest"]);
    let stdout = text(&on.stdout);
    assert_eq!(on.status.code(), Some(0), "ipctest failed:\n{stdout}");
    assert!(
        stdout.lines().any(|l| l.ends_with(" checks passed")),
        "no summary:\n{stdout}"
    );
    assert_eq!(
        (text(&on.stdout), text(&on.stderr), on.status.code()),
        (text(&off.stdout), text(&off.stderr), off.status.code()),
        "ipctest differs with the fast path off"
    );
}

#[test]
fn do_usertests_give_the_same_lines_with_the_fast_path_off() {
    let (on, off) = both(&[], &["usertests"]);
    let lines = comparable(&on.stdout);
    assert_eq!(
        on.status.code(),
        Some(0),
        "usertests failed:\n{}",
        text(&on.stdout)
    );
    assert!(
        lines.iter().any(|l| l.ends_with(" 0 failed")),
        "no passing summary:\n{}",
        text(&on.stdout)
    );
    assert!(
        lines.iter().filter(|l| l.ends_with(": ok")).count() >= 30,
        "too few tests ran"
    );
    assert_eq!(
        lines,
        comparable(&off.stdout),
        "usertests differ with the fast path off"
    );
    assert_eq!(on.status.code(), off.status.code());
}

/// `bench CASE: ops=N cycles=C instructions=I…` without the two counters.
fn result_line(output: &Output) -> String {
    let stdout = text(&output.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("bench "))
        .unwrap_or_else(|| panic!("no result line:\n{stdout}{}", text(&output.stderr)));
    line.split(' ')
        .filter(|w| !w.starts_with("cycles=") && !w.starts_with("instructions="))
        .collect::<Vec<_>>()
        .join(" ")
}

/// S-mode (kernel) instructions retired in region 1 (the measured operations) of a run's
/// `--stats-json`.
fn kernel_instructions(stats: &Value) -> u64 {
    stats["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .filter(|r| r["region"] == 1 && r["mode"] == "S")
        .map(|r| r["counts"]["instructions"].as_u64().expect("a count"))
        .sum()
}

/// Runs `bench CASE N ARGS…` both ways with statistics; returns (result line, kernel
/// instructions per operation) for on and off.
fn bench_both(case: &[&str], ops: u64) -> [(String, f64); 2] {
    let dir =
        std::env::temp_dir().join(format!("klab-fastpath-{}-{}", std::process::id(), case[1]));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let (on_json, off_json) = (dir.join("on.json"), dir.join("off.json"));
    let (on_json, off_json) = (on_json.to_str().unwrap(), off_json.to_str().unwrap());
    let (on, off) = thread::scope(|s| {
        let off = s.spawn(|| run_micro(false, &["--stats-json", off_json], case));
        let on = run_micro(true, &["--stats-json", on_json], case);
        (on, off.join().expect("the fastpath=off run"))
    });
    let per_op = |path: &str| {
        let stats: Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("stats")).expect("JSON");
        kernel_instructions(&stats) as f64 / ops as f64
    };
    for o in [&on, &off] {
        assert_eq!(o.status.code(), Some(0), "{case:?}: {}", text(&o.stdout));
    }
    let r = [
        (result_line(&on), per_op(on_json)),
        (result_line(&off), per_op(off_json)),
    ];
    let _ = std::fs::remove_dir_all(&dir);
    r
}

#[test]
fn is_the_fast_path_taken_for_getpid_with_the_same_result() {
    let [(on, fast), (off, slow)] = bench_both(&["bench", "getpid", "2000"], 2000);
    assert_eq!(on, off);
    assert_eq!(on, "bench getpid: ops=2000");
    // Two kernel passes per call (forward, reply): the fast path does each in a few hundred
    // instructions, the general path in far more.
    assert!(
        fast < 0.5 * slow,
        "getpid: {fast} kernel instructions per call with the fast path, {slow} without"
    );
}

#[test]
fn is_the_fast_path_taken_for_a_raw_ipc_round_trip_with_the_same_result() {
    let [(on, fast), (off, slow)] = bench_both(&["bench", "ipc", "500", "0"], 500);
    assert_eq!(on, off);
    assert!(on.starts_with("bench ipc: ops=500"), "{on}");
    assert!(
        fast < 0.5 * slow,
        "ipc: {fast} kernel instructions per round trip with the fast path, {slow} without"
    );
}
