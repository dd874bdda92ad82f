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
//!   slice's stop (`run_slice` steps the others one instruction at a time), and requests to stop
//!   early can come only from a memory slow path or a complex operation, which check.
//!
//! Simple operations (see `is_simple`) run their fast path without any call that is not a tail
//! call, so they need no stack frame; a miss or a trap goes to a cold continuation.
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

use crate::hart::insn::{Insn, Op};
use crate::memmap::PAGE_SIZE;
use crate::trap::Trap;

use seq_macro::seq;

use super::Machine;
use super::execute::{Stop, is_simple};

/// Executes the instruction at `ip` (at guest address `pc`) and those after it; `n` is the
/// retired count before it. Returns the pc to continue from, with `Machine::retired` exact.
pub(crate) type Handler = fn(&mut Machine, *const Decoded, u64, u64) -> u64;

/// A decoded instruction with its handler, as stored in a block.
#[derive(Clone, Copy)]
pub(crate) struct Decoded {
    /// The instruction.
    pub insn: Insn,
    /// Its operation's handler, the `LAST` variant if it ends its block.
    pub handler: Handler,
}

impl Decoded {
    /// Attaches the handler of `insn`'s operation; `last` if `insn` ends its block.
    pub fn new(insn: Insn, last: bool) -> Decoded {
        let table = if last { &LAST_HANDLERS } else { &HANDLERS };
        Decoded {
            insn,
            handler: table[insn.op as usize],
        }
    }
}

/// Runs the block whose first element is `ip`, from guest address `pc`, until the chain ends;
/// returns the pc to continue from. The block must end at or before `m.chain_limit`.
#[inline(always)]
pub(crate) fn run_block(m: &mut Machine, ip: *const Decoded, pc: u64) -> u64 {
    // Safety: `ip` points at an existing element (the caller got it from `block_at`).
    let first = unsafe { (*ip).handler };
    first(m, ip, pc, m.retired)
}

/// The end of a block (`m.retired == n`): if the next block is already decoded on the page the
/// hart executes from and ends before the chain limit, jump straight into it; otherwise return
/// `npc` to the slice loop. (The invalid fetch state's dummy page has no blocks.)
#[inline(always)]
fn chain(m: &mut Machine, npc: u64, n: u64) -> u64 {
    let off = npc.wrapping_sub(m.fetch.vbase);
    if off >= PAGE_SIZE {
        return npc;
    }
    let Some((entry, ip)) = m.icache.block_at(m.fetch.page, off) else {
        return npc;
    };
    if n + u64::from(entry & 0xff) > m.chain_limit {
        return npc;
    }
    // Safety: `block_at` returned a pointer to an existing element.
    let first = unsafe { (*ip).handler };
    first(m, ip, npc, n)
}

/// The instruction at `ip` retired (`n` now counts it) and the next one is at `npc`: go on.
/// `CHECK`: something may have asked the slice to stop, so look first.
#[inline(always)]
fn proceed<const LAST: bool, const CHECK: bool>(
    m: &mut Machine,
    ip: *const Decoded,
    npc: u64,
    n: u64,
) -> u64 {
    if LAST {
        m.retired = n;
        return chain(m, npc, n);
    }
    if CHECK && n >= m.stop_retired {
        m.retired = n;
        return npc;
    }
    // Safety: the element at `ip` is not its block's last (`LAST` is false), so the next
    // element exists and belongs to the same block.
    let next = unsafe { ip.add(1) };
    // Safety: as above.
    let h = unsafe { (*next).handler };
    h(m, next, npc, n)
}

/// The handler of operation number `OP`; `LAST` if its instruction ends the block.
fn handler<const OP: usize, const LAST: bool>(
    m: &mut Machine,
    ip: *const Decoded,
    pc: u64,
    n: u64,
) -> u64 {
    // Safety: `ip` points at an element of the running block (module note), initialised and
    // not written while the block runs.
    let insn = unsafe { (*ip).insn };
    let op = Op::ALL[OP];
    if is_simple(op) {
        match m.execute::<true>(op, insn, pc) {
            // A taken conditional branch leaves the block from the middle.
            Ok(npc) if is_branch(op) && npc != pc.wrapping_add(u64::from(insn.len)) => {
                m.retired = n + 1;
                chain(m, npc, n + 1)
            }
            Ok(npc) => proceed::<LAST, false>(m, ip, npc, n + 1),
            Err(Stop::Slow) => slow::<LAST>(m, ip, pc, n),
            Err(Stop::Trap(t)) => trap(m, pc, n, t),
        }
    } else {
        // Complex operations may read the counters, and may ask the slice to stop.
        m.retired = n;
        match m.execute::<false>(op, insn, pc) {
            Ok(npc) => proceed::<LAST, true>(m, ip, npc, n + 1),
            Err(Stop::Trap(t)) => trap(m, pc, n, t),
            Err(Stop::Slow) => unreachable!("the slow path does not give up"),
        }
    }
}

/// Whether `op` is a conditional branch.
const fn is_branch(op: Op) -> bool {
    matches!(
        op,
        Op::Beq | Op::Bne | Op::Blt | Op::Bge | Op::Bltu | Op::Bgeu
    )
}

/// The instruction at `ip` needs the memory slow path: run it fully, then go on.
#[cold]
#[inline(never)]
fn slow<const LAST: bool>(m: &mut Machine, ip: *const Decoded, pc: u64, n: u64) -> u64 {
    // Safety: as in `handler`.
    let insn = unsafe { (*ip).insn };
    m.retired = n;
    match m.execute::<false>(insn.op, insn, pc) {
        Ok(npc) => proceed::<LAST, true>(m, ip, npc, n + 1),
        Err(Stop::Trap(t)) => trap(m, pc, n, t),
        Err(Stop::Slow) => unreachable!("the slow path does not give up"),
    }
}

/// The instruction at `pc` trapped after `n` retired: take the trap and end the chain.
#[cold]
#[inline(never)]
fn trap(m: &mut Machine, pc: u64, n: u64, t: Trap) -> u64 {
    m.retired = n;
    m.hart.pc = pc;
    m.take_trap(t);
    m.hart.pc
}

/// The handler of each operation, indexed by its discriminant, for instructions inside a block.
const HANDLERS: [Handler; Op::COUNT] = seq!(OP in 0..101 { [#(handler::<OP, false>,)*] });

/// The handler of each operation, for the last instruction of a block.
const LAST_HANDLERS: [Handler; Op::COUNT] = seq!(OP in 0..101 { [#(handler::<OP, true>,)*] });
