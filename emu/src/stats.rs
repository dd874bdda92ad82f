//! Host-side statistics: every event counted per privilege mode × address space × region.
//!
//! Events are added to the bucket of the current attribution (one indexed increment). Whenever
//! the attribution changes — a trap or xRET changes the mode, a `satp` write the address space, a
//! marker the region — the instructions and cycles since the last change are booked to the old
//! bucket: they are never counted one by one, only as differences of the machine's counters. A
//! switch finds its bucket in a short memo before a hash map, so a system call's two switches cost
//! a few dozen host instructions.
//! While a hardware performance counter may overflow (`track_totals`), each switch also moves the
//! old bucket's events into running per-mode totals of the other buckets (and the new one's out),
//! so the total of an event over a set of modes — what the counters' overflow checks poll — is
//! O(1), not O(buckets); otherwise switches stay cheap and a total is a sum over the buckets.
//!
//! An address space is identified by the `satp` root page number and ASID (0 for bare
//! translation); kernels may name it with the name-the-address-space marker. A region is the
//! innermost open `begin region` marker (0 outside any region).
//!
//! The event numbers double as the `mhpmevent` selectors the guest programs (see the README's
//! event table); event 0 counts nothing.
//!
//! The cache access events count lookups, exactly: one per cache line looked up, hit or miss.
//! - `l1i_accesses`: fetch looks up the L1I at each block entry and each time it crosses into
//!   another line (instructions in one line come from the fetch buffer); a 32-bit instruction
//!   that straddles two lines is one lookup, of its first line. An instruction that traps keeps
//!   its lookup (its fetch happened). No L1I: none.
//! - `l1d_accesses`: one per line a load, store, AMO or LR/SC touches in RAM (a misaligned access
//!   that crosses a line is two; one that crosses a page, a lookup per line of each part), and
//!   one per page-walk PTE read. Devices are uncached: none. An SC that fails for want of a
//!   reservation touches nothing: none. No L1D: none.
//! - `l2_accesses`: one per L1 miss (fetch, data or walk) and per dirty line an L1 writes back,
//!   or, without the L1 in front of it, per lookup that L1 would have made.
//!
//! The byte events count what the guest's loads and stores move, by access size: a load or LR
//! of N bytes adds N to `bytes_loaded`, a store or a successful SC N to `bytes_stored` (an SC
//! that fails stores nothing), an AMO N to both; an access that traps adds nothing. Like
//! `loads` and `stores` they are counted in timing mode only. They are not added to a bucket
//! access by access but to two running totals (`bytes`), one add each, booked to the current
//! bucket as differences whenever the attribution changes, as instructions and cycles are.

use std::collections::HashMap;

use serde::Serialize;

use crate::hart::Privilege;

/// Events, numbered as `mhpmevent` selects them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Event {
    /// L1 instruction cache lookups (one per block entry and per line crossing; see the module
    /// note).
    L1iAccess = 1,
    /// L1 instruction cache misses.
    L1iMiss = 2,
    /// L1 data cache lookups: one per line a load, store or AMO touches in RAM, and one per
    /// page-walk read (devices are uncached; see the module note).
    L1dAccess = 3,
    /// L1 data cache misses.
    L1dMiss = 4,
    /// L2 cache lookups (L1 misses and write-backs, and lookups of a missing L1).
    L2Access = 5,
    /// L2 cache misses.
    L2Miss = 6,
    /// Instruction TLB misses.
    ItlbMiss = 7,
    /// Data TLB misses.
    DtlbMiss = 8,
    /// L2 TLB misses.
    L2tlbMiss = 9,
    /// Memory accesses made by the page walker.
    WalkAccess = 10,
    /// Exceptions taken.
    Exception = 11,
    /// Interrupts taken.
    Interrupt = 12,
    /// `satp` writes.
    SatpWrite = 13,
    /// `sfence.vma` instructions.
    SfenceVma = 14,
    /// Loads retired (including LR and AMOs).
    Load = 15,
    /// Stores retired (including SC and AMOs).
    Store = 16,
    /// Conditional branches taken.
    TakenBranch = 17,
    /// Dirty lines written back from L1D.
    L1dWriteback = 18,
    /// Dirty lines written back from L2.
    L2Writeback = 19,
    /// Context switches the kernel reported (the switch marker with a thread other than the
    /// one it named last).
    ContextSwitch = 20,
    /// Branches and jumps the branch predictor mispredicted (charged `pipeline.mispredict`;
    /// counted only by a profile whose pipeline model predicts branches).
    BranchMispredict = 21,
    /// L1 misses served by L2 that an access waited for (each charged `penalty.l2_hit`; the L2
    /// access of a buffered L1D write-back is not one).
    L2Hit = 22,
    /// Accesses served by memory that an access waited for: L2 misses, L1 misses without an L2,
    /// and uncached device accesses (each charged `penalty.memory`).
    MemoryAccess = 23,
    /// Dirty-line write-backs an access waited for (each charged `penalty.writeback`): every L1D
    /// write-back, and an L2 write-back caused by an access's own L2 fill.
    Writeback = 24,
    /// Page walks started after a TLB miss (each charged `penalty.tlb_walk`).
    Walk = 25,
    /// L1 TLB misses served by the L2 TLB (each charged `penalty.l2_tlb_hit`).
    L2tlbHit = 26,
    /// `mret` and `sret` executed (each charged `penalty.xret`).
    Xret = 27,
    /// `fence.i` executed (each charged `penalty.fence_i`).
    FenceI = 28,
    /// Bytes read by loads, LR and AMOs: each access's size (timing mode; see the module note).
    BytesLoaded = 29,
    /// Bytes written by stores, successful SCs and AMOs: each access's size (timing mode; see
    /// the module note).
    BytesStored = 30,
}

/// Number of event slots (index 0 is unused).
pub const EVENTS: usize = 31;

/// Index of a privilege mode in per-mode arrays: U 0, S 1, M 2.
pub const fn mode_index(p: Privilege) -> usize {
    p.index()
}

impl Event {
    /// Every event, in number order.
    pub const ALL: [Event; EVENTS - 1] = [
        Event::L1iAccess,
        Event::L1iMiss,
        Event::L1dAccess,
        Event::L1dMiss,
        Event::L2Access,
        Event::L2Miss,
        Event::ItlbMiss,
        Event::DtlbMiss,
        Event::L2tlbMiss,
        Event::WalkAccess,
        Event::Exception,
        Event::Interrupt,
        Event::SatpWrite,
        Event::SfenceVma,
        Event::Load,
        Event::Store,
        Event::TakenBranch,
        Event::L1dWriteback,
        Event::L2Writeback,
        Event::ContextSwitch,
        Event::BranchMispredict,
        Event::L2Hit,
        Event::MemoryAccess,
        Event::Writeback,
        Event::Walk,
        Event::L2tlbHit,
        Event::Xret,
        Event::FenceI,
        Event::BytesLoaded,
        Event::BytesStored,
    ];

    /// The name used in reports and JSON.
    pub const fn name(self) -> &'static str {
        match self {
            Event::L1iAccess => "l1i_accesses",
            Event::L1iMiss => "l1i_misses",
            Event::L1dAccess => "l1d_accesses",
            Event::L1dMiss => "l1d_misses",
            Event::L2Access => "l2_accesses",
            Event::L2Miss => "l2_misses",
            Event::ItlbMiss => "itlb_misses",
            Event::DtlbMiss => "dtlb_misses",
            Event::L2tlbMiss => "l2tlb_misses",
            Event::WalkAccess => "walk_accesses",
            Event::Exception => "exceptions",
            Event::Interrupt => "interrupts",
            Event::SatpWrite => "satp_writes",
            Event::SfenceVma => "sfence_vmas",
            Event::Load => "loads",
            Event::Store => "stores",
            Event::TakenBranch => "taken_branches",
            Event::L1dWriteback => "l1d_writebacks",
            Event::L2Writeback => "l2_writebacks",
            Event::ContextSwitch => "context_switches",
            Event::BranchMispredict => "branch_mispredicts",
            Event::L2Hit => "l2_hits",
            Event::MemoryAccess => "memory_accesses",
            Event::Writeback => "writebacks",
            Event::Walk => "walks",
            Event::L2tlbHit => "l2tlb_hits",
            Event::Xret => "xrets",
            Event::FenceI => "fence_is",
            Event::BytesLoaded => "bytes_loaded",
            Event::BytesStored => "bytes_stored",
        }
    }
}

/// Counts attributed to one mode × address space × region.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Instructions retired.
    pub instructions: u64,
    /// Cycles.
    pub cycles: u64,
    /// Event counts, indexed by event number.
    pub events: [u64; EVENTS],
}

impl Counts {
    /// Adds `other` into `self`.
    pub fn add(&mut self, other: &Counts) {
        self.instructions += other.instructions;
        self.cycles += other.cycles;
        for (a, b) in self.events.iter_mut().zip(other.events.iter()) {
            *a += b;
        }
    }

    /// The count of `e`.
    pub fn get(&self, e: Event) -> u64 {
        self.events[e as usize]
    }
}

impl Serialize for Counts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(2 + Event::ALL.len()))?;
        m.serialize_entry("instructions", &self.instructions)?;
        m.serialize_entry("cycles", &self.cycles)?;
        for e in Event::ALL {
            m.serialize_entry(e.name(), &self.get(e))?;
        }
        m.end()
    }
}

impl schemars::JsonSchema for Counts {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Counts".into()
    }

    /// An object of unsigned integers: `instructions`, `cycles` and one field per event, as
    /// [`Counts`]'s `Serialize` writes it.
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let count = generator.subschema_for::<u64>();
        let names: Vec<&str> = ["instructions", "cycles"]
            .into_iter()
            .chain(Event::ALL.iter().map(|e| e.name()))
            .collect();
        let properties: serde_json::Map<String, serde_json::Value> = names
            .iter()
            .map(|n| (n.to_string(), count.clone().into()))
            .collect();
        schemars::json_schema!({
            "description": "Instructions, cycles and one count per event (`emu::stats::Event`).",
            "type": "object",
            "properties": properties,
            "required": names,
            "additionalProperties": false,
        })
    }
}

/// An address space as the statistics know it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AddressSpace {
    /// Physical address of the root page table (0 for bare translation).
    pub root: u64,
    /// ASID.
    pub asid: u16,
    /// The name the guest gave it with a marker, if any.
    pub name: Option<String>,
}

/// What a bucket's counts are attributed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    /// Privilege mode.
    pub mode: Privilege,
    /// Index into the address-space table.
    pub space: usize,
    /// Region id (0 outside any region).
    pub region: u64,
}

/// A snapshot taken by the snapshot marker.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Snapshot {
    /// The marker's tag.
    pub tag: u64,
    /// Instructions retired so far.
    pub instructions: u64,
    /// Cycles so far.
    pub cycles: u64,
    /// Totals by mode so far.
    pub by_mode: Vec<(String, Counts)>,
}

/// All statistics of a run.
#[derive(Debug)]
pub struct Stats {
    keys: Vec<Key>,
    buckets: Vec<Counts>,
    index: HashMap<Key, usize>,
    current: usize,
    spaces: Vec<AddressSpace>,
    space_index: HashMap<(u64, u16), usize>,
    regions: Vec<u64>,
    /// `(instructions, cycles)` at the last switch.
    mark: (u64, u64),
    /// Bytes loaded and stored so far (`bytes_loaded`, `bytes_stored`), counted by the
    /// machine's loads and stores and booked as differences (see the module note).
    pub bytes: [u64; 2],
    /// `bytes` at the last switch.
    bytes_mark: [u64; 2],
    /// The last buckets used, checked before the map: a system call switches between two.
    recent: [(Key, usize); 4],
    /// Snapshots taken by markers.
    pub snapshots: Vec<Snapshot>,
    /// Event totals by mode (`mode_index`) of every bucket but the current one, kept as the
    /// attribution switches while `tracking`, so that `event_total` is O(1) however many buckets
    /// there are.
    others: [[u64; EVENTS]; 3],
    /// Whether `others` is kept (see `track_totals`).
    tracking: bool,
}

impl Default for Stats {
    fn default() -> Self {
        let mut s = Stats {
            keys: Vec::new(),
            buckets: Vec::new(),
            index: HashMap::new(),
            current: 0,
            spaces: Vec::new(),
            space_index: HashMap::new(),
            regions: Vec::new(),
            mark: (0, 0),
            bytes: [0; 2],
            bytes_mark: [0; 2],
            recent: [(
                Key {
                    mode: Privilege::Machine,
                    space: usize::MAX,
                    region: 0,
                },
                0,
            ); 4],
            snapshots: Vec::new(),
            others: [[0; EVENTS]; 3],
            tracking: false,
        };
        let space = s.space(0, 0);
        s.current = s.bucket(Key {
            mode: Privilege::Machine,
            space,
            region: 0,
        });
        s
    }
}

impl Stats {
    fn bucket(&mut self, key: Key) -> usize {
        if let Some(&(_, i)) = self.recent.iter().find(|(k, _)| *k == key) {
            return i;
        }
        let i = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                self.keys.push(key);
                self.buckets.push(Counts::default());
                self.index.insert(key, self.buckets.len() - 1);
                self.buckets.len() - 1
            }
        };
        self.recent.rotate_right(1);
        self.recent[0] = (key, i);
        i
    }

    fn space(&mut self, root: u64, asid: u16) -> usize {
        if let Some(&i) = self.space_index.get(&(root, asid)) {
            return i;
        }
        self.spaces.push(AddressSpace {
            root,
            asid,
            name: None,
        });
        self.space_index.insert((root, asid), self.spaces.len() - 1);
        self.spaces.len() - 1
    }

    /// The current attribution's event counts, indexed by event number (the block translator
    /// adds to them in timing mode's loops, `machine::jit::timed`). Valid until the next switch
    /// of attribution.
    pub(crate) fn events_ptr(&mut self) -> Option<*mut u64> {
        let c = self.buckets.get_mut(self.current)?;
        Some(c.events.as_mut_ptr())
    }

    /// The current attribution's event counts, indexed by event number: for a path that counts
    /// several events, one bounds check instead of one per event.
    #[inline]
    pub(crate) fn current_events(&mut self) -> &mut [u64; EVENTS] {
        &mut self.buckets[self.current].events
    }

    /// Counts one event `e` in the current attribution.
    #[inline]
    pub fn count(&mut self, e: Event) {
        self.buckets[self.current].events[e as usize] += 1;
    }

    /// Counts `n` events `e` in the current attribution (`n` may be negative, to take back
    /// events counted ahead for a block that was left early).
    #[inline]
    pub fn add(&mut self, e: Event, n: i64) {
        let c = &mut self.buckets[self.current].events[e as usize];
        *c = c.wrapping_add_signed(n);
    }

    /// `add(events[i], n[i])` for each `i`, with one access to the current bucket (one bounds
    /// check, not one per event): a block's bookings.
    #[inline(always)]
    pub fn add_each<const K: usize>(&mut self, events: [Event; K], n: [i64; K]) {
        let c = &mut self.buckets[self.current].events;
        // Slice iterators, not the arrays' own: their `zip` is always inlined (the arrays'
        // `IntoIter` zip was once left as a call per event, making timing-mode `compute` 20%
        // slower).
        for (&e, &n) in events.iter().zip(&n) {
            c[e as usize] = c[e as usize].wrapping_add_signed(n);
        }
    }

    /// Books the instructions, cycles and bytes since the last switch to the current bucket.
    pub fn flush(&mut self, instructions: u64, cycles: u64) {
        let live = self.live_bytes();
        let b = &mut self.buckets[self.current];
        b.instructions += instructions - self.mark.0;
        b.cycles += cycles - self.mark.1;
        add_bytes(&mut b.events, live);
        self.mark = (instructions, cycles);
        self.bytes_mark = self.bytes;
    }

    /// The bytes loaded and stored since the last switch, not yet in the current bucket.
    #[inline]
    fn live_bytes(&self) -> [u64; 2] {
        [
            self.bytes[0].wrapping_sub(self.bytes_mark[0]),
            self.bytes[1].wrapping_sub(self.bytes_mark[1]),
        ]
    }

    /// Keeps running per-mode totals from now on (`on`), or stops keeping them: worth it while
    /// totals are polled often (an armed counter), not otherwise (each switch then costs more).
    pub fn track_totals(&mut self, on: bool) {
        if on && !self.tracking {
            self.others = [[0; EVENTS]; 3];
            for (i, (key, counts)) in self.keys.iter().zip(&self.buckets).enumerate() {
                if i == self.current {
                    continue;
                }
                for (t, c) in self.others[mode_index(key.mode)]
                    .iter_mut()
                    .zip(&counts.events)
                {
                    *t = t.wrapping_add(*c);
                }
            }
        }
        self.tracking = on;
    }

    /// How many `e` events happened so far in the modes of `modes` (bit 0 U, 1 S, 2 M). O(1)
    /// while totals are tracked, else O(buckets).
    pub fn event_total(&self, e: usize, modes: u8) -> u64 {
        if !self.tracking {
            return self
                .keys
                .iter()
                .zip(&self.buckets)
                .filter(|(k, _)| modes & (1 << mode_index(k.mode)) != 0)
                .map(|(_, c)| c.events[e])
                .fold(self.live_total(e, modes), u64::wrapping_add);
        }
        let mut total = 0u64;
        for (m, others) in self.others.iter().enumerate() {
            if modes & (1 << m) != 0 {
                total = total.wrapping_add(others[e]);
            }
        }
        if modes & (1 << mode_index(self.key().mode)) != 0 {
            total = total.wrapping_add(self.buckets[self.current].events[e]);
        }
        total.wrapping_add(self.live_total(e, modes))
    }

    /// What `event_total(e, modes)` has not yet booked: the live bytes, if `e` is a byte event
    /// and the current mode is among `modes`.
    fn live_total(&self, e: usize, modes: u8) -> u64 {
        let live = self.live_bytes();
        let i = match e {
            x if x == Event::BytesLoaded as usize => 0,
            x if x == Event::BytesStored as usize => 1,
            _ => return 0,
        };
        if modes & (1 << mode_index(self.key().mode)) != 0 {
            live[i]
        } else {
            0
        }
    }

    /// Makes bucket `next` the current one, moving the old current bucket's events into the
    /// per-mode totals of the others and `next`'s out of them.
    fn switch_to(&mut self, next: usize) {
        if next == self.current || !self.tracking {
            self.current = next;
            return;
        }
        let old = mode_index(self.keys[self.current].mode);
        for (t, c) in self.others[old]
            .iter_mut()
            .zip(&self.buckets[self.current].events)
        {
            *t = t.wrapping_add(*c);
        }
        let new = mode_index(self.keys[next].mode);
        for (t, c) in self.others[new].iter_mut().zip(&self.buckets[next].events) {
            *t = t.wrapping_sub(*c);
        }
        self.current = next;
    }

    /// The current attribution.
    pub fn key(&self) -> Key {
        self.keys[self.current]
    }

    /// Switches the attribution to privilege `mode`, flushing first.
    pub fn set_mode(&mut self, mode: Privilege, instructions: u64, cycles: u64) {
        self.flush(instructions, cycles);
        let Key { space, region, .. } = self.key();
        let next = self.bucket(Key {
            mode,
            space,
            region,
        });
        self.switch_to(next);
    }

    /// Switches the attribution to the address space `(root, asid)`, flushing first.
    pub fn set_space(&mut self, root: u64, asid: u16, instructions: u64, cycles: u64) {
        self.flush(instructions, cycles);
        let space = self.space(root, asid);
        let Key { mode, region, .. } = self.key();
        let next = self.bucket(Key {
            mode,
            space,
            region,
        });
        self.switch_to(next);
    }

    /// Opens region `id` (regions nest; the innermost one is current).
    pub fn begin_region(&mut self, id: u64, instructions: u64, cycles: u64) {
        self.flush(instructions, cycles);
        self.regions.push(id);
        let Key { mode, space, .. } = self.key();
        let next = self.bucket(Key {
            mode,
            space,
            region: id,
        });
        self.switch_to(next);
    }

    /// Closes the innermost region `id` (a mismatched id closes nothing: the guest's mistake
    /// must not corrupt the statistics).
    pub fn end_region(&mut self, id: u64, instructions: u64, cycles: u64) {
        if self.regions.last() != Some(&id) {
            return;
        }
        self.flush(instructions, cycles);
        self.regions.pop();
        let Key { mode, space, .. } = self.key();
        let region = self.regions.last().copied().unwrap_or(0);
        let next = self.bucket(Key {
            mode,
            space,
            region,
        });
        self.switch_to(next);
    }

    /// Names the current address space.
    pub fn name_space(&mut self, name: String) {
        let space = self.key().space;
        self.spaces[space].name = Some(name);
    }

    /// Totals by privilege mode, including what is still live.
    pub fn by_mode(&self, instructions: u64, cycles: u64) -> [(Privilege, Counts); 3] {
        let mut out = [Privilege::User, Privilege::Supervisor, Privilege::Machine]
            .map(|m| (m, Counts::default()));
        for (key, counts) in self.keys.iter().zip(&self.buckets) {
            out[mode_index(key.mode)].1.add(counts);
        }
        let live = self.live_bytes();
        let cur = &mut out[mode_index(self.key().mode)].1;
        cur.instructions += instructions - self.mark.0;
        cur.cycles += cycles - self.mark.1;
        add_bytes(&mut cur.events, live);
        out
    }

    /// Records a snapshot with `tag`.
    pub fn snapshot(&mut self, tag: u64, instructions: u64, cycles: u64) {
        let by_mode = self
            .by_mode(instructions, cycles)
            .map(|(m, c)| (m.letter().to_string(), c))
            .to_vec();
        self.snapshots.push(Snapshot {
            tag,
            instructions,
            cycles,
            by_mode,
        });
    }

    /// Every bucket with its attribution, including what is still live (the instructions and
    /// cycles since the last flush, given the machine's counts now), without flushing: for a
    /// debugger looking at a halted run.
    pub fn live_buckets(&self, instructions: u64, cycles: u64) -> Vec<(Key, Counts)> {
        let mut out: Vec<(Key, Counts)> = self
            .keys
            .iter()
            .copied()
            .zip(self.buckets.iter().cloned())
            .collect();
        let live = self.live_bytes();
        let cur = &mut out[self.current].1;
        cur.instructions += instructions - self.mark.0;
        cur.cycles += cycles - self.mark.1;
        add_bytes(&mut cur.events, live);
        out
    }

    /// Every bucket with its attribution (after a `flush`).
    pub fn buckets(&self) -> impl Iterator<Item = (Key, &Counts)> {
        self.keys.iter().copied().zip(self.buckets.iter())
    }

    /// The address spaces seen.
    pub fn spaces(&self) -> &[AddressSpace] {
        &self.spaces
    }
}

/// Adds `bytes` (loaded, stored) to the byte events of `events`.
fn add_bytes(events: &mut [u64; EVENTS], bytes: [u64; 2]) {
    let loaded = &mut events[Event::BytesLoaded as usize];
    *loaded = loaded.wrapping_add(bytes[0]);
    let stored = &mut events[Event::BytesStored as usize];
    *stored = stored.wrapping_add(bytes[1]);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `event_total` the slow way: the sum over every bucket of the modes in `modes`.
    fn summed(s: &Stats, e: usize, modes: u8) -> u64 {
        s.buckets()
            .filter(|(k, _)| modes & (1 << mode_index(k.mode)) != 0)
            .map(|(_, c)| c.events[e])
            .fold(0, u64::wrapping_add)
    }

    // Do the running per-mode totals equal the sum over the buckets after every kind of switch,
    // back and forth between buckets, with events taken back (negative adds)?
    #[test]
    fn event_totals_equal_the_sum_over_buckets() {
        let mut s = Stats::default();
        s.track_totals(true);
        let modes = [Privilege::User, Privilege::Supervisor, Privilege::Machine];
        for i in 0..200u64 {
            // Off for a while, then on again: the totals are rebuilt from the buckets.
            if i == 90 || i == 140 {
                s.track_totals(i == 140);
            }
            match i % 5 {
                0 => s.set_mode(modes[(i / 5 % 3) as usize], i, i),
                1 => s.set_space(0x8000_0000 + (i % 7) * 0x1000, (i % 3) as u16, i, i),
                2 => s.begin_region(i % 4 + 1, i, i),
                3 => s.end_region((i - 1) % 4 + 1, i, i),
                _ => s.add(Event::Load, -1),
            }
            s.count(Event::Store);
            s.add(Event::Load, (i % 4) as i64);
            for e in [Event::Load as usize, Event::Store as usize] {
                for m in 0..8u8 {
                    assert_eq!(s.event_total(e, m), summed(&s, e, m), "step {i}, modes {m}");
                }
            }
        }
    }

    // Are the bytes counted between switches booked to the bucket they were counted in, and do
    // the totals, `by_mode` and `live_buckets` include those not yet booked?
    #[test]
    fn bytes_go_to_the_bucket_they_were_counted_in() {
        let stored = Event::BytesStored as usize;
        let mut s = Stats::default();
        s.track_totals(true);
        s.bytes[1] += 8;
        assert_eq!(s.event_total(stored, 0b100), 8);
        s.set_mode(Privilege::Supervisor, 10, 10);
        s.bytes[1] += 4;
        s.bytes[0] += 2;
        assert_eq!(s.event_total(stored, 0b010), 4);
        assert_eq!(s.event_total(stored, 0b110), 12);
        assert_eq!(s.event_total(stored, 0b001), 0);
        s.track_totals(false);
        assert_eq!(s.event_total(stored, 0b110), 12);
        let by = s.by_mode(20, 20);
        assert_eq!(
            (
                by[1].1.get(Event::BytesStored),
                by[1].1.get(Event::BytesLoaded),
                by[2].1.get(Event::BytesStored)
            ),
            (4, 2, 8)
        );
        let live = s.live_buckets(20, 20);
        let sv = |b: &[(Key, Counts)]| {
            b.iter()
                .find(|(k, _)| k.mode == Privilege::Supervisor)
                .map(|(_, c)| c.get(Event::BytesStored))
        };
        assert_eq!(sv(&live), Some(4));
        s.flush(20, 20);
        let booked: Vec<(Key, Counts)> = s.buckets().map(|(k, c)| (k, c.clone())).collect();
        assert_eq!(sv(&booked), Some(4));
        // Booked once: a second flush adds nothing.
        s.flush(30, 30);
        assert_eq!(s.event_total(stored, 0b111), 12);
    }

    #[test]
    fn switches_attribute_instructions_cycles_and_events_to_the_right_bucket() {
        let mut s = Stats::default();
        s.add(Event::Load, 5);
        s.set_mode(Privilege::Supervisor, 100, 150);
        s.set_space(0x8000_1000, 0, 100, 150);
        s.add(Event::Load, 2);
        s.begin_region(7, 130, 200);
        s.count(Event::Store);
        s.end_region(7, 140, 230);
        s.flush(160, 260);
        let b: Vec<(Key, Counts)> = s.buckets().map(|(k, c)| (k, c.clone())).collect();
        let m = &b[0].1;
        assert_eq!(
            (b[0].0.mode, m.instructions, m.cycles, m.get(Event::Load)),
            (Privilege::Machine, 100, 150, 5)
        );
        let sv = b
            .iter()
            .find(|(k, _)| k.mode == Privilege::Supervisor && k.space == 1 && k.region == 0)
            .unwrap();
        assert_eq!(
            (sv.1.instructions, sv.1.cycles, sv.1.get(Event::Load)),
            (30 + 20, 50 + 30, 2)
        );
        let r = b.iter().find(|(k, _)| k.region == 7).unwrap();
        assert_eq!(
            (r.1.instructions, r.1.cycles, r.1.get(Event::Store)),
            (10, 30, 1)
        );
    }

    #[test]
    fn by_mode_includes_unbooked_work_and_a_wrong_end_marker_changes_nothing() {
        let mut s = Stats::default();
        s.begin_region(1, 0, 0);
        s.end_region(2, 5, 5);
        assert_eq!(s.key().region, 1);
        s.add(Event::Exception, 3);
        let by = s.by_mode(10, 12);
        assert_eq!(
            (
                by[2].1.instructions,
                by[2].1.cycles,
                by[2].1.get(Event::Exception)
            ),
            (10, 12, 3)
        );
        assert_eq!(s.event_total(Event::Exception as usize, 0b100), 3);
        assert_eq!(s.event_total(Event::Exception as usize, 0b011), 0);
    }
}
