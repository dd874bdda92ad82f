//! The fresh-memory stress: several threads of one process each loop `mmap` anonymous pages,
//! check that every byte of every page reads as zero, write one tagged word per page and
//! `munmap` the region, driven by a seeded generator so a run is repeatable. The first page that
//! was not zero is reported with its address, the value found and — decoded from the tag — the
//! earlier region (thread, round, address) that wrote it.
//!
//! It asks the question of issue 13's finding 2: is memory a kernel hands out fresh always
//! zero, however the threads of a process interleave their mapping and unmapping? `hostile`,
//! `usertests` (`memory-threads`) and the soak run share it.
//!
//! Left out: checking other processes' memory (`hostile` does that with a secret-holding child).

use core::fmt;
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use abi::layout::PAGE_SIZE;
use abi::types::prot;
use ulib::sync::Mutex;
use ulib::{Errno, sys, thread};

/// The tag's top byte: a word with it was written by this stress.
const MAGIC: u64 = 0x5a;
/// Bits of the tag holding the page number of the page it was written to.
const VPN_BITS: u32 = 26;
/// Bits of the tag holding the round.
const ROUND_BITS: u32 = 24;

/// One stress run's shape.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// The generator's seed.
    pub seed: u64,
    /// Threads mapping and unmapping at once (at most 63).
    pub threads: usize,
    /// Map/check/write/unmap rounds per thread.
    pub rounds: usize,
    /// Most pages one region has.
    pub max_pages: usize,
    /// A thread yields after a page one time in this many (0: never; the timer still preempts).
    pub yield_every: usize,
    /// Workers in all, over time (at least `threads`): whenever one is joined (in the order they
    /// were started) the next is started, so threads end and begin while others map and unmap.
    pub workers: usize,
}

/// A fresh page that was not zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stale {
    /// The address of the first non-zero word.
    pub addr: usize,
    /// What it held.
    pub value: u64,
    /// The thread and round that found it.
    pub found_by: (usize, usize),
}

impl fmt::Display for Stale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "fresh page {:#x} (thread {} round {}) holds {:#018x}",
            self.addr, self.found_by.0, self.found_by.1, self.value
        )?;
        if self.value >> 56 == MAGIC {
            let thread = (self.value >> (VPN_BITS + ROUND_BITS)) & 0x3f;
            let round = (self.value >> VPN_BITS) & ((1 << ROUND_BITS) - 1);
            let page = (self.value & ((1 << VPN_BITS) - 1)) as usize * PAGE_SIZE;
            write!(
                f,
                ", written by thread {thread} in round {round} to the page at {page:#x} \
                 (a region unmapped since)"
            )?;
        }
        Ok(())
    }
}

/// What a run found.
#[derive(Clone, Copy, Debug, Default)]
pub struct Summary {
    /// Pages mapped and checked in all.
    pub pages: usize,
    /// Regions mapped.
    pub regions: usize,
    /// Fresh pages that were not zero.
    pub stale: usize,
    /// The first of them.
    pub first: Option<Stale>,
}

/// The tag written to the page at `page` by `thread` in `round`.
fn tag(thread: usize, round: usize, page: usize) -> u64 {
    (MAGIC << 56)
        | ((thread as u64 & 0x3f) << (VPN_BITS + ROUND_BITS))
        | ((round as u64 & ((1 << ROUND_BITS) - 1)) << VPN_BITS)
        | ((page / PAGE_SIZE) as u64 & ((1 << VPN_BITS) - 1))
}

/// A small deterministic generator (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn bits(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.bits() % n as u64) as usize
    }
}

/// The run in progress (one at a time per process).
static CONFIG: Mutex<Option<Config>> = Mutex::new(None);
static STOP: AtomicBool = AtomicBool::new(false);
static PAGES: AtomicUsize = AtomicUsize::new(0);
static REGIONS: AtomicUsize = AtomicUsize::new(0);
static STALE: AtomicUsize = AtomicUsize::new(0);
static FIRST: Mutex<Option<Stale>> = Mutex::new(None);

/// Runs the stress with `config`: `Err` only when a thread could not be started or a call that
/// must succeed failed (what failed, as a message).
pub fn run(config: Config) -> Result<Summary, Errno> {
    *CONFIG.lock() = Some(config);
    STOP.store(false, Ordering::Relaxed);
    PAGES.store(0, Ordering::Relaxed);
    REGIONS.store(0, Ordering::Relaxed);
    STALE.store(0, Ordering::Relaxed);
    *FIRST.lock() = None;
    let mut threads = alloc::collections::VecDeque::new();
    let mut failed = None;
    let total = config.workers.max(config.threads);
    let mut next = 0;
    while next < config.threads.min(63) {
        match thread::spawn(worker, next) {
            Ok(t) => threads.push_back(t),
            Err(e) => {
                failed = Some(e);
                STOP.store(true, Ordering::Relaxed);
                break;
            }
        }
        next += 1;
    }
    while let Some(t) = threads.pop_front() {
        match t.join() {
            Ok(0) => {}
            Ok(status) => {
                failed.get_or_insert(Errno::from_code(-status).unwrap_or(Errno::Io));
            }
            Err(e) => {
                failed.get_or_insert(e);
            }
        }
        if next < total && failed.is_none() {
            match thread::spawn(worker, next) {
                Ok(t) => threads.push_back(t),
                Err(e) => {
                    failed = Some(e);
                    STOP.store(true, Ordering::Relaxed);
                }
            }
            next += 1;
        }
    }
    if let Some(e) = failed {
        return Err(e);
    }
    Ok(Summary {
        pages: PAGES.load(Ordering::Relaxed),
        regions: REGIONS.load(Ordering::Relaxed),
        stale: STALE.load(Ordering::Relaxed),
        first: *FIRST.lock(),
    })
}

/// One thread's loop; 0, or a call's `-errno` as status.
fn worker(index: usize) -> i32 {
    let Some(config) = *CONFIG.lock() else {
        return Errno::Inval.ret() as i32;
    };
    let mut rng = Rng::new(config.seed ^ (index as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
    for round in 0..config.rounds {
        if STOP.load(Ordering::Relaxed) {
            break;
        }
        let pages = 1 + rng.below(config.max_pages.max(1));
        let base = match sys::mmap(pages * PAGE_SIZE, prot::READ | prot::WRITE) {
            Ok(b) => b,
            Err(e) => return e.ret() as i32,
        };
        REGIONS.fetch_add(1, Ordering::Relaxed);
        for p in 0..pages {
            let page = base + p * PAGE_SIZE;
            check_zero(page, (index, round));
            // One word per page, somewhere in it.
            let at = page + rng.below(PAGE_SIZE / 8) * 8;
            // Safety: `page` lies in the region just mapped, which only this thread uses.
            unsafe { (at as *mut u64).write_volatile(tag(index, round, page)) };
            PAGES.fetch_add(1, Ordering::Relaxed);
            if config.yield_every != 0 && rng.below(config.yield_every) == 0 {
                sys::yield_now();
            }
        }
        // Safety: the region is this thread's and nothing refers to it any more.
        if let Err(e) = unsafe { sys::munmap(base, pages * PAGE_SIZE) } {
            return e.ret() as i32;
        }
    }
    0
}

/// Checks that every word of the fresh page at `page` is zero, recording the first that is not.
fn check_zero(page: usize, found_by: (usize, usize)) {
    for w in 0..PAGE_SIZE / 8 {
        let addr = page + w * 8;
        // Safety: the page lies in a region this thread just mapped readable.
        let value = unsafe { (addr as *const u64).read_volatile() };
        if value != 0 {
            STALE.fetch_add(1, Ordering::Relaxed);
            FIRST.lock().get_or_insert(Stale {
                addr,
                value,
                found_by,
            });
            return;
        }
    }
}

/// The tag the regression check writes.
const NEIGHBOUR: u64 = 0x6e65_6967_6862_6f72;

fn quick(_: usize) -> i32 {
    0
}

/// Issue 13's root cause, checked directly: a thread is made (its stack region has an unmapped
/// guard page below it), a one-page region is mapped — in a process whose mmap window was empty
/// that page is the guard's hole, the lowest free page — and written, the thread is joined, and
/// another page is mapped. The first region must still hold its word, and the second must be
/// fresh. When `join` unmapped the guard page along with the stack, the join took the first
/// region's page away behind its owner's back: the next `mmap` got the same page, and the
/// owner's next store landed in it — a fresh page holding a word written into an earlier region.
/// Returns what went wrong, if anything.
pub fn join_spares_neighbours() -> Result<(), alloc::string::String> {
    use alloc::format;
    let t = thread::spawn(quick, 0).map_err(|e| format!("spawn: {}", e.name()))?;
    let a = sys::mmap(PAGE_SIZE, prot::READ | prot::WRITE)
        .map_err(|e| format!("mmap: {}", e.name()))?;
    let pa = a as *mut u64;
    // Safety: `a` is a page of ours, just mapped.
    unsafe { pa.write_volatile(NEIGHBOUR) };
    t.join().map_err(|e| format!("join: {}", e.name()))?;
    let b = sys::mmap(PAGE_SIZE, prot::READ | prot::WRITE)
        .map_err(|e| format!("mmap: {}", e.name()))?;
    // The owner of `a` goes on using it, as it may.
    // Safety: `a` is still ours: we never unmapped it.
    let kept = unsafe {
        let v = pa.read_volatile();
        pa.add(1).write_volatile(NEIGHBOUR);
        v
    };
    // Safety: `b` was just mapped.
    let fresh = unsafe { (b as *const u64).add(1).read_volatile() };
    // Safety: both regions are ours and unused from here on.
    unsafe {
        let _ = sys::munmap(a, PAGE_SIZE);
        let _ = sys::munmap(b, PAGE_SIZE);
    }
    if kept != NEIGHBOUR {
        return Err(format!(
            "a page written before a join read {kept:#x} after it: joining a thread unmapped \
             another region's page"
        ));
    }
    if fresh != 0 {
        return Err(format!(
            "a fresh page held {fresh:#x}, written into an earlier region"
        ));
    }
    Ok(())
}
