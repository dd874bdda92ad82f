//! Looking at the guest without touching it: markers, address-space identity, and reads of
//! guest memory that change nothing (no A/D bits, no modeled TLB or cache state, no counters).
//!
//! Markers are the HINT `slti x0, rs1, imm12` (DESIGN.md §2): 1 begins region `rs1`, 2 ends it,
//! 3 names the current address space with the NUL-terminated string at virtual address `rs1`
//! (at most [`MAX_NAME`] bytes), 4 takes a snapshot of the statistics tagged `rs1`, 5 says the
//! kernel is about to resume thread `rs1` (any number naming the thread, e.g. its register frame's
//! address): a value other than the last one counts a context switch (event 20), 6 marks an
//! operation boundary (the timeline's; see `record`, which numbers them: `rs1` is x0).

use crate::bus::Bus;
use crate::hart::csr::satp;
use crate::memmap::PAGE_MASK;
use crate::mmu::sv39::{self, PteMemory};
use crate::trap::Access;

use super::Machine;

/// Longest address-space name read from a marker.
pub const MAX_NAME: usize = 64;

/// Page-table reads that change nothing.
pub(crate) struct Peek<'a>(pub &'a Bus);

impl PteMemory for Peek<'_> {
    fn read_pte(&mut self, addr: u64) -> Option<u64> {
        let off = self.0.ram_offset(addr, 8)?;
        Some(self.0.ram_read(off, 8))
    }

    fn write_pte(&mut self, _addr: u64, _pte: u64) -> Option<()> {
        None
    }
}

impl Machine {
    /// The current address space for statistics: the `satp` root page table's physical address
    /// and ASID, or `(0, 0)` under bare translation.
    pub fn address_space(&self) -> (u64, u16) {
        let s = self.hart.csr.satp;
        if s >> satp::MODE_SHIFT == satp::MODE_BARE {
            return (0, 0);
        }
        (
            (s & satp::PPN_MASK) << 12,
            ((s >> satp::ASID_SHIFT) & 0xffff) as u16,
        )
    }

    /// Translates virtual `vaddr` as a load by the current data privilege would, changing
    /// nothing; `None` if that load would fault.
    pub fn peek_translate(&self, vaddr: u64) -> Option<u64> {
        let mode = self.data_privilege();
        if self.bare(mode) {
            return Some(vaddr);
        }
        let ctx = sv39::Context {
            update_ad: false,
            ..self.sv39_context(mode)
        };
        sv39::walk(&mut Peek(&self.bus), vaddr, Access::Load, &ctx, |_| {})
            .ok()
            .map(|t| t.paddr)
    }

    /// Reads `buf.len()` bytes of RAM at virtual `vaddr`, page by page, changing nothing; false
    /// if any byte is unmapped or not RAM.
    pub fn peek_virtual(&self, vaddr: u64, buf: &mut [u8]) -> bool {
        let mut done = 0;
        while done < buf.len() {
            let va = vaddr.wrapping_add(done as u64);
            let chunk = ((PAGE_MASK + 1 - (va & PAGE_MASK)) as usize).min(buf.len() - done);
            let Some(pa) = self.peek_translate(va) else {
                return false;
            };
            let Some(off) = self.bus.ram_offset(pa, chunk as u64) else {
                return false;
            };
            buf[done..done + chunk].copy_from_slice(&self.bus.ram[off..off + chunk]);
            done += chunk;
        }
        true
    }

    /// Executes marker `op` with argument `value` (rs1).
    pub(crate) fn marker(&mut self, op: i32, value: u64) {
        let (n, c) = (self.retired, self.cycles());
        match op {
            1 => self.stats.begin_region(value, n, c),
            2 => self.stats.end_region(value, n, c),
            3 => {
                let mut name = Vec::new();
                let mut byte = [0u8];
                while name.len() < MAX_NAME
                    && self.peek_virtual(value + name.len() as u64, &mut byte)
                    && byte[0] != 0
                {
                    name.push(byte[0]);
                }
                self.stats
                    .name_space(String::from_utf8_lossy(&name).into_owned());
            }
            4 => self.stats.snapshot(value, n, c),
            5 if self.last_thread != Some(value) => {
                self.last_thread = Some(value);
                self.stats.count(crate::stats::Event::ContextSwitch);
            }
            6 => self.op_marker(),
            _ => {}
        }
    }
}
