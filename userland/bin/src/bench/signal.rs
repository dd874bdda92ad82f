//! Signals, lmbench's `lat_sig`: `sig-catch` (one op = `kill(getpid(), SIGUSR1)` with a
//! handler installed: the kill, the handler's entry through a frame on the stack, the handler
//! and `sigreturn`), `sig-install` (one op = one `sigaction` replacing the handler) and `sig-rt`
//! (one op = a `SIGUSR1` round trip between two processes, each waiting in `sigsuspend` and
//! answering with `kill`). Every op's answer is checked, and the handler's count at the end.

use core::sync::atomic::{AtomicU64, Ordering};

use ulib::signal::{self, SIGUSR1};
use ulib::sys;

use super::harness::{Outcome, Report, measure, ok, show, warmup};

/// How many times the handler ran.
static CAUGHT: AtomicU64 = AtomicU64::new(0);

extern "C" fn on_usr1(_: usize) {
    CAUGHT.fetch_add(1, Ordering::Relaxed);
}

extern "C" fn on_usr1_too(_: usize) {
    CAUGHT.fetch_add(1, Ordering::Relaxed);
}

/// `sig-catch`: op = a signal to ourselves, handled and returned from.
pub fn catch(n: u64, _: &[u64]) -> Outcome<Report> {
    ok(signal::signal(SIGUSR1, on_usr1), "install the handler")?;
    let pid = sys::getpid();
    let before = CAUGHT.load(Ordering::Relaxed);
    let counts = measure(warmup(n), n, || {
        let r = signal::kill(pid, SIGUSR1);
        ensure!(r.is_ok(), "kill ourselves: {}", show(r.map(|()| 0)));
        Ok(())
    })?;
    let caught = CAUGHT.load(Ordering::Relaxed) - before;
    ensure!(
        caught == warmup(n) + n,
        "the handler ran {caught} times for {} signals",
        warmup(n) + n
    );
    Ok(Report::new(n, counts))
}

/// `sig-install`: op = one `sigaction`, alternating two handlers; each must return the other.
pub fn install(n: u64, _: &[u64]) -> Outcome<Report> {
    let handlers = [on_usr1 as signal::Handler, on_usr1_too as signal::Handler];
    ok(
        signal::signal(SIGUSR1, handlers[1]),
        "install the first handler",
    )?;
    let mut i = 0usize;
    let counts = measure(warmup(n), n, || {
        let old = signal::signal(SIGUSR1, handlers[i & 1]);
        let want = handlers[(i + 1) & 1] as *const () as usize;
        ensure!(old == Ok(want), "sigaction returned {}", show(old));
        i += 1;
        Ok(())
    })?;
    Ok(Report::new(n, counts))
}

/// The `sig-rt` partner role: `@sig-echo PARENT ROUNDS`.
pub const SIG_ECHO: &str = "@sig-echo";

/// Waits for one `SIGUSR1` (blocked outside `sigsuspend`, so none is lost), handled by
/// [`on_usr1`].
fn await_usr1() -> Outcome {
    let e = signal::sigsuspend(0);
    ensure!(e == ulib::Errno::Intr, "sigsuspend returned {e:?}");
    Ok(())
}

/// `sig-rt` (lmbench `lat_sig` between processes): op = one round trip of `SIGUSR1` between us
/// and a child `@sig-echo`: each side waits in `sigsuspend` and answers with `kill`. The child
/// says it is ready with a first signal; every signal's handler run is counted.
pub fn round_trip(n: u64, _: &[u64]) -> Outcome<Report> {
    ok(signal::signal(SIGUSR1, on_usr1), "install the handler")?;
    ok(
        signal::sigprocmask(signal::BLOCK, signal::bit(SIGUSR1)),
        "block SIGUSR1",
    )?;
    let rounds = warmup(n) + n;
    let me = alloc::format!("{}", sys::getpid());
    let count = alloc::format!("{rounds}");
    let child = super::harness::spawn_role(SIG_ECHO, &[&me, &count], None)?;
    let before = CAUGHT.load(Ordering::Relaxed);
    await_usr1()?;
    let counts = measure(warmup(n), n, || {
        let r = signal::kill(child, SIGUSR1);
        ensure!(r.is_ok(), "kill the child: {}", show(r.map(|()| 0)));
        await_usr1()
    })?;
    let caught = CAUGHT.load(Ordering::Relaxed) - before;
    ensure!(
        caught == rounds + 1,
        "the handler ran {caught} times for {} signals",
        rounds + 1
    );
    super::harness::reap(child, "the signal echo child")?;
    ok(signal::sigprocmask(signal::SETMASK, 0), "unblock SIGUSR1")?;
    Ok(Report::new(n, counts))
}

/// `@sig-echo PARENT ROUNDS`: signals `PARENT` once it is ready, then answers each of `ROUNDS`
/// signals with one, and exits 0.
pub fn echo(params: &[u64]) -> Outcome {
    let [parent, rounds] = params else {
        return super::harness::fail("@sig-echo PARENT ROUNDS");
    };
    let parent = *parent as usize;
    ok(signal::signal(SIGUSR1, on_usr1), "install the handler")?;
    ok(
        signal::sigprocmask(signal::BLOCK, signal::bit(SIGUSR1)),
        "block SIGUSR1",
    )?;
    ok(signal::kill(parent, SIGUSR1), "say ready")?;
    for _ in 0..*rounds {
        await_usr1()?;
        ok(signal::kill(parent, SIGUSR1), "answer")?;
    }
    Ok(())
}
