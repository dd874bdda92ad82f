//! The kernel's console: the shared NS16550A driver (the `uart` crate) at the UART's physical
//! address (mapped 1:1 in every address space; M-mode is physical), and `kprint!`/`kprintln!`.
//! The kernel runs on one hart with interrupts off, so a line is never torn by another writer.

use core::fmt;
use core::sync::atomic::{AtomicUsize, Ordering};

use uart::Uart;

/// QEMU `virt`'s UART, until the DTB says otherwise.
const UART_DEFAULT: usize = 0x1000_0000;

static BASE: AtomicUsize = AtomicUsize::new(UART_DEFAULT);

/// Uses the UART at `base` from now on.
pub fn set_base(base: usize) {
    BASE.store(base, Ordering::Relaxed);
}

/// The UART's physical address.
pub fn base() -> usize {
    BASE.load(Ordering::Relaxed)
}

fn uart() -> Uart {
    // Safety: `BASE` is the UART's physical address (the DTB's, or QEMU's default), mapped 1:1
    // in every address space the kernel runs in.
    unsafe { Uart::new(base()) }
}

/// Programs 8N1, FIFOs on, and the receive interrupt.
pub fn init() {
    uart().init();
}

/// Turns the receive interrupt on or off (off while the kernel cannot take more input).
pub fn set_rx_interrupt(on: bool) {
    uart().set_rx_interrupt(on);
}

/// Whether the receive interrupt is on (whoever drives the UART turned it on).
pub fn rx_interrupt_enabled() -> bool {
    uart().rx_interrupt_enabled()
}

/// Sends one byte, waiting for room.
pub fn putc(byte: u8) {
    uart().putc(byte);
}

/// Sends bytes.
pub fn write_bytes(bytes: &[u8]) {
    uart().write_bytes(bytes);
}

/// A received byte, if one is waiting.
pub fn getc() -> Option<u8> {
    uart().getc()
}

/// `fmt::Write` to the console.
pub struct Console;

impl fmt::Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_bytes(s.as_bytes());
        Ok(())
    }
}

/// Prints to the console.
#[macro_export]
macro_rules! kprint {
    ($($arg:tt)*) => {{
        use core::fmt::Write as _;
        let _ = write!($crate::console::Console, $($arg)*);
    }};
}

/// Prints a line to the console.
#[macro_export]
macro_rules! kprintln {
    ($($arg:tt)*) => {{
        use core::fmt::Write as _;
        let _ = writeln!($crate::console::Console, $($arg)*);
    }};
}
