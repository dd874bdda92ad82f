//! The console: an NS16550A UART, polled for output and interrupt-driven for input, and the
//! kernel's `kprint!`/`kprintln!`. The kernel runs on one hart with interrupts off, so a line is
//! never torn by another writer.
//!
//! Registers (byte-wide, `reg-shift` 0 on QEMU `virt`):
//! ```text
//! +0 RBR (read) / THR (write)   +1 IER   +2 IIR / FCR   +3 LCR   +4 MCR   +5 LSR
//! ```

use core::fmt;
use core::sync::atomic::{AtomicUsize, Ordering};

/// QEMU `virt`'s UART, until the DTB says otherwise.
const UART_DEFAULT: usize = 0x1000_0000;

/// Receiver buffer (read) / transmitter holding register (write).
const RBR_THR: usize = 0;
/// Interrupt enable.
const IER: usize = 1;
/// FIFO control (write).
const FCR: usize = 2;
/// Line control.
const LCR: usize = 3;
/// Modem control.
const MCR: usize = 4;
/// Line status.
const LSR: usize = 5;

/// IER: received data available.
const IER_RDI: u8 = 1 << 0;
/// FCR: enable and clear the FIFOs.
const FCR_ENABLE_CLEAR: u8 = 0b111;
/// LCR: 8 data bits, no parity, 1 stop bit.
const LCR_8N1: u8 = 0b11;
/// MCR: OUT2, which gates the interrupt line on a real 16550.
const MCR_OUT2: u8 = 1 << 3;
/// LSR: data ready.
const LSR_DR: u8 = 1 << 0;
/// LSR: transmitter holding register empty.
const LSR_THRE: u8 = 1 << 5;

static BASE: AtomicUsize = AtomicUsize::new(UART_DEFAULT);

/// Uses the UART at `base` from now on.
pub fn set_base(base: usize) {
    BASE.store(base, Ordering::Relaxed);
}

fn reg(offset: usize) -> *mut u8 {
    (BASE.load(Ordering::Relaxed) + offset) as *mut u8
}

fn read(offset: usize) -> u8 {
    // Safety: the UART's registers, mapped 1:1 in every address space (and M-mode is physical).
    unsafe { reg(offset).read_volatile() }
}

fn write(offset: usize, value: u8) {
    // Safety: as in `read`.
    unsafe { reg(offset).write_volatile(value) }
}

/// Programs 8N1, FIFOs on, and the receive interrupt.
pub fn init() {
    write(IER, 0);
    write(LCR, LCR_8N1);
    write(FCR, FCR_ENABLE_CLEAR);
    write(MCR, MCR_OUT2);
    write(IER, IER_RDI);
}

/// Turns the receive interrupt on or off (off while the kernel cannot take more input).
pub fn set_rx_interrupt(on: bool) {
    write(IER, if on { IER_RDI } else { 0 });
}

/// Sends one byte, waiting for room.
pub fn putc(byte: u8) {
    while read(LSR) & LSR_THRE == 0 {
        core::hint::spin_loop();
    }
    write(RBR_THR, byte);
}

/// Sends bytes.
pub fn write_bytes(bytes: &[u8]) {
    for &b in bytes {
        putc(b);
    }
}

/// A received byte, if one is waiting.
pub fn getc() -> Option<u8> {
    (read(LSR) & LSR_DR != 0).then(|| read(RBR_THR))
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
