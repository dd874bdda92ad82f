//! File system calls: user buffers are checked and used in place (no kernel copy), then the
//! shared `services::files` does the work. The console device is served here through the line
//! discipline and the UART.
//!
//! A single `read` or `write` moves at most [`IO_MAX`] bytes (a short count, as POSIX allows), so
//! one call never pins or faults in an unbounded amount of user memory.
//!
//! The kernel runs a call with interrupts off (`kcore::trap`), so a long copy is a stall: file
//! data moves a page ([`services::fs::PAGE`]) at a time and console output a [`CONSOLE_PIECE`] at
//! a time, and between pieces the call stops short if an interrupt is pending
//! ([`interrupt_pending`], the [`services::Preempt`] mono passes). Returning to user mode then
//! takes the interrupt (a timer tick may switch threads) before the caller's write loop asks for
//! the rest. So once an interrupt is due it waits for at most two pieces of copying (a call of
//! up to one piece is never split); a pipe copy is at most `PIPE_BUFFER` bytes (one page) and a
//! console line at most `Tty::LINE_MAX + 1`.

use alloc::vec::Vec;

use abi::Errno;
use abi::types::limits::IO_MAX;
use abi::types::{DirEntry, PATH_MAX, Stat};
use kcore::console;
use kcore::uaccess::{self, Access, UserMemory, UserRange};
use services::files::Io;
use services::{Error, Wait, Wakes};

use crate::kernel::{Caller, Kernel};
use crate::syscall::Outcome;

/// Most console output bytes written between two looks at pending interrupts.
pub const CONSOLE_PIECE: usize = services::fs::PAGE;

/// Whether an interrupt the kernel takes is pending: a long copy stops short then (see the module
/// note).
pub fn interrupt_pending() -> bool {
    kcore::csr::sip() & kcore::csr::sie() != 0
}

/// Writes `data` to the console a [`CONSOLE_PIECE`] at a time, stopping short when an interrupt
/// is pending: the count written (at least one piece).
fn console_write(data: &[u8]) -> usize {
    let mut done = 0;
    for piece in data.chunks(CONSOLE_PIECE) {
        console::write_bytes(piece);
        done += piece.len();
        if done < data.len() && interrupt_pending() {
            break;
        }
    }
    done
}

/// A path argument: at most `PATH_MAX` bytes.
pub fn read_path(mem: &mut impl UserMemory, ptr: usize, len: usize) -> Result<Vec<u8>, Errno> {
    if len > PATH_MAX {
        return Err(Errno::NameTooLong);
    }
    uaccess::with_bytes(mem, ptr, len, |b| b.to_vec())
}

impl Kernel {
    /// `read(fd, buf, len)`.
    pub fn sys_read(&mut self, me: Caller, fd: usize, buf: usize, len: usize) -> Outcome {
        let len = len.min(IO_MAX);
        let mut wakes = Wakes::new();
        let mut console_read = false;
        let r = self.with_user(me.space, |mem, files, tty| {
            uaccess::with_bytes_mut(mem, buf, len, |out| {
                match files.read_with(me.pid, fd, out, &mut wakes, &mut interrupt_pending)? {
                    Io::Done(n) => Ok(n),
                    Io::Console => {
                        console_read = true;
                        // Bytes typed ahead while a job ran are edited now (and echoed).
                        tty.cook(&mut |echo| console::write_bytes(echo));
                        tty.read(out).ok_or_else(|| {
                            if files.is_nonblocking(me.pid, fd) {
                                Error::Errno(Errno::Again)
                            } else {
                                Error::WouldBlock(Wait::Console)
                            }
                        })
                    }
                }
            })
        })?;
        self.wake_all(&wakes);
        if console_read {
            // If the read blocks, `syscall` parks the thread and listens to the UART again.
            self.console_listen();
        }
        r?
    }

    /// `write(fd, buf, len)`.
    pub fn sys_write(&mut self, me: Caller, fd: usize, buf: usize, len: usize) -> Outcome {
        let len = len.min(IO_MAX);
        let mut wakes = Wakes::new();
        let r = self.with_user(me.space, |mem, files, _| {
            uaccess::with_bytes(mem, buf, len, |data| {
                match files.write_with(me.pid, fd, data, &mut wakes, &mut interrupt_pending)? {
                    Io::Done(n) => Ok(n),
                    Io::Console => Ok(console_write(data)),
                }
            })
        })?;
        self.wake_all(&wakes);
        r?
    }

    /// `open(path, path_len, flags)`.
    pub fn sys_open(&mut self, me: Caller, path: usize, path_len: usize, flags: usize) -> Outcome {
        let path = self.with_user(me.space, |mem, _, _| read_path(mem, path, path_len))??;
        let path = self.files.resolve(me.pid, &path)?.into_owned();
        let mut wakes = Wakes::new();
        let fd = self.files.open_with(me.pid, &path, flags, &mut wakes)?;
        self.wake_all(&wakes);
        Ok(fd)
    }

    /// `close(fd)`.
    pub fn sys_close(&mut self, me: Caller, fd: usize) -> Outcome {
        let mut wakes = Wakes::new();
        let r = self.files.close(me.pid, fd, &mut wakes);
        self.wake_all(&wakes);
        r?;
        Ok(0)
    }

    /// `pipe(fds)`: the user array is checked before the pipe is made, so a bad pointer leaks
    /// nothing.
    pub fn sys_pipe(&mut self, me: Caller, fds: usize) -> Outcome {
        self.with_user(me.space, |mem, _, _| {
            UserRange::new(fds, 8)?.check(mem, Access::Write)
        })??;
        let (r, w) = self.files.pipe(me.pid)?;
        let pair = [r as i32, w as i32];
        self.with_user(me.space, |mem, _, _| uaccess::write(mem, fds, &pair))??;
        Ok(0)
    }

    /// `seek(fd, offset, whence)`.
    pub fn sys_seek(&mut self, me: Caller, fd: usize, offset: usize, whence: usize) -> Outcome {
        Ok(self.files.seek(me.pid, fd, offset as i64, whence)?)
    }

    /// `fstat(fd, stat)`.
    pub fn sys_fstat(&mut self, me: Caller, fd: usize, stat: usize) -> Outcome {
        let st: Stat = self.files.fstat(me.pid, fd)?;
        self.with_user(me.space, |mem, _, _| uaccess::write(mem, stat, &st))??;
        Ok(0)
    }

    /// `unlink(path, path_len)`.
    pub fn sys_unlink(&mut self, me: Caller, path: usize, path_len: usize) -> Outcome {
        let path = self.with_user(me.space, |mem, _, _| read_path(mem, path, path_len))??;
        let path = self.files.resolve(me.pid, &path)?.into_owned();
        self.files.unlink(&path)?;
        Ok(0)
    }

    /// `mkdir(path, path_len)`.
    pub fn sys_mkdir(&mut self, me: Caller, path: usize, path_len: usize) -> Outcome {
        let path = self.with_user(me.space, |mem, _, _| read_path(mem, path, path_len))??;
        let path = self.files.resolve(me.pid, &path)?.into_owned();
        self.files.mkdir(&path)?;
        Ok(0)
    }

    /// `chdir(path, path_len)`.
    pub fn sys_chdir(&mut self, me: Caller, path: usize, path_len: usize) -> Outcome {
        let path = self.with_user(me.space, |mem, _, _| read_path(mem, path, path_len))??;
        self.files.chdir(me.pid, &path)?;
        Ok(0)
    }

    /// `getcwd(buf, len)`: the path is written only if it fits.
    pub fn sys_getcwd(&mut self, me: Caller, buf: usize, len: usize) -> Outcome {
        let cwd = self.files.cwd(me.pid).to_vec();
        // The whole buffer is checked, as micro's lease of it is.
        self.with_user(me.space, |mem, _, _| {
            UserRange::new(buf, len.min(PATH_MAX))?.check(mem, Access::Write)
        })??;
        if cwd.len() <= len {
            self.with_user(me.space, |mem, _, _| {
                uaccess::with_bytes_mut(mem, buf, cwd.len(), |out| out.copy_from_slice(&cwd))
            })??;
        }
        Ok(cwd.len())
    }

    /// `readdir(fd, entry)`: the entry pointer is checked first, so a bad one consumes nothing.
    pub fn sys_readdir(&mut self, me: Caller, fd: usize, entry: usize) -> Outcome {
        let size = core::mem::size_of::<DirEntry>();
        self.with_user(me.space, |mem, _, _| {
            UserRange::new(entry, size)?.check(mem, Access::Write)
        })??;
        match self.files.readdir(me.pid, fd)? {
            Some(e) => {
                self.with_user(me.space, |mem, _, _| uaccess::write(mem, entry, &e))??;
                Ok(1)
            }
            None => Ok(0),
        }
    }
}
