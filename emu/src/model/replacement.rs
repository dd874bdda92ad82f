//! Replacement policies and the per-set replacement state shared by the modeled caches and TLBs.
//!
//! A `ReplacementState` knows only sets and ways: which way of a set was used when, and which way
//! to evict next. It holds no tags and no validity; the owner passes validity to `victim`.
//!
//! The hot paths of the machine skip the models when an access provably changes no state, so every
//! policy keeps this rule: **touching the way that is already the most recently used one of its
//! set changes nothing** (LRU would otherwise restamp it; the per-set MRU way makes that a no-op).
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

/// Mixed into the random seed so that seed 0 still gives a non-zero xorshift state
/// (the 64-bit golden ratio, as in SplitMix64).
const SEED_MIX: u64 = 0x9E37_79B9_7F4A_7C15;

/// The xorshift64* output multiplier (Vigna, "An experimental exploration of Marsaglia's
/// xorshift generators, scrambled", 2016).
const XORSHIFT64STAR_MUL: u64 = 0x2545_F491_4F6C_DD1D;

/// "No way is the MRU of this set yet."
const NO_WAY: u32 = u32::MAX;

/// The replacement state of every set of one structure (a cache or a TLB).
///
/// Layout, for `sets` × `ways`:
/// - `mru[set]`: the way touched or filled last in the set (`NO_WAY` before any);
/// - LRU: `stamps[set * ways + way]` = the clock value of the way's last touch or fill;
/// - FIFO: `stamps[set * ways + way]` = the clock value of the way's fill;
/// - PLRU: `tree[set * ways + node]` for heap-numbered nodes `1..ways` (root 1, children `2n`
///   and `2n + 1`, leaf of way `w` at `ways + w`); `true` = the victim is in the right subtree;
/// - Random: `rng`, the xorshift64* state (never zero).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplacementState {
    policy: Replacement,
    ways: usize,
    mru: Vec<u32>,
    stamps: Vec<u64>,
    clock: u64,
    tree: Vec<bool>,
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
        let seeded = seed ^ SEED_MIX;
        ReplacementState {
            policy,
            ways,
            mru: vec![NO_WAY; sets],
            stamps: match policy {
                Replacement::Lru | Replacement::Fifo => vec![0; n],
                _ => Vec::new(),
            },
            clock: 0,
            tree: if policy == Replacement::Plru {
                vec![false; n]
            } else {
                Vec::new()
            },
            rng: if seeded == 0 { SEED_MIX } else { seeded },
        }
    }

    /// The policy.
    pub fn policy(&self) -> Replacement {
        self.policy
    }

    /// Records a hit on `way` of `set`. O(1) except PLRU (O(log ways)); a no-op when `way` is
    /// already the set's most recently used way.
    #[inline]
    pub fn touch(&mut self, set: usize, way: usize) {
        if self.mru[set] == way as u32 {
            return;
        }
        self.mru[set] = way as u32;
        match self.policy {
            Replacement::Lru => self.stamp(set, way),
            Replacement::Plru => self.point_away(set, way),
            Replacement::Fifo | Replacement::Random => {}
        }
    }

    /// Records that a new entry was placed in `way` of `set`.
    pub fn fill(&mut self, set: usize, way: usize) {
        self.mru[set] = way as u32;
        match self.policy {
            Replacement::Lru | Replacement::Fifo => self.stamp(set, way),
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
    pub fn victim_of_full(&mut self, set: usize) -> usize {
        let base = set * self.ways;
        match self.policy {
            Replacement::Lru | Replacement::Fifo => {
                // The minimum stamp (the first of equal ones): least recently used (LRU) or
                // filled longest ago (FIFO).
                let stamps = &self.stamps[base..base + self.ways];
                stamps
                    .iter()
                    .enumerate()
                    .min_by_key(|&(_, s)| s)
                    .map_or(0, |(w, _)| w)
            }
            Replacement::Plru => {
                // Follow the bits from the root down to a leaf (in the set's slice, so no
                // bounds check per level).
                let tree = &self.tree[base..base + self.ways];
                let mut node = 1;
                while node < tree.len() {
                    node = 2 * node + usize::from(tree[node]);
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

    /// Gives `way` of `set` the next clock value.
    #[inline]
    fn stamp(&mut self, set: usize, way: usize) {
        self.clock += 1;
        self.stamps[set * self.ways + way] = self.clock;
    }

    /// Sets the tree bits on the path from the root to `way` to point away from it.
    #[inline]
    fn point_away(&mut self, set: usize, way: usize) {
        let base = set * self.ways;
        let tree = &mut self.tree[base..base + self.ways];
        let mut node = tree.len() + way;
        while node > 1 {
            // A left child (even node) sends the victim right, and the other way round.
            tree[node / 2] = node & 1 == 0;
            node /= 2;
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
