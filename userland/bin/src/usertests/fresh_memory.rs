//! Fresh memory under threads (issue 13): several threads of one process mapping anonymous
//! memory, checking every byte is zero, writing a tagged word per page and unmapping it, all at
//! once — the fresh-memory stress of [`bin::memstress`], at two seeds and two region sizes, with
//! threads ending and starting meanwhile (joining a thread once unmapped its stack's guard page
//! too, which by then could be a page of another thread's region); and threads touching the
//! same fresh pages at once.

use core::sync::atomic::{AtomicUsize, Ordering};

use abi::layout::PAGE_SIZE;
use abi::types::prot;
use bin::memstress::{self, Config};
use ulib::{sys, thread};

use crate::harness::{Outcome, Test, ok};

/// One stress run; fails with the first stale page, decoded.
fn stress(config: Config) -> Outcome {
    let s = ok(memstress::run(config), "the stress")?;
    if let Some(first) = s.first {
        return Err(alloc::format!(
            "{} stale fresh pages; first: {first}",
            s.stale
        ));
    }
    ensure!(
        s.regions == config.workers.max(config.threads) * config.rounds,
        "{} regions mapped, want {}",
        s.regions,
        config.workers.max(config.threads) * config.rounds
    );
    Ok(())
}

fn small_regions() -> Outcome {
    stress(Config {
        seed: 13,
        threads: 6,
        rounds: 20,
        max_pages: 4,
        yield_every: 4,
        workers: 18,
    })
}

fn large_regions() -> Outcome {
    stress(Config {
        seed: 31,
        threads: 4,
        rounds: 20,
        max_pages: 40,
        yield_every: 16,
        workers: 4,
    })
}

/// Pages of the region the threads of `shared_first_touch` touch together.
const SHARED_PAGES: usize = 48;
/// That region's address.
static SHARED: AtomicUsize = AtomicUsize::new(0);

/// Reads every page of the shared region, starting at a page of its own, yielding between
/// pages so the threads' first touches overlap; adds one to every page's first word.
fn toucher(i: usize) -> i32 {
    let base = SHARED.load(Ordering::Acquire);
    for k in 0..SHARED_PAGES {
        let page = base + ((i * 7 + k) % SHARED_PAGES) * PAGE_SIZE;
        // Safety: the region is mapped read/write for the test's lifetime; the words are
        // updated atomically.
        let word = unsafe { &*(page as *const AtomicUsize) };
        word.fetch_add(1, Ordering::Relaxed);
        if k % 3 == 0 {
            sys::yield_now();
        }
    }
    0
}

fn shared_first_touch() -> Outcome {
    const THREADS: usize = 6;
    let base = ok(
        sys::mmap(SHARED_PAGES * PAGE_SIZE, prot::READ | prot::WRITE),
        "mmap",
    )?;
    SHARED.store(base, Ordering::Release);
    let mut threads = alloc::vec::Vec::new();
    for i in 0..THREADS {
        threads.push(ok(thread::spawn(toucher, i), "spawn")?);
    }
    for t in threads {
        ensure!(ok(t.join(), "join")? == 0, "a toucher failed");
    }
    for k in 0..SHARED_PAGES {
        // Safety: mapped above, the threads are gone.
        let v = unsafe { ((base + k * PAGE_SIZE) as *const usize).read_volatile() };
        ensure!(v == THREADS, "page {k} counted {v} touches, want {THREADS}");
    }
    // Safety: nothing refers to the region any more.
    ok(
        unsafe { sys::munmap(base, SHARED_PAGES * PAGE_SIZE) },
        "munmap",
    )
}

pub const TESTS: &[Test] = &[
    Test {
        name: "thread_join_spares_neighbours",
        question: "Does joining a thread give back its stack only, never a page another region \
                   took since?",
        run: memstress::join_spares_neighbours,
    },
    Test {
        name: "fresh_memory_threads",
        question: "With threads mapping, checking, writing and unmapping at once, is every fresh \
                   page zero?",
        run: small_regions,
    },
    Test {
        name: "fresh_memory_threads_large",
        question: "And with regions of up to 40 pages, crossing page-table boundaries?",
        run: large_regions,
    },
    Test {
        name: "fresh_memory_shared_touch",
        question: "When threads touch the same fresh pages at once, does every touch land in one \
                   page and the process live on?",
        run: shared_first_touch,
    },
];
