//! The rest of the IO models: non-blocking sockets and fifos (one read and one write path with
//! pipes), and the asynchronous IO ring (`ring_setup`, `ring_enter`, `ulib::ring`): entries that
//! complete at once, bad entries (bad fd, bad buffer pointer, unknown op: a completion with
//! `-errno`, not a dead kernel), a full ring, and `min_complete` waiting for another thread.

use abi::ring::{Sqe, op};
use abi::types::limits::PIPE_BUFFER;
use abi::types::open;
use alloc::format;
use alloc::vec;
use ulib::ring::Ring;
use ulib::{Errno, raw, sys, thread};

use crate::harness::{Outcome, Test, check, expect_err, fresh_dir, late_writer, ok};

fn nonblocking_sockets() -> Outcome {
    let (a, b) = ok(sys::socketpair(), "socketpair")?;
    ok(sys::set_nonblock(a, true), "set_nonblock")?;
    expect_err(
        sys::read(a, &mut [0u8; 4]),
        Errno::Again,
        "read an empty non-blocking socket",
    )?;
    let full = vec![7u8; PIPE_BUFFER];
    ensure!(
        ok(sys::write(a, &full), "fill")? == PIPE_BUFFER,
        "short fill"
    );
    expect_err(sys::write(a, b"x"), Errno::Again, "write a full socket")?;
    let mut buf = vec![0u8; PIPE_BUFFER];
    ensure!(
        ok(sys::read(b, &mut buf), "the peer reads")? == PIPE_BUFFER,
        "short read"
    );
    ok(sys::close(b), "close the peer")?;
    // No reader left: EPIPE (SIGPIPE's cue), not EAGAIN; no writer left: end of file.
    expect_err(sys::write(a, b"x"), Errno::Pipe, "write with no peer")?;
    ensure!(
        ok(sys::read(a, &mut buf), "read with no peer")? == 0,
        "no end of file"
    );
    ok(sys::close(a), "close")?;

    let dir = fresh_dir("aio_fifo")?;
    let path = format!("{dir}/q");
    ok(sys::mkfifo(&path), "mkfifo")?;
    let r = ok(
        sys::open(&path, open::RDONLY | open::NONBLOCK),
        "open O_NONBLOCK",
    )?;
    let w = ok(sys::open(&path, open::WRONLY), "open to write")?;
    expect_err(
        sys::read(r, &mut [0u8; 4]),
        Errno::Again,
        "read an empty non-blocking fifo",
    )?;
    ok(sys::write(w, b"hi"), "write")?;
    ensure!(ok(sys::read(r, &mut buf), "read")? == 2, "short fifo read");
    ok(sys::close(r), "close")?;
    ok(sys::close(w), "close")?;
    ok(sys::unlink(&path), "unlink")
}

fn sqe(op: u32, fd: usize, addr: usize, len: usize, user_data: u64) -> Sqe {
    Sqe {
        op,
        fd: fd as i32,
        addr: addr as u64,
        len: len as u32,
        user_data,
    }
}

fn ring_echo() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let mut ring = ok(Ring::new(8, 256), "Ring::new")?;
    ring.data(0, 5).copy_from_slice(b"hello");
    ok(
        ring.push(sqe(op::WRITE, w, ring.data_addr(0), 5, 1)),
        "push",
    )?;
    ok(ring.push(sqe(op::NOP, 0, 0, 0, 2)), "push")?;
    ok(
        ring.push(sqe(op::READ, r, ring.data_addr(64), 16, 3)),
        "push",
    )?;
    let n = ok(ring.submit_and_wait(3), "ring_enter")?;
    ensure!(n == 3, "{n} completions, want 3");
    let got: alloc::vec::Vec<_> = (0..3).filter_map(|_| ring.pop()).collect();
    let want = [(1, 5), (2, 0), (3, 5)];
    ensure!(
        got.iter().map(|c| (c.user_data, c.res)).eq(want),
        "completions {got:?}, want {want:?}"
    );
    ensure!(
        ring.data(64, 5) == b"hello",
        "the read got {:?}",
        ring.data(64, 5)
    );
    ensure!(ring.pop().is_none(), "a fourth completion");
    ok(sys::close(r), "close")?;
    ok(sys::close(w), "close")
}

fn ring_bad_entries() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let mut ring = ok(Ring::new(8, 64), "Ring::new")?;
    let (base, len) = ring.region();
    let bad = [
        (sqe(op::READ, 99, ring.data_addr(0), 4, 1), Errno::BadF),
        (sqe(op::WRITE, w, 0, 4, 2), Errno::Fault),
        (sqe(op::WRITE, w, 0xffff_ffff_0000_0000, 4, 3), Errno::Fault),
        // Inside the region but on the queues, or running past its end.
        (sqe(op::READ, r, base, 4, 4), Errno::Fault),
        (sqe(op::WRITE, w, ring.data_addr(60), 8, 5), Errno::Fault),
        (
            sqe(op::READ, ring.fd(), ring.data_addr(0), 4, 6),
            Errno::Inval,
        ),
        (sqe(77, w, ring.data_addr(0), 4, 7), Errno::Inval),
    ];
    for (s, _) in bad {
        ok(ring.push(s), "push")?;
    }
    let n = ok(ring.submit_and_wait(bad.len()), "ring_enter")?;
    ensure!(n == bad.len(), "{n} completions, want {}", bad.len());
    for (s, e) in bad {
        let c = ring.pop().ok_or("a completion is missing")?;
        ensure!(
            c.user_data == s.user_data && c.res == e.ret() as i64,
            "entry {}: res {} want -{}",
            s.user_data,
            c.res,
            e.name()
        );
    }
    // The calls themselves: not a ring, another region, a bad min_complete, bad set-ups.
    // Safety (all below): the kernel checks every pointer; that is the question.
    expect_err(
        check(unsafe { raw::ring_enter(r, base, len, 0, 0) }),
        Errno::BadF,
        "ring_enter on a pipe",
    )?;
    expect_err(
        check(unsafe { raw::ring_enter(ring.fd(), base, len - 64, 0, 0) }),
        Errno::Inval,
        "ring_enter with another region",
    )?;
    expect_err(
        check(unsafe { raw::ring_enter(ring.fd(), base, len, 0, 9) }),
        Errno::Inval,
        "min_complete above the entries",
    )?;
    expect_err(
        check(unsafe { raw::ring_setup(0, 4096, 4) }),
        Errno::Fault,
        "ring_setup at address 0",
    )?;
    expect_err(
        check(unsafe { raw::ring_setup(base, len, 3) }),
        Errno::Inval,
        "3 entries",
    )?;
    expect_err(
        check(unsafe { raw::ring_setup(base, 16, 4) }),
        Errno::Inval,
        "a region too small",
    )?;
    ok(sys::close(r), "close")?;
    ok(sys::close(w), "close")
}

fn ring_full() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let mut ring = ok(Ring::new(4, 64), "Ring::new")?;
    for i in 0..4 {
        ok(ring.push(sqe(op::NOP, 0, 0, 0, i)), "push")?;
    }
    expect_err(
        ring.push(sqe(op::NOP, 0, 0, 0, 9)),
        Errno::Again,
        "a fifth push",
    )?;
    ensure!(ok(ring.submit_and_wait(0), "enter")? == 4, "4 completions");
    // The CQ is full: new entries wait in the SQ, consumed once completions are taken.
    for i in 4..6 {
        ok(ring.push(sqe(op::NOP, 0, 0, 0, i)), "push")?;
    }
    ensure!(ok(ring.submit_and_wait(0), "enter")? == 4, "still 4");
    ensure!(ring.queued() == 2, "{} queued, want 2", ring.queued());
    ensure!(ring.pop().map(|c| c.user_data) == Some(0), "oldest first");
    ensure!(ok(ring.submit_and_wait(0), "enter")? == 4, "4 again");
    ensure!(ring.queued() == 1, "{} queued, want 1", ring.queued());
    // A pending read holds a CQ slot too.
    while ring.pop().is_some() {}
    ensure!(ok(ring.submit_and_wait(0), "enter")? == 1, "the last NOP");
    ring.pop();
    for i in 0..4 {
        ok(
            ring.push(sqe(op::READ, r, ring.data_addr(0), 1, 10 + i)),
            "push",
        )?;
    }
    ensure!(
        ok(ring.submit_and_wait(0), "enter")? == 0,
        "nothing to read yet"
    );
    ok(ring.push(sqe(op::NOP, 0, 0, 0, 20)), "push")?;
    ensure!(
        ok(ring.submit_and_wait(0), "enter")? == 0,
        "no slot for a NOP"
    );
    ok(sys::write(w, b"abcd"), "write")?;
    ensure!(ok(ring.submit_and_wait(4), "enter")? == 4, "the four reads");
    for i in 0..4 {
        let c = ring.pop().ok_or("missing")?;
        ensure!(c.user_data == 10 + i && c.res == 1, "read {i}: {c:?}");
    }
    ensure!(
        ok(ring.submit_and_wait(1), "enter")? == 1,
        "the NOP at last"
    );
    ok(sys::close(r), "close")?;
    ok(sys::close(w), "close")
}

fn ring_waits() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let mut ring = ok(Ring::new(4, 64), "Ring::new")?;
    ok(
        ring.push(sqe(op::READ, r, ring.data_addr(0), 8, 42)),
        "push",
    )?;
    let t = ok(thread::spawn(late_writer, w), "spawn the writer")?;
    // One call submits the read and sleeps until it completes.
    ensure!(
        ok(ring.submit_and_wait(1), "enter")? == 1,
        "woke without a completion"
    );
    let c = ring.pop().ok_or("no completion")?;
    ensure!(c.user_data == 42 && c.res == 1, "{c:?}");
    ensure!(ring.data(0, 1) == b"!", "read {:?}", ring.data(0, 1));
    ensure!(ok(t.join(), "join")? == 0, "the writer failed");
    // Nothing pending: min_complete cannot be met, and the call does not wait for nothing.
    ensure!(
        ok(ring.submit_and_wait(2), "enter")? == 0,
        "phantom completions"
    );
    // A non-blocking fd completes with EAGAIN instead of waiting.
    ok(sys::set_nonblock(r, true), "set_nonblock")?;
    ok(
        ring.push(sqe(op::READ, r, ring.data_addr(0), 8, 43)),
        "push",
    )?;
    ensure!(ok(ring.submit_and_wait(1), "enter")? == 1, "no completion");
    let c = ring.pop().ok_or("no completion")?;
    ensure!(c.res == Errno::Again.ret() as i64, "{c:?}");
    ok(sys::close(r), "close")?;
    ok(sys::close(w), "close")
}

pub const TESTS: &[Test] = &[
    Test {
        name: "aio_nonblocking_sockets",
        question: "Do a non-blocking socket and fifo say EAGAIN, and EPIPE without a peer?",
        run: nonblocking_sockets,
    },
    Test {
        name: "aio_ring_echo",
        question: "Does one ring_enter submit a write, a nop and a read and return all three?",
        run: ring_echo,
    },
    Test {
        name: "aio_ring_bad_entries",
        question: "Are bad fds, buffers and ops completions with -errno, and bad calls errors?",
        run: ring_bad_entries,
    },
    Test {
        name: "aio_ring_full",
        question: "Does a full SQ refuse a push and a full CQ hold entries back until popped?",
        run: ring_full,
    },
    Test {
        name: "aio_ring_waits",
        question: "Does ring_enter sleep until min_complete operations finish, and only then?",
        run: ring_waits,
    },
];
