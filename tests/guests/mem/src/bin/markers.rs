//! markers: do regions and address-space names reach the emulator?
//!
//! In M-mode, without translation: names the address space `markers-main`; runs region 7, a loop
//! of 1000 iterations; takes a snapshot tagged 42; runs region 8, a loop of 500 iterations; exits
//! 0. Each region is `counted_loop` (assembly, so the counts are exact):
//! ```text
//!     csrr  t2, minstret
//!     li    t0, 0
//!     slti  x0, a0, 1         # begin region a0
//! 1:  add   t0, t0, a1        # \
//!     addi  a1, a1, -1        #  } 3 instructions per iteration
//!     bnez  a1, 1b            # /
//!     slti  x0, a0, 2         # end region a0
//!     csrr  t3, minstret
//! ```
//! so strictly between the two markers there are exactly 3 * n instructions (3000 and 1500), of
//! which n - 1 are taken branches and none are loads or stores; with the two markers, 3 * n + 2.
//! Prints
//! ```text
//! markers: space=markers-main
//! markers: region=7 iterations=1000 instructions=3000 with_markers=3002 taken_branches=999 loads=0 stores=0 minstret_expected=3004 minstret_delta=<d>
//! markers: snapshot tag=42
//! markers: region=8 iterations=500 instructions=1500 with_markers=1502 taken_branches=499 loads=0 stores=0 minstret_expected=1504 minstret_delta=<d>
//! ```
//! where `minstret_delta` is the difference of the two `csrr minstret`, which should equal
//! `minstret_expected` = 3 * n + 4 where minstret counts instructions (klab; QEMU with `-icount`);
//! QEMU 7.2 without `-icount` counts host ticks there. Exits with status 0, or 1 if
//! a loop's sum (n(n+1)/2) is wrong.
#![no_std]
#![no_main]

use core::fmt::Write;
use mem::{marker, Platform, EXIT_WRONG};

/// The address space's name.
const SPACE_NAME: &core::ffi::CStr = c"markers-main";
/// The first region and its iterations.
const REGION_A: (usize, u64) = (7, 1000);
/// The snapshot's tag.
const SNAPSHOT_TAG: usize = 42;
/// The second region and its iterations.
const REGION_B: (usize, u64) = (8, 500);
/// Instructions per loop iteration.
const BODY: u64 = 3;
/// Instructions counted by `minstret_delta` beyond the loop: the first `csrr`, `li`, two markers.
const MINSTRET_EXTRA: u64 = 4;

core::arch::global_asm!(
    r#"
    .text
    .balign 4
    .globl counted_loop
# counted_loop(a0 = region id, a1 = iterations > 0, a2 = &[u64; 2]) -> a0 = 1 + 2 + ... +
# iterations; stores minstret before and after in a2[0], a2[1].
counted_loop:
    csrr t2, minstret
    li t0, 0
    slti x0, a0, 1
1:  add t0, t0, a1
    addi a1, a1, -1
    bnez a1, 1b
    slti x0, a0, 2
    csrr t3, minstret
    sd t2, 0(a2)
    sd t3, 8(a2)
    mv a0, t0
    ret
"#
);

unsafe extern "C" {
    fn counted_loop(region: usize, iterations: u64, minstret: *mut [u64; 2]) -> u64;
}

/// Called by `rt`'s entry point in M-mode.
#[unsafe(no_mangle)]
pub extern "C" fn main(_hartid: usize, dtb: usize) -> ! {
    let platform = Platform::setup(dtb);
    let mut out = platform.uart;
    marker::name_space(SPACE_NAME);
    let _ = writeln!(out, "markers: space={}", SPACE_NAME.to_str().unwrap_or("?"));
    let mut ok = region(&mut out, REGION_A);
    marker::snapshot(SNAPSHOT_TAG);
    let _ = writeln!(out, "markers: snapshot tag={SNAPSHOT_TAG}");
    ok &= region(&mut out, REGION_B);
    rt::exit(if ok { 0 } else { EXIT_WRONG })
}

/// Runs one region and prints what it should have counted; false if the loop's sum is wrong.
fn region(out: &mut impl Write, (id, n): (usize, u64)) -> bool {
    let mut minstret = [0u64; 2];
    // Safety: `counted_loop` touches nothing but its registers and `minstret`; n > 0.
    let sum = unsafe { counted_loop(id, n, &mut minstret) };
    let _ = writeln!(
        out,
        "markers: region={id} iterations={n} instructions={} with_markers={} taken_branches={} loads=0 stores=0 minstret_expected={} minstret_delta={}",
        BODY * n,
        BODY * n + 2,
        n - 1,
        BODY * n + MINSTRET_EXTRA,
        minstret[1].wrapping_sub(minstret[0]),
    );
    if sum != n * (n + 1) / 2 {
        let _ = writeln!(
            out,
            "markers: region {id}: sum {sum}, expected {}",
            n * (n + 1) / 2
        );
        return false;
    }
    true
}
