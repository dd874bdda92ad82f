//! The memory-mapped devices of the `virt` board. Each implements [`Mmio`] and is placed on the
//! bus at the base and size named in `memmap`.
//!
//! Devices see time only as the cycle count the bus passes in (`now`); none reads the host
//! clock. Interrupt outputs are levels that the bus collects after every access
//! (`Bus::irq_lines`), so a device never calls into the hart.

pub mod clint;
pub mod console;
pub mod finisher;
pub mod plic;
pub mod rtc;
pub mod uart;

/// A memory-mapped device.
pub trait Mmio {
    /// Reads `size` bytes (1, 2, 4 or 8) at `offset` from the device's base. `None` means the
    /// access is not supported there and raises an access fault.
    fn read(&mut self, offset: u64, size: u8, now: u64) -> Option<u64>;

    /// Writes the low `size` bytes of `value` at `offset`. `None` raises an access fault.
    fn write(&mut self, offset: u64, size: u8, value: u64, now: u64) -> Option<()>;
}

/// Merges a `size`-byte write of `value` at byte `shift` into the 64-bit register `old`.
pub(crate) fn merge(old: u64, shift: u32, size: u8, value: u64) -> u64 {
    let mask = if size >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * size as u32)) - 1
    } << shift;
    (old & !mask) | ((value << shift) & mask)
}

#[cfg(test)]
mod tests {
    #[test]
    fn merge_replaces_only_the_written_bytes() {
        assert_eq!(
            super::merge(0x1122_3344_5566_7788, 32, 4, 0xaabb_ccdd),
            0xaabb_ccdd_5566_7788
        );
        assert_eq!(super::merge(0x1122_3344_5566_7788, 0, 8, 1), 1);
        assert_eq!(super::merge(0xffff, 8, 1, 0), 0x00ff);
    }
}
