//! Signals completed: `SIGPIPE` on a write nobody reads (the default ends the writer; ignored or
//! handled, the write fails with `EPIPE`), a handler's `sa_mask`, `SA_RESTART` against `EINTR`
//! for a blocked `read` and `wait`, and `sigsuspend`.

use core::sync::atomic::{AtomicUsize, Ordering};

use alloc::string::ToString;
use ulib::signal::{self as sig, SIGPIPE, SIGUSR1, SIGUSR2, bit};
use ulib::{Errno, sys};

use crate::harness::{Outcome, Test, expect_err, no_children, ok, reap, spawn_victim};

/// How many times [`count`] ran, the last signal it saw, and how many times [`count2`] ran.
static CAUGHT: AtomicUsize = AtomicUsize::new(0);
static LAST: AtomicUsize = AtomicUsize::new(0);
static CAUGHT2: AtomicUsize = AtomicUsize::new(0);
/// What [`raise_usr2`] saw of [`CAUGHT2`] right after raising `SIGUSR2` inside its handler.
static SEEN_INSIDE: AtomicUsize = AtomicUsize::new(usize::MAX);

extern "C" fn count(s: usize) {
    CAUGHT.fetch_add(1, Ordering::SeqCst);
    LAST.store(s, Ordering::SeqCst);
}

extern "C" fn count2(_: usize) {
    CAUGHT2.fetch_add(1, Ordering::SeqCst);
}

/// A `SIGUSR1` handler that raises `SIGUSR2` on its own process and notes whether that
/// signal's handler ran before it returns.
extern "C" fn raise_usr2(_: usize) {
    let _ = sig::kill(sys::getpid(), SIGUSR2);
    SEEN_INSIDE.store(CAUGHT2.load(Ordering::SeqCst), Ordering::SeqCst);
}

fn caught() -> usize {
    CAUGHT.load(Ordering::SeqCst)
}

/// Victim `pipe_writer`: writes to a pipe whose read end it closed first. A `SIGPIPE` ends it
/// (141); 1 if the write failed without ending it, 0 if it succeeded.
pub fn pipe_writer(_: &[&str]) -> i32 {
    let Ok((r, w)) = sys::pipe() else {
        return 2;
    };
    let _ = sys::close(r);
    match sys::write(w, b"x") {
        Ok(_) => 0,
        Err(_) => 1,
    }
}

/// A pipe whose read end is closed: its write end.
fn broken_pipe() -> Result<usize, alloc::string::String> {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    ok(sys::close(r), "close the read end")?;
    Ok(w)
}

fn sigpipe() -> Outcome {
    let pid = spawn_victim(&["pipe_writer"], None)?;
    let status = reap(pid)?;
    ensure!(
        status == 128 + SIGPIPE as i32,
        "a writer to a broken pipe ended with {status}, want 141"
    );
    // Ignored: the write fails with EPIPE and we live on.
    ok(sig::ignore(SIGPIPE), "ignore SIGPIPE")?;
    let w = broken_pipe()?;
    expect_err(sys::write(w, b"x"), Errno::Pipe, "a write to a broken pipe")?;
    // Handled: the handler runs, then the write returns EPIPE.
    ok(sig::signal(SIGPIPE, count), "handle SIGPIPE")?;
    let before = caught();
    expect_err(sys::write(w, b"xy"), Errno::Pipe, "a handled broken write")?;
    ensure!(
        caught() == before + 1,
        "the SIGPIPE handler ran {} times",
        caught() - before
    );
    ensure!(
        LAST.load(Ordering::SeqCst) == SIGPIPE,
        "the handler saw another signal"
    );
    // Blocked: nothing runs until it is unblocked.
    ok(sig::sigprocmask(sig::BLOCK, bit(SIGPIPE)), "block SIGPIPE")?;
    expect_err(sys::write(w, b"z"), Errno::Pipe, "a blocked-SIGPIPE write")?;
    ensure!(caught() == before + 1, "a blocked SIGPIPE was handled");
    ok(
        sig::sigprocmask(sig::UNBLOCK, bit(SIGPIPE)),
        "unblock SIGPIPE",
    )?;
    ensure!(
        caught() == before + 2,
        "the pending SIGPIPE was not handled at unblock"
    );
    ok(sig::default(SIGPIPE), "default SIGPIPE")?;
    ok(sys::close(w), "close")?;
    no_children()
}

fn sa_mask() -> Outcome {
    ok(sig::signal(SIGUSR2, count2), "handle SIGUSR2")?;
    let handler = raise_usr2 as *const () as usize;
    ok(
        sig::sigaction_flags(SIGUSR1, handler, bit(SIGUSR2), 0),
        "handle SIGUSR1 with SIGUSR2 in its sa_mask",
    )?;
    let before = CAUGHT2.load(Ordering::SeqCst);
    ok(sig::kill(sys::getpid(), SIGUSR1), "SIGUSR1 to ourselves")?;
    let inside = SEEN_INSIDE.load(Ordering::SeqCst);
    ensure!(
        inside == before,
        "SIGUSR2 was handled inside SIGUSR1's handler"
    );
    ensure!(
        CAUGHT2.load(Ordering::SeqCst) == before + 1,
        "SIGUSR2 was not handled after sigreturn"
    );
    let mask = ok(sig::sigprocmask(sig::BLOCK, 0), "read the mask")?;
    ensure!(mask == 0, "sigreturn left the mask {mask:#x}");
    expect_err(
        sig::sigaction_flags(SIGUSR1, handler, 0, 1 << 3),
        Errno::Inval,
        "an unknown sigaction flag",
    )?;
    ok(sig::default(SIGUSR1), "default SIGUSR1")?;
    ok(sig::default(SIGUSR2), "default SIGUSR2")?;
    Ok(())
}

/// Installs `count` for `SIGUSR1`, with `SA_RESTART` or not.
fn handle_usr1(restart: bool) -> Outcome {
    let flags = if restart { sig::SA_RESTART } else { 0 };
    ok(
        sig::sigaction_flags(SIGUSR1, count as *const () as usize, 0, flags),
        "handle SIGUSR1",
    )?;
    Ok(())
}

fn restart() -> Outcome {
    let me = sys::getpid().to_string();
    // A read: without the flag EINTR; with it, the read goes on until the data comes.
    for flag in [false, true] {
        handle_usr1(flag)?;
        let before = caught();
        let (r, w) = ok(sys::pipe(), "pipe")?;
        // It signals us blocked in the read, then writes the byte the restarted read gets.
        let child = spawn_victim(&["signal_write", &me, "10"], Some([-1, w as i32, -1]))?;
        let mut buf = [0u8; 4];
        let got = sys::read(r, &mut buf);
        ensure!(
            caught() == before + 1,
            "restart {flag}: the handler ran {} times",
            caught() - before
        );
        if flag {
            ensure!(
                got == Ok(1),
                "a restarted read returned {got:?}, want the writer's byte"
            );
        } else {
            ensure!(
                got == Err(Errno::Intr),
                "a read without SA_RESTART returned {got:?}"
            );
        }
        ensure!(reap(child)? == 0, "the signalling writer failed");
        ok(sys::close(r), "close")?;
        ok(sys::close(w), "close")?;
    }
    // A wait for a child that signals us and then exits.
    for flag in [false, true] {
        handle_usr1(flag)?;
        let before = caught();
        let signaller = spawn_victim(&["signaller", &me, "10"], None)?;
        let got = sys::wait(Some(signaller));
        ensure!(
            caught() == before + 1,
            "wait, restart {flag}: the handler ran {} times",
            caught() - before
        );
        if flag {
            ensure!(
                got == Ok((signaller, 0)),
                "a restarted wait returned {got:?}"
            );
        } else {
            ensure!(
                got == Err(Errno::Intr),
                "a wait without SA_RESTART returned {got:?}"
            );
            ensure!(reap(signaller)? == 0, "the signaller failed");
        }
    }
    ok(sig::default(SIGUSR1), "default SIGUSR1")?;
    no_children()
}

fn suspend() -> Outcome {
    handle_usr1(true)?;
    ok(
        sig::sigprocmask(sig::SETMASK, bit(SIGUSR1)),
        "block SIGUSR1",
    )?;
    let me = sys::getpid().to_string();
    let before = caught();
    let signaller = spawn_victim(&["signaller", &me, "5"], None)?;
    // Blocked outside, unblocked while suspended: the handler runs, and sigsuspend fails with
    // EINTR even though the handler asked for SA_RESTART.
    let e = sig::sigsuspend(0);
    ensure!(e == Errno::Intr, "sigsuspend returned {e:?}");
    ensure!(
        caught() == before + 1,
        "the handler ran {} times",
        caught() - before
    );
    let mask = ok(sig::sigprocmask(sig::BLOCK, 0), "read the mask")?;
    ensure!(
        mask == bit(SIGUSR1),
        "the mask after sigsuspend is {mask:#x}"
    );
    ensure!(reap(signaller)? == 0, "the signaller failed");
    // A signal already pending acts at once.
    ok(
        sig::kill(sys::getpid(), SIGUSR1),
        "SIGUSR1 to ourselves, blocked",
    )?;
    ensure!(caught() == before + 1, "a blocked signal was handled");
    ensure!(
        sig::sigsuspend(0) == Errno::Intr,
        "sigsuspend with a pending signal"
    );
    ensure!(caught() == before + 2, "the pending signal was not handled");
    ok(sig::sigprocmask(sig::SETMASK, 0), "unblock")?;
    ok(sig::default(SIGUSR1), "default SIGUSR1")?;
    no_children()
}

/// Victim `signal_write PID MS`: sleeps `MS` ms (for `PID` to block), sends it `SIGUSR1`, then
/// writes one byte to its stdout — after the signal, whatever the timing: 0, or 1 if a call
/// failed.
pub fn signal_write(args: &[&str]) -> i32 {
    let (Some(pid), Some(ms)) = (
        args.first().and_then(|a| a.parse::<usize>().ok()),
        args.get(1).and_then(|a| a.parse::<u64>().ok()),
    ) else {
        return 2;
    };
    sys::sleep(ms * 1_000_000);
    if sig::kill(pid, SIGUSR1).is_err() {
        return 1;
    }
    match sys::write(1, b"x") {
        Ok(1) => 0,
        _ => 1,
    }
}

/// The tests of this group.
pub const TESTS: &[Test] = &[
    Test {
        name: "sig_pipe",
        question: "Does a write to a broken pipe kill by SIGPIPE, or fail with EPIPE when it is ignored, handled or blocked?",
        run: sigpipe,
    },
    Test {
        name: "sig_sa_mask",
        question: "Does a handler's sa_mask hold other signals off until it returns, and sigreturn restore the mask?",
        run: sa_mask,
    },
    Test {
        name: "sig_restart",
        question: "Does SA_RESTART restart an interrupted read or wait, which fail with EINTR without it?",
        run: restart,
    },
    Test {
        name: "sig_suspend",
        question: "Does sigsuspend wait with another mask, return EINTR after a handler and put the mask back?",
        run: suspend,
    },
];
