//! Threaded execution of a block: every decoded instruction carries the handler of its
//! operation, and every handler ends by jumping straight to the next instruction's handler.
//!
//! Compared with one `match` in a loop, this gives each operation its own indirect jump, which
//! the host's branch predictor learns per operation (the "computed goto" of C interpreters), and
//! keeps the pc and the retired count in argument registers from one instruction to the next.
//! The handlers are not written by hand: `handler::<OP, LAST>` is [`Machine::execute`]
//! specialised to one operation, whose `match` folds to a single arm, so the semantics live in
//! one place.
//!
//! What a handler does not do is as important:
//! - It does not test for the end of the block: the block's last instruction has the `LAST`
//!   variant of its handler, which goes on to the next block (`chain`) instead. (A taken
//!   conditional branch also chains, from the middle of its block.)
//! - It does not store the retired count: that lives in a register and is written back to
//!   `Machine::retired` wherever something can look at it: before a complex operation, in the
//!   slow-path and trap continuations, and when a chain ends.
//! - It does not test whether the slice must stop: a block is entered only if it ends before the
//!   slice's stop (`run_slice` steps the others one instruction at a time), and what can move the
//!   stop or the block's end — a stop request, or a dynamic cost: a memory slow path or a
//!   load's or store's L1D miss (timing mode checks after every load and store), a complex
//!   operation, an L1I access that is not an MRU hit — is followed by a check that the rest of
//!   the block still ends by the stop. If it does not, the block is cut there and the next slice
//!   goes on with its remaining elements (`Resume`), so where slices end changes nothing counted.
//!
//! Simple operations (see `is_simple`) run their fast path without any call that is not a tail
//! call, so they need no stack frame; a miss or a trap goes to a cold continuation.
//!
//! Functional mode has fused pairs (`fused`): `fused::<A, B, …>`, the handler of a common
//! adjacent pair, which calls the second element's handler directly; and the `LOOP` variant of a
//! conditional branch back to its own block's start, which re-enters the block without the
//! chain's lookup. Both run exactly the code the plain handlers run, in the same order. Timing
//! mode has neither (see `fused`'s module note for why).
//!
//! Each handler comes in a functional and a timing variant (`TIMING`). The timing variant makes
//! the block's L1I accesses, books the block's static costs and counts (its `Suffix`) when the
//! block is entered and takes back what an early exit leaves unexecuted, and charges taken
//! branches; its memory accesses stay on the fast path only when they change no modeled state
//! (see `timing`).
//!
//! A chain goes on into the next block when that block is already decoded on the page the hart
//! executes from (loops, mostly) and ends before `chain_limit`, which is at most `CHAIN_INSNS`
//! past the chain's start. Every next call is in tail position; where the compiler does not make
//! it a jump (unoptimised builds), that bound also bounds the stack depth.
//!
//! The one unsafe idea here: a raw pointer to the block's instructions, valid because a code
//! page's instruction array is neither reallocated nor freed while a block runs. Blocks are built
//! only between blocks, and invalidating a page only shortens its array (no reallocation) and
//! ends the chain before the next instruction is read.
#![allow(unsafe_code)]

use seq_macro::seq;

use crate::hart::insn::{Insn, Op};
use crate::memmap::PAGE_SIZE;
use crate::stats::Event;
use crate::trap::Trap;

use super::Machine;
use super::execute::{Stop, is_simple};
use super::pipeline::{Carry, Slot};

use super::timing::Costs;

/// Executes the instruction at `ip` (at guest address `pc`) and those after it; `n` is the
/// retired count before it. Returns the pc to continue from, with `Machine::retired` exact.
pub(crate) type Handler = fn(&mut Machine, *const Decoded, u64, u64) -> u64;

/// What an instruction and the rest of its block after it book in timing mode: extra ticks
/// beyond one per instruction, loads, stores, data-cache accesses, and L1I accesses; and, in
/// both modes, how many instructions that is. Eight bytes, so that a `Decoded` is 32.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Suffix {
    /// Static ticks beyond one per instruction (saturating).
    pub extra: u16,
    /// Loads (LR and AMOs included).
    pub loads: u8,
    /// Stores (SC and AMOs included).
    pub stores: u8,
    /// Data-cache accesses (an AMO is one).
    pub data: u8,
    /// L1I accesses.
    pub fetches: u8,
    /// This instruction's own flags: `FETCH_ACCESS`, `PAIRED`; and its position in its block
    /// (`pos`).
    pub flags: u8,
    /// Instructions from this one to the end of its block (1 for the last).
    pub insns: u8,
}

/// `Suffix::flags`: the instruction makes an L1I access (first of its block or of a line).
const FETCH_ACCESS: u8 = 1;
/// `Suffix::flags`: pipeline model, the first of a pair (leaving the block after it owes the
/// tick it gave the second).
const PAIRED: u8 = 2;
/// `Suffix::flags` above the flag bits: the element's position in its block (0 for the first;
/// a block has at most `MAX_BLOCK` = 64 elements, so six bits).
const POS_SHIFT: u8 = 2;
const FLAG_MASK: u8 = (1 << POS_SHIFT) - 1;
const _: () = assert!(super::fetch::MAX_BLOCK <= 1 << (8 - POS_SHIFT));

impl Suffix {
    /// Whether this instruction itself makes an L1I access.
    #[inline(always)]
    pub fn fetch_access(&self) -> bool {
        self.flags & FETCH_ACCESS != 0
    }

    /// Whether this instruction is the first of a pair (pipeline model).
    #[inline(always)]
    pub fn paired(&self) -> bool {
        self.flags & PAIRED != 0
    }

    /// The element's position in its block (see `at`).
    #[inline(always)]
    pub fn pos(&self) -> usize {
        usize::from(self.flags >> POS_SHIFT)
    }

    /// This suffix for the element at position `pos` (< `MAX_BLOCK`) of its block.
    pub fn at(self, pos: usize) -> Suffix {
        Suffix {
            flags: (self.flags & FLAG_MASK) | ((pos as u8) << POS_SHIFT),
            ..self
        }
    }

    /// What `self` books beyond `rest` (the suffix of the next instruction).
    pub fn minus(&self, rest: &Suffix) -> Suffix {
        Suffix {
            extra: self.extra - rest.extra,
            loads: self.loads - rest.loads,
            stores: self.stores - rest.stores,
            data: self.data - rest.data,
            fetches: self.fetches - rest.fetches,
            flags: self.flags,
            insns: self.insns - rest.insns,
        }
    }

    /// This suffix extended by an instruction of `op` costing `cost` ticks in front of it.
    pub fn with(self, cost: u32, op: Op, fetch_access: bool) -> Suffix {
        let (load, store) = memory_kind(op);
        Suffix {
            extra: self
                .extra
                .saturating_add(cost.saturating_sub(1).min(u32::from(u16::MAX)) as u16),
            loads: self.loads + u8::from(load),
            stores: self.stores + u8::from(store),
            data: self.data + u8::from(load || store),
            fetches: self.fetches + u8::from(fetch_access),
            flags: if fetch_access { FETCH_ACCESS } else { 0 },
            insns: self.insns + 1,
        }
    }

    /// This suffix extended by an instruction of `op` the pipeline model scheduled as `slot`.
    pub fn with_slot(self, slot: &Slot, op: Op, fetch_access: bool) -> Suffix {
        let s = self.with(slot.ticks, op, fetch_access);
        Suffix {
            flags: s.flags | if slot.paired { PAIRED } else { 0 },
            ..s
        }
    }

    /// This suffix extended by one instruction that books nothing (functional mode).
    pub fn counting(self) -> Suffix {
        Suffix {
            insns: self.insns + 1,
            ..Suffix::default()
        }
    }
}

/// Whether `op` loads and whether it stores.
const fn memory_kind(op: Op) -> (bool, bool) {
    use Op::*;
    match op {
        Lb | Lh | Lw | Ld | Lbu | Lhu | Lwu | LrW | LrD => (true, false),
        Sb | Sh | Sw | Sd | ScW | ScD => (false, true),
        op if op.is_atomic() => (true, true),
        _ => (false, false),
    }
}

/// The static cost of an instruction of `op` (a conditional branch as not taken).
pub(crate) fn own_cost(c: &Costs, op: Op) -> u32 {
    use Op::*;
    match op {
        Beq | Bne | Blt | Bge | Bltu | Bgeu => c.branch_not_taken,
        Jal | Jalr => c.jump,
        Lb | Lh | Lw | Ld | Lbu | Lhu | Lwu => c.load,
        Sb | Sh | Sw | Sd => c.store,
        Mul | Mulh | Mulhsu | Mulhu | Mulw => c.mul,
        Div | Divu | Rem | Remu | Divw | Divuw | Remw | Remuw => c.div,
        Csrrw | Csrrs | Csrrc | Csrrwi | Csrrsi | Csrrci => c.csr,
        Fence | FenceI => c.fence,
        op if memory_kind(op).0 || memory_kind(op).1 => c.amo,
        Ecall | Ebreak | Mret | Sret | Wfi | SfenceVma => c.system,
        _ => c.alu,
    }
}

/// A decoded instruction with its handler, as stored in a block.
#[derive(Clone, Copy)]
pub(crate) struct Decoded {
    /// The instruction.
    pub insn: Insn,
    /// Its operation's handler: the `LAST` variant if it ends its block, the `TIMING` one in
    /// timing mode.
    pub handler: Handler,
    /// What it and the rest of its block book (timing mode).
    pub suffix: Suffix,
}

const _: () = assert!(std::mem::size_of::<Decoded>() == 32);

impl Decoded {
    /// Attaches the handler of `insn`'s operation; `last` if `insn` ends its block.
    pub fn new(insn: Insn, last: bool, timing: bool, suffix: Suffix) -> Decoded {
        let table = match (timing, last) {
            (false, false) => &HANDLERS,
            (false, true) => &LAST_HANDLERS,
            (true, false) => &TIMING_HANDLERS,
            (true, true) => &TIMING_LAST_HANDLERS,
        };
        Decoded {
            insn,
            handler: table[insn.op as usize],
            suffix,
        }
    }
}

/// The events a `Suffix` books, in the order `book` passes its counts.
pub(crate) const BOOKED: [Event; 4] = [
    Event::Load,
    Event::Store,
    Event::L1dAccess,
    Event::L1iAccess,
];

impl Machine {
    /// Books `s` (entering a block, timing mode): its static cycles and counts.
    #[inline(always)]
    pub(crate) fn book_suffix(&mut self, s: &Suffix) {
        self.book(s);
    }

    /// Takes back `s`.
    pub(crate) fn unbook_suffix(&mut self, s: &Suffix) {
        self.unbook(s);
    }

    /// Takes back `s`, booked for an instruction that trapped and the rest of its block: its
    /// fetch did happen, so its L1I lookup stays counted. An instruction a watchpoint cancelled
    /// is different: the block resumes at it and books its fetch again, so nothing stays.
    pub(crate) fn unbook_trapped(&mut self, s: &Suffix) {
        self.unbook(s);
        if s.fetch_access() && !self.debug.cancel {
            self.stats.count(Event::L1iAccess);
        }
    }

    #[inline(always)]
    fn book(&mut self, s: &Suffix) {
        self.stats.add_each(
            BOOKED,
            [s.loads, s.stores, s.data, s.fetches].map(i64::from),
        );
        self.extra_cycles += u64::from(s.extra);
        self.refresh_stop();
    }

    /// Takes back `s` (a block left before the instructions it covers: every taken branch
    /// that is not its block's last, so not cold).
    #[inline]
    fn unbook(&mut self, s: &Suffix) {
        self.stats.add_each(
            BOOKED,
            [s.loads, s.stores, s.data, s.fetches].map(|n| -i64::from(n)),
        );
        self.extra_cycles -= u64::from(s.extra);
        self.refresh_stop();
    }
}

/// Runs the block whose first element is `ip`, from guest address `pc`, until the chain ends;
/// returns the pc to continue from. The block must end at or before `m.chain_limit`.
#[inline(always)]
pub(crate) fn run_block(m: &mut Machine, ip: *const Decoded, pc: u64) -> u64 {
    // Safety: `ip` points at an existing element (the caller got it from `block_at`).
    let d = unsafe { &*ip };
    if m.timing.is_some() {
        m.book(&d.suffix);
    }
    (d.handler)(m, ip, pc, m.retired)
}

/// The end of a block (`m.retired == n`): if the next block is already decoded on the page the
/// hart executes from and ends before the chain limit, jump straight into it; otherwise return
/// `npc` to the slice loop. (The invalid fetch state's dummy page has no blocks.)
#[inline(always)]
pub(crate) fn chain<const TIMING: bool>(m: &mut Machine, npc: u64, n: u64) -> u64 {
    let off = npc.wrapping_sub(m.fetch.vbase);
    if off >= PAGE_SIZE {
        return npc;
    }
    let Some((entry, ip)) = m.icache.block_at(m.fetch.page, off) else {
        return npc;
    };
    if TIMING && m.carry.any() {
        m.carry_in(ip);
    }
    // Safety: `block_at` returned a pointer to an existing element.
    let d = unsafe { &*ip };
    let static_extra = if TIMING { u64::from(d.suffix.extra) } else { 0 };
    if n + u64::from(entry & 0xff) + static_extra > m.chain_limit {
        return npc;
    }
    if TIMING {
        m.book(&d.suffix);
    }
    (d.handler)(m, ip, npc, n)
}

/// The instruction at `ip` retired (`n` now counts it) and the next one is at `npc`: go on.
/// `CHECK`: something may have asked the slice to stop, so look first. `FUSE`: the next
/// element's handler is known to be `element::<NEXT, NEXT_LAST, TIMING, NEXT_LOOP>` (a fused
/// pair, see `fused`), so call it directly instead of through the element.
#[inline(always)]
fn proceed<
    const LAST: bool,
    const CHECK: bool,
    const TIMING: bool,
    const FUSE: bool,
    const NEXT: usize,
    const NEXT_LAST: bool,
    const NEXT_LOOP: bool,
>(
    m: &mut Machine,
    ip: *const Decoded,
    npc: u64,
    n: u64,
) -> u64 {
    if LAST {
        m.retired = n;
        if TIMING && m.tick_shift != 0 {
            m.carry = m.icache.carry(m.fetch.page, ip);
        }
        return chain::<TIMING>(m, npc, n);
    }
    // Safety: the element at `ip` is not its block's last (`LAST` is false), so the next
    // element exists and belongs to the same block.
    let next = unsafe { ip.add(1) };
    // Something may have moved the stop (a stop request) or the block's end (a dynamic cost):
    // go on only if the rest of the block still ends by the stop, as when entering a block.
    // Safety: as above.
    if CHECK && n + u64::from(unsafe { (*next).suffix.insns }) > m.stop_retired {
        return cut::<TIMING>(m, next, npc, n);
    }
    if FUSE {
        return element::<NEXT, NEXT_LAST, TIMING, NEXT_LOOP>(m, next, npc, n);
    }
    // Safety: as above.
    let h = unsafe { (*next).handler };
    h(m, next, npc, n)
}

/// Plain (unfused) continuation: the next element's own handler.
#[inline(always)]
fn go_on<const LAST: bool, const CHECK: bool, const TIMING: bool>(
    m: &mut Machine,
    ip: *const Decoded,
    npc: u64,
    n: u64,
) -> u64 {
    proceed::<LAST, CHECK, TIMING, false, 0, false, false>(m, ip, npc, n)
}

/// The slice must stop before the element at `next` (guest `npc`; `n` retired): take back what
/// the block booked for the rest and leave it to be resumed there. Returns `npc`, the pc the
/// slice goes on from (so that a handler calls it in tail position).
#[cold]
#[inline(never)]
pub(crate) fn cut<const TIMING: bool>(
    m: &mut Machine,
    next: *const Decoded,
    npc: u64,
    n: u64,
) -> u64 {
    m.retired = n;
    if TIMING {
        // Safety: `next` is an element of the running block (see `proceed`).
        m.unbook(unsafe { &(*next).suffix });
    }
    if let Some(idx) = m.icache.index_of(m.fetch.page, next) {
        m.cut_block(npc, idx);
    }
    npc
}

/// A conditional branch at `ip` (guest `pc`) was taken to `npc` (`n` counts it): leave the
/// block. `LOOP` (functional mode): `npc` is the start of the branch's own block, so go straight
/// to its first element — what `chain` would find there, since a running block is live (a store
/// that drops blocks ends the slice, and with it the chain) — under the same chain limit.
#[inline(always)]
fn taken<const LAST: bool, const TIMING: bool, const LOOP: bool>(
    m: &mut Machine,
    ip: *const Decoded,
    pc: u64,
    npc: u64,
    n: u64,
) -> u64 {
    m.retired = n;
    if LOOP && !TIMING {
        // Safety: `ip` is an element of the running block (see `handler`), at position `pos`
        // of it, so the block's first element is `pos` elements before.
        let start = unsafe { ip.sub((*ip).suffix.pos()) };
        // Safety: as above.
        let first = unsafe { &*start };
        if n + u64::from(first.suffix.insns) > m.chain_limit {
            return npc;
        }
        return (first.handler)(m, start, npc, n);
    }
    if TIMING {
        taken_costs::<LAST>(m, ip, pc, npc);
    }
    chain::<TIMING>(m, npc, n)
}

/// Timing mode's work for a taken branch at `pc` (to `npc`): its extra cycles (simple model) or
/// its prediction (pipeline model), its count, the carry it hands on, and taking back the rest
/// of the block. Not cold: about one instruction in six is a taken branch on kernel code.
#[inline(never)]
pub(crate) fn taken_costs<const LAST: bool>(
    m: &mut Machine,
    ip: *const Decoded,
    pc: u64,
    npc: u64,
) {
    m.stats.count(Event::TakenBranch);
    if let Some(t) = m.timing.as_deref() {
        let extra = u64::from(t.cost.branch_taken.saturating_sub(t.cost.branch_not_taken));
        if extra > 0 {
            m.spend_cycles(extra);
        }
    }
    if !LAST {
        // Safety: not the block's last element, so the next one exists.
        m.unbook(unsafe { &(*ip.add(1)).suffix });
    }
    if m.predicts() {
        taken_pipeline::<LAST>(m, ip, pc, npc);
    }
}

/// The pipeline model's part of a taken branch: the carry it hands on, the tick its pair's
/// unexecuted second took, and its prediction.
fn taken_pipeline<const LAST: bool>(m: &mut Machine, ip: *const Decoded, pc: u64, npc: u64) {
    m.carry = m.icache.carry(m.fetch.page, ip);
    // Safety: as in `handler`.
    if !LAST && unsafe { (*ip).suffix.paired() } {
        // The second of the pair took one of the group's ticks and is not executed.
        m.spend_ticks(1);
    }
    m.predict_branch(pc, true, npc);
}

/// The handler of operation number `OP`; `LAST` if its instruction ends the block; `TIMING` in
/// timing mode.
fn handler<const OP: usize, const LAST: bool, const TIMING: bool>(
    m: &mut Machine,
    ip: *const Decoded,
    pc: u64,
    n: u64,
) -> u64 {
    body::<OP, LAST, TIMING, false, false, 0, false, false, UNCHECKED>(m, ip, pc, n)
}

/// The handler of operation number `OP` (`LAST`, `TIMING` as in `handler`); `LOOP` for a
/// conditional branch whose target is the start of its own block (functional mode, see `taken`).
pub(crate) fn element<const OP: usize, const LAST: bool, const TIMING: bool, const LOOP: bool>(
    m: &mut Machine,
    ip: *const Decoded,
    pc: u64,
    n: u64,
) -> u64 {
    body::<OP, LAST, TIMING, LOOP, false, 0, false, false, UNCHECKED>(m, ip, pc, n)
}

/// Timing mode: the instruction of operation `OP` at `ip` (`LAST`, `LOOP` as in `element`)
/// makes an L1I access (`Suffix::fetch_access`): if its line is the MRU one of its set (nearly
/// always), which changes nothing, run the instruction as its handler would; otherwise make the
/// access out of line first (`fetch_first`). Out of the handler itself, whose instruction most
/// often makes no L1I access: the check's registers would give every handler a stack frame
/// (the compiler saves them at entry, whichever way the handler goes).
#[inline(never)]
fn fetch_check<const OP: usize, const LAST: bool, const LOOP: bool>(
    m: &mut Machine,
    ip: *const Decoded,
    pc: u64,
    n: u64,
) -> u64 {
    if !m.fetch_line_is_mru(pc) {
        return fetch_first::<OP, LAST, LOOP>(m, ip, pc, n);
    }
    body::<OP, LAST, true, LOOP, false, 0, false, false, CHECKED>(m, ip, pc, n)
}

/// Timing mode: the instruction of operation `OP` at `ip` (`LAST`, `LOOP` as in `element`) is
/// fetched with an L1I access that is not an MRU hit: make it, then run the instruction as its
/// handler would. Out of line, so that what runs when the fetch is an MRU hit makes no call but
/// in tail position: simple operations then need no stack frame.
#[cold]
#[inline(never)]
fn fetch_first<const OP: usize, const LAST: bool, const LOOP: bool>(
    m: &mut Machine,
    ip: *const Decoded,
    pc: u64,
    n: u64,
) -> u64 {
    m.fetch_line_access(pc);
    body::<OP, LAST, true, LOOP, false, 0, false, false, ACCESSED>(m, ip, pc, n)
}

/// `body`'s `FETCHED` (timing mode): the instruction's L1I access not yet looked at (or made
/// none)...
const UNCHECKED: u8 = 0;
/// ... found to be an MRU hit (`fetch_check`), which changes nothing...
const CHECKED: u8 = 1;
/// ... or made (`fetch_first`), which may have cost cycles.
const ACCESSED: u8 = 2;

/// The handler of a fused pair (functional mode's only, see `fused`): the instruction of
/// operation `A` at `ip`, then, if it goes on in the block, the next element, whose operation is
/// `B` (`B_LAST`, `B_LOOP` as `LAST`, `LOOP` of `element`), through a direct call instead of the
/// element's handler: the same code runs in the same order, one indirect jump fewer. The second
/// element keeps its own handler for whatever enters the block there (a resumed cut), and a slow
/// path or trap in either goes exactly as unfused.
pub(crate) fn fused<const A: usize, const B: usize, const B_LAST: bool, const B_LOOP: bool>(
    m: &mut Machine,
    ip: *const Decoded,
    pc: u64,
    n: u64,
) -> u64 {
    body::<A, false, false, false, true, B, B_LAST, B_LOOP, UNCHECKED>(m, ip, pc, n)
}

/// The body of every handler: operation `OP`, `LAST`, `TIMING`, `LOOP` as in `element`, what
/// the next element is when known (`FUSE`, see `proceed`), and `FETCHED` (timing mode): what
/// became of the instruction's L1I access (`UNCHECKED`, `CHECKED`, `ACCESSED`).
#[inline(always)]
fn body<
    const OP: usize,
    const LAST: bool,
    const TIMING: bool,
    const LOOP: bool,
    const FUSE: bool,
    const NEXT: usize,
    const NEXT_LAST: bool,
    const NEXT_LOOP: bool,
    const FETCHED: u8,
>(
    m: &mut Machine,
    ip: *const Decoded,
    pc: u64,
    n: u64,
) -> u64 {
    // Safety: `ip` points at an element of the running block (module note), initialised and
    // not written while the block runs.
    let d = unsafe { &*ip };
    let insn = d.insn;
    // An L1I access is checked out of line (`fetch_check`), which comes back here with
    // `CHECKED`, or makes it and comes back with `ACCESSED`. An access may cost cycles: the
    // slice may then have to stop after this instruction, so the next one checks.
    if TIMING && FETCHED == UNCHECKED && d.suffix.fetch_access() {
        return fetch_check::<OP, LAST, LOOP>(m, ip, pc, n);
    }
    let op = Op::ALL[OP];
    if is_simple(op) {
        match m.execute::<true, TIMING>(op, insn, pc) {
            // A taken conditional branch leaves the block from the middle.
            Ok(npc) if is_branch(op) && npc != pc.wrapping_add(u64::from(insn.len)) => {
                taken::<LAST, TIMING, LOOP>(m, ip, pc, npc, n + 1)
            }
            // The pipeline model predicts every branch and jump (a mispredict costs cycles).
            Ok(npc) if TIMING && (is_branch(op) || is_jump(op)) && m.predicts() => {
                if is_jump(op) {
                    m.predict_jump(pc, &insn, npc);
                } else {
                    m.predict_branch(pc, false, npc);
                }
                proceed::<LAST, true, TIMING, FUSE, NEXT, NEXT_LAST, NEXT_LOOP>(m, ip, npc, n + 1)
            }
            // So may a load's or store's L1D miss (see `timed_fast_offset`).
            Ok(npc) if FETCHED == ACCESSED || (TIMING && is_data(op)) => {
                proceed::<LAST, true, TIMING, FUSE, NEXT, NEXT_LAST, NEXT_LOOP>(m, ip, npc, n + 1)
            }
            Ok(npc) => {
                proceed::<LAST, false, TIMING, FUSE, NEXT, NEXT_LAST, NEXT_LOOP>(m, ip, npc, n + 1)
            }
            Err(Stop::Slow) => slow::<LAST, TIMING>(m, ip, pc, n),
            Err(Stop::Trap(t)) => trap::<TIMING>(m, ip, pc, n, t),
        }
    } else {
        // Complex operations may read the counters and the pc, and may ask the slice to stop.
        m.retired = n;
        m.hart.pc = pc;
        match m.execute::<false, TIMING>(op, insn, pc) {
            Ok(npc) => go_on::<LAST, true, TIMING>(m, ip, npc, n + 1),
            Err(Stop::Trap(t)) => trap::<TIMING>(m, ip, pc, n, t),
            Err(Stop::Slow) => unreachable!("the slow path does not give up"),
        }
    }
}

/// Whether `op` is a conditional branch.
pub(crate) const fn is_branch(op: Op) -> bool {
    matches!(
        op,
        Op::Beq | Op::Bne | Op::Blt | Op::Bge | Op::Bltu | Op::Bgeu
    )
}

/// Whether `op` is a load or a store (`is_simple` excludes the AMOs).
pub(crate) const fn is_data(op: Op) -> bool {
    let (load, store) = memory_kind(op);
    load || store
}

/// Whether `op` is `jal` or `jalr`.
pub(crate) const fn is_jump(op: Op) -> bool {
    matches!(op, Op::Jal | Op::Jalr)
}

impl Machine {
    /// Whether the pipeline model's branch predictor runs (timing mode, pipeline model).
    #[inline(always)]
    pub(crate) fn predicts(&self) -> bool {
        self.tick_shift != 0
    }

    /// Pipeline model: the conditional branch at `pc` went to `npc` (`taken`); a mispredict
    /// is counted and costs `pipeline.mispredict` cycles.
    #[inline]
    pub(crate) fn predict_branch(&mut self, pc: u64, taken: bool, npc: u64) {
        let Some(t) = self.timing.as_deref_mut() else {
            return;
        };
        let Some(bp) = &mut t.predictor else {
            return;
        };
        if bp.branch(pc, taken, npc) {
            let cost = bp.mispredict;
            self.mispredicted(cost);
        }
    }

    /// Counts a mispredict and spends its `cost` cycles.
    #[cold]
    #[inline(never)]
    fn mispredicted(&mut self, cost: u64) {
        self.stats.count(Event::BranchMispredict);
        self.spend_cycles(cost);
    }

    /// Pipeline model: the jump `insn` at `pc` went to `npc` (see `predict_branch`).
    pub(crate) fn predict_jump(&mut self, pc: u64, insn: &Insn, npc: u64) {
        let Some(t) = self.timing.as_deref_mut() else {
            return;
        };
        let Some(bp) = &mut t.predictor else {
            return;
        };
        if bp.jump(pc, insn, npc) {
            let cost = bp.mispredict;
            self.mispredicted(cost);
        }
    }

    /// Pipeline model: the block at `ip` is entered with `carry` pending: stall for it, once.
    /// The static issue cycle of each instruction follows from the ticks booked before it: a
    /// group ends on an even tick count, the first of a pair one tick before.
    #[cold]
    #[inline(never)]
    pub(crate) fn carry_in(&mut self, ip: *const Decoded) {
        let carry = std::mem::take(&mut self.carry);
        // The stall is a function of the carry and the block's elements: the last one found at
        // this element is kept (see `CodePage::stalls`).
        let key = carry.key();
        let page = self.fetch.page;
        let memo = self
            .icache
            .index_of(page, ip)
            .and_then(|i| self.icache.stall_memo(page, i));
        let stall = match memo {
            Some(m) if *m >> 8 == key => *m & 0xff,
            Some(m) => {
                let stall = carry_stall_at(carry, ip);
                debug_assert!(stall < 1 << 8, "a carry's delay is at most MAX_CARRY");
                *m = key << 8 | stall;
                stall
            }
            None => carry_stall_at(carry, ip),
        };
        if stall > 0 {
            self.spend_cycles(stall);
        }
    }
}

/// Pipeline model: the stall, in cycles, of the block at `ip` entered with `carry` pending (see
/// `Machine::carry_in`).
pub(crate) fn carry_stall_at(carry: super::pipeline::Carry, ip: *const Decoded) -> u64 {
    // Safety: `ip` points at an element of a block (`block_at`, `element`), and the
    // `insns` elements from it are that block's.
    let len = usize::from(unsafe { (*ip).suffix.insns });
    let mut ticks = 0u64;
    let insns = (0..len).map(|j| {
        // Safety: as above, `j < len`.
        let d = unsafe { &*ip.add(j) };
        let rest = if j + 1 < len {
            // Safety: as above.
            unsafe { (*ip.add(j + 1)).suffix.extra }
        } else {
            0
        };
        ticks += 1 + u64::from(d.suffix.extra - rest);
        (d.insn, ((ticks - 1) / 2).min(255) as u8)
    });
    super::pipeline::carry_stall(carry, insns)
}

/// The instruction at `ip` needs the memory slow path: run it fully, then go on.
#[cold]
#[inline(never)]
fn slow<const LAST: bool, const TIMING: bool>(
    m: &mut Machine,
    ip: *const Decoded,
    pc: u64,
    n: u64,
) -> u64 {
    // Safety: as in `handler`.
    let insn = unsafe { (*ip).insn };
    m.retired = n;
    m.hart.pc = pc;
    match m.execute::<false, TIMING>(insn.op, insn, pc) {
        Ok(npc) => go_on::<LAST, true, TIMING>(m, ip, npc, n + 1),
        Err(Stop::Trap(t)) => trap::<TIMING>(m, ip, pc, n, t),
        Err(Stop::Slow) => unreachable!("the slow path does not give up"),
    }
}

/// The instruction at `ip` (guest `pc`) trapped after `n` retired: take back what the block
/// booked for it and after it, take the trap, and end the chain.
#[cold]
#[inline(never)]
fn trap<const TIMING: bool>(m: &mut Machine, ip: *const Decoded, pc: u64, n: u64, t: Trap) -> u64 {
    m.retired = n;
    if TIMING {
        // Safety: as in `handler`.
        m.unbook_trapped(unsafe { &(*ip).suffix });
    }
    m.carry = Carry::NONE;
    m.hart.pc = pc;
    if m.debug.cancel {
        // A watchpoint cancelled the instruction: the block goes on from it later.
        if let Some(idx) = m.icache.index_of(m.fetch.page, ip) {
            m.cut_block(pc, idx);
        }
    }
    m.take_trap(t);
    m.hart.pc
}

/// The handler of each operation, indexed by its discriminant, for instructions inside a block.
const HANDLERS: [Handler; Op::COUNT] = seq!(OP in 0..101 { [#(handler::<OP, false, false>,)*] });

/// The handler of each operation, for the last instruction of a block.
const LAST_HANDLERS: [Handler; Op::COUNT] =
    seq!(OP in 0..101 { [#(handler::<OP, true, false>,)*] });

/// Timing mode's handlers for instructions inside a block.
const TIMING_HANDLERS: [Handler; Op::COUNT] =
    seq!(OP in 0..101 { [#(handler::<OP, false, true>,)*] });

/// Timing mode's handlers for the last instruction of a block.
const TIMING_LAST_HANDLERS: [Handler; Op::COUNT] =
    seq!(OP in 0..101 { [#(handler::<OP, true, true>,)*] });
