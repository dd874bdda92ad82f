//! Signals in proc: the system calls (`kill`, `sigaction`, `sigprocmask`, `sigreturn`,
//! `setpgid`, `getpgid`) over the shared policy (`services::signal`, which mono runs in its
//! kernel), and carrying its decisions out ([`Proc::act`]): a default action is proc's own
//! `end_process`; a handler is entered by the kernel on proc's request (`kcall::SIGNAL`), which
//! pushes the frame on the thread's stack and takes it out of a blocked call with `EINTR`. A
//! frame page not mapped yet is mapped by mem (`MEM_FAULT_FOR`, the pager's policy) and the
//! request made again; fs forgets a read or write the thread had parked there (`FS_CANCEL`), the
//! console an `alarm_wait` (`CON_CANCEL`).
//! When the signal is entered on the very thread whose call proc is answering ([`Proc::current`]), the kernel sets that call's result and proc replies nothing
//! ([`Proc::answered`]).

use abi::Errno;
use abi::ipc::{access, label, level};
use abi::signal::SIGCHLD;
use abi::types::exit;
use servers::{Fail, Outcome, kernel};
use services::signal::{Action, check_signal};
use services::{Pid, Wakes};

use crate::Proc;

/// The call proc is answering: its process, its thread, and the result it would return.
#[derive(Clone, Copy, Debug)]
pub struct Current {
    /// The caller's process.
    pub pid: Pid,
    /// The caller's thread.
    pub tid: usize,
    /// Its call's result.
    pub result: isize,
}

/// How often a delivery asks for a page of its frame before giving up.
const FRAME_PAGES: usize = 3;

impl Proc {
    /// Carries out what the policy says must happen to `pid` now, if anything. A handler
    /// entered on the thread whose call is being answered ([`Proc::current`]) answers that
    /// call ([`Proc::answered`]).
    pub fn act(&mut self, pid: Pid, wakes: &mut Wakes) {
        let d = match self.signals.next(pid) {
            None => return,
            Some(Action::Terminate(status)) => {
                self.end_process(pid, status, wakes);
                return;
            }
            Some(Action::Deliver(d)) => d,
        };
        let mine = self.current.filter(|c| c.pid == pid);
        let tid = match mine {
            Some(c) => c.tid,
            None => match self.processes.get(pid).and_then(|t| t.first_live()) {
                Some(t) => t,
                None => return,
            },
        };
        let result = mine.map_or(Errno::Intr.ret(), |c| c.result);
        // A call of that thread parked here (`wait`, `thread_join`), in fs (`read`, `write`,
        // `poll` …) or in the console (`alarm_wait`) is over: it fails with `EINTR`, and must
        // not be answered later. A thread has one call at a time: one parked in a server is in
        // no other, so the console is asked only if fs had none.
        let parked_here = self.pending.drop_thread(tid);
        if mine.is_none()
            && !parked_here
            && kernel::call(level::FS, label::FS_CANCEL, &[tid as u64], &mut []) != Ok(1)
        {
            let _ = kernel::call(level::CONSOLE, label::CON_CANCEL, &[tid as u64], &mut []);
        }
        for _ in 0..FRAME_PAGES {
            // `SA_RESTART` applies to a call parked here or in fs, never to the one answered.
            match kernel::signal(tid, &d, result, d.restart && mine.is_none()) {
                Ok(0) => {
                    self.answered |= mine.is_some();
                    return;
                }
                Ok(page) => {
                    let words = [pid.raw() as u64, page as u64, access::WRITE];
                    if kernel::call(level::MEM, label::MEM_FAULT_FOR, &words, &mut []).is_err() {
                        break;
                    }
                }
                Err(Errno::Again) => {
                    self.signals.undo(pid, d);
                    return;
                }
                Err(_) => break,
            }
        }
        servers::rt::say(format_args!(
            "micro: pid {pid} killed: no room for a signal frame on its stack"
        ));
        self.end_process(pid, exit::FAULT, wakes);
    }

    /// `kill(target, sig)`.
    pub fn kill(&mut self, a: &[usize; 6], wakes: &mut Wakes) -> Outcome {
        let sig = check_signal(a[1])?;
        let targets = self.signals.targets(a[0])?;
        for &p in &targets {
            let _ = self.signals.send(p, sig);
        }
        for &p in &targets {
            self.act(p, wakes);
        }
        Ok(0)
    }

    /// `sigprocmask(how, set)` by `pid`: unblocking may let a pending signal act at once.
    pub fn sigprocmask(&mut self, pid: Pid, a: &[usize; 6], wakes: &mut Wakes) -> Outcome {
        let old = self.signals.sigprocmask(pid, a[0], a[1] as u64)? as usize;
        if let Some(c) = self.current.as_mut() {
            c.result = old as isize;
        }
        self.act(pid, wakes);
        Ok(old)
    }

    /// `sigreturn(frame)`: the kernel restores the thread from its frame, and the mask comes
    /// back here. The thread waits for our answer still, so a signal the restored mask
    /// unblocks is entered before it runs on (as mono enters it on the way back to user mode),
    /// with the restored `a0` as the call's result; else the answer is that `a0`. A frame the
    /// kernel refuses ends the process.
    pub fn sigreturn(&mut self, pid: Pid, tid: usize, frame: usize, wakes: &mut Wakes) -> Outcome {
        match kernel::sig_return(tid, frame) {
            Ok((mask, a0)) => {
                self.signals.restore(pid, mask);
                if let Some(c) = self.current.as_mut() {
                    c.result = a0 as isize;
                }
                self.act(pid, wakes);
                Ok(a0 as usize)
            }
            Err(_) => {
                servers::rt::say(format_args!(
                    "micro: pid {pid} killed: bad signal frame at {frame:#x}"
                ));
                self.end_process(pid, exit::FAULT, wakes);
                Err(Fail::Gone)
            }
        }
    }

    /// `sigsuspend(mask)` (`sigprocmask(SUSPEND, mask)`) by `pid`: the mask is swapped and the call parks here (nothing wakes
    /// `Wait::Signal`) until [`Proc::act`] enters a handler on the thread (the call fails with
    /// `EINTR`) or ends the process; a signal deliverable at once acts now.
    pub fn sigsuspend(&mut self, pid: Pid, mask: usize, wakes: &mut Wakes) -> Outcome {
        self.signals.sigsuspend(pid, mask as u64)?;
        if !self.signals.deliverable(pid) {
            return Err(Fail::Block(services::Wait::Signal));
        }
        if let Some(c) = self.current.as_mut() {
            c.result = Errno::Intr.ret();
        }
        self.act(pid, wakes);
        Err(Errno::Intr.into())
    }

    /// A server's answer to a system call of `pid` raises `sig` (`label::RAISE`: `SIGPIPE` for
    /// `EPIPE`), the kernel sent the call on here: the signal acts now, and the call's `result`
    /// is the answer (returned by a handler entered, or given here).
    pub fn raise(&mut self, pid: Pid, sig: usize, result: isize, wakes: &mut Wakes) -> Outcome {
        if let Some(c) = self.current.as_mut() {
            c.result = result;
        }
        if abi::signal::valid(sig) && self.signals.send(pid, sig).is_ok() {
            self.act(pid, wakes);
        }
        Errno::check(result).map_err(Fail::Errno)
    }

    /// `tcsetpgrp(pgid)` by `me`: the console is told whether to watch its input while nobody
    /// reads (`services::tty`'s "Watching").
    pub fn tcsetpgrp(&mut self, me: Pid, pgid: usize) -> Outcome {
        let watch = self.signals.tcsetpgrp(me, pgid)?;
        kernel::call(level::CONSOLE, label::CON_WATCH, &[watch as u64], &mut [])?;
        Ok(0)
    }

    /// The console reported a Ctrl-C: `SIGINT` for the foreground group.
    pub fn interrupt(&mut self, wakes: &mut Wakes) {
        for p in self.signals.interrupt() {
            self.act(p, wakes);
        }
    }

    /// `setpgid(pid, pgid)` by `me`.
    pub fn setpgid(&mut self, me: Pid, a: &[usize; 6]) -> Outcome {
        let procs = &self.procs;
        self.signals.setpgid(me, a[0], a[1], |p| procs.parent(p))?;
        Ok(0)
    }

    /// `getpgid(pid)` by `me`.
    pub fn getpgid(&self, me: Pid, raw: usize) -> Outcome {
        let pid = if raw == 0 {
            Some(me)
        } else {
            Pid::from_raw(raw)
        };
        let g = pid.and_then(|p| self.signals.pgid(p)).ok_or(Errno::Srch)?;
        Ok(g.raw())
    }

    /// A child of `parent` ended: `SIGCHLD` (ignored unless it has a handler), before the
    /// parent's parked `wait` is retried, so a handler interrupts it with `EINTR` as on mono.
    pub fn child_ended(&mut self, parent: Pid, wakes: &mut Wakes) {
        if self.signals.send(parent, SIGCHLD).is_ok() && self.signals.deliverable(parent) {
            self.act(parent, wakes);
        }
    }
}
