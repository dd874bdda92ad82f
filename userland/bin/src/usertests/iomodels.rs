//! The IO models' calls: non-blocking mode (`EAGAIN` instead of waiting), `poll` (readable,
//! writable, hang-up, bad fds, blocking until a thread writes), epoll instances (only the ready
//! descriptors, closed fds, bad arguments), finite timeouts of both (0 when the time has
//! passed, the events when they come first), what bad pointers do to them, and `sendfile`.

use abi::types::limits::PIPE_BUFFER;
use abi::types::{EpollEvent, PollFd, epoll, poll};
use alloc::vec;
use ulib::select::{self, FdSet};
use ulib::{Errno, raw, sys, thread};

use crate::harness::{Outcome, Test, check, expect_err, late_writer, ok};

fn pfd(fd: usize, events: u16) -> PollFd {
    PollFd {
        fd: fd as i32,
        events,
        revents: 0,
    }
}

fn nonblock() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    ok(sys::set_nonblock(r, true), "set_nonblock the read end")?;
    ok(sys::set_nonblock(w, true), "set_nonblock the write end")?;
    expect_err(
        sys::read(r, &mut [0u8; 4]),
        Errno::Again,
        "read an empty pipe",
    )?;
    let full = vec![7u8; PIPE_BUFFER];
    ensure!(
        ok(sys::write(w, &full), "fill the pipe")? == PIPE_BUFFER,
        "short fill"
    );
    expect_err(sys::write(w, b"x"), Errno::Again, "write a full pipe")?;
    let mut buf = [0u8; 4];
    ensure!(ok(sys::read(r, &mut buf), "read")? == 4, "short read");
    expect_err(
        sys::set_nonblock(99, true),
        Errno::BadF,
        "set_nonblock fd 99",
    )?;
    ok(sys::close(w), "close")?;
    // End of file is no EAGAIN: the pipe is drained, then 0.
    let mut rest = vec![0u8; PIPE_BUFFER];
    ok(sys::read(r, &mut rest), "drain")?;
    ensure!(
        ok(sys::read(r, &mut buf), "read at end")? == 0,
        "no end of file"
    );
    ok(sys::close(r), "close")
}

fn poll_states() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let mut fds = [
        pfd(r, poll::IN),
        pfd(w, poll::OUT),
        PollFd {
            fd: -1,
            events: poll::IN,
            revents: 0,
        },
        pfd(120, poll::IN),
    ];
    ensure!(ok(sys::poll(&mut fds, 0), "poll")? == 2, "want 2 ready");
    let got = fds.map(|p| p.revents);
    ensure!(
        got == [0, poll::OUT, 0, poll::NVAL],
        "revents {got:?}: want empty pipe writable only, -1 skipped, closed fd NVAL"
    );
    ok(sys::write(w, b"x"), "write")?;
    ok(sys::close(w), "close the writer")?;
    ensure!(ok(sys::poll(&mut fds[..1], 0), "poll")? == 1, "not ready");
    ensure!(
        fds[0].revents == poll::IN | poll::HUP,
        "revents {:#x}, want IN|HUP over a closed pipe",
        fds[0].revents
    );
    let (r2, w2) = ok(sys::pipe(), "pipe")?;
    ok(sys::close(r2), "close the reader")?;
    let mut wfd = [pfd(w2, poll::OUT)];
    ok(sys::poll(&mut wfd, 0), "poll")?;
    ensure!(
        wfd[0].revents == poll::OUT | poll::ERR,
        "revents {:#x}, want OUT|ERR without a reader",
        wfd[0].revents
    );
    // select is poll underneath.
    let (mut rd, mut wr) = (FdSet::new(), FdSet::new());
    rd.insert(r);
    wr.insert(w2);
    let n = ok(select::select(&mut rd, &mut wr, 0, &mut vec![]), "select")?;
    ensure!(
        n == 2 && rd.contains(r) && wr.contains(w2),
        "select saw {n}"
    );
    ok(sys::close(w2), "close")?;
    ok(sys::close(r), "close")
}

fn poll_blocks() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let (r2, _w2) = ok(sys::pipe(), "pipe")?;
    let t = ok(thread::spawn(late_writer, w), "spawn the writer")?;
    let mut fds = [pfd(r2, poll::IN), pfd(r, poll::IN)];
    let n = ok(sys::poll(&mut fds, poll::FOREVER), "poll forever")?;
    ensure!(
        n == 1 && fds[1].revents == poll::IN && fds[0].revents == 0,
        "poll woke with {n}: {fds:?}"
    );
    ensure!(ok(t.join(), "join")? == 0, "the writer failed");
    let ep = ok(sys::epoll_create(), "epoll_create")?;
    let mut b = [0u8; 1];
    ok(sys::read(r, &mut b), "read")?;
    ok(sys::epoll_ctl(ep, epoll::ADD, r, poll::IN), "epoll add")?;
    ok(sys::epoll_ctl(ep, epoll::ADD, r2, poll::IN), "epoll add")?;
    let t = ok(thread::spawn(late_writer, w), "spawn the writer")?;
    let mut out = [EpollEvent::default(); 4];
    let n = ok(sys::epoll_wait(ep, &mut out, poll::FOREVER), "epoll_wait")?;
    ensure!(
        n == 1 && out[0].fd == r as i32 && out[0].events == u32::from(poll::IN),
        "epoll_wait woke with {n}: {:?}",
        out[0]
    );
    ensure!(ok(t.join(), "join")? == 0, "the writer failed");
    for fd in [ep, r, w, r2, _w2] {
        ok(sys::close(fd), "close")?;
    }
    Ok(())
}

/// The timeout of the timeout tests: 1 ms of the `clock`.
const TIMEOUT_NS: usize = 1_000_000;

/// Waits on an empty pipe's read end with [`TIMEOUT_NS`] through `wait` (`poll` or
/// `epoll_wait`, set up on `r`): it must return 0 and not before the time has passed.
fn times_out(what: &str, wait: &mut dyn FnMut() -> Result<usize, Errno>) -> Outcome {
    let start = sys::clock();
    let n = ok(wait(), what)?;
    let waited = sys::clock() - start;
    ensure!(n == 0, "{what} saw {n} events in an empty pipe");
    ensure!(
        waited >= TIMEOUT_NS as u64,
        "{what} returned after {waited} ns, before its {TIMEOUT_NS} ns"
    );
    Ok(())
}

fn poll_timeout() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let mut fds = [pfd(r, poll::IN)];
    times_out("poll", &mut || sys::poll(&mut fds, TIMEOUT_NS))?;
    ensure!(fds[0].revents == 0, "revents {:#x}", fds[0].revents);
    // Twice: the first call's deadline is not the second's.
    times_out("poll again", &mut || sys::poll(&mut fds, TIMEOUT_NS))?;
    let ep = ok(sys::epoll_create(), "epoll_create")?;
    ok(sys::epoll_ctl(ep, epoll::ADD, r, poll::IN), "epoll add")?;
    let mut out = [EpollEvent::default(); 2];
    times_out("epoll_wait", &mut || {
        sys::epoll_wait(ep, &mut out, TIMEOUT_NS)
    })?;
    for fd in [ep, r, w] {
        ok(sys::close(fd), "close")?;
    }
    Ok(())
}

/// A thread body that writes one byte to the fd it is given at once.
fn writer(fd: usize) -> i32 {
    match sys::write(fd, b"!") {
        Ok(1) => 0,
        _ => 1,
    }
}

fn poll_timeout_early() -> Outcome {
    // A long timeout (10 s): the data comes long before it.
    const LONG: usize = 10_000_000_000;
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let start = sys::clock();
    let t = ok(thread::spawn(late_writer, w), "spawn the writer")?;
    let mut fds = [pfd(r, poll::IN)];
    let n = ok(sys::poll(&mut fds, LONG), "poll")?;
    let waited = sys::clock() - start;
    ensure!(
        n == 1 && fds[0].revents == poll::IN,
        "poll woke with {n}: {fds:?}"
    );
    ensure!(
        waited < LONG as u64,
        "poll returned after {waited} ns: it waited for the timeout"
    );
    ensure!(ok(t.join(), "join")? == 0, "the writer failed");
    ok(sys::read(r, &mut [0u8; 1]), "read")?;
    // Data there already: no wait at all.
    ok(sys::write(w, b"x"), "write")?;
    ensure!(ok(sys::poll(&mut fds, LONG), "poll")? == 1, "data not seen");
    ok(sys::read(r, &mut [0u8; 1]), "read")?;
    let ep = ok(sys::epoll_create(), "epoll_create")?;
    ok(sys::epoll_ctl(ep, epoll::ADD, r, poll::IN), "epoll add")?;
    let start = sys::clock();
    let t = ok(thread::spawn(writer, w), "spawn the writer")?;
    let mut out = [EpollEvent::default(); 2];
    let n = ok(sys::epoll_wait(ep, &mut out, LONG), "epoll_wait")?;
    let waited = sys::clock() - start;
    ensure!(
        n == 1 && out[0].fd == r as i32 && out[0].events == u32::from(poll::IN),
        "epoll_wait woke with {n}: {:?}",
        out[0]
    );
    ensure!(
        waited < LONG as u64,
        "epoll_wait returned after {waited} ns: it waited for the timeout"
    );
    ensure!(ok(t.join(), "join")? == 0, "the writer failed");
    // After an early return, a new call's timeout is its own: it still times out.
    ok(sys::read(r, &mut [0u8; 1]), "read")?;
    times_out("epoll_wait after", &mut || {
        sys::epoll_wait(ep, &mut out, TIMEOUT_NS)
    })?;
    for fd in [ep, r, w] {
        ok(sys::close(fd), "close")?;
    }
    Ok(())
}

fn epoll_errors() -> Outcome {
    let ep = ok(sys::epoll_create(), "epoll_create")?;
    let (r, w) = ok(sys::pipe(), "pipe")?;
    expect_err(
        sys::epoll_ctl(ep, epoll::ADD, 130, poll::IN),
        Errno::BadF,
        "add a closed fd",
    )?;
    expect_err(
        sys::epoll_ctl(ep, epoll::ADD, 1, poll::OUT),
        Errno::Perm,
        "add the console",
    )?;
    expect_err(
        sys::epoll_ctl(r, epoll::ADD, w, poll::OUT),
        Errno::Inval,
        "a pipe as the instance",
    )?;
    expect_err(
        sys::epoll_ctl(ep, epoll::MOD, r, poll::IN),
        Errno::NoEnt,
        "change what is not there",
    )?;
    ok(sys::epoll_ctl(ep, epoll::ADD, r, poll::IN), "add")?;
    expect_err(
        sys::epoll_ctl(ep, epoll::ADD, r, poll::IN),
        Errno::Exist,
        "add twice",
    )?;
    let mut out = [EpollEvent::default(); 2];
    expect_err(
        sys::epoll_wait(r, &mut out, 0),
        Errno::Inval,
        "wait on a pipe",
    )?;
    expect_err(sys::epoll_wait(ep, &mut [], 0), Errno::Inval, "wait for 0")?;
    ensure!(
        ok(sys::epoll_wait(ep, &mut out, 1000), "a 1 µs timeout")? == 0,
        "events from an empty pipe"
    );
    // Data, then the registered fd closed: the wait forgets it.
    ok(sys::write(w, b"x"), "write")?;
    ok(sys::close(r), "close the registered fd")?;
    ensure!(
        ok(sys::epoll_wait(ep, &mut out, 0), "wait")? == 0,
        "a closed fd reported ready"
    );
    ok(sys::close(ep), "close the instance")?;
    expect_err(
        sys::epoll_wait(ep, &mut out, 0),
        Errno::BadF,
        "wait on a closed instance",
    )?;
    ok(sys::close(w), "close")
}

fn bad_pointers() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    ok(sys::write(w, b"x"), "write")?;
    let ep = ok(sys::epoll_create(), "epoll_create")?;
    ok(sys::epoll_ctl(ep, epoll::ADD, r, poll::IN), "add")?;
    for addr in [0usize, abi::layout::USER_TOP, usize::MAX - 3] {
        // Safety: the kernel must refuse the pointer, not use it.
        let got = check(unsafe { raw::poll(addr, 2, 0) });
        expect_err(got, Errno::Fault, format_args!("poll at {addr:#x}"))?;
        // Safety: as above.
        let got = check(unsafe { raw::epoll_wait(ep, addr, 2, 0) });
        expect_err(got, Errno::Fault, format_args!("epoll_wait at {addr:#x}"))?;
    }
    // Safety: no memory is touched for a count the kernel refuses first.
    let got = check(unsafe { raw::poll(0, poll::MAX + 1, 0) });
    expect_err(got, Errno::Inval, "poll of too many")?;
    // The good calls still work: nothing was consumed.
    let mut out = [EpollEvent::default(); 2];
    ensure!(
        ok(sys::epoll_wait(ep, &mut out, 0), "wait")? == 1,
        "the ready pipe got lost"
    );
    for fd in [ep, r, w] {
        ok(sys::close(fd), "close")?;
    }
    Ok(())
}

fn sendfile() -> Outcome {
    let f = ok(
        sys::open("/data/1M", abi::types::open::RDONLY),
        "open /data/1M",
    )?;
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let n = ok(sys::sendfile(w, f, 100), "sendfile")?;
    ensure!(n == 100, "moved {n} bytes, want 100");
    let mut via_pipe = [0u8; 100];
    ensure!(
        ok(sys::read(r, &mut via_pipe), "read")? == 100,
        "short read"
    );
    let g = ok(
        sys::open("/data/1M", abi::types::open::RDONLY),
        "open again",
    )?;
    let mut direct = [0u8; 100];
    ok(ulib::io::read_full(g, &mut direct), "read the file")?;
    ensure!(
        via_pipe == direct,
        "the pipe's bytes differ from the file's"
    );
    ensure!(
        ok(sys::seek(f, 0, abi::types::seek::CUR), "seek")? == 100,
        "the offset did not advance"
    );
    expect_err(sys::sendfile(f, w, 1), Errno::BadF, "into a file")?;
    expect_err(sys::sendfile(w, 0, 1), Errno::Inval, "from the console")?;
    expect_err(sys::sendfile(w, 200, 1), Errno::BadF, "from a closed fd")?;
    ok(sys::close(r), "close the reader")?;
    expect_err(sys::sendfile(w, f, 1), Errno::Pipe, "without a reader")?;
    for fd in [f, g, w] {
        ok(sys::close(fd), "close")?;
    }
    Ok(())
}

/// The tests.
pub const TESTS: &[Test] = &[
    Test {
        name: "io_nonblock",
        question: "Does a non-blocking pipe say EAGAIN where a blocking one would wait?",
        run: nonblock,
    },
    Test {
        name: "io_poll_states",
        question: "Does poll (and select over it) see data, room, hang-up, no reader, bad fds?",
        run: poll_states,
    },
    Test {
        name: "io_poll_blocks",
        question: "Do poll and epoll_wait block until another thread writes, then name its pipe?",
        run: poll_blocks,
    },
    Test {
        name: "io_poll_timeout",
        question: "Do poll and epoll_wait with a 1 ms timeout on an empty pipe return 0 once it passed?",
        run: poll_timeout,
    },
    Test {
        name: "io_poll_timeout_early",
        question: "Do poll and epoll_wait with a long timeout return the events as soon as they come?",
        run: poll_timeout_early,
    },
    Test {
        name: "io_epoll_errors",
        question: "Does epoll refuse closed, foreign and doubled fds and forget closed ones?",
        run: epoll_errors,
    },
    Test {
        name: "io_bad_pointers",
        question: "Are poll and epoll_wait with bad pointers EFAULT, consuming nothing?",
        run: bad_pointers,
    },
    Test {
        name: "io_sendfile",
        question: "Does sendfile move a file's bytes into a pipe, and refuse wrong fds?",
        run: sendfile,
    },
];
