//! compute: how fast does the machine run plain CPU-bound integer code? Each of N iterations (N from
//! `-append "N"`, default 1000) runs four small kernels on data derived from the iteration number — a
//! sieve of Eratosthenes, a bitwise CRC-32, an insertion sort of pseudo-random words, an integer matrix
//! product — and folds their results into a checksum, printed at the end as
//! `compute: n=N checksum=0x...` (the same on every correct machine), then exits with status 0.
//!
//! Size: about 10,270 instructions per iteration, 10.27 million for N = 1000 (measured with
//! `qemu-system-riscv64 -icount shift=0`, whose instret counts instructions; see
//! `INSTRUCTIONS_PER_ITERATION`).
#![no_std]
#![no_main]

use core::fmt::Write;
use core::hint::black_box;

/// Instructions per iteration, measured (QEMU 7.2 with `-icount shift=0`, this build).
pub const INSTRUCTIONS_PER_ITERATION: u64 = 10_270;

/// The sieve finds the primes below this.
const SIEVE_LIMIT: usize = 400;
/// Bytes fed to the CRC per iteration.
const CRC_BYTES: usize = 40;
/// Words sorted per iteration.
const SORT_WORDS: usize = 32;
/// The matrices are DIM x DIM.
const DIM: usize = 4;
/// CRC-32 (IEEE 802.3) polynomial, reflected.
const CRC32_POLY: u32 = 0xedb8_8320;

/// Called by `rt`'s entry point in M-mode.
#[unsafe(no_mangle)]
pub extern "C" fn main(_hartid: usize, dtb: usize) -> ! {
    let (mut out, n) = speed::setup(dtb);
    let mut checksum: u64 = 0;
    for i in 0..n {
        let seed = black_box(i);
        checksum = mix(checksum, sieve(seed));
        checksum = mix(checksum, u64::from(crc32(seed)));
        checksum = mix(checksum, sort(seed));
        checksum = mix(checksum, matmul(seed));
    }
    let _ = writeln!(out, "compute: n={n} checksum={checksum:#018x}");
    rt::exit(0)
}

/// Folds `value` into the running checksum.
fn mix(acc: u64, value: u64) -> u64 {
    (acc ^ value)
        .wrapping_mul(0x0000_0100_0000_01b3)
        .rotate_left(17)
}

/// xorshift64: the pseudo-random source of the kernels.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Sum of the primes below SIEVE_LIMIT whose index matches the seed's low bits, plus their count.
fn sieve(seed: u64) -> u64 {
    let mut composite = [false; SIEVE_LIMIT];
    let mut count = 0u64;
    let mut sum = 0u64;
    for p in 2..SIEVE_LIMIT {
        if composite[p] {
            continue;
        }
        count += 1;
        if count & 3 == seed & 3 {
            sum += p as u64;
        }
        let mut multiple = p * p;
        while multiple < SIEVE_LIMIT {
            composite[multiple] = true;
            multiple += p;
        }
    }
    sum.wrapping_mul(1000) + count
}

/// Bitwise CRC-32 of CRC_BYTES bytes generated from the seed.
fn crc32(seed: u64) -> u32 {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut crc = !0u32;
    for _ in 0..CRC_BYTES {
        crc ^= (next(&mut state) & 0xff) as u32;
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (CRC32_POLY & mask);
        }
    }
    !crc
}

/// Insertion sort of SORT_WORDS pseudo-random words; returns a position-weighted sum of the result.
fn sort(seed: u64) -> u64 {
    let mut state = seed ^ 0x2545_f491_4f6c_dd1d;
    let mut words = [0u32; SORT_WORDS];
    for w in words.iter_mut() {
        *w = next(&mut state) as u32;
    }
    for i in 1..SORT_WORDS {
        let key = words[i];
        let mut j = i;
        while j > 0 && words[j - 1] > key {
            words[j] = words[j - 1];
            j -= 1;
        }
        words[j] = key;
    }
    words.iter().enumerate().fold(0u64, |acc, (k, &w)| {
        acc.wrapping_add((k as u64 + 1) * u64::from(w))
    })
}

/// Product of two DIM x DIM matrices generated from the seed; returns the trace and a corner.
fn matmul(seed: u64) -> u64 {
    let mut a = [[0u32; DIM]; DIM];
    let mut b = [[0u32; DIM]; DIM];
    for r in 0..DIM {
        for c in 0..DIM {
            a[r][c] = (seed as u32).wrapping_add((r * DIM + c) as u32);
            b[r][c] = (seed as u32)
                .wrapping_mul(3)
                .wrapping_sub((c * DIM + r) as u32);
        }
    }
    let mut product = [[0u32; DIM]; DIM];
    for r in 0..DIM {
        for c in 0..DIM {
            let mut dot = 0u32;
            for k in 0..DIM {
                dot = dot.wrapping_add(a[r][k].wrapping_mul(b[k][c]));
            }
            product[r][c] = dot;
        }
    }
    let trace = (0..DIM).fold(0u64, |acc, d| acc + u64::from(product[d][d]));
    (trace << 32) ^ u64::from(product[0][DIM - 1])
}
