//! Data accesses: the fast path through the host TLB, and the slow path that translates
//! (Sv39 walk or bare), applies PMP, fills the host TLB, splits page-crossing accesses and
//! reaches devices.
//!
//! Misaligned loads and stores are performed, as QEMU does for ordinary loads and stores; an
//! access that crosses a page is translated page by page, both pages before any byte moves, so
//! a fault on the second page (reported at the page boundary) leaves memory untouched.
//! AMOs and LR/SC require natural alignment (see `execute`).
//!
//! Every write into RAM that is not a guest fast-path store goes through [`Machine::write_phys`]
//! or [`Machine::write_host`], which keep the decode cache coherent and notice HTIF's `tohost`.
//!
//! In timing mode a slow-path access is modeled line by line (`model_data`): an access that
//! crosses a cache line inside a page looks up (and fills) both lines, and a page-crossing one
//! is two translations and a lookup per line of each part. A block books one L1D access per
//! load, store or AMO when it is entered (the fast path's single lookup); the slow path books
//! the difference, so `l1d_accesses` counts exactly the lookups made (none for a device, which
//! is uncached). An access that faults after its lookups keeps them: the trap takes back the
//! instruction's booked access, so the fault path books it again (`data_fault`).

use crate::bus::page_flag;
use crate::hart::Privilege;
use crate::hart::csr::{mstatus, satp};
use crate::memmap::{
    CLINT_BASE, CLINT_SIZE, PAGE_MASK, PAGE_SIZE, RTC_BASE, RTC_SIZE, TEST_BASE, TEST_SIZE,
};
use crate::mmu::htlb::{HostTlb, slot};
use crate::mmu::sv39::{self, PteMemory};

use super::timing::slot_tag;
use crate::trap::{Access, Trap};

use super::Machine;

/// `N` little-endian bytes as a `u64`.
#[inline(always)]
pub(crate) fn from_le<const N: usize>(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a[..N].copy_from_slice(&b[..N]);
    u64::from_le_bytes(a)
}

/// A page-crossing access, translated: `n1` bytes at `p1`, the rest at `p2` (virtual `v2`).
struct SplitAccess {
    p1: u64,
    n1: u64,
    v2: u64,
    p2: u64,
    size: u64,
}

impl SplitAccess {
    /// Each byte's index, physical address and virtual address of its part (for faults).
    fn bytes(&self) -> impl Iterator<Item = (u64, u64, u64)> + use<> {
        let (p1, n1, v2, p2, size) = (self.p1, self.n1, self.v2, self.p2, self.size);
        let v1 = v2.wrapping_sub(n1);
        (0..size).map(move |k| {
            if k < n1 {
                (k, p1 + k, v1)
            } else {
                (k, p2 + (k - n1), v2)
            }
        })
    }
}

/// The walker's view of physical memory: PTEs live in RAM, PMP-checked as S-mode accesses
/// (privileged spec §3.7.1: implicit page-table accesses have effective privilege S). In timing
/// mode each PTE access also goes through the modeled L1D and L2.
pub(crate) struct Walker<'a>(pub &'a mut Machine);

impl PteMemory for Walker<'_> {
    fn read_pte(&mut self, addr: u64) -> Option<u64> {
        let m = &mut *self.0;
        if !m.pmp.check(addr, 8, Access::Load, Privilege::Supervisor) {
            return None;
        }
        let off = m.bus.ram_offset(addr, 8)?;
        m.model_data_access(addr, false, true);
        Some(m.bus.ram_read(off, 8))
    }

    fn write_pte(&mut self, addr: u64, pte: u64) -> Option<()> {
        let m = &mut *self.0;
        if !m.pmp.check(addr, 8, Access::Store, Privilege::Supervisor) {
            return None;
        }
        m.bus.ram_offset(addr, 8)?;
        m.model_data_access(addr, true, true);
        m.write_phys(addr, 8, pte)
    }
}

impl Machine {
    /// The privilege data accesses are translated and protected with: MPP when M-mode has
    /// `mstatus.MPRV` set, else the current privilege.
    pub(crate) fn data_privilege(&self) -> Privilege {
        let p = self.hart.privilege;
        let status = self.hart.csr.mstatus;
        if p == Privilege::Machine && status & mstatus::MPRV != 0 {
            Privilege::from_bits(status >> mstatus::MPP_SHIFT)
        } else {
            p
        }
    }

    /// Loads `N` bytes at virtual `vaddr` through the host TLB, if it has the page and the
    /// access stays within it.
    #[inline(always)]
    pub(crate) fn load_fast<const N: usize>(&self, vaddr: u64) -> Option<u64> {
        let e = self.htlb.read[self.dmode & 3][slot(vaddr)];
        // A naturally aligned access stays within its page; others take the slow path.
        if e.tag == self.htlb.tag(vaddr) && vaddr & (N as u64 - 1) == 0 {
            let i = (e.value + (vaddr & PAGE_MASK)) as usize;
            return self.bus.ram.get(i..i + N).map(from_le::<N>);
        }
        None
    }

    /// Stores the low `N` bytes of `value` at virtual `vaddr` through the host TLB, if it has
    /// the page and the access stays within it; returns whether it did.
    #[inline(always)]
    pub(crate) fn store_fast<const N: usize>(&mut self, vaddr: u64, value: u64) -> bool {
        let e = self.htlb.write[self.dmode & 3][slot(vaddr)];
        if e.tag == self.htlb.tag(vaddr) && vaddr & (N as u64 - 1) == 0 {
            let i = (e.value + (vaddr & PAGE_MASK)) as usize;
            if let Some(b) = self.bus.ram.get_mut(i..i + N) {
                b.copy_from_slice(&value.to_le_bytes()[..N]);
                return true;
            }
        }
        false
    }

    /// Reads `N` naturally aligned bytes at `vaddr`, writes back `f(old)`, returns `old`: the
    /// body of AMOs and SC. Needs store permission; takes the write fast path when it can.
    pub(crate) fn read_modify_write<const N: usize>(
        &mut self,
        vaddr: u64,
        f: impl FnOnce(u64) -> u64,
    ) -> Result<u64, Trap> {
        let e = self.htlb.write[self.dmode & 3][slot(vaddr)];
        if self.timing.is_none() && e.tag == self.htlb.tag(vaddr) {
            let i = (e.value + (vaddr & PAGE_MASK)) as usize;
            if let Some(b) = self.bus.ram.get_mut(i..i + N) {
                let old = from_le::<N>(b);
                b.copy_from_slice(&f(old).to_le_bytes()[..N]);
                return Ok(old);
            }
        }
        let paddr = match self.timed_held_translation(vaddr, true) {
            Some(paddr) => paddr,
            None => self.translate_data(vaddr, N as u64, Access::Store)?,
        };
        let lookups = self.model_data(paddr, N as u64, true);
        self.book_data_lookups(lookups);
        let fault = Access::Store.access_fault(vaddr);
        let Some(old) = self.read_phys(paddr, N as u64) else {
            return Err(self.data_fault(fault));
        };
        if self.write_phys(paddr, N as u64, f(old)).is_none() {
            return Err(self.data_fault(fault));
        }
        Ok(old)
    }

    #[inline(never)]
    pub(crate) fn load_slow(&mut self, vaddr: u64, size: u64) -> Result<u64, Trap> {
        if self.debug.watching() {
            self.watch_before(vaddr, size, true, false)?;
        }
        if (vaddr & PAGE_MASK) + size > PAGE_SIZE {
            let parts = self.translate_split(vaddr, size, Access::Load)?;
            let mut v = 0;
            for (k, pa, va) in parts.bytes() {
                match self.read_phys(pa, 1) {
                    Some(b) => v |= b << (8 * k),
                    None => return Err(self.data_fault(Access::Load.access_fault(va))),
                }
            }
            return Ok(v);
        }
        let paddr = match self.timed_held_translation(vaddr, false) {
            Some(paddr) => paddr,
            None => self.translate_data(vaddr, size, Access::Load)?,
        };
        let lookups = self.model_data(paddr, size, false);
        self.book_data_lookups(lookups);
        match self.read_phys(paddr, size) {
            Some(v) => Ok(v),
            None => Err(self.data_fault(Access::Load.access_fault(vaddr))),
        }
    }

    #[inline(never)]
    pub(crate) fn store_slow(&mut self, vaddr: u64, size: u64, value: u64) -> Result<(), Trap> {
        if self.debug.watching() {
            self.watch_before(vaddr, size, false, true)?;
        }
        if (vaddr & PAGE_MASK) + size > PAGE_SIZE {
            // Byte by byte, in address order, as QEMU stores a page-crossing access.
            let parts = self.translate_split(vaddr, size, Access::Store)?;
            for (k, pa, va) in parts.bytes() {
                if self.write_phys(pa, 1, value >> (8 * k)).is_none() {
                    return Err(self.data_fault(Access::Store.access_fault(va)));
                }
            }
            return Ok(());
        }
        let paddr = match self.timed_held_translation(vaddr, true) {
            Some(paddr) => paddr,
            None => self.translate_data(vaddr, size, Access::Store)?,
        };
        let lookups = self.model_data(paddr, size, true);
        self.book_data_lookups(lookups);
        match self.write_phys(paddr, size, value) {
            Some(()) => Ok(()),
            None => Err(self.data_fault(Access::Store.access_fault(vaddr))),
        }
    }

    /// Translates both pages of a page-crossing access. A fault in the second part reports
    /// the address where that part starts (the page boundary), as QEMU does.
    fn translate_split(
        &mut self,
        vaddr: u64,
        size: u64,
        access: Access,
    ) -> Result<SplitAccess, Trap> {
        let n1 = PAGE_SIZE - (vaddr & PAGE_MASK);
        let p1 = self.translate_data(vaddr, n1, access)?;
        let v2 = vaddr.wrapping_add(n1);
        let p2 = self.translate_data(v2, size - n1, access)?;
        // Each part is an access to the data hierarchy, in address order.
        let write = access == Access::Store;
        let lookups = self.model_data(p1, n1, write) + self.model_data(p2, size - n1, write);
        self.book_data_lookups(lookups);
        Ok(SplitAccess {
            p1,
            n1,
            v2,
            p2,
            size,
        })
    }

    /// Translates a data access of `size` bytes within one page, checks PMP, and fills the
    /// host TLB when the page qualifies (never under `--check-tlb`, which must see every use).
    /// Faults carry `vaddr`.
    pub(crate) fn translate_data(
        &mut self,
        vaddr: u64,
        size: u64,
        access: Access,
    ) -> Result<u64, Trap> {
        let mode = self.data_privilege();
        let (paddr, slot) = self.translate(vaddr, access, mode)?;
        let page = paddr & !PAGE_MASK;
        match self.pmp.page_permission(page, access, mode) {
            Some(false) => return Err(access.access_fault(vaddr)),
            Some(true) => {
                let checking = self.timing.as_deref().is_some_and(|t| t.check_tlb);
                // Stores to CODE and WATCH pages, and loads from WATCH pages while a debugger
                // watches loads, must take the slow path.
                if let Some(off) = self.bus.ram_offset(page, PAGE_SIZE)
                    && !checking
                    && (access != Access::Store || self.bus.page_flags(off) == 0)
                    && (access != Access::Load
                        || !self.debug.watch_loads
                        || self.bus.page_flags(off) & page_flag::WATCH == 0)
                {
                    let tag = self.htlb.tag(vaddr);
                    let value = off as u64 | slot_tag(slot);
                    let table = match access {
                        Access::Store => &mut self.htlb.write,
                        _ => &mut self.htlb.read,
                    };
                    HostTlb::fill(table, tag, self.dmode, vaddr, value);
                    if access == Access::Load
                        && self.bus.page_flags(off) == 0
                        && self.store_would_pass(page, slot, mode)
                    {
                        HostTlb::fill(&mut self.htlb.write, tag, self.dmode, vaddr, value);
                    }
                }
            }
            None => {
                if !self.pmp.check(paddr, size, access, mode) {
                    return Err(access.access_fault(vaddr));
                }
            }
        }
        Ok(paddr)
    }

    /// Whether a store to the page just translated for a load (physical `page`, DTLB `slot`)
    /// in privilege `mode` would take the same translation and pass every check of the slow
    /// path, so that a load can fill the host TLB's write table too (`translate_data`) and
    /// the page's first store skips the slow path. So it is when PMP lets `mode` store to the
    /// whole page, and the translation is bare, or (timing mode) the DTLB entry it came from
    /// permits the store and has A and D set: a store's `translate_timed` then hits the same
    /// entry and makes the same model changes as the fast path's DTLB hit. Not in functional
    /// mode under Sv39, whose walk keeps no PTE.
    fn store_would_pass(&self, page: u64, slot: Option<usize>, mode: Privilege) -> bool {
        use crate::mmu::sv39::pte;
        if self.pmp.page_permission(page, Access::Store, mode) != Some(true) {
            return false;
        }
        if self.bare(mode) {
            return true;
        }
        let (Some(t), Some(slot)) = (self.timing.as_deref(), slot) else {
            return false;
        };
        let Some(e) = t.dtlb.at(slot) else {
            return false;
        };
        let ctx = self.sv39_context(mode);
        sv39::permits(e.pte, Access::Store, &ctx) && e.pte & (pte::A | pte::D) == pte::A | pte::D
    }

    /// Whether accesses in privilege `mode` are untranslated: M-mode, or `satp` Bare.
    pub(super) fn bare(&self, mode: Privilege) -> bool {
        mode == Privilege::Machine || self.hart.csr.satp >> satp::MODE_SHIFT == satp::MODE_BARE
    }

    /// What an Sv39 walk or a TLB entry's check under the current `satp` in privilege `mode`
    /// needs of `mstatus` (SUM, MXR); the walk sets A and D.
    pub(super) fn sv39_context(&self, mode: Privilege) -> sv39::Context {
        let status = self.hart.csr.mstatus;
        sv39::Context {
            satp: self.hart.csr.satp,
            mode,
            sum: status & mstatus::SUM != 0,
            mxr: status & mstatus::MXR != 0,
            update_ad: true,
        }
    }

    /// Virtual to physical for an access in privilege `mode`: bare in M-mode or when
    /// `satp.MODE` is Bare, else the Sv39 walk (which sets A/D) — in timing mode through the
    /// modeled TLBs, whose slot is returned too.
    pub(crate) fn translate(
        &mut self,
        vaddr: u64,
        access: Access,
        mode: Privilege,
    ) -> Result<(u64, Option<usize>), Trap> {
        if self.bare(mode) {
            return Ok((vaddr, None));
        }
        let ctx = self.sv39_context(mode);
        if self.timing.is_some() {
            return self.translate_timed(vaddr, access, &ctx);
        }
        sv39::walk(&mut Walker(self), vaddr, access, &ctx, |_| {}).map(|t| (t.paddr, None))
    }

    /// Reads `size` bytes at physical `paddr` from RAM or a device.
    pub(crate) fn read_phys(&mut self, paddr: u64, size: u64) -> Option<u64> {
        if let Some(off) = self.bus.ram_offset(paddr, size) {
            return Some(self.bus.ram_read(off, size));
        }
        let v = self.bus.mmio_read(paddr, size, self.cycles());
        self.after_mmio(paddr, false);
        v
    }

    /// Writes `size` bytes at physical `paddr` to RAM or a device, keeping the decode cache
    /// coherent and passing `tohost` writes to HTIF.
    pub(crate) fn write_phys(&mut self, paddr: u64, size: u64, value: u64) -> Option<()> {
        if let Some(off) = self.bus.ram_offset(paddr, size) {
            let flags = self.bus.page_flags(off) | self.bus.page_flags(off + size as usize - 1);
            if flags & page_flag::CODE != 0 {
                let last = off + size as usize - 1;
                let split = (last & !(PAGE_MASK as usize)).max(off);
                if split > off {
                    self.store_code(off, split - off);
                }
                self.store_code(split, last + 1 - split);
            }
            self.bus.ram_write(off, size, value);
            if flags & page_flag::WATCH != 0 {
                self.htif_store(paddr, size);
            }
            return Some(());
        }
        let r = self.bus.mmio_write(paddr, size, value, self.cycles());
        self.after_mmio(paddr, true);
        r
    }

    /// Copies `data` into RAM at physical `paddr` on the host's behalf (loader, HTIF,
    /// debugger), keeping the decode cache coherent. Bytes outside RAM are dropped.
    pub fn write_host(&mut self, paddr: u64, data: &[u8]) {
        let Some(off) = self.bus.ram_offset(paddr, data.len() as u64) else {
            return;
        };
        let mut page = off & !(PAGE_MASK as usize);
        while page < off + data.len() {
            if self.bus.page_flags(page) & page_flag::CODE != 0 {
                self.invalidate_code(page);
            }
            page += PAGE_SIZE as usize;
        }
        self.bus.ram[off..off + data.len()].copy_from_slice(data);
    }

    /// Device state may have changed: resample the interrupt lines, and end the slice if they
    /// changed, or if the write went to the CLINT (the timer deadline may have moved) or the
    /// finisher (the guest may have asked to exit). Both are handled between slices.
    fn after_mmio(&mut self, paddr: u64, write: bool) {
        let before = self.mip_hw;
        self.sample_irqs();
        let control = (CLINT_BASE..CLINT_BASE + CLINT_SIZE).contains(&paddr)
            || (TEST_BASE..TEST_BASE + TEST_SIZE).contains(&paddr)
            || (RTC_BASE..RTC_BASE + RTC_SIZE).contains(&paddr);
        if self.mip_hw != before || (write && control) {
            self.stop_slice();
        }
    }
}
