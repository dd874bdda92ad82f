//! Pipes: end of file once every writer has gone (after the data), EPIPE once every reader has
//! gone (no signals: the writer lives on), dup'd ends keeping a pipe open, data larger than the
//! buffer crossing intact in both directions, and what fstat and seek say about a pipe.

use alloc::string::ToString;
use alloc::vec::Vec;

use abi::types::{kind, limits::PIPE_BUFFER, seek};
use ulib::{Errno, io, sys};

use crate::harness::{Outcome, Test, expect_err, ok, pattern, reap, spawn_victim};

fn eof() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    ensure!(ok(sys::write(w, b"hello"), "write")? == 5, "short write");
    ok(sys::close(w), "close the only writer")?;
    let mut buf = [0u8; 16];
    let n = ok(sys::read(r, &mut buf), "read")?;
    ensure!(&buf[..n] == b"hello", "read {n} bytes, not `hello`");
    ensure!(
        ok(sys::read(r, &mut buf), "read at end")? == 0,
        "no end of file after the data"
    );
    ensure!(
        ok(sys::read(r, &mut buf), "read again")? == 0,
        "end of file did not last"
    );
    ok(sys::close(r), "close")
}

fn epipe() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    ok(sys::close(r), "close the only reader")?;
    expect_err(sys::write(w, b"x"), Errno::Pipe, "write with no reader")?;
    expect_err(
        sys::write(w, b"y"),
        Errno::Pipe,
        "write with no reader, again",
    )?;
    ok(sys::close(w), "close")
}

fn dup() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let w2 = ok(sys::dup(w), "dup the write end")?;
    let r2 = ok(sys::dup(r), "dup the read end")?;
    ok(sys::close(w), "close the first write end")?;
    ok(sys::close(r), "close the first read end")?;
    ensure!(
        ok(sys::write(w2, b"ab"), "write through the dup'd end")? == 2,
        "short write"
    );
    let mut buf = [0u8; 8];
    let n = ok(sys::read(r2, &mut buf), "read through the dup'd end")?;
    ensure!(&buf[..n] == b"ab", "read {n} bytes, not `ab`");
    ok(sys::close(w2), "close the last write end")?;
    ensure!(
        ok(sys::read(r2, &mut buf), "read at end")? == 0,
        "no end of file after the last writer"
    );
    ok(sys::close(r2), "close")
}

/// Bytes that fill the buffer three times and then some.
const BIG: usize = 3 * PIPE_BUFFER + 123;

fn big_write() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let pid = spawn_victim(&["drain", &BIG.to_string()], Some([r as i32, -1, -1]))?;
    ok(sys::close(r), "close")?;
    let data: Vec<u8> = (0..BIG).map(pattern).collect();
    let first = ok(sys::write(w, &data), "write more than the buffer")?;
    ensure!(
        first > 0 && first <= BIG,
        "the first write returned {first}"
    );
    ok(io::write_all(w, &data[first..]), "write the rest")?;
    ok(sys::close(w), "close")?;
    let status = reap(pid)?;
    ensure!(
        status == 0,
        "the reader did not get exactly the bytes written (status {status})"
    );
    Ok(())
}

fn big_read() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let pid = spawn_victim(&["source", &BIG.to_string()], Some([-1, w as i32, -1]))?;
    ok(sys::close(w), "close")?;
    let data = ok(io::read_to_end(r), "read to end")?;
    let status = reap(pid)?;
    ensure!(status == 0, "the writer failed (status {status})");
    ensure!(data.len() == BIG, "read {} bytes, want {BIG}", data.len());
    ensure!(
        data.iter().enumerate().all(|(i, &b)| b == pattern(i)),
        "the bytes arrived changed"
    );
    ok(sys::close(r), "close")
}

fn stat_seek() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    ok(io::write_all(w, b"12345"), "write")?;
    let st = ok(sys::fstat(r), "fstat the read end")?;
    ensure!(st.kind == kind::PIPE, "fstat kind {}, want PIPE", st.kind);
    ensure!(
        st.size == 5,
        "fstat size {}, want the 5 bytes waiting",
        st.size
    );
    expect_err(sys::seek(r, 0, seek::SET), Errno::SPipe, "seek a pipe")?;
    expect_err(
        sys::read(w, &mut [0u8; 4]),
        Errno::BadF,
        "read the write end",
    )?;
    expect_err(sys::write(r, b"x"), Errno::BadF, "write the read end")?;
    ok(sys::close(r), "close")?;
    ok(sys::close(w), "close")
}

/// The tests.
pub const TESTS: &[Test] = &[
    Test {
        name: "pipe_eof",
        question: "Once every writer is gone, does read return the data, then 0 for good?",
        run: eof,
    },
    Test {
        name: "pipe_epipe",
        question: "Once every reader is gone, is write EPIPE (and the writer still alive)?",
        run: epipe,
    },
    Test {
        name: "pipe_dup",
        question: "Do dup'd ends keep a pipe open after the originals close?",
        run: dup,
    },
    Test {
        name: "pipe_big_write",
        question: "Do writes of 3 buffers and more reach a reader child intact?",
        run: big_write,
    },
    Test {
        name: "pipe_big_read",
        question: "Does a writer child's 3 buffers and more arrive intact, then end of file?",
        run: big_read,
    },
    Test {
        name: "pipe_stat",
        question: "Does fstat see a pipe and its bytes, and are seek and wrong-way I/O refused?",
        run: stat_seek,
    },
];
