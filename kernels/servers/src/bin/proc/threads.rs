//! Threads and waiting: `thread_spawn`, `thread_exit`, `thread_join` and `wait`, as `mono`'s
//! `process.rs` and `proc_calls.rs`, under the one thread policy both kernels apply
//! (`services::threads`: the limit, join once, the last live thread's end ends the process).
//! Thread ids are the kernel's (a slot and a generation: an old id names no new thread). An
//! ended thread keeps its status, and its slot among its process's threads, until it is joined
//! or its process ends. `thread_join` and `wait` park until the thread ends or a child exits
//! (`Wait::Thread`, `Wait::Child`).

use abi::Errno;
use abi::ipc::Badge;
use servers::{Fail, Outcome, kernel, lease};
use services::proc::ProcTable;
use services::threads::Exit;
use services::{Pid, Wait, Wakes};

use crate::Proc;

impl Proc {
    /// `thread_spawn(entry, arg, stack_top)` in process `pid`: `EAGAIN` at the thread limit.
    pub fn thread_spawn(&mut self, pid: Pid, entry: usize, arg: usize, sp: usize) -> Outcome {
        self.processes.get(pid).ok_or(Errno::Srch)?.may_spawn()?;
        let tid = kernel::thread_new(pid, entry, arg, sp)?;
        if let Some(threads) = self.processes.get_mut(pid) {
            threads.add(tid);
        }
        Ok(tid)
    }

    /// `thread_exit(status)` of thread `tid` of `pid`: the last live thread's end ends the
    /// process with `status`; another ends alone and waits to be joined. Never answered.
    pub fn thread_exit(&mut self, pid: Pid, tid: usize, status: i32, wakes: &mut Wakes) -> Outcome {
        let exit = match self.processes.get_mut(pid) {
            Some(threads) => threads.exit(tid, status),
            None => Exit::Process(status),
        };
        match exit {
            Exit::Process(status) => self.end_process(pid, status, wakes),
            Exit::Thread => {
                let _ = kernel::thread_kill(tid);
                wakes.push(Wait::Thread(tid));
            }
        }
        Err(Fail::Gone)
    }

    /// `thread_join(tid)` by thread `me` of `pid`: the status once `tid` has ended. `EINVAL`
    /// for oneself, `ESRCH` for a thread that is not (or no longer) one of `pid`'s.
    pub fn thread_join(&mut self, pid: Pid, me: usize, tid: usize) -> Outcome {
        let threads = self.processes.get_mut(pid).ok_or(Errno::Srch)?;
        let status = threads.join(me, tid)?;
        Ok(status as u32 as usize)
    }

    /// `wait(pid, status)` by thread `badge` of `pid`: reaps an exited child (`which` = -1: any),
    /// writing its status to lease 0 unless `status` is null; parks while a matching child
    /// lives; `ECHILD` if there is none. The kernel checked the status lease before the call
    /// reached us, so the write cannot fail for a caller that is still there — no status is
    /// lost to a bad pointer.
    pub fn wait(&mut self, pid: Pid, badge: Badge, which: usize, status: usize) -> Outcome {
        let which = ProcTable::which(which)?;
        match self.procs.wait(pid, which)? {
            Some((child, code)) => {
                if status != 0 {
                    lease::write_value(badge, 0, &code)?;
                }
                Ok(child.raw())
            }
            None => Err(Fail::Block(Wait::Child(pid))),
        }
    }
}
