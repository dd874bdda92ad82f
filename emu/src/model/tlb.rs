//! A modeled set-associative TLB of Sv39 translations, with ASIDs, global pages and superpages.
//!
//! The TLB is *architectural*: the machine uses a stored leaf PTE instead of walking again, so an
//! entry stays in use, even if the page tables changed, until `flush` (`sfence.vma`) removes it.
//! `flush` follows privileged spec 1.12 §4.2.1 exactly.
//!
//! ```text
//!   Sv39 vaddr: | VPN[2] 38..30 | VPN[1] 29..21 | VPN[0] 20..12 | offset 11..0 |
//!   an entry of level L (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB) maps the page
//!       vpn = vaddr >> (12 + 9 * L),   kept in set  vpn % sets
//!   slot id = set * ways + way
//! ```
//! Lookups are O(1) on a repeat: a small direct-mapped memo, indexed by the 4 KiB page number,
//! remembers the slot the last full search found for that page and ASID. Which entry a search
//! finds depends only on the entries and on `vaddr >> 12` (every page is 4 KiB-aligned), so a
//! memo names exactly the slot a search would while that slot still holds a matching entry and
//! no entry a search would find first has come in (a 4 KiB entry for the memo's page, or any
//! superpage entry: see `Tlb::lookup`); replacement state changes (touches) exactly as after a
//! search. A search compares one word per way (`Tlb::keys`: page number and level) and skips
//! the levels of which the TLB holds no entry (`Tlb::held`: after a flush, a miss reads three
//! counts and no way) or, by a filter of their page numbers (`Tlb::filter`), surely none for
//! the page. A flush of one address compares the same words in one set per level; a
//! flush of everything (or of an ASID) visits only the slots made valid since the last one.
//! Left out: the walk itself (see `mmu::sv39`), permission checks (the machine checks the stored
//! PTE), A/D updates, and Svnapot/Svpbmt.

use super::replacement::{Replacement, ReplacementState};

/// Sv39 page offset bits (4 KiB pages).
const PAGE_SHIFT: u32 = 12;
/// Sv39 VPN bits per level.
const VPN_BITS: u32 = 9;
/// Sv39 levels: 0 (4 KiB), 1 (2 MiB), 2 (1 GiB).
const LEVELS: u8 = 3;
/// Entries of the lookup memo (a power of two).
const MEMO_ENTRIES: usize = 64;

/// What the last search for one 4 KiB page found (see the module note).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Memo {
    /// `vaddr >> 12`.
    page: u64,
    /// The ASID searched for.
    asid: u16,
    /// The TLB's epoch when it was taken; never 0 once taken.
    epoch: u64,
    /// The slot found.
    slot: usize,
}

/// Words of a level's page-number filter (`Tlb::filter`), and its bits.
const FILTER_WORDS: usize = 4;
const FILTER_BITS: u64 = 64 * FILTER_WORDS as u64;

/// The word and bit of page number `vpn` in a level's filter.
#[inline]
fn filter_bit(vpn: u64) -> (usize, u64) {
    let b = vpn % FILTER_BITS;
    ((b / 64) as usize, 1 << (b % 64))
}

/// `Tlb::keys` of an invalid slot (no page number and level make it).
const NO_KEY: u64 = u64::MAX;

/// `Tlb::keys` of an entry for page number `vpn` at `level`.
#[inline]
fn key_of(vpn: u64, level: u8) -> u64 {
    vpn << 2 | u64::from(level)
}

/// The shift from a virtual address to the page number of its level-`level` page.
#[inline]
fn vpn_shift(level: u8) -> u32 {
    PAGE_SHIFT + VPN_BITS * u32::from(level)
}

/// The geometry and policy of a TLB (an `[itlb]`, `[dtlb]` or `[l2tlb]` table of a profile).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TlbConfig {
    /// Total entries (a power of two).
    pub entries: u32,
    /// Associativity (a power of two, at most `entries`; `ways == entries` is fully associative).
    pub ways: u32,
    /// Which entry an insertion evicts.
    pub replacement: Replacement,
    /// Seed of `Replacement::Random` (0 if omitted).
    #[serde(default)]
    pub seed: u64,
}

impl TlbConfig {
    /// Checks the geometry: entries and ways powers of two, ways <= entries. The error names the
    /// field and why.
    pub fn validate(&self) -> Result<(), String> {
        if !self.entries.is_power_of_two() {
            return Err(format!("entries = {} is not a power of two", self.entries));
        }
        if !self.ways.is_power_of_two() {
            return Err(format!("ways = {} is not a power of two", self.ways));
        }
        if self.ways > self.entries {
            return Err(format!(
                "ways = {} is more than entries = {}",
                self.ways, self.entries
            ));
        }
        Ok(())
    }
}

/// One cached translation: the leaf PTE of a walk and the page it maps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TlbEntry {
    /// Virtual page number of the *page* this entry maps: `vaddr >> (12 + 9 * level)`.
    pub vpn: u64,
    /// Page level: 0 = 4 KiB, 1 = 2 MiB (megapage), 2 = 1 GiB (gigapage).
    pub level: u8,
    /// The ASID it was walked under (ignored if `global`).
    pub asid: u16,
    /// PTE.G: the entry matches every ASID.
    pub global: bool,
    /// The leaf PTE as walked (PPN, permission and A/D bits).
    pub pte: u64,
}

impl TlbEntry {
    /// Whether this entry translates `vaddr` for `asid`.
    #[inline]
    fn matches(&self, vaddr: u64, asid: u16) -> bool {
        self.vpn == vaddr >> vpn_shift(self.level) && (self.global || self.asid == asid)
    }

    /// Whether this entry's page contains `vaddr` (any ASID).
    #[inline]
    fn contains(&self, vaddr: u64) -> bool {
        self.vpn == vaddr >> vpn_shift(self.level)
    }
}

/// What `Tlb::flush` invalidated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flushed {
    /// Entries.
    pub entries: usize,
    /// Whether one of them mapped a megapage or a gigapage.
    pub superpages: bool,
}

/// Event counts of one TLB (`probe` and `touch` count nothing). They are the model's own
/// (tests, debugging); the machine's reported TLB events are `stats::Event`s.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TlbStats {
    /// Calls of `lookup`.
    pub lookups: u64,
    /// Lookups that found a translation.
    pub hits: u64,
    /// Lookups that found none.
    pub misses: u64,
    /// Entries invalidated by `flush` calls.
    pub flushes: u64,
    /// Valid entries evicted by `insert`.
    pub evictions: u64,
}

/// Pointers to what `Tlb::touch` changes under LRU replacement (see `Tlb::lru_words`): a touch
/// of `slot`, unless `mru[set]` is already its way (`set` = `slot >> shift`, way = the low
/// bits; `one_set`: the TLB has a single set, so `set` is 0), sets it, adds one to `clock` and
/// stamps `stamps[slot]` with it.
#[derive(Clone, Copy)]
pub(crate) struct LruWords {
    pub mru: *mut u32,
    pub stamps: *mut u64,
    pub clock: *mut u64,
    pub shift: u32,
    pub one_set: bool,
}

/// A modeled TLB (see the module note).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tlb {
    config: TlbConfig,
    ways: usize,
    sets: u64,
    /// `sets - 1` (sets is a power of two).
    set_mask: u64,
    /// Entries by slot (`set * ways + way`); `None` = invalid.
    slots: Vec<Option<TlbEntry>>,
    /// By slot: `key_of` the entry's page number and level, `NO_KEY` if invalid (what a search
    /// compares first).
    keys: Vec<u64>,
    /// Valid entries of each level.
    held: [u32; LEVELS as usize],
    /// Of each level, a filter of the page numbers it may hold: bit `vpn % FILTER_BITS` is set
    /// for every valid entry's (and for some gone since). A clear bit: no entry of that level
    /// has the page number, and a search skips the level. Cleared when the level holds none.
    filter: [[u64; FILTER_WORDS]; LEVELS as usize],
    repl: ReplacementState,
    stats: TlbStats,
    /// Bumped by every insertion of a superpage entry: memos of older epochs are void (see
    /// `lookup` for why nothing else voids them all).
    epoch: u64,
    /// The slots that became valid since the last flush of every entry (or of an ASID), each
    /// once (`listed`): what such a flush visits, instead of every slot.
    valid: Vec<usize>,
    listed: Vec<bool>,
    /// Lookup memos by `page % MEMO_ENTRIES`.
    memo: [Memo; MEMO_ENTRIES],
}

impl Tlb {
    /// An empty TLB of geometry `config`, which must pass `TlbConfig::validate`.
    pub fn new(config: &TlbConfig) -> Tlb {
        debug_assert_eq!(config.validate(), Ok(()));
        let ways = config.ways as usize;
        let sets = config.entries / config.ways;
        Tlb {
            config: config.clone(),
            ways,
            sets: u64::from(sets),
            set_mask: u64::from(sets) - 1,
            slots: vec![None; config.entries as usize],
            keys: vec![NO_KEY; config.entries as usize],
            held: [0; LEVELS as usize],
            filter: [[0; FILTER_WORDS]; LEVELS as usize],
            repl: ReplacementState::new(sets as usize, ways, config.replacement, config.seed),
            stats: TlbStats::default(),
            epoch: 1,
            valid: Vec::new(),
            listed: vec![false; config.entries as usize],
            memo: [Memo::default(); MEMO_ENTRIES],
        }
    }

    /// The geometry it was built with.
    pub fn config(&self) -> &TlbConfig {
        &self.config
    }

    /// The number of sets (`entries / ways`).
    pub fn sets(&self) -> u64 {
        self.sets
    }

    /// The counts so far.
    pub fn stats(&self) -> TlbStats {
        self.stats
    }

    /// The set a page of number `vpn` (at any level) lives in.
    #[inline]
    fn set_of(&self, vpn: u64) -> usize {
        (vpn & self.set_mask) as usize
    }

    /// Whether the TLB may hold an entry of `level` for page number `vpn`: it holds some entry
    /// of that level (`held`), and the level's filter does not rule `vpn` out.
    #[inline]
    fn may_hold(&self, level: u8, vpn: u64) -> bool {
        let (word, bit) = filter_bit(vpn);
        let level = usize::from(level);
        self.held[level] != 0 && self.filter[level][word] & bit != 0
    }

    /// The slot of the entry translating `vaddr` for `asid`, lowest level first.
    fn find(&self, vaddr: u64, asid: u16) -> Option<usize> {
        (0..LEVELS).find_map(|level| {
            let vpn = vaddr >> vpn_shift(level);
            if !self.may_hold(level, vpn) {
                return None;
            }
            let (want, base) = (key_of(vpn, level), self.set_of(vpn) * self.ways);
            (base..base + self.ways).find(|&slot| {
                self.keys[slot] == want && self.slots[slot].is_some_and(|e| e.matches(vaddr, asid))
            })
        })
    }

    /// Sets `slot` to `entry` (`None`: invalid), keeping `keys` and `held`; returns what it held.
    fn set_slot(&mut self, slot: usize, entry: Option<TlbEntry>) -> Option<TlbEntry> {
        let old = std::mem::replace(&mut self.slots[slot], entry);
        if let Some(e) = old {
            let level = usize::from(e.level);
            self.held[level] -= 1;
            if self.held[level] == 0 {
                self.filter[level] = [0; FILTER_WORDS];
            }
        }
        self.keys[slot] = match entry {
            Some(e) => {
                let level = usize::from(e.level);
                self.held[level] += 1;
                let (word, bit) = filter_bit(e.vpn);
                self.filter[level][word] |= bit;
                if !self.listed[slot] {
                    self.listed[slot] = true;
                    self.valid.push(slot);
                }
                key_of(e.vpn, e.level)
            }
            None => NO_KEY,
        };
        old
    }

    /// Looks `vaddr` up for `asid`: a hit touches the entry and returns it with its slot. If
    /// several entries match (only through software misuse), the lowest level wins. O(1) when
    /// the page was found before and its memo still holds, else O(ways).
    ///
    /// A memo names the first entry a search finds for its page and ASID (lowest level, then
    /// lowest way). It holds while that slot still holds a matching entry and no entry that
    /// a search would find first has come in since. Only an insertion brings one: a 4 KiB
    /// entry for the memo's own page (`insert` forgets that page's memo) or a superpage entry
    /// (`insert` bumps the epoch, voiding every memo). An invalidation cannot: it removes
    /// entries, and a search's first match either stays or was the memo's own entry, which the
    /// check of the slot sees gone.
    pub fn lookup(&mut self, vaddr: u64, asid: u16) -> Option<(usize, TlbEntry)> {
        self.stats.lookups += 1;
        let page = vaddr >> PAGE_SHIFT;
        let m = &mut self.memo[page as usize & (MEMO_ENTRIES - 1)];
        let found = if m.epoch == self.epoch
            && m.page == page
            && m.asid == asid
            && self.slots[m.slot].is_some_and(|e| e.matches(vaddr, asid))
        {
            Some(m.slot)
        } else {
            let found = self.find(vaddr, asid);
            if let Some(slot) = found {
                self.memo[page as usize & (MEMO_ENTRIES - 1)] = Memo {
                    page,
                    asid,
                    epoch: self.epoch,
                    slot,
                };
            }
            found
        };
        match found {
            Some(slot) => {
                self.stats.hits += 1;
                self.touch(slot);
                self.slots[slot].map(|e| (slot, e))
            }
            None => {
                self.stats.misses += 1;
                None
            }
        }
    }

    /// The same TLB with its replacement state in canonical form
    /// (`ReplacementState::canonical`): what two TLBs that will choose the same victims have
    /// in common, for comparing them.
    pub fn canonical(&self) -> Tlb {
        Tlb {
            repl: self.repl.canonical(),
            ..self.clone()
        }
    }

    /// `lookup` without any state change or counting (debugger, checks).
    pub fn probe(&self, vaddr: u64, asid: u16) -> Option<(usize, TlbEntry)> {
        self.find(vaddr, asid)
            .and_then(|slot| self.at(slot).map(|e| (slot, e)))
    }

    /// Marks `slot` (a valid entry) used, as a lookup that finds it does: for the hits the
    /// machine finds without `lookup` (through the host TLB). O(1) except PLRU (O(log ways));
    /// touching the slot touched or filled last again changes nothing (so the machine skips
    /// it). Counts nothing.
    #[inline]
    pub fn touch(&mut self, slot: usize) {
        debug_assert!(self.slots[slot].is_some(), "touch of invalid slot {slot}");
        // `ways` is a power of two: shift and mask, not a divide.
        let shift = self.ways.trailing_zeros();
        self.repl.touch(slot >> shift, slot & (self.ways - 1));
    }

    /// What `touch` reads and writes under LRU replacement, for the block translator to do it
    /// inline (`machine::jit::timed`): the replacement state's words
    /// (`ReplacementState::lru_words`) and the shift from a slot to its set. `None` under the
    /// other policies. The words live as long as the TLB (no table is ever resized).
    pub(crate) fn lru_words(&mut self) -> Option<LruWords> {
        let (mru, stamps, clock) = self.repl.lru_words()?;
        Some(LruWords {
            mru,
            stamps,
            clock,
            shift: self.ways.trailing_zeros(),
            one_set: self.sets == 1,
        })
    }

    /// Places `entry` in its set: over an entry for the same page, level, ASID and globalness if
    /// there is one, else in an invalid way, else in the policy's victim. Returns the slot and the
    /// valid entry evicted (counted), if any.
    pub fn insert(&mut self, entry: TlbEntry) -> (usize, Option<TlbEntry>) {
        let set = self.set_of(entry.vpn);
        let base = set * self.ways;
        let same = |e: &TlbEntry| {
            (e.vpn, e.level, e.asid, e.global) == (entry.vpn, entry.level, entry.asid, entry.global)
        };
        let key = key_of(entry.vpn, entry.level);
        let (keys, slots) = (
            &self.keys[base..base + self.ways],
            &self.slots[base..base + self.ways],
        );
        let way =
            match (0..self.ways).find(|&w| keys[w] == key && slots[w].is_some_and(|e| same(&e))) {
                Some(way) => way,
                None => self.repl.victim(set, |w| slots[w].is_some()),
            };
        let slot = base + way;
        // The memos this entry could shadow (see `lookup`).
        if entry.level == 0 {
            let m = &mut self.memo[entry.vpn as usize & (MEMO_ENTRIES - 1)];
            if m.page == entry.vpn {
                m.epoch = 0;
            }
        } else {
            self.epoch += 1;
        }
        let evicted = self.set_slot(slot, Some(entry)).filter(|e| !same(e));
        if evicted.is_some() {
            self.stats.evictions += 1;
        }
        self.repl.fill(set, way);
        (slot, evicted)
    }

    /// `sfence.vma` (privileged spec 1.12 §4.2.1) on this TLB; returns how many entries it
    /// invalidated, and whether any of them mapped a superpage (see `Flushed`):
    /// - `(None, None)` (rs1 = rs2 = x0): every entry, global ones included;
    /// - `(None, Some(a))` (rs1 = x0): every entry for ASID `a` except global ones;
    /// - `(Some(v), None)` (rs2 = x0): every entry whose page contains `v`, any ASID, global
    ///   ones included;
    /// - `(Some(v), Some(a))`: every entry whose page contains `v` for ASID `a`, except global ones.
    pub fn flush(&mut self, vaddr: Option<u64>, asid: Option<u16>) -> Flushed {
        let hit = |e: &TlbEntry| match (vaddr, asid) {
            (None, None) => true,
            (None, Some(a)) => !e.global && e.asid == a,
            (Some(v), None) => e.contains(v),
            (Some(v), Some(a)) => !e.global && e.asid == a && e.contains(v),
        };
        let mut count = 0;
        let mut superpages = false;
        let mut clear = |t: &mut Tlb, slot: usize| {
            if let Some(e) = t.slots[slot].filter(hit) {
                t.set_slot(slot, None);
                count += 1;
                superpages |= e.level > 0;
            }
        };
        match vaddr {
            // A page that contains v has vpn = v >> shift(level): only one set per level to
            // scan, for the key of that page number and level, and none for a level the TLB
            // holds no entry of, or whose filter rules the page number out.
            Some(v) => {
                for level in 0..LEVELS {
                    let vpn = v >> vpn_shift(level);
                    if !self.may_hold(level, vpn) {
                        continue;
                    }
                    let (want, base) = (key_of(vpn, level), self.set_of(vpn) * self.ways);
                    for slot in base..base + self.ways {
                        if self.keys[slot] == want {
                            clear(self, slot);
                        }
                    }
                }
            }
            // Only the slots made valid since the last such flush (`valid`), in any order (a
            // flush's result does not depend on it); those left valid (another ASID's, or
            // global ones) stay listed.
            None => {
                let mut valid = std::mem::take(&mut self.valid);
                for &slot in &valid {
                    if self.keys[slot] != NO_KEY {
                        clear(self, slot);
                    }
                }
                valid.retain(|&slot| {
                    let kept = self.keys[slot] != NO_KEY;
                    self.listed[slot] = kept;
                    kept
                });
                self.valid = valid;
            }
        }
        self.stats.flushes += count as u64;
        Flushed {
            entries: count,
            superpages,
        }
    }

    /// The entry in `slot`, if it is valid.
    #[inline]
    pub fn at(&self, slot: usize) -> Option<TlbEntry> {
        self.slots.get(slot).copied().flatten()
    }

    /// The valid entries with their slots, in slot order, for a debugger.
    pub fn entries(&self) -> impl Iterator<Item = (usize, TlbEntry)> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(slot, e)| e.map(|e| (slot, e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tlb(entries: u32, ways: u32, replacement: Replacement) -> Tlb {
        let config = TlbConfig {
            entries,
            ways,
            replacement,
            seed: 7,
        };
        config.validate().unwrap();
        Tlb::new(&config)
    }

    /// The entry for the level-`level` page containing `vaddr`.
    fn entry(vaddr: u64, level: u8, asid: u16, global: bool) -> TlbEntry {
        TlbEntry {
            vpn: vaddr >> vpn_shift(level),
            level,
            asid,
            global,
            pte: vaddr >> 2 | 0xcf,
        }
    }

    const KIB4: u64 = 1 << 12;
    const MIB2: u64 = 1 << 21;
    const GIB1: u64 = 1 << 30;

    // Does a superpage entry translate every address in its page, and only those?
    #[test]
    fn superpage_lookup() {
        let mut t = tlb(16, 4, Replacement::Lru);
        let mega = entry(0x4020_0000, 1, 1, false);
        let giga = entry(0x8000_0000, 2, 1, false);
        let (mslot, _) = t.insert(mega);
        let (gslot, _) = t.insert(giga);
        assert_eq!(t.lookup(0x4020_0000 + MIB2 - 1, 1), Some((mslot, mega)));
        assert_eq!(t.lookup(0x4020_0000 + MIB2, 1), None, "past the megapage");
        assert_eq!(t.lookup(0x4020_0000 - 1, 1), None, "before it");
        assert_eq!(t.lookup(0x8000_0000 + GIB1 - 8, 1), Some((gslot, giga)));
        assert_eq!(t.lookup(0x8000_0000 + 0x1234_5678, 1), Some((gslot, giga)));
        assert_eq!(t.lookup(0x4000_0000 + GIB1 * 3, 1), None);
        // A 4 KiB entry inside the gigapage wins over it (lowest level first).
        let small = entry(0x8000_5000, 0, 1, false);
        let (sslot, _) = t.insert(small);
        assert_eq!(t.lookup(0x8000_5008, 1), Some((sslot, small)));
        assert_eq!(t.lookup(0x8000_6008, 1), Some((gslot, giga)));
        assert_eq!(
            t.stats(),
            TlbStats {
                lookups: 8,
                hits: 5,
                misses: 3,
                flushes: 0,
                evictions: 0
            }
        );
    }

    // Does an ASID see only its own entries and the global ones?
    // Does a memoized lookup always find the entry a full search finds, across insertions,
    // evictions, superpages, ASIDs and every kind of flush?
    #[test]
    fn memoized_lookups_find_what_a_search_finds() {
        for p in Replacement::ALL {
            let mut t = tlb(16, 4, p);
            let mut x = 0x2545_f491_4f6c_dd1du64;
            for step in 0..20_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let vaddr = (x >> 8) % 24 * KIB4 + (x >> 40) % 3 * MIB2;
                let asid = (x >> 20) as u16 % 3;
                match x % 16 {
                    0..=2 => {
                        let level = u8::from(x % 16 == 2);
                        t.insert(entry(vaddr, level, asid, (x >> 30).is_multiple_of(5)));
                    }
                    3 => {
                        t.flush(Some(vaddr), Some(asid));
                    }
                    4 if step % 7 == 0 => {
                        t.flush(None, if x & 32 == 0 { Some(asid) } else { None });
                    }
                    _ => {
                        let want = t.probe(vaddr, asid);
                        assert_eq!(t.lookup(vaddr, asid), want, "{p}, step {step}");
                    }
                }
            }
        }
    }

    #[test]
    fn asid_isolation() {
        let mut t = tlb(8, 8, Replacement::Lru);
        t.insert(entry(0x1000, 0, 1, false));
        t.insert(entry(0x2000, 0, 2, false));
        t.insert(entry(0x3000, 0, 1, true));
        assert!(t.lookup(0x1000, 1).is_some());
        assert!(
            t.lookup(0x1000, 2).is_none(),
            "ASID 1's page is not ASID 2's"
        );
        assert!(t.lookup(0x2000, 1).is_none());
        assert!(t.lookup(0x2000, 2).is_some());
        assert!(
            t.lookup(0x3000, 9).is_some(),
            "global pages match every ASID"
        );
        let before = t.clone();
        assert_eq!(t.probe(0x2abc, 2).map(|(_, e)| e.asid), Some(2));
        assert_eq!(t, before, "probe changes and counts nothing");
    }

    /// A TLB holding, for ASIDs 1 and 2, a private and a global page at P and Q.
    fn populated() -> Tlb {
        let mut t = tlb(32, 4, Replacement::Lru);
        for (va, asid, global) in [
            (0x1000, 1, false),
            (0x1000, 2, false),
            (0x2000, 1, false),
            (0x2000, 2, false),
            (0x1000, 0, true),
            (0x20_0000, 3, true), // megapage global
        ] {
            t.insert(entry(va, u8::from(va >= MIB2), asid, global));
        }
        t
    }

    /// The valid entries as (page address, ASID, global).
    fn left(t: &Tlb) -> Vec<(u64, u16, bool)> {
        let mut v: Vec<_> = t
            .entries()
            .map(|(_, e)| (e.vpn << vpn_shift(e.level), e.asid, e.global))
            .collect();
        v.sort();
        v
    }

    // Do the four `sfence.vma` forms invalidate exactly what §4.2.1 says, global entries included?
    #[test]
    fn flush_combinations() {
        let mut t = populated();
        assert_eq!(t.flush(None, None).entries, 6, "rs1 = rs2 = x0: everything");
        assert!(left(&t).is_empty());

        let mut t = populated();
        assert_eq!(
            t.flush(None, Some(1)).entries,
            2,
            "rs1 = x0: ASID 1, not global"
        );
        assert_eq!(
            left(&t),
            [
                (0x1000, 0, true),
                (0x1000, 2, false),
                (0x2000, 2, false),
                (0x20_0000, 3, true)
            ]
        );

        let mut t = populated();
        assert_eq!(
            t.flush(Some(0x1ff8), None),
            Flushed {
                entries: 3,
                superpages: false
            },
            "rs2 = x0: the page, any ASID, global too"
        );
        assert_eq!(
            left(&t),
            [(0x2000, 1, false), (0x2000, 2, false), (0x20_0000, 3, true)]
        );
        assert_eq!(
            t.flush(Some(0x3f_f000), None),
            Flushed {
                entries: 1,
                superpages: true
            },
            "a megapage containing the address"
        );

        let mut t = populated();
        assert_eq!(
            t.flush(Some(0x1234), Some(2)).entries,
            1,
            "the page for ASID 2, not global"
        );
        assert_eq!(
            left(&t),
            [
                (0x1000, 0, true),
                (0x1000, 1, false),
                (0x2000, 1, false),
                (0x2000, 2, false),
                (0x20_0000, 3, true)
            ]
        );
        assert_eq!(
            t.flush(Some(0x20_1000), Some(3)).entries,
            0,
            "a global megapage survives"
        );
        assert_eq!(t.stats().flushes, 1);
    }

    // Does a full set report the entry it evicts, per policy, and count it?
    #[test]
    fn eviction_reporting() {
        for p in Replacement::ALL {
            let mut t = tlb(4, 2, p); // 2 sets: even and odd 4 KiB pages
            let a = entry(0, 0, 1, false);
            let b = entry(2 * KIB4, 0, 1, false);
            let c = entry(4 * KIB4, 0, 1, false);
            assert_eq!(t.insert(a), (0, None), "{p}");
            assert_eq!(t.insert(b), (1, None), "{p}");
            assert_eq!(
                t.insert(entry(KIB4, 0, 1, false)).0,
                2,
                "odd pages go to set 1"
            );
            t.lookup(0, 1); // touch a
            let (slot, evicted) = t.insert(c);
            let want = match p {
                Replacement::Lru | Replacement::Plru => b,
                Replacement::Fifo => a,
                Replacement::Random => evicted.unwrap(),
            };
            assert_eq!(evicted, Some(want), "{p}");
            assert!(slot < 2 && t.slots[slot] == Some(c), "{p}");
            assert_eq!(t.stats().evictions, 1, "{p}");
            // Re-inserting the same page for the same ASID replaces it in place.
            assert_eq!(t.insert(c), (slot, None), "{p}");
        }
    }

    // Does `touch` of the slot a lookup finds leave the replacement state a lookup leaves,
    // whatever the policy and the order of hits, and count nothing?
    #[test]
    fn touch_is_a_lookup_that_hits() {
        for p in Replacement::ALL {
            let mut by_lookup = tlb(16, 4, p);
            for i in 0..16 {
                by_lookup.insert(entry(i * KIB4, 0, 1, false));
            }
            let mut by_hit = by_lookup.clone();
            for k in [3u64, 7, 3, 12, 0, 15, 15, 4, 8, 3] {
                let (slot, _) = by_lookup.lookup(k * KIB4 + 8, 1).unwrap();
                assert_eq!(by_hit.probe(k * KIB4 + 8, 1).map(|(s, _)| s), Some(slot));
                let counted = by_hit.stats;
                by_hit.touch(slot);
                assert_eq!(by_hit.repl, by_lookup.repl, "{p}");
                assert_eq!(by_hit.stats, counted, "{p}");
            }
        }
    }

    /// What §4.2.1 says `flush(vaddr, asid)` removes, written from the spec text.
    fn spec_flushes(e: &TlbEntry, vaddr: Option<u64>, asid: Option<u16>) -> bool {
        let page = |v: u64| e.vpn == v >> (12 + 9 * u32::from(e.level));
        vaddr.is_none_or(page) && asid.is_none_or(|a| !e.global && e.asid == a)
    }

    proptest! {
        // Through random inserts, lookups, touches and flushes, for every policy: does `probe`
        // agree with a brute-force scan (lowest level first), does `flush` remove exactly what
        // the spec says, and does touching the slot touched or filled last change nothing while
        // it stays valid (what lets the machine skip its hits)?
        #[test]
        fn random_runs_keep_invariants(
            policy in 0..4usize,
            ops in prop::collection::vec((0..4u8, 0..6u64, 0..3u8, 0..3u16, any::<bool>()), 1..200),
        ) {
            let mut t = tlb(8, 2, Replacement::ALL[policy]);
            let mut last = None;
            for (op, page, level, asid, flag) in ops {
                let vaddr = page * (KIB4 + MIB2 + GIB1) + 0x18;
                match op {
                    0 | 1 => {
                        let e = entry(vaddr, level, asid, flag && asid == 0);
                        let (slot, _) = t.insert(e);
                        prop_assert_eq!(t.slots[slot], Some(e));
                        last = Some(slot);
                    }
                    2 => {
                        let scan = t
                            .entries()
                            .filter(|(_, e)| e.matches(vaddr, asid))
                            .min_by_key(|&(slot, e)| (e.level, slot));
                        prop_assert_eq!(t.probe(vaddr, asid), scan);
                        prop_assert_eq!(t.lookup(vaddr, asid), scan);
                        if let Some((slot, _)) = scan {
                            last = Some(slot);
                        }
                    }
                    _ => {
                        let v = flag.then_some(vaddr);
                        let a = (level > 0).then_some(asid);
                        let before: Vec<_> = t.entries().collect();
                        let want: Vec<_> =
                            before.iter().copied().filter(|(_, e)| !spec_flushes(e, v, a)).collect();
                        prop_assert_eq!(t.flush(v, a).entries, before.len() - want.len());
                        prop_assert_eq!(t.entries().collect::<Vec<_>>(), want);
                    }
                }
                // What a search compares first agrees with the entries.
                let mut held = [0u32; LEVELS as usize];
                for (slot, e) in t.slots.iter().enumerate() {
                    prop_assert_eq!(t.keys[slot], e.map_or(NO_KEY, |e| key_of(e.vpn, e.level)));
                    if let Some(e) = e {
                        held[usize::from(e.level)] += 1;
                    }
                }
                prop_assert_eq!(t.held, held);
                // Every valid entry passes its level's filter.
                for e in t.slots.iter().flatten() {
                    let (word, bit) = filter_bit(e.vpn);
                    prop_assert!(t.filter[usize::from(e.level)][word] & bit != 0);
                }
                // Every valid slot is listed for the next flush of everything, once.
                for (slot, e) in t.slots.iter().enumerate() {
                    prop_assert!(e.is_none() || t.listed[slot], "slot {} unlisted", slot);
                    let times = t.valid.iter().filter(|&&s| s == slot).count();
                    prop_assert_eq!(times, usize::from(t.listed[slot]));
                }
                if let Some(slot) = last.filter(|&s: &usize| t.slots[s].is_some()) {
                    let before = t.clone();
                    t.touch(slot);
                    prop_assert_eq!(&t, &before);
                }
            }
        }
    }

    // Does `validate` name the bad field?
    #[test]
    fn config_errors() {
        let c = |entries, ways| TlbConfig {
            entries,
            ways,
            replacement: Replacement::Plru,
            seed: 0,
        };
        assert_eq!(c(32, 32).validate(), Ok(()));
        assert_eq!(
            c(24, 4).validate().unwrap_err(),
            "entries = 24 is not a power of two"
        );
        assert_eq!(
            c(32, 0).validate().unwrap_err(),
            "ways = 0 is not a power of two"
        );
        assert_eq!(
            c(16, 32).validate().unwrap_err(),
            "ways = 32 is more than entries = 16"
        );
    }
}
