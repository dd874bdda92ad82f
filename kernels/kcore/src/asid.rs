//! Address-space identifiers: how many `satp.ASID` bits the hart has (probed at boot, WARL), and
//! their assignment by generations. ASID 0 is the kernel template's. Address spaces get the next
//! free ASID the first time they are activated in a generation; when none is left, a new
//! generation starts with one full `sfence.vma`, so an ASID never carries another address space's
//! translations. Without ASID bits everything is ASID 0 and every switch flushes (crate::vm).

use crate::csr::{self, satp};

/// The ASID allocator.
pub struct Asids {
    bits: u32,
    next: u32,
    generation: u64,
}

impl Asids {
    /// Probes the hart's ASID width by writing all ones to `satp.ASID` with the kernel root
    /// (`kernel_satp`) and reading back; leaves `satp` = `kernel_satp`.
    pub fn probe(kernel_satp: u64) -> Asids {
        // Safety: both values map the kernel (the template root), so execution goes on.
        let bits = unsafe {
            csr::write_satp(kernel_satp | (satp::ASID_MASK << satp::ASID_SHIFT));
            let back = (csr::satp() >> satp::ASID_SHIFT) & satp::ASID_MASK;
            csr::write_satp(kernel_satp);
            back.count_ones()
        };
        csr::sfence_vma_all();
        Asids {
            bits,
            next: 1,
            generation: 1,
        }
    }

    /// ASID bits (0: no ASIDs).
    #[inline(always)]
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// Whether an address space whose ASID is of `generation` may keep it (always true without
    /// ASIDs: every space then uses ASID 0).
    #[inline(always)]
    pub fn is_current(&self, generation: u64) -> bool {
        self.bits == 0 || generation == self.generation
    }

    /// The ASID for an address space that last had `asid` in `generation`; updates both when it
    /// needs a new one.
    #[inline(always)]
    pub fn assign(&mut self, asid: u16, generation: &mut u64) -> u16 {
        if self.bits == 0 {
            return 0;
        }
        if *generation == self.generation {
            return asid;
        }
        if self.next >= 1 << self.bits {
            self.generation += 1;
            self.next = 1;
            csr::sfence_vma_all();
        }
        let fresh = self.next as u16;
        self.next += 1;
        *generation = self.generation;
        fresh
    }
}
