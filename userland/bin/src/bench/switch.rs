//! The bottom of the cost ladder, from a function call to a process switch: a call that is not
//! inlined, a user-level coroutine switch ([`ulib::coro`]), and `yield` ping-pong between two
//! threads of one process and between two processes. One op is one call or one switch.
//!
//! The yields are bare `ecall`s inlined into the loops ([`bare::yield_now`]), so a switch costs
//! the kernel's work and a few instructions of loop and check.
//!
//! The ping-pongs are measured from the parent's main thread, which is one of the two sides:
//! each of its yields hands the hart to the other side, whose yield hands it back, so N/2 yields
//! of the measuring thread are N switches (N rounded down to even, at least 2). Nothing else is
//! runnable meanwhile: the kernels' servers wait for messages, and the process has no other
//! thread.

use alloc::rc::Rc;
use core::cell::Cell;
use core::hint::black_box;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use abi::types::fd;
use ulib::coro::Coroutine;
use ulib::{sys, thread};

use super::bare;
use super::harness::{
    Outcome, Report, close, get_byte, measure, ok, put_byte, reap, spawn_role, stdio, warmup,
};

/// The yielding role: `@yielder K`.
pub const YIELDER: &str = "@yielder";
/// Bytes of a coroutine's stack.
const CORO_STACK: usize = 16 * 1024;
/// Yields `@yielder` makes beyond the parent's, so it never runs out inside the region.
const SLACK: u64 = 16;

/// The function `call` calls: a leaf that adds one (the caller hides its argument from the
/// optimiser with `black_box`, so every call stays).
#[inline(never)]
fn callee(x: u64) -> u64 {
    x.wrapping_add(1)
}

/// `call`: op = one call of a function that is never inlined.
pub fn call(n: u64, _: &[u64]) -> Outcome<Report> {
    let warm = warmup(n);
    let mut x = 0u64;
    let counts = measure(warm, n, || {
        x = callee(black_box(x));
        Ok(())
    })?;
    ensure!(x == warm + n, "{} calls counted {x}", warm + n);
    Ok(Report::new(n, counts))
}

/// Switches of a ping-pong of `n` operations: an even number, at least 2, and the number of
/// round trips that makes.
fn pairs(n: u64) -> (u64, u64) {
    let pairs = (n / 2).max(1);
    (pairs * 2, pairs)
}

/// `coroutine`: op = one switch, to a coroutine (resume) or back (suspend).
pub fn coroutine(n: u64, _: &[u64]) -> Outcome<Report> {
    let (ops, pairs) = pairs(n);
    let turns = Rc::new(Cell::new(0u64));
    let seen = turns.clone();
    let mut co = Coroutine::new(CORO_STACK, move |y| {
        loop {
            seen.set(seen.get() + 1);
            y.suspend();
        }
    });
    let warm = warmup(pairs);
    let counts = measure(warm, pairs, || {
        ensure!(co.resume(), "the coroutine ended");
        Ok(())
    })?;
    ensure!(
        turns.get() == warm + pairs,
        "the coroutine ran {} times for {} resumes",
        turns.get(),
        warm + pairs
    );
    Ok(Report::new(ops, counts))
}

/// The partner thread has started.
static READY: AtomicBool = AtomicBool::new(false);
/// The partner thread is to stop.
static STOP: AtomicBool = AtomicBool::new(false);
/// The partner thread's yields so far.
static PARTNER_YIELDS: AtomicU64 = AtomicU64::new(0);

/// The other side of `thread-switch`: yields until told to stop.
fn partner(_: usize) -> i32 {
    READY.store(true, Ordering::Release);
    while !STOP.load(Ordering::Acquire) {
        bare::yield_now();
        PARTNER_YIELDS.fetch_add(1, Ordering::Relaxed);
    }
    0
}

/// How many of `yields` yields of `thread-switch`'s measuring thread may find that the partner
/// did not run: one in 16, and one more. The timer's tick (every `kcore::sched::TIMESLICE_NS` of
/// guest time, one or two per region at the catalogue's counts) may preempt the partner as it
/// resumes, before it counts its yield, and then the measuring thread runs again without it; a
/// yield that does not switch fails at every one.
fn stalls_allowed(yields: u64) -> u64 {
    1 + yields / 16
}

/// `thread-switch`: op = one yield of one of two threads of this process, each switching to the
/// other. The measuring thread checks after each yield that the partner ran (counted a yield),
/// and fails after the loop if that was not so at more than [`stalls_allowed`] of its yields.
pub fn thread_switch(n: u64, _: &[u64]) -> Outcome<Report> {
    let (ops, pairs) = pairs(n);
    let t = ok(thread::spawn(partner, 0), "spawn the partner thread")?;
    while !READY.load(Ordering::Acquire) {
        sys::yield_now();
    }
    let warm = warmup(pairs);
    let mut seen = PARTNER_YIELDS.load(Ordering::Relaxed);
    let mut stalled = 0u64;
    let counts = measure(
        warm,
        pairs,
        #[inline(always)]
        || {
            bare::yield_now();
            let now = PARTNER_YIELDS.load(Ordering::Relaxed);
            if now == seen {
                stalled += 1;
            }
            seen = now;
            Ok(())
        },
    )?;
    STOP.store(true, Ordering::Release);
    let status = ok(t.join(), "join the partner thread")?;
    ensure!(status == 0, "the partner thread ended with {status}");
    let yields = warm + pairs;
    ensure!(
        stalled <= stalls_allowed(yields),
        "{stalled} of {yields} yields did not run the partner thread"
    );
    Ok(Report::new(ops, counts))
}

/// `process-switch`: op = one yield of one of two processes, each switching to the other. The
/// child (`@yielder`) says on a pipe when it starts yielding and when it has done all its
/// yields; the second byte must not have come while the parent was still measuring.
pub fn process_switch(n: u64, _: &[u64]) -> Outcome<Report> {
    let (ops, pairs) = pairs(n);
    let warm = warmup(pairs);
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let k = alloc::format!("{}", warm + pairs + SLACK);
    let child = spawn_role(YIELDER, &[&k], stdio(None, Some(w)))?;
    close(w)?;
    ensure!(get_byte(r)? == Some(1), "the yielder did not start");
    let counts = measure(
        warm,
        pairs,
        #[inline(always)]
        || {
            bare::yield_now();
            Ok(())
        },
    )?;
    let waiting = ok(sys::fstat(r), "fstat the yielder's pipe")?.size;
    ensure!(
        waiting == 0,
        "the yielder ran out of yields while the parent measured"
    );
    ensure!(get_byte(r)? == Some(2), "the yielder did not finish");
    ensure!(get_byte(r)?.is_none(), "the yielder wrote too much");
    close(r)?;
    reap(child, "the yielder")?;
    Ok(Report::new(ops, counts))
}

/// `@yielder K`: writes byte 1 on stdout, yields K times, writes byte 2.
pub fn yielder(params: &[u64]) -> Outcome {
    put_byte(fd::STDOUT, 1)?;
    for _ in 0..params[0] {
        bare::yield_now();
    }
    put_byte(fd::STDOUT, 2)
}
