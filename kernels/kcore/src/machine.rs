//! Machine mode: the reset entry `_start`, the one-time M-mode set-up, and the small M-mode trap
//! handler that stays behind as the kernels' "firmware" (the part of OpenSBI they need).
//!
//! At reset (QEMU `virt` or klab, `-bios none`) the hart is in M-mode at `_start` with `a0` = hart
//! id and `a1` = the DTB. `_start` parks every hart but 0, zeroes `.bss`, and calls
//! [`machine_init`], which opens all of memory to S and U with one PMP entry, delegates every
//! exception but S-mode `ecall` and every S-level interrupt to S-mode, lets S and U read the
//! counters, and points each `mhpmcounter(k)` at event `k - 2` (klab's event table; where a CSR is
//! missing, as on QEMU, the write is skipped). `_start` then drops to S-mode at the kernel's
//! `kmain(hartid, dtb)` on the kernel stack.
//!
//! What M-mode keeps doing afterwards, in `machine_trap`, is the timer: S-mode has no timer of its
//! own without Sstc, so the kernel asks for a deadline with the SBI `set_timer` call
//! ([`set_timer`]: `ecall` with `a7` = the TIME extension), which writes `mtimecmp`, clears
//! `mip.STIP` and enables `mie.MTIE`; when the machine timer fires, the handler disables MTIE and
//! raises `mip.STIP`, which the kernel receives as a supervisor timer interrupt. Anything else
//! reaching M-mode is a kernel bug: [`machine_fault`] reports it and powers off.

use core::arch::asm;
use core::sync::atomic::{AtomicUsize, Ordering};

use crate::console;
use crate::power;

/// SBI extension id of the timer (`"TIME"`), in `a7`.
pub const SBI_EXT_TIME: usize = 0x5449_4d45;

/// `medeleg`: every exception but `ecall` from S (9) and from M (11) goes to S-mode:
/// misaligned fetch 0, fetch access 1, illegal 2, breakpoint 3, misaligned load 4, load access 5,
/// misaligned store 6, store access 7, `ecall` from U 8, page faults 12, 13, 15.
const MEDELEG: u64 = 0b1011_0001_1111_1111;
/// `mideleg`: supervisor software, timer and external interrupts.
const MIDELEG: u64 = (1 << 1) | (1 << 5) | (1 << 9);
/// PMP entry 0 as NAPOT over the whole address space, R|W|X (`pmpcfg0` = A=NAPOT | X | W | R).
const PMPCFG0_ALL: u64 = 0x1f;
/// `pmpaddr0` for a NAPOT region covering every address.
const PMPADDR0_ALL: u64 = u64::MAX >> 10;
/// The CLINT's `mtimecmp` for hart 0, relative to the CLINT (SiFive CLINT layout).
const CLINT_MTIMECMP: usize = 0x4000;
/// The CLINT on QEMU `virt`, when the DTB does not say.
const CLINT_DEFAULT: usize = 0x0200_0000;

/// The address of this hart's `mtimecmp`, read by `machine_trap`.
#[unsafe(no_mangle)]
static KCORE_MTIMECMP: AtomicUsize = AtomicUsize::new(CLINT_DEFAULT + CLINT_MTIMECMP);

core::arch::global_asm!(
    r#"
    .section .text.init, "ax", @progbits
    .globl _start
_start:
    .option push
    .option norelax
    bnez a0, 9f
    csrw mie, zero
    la t0, kcore_probe_trap
    csrw mtvec, t0
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:  la sp, __stack_top
    mv s0, a0
    mv s1, a1
    call {init}
    la sp, __stack_top
    la t0, __m_stack_top
    csrw mscratch, t0
    la t0, kcore_machine_trap
    csrw mtvec, t0
    li t0, 3 << 11
    csrc mstatus, t0
    li t0, 1 << 11
    csrs mstatus, t0
    la t0, kmain
    csrw mepc, t0
    mv a0, s0
    mv a1, s1
    mret
9:  wfi
    j 9b
    .option pop

    .text
    /* During machine_init only: a CSR this hart lacks is skipped (every CSR access is 4 bytes). */
    .p2align 2
kcore_probe_trap:
    csrw mscratch, t0
    csrr t0, mepc
    addi t0, t0, 4
    csrw mepc, t0
    csrr t0, mscratch
    mret

    /* The resident M-mode handler: SBI set_timer and the machine timer; anything else is fatal. */
    .p2align 2
kcore_machine_trap:
    csrrw sp, mscratch, sp
    addi sp, sp, -16
    sd t0, 0(sp)
    sd t1, 8(sp)
    csrr t0, mcause
    bltz t0, 3f
    li t1, 9
    bne t0, t1, 8f
    li t1, {sbi_time}
    li t0, -2
    bne a7, t1, 2f
    la t1, KCORE_MTIMECMP
    ld t1, 0(t1)
    sd a0, 0(t1)
    li t1, 1 << 5
    csrc mip, t1
    li t1, 1 << 7
    csrs mie, t1
    li t0, 0
2:  mv a0, t0
    li a1, 0
    csrr t0, mepc
    addi t0, t0, 4
    csrw mepc, t0
    j 4f
3:  slli t0, t0, 1
    srli t0, t0, 1
    li t1, 7
    bne t0, t1, 8f
    li t1, 1 << 7
    csrc mie, t1
    li t1, 1 << 5
    csrs mip, t1
4:  ld t0, 0(sp)
    ld t1, 8(sp)
    addi sp, sp, 16
    csrrw sp, mscratch, sp
    mret
8:  csrr a0, mcause
    csrr a1, mepc
    csrr a2, mtval
    call {fault}
"#,
    init = sym machine_init,
    fault = sym machine_fault,
    sbi_time = const SBI_EXT_TIME,
);

macro_rules! csrw {
    ($csr:expr, $value:expr) => {
        // Safety: M-mode set-up before any S-mode code runs; a CSR this hart lacks traps to
        // `kcore_probe_trap`, which skips the write.
        unsafe { asm!(concat!("csrw ", $csr, ", {0}"), in(reg) $value, options(nostack)) }
    };
}

/// One-time machine-mode set-up (see the module note). Runs in M-mode on the kernel stack.
extern "C" fn machine_init(hartid: usize, dtb: usize) {
    if let Some(clint) = crate::dtb::clint_base(dtb) {
        KCORE_MTIMECMP.store(clint + CLINT_MTIMECMP + 8 * hartid, Ordering::Relaxed);
    }
    if let Some(uart) = crate::dtb::uart_base(dtb) {
        console::set_base(uart);
    }
    if let Some(finisher) = crate::dtb::finisher_base(dtb) {
        power::set_base(finisher);
    }
    csrw!("pmpaddr0", PMPADDR0_ALL);
    csrw!("pmpcfg0", PMPCFG0_ALL);
    csrw!("medeleg", MEDELEG);
    csrw!("mideleg", MIDELEG);
    csrw!("mcounteren", u64::from(u32::MAX));
    csrw!("mcountinhibit", 0u64);
    program_hpm_events();
    // No deadline until the kernel asks for one.
    let mtimecmp = KCORE_MTIMECMP.load(Ordering::Relaxed) as *mut u64;
    // Safety: the CLINT's mtimecmp register for this hart (from the DTB or QEMU's layout).
    unsafe { mtimecmp.write_volatile(u64::MAX) };
}

/// Points `mhpmcounter(k)` at event `k - 2`, for each of klab's events.
fn program_hpm_events() {
    macro_rules! events {
        ($($k:literal),*) => {
            $( csrw!(concat!("mhpmevent", stringify!($k)), ($k - 2) as u64); )*
        };
    }
    // Counters 3..=22: events 1..=20.
    events!(
        3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22
    );
}

/// A trap that M-mode does not handle: a kernel bug. Report it and power off (status 255).
extern "C" fn machine_fault(mcause: u64, mepc: u64, mtval: u64) -> ! {
    crate::kprintln!(
        "kcore: unexpected machine-mode trap: mcause {mcause:#x} mepc {mepc:#x} mtval {mtval:#x}"
    );
    power::exit(255)
}

/// Asks M-mode for a supervisor timer interrupt when `time` reaches `deadline` (SBI
/// `set_timer`); clears any pending one.
pub fn set_timer(deadline: u64) {
    // Safety: `ecall` to M-mode, handled by `kcore_machine_trap`, which changes a0/a1 only.
    unsafe {
        asm!("ecall", in("a7") SBI_EXT_TIME, in("a6") 0usize, inlateout("a0") deadline => _,
             lateout("a1") _, options(nostack));
    }
}
