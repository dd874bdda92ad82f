//! hostile: a hostile system-call program (issue 13), run by both kernels for several seeds.
//!
//! `hostile SEED [CALLS]` — with a seeded generator, all at once:
//! - a child process holding a secret pattern in its memory (`hostile --secret`), alive
//!   throughout;
//! - the fresh-memory stress ([`bin::memstress`]): several threads mapping, checking, writing
//!   and unmapping anonymous memory;
//! - `CALLS` (default 3000) random system calls with nasty arguments and forged IPC
//!   ([`calls`]) from the main thread meanwhile;
//! - then, the child gone (its secret checked intact by itself), fresh memory mapped and scanned
//!   for its secret and for anything not zero; and `mmap` must reach the commit limit at the
//!   same point as before it all (counting the pages the heap grew by), so no page was leaked.
//!
//! It prints one summary line, `hostile: seed S: C calls (F forged), R regions, P pages, 0 stale,
//! 0 secret: ok` (or `FAIL …` lines), and exits 0 only if every check held.
//!
//! `hostile maps SEED [THREADS ROUNDS PAGES YIELD WORKERS]` runs the stress alone (the issue's reproduction).
//!
//! `hostile join` checks that joining a thread spares a region mapped into its stack's guard hole
//! (issue 13's root cause; `usertests` has it as `thread_join_spares_neighbours`).
//!
//! `hostile soak FIRST COUNT` (for `make soak`) runs `hostile SEED` for COUNT seeds from FIRST,
//! one child after the other in this one boot, then three children at once each touching
//! [`TOUCH_PAGES`] pages — most of RAM — which only fits if the runs before gave every frame
//! back. `hostile touch PAGES` is such a child.
#![no_std]
#![no_main]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

#[path = "../hostile/calls.rs"]
mod calls;

use alloc::string::String;
use alloc::vec::Vec;

use abi::layout::PAGE_SIZE;
use abi::types::{open, prot};
use bin::memstress::{self, Config, Rng};
use ulib::{Errno, io, println, sys, thread};

/// The secret's pattern: every word of the child's secret pages is this, xor the word's index.
const SECRET: u64 = 0x5ec2_e75e_c2e7_0000;
/// Which bits of a word identify the secret (the low 16 carry the index).
const SECRET_MASK: u64 = !0xffff;
/// Pages of secret the child holds.
const SECRET_PAGES: usize = 64;
/// Pages mapped after the child has gone, looking for its secret.
const SCAN_PAGES: usize = 1024;

/// The scratch buffer random calls may use.
static mut SCRATCH: [u8; calls::SCRATCH] = [0; calls::SCRATCH];

fn number(args: &ulib::Args, i: usize, default: u64) -> u64 {
    args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default)
}

fn main(args: ulib::Args) -> i32 {
    match args.get(1) {
        Some("--secret") => secret_child(),
        Some("maps") => {
            let config = Config {
                seed: number(&args, 2, 1),
                threads: number(&args, 3, 4) as usize,
                rounds: number(&args, 4, 200) as usize,
                max_pages: number(&args, 5, 8) as usize,
                yield_every: number(&args, 6, 8) as usize,
                workers: number(&args, 7, 0) as usize,
            };
            maps_only(config)
        }
        Some("soak") => soak(number(&args, 2, 1), number(&args, 3, 10)),
        Some("touch") => touch(number(&args, 2, 1) as usize),
        Some("join") => match memstress::join_spares_neighbours() {
            Ok(()) => {
                println!("hostile: join: ok");
                0
            }
            Err(why) => {
                println!("hostile: join: FAIL {why}");
                1
            }
        },
        Some(_) => {
            let seed = number(&args, 1, 1);
            let calls = number(&args, 2, 3000) as usize;
            match run(seed, calls) {
                Ok(line) => {
                    println!("{line}");
                    0
                }
                Err(why) => {
                    println!("hostile: seed {seed}: FAIL {why}");
                    1
                }
            }
        }
        None => {
            println!(
                "usage: hostile SEED [CALLS] | hostile maps SEED [THREADS ROUNDS PAGES YIELD WORKERS]"
            );
            2
        }
    }
}

fn maps_only(config: Config) -> i32 {
    match memstress::run(config) {
        Ok(s) => {
            println!(
                "hostile: maps: {} regions, {} pages, {} stale",
                s.regions, s.pages, s.stale
            );
            if let Some(first) = s.first {
                println!("hostile: FAIL {first}");
                return 1;
            }
            0
        }
        Err(e) => {
            println!("hostile: FAIL maps: {}", e.name());
            1
        }
    }
}

/// Everything `hostile SEED CALLS` does; the summary line, or what went wrong.
fn run(seed: u64, ncalls: usize) -> Result<String, String> {
    let fail = |what: &str, e: Errno| alloc::format!("{what}: {}", e.name());
    let ipc = ulib::ipc::available();
    // The child and its pipes: `to_child` stays open until we want it gone.
    let (child_in, to_child) = sys::pipe().map_err(|e| fail("pipe", e))?;
    let (from_child, child_out) = sys::pipe().map_err(|e| fail("pipe", e))?;
    let child = sys::spawn(
        "/bin/hostile",
        &["hostile", "--secret"],
        Some([child_in as i32, child_out as i32, -1]),
    )
    .map_err(|e| fail("spawn the secret child", e))?;
    sys::close(child_in).map_err(|e| fail("close", e))?;
    sys::close(child_out).map_err(|e| fail("close", e))?;
    let mut ready = [0u8; 1];
    if sys::read(from_child, &mut ready) != Ok(1) {
        return Err(String::from("the secret child did not get ready"));
    }
    // What the commit limit lets us map before anything happened.
    let before = fill_to_limit()?;

    let path = alloc::format!("/tmp-hostile-{seed}");
    let file = sys::open(&path, open::RDWR | open::CREAT | open::TRUNC)
        .map_err(|e| fail("open the scratch file", e))?;
    sys::write(file, b"hostile scratch file\n").map_err(|e| fail("write", e))?;
    // Safety: the only reference to the scratch buffer, taken once.
    let scratch = unsafe { &mut *core::ptr::addr_of_mut!(SCRATCH) };
    let mut ctx = calls::Ctx {
        scratch,
        file,
        ipc,
        calls: 0,
        forged: 0,
        avoid: [to_child, from_child],
    };

    // The stress runs in a thread of its own while this one makes the random calls.
    let stress = thread::spawn(stress_thread, seed as usize).map_err(|e| fail("thread", e))?;
    let mut rng = Rng::new(seed.wrapping_mul(0x9e37_79b9) ^ 0x4057);
    let mut problem = None;
    for _ in 0..ncalls {
        if let Err(why) = calls::one(&mut ctx, &mut rng) {
            problem = Some(why);
            break;
        }
        if rng.below(16) == 0 {
            sys::yield_now();
        }
        if secret_in(&ctx.scratch[..]) {
            problem = Some(String::from(
                "the secret child's pattern is in our scratch buffer",
            ));
            break;
        }
    }
    let status = stress.join().map_err(|e| fail("join the stress", e))?;
    let summary = STRESS_RESULT.lock().take();
    if let Some(why) = problem {
        return Err(why);
    }
    let s = match (status, summary) {
        (0, Some(Ok(s))) => s,
        (_, Some(Err(e))) => return Err(fail("stress", e)),
        (st, _) => return Err(alloc::format!("the stress thread ended with status {st}")),
    };
    if let Some(first) = s.first {
        return Err(alloc::format!(
            "{} stale fresh pages; first: {first}",
            s.stale
        ));
    }
    let _ = sys::close(file);
    let _ = sys::unlink(&path);

    // Let the child go: it checks its secret is intact and exits 0.
    sys::close(to_child).map_err(|e| fail("close", e))?;
    match sys::wait(Some(child)) {
        Ok((_, 0)) => {}
        Ok((_, st)) => return Err(alloc::format!("the secret child ended with status {st}")),
        Err(e) => return Err(fail("wait for the secret child", e)),
    }
    let _ = sys::close(from_child);

    // Its frames are free now; fresh memory must not show them.
    let (pages, secret) = scan_fresh(SCAN_PAGES)?;
    if secret != 0 {
        return Err(alloc::format!(
            "{secret} fresh pages held the secret child's pattern"
        ));
    }
    let after = fill_to_limit()?;
    if after != before {
        return Err(alloc::format!(
            "mmap reached the commit limit after {after} pages, before after {before}: pages \
             leaked"
        ));
    }
    Ok(alloc::format!(
        "hostile: seed {seed}: {} calls ({} forged), {} regions, {} pages, 0 stale, 0 secret: ok",
        ctx.calls,
        ctx.forged,
        s.regions,
        s.pages + pages
    ))
}

static STRESS_RESULT: ulib::sync::Mutex<Option<Result<memstress::Summary, Errno>>> =
    ulib::sync::Mutex::new(None);

fn stress_thread(seed: usize) -> i32 {
    let r = memstress::run(Config {
        seed: seed as u64,
        threads: 4,
        rounds: 40,
        max_pages: 8,
        yield_every: 8,
        workers: 12,
    });
    *STRESS_RESULT.lock() = Some(r);
    0
}

/// Maps `pages` fresh pages, checks every word is zero and counts pages holding the secret;
/// (pages, pages with the secret). Non-zero memory that is not the secret is an error too.
fn scan_fresh(pages: usize) -> Result<(usize, usize), String> {
    let len = pages * PAGE_SIZE;
    let base = sys::mmap(len, prot::READ | prot::WRITE)
        .map_err(|e| alloc::format!("mmap {pages} pages: {}", e.name()))?;
    // Safety: the region was just mapped, readable, and nothing else uses it.
    let words = unsafe { core::slice::from_raw_parts(base as *const u64, len / 8) };
    let mut secret = 0;
    let mut dirty = None;
    for (i, page) in words.chunks(PAGE_SIZE / 8).enumerate() {
        if page.iter().any(|&w| w & SECRET_MASK == SECRET) {
            secret += 1;
        } else if let Some(w) = page.iter().position(|&w| w != 0) {
            dirty.get_or_insert((base + i * PAGE_SIZE + w * 8, page[w]));
        }
    }
    // Safety: nothing refers to the region any more.
    unsafe { sys::munmap(base, len) }.map_err(|e| alloc::format!("munmap: {}", e.name()))?;
    if let Some((addr, value)) = dirty {
        return Err(alloc::format!("fresh page word {addr:#x} holds {value:#x}"));
    }
    Ok((pages, secret))
}

/// Whether `bytes` hold a word of the secret.
fn secret_in(bytes: &[u8]) -> bool {
    bytes
        .chunks_exact(8)
        .any(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()) & SECRET_MASK == SECRET)
}

/// Maps memory until the commit limit says `ENOMEM` (64-page regions, then single pages), all
/// given back; the pages mapped plus the heap's end in pages (the heap counts against the same
/// limit), so the figure does not move when the heap grows.
fn fill_to_limit() -> Result<usize, String> {
    let mut regions: Vec<(usize, usize)> = Vec::with_capacity(256);
    let brk = sys::brk(0).map_err(|e| alloc::format!("brk: {}", e.name()))?;
    let mut pages = 0;
    let mut result = Ok(());
    for chunk in [64, 1] {
        while regions.len() < regions.capacity() {
            match sys::mmap(chunk * PAGE_SIZE, prot::READ | prot::WRITE) {
                Ok(a) => {
                    regions.push((a, chunk * PAGE_SIZE));
                    pages += chunk;
                }
                Err(Errno::NoMem) => break,
                Err(e) => {
                    result = Err(alloc::format!("mmap to the limit: {}", e.name()));
                    break;
                }
            }
        }
    }
    for (a, len) in regions {
        // Safety: never touched, nothing refers to it.
        unsafe { sys::munmap(a, len) }.map_err(|e| alloc::format!("munmap: {}", e.name()))?;
    }
    result.map(|()| pages + brk.div_ceil(PAGE_SIZE))
}

/// Pages each of the three last children of `hostile soak` touches (3 × 23 MiB: more than the
/// RAM a leak of a quarter of the frames would leave).
const TOUCH_PAGES: usize = 6000;

/// `hostile soak FIRST COUNT`: 0 if every run and the final touch succeeded.
fn soak(first: u64, count: u64) -> i32 {
    for seed in first..first + count {
        let s = alloc::format!("{seed}");
        let status =
            sys::spawn("/bin/hostile", &["hostile", &s], None).and_then(|pid| sys::wait(Some(pid)));
        match status {
            Ok((_, 0)) => {}
            Ok((_, st)) => {
                println!("hostile: soak: FAIL seed {seed} ended with status {st}");
                return 1;
            }
            Err(e) => {
                println!("hostile: soak: FAIL seed {seed}: {}", e.name());
                return 1;
            }
        }
    }
    let pages = alloc::format!("{TOUCH_PAGES}");
    let mut pids = Vec::new();
    for _ in 0..3 {
        match sys::spawn("/bin/hostile", &["hostile", "touch", &pages], None) {
            Ok(pid) => pids.push(pid),
            Err(e) => {
                println!("hostile: soak: FAIL spawn a toucher: {}", e.name());
                return 1;
            }
        }
    }
    for pid in pids {
        if !matches!(sys::wait(Some(pid)), Ok((_, 0))) {
            println!("hostile: soak: FAIL a toucher of {TOUCH_PAGES} pages did not end with 0");
            return 1;
        }
    }
    println!("hostile: soak: {count} runs and 3 x {TOUCH_PAGES} pages touched: ok");
    0
}

/// `hostile touch PAGES`: maps and writes `pages` pages, checking each was zero; 0 if so.
fn touch(pages: usize) -> i32 {
    let len = pages * PAGE_SIZE;
    let Ok(base) = sys::mmap(len, prot::READ | prot::WRITE) else {
        return 1;
    };
    for p in 0..pages {
        let at = (base + p * PAGE_SIZE) as *mut u64;
        // Safety: inside the region just mapped, ours alone.
        unsafe {
            if at.read_volatile() != 0 {
                return 1;
            }
            at.write_volatile(p as u64 + 1);
        }
        // Yield now and then so the three touchers interleave.
        if p % 512 == 0 {
            sys::yield_now();
        }
    }
    0
}

/// The child: fills its secret pages, says it is ready, waits for standard input to close, and
/// checks the secret is still whole (0) or not (1).
fn secret_child() -> i32 {
    let len = SECRET_PAGES * PAGE_SIZE;
    let Ok(base) = sys::mmap(len, prot::READ | prot::WRITE) else {
        return 1;
    };
    // Safety: just mapped, ours alone.
    let words = unsafe { core::slice::from_raw_parts_mut(base as *mut u64, len / 8) };
    for (i, w) in words.iter_mut().enumerate() {
        *w = SECRET ^ (i as u64 & 0xffff);
    }
    if io::write_all(io::STDOUT, b"r").is_err() {
        return 1;
    }
    let mut b = [0u8; 16];
    while let Ok(n) = sys::read(0, &mut b) {
        if n == 0 {
            break;
        }
    }
    let whole = words
        .iter()
        .enumerate()
        .all(|(i, &w)| w == SECRET ^ (i as u64 & 0xffff));
    if whole { 0 } else { 1 }
}

ulib::entry!(main);
