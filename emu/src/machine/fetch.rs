//! Instruction fetch and the decode cache.
//!
//! Decoded instructions are cached by physical page, as *blocks*: runs of consecutive
//! instructions decoded once into a contiguous array, ending at the first instruction that
//! always changes control flow or may change privilege or translation (jumps, system
//! instructions, CSR instructions, `fence.i`), at the end of the page, or after [`MAX_BLOCK`]
//! instructions. A conditional branch leaves its block only when taken. (Following likely paths
//! further — jumps and loop-closing branches into their targets — was measured and gave
//! nothing on the compute benchmark, so blocks stay simple.) Each
//! code page has an entry table mapping the halfword where a block starts to the block. Running
//! a block touches consecutive array elements, so the host can fetch ahead without waiting for
//! the previous instruction's length.
//!
//! The hart keeps the page it executes from (`FetchState`); a jump to another page looks the
//! page up through the host TLB's fetch table.
//!
//! Coherence: a page with decoded instructions is flagged `CODE`, and stores to `CODE` pages
//! never take the fast path. Each code page keeps a bitmap of the halfwords its blocks cover and
//! the extent of each block; a store drops only the blocks whose bytes it overlaps (a store to a
//! page's data leaves its code decoded), so no stale instruction runs and the cache is always
//! coherent with memory, which is more than `fence.i` requires; `fence.i` only drops the fetch
//! state. A page whose last block is dropped is freed and recycled, so memory use is bounded by
//! the code pages in use, not by the pages ever executed. A page that takes [`QUIET_STORES`]
//! stores with no fetch from it in between (a freed program's page being zeroed) drops all its
//! blocks at once, so that the rest of the stores are not each a slow path.
//!
//! What a store to code costs the *model* does not depend on which blocks survive: a page is
//! *armed* from the moment a fetch looks it up (`code_page_for`) until the next store to it, and
//! in timing mode a store to an armed page ends the slice, drops the fetch state and flushes the
//! host TLB — exactly what dropping the whole page did before blocks were dropped one by one — so
//! every counter stays what it was. (The functional mode counts nothing those change: there
//! only a store that drops blocks does it.) (A block's contents depend only on its start and the bytes it
//! covers, so a kept block is the block a re-decode would build.)
//!
//! Page 0 is a dummy with no blocks: the invalid fetch state points at it, so a stale fetch state
//! costs nothing on the hot path and lands in the slow path by itself.

use crate::bus::page_flag;
use crate::hart::decode::decode32;
use crate::hart::decode_c::decode16;
use crate::hart::insn::{Insn, Op};
use crate::memmap::{PAGE_MASK, PAGE_SHIFT, PAGE_SIZE};
use crate::mmu::htlb::{HostTlb, mode_index};
use crate::trap::{Access, Trap};

use super::Machine;
use super::jit::JitSlot;
use super::pipeline::Carry;
use super::threaded::{self, Decoded, Handler, Suffix, own_cost};
use super::timing::{OFFSET_MASK, SLOT_SHIFT, slot_tag};

/// Halfword slots per page.
pub const SLOTS: usize = (PAGE_SIZE / 2) as usize;
/// Longest block, in instructions.
pub const MAX_BLOCK: usize = 64;

/// The page the hart is executing from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FetchState {
    /// Virtual address of the page.
    pub vbase: u64,
    /// Its code page in the decode cache.
    pub page: usize,
}

impl FetchState {
    /// Points at the dummy page: the next fetch takes the slow path.
    pub const INVALID: FetchState = FetchState { vbase: 0, page: 0 };
}

/// Words of a code page's coverage bitmap (one bit per halfword slot).
const COVER_WORDS: usize = SLOTS / 64;

/// Dropped elements a code page keeps in its array before a drop clears the whole page.
const MAX_DEAD: usize = 4 * SLOTS;

/// The decoded blocks of one RAM page.
struct CodePage {
    /// The RAM page number.
    ram_page: usize,
    /// For each halfword slot: 0, or the block starting there as `start << 8 | len`.
    entry: Box<[u32; SLOTS]>,
    /// The blocks' instructions, back to back (dropped blocks' elements stay until the page is
    /// cleared, so the array never shrinks under a running block).
    insns: Vec<Decoded>,
    /// Pipeline model: what leaving a block after each element of `insns` hands to the next
    /// block (empty under the simple model).
    carries: Vec<Carry>,
    /// Pipeline model: the stall of the carry a block was last entered with at each element of
    /// `insns`, as `carry key << 8 | stall` (0: none yet; see `Machine::carry_in`). An element
    /// never changes while the page holds it, so neither does its stall for a carry.
    stalls: Vec<u64>,
    /// The live blocks as halfword slot ranges `[start, end)`.
    extents: Vec<(u16, u16)>,
    /// Bit `s` set: some live block covers halfword slot `s`.
    cover: [u64; COVER_WORDS],
    /// A fetch has looked the page up since the last store to it (see the module note).
    armed: bool,
    /// Stores to the page since a fetch last looked it up (see `QUIET_STORES`).
    quiet: u16,
    /// The translator's slot of each element that starts a block it may translate (with a
    /// translator; see `jit::may_translate`), indexed like `insns`.
    jit: Vec<Option<JitSlot>>,
}

impl CodePage {
    fn new(ram_page: usize) -> CodePage {
        CodePage {
            ram_page,
            entry: Box::new([0; SLOTS]),
            insns: Vec::new(),
            carries: Vec::new(),
            stalls: Vec::new(),
            extents: Vec::new(),
            cover: [0; COVER_WORDS],
            armed: true,
            quiet: 0,
            jit: Vec::new(),
        }
    }

    /// Forgets every block.
    fn clear(&mut self) {
        self.entry.fill(0);
        self.insns.clear();
        self.carries.clear();
        self.stalls.clear();
        self.extents.clear();
        self.cover = [0; COVER_WORDS];
        self.quiet = 0;
        self.jit.clear();
    }

    /// Marks halfword slots `[start, end)` covered.
    fn cover_slots(&mut self, start: usize, end: usize) {
        for s in start..end.min(SLOTS) {
            self.cover[s / 64] |= 1 << (s % 64);
        }
    }

    /// Whether some live block covers a halfword slot of `[start, end)`.
    fn covers(&self, start: usize, end: usize) -> bool {
        (start..end.min(SLOTS)).any(|s| self.cover[s / 64] & (1 << (s % 64)) != 0)
    }

    /// Drops the blocks that cover a halfword slot of `[start, end)`; true if the page has no
    /// block left.
    fn drop_overlapping(&mut self, start: usize, end: usize) -> bool {
        let before = self.extents.len();
        let entry = &mut self.entry;
        self.extents.retain(|&(s, e)| {
            let keep = (e as usize) <= start || (s as usize) >= end;
            if !keep {
                entry[s as usize] = 0;
            }
            keep
        });
        if self.extents.len() == before {
            return self.extents.is_empty();
        }
        if self.extents.is_empty() || self.insns.len() > MAX_DEAD {
            self.clear();
            return true;
        }
        self.cover = [0; COVER_WORDS];
        for k in 0..self.extents.len() {
            let (s, e) = self.extents[k];
            self.cover_slots(s as usize, e as usize);
        }
        false
    }
}

/// Decoded instructions by physical page.
pub struct DecodeCache {
    pages: Vec<CodePage>,
    /// Code page of each RAM page, 0 for none.
    page_of_ram: Vec<u32>,
    free: Vec<u32>,
    /// Bumped whenever a page's blocks are dropped: element indices of older generations may
    /// name other instructions.
    generation: u64,
    /// `QUIET_STORES`, or what a test set (`Machine::set_quiet_stores`).
    quiet_stores: u16,
}

impl Default for DecodeCache {
    fn default() -> Self {
        DecodeCache {
            pages: vec![CodePage::new(0)],
            page_of_ram: Vec::new(),
            free: Vec::new(),
            generation: 0,
            quiet_stores: QUIET_STORES,
        }
    }
}

/// A block cut short after some of its instructions, by the end of a slice: the next slice goes
/// on with the same block's remaining elements instead of decoding a new block from the middle.
/// So the place where a slice ends (an instruction limit, a debugger's step) changes nothing the
/// cycle model sees: the same handlers run and the block books what it would have booked whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Resume {
    /// The pc of the first instruction not executed.
    pub pc: u64,
    /// Its code page and element index.
    pub page: usize,
    pub idx: usize,
    /// `retired`, `exceptions` and `interrupts` at the cut: anything executed or taken since
    /// makes the record stale.
    pub counts: (u64, u64, u64),
    /// The decode cache's generation at the cut.
    pub generation: u64,
}

impl DecodeCache {
    /// The block entry for byte offset `off` (< PAGE_SIZE) of code page `page`.
    #[inline(always)]
    pub(crate) fn entry(&self, page: usize, off: u64) -> u32 {
        self.pages[page].entry[(off >> 1) as usize & (SLOTS - 1)]
    }

    /// The entry and the first element of the block starting at byte offset `off` (< PAGE_SIZE)
    /// of code page `page`, if there is one.
    #[inline(always)]
    pub(crate) fn block_at(&self, page: usize, off: u64) -> Option<(u32, *const Decoded)> {
        let p = self.pages.get(page)?;
        let entry = p.entry[(off >> 1) as usize & (SLOTS - 1)];
        let first = p.insns.get((entry >> 8) as usize)?;
        (entry != 0).then_some((entry, first as *const Decoded))
    }

    /// What element `i` of code page `page`'s block array books (timing mode).
    pub(crate) fn suffix(&self, page: usize, i: usize) -> Suffix {
        self.pages[page].insns[i].suffix
    }

    /// Pipeline model: what leaving its block after the element at `ip` of code page `page`
    /// hands to the next block (nothing if `ip` is not one of its elements).
    #[inline]
    pub(crate) fn carry(&self, page: usize, ip: *const Decoded) -> Carry {
        self.index_of(page, ip)
            .map_or(Carry::NONE, |i| self.carry_of(page, i))
    }

    /// Pipeline model: what leaving its block after element `i` of code page `page` hands on.
    pub(crate) fn carry_of(&self, page: usize, i: usize) -> Carry {
        self.pages
            .get(page)
            .and_then(|p| p.carries.get(i))
            .copied()
            .unwrap_or(Carry::NONE)
    }

    /// Pipeline model: the memo of element `i` of code page `page` (see `CodePage::stalls`).
    #[inline]
    pub(crate) fn stall_memo(&mut self, page: usize, i: usize) -> Option<&mut u64> {
        self.pages.get_mut(page)?.stalls.get_mut(i)
    }

    /// The instruction of element `i` of code page `page`'s block array.
    pub(crate) fn insn(&self, page: usize, i: usize) -> Insn {
        self.pages[page].insns[i].insn
    }

    /// A pointer to element `i` of code page `page`'s block array, if it exists.
    pub(crate) fn element(&self, page: usize, i: usize) -> Option<*const Decoded> {
        self.pages
            .get(page)?
            .insns
            .get(i)
            .map(|d| d as *const Decoded)
    }

    /// The index of the element `ip` points at in code page `page`'s block array, if it is one.
    pub(crate) fn index_of(&self, page: usize, ip: *const Decoded) -> Option<usize> {
        let insns = &self.pages.get(page)?.insns;
        let size = std::mem::size_of::<Decoded>();
        let off = (ip as usize).checked_sub(insns.as_ptr() as usize)?;
        (off.is_multiple_of(size) && off / size < insns.len()).then_some(off / size)
    }

    /// Whether the block starting at RAM offset `off` has a translation now (its first
    /// element's tag, `jit::translation`).
    pub(crate) fn translated_at(&self, off: u64) -> bool {
        let Some(&page) = self.page_of_ram.get((off >> PAGE_SHIFT) as usize) else {
            return false;
        };
        let page = page as usize;
        self.block_at(page, off & PAGE_MASK)
            .is_some_and(|(entry, _)| {
                self.pages[page]
                    .insns
                    .get((entry >> 8) as usize)
                    .is_some_and(|d| super::jit::translation(d).is_some())
            })
    }

    /// The handler `jit::enter` replaced at element `i` of code page `page`, if it starts a
    /// block with a translator's slot.
    pub(crate) fn jit_orig(&self, page: usize, i: usize) -> Option<Handler> {
        Some(self.pages.get(page)?.jit.get(i)?.as_ref()?.orig)
    }

    /// Sets the translator's tag of the block start at element `i` of code page `page` (see
    /// `jit::TRANSLATED`).
    pub(crate) fn set_jit_tag(&mut self, page: usize, i: usize, tag: [u8; 3]) {
        if let Some(d) = self.pages.get_mut(page).and_then(|p| p.insns.get_mut(i)) {
            d.insn.tag = tag;
        }
    }

    /// Gives element `i` of code page `page` back the handler `jit::enter` replaced, and drops
    /// its slot and its translation: its block is not translated.
    pub(crate) fn jit_give_up(&mut self, page: usize, i: usize) {
        let Some(p) = self.pages.get_mut(page) else {
            return;
        };
        if let (Some(slot), Some(d)) = (p.jit.get_mut(i), p.insns.get_mut(i))
            && let Some(s) = slot.take()
        {
            d.handler = s.orig;
            d.insn.tag = [0; 3];
        }
    }

    /// Forgets every translation (their code is about to be freed); blocks count their entries
    /// again from zero.
    pub(crate) fn forget_translations(&mut self) {
        for p in &mut self.pages {
            for (s, d) in p.jit.iter_mut().zip(p.insns.iter_mut()) {
                if s.is_some() {
                    d.insn.tag = [0; 3];
                }
            }
        }
    }

    /// The current generation (see the field).
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// Number of code pages in use (for statistics and tests).
    pub fn pages_in_use(&self) -> usize {
        self.pages.len() - 1 - self.free.len()
    }
}

/// Stores to a code page, with no fetch looking it up in between, after which `store_code` drops
/// all the page's blocks instead of only those a store overlaps: then the page is no longer
/// code, and stores to it take the host TLB's fast path again. 64 is an estimate: a zeroing
/// loop's first 512 bytes (of the 4 KiB it stores one word at a time), and far more stores than
/// a page's own code makes between two fetches of it. Which blocks survive changes nothing the
/// guest or the model sees (see the module note), only what is decoded again.
const QUIET_STORES: u16 = 64;

/// Whether executing `op` may change what the next instruction is or how it is fetched.
/// Conditional branches do not end a block: not taken, they go on in it; taken, they leave it
/// from the middle (see `threaded`).
fn ends_block(op: Op) -> bool {
    use Op::*;
    matches!(
        op,
        Jal | Jalr
            | Ecall
            | Ebreak
            | Mret
            | Sret
            | Wfi
            | SfenceVma
            | FenceI
            | Csrrw
            | Csrrs
            | Csrrc
            | Csrrwi
            | Csrrsi
            | Csrrci
            | Illegal
            | CrossPage
            | Marker
    )
}

impl Machine {
    /// The code page of the RAM page holding RAM offset `ram_off`, allocating one (and flagging
    /// the page `CODE`) if needed.
    fn code_page_for(&mut self, ram_off: usize) -> usize {
        let ram_page = ram_off >> PAGE_SHIFT;
        let c = &mut self.icache;
        if c.page_of_ram.len() <= ram_page {
            c.page_of_ram.resize(self.bus.ram.len() >> PAGE_SHIFT, 0);
        }
        if c.page_of_ram[ram_page] != 0 {
            let page = c.page_of_ram[ram_page] as usize;
            if !c.pages[page].armed {
                // What (re)allocating the page did before blocks were kept across stores.
                c.pages[page].armed = true;
                self.htlb.flush();
            }
            return page;
        }
        let page = match c.free.pop() {
            Some(p) => {
                c.pages[p as usize].ram_page = ram_page;
                c.pages[p as usize].armed = true;
                p as usize
            }
            None => {
                c.pages.push(CodePage::new(ram_page));
                c.pages.len() - 1
            }
        };
        c.page_of_ram[ram_page] = page as u32;
        self.bus.set_page_flags(ram_off, page_flag::CODE);
        // Stores to this page may have fast-path entries: drop them.
        self.htlb.flush();
        page
    }

    /// Sets the stores after which a code page nothing fetches from drops all its blocks (tests:
    /// `u16::MAX` for never; see `QUIET_STORES`).
    pub fn set_quiet_stores(&mut self, stores: u16) {
        self.icache.quiet_stores = stores;
    }

    /// Code pages in use: RAM pages with decoded blocks (tests).
    pub fn code_pages_in_use(&self) -> usize {
        self.icache.pages_in_use()
    }

    /// Forgets the decoded instructions of the RAM page holding `ram_off`, before the host
    /// writes it (see [`Machine::store_code`]).
    pub(crate) fn invalidate_code(&mut self, ram_off: usize) {
        self.store_code(ram_off & !(PAGE_MASK as usize), PAGE_SIZE as usize);
    }

    /// Before `len` bytes at RAM offset `off` (within one page) are written: drops the decoded
    /// blocks of the page that cover any of them, and, if a fetch looked the page up since the
    /// last store to it, ends the slice and drops the fetch state and the host TLB's entries
    /// (see the module note).
    pub(crate) fn store_code(&mut self, off: usize, len: usize) {
        let ram_page = off >> PAGE_SHIFT;
        let c = &mut self.icache;
        let Some(&page) = c.page_of_ram.get(ram_page) else {
            return;
        };
        if page == 0 {
            return;
        }
        let p = &mut c.pages[page as usize];
        let first = (off & PAGE_MASK as usize) >> 1;
        let end = ((off & PAGE_MASK as usize) + len).div_ceil(2);
        let armed = std::mem::replace(&mut p.armed, false);
        p.quiet = if armed { 0 } else { p.quiet.saturating_add(1) };
        // Stores to a page nothing has fetched from for a while (a kernel zeroing a freed page
        // that held a program's code): drop all its blocks, so that the rest of the stores take
        // the fast path. Not the fetch page (a loop storing into its own page keeps its code).
        let stale = p.quiet >= c.quiet_stores && page as usize != self.fetch.page;
        let overlaps = p.covers(first, end);
        let empty = if stale {
            true
        } else if overlaps {
            p.drop_overlapping(first, end)
        } else {
            p.extents.is_empty()
        };
        if empty {
            p.clear();
            c.page_of_ram[ram_page] = 0;
            c.free.push(page);
            self.bus.clear_page_flags(off, page_flag::CODE);
        }
        // In timing mode a page that is not armed is not the fetch page (the store that disarmed
        // it dropped the fetch state, and every fetch from it arms it again), so dropping its
        // blocks needs nothing more. The functional mode counts nothing that depends on where a
        // slice ends or on the fetch state, so there only a store into code needs it.
        let exact = if self.timing.is_some() {
            armed
        } else {
            overlaps || stale
        };
        if exact {
            c.generation += 1;
            // Fetch-table entries and the fetch state may name the page.
            self.htlb.flush();
            self.fetch = FetchState::INVALID;
            self.stop_slice();
        }
    }

    /// Decodes the instruction at halfword `slot` of RAM page `ram_page`.
    fn decode_at(&self, ram_page: usize, slot: usize) -> Insn {
        let off = (ram_page << PAGE_SHIFT) + 2 * slot;
        let lo = self.bus.ram_read(off, 2) as u32;
        if lo & 3 != 3 {
            decode16(lo)
        } else if slot == SLOTS - 1 {
            // The upper half is on the next page, which may map anywhere: fetched each time.
            Insn::new(Op::CrossPage, 0, 0, 0, 0, lo, 4)
        } else {
            decode32(lo | (self.bus.ram_read(off + 2, 2) as u32) << 16)
        }
    }

    /// Decodes the block starting at byte offset `off` of code page `page` and returns its
    /// entry.
    fn build_block(&mut self, page: usize, off: u64) -> u32 {
        let ram_page = self.icache.pages[page].ram_page;
        let first = (off >> 1) as usize;
        let start = self.icache.pages[page].insns.len();
        let mut slot = first;
        let mut insns: Vec<(Insn, usize, bool)> = Vec::with_capacity(MAX_BLOCK);
        loop {
            let insn = self.decode_at(ram_page, slot);
            let at = slot;
            slot += insn.len as usize / 2;
            let last = ends_block(insn.op) || slot >= SLOTS || insns.len() + 1 == MAX_BLOCK;
            insns.push((insn, at, last));
            if last {
                break;
            }
        }
        // What each instruction and the rest of the block after it book (timing mode), and how
        // many instructions that is (both modes).
        let timing = self.timing.as_deref();
        // The pipeline model's static schedule of the block (see `pipeline`).
        let slots = timing.and_then(|t| {
            let p = t.pipeline.as_ref()?;
            let code: Vec<Insn> = insns.iter().map(|&(insn, _, _)| insn).collect();
            Some(super::pipeline::schedule(p, &self.profile.cost, &code))
        });
        let mut suffix = Suffix::default();
        let mut suffixes = vec![Suffix::default(); insns.len()];
        for (k, &(insn, at, _)) in insns.iter().enumerate().rev() {
            suffix = match timing {
                Some(t) => {
                    let line_slots = (t.fetch_line / 2) as usize;
                    let fetch_access = k == 0 || insns[k - 1].1 / line_slots != at / line_slots;
                    match &slots {
                        Some(slots) => suffix.with_slot(&slots[k], insn.op, fetch_access),
                        None => suffix.with(own_cost(&t.cost, insn.op), insn.op, fetch_access),
                    }
                }
                None => suffix.counting(),
            };
            suffixes[k] = suffix.at(k);
        }
        // Functional mode: which elements are conditional branches to the block's start (loop
        // branches, see `fused`; timing mode has no superinstructions).
        let loops: Option<Vec<bool>> = timing.is_none().then(|| {
            insns
                .iter()
                .map(|&(insn, at, _)| {
                    threaded::is_branch(insn.op)
                        && (2 * at as i64).wrapping_add(i64::from(insn.imm)) == 2 * first as i64
                })
                .collect()
        });
        let len = insns.len();
        let p = &mut self.icache.pages[page];
        if let Some(slots) = &slots {
            p.carries.resize(start, Carry::NONE);
            p.carries.extend(slots.iter().map(|s| s.carry));
            p.stalls.resize(start + slots.len(), 0);
        }
        for ((insn, _, last), suffix) in insns.into_iter().zip(suffixes) {
            p.insns
                .push(Decoded::new(insn, last, timing.is_some(), suffix));
        }
        if let Some(loops) = &loops {
            super::fused::specialise(&mut p.insns[start..], loops);
        }
        if self.jit.is_some() && super::jit::may_translate(&p.insns[start..], timing.is_some()) {
            // The block's entries go through the translator (see `jit`).
            p.jit.resize(p.insns.len(), None);
            p.jit[start] = Some(JitSlot {
                orig: p.insns[start].handler,
            });
            p.insns[start].handler = if timing.is_some() {
                super::jit::enter_timed
            } else {
                super::jit::enter
            };
        }
        let entry = ((start as u32) << 8) | len as u32;
        let p = &mut self.icache.pages[page];
        p.entry[first] = entry;
        let end = slot.min(SLOTS);
        p.extents.push((first as u16, end as u16));
        p.cover_slots(first, end);
        entry
    }

    /// Builds the block starting at `pc`, which the (real, not dummy) fetch state covers.
    #[cold]
    #[inline(never)]
    pub(crate) fn block_miss(&mut self, pc: u64) -> u32 {
        let off = pc.wrapping_sub(self.fetch.vbase);
        self.build_block(self.fetch.page, off)
    }

    /// Points the fetch state at the page of `pc` the slow way: find (or make) its code page
    /// through the host TLB or a translation. Returns `None` when the fast path can now fetch
    /// `pc`, or the instruction itself when its page cannot be cached (a PMP boundary cuts it).
    #[inline(never)]
    pub(crate) fn fetch_slow(&mut self, pc: u64) -> Result<Option<Insn>, Trap> {
        let mode = self.hart.privilege;
        let row = mode_index(mode);
        let page = match self.htlb.lookup(&self.htlb.fetch, row, pc) {
            Some(value) => {
                let page = (value & OFFSET_MASK) as usize;
                // Timing mode: the value names the ITLB slot the translation came from, which
                // stays the one a lookup of the page finds while the entry lives (as a data
                // entry's DTLB slot, see `timed_fast_offset`), and the page stays armed (a
                // store that disarms it flushes the host TLB, see `store_code`). So this is
                // what the slow path below would do: the ITLB hit, and the same code page.
                if let Some(t) = self.timing.as_deref_mut() {
                    t.l1_tlb_hit(true, value >> SLOT_SHIFT);
                    let ram_page = self.icache.pages[page].ram_page as u64;
                    t.fetch_pbase = crate::memmap::RAM_BASE + (ram_page << PAGE_SHIFT);
                }
                page
            }
            None => {
                let (paddr, slot) = self.translate(pc, Access::Fetch, mode)?;
                if let Some(t) = self.timing.as_deref_mut() {
                    t.fetch_pbase = paddr & !PAGE_MASK;
                }
                let page_addr = paddr & !PAGE_MASK;
                let fault = Access::Fetch.access_fault(pc);
                let off = self.bus.ram_offset(page_addr, PAGE_SIZE).ok_or(fault)?;
                match self.pmp.page_permission(page_addr, Access::Fetch, mode) {
                    Some(true) => {}
                    Some(false) => return Err(fault),
                    None => {
                        // A PMP boundary cuts this page: check each fetch, cache nothing.
                        if !self.pmp.check(paddr, 2, Access::Fetch, mode) {
                            return Err(fault);
                        }
                        self.code_page_for(off);
                        self.fetch = FetchState::INVALID;
                        return Ok(Some(
                            self.decode_at(off >> PAGE_SHIFT, ((pc & PAGE_MASK) >> 1) as usize),
                        ));
                    }
                }
                let page = self.code_page_for(off);
                // Never under `--check-tlb`, which must see every use.
                if !self.timing.as_deref().is_some_and(|t| t.check_tlb) {
                    let tag = self.htlb.tag(pc);
                    let value = page as u64 | slot_tag(slot);
                    HostTlb::fill(&mut self.htlb.fetch, tag, row, pc, value);
                }
                page
            }
        };
        self.fetch = FetchState {
            vbase: pc & !PAGE_MASK,
            page,
        };
        Ok(None)
    }

    /// Executes a 32-bit instruction at `pc` whose upper half is on the next page: fetch that
    /// half through translation (a fault reports the address of the upper half, as the
    /// privileged spec says for variable-length instructions), decode, run.
    #[cold]
    #[inline(never)]
    pub(crate) fn execute_cross_page(&mut self, lo: u32, pc: u64) -> Result<u64, Trap> {
        let hi_va = pc.wrapping_add(2);
        let mode = self.hart.privilege;
        let (paddr, _) = self.translate(hi_va, Access::Fetch, mode)?;
        // The fetch page stays the one of the lower half (the ITLB now holds the upper page).
        let fault = Access::Fetch.access_fault(hi_va);
        if !self.pmp.check(paddr, 2, Access::Fetch, mode) {
            return Err(fault);
        }
        let off = self.bus.ram_offset(paddr, 2).ok_or(fault)?;
        let hi = self.bus.ram_read(off, 2) as u32;
        // The block booked the stand-in's cost; the real instruction books the rest.
        let booked_extra = self.timing.as_deref().map_or(0, |t| {
            own_cost(&t.cost, crate::hart::insn::Op::CrossPage).saturating_sub(1)
        });
        self.execute_unbooked(decode32(lo | hi << 16), pc, booked_extra)
    }
}
