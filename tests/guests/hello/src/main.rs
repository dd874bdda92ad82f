//! hello: does a bare-metal Rust program get the boot protocol right — hartid in a0, the device tree in
//! a1 — and read the machine's description from the DTB? It finds its console UART through
//! `/chosen/stdout-path` (or the first `ns16550a` node) and prints, byte for byte the same under QEMU
//! `virt` and klab:
//!
//! ```text
//! hello from a bare-metal RISC-V guest
//! hartid: 0
//! memory: 0x80000000+0x8000000
//! timebase-frequency: 10000000
//! uart: 0x10000000 (ns16550a)
//! bootargs: (none)                      or the -append string
//! initrd: (none)                        or initrd: 0xSTART..0xEND (-initrd)
//! ```
//!
//! then exits through the test finisher with status 0 (1 if there is no usable device tree).
#![no_std]
#![no_main]
#![forbid(unsafe_op_in_unsafe_fn)]

use core::fmt::Write;
use rt::board::Board;
use rt::console::Uart;

/// Status when the device tree is missing or names no UART.
const EXIT_NO_DEVICE_TREE: u16 = 1;

/// Called by `rt`'s entry point in M-mode.
#[unsafe(no_mangle)]
pub extern "C" fn main(hartid: usize, dtb: usize) -> ! {
    // Safety: the boot protocol puts the address of the device tree in a1, and nothing writes it.
    let Some(board) = (unsafe { Board::from_addr(dtb) }) else {
        let _ = writeln!(Uart::console(), "hello: no device tree at {dtb:#x}");
        rt::exit(EXIT_NO_DEVICE_TREE)
    };
    let Some(uart) = board.uart() else {
        let _ = writeln!(Uart::console(), "hello: the device tree names no UART");
        rt::exit(EXIT_NO_DEVICE_TREE)
    };
    // Safety: the device tree says an NS16550A-compatible UART is there.
    let mut out = unsafe { Uart::new(uart.base, uart.reg_shift) };
    // A failed write to a polled UART cannot happen (`write_str` always succeeds).
    let _ = report(&mut out, hartid, &board, uart.base, uart.compatible);
    rt::exit(0)
}

fn report(
    out: &mut Uart,
    hartid: usize,
    board: &Board<'_>,
    uart_base: usize,
    uart_compatible: &str,
) -> core::fmt::Result {
    writeln!(out, "hello from a bare-metal RISC-V guest")?;
    writeln!(out, "hartid: {hartid}")?;
    match board.memory() {
        Some((base, size)) => writeln!(out, "memory: {base:#x}+{size:#x}")?,
        None => writeln!(out, "memory: (none)")?,
    }
    match board.timebase_frequency() {
        Some(hz) => writeln!(out, "timebase-frequency: {hz}")?,
        None => writeln!(out, "timebase-frequency: (none)")?,
    }
    writeln!(out, "uart: {uart_base:#x} ({uart_compatible})")?;
    writeln!(out, "bootargs: {}", board.bootargs().unwrap_or("(none)"))?;
    match board.initrd() {
        Some((start, end)) => writeln!(out, "initrd: {start:#x}..{end:#x}"),
        None => writeln!(out, "initrd: (none)"),
    }
}
