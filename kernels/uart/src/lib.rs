//! The NS16550A UART driver, shared so that the console is the same code under both kernels:
//! `kcore::console` drives it from the kernel (at its physical address, mapped 1:1), `micro`'s
//! console server from user mode (at the page the kernel mapped for it). Output is polled,
//! input is interrupt-driven.
//!
//! Registers (byte-wide, `reg-shift` 0 on QEMU `virt`):
//! ```text
//! +0 RBR (read) / THR (write)   +1 IER   +2 IIR / FCR   +3 LCR   +4 MCR   +5 LSR
//! ```
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

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

/// A UART at a fixed virtual address.
#[derive(Clone, Copy, Debug)]
pub struct Uart {
    base: usize,
}

impl Uart {
    /// The UART whose registers are at `base`.
    ///
    /// # Safety
    /// `base` must be the address of an NS16550A's registers, mapped for reading and writing
    /// wherever the returned value is used.
    pub const unsafe fn new(base: usize) -> Uart {
        Uart { base }
    }

    fn read(&self, offset: usize) -> u8 {
        // Safety: `new`'s contract: the registers are mapped at `base`.
        unsafe { ((self.base + offset) as *const u8).read_volatile() }
    }

    fn write(&self, offset: usize, value: u8) {
        // Safety: as in `read`.
        unsafe { ((self.base + offset) as *mut u8).write_volatile(value) }
    }

    /// Programs 8N1, FIFOs on, and the receive interrupt.
    pub fn init(&self) {
        self.write(IER, 0);
        self.write(LCR, LCR_8N1);
        self.write(FCR, FCR_ENABLE_CLEAR);
        self.write(MCR, MCR_OUT2);
        self.write(IER, IER_RDI);
    }

    /// Turns the receive interrupt on or off.
    pub fn set_rx_interrupt(&self, on: bool) {
        self.write(IER, if on { IER_RDI } else { 0 });
    }

    /// Whether the receive interrupt is on.
    pub fn rx_interrupt_enabled(&self) -> bool {
        self.read(IER) & IER_RDI != 0
    }

    /// Sends one byte, waiting for room.
    pub fn putc(&self, byte: u8) {
        while self.read(LSR) & LSR_THRE == 0 {
            core::hint::spin_loop();
        }
        self.write(RBR_THR, byte);
    }

    /// Sends bytes.
    pub fn write_bytes(&self, bytes: &[u8]) {
        for &b in bytes {
            self.putc(b);
        }
    }

    /// A received byte, if one is waiting.
    pub fn getc(&self) -> Option<u8> {
        (self.read(LSR) & LSR_DR != 0).then(|| self.read(RBR_THR))
    }
}
