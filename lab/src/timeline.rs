//! The timeline of one operation as klab shows it (`klab run … --timeline K`, and one per ladder
//! benchmark in `klab bench`'s report): asking the machine for it, the `bench --mark-ops`
//! command line, the errors when a program marks no operations, and the text table.
//!
//! The phases themselves come from the emulator (`emu::timeline`); nothing here reads a kernel.

use std::fmt::Write;

use emu::Machine;
use emu::timeline::Timeline;

/// The flag that makes the `bench` program mark each measured operation.
pub const MARK_OPS: &str = "--mark-ops";

/// The first program's command line with `--mark-ops` added after `bench` (when the program is
/// `bench` and the flag is not there yet); other programs' are unchanged.
pub fn mark_ops(program: &[String]) -> Vec<String> {
    let mut out = program.to_vec();
    let is_bench = program
        .first()
        .is_some_and(|p| p == "bench" || p == "/bin/bench");
    if is_bench && program.get(1).map(String::as_str) != Some(MARK_OPS) {
        out.insert(1, MARK_OPS.to_string());
    }
    out
}

/// The timeline of operation `op` after the run, or why there is none (one line).
pub fn take(machine: &Machine, op: u64) -> anyhow::Result<Timeline> {
    if let Some(t) = machine.timeline() {
        return Ok(t);
    }
    match machine.op_markers() {
        0 => anyhow::bail!(
            "--timeline {op}: the program marked no operations in region 1 (operation boundary marker, abi::marker::OP; `bench` marks them under --mark-ops)"
        ),
        seen => anyhow::bail!(
            "--timeline {op}: the program marked {seen} operation boundaries in region 1, so operation {op} never ended (the last complete one is {})",
            seen - 1
        ),
    }
}

/// The timeline as a text table: one line per phase, then the total.
pub fn table(t: &Timeline) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "timeline of operation {}: {} cycles, {} instructions",
        t.op, t.cycles, t.instructions
    );
    let _ = writeln!(
        s,
        "{:<34} {:>4} {:>8} {:>7} {:>7} {:>6} {:>5} {:>5} {:>5} {:>5}  space",
        "phase", "mode", "start", "cycles", "insns", "@insn", "walks", "L1I", "L1D", "L2"
    );
    for p in &t.phases {
        let [start, cycles, insns, at, walks, l1i, l1d, l2] = p.numbers();
        let _ = writeln!(
            s,
            "{:<34} {:>4} {:>8} {:>7} {:>7} {:>6} {:>5} {:>5} {:>5} {:>5}  {}",
            p.label, p.mode, start, cycles, insns, at, walks, l1i, l1d, l2, p.space
        );
    }
    let sum =
        |f: fn(&emu::timeline::Phase) -> u64| t.phases.iter().map(f).fold(0u64, u64::wrapping_add);
    let _ = writeln!(
        s,
        "{:<34} {:>4} {:>8} {:>7} {:>7} {:>6} {:>5} {:>5} {:>5} {:>5}",
        "total",
        "",
        "",
        sum(|p| p.cycles),
        sum(|p| p.instructions),
        "",
        sum(|p| p.tlb_walks),
        sum(|p| p.l1i_misses),
        sum(|p| p.l1d_misses),
        sum(|p| p.l2_misses)
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn mark_ops_goes_after_bench_once_and_only_for_bench() {
        assert_eq!(
            mark_ops(&words("bench getpid 100")),
            words("bench --mark-ops getpid 100")
        );
        assert_eq!(
            mark_ops(&words("bench --mark-ops getpid 100")),
            words("bench --mark-ops getpid 100")
        );
        assert_eq!(mark_ops(&words("usertests")), words("usertests"));
        assert!(mark_ops(&[]).is_empty());
    }
}
