//! Sv39 page tables (privileged spec 1.12, §4.4) and address spaces.
//!
//! ```text
//! virtual address  | 38..30 VPN[2] | 29..21 VPN[1] | 20..12 VPN[0] | 11..0 offset |
//! PTE              | 53..10 PPN | 9..8 RSW | D | A | G | U | X | W | R | V |
//! ```
//!
//! Every address space holds the kernel: the root's entries for VA 0..1 GiB (devices) and for RAM
//! (from 0x8000_0000) are global gigapages without the U bit, mapped 1:1, shared by all roots
//! (copied from the kernel's template root at creation). A trap therefore needs no `satp` switch.
//! User memory is `abi::layout::USER_BASE..USER_TOP`, root entry 1, in 4 KiB pages whose frames the
//! address space owns: unmapping or destroying frees them. Every leaf PTE written or cleared is
//! counted in the frame table ([`FrameAllocator::note_map`]), so a frame freed while mapped, or
//! mapped twice, stops the kernel with a clear message instead of leaking memory. User leaf PTEs
//! are written with A (and D when writable) already set, so no hardware A/D update is ever needed.
//!
//! Left out: shared user pages, copy-on-write, user superpages, and freeing intermediate tables
//! before the address space dies.

use core::sync::atomic::{AtomicUsize, Ordering};

use abi::Errno;
use bitflags::bitflags;

use crate::asid::Asids;
use crate::csr::{self, satp};
use crate::frame::{FRAME_SIZE, FrameAllocator};

bitflags! {
    /// PTE flag bits.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct PteFlags: u64 {
        /// Valid.
        const V = 1 << 0;
        /// Readable.
        const R = 1 << 1;
        /// Writable.
        const W = 1 << 2;
        /// Executable.
        const X = 1 << 3;
        /// Accessible to U-mode.
        const U = 1 << 4;
        /// Global: in every address space.
        const G = 1 << 5;
        /// Accessed.
        const A = 1 << 6;
        /// Dirty.
        const D = 1 << 7;
    }
}

/// Entries per table.
const ENTRIES: usize = 512;
/// Bytes a root entry covers (a gigapage).
const GIGAPAGE: usize = 1 << 30;
/// PPN field of a PTE.
const PTE_PPN_SHIFT: u32 = 10;
const PTE_PPN_MASK: u64 = (1 << 44) - 1;

/// The kernel's template root (0 before [`init_kernel`]).
static KERNEL_ROOT: AtomicUsize = AtomicUsize::new(0);

fn vpn(va: usize, level: usize) -> usize {
    (va >> (12 + 9 * level)) & (ENTRIES - 1)
}

fn pte_addr(pte: u64) -> usize {
    (((pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK) << 12) as usize
}

fn make_pte(pa: usize, flags: PteFlags) -> u64 {
    ((pa as u64 >> 12) << PTE_PPN_SHIFT) | flags.bits()
}

fn is_leaf(pte: u64) -> bool {
    pte & (PteFlags::R | PteFlags::W | PteFlags::X).bits() != 0
}

/// A user page's PTE flags from the permissions asked for: valid, user and accessed always, and
/// dirty with write (klab's kernels never rely on hardware A/D updates).
fn user_flags(flags: PteFlags) -> PteFlags {
    let mut flags = flags | PteFlags::V | PteFlags::U | PteFlags::A;
    if flags.contains(PteFlags::W) {
        flags |= PteFlags::D;
    }
    flags
}

/// The table at physical `pa` (RAM is mapped 1:1).
///
/// # Safety
/// `pa` is a page-table frame owned by the caller's address space (or the kernel template), and
/// no other reference to it is live.
unsafe fn table<'a>(pa: usize) -> &'a mut [u64; ENTRIES] {
    // Safety: forwarded to the caller; frames are 4 KiB aligned, as the array needs.
    unsafe { &mut *(pa as *mut [u64; ENTRIES]) }
}

/// Builds the kernel's template root: devices (VA 0..1 GiB, read/write) and `ram` (read, write,
/// execute), as global gigapages. Returns the root's physical address.
pub fn init_kernel(
    frames: &mut FrameAllocator,
    ram: core::ops::Range<usize>,
) -> Result<usize, Errno> {
    let root = frames.alloc().ok_or(Errno::NoMem)?;
    // Safety: a fresh frame, ours.
    let t = unsafe { table(root) };
    let kernel = PteFlags::V | PteFlags::G | PteFlags::A | PteFlags::D;
    t[0] = make_pte(0, kernel | PteFlags::R | PteFlags::W);
    let first = ram.start / GIGAPAGE;
    let last = ram.end.div_ceil(GIGAPAGE);
    for (gb, entry) in t.iter_mut().enumerate().take(last).skip(first) {
        *entry = make_pte(
            gb * GIGAPAGE,
            kernel | PteFlags::R | PteFlags::W | PteFlags::X,
        );
    }
    KERNEL_ROOT.store(root, Ordering::Relaxed);
    Ok(root)
}

/// The kernel template's `satp` value (ASID 0).
pub fn kernel_satp() -> u64 {
    satp::MODE_SV39 | (KERNEL_ROOT.load(Ordering::Relaxed) as u64 >> 12)
}

/// Switches to the kernel's template root (before destroying the current address space).
pub fn activate_kernel() {
    // Safety: the template maps the kernel exactly as every address space does.
    unsafe { csr::write_satp(kernel_satp()) };
    csr::sfence_vma_all();
}

/// Whether a user leaf with `flags` lets a user-mode `access` through: `U` and the access's own
/// permission bit (privileged spec §4.3.2 step 5; neither kernel sets `SUM` nor `MXR`). The one
/// check both kernels make before they touch user memory on a program's behalf.
#[inline]
pub fn user_allows(flags: PteFlags, access: crate::trap::Access) -> bool {
    use crate::trap::Access;
    let need = match access {
        Access::Read => PteFlags::R,
        Access::Write => PteFlags::W,
        Access::Execute => PteFlags::X,
    };
    flags.contains(need | PteFlags::U)
}

/// The leaf flags for pages mapped with [`abi::types::prot`] bits (WRITE implies READ: Sv39
/// reserves W without R).
pub fn prot_flags(bits: usize) -> PteFlags {
    use abi::types::prot;
    let mut f = PteFlags::empty();
    if bits & (prot::READ | prot::WRITE) != 0 {
        f |= PteFlags::R;
    }
    if bits & prot::WRITE != 0 {
        f |= PteFlags::W;
    }
    if bits & prot::EXEC != 0 {
        f |= PteFlags::X;
    }
    f
}

/// A user address space: its root table and its ASID.
pub struct AddressSpace {
    root: usize,
    asid: u16,
    asid_generation: u64,
    /// The `satp` value that activates it: valid while its ASID is of the current generation
    /// (always, without ASIDs), so a switch is a load and a CSR write.
    satp: u64,
}

/// The `satp` value for `root` with `asid`.
fn satp_value(root: usize, asid: u16) -> u64 {
    satp::MODE_SV39 | (u64::from(asid) << satp::ASID_SHIFT) | (root as u64 >> 12)
}

impl AddressSpace {
    /// A new address space holding only the kernel.
    pub fn new(frames: &mut FrameAllocator) -> Result<AddressSpace, Errno> {
        let root = frames.alloc().ok_or(Errno::NoMem)?;
        let template = KERNEL_ROOT.load(Ordering::Relaxed);
        // Safety: `root` is fresh; the template is only read.
        unsafe { table(root).copy_from_slice(table(template)) };
        Ok(AddressSpace {
            root,
            asid: 0,
            asid_generation: 0,
            satp: satp_value(root, 0),
        })
    }

    /// The root table's physical address.
    pub fn root(&self) -> usize {
        self.root
    }

    /// The ASID last assigned (0 without ASIDs).
    pub fn asid(&self) -> u16 {
        self.asid
    }

    /// Makes this the current address space (`satp`), assigning an ASID first if it has none of
    /// the current generation. Without ASIDs, every switch is followed by a full `sfence.vma`.
    #[inline(always)]
    pub fn activate(&mut self, asids: &mut Asids) {
        // Read once: the `satp` write below is a barrier to the compiler, which would load it
        // again after it.
        let tagged = asids.bits() != 0;
        if tagged && !asids.is_current(self.asid_generation) {
            self.assign_asid(asids);
        }
        // Safety: the root maps the kernel as every address space does, so execution goes on.
        unsafe { csr::write_satp(self.satp) };
        if !tagged {
            csr::sfence_vma_all();
        }
    }

    /// Gives this space an ASID of the current generation. Inlined: a call on the switch path,
    /// even one not taken, makes the compiler spill what lives across it on every switch.
    #[inline(always)]
    fn assign_asid(&mut self, asids: &mut Asids) {
        self.asid = asids.assign(self.asid, &mut self.asid_generation);
        self.satp = satp_value(self.root, self.asid);
    }

    /// The leaf PTE slot for `va`, allocating tables on the way when `frames` is given.
    fn slot(
        &mut self,
        va: usize,
        frames: Option<&mut FrameAllocator>,
    ) -> Result<Option<&mut u64>, Errno> {
        let mut frames = frames;
        let mut t = self.root;
        for level in [2, 1] {
            // Safety: `t` is one of this address space's tables.
            let entry = unsafe { &mut table(t)[vpn(va, level)] };
            if *entry & PteFlags::V.bits() == 0 {
                let Some(f) = frames.as_deref_mut() else {
                    return Ok(None);
                };
                let new = f.alloc().ok_or(Errno::NoMem)?;
                *entry = make_pte(new, PteFlags::V);
            } else if is_leaf(*entry) {
                // A kernel gigapage: never user memory.
                return Err(Errno::Fault);
            }
            t = pte_addr(*entry);
        }
        // Safety: `t` is this address space's level-0 table.
        Ok(Some(unsafe { &mut table(t)[vpn(va, 0)] }))
    }

    /// Maps the page at `va` to frame `pa` with `flags` (U, A and D are added as appropriate).
    /// The frame now belongs to this address space. `EEXIST` if the page is mapped already.
    pub fn map(
        &mut self,
        frames: &mut FrameAllocator,
        va: usize,
        pa: usize,
        flags: PteFlags,
    ) -> Result<(), Errno> {
        self.map_counted(frames, va, pa, flags, |f, pa| {
            f.note_map(pa);
            true
        })
    }

    /// Maps the page at `va` to frame `pa`, which is mapped elsewhere already and stays so (a
    /// shared page: the frame table counts one more mapping), with `flags` as in
    /// [`map`](Self::map). `EEXIST` if the page is mapped already, `ENOMEM` if the frame cannot
    /// take one more mapping (or is not a mapped pool frame).
    pub fn map_shared(
        &mut self,
        frames: &mut FrameAllocator,
        va: usize,
        pa: usize,
        flags: PteFlags,
    ) -> Result<(), Errno> {
        self.map_counted(frames, va, pa, flags, FrameAllocator::note_share)
    }

    /// [`map`](Self::map) and [`map_shared`](Self::map_shared): the page at `va` becomes `pa`
    /// once `note` has counted the mapping in the frame table (`false`: refused, `ENOMEM`).
    #[inline(always)]
    fn map_counted(
        &mut self,
        frames: &mut FrameAllocator,
        va: usize,
        pa: usize,
        flags: PteFlags,
        note: impl FnOnce(&mut FrameAllocator, usize) -> bool,
    ) -> Result<(), Errno> {
        let flags = user_flags(flags);
        let slot = self.slot(va, Some(frames))?.ok_or(Errno::NoMem)?;
        if *slot & PteFlags::V.bits() != 0 {
            return Err(Errno::Exist);
        }
        if !note(frames, pa) {
            return Err(Errno::NoMem);
        }
        *slot = make_pte(pa, flags);
        Ok(())
    }

    /// Changes the permissions of the mapped page at `va` (U, A, D as in [`map`](Self::map)).
    pub fn protect(&mut self, va: usize, flags: PteFlags) -> Result<(), Errno> {
        let flags = user_flags(flags);
        let slot = self.slot(va, None)?.ok_or(Errno::Fault)?;
        if *slot & PteFlags::V.bits() == 0 {
            return Err(Errno::Fault);
        }
        *slot = make_pte(pte_addr(*slot), flags);
        Ok(())
    }

    /// Unmaps the page at `va`, returning its frame (now the caller's: counted unmapped in
    /// `frames`, not freed). `None` if the page was not mapped. The caller fences.
    pub fn unmap(&mut self, frames: &mut FrameAllocator, va: usize) -> Option<usize> {
        let slot = self.slot(va, None).ok()??;
        if *slot & PteFlags::V.bits() == 0 {
            return None;
        }
        let pa = pte_addr(*slot);
        *slot = 0;
        frames.note_unmap(pa);
        Some(pa)
    }

    /// Unmaps every mapped page of `range` (page-aligned), fencing each, and frees each frame
    /// once no page table maps it (a frame outside the pool is only unmapped); the pages
    /// unmapped. Pages never mapped cost a PTE load each, and a whole missing table is skipped
    /// at once, so a large range that was hardly touched is cheap.
    pub fn release_range(
        &mut self,
        frames: &mut FrameAllocator,
        asids: &Asids,
        range: core::ops::Range<usize>,
    ) -> usize {
        let mut released = 0;
        let mut va = range.start;
        while va < range.end {
            // The level-0 table covering `va`, and where it stops covering.
            let table_end = (va | ((1 << (12 + 9)) - 1))
                .saturating_add(1)
                .min(range.end);
            // Safety: the root and the tables below it are this address space's.
            let root = unsafe { table(self.root) }[vpn(va, 2)];
            if root & PteFlags::V.bits() == 0 || is_leaf(root) {
                // No user table here (or a kernel gigapage): nothing of the gigabyte is mapped.
                va = (va | (GIGAPAGE - 1)).saturating_add(1);
                continue;
            }
            // Safety: as above.
            let mid = unsafe { table(pte_addr(root)) }[vpn(va, 1)];
            if mid & PteFlags::V.bits() == 0 || is_leaf(mid) {
                va = table_end;
                continue;
            }
            // Safety: as above; the level-0 table is this address space's.
            let leaves = unsafe { table(pte_addr(mid)) };
            while va < table_end {
                let slot = &mut leaves[vpn(va, 0)];
                if *slot & PteFlags::V.bits() != 0 {
                    let pa = pte_addr(*slot);
                    *slot = 0;
                    self.fence(va, asids);
                    frames.unmap_and_free(pa);
                    released += 1;
                }
                va += PAGE_SIZE;
            }
        }
        released
    }

    /// The frame and flags of the page at `va`, if mapped.
    pub fn lookup(&mut self, va: usize) -> Option<(usize, PteFlags)> {
        let slot = self.slot(va, None).ok()??;
        let pte = *slot;
        (pte & PteFlags::V.bits() != 0).then(|| (pte_addr(pte), PteFlags::from_bits_truncate(pte)))
    }

    /// Drops every cached translation of `va` in this address space.
    pub fn fence(&self, va: usize, asids: &Asids) {
        if asids.bits() == 0 {
            csr::sfence_vma(va, None);
        } else {
            csr::sfence_vma(va, Some(self.asid));
        }
    }

    /// Frees every user page, every table and the root. The address space must not be current
    /// (see [`activate_kernel`]).
    pub fn destroy(self, frames: &mut FrameAllocator) {
        let template = KERNEL_ROOT.load(Ordering::Relaxed);
        // Safety: the root and the tables below it are this address space's, and it is not in
        // use; the template is only read.
        unsafe {
            let root = table(self.root);
            let kernel = table(template);
            for (i, &entry) in root.iter().enumerate() {
                if entry & PteFlags::V.bits() != 0 && entry != kernel[i] {
                    free_tree(frames, pte_addr(entry), 1);
                }
            }
            frames.free(self.root);
        }
    }
}

/// Frees the table at `pa` (at `level`), its subtables and the user frames they map.
///
/// # Safety
/// The tree is owned by a dead address space.
unsafe fn free_tree(frames: &mut FrameAllocator, pa: usize, level: usize) {
    // Safety: forwarded to the caller.
    let t = unsafe { table(pa) };
    for &entry in t.iter() {
        if entry & PteFlags::V.bits() == 0 {
            continue;
        }
        let pa = pte_addr(entry);
        if level == 0 || is_leaf(entry) {
            // A user page: freed once nothing maps it (frames outside the pool never are).
            frames.unmap_and_free(pa);
        } else {
            // Safety: every table below a dead user tree belongs to it.
            unsafe { free_tree(frames, pa, level - 1) };
        }
    }
    // Safety: the table itself is the tree's.
    unsafe { frames.free(pa) };
}

/// Bytes in a page.
pub const PAGE_SIZE: usize = FRAME_SIZE;
