//! The IPC mechanisms of issue 16, lmbench-style: round trips of one byte (or one word) between
//! two parties, and bandwidths in 64 KiB chunks.
//!
//! - `fifo-rt` (lmbench `lat_fifo`): two named pipes, each end opened by name, the parent and a
//!   child `@fifo-echo` (which opens the names the other way round and answers each byte with
//!   the byte plus one).
//! - `mq-rt`: two message queues, opened by name by the parent and a child `@mq-echo`; op = a
//!   1-byte message there and back.
//! - `unix-rt` (`lat_unix`): one socket pair, the child `@echo 1` on its far end.
//! - `unix-bw` (`bw_unix`): a child `@pipe-writer` writing chunks into a socket; op = a chunk.
//! - `shm-rt-thr`: a shared word and `futex_wake`: each side stores the next value and wakes the
//!   other, which `futex_wait`s for it; `sem-rt-thr`: the same alternation on two `ulib`
//!   semaphores. Both run between two *threads* of one process, the word and the semaphores in
//!   memory both threads share: `shm-rt` and `sem-rt` (`shm`) are the same between two
//!   processes, through a shared-memory object.
//! - `bw-mem` (`bw_mem bcopy`): a 64 KiB `memcpy` in user space, the reference for the
//!   bandwidths; op = a chunk copied.
//!
//! Every answer is checked; every round trip's turn count is exact.

use alloc::format;
use alloc::vec;
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use abi::types::open;
use ulib::futex::Semaphore;
use ulib::{sys, thread};

use super::bare;
use super::harness::{
    Outcome, Report, close, fail, get_byte, measure, ok, reap, spawn_role, stdio, warmup,
};
use super::pipe::{self, CHUNK};

/// The fifo role: `@fifo-echo`.
pub const FIFO_ECHO: &str = "@fifo-echo";
/// The fifo the parent writes and `@fifo-echo` reads.
const FIFO_TO_CHILD: &str = "/bench-fifo-to-child";
/// The fifo `@fifo-echo` writes and the parent reads.
const FIFO_FROM_CHILD: &str = "/bench-fifo-from-child";

/// One round trip over fds `to` and `from`: byte `seq` out, `seq + 1` back.
#[inline(always)]
fn byte_round_trip(to: usize, from: usize, seq: &mut u8) -> Outcome {
    *seq = seq.wrapping_add(1);
    if bare::write(to, &[*seq]) != 1 {
        return fail("write the byte");
    }
    let mut answer = [0u8; 1];
    let got = bare::read(from, &mut answer);
    if got != 1 || answer[0] != seq.wrapping_add(1) {
        return fail(format_args!("read {got} bytes, answer {}", answer[0]));
    }
    Ok(())
}

/// After the last round trip: the child sees end of file, closes its end and exits 0.
fn hang_up(to: usize, from: usize, child: usize, what: &str) -> Outcome {
    close(to)?;
    ensure!(
        get_byte(from)?.is_none(),
        "{what} answered after the last message"
    );
    close(from)?;
    reap(child, what)
}

/// `fifo-rt`: op = one round trip of one byte through two named pipes.
pub fn fifo_rt(n: u64, _: &[u64]) -> Outcome<Report> {
    for path in [FIFO_TO_CHILD, FIFO_FROM_CHILD] {
        // A run that failed may have left them.
        let _ = sys::unlink(path);
        ok(sys::mkfifo(path), format_args!("mkfifo {path}"))?;
    }
    let child = spawn_role(FIFO_ECHO, &[], None)?;
    let to = ok(sys::open(FIFO_TO_CHILD, open::WRONLY), "open a fifo")?;
    let from = ok(sys::open(FIFO_FROM_CHILD, open::RDONLY), "open a fifo")?;
    let mut seq = 0u8;
    let counts = measure(warmup(n), n, || byte_round_trip(to, from, &mut seq))?;
    hang_up(to, from, child, "the fifo echo child")?;
    for path in [FIFO_TO_CHILD, FIFO_FROM_CHILD] {
        ok(sys::unlink(path), format_args!("unlink {path}"))?;
    }
    Ok(Report::new(n, counts))
}

/// `@fifo-echo`: opens the fifos by name and answers each byte with the byte plus one, to end
/// of file.
pub fn fifo_echo(_: &[u64]) -> Outcome {
    let from = ok(sys::open(FIFO_TO_CHILD, open::RDONLY), "open a fifo")?;
    let to = ok(sys::open(FIFO_FROM_CHILD, open::WRONLY), "open a fifo")?;
    let mut b = [0u8; 1];
    loop {
        match bare::read(from, &mut b) {
            0 => return Ok(()),
            1 if bare::write(to, &[b[0].wrapping_add(1)]) == 1 => {}
            r => return fail(format_args!("echo: read returned {r}")),
        }
    }
}

/// The queue the parent sends on and `@mq-echo` receives from.
const MQ_TO_CHILD: &str = "bench-mq-to-child";
/// The queue `@mq-echo` answers on.
const MQ_FROM_CHILD: &str = "bench-mq-from-child";
/// The mq role: `@mq-echo`.
pub const MQ_ECHO: &str = "@mq-echo";

/// `mq-rt`: op = one round trip of a 1-byte message through two message queues; an empty
/// message tells the child to stop.
pub fn mq_rt(n: u64, _: &[u64]) -> Outcome<Report> {
    let to = ok(
        sys::mq_open(MQ_TO_CHILD, open::RDWR | open::CREAT),
        "mq_open",
    )?;
    let from = ok(
        sys::mq_open(MQ_FROM_CHILD, open::RDWR | open::CREAT),
        "mq_open",
    )?;
    let child = spawn_role(MQ_ECHO, &[], None)?;
    let mut seq = 0u8;
    let mut answer = [0u8; 1];
    let counts = measure(warmup(n), n, || {
        seq = seq.wrapping_add(1);
        ok(sys::mq_send(to, &[seq]), "mq_send")?;
        let got = ok(sys::mq_receive(from, &mut answer), "mq_receive")?;
        ensure!(
            got == 1 && answer[0] == seq.wrapping_add(1),
            "the child answered {got} bytes, {}",
            answer[0]
        );
        Ok(())
    })?;
    ok(sys::mq_send(to, &[]), "send the stop message")?;
    reap(child, "the mq echo child")?;
    close(to)?;
    close(from)?;
    Ok(Report::new(n, counts))
}

/// `@mq-echo`: answers each 1-byte message with the byte plus one, until an empty message.
pub fn mq_echo(_: &[u64]) -> Outcome {
    let from = ok(sys::mq_open(MQ_TO_CHILD, open::RDWR), "mq_open")?;
    let to = ok(sys::mq_open(MQ_FROM_CHILD, open::RDWR), "mq_open")?;
    let mut b = [0u8; 1];
    loop {
        match ok(sys::mq_receive(from, &mut b), "mq_receive")? {
            0 => return Ok(()),
            _ => ok(sys::mq_send(to, &[b[0].wrapping_add(1)]), "mq_send")?,
        }
    }
}

/// `unix-rt`: op = one round trip of one byte over a socket pair.
pub fn unix_rt(n: u64, _: &[u64]) -> Outcome<Report> {
    let (near, far) = ok(sys::socketpair(), "socketpair")?;
    let child = spawn_role(pipe::ECHO, &["1"], stdio(Some(far), Some(far)))?;
    close(far)?;
    let mut seq = 0u8;
    let counts = measure(warmup(n), n, || byte_round_trip(near, near, &mut seq))?;
    close(near)?;
    reap(child, "the socket echo child")?;
    Ok(Report::new(n, counts))
}

/// `unix-bw`: op = one 64 KiB chunk read from a socket a child writes.
pub fn unix_bw(n: u64, _: &[u64]) -> Outcome<Report> {
    let warm = 1;
    let chunks = warm + n + 1;
    let (near, far) = ok(sys::socketpair(), "socketpair")?;
    let child = spawn_role(
        pipe::WRITER,
        &[&format!("{chunks}")],
        stdio(None, Some(far)),
    )?;
    close(far)?;
    let mut buf = vec![0u8; CHUNK];
    let mut chunk = 0u64;
    let mut read_chunk = || {
        chunk += 1;
        pipe::read_checked(near, &mut buf, chunk)
    };
    let counts = measure(warm, n, &mut read_chunk)?;
    read_chunk()?;
    ensure!(
        get_byte(near)?.is_none(),
        "the writer wrote more than {chunks} chunks"
    );
    close(near)?;
    reap(child, "the writer child")?;
    Ok(Report::new(n, counts))
}

/// `shm-rt-thr`'s shared word: odd values are the measuring thread's turns, even the partner's.
static WORD: AtomicU32 = AtomicU32::new(0);

/// Waits until `WORD` holds `want`, sleeping in `futex_wait` while it holds anything else.
#[inline(always)]
fn await_word(want: u32) {
    loop {
        let v = WORD.load(Ordering::Acquire);
        if v == want {
            return;
        }
        let _ = sys::futex_wait(&WORD, v);
    }
}

/// `shm-rt-thr`'s partner thread: for each of `trips` turns, waits for the odd value and answers
/// with the next even one.
fn word_partner(trips: usize) -> i32 {
    for k in 0..trips as u32 {
        await_word(2 * k + 1);
        WORD.store(2 * k + 2, Ordering::Release);
        if sys::futex_wake(&WORD, 1).is_err() {
            return 1;
        }
    }
    // Stay until the measuring thread is done, so this thread's end is outside the region.
    await_word(2 * trips as u32 + 1);
    0
}

/// `shm-rt-thr`: op = one round trip on a shared word: store + `futex_wake`, then `futex_wait`
/// for the answer.
pub fn shm_rt_thr(n: u64, _: &[u64]) -> Outcome<Report> {
    WORD.store(0, Ordering::Release);
    let trips = warmup(n) + n;
    let partner = ok(
        thread::spawn(word_partner, trips as usize),
        "spawn the partner",
    )?;
    let mut k = 0u32;
    let counts = measure(warmup(n), n, || {
        WORD.store(2 * k + 1, Ordering::Release);
        ok(sys::futex_wake(&WORD, 1), "futex_wake")?;
        await_word(2 * k + 2);
        k += 1;
        Ok(())
    })?;
    WORD.store(2 * k + 1, Ordering::Release);
    ok(sys::futex_wake(&WORD, 1), "futex_wake")?;
    ensure!(
        ok(partner.join(), "join the partner")? == 0,
        "the partner failed"
    );
    ensure!(u64::from(k) == trips, "{k} round trips, want {trips}");
    Ok(Report::new(n, counts))
}

static PING: Semaphore = Semaphore::new(0);
static PONG: Semaphore = Semaphore::new(0);
/// Turns taken in `sem-rt-thr`, checked to alternate.
static TURNS: AtomicU64 = AtomicU64::new(0);

/// `sem-rt-thr`'s partner thread: `trips` times, waits on PING, takes its turn and posts PONG.
fn sem_partner(trips: usize) -> i32 {
    for k in 0..trips as u64 {
        PING.wait();
        if TURNS.fetch_add(1, Ordering::AcqRel) != 2 * k + 1 {
            return 1;
        }
        PONG.post();
    }
    // Stay until the measuring thread is done, so this thread's end is outside the region.
    PING.wait();
    0
}

/// `sem-rt-thr`: op = one round trip on two semaphores: post PING, wait PONG.
pub fn sem_rt_thr(n: u64, _: &[u64]) -> Outcome<Report> {
    TURNS.store(0, Ordering::Release);
    let trips = warmup(n) + n;
    let partner = ok(
        thread::spawn(sem_partner, trips as usize),
        "spawn the partner",
    )?;
    let mut k = 0u64;
    let counts = measure(warmup(n), n, || {
        if TURNS.fetch_add(1, Ordering::AcqRel) != 2 * k {
            return fail("the turns did not alternate");
        }
        PING.post();
        PONG.wait();
        k += 1;
        Ok(())
    })?;
    PING.post();
    ensure!(
        ok(partner.join(), "join the partner")? == 0,
        "the partner saw a turn out of order"
    );
    ensure!(PING.value() == 0 && PONG.value() == 0, "units left over");
    Ok(Report::new(n, counts))
}

/// `bw-mem`: op = one 64 KiB copy between two user buffers (`copy_from_slice`, i.e. `memcpy`).
pub fn bw_mem(n: u64, _: &[u64]) -> Outcome<Report> {
    let src: alloc::vec::Vec<u8> = (0..CHUNK).map(|i| (i % 251) as u8).collect();
    let mut dst = vec![0u8; CHUNK];
    let mut round = 0usize;
    let counts = measure(1, n, || {
        dst.copy_from_slice(core::hint::black_box(&src));
        round += 1;
        let probe = (round * 4093) % CHUNK;
        ensure!(dst[probe] == src[probe], "the copy differs at {probe}");
        Ok(())
    })?;
    Ok(Report::new(n, counts))
}
