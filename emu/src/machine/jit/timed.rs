//! The block translator in timing mode: the same native code as functional mode's, plus the
//! cycle model's work that the threaded timing handlers do, with the same results.
//!
//! What a translated block does besides running its instructions (see `threaded` and `timing`
//! for what each step means):
//! - **Booking.** The block's static costs and counts (its `Suffix`) are booked by whoever
//!   enters it (`chain`, `run_block`), as for the interpreter, and taken back by the
//!   continuations `enter_timed` calls (a taken branch's `taken_costs`, a `cut`); a loop books
//!   its own next run (below).
//! - **Fetch.** An element that makes an L1I access (`Suffix::fetch_access`) checks inline
//!   whether its line is the MRU line of its set (`Cache::is_mru`: nothing would change); if
//!   not, it calls `fetch_line_access` through a helper. In a loop whose lines lie in distinct
//!   sets, only the first run checks (`fetch_once`).
//! - **Data.** A load or store first probes the host TLB, which changes nothing: if the probe
//!   fails (not held, misaligned) the element is a bail, and the interpreter runs it, fetch and
//!   all. In a loop, an access to the page its element's last probe found takes that probe's
//!   result (`held_probe`). Then its DTLB slot and L1D line are checked inline against the most
//!   recently used ones (`timed_fast_offset`'s test); if either is not, a helper makes exactly
//!   the interpreter's model changes (`Machine::timed_not_mru`, the interpreter's function
//!   with the miss path's copy for the model's cache shape, `data_helper_for`). A loop
//!   whose every load and store is held (under an LRU DTLB) makes no DTLB hit at its accesses:
//!   it makes them at each way out and at each change of an access's page, in the order of
//!   their last runs (`dtlb_replay`), which leaves the DTLB's LRU order as the interpreter's
//!   hits do (a copy between two pages changed the DTLB's MRU slot at every access). Such an
//!   access also holds the line it left the MRU one of its set until a data helper's access
//!   to that set, and an access to it skips the probe and the model's test (`held_line`).
//!   Where the runs' loads and stores all go through their held lines, with nothing else to
//!   check, the loop runs an unchecked copy of its body (`laps`).
//! - **Branches.** A taken conditional branch leaves the native code (`TAKEN`), and
//!   `enter_timed` runs the interpreter's `taken_costs` and `chain`. A branch that is not taken
//!   calls the pipeline model's predictor through a helper (`predict_branch`), unless its BHT
//!   counter is 0, when the prediction changes nothing (`timed_not_taken`). A jump ends the
//!   block and is predicted by `enter_timed` (`END`).
//! - **Loops.** A taken branch back to the block's start does not leave: the native code books
//!   what `taken_costs` and `chain` would (the branch, the next run's `Suffix`, the stops) and
//!   runs the block again, or leaves (`STOP`) where the chain limit ends the chain. The booking
//!   is inline from constants made at translation (`LoopPlan`) while the predictor would change
//!   nothing; otherwise a helper runs the interpreter's path (`loop_helper`). After one inline
//!   booking, a loop whose body predicts no other branch does not check the predictor again
//!   (`Timed::sticky`). Between the stops, a stretch of runs that would each book the usual way
//!   books in closed form: each run adds its ticks alone, and the machine's words are brought
//!   up to date before every helper and way out (`loop_booking`, `sync_booking`). The kernels'
//!   copy and fill loops, most of what micro `usertests` runs, are such loops.
//! - **Stops.** Every helper returns `stop_retired` after its work: a cost may have moved the
//!   slice's stop before the block's end, and then the native code leaves before the next
//!   element (`CUT`), which `enter_timed` cuts exactly as the handlers' check does.
//!
//! Translated only with an L1I and an L1D (the profiles without one take the interpreter's
//! slow paths for every access), and entered only while no watchpoint is set (the fast path's
//! L1D miss gives way to the slow path then).
#![allow(unsafe_code)]

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{AbiParam, Block, InstBuilder, MemFlagsData, Signature, Value, types};
use cranelift_frontend::Variable;

use crate::memmap::{PAGE_MASK, RAM_BASE};
use crate::model::cache::{DIRTY, MIN_LINE, VALID};

use super::super::Machine;
use super::super::threaded::BOOKED;
use super::super::threaded::{self, Decoded};
use super::super::timing::{LRU2_LRU8, LRU8_PLRU16, OFFSET_MASK, OTHER, PLRU8_PLRU16, SLOT_SHIFT};
use super::{
    BAIL, CUT, END, ENV_DTLB_MRU, ENV_FETCH_PBASE, ENV_LAZY_END, ENV_LAZY_FROM, ENV_LAZY_TICKS,
    ENV_M, ENV_N0, ENV_RAM, Env, Gen, STOP, TAKEN,
};
use crate::hart::insn::Op;
use crate::model::tlb::LruWords;
use crate::stats::Event;

mod laps;

/// What a run of a translated loop (a block whose element `k - 1` is a conditional branch back
/// to its start) books when that branch is taken and the predictor predicts it right without
/// changing (see `Predictor::branch_words`): constants of the block and the profile, made once
/// at translation from the same functions the interpreter's path calls (`taken_costs`,
/// `again`), so that the native code can do it without leaving. A predictor that would change
/// sends the native code to `loop_helper`, which runs that path itself.
pub(crate) struct LoopPlan {
    /// Elements in a run; the branch is element `k - 1`, at guest `pc`.
    k: usize,
    pc: u64,
    /// What `taken_costs` counts, in event numbers and counts (the branch, and the rest of the
    /// block taken back when it is not the last element).
    taken: Vec<(usize, i64)>,
    /// The ticks they spend (or take back), in the order they do, each followed by a refresh of
    /// the stop (`Machine::refresh_stop`).
    steps: Vec<i64>,
    /// `again`'s test: another run needs `n + limit <= chain_limit`.
    limit: u64,
    /// What `again` books for the next run (the block's `Suffix`): counts, then ticks.
    book: Vec<(usize, i64)>,
    book_ticks: u64,
    /// The predictor's words for the branch (`Predictor::branch_words`), if it predicts.
    predictor: Option<(*const u8, *const u64, *const u64)>,
    /// Bytes a run loads and stores.
    bytes: (u64, u64),
}

impl Machine {
    /// The plan of the block at element `idx` of code page `page` (`block`, from guest `pc`)
    /// in timing mode, if it is a loop (see `LoopPlan`).
    pub(super) fn loop_plan(
        &mut self,
        page: usize,
        idx: usize,
        block: &[Decoded],
        pc: u64,
    ) -> Option<LoopPlan> {
        let j = super::loop_branch(block, pc)?;
        let (first, at) = (block[0].suffix, &block[j]);
        let branch_pc = block[..j]
            .iter()
            .fold(pc, |a, d| a.wrapping_add(u64::from(d.insn.len)));
        let ts = self.tick_shift;
        let predicts = self.predicts();
        let carry = self.icache.carry_of(page, idx + j);
        let t = self.timing.as_deref_mut()?;
        let mut taken = vec![(Event::TakenBranch as usize, 1)];
        let mut steps = Vec::new();
        // `taken_costs`: the taken penalty, the rest of the block taken back, the pair's tick.
        let penalty = u64::from(t.cost.branch_taken.saturating_sub(t.cost.branch_not_taken));
        if penalty > 0 {
            steps.push((penalty << ts) as i64);
        }
        if let Some(next) = block.get(j + 1) {
            let s = next.suffix;
            let counts = [s.loads, s.stores, s.data, s.fetches];
            taken.extend(
                BOOKED
                    .iter()
                    .zip(counts)
                    .map(|(&e, n)| (e as usize, -i64::from(n))),
            );
            steps.push(-i64::from(s.extra));
            if predicts && at.suffix.paired() {
                steps.push(1);
            }
        }
        let mut predictor = None;
        if predicts {
            predictor = t
                .predictor
                .as_deref_mut()
                .map(|p| p.branch_words(branch_pc));
            // `again`'s `carry_in`: the branch's carry into its own block.
            let stall = if carry.any() {
                threaded::carry_stall_at(carry, block.as_ptr())
            } else {
                0
            };
            if stall > 0 {
                steps.push((stall << ts) as i64);
            }
        }
        let counts = [first.loads, first.stores, first.data, first.fetches];
        Some(LoopPlan {
            k: j + 1,
            pc: branch_pc,
            taken,
            steps,
            limit: u64::from(first.insns) + u64::from(first.extra),
            book: BOOKED
                .iter()
                .zip(counts)
                .map(|(&e, n)| (e as usize, i64::from(n)))
                .collect(),
            book_ticks: u64::from(first.extra),
            predictor,
            bytes: block[..=j].iter().fold((0, 0), |(l, s), d| {
                let n = super::access_size(d.insn.op);
                if matches!(d.insn.op, Op::Sb | Op::Sh | Op::Sw | Op::Sd) {
                    (l, s + n)
                } else {
                    (l + n, s)
                }
            }),
        })
    }
}

impl LoopPlan {
    /// The sum of the steps' ticks, and the most ticks among their partial sums (`i64::MIN`:
    /// no step).
    fn sum_and_peak(&self) -> (i64, i64) {
        let (mut sum, mut peak) = (0i64, i64::MIN);
        for &d in &self.steps {
            sum += d;
            peak = peak.max(sum);
        }
        (sum, peak)
    }

    /// `(booked, most)` of a loop whose runs may book in closed form (`Gen::loop_booking`):
    /// the ticks a usual run books in all, when not negative (so that the stops only fall from
    /// run to run), and the most ticks past a run's start at which one of its refreshes stops
    /// (the least stop of the run).
    fn closed(&self) -> Option<(i64, i64)> {
        let (sum, peak) = self.sum_and_peak();
        let booked = sum + self.book_ticks as i64;
        (booked >= 0).then_some((booked, peak.max(booked)))
    }
}

/// What timing mode's translation of a block needs of the machine (`Machine::timed_info`).
pub(crate) struct TimedInfo {
    /// The predictor's BHT (`Predictor::bht_table`), while the pipeline model's predictor runs
    /// (`Machine::predicts`).
    bht: Option<(*const u8, usize)>,
    /// The block's loop, if it is one.
    plan: Option<LoopPlan>,
    /// Under LRU replacement, the DTLB's words and `Timing::dtlb_mru`, for its hits inline.
    dtlb: Option<(LruWords, *mut usize)>,
    /// L1I's and L1D's MRU tables (`Cache::mru_table`; zeros without the cache, where the
    /// native code never runs, see `enter_timed`), as constants of the code.
    l1i: MruTable,
    l1d: MruTable,
    /// The loop's fetches need checking in its first run only (`fetch_once`).
    fetch_once: bool,
    /// The shape of the L1D and the L2 (`Timing::shape_number`), for the data helper's copy.
    shape: u8,
}

/// A cache's MRU word of each set, its line shift and its set mask (`Cache::mru_table`: the
/// table is never reallocated while the cache lives, and the machine's caches live as long as
/// it does, as its translations do).
type MruTable = (*const u64, u32, u64);

/// The `MruTable` of a cache the machine lacks: none, with the smallest line (`MIN_LINE`, so
/// that `is_mru`'s shifts are well formed in code that never runs, see `enter_timed`).
const NO_CACHE: MruTable = (std::ptr::null(), MIN_LINE.trailing_zeros(), 0);

impl Machine {
    /// What the translation of the block at element `idx` of code page `page` (`block`, from
    /// guest `pc`) needs in timing mode (`None` in functional mode).
    pub(super) fn timed_info(
        &mut self,
        page: usize,
        idx: usize,
        block: &[Decoded],
        pc: u64,
    ) -> Option<TimedInfo> {
        self.timing.as_ref()?;
        let plan = self.loop_plan(page, idx, block, pc);
        let predicts = self.predicts();
        let t = self.timing.as_deref_mut()?;
        let dtlb = t
            .dtlb
            .lru_words()
            .map(|w| (w, &mut t.dtlb_mru as *mut usize));
        let l1i = t.l1i().map_or(NO_CACHE, |c| c.mru_table());
        let l1d = t.l1d().map_or(NO_CACHE, |c| c.mru_table());
        let fetch_once = plan
            .as_ref()
            .is_some_and(|p| fetch_once(&block[..p.k.min(block.len())], pc, l1i));
        let bht = t
            .predictor
            .as_deref()
            .filter(|_| predicts)
            .map(|p| p.bht_table());
        Some(TimedInfo {
            bht,
            plan,
            dtlb,
            l1i,
            l1d,
            fetch_once,
            shape: t.shape_number(),
        })
    }
}

/// Whether the L1I lines that the loop `body` (from guest `pc`) fetches lie in distinct sets of
/// the L1I whose MRU table is `l1i`. Then, once a run has made its fetches, every line is the
/// MRU line of its set, and stays so while the native code loops: only a fetch changes the
/// L1I (there is no inclusion between levels, see `model::cache`), and the body's other
/// fetches go to other sets. So every later run's checks would pass, and are skipped.
///
/// A line's set is `(paddr >> shift) & mask`; the body lies in one page, whose physical base
/// is a multiple of the page size, so two offsets `a`, `b` in it share a set exactly when
/// `(a >> shift) & mask == (b >> shift) & mask` for distinct lines: when the sets span at most
/// a page the base adds a multiple of the sets' span, and when they span more, distinct lines
/// of one page are fewer apart than the sets.
fn fetch_once(body: &[Decoded], pc: u64, (_, shift, mask): MruTable) -> bool {
    let mut lines: Vec<u64> = Vec::new();
    let mut at = pc;
    for d in body {
        if d.suffix.fetch_access() {
            let line = (at & PAGE_MASK) >> shift;
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
        at = at.wrapping_add(u64::from(d.insn.len));
    }
    lines
        .iter()
        .enumerate()
        .all(|(i, a)| lines[..i].iter().all(|b| (a ^ b) & mask != 0))
}

/// Byte offsets of the machine's fields the loops' booking reads and writes (see
/// `Machine::refresh_stop`).
mod machine {
    use super::Machine;
    pub const RETIRED: i32 = std::mem::offset_of!(Machine, retired) as i32;
    pub const EXTRA_CYCLES: i32 = std::mem::offset_of!(Machine, extra_cycles) as i32;
    pub const INSN_LIMIT: i32 = std::mem::offset_of!(Machine, insn_limit) as i32;
    pub const STOP_CYCLE: i32 = std::mem::offset_of!(Machine, stop_cycle) as i32;
    pub const STOP_RETIRED: i32 = std::mem::offset_of!(Machine, stop_retired) as i32;
    pub const CHAIN_LIMIT: i32 = std::mem::offset_of!(Machine, chain_limit) as i32;
}

/// Timing mode's code generation state of one block.
pub(super) struct Timed {
    /// Elements in the block.
    len: usize,
    /// As in `TimedInfo`.
    bht: Option<(*const u8, usize)>,
    /// The retired count at the start of this run of the block (`Env::n0`, advanced by each
    /// loop back, see `timed_loop`).
    n0: Variable,
    /// The start of the block's code, after the prologue: where a loop goes back to.
    head: Block,
    /// The block's loop, if it is one.
    plan: Option<LoopPlan>,
    /// As in `TimedInfo`.
    dtlb: Option<(LruWords, *mut usize)>,
    l1i: MruTable,
    l1d: MruTable,
    /// As in `TimedInfo`.
    shape: u8,
    /// The loop's `k` (elements a run retires up to its branch back), 1 without a loop.
    lap: u64,
    /// A loop whose run books a fixed number of ticks `booked` >= 0, and whose stop of the
    /// chain limit is the one at `most` ticks of the run (see `loop_booking`): `(booked,
    /// most)`. Its runs book in closed form (`Env::lazy_end`); `None`: each run books in full.
    /// The machine's words lag behind a closed-form run: `sync_booking` brings them up to
    /// date before every helper and way out.
    closed: Option<(i64, i64)>,
    /// What a `fast` run counts: the plan's `taken` and `book` together.
    deferred: Vec<(usize, i64)>,
    /// The plan's `bytes` (zeros without a loop).
    run_bytes: (u64, u64),
    /// Some helper was called in the element being translated (so `timed_check` checks).
    pending: bool,
    /// The elements whose fetches are checked in a loop's first run only: the loop's whole body
    /// where `fetch_once` allows, else none.
    fetch_once: usize,
    /// Nothing in the loop's body but its branch uses the predictor (no other conditional
    /// branch, whose not-taken prediction is a helper): a steady predictor stays steady while
    /// the native code loops, so after one inline booking the next run does not check it.
    sticky: bool,
    /// For the first `HELD` loads and stores of the loop's body (by element): the env offset of
    /// the page its last run's host-TLB probe found, followed by the entry's value
    /// (`held_probe`).
    held: Vec<Option<i32>>,
    /// The DTLB hits of the held loads and stores are deferred (`dtlb_replay`): every load and
    /// store of the block is held, and the DTLB is under LRU replacement.
    defer_dtlb: bool,
    /// Where the loop branch, not taken, goes on, when the loop has steady runs (`laps`), whose
    /// branch goes on there too; taken by the branch's translation (`loop_stay`).
    stay: Option<Block>,
}

/// A load's or store's access in the code being made: `n` bytes at `vaddr` through the host-TLB
/// table at env offset `table`, by element `j`.
#[derive(Clone, Copy)]
struct Access {
    table: i32,
    vaddr: Value,
    n: u64,
    j: usize,
}

/// The env offset of the held line (`Env::lines`) of the access whose `held_probe` words are at
/// env offset `at` (`Env::held`: two words an access, one line word).
fn line_word(at: i32) -> i32 {
    super::ENV_LINES + (at - super::ENV_HELD) / 2
}

/// A helper's signature: the machine and two words in, `stop_retired` out.
type Helper = extern "C" fn(*mut Machine, u64, u64) -> u64;

/// Helper: the L1I access of the instruction at `pc` (not an MRU hit).
extern "C" fn fetch_helper(m: *mut Machine, pc: u64, _: u64) -> u64 {
    // Safety: `m` is the machine whose `enter_timed` runs the calling native code; nothing
    // else uses it during the call (`enter_timed` made every pointer it passed from it).
    let m = unsafe { &mut *m };
    m.fetch_line_access(pc);
    m.stop_retired
}

/// Helper: a load's (`WRITE` false) or store's access to physical `paddr` through DTLB slot
/// `slot` (+ 1, or 0), whose line is not the MRU one.
/// One for each shape of the L1D and the L2 (`SHAPE`, see `Timing::shape_number`): the
/// translator takes the one for the model's (`data_helper_for`).
extern "C" fn data_helper<const WRITE: bool, const SHAPE: u8>(
    m: *mut Machine,
    paddr: u64,
    slot: u64,
) -> u64 {
    // Safety: as in `fetch_helper`.
    let m = unsafe { &mut *m };
    // The native code checked the whole access is in RAM, and no watchpoint is set, so this
    // cannot give up; if it did, stopping the slice after this element keeps the loss visible.
    match m.timed_not_mru::<SHAPE>(slot, paddr, paddr - RAM_BASE, 1, WRITE) {
        Some(_) => m.stop_retired,
        None => 0,
    }
}

/// The data helper for a store (`write`) or a load under shape `shape` (`Timing::shape_number`).
fn data_helper_for(write: bool, shape: u8) -> Helper {
    match (write, shape) {
        (true, LRU8_PLRU16) => data_helper::<true, LRU8_PLRU16>,
        (true, PLRU8_PLRU16) => data_helper::<true, PLRU8_PLRU16>,
        (true, LRU2_LRU8) => data_helper::<true, LRU2_LRU8>,
        (true, _) => data_helper::<true, OTHER>,
        (false, LRU8_PLRU16) => data_helper::<false, LRU8_PLRU16>,
        (false, PLRU8_PLRU16) => data_helper::<false, PLRU8_PLRU16>,
        (false, LRU2_LRU8) => data_helper::<false, LRU2_LRU8>,
        (false, _) => data_helper::<false, OTHER>,
    }
}

/// Helper: the DTLB hit of a load or store through DTLB slot `slot` (+ 1) that is not the MRU
/// slot, to a line that is the MRU line of its set (so the access changes nothing in L1D):
/// `timed_not_mru`'s `dtlb_hit`, the only change it makes then.
extern "C" fn dtlb_helper(m: *mut Machine, slot: u64, _: u64) -> u64 {
    // Safety: as in `fetch_helper`.
    let m = unsafe { &mut *m };
    if let Some(t) = m.timing.as_deref_mut() {
        t.dtlb_hit(slot);
    }
    m.stop_retired
}

/// Helper: the deferred DTLB hits of a block's held loads and stores (`Timed::defer_dtlb`),
/// made in the order of each one's last run. `order` is `p | n << 8`: `n` held accesses, of
/// which the first `p` ran last in this run of the block and the others in the run before
/// (if there was one: an access that has not run since entry holds no page, `Env::held`).
///
/// Deferring is exact: while the native code runs, the DTLB only hits (nothing reads its
/// replacement state to choose a victim), and under LRU the state after a sequence of hits
/// depends only on the order of each slot's last hit. Making the held accesses' hits at each
/// way out, and at each change of an access's page (when the slot it held would otherwise
/// never be made again), in the order of their last runs, gives every slot its place in that
/// order; only the stamps' values differ, and nothing but their order is read.
extern "C" fn dtlb_replay(m: *mut Machine, env: u64, order: u64) -> u64 {
    // Safety: as in `loop_helper`.
    let (m, env) = unsafe { (&mut *m, &*(env as *const Env)) };
    let (p, n) = ((order & 0xff) as usize, (order >> 8) as usize);
    if let Some(t) = m.timing.as_deref_mut() {
        for i in (p..n).chain(0..p) {
            let (page, value) = (env.held[2 * i], env.held[2 * i + 1]);
            if page != 0 {
                t.dtlb_hit(value >> SLOT_SHIFT);
            }
        }
    }
    m.stop_retired
}

/// Helper: the conditional branch at `pc` was not taken (it goes on at `npc`).
extern "C" fn not_taken_helper(m: *mut Machine, pc: u64, npc: u64) -> u64 {
    // Safety: as in `fetch_helper`.
    let m = unsafe { &mut *m };
    m.predict_branch(pc, false, npc);
    m.stop_retired
}

/// Helper: a run of the block of the env at `env` ended in a taken branch back to the block's
/// start (the pc of the branch and the start in the env's `pc` and `npc`), with the retired
/// count `n` (so the branch is element `n - env.n0 - 1`): its costs, and the next run's if the
/// chain limit allows one (see `again`). Returns 1 to run the block again, 0 to stop.
extern "C" fn loop_helper(m: *mut Machine, env: u64, n: u64) -> u64 {
    // Safety: as in `fetch_helper`; `env` is the env `enter_timed` passed the native code,
    // whose `ip` is the block's first element and `n0` the retired count at this run's start.
    let (m, env) = unsafe { (&mut *m, &*(env as *const Env)) };
    let k = (n - env.n0) as usize;
    m.retired = n;
    // Safety: `ip` is the first element of a block of `suffix.insns` elements, and the branch
    // is its element `k - 1`.
    let (at, last) = unsafe { (env.ip.add(k - 1), k == usize::from((*env.ip).suffix.insns)) };
    if last {
        threaded::taken_costs::<true>(m, at, env.pc, env.npc);
    } else {
        threaded::taken_costs::<false>(m, at, env.pc, env.npc);
    }
    u64::from(again(m, env.ip, n))
}

/// A branch to the start of the block whose first element is `ip` was taken and its costs
/// booked, with the retired count `n`: what `chain` does then (the block is live and the fetch
/// page unchanged: native code neither stores to code nor changes the fetch state), without
/// looking the block up again. Whether to run it again.
#[inline(always)]
fn again(m: &mut Machine, ip: *const Decoded, n: u64) -> bool {
    // Safety: `ip` is the first element of a block (`enter_timed`).
    let first = unsafe { &*ip };
    if m.carry.any() {
        m.carry_in(ip);
    }
    if n + u64::from(first.suffix.insns) + u64::from(first.suffix.extra) > m.chain_limit {
        return false;
    }
    m.book_suffix(&first.suffix);
    true
}

impl Gen<'_> {
    /// Timing mode: load a loop's registers (`loop_registers`) (the env's fields are loaded at
    /// each use, see `Gen::field`). `block`: the block's elements; `info`: as in `Timed`.
    pub(super) fn timed_prologue(&mut self, block: &[Decoded], info: TimedInfo) {
        let len = block.len();
        let n0 = self.b.declare_var(types::I64);
        // Loaded here, not through `field`, which would keep it (this is before `timed` is set):
        // timing mode keeps no field, and the loops store the env's `n0` (`timed_loop`).
        let start = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), self.env, ENV_N0);
        self.b.def_var(n0, start);
        let body = info.plan.as_ref().map_or(0, |p| p.k.min(len));
        let sticky = !block[..body.saturating_sub(1)]
            .iter()
            .any(|d| threaded::is_branch(d.insn.op));
        let mut kept = 0;
        let held = block[..body]
            .iter()
            .map(|d| {
                (threaded::is_data(d.insn.op) && kept < super::HELD).then(|| {
                    kept += 1;
                    super::ENV_HELD + 16 * (kept as i32 - 1)
                })
            })
            .collect();
        let defer_dtlb = info.dtlb.is_some()
            && kept > 0
            && kept
                == block
                    .iter()
                    .filter(|d| threaded::is_data(d.insn.op))
                    .count();
        let mut deferred: Vec<(usize, i64)> = Vec::new();
        let mut run_bytes = (0, 0);
        if let Some(plan) = &info.plan {
            for &(e, c) in plan.taken.iter().chain(&plan.book) {
                match deferred.iter_mut().find(|(d, _)| *d == e) {
                    Some((_, n)) => *n += c,
                    None => deferred.push((e, c)),
                }
            }
            deferred.retain(|&(_, c)| c != 0);
            run_bytes = plan.bytes;
            self.loop_registers(&block[..plan.k.min(len)]);
        }
        let lap = info.plan.as_ref().map_or(1, |p| p.k as u64);
        let closed = info.plan.as_ref().and_then(LoopPlan::closed);
        let head = self.b.create_block();
        self.b.ins().jump(head, &[]);
        self.b.switch_to_block(head);
        self.timed = Some(Timed {
            len,
            n0,
            head,
            bht: info.bht,
            plan: info.plan,
            dtlb: info.dtlb,
            l1i: info.l1i,
            l1d: info.l1d,
            shape: info.shape,
            lap,
            closed,
            deferred,
            run_bytes,
            pending: false,
            fetch_once: if info.fetch_once { body } else { 0 },
            sticky,
            held,
            defer_dtlb,
            stay: None,
        });
    }

    /// Makes every guest register the loop's elements (`body`) read or write a variable, loaded
    /// here, before the loop's head: the loop back then carries them in host registers instead
    /// of storing and loading them again. A register the body writes is counted changed from
    /// the start (`dirty`): an exit in a later run, before that run writes it, must store the
    /// value an earlier run left (in the first run it stores the value loaded, which changes
    /// nothing).
    fn loop_registers(&mut self, body: &[Decoded]) {
        for d in body {
            let i = d.insn;
            for r in [i.rs1, i.rs2, i.rd] {
                let r = usize::from(r);
                if r == 0 || r >= 32 || self.vars[r].is_some() {
                    continue;
                }
                let v = self.get(r as u8);
                let var = self.b.declare_var(types::I64);
                self.b.def_var(var, v);
                self.vars[r] = Some(var);
            }
            if super::writes_register(i.op) && usize::from(i.rd) < 32 {
                self.dirty |= 1 << i.rd;
            }
        }
    }

    /// Calls helper `f` with the machine and `a`, `b` (the machine's words up to date first,
    /// `sync_booking`); returns its result.
    fn call(&mut self, f: Helper, a: Value, b: Value) -> Value {
        self.sync_booking();
        let mut sig = Signature::new(self.call_conv);
        sig.params.extend([AbiParam::new(types::I64); 3]);
        sig.returns.push(AbiParam::new(types::I64));
        let sig = self.b.import_signature(sig);
        let callee = self.iconst(f as usize as u64);
        let m = self.field(ENV_M);
        let call = self.b.ins().call_indirect(sig, callee, &[m, a, b]);
        self.b.inst_results(call)[0]
    }

    /// After the data helper of an access to physical `paddr`, which may have changed the L1D
    /// set of `paddr` (and no other: its L2 side and a victim's write-back change no L1D line,
    /// and the other helpers change no L1D line at all): no access holds a line of that set
    /// (`held_line`). A held line's set is worked out from its access's held page (the two
    /// are kept together, `held_line`).
    fn forget_lines(&mut self, paddr: Value) {
        let Some(t) = &self.timed else { return };
        if !t.defer_dtlb {
            return;
        }
        let held: Vec<i32> = t.held.iter().flatten().copied().collect();
        if held.is_empty() {
            return;
        }
        let (_, shift, mask) = t.l1d;
        let set = self.set_of(paddr, shift, mask);
        let none = self.iconst(super::NO_LINE);
        for at in held {
            // `NO_LINE` stays `NO_LINE` whatever set its bits give.
            let word = self.env_word(line_word(at));
            let value = self.env_word(at + 8);
            let line = self.offset_in(value, word);
            let line = self.b.ins().iadd_imm_s(line, RAM_BASE as i64);
            let its = self.set_of(line, shift, mask);
            let same = self.b.ins().icmp(IntCC::Equal, its, set);
            let word = self.b.ins().select(same, none, word);
            self.set_env_word(line_word(at), word);
        }
    }

    /// The set of physical address `addr` in a cache of lines of `1 << shift` bytes and set
    /// mask `mask`.
    fn set_of(&mut self, addr: Value, shift: u32, mask: u64) -> Value {
        let set = self.b.ins().ushr_imm_s(addr, i64::from(shift));
        self.b.ins().band_imm_s(set, mask as i64)
    }

    /// Calls helper `f` with the machine and `a`, `b` (in a cold block); afterwards the env's
    /// cut flag (`Env::cut`) is set if the stop it returns comes before the block's end. The
    /// flag is clear at entry, and the element's `timed_check` leaves once it is set; only the
    /// loop's branch has no check after it, and its way back clears the flag (`timed_loop`).
    fn call_helper(&mut self, f: Helper, a: Value, b: Value) {
        let Some(t) = &self.timed else { return };
        let (len, n0) = (t.len, t.n0);
        let stop = self.call(f, a, b);
        let n0 = self.b.use_var(n0);
        let end = self.b.ins().iadd_imm_s(n0, len as i64);
        let over = self.b.ins().icmp(IntCC::UnsignedGreaterThan, end, stop);
        let over = self.b.ins().uextend(types::I64, over);
        let old = self.env_word(super::ENV_CUT);
        let now = self.b.ins().bor(old, over);
        self.set_env_word(super::ENV_CUT, now);
        if let Some(t) = &mut self.timed {
            t.pending = true;
        }
        self.end_closed_form();
    }

    /// Ends a loop's closed form (`Env::lazy_end`): after a helper, whose costs may have moved
    /// the stops, the next run books in full.
    fn end_closed_form(&mut self) {
        if self.timed.as_ref().is_some_and(|t| t.closed.is_some()) {
            let zero = self.iconst(0);
            self.set_env_word(ENV_LAZY_END, zero);
            let none = self.iconst(u64::MAX);
            self.set_env_word(ENV_LAZY_FROM, none);
        }
    }

    /// Brings the machine's words up to date after a loop's runs that booked in closed form
    /// (`loop_booking`): what the last of them would have stored, its extra cycles and stop,
    /// and the least of their chain limits. Such runs booked since the full booking of the run
    /// that ended at `Env::lazy_from` exactly when the current run started after it; they number
    /// `(n0 - lazy_from) / k`, each `booked` ticks past `Env::lazy_ticks`. (The stores are
    /// absolute, so a second call before the next run stores the same.)
    fn sync_booking(&mut self) {
        let Some(t) = &self.timed else { return };
        let (Some((booked, most)), n0, k) = (t.closed, t.n0, t.lap) else {
            return;
        };
        let trusted = MemFlagsData::trusted();
        let n0 = self.b.use_var(n0);
        let from = self.env_word(ENV_LAZY_FROM);
        let pending = self.b.ins().icmp(IntCC::UnsignedGreaterThan, n0, from);
        self.cold_if(pending, true, |g| {
            let runs = g.b.ins().isub(n0, from);
            let runs = g.laps(runs, k);
            let base = g.env_word(ENV_LAZY_TICKS);
            let more = g.b.ins().imul_imm_s(runs, booked);
            let ticks = g.b.ins().iadd(base, more);
            let m = g.env_word(ENV_M);
            let limit = g.b.ins().load(types::I64, trusted, m, machine::INSN_LIMIT);
            let cycle = g.b.ins().load(types::I64, trusted, m, machine::STOP_CYCLE);
            let chain = g.b.ins().load(types::I64, trusted, m, machine::CHAIN_LIMIT);
            g.b.ins().store(trusted, ticks, m, machine::EXTRA_CYCLES);
            let stop = g.stop_at(limit, cycle, ticks);
            g.b.ins().store(trusted, stop, m, machine::STOP_RETIRED);
            // The last run's least stop: at `most` ticks past its start, `booked` before now.
            let last = g.b.ins().iadd_imm_s(ticks, most - booked);
            let least = g.stop_at(limit, cycle, last);
            let chain = g.umin(chain, least);
            g.b.ins().store(trusted, chain, m, machine::CHAIN_LIMIT);
        });
    }

    /// Runs `then` in a cold block when `cond` is false, and goes on after it either way.
    fn unless(&mut self, cond: Value, then: impl FnOnce(&mut Self)) {
        self.cold_if(cond, false, then);
    }

    /// Runs `then` in a cold block when `cond` is `when`, and goes on after it either way. The
    /// join is cold too when `then` runs when `cond` is true: the one use of that is inside
    /// another cold block (`timed_address`), whose code it stays with.
    fn cold_if(&mut self, cond: Value, when: bool, then: impl FnOnce(&mut Self)) {
        let cold = self.b.create_block();
        let join = self.b.create_block();
        self.b.set_cold_block(cold);
        if when {
            self.b.set_cold_block(join);
            self.b.ins().brif(cond, cold, &[], join, &[]);
        } else {
            self.b.ins().brif(cond, join, &[], cold, &[]);
        }
        self.b.switch_to_block(cold);
        then(self);
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(join);
    }

    /// Whether the line of physical `addr` is the MRU line of its set in the cache whose MRU
    /// table is `(table, shift, mask)` (`Cache::is_mru`).
    fn is_mru(&mut self, addr: Value, write: bool, (table, shift, mask): MruTable) -> Value {
        let line = self.b.ins().band_imm_s(addr, !((1i64 << shift) - 1));
        // The set's byte offset in the table: (addr >> shift & mask) * 8, with shift >= 3 (a
        // line is at least 8 bytes).
        let at = self.b.ins().ushr_imm_s(addr, i64::from(shift) - 3);
        let at = self.b.ins().band_imm_s(at, (mask << 3) as i64);
        let table = self.iconst(table as u64);
        let at = self.b.ins().iadd(table, at);
        let word = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), at, 0);
        if write {
            // A store needs the line dirty already.
            let want = self.b.ins().bor_imm_s(line, (VALID | DIRTY) as i64);
            self.b.ins().icmp(IntCC::Equal, word, want)
        } else {
            // A load takes it either way: the words may differ in `DIRTY` alone. (Compared
            // through their difference, so that no constant is held across the code for it.)
            let want = self.b.ins().bor_imm_s(line, VALID as i64);
            let diff = self.b.ins().bxor(word, want);
            let diff = self.b.ins().band_imm_s(diff, !(DIRTY as i64));
            self.b.ins().icmp_imm_s(IntCC::Equal, diff, 0)
        }
    }

    /// The L1I access of the instruction at `pc`, element `j` of the block: checked in every
    /// run, or in a loop's first run only where `fetch_once` allows.
    pub(super) fn timed_fetch(&mut self, pc: u64, j: usize) {
        let once = self.timed.as_ref().is_some_and(|t| j < t.fetch_once);
        if !once {
            self.fetch_check(pc);
            return;
        };
        let warm = self.env_word(super::ENV_WARM);
        let check = self.b.create_block();
        let join = self.b.create_block();
        self.b.ins().brif(warm, join, &[], check, &[]);
        self.b.switch_to_block(check);
        self.fetch_check(pc);
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(join);
    }

    /// `timed_fetch`'s check: whether the line is the MRU one, and if not, the helper.
    fn fetch_check(&mut self, pc: u64) {
        let base = self.field(ENV_FETCH_PBASE);
        let addr = self.b.ins().iadd_imm_s(base, (pc & PAGE_MASK) as i64);
        let l1i = self.timed.as_ref().map_or(NO_CACHE, |t| t.l1i);
        let hit = self.is_mru(addr, false, l1i);
        self.unless(hit, |g| {
            let pc = g.iconst(pc);
            let zero = g.iconst(0);
            g.call_helper(fetch_helper, pc, zero);
        });
    }

    /// The host address of an `n`-byte access at `vaddr` through the host TLB table at env
    /// offset `table`, with its L1I access first if `fetch` and then its DTLB and L1D model;
    /// a bail to element `j` when the host TLB does not hold it.
    pub(super) fn timed_address(
        &mut self,
        table: i32,
        vaddr: Value,
        n: u64,
        j: usize,
        fetch: bool,
    ) -> Value {
        let held = self
            .timed
            .as_ref()
            .and_then(|t| t.held.get(j).copied().flatten());
        let deferred = held.is_some() && self.timed.as_ref().is_some_and(|t| t.defer_dtlb);
        let line_shift = self.timed.as_ref().map_or(0, |t| t.l1d.1);
        let a = Access { table, vaddr, n, j };
        if let Some(at) = held
            && deferred
            && n < 1 << line_shift
        {
            return self.held_line(at, a, fetch);
        }
        let i = self.modeled_offset(held, a, fetch);
        let ram = self.field(ENV_RAM);
        self.b.ins().iadd(ram, i)
    }

    /// `timed_address` of a held load or store whose DTLB hit is deferred (`Timed::defer_dtlb`),
    /// `at` its `held_probe` words: an access to the line it left the MRU line of its set in its
    /// last run (`Env::lines`) takes that run's page and makes no model check at all (only its
    /// L1I access, if it has one). While the native code runs, only a data helper changes the
    /// L1D, in the set of its access alone, and forgets every held line of that set
    /// (`forget_lines`); an access that is not through its held line either finds its line the
    /// MRU one (and changes nothing) or calls the data helper. So a held line is still its
    /// set's MRU line (dirty, if a store held it), and its page still held, as the full check
    /// would find. (The L1I access of an access through its
    /// held line may call `fetch_helper` after the test, which changes no L1D line.)
    fn held_line(&mut self, at: i32, a: Access, fetch: bool) -> Value {
        let Access { vaddr, n, j, .. } = a;
        let pc = self.cur_pc;
        let line_at = line_word(at);
        let line_shift = self.timed.as_ref().map_or(0, |t| t.l1d.1);
        // Equal to the held word only for an aligned access to the held line.
        let key = self.aligned_key(vaddr, 1 << line_shift, n);
        let last = self.env_word(line_at);
        let (kept, join) = self.unless_held(key, last);
        let i = self.modeled_offset(Some(at), a, fetch);
        // The access's line is now the MRU one of its set (dirty for a store): held.
        self.set_env_word(line_at, key);
        self.b.ins().jump(join, &[i.into()]);
        self.b.switch_to_block(kept);
        if fetch {
            self.timed_fetch(pc, j);
        }
        let value = self.env_word(at + 8);
        let i = self.offset_in(value, vaddr);
        self.b.ins().jump(join, &[i.into()]);
        self.b.switch_to_block(join);
        let i = self.b.block_params(join)[0];
        let ram = self.field(ENV_RAM);
        self.b.ins().iadd(ram, i)
    }

    /// `timed_address`'s RAM offset of the access, with every check: the host-TLB probe
    /// (`held_probe` for a `held` access), the L1I access if `fetch`, then the DTLB and L1D
    /// model.
    fn modeled_offset(&mut self, held: Option<i32>, a: Access, fetch: bool) -> Value {
        let Access { table, vaddr, n, j } = a;
        let write = table == super::ENV_WRITE;
        let pc = self.cur_pc;
        let (value, i) = match held {
            Some(at) => self.held_probe(at, a, pc),
            None => self.probe(table, vaddr, n, j, pc),
        };
        if fetch {
            self.timed_fetch(pc, j);
        }
        // The model: nothing changes when both the DTLB slot and the line are the MRU ones. A
        // line that is not goes to `timed_not_mru` (which makes the DTLB hit too); then a slot
        // that is not the MRU one makes the DTLB hit alone (a copy between two pages changes the
        // DTLB's MRU slot at every access, not the lines'). A held access whose DTLB hit is
        // deferred (`dtlb_replay`) makes none here, and its `timed_not_mru` is given no slot.
        let deferred = held.is_some() && self.timed.as_ref().is_some_and(|t| t.defer_dtlb);
        let slot = if deferred {
            self.iconst(0)
        } else {
            self.b.ins().ushr_imm_s(value, i64::from(SLOT_SHIFT))
        };
        let paddr = self.b.ins().iadd_imm_s(i, RAM_BASE as i64);
        let l1d = self.timed.as_ref().map_or(NO_CACHE, |t| t.l1d);
        let line_mru = self.is_mru(paddr, write, l1d);
        let shape = self.timed.as_ref().map_or(OTHER, |t| t.shape);
        let helper = data_helper_for(write, shape);
        self.unless(line_mru, |g| {
            g.call_helper(helper, paddr, slot);
            g.forget_lines(paddr);
        });
        if !deferred {
            self.dtlb_check(slot);
        }
        i
    }

    /// The DTLB hit of an access through slot `slot` + 1 (or 0: none): nothing if the slot is
    /// the MRU one (as it is after `timed_not_mru` made the hit), else `Timing::dtlb_hit`,
    /// inline under LRU (`dtlb_hit`), else through `dtlb_helper`.
    fn dtlb_check(&mut self, slot: Value) {
        let inline = self.timed.as_ref().and_then(|t| t.dtlb);
        // `Timing::dtlb_mru`: a constant of the code where the inline hit stores it, else the
        // env's pointer.
        let dtlb = match inline {
            Some((_, mru_slot)) => self.iconst(mru_slot as u64),
            None => self.field(ENV_DTLB_MRU),
        };
        let last = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), dtlb, 0);
        // Slot 0 (no modeled entry) is checked in the cold path: the copy and fill loops'
        // accesses have one, and the test of the slot against the MRU one alone stays inline.
        let prev = self.b.ins().iadd_imm_s(slot, -1);
        let same = self.b.ins().icmp(IntCC::Equal, prev, last);
        self.unless(same, |g| {
            let any = g.b.ins().icmp_imm_s(IntCC::NotEqual, slot, 0);
            g.cold_if(any, true, |g| match inline {
                Some((words, mru_slot)) => g.dtlb_hit(words, mru_slot, slot),
                None => {
                    let zero = g.iconst(0);
                    g.call_helper(dtlb_helper, slot, zero)
                }
            });
        });
    }

    /// `probe` for a load or store of a loop's body, which keeps what its last probe found in
    /// the env's words at `at` and `at + 8` (`Env::held`): the access's page with bit 0 set (0:
    /// none), then the entry's value. (Words, not variables: a loop back then carries two
    /// fewer values per access, which Cranelift would mostly keep in stack slots anyway.)
    /// An aligned access to the same page takes the value without probing: while the native
    /// code runs, no entry of the host TLB changes (its helpers neither translate nor decode,
    /// and the DTLB only hits, see `enter_timed`), so the probe would find the same; and the
    /// access fits in RAM, whose size is a multiple of the page size (`Machine::new`), as the
    /// probe's access to the page did.
    fn held_probe(&mut self, at: i32, a: Access, pc: u64) -> (Value, Value) {
        let Access { table, vaddr, n, j } = a;
        // Equal to `page` only for an aligned access to it.
        let key = self.aligned_key(vaddr, PAGE_MASK + 1, n);
        let key = self.b.ins().bor_imm_s(key, 1);
        let last = self.env_word(at);
        let (kept, join) = self.unless_held(key, last);
        let (value, _) = self.probe(table, vaddr, n, j, pc);
        if let Some(order) = self.replay_order(j) {
            // The slot the element's last page had is no longer replayed after this: its
            // deferred hit is made now, with the others' before it (`dtlb_replay`).
            let had = self.b.ins().icmp_imm_s(IntCC::NotEqual, last, 0);
            self.cold_if(had, true, |g| {
                let order = g.iconst(order);
                g.call(dtlb_replay, g.env, order);
            });
        }
        self.set_env_word(at, key);
        self.set_env_word(at + 8, value);
        self.b.ins().jump(join, &[value.into()]);
        self.b.switch_to_block(kept);
        let value = self.env_word(at + 8);
        self.b.ins().jump(join, &[value.into()]);
        self.b.switch_to_block(join);
        let value = self.b.block_params(join)[0];
        (value, self.offset_in(value, vaddr))
    }

    /// The `granule` (a power of two) of an `n`-byte access at `vaddr`, with the address bits
    /// below `n` (nonzero only when it is misaligned).
    fn aligned_key(&mut self, vaddr: Value, granule: u64, n: u64) -> Value {
        let mask = !(granule as i64 - 1) | (n as i64 - 1);
        self.b.ins().band_imm_s(vaddr, mask)
    }

    /// Compares `key` with what the env held (`last`) and goes on in a new block when they
    /// differ; returns the block taken when they are equal and a join with one `I64`
    /// parameter, for both to jump to.
    fn unless_held(&mut self, key: Value, last: Value) -> (Block, Block) {
        let same = self.b.ins().icmp(IntCC::Equal, key, last);
        let kept = self.b.create_block();
        let other = self.b.create_block();
        let join = self.b.create_block();
        self.b.append_block_param(join, types::I64);
        self.b.ins().brif(same, kept, &[], other, &[]);
        self.b.switch_to_block(other);
        (kept, join)
    }

    /// The RAM offset of `vaddr` in the page whose host-TLB entry value is `value`.
    fn offset_in(&mut self, value: Value, vaddr: Value) -> Value {
        let base = self.b.ins().band_imm_s(value, OFFSET_MASK as i64);
        let in_page = self.b.ins().band_imm_s(vaddr, PAGE_MASK as i64);
        self.b.ins().iadd(base, in_page)
    }

    /// `Timing::dtlb_hit` of DTLB slot `slot` + 1 (not 0) under LRU replacement, inline (see
    /// `LruWords`). It costs nothing, so the stop does not move.
    fn dtlb_hit(&mut self, w: LruWords, mru_slot: *mut usize, slot: Value) {
        let trusted = MemFlagsData::trusted();
        let slot = self.b.ins().iadd_imm_s(slot, -1);
        let mru = self.iconst(w.mru as u64);
        let (at, way) = if w.one_set {
            (mru, slot)
        } else {
            let set = self.b.ins().ushr_imm_s(slot, i64::from(w.shift));
            let way = self.b.ins().band_imm_s(slot, (1i64 << w.shift) - 1);
            let at = self.b.ins().ishl_imm_s(set, 2);
            (self.b.ins().iadd(mru, at), way)
        };
        let way = self.b.ins().ireduce(types::I32, way);
        let old = self.b.ins().load(types::I32, trusted, at, 0);
        let same = self.b.ins().icmp(IntCC::Equal, old, way);
        self.unless(same, |g| {
            g.b.ins().store(trusted, way, at, 0);
            let clock = g.iconst(w.clock as u64);
            let now = g.b.ins().load(types::I64, trusted, clock, 0);
            let now = g.b.ins().iadd_imm_s(now, 1);
            g.b.ins().store(trusted, now, clock, 0);
            let stamps = g.iconst(w.stamps as u64);
            let off = g.b.ins().ishl_imm_s(slot, 3);
            let stamp = g.b.ins().iadd(stamps, off);
            g.b.ins().store(trusted, now, stamp, 0);
        });
        let at = self.iconst(mru_slot as u64);
        self.b.ins().store(trusted, slot, at, 0);
    }

    /// A conditional branch at `pc` not taken (to `npc`): the pipeline model's prediction, which
    /// predicts right and changes nothing while the branch's BHT counter is 0 (strongly not
    /// taken, see `Predictor::bht_table`), checked inline; otherwise `not_taken_helper`. Nothing
    /// without the pipeline model (there is no predictor, and `predict_branch` does nothing).
    pub(super) fn timed_not_taken(&mut self, pc: u64, npc: u64) {
        let Some((bht, mask)) = self.timed.as_ref().and_then(|t| t.bht) else {
            return;
        };
        let at = self.iconst(bht as u64 + ((pc >> 1) as usize & mask) as u64);
        let counter = self
            .b
            .ins()
            .uload8(types::I64, MemFlagsData::trusted(), at, 0);
        let steady = self.b.ins().icmp_imm_s(IntCC::Equal, counter, 0);
        self.unless(steady, |g| {
            let pc = g.iconst(pc);
            let npc = g.iconst(npc);
            g.call_helper(not_taken_helper, pc, npc);
        });
    }

    /// Element `k - 1`, a conditional branch back to the block's start (guest `start`), was
    /// taken: book what `enter_timed` would for it and its block's next run, then run the block
    /// again from `head`, or leave (`STOP`) if the chain limit ends the chain here. The
    /// registers and bytes are written back first, and read again by the next run, as at an
    /// exit. The booking is the plan's, inline, when the predictor would change nothing (see
    /// `LoopPlan`); otherwise `loop_helper` does it.
    pub(super) fn timed_loop(&mut self, k: usize, start: u64) {
        let Some(t) = &mut self.timed else { return };
        let (n0, head) = (t.n0, t.head);
        // A helper of the branch's element may have set the cut flag, which no check follows
        // on the way back: the next run starts with it clear, as at entry (the loop's booking
        // decides on the stop itself).
        let clear = t.pending;
        let sticky = t.sticky;
        let Some(plan) = t.plan.take_if(|p| p.k == k) else {
            // Not the loop's branch (a second branch back): leave, as a branch elsewhere does.
            let t = self.iconst(start);
            self.exit(k, t, TAKEN);
            return;
        };
        // The registers stay in their variables around the loop (`loop_registers`); only a way
        // out stores them. So do the env's pc, next pc and `n0`, and the retired count: only
        // `loop_helper` and the ways out read them (`branch_words`).
        let n = self.b.use_var(n0);
        let n = self.b.ins().iadd_imm_s(n, k as i64);
        let go = self.b.create_block();
        let stop = self.b.create_block();
        self.b.set_cold_block(stop);
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let inline = self.b.create_block();
        match plan.predictor {
            Some((bht, btb_pc, btb_target)) => {
                if sticky {
                    let was = self.env_word(super::ENV_WARM);
                    let check = self.b.create_block();
                    self.b.ins().brif(was, inline, &[], check, &[]);
                    self.b.switch_to_block(check);
                }
                let steady = self.steady(bht, btb_pc, btb_target, plan.pc, start);
                self.b.ins().brif(steady, inline, &[], slow, &[]);
            }
            None => {
                self.b.ins().jump(inline, &[]);
            }
        }
        self.b.switch_to_block(inline);
        let booked = self.b.create_block();
        let last = self.b.create_block();
        self.b.set_cold_block(last);
        self.loop_booking(&plan, n, booked, last);
        self.b.switch_to_block(booked);
        let one = self.iconst(1);
        self.set_env_word(super::ENV_WARM, one);
        self.b.ins().jump(go, &[]);
        // The chain ends here: the branch's counts (not the next run's) now.
        self.b.switch_to_block(last);
        self.count_idle();
        let events = self.field(super::ENV_EVENTS);
        self.count(events, &plan.taken);
        self.branch_words(start, n0);
        self.b.ins().jump(stop, &[]);
        self.b.switch_to_block(slow);
        self.count_idle();
        let zero = self.iconst(0);
        self.set_env_word(super::ENV_WARM, zero);
        self.branch_words(start, n0);
        let again = self.call(loop_helper, self.env, n);
        self.end_closed_form();
        self.b.ins().brif(again, go, &[], stop, &[]);
        self.b.switch_to_block(stop);
        self.store_registers();
        self.flush_laps(0, 0, true);
        self.leave(k, STOP);
        self.b.switch_to_block(go);
        self.b.def_var(n0, n);
        if clear {
            let zero = self.iconst(0);
            self.set_env_word(super::ENV_CUT, zero);
        }
        self.b.ins().jump(head, &[]);
        if let Some(t) = &mut self.timed {
            t.plan = Some(plan);
        }
    }

    /// At a way out after `retired` elements of this run: the machine's words up to date
    /// (`sync_booking`), and the deferred DTLB hits (`dtlb_replay`), if the block defers them.
    pub(super) fn timed_leave(&mut self, retired: usize) {
        match self.replay_order(retired) {
            Some(order) => {
                // `call` syncs first.
                let order = self.iconst(order);
                self.call(dtlb_replay, self.env, order);
            }
            None => self.sync_booking(),
        }
    }

    /// `dtlb_replay`'s order before element `j` of a run, if the block defers its DTLB hits.
    fn replay_order(&self, j: usize) -> Option<u64> {
        let t = self.timed.as_ref().filter(|t| t.defer_dtlb)?;
        let n = t.held.iter().flatten().count();
        let p = t.held[..j.min(t.held.len())].iter().flatten().count();
        Some((p | n << 8) as u64)
    }

    /// The laps of `lap` elements in `elements` (a multiple of `lap`).
    fn laps(&mut self, elements: Value, lap: u64) -> Value {
        if lap.is_power_of_two() {
            self.b
                .ins()
                .ushr_imm_s(elements, i64::from(lap.trailing_zeros()))
        } else {
            self.b.ins().udiv_imm_s(elements, lap as i64)
        }
    }

    /// One more lap that the inline booking did not book (`Env::idle`).
    fn count_idle(&mut self) {
        let v = self.env_word(super::ENV_IDLE);
        let v = self.b.ins().iadd_imm_s(v, 1);
        self.set_env_word(super::ENV_IDLE, v);
    }

    /// The env's word at `off`, loaded here (timing mode keeps no field, see `Gen::field`).
    fn env_word(&mut self, off: i32) -> Value {
        self.b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), self.env, off)
    }

    /// Stores `v` in the env's word at `off`.
    fn set_env_word(&mut self, off: i32, v: Value) {
        self.b
            .ins()
            .store(MemFlagsData::trusted(), v, self.env, off);
    }

    /// What `loop_helper` and a loop's way out (`STOP`) read of the env: the loop branch's pc,
    /// its target `start` (the next pc), and the retired count at the run's start (`n0`).
    /// Stored only on those paths, not at every run.
    fn branch_words(&mut self, start: u64, n0: Variable) {
        self.store_pc();
        let trusted = MemFlagsData::trusted();
        let npc = self.iconst(start);
        self.b.ins().store(trusted, npc, self.env, super::ENV_NPC);
        let n0 = self.b.use_var(n0);
        self.b.ins().store(trusted, n0, self.env, ENV_N0);
    }

    /// At an exit (timing mode): adds the bytes loaded and stored (`loaded` and `stored` by
    /// this run's elements so far, and the plan's for each earlier run), the counts the inline
    /// booking of the loop deferred, and the runs in this call (`Env::runs`).
    pub(super) fn timed_flush(&mut self, loaded: u64, stored: u64) {
        self.flush_laps(loaded, stored, false);
    }

    /// `timed_flush`, and for the lap ending in a `STOP` (`lapping`), which `n0` does not count
    /// yet, that lap too.
    fn flush_laps(&mut self, loaded: u64, stored: u64, lapping: bool) {
        let Some(t) = &self.timed else { return };
        let (lap, run, t_n0) = (t.lap, t.run_bytes, t.n0);
        // A loop's runs count at least its branch: `deferred` is empty exactly without a loop.
        let looping = !t.deferred.is_empty();
        let deferred = t.deferred.clone();
        let trusted = MemFlagsData::trusted();
        // Without a loop the runs add no bytes (`run` is zeros): nothing to do if this one adds none.
        if !looping && loaded == 0 && stored == 0 {
            return;
        }
        let bytes = self.field(super::ENV_BYTES);
        // Laps: `n0` advanced by `lap` elements at each (see `Env::start`).
        let n0 = self.b.use_var(t_n0);
        let start = self.env_word(super::ENV_START);
        let done = self.b.ins().isub(n0, start);
        let laps = self.laps(done, lap);
        let laps = self.b.ins().iadd_imm_s(laps, i64::from(lapping));
        for (off, here, per) in [(0, loaded, run.0), (8, stored, run.1)] {
            if here == 0 && per == 0 {
                continue;
            }
            let mut v = self.b.ins().load(types::I64, trusted, bytes, off);
            if per > 0 {
                let earlier = self.b.ins().imul_imm_s(laps, per as i64);
                v = self.b.ins().iadd(v, earlier);
            }
            let v = self.b.ins().iadd_imm_s(v, here as i64);
            self.b.ins().store(trusted, v, bytes, off);
        }
        if !looping {
            return;
        }
        let idle = self.env_word(super::ENV_IDLE);
        let fast = self.b.ins().isub(laps, idle);
        let events = self.field(super::ENV_EVENTS);
        for (e, c) in deferred {
            let off = 8 * e as i32;
            let v = self.b.ins().load(types::I64, trusted, events, off);
            let more = self.b.ins().imul_imm_s(fast, c);
            let v = self.b.ins().iadd(v, more);
            self.b.ins().store(trusted, v, events, off);
        }
        let runs = self.b.ins().iadd_imm_s(laps, 1);
        self.b.ins().store(trusted, runs, self.env, super::ENV_RUNS);
        // The loop keeps the run's start in its variable (`timed_loop`); `enter_timed` counts
        // from the env's.
        self.b.ins().store(trusted, n0, self.env, ENV_N0);
    }

    /// Whether the taken branch at `pc` to `target` is predicted right and changes nothing in
    /// the predictor (see `Predictor::branch_words`, whose pointers these are).
    fn steady(
        &mut self,
        bht: *const u8,
        btb_pc: *const u64,
        btb_target: *const u64,
        pc: u64,
        target: u64,
    ) -> Value {
        let trusted = MemFlagsData::trusted();
        let at = self.iconst(bht as u64);
        let counter = self.b.ins().uload8(types::I64, trusted, at, 0);
        let strong = self.b.ins().icmp_imm_s(IntCC::Equal, counter, 3);
        let at = self.iconst(btb_pc as u64);
        let word = self.b.ins().load(types::I64, trusted, at, 0);
        let same_pc = self.b.ins().icmp_imm_s(IntCC::Equal, word, pc as i64);
        let at = self.iconst(btb_target as u64);
        let word = self.b.ins().load(types::I64, trusted, at, 0);
        let same_target = self.b.ins().icmp_imm_s(IntCC::Equal, word, target as i64);
        let both = self.b.ins().band(same_pc, same_target);
        self.b.ins().band(strong, both)
    }

    /// The plan's booking of a loop's taken branch (the retired count now `n`) and of the next
    /// run: the same counts and the same stops as `taken_costs` and `again` leave (see
    /// `Machine::refresh_stop`; the chain limit is the least stop of every refresh, which is
    /// the one at the most ticks). Goes on at `go` if the chain limit allows the next run, else
    /// at `last`.
    ///
    /// The usual run books in one step: when even the stop after the next run's booking allows
    /// that run, so does the chain limit before it, and every refresh's stop is then folded into
    /// one, the stop at the most ticks of the run (`stop_at` falls as the ticks grow). Otherwise
    /// (the chain ends here, or nearly) a cold path makes the refreshes in their order.
    ///
    /// **Closed form.** Where a run books `booked` >= 0 ticks (`LoopPlan::closed`), the usual
    /// step also works out how many runs after this one would take it too, with nothing else
    /// changing the machine's words: run `j` later ends at `n + j k` and books from `t + j
    /// booked` ticks, and takes the usual step while `n + j k + limit` is at most the chain
    /// limit, the instruction limit and the stop cycle less `t + j booked + most` (each test
    /// monotone in `j`). Those runs book nothing (`Env::lazy_end`), and `sync_booking`
    /// stores what the last of them would have, before any helper or way out; a helper ends
    /// the closed form (`end_closed_form`), since its costs may move the stops.
    fn loop_booking(&mut self, plan: &LoopPlan, n: Value, go: Block, last: Block) {
        let trusted = MemFlagsData::trusted();
        let (sum, peak) = plan.sum_and_peak();
        let booked = sum + plan.book_ticks as i64;
        let closed = self.timed.as_ref().and_then(|t| t.closed);
        if closed.is_some() {
            let end = self.env_word(ENV_LAZY_END);
            let quick = self.b.ins().icmp(IntCC::UnsignedLessThanOrEqual, n, end);
            let full = self.b.create_block();
            self.b.set_cold_block(full);
            self.b.ins().brif(quick, go, &[], full, &[]);
            self.b.switch_to_block(full);
            self.sync_booking();
        }
        let m = self.field(ENV_M);
        let [ticks, limit, cycle, chain] = [
            machine::EXTRA_CYCLES,
            machine::INSN_LIMIT,
            machine::STOP_CYCLE,
            machine::CHAIN_LIMIT,
        ]
        .map(|off| self.b.ins().load(types::I64, trusted, m, off));
        let need = self.b.ins().iadd_imm_s(n, plan.limit as i64);
        // The usual run: the ticks after the next run's booking, their stop, and the least stop.
        let after = self.b.ins().iadd_imm_s(ticks, booked);
        let stop = self.stop_at(limit, cycle, after);
        let least = if peak > booked {
            let most = self.b.ins().iadd_imm_s(ticks, peak);
            self.stop_at(limit, cycle, most)
        } else {
            stop
        };
        let least = self.umin(chain, least);
        let fits = self
            .b
            .ins()
            .icmp(IntCC::UnsignedLessThanOrEqual, need, least);
        let usual = self.b.create_block();
        let exact = self.b.create_block();
        self.b.set_cold_block(exact);
        self.b.ins().brif(fits, usual, &[], exact, &[]);
        self.b.switch_to_block(usual);
        self.b.ins().store(trusted, after, m, machine::EXTRA_CYCLES);
        self.b.ins().store(trusted, stop, m, machine::STOP_RETIRED);
        self.b.ins().store(trusted, least, m, machine::CHAIN_LIMIT);
        if let Some((booked, most)) = closed {
            // The later runs that take this step (see above): `fits` makes both differences
            // nonnegative (`need` >= 1 is at most `least`, which is at most the stop cycle
            // less `ticks + most`).
            let k = plan.k as i64;
            let by_chain = self.b.ins().isub(least, need);
            let by_chain = self.b.ins().udiv_imm_s(by_chain, k);
            let start = self.b.ins().iadd_imm_s(ticks, most);
            let left = self.b.ins().isub(cycle, start);
            let left = self.b.ins().isub(left, need);
            let by_cycle = self.b.ins().udiv_imm_s(left, k + booked);
            let runs = self.umin(by_chain, by_cycle);
            let span = self.b.ins().imul_imm_s(runs, k);
            let end = self.b.ins().iadd(n, span);
            self.set_env_word(ENV_LAZY_END, end);
            self.set_env_word(ENV_LAZY_FROM, n);
            self.set_env_word(ENV_LAZY_TICKS, after);
        }
        self.b.ins().jump(go, &[]);
        // Each refresh in its order. The retired count is stored here only: nothing reads it
        // while the loop runs but a way out, and only this path leaves (`STOP`) with the
        // count the branch left (`loop_helper` stores its own).
        self.b.switch_to_block(exact);
        self.end_closed_form();
        self.b.ins().store(trusted, n, m, machine::RETIRED);
        let (mut chain, mut ticks) = (chain, ticks);
        if !plan.steps.is_empty() {
            let most = self.b.ins().iadd_imm_s(ticks, peak);
            let least = self.stop_at(limit, cycle, most);
            chain = self.umin(chain, least);
            ticks = self.b.ins().iadd_imm_s(ticks, sum);
            let stop = self.stop_at(limit, cycle, ticks);
            self.b.ins().store(trusted, stop, m, machine::STOP_RETIRED);
        }
        self.b.ins().store(trusted, ticks, m, machine::EXTRA_CYCLES);
        self.b.ins().store(trusted, chain, m, machine::CHAIN_LIMIT);
        let ok = self
            .b
            .ins()
            .icmp(IntCC::UnsignedLessThanOrEqual, need, chain);
        let book = self.b.create_block();
        self.b.set_cold_block(book);
        self.b.ins().brif(ok, book, &[], last, &[]);
        self.b.switch_to_block(book);
        let ticks = self.b.ins().iadd_imm_s(ticks, plan.book_ticks as i64);
        self.b.ins().store(trusted, ticks, m, machine::EXTRA_CYCLES);
        let stop = self.stop_at(limit, cycle, ticks);
        self.b.ins().store(trusted, stop, m, machine::STOP_RETIRED);
        let chain = self.umin(chain, stop);
        self.b.ins().store(trusted, chain, m, machine::CHAIN_LIMIT);
        self.b.ins().jump(go, &[]);
    }

    /// Adds each count to its event in the event counts at `events`.
    fn count(&mut self, events: Value, counts: &[(usize, i64)]) {
        let trusted = MemFlagsData::trusted();
        for &(e, c) in counts.iter().filter(|(_, c)| *c != 0) {
            let off = 8 * e as i32;
            let v = self.b.ins().load(types::I64, trusted, events, off);
            let v = self.b.ins().iadd_imm_s(v, c);
            self.b.ins().store(trusted, v, events, off);
        }
    }

    /// `Machine::refresh_stop`'s stop: the instruction limit, or the stop cycle less `ticks`
    /// (saturating), whichever is less.
    fn stop_at(&mut self, limit: Value, cycle: Value, ticks: Value) -> Value {
        let left = self.b.ins().isub(cycle, ticks);
        let zero = self.iconst(0);
        let before = self.b.ins().icmp(IntCC::UnsignedGreaterThan, cycle, ticks);
        let left = self.b.ins().select(before, left, zero);
        self.umin(limit, left)
    }

    fn umin(&mut self, a: Value, b: Value) -> Value {
        let less = self.b.ins().icmp(IntCC::UnsignedLessThan, a, b);
        self.b.ins().select(less, a, b)
    }

    /// The block where the conditional branch of element `k - 1`, not taken, goes on: the
    /// steady runs' (`laps`) if it is the loop's branch and the loop has them, else a new one.
    pub(super) fn loop_stay(&mut self, k: usize) -> Block {
        let steady = self
            .timed
            .as_mut()
            .filter(|t| t.plan.as_ref().is_some_and(|p| p.k == k))
            .and_then(|t| t.stay.take());
        steady.unwrap_or_else(|| self.b.create_block())
    }

    /// After an element that called a helper: leave before element `k` (at `npc`) if the stop
    /// moved before the block's end.
    pub(super) fn timed_check(&mut self, k: usize, npc: u64) {
        let Some(t) = &mut self.timed else { return };
        if !std::mem::take(&mut t.pending) {
            return;
        }
        let flag = self.env_word(super::ENV_CUT);
        self.side_exit(flag, true, k, npc, CUT);
    }
}

/// The handler of a block's first element in timing mode with a translator (see `enter` and the
/// module note).
pub(crate) fn enter_timed(m: &mut Machine, ip: *const Decoded, pc: u64, n: u64) -> u64 {
    let code = match super::native_for(m, ip, pc) {
        Ok(code) => code,
        Err(h) => return h(m, ip, pc, n),
    };
    let Some(t) = m.timing.as_deref() else {
        return super::orig(m, ip)(m, ip, pc, n);
    };
    if m.debug.watching() {
        return super::orig(m, ip)(m, ip, pc, n);
    }
    // The translation holds the L1I's and L1D's MRU tables (`TimedInfo`); without both
    // caches it must not run.
    let (Some(_), Some(_)) = (t.l1i(), t.l1d()) else {
        return super::orig(m, ip)(m, ip, pc, n);
    };
    let (fetch_pbase, dtlb_mru) = (t.fetch_pbase, &t.dtlb_mru as *const usize);
    let Some(events) = m.stats.events_ptr() else {
        return super::orig(m, ip)(m, ip, pc, n);
    };
    let machine: *mut Machine = m;
    let bytes = m.stats.bytes.as_mut_ptr();
    let mut env = Env {
        m: machine,
        n0: n,
        fetch_pbase,
        dtlb_mru,
        bytes,
        ip,
        runs: 1,
        events,
        start: n,
        ..Env::at_entry(m)
    };
    // Safety: `ip` is the first element of a block of `suffix.insns` elements, and the native
    // code retires at most that many in a run (a bail or cut names one of them).
    let len = u64::from(unsafe { (*ip).suffix.insns });
    // Safety: `code` is this block's translation (made by `translate` in timing mode, with the
    // `Native` signature, not freed); it reads and writes `Hart::x` (indices below 32), the env,
    // the host-TLB rows, RAM within `ram_len`, `Stats::bytes`, the current bucket's event counts
    // (`events`), the cache, DTLB and predictor words the env and the translation point at
    // (tables never resized while the machine lives), and the machine's retired count, extra
    // cycles and stops (the `machine` offsets), and calls the helpers above with `machine`.
    // Nothing else uses `m` until it returns. (Nothing the helpers do moves or frees what the
    // env points at, switches the attribution, nor changes the host TLB's epoch or the data
    // privilege.)
    let k = unsafe { code(m.hart.x.as_mut_ptr(), &mut env) };
    // `n0` is the retired count at the start of the last run (the native code's loops advance it).
    let entered = n;
    let n = env.n0 + k;
    super::count_native(m, n - entered);
    let runs = env.runs.try_into().unwrap_or(u32::MAX);
    if runs > 1 && env.bail != BAIL {
        super::looped(m, ip, runs);
    }
    match env.bail {
        BAIL => {
            super::bailed::<true>(m, ip, k, runs);
            if k == 0 {
                return super::orig(m, ip)(m, ip, env.npc, n);
            }
            // Safety: as above, `k` < `len`.
            let next = unsafe { ip.add(k as usize) };
            // Safety: as above.
            let h = unsafe { (*next).handler };
            h(m, next, env.npc, n)
        }
        CUT => {
            // Safety: as above, 0 < `k` < `len`.
            threaded::cut::<true>(m, unsafe { ip.add(k as usize) }, env.npc, n);
            env.npc
        }
        TAKEN => {
            m.retired = n;
            // Safety: as above, the branch is element `k - 1`.
            let at = unsafe { ip.add(k as usize - 1) };
            if k == len {
                threaded::taken_costs::<true>(m, at, env.pc, env.npc);
            } else {
                threaded::taken_costs::<false>(m, at, env.pc, env.npc);
            }
            // (The loop's own branch does not come here: the native code loops, `timed_loop`.)
            threaded::chain::<true>(m, env.npc, n)
        }
        STOP => {
            // `loop_helper` booked the branch and set the retired count.
            debug_assert_eq!(m.retired, n);
            env.npc
        }
        _ => {
            debug_assert_eq!(env.bail, END);
            // Safety: as above, the block's last element.
            let last = unsafe { ip.add(len as usize - 1) };
            // A jump ends the block; the native code predicted a last branch not taken.
            // Safety: as above.
            let insn = unsafe { (*last).insn };
            if threaded::is_jump(insn.op) && m.predicts() {
                m.predict_jump(env.pc, &insn, env.npc);
            }
            m.retired = n;
            if m.tick_shift != 0 {
                m.carry = m.icache.carry(m.fetch.page, last);
            }
            threaded::chain::<true>(m, env.npc, n)
        }
    }
}
