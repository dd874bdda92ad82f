//! Polled NS16550A UART output (no FIFO set-up, no interrupts, no input).
//!
//! Register map (byte registers, each at `base + (index << reg_shift)`):
//! THR (0, write) transmit holding register; LSR (5) line status, bit 5 = THR empty.

use core::fmt;
use core::sync::atomic::{AtomicUsize, Ordering};

/// Where QEMU `virt` and klab put the first UART.
pub const UART0_BASE: usize = 0x1000_0000;
const UART_THR: usize = 0;
const UART_LSR: usize = 5;
const UART_LSR_THRE: u8 = 1 << 5;

/// The console's base address, for output that has no `Uart` at hand (panics).
static CONSOLE_BASE: AtomicUsize = AtomicUsize::new(UART0_BASE);
/// The console's register shift.
static CONSOLE_SHIFT: AtomicUsize = AtomicUsize::new(0);

/// An NS16550A-compatible UART at `base`, registers `1 << reg_shift` bytes apart.
#[derive(Clone, Copy, Debug)]
pub struct Uart {
    base: usize,
    reg_shift: u32,
}

impl Uart {
    /// The UART at `base`; also makes it the console that panics print to.
    ///
    /// # Safety
    /// `base` must be the address of an NS16550A-compatible UART with byte registers spaced
    /// `1 << reg_shift` apart, mapped and accessible in the current mode.
    pub unsafe fn new(base: usize, reg_shift: u32) -> Self {
        CONSOLE_BASE.store(base, Ordering::Relaxed);
        CONSOLE_SHIFT.store(reg_shift as usize, Ordering::Relaxed);
        Self { base, reg_shift }
    }

    /// The console: the last UART made with `new`, or UART0 of the platform.
    pub fn console() -> Self {
        Self {
            base: CONSOLE_BASE.load(Ordering::Relaxed),
            reg_shift: CONSOLE_SHIFT.load(Ordering::Relaxed) as u32,
        }
    }

    fn reg(&self, index: usize) -> *mut u8 {
        (self.base + (index << self.reg_shift)) as *mut u8
    }

    /// Writes one byte, waiting until the transmit holding register is empty.
    pub fn putc(&self, byte: u8) {
        // Safety: `new` requires `base` to be a UART's registers; `console` only returns such bases
        // (or UART0, which every supported platform has).
        unsafe {
            while core::ptr::read_volatile(self.reg(UART_LSR)) & UART_LSR_THRE == 0 {
                core::hint::spin_loop();
            }
            core::ptr::write_volatile(self.reg(UART_THR), byte);
        }
    }
}

impl fmt::Write for Uart {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        s.bytes().for_each(|b| self.putc(b));
        Ok(())
    }
}
