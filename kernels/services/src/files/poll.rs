//! `poll`: the readiness of each of N descriptors, computed by looking at every one of them on
//! every call — the O(N) scan the textbooks charge `poll` and `select` with.
//!
//! Readiness ([`Files::readiness`]), in [`abi::types::poll`] bits:
//! - a pipe's read end: `IN` with bytes waiting or no writer left, `HUP` with no writer left;
//! - a pipe's write end: `OUT` with room or no reader left, `ERR` with no reader left;
//! - a file or device: `IN` if opened for reading, `OUT` if for writing (they never block) —
//!   except the console, whose `IN` means a completed line (or an end of file) is waiting: its
//!   input belongs to the line discipline (`crate::tty`), which the caller asks
//!   ([`Files::polls_console_input`], then [`Files::poll_console`] with the answer); a blocked
//!   poll of the console is woken by the driver's `Wait::Polled` when a line comes;
//! - an epoll instance: `IN` while its ready list is not empty.
//!
//! A `poll` that finds nothing and may block marks every pipe it looked at as polled and waits
//! for [`Wait::Polled`]; the next change of any marked pipe wakes every blocked `poll`, which
//! looks again (and marks again). A poll blocked on an epoll fd alone is not woken by it (left
//! out).

use abi::types::PollFd;
use abi::types::poll;

use super::{Files, Object, OpenId};
use crate::fs::Device;
use crate::pipe::Pipe;
use crate::{Error, Pid, Wait};

impl Files<'_> {
    /// The [`abi::types::poll`] bits of open file `id` now (0 for no such file), the console
    /// never readable.
    pub(super) fn readiness(&self, id: OpenId) -> u16 {
        self.readiness_with(id, false)
    }

    /// As [`Files::readiness`], the console readable if `console_in`.
    fn readiness_with(&self, id: OpenId, console_in: bool) -> u16 {
        let pipe = |p: usize| self.pipes.get(p).and_then(Option::as_ref);
        match self.object(id) {
            Err(_) => 0,
            Ok(Object::Node {
                ino, read, write, ..
            }) => {
                let out = if write { poll::OUT } else { 0 };
                match self.fs.device(ino) {
                    Some(Device::Console) => out | if read && console_in { poll::IN } else { 0 },
                    _ => out | if read { poll::IN } else { 0 },
                }
            }
            Ok(Object::PipeReader(p)) => pipe(p).map_or(poll::HUP, reader_bits),
            Ok(Object::PipeWriter(p)) => pipe(p).map_or(poll::ERR, writer_bits),
            Ok(Object::Epoll(ep)) => match self.epolls.get(ep) {
                Some(Some(e)) if e.has_ready() => poll::IN,
                _ => 0,
            },
            // A socket reads one pipe and writes another: both halves' bits.
            Ok(Object::Socket { rx, tx }) => {
                pipe(rx).map_or(poll::HUP, reader_bits) | pipe(tx).map_or(poll::ERR, writer_bits)
            }
            // A message queue is not pollable, nor is a ring.
            Ok(Object::Mq(_) | Object::Ring(_)) => poll::NVAL,
        }
    }

    /// `poll(fds)` for `pid`: writes every `revents` (rules in the module note) and returns how
    /// many are not 0. With none ready, it is 0 unless `block`, which waits for
    /// [`Wait::Polled`] instead.
    pub fn poll(&mut self, pid: Pid, fds: &mut [PollFd], block: bool) -> Result<usize, Error> {
        self.poll_console(pid, fds, block, false)
    }

    /// Whether `pid`'s `fds` ask for input from the console (an fd open on it for reading with
    /// `IN` among its events): then the caller asks the line discipline.
    pub fn polls_console_input(&self, pid: Pid, fds: &[PollFd]) -> bool {
        fds.iter().any(|f| {
            f.events & poll::IN != 0
                && usize::try_from(f.fd)
                    .ok()
                    .and_then(|fd| self.open_id(pid, fd).ok())
                    .is_some_and(|id| match self.object(id) {
                        Ok(Object::Node { ino, read, .. }) => {
                            read && self.fs.device(ino) == Some(Device::Console)
                        }
                        _ => false,
                    })
        })
    }

    /// [`Files::poll`], the console readable if `console_in` (the line discipline has a line).
    pub fn poll_console(
        &mut self,
        pid: Pid,
        fds: &mut [PollFd],
        block: bool,
        console_in: bool,
    ) -> Result<usize, Error> {
        let mut ready = 0;
        for f in fds.iter_mut() {
            f.revents = match usize::try_from(f.fd) {
                Err(_) => 0,
                Ok(fd) => match self.open_id(pid, fd) {
                    Err(_) => poll::NVAL,
                    Ok(id) => {
                        self.readiness_with(id, console_in) & (f.events | poll::HUP | poll::ERR)
                    }
                },
            };
            if f.revents != 0 {
                ready += 1;
            }
        }
        if ready > 0 || !block {
            return Ok(ready);
        }
        for f in fds.iter() {
            if let Ok(fd) = usize::try_from(f.fd) {
                self.mark_polled(pid, fd);
            }
        }
        Err(Error::WouldBlock(Wait::Polled))
    }

    /// Marks the pipes behind `fd` of `pid` polled: their next change wakes [`Wait::Polled`].
    pub(super) fn mark_polled(&mut self, pid: Pid, fd: usize) {
        let pipes = match self.open_id(pid, fd).and_then(|id| self.object(id)) {
            Ok(Object::PipeReader(p) | Object::PipeWriter(p)) => [Some(p), None],
            Ok(Object::Socket { rx, tx }) => [Some(rx), Some(tx)],
            _ => [None, None],
        };
        for p in pipes.into_iter().flatten() {
            if let Some(w) = self.watch.get_mut(p) {
                w.polled = true;
            }
        }
    }
}

/// A read end's bits for `pipe`.
fn reader_bits(pipe: &Pipe) -> u16 {
    let hup = pipe.writers() == 0;
    let mut bits = 0;
    if !pipe.is_empty() || hup {
        bits |= poll::IN;
    }
    if hup {
        bits |= poll::HUP;
    }
    bits
}

/// A write end's bits for `pipe`.
fn writer_bits(pipe: &Pipe) -> u16 {
    let err = pipe.readers() == 0;
    let mut bits = 0;
    if pipe.room() > 0 || err {
        bits |= poll::OUT;
    }
    if err {
        bits |= poll::ERR;
    }
    bits
}

#[cfg(test)]
mod console_tests {
    use abi::types::{PollFd, open, poll};

    use crate::fs::Fs;
    use crate::{Error, Pid, Wait};

    use super::Files;

    #[test]
    fn the_console_is_readable_only_when_the_line_discipline_says_so() {
        let pid = Pid::from_raw(1).unwrap();
        let mut f = Files::new(Fs::new(64));
        f.new_console_process(pid).unwrap();
        let w = f.open(pid, b"/dev/console", open::WRONLY).unwrap();
        let mut set = [
            PollFd {
                fd: 0,
                events: poll::IN,
                revents: 0,
            },
            PollFd {
                fd: w as i32,
                events: poll::IN | poll::OUT,
                revents: 0,
            },
        ];
        assert!(f.polls_console_input(pid, &set));
        assert!(
            !f.polls_console_input(pid, &set[1..]),
            "write-only: no input asked"
        );
        assert_eq!(
            f.poll_console(pid, &mut set[..1], true, false),
            Err(Error::WouldBlock(Wait::Polled))
        );
        assert_eq!(f.poll_console(pid, &mut set, false, true), Ok(2));
        assert_eq!((set[0].revents, set[1].revents), (poll::IN, poll::OUT));
        assert_eq!(
            f.poll(pid, &mut set[..1], false),
            Ok(0),
            "plain poll: never readable"
        );
    }
}
