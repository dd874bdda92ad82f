//! Faults. A program's page fault on an unmapped page becomes a message to the memory server,
//! the pager, sent on the faulting thread's behalf: the thread waits for the answer as if it had
//! called, and runs the faulting instruction again once the page is mapped. A refusal, or any
//! other exception, kills the process: the kernel prints mono's kill line and sends the process
//! server an `exit` on the thread's behalf, so the process ends the same way as by `exit`. A
//! server's fault goes to the [`supervisor`](crate::supervisor).

use abi::ipc::{Tag, level};
use abi::layout::PAGE_SIZE;
use abi::sys::Sys;
use kcore::trap::{Access, Cause};

use crate::kernel::{CallKind, EndpointId, Kernel, Parts, ThreadId};

impl Kernel {
    /// A page fault of thread `tid`.
    pub fn page_fault(&mut self, tid: ThreadId, access: Access) {
        let addr = kcore::csr::stval() as usize;
        let page = addr & !(PAGE_SIZE - 1);
        let cause = Cause::PageFault(access);
        let Some(sid) = self.space_of(tid) else {
            return;
        };
        if self.server_of(tid).is_some() {
            if self.server_fault_in(sid, page).is_err() {
                self.restart_server(tid, cause, addr);
            }
            return;
        }
        let mapped = self
            .spaces
            .get_mut(&sid)
            .is_some_and(|s| s.vm.lookup(page).is_some());
        if mapped {
            // Mapped already: the access itself is not allowed.
            self.kill_thread_process(tid, cause, addr, "");
            return;
        }
        if self
            .send(
                tid,
                EndpointId::server(level::MEM),
                pager_msg(addr, access),
                CallKind::Fault { cause, addr },
            )
            .is_err()
        {
            self.kill_thread_process(tid, cause, addr, "no pager");
        }
    }

    /// Any other exception of thread `tid`.
    pub fn fatal(&mut self, tid: ThreadId, cause: Cause, addr: usize, why: &str) {
        if self.server_of(tid).is_some() {
            self.restart_server(tid, cause, addr);
        } else {
            self.kill_thread_process(tid, cause, addr, why);
        }
    }

    /// Kills the process of thread `tid` for `cause`: the kill line, then an `exit` with the
    /// fault's status sent to the process server on the thread's behalf.
    pub fn kill_thread_process(&mut self, tid: ThreadId, cause: Cause, addr: usize, why: &str) {
        let Some(sid) = self.space_of(tid) else {
            return;
        };
        let pc = self.thread(tid).frame.pc;
        let (pid, name) = self
            .spaces
            .get(&sid)
            .map_or((0, "?"), |s| (s.pid, s.name.as_str()));
        let status = kcore::trap::report_kill(crate::NAME, pid, name, cause, addr, pc, why);
        let msg = (
            Tag::new(Sys::Exit.number() as u32, 1, 0),
            [status as u64, 0, 0, 0, 0, 0],
            &[][..],
        );
        if self
            .send(tid, EndpointId::server(level::PROC), msg, CallKind::Syscall)
            .is_err()
        {
            self.space_kill(sid);
        }
    }
}

/// The message asking the pager to map the page of `addr` for `access` (`MEM_FAULT`).
pub fn pager_msg(addr: usize, access: Access) -> Parts<'static> {
    let code = match access {
        Access::Read => abi::ipc::access::READ,
        Access::Write => abi::ipc::access::WRITE,
        Access::Execute => abi::ipc::access::EXECUTE,
    };
    (
        Tag::new(abi::ipc::label::MEM_FAULT, 2, 0),
        [addr as u64, code, 0, 0, 0, 0],
        &[],
    )
}
