//! Signals in mono: the system calls (`kill`, `sigaction`, `sigprocmask`, `sigreturn`,
//! `setpgid`, `getpgid`) over the shared policy (`services::signal`), and carrying its decisions
//! out at once ([`Kernel::act`]): a default action ends the process; a handler is entered by
//! pushing a frame on the chosen thread's user stack (written through that process's page
//! tables, active or not) and redirecting its saved registers (kcore's `signal`). A thread
//! blocked in a call leaves it with `EINTR` first. Nothing is checked on the way back to user
//! mode: a thread's registers already say where it resumes.

use abi::Errno;
use abi::signal::{SIGCHLD, SigFrame};
use abi::types::exit;
use kcore::sched::{NextTask, Run, SpaceId, ThreadId};
use kcore::trap::{TrapFrame, reg};
use kcore::uaccess::{self, Access, UserRange};
use services::Pid;
use services::signal::{Action, Delivery, check_signal};

use crate::kernel::{Caller, Kernel};

impl Kernel {
    /// Writes `bytes` at user address `addr` of the process of `space` (its pages checked for
    /// writing, faulted in if the policy allows), whether or not `space` is the active one.
    fn write_in(&mut self, space: SpaceId, addr: usize, bytes: &[u8]) -> Result<(), Errno> {
        let range = UserRange::new(addr, bytes.len())?;
        self.with_user(space, |mem, _, _| {
            range.check(mem, Access::Write)?;
            let mut done = 0;
            while done < bytes.len() {
                let va = addr + done;
                let page = va & !(abi::layout::PAGE_SIZE - 1);
                let (pa, _) = mem.space.lookup(page).ok_or(Errno::Fault)?;
                let n = (page + abi::layout::PAGE_SIZE - va).min(bytes.len() - done);
                // Safety: `pa` is the frame mapped at `page` (checked writable just now), RAM is
                // mapped 1:1 in the kernel, and `va - page + n` stays inside that page.
                unsafe {
                    core::ptr::copy_nonoverlapping(
                        bytes[done..].as_ptr(),
                        (pa + (va - page)) as *mut u8,
                        n,
                    )
                };
                done += n;
            }
            Ok(())
        })?
    }

    /// Carries out what the policy says must happen to process `pid` now, if anything. `cur` is
    /// the trapping thread's process and registers, if a call of it is the cause: a handler for
    /// its own process is entered on it.
    pub fn act(&mut self, pid: Pid, cur: Option<(Pid, &mut TrapFrame)>) {
        let Some(space) = self.processes.find(pid) else {
            return;
        };
        match self.signals.next(pid) {
            None => {}
            Some(Action::Terminate(status)) => self.exit_process(space, status),
            Some(Action::Deliver(d)) => {
                if let Some((mine, cur)) = cur
                    && mine == pid
                {
                    if self.enter(space, cur, d).is_err() {
                        self.bad_stack(space, pid);
                    }
                    return;
                }
                let Some(tid) = self
                    .processes
                    .get(space)
                    .and_then(|p| p.threads.first_live())
                    .and_then(|t| ThreadId::from_raw(t as u32))
                else {
                    return;
                };
                if self.sched.threads.current() == Some(tid) {
                    // The trapping thread, reached without its registers (a `SIGCHLD` for the
                    // `kill` of its child): the call enters it before it returns.
                    self.signals.undo(pid, d);
                    return;
                }
                let Some(t) = self.sched.threads.get(tid) else {
                    return;
                };
                // The thread's registers are saved once, changed in the saved copy as its
                // call ends, and redirected in place: no copy of them is taken and put back.
                let run = t.run();
                let Ok(addr) = kcore::signal::frame_address(t.data.frame.regs[reg::SP]) else {
                    self.bad_stack(space, pid);
                    return;
                };
                let mut saved = kcore::signal::save(&t.data.frame, d.sig, d.mask);
                let intr = Errno::Intr.ret() as u64;
                match run {
                    // Parked past its `ecall`, like a sleeper (`crate::ipc::futex_wait`).
                    Run::Blocked(services::Wait::Futex(_)) => saved.regs[reg::A0] = intr,
                    // Parked with `sepc` on its `ecall` (it would retry): with `SA_RESTART` it
                    // makes the call again after the handler (`sigsuspend` never does).
                    Run::Blocked(w) if d.restart && w != services::Wait::Signal => {}
                    // Otherwise the call fails instead.
                    Run::Blocked(_) => {
                        saved.pc += 4;
                        saved.regs[reg::A0] = intr;
                    }
                    Run::Sleeping(_) => saved.regs[reg::A0] = intr,
                    Run::Ready => {}
                }
                if self
                    .write_in(space, addr, kcore::signal::frame_bytes(&saved))
                    .is_err()
                {
                    self.bad_stack(space, pid);
                    return;
                }
                if let Some(t) = self.sched.threads.get_mut(tid) {
                    kcore::signal::redirect(
                        &mut t.data.frame,
                        addr,
                        d.sig,
                        d.handler,
                        d.trampoline,
                    );
                }
                if run != Run::Ready {
                    // Out of its call: a `poll` deadline ends with it (a restarted call
                    // starts its timeout afresh, as micro's does).
                    self.sched.threads.set_deadline(tid, None);
                    self.sched.threads.ready(tid);
                }
            }
        }
    }

    /// Redirects `frame`, a thread of the process of `space`, into handler `d`.
    fn enter(&mut self, space: SpaceId, frame: &mut TrapFrame, d: Delivery) -> Result<(), Errno> {
        // `frame` is unchanged if the write fails (the process then ends anyway).
        kcore::signal::enter_handler(frame, d.sig, d.handler, d.trampoline, d.mask, |a, f| {
            self.write_in(space, a, kcore::signal::frame_bytes(f))
        })
    }

    /// A handler could not be entered (its stack cannot take the frame): the process ends as
    /// by a fault.
    fn bad_stack(&mut self, space: SpaceId, pid: Pid) {
        kcore::kprintln!(
            "{}: pid {pid} killed: no room for a signal frame on its stack",
            crate::NAME
        );
        self.exit_process(space, exit::FAULT);
    }

    /// A child of `parent` ended: `SIGCHLD` (ignored unless it has a handler). Called before
    /// the parent is woken from `wait`, so a handler interrupts that `wait` with `EINTR` on both
    /// kernels alike.
    pub fn child_ended(&mut self, parent: Pid) {
        if self.signals.send(parent, SIGCHLD).is_err() || !self.signals.deliverable(parent) {
            return;
        }
        // The parent is not the ending process: no trapping thread's frame is involved.
        self.act(parent, None);
    }
}

/// `kill(pid, sig)`: every target gets the signal, then each acts on it; the caller's own
/// result (0) is set first, so a handler entered on the caller returns it after `sigreturn`.
pub fn kill(k: &mut Kernel, f: &mut TrapFrame) -> NextTask {
    let me = k.caller();
    let targets = match check_signal(f.arg(1)).and_then(|_| k.signals.targets(f.arg(0))) {
        Ok(t) => t,
        Err(e) => {
            f.set_return(e.ret());
            return NextTask::Same;
        }
    };
    let sig = f.arg(1);
    for &p in &targets {
        let _ = k.signals.send(p, sig);
    }
    f.set_return(0);
    for &p in &targets {
        k.act(p, Some((me.pid, &mut *f)));
    }
    if k.sched.threads.get(me.tid).is_some() {
        // A signal the kill caused for the caller (its child's `SIGCHLD`).
        k.act(me.pid, Some((me.pid, &mut *f)));
    }
    after(k, me)
}

/// `sigaction(sig, handler, trampoline)`.
pub fn sigaction(k: &mut Kernel, f: &mut TrapFrame) -> NextTask {
    let me = k.caller();
    let r = k.signals.sigaction(me.pid, f.arg(0), f.arg(1), f.arg(2));
    f.set_return(r.map_or_else(|e| e.ret(), |v| v as isize));
    NextTask::Same
}

/// `sigaction_flags(sig, handler, trampoline, mask, flags)`.
pub fn sigaction_flags(k: &mut Kernel, f: &mut TrapFrame) -> NextTask {
    let me = k.caller();
    let r = k.signals.sigaction_flags(
        me.pid,
        f.arg(0),
        f.arg(1),
        f.arg(2),
        f.arg(3) as u64,
        f.arg(4),
    );
    f.set_return(r.map_or_else(|e| e.ret(), |v| v as isize));
    NextTask::Same
}

/// `sigprocmask(SUSPEND, mask)`, i.e. `sigsuspend(mask)`: the mask is swapped and the caller waits (`sepc` on its `ecall`, as a
/// blocked call) until [`Kernel::act`] enters a handler (the call fails with `EINTR`) or ends
/// the process; a signal deliverable at once acts now.
fn sigsuspend(k: &mut Kernel, f: &mut TrapFrame) -> NextTask {
    let me = k.caller();
    if let Err(e) = k.signals.sigsuspend(me.pid, f.arg(1) as u64) {
        f.set_return(e.ret());
        return NextTask::Same;
    }
    if k.signals.deliverable(me.pid) {
        f.set_return(Errno::Intr.ret());
        k.act(me.pid, Some((me.pid, &mut *f)));
        return after(k, me);
    }
    f.pc -= 4;
    k.sched.threads.block(me.tid, services::Wait::Signal);
    NextTask::Other
}

/// A call of the current thread failed in a way that raises `sig` on its process (`SIGPIPE`
/// for `EPIPE`): the result is in `f` already; the signal acts at once (a handler returns to
/// that result; the default action ends the process).
#[inline(never)]
pub fn raise(k: &mut Kernel, f: &mut TrapFrame, sig: usize) -> NextTask {
    let me = k.caller();
    if k.signals.send(me.pid, sig).is_ok() {
        k.act(me.pid, Some((me.pid, &mut *f)));
    }
    after(k, me)
}

/// `sigprocmask(how, set)`: unblocking may let a pending signal act at once.
pub fn sigprocmask(k: &mut Kernel, f: &mut TrapFrame) -> NextTask {
    if f.arg(0) == abi::signal::SUSPEND {
        return sigsuspend(k, f);
    }
    let me = k.caller();
    match k.signals.sigprocmask(me.pid, f.arg(0), f.arg(1) as u64) {
        Ok(old) => f.set_return(old as isize),
        Err(e) => {
            f.set_return(e.ret());
            return NextTask::Same;
        }
    }
    k.act(me.pid, Some((me.pid, &mut *f)));
    after(k, me)
}

/// `sigreturn(frame)`: the registers and mask saved at `frame` come back; a frame that cannot be
/// read or is not the kernel's ends the process (never the kernel).
pub fn sigreturn(k: &mut Kernel, f: &mut TrapFrame) -> NextTask {
    let me = k.caller();
    let addr = f.arg(0);
    let saved = k
        .with_user(me.space, |mem, _, _| uaccess::read::<SigFrame>(mem, addr))
        .and_then(|r| r);
    let mask = match saved.and_then(|s| kcore::signal::leave_handler(f, &s)) {
        Ok(m) => m,
        Err(_) => {
            kcore::kprintln!(
                "{}: pid {} killed: bad signal frame at {addr:#x}",
                crate::NAME,
                me.pid
            );
            k.exit_process(me.space, exit::FAULT);
            return NextTask::Other;
        }
    };
    k.signals.restore(me.pid, mask);
    k.act(me.pid, Some((me.pid, &mut *f)));
    after(k, me)
}

/// `setpgid(pid, pgid)`.
pub fn setpgid(k: &mut Kernel, f: &mut TrapFrame) -> NextTask {
    let me = k.caller();
    let procs = &k.procs;
    let r = k
        .signals
        .setpgid(me.pid, f.arg(0), f.arg(1), |p| procs.parent(p));
    f.set_return(r.map_or_else(|e| e.ret(), |()| 0));
    NextTask::Same
}

/// `getpgid(pid)`.
pub fn getpgid(k: &mut Kernel, f: &mut TrapFrame) -> NextTask {
    let me = k.caller();
    let pid = match f.arg(0) {
        0 => Some(me.pid),
        raw => Pid::from_raw(raw),
    };
    let r = pid.and_then(|p| k.signals.pgid(p)).ok_or(Errno::Srch);
    f.set_return(r.map_or_else(|e| e.ret(), |g| g.raw() as isize));
    NextTask::Same
}

/// `tcsetpgrp(pgid)`: the console watches its input while the foreground is another group's.
pub fn tcsetpgrp(k: &mut Kernel, f: &mut TrapFrame) -> NextTask {
    let me = k.caller();
    let r = k.signals.tcsetpgrp(me.pid, f.arg(0)).map(|watch| {
        k.tty.set_watch(watch);
        k.console_listen();
    });
    f.set_return(r.map_or_else(|e| e.ret(), |()| 0));
    NextTask::Same
}

/// What runs after a signal call of `me`: itself, unless the call ended it.
fn after(k: &mut Kernel, me: Caller) -> NextTask {
    if k.sched.threads.get(me.tid).is_none() {
        NextTask::Other
    } else {
        NextTask::Same
    }
}
