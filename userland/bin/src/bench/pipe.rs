//! Pipes between two processes, lmbench's `lat_pipe` and `bw_pipe`: a round trip (a message one
//! way, one byte back) and bandwidth in 64 KiB chunks. The parent measures; the child is
//! `bench @echo L` (reads L-byte messages on stdin, answers each with one byte on stdout: the
//! message's last byte plus one) or `bench @pipe-writer CHUNKS` (writes CHUNKS chunks of the
//! chunk pattern on stdout).
//!
//! The round trip's loops on both sides are thin: each `read` and `write` is a bare `ecall`
//! ([`bare`]) and a short transfer is finished out of line. `pipe-rt-lib` runs the same round
//! trip through `ulib::io` on both sides (`@echo-lib L`), as a program would.
//!
//! [`round_trips`] is also `ipc`'s stand-in on a kernel without IPC.

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use abi::types::fd;
use ulib::{Errno, io, sys};

use super::bare::{self, Via};
use super::harness::{
    Counts, Outcome, Report, close, fail, get_byte, measure, ok, put_byte, reap, show, spawn_role,
    stdio, warmup,
};

/// The echo role: `@echo L` (thin loop).
pub const ECHO: &str = "@echo";
/// The echo role through `ulib::io`: `@echo-lib L`.
pub const ECHO_LIB: &str = "@echo-lib";
/// The writer role: `@pipe-writer CHUNKS`.
pub const WRITER: &str = "@pipe-writer";
/// Bytes of one `pipe-bw` chunk.
pub const CHUNK: usize = 64 * 1024;
/// The largest message `@echo` takes.
pub const MAX_MESSAGE: u64 = 1 << 20;
/// Bytes between the positions of a chunk the reader checks (and poisons before each read): 16
/// probes per chunk keep the check cheap next to the copying.
pub const PROBE_STRIDE: usize = 4093;
/// A byte the chunk pattern never holds (it is `i % 251`).
pub const POISON: u8 = 0xff;

/// The byte at offset `i` of every chunk.
pub fn pattern(i: usize) -> u8 {
    (i % 251) as u8
}

/// `pipe-rt`: op = one round trip, 1 byte each way, bare calls on both sides.
pub fn round_trip(n: u64, _: &[u64]) -> Outcome<Report> {
    round_trips(n, 1, Via::Bare).map(|c| Report::new(n, c))
}

/// `pipe-rt-lib`: `pipe-rt` through `ulib::io` on both sides.
pub fn round_trip_lib(n: u64, _: &[u64]) -> Outcome<Report> {
    round_trips(n, 1, Via::Ulib).map(|c| Report::new(n, c))
}

/// Measures `n` round trips with an echo child, both going `via` bare calls or `ulib`: `bytes`
/// (at least 1) to it, 1 byte back; each answer is checked.
pub fn round_trips(n: u64, bytes: usize, via: Via) -> Outcome<Counts> {
    let bytes = bytes.max(1);
    ensure!(
        bytes as u64 <= MAX_MESSAGE,
        "a message of {bytes} bytes is over {MAX_MESSAGE}"
    );
    let (to_child, to_child_w) = ok(sys::pipe(), "pipe")?;
    let (from_child, from_child_w) = ok(sys::pipe(), "pipe")?;
    let arg = format!("{bytes}");
    let role = match via {
        Via::Bare => ECHO,
        Via::Ulib => ECHO_LIB,
    };
    let child = spawn_role(role, &[&arg], stdio(Some(to_child), Some(from_child_w)))?;
    close(to_child)?;
    close(from_child_w)?;
    let mut msg = vec![0x5au8; bytes];
    let last = bytes - 1;
    let mut seq = 0u8;
    let counts = match via {
        Via::Bare => {
            let mut answer = [0u8; 1];
            let msg: &mut [u8] = &mut msg;
            measure(
                warmup(n),
                n,
                #[inline(always)]
                move || {
                    seq = seq.wrapping_add(1);
                    msg[last] = seq;
                    let put = bare::write(to_child_w, msg);
                    if put != bytes as isize {
                        finish_write(to_child_w, msg, put)?;
                    }
                    let got = bare::read(from_child, &mut answer);
                    if got != 1 || answer[0] != seq.wrapping_add(1) {
                        return wrong_answer(got, answer[0], seq);
                    }
                    Ok(())
                },
            )?
        }
        Via::Ulib => measure(warmup(n), n, || {
            seq = seq.wrapping_add(1);
            msg[last] = seq;
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
        })?,
    };
    close(to_child_w)?;
    ensure!(
        get_byte(from_child)?.is_none(),
        "the child answered after the last message"
    );
    close(from_child)?;
    reap(child, "the echo child")?;
    Ok(counts)
}

/// Writes the rest of `msg` to `fd` after a bare `write` returned `put` (short, or `-errno`).
#[cold]
#[inline(never)]
fn finish_write(fd: usize, msg: &[u8], put: isize) -> Outcome {
    let done = ok(Errno::check(put), "write the message to the child")?;
    ok(
        io::write_all(fd, &msg[done.min(msg.len())..]),
        "write the message to the child",
    )
}

/// The failure for a bare `read` of the answer that returned `got` with byte `b`, for message
/// `seq`.
#[cold]
#[inline(never)]
fn wrong_answer(got: isize, b: u8, seq: u8) -> Outcome {
    match Errno::check(got) {
        Ok(0) => fail("the child closed its pipe"),
        Ok(1) => fail(format_args!(
            "the child answered {b}, want {}",
            seq.wrapping_add(1)
        )),
        r => fail(format_args!("read 1 byte from the child: {}", show(r))),
    }
}

/// `@echo L`: answers each L-byte message on stdin with its last byte plus one, until end of
/// input; a bare `read` and `write` each, a short read finished out of line.
pub fn echo(params: &[u64]) -> Outcome {
    let bytes = echo_size(params)?;
    let mut msg = vec![0u8; bytes];
    loop {
        let r = bare::read(fd::STDIN, &mut msg);
        let got = if r == bytes as isize {
            bytes
        } else {
            finish_read(r, &mut msg)?
        };
        if got == 0 {
            return Ok(());
        }
        let answer = [msg[got - 1].wrapping_add(1)];
        if bare::write(fd::STDOUT, &answer) != 1 {
            return fail("write the answer");
        }
    }
}

/// The length of a message after a bare `read` into `msg` returned `r` (short, 0 or `-errno`):
/// the rest read, so the whole of `msg`, or 0 at end of input.
#[cold]
#[inline(never)]
fn finish_read(r: isize, msg: &mut [u8]) -> Outcome<usize> {
    let first = ok(Errno::check(r), "read a message")?;
    if first == 0 {
        return Ok(0);
    }
    let rest = ok(
        io::read_full(fd::STDIN, &mut msg[first..]),
        "read a message",
    )?;
    ensure!(
        first + rest == msg.len(),
        "a message of {} bytes, want {}",
        first + rest,
        msg.len()
    );
    Ok(msg.len())
}

/// `@echo-lib L`: `@echo` through `ulib::io`.
pub fn echo_lib(params: &[u64]) -> Outcome {
    let bytes = echo_size(params)?;
    let mut msg = vec![0u8; bytes];
    loop {
        match ok(io::read_full(fd::STDIN, &mut msg), "read a message")? {
            0 => return Ok(()),
            got if got == msg.len() => put_byte(fd::STDOUT, msg[got - 1].wrapping_add(1))?,
            got => return fail(format_args!("a message of {got} bytes, want {bytes}")),
        }
    }
}

/// An echo role's message length, L.
fn echo_size(params: &[u64]) -> Outcome<usize> {
    let bytes = params[0];
    ensure!(
        (1..=MAX_MESSAGE).contains(&bytes),
        "L is {bytes}, want 1..={MAX_MESSAGE}"
    );
    Ok(bytes as usize)
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
pub fn read_checked(r: usize, buf: &mut [u8], chunk: u64) -> Outcome {
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
