//! The cycle model: the modeled TLBs and caches, the cost of each instruction class, and the
//! penalties of misses, walks, traps and fences (DESIGN.md §2 "Memory hierarchy", "Time").
//!
//! Time is `retired + extra_cycles` ticks (a tick is a cycle, or half a cycle under the pipeline
//! model, see `pipeline`); in timing mode `extra_cycles` gathers everything beyond one tick per
//! instruction:
//! - the *static* extra cost of each instruction (its class's cost minus one), booked a block at a
//!   time from the suffix sums in `Decoded` when the block is entered, and taken back for the
//!   instructions a block leaves unexecuted (a taken branch, a trap, a stop request);
//! - the *dynamic* costs, added where they happen: a taken branch (simple model), a mispredicted
//!   branch or jump and the stall on registers a block hands to the next (pipeline model),
//!   cache misses and write-backs,
//!   TLB misses and their walks (whose PTE reads go through L1D and L2), uncached device accesses,
//!   trap entry, xRET, `satp` writes, `sfence.vma`, `fence.i`. Each penalty is counted as its
//!   event where it is charged, in the same bucket (`profile::linear` maps them), so cycles under
//!   other penalty values follow exactly from the counts.
//!
//! The modeled TLB is architectural: a translation it holds is used, permissions and all, until a
//! fence (or, without ASIDs, a `satp` write) removes it, even if the page tables changed. With
//! `--check-tlb`, every use of a TLB entry is compared with a fresh walk that changes nothing, and
//! each use of a translation the tables no longer hold is recorded with its pc and address.
//!
//! Fetch makes an L1I access at each block entry and each time it crosses into another line
//! within a block; consecutive instructions in one line are served from the fetch buffer. A
//! 32-bit instruction that straddles two lines is fetched with one access (to its first line).

use crate::model::cache::Cache;
use crate::model::replacement::known::{ANY, LRU, PLRU};
use crate::model::tlb::{Tlb, TlbEntry};
use crate::profile::Profile;
use crate::stats::Event;

use super::Machine;

/// Base cost, in cycles, of each instruction class (from the profile).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Costs {
    pub alu: u32,
    pub branch_not_taken: u32,
    pub branch_taken: u32,
    pub jump: u32,
    pub load: u32,
    pub store: u32,
    pub mul: u32,
    pub div: u32,
    pub csr: u32,
    pub fence: u32,
    pub amo: u32,
    pub system: u32,
}

/// Extra cycles of dynamic events (from the profile).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Penalties {
    pub l2_hit: u64,
    pub memory: u64,
    pub tlb_walk: u64,
    pub l2_tlb_hit: u64,
    pub writeback: u64,
    pub trap: u64,
    pub xret: u64,
    pub satp_write: u64,
    pub sfence_vma: u64,
    pub fence_i: u64,
}

/// A use of a translation that the page tables no longer hold (`--check-tlb`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct StaleUse {
    /// The pc of the instruction that used it.
    pub pc: u64,
    /// The virtual address translated.
    pub vaddr: u64,
    /// The physical address the stale entry gave.
    pub stale_paddr: u64,
    /// What the page tables give now (`None`: they fault).
    pub fresh_paddr: Option<u64>,
}

/// The models and costs of timing mode.
pub(crate) struct Timing {
    pub cost: Costs,
    pub penalty: Penalties,
    /// The caches, private so that `shape` stays theirs: the miss path's copy for a shape calls
    /// `Cache::access_known` without checking the ways and policy again.
    l1i: Option<Cache>,
    l1d: Option<Cache>,
    l2: Option<Cache>,
    pub itlb: Tlb,
    pub dtlb: Tlb,
    pub l2tlb: Option<Tlb>,
    /// Line size of L1I (for fetch accesses), or 64 without an L1I.
    pub fetch_line: u64,
    /// Physical address of the page fetch is in (set when the fetch state is).
    pub fetch_pbase: u64,
    /// The ITLB slot used last (a fetch through it changes no replacement state).
    pub itlb_mru: usize,
    /// The DTLB slot used last (a fast-path access through it with an L1D MRU hit books
    /// nothing, as it changes no replacement state).
    pub dtlb_mru: usize,
    /// Compare every TLB use with a fresh walk.
    pub check_tlb: bool,
    /// What `check_tlb` found.
    pub stale: Vec<StaleUse>,
    /// The pipeline model's parameters (`None`: the simple model).
    pub pipeline: Option<crate::profile::PipelineParams>,
    /// The pipeline model's branch predictor.
    pub predictor: Option<Box<super::pipeline::Predictor>>,
    /// Which copy of an L1D miss fits the caches (`l1d_lookup_shaped`).
    shape: Shape,
}

/// The ways and replacement policies of the L1D and the L2 when a profile has a copy of the
/// miss path of its own (`l1d_lookup_shaped`), fixed when the caches are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Shape {
    /// 8-way LRU L1D, 16-way PLRU L2 (`u74`, `simple`).
    Lru8Plru16 = LRU8_PLRU16,
    /// 8-way PLRU L1D, 16-way PLRU L2 (`big`).
    Plru8Plru16 = PLRU8_PLRU16,
    /// 2-way LRU L1D, 8-way LRU L2 (`tiny`).
    Lru2Lru8 = LRU2_LRU8,
    /// Any other: the general copy.
    Other = OTHER,
}

/// `Shape`s as numbers, for a caller that picks its copy of the miss path once (the
/// translator's data helper, see `Timing::shape_number`), and `SHAPE_ANY`: the shape read at
/// each access.
pub(crate) const LRU8_PLRU16: u8 = 0;
pub(crate) const PLRU8_PLRU16: u8 = 1;
pub(crate) const LRU2_LRU8: u8 = 2;
pub(crate) const OTHER: u8 = 3;
pub(crate) const SHAPE_ANY: u8 = u8::MAX;

impl Shape {
    /// The shape of an L1D and an L2 (either may be absent).
    fn of(l1d: Option<&Cache>, l2: Option<&Cache>) -> Shape {
        let shape = |c: Option<&Cache>| c.map(Cache::shape);
        match (shape(l1d), shape(l2)) {
            (Some((8, LRU)), Some((16, PLRU))) => Shape::Lru8Plru16,
            (Some((8, PLRU)), Some((16, PLRU))) => Shape::Plru8Plru16,
            (Some((2, LRU)), Some((8, LRU))) => Shape::Lru2Lru8,
            _ => Shape::Other,
        }
    }
}

impl Timing {
    /// The shape of the L1D and the L2 as a number (`LRU8_PLRU16` … `OTHER`), fixed when they
    /// were made.
    pub(crate) fn shape_number(&self) -> u8 {
        self.shape as u8
    }

    /// The L1I, if the profile has one.
    pub fn l1i(&self) -> Option<&Cache> {
        self.l1i.as_ref()
    }

    /// The L1D, if the profile has one.
    pub fn l1d(&self) -> Option<&Cache> {
        self.l1d.as_ref()
    }

    /// The L2, if the profile has one.
    pub fn l2(&self) -> Option<&Cache> {
        self.l2.as_ref()
    }
}

impl Timing {
    /// The models and costs of `profile` (which must be valid and have timing on).
    pub fn new(profile: &Profile) -> Timing {
        let c = &profile.cost;
        let p = &profile.penalty;
        let pipeline = profile.pipeline.clone();
        let l1d = profile.l1d.as_ref().map(Cache::new);
        let l2 = profile.l2.as_ref().map(Cache::new);
        Timing {
            shape: Shape::of(l1d.as_ref(), l2.as_ref()),
            cost: Costs {
                alu: c.alu,
                branch_not_taken: c.branch_not_taken,
                // The pipeline model charges a taken branch through its predictor.
                branch_taken: if pipeline.is_some() {
                    c.branch_not_taken
                } else {
                    c.branch_taken
                },
                jump: c.jump,
                load: c.load,
                store: c.store,
                mul: c.mul,
                div: c.div,
                csr: c.csr,
                fence: c.fence,
                amo: c.amo,
                system: c.system,
            },
            penalty: Penalties {
                l2_hit: u64::from(p.l2_hit),
                memory: u64::from(p.memory),
                tlb_walk: u64::from(p.tlb_walk),
                l2_tlb_hit: u64::from(p.l2_tlb_hit),
                writeback: u64::from(p.writeback),
                trap: u64::from(p.trap),
                xret: u64::from(p.xret),
                satp_write: u64::from(p.satp_write),
                sfence_vma: u64::from(p.sfence_vma),
                fence_i: u64::from(p.fence_i),
            },
            l1i: profile.l1i.as_ref().map(Cache::new),
            l1d,
            l2,
            itlb: Tlb::new(&profile.itlb),
            dtlb: Tlb::new(&profile.dtlb),
            l2tlb: profile.l2tlb.as_ref().map(Tlb::new),
            fetch_line: profile.l1i.as_ref().map_or(64, |c| u64::from(c.line)),
            fetch_pbase: 0,
            itlb_mru: usize::MAX,
            dtlb_mru: usize::MAX,
            check_tlb: false,
            stale: Vec::new(),
            predictor: pipeline
                .as_ref()
                .map(|p| Box::new(super::pipeline::Predictor::new(p))),
            pipeline,
        }
    }

    /// Books the DTLB hit of a host-TLB value's modeled slot (`slot` + 1 from its top bits, see
    /// `SLOT_SHIFT`; 0, no modeled entry: nothing): the replacement state a lookup finding it
    /// leaves (`Tlb::touch`; the TLB's own `TlbStats` count `lookup` calls only).
    #[inline(always)]
    pub(crate) fn dtlb_hit(&mut self, slot: u64) {
        self.l1_tlb_hit(false, slot);
    }

    /// `dtlb_hit` in the ITLB (`fetch`, for a fetch-table value) or the DTLB.
    #[inline(always)]
    pub(crate) fn l1_tlb_hit(&mut self, fetch: bool, slot: u64) {
        if slot != 0 {
            let slot = (slot - 1) as usize;
            let (tlb, mru) = if fetch {
                (&mut self.itlb, &mut self.itlb_mru)
            } else {
                (&mut self.dtlb, &mut self.dtlb_mru)
            };
            tlb.touch(slot);
            *mru = slot;
        }
    }

    /// Flushes the modeled TLBs as `sfence.vma` would (see `Tlb::flush`); returns whether the
    /// ITLB or the DTLB lost a superpage entry.
    pub fn flush_tlbs(&mut self, vaddr: Option<u64>, asid: Option<u16>) -> bool {
        let i = self.itlb.flush(vaddr, asid);
        let d = self.dtlb.flush(vaddr, asid);
        if let Some(t) = &mut self.l2tlb {
            t.flush(vaddr, asid);
        }
        i.superpages || d.superpages
    }
}

/// The current attribution's event counts (`Stats::current_events`).
type Events = [u64; crate::stats::EVENTS];

/// The L2 (or memory, without an L2) side of an access that missed in L1 or bypassed it:
/// counts events in `ev` and returns the cycles it costs. `charged`: the access waits for it,
/// so the penalty events (`L2Hit`, `MemoryAccess`, `Writeback`) are counted; a buffered
/// write-back's L2 access is not charged and counts only its cache events.
fn below_l1(t: &mut Timing, ev: &mut Events, paddr: u64, write: bool, charged: bool) -> u64 {
    below_l1_n::<0, ANY>(t, ev, paddr, write, charged)
}

/// `below_l1` for an L2 of `L2` ways and replacement policy `P2` (see `Cache::access_known`; 0,
/// `ANY`: not known).
#[inline(always)]
fn below_l1_n<const L2: usize, const P2: u8>(
    t: &mut Timing,
    ev: &mut Events,
    paddr: u64,
    write: bool,
    charged: bool,
) -> u64 {
    let Some(l2) = &mut t.l2 else {
        if charged {
            ev[Event::MemoryAccess as usize] += 1;
        }
        return t.penalty.memory;
    };
    ev[Event::L2Access as usize] += 1;
    let a = l2.access_known::<L2, P2>(paddr, write);
    let mut cost = if a.hit {
        t.penalty.l2_hit
    } else {
        t.penalty.memory
    };
    if charged {
        ev[if a.hit {
            Event::L2Hit
        } else {
            Event::MemoryAccess
        } as usize] += 1;
    }
    if !a.hit {
        ev[Event::L2Miss as usize] += 1;
    }
    if a.writeback.is_some() {
        ev[Event::L2Writeback as usize] += 1;
        if charged {
            ev[Event::Writeback as usize] += 1;
        }
        cost += t.penalty.writeback;
    }
    cost
}

/// A data access to RAM address `paddr` that is not an L1D MRU hit (`Cache::is_mru` false): the
/// L1D access, its L2 (or memory) side on a miss and the write-back of a dirty victim; without
/// an L1D, the L2 (or memory) access alone. Counts their events in `ev` and returns the cycles
/// the access waits.
fn l1d_lookup(t: &mut Timing, ev: &mut Events, paddr: u64, write: bool) -> u64 {
    l1d_lookup_n::<0, ANY, 0, ANY>(t, ev, paddr, write)
}

/// `l1d_lookup` for an L1D of `L1` ways under policy `P1` and an L2 of `L2` ways under `P2`
/// (see `Cache::access_known`; 0, `ANY`: not known): the three cache accesses of a miss inlined
/// into one function.
#[inline(always)]
fn l1d_lookup_n<const L1: usize, const P1: u8, const L2: usize, const P2: u8>(
    t: &mut Timing,
    ev: &mut Events,
    paddr: u64,
    write: bool,
) -> u64 {
    let Some(l1d) = &mut t.l1d else {
        return below_l1_n::<L2, P2>(t, ev, paddr, write, true);
    };
    let a = l1d.access_known::<L1, P1>(paddr, write);
    let mut cost = 0;
    if !a.hit {
        ev[Event::L1dMiss as usize] += 1;
        cost += below_l1_n::<L2, P2>(t, ev, paddr, false, true);
    }
    if let Some(victim) = a.writeback {
        // The dirty victim goes to L2 (with whatever that evicts in turn), but through a write
        // buffer: the access waits only the write-back penalty.
        ev[Event::L1dWriteback as usize] += 1;
        ev[Event::Writeback as usize] += 1;
        below_l1_n::<L2, P2>(t, ev, victim, true, false);
        cost += t.penalty.writeback;
    }
    cost
}

/// `below_l1` with the L2's copy for each of the profiles' shapes (`Shape`).
fn below_l1_shaped(t: &mut Timing, ev: &mut Events, paddr: u64, write: bool, charged: bool) -> u64 {
    match t.shape {
        Shape::Lru8Plru16 | Shape::Plru8Plru16 => {
            below_l1_n::<16, PLRU>(t, ev, paddr, write, charged)
        }
        Shape::Lru2Lru8 => below_l1_n::<8, LRU>(t, ev, paddr, write, charged),
        Shape::Other => below_l1(t, ev, paddr, write, charged),
    }
}

/// `l1d_lookup` with a copy for each of the profiles' shapes (`Shape`): with the ways and
/// policies known, the searches, the victims' choice and the replacement updates are
/// straight-line code without a dispatch on the policy.
#[inline(always)]
fn l1d_lookup_shaped(t: &mut Timing, ev: &mut Events, paddr: u64, write: bool) -> u64 {
    match t.shape {
        Shape::Lru8Plru16 => l1d_lookup_for::<LRU8_PLRU16>(t, ev, paddr, write),
        Shape::Plru8Plru16 => l1d_lookup_for::<PLRU8_PLRU16>(t, ev, paddr, write),
        Shape::Lru2Lru8 => l1d_lookup_for::<LRU2_LRU8>(t, ev, paddr, write),
        Shape::Other => l1d_lookup_for::<OTHER>(t, ev, paddr, write),
    }
}

/// `l1d_lookup_shaped` for caches whose shape is `SHAPE` (`OTHER`: the general copy).
#[inline(always)]
fn l1d_lookup_for<const SHAPE: u8>(
    t: &mut Timing,
    ev: &mut Events,
    paddr: u64,
    write: bool,
) -> u64 {
    debug_assert_eq!(SHAPE, t.shape as u8);
    match SHAPE {
        LRU8_PLRU16 => l1d_lookup_n::<8, LRU, 16, PLRU>(t, ev, paddr, write),
        PLRU8_PLRU16 => l1d_lookup_n::<8, PLRU, 16, PLRU>(t, ev, paddr, write),
        LRU2_LRU8 => l1d_lookup_n::<2, LRU, 8, LRU>(t, ev, paddr, write),
        _ => l1d_lookup(t, ev, paddr, write),
    }
}

/// An L1I access to `line` (a fetch); whether it hit. The embedded profiles' L1Is (4-way LRU:
/// `u74`, `simple`; 2-way LRU: `tiny`; 8-way PLRU: `big`) get a copy with their ways and
/// policy known, as the L1D and the L2 do (`l1d_lookup_shaped`); any other takes `access`.
#[inline(always)]
fn l1i_access_shaped(l1i: &mut Cache, line: u64) -> bool {
    match l1i.shape() {
        (4, LRU) => l1i.access_known::<4, LRU>(line, false),
        (2, LRU) => l1i.access_known::<2, LRU>(line, false),
        (8, PLRU) => l1i.access_known::<8, PLRU>(line, false),
        _ => l1i.access(line, false),
    }
    .hit
}

impl Machine {
    /// An L1I access for the fetch of the instruction at `pc` in the current fetch page.
    #[cold]
    #[inline(never)]
    pub(crate) fn fetch_line_access(&mut self, pc: u64) {
        let Some(t) = self.timing.as_deref_mut() else {
            return;
        };
        let line = (t.fetch_pbase + (pc & crate::memmap::PAGE_MASK)) & !(t.fetch_line - 1);
        let cost = match &mut t.l1i {
            Some(l1i) if l1i.is_mru(line, false) => 0,
            Some(l1i) => {
                if l1i_access_shaped(l1i, line) {
                    0
                } else {
                    let ev = self.stats.current_events();
                    ev[Event::L1iMiss as usize] += 1;
                    below_l1_shaped(t, ev, line, false, true)
                }
            }
            None => {
                // No L1I: the block booked a lookup that is not made.
                let ev = self.stats.current_events();
                ev[Event::L1iAccess as usize] = ev[Event::L1iAccess as usize].wrapping_sub(1);
                below_l1(t, ev, line, false, true)
            }
        };
        self.spend_cycles(cost);
    }

    /// Models one data lookup of physical `paddr` (after translation) through L1D and L2:
    /// counts misses and write-backs and spends their cycles. `walk` marks page-walk reads, whose
    /// L1D lookups are counted here (those of loads and stores are booked per instruction, see
    /// `book_data_lookups`). Returns whether the L1D was looked up: not for a device (uncached)
    /// nor without an L1D.
    pub(crate) fn model_data_access(&mut self, paddr: u64, write: bool, walk: bool) -> bool {
        let Some(t) = self.timing.as_deref_mut() else {
            return false;
        };
        if walk {
            self.stats.count(Event::WalkAccess);
        }
        let ram = self.bus.ram_offset(paddr, 1).is_some();
        let (cost, looked_up) = if !ram {
            self.stats.count(Event::MemoryAccess);
            (t.penalty.memory, false) // devices are uncached
        } else {
            let looked_up = t.l1d.is_some();
            match &t.l1d {
                Some(l1d) if l1d.is_mru(paddr, write) => (0, true),
                _ => (
                    l1d_lookup_shaped(t, self.stats.current_events(), paddr, write),
                    looked_up,
                ),
            }
        };
        if walk && looked_up {
            self.stats.count(Event::L1dAccess);
        }
        self.spend_cycles(cost);
        looked_up
    }

    /// Models a load's or store's access to the `size` bytes at physical `paddr` (all within one
    /// page): one lookup per cache line they touch, in address order, each filling its line (the
    /// line size of the first cache level there is; without caches, one access). A device
    /// access is one uncached access. Returns the L1D lookups made.
    pub(crate) fn model_data(&mut self, paddr: u64, size: u64, write: bool) -> i64 {
        let Some(t) = self.timing.as_deref() else {
            return 0;
        };
        let line = match self.bus.ram_offset(paddr, size) {
            Some(_) => t.data_line(),
            None => NO_SPLIT,
        };
        // Checked arithmetic: a guest may name an address at the top of the 64-bit space (a
        // device access there is one lookup, and must not wrap to address 0).
        let last = paddr.saturating_add(size.max(1) - 1) & !(line - 1);
        let mut at = paddr;
        let mut lookups = 0;
        loop {
            lookups += i64::from(self.model_data_access(at, write, false));
            match (at & !(line - 1)).checked_add(line) {
                Some(next) if next <= last => at = next,
                _ => return lookups,
            }
        }
    }

    /// Books the L1D lookups of one load, store or AMO beyond the one its block booked.
    pub(crate) fn book_data_lookups(&mut self, lookups: i64) {
        if self.timing.is_some() {
            self.stats.add(Event::L1dAccess, lookups - 1);
        }
    }

    /// `fault`, for an access that faults after its lookups were booked: the trap takes back
    /// the L1D access its block booked for the instruction, so it is booked again here.
    pub(crate) fn data_fault(&mut self, fault: crate::trap::Trap) -> crate::trap::Trap {
        if self.timing.is_some() {
            self.stats.count(Event::L1dAccess);
        }
        fault
    }
}

/// A "line size" larger than any physical address: the access is one lookup.
const NO_SPLIT: u64 = 1 << 63;

impl Timing {
    /// The line size that splits a data access into lookups: L1D's, else L2's; without caches
    /// an access is never split.
    fn data_line(&self) -> u64 {
        match (&self.l1d, &self.l2) {
            (Some(c), _) | (None, Some(c)) => u64::from(c.config().line),
            (None, None) => NO_SPLIT,
        }
    }
}

/// Builds the modeled TLB entry for a walk's translation of `vaddr`.
pub(crate) fn tlb_entry(vaddr: u64, asid: u16, t: &crate::mmu::sv39::Translation) -> TlbEntry {
    TlbEntry {
        vpn: vaddr >> (12 + 9 * t.level as u32),
        level: t.level as u8,
        asid,
        global: t.global,
        pte: t.pte,
    }
}

/// A host-TLB value carries the modeled TLB slot it came from in its top 16 bits (slot + 1;
/// 0 when no modeled TLB entry is involved), so a fast-path hit can book the DTLB hit a lookup
/// would have made (see `timed_fast_offset`). RAM offsets are far below 2^48.
pub(crate) const SLOT_SHIFT: u32 = 48;
/// Mask of the RAM offset in a host-TLB value.
pub(crate) const OFFSET_MASK: u64 = (1 << SLOT_SHIFT) - 1;

/// Encodes a modeled TLB slot for a host-TLB value.
pub(crate) fn slot_tag(slot: Option<usize>) -> u64 {
    slot.map_or(0, |s| (s as u64 + 1) << SLOT_SHIFT)
}

impl Machine {
    /// The ASID translations are tagged with: `satp.ASID` masked to the profile's width.
    pub(crate) fn current_asid(&self) -> u16 {
        let asid = (self.hart.csr.satp >> crate::hart::csr::satp::ASID_SHIFT) as u16;
        asid & self.asid_mask
    }

    /// Translates `vaddr` for `access` in `mode` through the modeled TLBs (timing mode, Sv39
    /// active): a hit uses the cached translation, stale or not; a miss tries the L2 TLB, then
    /// walks with its PTE reads through the caches, and fills the TLBs. Returns the physical
    /// address and the L1 TLB slot used.
    pub(crate) fn translate_timed(
        &mut self,
        vaddr: u64,
        access: crate::trap::Access,
        ctx: &crate::mmu::sv39::Context,
    ) -> Result<(u64, Option<usize>), crate::trap::Trap> {
        use crate::mmu::sv39::{self, pte};
        use crate::trap::Access;
        let asid = self.current_asid();
        let fetch = access == Access::Fetch;
        let t = self.timing.as_deref_mut().expect("timing mode");
        let tlb = if fetch { &mut t.itlb } else { &mut t.dtlb };
        if let Some((slot, e)) = tlb.lookup(vaddr, asid) {
            let needed_ad = pte::A | if access == Access::Store { pte::D } else { 0 };
            if sv39::permits(e.pte, access, ctx)
                && e.pte & needed_ad == needed_ad
                && sv39::is_canonical(vaddr)
            {
                if fetch {
                    t.itlb_mru = slot
                } else {
                    t.dtlb_mru = slot
                }
                let paddr = entry_paddr(&e, vaddr);
                if t.check_tlb {
                    self.check_stale(vaddr, access, ctx, paddr, e.pte);
                }
                return Ok((paddr, Some(slot)));
            }
            // A hit that does not allow the access (or lacks A/D): walk again, as the tables
            // may have changed; the result replaces the entry. Host-TLB entries may name the
            // slots this frees (see `timed_fast_offset`).
            if tlb.flush(Some(vaddr), None).entries > 0 {
                self.htlb.flush();
            }
        } else {
            self.stats.count(if fetch {
                Event::ItlbMiss
            } else {
                Event::DtlbMiss
            });
            let t = self.timing.as_deref_mut().expect("timing mode");
            if let Some(l2) = &mut t.l2tlb {
                if let Some((_, e)) = l2.lookup(vaddr, asid) {
                    let needed_ad = pte::A | if access == Access::Store { pte::D } else { 0 };
                    if sv39::permits(e.pte, access, ctx) && e.pte & needed_ad == needed_ad {
                        let cost = t.penalty.l2_tlb_hit;
                        self.stats.count(Event::L2tlbHit);
                        let slot = self.fill_l1_tlb(fetch, e);
                        self.spend_cycles(cost);
                        return Ok((entry_paddr(&e, vaddr), Some(slot)));
                    }
                } else {
                    self.stats.count(Event::L2tlbMiss);
                }
            }
        }
        let cost = self.timing.as_deref().map_or(0, |t| t.penalty.tlb_walk);
        self.stats.count(Event::Walk);
        self.spend_cycles(cost);
        self.count_walk();
        let tr = sv39::walk(&mut super::memory::Walker(self), vaddr, access, ctx, |_| {})?;
        let e = tlb_entry(vaddr, asid, &tr);
        if let Some(l2) = &mut self.timing.as_deref_mut().expect("timing mode").l2tlb {
            l2.insert(e);
        }
        let slot = self.fill_l1_tlb(fetch, e);
        Ok((tr.paddr, Some(slot)))
    }

    /// Puts `e` in the ITLB or DTLB; an eviction drops the host-TLB entries that may name the
    /// evicted entry's slot: its page's for a 4 KiB page, every one for a superpage.
    fn fill_l1_tlb(&mut self, fetch: bool, e: TlbEntry) -> usize {
        let t = self.timing.as_deref_mut().expect("timing mode");
        let (slot, evicted) = if fetch {
            t.itlb.insert(e)
        } else {
            t.dtlb.insert(e)
        };
        if fetch {
            t.itlb_mru = slot
        } else {
            t.dtlb_mru = slot
        }
        match evicted {
            Some(e) if e.level == 0 => self.htlb.drop_page(e.vpn << crate::memmap::PAGE_SHIFT),
            Some(_) => self.htlb.flush(),
            None => {}
        }
        slot
    }

    /// `--check-tlb`: compares a TLB translation with what the page tables say now.
    fn check_stale(
        &mut self,
        vaddr: u64,
        access: crate::trap::Access,
        ctx: &crate::mmu::sv39::Context,
        paddr: u64,
        pte: u64,
    ) {
        use crate::mmu::sv39;
        let peek_ctx = sv39::Context {
            update_ad: false,
            ..*ctx
        };
        let fresh = sv39::walk(
            &mut super::observe::Peek(&self.bus),
            vaddr,
            access,
            &peek_ctx,
            |_| {},
        )
        .ok();
        let same = fresh.is_some_and(|f| f.paddr == paddr && (f.pte ^ pte) & 0x1f == 0);
        if !same {
            let use_ = StaleUse {
                pc: self.hart.pc,
                vaddr,
                stale_paddr: paddr,
                fresh_paddr: fresh.map(|f| f.paddr),
            };
            if let Some(t) = self.timing.as_deref_mut() {
                t.stale.push(use_);
            }
        }
    }

    /// Timing mode's load fast path: the host TLB has the page (so its modeled DTLB entry, if
    /// any, is the one a lookup would find, and every check of the slow path passed) and the
    /// line is in L1D. The access then makes exactly the slow path's model changes and counts
    /// (a DTLB hit and an L1D hit, both free of cycles) without translating again. With `FULL`,
    /// an access whose DTLB slot or line is not the MRU one is modeled here too, hit or miss,
    /// as the slow path would (`timed_not_mru`); without (the handlers' own fast path, 88% of
    /// the interpreter's accesses in micro `usertests` are MRU in both), such an access is left
    /// to the slow path, `threaded::slow`, which comes back here with `FULL`: the fast path then
    /// makes no call but in tail position, and a load's handler saves one register at entry
    /// instead of six. `None` when the access needs the slow path, with nothing changed.
    #[inline(always)]
    pub(crate) fn timed_load_fast<const N: usize, const FULL: bool>(
        &mut self,
        vaddr: u64,
    ) -> Option<u64> {
        let off = self.timed_fast_offset::<N, false, FULL>(vaddr)?;
        self.bus
            .ram
            .get(off..off + N)
            .map(super::memory::from_le::<N>)
    }

    /// Timing mode's store fast path (see `timed_load_fast`); returns whether it stored.
    #[inline(always)]
    pub(crate) fn timed_store_fast<const N: usize, const FULL: bool>(
        &mut self,
        vaddr: u64,
        value: u64,
    ) -> bool {
        let Some(off) = self.timed_fast_offset::<N, true, FULL>(vaddr) else {
            return false;
        };
        match self.bus.ram.get_mut(off..off + N) {
            Some(b) => {
                b.copy_from_slice(&value.to_le_bytes()[..N]);
                true
            }
            None => false,
        }
    }

    /// The RAM offset of a fast-path access to `vaddr`, after booking its DTLB and L1D hits;
    /// `None` (nothing changed) when the access needs the slow path (`FULL` as in
    /// `timed_load_fast`).
    ///
    /// Exactness: a host-TLB data entry names the DTLB slot its translation came from, and that
    /// slot stays the one a lookup of the page finds for as long as the entry lives: anything
    /// that invalidates or replaces a DTLB entry drops every host-TLB entry that may name its
    /// slot. For a 4 KiB entry that an eviction or an `sfence.vma` of one address removes, those
    /// are its page's entries (`HostTlb::drop_page`: an entry is filled from the slot that maps
    /// its page, and the entries naming a slot go whenever its entry does, so every entry left
    /// names a slot whose entry maps its page); for a superpage, an `sfence.vma` of every
    /// address, a `satp` write or the re-walk of an entry that did not permit an access, the
    /// whole host TLB goes. An insertion
    /// (after a miss, under the current ASID, which every host-TLB entry was filled under)
    /// cannot shadow it: an entry that matched the page before still matches, and a new one
    /// that also matches it maps a larger page, which a lookup tries later.
    #[inline(always)]
    fn timed_fast_offset<const N: usize, const WRITE: bool, const FULL: bool>(
        &mut self,
        vaddr: u64,
    ) -> Option<usize> {
        let table = if WRITE {
            &self.htlb.write
        } else {
            &self.htlb.read
        };
        let e = table[self.dmode & 3][crate::mmu::htlb::slot(vaddr)];
        if e.tag != self.htlb.tag(vaddr) || vaddr & (N as u64 - 1) != 0 {
            return None;
        }
        let t = self.timing.as_deref_mut()?;
        let slot = e.value >> SLOT_SHIFT;
        let off = (e.value & OFFSET_MASK) + (vaddr & crate::memmap::PAGE_MASK);
        let paddr = crate::memmap::RAM_BASE + off;
        // Without an L1D every access goes to the L2 (or memory): never the fast path.
        let l1d = t.l1d.as_mut()?;
        let tlb_mru = slot == 0 || slot - 1 == t.dtlb_mru as u64;
        let line_mru = l1d.is_mru(paddr, WRITE);
        let mru = tlb_mru && line_mru;
        if !(FULL || mru) {
            return None;
        }
        if !line_mru {
            return self.timed_not_mru::<SHAPE_ANY>(slot, paddr, off, N, WRITE);
        }
        if !tlb_mru {
            // The slot alone is not the MRU one: the line's access changes and counts nothing.
            t.dtlb_hit(slot);
        }
        Some(off as usize)
    }

    /// The fast path's access (see `timed_fast_offset`) when its line is not the most recently
    /// used one of its set (whatever its DTLB slot), for an access the host TLB holds (DTLB
    /// slot `slot` + 1, or 0) to physical `paddr` (RAM offset `off`) within one line: exactly
    /// what the slow path does for it (`timed_held_translation`'s DTLB hit, then
    /// `model_data`'s one lookup, which books no extra L1D access), without translating again:
    /// the interpreter's (from `threaded::slow`, see `timed_load_fast`) and the translator's
    /// (`jit::timed`). A miss spends cycles, so the caller checks the slice's stop after it,
    /// as after any memory access in timing mode.
    ///
    /// `None` (nothing changed) for a miss that could not go on: while watchpoints exist (the
    /// slow path checks them) or when the caller's RAM access would fail (it must not fail after
    /// the model changed); a hit changes only what the slow path's would, so it goes on then.
    ///
    /// The access is made out of line (`SHAPE_ANY`, `timed_access`), or inlined with the copy
    /// of the miss path for shape `SHAPE` (a `Timing::shape_number`, which must be the model's:
    /// the translator's data helper, made for it, see `timed_access_for`).
    #[inline(always)]
    pub(crate) fn timed_not_mru<const SHAPE: u8>(
        &mut self,
        slot: u64,
        paddr: u64,
        off: u64,
        n: usize,
        write: bool,
    ) -> Option<usize> {
        if self.debug.watching() || off as usize + n > self.bus.ram.len() {
            return self.timed_hit_only(slot, paddr, off, write);
        }
        if SHAPE == SHAPE_ANY {
            self.timed_access(slot, paddr, write);
        } else {
            self.timed_access_for::<SHAPE>(slot, paddr, write);
        }
        Some(off as usize)
    }

    /// `timed_not_mru` of an access that may go on: its DTLB hit, then its L1D access, hit or
    /// miss, with the L2 side of a miss (one search of the L1D's set for both). The L1D exists.
    /// Out of line for the handlers (`timed_access_for` is the translator's helpers' copy).
    #[inline(never)]
    fn timed_access(&mut self, slot: u64, paddr: u64, write: bool) {
        self.timed_access_for::<SHAPE_ANY>(slot, paddr, write);
    }

    /// `timed_access` inlined, with the copy of the miss path for shape `SHAPE` (`SHAPE_ANY`:
    /// the model's, read at each call): the translator's data helper (`jit::timed::data_helper`),
    /// one for each shape, calls it without a second call and its frame, and without reading
    /// the shape.
    #[inline(always)]
    fn timed_access_for<const SHAPE: u8>(&mut self, slot: u64, paddr: u64, write: bool) {
        let Some(t) = self.timing.as_deref_mut() else {
            return;
        };
        t.dtlb_hit(slot);
        // `model_data_access` of a RAM address whose line is not the MRU one (the L1D exists).
        let ev = self.stats.current_events();
        let cost = if SHAPE == SHAPE_ANY {
            l1d_lookup_shaped(t, ev, paddr, write)
        } else {
            l1d_lookup_for::<SHAPE>(t, ev, paddr, write)
        };
        if cost != 0 {
            self.spend_cycles(cost);
        }
    }

    /// `timed_not_mru` of an access that may not go on if it misses: its hit alone.
    #[cold]
    #[inline(never)]
    fn timed_hit_only(&mut self, slot: u64, paddr: u64, off: u64, write: bool) -> Option<usize> {
        let t = self.timing.as_deref_mut()?;
        if !t.l1d.as_mut()?.hit(paddr, write) {
            return None;
        }
        t.dtlb_hit(slot);
        Some(off as usize)
    }

    /// `translate_data(vaddr, _, access)` for a load (`write` false) or a store or AMO (`write`)
    /// within one page that the host TLB holds: books the DTLB hit the translation would (see
    /// `timed_fast_offset` for why the host TLB's slot is the one a lookup finds) and returns
    /// the physical address, without translating again. `None`: not held, nothing changed.
    /// The slow paths use it for the accesses the fast path gave up on (a misaligned one, an
    /// L1D miss while watchpoints exist).
    #[inline]
    pub(crate) fn timed_held_translation(&mut self, vaddr: u64, write: bool) -> Option<u64> {
        let table = if write {
            &self.htlb.write
        } else {
            &self.htlb.read
        };
        let e = table[self.dmode & 3][crate::mmu::htlb::slot(vaddr)];
        if e.tag != self.htlb.tag(vaddr) {
            return None;
        }
        let t = self.timing.as_deref_mut()?;
        let slot = e.value >> SLOT_SHIFT;
        t.dtlb_hit(slot);
        let off = (e.value & OFFSET_MASK) + (vaddr & crate::memmap::PAGE_MASK);
        Some(crate::memmap::RAM_BASE + off)
    }

    /// Whether the fetch of the instruction at `pc` hits the most recently used L1I line of its
    /// set (no modeled state changes).
    #[inline(always)]
    pub(crate) fn fetch_line_is_mru(&self, pc: u64) -> bool {
        let Some(t) = self.timing.as_deref() else {
            return true;
        };
        let Some(l1i) = &t.l1i else { return false };
        let line = (t.fetch_pbase + (pc & crate::memmap::PAGE_MASK)) & !(t.fetch_line - 1);
        l1i.is_mru(line, false)
    }
}

/// The physical address a TLB entry gives `vaddr`.
pub(crate) fn entry_paddr(e: &TlbEntry, vaddr: u64) -> u64 {
    let page_mask = (1u64 << (12 + 9 * u32::from(e.level))) - 1;
    ((crate::mmu::sv39::ppn(e.pte) << 12) & !page_mask) | (vaddr & page_mask)
}

impl Machine {
    /// Spends the penalty `which` picks, in timing mode.
    pub(crate) fn penalize(&mut self, which: fn(&Penalties) -> u64) {
        if let Some(t) = self.timing.as_deref() {
            let cost = which(&t.penalty);
            self.spend_cycles(cost);
        }
    }

    /// `sfence.vma` on the modeled TLBs and the host TLB: `vaddr` from a nonzero rs1, `asid`
    /// from a nonzero rs2. In timing mode, a fence of one address that removes no superpage
    /// entry drops that page's host-TLB entries alone: only they can name a removed slot (see
    /// `timed_fast_offset`), and every other one still stands for the modeled entry it names.
    /// Otherwise, and always in functional mode (where the host TLB is the only TLB), every
    /// host-TLB entry goes.
    pub(crate) fn fence_tlbs(&mut self, vaddr: Option<u64>, asid: Option<u64>) {
        let mask = self.asid_mask;
        let superpages = match self.timing.as_deref_mut() {
            Some(t) => t.flush_tlbs(vaddr, asid.map(|a| a as u16 & mask)),
            None => true,
        };
        match vaddr {
            Some(v) if !superpages => self.htlb.drop_page(v),
            _ => self.htlb.flush(),
        }
    }

    /// A `satp` write: without ASIDs the modeled TLBs cannot tell address spaces apart, so
    /// they are flushed, as on hardware without ASIDs.
    pub(crate) fn satp_written(&mut self) {
        if self.asid_mask == 0
            && let Some(t) = self.timing.as_deref_mut()
        {
            t.flush_tlbs(None, None);
        }
        self.penalize(|p| p.satp_write);
    }
}

impl Machine {
    /// The stale translations `--check-tlb` found so far.
    pub fn stale_uses(&self) -> &[StaleUse] {
        self.timing.as_deref().map_or(&[], |t| &t.stale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Does every embedded profile with caches get the copy of the miss path made for its
    // shape? (Any other shape would still be exact, through the general copy, but slow.)
    #[test]
    fn each_embedded_profile_has_its_miss_copy() {
        for (name, want) in [
            ("u74", Shape::Lru8Plru16),
            ("simple", Shape::Lru8Plru16),
            ("big", Shape::Plru8Plru16),
            ("tiny", Shape::Lru2Lru8),
        ] {
            let profile = Profile::embedded(name).unwrap();
            assert_eq!(Timing::new(&profile).shape, want, "{name}");
        }
    }
}
