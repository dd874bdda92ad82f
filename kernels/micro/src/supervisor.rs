//! The supervisor: a server that fails is restarted with its state kept, and one that keeps
//! failing is declared dead; the kernel lives on either way.
//!
//! A restart (Minix 3's reincarnation server, with the state kept in place): the failed server's
//! threads go and its stack is unmapped, but its address space stays — code, `.data`, `.bss`
//! and heap, so every table it keeps (proc's processes, fs's files and fd tables, mem's address
//! space records, the console's line) — and a new thread starts at the image's entry with fresh
//! arguments. The server's runtime (`servers::rt`) sees that it ran before, adopts the state it
//! left and serves again (`servers::serve::run`). Every thread whose message it had received and
//! not answered gets `EIO` (a forwarded system call returns `-EIO`, a `call` reports `-EIO`, a
//! page fault the pager dropped kills the faulting process); those are also the requests the
//! restarted server forgets. Threads still queued on its endpoint stay queued and are served by
//! the new instance. Every other process carries on.
//!
//! The limit: a server that fails in the middle of an update (a bug, not an injected crash,
//! which comes at a message boundary) may leave that state half changed, and the new instance
//! works on from it. If that makes it fail again at once, the next rule ends the loop.
//!
//! A server that fails [`FAILURES`] times within [`WINDOW`] retired instructions is declared
//! dead: its space is freed, and every call to it — queued or future — fails with `EIO`. Such a
//! burst is a crash loop (a bug every request hits, or kept state that is broken), which
//! restarting cannot cure; isolated failures are restarted however many there are, so no number
//! of them adds up to a power-off. The machine runs on without the dead server — without `fs`,
//! files and the console fail with `EIO`; without `mem`, page faults kill; without `console`,
//! terminal I/O fails — except without `proc`, which alone can end a process (even the first
//! one, whose end powers the machine off): then the kernel says so and powers off (status 255).

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use abi::Errno;
use abi::ipc::level;
use abi::layout::{PAGE_SIZE, STACK_BASE, STACK_TOP};
use kcore::trap::{Cause, TrapFrame};
use kcore::{csr, kprintln, loader, power};

use crate::images;
use kcore::sched::Run;

use crate::kernel::{EndpointId, Kernel, ThreadId, Wait};

/// Failures within [`WINDOW`] that declare a server dead.
pub const FAILURES: usize = 4;

/// The window of [`FAILURES`], in retired instructions (some 70 ms of guest time by default:
/// a crash loop fails within thousands).
pub const WINDOW: u64 = 50_000_000;

/// What the supervisor keeps about one server.
#[derive(Clone, Debug, Default)]
pub struct Supervised {
    /// Where its first thread starts (its image's entry), for a restart.
    pub entry: usize,
    /// `instret` at its failures within the last [`WINDOW`], oldest first.
    recent: Vec<u64>,
}

impl Supervised {
    /// Notes a failure at `now`; whether the server is now dead.
    fn failed(&mut self, now: u64) -> bool {
        self.recent.retain(|&t| now.saturating_sub(t) < WINDOW);
        self.recent.push(now);
        self.recent.len() >= FAILURES
    }
}

impl Kernel {
    /// Server thread `tid` faulted with `cause` at `addr`: restart its server, or declare it
    /// dead.
    pub fn restart_server(&mut self, tid: ThreadId, cause: Cause, addr: usize) {
        let Some(ep) = self.server_of(tid) else {
            return;
        };
        let Some(sid) = self.space_of(tid) else {
            return;
        };
        let pc = self.thread(tid).frame.pc;
        let name = self
            .spaces
            .get(&sid)
            .map_or(String::from("?"), |s| s.name.clone());
        let mine: Vec<ThreadId> = self
            .spaces
            .get(&sid)
            .map_or(Vec::new(), |s| s.threads.clone());
        let callers: Vec<ThreadId> = self
            .sched
            .threads
            .iter()
            .filter(|t| matches!(t.run(), Run::Blocked(Wait::Calling(s)) if mine.contains(&s)))
            .map(|t| t.id())
            .collect();
        for t in mine {
            self.remove_thread(t);
        }
        for c in callers {
            if let Some(t) = self.complete(c, Err(Errno::Io)) {
                self.make_ready(t);
            }
        }
        let (what, _) = cause.fatal();
        let dead = self.supervised[ep].failed(csr::instret());
        let then = if dead {
            "it failed too often: declared dead, its calls fail with EIO"
        } else {
            "restarting it"
        };
        kprintln!(
            "{}: server {name} failed: {what} at {addr:#x}, pc {pc:#x}; {then}",
            crate::NAME
        );
        if ep == level::CONSOLE {
            // It may have died between an interrupt and its acknowledgement; and the file
            // server's waiting console reads must be retried so they learn of the new instance
            // (or fail, if there is none).
            self.plic.complete(self.uart_irq);
            if let Some((_, irq)) = self.rtc {
                self.plic.complete(irq);
            }
            let _ = self.notify(EndpointId::server(level::FS), abi::ipc::bits::CONSOLE_READY);
        }
        if dead {
            self.bury(ep);
            return;
        }
        if let Err(e) = self.revive(ep) {
            kprintln!(
                "{}: cannot restart server {name}: {}; declared dead",
                crate::NAME,
                e.message()
            );
            self.bury(ep);
        }
    }

    /// The arguments server `ep` starts with: its name, then `proc` the boot command line's
    /// words, `fs` the initrd's length, `console` `rtc` when it drives the RTC too (and `raised` when the RTC has klab's
    /// `RAISED_*`).
    pub fn server_args(&self, ep: usize) -> Vec<String> {
        let mut args: Vec<String> = Vec::new();
        args.push(images::server(ep).map_or("?", |i| i.name).into());
        match ep {
            level::PROC => args.extend(self.bootargs.split_ascii_whitespace().map(String::from)),
            level::FS => args.push(self.initrd.len().to_string()),
            level::CONSOLE if self.rtc.is_some() => {
                args.push("rtc".into());
                if self.rtc_raised {
                    args.push("raised".into());
                }
            }
            _ => {}
        }
        args
    }

    /// Starts a new thread of server `ep` in the space it left: a fresh stack with its
    /// arguments, at its entry.
    fn revive(&mut self, ep: usize) -> Result<(), Errno> {
        let sid = self.spaces.of_server(ep).ok_or(Errno::Srch)?;
        self.unmap(sid, STACK_BASE, STACK_TOP)?;
        let args = self.server_args(ep);
        let argv: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        let space = self.spaces.get_mut(&sid).ok_or(Errno::Srch)?;
        let (sp, at) = loader::push_args(&mut space.vm, &mut self.frames, &argv)?;
        let mut page = sp & !(PAGE_SIZE - 1);
        while page < STACK_TOP {
            space.vm.fence(page, &self.asids);
            page += PAGE_SIZE;
        }
        let frame = TrapFrame::new(self.supervised[ep].entry, sp, argv.len(), at);
        let tid = self.new_thread(sid, frame)?;
        self.make_ready(tid);
        Ok(())
    }

    /// Declares server `ep` dead (its threads are gone): its endpoint fails every call with
    /// `EIO` from now on, those queued included, and its space is freed. Without `proc` no
    /// process can end, so the machine powers off.
    fn bury(&mut self, ep: usize) {
        let senders = match self.endpoints.get_mut(EndpointId::server(ep)) {
            Some(e) => {
                e.dead = true;
                e.receiver = None;
                e.bits = 0;
                core::mem::take(&mut e.senders)
            }
            None => Default::default(),
        };
        for s in senders {
            if let Some(t) = self.complete(s, Err(Errno::Io)) {
                self.make_ready(t);
            }
        }
        if let Some(sid) = self.spaces.of_server(ep) {
            self.destroy_space(sid);
        }
        if ep == level::PROC {
            kprintln!(
                "{}: without the process server no process can end; powering off",
                crate::NAME
            );
            power::exit(255);
        }
    }
}
