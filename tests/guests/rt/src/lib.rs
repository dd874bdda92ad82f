//! rt: the runtime of the Rust guest programs (`hello`, `speed`) on QEMU `virt` booted with
//! `-bios none` and on klab: the entry point, a polled NS16550A console, the device-tree look-ups the
//! programs make, and the exit through the SiFive test finisher. One hart, M-mode, no heap, no
//! interrupts; programs that want more (the `ecall` benchmark) do it themselves.
//!
//! A program links with `rt/link.x` (its build script passes it), depends on this crate and defines
//! `#[unsafe(no_mangle)] extern "C" fn main(hartid: usize, dtb: usize) -> !`.
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

pub mod board;
pub mod console;

use core::fmt::Write;
use core::panic::PanicInfo;

/// SiFive test finisher (QEMU `virt`, klab): a 32-bit store ends the run.
pub const FINISHER_BASE: usize = 0x0010_0000;
/// Finisher value for "pass": exit status 0.
const FINISHER_PASS: u32 = 0x5555;
/// Finisher value for "fail", or-ed with `code << 16`: exit status `code`.
const FINISHER_FAIL: u32 = 0x3333;

// The entry point: the hart arrives in M-mode with a0 = hartid and a1 = the DTB address. Zero .bss, set
// sp to the top of the stack that follows it, and call `main(hartid, dtb)` with a0/a1 untouched.
core::arch::global_asm!(
    r#"
    .section .text.init, "ax", @progbits
    .globl _start
_start:
    .option push
    .option norelax
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:  la sp, __stack_top
    .option pop
    call main
3:  wfi
    j 3b
"#
);

/// Ends the run through the test finisher: exit status `code` (0 = pass). Never returns.
pub fn exit(code: u16) -> ! {
    let value = if code == 0 {
        FINISHER_PASS
    } else {
        (u32::from(code) << 16) | FINISHER_FAIL
    };
    // Safety: FINISHER_BASE is the finisher's register on every platform this runs on; the store ends
    // the run (or, if it does not, we wait below).
    unsafe { core::ptr::write_volatile(FINISHER_BASE as *mut u32, value) };
    loop {
        // Safety: WFI has no memory effects.
        unsafe { core::arch::asm!("wfi") };
    }
}

/// A panic is a bug in the guest program: report it on the console and fail with exit status 1.
#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    let mut out = console::Uart::console();
    let _ = writeln!(out, "panic: {info}");
    exit(1)
}
