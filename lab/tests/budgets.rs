//! Do the kernels' hot paths stay within their instruction budgets (issue 14)? Instruction counts
//! are exact and model-independent (the same with timing on or off), so a budget is asserted as
//! a hard bound: a change that adds instructions to the path fails here, not in a report months
//! later. The counts come from the guest's own measurement (`bench CASE N`, `instructions=` over
//! the N operations of its region), through the real `klab` binary.
//!
//! mono's budgets are here; micro's live in their own file.

use std::process::Command;

/// `klab run KERNEL bench CASE N`: the region's (operations, instructions).
fn bench(kernel: &str, case: &str, n: u64) -> (u64, u64) {
    let out = Command::new(env!("CARGO_BIN_EXE_klab"))
        .args(["run", "--max-insns", "100000000", kernel, "bench", case])
        .arg(n.to_string())
        .output()
        .expect("run klab");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "bench {case} on {kernel} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find(|l| l.starts_with(&format!("bench {case}: ")))
        .unwrap_or_else(|| panic!("no result line in:\n{stdout}"));
    let field = |name: &str| -> u64 {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name}= in {line:?}"))
    };
    (field("ops"), field("instructions"))
}

/// mono's null system call at xv6's floor (~110 instructions): trap entry, index the table,
/// call, exit — at most 130 instructions per `getpid`, user loop included.
#[test]
fn is_mono_getpid_within_130_instructions() {
    const N: u64 = 2000;
    const BUDGET: u64 = 130;
    let (ops, instructions) = bench("mono", "getpid", N);
    assert_eq!(ops, N, "the benchmark did another number of calls");
    assert!(
        instructions <= BUDGET * N,
        "mono getpid: {} instructions per call (budget {BUDGET}): {instructions} for {N} calls",
        instructions as f64 / N as f64
    );
}
