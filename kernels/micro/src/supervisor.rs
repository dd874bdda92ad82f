//! The supervisor: a server that faults is restarted from its image, and the kernel lives on.
//!
//! Policy (the simplest that keeps every caller answered): the faulting server's threads and
//! address space go; every thread whose message it had received and not answered gets `EIO` (a
//! forwarded system call returns `-EIO`, a `call` reports status `-EIO`; a page fault the pager
//! dropped kills the faulting process); threads still queued on its endpoint stay queued and are
//! served by the new instance, which starts from scratch (a restarted server's state is lost: for
//! the console server that is the line being typed, for the file server it would be every file,
//! which is why only stateless-enough servers survive a restart well). After
//! [`MAX_RESTARTS`] restarts of one server the machine powers off (status 255).

use alloc::vec::Vec;

use abi::Errno;
use abi::ipc::level;
use kcore::trap::Cause;
use kcore::{kprintln, power};

use crate::kernel::{Kernel, SERVER_SPACES, State};

/// Restarts one server may have.
pub const MAX_RESTARTS: u32 = 16;

impl Kernel {
    /// Server thread `tid` faulted with `cause` at `addr`: restart its server.
    pub fn restart_server(&mut self, tid: usize, cause: Cause, addr: usize) {
        let Some(ep) = self.server_of(tid) else {
            return;
        };
        let sid = SERVER_SPACES + ep;
        let pc = self.thread(tid).frame.pc;
        let name = self.spaces.get(&sid).map_or("?", |s| s.name.as_str());
        let (what, _) = cause.fatal();
        kprintln!(
            "{}: server {name} failed: {what} at {addr:#x}, pc {pc:#x}; restarting it",
            crate::NAME
        );
        let mine: Vec<usize> = self
            .spaces
            .get(&sid)
            .map_or(Vec::new(), |s| s.threads.clone());
        let callers: Vec<usize> = self
            .threads
            .iter()
            .filter(|(_, t)| matches!(t.state, State::Calling(s) if mine.contains(&s)))
            .map(|(&t, _)| t)
            .collect();
        for t in mine {
            self.remove_thread(t);
        }
        self.destroy_space(sid);
        for c in callers {
            if let Some(t) = self.complete(c, Err(Errno::Io)) {
                self.make_ready(t);
            }
        }
        let restarts = &mut self.restarts[ep.min(level::SERVERS)];
        *restarts += 1;
        if *restarts > MAX_RESTARTS {
            kprintln!("{}: server {ep} failed too often; giving up", crate::NAME);
            power::exit(255);
        }
        if ep == level::CONSOLE {
            // It may have died between an interrupt and its acknowledgement; and the file
            // server's waiting console reads must be retried so the new instance learns of them.
            self.plic.complete(self.uart_irq);
            let _ = self.notify(level::FS, abi::ipc::bits::CONSOLE_READY);
        }
        if let Err(e) = self.start_server(ep) {
            kprintln!(
                "{}: cannot restart server {ep}: {}",
                crate::NAME,
                e.message()
            );
            power::exit(255);
        }
    }
}
