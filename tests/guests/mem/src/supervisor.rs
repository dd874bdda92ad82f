//! The M-mode side of the programs: a trap handler that reports any trap as a failure, and the drop
//! into S-mode with paging on.
//!
//! Nothing is delegated: every trap, from M- or S-mode, lands in `mem_machine_trap`, which prints
//! `unexpected trap: mcause=... mepc=... mtval=...` and exits with `EXIT_TRAP`.

use core::arch::asm;
use core::fmt::Write;

/// Exit status after an unexpected trap.
pub const EXIT_TRAP: u16 = 3;
/// pmpcfg0 entry 0: R, W, X, NAPOT; with pmpaddr0 all ones it covers every address.
const PMPCFG_NAPOT_RWX: usize = 0x1f;
/// pmpaddr0 value that, with NAPOT, covers the whole physical address space.
const PMPADDR_ALL: usize = usize::MAX;
/// mstatus.MPP, the mode MRET returns to.
const MSTATUS_MPP: usize = 3 << 11;
/// mstatus.MPP = S.
const MSTATUS_MPP_S: usize = 1 << 11;

core::arch::global_asm!(
    r#"
    .text
    .balign 4
    .globl mem_machine_trap
mem_machine_trap:
    .option push
    .option norelax
    la sp, __stack_top
    .option pop
    csrr a0, mcause
    csrr a1, mepc
    csrr a2, mtval
    csrr a3, mstatus
    tail mem_trap_report
"#
);

unsafe extern "C" {
    fn mem_machine_trap();
}

/// Points `mtvec` at the reporting trap handler. M-mode only.
pub fn install_trap_handler() {
    // Safety: `mem_machine_trap` is a 4-byte-aligned handler that never returns.
    unsafe {
        asm!(
            "csrw mtvec, {handler}",
            handler = in(reg) mem_machine_trap as *const () as usize,
            options(nomem, nostack)
        )
    }
}

/// Reached from `mem_machine_trap` on a fresh stack: reports the trap and fails.
#[unsafe(no_mangle)]
extern "C" fn mem_trap_report(mcause: usize, mepc: usize, mtval: usize, mstatus: usize) -> ! {
    let from = (mstatus & MSTATUS_MPP) >> MSTATUS_MPP.trailing_zeros();
    let _ = writeln!(
        rt::console::Uart::console(),
        "unexpected trap: mcause={mcause:#x} mepc={mepc:#x} mtval={mtval:#x} from_mode={from}"
    );
    rt::exit(EXIT_TRAP)
}

/// Opens all physical memory to S-mode with PMP, delegates nothing, switches on the address space
/// `satp`, and enters `entry(arg)` in S-mode. The stack stays where it is: `satp` must map it (and
/// `entry`, `arg`, the console and the finisher) at the same addresses, and the caller's frame,
/// with `arg` in it, stays intact above the S-mode frames. M-mode only; never returns.
pub fn enter_supervisor<T>(entry: extern "C" fn(&T) -> !, arg: &T, satp: usize) -> ! {
    // Safety: M-mode CSR set-up, then MRET to `entry` in S-mode with a0 = arg; the caller vouches
    // that `satp` maps what S-mode needs. Every later trap goes to the reporting handler.
    unsafe {
        asm!(
            "csrw pmpaddr0, {pmpaddr}",
            "csrw pmpcfg0, {pmpcfg}",
            "csrw medeleg, zero",
            "csrw mideleg, zero",
            "csrw mie, zero",
            "csrw satp, {satp}",
            "sfence.vma zero, zero",
            "csrc mstatus, {mpp}",
            "csrs mstatus, {mpp_s}",
            "csrw mepc, {entry}",
            "mret",
            pmpaddr = in(reg) PMPADDR_ALL,
            pmpcfg = in(reg) PMPCFG_NAPOT_RWX,
            satp = in(reg) satp,
            mpp = in(reg) MSTATUS_MPP,
            mpp_s = in(reg) MSTATUS_MPP_S,
            entry = in(reg) entry as usize,
            in("a0") arg as *const T,
            options(noreturn)
        )
    }
}
