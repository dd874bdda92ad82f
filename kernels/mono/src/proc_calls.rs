//! Process system calls with user-memory arguments: `spawn` (path, argument vector, stdio
//! array), `wait` (status pointer) and `proclist` (the table's entries). Every argument is copied in and checked before anything
//! changes, and `wait` checks its status pointer before it reaps, so a bad pointer loses no
//! child's status.

use alloc::vec::Vec;

use abi::Errno;
use abi::types::{Str, limits};
use kcore::uaccess::{self, Access, UserRange};
use services::proc::ProcTable;
use services::{Error, Wait};

use crate::files::read_path;
use crate::kernel::{Caller, Kernel};
use crate::syscall::Outcome;

impl Kernel {
    /// `spawn(path, path_len, argv, argc, stdio)`.
    pub fn sys_spawn(
        &mut self,
        me: Caller,
        path: usize,
        path_len: usize,
        argv: usize,
        argc: usize,
        stdio: usize,
    ) -> Outcome {
        if argc > limits::ARGS {
            return Err(Errno::TooBig.into());
        }
        let (path, args, stdio) = self.with_user(me.space, |mem, _, _| -> Result<_, Errno> {
            let path = read_path(mem, path, path_len)?;
            let mut args: Vec<Vec<u8>> = Vec::with_capacity(argc);
            let mut total = 0usize;
            for i in 0..argc {
                let s: Str = uaccess::read(
                    mem,
                    argv.checked_add(i * size_of::<Str>()).ok_or(Errno::Fault)?,
                )?;
                total = total.saturating_add(s.len as usize);
                if total > limits::ARG_BYTES {
                    return Err(Errno::TooBig);
                }
                let mut bytes = Vec::new();
                uaccess::read_vec(
                    mem,
                    s.ptr as usize,
                    s.len as usize,
                    limits::ARG_BYTES,
                    Errno::TooBig,
                    &mut bytes,
                )?;
                args.push(bytes);
            }
            let fds: [i32; 3] = if stdio == 0 {
                [-1; 3]
            } else {
                uaccess::read(mem, stdio)?
            };
            Ok((path, args, fds))
        })??;
        let path = self.files.resolve(me.pid, &path)?.into_owned();
        let argv: Vec<&[u8]> = args.iter().map(|a| a.as_slice()).collect();
        Ok(self.spawn(Some(me.pid), &path, &argv, stdio)?.raw())
    }

    /// `wait(pid, status)`.
    pub fn sys_wait(&mut self, me: Caller, which: usize, status: usize) -> Outcome {
        if status != 0 {
            self.with_user(me.space, |mem, _, _| {
                UserRange::new(status, 4)?.check(mem, Access::Write)
            })??;
        }
        let which = ProcTable::which(which)?;
        match self.procs.wait(me.pid, which)? {
            Some((child, code)) => {
                if status != 0 {
                    self.with_user(me.space, |mem, _, _| uaccess::write(mem, status, &code))??;
                }
                Ok(child.raw())
            }
            None => Err(Error::WouldBlock(Wait::Child(me.pid))),
        }
    }

    /// `proclist(buf, count)`: the first `count` entries written, the total returned.
    pub fn sys_proclist(&mut self, me: Caller, buf: usize, count: usize) -> Outcome {
        let signals = &self.signals;
        let (bytes, total) = self.procs.list_bytes(|p| signals.pgid(p), count);
        if !bytes.is_empty() {
            self.with_user(me.space, |mem, _, _| {
                uaccess::with_bytes_mut(mem, buf, bytes.len(), |b| b.copy_from_slice(&bytes))
            })??;
        }
        Ok(total)
    }
}
