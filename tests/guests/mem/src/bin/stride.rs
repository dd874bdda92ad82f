//! stride: how many cycles does a load cost as the working set grows, and where are the steps?
//!
//! Two sweeps, each a pointer chase (`mem::chase`: a random cyclic list, one 8-byte slot per line
//! or page; `accesses` dependent loads measured after one warm-up trip round the whole list):
//!
//! 1. Caches, in M-mode with no translation: working sets of `min`..=`max` bytes (doubling;
//!    default 1 KiB..8 MiB), one slot per 64-byte line. Counters: `cycle`, L1D accesses, L1D
//!    misses, L2 misses.
//! 2. TLB, in S-mode under Sv39 with 4 KiB pages (program and data identity-mapped):
//!    `min_pages`..=`max_pages` pages (doubling; default 1..2048), one slot per page, in page k at
//!    offset `64 * k mod 4096` so that the slots spread over the cache sets. Counters: `cycle`,
//!    DTLB misses, page-walk memory accesses, L1D misses.
//!
//! Prints (values per access, truncated to 2 or 3 decimals; region = the klab marker region around
//! the measured loop):
//! ```text
//! stride: cache min=<bytes> max=<bytes> tlb min_pages=<P> max_pages=<P> accesses=<N>
//! cache size=<bytes> cycles/access=<x.xx> l1d_miss/access=<x.xxx> l2_miss/access=<x.xxx> l1d_access/access=<x.xxx> region=<id>
//! tlb pages=<P> cycles/access=<x.xx> dtlb_miss/access=<x.xxx> walk/access=<x.xxx> l1d_miss/access=<x.xxx> region=<id>
//! stride: done
//! ```
//! and exits with status 0 (2 for a bad command line, 3 for an unexpected trap). Parameters from
//! `-append`: `min=1K max=8M min_pages=1 max_pages=2048 accesses=65536` (sizes take K/M/G
//! suffixes). The measured loop runs 1.25 instructions per access (8 loads, `addi`, `bnez`), so
//! where cycles equal instructions cycles/access reads 1.25 (plus a little for the counter reads).
//! The address space of the TLB sweep is named `stride-tlb`.
#![no_std]
#![no_main]

use core::fmt::Write;
use core::hint::black_box;
use mem::args::{Args, BadArg};
use mem::chase::{build_cycle, chase, round_accesses};
use mem::counters::{self, cycle, read};
use mem::events::{DTLB_MISS, L1D_ACCESS, L1D_MISS, L2_MISS, WALK_ACCESS};
use mem::fixed::Ratio;
use mem::sv39::PAGE_SIZE;
use mem::{marker, supervisor, Platform, EXIT_USAGE};
use rt::console::Uart;

/// Bytes per cache line: one slot per line in the cache sweep.
const LINE: usize = 64;
/// Default smallest working set of the cache sweep.
const DEFAULT_MIN_BYTES: usize = 1 << 10;
/// Default largest working set of the cache sweep (4x the default L2).
const DEFAULT_MAX_BYTES: usize = 8 << 20;
/// Default smallest page count of the TLB sweep.
const DEFAULT_MIN_PAGES: usize = 1;
/// Default largest page count of the TLB sweep (8 MiB: 64x the default DTLB reach).
const DEFAULT_MAX_PAGES: usize = 2048;
/// Default number of measured loads per point.
const DEFAULT_ACCESSES: usize = 1 << 16;
/// Seed of the random list order.
const CHAIN_SEED: u64 = 0x9e37_79b9_7f4a_7c15;
/// Region id of a cache point: this plus log2(bytes).
const CACHE_REGION_BASE: usize = 0x100;
/// Region id of a TLB point: this plus log2(pages).
const TLB_REGION_BASE: usize = 0x200;
/// Decimals of cycles per access.
const CYCLE_DECIMALS: u32 = 2;
/// Decimals of events per access.
const EVENT_DECIMALS: u32 = 3;

/// What the sweeps run over.
struct Sweep {
    min_bytes: usize,
    max_bytes: usize,
    min_pages: usize,
    max_pages: usize,
    accesses: usize,
    /// Where the lists go: page-aligned, at least `max(max_bytes, max_pages pages)` long.
    data: usize,
}

/// Counter deltas over one measured chase.
struct Sample {
    cycles: u64,
    events: [u64; 3],
}

/// Called by `rt`'s entry point in M-mode.
#[unsafe(no_mangle)]
pub extern "C" fn main(_hartid: usize, dtb: usize) -> ! {
    let platform = Platform::setup(dtb);
    let mut out = platform.uart;
    let mut layout = platform.layout();
    let sweep = match parse(platform.args, layout.data_start, layout.data_end) {
        Ok(sweep) => sweep,
        Err(message) => {
            let _ = writeln!(out, "stride: {message}");
            rt::exit(EXIT_USAGE)
        }
    };
    let _ = writeln!(
        out,
        "stride: cache min={} max={} tlb min_pages={} max_pages={} accesses={}",
        sweep.min_bytes, sweep.max_bytes, sweep.min_pages, sweep.max_pages, sweep.accesses
    );

    counters::enable_all();
    counters::select::<0>(L1D_ACCESS);
    counters::select::<1>(L1D_MISS);
    counters::select::<2>(L2_MISS);
    let mut bytes = sweep.min_bytes;
    while bytes <= sweep.max_bytes {
        let lines = bytes / LINE;
        // Safety: the data area holds max_bytes >= bytes of free memory, and the slots are distinct
        // aligned words in it.
        let start = unsafe { build_cycle(lines, |k| sweep.data + k * LINE, CHAIN_SEED) };
        let s = measure(
            start,
            lines,
            sweep.accesses,
            CACHE_REGION_BASE + log2(bytes),
        );
        let _ = writeln!(
            out,
            "cache size={bytes} cycles/access={} l1d_miss/access={} l2_miss/access={} l1d_access/access={} region={}",
            Ratio::new(s.cycles, sweep.accesses as u64, CYCLE_DECIMALS),
            Ratio::new(s.events[1], sweep.accesses as u64, EVENT_DECIMALS),
            Ratio::new(s.events[2], sweep.accesses as u64, EVENT_DECIMALS),
            Ratio::new(s.events[0], sweep.accesses as u64, EVENT_DECIMALS),
            CACHE_REGION_BASE + log2(bytes),
        );
        bytes *= 2;
    }

    counters::select::<0>(DTLB_MISS);
    counters::select::<1>(WALK_ACCESS);
    counters::select::<2>(L1D_MISS);
    let data_end = sweep.data + sweep.max_pages * PAGE_SIZE;
    let space = platform.identity_space(&mut layout.frames, data_end);
    supervisor::enter_supervisor(tlb_sweep, &sweep, space.satp())
}

/// The TLB sweep, in S-mode with the program and the data identity-mapped; ends the run.
extern "C" fn tlb_sweep(sweep: &Sweep) -> ! {
    marker::name_space(c"stride-tlb");
    let mut out = Uart::console();
    let mut pages = sweep.min_pages;
    while pages <= sweep.max_pages {
        let slot = |k: usize| sweep.data + k * PAGE_SIZE + (k * LINE) % PAGE_SIZE;
        // Safety: the data area holds max_pages >= pages pages; one distinct aligned word in each.
        let start = unsafe { build_cycle(pages, slot, CHAIN_SEED) };
        let s = measure(start, pages, sweep.accesses, TLB_REGION_BASE + log2(pages));
        let _ = writeln!(
            out,
            "tlb pages={pages} cycles/access={} dtlb_miss/access={} walk/access={} l1d_miss/access={} region={}",
            Ratio::new(s.cycles, sweep.accesses as u64, CYCLE_DECIMALS),
            Ratio::new(s.events[0], sweep.accesses as u64, EVENT_DECIMALS),
            Ratio::new(s.events[1], sweep.accesses as u64, EVENT_DECIMALS),
            Ratio::new(s.events[2], sweep.accesses as u64, EVENT_DECIMALS),
            TLB_REGION_BASE + log2(pages),
        );
        pages *= 2;
    }
    let _ = writeln!(out, "stride: done");
    rt::exit(0)
}

/// Walks the `slots`-long list from `start` once round (to warm caches and TLB), then measures
/// `accesses` loads (a multiple of the unroll) inside marker region `region`.
fn measure(start: usize, slots: usize, accesses: usize, region: usize) -> Sample {
    // Safety: `start` is a list just built by `build_cycle` in memory we own.
    let warm = unsafe { chase(start, slots) };
    marker::begin(region);
    let (c0, e0) = (cycle(), [read::<0>(), read::<1>(), read::<2>()]);
    // Safety: as above.
    let end = unsafe { chase(warm, accesses) };
    let (c1, e1) = (cycle(), [read::<0>(), read::<1>(), read::<2>()]);
    marker::end(region);
    black_box(end);
    Sample {
        cycles: c1.wrapping_sub(c0),
        events: [0, 1, 2].map(|i| e1[i].wrapping_sub(e0[i])),
    }
}

/// floor(log2(n)) for n > 0.
fn log2(n: usize) -> usize {
    n.ilog2() as usize
}

/// The sweep the command line asks for, checked against the data area `[data, data_end)`.
fn parse(args: Args<'static>, data: usize, data_end: usize) -> Result<Sweep, Message> {
    let sweep = Sweep {
        min_bytes: args.size("min", DEFAULT_MIN_BYTES)?,
        max_bytes: args.size("max", DEFAULT_MAX_BYTES)?,
        min_pages: args.size("min_pages", DEFAULT_MIN_PAGES)?,
        max_pages: args.size("max_pages", DEFAULT_MAX_PAGES)?,
        accesses: round_accesses(args.size("accesses", DEFAULT_ACCESSES)?),
        data,
    };
    let room = data_end - data;
    if sweep.min_bytes < LINE || sweep.min_pages == 0 {
        return Err(Message::TooSmall);
    }
    if sweep.max_bytes > room || sweep.max_pages.saturating_mul(PAGE_SIZE) > room {
        return Err(Message::TooLarge(room));
    }
    Ok(sweep)
}

/// What is wrong with the command line.
enum Message {
    Bad(BadArg<'static>),
    TooSmall,
    TooLarge(usize),
}

impl From<BadArg<'static>> for Message {
    fn from(bad: BadArg<'static>) -> Self {
        Self::Bad(bad)
    }
}

impl core::fmt::Display for Message {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Bad(bad) => write!(f, "bad size {}={:?}", bad.key, bad.value),
            Self::TooSmall => write!(
                f,
                "min must be at least {LINE} bytes and min_pages at least 1"
            ),
            Self::TooLarge(room) => write!(
                f,
                "max and max_pages*{PAGE_SIZE} must be at most {room} bytes"
            ),
        }
    }
}
