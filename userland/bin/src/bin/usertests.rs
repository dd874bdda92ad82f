//! usertests: the in-OS test suite (DESIGN.md §4), in the spirit of xv6's: each test is headed
//! by the question it asks of the kernel.
//!
//! - `usertests [NAME…]` runs every test (or the named ones), each in its own child process
//!   (`usertests --test NAME`), so a test that kills its process, hangs its children or leaks
//!   its fds cannot spoil the next. Each prints exactly one line, `usertests: NAME: ok` or
//!   `usertests: NAME: FAILED: REASON`; a test process that dies before printing gets
//!   `usertests: NAME: FAILED: test process ended with status S` from the runner. The last line
//!   is `usertests: P passed, F failed`; the status is 0 only if nothing failed.
//! - `usertests --test NAME` runs one test in this process (status 0 ok, 1 failed).
//! - `usertests --victim NAME [ARG…]` runs a victim (`usertests/victims.rs` lists them).
//! - `usertests --list` prints each test's name and question.
//!
//! Output is deterministic: no times, addresses or pids in it. Victims that fault make the
//! kernel print its one line about them on the console as well. A watchdog thread in the runner
//! kills a test process still running after 30 s of guest time and reports it as failed, so a
//! hang costs one test, not the suite.
#![no_std]
#![no_main]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

#[macro_use]
#[path = "../usertests/harness.rs"]
mod harness;

#[path = "../usertests/aio.rs"]
mod aio;
#[path = "../usertests/alarm.rs"]
mod alarm;
#[path = "../usertests/append.rs"]
mod append;
#[path = "../usertests/badptr.rs"]
mod badptr;
#[path = "../usertests/console.rs"]
mod console;
#[path = "../usertests/cwd.rs"]
mod cwd;
#[path = "../usertests/faults.rs"]
mod faults;
#[path = "../usertests/fresh_memory.rs"]
mod fresh_memory;
#[path = "../usertests/fs.rs"]
mod fs;
#[path = "../usertests/fs_errors.rs"]
mod fs_errors;
#[path = "../usertests/iomodels.rs"]
mod iomodels;
#[path = "../usertests/ipc_mech.rs"]
mod ipc_mech;
#[path = "../usertests/memory.rs"]
mod memory;
#[path = "../usertests/misc.rs"]
mod misc;
#[path = "../usertests/pipes.rs"]
mod pipes;
#[path = "../usertests/procs.rs"]
mod procs;
#[path = "../usertests/shm.rs"]
mod shm;
#[path = "../usertests/sigmore.rs"]
mod sigmore;
#[path = "../usertests/signals.rs"]
mod signals;
#[path = "../usertests/spawn.rs"]
mod spawn;
#[path = "../usertests/threads.rs"]
mod threads;
#[path = "../usertests/tools.rs"]
mod tools;
#[path = "../usertests/victims.rs"]
mod victims;

use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use harness::{SELF, Test};
use ulib::{println, sys};

/// Every group of tests, in the order they run: the cheap questions first, then bad pointers,
/// processes, pipes, signals, threads, files, memory, faults, and the tools last.
const GROUPS: &[&[Test]] = &[
    misc::TESTS,
    badptr::TESTS,
    spawn::TESTS,
    procs::TESTS,
    pipes::TESTS,
    signals::TESTS,
    threads::TESTS,
    fs::TESTS,
    fs_errors::TESTS,
    append::TESTS,
    memory::TESTS,
    fresh_memory::TESTS,
    faults::TESTS,
    tools::TESTS,
    console::TESTS,
    ipc_mech::TESTS,
    iomodels::TESTS,
    aio::TESTS,
    alarm::TESTS,
    shm::TESTS,
    sigmore::TESTS,
    cwd::TESTS,
];

/// Every test.
fn tests() -> impl Iterator<Item = &'static Test> {
    GROUPS.iter().flat_map(|g| g.iter())
}

/// Runs test `name` here; 0 if it passed.
fn run_here(name: &str) -> i32 {
    let Some(t) = tests().find(|t| t.name == name) else {
        println!("usertests: {name}: FAILED: no such test");
        return 1;
    };
    // A test of `EPIPE` must see the error, not die of the `SIGPIPE` that comes with it
    // (`sig_pipe` checks the default action on a victim, which starts with defaults).
    if let Err(e) = ulib::signal::ignore(abi::signal::SIGPIPE) {
        println!("usertests: {name}: FAILED: ignore SIGPIPE: {}", e.name());
        return 1;
    }
    match (t.run)() {
        Ok(()) => {
            println!("usertests: {name}: ok");
            0
        }
        Err(reason) => {
            println!("usertests: {name}: FAILED: {reason}");
            1
        }
    }
}

/// How long one test process may take, in guest nanoseconds, before the watchdog kills it
/// (the whole suite takes about a second; this only turns a hang into a failure).
const TEST_LIMIT_NS: u64 = 30_000_000_000;
/// How often the watchdog looks.
const WATCH_NS: u64 = 100_000_000;

/// The running test process's pid (0: none), when it started, and whether the watchdog killed
/// it. The runner sets and clears `CURRENT`; whoever swaps it to 0 first owns the outcome.
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static STARTED: AtomicU64 = AtomicU64::new(0);
static TIMED_OUT: AtomicBool = AtomicBool::new(false);

/// The watchdog thread: kills a test process that outlives `TEST_LIMIT_NS`. It never returns;
/// the runner's exit ends it.
fn watchdog(_: usize) -> i32 {
    loop {
        sys::sleep(WATCH_NS);
        let pid = CURRENT.load(Ordering::Acquire);
        let late = sys::clock().saturating_sub(STARTED.load(Ordering::Acquire)) > TEST_LIMIT_NS;
        if pid != 0
            && late
            && CURRENT
                .compare_exchange(pid, 0, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            TIMED_OUT.store(true, Ordering::Release);
            let _ = sys::kill(pid);
        }
    }
}

/// Runs test `name` in a child process; whether it passed.
fn run_child(name: &str) -> bool {
    let pid = match sys::spawn(SELF, &["usertests", "--test", name], None) {
        Ok(pid) => pid,
        Err(e) => {
            println!(
                "usertests: {name}: FAILED: spawn the test process: {}",
                e.name()
            );
            return false;
        }
    };
    TIMED_OUT.store(false, Ordering::Release);
    STARTED.store(sys::clock(), Ordering::Release);
    CURRENT.store(pid, Ordering::Release);
    let result = sys::wait(Some(pid));
    CURRENT.store(0, Ordering::Release);
    match result {
        _ if TIMED_OUT.load(Ordering::Acquire) => {
            println!(
                "usertests: {name}: FAILED: still running after {} s: killed",
                TEST_LIMIT_NS / 1_000_000_000
            );
            false
        }
        Ok((_, 0)) => true,
        Ok((_, 1)) => false, // The test printed its reason.
        Ok((_, status)) => {
            println!("usertests: {name}: FAILED: test process ended with status {status}");
            false
        }
        Err(e) => {
            println!(
                "usertests: {name}: FAILED: wait for the test process: {}",
                e.name()
            );
            false
        }
    }
}

fn main(args: ulib::Args) -> i32 {
    match args.get(1) {
        Some("--victim") => return victims::run(&args),
        Some("--test") => return run_here(args.get(2).unwrap_or("")),
        Some("--list") => {
            for t in tests() {
                println!("{}: {}", t.name, t.question);
            }
            return 0;
        }
        _ => {}
    }
    // Without a watchdog (no thread could start) a hanging test hangs the suite; nothing else
    // changes.
    let _watchdog = ulib::thread::spawn(watchdog, 0);
    let (mut passed, mut failed) = (0, 0);
    let chosen: alloc::vec::Vec<&str> = args.iter().skip(1).collect();
    for name in chosen.iter().copied() {
        if !tests().any(|t| t.name == name) {
            println!("usertests: {name}: FAILED: no such test");
            failed += 1;
        }
    }
    for t in tests().filter(|t| chosen.is_empty() || chosen.contains(&t.name)) {
        if run_child(t.name) {
            passed += 1;
        } else {
            failed += 1;
        }
    }
    println!("usertests: {passed} passed, {failed} failed");
    if failed == 0 { 0 } else { 1 }
}

ulib::entry!(main);
