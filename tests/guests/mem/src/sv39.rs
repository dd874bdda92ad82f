//! A minimal Sv39 page-table builder: 4 KiB leaf pages only, tables taken from a bump allocator of
//! physical frames. M-mode builds the tables before paging is on, so physical addresses are used
//! directly; the programs map memory at identical virtual addresses, so S-mode may follow the same
//! pointers (e.g. to rewrite a leaf PTE).
//!
//! ```text
//! VA: 38..30 VPN[2] | 29..21 VPN[1] | 20..12 VPN[0] | 11..0 offset
//! PTE: 53..10 PPN | 7 D | 6 A | 5 G | 4 U | 3 X | 2 W | 1 R | 0 V
//! satp: 63..60 MODE (8 = Sv39) | 59..44 ASID | 43..0 root PPN
//! ```

/// Bytes in a page (and in a page table).
pub const PAGE_SIZE: usize = 4096;
/// log2(PAGE_SIZE).
const PAGE_SHIFT: u32 = 12;
/// Entries in a page table.
const ENTRIES: usize = 512;
/// Bits of VA per level.
const VPN_BITS: u32 = 9;
/// Levels of Sv39.
const LEVELS: usize = 3;
/// Where the PPN starts in a PTE.
const PTE_PPN_SHIFT: u32 = 10;
/// `satp.MODE` for Sv39, in place.
const SATP_SV39: usize = 8 << 60;

/// PTE valid.
pub const V: u64 = 1 << 0;
/// PTE readable.
pub const R: u64 = 1 << 1;
/// PTE writable.
pub const W: u64 = 1 << 2;
/// PTE executable.
pub const X: u64 = 1 << 3;
/// PTE accessed: set up front, so no access has to set it.
pub const A: u64 = 1 << 6;
/// PTE dirty: set up front, so no store has to set it.
pub const D: u64 = 1 << 7;
/// Flags of ordinary kernel memory: readable, writable, executable, already accessed and dirty.
pub const RWX: u64 = V | R | W | X | A | D;
/// Flags of data and device pages: readable, writable, already accessed and dirty.
pub const RW: u64 = V | R | W | A | D;

/// Hands out zeroed 4 KiB physical frames from `[next, end)`.
pub struct FrameAllocator {
    next: usize,
    end: usize,
}

impl FrameAllocator {
    /// Frames from `[start, end)`, both page-aligned.
    ///
    /// # Safety
    /// The range must be RAM that nothing else uses while the frames are in use.
    pub unsafe fn new(start: usize, end: usize) -> Self {
        assert!(start.is_multiple_of(PAGE_SIZE) && end.is_multiple_of(PAGE_SIZE) && start <= end);
        Self { next: start, end }
    }

    /// A zeroed frame; panics when the range is used up.
    pub fn alloc(&mut self) -> usize {
        assert!(self.next < self.end, "sv39: out of page-table frames");
        let frame = self.next;
        self.next += PAGE_SIZE;
        // Safety: `new`'s caller gave us this frame; it is 4 KiB of RAM, aligned.
        unsafe { core::ptr::write_bytes(frame as *mut u8, 0, PAGE_SIZE) };
        frame
    }
}

/// The PTE's physical page number field for the page at `pa`.
fn pte_ppn(pa: usize) -> u64 {
    ((pa >> PAGE_SHIFT) as u64) << PTE_PPN_SHIFT
}

/// The physical address a PTE points to.
fn pte_address(pte: u64) -> usize {
    ((pte >> PTE_PPN_SHIFT) as usize) << PAGE_SHIFT
}

/// A leaf PTE mapping the page at `pa` with `flags`.
pub fn leaf(pa: usize, flags: u64) -> u64 {
    pte_ppn(pa) | flags
}

/// An Sv39 address space under construction.
pub struct PageTable {
    root: usize,
}

impl PageTable {
    /// An empty address space (one zeroed root table).
    pub fn new(frames: &mut FrameAllocator) -> Self {
        Self {
            root: frames.alloc(),
        }
    }

    /// Maps the 4 KiB page at `va` to the one at `pa` with `flags` (a leaf: R, W or X set),
    /// creating tables as needed, and returns the address of the leaf PTE.
    pub fn map(
        &mut self,
        frames: &mut FrameAllocator,
        va: usize,
        pa: usize,
        flags: u64,
    ) -> *mut u64 {
        assert!(va.is_multiple_of(PAGE_SIZE) && pa.is_multiple_of(PAGE_SIZE));
        let mut table = self.root;
        for level in (1..LEVELS).rev() {
            let pte = Self::entry(table, va, level);
            // Safety: `table` is a page table we allocated; `entry` stays inside it.
            let value = unsafe { pte.read() };
            table = if value & V != 0 {
                pte_address(value)
            } else {
                let next = frames.alloc();
                // Safety: as above; an inner PTE is V with R = W = X = 0.
                unsafe { pte.write(pte_ppn(next) | V) };
                next
            };
        }
        let pte = Self::entry(table, va, 0);
        // Safety: `table` is a leaf table we allocated.
        unsafe { pte.write(leaf(pa, flags)) };
        pte
    }

    /// Maps `[start, end)` (rounded out to pages) at the same virtual addresses.
    pub fn identity(&mut self, frames: &mut FrameAllocator, start: usize, end: usize, flags: u64) {
        let mut page = start & !(PAGE_SIZE - 1);
        while page < end {
            self.map(frames, page, page, flags);
            page += PAGE_SIZE;
        }
    }

    /// The `satp` value that selects this address space (ASID 0).
    pub fn satp(&self) -> usize {
        SATP_SV39 | (self.root >> PAGE_SHIFT)
    }

    /// The PTE of `va` in the level-`level` table at `table`.
    fn entry(table: usize, va: usize, level: usize) -> *mut u64 {
        let shift = PAGE_SHIFT + VPN_BITS * level as u32;
        let index = (va >> shift) & (ENTRIES - 1);
        (table + index * core::mem::size_of::<u64>()) as *mut u64
    }
}
