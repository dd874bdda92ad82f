//! The calls of the IO models: non-blocking mode, `poll`, epoll instances and `sendfile`. The user arrays
//! are checked and used in place (a `poll` array is decoded into the kernel for the scan and
//! its `revents` written back); the shared `services::files` does the work, and a call that
//! must wait parks the thread on `Wait::Polled` or `Wait::Epoll` like any other.
//!
//! A finite timeout (`services::timeout`) becomes a deadline in timer ticks, taken at the
//! call's first try and kept in the thread table while the call is retried
//! (`Threads::set_deadline`): the timer wakes the blocked thread at the deadline, and the retry
//! then looks once and returns what it finds (0 events). The call's end clears the deadline, and
//! so does a signal that takes the thread out of it (`crate::signals`).

use alloc::vec::Vec;

use abi::Errno;
use abi::types::{EpollEvent, PollFd, poll};
use kcore::{timer, uaccess};
use services::Wakes;
use services::timeout::{self, Timeout};

use crate::kernel::{Caller, Kernel};
use crate::syscall::Outcome;

impl Kernel {
    /// `set_nonblock(fd, on)`.
    pub fn sys_set_nonblock(&mut self, me: Caller, fd: usize, on: usize) -> Outcome {
        self.files.set_nonblock(me.pid, fd, on != 0)?;
        Ok(0)
    }

    /// `poll(fds, n, timeout_ns)`.
    pub fn sys_poll(&mut self, me: Caller, fds: usize, n: usize, timeout: usize) -> Outcome {
        if n > poll::MAX {
            return Err(Errno::Inval.into());
        }
        match Timeout::from_arg(timeout) {
            Timeout::After(ns) => {
                self.timed(me, ns, |k, block| k.poll_once::<true>(me, fds, n, block))
            }
            t => self.poll_once::<false>(me, fds, n, t == Timeout::Forever),
        }
    }

    /// One try of `poll`: blocks (`WouldBlock`) only if `block`. Two copies, one for the calls
    /// with a finite timeout (`TIMED`) and one for the others, each with its own closures, so
    /// that each is inlined into its one caller: shared, they would be called out of line,
    /// which costs the calls without a timeout.
    #[inline(always)]
    fn poll_once<const TIMED: bool>(
        &mut self,
        me: Caller,
        fds: usize,
        n: usize,
        block: bool,
    ) -> Outcome {
        let len = n * PollFd::SIZE;
        let mut console = false;
        let r = self.with_user(me.space, |mem, files, tty| {
            uaccess::with_bytes_mut(mem, fds, len, |bytes| {
                // A closure, not the fn: its own type in each copy (see above).
                #[allow(clippy::redundant_closure)]
                let mut set: Vec<PollFd> = bytes
                    .chunks_exact(PollFd::SIZE)
                    .map(|b| PollFd::decode(b))
                    .collect();
                console = files.polls_console_input(me.pid, &set);
                let line = console && {
                    // Bytes typed ahead while a job ran are edited now, as a read would.
                    tty.cook(&mut |echo| kcore::console::write_bytes(echo));
                    tty.has_input()
                };
                let r = files.poll_console(me.pid, &mut set, block, line);
                if r.is_ok() {
                    for (p, b) in set.iter().zip(bytes.chunks_exact_mut(PollFd::SIZE)) {
                        p.encode_revents(b);
                    }
                }
                r
            })
        })??;
        if console && matches!(r, Err(services::Error::WouldBlock(_))) {
            // Blocked on the console too: input is taken until a line wakes it.
            self.console_polled = true;
            self.console_listen();
        }
        r
    }

    /// `sendfile(out_fd, in_fd, len)`.
    pub fn sys_sendfile(&mut self, me: Caller, out_fd: usize, in_fd: usize, len: usize) -> Outcome {
        let mut wakes = Wakes::new();
        let r = self.files.sendfile(me.pid, out_fd, in_fd, len, &mut wakes);
        self.wake_all(&wakes);
        r
    }

    /// `epoll_create()`.
    pub fn sys_epoll_create(&mut self, me: Caller) -> Outcome {
        Ok(self.files.epoll_create(me.pid)?)
    }

    /// `epoll_ctl(ep, op, fd, events)`.
    pub fn sys_epoll_ctl(
        &mut self,
        me: Caller,
        ep: usize,
        op: usize,
        fd: usize,
        events: usize,
    ) -> Outcome {
        self.files.epoll_ctl(me.pid, ep, op, fd, events)?;
        Ok(0)
    }

    /// `epoll_wait(ep, out, max, timeout_ns)`: the events go through a kernel batch of
    /// [`poll::EPOLL_BATCH`]; `out` is checked before anything is taken.
    pub fn sys_epoll_wait(
        &mut self,
        me: Caller,
        ep: usize,
        out: usize,
        max: usize,
        timeout: usize,
    ) -> Outcome {
        if max > poll::MAX {
            return Err(Errno::Inval.into());
        }
        match Timeout::from_arg(timeout) {
            Timeout::After(ns) => self.timed(me, ns, |k, block| {
                k.epoll_once::<true>(me, ep, out, max, block)
            }),
            t => self.epoll_once::<false>(me, ep, out, max, t == Timeout::Forever),
        }
    }

    /// One try of `epoll_wait`: blocks (`WouldBlock`) only if `block`; two copies, as
    /// [`Kernel::poll_once`].
    #[inline(always)]
    fn epoll_once<const TIMED: bool>(
        &mut self,
        me: Caller,
        ep: usize,
        out: usize,
        max: usize,
        block: bool,
    ) -> Outcome {
        let max = max.min(poll::EPOLL_BATCH);
        let len = max * EpollEvent::SIZE;
        self.with_user(me.space, |mem, files, _| {
            uaccess::with_bytes_mut(mem, out, len, |bytes| {
                let mut batch = [EpollEvent::default(); poll::EPOLL_BATCH];
                let n = files.epoll_wait(me.pid, ep, &mut batch[..max], block)?;
                for (e, b) in batch[..n]
                    .iter()
                    .zip(bytes.chunks_exact_mut(EpollEvent::SIZE))
                {
                    e.encode(b);
                }
                Ok(n)
            })
        })??
    }

    /// A call of `me` with a finite timeout of `ns` nanoseconds, one try of which is
    /// `once(kernel, block)`: it may block until its deadline, taken at the first try and kept
    /// by the thread table for the retries. Blocked, the timer wakes the thread at the deadline;
    /// otherwise the call is over and so is its deadline. Out of line: the calls without a
    /// timeout do not pay for it.
    #[inline(never)]
    fn timed(
        &mut self,
        me: Caller,
        ns: u64,
        once: impl FnOnce(&mut Kernel, bool) -> Outcome,
    ) -> Outcome {
        let now = timer::now();
        if self.sched.threads.get(me.tid).is_none() {
            return Err(Errno::Srch.into());
        }
        let deadline = match self.sched.threads.deadline(me.tid) {
            Some(d) => d,
            None => {
                let d = Timeout::After(ns)
                    .deadline(now, timer::ns_to_ticks)
                    .unwrap_or(u64::MAX);
                self.sched.threads.set_deadline(me.tid, Some(d));
                d
            }
        };
        let r = once(self, timeout::before(deadline, now));
        match r {
            Err(services::Error::WouldBlock(_)) => self.sched.ticker.sleep_until(deadline),
            _ => self.sched.threads.set_deadline(me.tid, None),
        }
        r
    }
}
