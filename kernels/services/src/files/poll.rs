//! `poll`: the readiness of each of N descriptors, computed by looking at every one of them on
//! every call — the O(N) scan the textbooks charge `poll` and `select` with.
//!
//! Readiness ([`Files::readiness`]), in [`abi::types::poll`] bits:
//! - a pipe's read end: `IN` with bytes waiting or no writer left, `HUP` with no writer left;
//! - a pipe's write end: `OUT` with room or no reader left, `ERR` with no reader left;
//! - a file or device: `IN` if opened for reading, `OUT` if for writing (they never block) —
//!   except the console, which is `OUT` only: its input belongs to the kernel's line
//!   discipline, which this crate does not see (left out: polling the console for input);
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
    /// The [`abi::types::poll`] bits of open file `id` now (0 for no such file).
    pub(super) fn readiness(&self, id: OpenId) -> u16 {
        let pipe = |p: usize| self.pipes.get(p).and_then(Option::as_ref);
        match self.object(id) {
            Err(_) => 0,
            Ok(Object::Node {
                ino, read, write, ..
            }) => {
                let out = if write { poll::OUT } else { 0 };
                match self.fs.device(ino) {
                    Some(Device::Console) => out,
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
        let mut ready = 0;
        for f in fds.iter_mut() {
            f.revents = match usize::try_from(f.fd) {
                Err(_) => 0,
                Ok(fd) => match self.open_id(pid, fd) {
                    Err(_) => poll::NVAL,
                    Ok(id) => self.readiness(id) & (f.events | poll::HUP | poll::ERR),
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
