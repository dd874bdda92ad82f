//! The physical memory map of the klab machine: QEMU's `virt` board with one hart.
//!
//! Every address a device answers at is named here once. The layout (physical addresses):
//!
//! ```text
//!   0x0000_0000 ┌──────────────────────┐
//!               │ (unmapped)           │  access fault
//!   0x0010_0000 ├──────────────────────┤
//!               │ SiFive test finisher │  TEST_BASE, 4 KiB
//!   0x0010_1000 ├──────────────────────┤
//!               │ Goldfish RTC         │  RTC_BASE, 4 KiB, PLIC source 11: time, one alarm
//!   0x0200_0000 ├──────────────────────┤
//!               │ CLINT                │  CLINT_BASE, 64 KiB: msip, mtimecmp, mtime
//!   0x0c00_0000 ├──────────────────────┤
//!               │ PLIC                 │  PLIC_BASE, 6 MiB: priorities, pending, enables, claim
//!   0x1000_0000 ├──────────────────────┤
//!               │ NS16550A UART        │  UART0_BASE, 256 B, PLIC source 10
//!   0x8000_0000 ├──────────────────────┤
//!               │ RAM                  │  RAM_BASE, --mem (default 128 MiB)
//!               │   ... initrd         │  RAM_BASE + size/2 (as QEMU, for RAM <= 256 MiB)
//!               │   ... DTB            │  below the end of RAM, 2 MiB aligned (as QEMU)
//!               └──────────────────────┘
//! ```
//!
//! What it leaves out: QEMU's boot ROM at 0x1000 (we start the hart at the ELF entry with the
//! registers the ROM would set), virtio, PCIe and flash. The RTC's time is
//! derived from the cycle count (see `devices::rtc`), never from the host clock.

/// SiFive test finisher ("sifive,test0"): a 32-bit write ends the run.
pub const TEST_BASE: u64 = 0x0010_0000;
/// Size of the test finisher's register window.
pub const TEST_SIZE: u64 = 0x1000;

/// Goldfish real-time clock ("google,goldfish-rtc"): nanosecond time and one alarm.
pub const RTC_BASE: u64 = 0x0010_1000;
/// Size of the RTC's register window.
pub const RTC_SIZE: u64 = 0x1000;
/// The RTC's interrupt source number at the PLIC (QEMU `virt`'s).
pub const RTC_IRQ: u32 = 11;

/// Core-local interruptor: `msip`, `mtimecmp`, `mtime` for hart 0.
pub const CLINT_BASE: u64 = 0x0200_0000;
/// Size of the CLINT window.
pub const CLINT_SIZE: u64 = 0x1_0000;

/// Platform-level interrupt controller (SiFive PLIC, QEMU `virt` layout).
pub const PLIC_BASE: u64 = 0x0c00_0000;
/// Size of the PLIC window (QEMU 7.2's `virt`: contexts for up to 512 harts).
pub const PLIC_SIZE: u64 = 0x60_0000;

/// NS16550A-compatible UART 0: the console.
pub const UART0_BASE: u64 = 0x1000_0000;
/// Size of the UART window.
pub const UART0_SIZE: u64 = 0x100;
/// The UART's interrupt source number at the PLIC.
pub const UART0_IRQ: u32 = 10;
/// The UART's input clock, as the DTB reports it (QEMU's value).
pub const UART0_CLOCK_HZ: u32 = 3_686_400;

/// Start of RAM.
pub const RAM_BASE: u64 = 0x8000_0000;
/// Default RAM size: 128 MiB, as QEMU's `virt`.
pub const DEFAULT_RAM_SIZE: u64 = 128 << 20;
/// Largest RAM the machine accepts: 16 GiB.
pub const MAX_RAM_SIZE: u64 = 16 << 30;

/// Number of PLIC interrupt sources of the `virt` board (source 0 is reserved).
pub const PLIC_NUM_SOURCES: u32 = 96;
/// Number of PLIC contexts: hart 0 M-mode (0) and S-mode (1).
pub const PLIC_NUM_CONTEXTS: u32 = 2;

/// The guest page size, 4 KiB.
pub const PAGE_SIZE: u64 = 4096;
/// The offset-within-page bits of an address.
pub const PAGE_MASK: u64 = PAGE_SIZE - 1;
/// log2 of [`PAGE_SIZE`].
pub const PAGE_SHIFT: u32 = 12;

// The core clock and the timebase (`mtime` ticks per second, the DTB's `timebase-frequency`) are
// the profile's (`[core] clock_hz`, `timebase_hz`), not constants of the address map.

/// Where the initrd goes for a RAM of `ram_size` bytes, following QEMU's `riscv_load_initrd`:
/// half-way into RAM when RAM is at most 256 MiB, else 128 MiB in.
pub fn initrd_base(ram_size: u64) -> u64 {
    if ram_size > 256 << 20 {
        RAM_BASE + (128 << 20)
    } else {
        RAM_BASE + ram_size / 2
    }
}

/// Where the DTB goes: the highest 2 MiB-aligned address below the end of RAM (capped at 3 GiB
/// physical, as QEMU does) that leaves room for `fdt_size` bytes.
pub fn dtb_base(ram_size: u64, fdt_size: u64) -> u64 {
    let end = (RAM_BASE + ram_size).min(0xc000_0000);
    (end - fdt_size) & !((2 << 20) - 1)
}
