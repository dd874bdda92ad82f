//! Signals: handlers entered and returned from with every register intact, the mask, ignoring,
//! default actions and `SIGKILL`, `SIGCHLD`, process groups, `kill`'s errors, a blocked `read`
//! interrupted, and a forged `sigreturn` frame.

use core::arch::asm;
use core::sync::atomic::{AtomicUsize, Ordering};

use abi::sys::Sys;
use abi::types::exit::FAULT;
use alloc::string::String;
use alloc::string::ToString;
use ulib::signal::{self as sig, SIGCHLD, SIGINT, SIGKILL, SIGTERM, SIGUSR1, SIGUSR2, bit};
use ulib::{Errno, sys};

use crate::harness::{Outcome, Test, expect_err, no_children, ok, reap, spawn_victim};

/// Long enough for a child to start running and reach its blocking call.
const SETTLE_NS: u64 = 1_000_000;

/// How many times the handler ran, and the last signal it saw.
static CAUGHT: AtomicUsize = AtomicUsize::new(0);
static LAST: AtomicUsize = AtomicUsize::new(0);

extern "C" fn count(s: usize) {
    CAUGHT.fetch_add(1, Ordering::SeqCst);
    LAST.store(s, Ordering::SeqCst);
}

fn caught() -> usize {
    CAUGHT.load(Ordering::SeqCst)
}

/// `kill(pid, s)` made with every caller-saved register but `a0` holding a known value; `Err`
/// names a register that came back changed (the ABI promises all but `a0` are preserved).
fn kill_keeping_registers(pid: usize, s: usize) -> Result<isize, String> {
    let want: [usize; 12] = core::array::from_fn(|i| 0x5100 + i);
    let mut got = want;
    let ret: isize;
    // Safety: an `ecall` of `kill`, which reads a0, a1, a7 and writes only a0; the other
    // registers are declared clobbered-and-returned so any change is seen, not assumed away.
    unsafe {
        asm!(
            "ecall",
            inlateout("a0") pid as isize => ret,
            in("a1") s,
            in("a7") Sys::Kill as usize,
            inout("t0") got[0],
            inout("t1") got[1],
            inout("t2") got[2],
            inout("t3") got[3],
            inout("t4") got[4],
            inout("t5") got[5],
            inout("t6") got[6],
            inout("a2") got[7],
            inout("a3") got[8],
            inout("a4") got[9],
            inout("a5") got[10],
            inout("a6") got[11],
        );
    }
    const NAMES: [&str; 12] = [
        "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a2", "a3", "a4", "a5", "a6",
    ];
    for i in 0..12 {
        ensure!(
            got[i] == want[i],
            "{} came back as {:#x}, want {:#x}",
            NAMES[i],
            got[i],
            want[i]
        );
    }
    Ok(ret)
}

fn handler_runs() -> Outcome {
    let old = ok(sig::signal(SIGUSR1, count), "install a handler")?;
    ensure!(old == sig::SIG_DFL, "the first handler replaced {old:#x}");
    let before = caught();
    let ret = kill_keeping_registers(sys::getpid(), SIGUSR1)?;
    ensure!(ret == 0, "kill of ourselves returned {ret}");
    ensure!(
        caught() == before + 1,
        "the handler ran {} times",
        caught() - before
    );
    ensure!(
        LAST.load(Ordering::SeqCst) == SIGUSR1,
        "the handler got the wrong signal"
    );
    // And again: the handler's signal is unblocked once it returned.
    ok(sig::kill(sys::getpid(), SIGUSR1), "kill ourselves again")?;
    ensure!(caught() == before + 2, "the second signal was not handled");
    let prev = ok(sig::default(SIGUSR1), "restore the default")?;
    ensure!(
        prev == count as *const () as usize,
        "sigaction returned {prev:#x}"
    );
    Ok(())
}

fn mask_delays() -> Outcome {
    ok(sig::signal(SIGUSR2, count), "install a handler")?;
    let before = caught();
    ok(sig::sigprocmask(sig::BLOCK, bit(SIGUSR2)), "block SIGUSR2")?;
    ok(sig::kill(sys::getpid(), SIGUSR2), "kill ourselves")?;
    ensure!(caught() == before, "a blocked signal was handled");
    let old = ok(sig::sigprocmask(sig::UNBLOCK, bit(SIGUSR2)), "unblock")?;
    ensure!(old == bit(SIGUSR2), "the old mask was {old:#x}");
    ensure!(
        caught() == before + 1,
        "the unblocked signal was not handled at once"
    );
    expect_err(
        sig::sigprocmask(9, 0),
        Errno::Inval,
        "sigprocmask with a bad how",
    )?;
    Ok(())
}

fn ignored() -> Outcome {
    ok(sig::ignore(SIGUSR1), "ignore SIGUSR1")?;
    ok(sig::ignore(SIGTERM), "ignore SIGTERM")?;
    ok(
        sig::kill(sys::getpid(), SIGUSR1),
        "kill ourselves with SIGUSR1",
    )?;
    ok(
        sig::kill(sys::getpid(), SIGTERM),
        "kill ourselves with SIGTERM",
    )?;
    // Still here. An ignored signal sent while blocked is not kept either.
    ok(sig::sigprocmask(sig::BLOCK, bit(SIGUSR1)), "block")?;
    ok(sig::kill(sys::getpid(), SIGUSR1), "kill ourselves again")?;
    ok(sig::sigprocmask(sig::SETMASK, 0), "unblock")?;
    expect_err(
        sig::signal(SIGKILL, count),
        Errno::Inval,
        "a handler for SIGKILL",
    )?;
    expect_err(sig::ignore(SIGKILL), Errno::Inval, "ignoring SIGKILL")?;
    expect_err(sig::ignore(0), Errno::Inval, "signal 0")?;
    expect_err(sig::ignore(64), Errno::Inval, "signal 64")?;
    Ok(())
}

/// Spawns a `sleeper` blocked in a read of a pipe we hold the write end of: (pid, write end).
fn blocked_child() -> Result<(usize, usize), String> {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let pid = spawn_victim(&["sleeper"], Some([r as i32, -1, -1]))?;
    ok(sys::close(r), "close the read end")?;
    Ok((pid, w))
}

fn default_terminates() -> Outcome {
    for (s, want) in [(SIGTERM, 128 + 15), (SIGINT, 128 + 2), (SIGUSR2, 128 + 12)] {
        let (pid, w) = blocked_child()?;
        sys::sleep(SETTLE_NS);
        ok(sig::kill(pid, s), format_args!("kill the child with {s}"))?;
        let status = reap(pid)?;
        ensure!(status == want, "signal {s}: status {status}, want {want}");
        ok(sys::close(w), "close")?;
    }
    no_children()
}

fn sigkill_uncatchable() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let (ready_r, ready_w) = ok(sys::pipe(), "pipe")?;
    let pid = spawn_victim(&["sigcatcher"], Some([r as i32, ready_w as i32, -1]))?;
    ok(sys::close(r), "close the read end")?;
    ok(sys::close(ready_w), "close the write end")?;
    // It says when its handlers and mask are in place.
    let mut byte = [0u8; 1];
    let n = ok(sys::read(ready_r, &mut byte), "read the catcher's word")?;
    ensure!(n == 1, "the catcher ended before it was ready");
    ok(sys::close(ready_r), "close")?;
    // It catches and blocks everything it can: SIGUSR1 does nothing, SIGKILL ends it.
    ok(sig::kill(pid, SIGUSR1), "SIGUSR1 to the catcher")?;
    ok(sig::kill(pid, SIGKILL), "SIGKILL to the catcher")?;
    let status = reap(pid)?;
    ensure!(status == 128 + 9, "status {status}, want 137");
    ok(sys::close(w), "close")?;
    no_children()
}

fn sigchld() -> Outcome {
    ok(sig::signal(SIGCHLD, count), "install a SIGCHLD handler")?;
    let before = caught();
    let pid = spawn_victim(&["exit", "0"], None)?;
    // Its end may interrupt this wait (EINTR): wait again.
    let status = loop {
        match sys::wait(Some(pid)) {
            Err(Errno::Intr) => continue,
            r => break ok(r, "wait for the child")?.1,
        }
    };
    ensure!(status == 0, "child status {status}");
    ensure!(
        caught() == before + 1,
        "SIGCHLD handled {} times",
        caught() - before
    );
    ensure!(
        LAST.load(Ordering::SeqCst) == SIGCHLD,
        "the handler got the wrong signal"
    );
    // Ignored by default: another child's end changes nothing.
    ok(sig::default(SIGCHLD), "default SIGCHLD")?;
    let pid = spawn_victim(&["exit", "0"], None)?;
    reap(pid)?;
    ensure!(caught() == before + 1, "a default SIGCHLD was handled");
    no_children()
}

fn group_kill() -> Outcome {
    let mine = ok(sig::getpgid(0), "getpgid of ourselves")?;
    let (a, wa) = blocked_child()?;
    let (b, wb) = blocked_child()?;
    ensure!(
        ok(sig::getpgid(a), "getpgid of a child")? == mine,
        "a child is not in its parent's group"
    );
    ok(
        sig::setpgid(a, 0),
        "put the first child in a group of its own",
    )?;
    ok(sig::setpgid(b, a), "put the second child in it")?;
    ensure!(
        ok(sig::getpgid(b), "getpgid")? == a,
        "the second child's group"
    );
    expect_err(
        sig::setpgid(1, 0),
        Errno::Srch,
        "setpgid of a process not ours",
    )?;
    expect_err(
        sig::setpgid(0, 999_999),
        Errno::Perm,
        "a group that does not exist",
    )?;
    sys::sleep(SETTLE_NS);
    ok(sig::kill_group(a, SIGTERM), "kill the group")?;
    for p in [a, b] {
        let status = reap(p)?;
        ensure!(status == 128 + 15, "a group member's status {status}");
    }
    ensure!(
        ok(sig::getpgid(0), "getpgid")? == mine,
        "our own group changed"
    );
    expect_err(
        sig::kill_group(a, SIGTERM),
        Errno::Srch,
        "kill an empty group",
    )?;
    ok(sys::close(wa), "close")?;
    ok(sys::close(wb), "close")?;
    no_children()
}

fn kill_errors() -> Outcome {
    expect_err(
        sig::kill(999_999, SIGUSR1),
        Errno::Srch,
        "kill a pid that never existed",
    )?;
    expect_err(sig::kill(0, SIGUSR1), Errno::Srch, "kill pid 0")?;
    expect_err(
        sig::kill(sys::getpid(), 99),
        Errno::Inval,
        "kill with signal 99",
    )?;
    expect_err(
        sig::kill_group(999_999, SIGUSR1),
        Errno::Srch,
        "kill a group nobody is in",
    )?;
    ok(
        sig::kill(sys::getpid(), 0),
        "signal 0 to ourselves (an existence check)",
    )?;
    Ok(())
}

fn read_interrupted() -> Outcome {
    ok(sig::signal(SIGUSR1, count), "install a handler")?;
    let before = caught();
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let me = sys::getpid().to_string();
    let pid = spawn_victim(&["signaller", &me, "10"], None)?;
    let mut buf = [0u8; 8];
    // Nobody writes: only the signal ends this read.
    expect_err(
        sys::read(r, &mut buf),
        Errno::Intr,
        "a read interrupted by a signal",
    )?;
    ensure!(
        caught() == before + 1,
        "the handler ran {} times",
        caught() - before
    );
    let status = reap(pid)?;
    ensure!(status == 0, "the signaller's status {status}");
    // The pipe still works.
    ok(sys::write(w, b"x"), "write")?;
    ensure!(
        ok(sys::read(r, &mut buf), "read")? == 1,
        "a short read after the signal"
    );
    ok(sys::close(r), "close")?;
    ok(sys::close(w), "close")?;
    no_children()
}

fn bad_frame() -> Outcome {
    for how in ["null", "forged"] {
        let pid = spawn_victim(&["bad_sigreturn", how], None)?;
        let status = reap(pid)?;
        ensure!(
            status == FAULT,
            "sigreturn {how}: status {status}, want {FAULT}"
        );
    }
    // We live on, and so does the kernel.
    ok(sig::kill(sys::getpid(), 0), "still here")?;
    no_children()
}

/// The tests of this group.
pub const TESTS: &[Test] = &[
    Test {
        name: "sig_handler",
        question: "Does a handler run on kill of oneself and return with every register intact?",
        run: handler_runs,
    },
    Test {
        name: "sig_mask",
        question: "Does a blocked signal wait until it is unblocked, then run at once?",
        run: mask_delays,
    },
    Test {
        name: "sig_ignore",
        question: "Does an ignored signal do nothing? Can SIGKILL be caught or ignored (no)?",
        run: ignored,
    },
    Test {
        name: "sig_default",
        question: "Does a signal without a handler end the child with 128 + the signal?",
        run: default_terminates,
    },
    Test {
        name: "sig_kill",
        question: "Does SIGKILL end a child that catches and blocks every other signal?",
        run: sigkill_uncatchable,
    },
    Test {
        name: "sig_chld",
        question: "Does a child's end send SIGCHLD to a parent that handles it, and only then?",
        run: sigchld,
    },
    Test {
        name: "sig_group",
        question: "Does kill of a process group reach every member and nobody else?",
        run: group_kill,
    },
    Test {
        name: "sig_errors",
        question: "Is kill of nobody ESRCH, and of a bad signal number EINVAL?",
        run: kill_errors,
    },
    Test {
        name: "sig_eintr",
        question: "Does a signal end a read blocked on an empty pipe with EINTR?",
        run: read_interrupted,
    },
    Test {
        name: "sig_bad_frame",
        question: "Does a forged sigreturn frame kill only the process that made it?",
        run: bad_frame,
    },
];
