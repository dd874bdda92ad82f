//! Replacement policies and the per-set replacement state shared by the modeled caches and TLBs.
//!
//! A `ReplacementState` knows only sets and ways: which way of a set was used when, and which way
//! to evict next. It holds no tags and no validity; the owner passes validity to `victim`.
//!
//! The hot paths of the machine skip the models when an access provably changes no state, so every
//! policy keeps this rule: **touching the way that is already the most recently used one of its
//! set changes nothing** (LRU's stamps would otherwise restamp it, and the per-set MRU way makes
//! that a no-op; a tree-PLRU path, or LRU's recency matrix, is the same again).
//!
//! Left out: policies that need more than per-set state (e.g. adaptive insertion, RRIP), and
//! non-power-of-two tree-PLRU.

use std::fmt;

/// A replacement policy, named in profiles as "lru", "plru", "fifo", "random".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Replacement {
    /// Exact least-recently-used.
    Lru,
    /// Binary-tree pseudo-LRU (ways must be a power of two).
    Plru,
    /// First in, first out: the way filled longest ago; hits change nothing.
    Fifo,
    /// A uniformly chosen way from a seeded xorshift64* generator; hits change nothing.
    Random,
}

impl Replacement {
    /// Every policy, in profile-name order.
    pub const ALL: [Replacement; 4] = [
        Replacement::Lru,
        Replacement::Plru,
        Replacement::Fifo,
        Replacement::Random,
    ];

    /// The policy's name as written in profiles.
    pub fn name(self) -> &'static str {
        match self {
            Replacement::Lru => "lru",
            Replacement::Plru => "plru",
            Replacement::Fifo => "fifo",
            Replacement::Random => "random",
        }
    }
}

impl fmt::Display for Replacement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A policy as a const parameter (`ReplacementState::touch_n` and the like), for the copies of
/// a cache's hot paths made for the profiles' common shapes. Const parameters cannot be enums
/// on stable Rust, hence numbers.
pub(crate) mod known {
    use super::Replacement;

    /// Not known at compile time: read from the state.
    pub(crate) const ANY: u8 = 0;
    /// `Replacement::Lru`.
    pub(crate) const LRU: u8 = 1;
    /// `Replacement::Plru`.
    pub(crate) const PLRU: u8 = 2;

    /// The number of `policy` (`ANY` for the policies without a copy of their own).
    pub(crate) const fn of(policy: Replacement) -> u8 {
        match policy {
            Replacement::Lru => LRU,
            Replacement::Plru => PLRU,
            Replacement::Fifo | Replacement::Random => ANY,
        }
    }
}

/// Mixed into the random seed so that seed 0 still gives a non-zero xorshift state
/// (the 64-bit golden ratio, as in SplitMix64).
const SEED_MIX: u64 = 0x9E37_79B9_7F4A_7C15;

/// The xorshift64* output multiplier (Vigna, "An experimental exploration of Marsaglia's
/// xorshift generators, scrambled", 2016).
const XORSHIFT64STAR_MUL: u64 = 0x2545_F491_4F6C_DD1D;

/// The most ways of a set whose LRU or FIFO state can be kept `ordered`: a byte per way in a
/// word.
pub(crate) const ORDERED_WAYS: usize = 8;

/// A one in each byte of a word.
const BYTES: u64 = 0x0101_0101_0101_0101;

/// "No way is the MRU of this set yet."
const NO_WAY: u32 = u32::MAX;

/// The index of the least of `stamps`, the first of equal ones, for `N` (a power of two) stamps:
/// a tournament of pairs, each round keeping the lower index on a tie (every index of a pair's
/// left side is below its right side's), so about log2(N) dependent compares instead of N.
#[inline(always)]
fn first_min<const N: usize>(stamps: &[u64]) -> usize {
    let Ok(stamps) = <&[u64; N]>::try_from(stamps) else {
        return first_min_any(stamps);
    };
    let mut val = *stamps;
    let mut idx: [usize; N] = std::array::from_fn(|i| i);
    let mut n = N;
    while n > 1 {
        n /= 2;
        for i in 0..n {
            let right = val[2 * i + 1] < val[2 * i];
            idx[i] = if right { idx[2 * i + 1] } else { idx[2 * i] };
            val[i] = if right { val[2 * i + 1] } else { val[2 * i] };
        }
    }
    idx[0]
}

/// `first_min` of any number of stamps (0 for none).
fn first_min_any(stamps: &[u64]) -> usize {
    stamps
        .iter()
        .enumerate()
        .min_by_key(|&(_, s)| s)
        .map_or(0, |(w, _)| w)
}

/// The replacement state of every set of one structure (a cache or a TLB).
///
/// Layout, for `sets` × `ways`:
/// - LRU with stamps: `mru[set]`, the way touched or filled last in the set (`NO_WAY` before
///   any), which a touch does not stamp again (empty for any other policy or form);
/// - LRU: `stamps[set * ways + way]` = the clock value of the way's last touch or fill;
/// - FIFO: `stamps[set * ways + way]` = the clock value of the way's fill;
/// - LRU and FIFO made `ordered` (a cache's, of at most `ORDERED_WAYS` ways): instead of the
///   stamps, `order[set]`, the set's recency matrix: bit `x` (below `ways`) of byte `w` is set
///   when way `w` was stamped after way `x`, or `x` never was (the bytes of ways past `ways`
///   are all ones). The way stamped longest ago is the one whose byte is zero, and of ways
///   never stamped, all zero, the lowest is the first least stamp: the victim is the lowest
///   zero byte, found in a few operations rather than among `ways` stamps;
/// - PLRU: one bit per tree node, heap-numbered `1..ways` (root 1, children `2n` and `2n + 1`,
///   leaf of way `w` at `ways + w`); a set 1 = the victim is in the right subtree. Node `n` of
///   `set` is bit `n % 64` of `tree[set * tree_words + n / 64]` (`tree_words` = `ways / 64`, at
///   least 1), so a set of up to 64 ways is one word; for those, `path[way]` holds the mask of
///   the nodes on the way's path (`path.0`) and the bits that point away from it (`path.1`), and a
///   touch is one masked store;
/// - Random: `rng`, the xorshift64* state (never zero).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplacementState {
    policy: Replacement,
    ways: usize,
    mru: Vec<u32>,
    stamps: Vec<u64>,
    clock: u64,
    order: Vec<u64>,
    tree: Vec<u64>,
    tree_words: usize,
    path: Vec<(u64, u64)>,
    rng: u64,
}

impl ReplacementState {
    /// The state of `sets` sets of `ways` ways each, all unused, under `policy`; `seed` is used by
    /// `Replacement::Random` only. `ways` must be a power of two for PLRU.
    pub fn new(sets: usize, ways: usize, policy: Replacement, seed: u64) -> ReplacementState {
        assert!(
            ways >= 1 && ways < NO_WAY as usize,
            "ways = {ways} out of range"
        );
        assert!(
            policy != Replacement::Plru || ways.is_power_of_two(),
            "tree-PLRU needs a power-of-two number of ways, not {ways}"
        );
        let n = sets * ways;
        let plru = policy == Replacement::Plru;
        let tree_words = (ways / 64).max(1);
        let seeded = seed ^ SEED_MIX;
        ReplacementState {
            policy,
            ways,
            mru: if policy == Replacement::Lru {
                vec![NO_WAY; sets]
            } else {
                Vec::new()
            },
            stamps: match policy {
                Replacement::Lru | Replacement::Fifo => vec![0; n],
                _ => Vec::new(),
            },
            clock: 0,
            order: Vec::new(),
            tree: if plru {
                vec![0; sets * tree_words]
            } else {
                Vec::new()
            },
            tree_words,
            path: if plru && ways <= 64 {
                (0..ways).map(|w| plru_path(ways, w)).collect()
            } else {
                Vec::new()
            },
            rng: if seeded == 0 { SEED_MIX } else { seeded },
        }
    }

    /// The same state with LRU or FIFO over at most `ORDERED_WAYS` ways kept as each set's
    /// recency matrix (`order`) instead of the stamps: the same victims, touches and fills, with
    /// a victim found in a few word operations instead of among `ways` stamps. Any other state
    /// is returned as it is. Not for the TLBs, whose LRU stamps the block translator updates in
    /// place (`lru_words`).
    pub fn ordered(mut self) -> ReplacementState {
        let stamped = matches!(self.policy, Replacement::Lru | Replacement::Fifo);
        if !stamped || self.ways > ORDERED_WAYS || self.stamps.iter().any(|&s| s != 0) {
            return self;
        }
        let sets = self.stamps.len() / self.ways;
        // No way stamped yet: their bytes are zero, those past `ways` all ones.
        let fresh = u64::MAX.checked_shl(8 * self.ways as u32).unwrap_or(0);
        self.order = vec![fresh; sets];
        self.stamps = Vec::new();
        self.mru = Vec::new();
        self
    }

    /// The same state with LRU's or FIFO's stamps renumbered 1, 2, … by their order within each
    /// set (0, a way never stamped, stays 0) and the clock set to the highest: all that the
    /// victims chosen from here on depend on. Two states with equal `canonical` forms choose the
    /// same victims after the same steps, whatever clock values their stamps came from (the
    /// block translator defers the DTLB's hits and makes fewer of them, see
    /// `machine::jit::timed::dtlb_replay`). Any other state is returned as it is.
    pub fn canonical(&self) -> ReplacementState {
        let mut c = self.clone();
        if c.stamps.is_empty() {
            return c;
        }
        c.clock = 0;
        for set in c.stamps.chunks_mut(c.ways) {
            let mut used: Vec<u64> = set.iter().copied().filter(|&s| s != 0).collect();
            used.sort_unstable();
            for s in set.iter_mut().filter(|s| **s != 0) {
                // Stamps are distinct within a set (each is a new clock value).
                *s = used.partition_point(|&u| u < *s) as u64 + 1;
                c.clock = c.clock.max(*s);
            }
        }
        c
    }

    /// The policy.
    pub fn policy(&self) -> Replacement {
        self.policy
    }

    /// The policy, known at compile time unless `P` is `known::ANY` (see `known`).
    #[inline(always)]
    fn policy_of<const P: u8>(&self) -> Replacement {
        debug_assert!(P == known::ANY || known::of(self.policy) == P);
        match P {
            known::LRU => Replacement::Lru,
            known::PLRU => Replacement::Plru,
            _ => self.policy,
        }
    }

    /// Whether `P` (see `known`) fits this state's policy: `ANY`, or the policy itself.
    #[inline(always)]
    pub(crate) fn is<const P: u8>(&self) -> bool {
        P == known::ANY || known::of(self.policy) == P
    }

    /// Records a hit on `way` of `set`. O(1) except PLRU (O(log ways)); a no-op when `way` is
    /// already the set's most recently used way.
    #[inline]
    pub fn touch(&mut self, set: usize, way: usize) {
        self.touch_n::<0, { known::ANY }>(set, way);
    }

    /// `touch` in a structure of `N` ways (0: any number) under policy `P` (see `known`; the
    /// caller checked `is::<P>`): with both known, the policy's choice and the stamp's index
    /// are made at compile time.
    #[inline(always)]
    pub(crate) fn touch_n<const N: usize, const P: u8>(&mut self, set: usize, way: usize) {
        match self.policy_of::<P>() {
            Replacement::Lru if self.order.is_empty() => {
                if self.mru[set] == way as u32 {
                    return;
                }
                self.mru[set] = way as u32;
                self.stamp::<N>(set, way);
            }
            // The recency matrix's stamp and the tree's path are the same again for the way
            // stamped or touched last: no MRU way to check.
            Replacement::Lru => self.stamp::<N>(set, way),
            Replacement::Plru => self.point_away(set, way),
            Replacement::Fifo | Replacement::Random => {}
        }
    }

    /// Records that a new entry was placed in `way` of `set`.
    #[inline]
    pub fn fill(&mut self, set: usize, way: usize) {
        self.fill_n::<0, { known::ANY }>(set, way);
    }

    /// `fill` with `N` and `P` as in `touch_n`.
    #[inline(always)]
    pub(crate) fn fill_n<const N: usize, const P: u8>(&mut self, set: usize, way: usize) {
        let policy = self.policy_of::<P>();
        if policy == Replacement::Lru && self.order.is_empty() {
            self.mru[set] = way as u32;
        }
        match policy {
            Replacement::Lru | Replacement::Fifo => self.stamp::<N>(set, way),
            Replacement::Plru => self.point_away(set, way),
            Replacement::Random => {}
        }
    }

    /// The way of `set` to fill next: the lowest-numbered way for which `valid` is false, else
    /// the policy's choice. Only `Replacement::Random` changes state here (it draws a number).
    pub fn victim(&mut self, set: usize, valid: impl Fn(usize) -> bool) -> usize {
        if let Some(way) = (0..self.ways).find(|&w| !valid(w)) {
            return way;
        }
        self.victim_of_full(set)
    }

    /// `victim` for a set whose ways are all valid: the policy's choice.
    #[inline]
    pub fn victim_of_full(&mut self, set: usize) -> usize {
        self.victim_of_full_n::<0, { known::ANY }>(set)
    }

    /// `victim_of_full` for `N` ways per set (0: any number, read from `ways`) under policy `P`
    /// (as in `touch_n`); with `N` known, the search for the least stamp and the walk down the
    /// tree are unrolled.
    #[inline(always)]
    pub fn victim_of_full_n<const N: usize, const P: u8>(&mut self, set: usize) -> usize {
        debug_assert!(N == 0 || N == self.ways);
        let ways = if N == 0 { self.ways } else { N };
        match self.policy_of::<P>() {
            Replacement::Lru | Replacement::Fifo if !self.order.is_empty() => {
                // The lowest zero byte: a byte minus 1 borrows from the next only when it is
                // zero, so the lowest flagged byte is exact.
                let m = self.order[set];
                let zero = m.wrapping_sub(BYTES) & !m & (BYTES << 7);
                (zero.trailing_zeros() / 8) as usize
            }
            Replacement::Lru | Replacement::Fifo => {
                let base = set * ways;
                // The minimum stamp (the first of equal ones): least recently used (LRU) or
                // filled longest ago (FIFO).
                let stamps = &self.stamps[base..base + ways];
                match ways {
                    4 => first_min::<4>(stamps),
                    8 => first_min::<8>(stamps),
                    16 => first_min::<16>(stamps),
                    _ => first_min_any(stamps),
                }
            }
            Replacement::Plru if ways <= 64 => {
                // Follow the bits from the root down to a leaf, in the set's one word: one step
                // per level, log2(ways) of them (a count known at compile time with `N`).
                let bits = self.tree[set];
                let mut node = 1;
                for _ in 0..ways.trailing_zeros() {
                    node = 2 * node + ((bits >> node) & 1) as usize;
                }
                node - ways
            }
            Replacement::Plru => {
                let words = &self.tree[set * self.tree_words..(set + 1) * self.tree_words];
                let mut node = 1;
                while node < self.ways {
                    node = 2 * node + ((words[node / 64] >> (node % 64)) & 1) as usize;
                }
                node - self.ways
            }
            Replacement::Random => {
                // Scale the high 32 bits (the best-mixed ones of xorshift64*) to 0..ways:
                // uniform for any power-of-two number of ways.
                let r = self.next_random() >> 32;
                ((r * self.ways as u64) >> 32) as usize
            }
        }
    }

    /// Under LRU: the MRU way of each set, the stamps (by `set * ways + way`) and the clock,
    /// which `touch` changes (see `tlb::LruWords`). The tables are never resized.
    pub(crate) fn lru_words(&mut self) -> Option<(*mut u32, *mut u64, *mut u64)> {
        if self.policy != Replacement::Lru || !self.order.is_empty() {
            return None;
        }
        let clock: *mut u64 = &mut self.clock;
        Some((self.mru.as_mut_ptr(), self.stamps.as_mut_ptr(), clock))
    }

    /// Gives `way` of `set` the next clock value (`N`: the ways per set, 0 if not known), or
    /// makes it the last stamped in its set's `order`: its byte's `ways` bits all ones, its bit
    /// in every byte clear.
    #[inline(always)]
    fn stamp<const N: usize>(&mut self, set: usize, way: usize) {
        let ways = if N == 0 { self.ways } else { N };
        if !self.order.is_empty() {
            let m = &mut self.order[set];
            let row = 0xff >> (8 - ways);
            *m = (*m | (row << (8 * way))) & !(BYTES << way);
            return;
        }
        self.clock += 1;
        self.stamps[set * ways + way] = self.clock;
    }

    /// Sets the tree bits on the path from the root to `way` to point away from it.
    #[inline(always)]
    fn point_away(&mut self, set: usize, way: usize) {
        if let Some(&(mask, away)) = self.path.get(way) {
            let bits = &mut self.tree[set];
            *bits = (*bits & !mask) | away;
            return;
        }
        self.point_away_wide(set, way);
    }

    /// `point_away` in a tree of more than 64 ways (several words per set).
    #[inline(never)]
    fn point_away_wide(&mut self, set: usize, way: usize) {
        let words = &mut self.tree[set * self.tree_words..(set + 1) * self.tree_words];
        let mut node = self.ways + way;
        while node > 1 {
            // A left child (even node) sends the victim right, and the other way round.
            let parent = node / 2;
            let bit = 1u64 << (parent % 64);
            if node & 1 == 0 {
                words[parent / 64] |= bit;
            } else {
                words[parent / 64] &= !bit;
            }
            node = parent;
        }
    }

    /// The next xorshift64* output.
    fn next_random(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(XORSHIFT64STAR_MUL)
    }
}

/// The path of `way` in a tree of `ways` (at most 64) leaves: the mask of the nodes from the
/// root down to the way's leaf, and the node bits that point away from the way (see
/// `ReplacementState`).
fn plru_path(ways: usize, way: usize) -> (u64, u64) {
    let (mut mask, mut away) = (0u64, 0u64);
    let mut node = ways + way;
    while node > 1 {
        // A left child (even node) sends the victim right, and the other way round.
        let parent = node / 2;
        mask |= 1 << parent;
        if node & 1 == 0 {
            away |= 1 << parent;
        }
        node = parent;
    }
    (mask, away)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fills every way of set 0 in order 0..ways.
    fn filled(ways: usize, policy: Replacement, seed: u64) -> ReplacementState {
        let mut r = ReplacementState::new(1, ways, policy, seed);
        for w in 0..ways {
            assert_eq!(
                r.victim(0, |v| v < w),
                w,
                "invalid ways are filled lowest first"
            );
            r.fill(0, w);
        }
        r
    }

    // Do two LRU states that saw the same last-touch order, one through many more touches (a
    // copy's alternating hits), have one canonical form and choose the same victims after it,
    // and does another order give another form? (What the translator's deferred DTLB hits rely
    // on.)
    #[test]
    fn canonical_lru_is_the_order_alone() {
        let mut few = ReplacementState::new(2, 4, Replacement::Lru, 0);
        let mut many = few.clone();
        for w in 0..4 {
            few.fill(1, w);
            many.fill(1, w);
        }
        for _ in 0..50 {
            many.touch(1, 1);
            many.touch(1, 3);
        }
        few.touch(1, 1);
        few.touch(1, 3);
        assert_ne!(few, many, "the stamps differ");
        assert_eq!(few.canonical(), many.canonical());
        assert_eq!(few.victim(1, |_| true), 0);
        assert_eq!(many.victim(1, |_| true), 0);
        few.touch(1, 0);
        many.touch(1, 0);
        assert_eq!(few.canonical(), many.canonical());
        assert_eq!(few.victim(1, |_| true), 2);
        assert_eq!(many.victim(1, |_| true), 2);
        let mut other = few.clone();
        other.touch(1, 1);
        assert_ne!(other.canonical(), few.canonical(), "another order");
    }

    // Does every policy prefer the lowest-numbered invalid way?
    #[test]
    fn invalid_way_first() {
        for p in Replacement::ALL {
            let mut r = filled(4, p, 1);
            assert_eq!(r.victim(0, |w| w != 2 && w != 3), 2, "{p}");
        }
    }

    // Does a touch of the set's MRU way change nothing, for every policy?
    #[test]
    fn touching_mru_changes_nothing() {
        for p in Replacement::ALL {
            let mut r = filled(8, p, 3);
            r.touch(0, 5);
            let before = r.clone();
            r.touch(0, 5);
            assert_eq!(r, before, "{p}");
        }
    }

    // Is tree-PLRU the textbook one? With 4 ways (nodes 1, 2 = ways 0-1, 3 = ways 2-3), fills
    // 0 1 2 3 leave every bit pointing left; a touch of way 0 then sets node 2 and the root to
    // point right, so the victim is root → node 3 → left → way 2.
    #[test]
    fn plru_follows_the_tree() {
        let mut r = filled(4, Replacement::Plru, 0);
        assert_eq!(r.victim(0, |_| true), 0);
        r.touch(0, 0);
        assert_eq!(r.victim(0, |_| true), 2);
        r.touch(0, 2);
        assert_eq!(r.victim(0, |_| true), 1);
        let mut one = filled(1, Replacement::Plru, 0);
        assert_eq!(one.victim(0, |_| true), 0, "1 way: always way 0");
    }

    // Does FIFO ignore hits and LRU not?
    #[test]
    fn fifo_ignores_hits_lru_does_not() {
        let mut fifo = filled(4, Replacement::Fifo, 0);
        let mut lru = filled(4, Replacement::Lru, 0);
        fifo.touch(0, 0);
        lru.touch(0, 0);
        assert_eq!(fifo.victim(0, |_| true), 0);
        assert_eq!(lru.victim(0, |_| true), 1);
    }

    // Is random deterministic, in range, roughly uniform, and alive with seed 0?
    #[test]
    fn random_is_seeded_and_uniform() {
        let draw = |seed| {
            let mut r = filled(4, Replacement::Random, seed);
            (0..4000).map(|_| r.victim(0, |_| true)).collect::<Vec<_>>()
        };
        assert_eq!(draw(0), draw(0));
        assert_ne!(draw(0), draw(1));
        let mut counts = [0; 4];
        for w in draw(0) {
            counts[w] += 1;
        }
        assert!(
            counts.iter().all(|&c| (800..1200).contains(&c)),
            "{counts:?}"
        );
        // The state must never be stuck at zero, whatever the seed.
        assert_ne!(
            ReplacementState::new(1, 4, Replacement::Random, SEED_MIX).rng,
            0
        );
    }
}

#[cfg(test)]
mod plru_words {
    use super::*;
    use proptest::prelude::*;

    /// The tree-PLRU as it was before the bit words: one `bool` per heap-numbered node.
    struct BoolTree {
        ways: usize,
        tree: Vec<bool>,
    }

    impl BoolTree {
        fn touch(&mut self, set: usize, way: usize) {
            let tree = &mut self.tree[set * self.ways..(set + 1) * self.ways];
            let mut node = self.ways + way;
            while node > 1 {
                tree[node / 2] = node & 1 == 0;
                node /= 2;
            }
        }

        fn victim(&self, set: usize) -> usize {
            let tree = &self.tree[set * self.ways..(set + 1) * self.ways];
            let mut node = 1;
            while node < self.ways {
                node = 2 * node + usize::from(tree[node]);
            }
            node - self.ways
        }
    }

    proptest! {
        // Does the bit-word tree-PLRU pick the victim the `bool` tree picks, after every step of
        // a random run of touches and fills, for 1 to 256 ways (one word, and several) and
        // several sets?
        #[test]
        fn plru_words_are_the_bool_tree(
            ways_log in 0..9u32,
            sets in 1..4usize,
            ops in prop::collection::vec((any::<u16>(), any::<u16>(), any::<bool>()), 1..200),
        ) {
            let ways = 1usize << ways_log;
            let mut r = ReplacementState::new(sets, ways, Replacement::Plru, 0);
            let mut b = BoolTree { ways, tree: vec![false; sets * ways] };
            for (set, way, fill) in ops {
                let (set, way) = (usize::from(set) % sets, usize::from(way) % ways);
                if fill {
                    r.fill(set, way);
                } else {
                    r.touch(set, way);
                }
                b.touch(set, way);
                for s in 0..sets {
                    prop_assert_eq!(r.victim_of_full(s), b.victim(s));
                }
            }
        }
    }
}

#[cfg(test)]
mod first_min_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // Does the tournament pick what a front-to-back search picks (the first of the least
        // stamps), for 4, 8 and 16 stamps drawn from few values, so ties are common?
        #[test]
        fn first_min_is_a_linear_search(stamps in prop::collection::vec(0..4u64, 16)) {
            for n in [4, 8, 16] {
                let s = &stamps[..n];
                let got = match n {
                    4 => first_min::<4>(s),
                    8 => first_min::<8>(s),
                    _ => first_min::<16>(s),
                };
                prop_assert_eq!(got, first_min_any(s));
                let least = s.iter().min().unwrap();
                prop_assert_eq!(got, s.iter().position(|x| x == least).unwrap());
            }
        }
    }
}

#[cfg(test)]
mod ordered_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // Does the recency matrix (`ordered`) pick the victim the stamps pick, after every step
        // of a random run of touches and fills in several sets, for LRU and FIFO over 1 to 8
        // ways, through the copies for any and for a known count of ways (`victim_of_full_n`),
        // including ways never stamped? And does it stay the stamps beyond 8 ways, or for the
        // other policies (`ordered` leaves them as they are; random draws the same numbers)?
        #[test]
        fn the_recency_matrix_is_the_stamps(
            ways in 1..=12usize,
            policy in 0..4usize,
            sets in 1..4usize,
            ops in prop::collection::vec((any::<u16>(), any::<u16>(), any::<bool>()), 1..200),
        ) {
            let policy = Replacement::ALL[policy];
            // Tree-PLRU needs a power of two.
            let ways = if policy == Replacement::Plru { ways.next_power_of_two() } else { ways };
            let mut stamps = ReplacementState::new(sets, ways, policy, 7);
            let mut ordered = stamps.clone().ordered();
            let matrix = ways <= ORDERED_WAYS
                && matches!(policy, Replacement::Lru | Replacement::Fifo);
            prop_assert_eq!(!ordered.order.is_empty(), matrix);
            prop_assert_eq!(ordered.lru_words().is_some(), policy == Replacement::Lru && !matrix);
            for (set, way, fill) in ops {
                let (set, way) = (usize::from(set) % sets, usize::from(way) % ways);
                if fill {
                    stamps.fill(set, way);
                    ordered.fill_n::<0, { known::ANY }>(set, way);
                } else {
                    stamps.touch(set, way);
                    ordered.touch(set, way);
                }
                for s in 0..sets {
                    let want = stamps.victim_of_full(s);
                    prop_assert_eq!(ordered.victim_of_full(s), want);
                    if policy == Replacement::Lru && ways == 8 {
                        prop_assert_eq!(ordered.victim_of_full_n::<8, { known::LRU }>(s), want);
                    }
                    if ways == 2 && policy != Replacement::Random {
                        prop_assert_eq!(ordered.victim_of_full_n::<2, { known::ANY }>(s), want);
                    }
                }
            }
        }
    }
}
