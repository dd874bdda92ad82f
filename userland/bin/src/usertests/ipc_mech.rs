//! IPC mechanisms (issue 16): named pipes shared by name between processes, socket pairs
//! carrying bytes both ways, and futexes with the mutex and semaphore `ulib` builds on them —
//! each with its errors: bad pointers (`EFAULT`), closed fds (`EBADF`), a fifo or socket with
//! no reader (`EPIPE`), a futex word that moved (`EAGAIN`) or is misaligned (`EINVAL`).

use alloc::format;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use abi::types::limits::{MQ_MESSAGES, MQ_MSG_MAX};
use abi::types::{kind, open};
use ulib::futex::{Mutex, Semaphore};
use ulib::{Errno, io, raw, sys, thread};

use crate::harness::{
    BAD_ADDRESSES, Outcome, Test, check, expect_err, fresh_dir, ok, reap, spawn_victim,
};

/// A child opens fifo A to read and fifo B to write and echoes A into B; the parent talks to it
/// through the names alone.
fn fifo_echo() -> Outcome {
    let dir = fresh_dir("fifo_echo")?;
    let (a, b) = (format!("{dir}/a"), format!("{dir}/b"));
    let (a, b) = (a.as_str(), b.as_str());
    ok(sys::mkfifo(a), "mkfifo a")?;
    ok(sys::mkfifo(b), "mkfifo b")?;
    let pid = spawn_victim(&["fifo_echo", a, b], None)?;
    // Opened in the child's order: until an end's peer opens once, I/O on it waits.
    let to = ok(sys::open(a, open::WRONLY), "open a for writing")?;
    let from = ok(sys::open(b, open::RDONLY), "open b for reading")?;
    for msg in [&b"ping"[..], b"a longer second message"] {
        ok(io::write_all(to, msg), "write to the child")?;
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        while got.len() < msg.len() {
            let n = ok(sys::read(from, &mut buf), "read the echo")?;
            ensure!(n > 0, "end of file before the echo");
            got.extend_from_slice(&buf[..n]);
        }
        ensure!(got == msg, "the echo differs: {got:?}");
    }
    ok(sys::close(to), "close a")?;
    let mut buf = [0u8; 8];
    ensure!(
        ok(sys::read(from, &mut buf), "read b at the end")? == 0,
        "no end of file once the child closed b"
    );
    ok(sys::close(from), "close b")?;
    let status = reap(pid)?;
    ensure!(status == 0, "the echo child failed (status {status})");
    ok(sys::unlink(a), "unlink a")?;
    ok(sys::unlink(b), "unlink b")?;
    ok(sys::unlink(&dir), "unlink the directory")
}

fn fifo_errors() -> Outcome {
    let dir = fresh_dir("fifo_errors")?;
    let path = format!("{dir}/f");
    let path = path.as_str();
    ok(sys::mkfifo(path), "mkfifo")?;
    expect_err(
        sys::mkfifo(path),
        Errno::Exist,
        "mkfifo of a name that exists",
    )?;
    expect_err(
        sys::open(path, open::RDWR),
        Errno::Inval,
        "open a fifo read-write",
    )?;
    let w = ok(sys::open(path, open::WRONLY), "open the write end")?;
    let r = ok(sys::open(path, open::RDONLY), "open the read end")?;
    let st = ok(sys::fstat(r), "fstat an end")?;
    ensure!(
        st.kind == kind::PIPE,
        "an end's kind is {}, want PIPE",
        st.kind
    );
    ok(sys::close(r), "close the only reader")?;
    expect_err(
        sys::write(w, b"x"),
        Errno::Pipe,
        "write a fifo nobody reads",
    )?;
    ok(sys::close(w), "close")?;
    expect_err(sys::write(w, b"x"), Errno::BadF, "write a closed fifo end")?;
    ok(sys::unlink(path), "unlink")?;
    expect_err(
        sys::open(path, open::RDONLY),
        Errno::NoEnt,
        "open an unlinked fifo",
    )?;
    ok(sys::unlink(&dir), "unlink the directory")?;
    for &(name, addr) in BAD_ADDRESSES {
        // Safety: the kernel must refuse the pointer.
        let r = check(unsafe { raw::mkfifo(addr, 8) });
        expect_err(r, Errno::Fault, format_args!("mkfifo with {name}"))?;
    }
    Ok(())
}

/// A child echoes its stdin to its stdout, both one socket of a pair.
fn socket_echo() -> Outcome {
    let (a, b) = ok(sys::socketpair(), "socketpair")?;
    let st = ok(sys::fstat(a), "fstat a socket")?;
    ensure!(st.kind == kind::SOCKET, "a socket's kind is {}", st.kind);
    let pid = spawn_victim(&["copy"], Some([b as i32, b as i32, -1]))?;
    ok(sys::close(b), "close the child's end")?;
    for msg in [&b"hello"[..], b"and back again"] {
        ok(io::write_all(a, msg), "write")?;
        let mut buf = [0u8; 64];
        let mut got = Vec::new();
        while got.len() < msg.len() {
            let n = ok(sys::read(a, &mut buf), "read the echo")?;
            ensure!(n > 0, "end of file before the echo");
            got.extend_from_slice(&buf[..n]);
        }
        ensure!(got == msg, "the echo differs: {got:?}");
    }
    ok(sys::close(a), "close")?;
    let status = reap(pid)?;
    ensure!(status == 0, "the copy child failed (status {status})");
    Ok(())
}

fn socket_errors() -> Outcome {
    let (a, b) = ok(sys::socketpair(), "socketpair")?;
    ok(sys::close(b), "close one end")?;
    let mut buf = [0u8; 4];
    ensure!(
        ok(sys::read(a, &mut buf), "read with the peer gone")? == 0,
        "no end of file with the peer gone"
    );
    expect_err(sys::write(a, b"x"), Errno::Pipe, "write with the peer gone")?;
    expect_err(sys::read(b, &mut buf), Errno::BadF, "read a closed socket")?;
    expect_err(sys::write(b, b"x"), Errno::BadF, "write a closed socket")?;
    ok(sys::close(a), "close")?;
    let before = ok(sys::dup(0), "dup")?;
    ok(sys::close(before), "close")?;
    for &(name, addr) in BAD_ADDRESSES {
        // Safety: the kernel must refuse the pointer.
        let r = check(unsafe { raw::socketpair(addr) });
        expect_err(r, Errno::Fault, format_args!("socketpair with {name}"))?;
    }
    let after = ok(sys::dup(0), "dup")?;
    ok(sys::close(after), "close")?;
    ensure!(before == after, "failed socketpairs leaked fds");
    Ok(())
}

fn futex_errors() -> Outcome {
    let word = AtomicU32::new(7);
    expect_err(
        sys::futex_wait(&word, 8),
        Errno::Again,
        "futex_wait on a moved word",
    )?;
    ensure!(
        ok(sys::futex_wake(&word, 5), "futex_wake")? == 0,
        "futex_wake with no waiter woke someone"
    );
    let misaligned = word.as_ptr() as usize + 2;
    // Safety: the kernel must refuse the address (misaligned).
    let r = check(unsafe { raw::futex_wait(misaligned, 7) });
    expect_err(r, Errno::Inval, "futex_wait on a misaligned word")?;
    // Safety: as above.
    let r = check(unsafe { raw::futex_wake(misaligned, 1) });
    expect_err(r, Errno::Inval, "futex_wake on a misaligned word")?;
    for &(name, addr) in BAD_ADDRESSES {
        // Safety: the kernel must refuse the pointer.
        let r = check(unsafe { raw::futex_wait(addr, 0) });
        expect_err(r, Errno::Fault, format_args!("futex_wait with {name}"))?;
        // Safety: as above.
        let r = check(unsafe { raw::futex_wake(addr, 1) });
        expect_err(r, Errno::Fault, format_args!("futex_wake with {name}"))?;
    }
    Ok(())
}

/// Threads in the race.
const RACERS: usize = 4;
/// Increments per racer.
const ROUNDS: usize = 500;

static LOCK: Mutex = Mutex::new();
/// Incremented without atomics (load, yield, store) under `LOCK`: only mutual exclusion keeps
/// every increment.
static COUNT: AtomicUsize = AtomicUsize::new(0);

fn racer(_: usize) -> i32 {
    for i in 0..ROUNDS {
        LOCK.lock();
        let v = COUNT.load(Ordering::Relaxed);
        if i % 3 == 0 {
            // Give the others a chance to find the lock held and sleep on it.
            sys::yield_now();
        }
        COUNT.store(v + 1, Ordering::Relaxed);
        LOCK.unlock();
    }
    0
}

fn futex_race() -> Outcome {
    COUNT.store(0, Ordering::Relaxed);
    let mut ts = Vec::new();
    for i in 0..RACERS {
        ts.push(ok(thread::spawn(racer, i), "spawn a racer")?);
    }
    for t in ts {
        ensure!(ok(t.join(), "join")? == 0, "a racer failed");
    }
    let got = COUNT.load(Ordering::Relaxed);
    ensure!(
        got == RACERS * ROUNDS,
        "the counter is {got}, want {}",
        RACERS * ROUNDS
    );
    Ok(())
}

static PING: Semaphore = Semaphore::new(0);
static PONG: Semaphore = Semaphore::new(0);
static TURNS: AtomicUsize = AtomicUsize::new(0);
/// Round trips of the semaphore test.
const TRIPS: usize = 50;

fn ponger(_: usize) -> i32 {
    for i in 0..TRIPS {
        PING.wait();
        // Strict alternation: the pinger's turn counter is exactly 2i + 1 here.
        if TURNS.fetch_add(1, Ordering::AcqRel) != 2 * i + 1 {
            return 1;
        }
        PONG.post();
    }
    0
}

fn semaphore_ping_pong() -> Outcome {
    TURNS.store(0, Ordering::Relaxed);
    let t = ok(thread::spawn(ponger, 0), "spawn the ponger")?;
    for i in 0..TRIPS {
        let turn = TURNS.fetch_add(1, Ordering::AcqRel);
        ensure!(turn == 2 * i, "turn {turn} at round {i}: no alternation");
        PING.post();
        PONG.wait();
    }
    ensure!(
        ok(t.join(), "join")? == 0,
        "the ponger saw the turns out of order"
    );
    ensure!(PING.value() == 0 && PONG.value() == 0, "units left over");
    Ok(())
}

/// A child sends one more message than the queue holds; the parent, receiving only once the
/// child must be blocked, gets every message whole and in order.
fn mq_full() -> Outcome {
    let q = ok(
        sys::mq_open("ut-mq-full", open::RDWR | open::CREAT),
        "mq_open",
    )?;
    let count = MQ_MESSAGES + 1;
    let pid = spawn_victim(&["mq_sender", "ut-mq-full", &format!("{count}")], None)?;
    // Let the child fill the queue and block on the last message.
    for _ in 0..20 {
        sys::yield_now();
    }
    let st = ok(sys::fstat(q), "fstat the queue")?;
    ensure!(st.kind == kind::MQUEUE, "a queue's kind is {}", st.kind);
    ensure!(
        st.size == MQ_MESSAGES as u64,
        "{} messages waiting, want a full queue of {MQ_MESSAGES}",
        st.size
    );
    let mut buf = [0u8; MQ_MSG_MAX];
    for i in 0..count {
        let n = ok(sys::mq_receive(q, &mut buf), "mq_receive")?;
        ensure!(n == i + 1, "message {i} is {n} bytes, want {}", i + 1);
        ensure!(
            buf[..n].iter().all(|&b| b == i as u8),
            "message {i} changed"
        );
    }
    let status = reap(pid)?;
    ensure!(status == 0, "the sender failed (status {status})");
    ok(sys::close(q), "close")
}

fn mq_errors() -> Outcome {
    expect_err(
        sys::mq_open("ut-mq-none", open::RDWR),
        Errno::NoEnt,
        "mq_open a missing queue",
    )?;
    let q = ok(sys::mq_open("ut-mq-e", open::RDWR | open::CREAT), "mq_open")?;
    expect_err(
        sys::mq_send(q, &[0; MQ_MSG_MAX + 1]),
        Errno::MsgSize,
        "mq_send too long",
    )?;
    ok(sys::mq_send(q, b"hello"), "mq_send")?;
    expect_err(
        sys::mq_receive(q, &mut [0; 2]),
        Errno::MsgSize,
        "mq_receive into 2 bytes",
    )?;
    let mut buf = [0u8; 8];
    ensure!(
        ok(sys::mq_receive(q, &mut buf), "mq_receive")? == 5,
        "the message shrank"
    );
    ensure!(&buf[..5] == b"hello", "the message changed");
    expect_err(sys::read(q, &mut buf), Errno::BadF, "read a queue")?;
    expect_err(sys::mq_send(0, b"x"), Errno::BadF, "mq_send to the console")?;
    for &(name, addr) in BAD_ADDRESSES {
        // Safety: the kernel must refuse the pointers.
        let r = check(unsafe { raw::mq_send(q, addr, 4) });
        expect_err(r, Errno::Fault, format_args!("mq_send from {name}"))?;
        // Safety: as above.
        let r = check(unsafe { raw::mq_open(addr, 4, open::CREAT) });
        expect_err(r, Errno::Fault, format_args!("mq_open with {name}"))?;
    }
    ok(sys::mq_send(q, b"x"), "mq_send")?;
    for &(name, addr) in BAD_ADDRESSES {
        // Safety: as above.
        let r = check(unsafe { raw::mq_receive(q, addr, 4) });
        expect_err(r, Errno::Fault, format_args!("mq_receive into {name}"))?;
    }
    ensure!(
        ok(sys::mq_receive(q, &mut buf), "mq_receive")? == 1,
        "a failed receive took the message"
    );
    ok(sys::close(q), "close")?;
    expect_err(
        sys::mq_send(q, b"x"),
        Errno::BadF,
        "mq_send to a closed queue",
    )?;
    expect_err(
        sys::mq_receive(q, &mut buf),
        Errno::BadF,
        "mq_receive from a closed queue",
    )?;
    expect_err(
        sys::mq_open("ut-mq-e", open::RDWR),
        Errno::NoEnt,
        "the last close removes a queue",
    )
}

/// The tests.
pub const TESTS: &[Test] = &[
    Test {
        name: "fifo_echo",
        question: "Do two processes that open two fifos by name talk through them, to end of file?",
        run: fifo_echo,
    },
    Test {
        name: "fifo_errors",
        question: "Is a fifo with no reader EPIPE, a closed end EBADF, a taken name EEXIST, \
                   a bad path pointer EFAULT?",
        run: fifo_errors,
    },
    Test {
        name: "socket_echo",
        question: "Does a socket pair carry bytes both ways between two processes?",
        run: socket_echo,
    },
    Test {
        name: "socket_errors",
        question: "With the peer gone, is a socket end of file and EPIPE; a closed one EBADF; \
                   a bad fds pointer EFAULT, leaking nothing?",
        run: socket_errors,
    },
    Test {
        name: "futex_errors",
        question: "Is a moved futex word EAGAIN, a misaligned one EINVAL, a bad one EFAULT, and \
                   a wake with no waiter 0?",
        run: futex_errors,
    },
    Test {
        name: "futex_race",
        question: "Do 4 threads x 500 unprotected read-yield-write increments under the futex \
                   mutex give exactly 2000?",
        run: futex_race,
    },
    Test {
        name: "futex_semaphore",
        question: "Do two threads alternate strictly for 50 round trips on two semaphores?",
        run: semaphore_ping_pong,
    },
    Test {
        name: "mq_full",
        question: "Does a sender block on a full queue, and do all its messages arrive whole and                    in order?",
        run: mq_full,
    },
    Test {
        name: "mq_errors",
        question: "Is a message too long EMSGSIZE (kept when the buffer is short), a closed or                    wrong fd EBADF, a bad pointer EFAULT?",
        run: mq_errors,
    },
];
