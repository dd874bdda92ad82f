//! The memory policy of one user address space: which regions exist, with what permissions, and
//! how many pages they commit. The kernel does the page-table work this policy decides on.
//!
//! The layout is [`abi::layout`]'s: the program image (from `PROGRAM_BASE`), the heap from the page
//! after the image up to [`HEAP_LIMIT`] (`brk`), anonymous regions in [`MMAP_BASE`]..[`MMAP_LIMIT`]
//! (`mmap`, `munmap`), and the stack [`STACK_BASE`]..[`STACK_TOP`] with the never-mapped guard
//! page below it. Regions are page-aligned, half-open and never overlap.
//!
//! Choices:
//! - Commit accounting counts every page of every region: image pages when added, heap pages as
//!   `brk` grows, anonymous pages when mapped, and the whole stack region from the start (it has
//!   a fixed size). The limit is `max_pages`; growth past it is `ENOMEM`.
//! - Image segments that share a page are merged: the shared page gets the union of their
//!   permissions (linkers do not always page-align segments).
//! - `mmap` with WRITE implies READ (Sv39 reserves the PTE encoding W without R, and Linux on
//!   RISC-V does the same); EXEC alone and no permission at all (a reserved, inaccessible range)
//!   are allowed.
//!
//! - Shared-memory regions (`shm_map`) are committed like anonymous ones in every process that
//!   maps them (the object's frames are counted once more by the object table, `shm`).
//!
//! Left out: page tables, frames, file-backed mappings, `mprotect`, copy-on-write.

use abi::Errno;
use abi::layout::{HEAP_LIMIT, MMAP_BASE, MMAP_LIMIT, PAGE_SIZE, STACK_BASE, STACK_TOP, USER_BASE};
use abi::types::prot;
use alloc::vec::Vec;
use core::ops::Range;

/// Most pages one process may commit (32 MiB), under both kernels.
pub const MAX_PAGES: usize = 8192;

/// What a region allows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Perms {
    /// Loads.
    pub read: bool,
    /// Stores.
    pub write: bool,
    /// Instruction fetches.
    pub exec: bool,
}

impl Perms {
    /// Nothing allowed.
    pub const NONE: Perms = Perms {
        read: false,
        write: false,
        exec: false,
    };
    /// Read only.
    pub const R: Perms = Perms {
        read: true,
        write: false,
        exec: false,
    };
    /// Read and write.
    pub const RW: Perms = Perms {
        read: true,
        write: true,
        exec: false,
    };
    /// Read and execute.
    pub const RX: Perms = Perms {
        read: true,
        write: false,
        exec: true,
    };

    /// The permissions `mmap`'s `prot` asks for (WRITE implies READ); `None` for unknown bits.
    pub fn from_prot(bits: usize) -> Option<Perms> {
        if bits & !(prot::READ | prot::WRITE | prot::EXEC) != 0 {
            return None;
        }
        let p = Perms::from_bits(bits);
        Some(Perms {
            read: p.read || p.write,
            ..p
        })
    }

    /// Exactly the [`prot`] bits set in `bits` (others ignored): how a loaded segment's
    /// permissions travel between servers.
    pub fn from_bits(bits: usize) -> Perms {
        Perms {
            read: bits & prot::READ != 0,
            write: bits & prot::WRITE != 0,
            exec: bits & prot::EXEC != 0,
        }
    }

    /// The [`prot`] bits pages with these permissions are mapped with: WRITE implies READ
    /// (Sv39 reserves W without R).
    pub fn prot(self) -> usize {
        let mut bits = 0;
        if self.read || self.write {
            bits |= prot::READ;
        }
        if self.write {
            bits |= prot::WRITE;
        }
        if self.exec {
            bits |= prot::EXEC;
        }
        bits
    }

    /// Whether these permissions allow `access`.
    pub fn allows(self, access: Access) -> bool {
        match access {
            Access::Read => self.read,
            Access::Write => self.write,
            Access::Execute => self.exec,
        }
    }

    /// Everything either allows.
    pub fn union(self, other: Perms) -> Perms {
        Perms {
            read: self.read || other.read,
            write: self.write || other.write,
            exec: self.exec || other.exec,
        }
    }
}

/// A kind of memory access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A load.
    Read,
    /// A store (or an atomic).
    Write,
    /// An instruction fetch.
    Execute,
}

/// What a region is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionKind {
    /// A loaded ELF segment, mapped eagerly by the loader.
    Image,
    /// The `brk` heap, demand-zero.
    Heap,
    /// The stack, demand-zero.
    Stack,
    /// An anonymous `mmap` region, demand-zero.
    Anon,
    /// A shared-memory object's pages (`shm_map`), mapped eagerly by the kernel: never
    /// demand-zero, removed by `munmap` like an anonymous region.
    Shared,
}

/// A page-aligned range of the address space, `start..end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// What accesses are allowed.
    pub perms: Perms,
    /// What the region is for.
    pub kind: RegionKind,
}

impl Region {
    /// Whether `addr` lies in the region.
    pub fn contains(&self, addr: usize) -> bool {
        self.start <= addr && addr < self.end
    }

    fn pages(&self) -> usize {
        (self.end - self.start) / PAGE_SIZE
    }
}

/// `addr` rounded down to a page boundary.
fn page_down(addr: usize) -> usize {
    addr & !(PAGE_SIZE - 1)
}

/// `addr` rounded up to a page boundary, `None` on overflow.
fn page_up(addr: usize) -> Option<usize> {
    Some(addr.checked_add(PAGE_SIZE - 1)? & !(PAGE_SIZE - 1))
}

/// The memory policy of one address space.
#[derive(Clone, Debug)]
pub struct Vm {
    /// Sorted by `start`, non-overlapping. The heap is always present, possibly empty.
    regions: Vec<Region>,
    heap_start: usize,
    brk: usize,
    max_pages: usize,
    committed: usize,
}

impl Vm {
    /// An address space whose program image ends at `image_end` (the heap starts at the next page
    /// boundary, empty; an `image_end` past [`HEAP_LIMIT`] leaves no room for a heap), with the
    /// stack region [`STACK_BASE`]..[`STACK_TOP`] read/write, and a limit of `max_pages` pages
    /// committed. The stack's pages are committed from the start.
    pub fn new(image_end: usize, max_pages: usize) -> Vm {
        let heap_start = page_up(image_end).map_or(HEAP_LIMIT, |a| a.clamp(USER_BASE, HEAP_LIMIT));
        let heap = Region {
            start: heap_start,
            end: heap_start,
            perms: Perms::RW,
            kind: RegionKind::Heap,
        };
        let stack = Region {
            start: STACK_BASE,
            end: STACK_TOP,
            perms: Perms::RW,
            kind: RegionKind::Stack,
        };
        Vm {
            regions: alloc::vec![heap, stack],
            heap_start,
            brk: heap_start,
            max_pages,
            committed: stack.pages(),
        }
    }

    /// The policy of a program loaded up to `image_end` with `segments` (start, end,
    /// permissions), at the commit limit [`MAX_PAGES`]: what both kernels make at `spawn`.
    pub fn for_image(
        image_end: usize,
        segments: impl IntoIterator<Item = (usize, usize, Perms)>,
    ) -> Result<Vm, Errno> {
        let mut vm = Vm::new(image_end, MAX_PAGES);
        for (start, end, perms) in segments {
            vm.add_image(start, end, perms)?;
        }
        Ok(vm)
    }

    /// Adds a loaded ELF segment `start..end` (rounded outward to pages) with `perms`. It must lie
    /// in [`USER_BASE`]..[`Vm::heap_start`] (`EINVAL` otherwise, or if empty). Pages it shares with
    /// segments added before get the union of both permissions. `ENOMEM` past the commit limit.
    pub fn add_image(&mut self, start: usize, end: usize, perms: Perms) -> Result<(), Errno> {
        let (start, end) = (page_down(start), page_up(end).ok_or(Errno::Inval)?);
        if start >= end || start < USER_BASE || end > self.heap_start {
            return Err(Errno::Inval);
        }
        // Each page either joins an existing image region's page (union) or is new.
        let shared: usize = self
            .overlapping(start, end)
            .map(|r| r.end.min(end) - r.start.max(start))
            .sum();
        let new_pages = (end - start - shared) / PAGE_SIZE;
        self.commit(new_pages)?;
        let mut pieces: Vec<Region> = Vec::new();
        let mut cursor = start;
        for r in self.overlapping(start, end) {
            let (s, e) = (r.start.max(start), r.end.min(end));
            if cursor < s {
                pieces.push(Region {
                    start: cursor,
                    end: s,
                    perms,
                    kind: RegionKind::Image,
                });
            }
            pieces.push(Region {
                start: s,
                end: e,
                perms: r.perms.union(perms),
                kind: RegionKind::Image,
            });
            cursor = e;
        }
        if cursor < end {
            pieces.push(Region {
                start: cursor,
                end,
                perms,
                kind: RegionKind::Image,
            });
        }
        // Keep the parts of old image regions outside start..end, then add the pieces.
        let mut outside: Vec<Region> = Vec::new();
        self.regions.retain(|r| {
            if r.start >= end || r.end <= start {
                return true;
            }
            if r.start < start {
                outside.push(Region { end: start, ..*r });
            }
            if r.end > end {
                outside.push(Region { start: end, ..*r });
            }
            false
        });
        for r in outside.into_iter().chain(pieces) {
            self.insert(r);
        }
        Ok(())
    }

    /// The image regions overlapping `start..end` (only images live below the heap).
    fn overlapping(&self, start: usize, end: usize) -> impl Iterator<Item = Region> + '_ {
        self.regions
            .iter()
            .filter(move |r| r.start < end && start < r.end)
            .copied()
    }

    /// Inserts `r`, keeping the regions sorted; after any region starting at the same address
    /// (only the empty heap can), so lookups by address find `r`.
    fn insert(&mut self, r: Region) {
        let at = self.regions.partition_point(|x| x.start <= r.start);
        self.regions.insert(at, r);
    }

    /// Commits `pages` more pages, or `ENOMEM` past the limit.
    fn commit(&mut self, pages: usize) -> Result<(), Errno> {
        match self.committed.checked_add(pages) {
            Some(total) if total <= self.max_pages => {
                self.committed = total;
                Ok(())
            }
            _ => Err(Errno::NoMem),
        }
    }

    /// Where the heap starts (the page after the image).
    pub fn heap_start(&self) -> usize {
        self.heap_start
    }

    /// The heap's end, as `brk` last set it.
    pub fn brk(&self) -> usize {
        self.brk
    }

    /// `brk(end)`: `end == 0` → `Ok((current, None))`, no change. Otherwise grows or shrinks the
    /// heap to `end` (pages internally; the returned value is exactly `end`). `ENOMEM` if
    /// `end < heap_start`, `end > HEAP_LIMIT`, the heap would meet another region, or the commit
    /// limit would be exceeded. When shrinking frees pages, returns them for the kernel to unmap.
    pub fn set_brk(&mut self, end: usize) -> Result<(usize, Option<Range<usize>>), Errno> {
        if end == 0 {
            return Ok((self.brk, None));
        }
        if end < self.heap_start || end > HEAP_LIMIT {
            return Err(Errno::NoMem);
        }
        let top = page_up(end).ok_or(Errno::NoMem)?;
        let at = self.heap_index();
        let old_top = self.regions[at].end;
        let mut unmap = None;
        if top > old_top {
            let next_start = self.regions.get(at + 1).map_or(usize::MAX, |r| r.start);
            if top > next_start {
                return Err(Errno::NoMem);
            }
            self.commit((top - old_top) / PAGE_SIZE)?;
        } else if top < old_top {
            self.committed -= (old_top - top) / PAGE_SIZE;
            unmap = Some(top..old_top);
        }
        self.regions[at].end = top;
        self.brk = end;
        Ok((end, unmap))
    }

    /// The heap region's index (there is always exactly one).
    fn heap_index(&self) -> usize {
        self.regions
            .iter()
            .position(|r| r.kind == RegionKind::Heap)
            .expect("the heap region is always present")
    }

    /// `mmap(len, prot)`: a new anonymous demand-zero region of `len` bytes rounded up to pages,
    /// with permissions from `prot` ([`Perms::from_prot`]: WRITE implies READ), at the lowest
    /// address in [`MMAP_BASE`]..[`MMAP_LIMIT`] where it fits. `EINVAL` for `len` 0 or unknown
    /// `prot` bits; `ENOMEM` if no room or past the commit limit.
    pub fn mmap(&mut self, len: usize, prot: usize) -> Result<usize, Errno> {
        let perms = Perms::from_prot(prot).ok_or(Errno::Inval)?;
        if len == 0 {
            return Err(Errno::Inval);
        }
        let size = page_up(len).ok_or(Errno::NoMem)?;
        self.place(size, perms, RegionKind::Anon)
    }

    /// `shm_map` of an object of `pages` pages: a new read-write [`RegionKind::Shared`] region
    /// where `mmap` would put one; the kernel maps the object's frames there at once. `EINVAL`
    /// for 0 pages, `ENOMEM` if no room or past the commit limit.
    pub fn map_shared(&mut self, pages: usize) -> Result<usize, Errno> {
        if pages == 0 {
            return Err(Errno::Inval);
        }
        let size = pages.checked_mul(PAGE_SIZE).ok_or(Errno::NoMem)?;
        self.place(size, Perms::RW, RegionKind::Shared)
    }

    /// A new region of `size` bytes (page-aligned, non-zero) at the lowest address of
    /// [`MMAP_BASE`]..[`MMAP_LIMIT`] where it fits, committed.
    fn place(&mut self, size: usize, perms: Perms, kind: RegionKind) -> Result<usize, Errno> {
        let mut start = MMAP_BASE;
        for r in self
            .regions
            .iter()
            .filter(|r| r.end > MMAP_BASE && r.start < MMAP_LIMIT)
        {
            if r.start.saturating_sub(start) >= size {
                break;
            }
            start = start.max(r.end);
        }
        if MMAP_LIMIT.saturating_sub(start) < size {
            return Err(Errno::NoMem);
        }
        self.commit(size / PAGE_SIZE)?;
        self.insert(Region {
            start,
            end: start + size,
            perms,
            kind,
        });
        Ok(start)
    }

    /// `munmap(addr, len)`: removes `addr..addr + len` (rounded up to pages) from anonymous
    /// and shared regions, splitting them; holes in the range are fine. `EINVAL` if `addr` is not page
    /// aligned, `len` is 0, or the range leaves [`MMAP_BASE`]..[`MMAP_LIMIT`] or touches another
    /// kind of region. Returns the page ranges the kernel must unmap.
    pub fn munmap(&mut self, addr: usize, len: usize) -> Result<Vec<Range<usize>>, Errno> {
        if !addr.is_multiple_of(PAGE_SIZE) || len == 0 {
            return Err(Errno::Inval);
        }
        let end = page_up(len)
            .and_then(|l| addr.checked_add(l))
            .ok_or(Errno::Inval)?;
        if addr < MMAP_BASE || end > MMAP_LIMIT {
            return Err(Errno::Inval);
        }
        let hit = |r: &Region| r.start < end && addr < r.end;
        if self
            .regions
            .iter()
            .any(|r| hit(r) && !matches!(r.kind, RegionKind::Anon | RegionKind::Shared))
        {
            return Err(Errno::Inval);
        }
        let mut removed = Vec::new();
        let mut kept = Vec::new();
        self.regions.retain(|r| {
            if !hit(r) {
                return true;
            }
            let (s, e) = (r.start.max(addr), r.end.min(end));
            removed.push(s..e);
            if r.start < s {
                kept.push(Region { end: s, ..*r });
            }
            if e < r.end {
                kept.push(Region { start: e, ..*r });
            }
            false
        });
        for r in kept {
            self.insert(r);
        }
        self.committed -= removed.iter().map(|r| r.len() / PAGE_SIZE).sum::<usize>();
        Ok(removed)
    }

    /// A page fault at `addr` with `access`: `Some(perms)` if `addr` lies in a heap, stack or
    /// anonymous region allowing `access` (the kernel maps a zeroed page with `perms`); `None` if
    /// the access is a fault (kill the process). Image and shared regions are mapped eagerly,
    /// so a fault there is a permission violation; the stack guard page lies in no region.
    pub fn fault(&self, addr: usize, access: Access) -> Option<Perms> {
        let r = self.region(addr)?;
        let eager = matches!(r.kind, RegionKind::Image | RegionKind::Shared);
        (!eager && r.perms.allows(access)).then_some(r.perms)
    }

    /// Whether every byte of `addr..addr + len` lies in regions allowing `access` (for checking
    /// user pointers). `len` 0 is true; a range that wraps around is false.
    pub fn check(&self, addr: usize, len: usize, access: Access) -> bool {
        if len == 0 {
            return true;
        }
        let Some(end) = addr.checked_add(len) else {
            return false;
        };
        let mut at = addr;
        while at < end {
            match self.region(at) {
                Some(r) if r.perms.allows(access) => at = r.end,
                _ => return false,
            }
        }
        true
    }

    /// The region holding `addr`.
    pub fn region(&self, addr: usize) -> Option<&Region> {
        let at = self.regions.partition_point(|r| r.start <= addr);
        self.regions
            .get(at.checked_sub(1)?)
            .filter(|r| r.contains(addr))
    }

    /// Every non-empty region, by address.
    pub fn regions(&self) -> impl Iterator<Item = &Region> {
        self.regions.iter().filter(|r| r.start < r.end)
    }

    /// Pages committed: every page of every region.
    pub fn committed_pages(&self) -> usize {
        self.committed
    }

    /// The commit limit in pages.
    pub fn max_pages(&self) -> usize {
        self.max_pages
    }
}

#[cfg(test)]
mod tests;
