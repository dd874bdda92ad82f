//! Threads: many threads sharing memory under a lock and an atomic, each joined once for its
//! own status; the per-process thread limit; and how threads end with their process.

use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};

use abi::types::limits;
use ulib::sync::Mutex;
use ulib::{Errno, sys, thread};

use crate::harness::{Outcome, Test, expect_err, expect_status, ok};

/// Threads in the counter test.
const THREADS: usize = 8;
/// Increments per thread.
const ROUNDS: u64 = 1000;

static LOCKED: Mutex<u64> = Mutex::new(0);
static ATOMIC: AtomicU64 = AtomicU64::new(0);

/// The status thread `i` ends with: distinct per thread, some negative.
fn status_of(i: usize) -> i32 {
    i as i32 * 10 - 30
}

fn count(i: usize) -> i32 {
    for _ in 0..ROUNDS {
        *LOCKED.lock() += 1;
        ATOMIC.fetch_add(1, Ordering::Relaxed);
        if i.is_multiple_of(2) {
            sys::yield_now();
        }
    }
    status_of(i)
}

fn counter() -> Outcome {
    let mut threads = Vec::new();
    for i in 0..THREADS {
        threads.push(ok(
            thread::spawn(count, i),
            format_args!("spawn thread {i}"),
        )?);
    }
    let mut tids = Vec::new();
    for (i, t) in threads.into_iter().enumerate() {
        tids.push(t.id());
        let status = ok(t.join(), format_args!("join thread {i}"))?;
        ensure!(
            status == status_of(i),
            "thread {i} joined with status {status}, want {}",
            status_of(i)
        );
    }
    let want = THREADS as u64 * ROUNDS;
    let locked = *LOCKED.lock();
    ensure!(
        locked == want,
        "the locked counter is {locked}, want {want}"
    );
    let atomic = ATOMIC.load(Ordering::Relaxed);
    ensure!(
        atomic == want,
        "the atomic counter is {atomic}, want {want}"
    );
    let again = sys::thread_join(tids[0]);
    ensure!(
        matches!(again, Err(Errno::Srch) | Err(Errno::Busy)),
        "joining a thread twice: got {}, want ESRCH or EBUSY",
        crate::harness::show(&again)
    );
    expect_err(
        sys::thread_join(999_999),
        Errno::Srch,
        "join a thread that never existed",
    )
}

/// Blocks reading one byte from the pipe `gate`: 0 once it has it.
fn wait_at_gate(gate: usize) -> i32 {
    let mut b = [0u8; 1];
    match sys::read(gate, &mut b) {
        Ok(1) => 0,
        _ => 1,
    }
}

fn limit() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let mut threads = Vec::new();
    let end = loop {
        if threads.len() >= limits::THREADS {
            break Ok(());
        }
        match thread::spawn(wait_at_gate, r) {
            Ok(t) => threads.push(t),
            Err(e) => break Err(e),
        }
    };
    let n = threads.len();
    let release = alloc::vec![b'g'; n];
    ok(ulib::io::write_all(w, &release), "release the threads")?;
    for (i, t) in threads.into_iter().enumerate() {
        let status = ok(t.join(), format_args!("join thread {i}"))?;
        ensure!(
            status == 0,
            "thread {i} did not get its byte (status {status})"
        );
    }
    expect_err(
        end,
        Errno::Again,
        format_args!("thread_spawn number {}", n + 2),
    )?;
    ensure!(
        n == limits::THREADS - 1,
        "{n} threads started beside the first, want {}",
        limits::THREADS - 1
    );
    let t = ok(
        thread::spawn(status_of, 7),
        "spawn a thread after the others ended",
    )?;
    ensure!(
        ok(t.join(), "join it")? == status_of(7),
        "the late thread's status"
    );
    ok(sys::close(r), "close")?;
    ok(sys::close(w), "close")
}

fn process_end() -> Outcome {
    expect_status(&["exit_threads"], 7)?;
    expect_status(&["last_thread"], 9)
}

/// The tests.
pub const TESTS: &[Test] = &[
    Test {
        name: "threads_counter",
        question: "Do 8 threads x 1000 increments under a Mutex and an atomic give exactly 8000, \
                   each join its thread's status, and a second join an error?",
        run: counter,
    },
    Test {
        name: "threads_limit",
        question: "Is thread_spawn EAGAIN at 16 threads, and do ended threads free their slots?",
        run: limit,
    },
    Test {
        name: "threads_exit",
        question: "Does exit end every thread, and the last thread's end give the process status?",
        run: process_end,
    },
];
