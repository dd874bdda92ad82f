//! Do the kernels' hot paths stay within their instruction budgets (issue 14)? Instruction counts
//! are exact, and the profile moves them only through where timer interrupts land (a handler's
//! worth when one falls in the region), so a budget is asserted as a hard bound: a change that
//! adds instructions to a path fails here, not in a report months later. Cycles are exact too for a given profile (the default one here), so the one cycle
//! ratio the issue sets is asserted as well. Each test runs the benchmark program as `klab bench`
//! does, through the real `klab` binary, and reads the guest's own `instructions=` and
//! `cycles=` (region 1, every mode) and the kernel's part (S-mode instructions in region 1, from
//! `--stats-json`).
//!
//! Every target of issue 14 is asserted here.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// Per operation: instructions, cycles, and the kernel's (S-mode) instructions.
#[derive(Debug)]
struct PerOp {
    instructions: f64,
    cycles: f64,
    kernel: f64,
}

/// `klab run [--asid on] --stats-json F KERNEL bench ARGS…`, whose first argument after the case
/// is the number of operations, `ops`.
fn per_op(kernel: &str, args: &[&str], ops: u64, asid: bool) -> PerOp {
    // Tests run in parallel and several run the same case: one file each.
    static RUN: AtomicUsize = AtomicUsize::new(0);
    let json = std::env::temp_dir().join(format!(
        "klab-budget-{}-{}.json",
        std::process::id(),
        RUN.fetch_add(1, Ordering::Relaxed)
    ));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_klab"));
    cmd.arg("run");
    if asid {
        cmd.args(["--asid", "on"]);
    }
    let out = cmd
        .args(["--stats-json", json.to_str().unwrap(), kernel, "bench"])
        .args(args)
        .output()
        .expect("run klab");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "bench {args:?} on {kernel}:\n{stdout}"
    );
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
    let kernel_insns: u64 = stats["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .filter(|r| r["region"] == 1 && r["mode"] == "S")
        .map(|r| r["counts"]["instructions"].as_u64().expect("a count"))
        .sum();
    let per = |n: u64| n as f64 / ops as f64;
    PerOp {
        instructions: per(field("instructions=")),
        cycles: per(field("cycles=")),
        kernel: per(kernel_insns),
    }
}

fn getpid(kernel: &str, asid: bool) -> PerOp {
    per_op(kernel, &["getpid", "2000"], 2000, asid)
}

fn ipc(asid: bool) -> PerOp {
    per_op("micro", &["ipc", "2000", "0"], 2000, asid)
}

/// mono's null system call at xv6's floor (~110 instructions): trap entry, index the table,
/// call, exit — at most 130 instructions per `getpid`, user loop included.
#[test]
fn is_mono_getpid_within_130_instructions() {
    let p = getpid("mono", false);
    assert!(p.instructions <= 130.0, "mono getpid: {p:?}");
}

/// micro's `getpid`, forwarded to `proc` and answered through the IPC fast path both ways: at
/// most 550 instructions per call, user loop and server included.
#[test]
fn is_micro_getpid_within_550_instructions() {
    let p = getpid("micro", false);
    assert!(p.instructions <= 550.0, "micro getpid: {p:?}");
}

/// The raw IPC round trip (0 words, two address spaces, thin user loops): at most 450
/// instructions, user loops included.
#[test]
fn is_an_ipc_round_trip_within_450_instructions() {
    let p = ipc(false);
    assert!(p.instructions <= 450.0, "ipc: {p:?}");
}

/// Issue 14's target for one way of the IPC, trap to return: at most 200 kernel instructions
/// (190 when this was written, 78 of them the shared entry and exit).
#[test]
fn is_one_way_of_an_ipc_within_200_kernel_instructions() {
    let p = ipc(false);
    assert!(p.kernel / 2.0 <= 200.0, "ipc: {p:?}");
}

/// The cost of structure: with ASIDs, micro's IPC round trip within 3.5× mono's `getpid` in
/// cycles (default profile; 3.41× when this was written).
#[test]
fn is_the_ipc_round_trip_with_asids_within_3_5_times_monos_getpid() {
    let (i, g) = (ipc(true), getpid("mono", true));
    assert!(
        i.cycles <= 3.5 * g.cycles,
        "ipc {i:?} against mono getpid {g:?}"
    );
}
