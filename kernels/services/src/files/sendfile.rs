//! `sendfile`: file data moved into a pipe with one copy, from the file's pages straight into
//! the pipe's ring — no user buffer, and on `micro` no lease either, since the file server holds
//! both the file and the pipe. A `read` + `write` pair copies the same bytes twice (file → user
//! buffer → pipe; on `micro` four times, through the server's buffer and the leases both ways).

use abi::Errno;
use abi::types::limits::PIPE_BUFFER;

use super::{Files, Object};
use crate::{Error, Pid, Wait, Wakes};

impl Files<'_> {
    /// `sendfile(out_fd, in_fd, len)` for `pid`: moves up to `len` bytes (at most a pipe's
    /// buffer) from the file `in_fd` at its offset, which advances, into the pipe `out_fd`; the
    /// bytes moved, 0 at the file's end. `EBADF` unless `in_fd` is a file open for reading and
    /// `out_fd` a pipe's write end (`EINVAL` for a device or directory); `EPIPE` without a
    /// reader; a full pipe blocks (`EAGAIN` if `out_fd` is non-blocking).
    pub fn sendfile(
        &mut self,
        pid: Pid,
        out_fd: usize,
        in_fd: usize,
        len: usize,
        wakes: &mut Wakes,
    ) -> Result<usize, Error> {
        let in_id = self.open_id(pid, in_fd)?;
        let out_id = self.open_id(pid, out_fd)?;
        let (ino, offset) = match self.object(in_id)? {
            Object::Node {
                ino,
                offset,
                read: true,
                ..
            } => (ino, offset),
            _ => return Err(Errno::BadF.into()),
        };
        if self.fs.device(ino).is_some() || self.fs.file_chunks(ino).is_none() {
            return Err(Errno::Inval.into());
        }
        let Object::PipeWriter(p) = self.object(out_id)? else {
            return Err(Errno::BadF.into());
        };
        let left = self.fs.size(ino)?.saturating_sub(offset);
        let want = len.min(left).min(PIPE_BUFFER);
        let pipe = self
            .pipes
            .get_mut(p)
            .and_then(Option::as_mut)
            .ok_or(Errno::BadF)?;
        if pipe.readers() == 0 {
            return Err(Errno::Pipe.into());
        }
        if want == 0 {
            return Ok(0);
        }
        if pipe.room() == 0 {
            return Err(self.would_block(out_id, Wait::PipeWritable(p)));
        }
        let fs = &self.fs;
        let mut at = offset;
        let n = pipe.fill(want, |dst| {
            let got = fs.read(ino, at, dst).unwrap_or(0);
            at += got;
            got
        });
        self.advance(in_id, offset + n);
        if n > 0 {
            wakes.push(Wait::PipeReadable(p));
            self.changed(p, wakes);
        }
        Ok(n)
    }
}
