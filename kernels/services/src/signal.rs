//! Signal policy both kernels apply: per process, the action of each signal (default, ignore, a
//! handler), the mask, the pending set and the process group; who a `kill` reaches; and what
//! happens next to a process ([`Signals::next`]): nothing, the end of the process (a default
//! action), or a handler to enter ([`Delivery`]).
//!
//! How the kernels carry a decision out. Both decide at the moment something changes — a
//! `kill`, a `sigprocmask` or `sigreturn` that unblocks, a child's exit (`SIGCHLD`) — and act at
//! once, so returning to user mode costs nothing extra on any path: the thread that is to run the
//! handler gets a [`abi::signal::SigFrame`] pushed on its user stack and its saved registers
//! redirected into the handler (`a0` = the signal, `ra` = the trampoline, `sp` = the frame); a
//! thread blocked in a system call is taken out of it first, the call failing with `EINTR`.
//! - `mono` runs this table in the kernel and redirects the thread itself (writing the frame
//!   through the target's address space).
//! - `micro`'s `proc` server runs this table (it owns processes) and asks the kernel to redirect
//!   the thread (`kcall::SIGNAL`; the kernel writes the frame and ends a blocked call with
//!   `EINTR`); the default action is proc's own `end_process`. `sigreturn` is forwarded to proc,
//!   which has the kernel restore the registers from the frame (`kcall::SIG_RETURN`, the mask
//!   comes back) and restores the mask here.
//!
//! A handler runs with its signal and its `sa_mask` blocked; one signal is entered at a time
//! (the next pending one when the handler's `sigreturn` restores the mask). A handler installed
//! with `SA_RESTART` makes a blocking call it interrupts start again after `sigreturn` instead
//! of failing with `EINTR` ([`Delivery::restart`]; `sleep`, `futex_wait` and `sigsuspend`
//! always fail). `sigsuspend` swaps the mask until a handler is entered, whose frame then keeps
//! the mask from before. A system call failing with `EPIPE` raises `SIGPIPE` on its caller
//! ([`raised_by`]; the call still returns `EPIPE` when the signal is ignored, blocked or
//! handled). Left out: queued signals, `SIGSTOP`/`SIGCONT`.
//!
//! The console's foreground group (`tcsetpgrp`) is kept here too, since it names a group: a
//! Ctrl-C typed on the console becomes `SIGINT` for that group ([`Signals::interrupt`]).

use abi::Errno;
use abi::signal::{self, NSIG, SIG_DFL, SIG_IGN, SIGCHLD, SIGKILL, bit};
use alloc::vec::Vec;

use crate::{Pid, PidMap};

/// One process's signal state.
#[derive(Clone, Debug)]
struct State {
    /// Each signal's handler: [`SIG_DFL`], [`SIG_IGN`] or an address.
    handlers: [usize; NSIG],
    /// Each signal's `sa_mask`: more signals blocked while its handler runs.
    masks: [u64; NSIG],
    /// The signals whose handler was installed with `SA_RESTART`.
    restart: u64,
    /// In `sigsuspend`: the mask to restore when a handler is entered.
    suspended: Option<u64>,
    /// The trampoline given with the last handler installed.
    trampoline: usize,
    /// Blocked signals.
    mask: u64,
    /// Sent, not yet acted on.
    pending: u64,
    /// The process group.
    pgid: Pid,
}

/// A handler to enter: what the kernel needs to build the frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The signal.
    pub sig: usize,
    /// The handler's address (`pc`).
    pub handler: usize,
    /// Where it returns (`ra`).
    pub trampoline: usize,
    /// The mask to save in the frame, which `sigreturn` restores.
    pub mask: u64,
    /// A blocking call the handler interrupts starts again after it (`SA_RESTART`) instead
    /// of failing with `EINTR`.
    pub restart: bool,
}

/// What happens to a process now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// It ends with this status (128 + the signal: a default action).
    Terminate(i32),
    /// It enters a handler.
    Deliver(Delivery),
}

/// Signals never blocked.
const UNBLOCKABLE: u64 = bit(SIGKILL);

/// The bits a mask may have: signals `1..NSIG` but the unblockable ones (so a mask is a
/// non-negative system-call result).
const BLOCKABLE: u64 = ((1 << NSIG) - 2) & !UNBLOCKABLE;

/// The default action of `sig` is to ignore it.
const fn ignored_by_default(sig: usize) -> bool {
    sig == SIGCHLD
}

/// The processes a `kill` reaches ([`Signals::targets`]), in pid order: one, or a group's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Targets {
    /// One process (`kill(pid, …)` with `pid` > 0).
    One(Pid),
    /// The live members of a process group.
    Group(Vec<Pid>),
}

impl core::ops::Deref for Targets {
    type Target = [Pid];

    fn deref(&self) -> &[Pid] {
        match self {
            Targets::One(p) => core::slice::from_ref(p),
            Targets::Group(v) => v,
        }
    }
}

impl<'a> IntoIterator for &'a Targets {
    type Item = &'a Pid;
    type IntoIter = core::slice::Iter<'a, Pid>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The signal state of every live process, by pid.
#[derive(Debug, Default)]
pub struct Signals {
    states: PidMap<State>,
    /// The console's foreground group (`tcsetpgrp`), which a Ctrl-C interrupts.
    foreground: Option<Pid>,
}

impl Signals {
    /// No process.
    pub fn new() -> Signals {
        Signals {
            states: PidMap::new(),
            foreground: None,
        }
    }

    /// A new process `pid`, child of `parent`: default actions, nothing blocked or pending, in
    /// its parent's group (its own, numbered `pid`, without a parent).
    pub fn add(&mut self, pid: Pid, parent: Option<Pid>) -> Result<(), Errno> {
        let pgid = parent
            .and_then(|p| self.states.get(p))
            .map_or(pid, |s| s.pgid);
        let state = State {
            handlers: [SIG_DFL; NSIG],
            masks: [0; NSIG],
            restart: 0,
            suspended: None,
            trampoline: 0,
            mask: 0,
            pending: 0,
            pgid,
        };
        self.states.remove(pid);
        self.states.insert(pid, state)
    }

    /// Process `pid` has ended.
    pub fn remove(&mut self, pid: Pid) {
        self.states.remove(pid);
    }

    fn state(&mut self, pid: Pid) -> Result<&mut State, Errno> {
        self.states.get_mut(pid).ok_or(Errno::Srch)
    }

    /// `sigaction(sig, handler, trampoline)` by `pid` → the previous handler. `EINVAL` for a bad
    /// number or `SIGKILL`. Ignoring a signal drops it if pending. The handler gets no
    /// `sa_mask` and no flags (as [`Signals::sigaction_flags`] with 0 and 0).
    pub fn sigaction(
        &mut self,
        pid: Pid,
        sig: usize,
        handler: usize,
        trampoline: usize,
    ) -> Result<usize, Errno> {
        self.sigaction_flags(pid, sig, handler, trampoline, 0, 0)
    }

    /// `sigaction_flags(sig, handler, trampoline, mask, flags)` by `pid` → the previous
    /// handler: as [`Signals::sigaction`], with `mask` (`sa_mask`) blocked while the handler
    /// runs and `flags` from [`abi::signal`] (`SA_RESTART`). `EINVAL` for unknown flags.
    pub fn sigaction_flags(
        &mut self,
        pid: Pid,
        sig: usize,
        handler: usize,
        trampoline: usize,
        mask: u64,
        flags: usize,
    ) -> Result<usize, Errno> {
        if !signal::valid(sig) || sig == SIGKILL || flags & !signal::SA_RESTART != 0 {
            return Err(Errno::Inval);
        }
        let s = self.state(pid)?;
        let old = core::mem::replace(&mut s.handlers[sig], handler);
        s.masks[sig] = mask & BLOCKABLE;
        if flags & signal::SA_RESTART != 0 {
            s.restart |= bit(sig);
        } else {
            s.restart &= !bit(sig);
        }
        if handler > SIG_IGN {
            s.trampoline = trampoline;
        }
        if handler == SIG_IGN || (handler == SIG_DFL && ignored_by_default(sig)) {
            s.pending &= !bit(sig);
        }
        Ok(old)
    }

    /// `sigprocmask(how, set)` by `pid` → the previous mask. `EINVAL` for a bad `how` (the
    /// kernels take [`abi::signal::SUSPEND`] to [`Signals::sigsuspend`] first).
    pub fn sigprocmask(&mut self, pid: Pid, how: usize, set: u64) -> Result<u64, Errno> {
        let s = self.state(pid)?;
        let old = s.mask;
        s.mask = match how {
            signal::BLOCK => old | set,
            signal::UNBLOCK => old & !set,
            signal::SETMASK => set,
            _ => return Err(Errno::Inval),
        } & BLOCKABLE;
        Ok(old)
    }

    /// `sigreturn`: `pid`'s mask becomes `mask` again (from the frame, so never trusted to
    /// block `SIGKILL`).
    pub fn restore(&mut self, pid: Pid, mask: u64) {
        if let Ok(s) = self.state(pid) {
            s.mask = mask & BLOCKABLE;
        }
    }

    /// Signal `sig` (valid, or 0 for none) is sent to `pid`: pending unless its action is to
    /// ignore it. `ESRCH` if `pid` has no state here.
    pub fn send(&mut self, pid: Pid, sig: usize) -> Result<(), Errno> {
        let s = self.state(pid)?;
        if sig == 0 {
            return Ok(());
        }
        let h = s.handlers[sig];
        if h == SIG_IGN || (h == SIG_DFL && ignored_by_default(sig)) {
            return Ok(());
        }
        s.pending |= bit(sig);
        Ok(())
    }

    /// What happens to `pid` now: the lowest pending signal not blocked is taken; its default
    /// action ends the process, a handler is entered with the signal added to the mask (the
    /// [`Delivery`] carries the mask to restore). `None` if nothing is deliverable.
    pub fn next(&mut self, pid: Pid) -> Option<Action> {
        let s = self.states.get_mut(pid)?;
        let ready = s.pending & !(s.mask & !UNBLOCKABLE);
        if ready == 0 {
            return None;
        }
        let sig = ready.trailing_zeros() as usize;
        s.pending &= !bit(sig);
        let handler = s.handlers[sig];
        if handler == SIG_DFL || sig == SIGKILL {
            return Some(Action::Terminate(128 + sig as i32));
        }
        let suspended = s.suspended.take();
        let d = Delivery {
            sig,
            handler,
            trampoline: s.trampoline,
            mask: suspended.unwrap_or(s.mask),
            restart: suspended.is_none() && s.restart & bit(sig) != 0,
        };
        s.mask |= bit(sig) | s.masks[sig];
        s.mask &= BLOCKABLE;
        Some(Action::Deliver(d))
    }

    /// Takes back delivery `d` to `pid`, which could not be carried out yet: the signal is
    /// pending again and the mask as before.
    pub fn undo(&mut self, pid: Pid, d: Delivery) {
        if let Ok(s) = self.state(pid) {
            s.pending |= bit(d.sig);
            s.mask = d.mask;
        }
    }

    /// `sigsuspend(set)` by `pid`: the mask becomes `set` until a handler is entered, whose
    /// frame saves the mask from before (so `sigreturn` restores it). Made again after a
    /// wake-up, it keeps the first saved mask. The caller then waits ([`Signals::deliverable`]
    /// false) or acts at once.
    pub fn sigsuspend(&mut self, pid: Pid, set: u64) -> Result<(), Errno> {
        let s = self.state(pid)?;
        if s.suspended.is_none() {
            s.suspended = Some(s.mask);
        }
        s.mask = set & BLOCKABLE;
        Ok(())
    }

    /// Whether `pid` has a signal to act on ([`Signals::next`] would say something).
    pub fn deliverable(&self, pid: Pid) -> bool {
        self.states
            .get(pid)
            .is_some_and(|s| s.pending & !(s.mask & !UNBLOCKABLE) != 0)
    }

    /// The group of `pid`.
    pub fn pgid(&self, pid: Pid) -> Option<Pid> {
        self.states.get(pid).map(|s| s.pgid)
    }

    /// `setpgid(pid, pgid)` by `caller`, where `parent_of(pid)` is `pid`'s parent: `pid` 0 is
    /// the caller, `pgid` 0 is `pid` itself. Only the caller itself or a child of it (`ESRCH`);
    /// the group must be `pid`'s own number or an existing group (`EPERM`).
    pub fn setpgid(
        &mut self,
        caller: Pid,
        pid: usize,
        pgid: usize,
        parent_of: impl Fn(Pid) -> Option<Pid>,
    ) -> Result<(), Errno> {
        let pid = if pid == 0 {
            caller
        } else {
            Pid::from_raw(pid).ok_or(Errno::Srch)?
        };
        if !self.states.contains(pid) || (pid != caller && parent_of(pid) != Some(caller)) {
            return Err(Errno::Srch);
        }
        let pgid = if pgid == 0 {
            pid
        } else {
            Pid::from_raw(pgid).ok_or(Errno::Inval)?
        };
        if pgid != pid && !self.states.iter().any(|(_, s)| s.pgid == pgid) {
            return Err(Errno::Perm);
        }
        self.state(pid)?.pgid = pgid;
        Ok(())
    }

    /// The processes `kill(target)` reaches: `target` > 0 is one process, < 0 the group
    /// `-target`, each live here; `ESRCH` if none (0 and -1 name nobody here). One process
    /// (the usual `kill`) is answered without an allocation.
    pub fn targets(&self, target: usize) -> Result<Targets, Errno> {
        let raw = target as isize;
        if raw > 0 {
            return Pid::from_raw(target)
                .filter(|&p| self.states.contains(p))
                .map(Targets::One)
                .ok_or(Errno::Srch);
        }
        let group = raw
            .checked_neg()
            .and_then(|g| Pid::from_raw(g as usize))
            .ok_or(Errno::Srch)?;
        let found: Vec<Pid> = self
            .states
            .iter()
            .filter(|(_, s)| s.pgid == group)
            .map(|(p, _)| p)
            .collect();
        if found.is_empty() {
            return Err(Errno::Srch);
        }
        Ok(Targets::Group(found))
    }

    /// The live processes of group `pgid`.
    pub fn group(&self, pgid: Pid) -> Vec<Pid> {
        self.states
            .iter()
            .filter(|(_, s)| s.pgid == pgid)
            .map(|(p, _)| p)
            .collect()
    }

    /// `tcsetpgrp(pgid)` by `caller` (`pgid` 0: the caller's group): group `pgid` becomes the
    /// console's foreground group. `EPERM` if no live process is in it. Returns whether the
    /// console must watch its input while nobody reads: the foreground was handed to another
    /// group than the caller's (a shell starting a job), so a Ctrl-C must reach a job that never
    /// reads; a shell taking the console back (its own group) returns it to reading only for
    /// readers.
    pub fn tcsetpgrp(&mut self, caller: Pid, pgid: usize) -> Result<bool, Errno> {
        let own = self.pgid(caller).ok_or(Errno::Srch)?;
        let pgid = if pgid == 0 {
            own
        } else {
            Pid::from_raw(pgid).ok_or(Errno::Inval)?
        };
        if !self.states.iter().any(|(_, s)| s.pgid == pgid) {
            return Err(Errno::Perm);
        }
        self.foreground = Some(pgid);
        Ok(pgid != own)
    }

    /// `tcgetpgrp()`: the console's foreground group, 0 if none was set.
    pub fn tcgetpgrp(&self) -> usize {
        self.foreground.map_or(0, Pid::raw)
    }

    /// A Ctrl-C was typed: every live process of the foreground group gets `SIGINT` (made
    /// pending, unless ignored); the processes to act on next, none without a foreground group.
    pub fn interrupt(&mut self) -> Vec<Pid> {
        let Some(fg) = self.foreground else {
            return Vec::new();
        };
        let group = self.group(fg);
        for &p in &group {
            let _ = self.send(p, signal::SIGINT);
        }
        group
    }
}

/// The signal a system call's failure `e` raises on its caller: `SIGPIPE` for `EPIPE` (a
/// write to a pipe, fifo or socket nobody reads), none for the rest.
pub fn raised_by(e: Errno) -> Option<usize> {
    (e == Errno::Pipe).then_some(signal::SIGPIPE)
}

/// `kill`'s signal argument: 0 (existence check) or a signal number; `EINVAL` otherwise.
pub fn check_signal(sig: usize) -> Result<usize, Errno> {
    if sig == 0 || signal::valid(sig) {
        Ok(sig)
    } else {
        Err(Errno::Inval)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use abi::signal::{BLOCK, SETMASK, SIGINT, SIGTERM, SIGUSR1, SIGUSR2, UNBLOCK};

    fn p(n: usize) -> Pid {
        Pid::from_raw(n).unwrap()
    }

    fn table() -> Signals {
        let mut s = Signals::new();
        s.add(p(1), None).unwrap();
        s.add(p(2), Some(p(1))).unwrap();
        s
    }

    #[test]
    fn a_default_action_terminates_with_128_plus_the_signal() {
        let mut s = table();
        s.send(p(2), SIGTERM).unwrap();
        assert_eq!(s.next(p(2)), Some(Action::Terminate(128 + 15)));
        assert_eq!(s.next(p(2)), None);
    }

    #[test]
    fn sigchld_and_ignored_signals_are_dropped() {
        let mut s = table();
        s.send(p(1), SIGCHLD).unwrap();
        assert_eq!(s.next(p(1)), None);
        s.sigaction(p(1), SIGINT, SIG_IGN, 0).unwrap();
        s.send(p(1), SIGINT).unwrap();
        assert!(!s.deliverable(p(1)));
    }

    #[test]
    fn a_handler_is_entered_with_its_signal_blocked_and_the_old_mask_saved() {
        let mut s = table();
        assert_eq!(s.sigaction(p(2), SIGUSR1, 0x4000, 0x5000), Ok(SIG_DFL));
        s.send(p(2), SIGUSR1).unwrap();
        let d = Delivery {
            sig: SIGUSR1,
            handler: 0x4000,
            trampoline: 0x5000,
            mask: 0,
            restart: false,
        };
        assert_eq!(s.next(p(2)), Some(Action::Deliver(d)));
        s.send(p(2), SIGUSR1).unwrap();
        assert_eq!(s.next(p(2)), None, "blocked while its handler runs");
        s.restore(p(2), d.mask);
        assert_eq!(s.next(p(2)), Some(Action::Deliver(d)), "after sigreturn");
    }

    #[test]
    fn a_mask_delays_a_signal_until_it_is_unblocked() {
        let mut s = table();
        s.sigaction(p(2), SIGUSR2, 0x4000, 0x5000).unwrap();
        s.sigprocmask(p(2), BLOCK, bit(SIGUSR2)).unwrap();
        s.send(p(2), SIGUSR2).unwrap();
        assert_eq!(s.next(p(2)), None);
        assert_eq!(s.sigprocmask(p(2), UNBLOCK, bit(SIGUSR2)), Ok(bit(SIGUSR2)));
        assert!(matches!(s.next(p(2)), Some(Action::Deliver(d)) if d.sig == SIGUSR2));
        assert_eq!(s.sigprocmask(p(2), 7, 0), Err(Errno::Inval));
    }

    #[test]
    fn sigkill_can_be_neither_caught_nor_blocked() {
        let mut s = table();
        assert_eq!(s.sigaction(p(2), SIGKILL, 0x4000, 0), Err(Errno::Inval));
        s.sigprocmask(p(2), SETMASK, u64::MAX).unwrap();
        let mask = s.sigprocmask(p(2), BLOCK, 0).unwrap();
        assert_eq!(
            mask,
            ((1 << NSIG) - 2) & !bit(SIGKILL),
            "every signal but SIGKILL"
        );
        s.send(p(2), SIGKILL).unwrap();
        assert_eq!(s.next(p(2)), Some(Action::Terminate(128 + 9)));
        s.restore(p(2), u64::MAX);
        s.send(p(2), SIGKILL).unwrap();
        assert_eq!(s.next(p(2)), Some(Action::Terminate(128 + 9)));
    }

    #[test]
    fn kill_reaches_a_process_or_a_group_and_nothing_else() {
        let mut s = table();
        s.add(p(3), Some(p(2))).unwrap();
        assert_eq!(s.targets(2).as_deref(), Ok(&[p(2)][..]));
        assert_eq!(s.targets(2), Ok(Targets::One(p(2))));
        assert_eq!(s.targets(99), Err(Errno::Srch));
        assert_eq!(s.targets(0), Err(Errno::Srch));
        assert_eq!(
            s.targets(-1isize as usize).as_deref(),
            Ok(&[p(1), p(2), p(3)][..])
        );
        s.setpgid(p(2), 0, 0, |c| (c == p(3)).then_some(p(2)))
            .unwrap();
        s.setpgid(p(2), 3, 2, |c| (c == p(3)).then_some(p(2)))
            .unwrap();
        assert_eq!(
            s.targets(-2isize as usize).as_deref(),
            Ok(&[p(2), p(3)][..])
        );
        assert_eq!(s.pgid(p(3)), Some(p(2)));
        assert_eq!(
            s.setpgid(p(3), 1, 0, |_| None),
            Err(Errno::Srch),
            "not its child"
        );
        assert_eq!(s.setpgid(p(3), 0, 40, |_| None), Err(Errno::Perm));
        assert_eq!(check_signal(NSIG), Err(Errno::Inval));
    }

    #[test]
    fn an_undone_delivery_stays_pending() {
        let mut s = table();
        s.sigaction(p(2), SIGUSR1, 0x4000, 0x5000).unwrap();
        s.send(p(2), SIGUSR1).unwrap();
        let Some(Action::Deliver(d)) = s.next(p(2)) else {
            panic!("a delivery")
        };
        s.undo(p(2), d);
        assert!(s.deliverable(p(2)));
        assert_eq!(s.sigprocmask(p(2), BLOCK, 0), Ok(0));
    }

    #[test]
    fn sa_mask_blocks_more_signals_in_the_handler_and_sa_restart_is_reported() {
        let mut s = table();
        let flags = signal::SA_RESTART;
        s.sigaction_flags(p(2), SIGUSR1, 0x4000, 0x5000, bit(SIGUSR2), flags)
            .unwrap();
        s.sigaction(p(2), SIGUSR2, 0x4100, 0x5000).unwrap();
        assert_eq!(
            s.sigaction_flags(p(2), SIGUSR1, 0x4000, 0x5000, 0, 0x80),
            Err(Errno::Inval),
            "unknown flag"
        );
        s.send(p(2), SIGUSR1).unwrap();
        let Some(Action::Deliver(d)) = s.next(p(2)) else {
            panic!("a delivery")
        };
        assert!(d.restart);
        assert_eq!(d.mask, 0);
        s.send(p(2), SIGUSR2).unwrap();
        assert_eq!(s.next(p(2)), None, "SIGUSR2 is in SIGUSR1's sa_mask");
        s.restore(p(2), d.mask);
        let Some(Action::Deliver(d2)) = s.next(p(2)) else {
            panic!("SIGUSR2 after sigreturn")
        };
        assert_eq!((d2.sig, d2.restart), (SIGUSR2, false));
    }

    #[test]
    fn sigsuspend_swaps_the_mask_until_a_handler_and_never_restarts() {
        let mut s = table();
        s.sigaction_flags(p(2), SIGUSR1, 0x4000, 0x5000, 0, signal::SA_RESTART)
            .unwrap();
        s.sigprocmask(p(2), SETMASK, bit(SIGUSR1)).unwrap();
        s.sigsuspend(p(2), 0).unwrap();
        s.sigsuspend(p(2), 0).unwrap();
        assert!(!s.deliverable(p(2)));
        s.send(p(2), SIGUSR1).unwrap();
        let Some(Action::Deliver(d)) = s.next(p(2)) else {
            panic!("a delivery")
        };
        assert_eq!(d.mask, bit(SIGUSR1), "the mask from before sigsuspend");
        assert!(!d.restart);
        assert_eq!(raised_by(Errno::Pipe), Some(signal::SIGPIPE));
        assert_eq!(raised_by(Errno::Intr), None);
    }

    #[test]
    fn ctrl_c_reaches_the_foreground_group_only_and_handing_it_away_turns_watching_on() {
        let mut s = table();
        s.add(p(3), Some(p(1))).unwrap();
        assert!(s.interrupt().is_empty(), "no foreground group yet");
        s.sigaction(p(1), SIGINT, SIG_IGN, 0).unwrap();
        s.setpgid(p(1), 2, 0, |c| (c != p(1)).then_some(p(1)))
            .unwrap();
        s.setpgid(p(1), 3, 2, |c| (c != p(1)).then_some(p(1)))
            .unwrap();
        assert_eq!(s.tcsetpgrp(p(1), 2), Ok(true), "handed to a job: watch");
        assert_eq!(s.tcgetpgrp(), 2);
        assert_eq!(s.interrupt(), [p(2), p(3)]);
        assert_eq!(s.next(p(2)), Some(Action::Terminate(128 + 2)));
        assert_eq!(s.next(p(3)), Some(Action::Terminate(128 + 2)));
        assert_eq!(s.next(p(1)), None, "the shell's group is not interrupted");
        assert_eq!(s.tcsetpgrp(p(1), 0), Ok(false), "taken back: no watch");
        assert_eq!(s.interrupt(), [p(1)]);
        assert_eq!(s.next(p(1)), None, "ignored");
        assert_eq!(s.tcsetpgrp(p(1), 9), Err(Errno::Perm), "no such group");
        assert_eq!(s.tcgetpgrp(), 1);
    }
}
