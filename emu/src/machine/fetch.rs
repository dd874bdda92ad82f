//! Instruction fetch and the decode cache.
//!
//! Decoded instructions are cached by physical page: a *block* holds one [`Insn`] slot per
//! halfword of a 4 KiB RAM page, filled lazily the first time each slot executes. The hart keeps
//! the block of the page it is executing from (`FetchState`), so fetching the next instruction
//! is a subtraction, a compare and an array index; a jump to another page goes through the host
//! TLB's fetch table to find that page's block.
//!
//! Coherence: a page with a block is flagged `CODE`, and stores to `CODE` pages never take the
//! fast path; the slow path releases the page's block (all its slots) before writing. So the
//! cache is always coherent with memory, which is more than `fence.i` requires; `fence.i` only
//! drops the fetch state. Released blocks are recycled, so memory use is bounded by the code
//! pages in use, not by the pages ever executed.
//!
//! Block 0 is a dummy whose slots stay undecoded: the invalid fetch state points at it, so a
//! stale fetch state costs nothing on the hot path and lands in the slow path by itself.

use crate::bus::page_flag;
use crate::hart::decode::decode32;
use crate::hart::decode_c::decode16;
use crate::hart::insn::{Insn, Op};
use crate::memmap::{PAGE_MASK, PAGE_SHIFT, PAGE_SIZE};
use crate::mmu::htlb::{HostTlb, mode_index};
use crate::trap::{Access, Trap};

use super::Machine;

/// Slots per block: one per halfword of a page.
pub const SLOTS: usize = (PAGE_SIZE / 2) as usize;

/// The page the hart is executing from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FetchState {
    /// Virtual address of the page.
    pub vbase: u64,
    /// Its block.
    pub block: usize,
}

impl FetchState {
    /// Points at the dummy block: the next fetch takes the slow path.
    pub const INVALID: FetchState = FetchState { vbase: 0, block: 0 };
}

/// Decoded instructions by physical page.
pub struct DecodeCache {
    blocks: Vec<[Insn; SLOTS]>,
    /// RAM page number of each block (unused for the dummy and free blocks).
    page_of_block: Vec<usize>,
    /// Block of each RAM page, 0 for none.
    block_of_page: Vec<u32>,
    free: Vec<u32>,
}

impl Default for DecodeCache {
    fn default() -> Self {
        DecodeCache {
            blocks: vec![[Insn::UNDECODED; SLOTS]],
            page_of_block: vec![0],
            block_of_page: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl DecodeCache {
    /// The slot at byte offset `off` (< PAGE_SIZE) of `block`.
    #[inline(always)]
    pub(crate) fn slot(&self, block: usize, off: u64) -> Insn {
        self.blocks[block][(off >> 1) as usize & (SLOTS - 1)]
    }

    /// Number of blocks in use (for statistics and tests).
    pub fn blocks_in_use(&self) -> usize {
        self.blocks.len() - 1 - self.free.len()
    }
}

impl Machine {
    /// The block of the RAM page holding RAM offset `ram_off`, allocating one (and flagging the
    /// page `CODE`) if needed.
    fn block_for(&mut self, ram_off: usize) -> usize {
        let page = ram_off >> PAGE_SHIFT;
        let c = &mut self.icache;
        if c.block_of_page.len() <= page {
            c.block_of_page.resize(self.bus.ram.len() >> PAGE_SHIFT, 0);
        }
        if c.block_of_page[page] != 0 {
            return c.block_of_page[page] as usize;
        }
        let block = match c.free.pop() {
            Some(b) => b as usize,
            None => {
                c.blocks.push([Insn::UNDECODED; SLOTS]);
                c.page_of_block.push(0);
                c.blocks.len() - 1
            }
        };
        c.page_of_block[block] = page;
        c.block_of_page[page] = block as u32;
        self.bus.set_page_flags(ram_off, page_flag::CODE);
        // Stores to this page may have fast-path entries: drop them.
        self.htlb.flush();
        block
    }

    /// Forgets the decoded instructions of the RAM page holding `ram_off`, before it is
    /// written.
    pub(crate) fn invalidate_code(&mut self, ram_off: usize) {
        let page = ram_off >> PAGE_SHIFT;
        let c = &mut self.icache;
        let Some(&block) = c.block_of_page.get(page) else {
            return;
        };
        if block == 0 {
            return;
        }
        c.blocks[block as usize] = [Insn::UNDECODED; SLOTS];
        c.block_of_page[page] = 0;
        c.free.push(block);
        self.bus.clear_page_flags(ram_off, page_flag::CODE);
        // Fetch-table entries and the fetch state may name the block.
        self.htlb.flush();
        self.fetch = FetchState::INVALID;
    }

    /// Decodes slot `slot` of `block` from RAM and caches it.
    fn decode_slot(&mut self, block: usize, slot: usize) -> Insn {
        let off = (self.icache.page_of_block[block] << PAGE_SHIFT) + 2 * slot;
        let lo = self.bus.ram_read(off, 2) as u32;
        let insn = if lo & 3 != 3 {
            decode16(lo)
        } else if slot == SLOTS - 1 {
            // The upper half is on the next page, which may map anywhere: decode each time.
            Insn::new(Op::CrossPage, 0, 0, 0, 0, lo, 4)
        } else {
            decode32(lo | (self.bus.ram_read(off + 2, 2) as u32) << 16)
        };
        self.icache.blocks[block][slot] = insn;
        insn
    }

    /// Fetches the instruction at `pc` the slow way: find (or make) the block of its page,
    /// point the fetch state at it, and decode the slot if needed.
    #[inline(never)]
    pub(crate) fn fetch_slow(&mut self, pc: u64) -> Result<Insn, Trap> {
        let mode = self.hart.privilege;
        let row = mode_index(mode);
        let slot = ((pc & PAGE_MASK) >> 1) as usize;
        let block = match self.htlb.lookup(&self.htlb.fetch, row, pc) {
            Some(b) => b as usize,
            None => {
                let paddr = self.translate(pc, Access::Fetch, mode)?;
                let page = paddr & !PAGE_MASK;
                let fault = Access::Fetch.access_fault(pc);
                let off = self.bus.ram_offset(page, PAGE_SIZE).ok_or(fault)?;
                match self.pmp.page_permission(page, Access::Fetch, mode) {
                    Some(true) => {}
                    Some(false) => return Err(fault),
                    None => {
                        // A PMP boundary cuts this page: check each fetch, cache nothing.
                        if !self.pmp.check(paddr, 2, Access::Fetch, mode) {
                            return Err(fault);
                        }
                        let block = self.block_for(off);
                        self.fetch = FetchState::INVALID;
                        return Ok(self.decode_slot(block, slot));
                    }
                }
                let block = self.block_for(off);
                let tag = self.htlb.tag(pc);
                HostTlb::fill(&mut self.htlb.fetch, tag, row, pc, block as u64);
                block
            }
        };
        self.fetch = FetchState {
            vbase: pc & !PAGE_MASK,
            block,
        };
        let insn = self.icache.blocks[block][slot];
        Ok(if insn.op == Op::Undecoded {
            self.decode_slot(block, slot)
        } else {
            insn
        })
    }

    /// Executes an `Undecoded` slot: decode it (fetching properly if the fetch state was the
    /// dummy) and run it.
    #[cold]
    #[inline(never)]
    pub(crate) fn execute_undecoded(&mut self) -> Result<(), Trap> {
        let pc = self.hart.pc;
        let off = pc.wrapping_sub(self.fetch.vbase);
        let insn = if self.fetch.block == 0 || off >= PAGE_SIZE {
            self.fetch_slow(pc)?
        } else {
            self.decode_slot(self.fetch.block, (off >> 1) as usize)
        };
        debug_assert_ne!(insn.op, Op::Undecoded);
        self.execute_cold(insn)
    }

    /// Executes a 32-bit instruction whose upper half is on the next page: fetch that half
    /// through translation (a fault reports the address of the upper half, as the privileged
    /// spec says for variable-length instructions), decode, run.
    #[cold]
    #[inline(never)]
    pub(crate) fn execute_cross_page(&mut self, lo: u32) -> Result<(), Trap> {
        let hi_va = self.hart.pc.wrapping_add(2);
        let mode = self.hart.privilege;
        let paddr = self.translate(hi_va, Access::Fetch, mode)?;
        let fault = Access::Fetch.access_fault(hi_va);
        if !self.pmp.check(paddr, 2, Access::Fetch, mode) {
            return Err(fault);
        }
        let off = self.bus.ram_offset(paddr, 2).ok_or(fault)?;
        let hi = self.bus.ram_read(off, 2) as u32;
        self.execute_cold(decode32(lo | hi << 16))
    }
}
