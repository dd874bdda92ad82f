//! The programmable counters `mhpmcounter3..31`, selected by `mhpmevent3..31` (Zihpm), with
//! Sscofpmf's per-mode inhibit bits and overflow interrupt.
//!
//! ```text
//! mhpmevent:  63  62    61    60    59     58     ..  7:0
//!            ┌──┬─────┬─────┬─────┬──────┬──────┬───┬───────┐
//!            │OF│MINH │SINH │UINH │VSINH │VUINH │ 0 │ event │   VS bits read as zero (no H)
//!            └──┴─────┴─────┴─────┴──────┴──────┴───┴───────┘
//! ```
//!
//! A counter is not incremented event by event: its value is computed when read, as the value
//! last written plus the events (from `stats`) counted since then in the modes it does not
//! inhibit. Changing the event, the inhibit bits or `mcountinhibit` rebases it. An overflow (the
//! value passing 2^64 - 1) sets OF and raises the local counter-overflow interrupt (LCOFI,
//! cause 13) unless OF was already set; it is noticed between slices, at the first instruction
//! boundary past each multiple of `ARMED_SLICE_CYCLES` while any counter is armed, so the
//! interrupt arrives within that many cycles of the event. Those check points depend only on
//! what the guest executes (a write that may arm a counter ends the slice, and the first check
//! is scheduled from there), not on where else the host happens to stop the machine. Events not
//! modeled in the current mode (cache events in functional mode) never advance.
//!
//! A check point that cannot find an overflow is not made, and the slices run past it: each
//! check also finds the tick up to which none can happen (`overflow_quiet_until`), from the
//! counters' headroom and a bound on how fast an event can grow (`EVENTS_PER_TICK`), and the
//! next check is the last check point before that tick, if that is later than the next one.
//! Every check point skipped is either before that tick, where the check would have found
//! nothing, or the same instruction boundary as the check made (a slice ends at the first
//! boundary past its stop), so the interrupts arrive where they did with every check made; only
//! kernels that leave counters armed far from overflow (both of klab's do) run longer slices.

use crate::hart::csr::irq;
use crate::stats::EVENTS;

/// Overflow.
pub const OF: u64 = 1 << 63;
/// Do not count in M-mode.
pub const MINH: u64 = 1 << 62;
/// Do not count in S-mode.
pub const SINH: u64 = 1 << 61;
/// Do not count in U-mode.
pub const UINH: u64 = 1 << 60;
/// The event field.
pub const EVENT_MASK: u64 = 0xff;
/// Longest slice while a counter may overflow.
pub const ARMED_SLICE_CYCLES: u64 = 4096;

/// A bound on how much any one event can grow per tick: the skipped checks rest on it (see the
/// module note). Every instruction, retired or trapped, costs at least one tick (`Machine::run`),
/// and none counts more than a few dozen of any event (an AMO that crosses a page boundary
/// with both pages' walks: a dozen L1D lookups and their L2 lookups and write-backs, 8 bytes
/// each way); an interrupt, taken between instructions with interrupts then disabled, adds one
/// and its trap's entry. 2^16 leaves a margin of three orders of magnitude, and still lets a
/// counter written near 0 go unchecked for 2^47 ticks.
pub const EVENTS_PER_TICK: u64 = 1 << 16;

/// The first check point after cycle `cycles`: the next multiple of `ARMED_SLICE_CYCLES`.
fn next_check_point(cycles: u64) -> u64 {
    (cycles / ARMED_SLICE_CYCLES + 1) * ARMED_SLICE_CYCLES
}

/// One programmable counter.
#[derive(Clone, Copy, Debug, Default)]
pub struct HpmCounter {
    /// The `mhpmevent` register.
    pub event: u64,
    /// The value at the last rebase.
    base: u64,
    /// The event total (in the counted modes) at the last rebase.
    snap: u64,
    /// Frozen by `mcountinhibit`.
    inhibited: bool,
}

impl HpmCounter {
    /// The modes this counter counts in: bit 0 U, 1 S, 2 M.
    fn modes(&self) -> u8 {
        let mut m = 0b111;
        if self.event & UINH != 0 {
            m &= !0b001;
        }
        if self.event & SINH != 0 {
            m &= !0b010;
        }
        if self.event & MINH != 0 {
            m &= !0b100;
        }
        m
    }

    fn selector(&self) -> usize {
        let e = (self.event & EVENT_MASK) as usize;
        if e < EVENTS { e } else { 0 }
    }

    /// The counter's value, given `total(event, modes)`.
    pub fn value(&self, total: &impl Fn(usize, u8) -> u64) -> u64 {
        if self.inhibited || self.selector() == 0 {
            return self.base;
        }
        self.base
            .wrapping_add(total(self.selector(), self.modes()) - self.snap)
    }

    fn rebase(&mut self, value: u64, total: &impl Fn(usize, u8) -> u64) {
        self.base = value;
        self.snap = match self.selector() {
            0 => 0,
            e => total(e, self.modes()),
        };
    }

    /// Writes the counter.
    pub fn write_value(&mut self, value: u64, total: &impl Fn(usize, u8) -> u64) {
        self.rebase(value, total);
    }

    /// Writes `mhpmevent` (WARL: unknown events select nothing; the VS inhibit bits read as 0).
    pub fn write_event(&mut self, value: u64, total: &impl Fn(usize, u8) -> u64) {
        let now = self.value(total);
        let event = value & EVENT_MASK;
        let event = if (event as usize) < EVENTS { event } else { 0 };
        self.event = (value & (OF | MINH | SINH | UINH)) | event;
        self.rebase(now, total);
    }

    /// Applies `mcountinhibit`'s bit for this counter.
    pub fn set_inhibited(&mut self, inhibited: bool, total: &impl Fn(usize, u8) -> u64) {
        if inhibited != self.inhibited {
            let now = self.value(total);
            self.inhibited = inhibited;
            self.rebase(now, total);
        }
    }

    /// Whether an overflow could be signalled (counting, and OF clear).
    pub fn armed(&self) -> bool {
        !self.inhibited && self.selector() != 0 && self.event & OF == 0
    }

    /// Checks for an overflow since the last rebase; on one, rebases to the wrapped value,
    /// sets OF and returns true if an interrupt must be raised.
    pub fn check_overflow(&mut self, total: &impl Fn(usize, u8) -> u64) -> bool {
        if self.inhibited || self.selector() == 0 {
            return false;
        }
        let delta = total(self.selector(), self.modes()) - self.snap;
        if self.base.checked_add(delta).is_some() {
            return false;
        }
        let raise = self.event & OF == 0;
        let now = self.base.wrapping_add(delta);
        self.event |= OF;
        self.rebase(now, total);
        raise
    }
}

/// The LCOFI bit of `mip`/`mie`.
pub const LCOFI: u64 = irq::LCOFI;

impl super::Machine {
    /// `total(event, modes)` as of now, for the counters.
    fn event_totals(&self) -> impl Fn(usize, u8) -> u64 + '_ {
        |e, modes| self.stats.event_total(e, modes)
    }

    /// The value of `mhpmcounter(3 + n)`.
    pub(crate) fn hpm_value(&self, n: usize) -> u64 {
        self.hpm[n].value(&self.event_totals())
    }

    /// Writes `mhpmcounter(3 + n)`; takes effect for the next instruction.
    pub(crate) fn hpm_write(&mut self, n: usize, value: u64) {
        let mut c = self.hpm[n];
        c.write_value(value, &self.event_totals());
        self.hpm[n] = c;
        self.hpm_rearm();
    }

    /// Writes `mhpmevent(3 + n)`.
    pub(crate) fn hpm_event(&mut self, n: usize, value: u64) {
        let mut c = self.hpm[n];
        c.write_event(value, &self.event_totals());
        self.hpm[n] = c;
        self.hpm_rearm();
    }

    /// Applies `mcountinhibit` bits 3..31.
    pub(crate) fn hpm_inhibit(&mut self, mcountinhibit: u64) {
        for n in 0..self.hpm.len() {
            let mut c = self.hpm[n];
            c.set_inhibited(mcountinhibit & (1 << (n + 3)) != 0, &self.event_totals());
            self.hpm[n] = c;
        }
        self.hpm_rearm();
    }

    /// `scountovf`: the OF bits of counters 3..31, masked by `mcounteren` below M-mode.
    pub(crate) fn scountovf(&self) -> u64 {
        let of = self
            .hpm
            .iter()
            .enumerate()
            .filter(|(_, c)| c.event & OF != 0)
            .fold(0, |v, (n, _)| v | (1 << (n + 3)));
        if self.hart.privilege == crate::hart::Privilege::Machine {
            of
        } else {
            of & self.hart.csr.mcounteren
        }
    }

    /// Whether any counter could overflow (slices are then kept short). O(1): kept by
    /// `hpm_rearm` whenever a counter changes.
    pub(crate) fn hpm_armed(&self) -> bool {
        self.hpm_armed_mask != 0
    }

    /// Recomputes which counters are armed after a counter changed.
    fn hpm_rearm(&mut self) {
        // A counter changed: what the last check found no longer holds, and the next check
        // is the next check point again (the one the schedule without skips has now), which
        // the running slice may already be past: it ends here.
        if std::mem::take(&mut self.overflow_quiet_until) != 0 {
            let next = next_check_point(self.cycles());
            self.next_overflow_check = self.next_overflow_check.map(|due| due.min(next));
            self.stop_slice();
        }
        self.hpm_armed_mask = self
            .hpm
            .iter()
            .enumerate()
            .filter(|(_, c)| c.armed())
            .fold(0, |mask, (n, _)| mask | 1 << n);
        self.stats.track_totals(self.hpm_armed());
    }

    /// Between slices: schedules the overflow checks while a counter is armed, and makes them
    /// when their cycle has come (see the module note), or at once if `now` (the hart is about
    /// to idle in `wfi`, which only the guest's own instructions decide).
    pub(crate) fn overflow_checkpoint(&mut self, now: bool) {
        if !self.hpm_armed() {
            self.next_overflow_check = None;
            return;
        }
        let cycles = self.cycles();
        let check = match self.next_overflow_check {
            Some(due) => now || cycles >= due,
            None => now,
        };
        if check {
            self.check_counter_overflows();
            if !self.hpm_armed() {
                self.next_overflow_check = None;
                return;
            }
        } else if self.next_overflow_check.is_some() {
            return;
        }
        // The next check point, or the last one before no overflow can have happened (tick
        // `overflow_quiet_until`, which the check just made found), whichever is later (see
        // the module note).
        let quiet = (self.overflow_quiet_until >> self.tick_shift) / ARMED_SLICE_CYCLES;
        let next = next_check_point(cycles).max(quiet * ARMED_SLICE_CYCLES);
        self.next_overflow_check = Some(next);
    }

    /// Notices counter overflows: sets OF and raises LCOFI for each new one. Only the armed
    /// counters are looked at (a program that arms one of the 29 pays for one), and only an
    /// overflow changes which are armed (it sets OF).
    fn check_counter_overflows(&mut self) {
        let mut armed = self.hpm_armed_mask;
        let mut overflowed = false;
        while armed != 0 {
            let n = armed.trailing_zeros() as usize;
            armed &= armed - 1;
            let mut c = self.hpm[n];
            if c.check_overflow(&self.event_totals()) {
                self.hart.csr.mip_sw |= LCOFI;
                self.hpm[n] = c;
                overflowed = true;
            }
        }
        if overflowed {
            self.hpm_rearm();
        }
        self.overflow_quiet_until = self.quiet_until();
    }

    /// The tick up to which no armed counter can overflow: now plus the least headroom
    /// (`2^64 - 1 - value`) over `EVENTS_PER_TICK`, less one tick's worth for an interrupt
    /// taken now; 0 when that is not later than now.
    fn quiet_until(&self) -> u64 {
        let mut armed = self.hpm_armed_mask;
        let mut least = u64::MAX;
        while armed != 0 {
            let n = armed.trailing_zeros() as usize;
            armed &= armed - 1;
            least = least.min(u64::MAX - self.hpm_value(n));
        }
        match (least / EVENTS_PER_TICK).checked_sub(1) {
            Some(ticks) if ticks > 0 => self.ticks().saturating_add(ticks),
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn a_counter_counts_its_event_in_the_modes_it_does_not_inhibit() {
        // Event 15 (loads): 10 in U, 20 in S, 40 in M so far.
        let totals = Cell::new([10u64, 20, 40]);
        let total = |_e: usize, modes: u8| {
            (0..3)
                .filter(|m| modes & (1 << m) != 0)
                .map(|m| totals.get()[m])
                .sum()
        };
        let mut c = HpmCounter::default();
        c.write_event(15 | MINH, &total);
        c.write_value(100, &total);
        assert_eq!(c.value(&total), 100);
        totals.set([11, 25, 1000]);
        assert_eq!(c.value(&total), 106, "M-mode events are inhibited");
        c.set_inhibited(true, &total);
        totals.set([50, 50, 5000]);
        assert_eq!(c.value(&total), 106, "frozen by mcountinhibit");
        c.set_inhibited(false, &total);
        totals.set([51, 50, 5000]);
        assert_eq!(c.value(&total), 107);
    }

    #[test]
    fn an_overflow_sets_of_once_and_the_counter_wraps() {
        let totals = Cell::new(0u64);
        let total = |_e: usize, _m: u8| totals.get();
        let mut c = HpmCounter::default();
        c.write_event(4, &total);
        c.write_value(u64::MAX - 2, &total);
        totals.set(2);
        assert!(!c.check_overflow(&total));
        totals.set(5);
        assert!(c.check_overflow(&total), "passed 2^64 - 1: interrupt");
        assert_eq!(c.value(&total), 2);
        assert!(c.event & OF != 0 && !c.armed());
        assert!(!c.check_overflow(&total));
    }
}
