//! Pointer chasing: a cyclic linked list through `n` slots at arbitrary addresses (one 8-byte word
//! each), in a random order, and a load loop that follows it.
//!
//! Why a chase rather than a strided loop: every load's address comes from the previous load, so
//! the loads cannot overlap and no prefetcher (klab has none; QEMU's host and real cores do) can
//! run ahead of the random order. Each slot is visited exactly once per trip round the cycle, so a
//! working set larger than a cache (or TLB) with LRU replacement misses on every access, and one
//! that fits hits on every access after the warm-up trip: the steps are sharp.

/// Loads per trip through the loop of `chase`, which runs `accesses / CHASE_UNROLL` trips of
/// `CHASE_UNROLL` + 2 instructions (the loads, `addi`, `bnez`): 1.25 instructions per access.
pub const CHASE_UNROLL: usize = 8;

core::arch::global_asm!(
    r#"
    .text
    .balign 4
    .globl mem_chase
# mem_chase(a0 = first slot, a1 = accesses, a multiple of 8 and > 0) -> a0 = the slot reached.
mem_chase:
1:  ld a0, 0(a0)
    ld a0, 0(a0)
    ld a0, 0(a0)
    ld a0, 0(a0)
    ld a0, 0(a0)
    ld a0, 0(a0)
    ld a0, 0(a0)
    ld a0, 0(a0)
    addi a1, a1, -8
    bnez a1, 1b
    ret
"#
);

unsafe extern "C" {
    fn mem_chase(start: usize, accesses: usize) -> usize;
}

/// Follows the list from `start` for `accesses` loads (rounded up to a multiple of `CHASE_UNROLL`,
/// at least one trip) and returns the slot reached.
///
/// # Safety
/// `start` must be a slot of a list made by `build_cycle`, whose memory is still readable.
pub unsafe fn chase(start: usize, accesses: usize) -> usize {
    // Safety: the caller vouches for the list; the count is a positive multiple of 8.
    unsafe { mem_chase(start, round_accesses(accesses)) }
}

/// `accesses` as `chase` performs them: rounded up to a multiple of `CHASE_UNROLL`, at least one.
pub fn round_accesses(accesses: usize) -> usize {
    accesses.max(1).div_ceil(CHASE_UNROLL) * CHASE_UNROLL
}

/// xorshift64: a deterministic pseudo-random source (the same lists on every run).
pub struct XorShift(u64);

impl XorShift {
    /// Seeded with `seed` (0 is replaced, xorshift's one stuck state).
    pub fn new(seed: u64) -> Self {
        Self(if seed == 0 { 1 } else { seed })
    }

    /// A value in `0..bound` (`bound > 0`).
    pub fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }
}

/// Links the `n` slots at `slot(0) .. slot(n-1)` into one cycle in a random order (Sattolo's
/// algorithm: a uniformly random permutation with a single cycle), each slot holding the address of
/// the next, and returns `slot(0)`.
///
/// # Safety
/// Every `slot(k)` for `k < n` must be a distinct, 8-byte-aligned, writable word that nothing else
/// uses.
pub unsafe fn build_cycle(n: usize, slot: impl Fn(usize) -> usize, seed: u64) -> usize {
    let word = |k: usize| slot(k) as *mut usize;
    // Safety (all three loops): the caller vouches for every slot(k), k < n.
    unsafe {
        for k in 0..n {
            word(k).write(k);
        }
        let mut rng = XorShift::new(seed);
        for i in (1..n).rev() {
            let j = rng.below(i);
            core::ptr::swap(word(i), word(j));
        }
        for k in 0..n {
            word(k).write(slot(word(k).read()));
        }
    }
    slot(0)
}
