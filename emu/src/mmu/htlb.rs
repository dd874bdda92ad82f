//! The host fast path for translation: small direct-mapped tables from a guest virtual page to
//! the place that page lives on the host, one table per access kind and effective privilege.
//!
//! This is an emulator cache, not the modeled TLB: it holds only translations whose checks
//! (Sv39 permissions, A/D already set, PMP uniform over the page, RAM not watched) have all
//! passed, so a hit needs no further check. It is flushed whenever anything those checks read
//! may have changed: `satp` writes, `sfence.vma`, SUM/MXR changes, PMP writes, a page becoming
//! code (so stores to it take the slow path that keeps the decode cache coherent). In timing
//! mode, where every entry stands for a modeled TLB entry, an `sfence.vma` of one address and
//! the eviction of a 4 KiB entry drop that page's entries only (`drop_page`).
//!
//! A flush is O(1): entries carry the epoch they were filled in, in the tag's low 12 bits (a page
//! address has them clear), and a flush moves to the next epoch. Only when the 12-bit epoch wraps
//! are the tables cleared.

use crate::hart::Privilege;
use crate::memmap::PAGE_SIZE;

/// Entries per table (a power of two).
pub const HTLB_ENTRIES: usize = 256;

const EPOCH_MASK: u64 = PAGE_SIZE - 1;

/// One cached translation.
#[derive(Clone, Copy, Debug, Default)]
pub struct Entry {
    /// Virtual page address | epoch; zero never matches (epochs start at 1).
    pub tag: u64,
    /// For data tables: the offset of the page in RAM. For the fetch table: the index of the
    /// page's decoded-instruction block.
    pub value: u64,
}

/// One table per effective privilege level (U, S, M), and a fourth so that a row index masked
/// with 3 needs no bounds check.
pub type Tables = [[Entry; HTLB_ENTRIES]; 4];

/// The read, write and fetch fast-path tables.
pub struct HostTlb {
    epoch: u64,
    /// Loads.
    pub read: Box<Tables>,
    /// Stores (and AMOs, which need both).
    pub write: Box<Tables>,
    /// Instruction fetch.
    pub fetch: Box<Tables>,
}

impl Default for HostTlb {
    fn default() -> Self {
        let empty = || Box::new([[Entry::default(); HTLB_ENTRIES]; 4]);
        HostTlb {
            epoch: 1,
            read: empty(),
            write: empty(),
            fetch: empty(),
        }
    }
}

/// The table row for a privilege level: U → 0, S → 1, M → 2.
#[inline(always)]
pub const fn mode_index(p: Privilege) -> usize {
    p.index()
}

/// The slot of virtual address `vaddr`.
#[inline(always)]
pub const fn slot(vaddr: u64) -> usize {
    (vaddr >> crate::memmap::PAGE_SHIFT) as usize & (HTLB_ENTRIES - 1)
}

impl HostTlb {
    /// The current epoch (the low bits of every valid tag).
    #[inline(always)]
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The tag a valid entry for `vaddr` carries now.
    #[inline(always)]
    pub fn tag(&self, vaddr: u64) -> u64 {
        (vaddr & !EPOCH_MASK) | self.epoch
    }

    /// Looks `vaddr` up in `table`; returns the entry's value on a hit.
    #[inline(always)]
    pub fn lookup(&self, table: &Tables, mode: usize, vaddr: u64) -> Option<u64> {
        let e = &table[mode][slot(vaddr)];
        (e.tag == self.tag(vaddr)).then_some(e.value)
    }

    /// Installs a translation of `vaddr`'s page.
    pub fn fill(tables: &mut Tables, tag: u64, mode: usize, vaddr: u64, value: u64) {
        tables[mode][slot(vaddr)] = Entry { tag, value };
    }

    /// Invalidates the entries of `vaddr`'s page, in every table and row (for a modeled 4 KiB
    /// TLB entry that goes away: the only entries that can name its slot, see
    /// `Machine::timed_fast_offset`).
    pub fn drop_page(&mut self, vaddr: u64) {
        let tag = self.tag(vaddr);
        for t in [&mut self.read, &mut self.write, &mut self.fetch] {
            for row in t.iter_mut() {
                let e = &mut row[slot(vaddr)];
                if e.tag == tag {
                    *e = Entry::default();
                }
            }
        }
    }

    /// Invalidates every entry.
    pub fn flush(&mut self) {
        self.epoch += 1;
        if self.epoch > EPOCH_MASK {
            for t in [&mut self.read, &mut self.write, &mut self.fetch] {
                **t = [[Entry::default(); HTLB_ENTRIES]; 4];
            }
            self.epoch = 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_a_page_leaves_the_others() {
        let mut h = HostTlb::default();
        let (a, b) = (0x1234_5000, 0x1234_6000);
        for (v, value) in [(a, 1), (b, 2)] {
            let tag = h.tag(v);
            for row in 0..4 {
                HostTlb::fill(&mut h.read, tag, row, v, value);
                HostTlb::fill(&mut h.write, tag, row, v, value);
                HostTlb::fill(&mut h.fetch, tag, row, v, value);
            }
        }
        // Page a + 256 pages shares a's slot: dropping it must not drop a.
        h.drop_page(a + (HTLB_ENTRIES as u64) * crate::memmap::PAGE_SIZE);
        assert_eq!(
            h.lookup(&h.write, 2, a + 8),
            Some(1),
            "another page of the slot"
        );
        h.drop_page(a + 0x18);
        for t in [&h.read, &h.write, &h.fetch] {
            for row in 0..4 {
                assert_eq!(h.lookup(t, row, a), None, "row {row}");
                assert_eq!(h.lookup(t, row, b), Some(2), "row {row}");
            }
        }
    }

    #[test]
    fn a_flush_hides_old_entries_even_across_epoch_wrap() {
        let mut h = HostTlb::default();
        let tag = h.tag(0x1234_5000);
        HostTlb::fill(&mut h.read, tag, 1, 0x1234_5000, 7);
        assert_eq!(h.lookup(&h.read, 1, 0x1234_5678), Some(7));
        assert_eq!(h.lookup(&h.read, 0, 0x1234_5678), None, "other mode");
        h.flush();
        assert_eq!(h.lookup(&h.read, 1, 0x1234_5678), None);
        for _ in 0..5000 {
            let tag = h.tag(0x1234_5000);
            HostTlb::fill(&mut h.read, tag, 1, 0x1234_5000, 7);
            h.flush();
            assert_eq!(h.lookup(&h.read, 1, 0x1234_5000), None);
        }
    }
}
