//! The block translator: hot blocks run as host code made by Cranelift.
//!
//! What is translated, and when:
//! - Only when the machine has a translator (`Machine::set_jit`; on by default, `KLAB_JIT=0` in
//!   the environment turns it off at machine creation, and `klab run --jit off` after it). In
//!   timing mode the native code also does the cycle model's work of the timing handlers
//!   (fetches, the DTLB and L1D, predictions) with the same results; this module's note is about
//!   what both modes share, `timed` about what timing mode adds. Timing mode translates only
//!   with an L1I and an L1D.
//! - When a block that may be translated (`may_translate`) is decoded, its first element's
//!   handler becomes [`enter`] ([`enter_timed`] in timing mode); the handler it replaced (plain
//!   or fused) is kept in the code page's side table (`JitSlot`), and the block's entries are
//!   counted in the element itself (`TRANSLATED`); after [`THRESHOLD`] entries the block is
//!   translated, so cold boot and kernel code never pays Cranelift's compile time (measured:
//!   at 200 entries micro usertests, which decodes every program it execs anew, spent more in
//!   Cranelift than it saved; at 20000 it gains, and compute gains as much). A block
//!   whose first [`MIN_PREFIX`] operations are not all translatable keeps its own handler
//!   (entering and leaving native code for a few instructions costs more than it saves), and
//!   so does, in timing mode, every block that is neither a loop nor long; a long one is
//!   translated only when it is much hotter (see `worth_translating` and `HOT_ROUNDS`).
//! - The *prefix* of the block made of operations the translator knows is translated: RV64IM's
//!   ALU operations, `lui`/`auipc`, conditional branches, `jal`/`jalr`, `fence` (nothing to do
//!   in functional mode), and loads and stores through the host TLB's fast path, inlined.
//!   The first operation it does not know (a CSR access, `ecall`, an AMO, …) and any load or
//!   store the fast path cannot do (a host-TLB miss, a misaligned address, a store to a code
//!   page, …) is a *bail*: the native code writes back the registers it changed and returns how
//!   many elements it retired, and the interpreter goes on with that element's own handler, with
//!   the same pc and retired count it would have had. So slow paths, traps, watchpoints, stops
//!   and the decode cache's coherence all stay the interpreter's: a trap in the middle of a
//!   block leaves exactly what the interpreter leaves (the instructions before it retired).
//!   A block whose runs often end in a bail gets its own handler back (`bailed`; in timing
//!   mode leaving at the prefix's end is not a bail, and the bails are weighed against all the
//!   runs, a loop's included, see `looped`).
//!
//! What the native code does: it reads a guest register from `Hart::x` the first time the
//! block uses it and keeps it in an SSA value (the block is straight-line code with side exits),
//! writes back the registers it changed at each exit, and returns the number of elements it
//! retired, with the next pc (and whether that is a bail) in its `Env`. `enter` then advances
//! the retired count and continues exactly as the block's last handler would: a bail runs the
//! element's handler; a taken branch or the block's end goes to `threaded::chain` (and a branch
//! back to the block's own start re-runs the native code directly, under the same chain limit;
//! in timing mode the native code loops itself, see `timed`).
//!
//! The block is entered only where the threaded code enters it (it ends before the slice's stop),
//! so stops are unchanged (timing mode leaves where a cost moves the stop, as its handlers do);
//! single steps and breakpoints use `step_element`, not handlers.
//! Invalidation is the decode cache's: a dropped block's entry is gone (and a resumed cut never
//! enters at a block's first element through `enter` with a stale slot: the side table is
//! cleared with the page). Generated code is bounded: when [`CODE_BUDGET`] bytes have been
//! made, every translation is forgotten and the code memory freed (no native code is running
//! then: `enter` compiles only between native calls, and native code calls nothing but timing
//! mode's helpers, which neither translate nor run guest code).
#![allow(unsafe_code)]

mod timed;

pub(crate) use timed::enter_timed;

use cranelift_codegen::Context;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    AbiParam, Endianness, InstBuilder, MemFlagsData, Type, UserFuncName, Value, types,
};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{Linkage, Module, default_libcall_names};

use crate::hart::insn::{Insn, Op, SINK};
use crate::memmap::{PAGE_MASK, PAGE_SHIFT};
use crate::mmu::htlb::HTLB_ENTRIES;

use super::Machine;
use super::threaded::{self, Decoded, Handler};
use super::timing::OFFSET_MASK;

/// Block entries before a block is translated (`KLAB_JIT_THRESHOLD` overrides it, read when
/// the translator is made).
pub(crate) const THRESHOLD: u32 = 20_000;

/// Fewest leading instructions the translator knows for a block to be worth translating: a
/// shorter native prefix costs more to enter and leave than it saves.
pub(crate) const MIN_PREFIX: usize = 3;

/// Bytes of generated code after which every translation is dropped and the memory freed.
pub(crate) const CODE_BUDGET: usize = 32 << 20;

/// A translated block: `regs` is `Hart::x`, `env` the block's view of the memory fast path.
/// Returns the number of elements retired.
pub(crate) type Native = unsafe extern "C" fn(regs: *mut u64, env: *mut Env) -> u64;

/// What translated code reads of the machine, and where it leaves the next pc.
#[repr(C)]
pub(crate) struct Env {
    /// The host TLB's read table row for the data privilege.
    read: *const crate::mmu::htlb::Entry,
    /// Its write table row.
    write: *const crate::mmu::htlb::Entry,
    /// RAM.
    ram: *mut u8,
    ram_len: u64,
    /// The host TLB's current epoch (a valid tag is page address | epoch).
    epoch: u64,
    /// Out: the next pc (of the element to bail to, or to chain to).
    npc: u64,
    /// Out: how the native code ended (`END`, `BAIL`, and in timing mode `TAKEN`, `CUT`).
    bail: u64,
    /// Timing mode (see `timed`; null and zero in functional mode): the machine, for the
    /// helpers the native code calls.
    m: *mut Machine,
    /// The retired count when the block was entered.
    n0: u64,
    /// The physical address of the code page.
    fetch_pbase: u64,
    /// The DTLB slot used last (`Timing::dtlb_mru`).
    dtlb_mru: *const usize,
    /// `Stats::bytes` (loaded, stored), which the native code's loads and stores add to.
    bytes: *mut u64,
    /// Out: the pc of the element the native code ended with (a taken branch, the last one).
    pc: u64,
    /// Timing mode: the block's first element (for the loop helper, see `timed`).
    ip: *const Decoded,
    /// Out, timing mode: runs of the block in this call (1 and each run of its loop), for the
    /// bail heuristic (`bailed`).
    runs: u64,
    /// Timing mode: the current attribution's event counts (`Stats::events_ptr`).
    events: *mut u64,
    /// Timing mode: nonzero once a helper has moved the stop before the block's end (see
    /// `timed`'s `call_helper`); 0 at entry.
    cut: u64,
    /// Timing mode: the retired count at entry. A loop's runs that ended in its branch back
    /// (laps) in this call number `(n0 - start) / k`, as the native code's `n0` advances by the
    /// loop's `k` elements at each (see `timed`'s `timed_loop`); their bytes, and the counts of
    /// those the inline booking booked, are added at the exits, not at each run.
    start: u64,
    /// Timing mode: laps that the inline booking did not book (`loop_helper`'s, and the last
    /// before a `STOP`); the others number laps less these. Only cold paths change it.
    idle: u64,
    /// Timing mode: nonzero once a run of the loop has ended in its inline booking: what the
    /// next run can then skip (its fetch checks where `fetch_once`, and the predictor's check
    /// where `sticky`, see `timed`).
    warm: u64,
    /// Timing mode: what the loads and stores of a loop's body last found in the host TLB
    /// (`timed::held_probe`), a page word and an entry value each; zeros at entry.
    held: [u64; 2 * HELD],
    /// Timing mode: a loop's closed form (see `timed`'s `loop_booking`): its runs book by
    /// themselves while their retired count is at most `lazy_end` (0: none); they started after
    /// the full booking of the run that ended at `lazy_from` (`u64::MAX`: none), which left
    /// `lazy_ticks` extra cycles.
    lazy_end: u64,
    lazy_from: u64,
    lazy_ticks: u64,
    /// Timing mode: for each held load and store (`held`), the line it last left the MRU line
    /// of its L1D set, with its alignment bits (`timed::held_line`); `NO_LINE` at entry and
    /// after every helper.
    lines: [u64; HELD],
}

impl Env {
    /// The env of a call of the native code, as functional mode needs it: the host TLB of the
    /// current data privilege and RAM; every timing field null, zero or empty (timing mode
    /// sets its own, `timed::enter_timed`).
    fn at_entry(m: &mut Machine) -> Env {
        Env {
            read: m.htlb.read[m.dmode & 3].as_ptr(),
            write: m.htlb.write[m.dmode & 3].as_ptr(),
            ram: m.bus.ram.as_mut_ptr(),
            ram_len: m.bus.ram.len() as u64,
            epoch: m.htlb.epoch(),
            npc: 0,
            bail: 0,
            m: std::ptr::null_mut(),
            n0: 0,
            fetch_pbase: 0,
            dtlb_mru: std::ptr::null(),
            bytes: std::ptr::null_mut(),
            pc: 0,
            ip: std::ptr::null(),
            runs: 0,
            events: std::ptr::null_mut(),
            cut: 0,
            start: 0,
            idle: 0,
            warm: 0,
            held: [0; 2 * HELD],
            lazy_end: 0,
            lazy_from: u64::MAX,
            lazy_ticks: 0,
            lines: [NO_LINE; HELD],
        }
    }
}

/// `Env::lines`: no line held. Never a line word of an access narrower than the L1D's line (the
/// bits between the access's size and the line's are clear in those).
const NO_LINE: u64 = u64::MAX;

/// Loads and stores of a loop's body whose host-TLB probes the env keeps (`Env::held`).
const HELD: usize = 4;

/// `Env::bail`: the block ran to its end (or, functional mode, left by a taken branch).
const END: u64 = 0;
/// `Env::bail`: the element at `npc` must run in the interpreter.
const BAIL: u64 = 1;
/// `Env::bail` (timing mode): the conditional branch at `pc` was taken.
const TAKEN: u64 = 2;
/// `Env::bail` (timing mode): the slice must stop before the element at `npc` (a dynamic cost
/// moved the stop, see `threaded::cut`).
const CUT: u64 = 3;
/// `Env::bail` (timing mode): the block's loop branch (back to its start) was taken and its
/// costs booked, and the chain limit ends the chain there (see `timed`'s loops).
const STOP: u64 = 4;

const ENV_READ: i32 = 0;
const ENV_WRITE: i32 = 8;
const ENV_RAM: i32 = 16;
const ENV_RAM_LEN: i32 = 24;
const ENV_EPOCH: i32 = 32;
const ENV_NPC: i32 = 40;
const ENV_BAIL: i32 = 48;
const ENV_M: i32 = std::mem::offset_of!(Env, m) as i32;
const ENV_N0: i32 = std::mem::offset_of!(Env, n0) as i32;
const ENV_FETCH_PBASE: i32 = std::mem::offset_of!(Env, fetch_pbase) as i32;
const ENV_DTLB_MRU: i32 = std::mem::offset_of!(Env, dtlb_mru) as i32;
const ENV_PC: i32 = std::mem::offset_of!(Env, pc) as i32;
const ENV_BYTES: i32 = std::mem::offset_of!(Env, bytes) as i32;
const ENV_RUNS: i32 = std::mem::offset_of!(Env, runs) as i32;
const ENV_EVENTS: i32 = std::mem::offset_of!(Env, events) as i32;
const ENV_CUT: i32 = std::mem::offset_of!(Env, cut) as i32;
const ENV_START: i32 = std::mem::offset_of!(Env, start) as i32;
const ENV_IDLE: i32 = std::mem::offset_of!(Env, idle) as i32;
const ENV_WARM: i32 = std::mem::offset_of!(Env, warm) as i32;
const ENV_HELD: i32 = std::mem::offset_of!(Env, held) as i32;
const ENV_LAZY_END: i32 = std::mem::offset_of!(Env, lazy_end) as i32;
const ENV_LAZY_FROM: i32 = std::mem::offset_of!(Env, lazy_from) as i32;
const ENV_LAZY_TICKS: i32 = std::mem::offset_of!(Env, lazy_ticks) as i32;
const ENV_LINES: i32 = std::mem::offset_of!(Env, lines) as i32;
/// Fields of the env (each eight bytes).
const ENV_FIELDS: usize = std::mem::size_of::<Env>() / 8;
const _: () = assert!(std::mem::offset_of!(Env, bail) == ENV_BAIL as usize);
const _: () = assert!(std::mem::offset_of!(Env, epoch) == ENV_EPOCH as usize);
const _: () = assert!(std::mem::size_of::<crate::mmu::htlb::Entry>() == 16);

/// The translator's side-table entry for one block start (an element of a code page's block
/// array): what `enter` replaced, for the entries that do not run native code. The rest of the
/// block's state is its first element's tag (`Insn::tag`, see `TRANSLATED`).
#[derive(Clone, Copy)]
pub(crate) struct JitSlot {
    /// The handler `enter` replaced (in timing mode always the element's plain one, see
    /// `orig`).
    pub orig: Handler,
}

/// The translator's state of a block with a slot, in its first element's `Insn::tag` (24 bits,
/// little-endian), which an entry reads with the element it already holds: with this bit, the
/// block's translation is number `tag - TRANSLATED` of `Jit::hot`; without it, the block has
/// reached the threshold `tag >> ROUND_SHIFT` times (`HOT_ROUNDS`) and been entered
/// `tag & COUNT_MASK` times since. (Kept in the code page's side table, `JitSlot`, as before,
/// these cost a host cache miss at most timing-mode entries: perf put over half of
/// `enter_timed`'s samples, 1.6% of micro `usertests`, on that one load; most of those entries
/// were of blocks not yet translated, 4.3M of them against 2.2M into native code.)
const TRANSLATED: u32 = 1 << 23;
const ROUND_SHIFT: u32 = 20;
const COUNT_MASK: u32 = (1 << ROUND_SHIFT) - 1;
const _: () = assert!((HOT_ROUNDS as u32) < TRANSLATED >> ROUND_SHIFT);

/// The highest threshold the tag counts to (`KLAB_JIT_THRESHOLD` and `set_jit_threshold` are
/// held to it).
const MAX_THRESHOLD: u32 = COUNT_MASK;

/// Translations before the table is full: the tag's number has 23 bits.
const MAX_HOT: usize = TRANSLATED as usize;

/// The tag (`TRANSLATED`) of the block start `d`.
#[inline(always)]
fn tag_of(d: &Decoded) -> u32 {
    let [a, b, c] = d.insn.tag;
    u32::from_le_bytes([a, b, c, 0])
}

/// `tag` as `Insn::tag`'s bytes.
fn tag_bytes(tag: u32) -> [u8; 3] {
    let [a, b, c, _] = tag.to_le_bytes();
    [a, b, c]
}

/// The number in `Jit::hot` of the translation of the block whose first element is `d`, if
/// it has one.
#[inline(always)]
pub(crate) fn translation(d: &Decoded) -> Option<usize> {
    let tag = tag_of(d);
    (tag & TRANSLATED != 0).then_some((tag & !TRANSLATED) as usize)
}

/// A translated block: its code and its runs, in the translator's table (`Jit::hot`), which
/// the block's first element names (`TRANSLATED`).
#[derive(Clone, Copy)]
pub(crate) struct Hot {
    /// The translation.
    pub code: Native,
    /// Runs of the native code (entries, and in timing mode a loop's runs after the first; see
    /// `looped`), saturating.
    pub count: u32,
    /// Runs of the native code that ended in a bail (see `bailed`).
    pub bails: u32,
}

/// The translator of one machine.
pub(crate) struct Jit {
    module: Option<JITModule>,
    ctx: Context,
    fctx: FunctionBuilderContext,
    /// Blocks translated (over the machine's life).
    pub blocks: u64,
    /// Instructions the native code retired (over the translator's life): what share of a run
    /// the translations carry (`klab run --stats`).
    pub native: u64,
    /// Bytes of code made since the last flush.
    bytes: usize,
    /// Block entries before translation (see `THRESHOLD`).
    threshold: u32,
    next: u32,
    /// The translations since the last flush, by number (see `Hot`).
    hot: Vec<Hot>,
    /// perf's map of JIT code (`Machine::set_perf_map`), if one is written.
    perf_map: Option<std::fs::File>,
}

fn new_module() -> Option<JITModule> {
    let mut flags = settings::builder();
    flags.set("use_colocated_libcalls", "false").ok()?;
    flags.set("is_pic", "false").ok()?;
    flags.set("opt_level", "speed").ok()?;
    // Cranelift checks its IR after each pass unless told not to: a debug aid that took 13% of
    // the compile time (0.5% of timing-mode micro `usertests`). Builds with debug assertions
    // (the tests' profile among them) keep it.
    flags
        .set("enable_verifier", &cfg!(debug_assertions).to_string())
        .ok()?;
    let isa = cranelift_native::builder()
        .ok()?
        .finish(settings::Flags::new(flags))
        .ok()?;
    Some(JITModule::new(JITBuilder::with_isa(
        isa,
        default_libcall_names(),
    )))
}

impl Jit {
    /// A translator for the host, if Cranelift supports it.
    pub fn new() -> Option<Jit> {
        let module = new_module()?;
        let ctx = module.make_context();
        Some(Jit {
            module: Some(module),
            ctx,
            fctx: FunctionBuilderContext::new(),
            blocks: 0,
            native: 0,
            bytes: 0,
            next: 0,
            hot: Vec::new(),
            perf_map: None,
            threshold: std::env::var("KLAB_JIT_THRESHOLD")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(THRESHOLD)
                .clamp(1, MAX_THRESHOLD),
        })
    }

    /// Whether the code budget is used up (the caller forgets every translation, then calls
    /// `flush`).
    pub fn full(&self) -> bool {
        self.bytes >= CODE_BUDGET || self.hot.len() >= MAX_HOT
    }

    /// Frees every translation's code. Every `Native` made before is dangling after this.
    pub fn flush(&mut self) {
        if let Some(m) = self.module.take() {
            // Safety: the caller dropped every pointer to the module's code, and none of it is
            // running (see the module note).
            unsafe { m.free_memory() };
        }
        self.module = new_module();
        self.bytes = 0;
        self.hot.clear();
    }

    /// The translation of the block whose first element is `d`, if it has one.
    #[inline(always)]
    fn hot(&mut self, d: &Decoded) -> Option<&mut Hot> {
        self.hot.get_mut(translation(d)?)
    }

    /// Translates the block whose elements are `block`, starting at guest `pc`; `None` if
    /// fewer than `MIN_PREFIX` of its first operations are translated, in timing mode if it is
    /// neither a loop nor long (`worth_translating`), or if Cranelift fails.
    /// `timed`: timing mode, with what its translation needs of the machine (see `timed`).
    pub fn translate(
        &mut self,
        block: &[Decoded],
        pc: u64,
        timed: Option<timed::TimedInfo>,
    ) -> Option<Native> {
        if !may_translate(block, timed.is_some()) {
            return None;
        }
        let module = self.module.as_mut()?;
        let mut sig = module.make_signature();
        sig.params.push(AbiParam::new(types::I64));
        sig.params.push(AbiParam::new(types::I64));
        sig.returns.push(AbiParam::new(types::I64));
        let mode = if timed.is_some() {
            "timing"
        } else {
            "functional"
        };
        let name = format!("b{}", self.next);
        self.next += 1;
        let id = module.declare_function(&name, Linkage::Local, &sig).ok()?;
        self.ctx.clear();
        self.ctx.func.signature = sig;
        self.ctx.func.name = UserFuncName::user(0, id.as_u32());
        {
            let b = FunctionBuilder::new(&mut self.ctx.func, &mut self.fctx);
            let config = module.target_config();
            let mut g = Gen::new(b, config.default_call_conv);
            if let Some(info) = timed {
                g.timed_prologue(block, info);
            }
            g.block(block, pc, config);
        }
        let ok = module.define_function(id, &mut self.ctx).is_ok();
        let size = self
            .ctx
            .compiled_code()
            .map_or(0, |c| c.code_buffer().len());
        module.clear_context(&mut self.ctx);
        if !ok {
            return None;
        }
        module.finalize_definitions().ok()?;
        self.bytes += size;
        self.blocks += 1;
        let code = module.get_finalized_function(id);
        if let Some(f) = &mut self.perf_map {
            use std::io::Write;
            // perf's line: start and size in hex, then the name. A failed write loses a line
            // of a profiling aid, nothing the machine does.
            let _ = writeln!(f, "{:x} {size:x} klab {pc:#x} {name} {mode}", code as usize);
        }
        // Safety: the function was made with the `Native` signature (two pointer-sized
        // arguments, one 64-bit result) in the host's default calling convention.
        Some(unsafe { std::mem::transmute::<*const u8, Native>(code) })
    }
}

impl Drop for Jit {
    fn drop(&mut self) {
        if let Some(m) = self.module.take() {
            // Safety: the machine owning this translator is going away with every pointer to
            // its code.
            unsafe { m.free_memory() };
        }
    }
}

/// Whether the block `block` may ever be translated (`Jit::translate` makes code for it unless
/// Cranelift fails): a block that may not gets no slot when it is decoded and never enters
/// through `enter`, so its entries cost nothing of the translator's. In timing mode most blocks
/// are such (neither loops nor long): they used to count their first `THRESHOLD` entries in
/// their page's side table (`JitSlot`), a host cache miss at most entries (perf: 1.6% of micro
/// `usertests`), to be given their handler back then, and a block entered fewer times paid it
/// at every entry.
pub(crate) fn may_translate(block: &[Decoded], timing: bool) -> bool {
    let prefix = block.iter().take_while(|d| translated(d.insn.op)).count();
    // Loop branches are relative: any address of the block's start will do.
    prefix >= MIN_PREFIX && worth_translating(block, 0, timing).is_some()
}

/// Whether the block `block` (from guest `pc`), whose first `MIN_PREFIX` operations are
/// translatable, is worth translating, as the rounds of `THRESHOLD` entries it must reach
/// first (`None`: never): in functional mode every one is, after one round; in timing mode
/// loops, blocks whose translated prefix holds a conditional branch back to the block's start
/// (`loop_branch`), which run again inside the native code, after one round, and blocks whose
/// translated prefix is long (`LONG_PREFIX`), after `HOT_ROUNDS`. Any other block enters and leaves the native code at every run (the
/// model's env, the exits' continuations), and that costs what its native code saves over the
/// timing handlers. Measured (user CPU, least of 3-7 interleaved runs, 2026-12-05),
/// translating every block against loops only: micro usertests 3.89 s against 3.86 s under
/// `u74`, mono usertests 1.35 s against 1.26 s (34 fewer blocks compiled, about 2 ms each),
/// and 1-4% the same way under `simple`, `tiny` and `big`; `compute`, `ecall` and `sharedpage`
/// the same either way. (Before, such a block needed 6 translatable leading operations instead
/// of 3: at 3 the `ecall` guest ran 1.61-1.73 s instead of 1.43-1.49 s.)
fn worth_translating(block: &[Decoded], pc: u64, timing: bool) -> Option<u8> {
    if !timing || loop_branch(block, pc).is_some() {
        Some(1)
    } else if long(block) {
        Some(HOT_ROUNDS)
    } else {
        None
    }
}

/// Timing mode: the fewest translated leading operations that make a block that is not a loop
/// worth translating, if it is hot enough (`HOT_ROUNDS`): its native run saves more than its
/// entry and exit cost. In micro `usertests` (session of 2026-12-06, seventh), the kernel's
/// 41-instruction page-table walk (`kcore::vm::AddressSpace::lookup`, 570 000 runs) and the
/// blocks of `micro::memory::phys` are such blocks. Translating the long blocks that reach the
/// threshold (prefix of 24 or more: 21 more blocks, 37.5M more instructions in native code)
/// took 2.03G host instructions from the timing handlers (54 a guest instruction) and added
/// 0.89G of native code (24 a guest instruction), 0.29G in `enter_timed` and 0.5G in Cranelift.
const LONG_PREFIX: usize = 16;

/// Timing mode: a long block that is not a loop is translated only after this many rounds of
/// `THRESHOLD` entries (100 000 entries at the default), since compiling one costs about 24M
/// host instructions (7 ms), which a block run 20 000 times does not win back. Micro
/// `usertests`, host instructions (cachegrind): loops only, 48.55G; long blocks at 20 000
/// entries, 48.47G; at 100 000 entries, 48.15G (6 more blocks, 28M more instructions in native
/// code). User CPU, least of 6 interleaved runs: 4.03 s against 4.09 s for loops only.
const HOT_ROUNDS: u8 = 5;

/// Whether `block`'s translated prefix is long (`LONG_PREFIX`).
fn long(block: &[Decoded]) -> bool {
    block.iter().take_while(|d| translated(d.insn.op)).count() >= LONG_PREFIX
}

/// The first conditional branch back to the block's start in the translated prefix of `block`
/// (from guest `pc`), if any: a loop, which timing mode runs again without leaving the native
/// code (see `timed`).
fn loop_branch(block: &[Decoded], pc: u64) -> Option<usize> {
    let mut at = pc;
    for (j, d) in block
        .iter()
        .take_while(|d| translated(d.insn.op))
        .enumerate()
    {
        let i = d.insn;
        let branch = matches!(
            i.op,
            Op::Beq | Op::Bne | Op::Blt | Op::Bge | Op::Bltu | Op::Bgeu
        );
        if branch && at.wrapping_add(i64::from(i.imm) as u64) == pc {
            return Some(j);
        }
        at = at.wrapping_add(u64::from(i.len));
    }
    None
}

/// The condition under which conditional branch `op` is taken.
fn branch_cc(op: Op) -> IntCC {
    match op {
        Op::Beq => IntCC::Equal,
        Op::Bne => IntCC::NotEqual,
        Op::Blt => IntCC::SignedLessThan,
        Op::Bge => IntCC::SignedGreaterThanOrEqual,
        Op::Bltu => IntCC::UnsignedLessThan,
        _ => IntCC::UnsignedGreaterThanOrEqual,
    }
}

/// Whether translated operation `op` writes its `rd` (all but stores, branches and `fence`).
const fn writes_register(op: Op) -> bool {
    use Op::*;
    translated(op)
        && !matches!(
            op,
            Beq | Bne | Blt | Bge | Bltu | Bgeu | Sb | Sh | Sw | Sd | Fence
        )
}

/// The bytes a load or store `op` accesses (0 for other operations).
const fn access_size(op: Op) -> u64 {
    use Op::*;
    match op {
        Lb | Lbu | Sb => 1,
        Lh | Lhu | Sh => 2,
        Lw | Lwu | Sw => 4,
        Ld | Sd => 8,
        _ => 0,
    }
}

/// Whether the translator knows `op` (loads and stores: their fast path; see the module note).
const fn translated(op: Op) -> bool {
    use Op::*;
    matches!(
        op,
        Lui | Auipc
            | Jal
            | Jalr
            | Beq
            | Bne
            | Blt
            | Bge
            | Bltu
            | Bgeu
            | Lb
            | Lh
            | Lw
            | Ld
            | Lbu
            | Lhu
            | Lwu
            | Sb
            | Sh
            | Sw
            | Sd
            | Addi
            | Slti
            | Sltiu
            | Xori
            | Ori
            | Andi
            | Slli
            | Srli
            | Srai
            | Add
            | Sub
            | Sll
            | Slt
            | Sltu
            | Xor
            | Srl
            | Sra
            | Or
            | And
            | Addiw
            | Slliw
            | Srliw
            | Sraiw
            | Addw
            | Subw
            | Sllw
            | Srlw
            | Sraw
            | Fence
            | Mul
            | Mulh
            | Mulhsu
            | Mulhu
            | Div
            | Divu
            | Rem
            | Remu
            | Mulw
            | Divw
            | Divuw
            | Remw
            | Remuw
    )
}

/// Code generation for one block.
struct Gen<'a> {
    b: FunctionBuilder<'a>,
    regs_ptr: Value,
    env: Value,
    /// The current value of each guest register the block has read or written.
    regs: [Option<Value>; 33],
    /// The guest registers a timing-mode loop uses, as variables (loaded once before the loop,
    /// carried around it in host registers; see `timed::Gen::loop_registers`); these take the
    /// place of `regs`.
    vars: [Option<cranelift_frontend::Variable>; 33],
    /// Registers written (to store back at each exit).
    dirty: u64,
    /// The env fields, loaded on first use (functional mode; timing mode loads at each use, see
    /// `field`).
    fields: [Option<Value>; ENV_FIELDS],
    /// Timing mode's code generation state.
    timed: Option<timed::Timed>,
    /// The host's calling convention (of the helpers timing mode calls).
    call_conv: cranelift_codegen::isa::CallConv,
    /// The pc of the element being translated.
    cur_pc: u64,
    /// Bytes loaded and stored by the elements translated so far (timing mode's `Stats::bytes`).
    loaded: u64,
    stored: u64,
}

/// Little-endian, aligned where the guest's is, never trapping: the fast path checked it.
fn mem() -> MemFlagsData {
    MemFlagsData::new()
        .with_endianness(Endianness::Little)
        .with_notrap()
}

impl<'a> Gen<'a> {
    fn new(mut b: FunctionBuilder<'a>, call_conv: cranelift_codegen::isa::CallConv) -> Gen<'a> {
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let regs_ptr = b.block_params(entry)[0];
        let env = b.block_params(entry)[1];
        Gen {
            b,
            regs_ptr,
            env,
            regs: [None; 33],
            vars: [None; 33],
            dirty: 0,
            fields: [None; ENV_FIELDS],
            timed: None,
            call_conv,
            cur_pc: 0,
            loaded: 0,
            stored: 0,
        }
    }

    fn iconst(&mut self, v: u64) -> Value {
        self.b.ins().iconst(types::I64, v as i64)
    }

    /// Guest register `r`.
    fn get(&mut self, r: u8) -> Value {
        if r == 0 {
            return self.iconst(0);
        }
        let r = usize::from(r);
        if let Some(var) = self.vars.get(r).copied().flatten() {
            return self.b.use_var(var);
        }
        if let Some(v) = self.regs.get(r).copied().flatten() {
            return v;
        }
        let v = self.b.ins().load(
            types::I64,
            MemFlagsData::trusted(),
            self.regs_ptr,
            8 * r as i32,
        );
        if let Some(slot) = self.regs.get_mut(r) {
            *slot = Some(v);
        }
        v
    }

    /// Sets guest register `r` (writes to x0 were redirected to `SINK` by the decoder).
    fn set(&mut self, r: u8, v: Value) {
        let r = usize::from(r);
        if r == 0 || r == usize::from(SINK) || r >= 32 {
            return;
        }
        match self.vars[r] {
            Some(var) => self.b.def_var(var, v),
            None => self.regs[r] = Some(v),
        }
        self.dirty |= 1 << r;
    }

    /// The env field at byte offset `off`. Timing mode loads it again at each use: its code
    /// calls helpers, across which a value kept from an earlier load would live in a stack slot
    /// anyway (a reload from the stack costs what a load from the env does), and the prologue
    /// then needs no load and spill of every field.
    fn field(&mut self, off: i32) -> Value {
        let k = (off / 8) as usize;
        if let Some(v) = self.fields[k] {
            return v;
        }
        let v = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), self.env, off);
        if self.timed.is_none() {
            self.fields[k] = Some(v);
        }
        v
    }

    /// Ends the native code here: write back the changed registers, leave `npc` and `bail` in
    /// the env, return `retired` (elements retired).
    fn exit(&mut self, retired: usize, npc: Value, how: u64) {
        self.write_back();
        let (loaded, stored) = (self.loaded, self.stored);
        self.timed_flush(loaded, stored);
        self.b
            .ins()
            .store(MemFlagsData::trusted(), npc, self.env, ENV_NPC);
        self.leave(retired, how);
    }

    /// Stores `how` in the env's `bail` and returns `retired`.
    fn leave(&mut self, retired: usize, how: u64) {
        self.timed_leave(retired);
        let flag = self.iconst(how);
        self.b
            .ins()
            .store(MemFlagsData::trusted(), flag, self.env, ENV_BAIL);
        let k = self.iconst(retired as u64);
        self.b.ins().return_(&[k]);
    }

    /// What every way out of the native code does first: writes back the changed registers
    /// (`store_registers`), and in timing mode the current element's pc (`store_pc`).
    fn write_back(&mut self) {
        self.store_registers();
        self.store_pc();
    }

    /// Stores the changed guest registers.
    fn store_registers(&mut self) {
        for r in 1..32 {
            if self.dirty & (1 << r) == 0 {
                continue;
            }
            let v = match (self.vars[r], self.regs[r]) {
                (Some(var), _) => self.b.use_var(var),
                (None, Some(v)) => v,
                (None, None) => continue,
            };
            self.b
                .ins()
                .store(MemFlagsData::trusted(), v, self.regs_ptr, 8 * r as i32);
        }
    }

    /// Timing mode: stores the current element's pc in the env (for the helpers and the exits).
    fn store_pc(&mut self) {
        if self.timed.is_some() {
            let pc = self.iconst(self.cur_pc);
            self.b
                .ins()
                .store(MemFlagsData::trusted(), pc, self.env, ENV_PC);
        }
    }

    /// Leaves through a cold side exit when `cond` is true (`!on_true`: false), goes on
    /// otherwise.
    fn side_exit(&mut self, cond: Value, on_true: bool, retired: usize, npc: u64, how: u64) {
        let out = self.b.create_block();
        let stay = self.b.create_block();
        self.b.set_cold_block(out);
        if on_true {
            self.b.ins().brif(cond, out, &[], stay, &[]);
        } else {
            self.b.ins().brif(cond, stay, &[], out, &[]);
        }
        self.b.switch_to_block(out);
        let npc = self.iconst(npc);
        self.exit(retired, npc, how);
        self.b.switch_to_block(stay);
    }

    /// The host address of an `n`-byte access at `vaddr` through the host TLB table at env
    /// offset `table`, or a bail to element `j` (at `pc`) when the fast path cannot do it.
    fn host_address(&mut self, table: i32, vaddr: Value, n: u64, j: usize, pc: u64) -> Value {
        let (_, i) = self.probe(table, vaddr, n, j, pc);
        let ram = self.field(ENV_RAM);
        self.b.ins().iadd(ram, i)
    }

    /// The host-TLB probe of an `n`-byte access at `vaddr` through the table at env offset
    /// `table`, which changes nothing: the entry's value (timing mode: with its DTLB slot in the
    /// top bits, see `timing::SLOT_SHIFT`) and the RAM offset of the access; or a bail to
    /// element `j` (at `pc`) when the entry does not hold the page, the access is misaligned or
    /// it does not fit in RAM.
    fn probe(&mut self, table: i32, vaddr: Value, n: u64, j: usize, pc: u64) -> (Value, Value) {
        let tab = self.field(table);
        let epoch = self.field(ENV_EPOCH);
        let ram_len = self.field(ENV_RAM_LEN);
        let page = self.b.ins().ushr_imm_s(vaddr, i64::from(PAGE_SHIFT));
        let slot = self.b.ins().band_imm_s(page, (HTLB_ENTRIES - 1) as i64);
        let off = self.b.ins().ishl_imm_s(slot, 4);
        let e = self.b.ins().iadd(tab, off);
        let tag = self.b.ins().load(types::I64, MemFlagsData::trusted(), e, 0);
        let value = self.b.ins().load(types::I64, MemFlagsData::trusted(), e, 8);
        let base = self.b.ins().band_imm_s(vaddr, !(PAGE_MASK as i64));
        let want = self.b.ins().bor(base, epoch);
        let mut ok = self.b.ins().icmp(IntCC::Equal, tag, want);
        if n > 1 {
            let low = self.b.ins().band_imm_s(vaddr, (n - 1) as i64);
            let aligned = self.b.ins().icmp_imm_s(IntCC::Equal, low, 0);
            ok = self.b.ins().band(ok, aligned);
        }
        let page_off = self.b.ins().band_imm_s(value, OFFSET_MASK as i64);
        let in_page = self.b.ins().band_imm_s(vaddr, PAGE_MASK as i64);
        let i = self.b.ins().iadd(page_off, in_page);
        let end = self.b.ins().iadd_imm_s(i, n as i64);
        let fits = self
            .b
            .ins()
            .icmp(IntCC::UnsignedLessThanOrEqual, end, ram_len);
        let ok = self.b.ins().band(ok, fits);
        self.side_exit(ok, false, j, pc, BAIL);
        (value, i)
    }

    /// Low 32 bits of `v`.
    fn low(&mut self, v: Value) -> Value {
        self.b.ins().ireduce(types::I32, v)
    }

    /// `v` (32 bits) sign-extended.
    fn sext(&mut self, v: Value) -> Value {
        self.b.ins().sextend(types::I64, v)
    }

    /// The division family in type `ty` (`a`, `b` already of it): RISC-V's results for
    /// division by zero (all ones; the dividend for a remainder) and signed overflow (the
    /// dividend; zero for a remainder), spec table 7.1.
    fn divide(&mut self, ty: Type, a: Value, b: Value, signed: bool, rem: bool) -> Value {
        let zero = self.b.ins().icmp_imm_s(IntCC::Equal, b, 0);
        let bad = if signed {
            let min = if ty == types::I32 {
                i64::from(i32::MIN)
            } else {
                i64::MIN
            };
            let a_min = self.b.ins().icmp_imm_s(IntCC::Equal, a, min);
            let b_m1 = self.b.ins().icmp_imm_s(IntCC::Equal, b, -1);
            let ovf = self.b.ins().band(a_min, b_m1);
            self.b.ins().bor(zero, ovf)
        } else {
            zero
        };
        let one = self.b.ins().iconst(ty, 1);
        let safe = self.b.ins().select(bad, one, b);
        let r = match (signed, rem) {
            (true, false) => self.b.ins().sdiv(a, safe),
            (false, false) => self.b.ins().udiv(a, safe),
            (true, true) => self.b.ins().srem(a, safe),
            (false, true) => self.b.ins().urem(a, safe),
        };
        let on_zero = if rem { a } else { self.b.ins().iconst(ty, -1) };
        self.b.ins().select(zero, on_zero, r)
    }

    /// Element `i` (at guest `pc`) when it only computes a register: every translated
    /// operation but the jumps, the branches, the loads and the stores.
    fn operation(&mut self, i: Insn, pc: u64) {
        let imm = i64::from(i.imm);
        let op = i.op;
        macro_rules! a {
            () => {
                self.get(i.rs1)
            };
        }
        macro_rules! b {
            () => {
                self.get(i.rs2)
            };
        }
        macro_rules! un {
            ($f:ident) => {{
                let a = a!();
                let v = self.b.ins().$f(a, imm);
                self.set(i.rd, v);
            }};
        }
        macro_rules! bin {
            ($f:ident) => {{
                let a = a!();
                let b = b!();
                let v = self.b.ins().$f(a, b);
                self.set(i.rd, v);
            }};
        }
        macro_rules! cmp {
            ($cc:expr, $b:expr) => {{
                let a = a!();
                let b = $b;
                let c = self.b.ins().icmp($cc, a, b);
                let v = self.b.ins().uextend(types::I64, c);
                self.set(i.rd, v);
            }};
        }
        // 32-bit forms: operate on the low halves, sign-extend the result.
        macro_rules! word {
            (|$a:ident, $b:ident| $e:expr) => {{
                let a = a!();
                let b = b!();
                let $a = self.low(a);
                let $b = self.low(b);
                let v = $e;
                let v = self.sext(v);
                self.set(i.rd, v);
            }};
        }
        macro_rules! word_imm {
            ($f:ident, $imm:expr) => {{
                let a = a!();
                let a = self.low(a);
                let v = self.b.ins().$f(a, $imm);
                let v = self.sext(v);
                self.set(i.rd, v);
            }};
        }
        match op {
            Op::Lui => {
                let v = self.iconst(imm as u64);
                self.set(i.rd, v);
            }
            Op::Auipc => {
                let v = self.iconst(pc.wrapping_add(imm as u64));
                self.set(i.rd, v);
            }
            Op::Addi => un!(iadd_imm_s),
            Op::Xori => un!(bxor_imm_s),
            Op::Ori => un!(bor_imm_s),
            Op::Andi => un!(band_imm_s),
            Op::Slti => cmp!(IntCC::SignedLessThan, self.iconst(imm as u64)),
            Op::Sltiu => cmp!(IntCC::UnsignedLessThan, self.iconst(imm as u64)),
            Op::Slli => {
                let a = a!();
                let v = self.b.ins().ishl_imm_s(a, imm & 63);
                self.set(i.rd, v);
            }
            Op::Srli => {
                let a = a!();
                let v = self.b.ins().ushr_imm_s(a, imm & 63);
                self.set(i.rd, v);
            }
            Op::Srai => {
                let a = a!();
                let v = self.b.ins().sshr_imm_s(a, imm & 63);
                self.set(i.rd, v);
            }
            Op::Add => bin!(iadd),
            Op::Sub => bin!(isub),
            Op::Xor => bin!(bxor),
            Op::Or => bin!(bor),
            Op::And => bin!(band),
            // Cranelift masks shift amounts to the type's width, as RISC-V does.
            Op::Sll => bin!(ishl),
            Op::Srl => bin!(ushr),
            Op::Sra => bin!(sshr),
            Op::Slt => cmp!(IntCC::SignedLessThan, b!()),
            Op::Sltu => cmp!(IntCC::UnsignedLessThan, b!()),
            Op::Addiw => {
                let a = a!();
                let v = self.b.ins().iadd_imm_s(a, imm);
                let v = self.low(v);
                let v = self.sext(v);
                self.set(i.rd, v);
            }
            Op::Slliw => word_imm!(ishl_imm_s, imm & 31),
            Op::Srliw => word_imm!(ushr_imm_s, imm & 31),
            Op::Sraiw => word_imm!(sshr_imm_s, imm & 31),
            Op::Addw => word!(|a, b| self.b.ins().iadd(a, b)),
            Op::Subw => word!(|a, b| self.b.ins().isub(a, b)),
            Op::Sllw => word!(|a, b| self.b.ins().ishl(a, b)),
            Op::Srlw => word!(|a, b| self.b.ins().ushr(a, b)),
            Op::Sraw => word!(|a, b| self.b.ins().sshr(a, b)),
            Op::Fence => {}
            Op::Mul => bin!(imul),
            Op::Mulh => bin!(smulhi),
            Op::Mulhu => bin!(umulhi),
            Op::Mulhsu => {
                // a signed, b unsigned: the unsigned high half, less b if a < 0.
                let a = a!();
                let b = b!();
                let hi = self.b.ins().umulhi(a, b);
                let sign = self.b.ins().sshr_imm_s(a, 63);
                let fix = self.b.ins().band(sign, b);
                let v = self.b.ins().isub(hi, fix);
                self.set(i.rd, v);
            }
            Op::Div | Op::Divu | Op::Rem | Op::Remu => {
                let a = a!();
                let b = b!();
                let signed = matches!(op, Op::Div | Op::Rem);
                let rem = matches!(op, Op::Rem | Op::Remu);
                let v = self.divide(types::I64, a, b, signed, rem);
                self.set(i.rd, v);
            }
            Op::Mulw => word!(|a, b| self.b.ins().imul(a, b)),
            Op::Divw | Op::Divuw | Op::Remw | Op::Remuw => {
                let signed = matches!(op, Op::Divw | Op::Remw);
                let rem = matches!(op, Op::Remw | Op::Remuw);
                word!(|a, b| self.divide(types::I32, a, b, signed, rem))
            }
            _ => unreachable!("`translated` accepts only the operations above"),
        }
    }

    /// The value a load `op` reads from host address `host` + `off`.
    fn load_value(&mut self, op: Op, host: Value, off: i32) -> Value {
        match op {
            Op::Lb => self.b.ins().sload8(types::I64, mem(), host, off),
            Op::Lbu => self.b.ins().uload8(types::I64, mem(), host, off),
            Op::Lh => self.b.ins().sload16(types::I64, mem(), host, off),
            Op::Lhu => self.b.ins().uload16(types::I64, mem(), host, off),
            Op::Lw => self.b.ins().sload32(mem(), host, off),
            Op::Lwu => self.b.ins().uload32(mem(), host, off),
            _ => self.b.ins().load(types::I64, mem(), host, off),
        }
    }

    /// A store `op` of `v` to host address `host` + `off`.
    fn store_value(&mut self, op: Op, v: Value, host: Value, off: i32) {
        match op {
            Op::Sb => self.b.ins().istore8(mem(), v, host, off),
            Op::Sh => self.b.ins().istore16(mem(), v, host, off),
            Op::Sw => self.b.ins().istore32(mem(), v, host, off),
            _ => self.b.ins().store(mem(), v, host, off),
        };
    }

    /// Translates `block` (from guest `pc`) and finishes the function.
    fn block(
        mut self,
        block: &[Decoded],
        mut pc: u64,
        config: cranelift_codegen::isa::TargetFrontendConfig,
    ) {
        let mut ended = false;
        let timed = self.timed.is_some();
        let start = pc;
        if timed {
            self.steady_laps(block, start);
        }
        for (j, d) in block.iter().enumerate() {
            let i = d.insn;
            let len = u64::from(i.len);
            let next = pc.wrapping_add(len);
            let imm = i64::from(i.imm);
            let op = i.op;
            self.cur_pc = pc;
            if !translated(op) {
                let npc = self.iconst(pc);
                self.exit(j, npc, BAIL);
                ended = true;
                break;
            }
            // Timing mode: the element's L1I access (a load's or store's comes after its host-TLB
            // probe, which changes nothing, so that a bail leaves the access to the interpreter).
            let fetch = timed && d.suffix.fetch_access();
            if fetch && !threaded::is_data(op) {
                self.timed_fetch(pc, j);
            }
            match op {
                Op::Jal => {
                    let v = self.iconst(next);
                    self.set(i.rd, v);
                    let t = self.iconst(pc.wrapping_add(imm as u64));
                    self.exit(j + 1, t, END);
                    ended = true;
                    break;
                }
                Op::Jalr => {
                    let a = self.get(i.rs1);
                    let t = self.b.ins().iadd_imm_s(a, imm);
                    let t = self.b.ins().band_imm_s(t, !1);
                    let v = self.iconst(next);
                    self.set(i.rd, v);
                    self.exit(j + 1, t, END);
                    ended = true;
                    break;
                }
                Op::Beq | Op::Bne | Op::Blt | Op::Bge | Op::Bltu | Op::Bgeu => {
                    let target = pc.wrapping_add(imm as u64);
                    // A branch to the next instruction goes on in the block either way.
                    if target != next {
                        let cc = branch_cc(op);
                        let a = self.get(i.rs1);
                        let b = self.get(i.rs2);
                        let c = self.b.ins().icmp(cc, a, b);
                        let out = self.b.create_block();
                        let stay = if timed && target == start {
                            self.loop_stay(j + 1)
                        } else {
                            self.b.create_block()
                        };
                        self.b.ins().brif(c, out, &[], stay, &[]);
                        self.b.switch_to_block(out);
                        if timed && target == start {
                            self.timed_loop(j + 1, target);
                        } else {
                            let t = self.iconst(target);
                            self.exit(j + 1, t, if timed { TAKEN } else { END });
                        }
                        self.b.switch_to_block(stay);
                    }
                    // Not taken (or to the next instruction): the pipeline model's prediction.
                    if timed {
                        self.timed_not_taken(pc, next);
                    }
                }
                Op::Lb | Op::Lh | Op::Lw | Op::Ld | Op::Lbu | Op::Lhu | Op::Lwu => {
                    let a = self.get(i.rs1);
                    let vaddr = self.b.ins().iadd_imm_s(a, imm);
                    let n = access_size(op);
                    let host = if timed {
                        self.timed_address(ENV_READ, vaddr, n, j, fetch)
                    } else {
                        self.host_address(ENV_READ, vaddr, n, j, pc)
                    };
                    let v = self.load_value(op, host, 0);
                    self.set(i.rd, v);
                    self.loaded += n;
                }
                Op::Sb | Op::Sh | Op::Sw | Op::Sd => {
                    let a = self.get(i.rs1);
                    let v = self.get(i.rs2);
                    let vaddr = self.b.ins().iadd_imm_s(a, imm);
                    let n = access_size(op);
                    let host = if timed {
                        self.timed_address(ENV_WRITE, vaddr, n, j, fetch)
                    } else {
                        self.host_address(ENV_WRITE, vaddr, n, j, pc)
                    };
                    self.store_value(op, v, host, 0);
                    self.stored += n;
                }
                _ => self.operation(i, pc),
            }
            // Timing mode: a dynamic cost may have moved the stop before the block's end.
            if timed && j + 1 < block.len() {
                self.timed_check(j + 1, next);
            }
            pc = next;
        }
        if !ended {
            // The block ends without a jump (the end of its page, its longest length, or a
            // conditional branch not taken).
            let npc = self.iconst(pc);
            self.exit(block.len(), npc, END);
        }
        self.b.seal_all_blocks();
        self.b.finalize(config);
    }
}

/// The handler of a block's first element in functional mode with a translator: counts the
/// block's entries, translates it when it is hot, and runs its translation (see the module note).
pub(crate) fn enter(m: &mut Machine, ip: *const Decoded, pc: u64, n: u64) -> u64 {
    let code = match native_for(m, ip, pc) {
        Ok(code) => code,
        Err(h) => return h(m, ip, pc, n),
    };
    // Safety: `ip` is the first element of a block (only first elements get `enter`), whose
    // `suffix.insns` elements follow it.
    let len = u64::from(unsafe { (*ip).suffix.insns });
    let mut n = n;
    let mut runs = 0u32;
    // Made once for all the runs: nothing between them changes what it points at (the native
    // code changes no host-TLB entry, privilege or RAM mapping), and each run's exit writes
    // `npc` and `bail`, which are cleared as at the first run anyway.
    let mut env = Env::at_entry(m);
    loop {
        env.npc = 0;
        env.bail = 0;
        // Safety: `code` is this block's translation, made by `translate` with the `Native`
        // signature and not freed (a flush forgets every slot's code first); it reads and
        // writes only `Hart::x` (indices below 32), the env, the host-TLB rows, and RAM within
        // `ram_len`, all live and not otherwise borrowed during the call.
        let k = unsafe { code(m.hart.x.as_mut_ptr(), &mut env) };
        n += k;
        runs += 1;
        count_native(m, k);
        if env.bail == BAIL {
            bailed::<false>(m, ip, k, runs);
            if k == 0 {
                return orig(m, ip)(m, ip, env.npc, n);
            }
            // Safety: a bail at element `k` < `len` of the block (the translation retires at
            // most the block's elements and bails only before one of them).
            let next = unsafe { ip.add(k as usize) };
            // Safety: as above.
            let h = unsafe { (*next).handler };
            return h(m, next, env.npc, n);
        }
        m.retired = n;
        // A branch back to the block's own start: run it again under the chain limit.
        if env.npc == pc && n + len <= m.chain_limit {
            continue;
        }
        return threaded::chain::<false>(m, env.npc, n);
    }
}

/// Adds `k` instructions retired by native code to the translator's count.
#[inline(always)]
fn count_native(m: &mut Machine, k: u64) {
    if let Some(j) = m.jit.as_mut() {
        j.native += k;
    }
}

/// The translation of the block whose first element is `ip` (at guest `pc`), translating it
/// if this entry makes it hot, counting the entry; or the handler to run instead.
#[inline(always)]
fn native_for(m: &mut Machine, ip: *const Decoded, pc: u64) -> Result<Native, Handler> {
    // Safety: `ip` points at the first element of a live block (it is running its handler).
    let d = unsafe { &*ip };
    let Some(jit) = m.jit.as_mut() else {
        return Err(orig(m, ip));
    };
    if let Some(h) = jit.hot(d) {
        h.count = h.count.saturating_add(1);
        return Ok(h.code);
    }
    let threshold = jit.threshold;
    // Not translated: count the entry (below the threshold, so the count does not carry into
    // the rounds).
    let tag = tag_of(d) + 1;
    let page = m.fetch.page;
    let Some(idx) = m.icache.index_of(page, ip) else {
        return Err(plain(m, ip));
    };
    if tag & COUNT_MASK < threshold {
        m.icache.set_jit_tag(page, idx, tag_bytes(tag));
        return Err(orig_at(m, ip, idx));
    }
    m.translate_block(page, idx, ip, pc)
        .ok_or_else(|| orig_at(m, ip, idx))
}

/// The handler `enter` replaced at the block start `ip` (its own handler if it has no slot):
/// for an entry that does not run native code.
fn orig(m: &mut Machine, ip: *const Decoded) -> Handler {
    match m.icache.index_of(m.fetch.page, ip) {
        Some(idx) => orig_at(m, ip, idx),
        None => plain(m, ip),
    }
}

/// `orig` of the block start `ip`, element `idx` of the fetch page. In timing mode, which has
/// no superinstructions, that is the element's own handler, found without the side table (see
/// `TRANSLATED`).
#[inline(always)]
fn orig_at(m: &Machine, ip: *const Decoded, idx: usize) -> Handler {
    if m.timing.is_some() {
        return plain(m, ip);
    }
    m.icache
        .jit_orig(m.fetch.page, idx)
        .unwrap_or_else(|| plain(m, ip))
}

/// Bails before a translated block gives its translation up: at least this many, and at least
/// one run of its native code in `BAIL_SHARE` ending in one.
const BAILS: u32 = 64;
const BAIL_SHARE: u32 = 4;

/// The native code of the block whose first element is `ip` ended in a bail at element `k`,
/// after `runs` runs in this entry (a branch back to the block's start runs it again without a
/// new entry): count the runs and the bail, and give the block its own handler back if it bails
/// that often (a loop whose stores go to its own code page bails at the store every iteration,
/// and entering and leaving the native code costs more than the instructions before the bail
/// save). Changes nothing the guest or the model sees.
///
/// In timing mode (`TIMING`) leaving at the end of the translated prefix (an operation the
/// translator does not know, where every run that gets there leaves) is not a bail: the block
/// is a loop or long (`worth_translating`), whose runs before leaving are what its translation
/// was made for. In functional mode it is: a short prefix before an `ecall` costs more to enter and
/// leave than to interpret (the `ecall` workload ran 0.93× as fast with such translations kept).
#[cold]
#[inline(never)]
fn bailed<const TIMING: bool>(m: &mut Machine, ip: *const Decoded, k: u64, runs: u32) {
    count_runs(m, ip, runs);
    // Safety: a bail names an element of the block (`k` < its `suffix.insns`).
    if TIMING && !translated(unsafe { (*ip.add(k as usize)).insn.op }) {
        return;
    }
    // Safety: `ip` is the block's first element.
    let d = unsafe { &*ip };
    let Some(h) = m.jit.as_mut().and_then(|j| j.hot(d)) else {
        return;
    };
    h.bails += 1;
    if h.bails >= BAILS && h.bails.saturating_mul(BAIL_SHARE) >= h.count {
        let page = m.fetch.page;
        if let Some(idx) = m.icache.index_of(page, ip) {
            m.icache.jit_give_up(page, idx);
        }
    }
}

/// Timing mode: the native code of the block whose first element is `ip` left without a bail
/// after `runs` runs in this entry (its loop runs in the native code): count the runs after the
/// first (`native_for` counted the entry), so that `bailed` weighs the block's bails against
/// all its runs. Without this, a loop that bailed at its first run in one entry of four (the
/// kernel's `memset` zeroing a page that still holds decoded code: each store is the
/// interpreter's) gave its translation up, though its other entries ran hundreds of runs each:
/// micro `usertests` then ran 100M instructions of `memset` in the timing interpreter.
///
/// Functional mode's `enter` does not count its loops' runs so: there the interpreter costs
/// about what a native entry that bails does, and counting them made functional mono
/// `usertests` 5% slower (memset's bails then stay native).
#[inline(never)]
fn looped(m: &mut Machine, ip: *const Decoded, runs: u32) {
    count_runs(m, ip, runs);
}

/// Adds the runs after the first of an entry (`runs`, at least 1) to the translation of the
/// block whose first element is `ip`.
fn count_runs(m: &mut Machine, ip: *const Decoded, runs: u32) {
    // Safety: `ip` is the block's first element.
    let d = unsafe { &*ip };
    if let Some(h) = m.jit.as_mut().and_then(|j| j.hot(d)) {
        h.count = h.count.saturating_add(runs - 1);
    }
}

/// The plain handler of the element at `ip` (what it would have without superinstructions or
/// `enter`): for an `enter` that cannot find its slot, and in timing mode the handler `enter`
/// replaced (`orig`).
#[inline(always)]
fn plain(m: &Machine, ip: *const Decoded) -> Handler {
    // Safety: `ip` points at an element of a live block (see `threaded`).
    let d = unsafe { &*ip };
    Decoded::new(d.insn, d.suffix.insns == 1, m.timing.is_some(), d.suffix).handler
}

impl Machine {
    /// Translates the block at element `idx` (pointer `ip`, guest `pc`) of code page `page`
    /// and records the translation in its slot.
    #[cold]
    #[inline(never)]
    fn translate_block(
        &mut self,
        page: usize,
        idx: usize,
        ip: *const Decoded,
        pc: u64,
    ) -> Option<Native> {
        if self.jit.as_ref().is_some_and(|j| j.full()) {
            self.icache.forget_translations();
            if let Some(j) = self.jit.as_mut() {
                j.flush();
            }
        }
        // Safety: `ip` is a block's first element; the block's `suffix.insns` elements follow.
        let block = unsafe { std::slice::from_raw_parts(ip, usize::from((*ip).suffix.insns)) };
        if let Some(need) = worth_translating(block, pc, self.timing.is_some())
            && need > 1
        {
            // Not yet hot enough: count another round of entries (from none after a flush).
            let rounds = (tag_of(&block[0]) >> ROUND_SHIFT) + 1;
            if rounds < u32::from(need) {
                self.icache
                    .set_jit_tag(page, idx, tag_bytes(rounds << ROUND_SHIFT));
                return None;
            }
        }
        let timed = self.timed_info(page, idx, block, pc);
        let jit = self.jit.as_mut()?;
        let code = jit.translate(block, pc, timed);
        match code {
            Some(code) => {
                jit.hot.push(Hot {
                    code,
                    count: 1,
                    bails: 0,
                });
                let number = (jit.hot.len() - 1) as u32;
                self.icache
                    .set_jit_tag(page, idx, tag_bytes(TRANSLATED | number));
            }
            // Not worth translating: the block's entries go straight to its own handler again.
            None => self.icache.jit_give_up(page, idx),
        }
        code
    }

    /// Turns the block translator on or off (see `jit`; timing mode needs an L1I and an L1D).
    /// Turning it off forgets every translation; turning it on applies to blocks decoded from
    /// then on.
    pub fn set_jit(&mut self, on: bool) {
        if !on {
            self.icache.forget_translations();
            self.jit = None;
        } else if self.jit.is_none()
            && self
                .timing
                .as_deref()
                .is_none_or(|t| t.l1i().is_some() && t.l1d().is_some())
        {
            // Timing mode needs both L1 caches (see `timed`).
            self.jit = Jit::new().map(Box::new);
        }
    }

    /// Whether the machine has a translator (`set_jit`).
    pub fn has_jit(&self) -> bool {
        self.jit.is_some()
    }

    /// Writes perf's map of JIT code to `file` (by perf's convention `/tmp/perf-PID.map`, PID
    /// the process's): a line per translation from now on, its host address, size and name
    /// (`klab`, the block's guest pc, the translation's number and mode), so that `perf report`
    /// names the native code by guest pc. After the code budget's flush (see `Jit::full`),
    /// addresses may be used again by other blocks, and the map then has two lines for them;
    /// runs that flush are profiled less exactly. Nothing without a translator (`has_jit`).
    pub fn set_perf_map(&mut self, file: std::fs::File) {
        if let Some(j) = self.jit.as_mut() {
            j.perf_map = Some(file);
        }
    }

    /// Sets the block entries before translation (tests; see `jit::THRESHOLD`).
    pub fn set_jit_threshold(&mut self, entries: u32) {
        if let Some(j) = self.jit.as_mut() {
            j.threshold = entries.clamp(1, MAX_THRESHOLD);
        }
    }

    /// Whether the decoded block that starts at physical address `paddr` has a translation now
    /// (tests: one given up, see `bailed`, has none).
    pub fn jit_translated_at(&self, paddr: u64) -> bool {
        paddr
            .checked_sub(crate::memmap::RAM_BASE)
            .is_some_and(|off| self.icache.translated_at(off))
    }

    /// Blocks the translator has translated (0 without one).
    pub fn jit_blocks(&self) -> u64 {
        self.jit.as_ref().map_or(0, |j| j.blocks)
    }

    /// Instructions the translator's native code has retired (0 without one); the others ran
    /// in the interpreter.
    pub fn jit_instructions(&self) -> u64 {
        self.jit.as_ref().map_or(0, |j| j.native)
    }
}
