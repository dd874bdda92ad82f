//! Signals, lmbench's `lat_sig`: `sig-catch` (one op = `kill(getpid(), SIGUSR1)` with a
//! handler installed: the kill, the handler's entry through a frame on the stack, the handler
//! and `sigreturn`) and `sig-install` (one op = one `sigaction` replacing the handler). Every
//! op's answer is checked, and the handler's count at the end.

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
