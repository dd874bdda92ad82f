//! The core-local interruptor (SiFive CLINT, as on QEMU `virt`) for hart 0.
//!
//! ```text
//! offset   register   width
//! 0x0000   msip       32   bit 0 drives mip.MSIP
//! 0x4000   mtimecmp   64   mip.MTIP = (mtime >= mtimecmp)
//! 0xbff8   mtime      64   derived from the cycle count
//! ```
//!
//! `mtime` is not a clock: it is `cycles / cycles_per_tick + offset`, where `cycles` is the
//! hart's cycle count passed in as `now` and the offset absorbs guest writes to `mtime`. So the
//! timer interrupt fires at an exact, reproducible cycle.

use super::{Mmio, merge};

const MSIP: u64 = 0x0000;
const MTIMECMP: u64 = 0x4000;
const MTIME: u64 = 0xbff8;

/// The CLINT.
#[derive(Clone, Debug)]
pub struct Clint {
    msip: bool,
    mtimecmp: u64,
    /// `mtime - cycles / cycles_per_tick`, changed by guest writes to `mtime`.
    offset: u64,
    cycles_per_tick: u64,
}

impl Clint {
    /// A CLINT whose `mtime` advances once every `cycles_per_tick` cycles. `mtimecmp` resets to
    /// 0, as on QEMU's `virt` (the spec leaves it open), so MTIP is pending from the start until
    /// software programs the timer.
    pub fn new(cycles_per_tick: u64) -> Clint {
        Clint {
            msip: false,
            mtimecmp: 0,
            offset: 0,
            cycles_per_tick: cycles_per_tick.max(1),
        }
    }

    /// `mtime` at cycle `now`.
    pub fn mtime(&self, now: u64) -> u64 {
        (now / self.cycles_per_tick).wrapping_add(self.offset)
    }

    /// The level of mip.MSIP.
    pub fn msip(&self) -> bool {
        self.msip
    }

    /// The level of mip.MTIP at cycle `now`.
    pub fn mtip(&self, now: u64) -> bool {
        self.mtime(now) >= self.mtimecmp
    }

    /// The first cycle at or after which MTIP is set, or `None` if that never happens (the
    /// comparison would need `mtime` to wrap).
    pub fn timer_deadline(&self) -> Option<u64> {
        // mtime(c) >= mtimecmp  ⇔  c / k >= mtimecmp - offset  ⇔  c >= (mtimecmp - offset) × k
        let ticks = self.mtimecmp.checked_sub(self.offset)?;
        ticks.checked_mul(self.cycles_per_tick)
    }
}

impl Mmio for Clint {
    fn read(&mut self, offset: u64, size: u8, now: u64) -> Option<u64> {
        let (reg, base) = match offset {
            MSIP..=0x3 => (u64::from(self.msip), MSIP),
            MTIMECMP..=0x4007 => (self.mtimecmp, MTIMECMP),
            MTIME..=0xbfff => (self.mtime(now), MTIME),
            _ => return Some(0),
        };
        let shift = 8 * (offset - base) as u32;
        let mask = if size >= 8 {
            u64::MAX
        } else {
            (1 << (8 * size as u32)) - 1
        };
        Some((reg >> shift) & mask)
    }

    fn write(&mut self, offset: u64, size: u8, value: u64, now: u64) -> Option<()> {
        match offset {
            MSIP..=0x3 => {
                self.msip = merge(u64::from(self.msip), 8 * offset as u32, size, value) & 1 != 0
            }
            MTIMECMP..=0x4007 => {
                self.mtimecmp = merge(self.mtimecmp, 8 * (offset - MTIMECMP) as u32, size, value)
            }
            MTIME..=0xbfff => {
                let new = merge(self.mtime(now), 8 * (offset - MTIME) as u32, size, value);
                self.offset = new.wrapping_sub(now / self.cycles_per_tick);
            }
            _ => {}
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mtime_follows_cycles_and_the_deadline_is_exact() {
        let mut c = Clint::new(100);
        assert_eq!(c.read(MTIME, 8, 12_345), Some(123));
        assert!(
            c.mtip(0),
            "mtimecmp resets to 0, as QEMU's: MTIP is pending at boot"
        );
        c.write(MTIMECMP, 8, u64::MAX, 0);
        assert_eq!(c.timer_deadline(), None, "all ones never fires");
        c.write(MTIMECMP, 8, 200, 12_345);
        assert_eq!(c.timer_deadline(), Some(20_000));
        assert!(!c.mtip(19_999));
        assert!(c.mtip(20_000));
    }

    #[test]
    fn writing_mtime_and_halves_of_mtimecmp() {
        let mut c = Clint::new(10);
        c.write(MTIME, 8, 1_000, 50); // mtime was 5, now 1000
        assert_eq!(c.mtime(60), 1_001);
        c.write(MTIMECMP, 4, 0x10, 0);
        c.write(MTIMECMP + 4, 4, 0, 0);
        assert_eq!(c.read(MTIMECMP, 8, 0), Some(0x10));
        assert!(c.mtip(0), "mtime 995 >= 16");
        c.write(MSIP, 4, 1, 0);
        assert!(c.msip());
    }
}
