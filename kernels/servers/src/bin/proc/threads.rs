//! Threads and waiting: `thread_spawn`, `thread_exit`, `thread_join` and `wait`, as `mono`'s
//! `process.rs` and `proc_calls.rs`. Thread ids are the kernel's (never reused); an ended
//! thread keeps its status, and its slot among its process's [`limits::THREADS`], until it is
//! joined or its process ends. `thread_join` and `wait` park until the thread ends or a child
//! exits (`Wait::Thread`, `Wait::Child`).

use abi::Errno;
use abi::ipc::Badge;
use abi::types::limits;
use servers::{Fail, Outcome, kernel, lease};
use services::{Pid, Wait, Wakes};

use crate::{Proc, Thread};

impl Proc {
    /// `thread_spawn(entry, arg, stack_top)` in process `pid`: `EAGAIN` at the thread limit.
    pub fn thread_spawn(&mut self, pid: Pid, entry: usize, arg: usize, sp: usize) -> Outcome {
        let threads = self.processes.get(&pid).ok_or(Errno::Srch)?;
        if threads.len() >= limits::THREADS {
            return Err(Errno::Again.into());
        }
        let tid = kernel::thread_new(pid, entry, arg, sp)?;
        self.threads.insert(tid, Thread { pid, ended: None });
        if let Some(threads) = self.processes.get_mut(&pid) {
            threads.push(tid);
        }
        Ok(tid)
    }

    /// `thread_exit(status)` of thread `tid` of `pid`: the last live thread's end ends the
    /// process with `status`; another ends alone and waits to be joined. Never answered.
    pub fn thread_exit(&mut self, pid: Pid, tid: usize, status: i32, wakes: &mut Wakes) -> Outcome {
        let live = self.processes.get(&pid).map_or(0, |threads| {
            threads
                .iter()
                .filter(|t| self.threads.get(t).is_some_and(|t| t.ended.is_none()))
                .count()
        });
        if live <= 1 {
            self.end_process(pid, status, wakes);
            return Err(Fail::Gone);
        }
        let _ = kernel::thread_kill(tid);
        if let Some(t) = self.threads.get_mut(&tid) {
            t.ended = Some(status);
            wakes.push(Wait::Thread(tid));
        }
        Err(Fail::Gone)
    }

    /// `thread_join(tid)` by thread `me` of `pid`: the status once `tid` has ended. `EINVAL`
    /// for oneself, `ESRCH` for a thread that is not (or no longer) one of `pid`'s.
    pub fn thread_join(&mut self, pid: Pid, me: usize, tid: usize) -> Outcome {
        if tid == me {
            return Err(Errno::Inval.into());
        }
        let t = self
            .threads
            .get(&tid)
            .filter(|t| t.pid == pid)
            .ok_or(Errno::Srch)?;
        let Some(status) = t.ended else {
            return Err(Fail::Block(Wait::Thread(tid)));
        };
        self.threads.remove(&tid);
        if let Some(threads) = self.processes.get_mut(&pid) {
            threads.retain(|&t| t != tid);
        }
        Ok(status as u32 as usize)
    }

    /// `wait(pid, status)` by thread `badge`: reaps an exited child (`which` = -1: any),
    /// writing its status to lease 0 unless `status` is null; parks while a matching child
    /// lives; `ECHILD` if there is none. The kernel checked the status lease before the call
    /// reached us, so the write cannot fail for a caller that is still there — no status is
    /// lost to a bad pointer.
    pub fn wait(&mut self, badge: Badge, which: usize, status: usize) -> Outcome {
        let pid = badge.pid();
        let which = if which as isize == -1 {
            None
        } else {
            Some(which)
        };
        match self.procs.wait(pid, which)? {
            Some((child, code)) => {
                if status != 0 {
                    lease::write_value(badge, 0, &code)?;
                }
                Ok(child)
            }
            None => Err(Fail::Block(Wait::Child(pid))),
        }
    }
}
