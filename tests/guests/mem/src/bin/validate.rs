//! validate: what does the cycle model charge for the things a core's documentation publishes?
//!
//! Each probe is a loop of 32 unrolled operations (`OPS_PER_ITER`), read with `cycle` and `instret`
//! around it (counts are exact on klab), in M-mode with no translation:
//! - `load_l1`, `load_l2`, `load_mem`: dependent loads (`ld a0, 0(a0)`) chasing a random cyclic
//!   list (`mem::chase`) with one slot per 64-byte line, over working sets sized to the L1D, the
//!   L2 and memory (`l1=`, `l2=`, `mem=`), after one warm-up trip round the list;
//! - `mul`, `div`, `divw`: dependent chains of `mul`, `divu` (64-bit) and `divuw` (32-bit);
//! - `alu_chain`: dependent `addi`s; `alu_pairs`: `addi`s on four registers in turn, so that
//!   neighbours are independent (a dual-issue core pairs them);
//! - `taken`: always-taken conditional branches, each over a `nop`; `not_taken`: never-taken
//!   ones;
//! - `branch_random`, `branch_sorted`: a loop over `BRANCH_BYTES` bytes that branches on each
//!   byte being zero; `random` holds bits from a deterministic PRNG (xorshift), `sorted` the same
//!   number of zeros first, then ones — the same instructions and taken branches, but only the
//!   random order defeats a predictor (it mispredicts about half of them).
//!
//! Prints one line per probe and exits 0 (2 for a bad command line, 3 for an unexpected trap):
//! ```text
//! validate: l1=<bytes> l2=<bytes> mem=<bytes> ops=<N>
//! probe name=<name> ops=<N> cycles=<C> instructions=<I> l1d_misses=<M> l2_misses=<M> l1d_writebacks=<W> l2_writebacks=<W> taken=<T> iterations=<L>
//! validate: done
//! ```
//! `ops` is the operations measured (loads, multiplies, branches…), `iterations` the loop trips
//! (each adds an `addi` and a taken `bnez`), `taken` the conditional branches taken by the
//! measured operations. `klab validate` runs it and writes `docs/model.md`.
#![no_std]
#![no_main]

use core::fmt::Write;
use mem::args::{Args, BadArg};
use mem::chase::{build_cycle, XorShift};
use mem::counters::{self, cycle, instret, read};
use mem::events::{L1D_MISS, L1D_WRITEBACK, L2_MISS, L2_WRITEBACK};
use mem::{Platform, EXIT_USAGE};
use rt::console::Uart;

/// Operations per loop trip in every probe.
const OPS_PER_ITER: usize = 32;
/// Bytes per cache line: one list slot per line.
const LINE: usize = 64;
/// Bytes of the branch pattern (fits the L1D of every profile).
const BRANCH_BYTES: usize = 2048;
/// Seed of the list order and of the branch pattern.
const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

core::arch::global_asm!(
    r#"
    .option push
    .option arch, +m
    .text
    .balign 4
# val_chase(a0 = first slot, a1 = trips) -> a0 = the slot reached
    .globl val_chase
val_chase:
1:  .rept 32
    ld a0, 0(a0)
    .endr
    addi a1, a1, -1
    bnez a1, 1b
    ret

# val_mul(a0 = trips)
    .globl val_mul
val_mul:
    li t0, 3
    li t1, 5
1:  .rept 32
    mul t0, t0, t1
    .endr
    addi a0, a0, -1
    bnez a0, 1b
    ret

# val_div(a0 = trips): 64-bit divides of all ones by one
    .globl val_div
val_div:
    li t0, -1
    li t1, 1
1:  .rept 32
    divu t0, t0, t1
    .endr
    addi a0, a0, -1
    bnez a0, 1b
    ret

# val_divw(a0 = trips): 32-bit divides of all ones by one
    .globl val_divw
val_divw:
    li t0, -1
    li t1, 1
1:  .rept 32
    divuw t0, t0, t1
    .endr
    addi a0, a0, -1
    bnez a0, 1b
    ret

# val_alu_chain(a0 = trips)
    .globl val_alu_chain
val_alu_chain:
    li t0, 0
1:  .rept 32
    addi t0, t0, 1
    .endr
    addi a0, a0, -1
    bnez a0, 1b
    ret

# val_alu_pairs(a0 = trips)
    .globl val_alu_pairs
val_alu_pairs:
    li t0, 0
    li t1, 0
    li t2, 0
    li t3, 0
1:  .rept 8
    addi t0, t0, 1
    addi t1, t1, 1
    addi t2, t2, 1
    addi t3, t3, 1
    .endr
    addi a0, a0, -1
    bnez a0, 1b
    ret

# val_taken(a0 = trips): each branch skips a nop (klab tells a taken branch by its target)
    .globl val_taken
val_taken:
1:  .rept 32
    beq zero, zero, 2f
    nop
2:
    .endr
    addi a0, a0, -1
    bnez a0, 1b
    ret

# val_not_taken(a0 = trips)
    .globl val_not_taken
val_not_taken:
1:  .rept 32
    bne zero, zero, 2f
2:
    .endr
    addi a0, a0, -1
    bnez a0, 1b
    ret

# val_branches(a0 = pattern, a1 = bytes > 0) -> a0 = the count of nonzero bytes
    .globl val_branches
val_branches:
    li t1, 0
1:  lbu t0, 0(a0)
    addi a0, a0, 1
    beqz t0, 2f
    addi t1, t1, 1
2:  addi a1, a1, -1
    bnez a1, 1b
    mv a0, t1
    ret
    .option pop
"#
);

unsafe extern "C" {
    fn val_chase(start: usize, trips: usize) -> usize;
    fn val_mul(trips: usize);
    fn val_div(trips: usize);
    fn val_divw(trips: usize);
    fn val_alu_chain(trips: usize);
    fn val_alu_pairs(trips: usize);
    fn val_taken(trips: usize);
    fn val_not_taken(trips: usize);
    fn val_branches(pattern: *const u8, bytes: usize) -> usize;
}

/// Counter deltas over one measured probe.
struct Sample {
    cycles: u64,
    instructions: u64,
    events: [u64; 4],
}

/// Runs `f` between reads of every counter.
fn measure(f: impl FnOnce()) -> Sample {
    let e0 = [read::<0>(), read::<1>(), read::<2>(), read::<3>()];
    let i0 = instret();
    let c0 = cycle();
    f();
    let c1 = cycle();
    let i1 = instret();
    let e1 = [read::<0>(), read::<1>(), read::<2>(), read::<3>()];
    Sample {
        cycles: c1 - c0,
        instructions: i1 - i0,
        events: core::array::from_fn(|k| e1[k] - e0[k]),
    }
}

fn print(out: &mut Uart, name: &str, ops: usize, taken: usize, iterations: usize, s: &Sample) {
    let _ = writeln!(
        out,
        "probe name={name} ops={ops} cycles={} instructions={} l1d_misses={} l2_misses={} l1d_writebacks={} l2_writebacks={} taken={taken} iterations={iterations}",
        s.cycles, s.instructions, s.events[0], s.events[1], s.events[2], s.events[3]
    );
}

/// What the probes run over.
struct Plan {
    /// Working sets of the three chases, in bytes.
    levels: [usize; 3],
    /// Operations per probe (a multiple of `OPS_PER_ITER`).
    ops: usize,
    /// Free memory for the lists and the branch patterns.
    data: usize,
}

/// Called by `rt`'s entry point in M-mode.
#[unsafe(no_mangle)]
pub extern "C" fn main(_hartid: usize, dtb: usize) -> ! {
    let platform = Platform::setup(dtb);
    let mut out = platform.uart;
    let layout = platform.layout();
    let plan = match parse(platform.args, layout.data_start, layout.data_end) {
        Ok(plan) => plan,
        Err(message) => {
            let _ = writeln!(out, "validate: {message}");
            rt::exit(EXIT_USAGE)
        }
    };
    let _ = writeln!(
        out,
        "validate: l1={} l2={} mem={} ops={}",
        plan.levels[0], plan.levels[1], plan.levels[2], plan.ops
    );
    counters::enable_all();
    counters::select::<0>(L1D_MISS);
    counters::select::<1>(L2_MISS);
    counters::select::<2>(L1D_WRITEBACK);
    counters::select::<3>(L2_WRITEBACK);
    let trips = plan.ops / OPS_PER_ITER;

    for (name, bytes) in ["load_l1", "load_l2", "load_mem"].iter().zip(plan.levels) {
        let lines = bytes / LINE;
        // Safety: the data area holds at least `bytes` bytes (checked by `parse`), and the slots
        // are distinct aligned words in it.
        let start = unsafe { build_cycle(lines, |k| plan.data + k * LINE, SEED) };
        // Safety: `start` is a slot of the list just built (warm-up: one trip round it).
        let at = unsafe { val_chase(start, lines.div_ceil(OPS_PER_ITER)) };
        // Safety: as above.
        let s = measure(|| unsafe {
            core::hint::black_box(val_chase(at, trips));
        });
        print(&mut out, name, plan.ops, 0, trips, &s);
    }

    type Probe = unsafe extern "C" fn(usize);
    let chains: [(&str, Probe, usize); 7] = [
        ("mul", val_mul, 0),
        ("div", val_div, 0),
        ("divw", val_divw, 0),
        ("alu_chain", val_alu_chain, 0),
        ("alu_pairs", val_alu_pairs, 0),
        ("taken", val_taken, plan.ops),
        ("not_taken", val_not_taken, 0),
    ];
    for (name, probe, taken) in chains {
        // Safety: each probe only computes in registers.
        unsafe { probe(1) };
        // Safety: as above.
        let s = measure(|| unsafe { probe(trips) });
        print(&mut out, name, plan.ops, taken, trips, &s);
    }

    // The branch patterns: random bits, then the same number of zeros first and ones after.
    // Safety: `parse` checked that the data area holds both patterns; nothing else uses it now.
    let random = unsafe { core::slice::from_raw_parts_mut(plan.data as *mut u8, BRANCH_BYTES) };
    let mut rng = XorShift::new(SEED);
    for b in random.iter_mut() {
        *b = rng.below(2) as u8;
    }
    let ones = random.iter().filter(|&&b| b != 0).count();
    // Safety: as above, the next `BRANCH_BYTES` bytes.
    let sorted = unsafe {
        core::slice::from_raw_parts_mut((plan.data + BRANCH_BYTES) as *mut u8, BRANCH_BYTES)
    };
    for (k, b) in sorted.iter_mut().enumerate() {
        *b = u8::from(k >= BRANCH_BYTES - ones);
    }
    let passes = plan.ops.div_ceil(BRANCH_BYTES);
    for (name, pattern) in [("branch_random", &*random), ("branch_sorted", &*sorted)] {
        // Safety: the pattern is `BRANCH_BYTES` readable bytes.
        unsafe { val_branches(pattern.as_ptr(), BRANCH_BYTES) };
        let mut counted = 0;
        // Safety: as above.
        let s = measure(|| {
            for _ in 0..passes {
                counted += unsafe { val_branches(pattern.as_ptr(), BRANCH_BYTES) };
            }
        });
        if counted != ones * passes {
            let _ = writeln!(
                out,
                "validate: {name} counted {counted} ones, not {}",
                ones * passes
            );
            rt::exit(mem::EXIT_WRONG);
        }
        // `beqz` is taken on each zero byte.
        let ops = passes * BRANCH_BYTES;
        print(&mut out, name, ops, ops - counted, ops, &s);
    }
    let _ = writeln!(out, "validate: done");
    rt::exit(0)
}

/// The plan from `-append`: `l1=16K l2=512K mem=16M ops=65536` by default.
fn parse(args: Args<'static>, data: usize, data_end: usize) -> Result<Plan, Problem> {
    let levels = [
        args.size("l1", 16 << 10)?,
        args.size("l2", 512 << 10)?,
        args.size("mem", 16 << 20)?,
    ];
    let ops = args.size("ops", 1 << 16)?.max(1).div_ceil(OPS_PER_ITER) * OPS_PER_ITER;
    let need = levels
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .max(2 * BRANCH_BYTES);
    if levels.iter().any(|&b| b < LINE) || data + need > data_end {
        return Err(Problem::Range(data_end - data));
    }
    Ok(Plan { levels, ops, data })
}

/// What is wrong with the command line.
enum Problem {
    Bad(BadArg<'static>),
    Range(usize),
}

impl From<BadArg<'static>> for Problem {
    fn from(bad: BadArg<'static>) -> Self {
        Self::Bad(bad)
    }
}

impl core::fmt::Display for Problem {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Problem::Bad(b) => write!(f, "bad {}={}", b.key, b.value),
            Problem::Range(room) => write!(
                f,
                "l1, l2 and mem must each be at least {LINE} bytes and at most {room}"
            ),
        }
    }
}
