//! Named pipes (`mkfifo`) and socket pairs (`socketpair`): IPC objects built from the pipes of
//! [`Files`], so reads, writes, waits and wake-ups are the pipes' own.
//!
//! - A **named pipe** is a `FIFO` node of the file system ([`Fs::mkfifo`]) naming one pipe
//!   ([`Pipe::fifo`]) that lives as long as the name or an open end. `open` of the name makes a
//!   plain read end (`RDONLY`) or write end (`WRONLY`); `RDWR` is `EINVAL` (one end per fd keeps
//!   the end counts meaningful). Until the other side has been opened once, reads and writes
//!   wait rather than end or fail (see [`crate::pipe`]); the new end wakes the other side.
//! - A **socket pair** is two pipes `a→b` and `b→a`; each fd is one open file holding the read
//!   end of one and the write end of the other, so closing it closes both ends (the peer then
//!   reads end of file and gets `EPIPE` on writing).
//!
//! Left out: `shutdown` of one direction, datagrams, addresses.

use super::{Files, Object};
use crate::pipe::Pipe;
use crate::{Error, Pid, PipeId, Wait, Wakes};
use abi::Errno;

use super::Io;

impl Files<'_> {
    /// `mkfifo(path)`: a named pipe at `path` (errors as [`Fs::create_file`], `EAGAIN` without
    /// a free pipe).
    ///
    /// [`Fs::create_file`]: crate::fs::Fs::create_file
    /// [`Fs::mkfifo`]: crate::fs::Fs::mkfifo
    pub fn mkfifo(&mut self, path: &[u8]) -> Result<(), Errno> {
        let p = self.free_pipe()?;
        self.fs.mkfifo(path, p)?;
        self.pipes[p] = Some(Pipe::fifo());
        Ok(())
    }

    /// `socketpair()` for `pid`: two fds (the two lowest free), each reading what the other
    /// writes. `EMFILE` without two free fds, `EAGAIN` without two free pipes.
    pub fn socketpair(&mut self, pid: Pid) -> Result<(usize, usize), Errno> {
        let table = self.tables.get(pid).ok_or(Errno::Srch)?;
        let mut free = table
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_none())
            .map(|(fd, _)| fd);
        let (Some(fd_a), Some(fd_b)) = (free.next(), free.next()) else {
            return Err(Errno::MFile);
        };
        let ab = self.free_pipe()?;
        // Reserve `ab` before looking for the second pipe.
        self.pipes[ab] = Some(Pipe::new());
        let ba = match self.free_pipe() {
            Ok(ba) => ba,
            Err(e) => {
                self.pipes[ab] = None;
                return Err(e);
            }
        };
        self.pipes[ba] = Some(Pipe::new());
        let a = self.new_open(Object::Socket { rx: ba, tx: ab });
        let b = a.and_then(|_| self.new_open(Object::Socket { rx: ab, tx: ba }));
        let (a, b) = match (a, b) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => {
                if let Ok(a) = a {
                    self.open[a] = None;
                }
                self.pipes[ab] = None;
                self.pipes[ba] = None;
                return Err(b.err().unwrap_or(Errno::Again));
            }
        };
        self.set_fd(pid, fd_a, a);
        self.set_fd(pid, fd_b, b);
        Ok((fd_a, fd_b))
    }

    /// Opens an end of named pipe `p` at free fd `fd` of `pid` (`read`, `write`: the access
    /// mode), waking the other side.
    pub(super) fn open_fifo(
        &mut self,
        pid: Pid,
        fd: usize,
        p: PipeId,
        (read, write): (bool, bool),
        wakes: &mut Wakes,
    ) -> Result<usize, Errno> {
        let object = match (read, write) {
            (true, false) => Object::PipeReader(p),
            (false, true) => Object::PipeWriter(p),
            _ => return Err(Errno::Inval),
        };
        if !matches!(self.pipes.get(p), Some(Some(_))) {
            return Err(Errno::NoEnt);
        }
        let id = self.new_open(object)?;
        if let Some(Some(pipe)) = self.pipes.get_mut(p) {
            if read {
                pipe.add_reader();
                wakes.push(Wait::PipeWritable(p));
            } else {
                pipe.add_writer();
                wakes.push(Wait::PipeReadable(p));
            }
        }
        self.set_fd(pid, fd, id);
        Ok(fd)
    }

    /// A free pipe id (the slot stays free until the caller fills it): `EAGAIN` if `pipes`
    /// exist already.
    fn free_pipe(&mut self) -> Result<PipeId, Errno> {
        match self.pipes.iter().position(Option::is_none) {
            Some(i) => Ok(i),
            None if self.pipes.len() < self.max_pipes => {
                self.pipes.push(None);
                Ok(self.pipes.len() - 1)
            }
            None => Err(Errno::Again),
        }
    }

    /// Reads pipe `p` through open file `id` (a pipe's or fifo's read end, or a socket): the one
    /// read path of every pipe-backed object. Taking bytes wakes `PipeWritable`; an empty pipe
    /// with a writer is `EAGAIN` when `id` is non-blocking, else "retry at `PipeReadable`".
    pub(super) fn pipe_read(
        &mut self,
        id: super::OpenId,
        p: PipeId,
        buf: &mut [u8],
        wakes: &mut Wakes,
    ) -> Result<Io, Error> {
        let pipe = self
            .pipes
            .get_mut(p)
            .and_then(Option::as_mut)
            .ok_or(Errno::BadF)?;
        match pipe.read(buf) {
            Some(n) => {
                if n > 0 {
                    wakes.push(Wait::PipeWritable(p));
                    self.changed(p, wakes);
                }
                Ok(Io::Done(n))
            }
            None => Err(self.would_block(id, Wait::PipeReadable(p))),
        }
    }

    /// Writes pipe `p` through open file `id` (a pipe's or fifo's write end, or a socket): the
    /// one write path of every pipe-backed object. Adding bytes wakes `PipeReadable`; no reader
    /// is `EPIPE` (whatever the mode); a full pipe is `EAGAIN` when `id` is non-blocking, else
    /// "retry at `PipeWritable`".
    pub(super) fn pipe_write(
        &mut self,
        id: super::OpenId,
        p: PipeId,
        data: &[u8],
        wakes: &mut Wakes,
    ) -> Result<Io, Error> {
        let pipe = self
            .pipes
            .get_mut(p)
            .and_then(Option::as_mut)
            .ok_or(Errno::BadF)?;
        match pipe.write(data)? {
            Some(n) => {
                if n > 0 {
                    wakes.push(Wait::PipeReadable(p));
                    self.changed(p, wakes);
                }
                Ok(Io::Done(n))
            }
            None => Err(self.would_block(id, Wait::PipeWritable(p))),
        }
    }

    pub(super) fn pipe_len(&self, p: PipeId) -> usize {
        self.pipes
            .get(p)
            .and_then(Option::as_ref)
            .map_or(0, Pipe::len)
    }

    /// Closes a read end (`reader`) or write end of pipe `p`, waking the other side; the pipe
    /// goes with its last end unless a name refers to it.
    pub(super) fn drop_end(&mut self, p: PipeId, reader: bool, wakes: &mut Wakes) {
        let Some(pipe) = self.pipes.get_mut(p).and_then(Option::as_mut) else {
            return;
        };
        if reader {
            pipe.drop_reader();
            wakes.push(Wait::PipeWritable(p));
        } else {
            pipe.drop_writer();
            wakes.push(Wait::PipeReadable(p));
        }
        let gone = pipe.readers() == 0 && pipe.writers() == 0 && !pipe.is_named();
        // Blocked polls and watching epoll instances see the hang-up.
        self.changed(p, wakes);
        if gone {
            self.release_pipe(p);
        }
    }

    /// Frees pipe slot `p` and forgets who watched it.
    fn release_pipe(&mut self, p: PipeId) {
        self.pipes[p] = None;
        if let Some(w) = self.watch.get_mut(p) {
            *w = Default::default();
        }
    }

    /// Named pipe `p` lost its name: it goes now if no end is open, else with its last end.
    pub(super) fn unname_pipe(&mut self, p: PipeId) {
        let Some(pipe) = self.pipes.get_mut(p).and_then(Option::as_mut) else {
            return;
        };
        pipe.unname();
        if pipe.readers() == 0 && pipe.writers() == 0 {
            self.release_pipe(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::Fs;
    use abi::types::{kind, open};
    use alloc::vec;
    use alloc::vec::Vec;

    fn pid(n: usize) -> Pid {
        Pid::from_raw(n).unwrap()
    }

    /// Pids 1 and 2 with the console on 0, 1, 2, and a writable `/tmp`.
    fn two() -> Files<'static> {
        let mut f = Files::new(Fs::new(64));
        f.mkdir(b"/tmp").unwrap();
        f.new_console_process(pid(1)).unwrap();
        f.spawn(pid(2), pid(1), [-1; 3]).unwrap();
        f
    }

    fn rd(f: &mut Files, p: Pid, fd: usize, n: usize) -> Result<Vec<u8>, Error> {
        let mut buf = vec![0; n];
        match f.read(p, fd, &mut buf, &mut Wakes::new())? {
            Io::Done(k) => Ok(buf[..k].to_vec()),
            Io::Console => panic!("not the console"),
        }
    }

    fn wr(f: &mut Files, p: Pid, fd: usize, data: &[u8]) -> Result<Io, Error> {
        f.write(p, fd, data, &mut Wakes::new())
    }

    #[test]
    fn two_processes_opening_one_name_share_one_pipe() {
        let mut f = two();
        f.mkfifo(b"/tmp/q").unwrap();
        assert_eq!(f.mkfifo(b"/tmp/q"), Err(Errno::Exist));
        let mut wakes = Wakes::new();
        let r = f
            .open_with(pid(2), b"/tmp/q", open::RDONLY, &mut wakes)
            .unwrap();
        let w = f
            .open_with(pid(1), b"/tmp/q", open::WRONLY, &mut wakes)
            .unwrap();
        let p = match f.object(f.open_id(pid(1), w).unwrap()).unwrap() {
            Object::PipeWriter(p) => p,
            o => panic!("{o:?}"),
        };
        assert_eq!(
            wakes.iter().collect::<Vec<_>>(),
            [Wait::PipeWritable(p), Wait::PipeReadable(p)],
            "each new end wakes the other side"
        );
        assert_eq!(wr(&mut f, pid(1), w, b"ping"), Ok(Io::Done(4)));
        assert_eq!(rd(&mut f, pid(2), r, 8), Ok(b"ping".to_vec()));
        assert_eq!(f.kind_of(pid(2), r), Ok(kind::PIPE));
        let ino = f.fs().lookup(b"/tmp/q").unwrap();
        assert_eq!(f.fs().kind(ino), Ok(kind::FIFO));
    }

    #[test]
    fn a_fifo_opened_read_write_is_einval_and_a_missing_one_enoent() {
        let mut f = two();
        f.mkfifo(b"/tmp/q").unwrap();
        assert_eq!(f.open(pid(1), b"/tmp/q", open::RDWR), Err(Errno::Inval));
        assert_eq!(
            f.open(pid(1), b"/tmp/none", open::RDONLY),
            Err(Errno::NoEnt)
        );
        assert_eq!(f.fds(pid(1)).count(), 3, "nothing leaked");
    }

    #[test]
    fn a_reader_waits_for_a_writer_then_reads_end_of_file_after_it_leaves() {
        let mut f = two();
        f.mkfifo(b"/tmp/q").unwrap();
        let r = f.open(pid(2), b"/tmp/q", open::RDONLY).unwrap();
        assert!(matches!(
            rd(&mut f, pid(2), r, 4),
            Err(Error::WouldBlock(Wait::PipeReadable(_)))
        ));
        let w = f.open(pid(1), b"/tmp/q", open::WRONLY).unwrap();
        f.close(pid(1), w, &mut Wakes::new()).unwrap();
        assert_eq!(rd(&mut f, pid(2), r, 4), Ok(vec![]));
    }

    #[test]
    fn writing_a_fifo_whose_reader_closed_is_epipe_and_the_name_outlives_its_ends() {
        let mut f = two();
        f.mkfifo(b"/tmp/q").unwrap();
        let w = f.open(pid(1), b"/tmp/q", open::WRONLY).unwrap();
        let r = f.open(pid(2), b"/tmp/q", open::RDONLY).unwrap();
        f.close(pid(2), r, &mut Wakes::new()).unwrap();
        assert_eq!(wr(&mut f, pid(1), w, b"x"), Err(Errno::Pipe.into()));
        f.close(pid(1), w, &mut Wakes::new()).unwrap();
        assert_eq!(f.pipes_in_use(), 1, "the name keeps its pipe");
        f.unlink(b"/tmp/q").unwrap();
        assert_eq!(f.pipes_in_use(), 0, "no name, no ends: gone");
    }

    #[test]
    fn an_unlinked_fifo_keeps_its_pipe_until_the_last_end_closes() {
        let mut f = two();
        f.mkfifo(b"/tmp/q").unwrap();
        let r = f.open(pid(1), b"/tmp/q", open::RDONLY).unwrap();
        f.unlink(b"/tmp/q").unwrap();
        assert_eq!(f.pipes_in_use(), 1);
        f.close(pid(1), r, &mut Wakes::new()).unwrap();
        assert_eq!(f.pipes_in_use(), 0);
    }

    #[test]
    fn a_socket_pair_carries_bytes_both_ways() {
        let mut f = two();
        let (a, b) = f.socketpair(pid(1)).unwrap();
        assert_eq!((a, b), (3, 4));
        assert_eq!(wr(&mut f, pid(1), a, b"to b"), Ok(Io::Done(4)));
        assert_eq!(wr(&mut f, pid(1), b, b"to a!"), Ok(Io::Done(5)));
        assert_eq!(rd(&mut f, pid(1), b, 8), Ok(b"to b".to_vec()));
        assert_eq!(rd(&mut f, pid(1), a, 8), Ok(b"to a!".to_vec()));
        assert!(matches!(
            rd(&mut f, pid(1), a, 8),
            Err(Error::WouldBlock(Wait::PipeReadable(_)))
        ));
        assert_eq!(f.kind_of(pid(1), a), Ok(kind::SOCKET));
        assert_eq!(f.fstat(pid(1), b).unwrap().kind, kind::SOCKET);
    }

    #[test]
    fn closing_one_socket_gives_the_peer_end_of_file_and_epipe_and_frees_both_pipes() {
        let mut f = two();
        let (a, b) = f.socketpair(pid(1)).unwrap();
        assert_eq!(f.pipes_in_use(), 2);
        let mut wakes = Wakes::new();
        f.close(pid(1), a, &mut wakes).unwrap();
        assert_eq!(wakes.len(), 2, "both directions wake the peer");
        assert_eq!(rd(&mut f, pid(1), b, 8), Ok(vec![]));
        assert_eq!(wr(&mut f, pid(1), b, b"x"), Err(Errno::Pipe.into()));
        f.close(pid(1), b, &mut Wakes::new()).unwrap();
        assert_eq!(f.pipes_in_use(), 0);
    }

    #[test]
    fn socketpair_needs_two_fds_and_two_pipes_and_leaks_nothing_when_short() {
        let mut f = Files::with_limits(Fs::new(64), 4, 3);
        f.new_console_process(pid(1)).unwrap();
        assert!(f.socketpair(pid(1)).is_ok());
        assert_eq!(f.socketpair(pid(1)), Err(Errno::Again), "one pipe left");
        assert_eq!(f.pipes_in_use(), 2);
        assert_eq!(f.fds(pid(1)).count(), 5);
        // Fill the fd table: no room for a socket's two fds.
        for _ in 5..abi::types::limits::FDS {
            f.dup(pid(1), 0).unwrap();
        }
        assert_eq!(f.socketpair(pid(1)), Err(Errno::MFile));
    }
}
