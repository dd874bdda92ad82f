//! `read` and `write`: the bytes pass through the server's buffer between the caller's lease and
//! `services::files` — a read fills the buffer and copies it to the lease, a write copies the
//! lease in first. Each moves at most `limits::IO_MAX` bytes (the kernel's lease is clamped the
//! same way, as `mono` clamps the call).
//!
//! The console device (`Io::Console`) is the console server's: a write goes out with
//! `CON_WRITE`; a read asks `CON_READ` for a completed line, and parks on `Wait::Console` when
//! there is none (`-EAGAIN`) until the console notifies `CONSOLE_READY`.

use abi::Errno;
use abi::ipc::{Badge, label, level};
use servers::kernel::{self, Loan};
use servers::{Fail, Outcome, lease};
use services::files::Io;
use services::{Pid, Wait, Wakes};

use crate::FileServer;

impl FileServer {
    /// `read(fd, buf, len)` by thread `badge` of `pid`, `len` already clamped to the lease's
    /// length.
    pub fn read(
        &mut self,
        pid: Pid,
        badge: Badge,
        fd: usize,
        len: usize,
        wakes: &mut Wakes,
    ) -> Outcome {
        let buf = &mut self.buf[..len];
        match self.files.read(pid, fd, buf, wakes)? {
            Io::Done(n) => {
                lease::write_all(badge, 0, &buf[..n])?;
                Ok(n)
            }
            Io::Console => match self.console_read(badge, len) {
                Err(Fail::Block(_)) if self.files.is_nonblocking(pid, fd) => {
                    Err(Errno::Again.into())
                }
                r => r,
            },
        }
    }

    /// `write(fd, buf, len)` by thread `badge` of `pid`, `len` already clamped to the lease's
    /// length.
    pub fn write(
        &mut self,
        pid: Pid,
        badge: Badge,
        fd: usize,
        len: usize,
        wakes: &mut Wakes,
    ) -> Outcome {
        // Copy in only what the write can take: a pipe write that takes part of the data is
        // called again for the rest, and must not copy it all again each time (mono's write
        // reads the caller's memory in place, so it copies only what the pipe takes).
        let len = self
            .files
            .write_limit(pid, fd)
            .map_or(len, |limit| limit.min(len));
        let data = &mut self.buf[..len];
        lease::read_exact(badge, 0, data)?;
        match self.files.write(pid, fd, data, wakes)? {
            Io::Done(n) => Ok(n),
            Io::Console => Ok(kernel::call(
                level::CONSOLE,
                label::CON_WRITE,
                &[],
                &mut [Loan::Read(data)],
            )?),
        }
    }

    /// A console read of up to `len` bytes for `badge`: a completed line from the console
    /// server, copied on to the caller's lease; parks on `Wait::Console` if there is none yet.
    fn console_read(&mut self, badge: Badge, len: usize) -> Outcome {
        let buf = &mut self.buf[..len];
        match kernel::call(
            level::CONSOLE,
            label::CON_READ,
            &[],
            &mut [Loan::Write(buf)],
        ) {
            Ok(n) => {
                let n = n.min(len);
                lease::write_all(badge, 0, &self.buf[..n])?;
                Ok(n)
            }
            Err(Errno::Again) => Err(Fail::Block(Wait::Console)),
            Err(e) => Err(e.into()),
        }
    }
}
