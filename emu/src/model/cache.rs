//! A modeled set-associative cache: tags, dirty bits and replacement state only, for the cycle
//! model. Write-back, write-allocate; physical addresses.
//!
//! Data always stays in RAM: an access reports only whether it hit and which dirty line it pushed
//! out. Left out: coherence, inclusion between levels (the machine chains L1 and L2 itself),
//! prefetching, sub-line validity, and per-line invalidation.
//!
//! ```text
//!   addr:      | line address = the tag  (addr & !(line - 1)) | offset < line |
//!   set index: (addr / line) % sets        (the low bits of the line number)
//!   tag word of a way: line address | DIRTY (bit 1) | VALID (bit 0)        (0 = invalid)
//!   MRU word of a set: the tag word of the line used last in the set       (0 = none)
//!   key of a way: 15 line-address bits above the set index | bit 15       (0 = invalid)
//! ```
//! Lines are at least 8 bytes, so the low bits of a line address are free for the flags.

use super::replacement::{Replacement, ReplacementState, known};

/// Bit of a tag word: the way holds a line.
pub(crate) const VALID: u64 = 1 << 0;
/// Bit of a tag word: the line was written since it was filled.
pub(crate) const DIRTY: u64 = 1 << 1;
/// The flag bits of a tag word.
const FLAGS: u64 = VALID | DIRTY;
/// The smallest line size: the flags must fit below the line offset.
pub const MIN_LINE: u32 = 8;

/// The geometry and policy of a cache (a `[l1i]`, `[l1d]` or `[l2]` table of a profile).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CacheConfig {
    /// Total capacity in bytes (a power of two).
    pub size: u64,
    /// Associativity (a power of two).
    pub ways: u32,
    /// Line size in bytes (a power of two, at least `MIN_LINE`).
    pub line: u32,
    /// Which way a miss evicts.
    pub replacement: Replacement,
    /// Seed of `Replacement::Random` (0 if omitted).
    #[serde(default)]
    pub seed: u64,
}

impl CacheConfig {
    /// Checks the geometry: size, ways and line are powers of two, line >= 8, and
    /// sets = size / (ways * line) is at least 1. The error names the field and why.
    pub fn validate(&self) -> Result<(), String> {
        if !self.size.is_power_of_two() {
            return Err(format!("size = {} is not a power of two", self.size));
        }
        if !self.ways.is_power_of_two() {
            return Err(format!("ways = {} is not a power of two", self.ways));
        }
        if !self.line.is_power_of_two() {
            return Err(format!("line = {} is not a power of two", self.line));
        }
        if self.line < MIN_LINE {
            return Err(format!(
                "line = {} is less than {MIN_LINE} bytes",
                self.line
            ));
        }
        let way_bytes = u64::from(self.ways) * u64::from(self.line);
        if self.size < way_bytes {
            return Err(format!(
                "size = {} is less than ways * line = {way_bytes}: no set fits",
                self.size
            ));
        }
        Ok(())
    }
}

/// The outcome of `Cache::access`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheAccess {
    /// The line was present.
    pub hit: bool,
    /// The line address of the dirty line the miss evicted (to be written back), if any.
    pub writeback: Option<u64>,
}

/// Event counts of one cache (`is_mru` counts nothing: its caller counts those hits).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CacheStats {
    /// Calls of `access`.
    pub accesses: u64,
    /// Accesses that found their line.
    pub hits: u64,
    /// Accesses that allocated their line.
    pub misses: u64,
    /// Dirty lines evicted by misses.
    pub writebacks: u64,
}

/// A modeled cache (see the module note).
///
/// Invariant: `mru[set]` is the tag word (flags included) of the line accessed or filled last in
/// `set`, and that line is still valid there; 0 when there is none. It is what makes `is_mru` O(1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cache {
    config: CacheConfig,
    ways: usize,
    line_shift: u32,
    /// `!(line - 1)`: the line address of an address is `addr & line_mask`.
    line_mask: u64,
    set_mask: u64,
    /// Tag words, `set * ways + way`.
    tags: Vec<u64>,
    /// The key of each tag word, by the same index: 0 for an invalid way, else `key_of` its
    /// line; a search compares these 2-byte keys first (eight ways per SIMD compare instead of
    /// two), then the full tag of a way whose key matched.
    keys: Vec<u16>,
    /// `key_of`'s shift: the line offset's and the set index's bits, which a set's lines share.
    key_shift: u32,
    /// The tag word of the most recently used line of each set, or 0.
    mru: Vec<u64>,
    repl: ReplacementState,
    stats: CacheStats,
    /// A line address `hit` found absent since the last `access`, with the lowest invalid way
    /// of its set then (`usize::MAX`: none), or `NONE`: a miss's repeated probes and its
    /// `access` skip the search. Only `access` and `invalidate_all` change validity (and fill
    /// lines), and both forget it.
    absent: (u64, usize),
}

/// Bit of a key: the way holds a line (an invalid way's key is 0).
const KEY_VALID: u16 = 1 << 15;

/// The key of `line` (see `Cache::keys`): 15 bits of its address from `shift` up, and
/// `KEY_VALID`.
#[inline(always)]
fn key_of(line: u64, shift: u32) -> u16 {
    (line >> shift) as u16 | KEY_VALID
}

/// The ways of one set (`tags`, with their `keys`): the way holding `line` (whose key is `key`)
/// and the lowest invalid way, each `usize::MAX` if none. Sets of 8 to 64 ways compare the keys,
/// eight per SSE2 compare on x86-64 (`key_masks`), and then the full tag of each way whose key
/// matched (rarely more than the one); smaller or larger sets compare the tags (`scan_tags`).
#[inline(always)]
fn scan(tags: &[u64], keys: &[u16], line: u64, key: u16) -> (usize, usize) {
    match tags.len() {
        8 => scan_keys::<8>(tags, keys, line, key),
        16 => scan_keys::<16>(tags, keys, line, key),
        32 => scan_keys::<32>(tags, keys, line, key),
        64 => scan_keys::<64>(tags, keys, line, key),
        _ => scan_tags(tags, line),
    }
}

/// `scan` of a set of `N` (a multiple of 8, at most 64) ways by their keys.
#[inline(always)]
fn scan_keys<const N: usize>(tags: &[u64], keys: &[u16], line: u64, key: u16) -> (usize, usize) {
    const { assert!(N <= 64 && N.is_multiple_of(8)) };
    let (Ok(tags), Ok(keys)) = (<&[u64; N]>::try_from(tags), <&[u16; N]>::try_from(keys)) else {
        return scan_tags(tags, line);
    };
    let (mut candidates, invalid) = key_masks(keys, key);
    let want = line | VALID;
    let mut found = usize::MAX;
    while candidates != 0 {
        let w = candidates.trailing_zeros() as usize;
        // Below `N` (a key mask has no other bits): masked, it needs no bounds check.
        let w = if N.is_power_of_two() { w & (N - 1) } else { w };
        if tags[w] & !DIRTY == want {
            found = w;
            break;
        }
        candidates &= candidates - 1;
    }
    let free = if invalid == 0 {
        usize::MAX
    } else {
        invalid.trailing_zeros() as usize
    };
    (found, free)
}

/// The masks of the ways of `keys` whose key is `key` (bit `w` for way `w`) and of the invalid
/// ways (key 0), eight ways per SSE2 operation (see `masks_n` on SSE2).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[allow(unsafe_code)]
#[inline(always)]
fn key_masks<const N: usize>(keys: &[u16; N], key: u16) -> (u64, u64) {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi16, _mm_loadu_si128, _mm_movemask_epi8, _mm_packs_epi16,
        _mm_set1_epi16, _mm_setzero_si128,
    };
    let (mut hit, mut invalid) = (0u64, 0u64);
    // Safety: the build enables SSE2 (the `cfg` above), which these intrinsics need, and each
    // load reads `eight`, eight `u16`s: 16 readable bytes (`loadu` needs no alignment).
    unsafe {
        let want = _mm_set1_epi16(key as i16);
        let zero = _mm_setzero_si128();
        for (i, eight) in keys.chunks_exact(8).enumerate() {
            let k = _mm_loadu_si128(eight.as_ptr().cast::<__m128i>());
            // Each 16-bit lane's all-ones or zero packed to a byte: one mask bit per way.
            let eq = _mm_packs_epi16(_mm_cmpeq_epi16(k, want), zero);
            let none = _mm_packs_epi16(_mm_cmpeq_epi16(k, zero), zero);
            hit |= (_mm_movemask_epi8(eq) as u64) << (8 * i);
            invalid |= (_mm_movemask_epi8(none) as u64) << (8 * i);
        }
    }
    (hit, invalid)
}

/// `key_masks` without SIMD.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn key_masks<const N: usize>(keys: &[u16; N], key: u16) -> (u64, u64) {
    let (mut hit, mut invalid) = (0u64, 0u64);
    for (w, &k) in keys.iter().enumerate() {
        hit |= u64::from(k == key) << w;
        invalid |= u64::from(k == 0) << w;
    }
    (hit, invalid)
}

/// `scan` by the tags alone: the way holding `line` and the lowest invalid way. A line is in at
/// most one way, so the search order does not matter: the ways are compared 64 at a time into
/// bit masks, without an early exit (no mispredicted exit branch), two ways per SSE2 compare on
/// x86-64 (`masks_n`). The small associativities get a copy with the count of ways known, fully
/// unrolled.
#[inline(always)]
fn scan_tags(tags: &[u64], line: u64) -> (usize, usize) {
    match tags.len() {
        2 => scan_n::<2>(tags, line),
        4 => scan_n::<4>(tags, line),
        8 => scan_n::<8>(tags, line),
        16 => scan_n::<16>(tags, line),
        _ => scan_any(tags, line),
    }
}

/// `scan_tags` of a set of `N` (at most 64) ways.
#[inline(always)]
fn scan_n<const N: usize>(tags: &[u64], line: u64) -> (usize, usize) {
    const { assert!(N <= 64) };
    let Ok(tags) = <&[u64; N]>::try_from(tags) else {
        return scan_any(tags, line);
    };
    let (hit, invalid) = masks_n(tags, line);
    let first = |m: u64| {
        if m == 0 {
            usize::MAX
        } else {
            m.trailing_zeros() as usize
        }
    };
    (first(hit), first(invalid))
}

/// The masks of the ways of `tags` holding `line` (bit `w` for way `w`) and of the invalid ways,
/// two ways per SSE2 operation (SSE2 is part of x86-64, so no detection is needed; it has no
/// 64-bit compare, so a way matches when both of its 32-bit halves do). With `key_masks`, the
/// only uses of `unsafe` outside `machine::threaded` and `machine::jit`: the SSE2 intrinsics.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[allow(unsafe_code)]
#[inline(always)]
fn masks_n<const N: usize>(tags: &[u64; N], line: u64) -> (u64, u64) {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_castsi128_pd, _mm_cmpeq_epi32, _mm_loadu_si128,
        _mm_movemask_pd, _mm_set1_epi64x, _mm_shuffle_epi32, _mm_slli_epi64,
    };
    if !N.is_multiple_of(2) {
        return masks_scalar(tags, line);
    }
    let (mut hit, mut valid) = (0u64, 0u64);
    // Safety: the build enables SSE2 (the `cfg` above), which these intrinsics need, and each
    // load reads `pair`, two `u64`s: 16 readable bytes (`loadu` needs no alignment).
    unsafe {
        let want = _mm_set1_epi64x((line | VALID) as i64);
        let clean = _mm_set1_epi64x(!DIRTY as i64);
        for (i, pair) in tags.chunks_exact(2).enumerate() {
            let t = _mm_loadu_si128(pair.as_ptr().cast::<__m128i>());
            let halves = _mm_cmpeq_epi32(_mm_and_si128(t, clean), want);
            // Each half ANDed with its partner: a lane is all ones iff both halves matched.
            let both = _mm_and_si128(halves, _mm_shuffle_epi32::<0b10_11_00_01>(halves));
            hit |= (_mm_movemask_pd(_mm_castsi128_pd(both)) as u64) << (2 * i);
            // VALID (bit 0) shifted to each lane's sign bit.
            let v = _mm_slli_epi64::<63>(t);
            valid |= (_mm_movemask_pd(_mm_castsi128_pd(v)) as u64) << (2 * i);
        }
    }
    let all = if N == 64 { u64::MAX } else { (1u64 << N) - 1 };
    (hit, !valid & all)
}

/// `masks_n` without SIMD.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn masks_n<const N: usize>(tags: &[u64; N], line: u64) -> (u64, u64) {
    masks_scalar(tags, line)
}

/// `masks_n` one way at a time.
#[inline(always)]
fn masks_scalar(tags: &[u64], line: u64) -> (u64, u64) {
    let want = line | VALID;
    let (mut hit, mut invalid) = (0u64, 0u64);
    for (w, &t) in tags.iter().enumerate() {
        hit |= u64::from(t & !DIRTY == want) << w;
        invalid |= u64::from(t & VALID == 0) << w;
    }
    (hit, invalid)
}

/// `scan_tags` of any number of ways.
#[inline(never)]
fn scan_any(tags: &[u64], line: u64) -> (usize, usize) {
    let (mut found, mut free) = (usize::MAX, usize::MAX);
    for (c, chunk) in tags.chunks(64).enumerate().rev() {
        let (hit, invalid) = masks_scalar(chunk, line);
        if hit != 0 {
            found = c * 64 + hit.trailing_zeros() as usize;
        }
        if invalid != 0 {
            free = c * 64 + invalid.trailing_zeros() as usize;
        }
    }
    (found, free)
}

/// `Cache::absent` when no line is known absent (line addresses are aligned, this one is not).
const NONE: (u64, usize) = (u64::MAX, usize::MAX);

impl Cache {
    /// An empty cache of geometry `config`, which must pass `CacheConfig::validate`.
    pub fn new(config: &CacheConfig) -> Cache {
        debug_assert_eq!(config.validate(), Ok(()));
        let ways = config.ways as usize;
        let sets = config.size / (u64::from(config.ways) * u64::from(config.line));
        let sets_usize = usize::try_from(sets).expect("set count fits the host");
        Cache {
            config: config.clone(),
            ways,
            line_shift: config.line.trailing_zeros(),
            line_mask: !(u64::from(config.line) - 1),
            set_mask: sets - 1,
            tags: vec![0; sets_usize * ways],
            keys: vec![0; sets_usize * ways],
            key_shift: config.line.trailing_zeros() + sets.trailing_zeros(),
            mru: vec![0; sets_usize],
            repl: ReplacementState::new(sets_usize, ways, config.replacement, config.seed)
                .ordered(),
            stats: CacheStats::default(),
            absent: NONE,
        }
    }

    /// The geometry it was built with.
    pub fn config(&self) -> &CacheConfig {
        &self.config
    }

    /// The number of sets.
    pub fn sets(&self) -> u64 {
        self.set_mask + 1
    }

    /// The counts so far.
    pub fn stats(&self) -> CacheStats {
        self.stats
    }

    /// The line address of `addr`.
    #[inline]
    fn line_of(&self, addr: u64) -> u64 {
        addr & self.line_mask
    }

    /// What the translator's inline `is_mru` reads: the MRU word of each set (a table never
    /// reallocated while the cache lives), the line shift and the set mask.
    pub(crate) fn mru_table(&self) -> (*const u64, u32, u64) {
        (self.mru.as_ptr(), self.line_shift, self.set_mask)
    }

    /// The set index of `addr`.
    #[inline]
    fn set_of(&self, addr: u64) -> usize {
        ((addr >> self.line_shift) & self.set_mask) as usize
    }

    /// `scan` of `set` for `line`: the way holding it and the lowest invalid way.
    #[inline(always)]
    fn scan_set(&self, set: usize, line: u64) -> (usize, usize) {
        let ways = set * self.ways..(set + 1) * self.ways;
        let key = key_of(line, self.key_shift);
        scan(&self.tags[ways.clone()], &self.keys[ways], line, key)
    }

    /// The way of `set` holding `line`, if any.
    #[inline]
    fn find(&self, set: usize, line: u64) -> Option<usize> {
        let (found, _) = self.scan_set(set, line);
        (found != usize::MAX).then_some(found)
    }

    /// True iff `access(addr, write)` would be a hit that changes no state at all: `addr`'s line
    /// is the most recently used line of its set and, for a write, already dirty. O(1); counts
    /// nothing and changes nothing.
    #[inline]
    pub fn is_mru(&self, addr: u64, write: bool) -> bool {
        let want = self.line_of(addr) | VALID;
        let mru = self.mru[self.set_of(addr)];
        if write {
            mru == want | DIRTY
        } else {
            mru & !DIRTY == want
        }
    }

    /// `access(addr, write)` if it hits, with exactly its state changes and counts (none when
    /// `is_mru` holds, as the machine's MRU fast path counts none either); returns whether it
    /// hit. A miss changes and counts nothing. O(ways). The machine's fast path takes it only
    /// while a miss could not go on (watchpoints); otherwise it makes one `access`.
    pub fn hit(&mut self, addr: u64, write: bool) -> bool {
        if self.is_mru(addr, write) {
            return true;
        }
        let line = self.line_of(addr);
        if line == self.absent.0 {
            return false;
        }
        let set = self.set_of(addr);
        let (way, free) = self.scan_set(set, line);
        if way == usize::MAX {
            self.absent = (line, free);
            return false;
        }
        self.stats.accesses += 1;
        self.stats.hits += 1;
        self.repl.touch(set, way);
        let tag = &mut self.tags[set * self.ways + way];
        *tag |= if write { DIRTY } else { 0 };
        self.mru[set] = *tag;
        true
    }

    /// An access to `addr`: a hit touches the line (and dirties it on a write); a miss allocates
    /// it in the victim way, reporting the evicted line if it was dirty. O(ways).
    pub fn access(&mut self, addr: u64, write: bool) -> CacheAccess {
        // The common associativities get a copy of the whole access with the count of ways
        // known: the search and the replacement choice are then straight-line code.
        const ANY: u8 = known::ANY;
        match self.ways {
            2 => self.access_n::<2, ANY>(addr, write),
            4 => self.access_n::<4, ANY>(addr, write),
            8 => self.access_n::<8, ANY>(addr, write),
            16 => self.access_n::<16, ANY>(addr, write),
            _ => self.access_n::<0, ANY>(addr, write),
        }
    }

    /// `access` for a caller that knows the cache has `N` ways (`ways()`) and replacement policy
    /// `P` (`replacement::known`, `ANY` if not known), so that the whole access is inlined into
    /// it with both known; `N` 0 takes `access`. The caller took both from this cache's own
    /// `shape`, or from a record of it made with the cache (a cache's ways and policy are fixed
    /// when it is made), so that no check is needed.
    #[inline(always)]
    pub(crate) fn access_known<const N: usize, const P: u8>(
        &mut self,
        addr: u64,
        write: bool,
    ) -> CacheAccess {
        if N == 0 {
            return self.access(addr, write);
        }
        debug_assert!(N == self.ways && self.repl.is::<P>());
        self.access_n::<N, P>(addr, write)
    }

    /// The number of ways of a set.
    #[inline]
    pub fn ways(&self) -> usize {
        self.ways
    }

    /// The ways of a set and the replacement policy as `replacement::known` numbers: what picks
    /// a caller's copy of `access_known`.
    #[inline]
    pub(crate) fn shape(&self) -> (usize, u8) {
        (self.ways, known::of(self.repl.policy()))
    }

    /// `access` in a cache of `N` ways (0: any number, read from `ways`) under policy `P` (as in
    /// `access_known`). With `N` known, the set's tags and keys are slices of `N` and a way is
    /// masked to `N - 1` (a power of two): one bounds check per slice, none per way.
    #[inline(always)]
    fn access_n<const N: usize, const P: u8>(&mut self, addr: u64, write: bool) -> CacheAccess {
        debug_assert!(N == 0 || (N == self.ways && N.is_power_of_two()));
        let (n, mask) = if N == 0 {
            (self.ways, usize::MAX)
        } else {
            (N, N - 1)
        };
        self.stats.accesses += 1;
        let line = self.line_of(addr);
        let set = self.set_of(addr);
        let dirty = if write { DIRTY } else { 0 };
        let key = key_of(line, self.key_shift);
        let ways = set * n..(set + 1) * n;
        let tags = &mut self.tags[ways.clone()];
        let keys = &mut self.keys[ways];
        // One pass finds the line's way and the lowest invalid way (the victim if any); a line
        // `hit` just found absent needs none.
        let (absent, absent_free) = std::mem::replace(&mut self.absent, NONE);
        let (found, free) = if absent == line {
            (usize::MAX, absent_free)
        } else {
            scan(tags, keys, line, key)
        };
        if found != usize::MAX {
            let way = found & mask;
            self.stats.hits += 1;
            self.repl.touch_n::<N, P>(set, way);
            let tag = &mut tags[way];
            *tag |= dirty;
            self.mru[set] = *tag;
            return CacheAccess {
                hit: true,
                writeback: None,
            };
        }
        self.stats.misses += 1;
        // `ReplacementState::victim`: the lowest invalid way, else the policy's choice.
        let way = if free != usize::MAX {
            free
        } else {
            self.repl.victim_of_full_n::<N, P>(set)
        } & mask;
        let old = tags[way];
        let writeback = if old & DIRTY != 0 {
            self.stats.writebacks += 1;
            Some(old & !FLAGS)
        } else {
            None
        };
        let tag = line | VALID | dirty;
        tags[way] = tag;
        keys[way] = key;
        self.repl.fill_n::<N, P>(set, way);
        self.mru[set] = tag;
        CacheAccess {
            hit: false,
            writeback,
        }
    }

    /// Whether `addr`'s line is present (no state change, no counting).
    pub fn contains(&self, addr: u64) -> bool {
        self.find(self.set_of(addr), self.line_of(addr)).is_some()
    }

    /// Drops every line, dirty ones included, without writing anything back (the data is in RAM
    /// anyway). Replacement state is kept: invalid ways are always filled first.
    pub fn invalidate_all(&mut self) {
        self.tags.fill(0);
        self.keys.fill(0);
        self.mru.fill(0);
        self.absent = NONE;
    }

    /// The number of valid lines.
    pub fn valid_lines(&self) -> usize {
        self.tags.iter().filter(|&&t| t & VALID != 0).count()
    }

    /// The valid lines as (set, way, line address, dirty), by set then way, for a debugger.
    pub fn lines(&self) -> impl Iterator<Item = (u64, u32, u64, bool)> + '_ {
        self.tags
            .iter()
            .enumerate()
            .filter(|(_, t)| *t & VALID != 0)
            .map(|(i, &t)| {
                let (set, way) = (i / self.ways, i % self.ways);
                (set as u64, way as u32, t & !FLAGS, t & DIRTY != 0)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cache(size: u64, ways: u32, line: u32, replacement: Replacement, seed: u64) -> Cache {
        let config = CacheConfig {
            size,
            ways,
            line,
            replacement,
            seed,
        };
        config.validate().unwrap();
        Cache::new(&config)
    }

    /// Line address of the n-th distinct line of a 1-set cache with 64-byte lines.
    fn l(n: u64) -> u64 {
        0x8000_0000 + n * 64
    }

    /// Replays `seq` (line numbers, reads; line n is letter A + n) and returns what each step
    /// did: `+` for a hit, else the letter of the line it evicted (`-` for an invalid way).
    fn replay(c: &mut Cache, seq: &[u64]) -> String {
        let mut out = String::new();
        for &n in seq {
            let before: Vec<_> = c.lines().map(|(_, _, a, _)| a).collect();
            if c.access(l(n), false).hit {
                out.push('+');
                continue;
            }
            let after: Vec<_> = c.lines().map(|(_, _, a, _)| a).collect();
            match before.iter().find(|a| !after.contains(a)) {
                Some(&gone) => out.push(char::from(b'A' + ((gone - l(0)) / 64) as u8)),
                None => out.push('-'),
            }
        }
        out
    }

    // Which line does each policy evict for the classic A B C D A E in one 4-way set?
    // - LRU: after A B C D A, the least recent is B.
    // - FIFO: A was filled first; its hit does not count, so A goes.
    // - PLRU (nodes: 1 = root, 2 = ways 0-1, 3 = ways 2-3; a bit points to the victim side):
    //   fill A/w0 → n2 right, n1 right; B/w1 → n2 left, n1 right; C/w2 → n3 right, n1 left;
    //   D/w3 → n3 left, n1 left; hit A/w0 → n2 right, n1 right. Victim: n1 right → n3 left → w2,
    //   so C goes (PLRU is not LRU).
    #[test]
    fn classic_sequence_per_policy() {
        let seq = [0, 1, 2, 3, 0, 4];
        for (policy, want) in [
            (Replacement::Lru, "----+B"),
            (Replacement::Fifo, "----+A"),
            (Replacement::Plru, "----+C"),
        ] {
            let mut c = cache(256, 4, 64, policy, 0);
            assert_eq!(c.sets(), 1);
            assert_eq!(replay(&mut c, &seq), want, "{policy}");
            assert_eq!(
                c.stats(),
                CacheStats {
                    accesses: 6,
                    hits: 1,
                    misses: 5,
                    writebacks: 0
                }
            );
        }
    }

    // Do longer sequences keep each policy's order? LRU: A B C D, then B A hits, E evicts C,
    // F evicts D, C (refetched) evicts B. FIFO: E evicts A, F evicts B, C hits, A evicts C.
    #[test]
    fn longer_sequences() {
        let mut lru = cache(256, 4, 64, Replacement::Lru, 0);
        assert_eq!(replay(&mut lru, &[0, 1, 2, 3, 1, 0, 4, 5, 2]), "----++CDB");
        let mut fifo = cache(256, 4, 64, Replacement::Fifo, 0);
        assert_eq!(
            replay(&mut fifo, &[0, 1, 2, 3, 1, 0, 4, 5, 2, 0]),
            "----++AB+C"
        );
    }

    // Does a fixed seed give a fixed victim sequence, the same in two caches?
    #[test]
    fn random_is_deterministic() {
        let seq: Vec<u64> = (0..4).chain((4..40).map(|i| i % 9)).collect();
        let mut a = cache(256, 4, 64, Replacement::Random, 42);
        let mut b = cache(256, 4, 64, Replacement::Random, 42);
        let got = replay(&mut a, &seq);
        assert_eq!(got, replay(&mut b, &seq));
        // Once all 4 ways are full, xorshift64* from 42 ^ 0x9E3779B97F4A7C15 draws ways
        // 0 0 0 3 3 2 _ 3 ... (computed apart, in Python): E evicts A (way 0), F evicts E, G
        // evicts F, H evicts D (way 3), I evicts H, A evicts C (way 2), B hits, C evicts I.
        assert_eq!(&got[..12], "----AEFDHC+I");
        assert_eq!(got, "----AEFDHC+IGCEDAHBFBGCIEFAIHB+CE+GAIFA+");
        let mut z = cache(256, 4, 64, Replacement::Random, 0);
        assert_ne!(replay(&mut z, &seq), got, "another seed, other victims");
    }

    // Are dirty victims written back exactly once, with their line address, and clean ones not?
    #[test]
    fn write_back_counting() {
        let mut c = cache(128, 2, 64, Replacement::Lru, 0); // 1 set, 2 ways
        assert_eq!(
            c.access(l(0) + 8, true),
            CacheAccess {
                hit: false,
                writeback: None
            }
        );
        assert_eq!(
            c.access(l(1), false),
            CacheAccess {
                hit: false,
                writeback: None
            }
        );
        assert_eq!(
            c.access(l(2), false),
            CacheAccess {
                hit: false,
                writeback: Some(l(0))
            }
        );
        assert_eq!(
            c.access(l(3), false),
            CacheAccess {
                hit: false,
                writeback: None
            }
        );
        assert!(c.access(l(3) + 63, true).hit);
        assert_eq!(
            c.lines().collect::<Vec<_>>(),
            [(0, 0, l(2), false), (0, 1, l(3), true)]
        );
        assert_eq!(
            c.access(l(4), false).writeback,
            None,
            "evicts the clean l(2)"
        );
        assert_eq!(c.access(l(5), false).writeback, Some(l(3)));
        assert_eq!(
            c.stats(),
            CacheStats {
                accesses: 7,
                hits: 1,
                misses: 6,
                writebacks: 2
            }
        );
        c.invalidate_all();
        assert_eq!(c.valid_lines(), 0);
        assert_eq!(
            c.access(l(5), false).writeback,
            None,
            "invalidation drops dirty lines"
        );
    }

    // Do addresses map to the documented set, and does `contains` change nothing?
    #[test]
    fn indexing() {
        let mut c = cache(32 * 1024, 8, 64, Replacement::Plru, 0);
        assert_eq!(c.sets(), 64);
        c.access(0x8000_1234, false);
        let (set, _, line, dirty) = c.lines().next().unwrap();
        assert_eq!(
            (set, line, dirty),
            ((0x8000_1234 / 64) % 64, 0x8000_1200, false)
        );
        let before = c.clone();
        assert!(c.contains(0x8000_123f) && !c.contains(0x8000_1240));
        assert_eq!(c, before);
        assert_eq!(c.valid_lines(), 1);
    }

    // Does `validate` name the bad field?
    #[test]
    fn config_errors() {
        let ok = CacheConfig {
            size: 1024,
            ways: 2,
            line: 64,
            replacement: Replacement::Lru,
            seed: 0,
        };
        assert_eq!(ok.validate(), Ok(()));
        let bad = |f: fn(&mut CacheConfig)| {
            let mut c = ok.clone();
            f(&mut c);
            c.validate().unwrap_err()
        };
        assert_eq!(bad(|c| c.ways = 3), "ways = 3 is not a power of two");
        assert_eq!(bad(|c| c.size = 1000), "size = 1000 is not a power of two");
        assert_eq!(bad(|c| c.size = 0), "size = 0 is not a power of two");
        assert_eq!(bad(|c| c.line = 48), "line = 48 is not a power of two");
        assert_eq!(bad(|c| c.line = 4), "line = 4 is less than 8 bytes");
        assert!(bad(|c| c.size = 64).starts_with("size = 64 is less than ways * line = 128"));
    }

    // Does a profile table parse, with "plru" and an omitted seed?
    #[test]
    fn config_from_toml() {
        let c: CacheConfig =
            toml::from_str("size = 32768\nways = 8\nline = 64\nreplacement = \"plru\"").unwrap();
        assert_eq!((c.replacement, c.seed), (Replacement::Plru, 0));
    }

    /// `c` after `access(addr, write)`, stats aside: does the access change any state?
    fn access_changes_state(c: &Cache, addr: u64, write: bool) -> bool {
        let mut after = c.clone();
        after.access(addr, write);
        after.stats = c.stats;
        after != *c
    }

    /// Step `(n, op)` of a random run over two caches alike of 2 sets and 16-byte lines:
    /// `address`, after invalidating both for `op` 0.
    fn step(a: &mut Cache, b: &mut Cache, n: u64, op: u8) -> Option<u64> {
        let addr = address(a.ways(), n, op);
        if addr.is_none() {
            a.invalidate_all();
            b.invalidate_all();
        }
        addr
    }

    /// The address step `(n, op)` accesses in a cache of 2 sets of `ways` ways and 16-byte
    /// lines (line `n` of 3 per way of the two sets, byte `op % 16`, moved `far` for `op`
    /// 61-63), or `None` for a step that invalidates (`op` 0).
    fn address(ways: usize, n: u64, op: u8) -> Option<u64> {
        let line = 0x8000_0000 + (n % (6 * ways as u64)) * 16;
        (op != 0).then(|| line + far(op) + u64::from(op % 16))
    }

    /// How far step `op` moves its line (2 sets of 16-byte lines: key shift 5, so keys tell
    /// lines 2^20 bytes apart): for `op` 61 and 62, to a line of the same set whose key is the
    /// line's; for 63, to one whose key is not.
    fn far(op: u8) -> u64 {
        match op {
            61 => 1 << 20,
            62 => 3 << 40,
            63 => 1 << 18,
            _ => 0,
        }
    }

    /// A plain model of a cache for `matches_a_plain_model`: each way's line and dirty bit,
    /// searched front to back, and the replacement state kept as `ReplacementState::new` keeps
    /// it (no `ordered` form).
    struct Plain {
        ways: usize,
        line: u64,
        sets: u64,
        slots: Vec<Option<(u64, bool)>>,
        repl: ReplacementState,
        stats: CacheStats,
    }

    impl Plain {
        fn new(config: &CacheConfig) -> Plain {
            let ways = config.ways as usize;
            let sets = config.size / u64::from(config.ways) / u64::from(config.line);
            Plain {
                ways,
                line: u64::from(config.line),
                sets,
                slots: vec![None; sets as usize * ways],
                repl: ReplacementState::new(sets as usize, ways, config.replacement, config.seed),
                stats: CacheStats::default(),
            }
        }

        fn access(&mut self, addr: u64, write: bool) -> CacheAccess {
            let line = addr / self.line * self.line;
            let set = (addr / self.line % self.sets) as usize;
            let ways = &mut self.slots[set * self.ways..(set + 1) * self.ways];
            self.stats.accesses += 1;
            if let Some(w) = ways.iter().position(|s| s.is_some_and(|(l, _)| l == line)) {
                self.stats.hits += 1;
                self.repl.touch(set, w);
                ways[w] = Some((line, ways[w].unwrap().1 || write));
                return CacheAccess {
                    hit: true,
                    writeback: None,
                };
            }
            self.stats.misses += 1;
            let w = self.repl.victim(set, |w| ways[w].is_some());
            let writeback = ways[w].filter(|&(_, dirty)| dirty).map(|(l, _)| l);
            self.stats.writebacks += u64::from(writeback.is_some());
            ways[w] = Some((line, write));
            self.repl.fill(set, w);
            CacheAccess {
                hit: false,
                writeback,
            }
        }

        fn lines(&self) -> Vec<(u64, u32, u64, bool)> {
            let ways = self.ways;
            let slot = |(i, s): (usize, &Option<(u64, bool)>)| {
                s.map(|(l, d)| ((i / ways) as u64, (i % ways) as u32, l, d))
            };
            self.slots.iter().enumerate().filter_map(slot).collect()
        }
    }

    proptest! {
        // Does the cache do what a plain model does (the same outcome of every access, the same
        // counts and the same lines, dirty bits and ways after every step) under every policy,
        // for 1 to 128 ways, with lines whose keys are the same among them (`far`), and after
        // invalidations?
        #[test]
        fn matches_a_plain_model(
            policy in 0..4usize,
            seed in any::<u64>(),
            ways_log in 0..8u32,
            ops in prop::collection::vec((0..1024u64, any::<bool>(), 0..64u8), 1..400),
        ) {
            let ways = 1u32 << ways_log;
            let mut c = cache(32 * u64::from(ways), ways, 16, Replacement::ALL[policy], seed);
            let mut plain = Plain::new(c.config());
            for (n, write, op) in ops {
                let Some(addr) = address(c.ways(), n, op) else {
                    c.invalidate_all();
                    plain.slots.fill(None);
                    continue;
                };
                prop_assert_eq!(c.access(addr, write), plain.access(addr, write));
                prop_assert_eq!(c.stats(), plain.stats);
                prop_assert_eq!(c.lines().collect::<Vec<_>>(), plain.lines());
                prop_assert_eq!(c.valid_lines(), plain.lines().len());
            }
        }

        // Does `scan` find what a plain front-to-back search finds (the way holding the line,
        // the lowest invalid way), for sets of 1 to 256 ways (several 64-way chunks; 8 to 64
        // search by keys), with the line present or not, dirty or clean ways, and keys that
        // tell lines apart or not (key shift 6: lines n and n + 4 share a key)?
        #[test]
        fn scan_is_a_linear_search(
            ways_log in 0..9u32,
            key_shift in prop::sample::select(vec![6u32, 33]),
            tags in prop::collection::vec((0..8u64, 0..4u64), 256),
            line in 0..8u64,
            place in any::<prop::sample::Index>(),
            present in any::<bool>(),
        ) {
            let ways = 1usize << ways_log;
            // Lines 0-3 and 4-7 differ only in their high 32 bits (the SIMD compare's halves).
            let l = |n: u64| 0x8000_0000 + (n & 3) * 64 + ((n >> 2) << 33);
            // Way words: invalid (0), or line n with its flags; the searched line at most once.
            let mut set: Vec<u64> = tags[..ways]
                .iter()
                .map(|&(n, f)| if f == 0 || n == line { 0 } else { l(n) | f | VALID })
                .collect();
            if present {
                set[place.index(ways)] = l(line) | VALID;
            }
            let want_found = set.iter().position(|&t| t & !DIRTY == l(line) | VALID);
            let want_free = set.iter().position(|&t| t & VALID == 0);
            let keys: Vec<u16> = set
                .iter()
                .map(|&t| if t & VALID == 0 { 0 } else { key_of(t & !FLAGS, key_shift) })
                .collect();
            let (found, free) = scan(&set, &keys, l(line), key_of(l(line), key_shift));
            prop_assert_eq!(found, want_found.unwrap_or(usize::MAX));
            prop_assert_eq!(free, want_free.unwrap_or(usize::MAX));
        }

        // Is `is_mru(a, w)` true exactly when `access(a, w)` would change no state (tags, dirty
        // bits, replacement state, MRU words), after every step of a random run, for every
        // policy? And does it count nothing?
        #[test]
        fn is_mru_is_exact(
            policy in 0..4usize,
            seed in any::<u64>(),
            ops in prop::collection::vec((0..12u64, any::<bool>(), 0..64u8), 1..300),
        ) {
            // 2 sets x 4 ways x 16-byte lines; 12 lines over 2 sets so both hits and misses.
            let mut c = cache(128, 4, 16, Replacement::ALL[policy], seed);
            for (n, write, op) in ops {
                let addr = 0x8000_0000 + n * 16 + u64::from(op % 16);
                for probe in 0..12u64 {
                    for w in [false, true] {
                        let a = 0x8000_0000 + probe * 16;
                        let stats = c.stats();
                        prop_assert_eq!(c.is_mru(a, w), !access_changes_state(&c, a, w));
                        prop_assert_eq!(c.stats(), stats);
                    }
                }
                if op == 0 {
                    c.invalidate_all();
                } else {
                    c.access(addr, write);
                }
            }
        }

        // Does each copy of `access` for a known count of ways (2, 4, 8, 16, through `access`
        // and `access_known`) and a known policy (LRU, PLRU) do what the copy for any count and
        // policy does (`access_n::<0, ANY>`): the same outcome and the same state after every
        // step of a random run, for every policy, with and without invalid ways (a `hit` before
        // some accesses, as the fast path makes)?
        #[test]
        fn the_copies_for_known_ways_are_the_general_access(
            policy in 0..4usize,
            seed in any::<u64>(),
            ways_log in 1..5u32,
            ops in prop::collection::vec((0..96u64, any::<bool>(), 0..64u8), 1..300),
        ) {
            const ANY: u8 = known::ANY;
            const LRU: u8 = known::LRU;
            const PLRU: u8 = known::PLRU;
            let ways = 1u32 << ways_log;
            // 2 sets x `ways` ways x 16-byte lines, 3 lines per way of the two sets.
            let mut shaped = cache(32 * u64::from(ways), ways, 16, Replacement::ALL[policy], seed);
            let mut general = shaped.clone();
            for (n, write, op) in ops {
                let Some(addr) = step(&mut shaped, &mut general, n, op) else {
                    continue;
                };
                if op % 3 == 0 && shaped.hit(addr, write) {
                    prop_assert!(general.hit(addr, write));
                    prop_assert_eq!(&shaped, &general);
                    continue;
                }
                // The copy for the cache's own shape, with its policy or `ANY`, as the machine
                // picks one (`access_known`).
                let (w, p) = shaped.shape();
                let p = if op % 2 == 0 { ANY } else { p };
                let got = match (op % 3, w, p) {
                    (0, ..) => shaped.access(addr, write),
                    (1, ..) => shaped.access_known::<0, ANY>(addr, write),
                    (_, 2, ANY) => shaped.access_known::<2, ANY>(addr, write),
                    (_, 4, ANY) => shaped.access_known::<4, ANY>(addr, write),
                    (_, 8, ANY) => shaped.access_known::<8, ANY>(addr, write),
                    (_, 16, ANY) => shaped.access_known::<16, ANY>(addr, write),
                    (_, 2, LRU) => shaped.access_known::<2, LRU>(addr, write),
                    (_, 4, LRU) => shaped.access_known::<4, LRU>(addr, write),
                    (_, 8, LRU) => shaped.access_known::<8, LRU>(addr, write),
                    (_, 16, LRU) => shaped.access_known::<16, LRU>(addr, write),
                    (_, 2, PLRU) => shaped.access_known::<2, PLRU>(addr, write),
                    (_, 4, PLRU) => shaped.access_known::<4, PLRU>(addr, write),
                    (_, 8, PLRU) => shaped.access_known::<8, PLRU>(addr, write),
                    (_, 16, PLRU) => shaped.access_known::<16, PLRU>(addr, write),
                    // FIFO and random: no copy of their own.
                    (_, 2, _) => shaped.access_known::<2, ANY>(addr, write),
                    (_, 4, _) => shaped.access_known::<4, ANY>(addr, write),
                    (_, 8, _) => shaped.access_known::<8, ANY>(addr, write),
                    _ => shaped.access_known::<16, ANY>(addr, write),
                };
                prop_assert_eq!(got, general.access_n::<0, ANY>(addr, write));
                prop_assert_eq!(&shaped, &general);
            }
        }

        // Does the machine's fast path (`hit`, then `access` only on a miss, probing twice as a
        // fast path that gives up and its slow path do) leave exactly the state and counts of
        // its slow path (`access` unless `is_mru`), after every step of a random run, with 4
        // ways (searched by tags) and 8 (searched by keys)? Do the keys stay those of the tags?
        #[test]
        fn hit_then_access_is_the_slow_path(
            policy in 0..4usize,
            seed in any::<u64>(),
            wide in any::<bool>(),
            ops in prop::collection::vec((0..48u64, any::<bool>(), 0..64u8), 1..300),
        ) {
            // 2 sets x 4 or 8 ways x 16-byte lines, 3 lines per way of the two sets.
            let (size, ways) = if wide { (256, 8) } else { (128, 4) };
            let mut fast = cache(size, ways, 16, Replacement::ALL[policy], seed);
            let mut slow = fast.clone();
            for (n, write, op) in ops {
                let Some(addr) = step(&mut fast, &mut slow, n, op) else {
                    continue;
                };
                let hit = fast.hit(addr, write);
                if !hit {
                    prop_assert!(!fast.hit(addr, write), "a miss stays a miss");
                    prop_assert!(!fast.access(addr, write).hit);
                }
                if !slow.is_mru(addr, write) {
                    prop_assert_eq!(slow.access(addr, write).hit, hit);
                }
                prop_assert_eq!(&fast, &slow);
                for (&t, &k) in fast.tags.iter().zip(&fast.keys) {
                    let want = if t & VALID == 0 { 0 } else { key_of(t & !FLAGS, fast.key_shift) };
                    prop_assert_eq!(k, want);
                }
            }
        }
    }
}
