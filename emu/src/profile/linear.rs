//! The parameters that enter the cycle count linearly, and the events that charge them.
//!
//! In timing mode every penalty is added where its event happens, once per event and in the
//! statistics bucket current at that moment (`machine::timing`, `trap`, `csr`, `execute`). So for
//! every bucket, region or run,
//!
//! ```text
//!   cycles(p') = cycles(p) + Σ_i (charge_i(p'_i) − charge_i(p_i)) × count_i
//! ```
//!
//! where `count_i` is the sum of the term's events and `charge_i(v)` is `v` (trap entry charges
//! at least one cycle: `max(v, 1)`). [`LINEAR`] is that mapping, in one place; a report uses it
//! to recompute cycles under other parameter values without rerunning. The identity holds as
//! long as the guest does the same work under `p'`: time-driven behaviour (a timer interrupt, an
//! idle `wfi` skipped to the next deadline, a program that branches on `rdcycle`) lands at other
//! points when the cycle count changes, and a region containing it is only approximately
//! recomputed.
//!
//! Left out: the base cost of each instruction class, which the decoded blocks book in bulk
//! (not per event), and the cache and TLB geometry, which changes the events themselves.

use super::Profile;
use crate::stats::{Counts, Event};

/// A parameter that adds its value to the cycles once per occurrence of its events.
#[derive(Clone, Copy, Debug)]
pub struct LinearTerm {
    /// The parameter's dotted key, as `--set` and the profile's `[sources]` name it.
    pub key: &'static str,
    /// The events each charged once (their counts add up).
    pub events: &'static [Event],
    /// The least the machine charges per event whatever the value (trap entry: 1).
    pub floor: u64,
    /// The parameter's value in a profile.
    pub value: fn(&Profile) -> u32,
}

/// Every linear parameter: the profile's `[penalty]` in order, then the pipeline model's
/// mispredict penalty. A new additive penalty is one line here.
pub const LINEAR: &[LinearTerm] = &[
    term("penalty.l2_hit", &[Event::L2Hit], 0, |p| p.penalty.l2_hit),
    term("penalty.memory", &[Event::MemoryAccess], 0, |p| {
        p.penalty.memory
    }),
    term("penalty.tlb_walk", &[Event::Walk], 0, |p| {
        p.penalty.tlb_walk
    }),
    term("penalty.l2_tlb_hit", &[Event::L2tlbHit], 0, |p| {
        p.penalty.l2_tlb_hit
    }),
    term("penalty.writeback", &[Event::Writeback], 0, |p| {
        p.penalty.writeback
    }),
    term(
        "penalty.trap",
        &[Event::Exception, Event::Interrupt],
        1,
        |p| p.penalty.trap,
    ),
    term("penalty.xret", &[Event::Xret], 0, |p| p.penalty.xret),
    term("penalty.satp_write", &[Event::SatpWrite], 0, |p| {
        p.penalty.satp_write
    }),
    term("penalty.sfence_vma", &[Event::SfenceVma], 0, |p| {
        p.penalty.sfence_vma
    }),
    term("penalty.fence_i", &[Event::FenceI], 0, |p| {
        p.penalty.fence_i
    }),
    // Only the pipeline model predicts branches (the simple model counts no mispredicts).
    term("pipeline.mispredict", &[Event::BranchMispredict], 0, |p| {
        p.pipeline.as_ref().map_or(0, |q| q.mispredict)
    }),
];

const fn term(
    key: &'static str,
    events: &'static [Event],
    floor: u64,
    value: fn(&Profile) -> u32,
) -> LinearTerm {
    LinearTerm {
        key,
        events,
        floor,
        value,
    }
}

impl LinearTerm {
    /// The term with dotted key `key`, if that parameter is linear.
    pub fn find(key: &str) -> Option<&'static LinearTerm> {
        LINEAR.iter().find(|t| t.key == key)
    }

    /// Cycles charged per event when the parameter is `value`.
    pub fn charge(&self, value: u64) -> u64 {
        value.max(self.floor)
    }

    /// How many times `counts` charged the term.
    pub fn count(&self, counts: &Counts) -> u64 {
        self.events.iter().map(|&e| counts.get(e)).sum()
    }
}

/// The cycles `counts` (measured under `from`) would have taken under `to`, by the identity in
/// the module note; `None` if the result is negative or overflows (impossible for counts the
/// machine produced) or if either profile has timing off (penalties are then not charged).
pub fn recompute(counts: &Counts, from: &Profile, to: &Profile) -> Option<u64> {
    if !from.timing || !to.timing {
        return (from.timing == to.timing).then_some(counts.cycles);
    }
    let mut cycles = i128::from(counts.cycles);
    for t in LINEAR {
        let old = t.charge(u64::from((t.value)(from)));
        let new = t.charge(u64::from((t.value)(to)));
        cycles += (i128::from(new) - i128::from(old)) * i128::from(t.count(counts));
    }
    u64::try_from(cycles).ok()
}
