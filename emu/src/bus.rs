//! The physical address space: RAM and the devices at their `memmap` addresses.
//!
//! The hart reaches RAM directly through the translation fast path; everything else comes here
//! with a physical address and a size and gets `None` (an access fault) when nothing answers.
//! After every device access the bus recomputes the interrupt lines (UART, RTC → PLIC → MEIP/SEIP,
//! CLINT → MSIP), so a device never needs a path back into the hart.
//!
//! RAM pages carry flags the fast path must respect: `CODE` (instructions from this page are in
//! the decode cache, so stores must invalidate them) and `WATCH` (HTIF `tohost` lives here).
//! Stores to flagged pages never get a fast-path entry.

use crate::devices::Mmio;
use crate::devices::clint::Clint;
use crate::devices::finisher::Finisher;
use crate::devices::plic::Plic;
use crate::devices::rtc::GoldfishRtc;
use crate::devices::uart::Uart;
use crate::hart::csr::irq;
use crate::memmap::*;

/// Flags of a RAM page.
pub mod page_flag {
    /// The decode cache holds instructions of this page.
    pub const CODE: u8 = 1 << 0;
    /// Stores here must be seen by the host (HTIF).
    pub const WATCH: u8 = 1 << 1;
}

/// RAM and devices.
pub struct Bus {
    /// Guest RAM, `RAM_BASE..RAM_BASE + ram.len()`.
    pub ram: Vec<u8>,
    page_flags: Vec<u8>,
    /// The console UART.
    pub uart: Uart,
    /// The CLINT (software and timer interrupts, `mtime`).
    pub clint: Clint,
    /// The PLIC (external interrupts).
    pub plic: Plic,
    /// The SiFive test finisher.
    pub finisher: Finisher,
    /// The Goldfish RTC (time and an alarm interrupt).
    pub rtc: GoldfishRtc,
}

impl Bus {
    /// A bus with `ram_size` bytes of zeroed RAM and the given devices.
    pub fn new(ram_size: u64, uart: Uart, clint: Clint, rtc: GoldfishRtc) -> Bus {
        Bus {
            ram: vec![0; ram_size as usize],
            page_flags: vec![0; (ram_size / PAGE_SIZE) as usize],
            uart,
            clint,
            plic: Plic::default(),
            finisher: Finisher::default(),
            rtc,
        }
    }

    /// The offset in RAM of `size` bytes at `paddr`, if they are all RAM.
    #[inline]
    pub fn ram_offset(&self, paddr: u64, size: u64) -> Option<usize> {
        let off = paddr.checked_sub(RAM_BASE)?;
        (off.checked_add(size)? <= self.ram.len() as u64).then_some(off as usize)
    }

    /// The flags of the RAM page holding `ram_off`.
    #[inline]
    pub fn page_flags(&self, ram_off: usize) -> u8 {
        self.page_flags[ram_off >> PAGE_SHIFT]
    }

    /// Sets `flags` on the RAM page holding `ram_off`.
    pub fn set_page_flags(&mut self, ram_off: usize, flags: u8) {
        self.page_flags[ram_off >> PAGE_SHIFT] |= flags;
    }

    /// Clears `flags` on the RAM page holding `ram_off`.
    pub fn clear_page_flags(&mut self, ram_off: usize, flags: u8) {
        self.page_flags[ram_off >> PAGE_SHIFT] &= !flags;
    }

    /// Reads `size` bytes of RAM at offset `off` (little-endian).
    #[inline]
    pub fn ram_read(&self, off: usize, size: u64) -> u64 {
        let mut b = [0u8; 8];
        b[..size as usize].copy_from_slice(&self.ram[off..off + size as usize]);
        u64::from_le_bytes(b)
    }

    /// Writes the low `size` bytes of `value` to RAM at offset `off`. Callers that may hit a
    /// `CODE` page go through the machine, which keeps the decode cache coherent.
    #[inline]
    pub fn ram_write(&mut self, off: usize, size: u64, value: u64) {
        self.ram[off..off + size as usize].copy_from_slice(&value.to_le_bytes()[..size as usize]);
    }

    /// The device and offset answering at `paddr`.
    fn device(&mut self, paddr: u64) -> Option<(&mut dyn Mmio, u64)> {
        let map: [(u64, u64); 5] = [
            (TEST_BASE, TEST_SIZE),
            (RTC_BASE, RTC_SIZE),
            (CLINT_BASE, CLINT_SIZE),
            (PLIC_BASE, PLIC_SIZE),
            (UART0_BASE, UART0_SIZE),
        ];
        let i = map
            .iter()
            .position(|&(base, size)| (base..base + size).contains(&paddr))?;
        let off = paddr - map[i].0;
        let dev: &mut dyn Mmio = match i {
            0 => &mut self.finisher,
            1 => &mut self.rtc,
            2 => &mut self.clint,
            3 => &mut self.plic,
            _ => &mut self.uart,
        };
        Some((dev, off))
    }

    /// A device read of `size` bytes at `paddr` at cycle `now`.
    pub fn mmio_read(&mut self, paddr: u64, size: u64, now: u64) -> Option<u64> {
        let (dev, off) = self.device(paddr)?;
        let v = dev.read(off, size as u8, now);
        self.sync_irq_lines(now);
        v
    }

    /// A device write of `size` bytes at `paddr` at cycle `now`.
    pub fn mmio_write(&mut self, paddr: u64, size: u64, value: u64, now: u64) -> Option<()> {
        let (dev, off) = self.device(paddr)?;
        let r = dev.write(off, size as u8, value, now);
        self.sync_irq_lines(now);
        r
    }

    /// Propagates device interrupt outputs at cycle `now` into the PLIC's source lines (the
    /// RTC's alarm fires here when its cycle has come).
    pub fn sync_irq_lines(&mut self, now: u64) {
        self.plic.set_level(UART0_IRQ, self.uart.irq());
        self.rtc.advance(now);
        self.plic.set_level(RTC_IRQ, self.rtc.line());
    }

    /// The `mip` bits driven by devices at cycle `now`: MSIP, MTIP, MEIP and the PLIC's SEIP.
    pub fn irq_lines(&self, now: u64) -> u64 {
        let mut bits = 0;
        if self.clint.msip() {
            bits |= irq::MSI;
        }
        if self.clint.mtip(now) {
            bits |= irq::MTI;
        }
        if self.plic.output(0) {
            bits |= irq::MEI;
        }
        if self.plic.output(1) {
            bits |= irq::SEI;
        }
        bits
    }
}
