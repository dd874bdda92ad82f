//! proc: `micro`'s process server. It owns the process table (`services::proc`) and each
//! process's threads, and answers `exit`, `getpid`, `kill`, `spawn`, `wait` and the thread
//! calls as `mono`'s `process.rs` and `proc_calls.rs` do; the kernel makes the address spaces
//! and threads it asks for, `fs` the fd tables and `mem` the memory policies (proc calls both:
//! they sit above it in the deadlock rule).
//!
//! - [`spawn`]: starting a process (and the first one, from the boot command line);
//! - [`threads`]: `thread_spawn`, `thread_exit`, `thread_join` and `wait`;
//! - [`signals`]: the signal calls, deciding with `services::signal` and having the kernel
//!   enter handlers, and the console's foreground group (a Ctrl-C arrives from the console as a
//!   notification, `bits::CONSOLE_INTR`);
//! - here: the state, the dispatch, `kill` and the end of a process.
//!
//! A process ends by `exit`, `kill`, the end of its last thread, or a fatal fault (which the
//! kernel reports as an `exit` from the faulting thread, with the status to give). Its end is
//! one sequence, [`Proc::end_process`]: the kernel ends its threads, fs closes its fds, mem
//! forgets its memory, its parked requests are dropped, and its parent's `wait`s are retried.
//! A thread of an ended process is never answered.
//!
//! The table outlives a restart of the server (`servers::serve::run`); parked `wait`s and
//! `thread_join`s do not (the kernel failed them with `EIO`: the caller asks again).

#![no_std]
#![no_main]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

mod signals;
mod spawn;
mod threads;

use alloc::string::String;
use alloc::vec::Vec;

use abi::Errno;
use abi::ipc::{label, level};
use abi::sys::Sys;
use abi::types::limits;
use servers::serve::{self, args};
use servers::{Args, Fail, Outcome, Pending, Server, kernel};
use services::proc::ProcTable;
use services::signal::Signals;
use services::threads::ProcThreads;
use services::{Pid, PidMap, Wait, Wakes};
use ucall::Message;

servers::entry!(c"proc", main);

/// The server's state.
pub struct Proc {
    /// Process ids, parents, exit statuses.
    procs: ProcTable,
    /// Live processes, each with its threads (live, or ended and not joined) under the shared
    /// thread policy (`services::threads`, mono's too), indexed by pid slot.
    processes: PidMap<ProcThreads>,
    /// Signal actions, masks, pending signals and process groups.
    signals: Signals,
    /// The call being answered (its thread may be the one a signal is entered on).
    current: Option<signals::Current>,
    /// Whether entering a handler answered the current call (proc then replies nothing).
    answered: bool,
    /// Parked `wait`s and `thread_join`s.
    pending: Pending,
    /// Where programs are copied from fs to be loaded; grown to the largest one.
    image: Vec<u8>,
}

fn main(args: Args) -> ! {
    serve::run(level::PROC, || start(&args))
}

/// The empty table and the first program (the first start only: a restart keeps the table and
/// never runs the first program again).
fn start(args: &Args) -> Proc {
    let mut proc = Proc {
        procs: ProcTable::new(limits::PROCESSES),
        processes: PidMap::new(),
        signals: Signals::new(),
        current: None,
        answered: false,
        pending: Pending::new(),
        image: alloc::vec![0; spawn::IMAGE_START],
    };
    // argv = ["proc", the boot command line's words…]
    let words: Vec<&str> = (1..args.len()).filter_map(|i| args.get(i)).collect();
    let line: String = words.join(" ");
    let (program, argv) = services::proc::first_command(&line);
    if let Err(e) = proc.spawn_first(&program, &argv) {
        servers::rt::say(format_args!("micro: cannot run {program}: {}", e.message()));
        kernel::halt(127);
    }
    proc
}

impl Server for Proc {
    fn pending(&mut self) -> &mut Pending {
        &mut self.pending
    }

    fn perform(&mut self, msg: &Message, wakes: &mut Wakes) -> Outcome {
        // `getpid` is answered from the badge alone: the kernel wrote the caller's pid there,
        // and a process's threads end (in the kernel) before its entry goes (here), so a
        // caller with a pid is a live process's. Only servers (pid 0) are refused. Everything
        // else is out of line, so this answer pays for no other call's registers.
        let pid = msg.badge.pid();
        if msg.tag.label() as usize == Sys::Getpid.number() && pid != 0 {
            return Ok(pid);
        }
        self.call(msg, wakes)
    }

    fn notified(&mut self, bits: u64, wakes: &mut Wakes) {
        if bits & abi::ipc::bits::CONSOLE_INTR != 0 {
            self.interrupt(wakes);
        }
    }
}

impl Proc {
    /// Every request but a program's `getpid`.
    #[inline(never)]
    fn call(&mut self, msg: &Message, wakes: &mut Wakes) -> Outcome {
        let raise = msg.tag.label() == label::RAISE;
        let sys = match Sys::from_number(msg.tag.label() as usize) {
            Some(sys) => Some(sys),
            None if raise => None,
            None => return Err(Errno::NoSys.into()),
        };
        let tid = msg.badge.tid();
        let Some(pid) = msg.badge.process().filter(|&p| self.processes.contains(p)) else {
            // Servers make no system calls; a thread of an ended process gets no answer.
            return Err(if msg.badge.pid() == 0 {
                Errno::Perm.into()
            } else {
                Fail::Gone
            });
        };
        let a = args(msg);
        self.current = Some(signals::Current {
            pid,
            tid,
            result: 0,
        });
        self.answered = false;
        let Some(sys) = sys else {
            let r = self.raise(pid, a[1], a[0] as isize, wakes);
            return self.answer(pid, r);
        };
        let r = match sys {
            Sys::Exit => {
                self.end_process(pid, a[0] as i32, wakes);
                Ok(0)
            }
            Sys::Getpid => Ok(pid.raw()),
            Sys::Kill => self.kill(&a, wakes),
            Sys::Sigaction => Ok(self.signals.sigaction(pid, a[0], a[1], a[2])?),
            Sys::Sigprocmask if a[0] == abi::signal::SUSPEND => self.sigsuspend(pid, a[1], wakes),
            Sys::Sigprocmask => self.sigprocmask(pid, &a, wakes),
            Sys::Sigreturn => self.sigreturn(pid, tid, a[0], wakes),
            Sys::Setpgid => self.setpgid(pid, &a),
            Sys::Getpgid => self.getpgid(pid, a[0]),
            Sys::Spawn => self.sys_spawn(pid, msg.badge, &a),
            Sys::Wait => self.wait(pid, msg.badge, a[0], a[1]),
            Sys::ThreadSpawn => self.thread_spawn(pid, a[0], a[1], a[2]),
            Sys::ThreadExit => self.thread_exit(pid, tid, a[0] as i32, wakes),
            Sys::ThreadJoin => self.thread_join(pid, tid, a[0]),
            Sys::Tcsetpgrp => self.tcsetpgrp(pid, a[0]),
            Sys::Tcgetpgrp => Ok(self.signals.tcgetpgrp()),
            Sys::Proclist => self.proclist(msg.badge, a[1]),
            Sys::SigactionFlags => {
                Ok(self
                    .signals
                    .sigaction_flags(pid, a[0], a[1], a[2], a[3] as u64, a[4])?)
            }
            _ => Err(Errno::NoSys.into()),
        };
        self.answer(pid, r)
    }

    /// The answer to the current call of `pid`, `r`, unless the call is over already.
    fn answer(&mut self, pid: Pid, r: Outcome) -> Outcome {
        self.current = None;
        // The caller's process may have ended meanwhile (exit, or kill of itself), or a handler
        // entered on the caller answered its call already.
        if self.processes.contains(pid) && !self.answered {
            r
        } else {
            Err(Fail::Gone)
        }
    }

    /// `proclist(buf, count)`: the first `count` entries into lease 0, the total returned.
    fn proclist(&self, badge: abi::ipc::Badge, count: usize) -> Outcome {
        let signals = &self.signals;
        let (bytes, total) = self.procs.list_bytes(|p| signals.pgid(p), count);
        if !bytes.is_empty() {
            servers::lease::write_all(badge, 0, &bytes)?;
        }
        Ok(total)
    }

    /// Ends process `pid` with `status`: its threads, fds, memory and parked requests; powers
    /// off if it is the first process; else it becomes a zombie and its parent's `wait`s are
    /// retried (through `wakes`). Nothing happens if `pid` is not live.
    fn end_process(&mut self, pid: Pid, status: i32, wakes: &mut Wakes) {
        if self.processes.remove(pid).is_none() {
            return;
        }
        end_space(pid);
        self.pending.drop_process(pid);
        self.signals.remove(pid);
        if pid == Pid::INIT {
            kernel::halt(status);
        }
        if let Some(parent) = self.procs.exit(pid, status) {
            self.child_ended(parent, wakes);
            wakes.push(Wait::Child(parent));
        }
    }
}

/// Ends process `pid` (or one that never got going): its address space (every thread, every
/// page), then its fds in fs and its memory records in mem. The kernel refuses only a pid that
/// cannot be a process's, which would be a bug here: reported on the console, never silently
/// taken for success. fs and mem may know nothing of `pid` yet; a failed call there leaves
/// nothing we could undo.
fn end_space(pid: Pid) {
    if let Err(e) = kernel::space_kill(pid) {
        servers::rt::say(format_args!(
            "proc: space_kill of process {pid} refused: {}",
            e.name()
        ));
    }
    let raw = pid.raw() as u64;
    let _ = kernel::call(level::FS, label::FS_EXIT, &[raw], &mut []);
    let _ = kernel::call(level::MEM, label::MEM_DROP, &[raw], &mut []);
}
