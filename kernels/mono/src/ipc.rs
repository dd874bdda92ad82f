//! The IPC calls of issue 16 that are not pipes' reads and writes: `mkfifo`, `socketpair` and
//! the message queues (the shared `services::files` does the work), and `futex_wait` / `futex_wake` (the rules are
//! `kcore::sched::futex`'s; a waiter is a thread blocked on the word's physical address).

use abi::Errno;
use abi::types::limits::MQ_MSG_MAX;
use kcore::sched::futex::{self, Key};
use kcore::sched::{NextTask, SpaceId};
use kcore::trap::TrapFrame;
use kcore::uaccess::{self, Access, UserRange};
use services::{Wait, Wakes};

use crate::files::read_path;
use crate::kernel::{Caller, Kernel};
use crate::syscall::Outcome;

impl Kernel {
    /// `mkfifo(path, path_len)`.
    pub fn sys_mkfifo(&mut self, me: Caller, path: usize, path_len: usize) -> Outcome {
        let path = self.with_user(me.space, |mem, _, _| read_path(mem, path, path_len))??;
        let path = self.files.resolve(me.pid, &path)?.into_owned();
        self.files.mkfifo(&path)?;
        Ok(0)
    }

    /// `socketpair(fds)`: the user array is checked before the sockets are made, so a bad
    /// pointer leaks nothing.
    pub fn sys_socketpair(&mut self, me: Caller, fds: usize) -> Outcome {
        self.with_user(me.space, |mem, _, _| {
            UserRange::new(fds, 8)?.check(mem, Access::Write)
        })??;
        let (a, b) = self.files.socketpair(me.pid)?;
        let pair = [a as i32, b as i32];
        self.with_user(me.space, |mem, _, _| uaccess::write(mem, fds, &pair))??;
        Ok(0)
    }

    /// `mq_open(name, name_len, flags)`.
    pub fn sys_mq_open(&mut self, me: Caller, name: usize, len: usize, flags: usize) -> Outcome {
        let name = self.with_user(me.space, |mem, _, _| read_path(mem, name, len))??;
        Ok(self.files.mq_open(me.pid, &name, flags)?)
    }

    /// `mq_send(fd, buf, len)`: an over-long message is refused before its memory is looked at.
    pub fn sys_mq_send(&mut self, me: Caller, fd: usize, buf: usize, len: usize) -> Outcome {
        if len > MQ_MSG_MAX {
            return Err(Errno::MsgSize.into());
        }
        let mut wakes = Wakes::new();
        let r = self.with_user(me.space, |mem, files, _| {
            uaccess::with_bytes(mem, buf, len, |msg| {
                files.mq_send(me.pid, fd, msg, &mut wakes)
            })
        })?;
        self.wake_all(&wakes);
        r?
    }

    /// `mq_receive(fd, buf, len)`: at most [`MQ_MSG_MAX`] bytes of `buf` are used.
    pub fn sys_mq_receive(&mut self, me: Caller, fd: usize, buf: usize, len: usize) -> Outcome {
        let len = len.min(MQ_MSG_MAX);
        let mut wakes = Wakes::new();
        let r = self.with_user(me.space, |mem, files, _| {
            uaccess::with_bytes_mut(mem, buf, len, |out| {
                files.mq_receive(me.pid, fd, out, &mut wakes)
            })
        })?;
        self.wake_all(&wakes);
        r?
    }

    /// The key of the futex word at `addr` in `space` and its value now.
    fn futex_word(&mut self, space: SpaceId, addr: usize) -> Result<(Key, u32), Errno> {
        if !futex::aligned(addr) {
            return Err(Errno::Inval);
        }
        self.with_user(space, |mem, _, _| {
            let value: u32 = uaccess::read(mem, addr)?;
            let page = addr & !(abi::layout::PAGE_SIZE - 1);
            let (frame, _) = mem.space.lookup(page).ok_or(Errno::Fault)?;
            Ok((Key(frame + (addr - page)), value))
        })?
    }
}

/// `futex_wait(addr, expected)`: like `sleep`, the caller is parked with its result (0) set and
/// `sepc` past the `ecall`: a wake resumes it, a signal makes it `EINTR`.
pub fn futex_wait(k: &mut Kernel, f: &mut TrapFrame) -> NextTask {
    let me = k.caller();
    let (addr, expected) = (f.arg(0), f.arg(1));
    let key = k.futex_word(me.space, addr).and_then(|(key, value)| {
        if futex::should_wait(value, expected) {
            Ok(key)
        } else {
            Err(Errno::Again)
        }
    });
    match key {
        Ok(key) => {
            f.set_return(0);
            k.sched.threads.wait(me.tid, Wait::Futex(key.0));
            NextTask::Other
        }
        Err(e) => {
            f.set_return(e.ret());
            NextTask::Same
        }
    }
}

/// `futex_wake(addr, n)` → how many it woke.
pub fn futex_wake(k: &mut Kernel, f: &mut TrapFrame) -> NextTask {
    let me = k.caller();
    let (addr, n) = (f.arg(0), f.arg(1));
    let r = k
        .futex_word(me.space, addr)
        .map(|(key, _)| k.sched.threads.wake_key(&Wait::Futex(key.0), n));
    f.set_return(match r {
        Ok(woken) => woken as isize,
        Err(e) => e.ret(),
    });
    NextTask::Same
}
