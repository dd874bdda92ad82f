//! Pipes between two processes, lmbench's `lat_pipe` and `bw_pipe`: a round trip (a message one
//! way, one byte back) and bandwidth in 64 KiB chunks. The parent measures; the child is
//! `bench @echo L` (reads L-byte messages on stdin, answers each with one byte on stdout: the
//! message's last byte plus one) or `bench @pipe-writer CHUNKS` (writes CHUNKS chunks of the
//! chunk pattern on stdout).
//!
//! [`round_trips`] is also `ipc`'s stand-in on a kernel without IPC.

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use abi::types::fd;
use ulib::{io, sys};

use super::harness::{
    Counts, Outcome, Report, close, fail, get_byte, measure, ok, put_byte, reap, spawn_role, stdio,
    warmup,
};

/// The echo role: `@echo L`.
pub const ECHO: &str = "@echo";
/// The writer role: `@pipe-writer CHUNKS`.
pub const WRITER: &str = "@pipe-writer";
/// Bytes of one `pipe-bw` chunk.
pub const CHUNK: usize = 64 * 1024;
/// The largest message `@echo` takes.
pub const MAX_MESSAGE: u64 = 1 << 20;
/// Bytes between the positions of a chunk the reader checks (and poisons before each read): 16
/// probes per chunk keep the check cheap next to the copying.
const PROBE_STRIDE: usize = 4093;
/// A byte the chunk pattern never holds (it is `i % 251`).
const POISON: u8 = 0xff;

/// The byte at offset `i` of every chunk.
fn pattern(i: usize) -> u8 {
    (i % 251) as u8
}

/// `pipe-rt`: op = one round trip, 1 byte each way.
pub fn round_trip(n: u64, _: &[u64]) -> Outcome<Report> {
    round_trips(n, 1).map(|c| Report::new(n, c))
}

/// Measures `n` round trips with an `@echo` child: `bytes` (at least 1) to it, 1 byte back; each
/// answer is checked.
pub fn round_trips(n: u64, bytes: usize) -> Outcome<Counts> {
    let bytes = bytes.max(1);
    ensure!(
        bytes as u64 <= MAX_MESSAGE,
        "a message of {bytes} bytes is over {MAX_MESSAGE}"
    );
    let (to_child, to_child_w) = ok(sys::pipe(), "pipe")?;
    let (from_child, from_child_w) = ok(sys::pipe(), "pipe")?;
    let arg = format!("{bytes}");
    let child = spawn_role(ECHO, &[&arg], stdio(Some(to_child), Some(from_child_w)))?;
    close(to_child)?;
    close(from_child_w)?;
    let mut msg = vec![0x5au8; bytes];
    let mut seq = 0u8;
    let counts = measure(warmup(n), n, || {
        seq = seq.wrapping_add(1);
        msg[bytes - 1] = seq;
        ok(
            io::write_all(to_child_w, &msg),
            "write the message to the child",
        )?;
        match get_byte(from_child)? {
            Some(b) if b == seq.wrapping_add(1) => Ok(()),
            Some(b) => fail(format_args!(
                "the child answered {b}, want {}",
                seq.wrapping_add(1)
            )),
            None => fail("the child closed its pipe"),
        }
    })?;
    close(to_child_w)?;
    ensure!(
        get_byte(from_child)?.is_none(),
        "the child answered after the last message"
    );
    close(from_child)?;
    reap(child, "the echo child")?;
    Ok(counts)
}

/// `@echo L`: answers each L-byte message on stdin with its last byte plus one, until end of
/// input.
pub fn echo(params: &[u64]) -> Outcome {
    let bytes = params[0];
    ensure!(
        (1..=MAX_MESSAGE).contains(&bytes),
        "L is {bytes}, want 1..={MAX_MESSAGE}"
    );
    let mut msg = vec![0u8; bytes as usize];
    loop {
        match ok(io::read_full(fd::STDIN, &mut msg), "read a message")? {
            0 => return Ok(()),
            got if got == msg.len() => put_byte(fd::STDOUT, msg[got - 1].wrapping_add(1))?,
            got => return fail(format_args!("a message of {got} bytes, want {bytes}")),
        }
    }
}

/// `pipe-bw`: op = one 64 KiB chunk from a writer child, read and spot-checked. The writer
/// writes one chunk more than the parent reads before and inside the region, so that it is
/// still blocked writing, not exiting, when the region ends; the parent reads that tail after.
pub fn bandwidth(n: u64, _: &[u64]) -> Outcome<Report> {
    let warm = 1;
    let chunks = warm + n + 1;
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let child = spawn_role(WRITER, &[&format!("{chunks}")], stdio(None, Some(w)))?;
    close(w)?;
    let mut buf = vec![0u8; CHUNK];
    let mut chunk = 0u64;
    let mut read_chunk = || {
        chunk += 1;
        read_checked(r, &mut buf, chunk)
    };
    let counts = measure(warm, n, &mut read_chunk)?;
    read_chunk()?;
    ensure!(
        get_byte(r)?.is_none(),
        "the writer wrote more than {chunks} chunks"
    );
    close(r)?;
    reap(child, "the writer child")?;
    Ok(Report::new(n, counts))
}

/// Reads chunk number `chunk` from `r` into `buf` (a chunk long) and spot-checks it: it must be
/// whole and show the pattern at every probe (poisoned before the read).
fn read_checked(r: usize, buf: &mut [u8], chunk: u64) -> Outcome {
    for i in (0..CHUNK).step_by(PROBE_STRIDE) {
        buf[i] = POISON;
    }
    buf[CHUNK - 1] = POISON;
    let got = ok(io::read_full(r, buf), format_args!("read chunk {chunk}"))?;
    ensure!(got == CHUNK, "chunk {chunk}: {got} bytes, want {CHUNK}");
    let probe = |i: usize| buf[i] == pattern(i);
    ensure!(
        (0..CHUNK).step_by(PROBE_STRIDE).all(probe) && probe(CHUNK - 1),
        "chunk {chunk}: the bytes differ from what the writer wrote"
    );
    Ok(())
}

/// `@pipe-writer CHUNKS`: writes CHUNKS chunks of the pattern on stdout.
pub fn writer(params: &[u64]) -> Outcome {
    let buf: Vec<u8> = (0..CHUNK).map(pattern).collect();
    for c in 0..params[0] {
        ok(
            io::write_all(fd::STDOUT, &buf),
            format_args!("write chunk {}", c + 1),
        )?;
    }
    Ok(())
}
