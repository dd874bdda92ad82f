//! Physical memory protection (privileged spec 1.12 §3.7): 16 entries, granularity 4 bytes.
//!
//! ```text
//! pmpcfg byte i:   7   6:5   4:3  2 1 0        pmpaddr i: address bits 55:2
//!                ┌───┬─────┬─────┬─┬─┬─┐
//!                │ L │  0  │  A  │X│W│R│       A = OFF | TOR | NA4 | NAPOT
//!                └───┴─────┴─────┴─┴─┴─┘
//! ```
//!
//! The lowest-numbered entry that matches any byte of an access decides it: it must match all
//! bytes, and for S/U-mode accesses (or M-mode ones when L is set) grant the permission. When no
//! entry matches, M-mode succeeds and S/U-mode fails (16 entries are implemented). The translation
//! fast path asks [`Pmp::page_permission`] once per 4 KiB page, so the per-access check runs only
//! for pages that a region boundary cuts. The entries' byte ranges are computed when the
//! registers are written, not per check, and the last page verdict of each access kind and mode is
//! remembered until the next write.

use crate::hart::Privilege;
use crate::trap::Access;

/// Number of PMP entries.
pub const PMP_ENTRIES: usize = 16;

/// `pmpcfg` bits.
pub mod cfg {
    /// Read permission.
    pub const R: u8 = 1 << 0;
    /// Write permission.
    pub const W: u8 = 1 << 1;
    /// Execute permission.
    pub const X: u8 = 1 << 2;
    /// Shift of the address-matching mode A.
    pub const A_SHIFT: u32 = 3;
    /// A = OFF: the entry is disabled.
    pub const A_OFF: u8 = 0;
    /// A = TOR: top of range, `pmpaddr[i-1] <= a < pmpaddr[i]`.
    pub const A_TOR: u8 = 1;
    /// A = NA4: naturally aligned four-byte region.
    pub const A_NA4: u8 = 2;
    /// A = NAPOT: naturally aligned power-of-two region, 8 bytes or more.
    pub const A_NAPOT: u8 = 3;
    /// Locked: the entry also applies to M-mode and cannot be changed until reset.
    pub const L: u8 = 1 << 7;
    /// Bits that are stored (bits 6:5 are WARL zero).
    pub const WRITABLE: u8 = R | W | X | (3 << A_SHIFT) | L;
}

/// `pmpaddr` holds physical address bits 55:2.
const PMPADDR_MASK: u64 = (1 << 54) - 1;

/// A remembered page verdict: the page (`NO_PAGE` for none) and `page_permission`'s answer.
type PageMemo = std::cell::Cell<(u64, Option<bool>)>;

/// No page: the key of an empty memo (pages are 4 KiB-aligned, this is not).
const NO_PAGE: u64 = u64::MAX;

/// The PMP registers.
#[derive(Clone, Debug)]
pub struct Pmp {
    cfg: [u8; PMP_ENTRIES],
    addr: [u64; PMP_ENTRIES],
    /// Each entry's byte range `[lo, hi)` (`None`: off or empty), kept as the registers change.
    ranges: [Option<(u64, u64)>; PMP_ENTRIES],
    /// One past the highest entry with a range (entries above it match nothing).
    used: usize,
    /// The last `page_permission` verdict for each access kind × mode (`memo_index`).
    memo: [PageMemo; 9],
}

impl Default for Pmp {
    fn default() -> Self {
        Pmp {
            cfg: [0; PMP_ENTRIES],
            addr: [0; PMP_ENTRIES],
            ranges: [None; PMP_ENTRIES],
            used: 0,
            memo: std::array::from_fn(|_| std::cell::Cell::new((NO_PAGE, None))),
        }
    }
}

/// The memo slot of an access kind and mode.
fn memo_index(access: Access, mode: Privilege) -> usize {
    let a = match access {
        Access::Fetch => 0,
        Access::Load => 1,
        Access::Store => 2,
    };
    a * 3 + crate::stats::mode_index(mode)
}

impl Pmp {
    fn mode(&self, i: usize) -> u8 {
        (self.cfg[i] >> cfg::A_SHIFT) & 3
    }

    fn locked(&self, i: usize) -> bool {
        self.cfg[i] & cfg::L != 0
    }

    /// Whether any entry is active (A != OFF).
    pub fn any_active(&self) -> bool {
        (0..PMP_ENTRIES).any(|i| self.mode(i) != cfg::A_OFF)
    }

    /// Reads `pmpcfgN` for even `n` (RV64 packs eight entries per register).
    pub fn read_cfg(&self, n: usize) -> u64 {
        let first = n * 4;
        (0..8).fold(0, |v, k| v | (u64::from(self.cfg[first + k]) << (8 * k)))
    }

    /// Writes `pmpcfgN` for even `n`; locked entries keep their value.
    pub fn write_cfg(&mut self, n: usize, value: u64) {
        let first = n * 4;
        for k in 0..8 {
            let i = first + k;
            if !self.locked(i) {
                self.cfg[i] = (value >> (8 * k)) as u8 & cfg::WRITABLE;
            }
        }
        self.refresh();
    }

    /// Reads `pmpaddrI`.
    pub fn read_addr(&self, i: usize) -> u64 {
        self.addr[i]
    }

    /// Writes `pmpaddrI`, unless entry `i` is locked or entry `i + 1` is a locked TOR entry
    /// (whose bottom is `pmpaddrI`).
    pub fn write_addr(&mut self, i: usize, value: u64) {
        let next_locks_it =
            i + 1 < PMP_ENTRIES && self.locked(i + 1) && self.mode(i + 1) == cfg::A_TOR;
        if !self.locked(i) && !next_locks_it {
            self.addr[i] = value & PMPADDR_MASK;
        }
        self.refresh();
    }

    /// Recomputes the ranges after a register write and forgets the page verdicts.
    fn refresh(&mut self) {
        self.ranges = std::array::from_fn(|i| self.compute_range(i));
        self.used = self
            .ranges
            .iter()
            .rposition(Option::is_some)
            .map_or(0, |i| i + 1);
        for m in &self.memo {
            m.set((NO_PAGE, None));
        }
    }

    /// The byte range `[lo, hi)` that entry `i` covers, or `None` when it is off or empty.
    #[inline]
    fn range(&self, i: usize) -> Option<(u64, u64)> {
        self.ranges[i]
    }

    /// `range(i)` from the registers.
    fn compute_range(&self, i: usize) -> Option<(u64, u64)> {
        let a = self.addr[i];
        let (lo, hi) = match self.mode(i) {
            cfg::A_TOR => {
                let lo = if i == 0 { 0 } else { self.addr[i - 1] << 2 };
                (lo, a << 2)
            }
            cfg::A_NA4 => (a << 2, (a << 2).saturating_add(4)),
            cfg::A_NAPOT => {
                let ones = a.trailing_ones();
                let base = (a & !((1u64 << ones) - 1)) << 2;
                (base, base.saturating_add(1u64 << (ones + 3).min(63)))
            }
            _ => return None,
        };
        (lo < hi).then_some((lo, hi))
    }

    /// The permission bit an access needs.
    fn needed(access: Access) -> u8 {
        match access {
            Access::Fetch => cfg::X,
            Access::Load => cfg::R,
            Access::Store => cfg::W,
        }
    }

    /// Whether an access of `size` bytes at physical `addr` in privilege `mode` is allowed.
    pub fn check(&self, addr: u64, size: u64, access: Access, mode: Privilege) -> bool {
        let end = addr.saturating_add(size);
        for i in 0..self.used {
            let Some((lo, hi)) = self.range(i) else {
                continue;
            };
            if end <= lo || addr >= hi {
                continue;
            }
            if addr < lo || end > hi {
                return false; // matches some bytes but not all
            }
            if mode == Privilege::Machine && !self.locked(i) {
                return true;
            }
            return self.cfg[i] & Self::needed(access) != 0;
        }
        mode == Privilege::Machine
    }

    /// The verdict for every access of kind `access` in `mode` within the 4 KiB page at
    /// `page`, if it is the same for the whole page (`None` when an entry boundary cuts it).
    pub fn page_permission(&self, page: u64, access: Access, mode: Privilege) -> Option<bool> {
        let memo = &self.memo[memo_index(access, mode)];
        let (last, verdict) = memo.get();
        if last == page {
            return verdict;
        }
        let verdict = self.page_verdict(page, access, mode);
        memo.set((page, verdict));
        verdict
    }

    /// `page_permission` from the ranges.
    fn page_verdict(&self, page: u64, access: Access, mode: Privilege) -> Option<bool> {
        let end = page.saturating_add(crate::memmap::PAGE_SIZE);
        for i in 0..self.used {
            let Some((lo, hi)) = self.range(i) else {
                continue;
            };
            if end <= lo || page >= hi {
                continue;
            }
            if page < lo || end > hi {
                return None;
            }
            return Some(self.check(page, 1, access, mode));
        }
        Some(mode == Privilege::Machine)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn napot(base: u64, size: u64) -> u64 {
        (base >> 2) | ((size >> 3) - 1)
    }

    // Does a remembered page verdict follow every register write (a new entry, a changed
    // address, a region that comes to cut the page)?
    #[test]
    fn page_verdicts_follow_register_writes() {
        let mut p = Pmp::default();
        let page = 0x8000_1000;
        let s = Privilege::Supervisor;
        assert_eq!(p.page_permission(page, Access::Load, s), Some(false));
        p.write_addr(0, napot(0x8000_0000, 0x1_0000));
        p.write_cfg(0, u64::from(cfg::R | (cfg::A_NAPOT << cfg::A_SHIFT)));
        assert_eq!(p.page_permission(page, Access::Load, s), Some(true));
        assert_eq!(p.page_permission(page, Access::Store, s), Some(false));
        p.write_addr(0, napot(0x8000_1000, 0x800));
        assert_eq!(
            p.page_permission(page, Access::Load, s),
            None,
            "cut by the region"
        );
        p.write_addr(0, napot(0x9000_0000, 0x1000));
        assert_eq!(p.page_permission(page, Access::Load, s), Some(false));
        assert_eq!(
            p.page_permission(page, Access::Load, Privilege::Machine),
            Some(true)
        );
    }

    #[test]
    fn no_entry_means_machine_only() {
        let p = Pmp::default();
        assert!(p.check(0x8000_0000, 8, Access::Load, Privilege::Machine));
        assert!(!p.check(0x8000_0000, 8, Access::Load, Privilege::Supervisor));
    }

    #[test]
    fn a_napot_entry_covering_everything_opens_memory_to_s_and_u() {
        let mut p = Pmp::default();
        p.write_addr(0, u64::MAX);
        p.write_cfg(
            0,
            u64::from(cfg::R | cfg::W | cfg::X | (cfg::A_NAPOT << cfg::A_SHIFT)),
        );
        for mode in [Privilege::User, Privilege::Supervisor] {
            assert!(p.check(0x8000_0000, 8, Access::Store, mode));
            assert!(p.check(0, 1, Access::Fetch, mode));
        }
    }

    #[test]
    fn tor_and_napot_regions_match_their_bounds_and_partial_matches_fail() {
        let mut p = Pmp::default();
        // Entry 0: TOR [0, 0x8000_1000) read-only. Entry 1: NAPOT 0x8000_2000 + 4 KiB, RW.
        p.write_addr(0, 0x8000_1000 >> 2);
        p.write_addr(1, napot(0x8000_2000, 0x1000));
        let c0 = cfg::R | (cfg::A_TOR << cfg::A_SHIFT);
        let c1 = cfg::R | cfg::W | (cfg::A_NAPOT << cfg::A_SHIFT);
        p.write_cfg(0, u64::from(c0) | (u64::from(c1) << 8));
        let s = Privilege::Supervisor;
        assert!(p.check(0x8000_0ff8, 8, Access::Load, s));
        assert!(!p.check(0x8000_0ff8, 8, Access::Store, s));
        assert!(
            !p.check(0x8000_0ffc, 8, Access::Load, s),
            "straddles the top of entry 0"
        );
        assert!(p.check(0x8000_2000, 8, Access::Store, s));
        assert!(
            !p.check(0x8000_3000, 1, Access::Load, s),
            "above entry 1: no match"
        );
        assert_eq!(p.page_permission(0x8000_2000, Access::Store, s), Some(true));
        assert_eq!(
            p.page_permission(0x8000_0000, Access::Store, s),
            Some(false)
        );
    }

    #[test]
    fn locked_entries_bind_machine_mode_and_ignore_writes() {
        let mut p = Pmp::default();
        p.write_addr(0, napot(0x8000_0000, 0x1000));
        p.write_cfg(
            0,
            u64::from(cfg::L | cfg::R | (cfg::A_NAPOT << cfg::A_SHIFT)),
        );
        assert!(!p.check(0x8000_0000, 4, Access::Store, Privilege::Machine));
        assert!(p.check(0x8000_0000, 4, Access::Load, Privilege::Machine));
        p.write_cfg(0, 0);
        p.write_addr(0, 0);
        assert_eq!(
            p.read_cfg(0) & 0xff,
            u64::from(cfg::L | cfg::R | (cfg::A_NAPOT << 3))
        );
        assert_eq!(p.read_addr(0), napot(0x8000_0000, 0x1000));
    }
}
