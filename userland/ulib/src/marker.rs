//! Markers (`abi::marker`): `slti x0, rs1, imm12` — a NOP on hardware and QEMU, counted by klab.

use core::arch::asm;
use core::ffi::CStr;

use abi::marker::{BEGIN, END, NAME, SNAPSHOT};

/// Begins region `id`.
#[inline(always)]
pub fn begin(id: usize) {
    // Safety: a HINT: it writes x0 only.
    unsafe { asm!("slti x0, {0}, {op}", in(reg) id, op = const BEGIN, options(nomem, nostack)) };
}

/// Ends region `id`.
#[inline(always)]
pub fn end(id: usize) {
    // Safety: a HINT: it writes x0 only.
    unsafe { asm!("slti x0, {0}, {op}", in(reg) id, op = const END, options(nomem, nostack)) };
}

/// Names the current address space.
#[inline(always)]
pub fn name_space(name: &CStr) {
    // Safety: a HINT: it writes x0 only (klab reads the name; hardware ignores it).
    unsafe {
        asm!("slti x0, {0}, {op}", in(reg) name.as_ptr(), op = const NAME, options(readonly, nostack))
    };
}

/// Snapshots every statistic now, tagged `tag`.
#[inline(always)]
pub fn snapshot(tag: usize) {
    // Safety: a HINT: it writes x0 only.
    unsafe {
        asm!("slti x0, {0}, {op}", in(reg) tag, op = const SNAPSHOT, options(nomem, nostack))
    };
}

/// Runs `f` inside region `id`.
#[inline(always)]
pub fn region<R>(id: usize, f: impl FnOnce() -> R) -> R {
    begin(id);
    let r = f();
    end(id);
    r
}
