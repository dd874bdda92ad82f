//! ecall: what does a system call cost on this machine, as a bare trap round trip? The program opens
//! the physical address space to lower modes with PMP, delegates environment calls from U-mode to
//! S-mode, drops to U-mode and makes N * 1000 `ecall`s (N from `-append "N"`, default 1000); an S-mode
//! handler counts each, advances sepc past it and returns with `sret`. A last ecall asks to stop: the
//! S-mode handler passes it on to M-mode with an `ecall` of its own, and M-mode prints
//! `ecall: n=N ecalls=COUNT` and exits with status 0 (1 if the count is wrong or a trap was unexpected).
//!
//! Per call: 3 instructions in U-mode, 9 in the S-mode handler, two privilege changes.
#![no_std]
#![no_main]

use core::fmt::Write;
use core::sync::atomic::{AtomicU64, Ordering};
use rt::console::Uart;

/// Calls per unit of N.
const ECALLS_PER_ITERATION: u64 = 1000;
/// a7 of the U-mode ecall that ends the loop.
const SYS_EXIT: usize = 1;
/// a7 with which the S-mode handler reports a trap that is not an ecall from U-mode.
const SYS_BAD_TRAP: usize = 2;
/// mcause of the S-mode handler's ecall.
const CAUSE_SUPERVISOR_ECALL: usize = 9;
/// medeleg bit: environment call from U-mode.
const MEDELEG_USER_ECALL: usize = 1 << 8;
/// pmpcfg0 entry 0: R, W, X, NAPOT; with pmpaddr0 all ones it covers everything.
const PMPCFG_NAPOT_RWX: usize = 0x1f;
/// mstatus.MPP: cleared, it makes MRET go to U-mode.
const MSTATUS_MPP: usize = 3 << 11;
/// Exit status when the run went wrong.
const EXIT_FAILURE: u16 = 1;

/// The number of calls the U-mode loop was asked to make.
static EXPECTED: AtomicU64 = AtomicU64::new(0);
/// N, for the report.
static ITERATIONS: AtomicU64 = AtomicU64::new(0);

core::arch::global_asm!(
    r#"
.equ CAUSE_USER_ECALL, 8
.equ SYS_EXIT, 1
.equ SYS_BAD_TRAP, 2

# U-mode: make a0 ecalls with a7 = 0, then one with a7 = SYS_EXIT.
.balign 4
.globl user_loop
user_loop:
    li a7, 0
    beqz a0, 2f
1:  ecall
    addi a0, a0, -1
    bnez a0, 1b
2:  li a7, SYS_EXIT
    ecall
3:  j 3b

# S-mode trap handler. An ecall from U-mode with a7 = 0 is counted in a6 and skipped; anything else is
# passed on to M-mode with an ecall (a7 = SYS_EXIT, or SYS_BAD_TRAP with scause in a5).
.balign 4
.globl supervisor_trap
supervisor_trap:
    csrr t0, scause
    li t1, CAUSE_USER_ECALL
    bne t0, t1, 4f
    bnez a7, 5f
    csrr t0, sepc
    addi t0, t0, 4
    csrw sepc, t0
    addi a6, a6, 1
    sret
4:  li a7, SYS_BAD_TRAP
    mv a5, t0
5:  ecall

# M-mode trap handler: the run is over (or went wrong). finish(count, a7, mcause, scause).
.balign 4
.globl machine_trap
machine_trap:
    la sp, __stack_top
    mv a0, a6
    mv a1, a7
    csrr a2, mcause
    mv a3, a5
    tail finish
"#
);

unsafe extern "C" {
    fn user_loop();
    fn supervisor_trap();
    fn machine_trap();
}

/// Called by `rt`'s entry point in M-mode.
#[unsafe(no_mangle)]
pub extern "C" fn main(_hartid: usize, dtb: usize) -> ! {
    let (_out, n) = speed::setup(dtb);
    let calls = n.saturating_mul(ECALLS_PER_ITERATION);
    ITERATIONS.store(n, Ordering::Relaxed);
    EXPECTED.store(calls, Ordering::Relaxed);
    // Safety: M-mode set-up of the trap vectors, delegation and PMP, then MRET into `user_loop` in
    // U-mode; it never comes back here (machine_trap ends in `finish`, which exits). The inputs are in
    // fixed registers so that t0 is free for the addresses.
    unsafe {
        core::arch::asm!(
            "la t0, {mtvec}",
            "csrw mtvec, t0",
            "la t0, {stvec}",
            "csrw stvec, t0",
            "csrw medeleg, a1",
            "csrw pmpaddr0, a2",
            "csrw pmpcfg0, a3",
            "csrc mstatus, a4",
            "la t0, {entry}",
            "csrw mepc, t0",
            "li a6, 0",
            "mret",
            mtvec = sym machine_trap,
            stvec = sym supervisor_trap,
            entry = sym user_loop,
            in("a0") calls,
            in("a1") MEDELEG_USER_ECALL,
            in("a2") usize::MAX,
            in("a3") PMPCFG_NAPOT_RWX,
            in("a4") MSTATUS_MPP,
            options(noreturn)
        )
    }
}

/// Reached from `machine_trap` with a fresh stack: reports and exits.
#[unsafe(no_mangle)]
extern "C" fn finish(count: u64, request: usize, mcause: usize, scause: usize) -> ! {
    let mut out = Uart::console();
    let n = ITERATIONS.load(Ordering::Relaxed);
    if request == SYS_EXIT && mcause == CAUSE_SUPERVISOR_ECALL {
        let _ = writeln!(out, "ecall: n={n} ecalls={count}");
        if count == EXPECTED.load(Ordering::Relaxed) {
            rt::exit(0)
        }
        let _ = writeln!(
            out,
            "ecall: expected {} ecalls",
            EXPECTED.load(Ordering::Relaxed)
        );
    } else if request == SYS_BAD_TRAP {
        let _ = writeln!(out, "ecall: unexpected S-mode trap, scause={scause:#x}");
    } else {
        let _ = writeln!(out, "ecall: unexpected M-mode trap, mcause={mcause:#x}");
    }
    rt::exit(EXIT_FAILURE)
}
