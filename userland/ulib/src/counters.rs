//! The unprivileged counters: `cycle`, `instret` and `hpmcounter3..31` (the kernels open them to
//! user mode through `scounteren`). Both kernels program `mhpmevent(k)` to event `k - 2` of klab's
//! event table at boot, so [`hpm`]`(event)` reads the counter of that event; on QEMU the hpm
//! counters read 0.

use core::arch::asm;

/// Cycles (`rdcycle`).
#[inline(always)]
pub fn cycle() -> u64 {
    let v: u64;
    // Safety: reads a counter CSR; no memory effects.
    unsafe { asm!("csrr {0}, cycle", out(reg) v, options(nomem, nostack)) };
    v
}

/// Instructions retired (`rdinstret`).
#[inline(always)]
pub fn instret() -> u64 {
    let v: u64;
    // Safety: reads a counter CSR; no memory effects.
    unsafe { asm!("csrr {0}, instret", out(reg) v, options(nomem, nostack)) };
    v
}

/// Time (`rdtime`), in timebase ticks.
#[inline(always)]
pub fn time() -> u64 {
    let v: u64;
    // Safety: reads a counter CSR; no memory effects.
    unsafe { asm!("csrr {0}, time", out(reg) v, options(nomem, nostack)) };
    v
}

/// The counter of klab event `event` (1..=29): `hpmcounter(event + 2)`; 0 for other numbers.
#[inline(always)]
pub fn hpm(event: usize) -> u64 {
    macro_rules! read {
        ($($n:literal => $csr:literal),*) => {
            match event + 2 {
                $($n => {
                    let v: u64;
                    // Safety: reads a counter CSR; no memory effects.
                    unsafe { asm!(concat!("csrr {0}, ", $csr), out(reg) v, options(nomem, nostack)) };
                    v
                })*
                _ => 0,
            }
        };
    }
    read!(3 => "hpmcounter3", 4 => "hpmcounter4", 5 => "hpmcounter5", 6 => "hpmcounter6",
          7 => "hpmcounter7", 8 => "hpmcounter8", 9 => "hpmcounter9", 10 => "hpmcounter10",
          11 => "hpmcounter11", 12 => "hpmcounter12", 13 => "hpmcounter13", 14 => "hpmcounter14",
          15 => "hpmcounter15", 16 => "hpmcounter16", 17 => "hpmcounter17", 18 => "hpmcounter18",
          19 => "hpmcounter19", 20 => "hpmcounter20", 21 => "hpmcounter21", 22 => "hpmcounter22",
          23 => "hpmcounter23", 24 => "hpmcounter24", 25 => "hpmcounter25", 26 => "hpmcounter26",
          27 => "hpmcounter27", 28 => "hpmcounter28", 29 => "hpmcounter29", 30 => "hpmcounter30",
          31 => "hpmcounter31")
}
