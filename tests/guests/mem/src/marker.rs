//! klab's markers: the custom-use HINT `slti x0, rs1, imm12`, one instruction that does nothing on
//! hardware and QEMU. `imm12` selects the operation, `rs1` carries its argument (DESIGN.md §2).
//!
//! The helpers are not `nomem`, so the compiler keeps memory accesses on their side of a marker.

use core::arch::asm;
use core::ffi::CStr;

/// `imm12` of "begin region" (rs1 = region id).
pub const BEGIN_REGION: i32 = 1;
/// `imm12` of "end region" (rs1 = region id).
pub const END_REGION: i32 = 2;
/// `imm12` of "name the current address space" (rs1 = pointer to a NUL-terminated name).
pub const NAME_SPACE: i32 = 3;
/// `imm12` of "snapshot all statistics now" (rs1 = tag).
pub const SNAPSHOT: i32 = 4;

/// Opens region `id`: until the matching `end`, klab books events to it.
#[inline(always)]
pub fn begin(id: usize) {
    // Safety: a HINT; architecturally no effect.
    unsafe {
        asm!("slti x0, {id}, {op}", id = in(reg) id, op = const BEGIN_REGION, options(nostack))
    }
}

/// Closes region `id`.
#[inline(always)]
pub fn end(id: usize) {
    // Safety: a HINT; architecturally no effect.
    unsafe { asm!("slti x0, {id}, {op}", id = in(reg) id, op = const END_REGION, options(nostack)) }
}

/// Names the current address space (the `satp` root and ASID, or bare translation) `name`.
#[inline(always)]
pub fn name_space(name: &CStr) {
    // Safety: a HINT; klab reads the string, which lives at least as long as this call.
    unsafe {
        asm!(
            "slti x0, {name}, {op}",
            name = in(reg) name.as_ptr(),
            op = const NAME_SPACE,
            options(nostack, readonly)
        )
    }
}

/// Asks klab to record all its statistics now, under `tag`.
#[inline(always)]
pub fn snapshot(tag: usize) {
    // Safety: a HINT; architecturally no effect.
    unsafe {
        asm!("slti x0, {tag}, {op}", tag = in(reg) tag, op = const SNAPSHOT, options(nostack))
    }
}
