//! The harness every case uses: warm-up, the measured region (klab markers around `rdcycle` /
//! `rdinstret` reads), the result line, failures, and the helpers for the child processes a case
//! starts (this program again, with an `@ROLE` as `argv[1]`).
//!
//! The region is machine-wide: klab counts everything every process, the kernel and the servers
//! do between the markers, and the counters the result line reports are the hart's, so they too
//! cover everything that ran. Only the measuring process (the one `bench CASE` started) uses
//! markers; children never do.
//!
//! Left out: statistics over several runs — `klab bench` runs a case and reads one line.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::arch::asm;
use core::fmt::Display;
use core::sync::atomic::{AtomicBool, Ordering};

use ulib::{Errno, counters, marker, println, sys};

/// The region id the measured operations run in (the host runner reads region 1).
pub const REGION: usize = 1;

/// Whether [`measure`] marks each operation's start (`bench --mark-ops`): set once, before the
/// case runs.
static MARK_OPS: AtomicBool = AtomicBool::new(false);

/// Makes [`measure`] emit the operation boundary marker before each measured operation and
/// once after the last (`bench --mark-ops`, for `klab run … --timeline`).
pub fn mark_ops() {
    MARK_OPS.store(true, Ordering::Relaxed);
}

/// The operation boundary marker (`abi::marker::OP`, `rs1` = x0).
#[inline(always)]
fn op_boundary() {
    // Safety: a HINT: it writes x0 only.
    unsafe { asm!("slti x0, x0, {op}", op = const abi::marker::OP, options(nomem, nostack)) };
}

/// The program's path, as it starts its children.
pub const SELF: &str = "/bin/bench";

/// Why a case (or a child role) failed: what went wrong, for the `FAIL` line.
#[derive(Debug)]
pub struct Fail(pub String);

/// What a step of a case returns.
pub type Outcome<T = ()> = Result<T, Fail>;

/// Fails with a formatted reason unless `cond` holds.
macro_rules! ensure {
    ($cond:expr, $($reason:tt)+) => {
        if !$cond {
            return Err($crate::bench::harness::Fail(alloc::format!($($reason)+)));
        }
    };
}

/// A failure with a formatted reason.
pub fn fail<T>(reason: impl Display) -> Outcome<T> {
    Err(Fail(format!("{reason}")))
}

/// The value of a call that must succeed; `WHAT: ENAME` as the reason otherwise.
pub fn ok<T>(r: Result<T, Errno>, what: impl Display) -> Outcome<T> {
    r.map_err(|e| Fail(format!("{what}: {}", e.name())))
}

/// Cycles and instructions retired over the measured operations (totals).
#[derive(Clone, Copy, Debug, Default)]
pub struct Counts {
    /// `rdcycle` difference.
    pub cycles: u64,
    /// `rdinstret` difference.
    pub instructions: u64,
}

/// A case's result: the result line's fields.
#[derive(Debug)]
pub struct Report {
    /// Operations measured (the runner divides by this).
    pub ops: u64,
    /// What they cost together.
    pub counts: Counts,
    /// Free text after ` note=`, when the figure needs explaining.
    pub note: Option<&'static str>,
}

impl Report {
    /// `ops` operations that cost `counts`.
    pub fn new(ops: u64, counts: Counts) -> Report {
        Report {
            ops,
            counts,
            note: None,
        }
    }
}

/// Bytes of stack below the caller that [`region`] touches before it begins, so that a deeper
/// call inside the region does not take the stack's first-touch page fault there.
const STACK_PRETOUCH: usize = 32 * 1024;

/// Touches [`STACK_PRETOUCH`] bytes of stack below the caller's frame.
#[inline(never)]
fn pretouch_stack() {
    let mut area = [0u8; STACK_PRETOUCH];
    for b in area.iter_mut().step_by(abi::layout::PAGE_SIZE) {
        *b = 1;
    }
    core::hint::black_box(&mut area);
}

/// Runs `f` inside the region: markers outermost, the counters read just inside them. Its value
/// and what it cost. The stack below is touched first (see [`STACK_PRETOUCH`]).
pub fn region<T>(f: impl FnOnce() -> Outcome<T>) -> Outcome<(T, Counts)> {
    pretouch_stack();
    marker::begin(REGION);
    let (c0, i0) = (counters::cycle(), counters::instret());
    let r = f();
    let (c1, i1) = (counters::cycle(), counters::instret());
    marker::end(REGION);
    let counts = Counts {
        cycles: c1.wrapping_sub(c0),
        instructions: i1.wrapping_sub(i0),
    };
    r.map(|v| (v, counts))
}

/// Runs `op` `warmup` times, then `n` times inside the region; what the `n` cost. The first
/// failure stops it. Under [`mark_ops`] the marked variant runs instead ([`measure_marked`]);
/// the test comes first and the plain body is unchanged, so a plain run's region is exactly
/// what it was before markers existed.
pub fn measure(warmup: u64, n: u64, mut op: impl FnMut() -> Outcome) -> Outcome<Counts> {
    if MARK_OPS.load(Ordering::Relaxed) {
        return measure_marked(warmup, n, op);
    }
    for _ in 0..warmup {
        op()?;
    }
    let ((), counts) = region(|| {
        for _ in 0..n {
            op()?;
        }
        Ok(())
    })?;
    Ok(counts)
}

/// [`measure`] under `bench --mark-ops`: an operation boundary marker before each measured
/// operation and after the last. Generic like [`measure`], so `op` is inlined here as it is
/// there and the marked loop runs the same user code as the plain one.
#[inline(never)]
fn measure_marked(warmup: u64, n: u64, mut op: impl FnMut() -> Outcome) -> Outcome<Counts> {
    for _ in 0..warmup {
        op()?;
    }
    let ((), counts) = region(|| {
        for _ in 0..n {
            op_boundary();
            op()?;
        }
        op_boundary();
        Ok(())
    })?;
    Ok(counts)
}

/// The usual warm-up: a few iterations of the operation, at most 100 and never more than `n`.
pub fn warmup(n: u64) -> u64 {
    n.min(100)
}

/// Prints the result line: `bench CASE: ops=OPS cycles=C instructions=I[ note=TEXT]`.
pub fn print_report(case: &str, r: &Report) {
    let note = r.note.map_or(String::new(), |n| format!(" note={n}"));
    println!(
        "bench {case}: ops={} cycles={} instructions={}{note}",
        r.ops, r.counts.cycles, r.counts.instructions
    );
}

/// Prints the failure line: `bench CASE: FAIL WHAT`.
pub fn print_fail(case: &str, f: &Fail) {
    println!("bench {case}: FAIL {}", f.0);
}

/// Starts `bench ROLE ARGS…` (a child role) with `stdio` as `sys::spawn` takes it; its pid.
pub fn spawn_role(role: &str, args: &[&str], stdio: Option<[i32; 3]>) -> Outcome<usize> {
    let mut argv: Vec<&str> = alloc::vec!["bench", role];
    argv.extend_from_slice(args);
    ok(
        sys::spawn(SELF, &argv, stdio),
        format_args!("spawn {SELF} {}", argv[1..].join(" ")),
    )
}

/// Waits for child `pid` (`what` names it) and requires status 0.
pub fn reap(pid: usize, what: &str) -> Outcome {
    let (got, status) = ok(sys::wait(Some(pid)), format_args!("wait for {what}"))?;
    ensure!(got == pid, "wait for {what} (pid {pid}) returned pid {got}");
    ensure!(status == 0, "{what} exited with status {status}");
    Ok(())
}

/// Closes `fd`, which must be open.
pub fn close(fd: usize) -> Outcome {
    ok(sys::close(fd), format_args!("close fd {fd}"))
}

/// The stdio argument that gives a child `stdin` and `stdout` (`None`: this process's own) and
/// this process's stderr.
pub fn stdio(stdin: Option<usize>, stdout: Option<usize>) -> Option<[i32; 3]> {
    let fd = |f: Option<usize>| f.map_or(-1, |f| f as i32);
    Some([fd(stdin), fd(stdout), -1])
}

/// Writes one byte to `fd`, which must take it.
pub fn put_byte(fd: usize, byte: u8) -> Outcome {
    match sys::write(fd, &[byte]) {
        Ok(1) => Ok(()),
        r => fail(format_args!("write 1 byte to fd {fd}: {}", show(r))),
    }
}

/// Reads one byte from `fd`; `None` at end of file.
pub fn get_byte(fd: usize) -> Outcome<Option<u8>> {
    let mut b = [0u8; 1];
    match sys::read(fd, &mut b) {
        Ok(1) => Ok(Some(b[0])),
        Ok(0) => Ok(None),
        r => fail(format_args!("read 1 byte from fd {fd}: {}", show(r))),
    }
}

/// A call's result as a reason shows it: `Ok(VALUE)` or the error's name.
pub fn show(r: Result<usize, Errno>) -> String {
    match r {
        Ok(v) => format!("Ok({v})"),
        Err(e) => String::from(e.name()),
    }
}
