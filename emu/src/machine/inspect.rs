//! The debugger's window on the machine: CSRs, the privilege level, memory at virtual and
//! physical addresses, page walks, and the modeled TLBs and caches.
//!
//! Reads change nothing: no A/D bits, no modeled TLB or cache state, no counters, no device
//! side effects (only RAM is readable; device registers are refused, since reading a UART
//! register consumes input). Writes are changes the user asked for: memory writes go through
//! [`Machine::write_host`], which drops decoded instructions of the pages written (the same
//! coherence rule as a guest store to code); register and CSR writes have the CSR's
//! architectural side effects (a `satp` write flushes the TLBs as the instruction would). A run
//! whose state the debugger changed is, of course, not the undisturbed run any more.
//!
//! Virtual addresses are translated as the current translation would, permissions aside: bare
//! in M-mode (unless `mstatus.MPRV`) or with `satp.MODE` Bare, otherwise the Sv39 walk of the
//! current `satp`, which finds any valid leaf (a debugger stopped in the kernel reads user pages,
//! and one stopped in a user program reads the kernel).

use crate::hart::Privilege;
use crate::memmap::{PAGE_MASK, PAGE_SIZE};
use crate::mmu::sv39::{self, Step, Translation};
use crate::model::cache::Cache;
use crate::model::tlb::Tlb;
use crate::trap::{Access, Trap};

use super::Machine;
use super::observe::Peek;

impl Machine {
    /// Whether data accesses are translated now (not M-mode without MPRV, and `satp` not Bare).
    pub fn translation_active(&self) -> bool {
        !self.bare(self.data_privilege())
    }

    /// The Sv39 walk of `vaddr` under the current `satp`, as a debugger sees it (any valid leaf,
    /// nothing changed): each PTE read, and the translation or the fault.
    pub fn debug_walk(&self, vaddr: u64) -> (Vec<Step>, Result<Translation, Trap>) {
        let ctx = sv39::Context {
            satp: self.hart.csr.satp,
            mode: Privilege::Supervisor,
            sum: true,
            mxr: true,
            update_ad: false,
        };
        let mut steps = Vec::new();
        let r = sv39::walk(&mut Peek(&self.bus), vaddr, Access::Load, &ctx, |s| {
            steps.push(s)
        });
        (steps, r)
    }

    /// The physical address of virtual `vaddr` as a debugger sees it (see the module note), or
    /// `None` if nothing valid maps it.
    pub fn debug_translate(&self, vaddr: u64) -> Option<u64> {
        if !self.translation_active() {
            return Some(vaddr);
        }
        self.debug_walk(vaddr).1.ok().map(|t| t.paddr)
    }

    /// Reads RAM at virtual `vaddr` into `buf`, page by page; returns how many bytes were read
    /// before the first one that is unmapped or not RAM.
    pub fn debug_read(&self, vaddr: u64, buf: &mut [u8]) -> usize {
        let mut done = 0;
        while done < buf.len() {
            let va = vaddr.wrapping_add(done as u64);
            let chunk = ((PAGE_SIZE - (va & PAGE_MASK)) as usize).min(buf.len() - done);
            let Some(off) = self
                .debug_translate(va)
                .and_then(|pa| self.bus.ram_offset(pa, chunk as u64))
            else {
                break;
            };
            buf[done..done + chunk].copy_from_slice(&self.bus.ram[off..off + chunk]);
            done += chunk;
        }
        done
    }

    /// Writes `data` into RAM at virtual `vaddr`, page by page (decoded code of those pages is
    /// dropped); returns how many bytes were written before the first unmapped or non-RAM one.
    pub fn debug_write(&mut self, vaddr: u64, data: &[u8]) -> usize {
        let mut done = 0;
        while done < data.len() {
            let va = vaddr.wrapping_add(done as u64);
            let chunk = ((PAGE_SIZE - (va & PAGE_MASK)) as usize).min(data.len() - done);
            let Some(pa) = self
                .debug_translate(va)
                .filter(|&pa| self.bus.ram_offset(pa, chunk as u64).is_some())
            else {
                break;
            };
            self.write_host(pa, &data[done..done + chunk]);
            done += chunk;
        }
        done
    }

    /// Reads RAM at physical `paddr` into `buf`; false (nothing read) unless it is all RAM.
    pub fn read_physical(&self, paddr: u64, buf: &mut [u8]) -> bool {
        match self.bus.ram_offset(paddr, buf.len() as u64) {
            Some(off) => {
                buf.copy_from_slice(&self.bus.ram[off..off + buf.len()]);
                true
            }
            None => false,
        }
    }

    /// The value of CSR `csr` as an M-mode read would see it, changing nothing; `None` if the
    /// hart has no such CSR.
    pub fn debug_csr(&self, csr: u16) -> Option<u64> {
        self.csr_read(csr)
    }

    /// Writes CSR `csr` as an M-mode `csrw` would (with its side effects); false if there is no
    /// such CSR or it is read-only.
    pub fn debug_set_csr(&mut self, csr: u16, value: u64) -> bool {
        if csr >> 10 == 3 || self.csr_write(csr, value).is_none() {
            return false;
        }
        self.state_changed();
        true
    }

    /// Moves the hart to privilege `p` (a debugger's write of `$priv`).
    pub fn set_privilege(&mut self, p: Privilege) {
        if p != self.hart.privilege {
            self.stats.set_mode(p, self.retired, self.cycles());
            self.hart.privilege = p;
        }
        self.state_changed();
    }

    /// The modeled TLBs by name (`ITLB`, `DTLB`, `L2 TLB`); empty in functional mode.
    pub fn tlbs(&self) -> Vec<(&'static str, &Tlb)> {
        let Some(t) = self.timing.as_deref() else {
            return Vec::new();
        };
        let mut v = vec![("ITLB", &t.itlb), ("DTLB", &t.dtlb)];
        if let Some(l2) = &t.l2tlb {
            v.push(("L2 TLB", l2));
        }
        v
    }

    /// The modeled caches by name (`L1I`, `L1D`, `L2`); empty in functional mode.
    pub fn caches(&self) -> Vec<(&'static str, &Cache)> {
        let Some(t) = self.timing.as_deref() else {
            return Vec::new();
        };
        [("L1I", t.l1i()), ("L1D", t.l1d()), ("L2", t.l2())]
            .into_iter()
            .filter_map(|(n, c)| c.map(|c| (n, c)))
            .collect()
    }

    /// The ASID bits the machine implements (0 without ASIDs).
    pub fn asid_bits(&self) -> u32 {
        u32::from(self.asid_mask).count_ones()
    }
}
