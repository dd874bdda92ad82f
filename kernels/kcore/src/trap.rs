//! Trap entry and exit for both kernels: the user context is saved in the running thread's
//! [`TrapFrame`] and restored from whichever thread runs next.
//!
//! Invariants:
//! - While a user thread runs, `sscratch` holds its `TrapFrame`; while the kernel runs,
//!   `sscratch` is 0. `trap_entry` swaps `sp` with `sscratch`, so it knows where it came from.
//! - The kernel runs with `sstatus.SIE` clear: interrupts reach it only as traps from U-mode or
//!   by polling `sip` when idle ([`wait_for_interrupt`]). A trap from S-mode is a kernel bug and
//!   ends in [`kernel_fault`].
//! - The kernel has one stack (the boot stack): each trap starts on it afresh, and the kernel's
//!   handler never returns — it ends by [`resume`]-ing a thread — so nothing is kept on it
//!   between traps.
//!
//! The kernel defines `extern "C" fn kernel_trap_handler(frame: *mut TrapFrame) -> !`, entered on
//! the kernel stack by a jump (it never returns, so no return address is made) with `frame` = the
//! interrupted thread's frame.

use crate::csr::{self, sstatus};

/// A user thread's registers while it is not running.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
pub struct TrapFrame {
    /// `x0..x31` (`regs[0]` unused).
    pub regs: [u64; 32],
    /// Where the thread resumes (`sepc`).
    pub pc: u64,
    /// The kernel stack's top, for `trap_entry`.
    pub kernel_sp: u64,
}

/// Register numbers, for `TrapFrame::regs`.
pub mod reg {
    /// Return address.
    pub const RA: usize = 1;
    /// Stack pointer.
    pub const SP: usize = 2;
    /// First argument / return value.
    pub const A0: usize = 10;
    /// Second argument.
    pub const A1: usize = 11;
    /// System call number.
    pub const A7: usize = 17;
}

impl TrapFrame {
    /// A frame that starts at `pc` with `sp` and `a0`, `a1`.
    pub fn new(pc: usize, sp: usize, a0: usize, a1: usize) -> TrapFrame {
        let mut f = TrapFrame {
            kernel_sp: kernel_stack_top() as u64,
            pc: pc as u64,
            ..Default::default()
        };
        f.regs[reg::SP] = sp as u64;
        f.regs[reg::A0] = a0 as u64;
        f.regs[reg::A1] = a1 as u64;
        f
    }

    /// Argument register `a{i}`.
    #[inline(always)]
    pub fn arg(&self, i: usize) -> usize {
        self.regs[reg::A0 + i] as usize
    }

    /// Sets `a0`.
    #[inline(always)]
    pub fn set_return(&mut self, value: isize) {
        self.regs[reg::A0] = value as u64;
    }
}

/// What trapped, from `scause`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// `ecall` from U-mode.
    Syscall,
    /// A page fault on fetch (12), load (13) or store/AMO (15).
    PageFault(Access),
    /// An access fault on fetch (1), load (5) or store (7).
    AccessFault(Access),
    /// An illegal instruction (2).
    IllegalInstruction,
    /// `ebreak` (3).
    Breakpoint,
    /// A misaligned access the hardware refused (0, 4, 6).
    Misaligned,
    /// The supervisor timer interrupt.
    Timer,
    /// A supervisor external interrupt (the PLIC).
    External,
    /// A supervisor software interrupt.
    Software,
    /// Anything else (the raw `scause`).
    Other(u64),
}

/// The kind of access that faulted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Instruction fetch.
    Execute,
    /// Load.
    Read,
    /// Store or AMO.
    Write,
}

impl Cause {
    /// Decodes `scause`.
    pub fn from_scause(scause: u64) -> Cause {
        const INTERRUPT: u64 = 1 << 63;
        if scause & INTERRUPT != 0 {
            return match scause & !INTERRUPT {
                1 => Cause::Software,
                5 => Cause::Timer,
                9 => Cause::External,
                _ => Cause::Other(scause),
            };
        }
        match scause {
            8 => Cause::Syscall,
            12 => Cause::PageFault(Access::Execute),
            13 => Cause::PageFault(Access::Read),
            15 => Cause::PageFault(Access::Write),
            1 => Cause::AccessFault(Access::Execute),
            5 => Cause::AccessFault(Access::Read),
            7 => Cause::AccessFault(Access::Write),
            2 => Cause::IllegalInstruction,
            3 => Cause::Breakpoint,
            0 | 4 | 6 => Cause::Misaligned,
            _ => Cause::Other(scause),
        }
    }

    /// What a fatal user exception is called in the kill message, and the exit status it gives.
    pub fn fatal(self) -> (&'static str, i32) {
        use abi::types::exit;
        match self {
            Cause::PageFault(Access::Execute) => ("instruction page fault", exit::FAULT),
            Cause::PageFault(Access::Read) => ("load page fault", exit::FAULT),
            Cause::PageFault(Access::Write) => ("store page fault", exit::FAULT),
            Cause::AccessFault(Access::Execute) => ("instruction access fault", exit::FAULT),
            Cause::AccessFault(Access::Read) => ("load access fault", exit::FAULT),
            Cause::AccessFault(Access::Write) => ("store access fault", exit::FAULT),
            Cause::IllegalInstruction => ("illegal instruction", exit::ILLEGAL),
            Cause::Breakpoint => ("breakpoint", exit::BREAKPOINT),
            Cause::Misaligned => ("misaligned access", exit::FAULT),
            _ => ("unexpected exception", exit::EXCEPTION),
        }
    }

    /// This trap's cause.
    pub fn current() -> Cause {
        Cause::from_scause(csr::scause())
    }
}

unsafe extern "C" {
    static __stack_top: u8;
}

/// The kernel stack's top.
pub fn kernel_stack_top() -> usize {
    core::ptr::addr_of!(__stack_top) as usize
}

core::arch::global_asm!(
    r#"
    .text
    .p2align 2
    .globl kcore_trap_entry
kcore_trap_entry:
    csrrw sp, sscratch, sp
    beqz sp, 1f
    sd x1, 8(sp)
    sd x3, 24(sp)
    sd x4, 32(sp)
    sd x5, 40(sp)
    sd x6, 48(sp)
    sd x7, 56(sp)
    sd x8, 64(sp)
    sd x9, 72(sp)
    sd x10, 80(sp)
    sd x11, 88(sp)
    sd x12, 96(sp)
    sd x13, 104(sp)
    sd x14, 112(sp)
    sd x15, 120(sp)
    sd x16, 128(sp)
    sd x17, 136(sp)
    sd x18, 144(sp)
    sd x19, 152(sp)
    sd x20, 160(sp)
    sd x21, 168(sp)
    sd x22, 176(sp)
    sd x23, 184(sp)
    sd x24, 192(sp)
    sd x25, 200(sp)
    sd x26, 208(sp)
    sd x27, 216(sp)
    sd x28, 224(sp)
    sd x29, 232(sp)
    sd x30, 240(sp)
    sd x31, 248(sp)
    csrrw t0, sscratch, zero
    sd t0, 16(sp)
    csrr t0, sepc
    sd t0, 256(sp)
    mv a0, sp
    ld sp, 264(sp)
    j kernel_trap_handler
1:  csrrw sp, sscratch, sp
    csrr a0, scause
    csrr a1, sepc
    csrr a2, stval
    call {fault}

    .globl kcore_resume
kcore_resume:
    ld t0, 256(a0)
    csrw sepc, t0
    csrw sscratch, a0
    ld x1, 8(a0)
    ld x2, 16(a0)
    ld x3, 24(a0)
    ld x4, 32(a0)
    ld x5, 40(a0)
    ld x6, 48(a0)
    ld x7, 56(a0)
    ld x8, 64(a0)
    ld x9, 72(a0)
    ld x11, 88(a0)
    ld x12, 96(a0)
    ld x13, 104(a0)
    ld x14, 112(a0)
    ld x15, 120(a0)
    ld x16, 128(a0)
    ld x17, 136(a0)
    ld x18, 144(a0)
    ld x19, 152(a0)
    ld x20, 160(a0)
    ld x21, 168(a0)
    ld x22, 176(a0)
    ld x23, 184(a0)
    ld x24, 192(a0)
    ld x25, 200(a0)
    ld x26, 208(a0)
    ld x27, 216(a0)
    ld x28, 224(a0)
    ld x29, 232(a0)
    ld x30, 240(a0)
    ld x31, 248(a0)
    ld x10, 80(a0)
    sret
"#,
    fault = sym kernel_fault,
);

unsafe extern "C" {
    fn kcore_trap_entry();
    fn kcore_resume(frame: *const TrapFrame) -> !;
}

/// Points `stvec` at the trap entry (direct mode), marks "in the kernel" (`sscratch` = 0), and
/// sets `sstatus` so that `sret` enters U-mode with interrupts on (SPP = U, SPIE) while the
/// kernel itself runs with them off.
pub fn init() {
    // Safety: the entry is 4-byte aligned code that handles every trap as described above.
    unsafe {
        csr::write_stvec(kcore_trap_entry as *const () as u64);
        csr::write_sscratch(0);
        csr::clear_sstatus(sstatus::SIE | sstatus::SPP | sstatus::SUM);
        csr::set_sstatus(sstatus::SPIE);
    }
}

/// Runs the thread whose registers are in `frame` (in the current address space) until its next
/// trap.
///
/// # Safety
/// `frame` must stay valid, at this address, until the thread traps again (the entry writes the
/// registers into it), and describe a U-mode context of the current address space.
#[inline(always)]
pub unsafe fn resume(frame: *const TrapFrame) -> ! {
    // Tell klab which thread runs next, so it counts context switches (a HINT elsewhere).
    // Safety: a HINT: it writes x0 only.
    unsafe {
        core::arch::asm!("slti x0, {0}, {op}", in(reg) frame as usize, op = const abi::marker::SWITCH,
            options(nomem, nostack))
    };
    // Safety: forwarded to the caller.
    unsafe { kcore_resume(frame) }
}

/// Resumes the thread that trapped, whose registers are in `frame`, in the address space that
/// is still active: [`resume`] without the `SWITCH` marker, since the same thread runs on (klab
/// counts a switch only when the marker names another thread). The return of a system call that
/// needs no scheduling (`NextTask::Same`).
///
/// # Safety
/// As for [`resume`]; `frame` must be the frame of the thread that trapped last.
#[inline(always)]
pub unsafe fn resume_same(frame: *const TrapFrame) -> ! {
    // Safety: forwarded to the caller.
    unsafe { kcore_resume(frame) }
}

/// Waits (in `wfi`, interrupts still off) until one of the interrupts enabled in `sie` is pending.
pub fn wait_for_interrupt() {
    while csr::sip() & csr::sie() == 0 {
        csr::wfi();
    }
}

/// Prints the one line a kernel (`kernel`, its name) says when it kills process `pid` (`name`)
/// for the fatal exception `cause` at `addr` (`stval`) and `pc`, with an optional reason `why`;
/// returns the exit status the process ends with.
pub fn report_kill(
    kernel: &str,
    pid: usize,
    name: &str,
    cause: Cause,
    addr: usize,
    pc: u64,
    why: &str,
) -> i32 {
    let (what, status) = cause.fatal();
    let sep = if why.is_empty() { "" } else { ": " };
    match cause {
        Cause::IllegalInstruction => crate::kprintln!(
            "{kernel}: pid {pid} ({name}) killed: {what} {addr:#010x} at pc {pc:#x}"
        ),
        Cause::Breakpoint => {
            crate::kprintln!("{kernel}: pid {pid} ({name}) killed: {what} at pc {pc:#x}")
        }
        _ => crate::kprintln!(
            "{kernel}: pid {pid} ({name}) killed: {what} at {addr:#x}, pc {pc:#x}{sep}{why}"
        ),
    }
    status
}

/// A trap from S-mode: a kernel bug. Report and power off.
extern "C" fn kernel_fault(scause: u64, sepc: u64, stval: u64) -> ! {
    panic!("trap in the kernel: scause {scause:#x} sepc {sepc:#x} stval {stval:#x}");
}
