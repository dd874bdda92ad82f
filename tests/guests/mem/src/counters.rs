//! The counters: `cycle`, `instret` and the programmable `hpmcounter3..31`.
//!
//! A programmable counter is named by its slot `N` (counter `3 + N`) as a const generic, because a
//! CSR number is part of the instruction. `select` (M-mode) writes `mhpmevent(3+N)`; `read` reads
//! the unprivileged alias `hpmcounter(3+N)`, which M-mode may always read and S-mode may read once
//! `enable_all` has set its `mcounteren` bit. Programs use slots 0..=3 (counters 3..6), which every
//! machine here implements (QEMU 7.2 has counters 3..18).

use core::arch::asm;

/// CSR number of `mhpmevent3`.
const MHPMEVENT3: usize = 0x323;
/// CSR number of `hpmcounter3` (read-only alias of `mhpmcounter3`).
const HPMCOUNTER3: usize = 0xc03;
/// `mcounteren`/`mcountinhibit`: one bit per counter, 32 counters.
const ALL_COUNTERS: usize = 0xffff_ffff;

/// Lets every counter run (`mcountinhibit` = 0) and be read from S-mode (`mcounteren` all ones).
/// M-mode only.
pub fn enable_all() {
    // Safety: writes to two counter-control CSRs; no memory effects.
    unsafe {
        asm!(
            "csrw mcountinhibit, zero",
            "csrw mcounteren, {all}",
            all = in(reg) ALL_COUNTERS,
            options(nomem, nostack)
        )
    }
}

/// Makes counter `3 + N` count `event` (with any inhibit bits or-ed in). M-mode only.
pub fn select<const N: usize>(event: u64) {
    // Safety: writes one event-selector CSR; no memory effects.
    unsafe {
        asm!(
            "csrw {csr}, {event}",
            csr = const MHPMEVENT3 + N,
            event = in(reg) event,
            options(nomem, nostack)
        )
    }
}

/// The value of counter `3 + N`.
#[inline(always)]
pub fn read<const N: usize>() -> u64 {
    let value: u64;
    // Safety: reads one counter CSR. Not `nomem`, so that reads stay in place around measured code.
    unsafe {
        asm!(
            "csrr {value}, {csr}",
            csr = const HPMCOUNTER3 + N,
            value = out(reg) value,
            options(nostack)
        )
    };
    value
}

/// The `cycle` counter.
#[inline(always)]
pub fn cycle() -> u64 {
    let value: u64;
    // Safety: reads a counter CSR (kept in place like `read`).
    unsafe { asm!("rdcycle {0}", out(reg) value, options(nostack)) };
    value
}

/// The `instret` counter.
#[inline(always)]
pub fn instret() -> u64 {
    let value: u64;
    // Safety: reads a counter CSR (kept in place like `read`).
    unsafe { asm!("rdinstret {0}", out(reg) value, options(nostack)) };
    value
}
