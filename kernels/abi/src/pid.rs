//! Process ids: a [`Pid`] names a slot of the process table and that slot's generation, so every
//! per-process table of both kernels and all servers is an array indexed by [`Pid::slot`] (the
//! seL4/Hubris way: no tree lookup), and a stale id — of a process reaped since — is recognised
//! by its generation and names nothing (`ESRCH`, `ECHILD`, …).
//!
//! ```text
//! pid = generation * SLOTS + slot + 1        slot in 0..SLOTS, SLOTS = limits::PROCESSES
//! slot 0: 1, 129, 257, …   slot 1: 2, 130, 258, …   (SLOTS = 128)
//! ```
//!
//! The process table hands out the lowest free slot, so the first processes get 1, 2, 3, … as
//! before. A slot's next pid is its [`Pid::successor`]: the next generation, or generation 0 again
//! once that would pass the largest pid ([`Pid::MAX`] = `i32::MAX`, so a pid is a positive `i32`
//! in every system call's result). A slot is free only when no pid of it is in use, so the
//! wrap-around never hands out a pid in use.
//!
//! Left out: the table itself (`services::proc`); what a pid is a process of.

use core::fmt;

use crate::types::limits;

/// A process id: slot and generation (see the module note). Never 0, at most [`Pid::MAX`]. Held
/// in a machine word, as every other id a [`crate`] user passes around: so a pid is a system
/// call's result with no conversion, and an enum of ids (`services::Wait`) stays one word of
/// payload per variant, compared in one instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(transparent)]
pub struct Pid(usize);

impl Pid {
    /// Slots of the process table: [`limits::PROCESSES`].
    pub const SLOTS: usize = limits::PROCESSES;

    /// The largest pid: pids are positive `i32`s.
    pub const MAX: usize = i32::MAX as usize;

    /// The first process's pid (init: slot 0, generation 0), the heir of orphans.
    pub const INIT: Pid = Pid(1);

    /// The pid of slot `slot` (`0..SLOTS`) in generation `generation`; the caller keeps it at
    /// most [`Pid::MAX`] ([`Pid::successor`] does).
    #[inline(always)]
    pub const fn new(slot: usize, generation: usize) -> Pid {
        Pid(generation * Pid::SLOTS + slot % Pid::SLOTS + 1)
    }

    /// The pid a number names (a system call's argument, a badge's word): `None` unless it is
    /// in `1..=MAX`. It may still name no process, which every table checks.
    #[inline(always)]
    pub const fn from_raw(raw: usize) -> Option<Pid> {
        if raw == 0 || raw > Pid::MAX {
            None
        } else {
            Some(Pid(raw))
        }
    }

    /// The pid as a number (system-call results, badges, messages).
    #[inline(always)]
    pub const fn raw(self) -> usize {
        self.0
    }

    /// The slot it names, `0..SLOTS`.
    #[inline(always)]
    pub const fn slot(self) -> usize {
        (self.0 - 1) % Pid::SLOTS
    }

    /// Its slot's generation.
    pub const fn generation(self) -> usize {
        (self.0 - 1) / Pid::SLOTS
    }

    /// The pid its slot hands out after this one is reaped: the next generation, or
    /// generation 0 if that would pass `max` (at most [`Pid::MAX`]; smaller in tests of the
    /// wrap-around).
    pub const fn successor(self, max: usize) -> Pid {
        let max = if max > Pid::MAX { Pid::MAX } else { max };
        let next = self.0 + Pid::SLOTS;
        if next > max {
            Pid::new(self.slot(), 0)
        } else {
            Pid(next)
        }
    }
}

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_pids_are_1_2_3_and_name_their_slots() {
        for slot in 0..Pid::SLOTS {
            let p = Pid::new(slot, 0);
            assert_eq!(p.raw(), slot + 1);
            assert_eq!((p.slot(), p.generation()), (slot, 0));
        }
        let p = Pid::new(5, 3);
        assert_eq!(p.raw(), 3 * Pid::SLOTS + 6);
        assert_eq!((p.slot(), p.generation()), (5, 3));
        assert_eq!(Pid::from_raw(p.raw()), Some(p));
    }

    #[test]
    fn numbers_outside_1_to_max_are_no_pid() {
        assert_eq!(Pid::from_raw(0), None);
        assert_eq!(Pid::from_raw(Pid::MAX + 1), None);
        assert_eq!(Pid::from_raw(usize::MAX), None, "-1 is no pid");
        assert_eq!(Pid::from_raw(1), Some(Pid::INIT));
        assert!(Pid::from_raw(Pid::MAX).is_some());
    }

    #[test]
    fn successors_keep_the_slot_and_wrap_before_passing_the_maximum() {
        let p = Pid::new(7, 0);
        assert_eq!(p.successor(Pid::MAX), Pid::new(7, 1));
        // With a maximum of 2 * SLOTS + 8, slot 7's pids are 8, 8 + SLOTS, 8 + 2 * SLOTS, then 8
        // again.
        let max = 2 * Pid::SLOTS + 8;
        let seq: [usize; 4] = [
            p.raw(),
            p.successor(max).raw(),
            p.successor(max).successor(max).raw(),
            p.successor(max).successor(max).successor(max).raw(),
        ];
        assert_eq!(seq, [8, 8 + Pid::SLOTS, 8 + 2 * Pid::SLOTS, 8]);
        // The last generation of every slot stays a positive i32, and wraps to generation 0.
        for slot in [0, 1, Pid::SLOTS - 1] {
            let last = (Pid::MAX - 1 - slot) / Pid::SLOTS;
            let p = Pid::new(slot, last);
            assert!(p.raw() <= Pid::MAX && (p.raw() as i32) > 0);
            assert_eq!(p.slot(), slot);
            assert_eq!(p.successor(Pid::MAX), Pid::new(slot, 0));
        }
    }
}
