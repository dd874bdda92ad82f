//! Shared memory between two *processes* (issue 16's definition of `shm-rt` and `sem-rt`): the
//! parent makes a shared-memory object (`ulib::shm`), a child opens it by name, and they meet on
//! futex words in it — the kernels key futex waiters by frame, so a wake in one address space
//! finds the sleeper in the other.
//!
//! - `shm-rt`: one shared word: each side stores the next value and `futex_wake`s the other,
//!   which `futex_wait`s for it (child `@shm-partner`); op = one round trip.
//! - `sem-rt` (`lat_sem`): the same alternation on two `ulib` semaphores in the object (child
//!   `@sem-partner`); op = one round trip.
//! - `shm-bw`: 64 KiB chunks through a shared buffer: the child `@shm-writer` copies each chunk
//!   in and posts FULL, the parent waits for FULL, copies it out (as `read` would into its
//!   buffer), checks it and posts EMPTY; op = one chunk. Two `memcpy`s per chunk and no kernel
//!   copy — compare `unix-bw` (two copies through the kernel) and `bw-mem` (one `memcpy`).
//!
//! The thread versions of the round trips stay as `shm-rt-thr` and `sem-rt-thr`
//! (`ipc_mech`). Each run unlinks its object at the end, and first any left by a failed run.

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use abi::layout::PAGE_SIZE;
use ulib::futex::Semaphore;
use ulib::shm::{self, Shared};
use ulib::sys;

use super::harness::{Outcome, Report, fail, measure, ok, reap, spawn_role, warmup};
use super::pipe::{CHUNK, POISON, PROBE_STRIDE, pattern};

/// The `shm-rt` partner role.
pub const SHM_PARTNER: &str = "@shm-partner";
/// The `sem-rt` partner role.
pub const SEM_PARTNER: &str = "@sem-partner";
/// The `shm-bw` writer role.
pub const SHM_WRITER: &str = "@shm-writer";

/// The object of each case (names of their own, so cases may run in one machine in turn).
const SHM_RT_NAME: &str = "bench-shm-rt";
const SEM_RT_NAME: &str = "bench-sem-rt";
const SHM_BW_NAME: &str = "bench-shm-bw";

/// Where the header's words sit (separate cache lines).
const WORD_AT: usize = 0;
const PING_AT: usize = 0;
const PONG_AT: usize = 64;
const TURNS_AT: usize = 128;
/// `shm-bw`'s semaphores: a chunk is in the buffer / the buffer may be filled / the reader is
/// done (so the writer's exit falls outside the region).
const FULL_AT: usize = 0;
const EMPTY_AT: usize = 64;
const DONE_AT: usize = 128;
/// `shm-bw`'s buffer, after the header page.
const DATA_AT: usize = PAGE_SIZE;

/// Makes object `name` of `len` bytes afresh (one a failed run left is unlinked first).
fn fresh(name: &str, len: usize) -> Outcome<Shared> {
    let _ = shm::unlink(name);
    ok(
        Shared::open(name, len),
        format_args!("shm_open + shm_map {name}"),
    )
}

/// Opens the object the parent made.
fn join(name: &str, len: usize) -> Outcome<Shared> {
    ok(
        Shared::open(name, len),
        format_args!("shm_open + shm_map {name}"),
    )
}

/// The `T` at `offset` of `obj`: only ever atomics and `ulib` futex types (zero is valid).
fn word<T: Sync>(obj: &Shared, offset: usize) -> &T {
    // Safety: every offset here is aligned and inside the object, and every `T` used is made
    // of atomics whose all-zero pattern (a fresh object) is their initial state.
    unsafe { obj.at(offset) }
}

/// Waits until `w` holds `want`, sleeping in `futex_wait` while it holds anything else.
#[inline(always)]
fn await_word(w: &AtomicU32, want: u32) {
    loop {
        let v = w.load(Ordering::Acquire);
        if v == want {
            return;
        }
        let _ = sys::futex_wait(w, v);
    }
}

/// `shm-rt`: op = one round trip on a shared word between two processes: store +
/// `futex_wake`, then `futex_wait` for the answer.
pub fn shm_rt(n: u64, _: &[u64]) -> Outcome<Report> {
    let obj = fresh(SHM_RT_NAME, PAGE_SIZE)?;
    let w: &AtomicU32 = word(&obj, WORD_AT);
    let trips = warmup(n) + n;
    let child = spawn_role(SHM_PARTNER, &[&format!("{trips}")], None)?;
    let mut k = 0u32;
    let counts = measure(warmup(n), n, || {
        w.store(2 * k + 1, Ordering::Release);
        ok(sys::futex_wake(w, 1), "futex_wake")?;
        await_word(w, 2 * k + 2);
        k += 1;
        Ok(())
    })?;
    w.store(2 * k + 1, Ordering::Release);
    ok(sys::futex_wake(w, 1), "futex_wake")?;
    reap(child, "the shm partner")?;
    ensure!(u64::from(k) == trips, "{k} round trips, want {trips}");
    ok(shm::unlink(SHM_RT_NAME), "shm_unlink")?;
    Ok(Report::new(n, counts))
}

/// `@shm-partner TRIPS`: for each turn, waits for the odd value and answers with the next even
/// one; then stays until the parent's final store, so its exit is outside the region.
pub fn shm_partner(params: &[u64]) -> Outcome {
    let obj = join(SHM_RT_NAME, PAGE_SIZE)?;
    let w: &AtomicU32 = word(&obj, WORD_AT);
    let trips = params[0] as u32;
    for k in 0..trips {
        await_word(w, 2 * k + 1);
        w.store(2 * k + 2, Ordering::Release);
        ok(sys::futex_wake(w, 1), "futex_wake")?;
    }
    await_word(w, 2 * trips + 1);
    Ok(())
}

/// `sem-rt`: op = one round trip between two processes on two semaphores in shared memory:
/// post PING, wait PONG.
pub fn sem_rt(n: u64, _: &[u64]) -> Outcome<Report> {
    let obj = fresh(SEM_RT_NAME, PAGE_SIZE)?;
    let (ping, pong): (&Semaphore, &Semaphore) = (word(&obj, PING_AT), word(&obj, PONG_AT));
    let turns: &AtomicU64 = word(&obj, TURNS_AT);
    let trips = warmup(n) + n;
    let child = spawn_role(SEM_PARTNER, &[&format!("{trips}")], None)?;
    let mut k = 0u64;
    let counts = measure(warmup(n), n, || {
        if turns.fetch_add(1, Ordering::AcqRel) != 2 * k {
            return fail("the turns did not alternate");
        }
        ping.post();
        pong.wait();
        k += 1;
        Ok(())
    })?;
    ping.post();
    reap(child, "the semaphore partner")?;
    ensure!(ping.value() == 0 && pong.value() == 0, "units left over");
    ok(shm::unlink(SEM_RT_NAME), "shm_unlink")?;
    Ok(Report::new(n, counts))
}

/// `@sem-partner TRIPS`: TRIPS times, waits on PING, takes its turn and posts PONG; then
/// waits for the parent's last PING.
pub fn sem_partner(params: &[u64]) -> Outcome {
    let obj = join(SEM_RT_NAME, PAGE_SIZE)?;
    let (ping, pong): (&Semaphore, &Semaphore) = (word(&obj, PING_AT), word(&obj, PONG_AT));
    let turns: &AtomicU64 = word(&obj, TURNS_AT);
    for k in 0..params[0] {
        ping.wait();
        ensure!(
            turns.fetch_add(1, Ordering::AcqRel) == 2 * k + 1,
            "turn {k} out of order"
        );
        pong.post();
    }
    ping.wait();
    Ok(())
}

/// `shm-bw`'s object: the header page and one chunk.
const BW_LEN: usize = DATA_AT + CHUNK;

/// `shm-bw`: op = one 64 KiB chunk a child copied into shared memory, copied out and checked.
pub fn shm_bw(n: u64, _: &[u64]) -> Outcome<Report> {
    let warm = 1;
    let chunks = warm + n;
    let obj = fresh(SHM_BW_NAME, BW_LEN)?;
    let (full, empty): (&Semaphore, &Semaphore) = (word(&obj, FULL_AT), word(&obj, EMPTY_AT));
    empty.post();
    let child = spawn_role(SHM_WRITER, &[&format!("{chunks}")], None)?;
    let data = obj.ptr(DATA_AT, CHUNK);
    let mut buf = vec![0u8; CHUNK];
    let mut chunk = 0u64;
    let counts = measure(warm, n, || {
        chunk += 1;
        for i in (0..CHUNK).step_by(PROBE_STRIDE) {
            buf[i] = POISON;
        }
        buf[CHUNK - 1] = POISON;
        full.wait();
        // Safety: the writer filled the chunk and posted FULL; it touches the buffer again
        // only after our EMPTY, and `buf` is ours.
        unsafe { core::ptr::copy_nonoverlapping(data, buf.as_mut_ptr(), CHUNK) };
        empty.post();
        let probe = |i: usize| buf[i] == pattern(i);
        ensure!(
            (0..CHUNK).step_by(PROBE_STRIDE).all(probe) && probe(CHUNK - 1),
            "chunk {chunk}: the bytes differ from what the writer wrote"
        );
        Ok(())
    })?;
    word::<Semaphore>(&obj, DONE_AT).post();
    reap(child, "the shm writer")?;
    ensure!(chunk == chunks, "{chunk} chunks, want {chunks}");
    ok(shm::unlink(SHM_BW_NAME), "shm_unlink")?;
    Ok(Report::new(n, counts))
}

/// `@shm-writer CHUNKS`: CHUNKS times, waits for EMPTY, copies the pattern chunk into the
/// shared buffer and posts FULL; then waits for DONE.
pub fn shm_writer(params: &[u64]) -> Outcome {
    let obj = join(SHM_BW_NAME, BW_LEN)?;
    let (full, empty): (&Semaphore, &Semaphore) = (word(&obj, FULL_AT), word(&obj, EMPTY_AT));
    let src: Vec<u8> = (0..CHUNK).map(pattern).collect();
    let data = obj.ptr(DATA_AT, CHUNK);
    for _ in 0..params[0] {
        empty.wait();
        // Safety: the reader posted EMPTY: it no longer reads the buffer until our FULL.
        unsafe { core::ptr::copy_nonoverlapping(src.as_ptr(), data, CHUNK) };
        full.post();
    }
    word::<Semaphore>(&obj, DONE_AT).wait();
    Ok(())
}
