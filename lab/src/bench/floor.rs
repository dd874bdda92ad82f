//! The floor beside each cost: what the machine profile charges for the unavoidable part of one
//! operation, so a reader sees how far a kernel is from ideal on that machine.
//!
//! - Per trap: the trap entry charge, saving and restoring the 31 general registers (31 stores and
//!   31 loads, each an L1 hit), and the `sret` (its base cost plus the xRET charge).
//! - Per address-space change: the `satp` write (the `csrw` plus the write's charge); without
//!   ASIDs, the `sfence.vma` a kernel must issue (base cost plus charge) and the minimum TLB
//!   refills after the flush — one instruction page and one stack page of the space switched to,
//!   each a full Sv39 walk (the walk's charge plus three PTE reads that hit in L1D). With ASIDs
//!   the TLBs keep the space's entries, so neither fence nor refill is unavoidable.
//!
//! Traps and address-space changes per operation are the measured counts (exceptions plus
//! interrupts, `satp` writes) rounded to whole numbers — the fraction is timer ticks that landed in
//! the region: they are architectural, as any kernel of that structure has them.
//! Every charge comes from the profile; with timing off, every instruction is one cycle and a
//! trap one cycle, as the machine then counts them.

use emu::profile::Profile;
use serde::{Deserialize, Serialize};

use super::model::Counters;

/// General registers saved and restored per trap (x1..x31).
pub const SAVED_REGISTERS: u64 = 31;
/// TLB refills charged after an address-space change that flushes: an instruction page and a
/// stack page.
pub const REFILLS: u64 = 2;
/// Page-table levels a full Sv39 walk reads.
pub const SV39_LEVELS: u64 = 3;

/// The profile's charges for the unavoidable parts, in cycles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FloorCosts {
    /// Trap entry.
    pub trap_entry: u64,
    /// Saving and restoring the 31 registers.
    pub save_restore: u64,
    /// The `sret` instruction and its charge.
    pub sret: u64,
    /// One trap: entry + save/restore + `sret`.
    pub per_trap: u64,
    /// The `satp` write: the `csrw` and its charge.
    pub satp_write: u64,
    /// The `sfence.vma` and its charge (0 with ASIDs).
    pub fence: u64,
    /// TLB refills charged per change (0 with ASIDs).
    pub refills: u64,
    /// One full Sv39 walk with L1-hit PTE reads.
    pub walk: u64,
    /// One address-space change: write + fence + refills × walk.
    pub per_switch: u64,
}

impl FloorCosts {
    /// The charges of profile `p`.
    pub fn of(p: &Profile) -> FloorCosts {
        let (c, pen) = (&p.cost, &p.penalty);
        let timing = p.timing;
        let cost = |v: u32| if timing { u64::from(v) } else { 1 };
        let penalty = |v: u32| if timing { u64::from(v) } else { 0 };
        // What an L1D hit adds beyond an access's base cost: nothing, or without an L1D the
        // level below (as `machine::timing` charges it).
        let below = match (&p.l1d, &p.l2) {
            (Some(_), _) => 0,
            (None, Some(_)) => penalty(pen.l2_hit),
            (None, None) => penalty(pen.memory),
        };
        let trap_entry = if p.timing {
            u64::from(pen.trap.max(1))
        } else {
            1
        };
        let save_restore = SAVED_REGISTERS * (cost(c.store) + below + cost(c.load) + below);
        let sret = cost(c.system) + penalty(pen.xret);
        let flushes = p.asid_bits == 0;
        let fence = if flushes {
            cost(c.system) + penalty(pen.sfence_vma)
        } else {
            0
        };
        let refills = if flushes { REFILLS } else { 0 };
        let walk = penalty(pen.tlb_walk) + SV39_LEVELS * below;
        let satp_write = cost(c.csr) + penalty(pen.satp_write);
        FloorCosts {
            trap_entry,
            save_restore,
            sret,
            per_trap: trap_entry + save_restore + sret,
            satp_write,
            fence,
            refills,
            walk,
            per_switch: satp_write + fence + refills * walk,
        }
    }
}

/// The floor of one benchmark on one kernel.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Floor {
    /// Traps per operation (measured).
    pub traps_per_op: f64,
    /// Address-space changes (`satp` writes) per operation (measured).
    pub switches_per_op: f64,
    /// The charges used.
    pub costs: FloorCosts,
    /// Floor cycles per operation: traps × per trap + changes × per change.
    pub cycles_per_op: f64,
}

impl Floor {
    /// The floor of `ops` operations that measured `total` on profile `p`.
    pub fn of(p: &Profile, total: &Counters, ops: u64) -> Floor {
        let costs = FloorCosts::of(p);
        let per = |v: u64| if ops == 0 { 0.0 } else { v as f64 / ops as f64 };
        // An operation takes a whole number of traps and switches; a fraction is the timer's
        // ticks landing in the region, which are not part of the operation.
        let traps_per_op = per(total.traps).round();
        let switches_per_op = per(total.satp_writes).round();
        Floor {
            traps_per_op,
            switches_per_op,
            costs,
            cycles_per_op: traps_per_op * costs.per_trap as f64
                + switches_per_op * costs.per_switch as f64,
        }
    }
}

/// What the floor includes, in one paragraph (the report's text says it beside the tables).
pub fn explanation(costs: &FloorCosts) -> String {
    let switch = if costs.refills > 0 {
        format!(
            "the satp write ({}), the sfence.vma that must follow without ASIDs ({}) and {} TLB refills (an instruction page and a stack page of the new space, each a full Sv39 walk with L1-hit PTE reads, {} each)",
            costs.satp_write, costs.fence, costs.refills, costs.walk
        )
    } else {
        format!(
            "the satp write ({}); with ASIDs no fence or refill is unavoidable",
            costs.satp_write
        )
    };
    format!(
        "The floor is what the machine profile charges for the unavoidable part of one operation: per trap {} cycles — the trap entry ({}), saving and restoring the 31 registers as L1-hit stores and loads ({}) and the sret ({}); per address-space change {} cycles — {}. Traps and address-space changes per operation are the measured counts (exceptions + interrupts, satp writes) rounded to whole numbers (a fraction is timer ticks that landed in the measured region), which any kernel of that structure has.",
        costs.per_trap, costs.trap_entry, costs.save_restore, costs.sret, costs.per_switch, switch
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // The default profile by hand: trap 20 + 31 × (store 1 + load 1) + sret (1 + 10) = 93;
    // switch csrw 3 + 10, fence 1 + 20, two walks of 8 (PTE reads hit L1: +0) = 50.
    #[test]
    fn the_default_profiles_floor_by_hand() {
        let c = FloorCosts::of(&Profile::default());
        assert_eq!(
            (c.trap_entry, c.save_restore, c.sret, c.per_trap),
            (20, 62, 11, 93)
        );
        assert_eq!(
            (c.satp_write, c.fence, c.refills, c.walk, c.per_switch),
            (13, 21, 2, 8, 50)
        );
        let total = Counters {
            cycles: 1_000_000,
            traps: 2000,
            satp_writes: 2000,
            ..Counters::default()
        };
        let f = Floor::of(&Profile::default(), &total, 1000);
        assert_eq!((f.traps_per_op, f.switches_per_op), (2.0, 2.0));
        assert_eq!(f.cycles_per_op, 2.0 * 93.0 + 2.0 * 50.0);
    }

    // A timer tick that lands in the region adds a fraction of a trap per operation: not part of
    // the operation, so not of its floor (a coroutine switch has none).
    #[test]
    fn a_tick_in_the_region_is_not_part_of_the_floor() {
        let ticks = Counters {
            traps: 3,
            satp_writes: 1,
            ..Counters::default()
        };
        let f = Floor::of(&Profile::default(), &ticks, 100_000);
        assert_eq!((f.traps_per_op, f.cycles_per_op), (0.0, 0.0));
        let with_ticks = Counters {
            traps: 2003,
            satp_writes: 2000,
            ..Counters::default()
        };
        let f = Floor::of(&Profile::default(), &with_ticks, 1000);
        assert_eq!(f.traps_per_op, 2.0);
    }

    // With ASIDs the switch is only the write; the charges follow the profile's numbers.
    #[test]
    fn asids_drop_the_fence_and_refills_and_charges_follow_the_profile() {
        let mut p = Profile::default();
        p.set_asid(true).unwrap();
        p.set("penalty.trap", "7").unwrap();
        let c = FloorCosts::of(&p);
        assert_eq!((c.fence, c.refills, c.per_switch), (0, 0, 13));
        assert_eq!(c.per_trap, 7 + 62 + 11);
        assert_eq!(Floor::of(&p, &Counters::default(), 0).cycles_per_op, 0.0);
    }

    #[test]
    fn the_explanation_names_every_charge() {
        let text = explanation(&FloorCosts::of(&Profile::default()));
        for part in [
            "93 cycles",
            "(20)",
            "(62)",
            "(11)",
            "50 cycles",
            "(13)",
            "(21)",
            "8 each",
        ] {
            assert!(text.contains(part), "{part} in {text}");
        }
    }
}
