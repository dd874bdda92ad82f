//! The calls of the IO models: non-blocking mode, `poll`, epoll instances and `sendfile`. The user arrays
//! are checked and used in place (a `poll` array is decoded into the kernel for the scan and
//! its `revents` written back); the shared `services::files` does the work, and a call that
//! must wait parks the thread on `Wait::Polled` or `Wait::Epoll` like any other.

use alloc::vec::Vec;

use abi::Errno;
use abi::types::{EpollEvent, PollFd, poll};
use kcore::uaccess;
use services::Wakes;

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
        let block = poll::blocks(timeout)?;
        let len = n * PollFd::SIZE;
        let mut console = false;
        let r = self.with_user(me.space, |mem, files, tty| {
            uaccess::with_bytes_mut(mem, fds, len, |bytes| {
                let mut set: Vec<PollFd> = bytes
                    .chunks_exact(PollFd::SIZE)
                    .map(PollFd::decode)
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
        let block = poll::blocks(timeout)?;
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
}
