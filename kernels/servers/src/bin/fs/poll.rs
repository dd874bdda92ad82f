//! `set_nonblock`, `poll` and the epoll calls: the arrays pass through the server's buffer
//! between the caller's lease 0 and `services::files` — `poll` reads the array in, scans it and
//! writes it back; `epoll_wait` writes the ready events out. A call that must wait is parked on
//! `Wait::Polled` or `Wait::Epoll` and performed again (the array read again) when woken. A
//! `poll` asking for console input asks the console server (`CON_POLL`), which notifies
//! `CONSOLE_READY` when a line comes; that wakes `Wait::Polled` too.
//!
//! A finite timeout (`services::timeout`) becomes a deadline in `clock` ns, taken at the call's
//! first try and kept per caller (by badge) while the call is parked and retried; the kernel
//! notifies `bits::TIMER` at the earliest deadline (`kcall::TIMER_NOTIFY`), and the calls whose
//! deadline has come are performed again: they look once and answer what they find (0 events).
//! A call's end forgets its deadline, and so do `FS_CANCEL` and `FS_EXIT`.

use abi::Errno;
use abi::ipc::{Badge, label, level};
use abi::types::{EpollEvent, PollFd, poll};
use alloc::vec::Vec;
use servers::{Fail, Outcome, kernel, lease};
use services::timeout::{self, Timeout};
use services::{Pid, Wakes};

use crate::FileServer;

impl FileServer {
    /// `poll(fds, n, timeout_ns)` by thread `badge` of `pid`, the array in lease 0.
    pub fn poll(&mut self, pid: Pid, badge: Badge, n: usize, timeout: usize) -> Outcome {
        if n > poll::MAX {
            return Err(Errno::Inval.into());
        }
        match Timeout::from_arg(timeout) {
            Timeout::After(ns) => self.timed(badge, ns, |s, block| {
                s.poll_once::<true>(pid, badge, n, block)
            }),
            t => self.poll_once::<false>(pid, badge, n, t == Timeout::Forever),
        }
    }

    /// One try of `poll`: blocks only if `block`. Two copies, one for the calls with a finite
    /// timeout (`TIMED`) and one for the others, each with its own closures, so that each is
    /// inlined into its one caller: shared, they would be called out of line, which costs the
    /// calls without a timeout.
    #[inline(always)]
    fn poll_once<const TIMED: bool>(
        &mut self,
        pid: Pid,
        badge: Badge,
        n: usize,
        block: bool,
    ) -> Outcome {
        let bytes = &mut self.buf[..n * PollFd::SIZE];
        lease::read_exact(badge, 0, bytes)?;
        // A closure, not the fn: its own type in each copy (see above).
        #[allow(clippy::redundant_closure)]
        let mut set: Vec<PollFd> = bytes
            .chunks_exact(PollFd::SIZE)
            .map(|b| PollFd::decode(b))
            .collect();
        // The console's input is the console server's: asked only when polled for.
        let line = self.files.polls_console_input(pid, &set)
            && kernel::call(level::CONSOLE, label::CON_POLL, &[], &mut [])? == 1;
        let ready = self.files.poll_console(pid, &mut set, block, line)?;
        for (p, b) in set.iter().zip(bytes.chunks_exact_mut(PollFd::SIZE)) {
            p.encode_revents(b);
        }
        lease::write_all(badge, 0, bytes)?;
        Ok(ready)
    }

    /// `epoll_wait(ep, out, max, timeout_ns)` by thread `badge` of `pid`, `out` in lease 0.
    #[inline(always)]
    pub fn epoll_wait(&mut self, pid: Pid, badge: Badge, a: &[usize; 6]) -> Outcome {
        let (ep, max, timeout) = (a[0], a[2], a[3]);
        if max > poll::MAX {
            return Err(Errno::Inval.into());
        }
        match Timeout::from_arg(timeout) {
            Timeout::After(ns) => self.timed(badge, ns, |s, block| {
                s.epoll_once::<true>(pid, badge, ep, max, block)
            }),
            t => self.epoll_once::<false>(pid, badge, ep, max, t == Timeout::Forever),
        }
    }

    /// One try of `epoll_wait`: blocks only if `block`; two copies, as
    /// [`FileServer::poll_once`].
    #[inline(always)]
    fn epoll_once<const TIMED: bool>(
        &mut self,
        pid: Pid,
        badge: Badge,
        ep: usize,
        max: usize,
        block: bool,
    ) -> Outcome {
        let max = max.min(poll::EPOLL_BATCH);
        let mut batch = [EpollEvent::default(); poll::EPOLL_BATCH];
        let n = self.files.epoll_wait(pid, ep, &mut batch[..max], block)?;
        let bytes = &mut self.buf[..n * EpollEvent::SIZE];
        for (e, b) in batch[..n]
            .iter()
            .zip(bytes.chunks_exact_mut(EpollEvent::SIZE))
        {
            e.encode(b);
        }
        lease::write_all(badge, 0, bytes)?;
        Ok(n)
    }

    /// A call of `badge` with a finite timeout of `ns` nanoseconds, one try of which is
    /// `once(server, block)`: it may block until its deadline, taken at the first try and kept
    /// for the retries. Parked, it keeps its deadline; otherwise the call is over and so is its
    /// deadline. The kernel's timer follows the earliest deadline. Out of line: the calls
    /// without a timeout do not pay for it.
    #[inline(never)]
    fn timed(
        &mut self,
        badge: Badge,
        ns: u64,
        once: impl FnOnce(&mut FileServer, bool) -> Outcome,
    ) -> Outcome {
        let now = kernel::clock();
        let first = Timeout::After(ns)
            .deadline(now, |ns| ns)
            .unwrap_or(u64::MAX);
        let deadline = self.deadlines.get_or_set(badge, first);
        let r = once(self, timeout::before(deadline, now));
        if !matches!(r, Err(Fail::Block(_))) {
            self.deadlines.remove(badge);
        }
        self.arm_timer();
        r
    }

    /// Asks the kernel for `bits::TIMER` at the earliest deadline (or for none), unless it is
    /// asked for that already.
    fn arm_timer(&mut self) {
        let want = self.deadlines.earliest().unwrap_or(u64::MAX);
        if want != self.timer_at {
            self.timer_at = want;
            kernel::timer_notify(want);
        }
    }

    /// `bits::TIMER`: the calls whose deadline came are performed again (through the waits
    /// they are parked on: others parked on the same wait look again too, and park again); a
    /// deadline without a parked call (its caller went away) is forgotten.
    pub fn timer_fired(&mut self, wakes: &mut Wakes) {
        self.timer_at = u64::MAX;
        let now = kernel::clock();
        let due: Vec<Badge> = self.deadlines.due(now).collect();
        for badge in due {
            match self.pending.wait_of(badge) {
                Some(w) => wakes.push(w),
                None => self.deadlines.remove(badge),
            }
        }
        self.arm_timer();
    }
}
