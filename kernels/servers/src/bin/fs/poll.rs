//! `set_nonblock`, `poll` and the epoll calls: the arrays pass through the server's buffer
//! between the caller's lease 0 and `services::files` — `poll` reads the array in, scans it and
//! writes it back; `epoll_wait` writes the ready events out. A call that must wait is parked on
//! `Wait::Polled` or `Wait::Epoll` and performed again (the array read again) when woken. A
//! `poll` asking for console input asks the console server (`CON_POLL`), which notifies
//! `CONSOLE_READY` when a line comes; that wakes `Wait::Polled` too.

use abi::Errno;
use abi::ipc::{Badge, label, level};
use abi::types::{EpollEvent, PollFd, poll};
use alloc::vec::Vec;
use servers::{Outcome, kernel, lease};
use services::Pid;

use crate::FileServer;

impl FileServer {
    /// `poll(fds, n, timeout_ns)` by thread `badge` of `pid`, the array in lease 0.
    pub fn poll(&mut self, pid: Pid, badge: Badge, n: usize, timeout: usize) -> Outcome {
        if n > poll::MAX {
            return Err(Errno::Inval.into());
        }
        let block = poll::blocks(timeout)?;
        let bytes = &mut self.buf[..n * PollFd::SIZE];
        lease::read_exact(badge, 0, bytes)?;
        let mut set: Vec<PollFd> = bytes
            .chunks_exact(PollFd::SIZE)
            .map(PollFd::decode)
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
    pub fn epoll_wait(&mut self, pid: Pid, badge: Badge, a: &[usize; 6]) -> Outcome {
        let (ep, max, timeout) = (a[0], a[2], a[3]);
        if max > poll::MAX {
            return Err(Errno::Inval.into());
        }
        let block = poll::blocks(timeout)?;
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
}
