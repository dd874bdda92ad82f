//! The IO models (family `io`): an echo service answering N clients, each on its own pair of
//! pipes (a request pipe and a reply pipe); op = one request of 1 byte answered with 1 byte.
//! The clients are played by the measuring thread, round robin over the N channels (channel
//! `k mod N` for request `k`), so exactly one request is in flight: what is measured is what the
//! server's model costs to notice it and answer, with N descriptors to watch.
//!
//! The server runs in the same process as the clients (a thread, or N threads), because a child
//! process inherits only fds 0–2 and the channels are 2N pipes — except `procs`, whose N server
//! processes each get one channel as their stdin and stdout. Models:
//! - `procs`: a server process per channel (`@io-echo`), blocking reads (N + 1 processes);
//! - `threads`: a blocking thread per channel (1:1);
//! - `poll`: one thread in `poll` over the N request pipes (the scan is O(N) per call);
//! - `select`: the same through `ulib::select` (bitmaps over `poll`);
//! - `epoll`: one thread in `epoll_wait`, every pipe registered once;
//! - `coro`: a coroutine per channel on non-blocking pipes (N:1), resumed by an epoll loop when
//!   its pipe is ready; a coroutine reads until `EAGAIN` and suspends;
//! - `async`: one thread and an asynchronous IO ring (`ulib::ring`) holding a read of every
//!   request pipe in flight; per request one `ring_enter` submits the reply's write and the
//!   channel's next read and waits for the write's completion and the next request.
//!
//! The clients close their request pipes at the end; the server ends when every channel has
//! reached end of file, and its status is checked.
//!
//! Also here: `thread-create` (spawn + join of a thread that returns at once), `coro-create`
//! (make a coroutine, run it to its end, free it), and `copy-1m` / `sendfile-1m`: a 1 MiB file
//! into a pipe drained by a child (`@drain-ack`), by `read` + `write` or by `sendfile`.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

use abi::ring::{Sqe, op};
use abi::types::limits::FDS;
use abi::types::{EpollEvent, PollFd, epoll, poll};
use ulib::coro::Coroutine;
use ulib::ring::Ring;
use ulib::select::{self, FdSet};
use ulib::{Errno, sys, thread};

use super::harness::{Outcome, Report, close, fail, measure, ok, reap, spawn_role, stdio};

/// Bytes of a server coroutine's stack.
const CORO_STACK: usize = 16 * 1024;

/// The server's model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Model {
    Procs,
    Threads,
    Poll,
    Select,
    Epoll,
    Coro,
    Async,
}

/// The N channels: request pipes (clients write, server reads) and reply pipes (server writes,
/// clients read), indexed by channel.
struct Channels {
    req_r: Vec<usize>,
    req_w: Vec<usize>,
    rep_r: Vec<usize>,
    rep_w: Vec<usize>,
}

/// The largest N: four fds per channel, next to stdio and an epoll fd, in one fd table.
const MAX_N: u64 = (FDS as u64 - 4) / 4;

fn channels(n: usize) -> Outcome<Channels> {
    let mut c = Channels {
        req_r: vec![],
        req_w: vec![],
        rep_r: vec![],
        rep_w: vec![],
    };
    for _ in 0..n {
        let (r, w) = ok(sys::pipe(), "pipe")?;
        c.req_r.push(r);
        c.req_w.push(w);
        let (r, w) = ok(sys::pipe(), "pipe")?;
        c.rep_r.push(r);
        c.rep_w.push(w);
    }
    Ok(c)
}

/// `io-threads`, `io-poll`, … with `N` = `params[0]` channels.
fn echo(model: Model, n: u64, params: &[u64]) -> Outcome<Report> {
    let clients = params[0];
    ensure!(
        (1..=MAX_N).contains(&clients),
        "N is {clients}, want 1..={MAX_N}"
    );
    let ch: &'static Channels = Box::leak(Box::new(channels(clients as usize)?));
    let (servers, procs) = match model {
        Model::Procs => (vec![], spawn_procs(ch)?),
        _ => (start(model, ch)?, vec![]),
    };
    let mut k = 0usize;
    let mut seq = 0u8;
    let mut answer = [0u8; 1];
    let mut request = || {
        let i = k % ch.req_w.len();
        k += 1;
        seq = seq.wrapping_add(1);
        if sys::write(ch.req_w[i], &[seq]) != Ok(1) {
            return fail(format_args!("write request {k}"));
        }
        match sys::read(ch.rep_r[i], &mut answer) {
            Ok(1) if answer[0] == seq.wrapping_add(1) => Ok(()),
            r => fail(format_args!("reply {k} on channel {i}: {r:?} {answer:?}")),
        }
    };
    let counts = measure(clients, n, &mut request)?;
    for &w in &ch.req_w {
        close(w)?;
    }
    for t in servers {
        let status = ok(t.join(), "join the server")?;
        ensure!(status == 0, "the server ended with status {status}");
    }
    for pid in procs {
        reap(pid, "a server process")?;
    }
    for &fd in ch.req_r.iter().chain(&ch.rep_r).chain(&ch.rep_w) {
        close(fd)?;
    }
    Ok(Report::new(n, counts))
}

/// Starts the server threads of `model` over `ch`.
fn start(model: Model, ch: &'static Channels) -> Outcome<Vec<thread::Thread>> {
    let arg = ch as *const Channels as usize;
    let body: fn(usize) -> i32 = match model {
        Model::Procs => return Ok(vec![]),
        Model::Threads => {
            let mut ts = vec![];
            for i in 0..ch.req_r.len() {
                // The channel's two fds travel in one word.
                let pair = ch.req_r[i] | ch.rep_w[i] << 32;
                ts.push(ok(
                    thread::spawn(per_channel, pair),
                    "spawn a server thread",
                )?);
            }
            return Ok(ts);
        }
        Model::Poll => serve_poll,
        Model::Select => serve_select,
        Model::Epoll => serve_epoll,
        Model::Coro => serve_coro,
        Model::Async => serve_async,
    };
    Ok(vec![ok(thread::spawn(body, arg), "spawn the server")?])
}

/// The child role of `io-procs`: `@io-echo`, one channel on stdin and stdout.
pub const ECHO_PROC: &str = "@io-echo";

/// Spawns a server process per channel (its request pipe as stdin, its reply pipe as stdout).
fn spawn_procs(ch: &Channels) -> Outcome<Vec<usize>> {
    let mut pids = vec![];
    for i in 0..ch.req_r.len() {
        pids.push(spawn_role(
            ECHO_PROC,
            &[],
            stdio(Some(ch.req_r[i]), Some(ch.rep_w[i])),
        )?);
    }
    Ok(pids)
}

/// `@io-echo`: answers every byte of stdin with the next byte value on stdout, until end of file.
pub fn echo_proc(_: &[u64]) -> Outcome {
    match per_channel(1 << 32) {
        0 => Ok(()),
        status => fail(format_args!("the echo loop ended with {status}")),
    }
}

/// `io-procs-N`.
pub fn procs(n: u64, p: &[u64]) -> Outcome<Report> {
    echo(Model::Procs, n, p)
}

/// The channels a server thread is given.
fn channels_of(arg: usize) -> &'static Channels {
    // Safety: `arg` is the address of the leaked `Channels` of `start`, never freed.
    unsafe { &*(arg as *const Channels) }
}

/// Answers one request waiting on channel `i`: `Ok(false)` at end of file.
fn answer(ch: &Channels, i: usize) -> Result<bool, Errno> {
    let mut b = [0u8; 1];
    match sys::read(ch.req_r[i], &mut b)? {
        0 => Ok(false),
        _ => {
            sys::write(ch.rep_w[i], &[b[0].wrapping_add(1)])?;
            Ok(true)
        }
    }
}

/// A thread per channel: blocking reads.
fn per_channel(pair: usize) -> i32 {
    let (r, w) = (pair & 0xffff_ffff, pair >> 32);
    let mut b = [0u8; 1];
    loop {
        match sys::read(r, &mut b) {
            Ok(0) => return 0,
            Ok(_) => {
                if sys::write(w, &[b[0].wrapping_add(1)]).is_err() {
                    return 2;
                }
            }
            Err(_) => return 1,
        }
    }
}

fn serve_poll(arg: usize) -> i32 {
    let ch = channels_of(arg);
    let mut set: Vec<PollFd> = ch
        .req_r
        .iter()
        .map(|&fd| PollFd {
            fd: fd as i32,
            events: poll::IN,
            revents: 0,
        })
        .collect();
    let mut open = set.len();
    while open > 0 {
        if sys::poll(&mut set, poll::FOREVER).is_err() {
            return 1;
        }
        for (i, p) in set.iter_mut().enumerate() {
            if p.revents == 0 {
                continue;
            }
            match answer(ch, i) {
                Ok(true) => {}
                Ok(false) => {
                    p.fd = -1;
                    open -= 1;
                }
                Err(_) => return 2,
            }
        }
    }
    0
}

fn serve_select(arg: usize) -> i32 {
    let ch = channels_of(arg);
    let mut open = FdSet::new();
    ch.req_r.iter().for_each(|&fd| open.insert(fd));
    let mut left = ch.req_r.len();
    let mut scratch = Vec::new();
    let none = &mut FdSet::new();
    while left > 0 {
        let mut rd = open;
        if select::select(&mut rd, none, poll::FOREVER, &mut scratch).is_err() {
            return 1;
        }
        for (i, &fd) in ch.req_r.iter().enumerate() {
            if !rd.contains(fd) {
                continue;
            }
            match answer(ch, i) {
                Ok(true) => {}
                Ok(false) => {
                    let mut rest = FdSet::new();
                    open.iter()
                        .filter(|&f| f != fd)
                        .for_each(|f| rest.insert(f));
                    open = rest;
                    left -= 1;
                }
                Err(_) => return 2,
            }
        }
    }
    0
}

/// An epoll instance with every request pipe registered, and the channel of each fd.
fn register(ch: &Channels) -> Result<(usize, Vec<usize>), Errno> {
    let ep = sys::epoll_create()?;
    let mut chan_of = vec![0; FDS];
    for (i, &fd) in ch.req_r.iter().enumerate() {
        sys::epoll_ctl(ep, epoll::ADD, fd, poll::IN)?;
        chan_of[fd] = i;
    }
    Ok((ep, chan_of))
}

fn serve_epoll(arg: usize) -> i32 {
    let ch = channels_of(arg);
    let Ok((ep, chan_of)) = register(ch) else {
        return 3;
    };
    let mut out = [EpollEvent::default(); poll::EPOLL_BATCH];
    let mut open = ch.req_r.len();
    while open > 0 {
        let Ok(n) = sys::epoll_wait(ep, &mut out, poll::FOREVER) else {
            return 1;
        };
        for e in &out[..n] {
            let fd = e.fd as usize;
            match answer(ch, chan_of[fd]) {
                Ok(true) => {}
                Ok(false) => {
                    let _ = sys::epoll_ctl(ep, epoll::DEL, fd, 0);
                    open -= 1;
                }
                Err(_) => return 2,
            }
        }
    }
    let _ = sys::close(ep);
    0
}

fn serve_coro(arg: usize) -> i32 {
    let ch = channels_of(arg);
    let Ok((ep, chan_of)) = register(ch) else {
        return 3;
    };
    let mut coros: Vec<Coroutine> = Vec::new();
    for i in 0..ch.req_r.len() {
        let (r, w) = (ch.req_r[i], ch.rep_w[i]);
        if sys::set_nonblock(r, true).is_err() {
            return 4;
        }
        coros.push(Coroutine::new(CORO_STACK, move |y| {
            let mut b = [0u8; 1];
            loop {
                match sys::read(r, &mut b) {
                    Ok(0) => return,
                    Ok(_) => {
                        if sys::write(w, &[b[0].wrapping_add(1)]).is_err() {
                            return;
                        }
                    }
                    Err(Errno::Again) => y.suspend(),
                    Err(_) => return,
                }
            }
        }));
    }
    // Each runs to its first EAGAIN; then the loop resumes the ones whose pipe is ready.
    for c in coros.iter_mut() {
        if !c.resume() {
            return 5;
        }
    }
    let mut out = [EpollEvent::default(); poll::EPOLL_BATCH];
    let mut open = coros.len();
    while open > 0 {
        let Ok(n) = sys::epoll_wait(ep, &mut out, poll::FOREVER) else {
            return 1;
        };
        for e in &out[..n] {
            let fd = e.fd as usize;
            if !coros[chan_of[fd]].resume() {
                let _ = sys::epoll_ctl(ep, epoll::DEL, fd, 0);
                open -= 1;
            }
        }
    }
    let _ = sys::close(ep);
    0
}

/// `io-threads-N`.
pub fn threads(n: u64, p: &[u64]) -> Outcome<Report> {
    echo(Model::Threads, n, p)
}

/// `io-poll-N`.
pub fn poll_model(n: u64, p: &[u64]) -> Outcome<Report> {
    echo(Model::Poll, n, p)
}

/// `io-select-N`.
pub fn select_model(n: u64, p: &[u64]) -> Outcome<Report> {
    echo(Model::Select, n, p)
}

/// `io-epoll-N`.
pub fn epoll_model(n: u64, p: &[u64]) -> Outcome<Report> {
    echo(Model::Epoll, n, p)
}

/// `io-coro-N`.
pub fn coro(n: u64, p: &[u64]) -> Outcome<Report> {
    echo(Model::Coro, n, p)
}

/// `io-async-N`.
pub fn async_model(n: u64, p: &[u64]) -> Outcome<Report> {
    echo(Model::Async, n, p)
}

/// A completion's `user_data` for the reply write of channel `i` (a read's is `i`).
const WRITE_TAG: u64 = 1 << 32;

/// One thread over a ring: reads of channel `i` land in data byte `i`, replies leave from byte
/// `N + i`.
fn serve_async(arg: usize) -> i32 {
    let ch = channels_of(arg);
    let n = ch.req_r.len();
    let entries = (2 * n).next_power_of_two().min(abi::ring::MAX_ENTRIES);
    let Ok(mut ring) = Ring::new(entries, 2 * n) else {
        return 3;
    };
    let read = |ring: &Ring, i: usize| Sqe {
        op: op::READ,
        fd: ch.req_r[i] as i32,
        addr: ring.data_addr(i) as u64,
        len: 1,
        user_data: i as u64,
    };
    for i in 0..n {
        if ring.push(read(&ring, i)).is_err() {
            return 4;
        }
    }
    let mut open = n;
    // Completions to wait for: the writes just queued, and the next request.
    let mut want = 1;
    while open > 0 {
        if ring.submit_and_wait(want.min(open)).is_err() {
            return 1;
        }
        want = 1;
        while let Some(c) = ring.pop() {
            if c.user_data & WRITE_TAG != 0 {
                if c.res != 1 {
                    return 2;
                }
                continue;
            }
            let i = c.user_data as usize;
            match c.res {
                0 => open -= 1,
                1 => {
                    let b = ring.data(i, 1)[0];
                    ring.data(n + i, 1)[0] = b.wrapping_add(1);
                    let write = Sqe {
                        op: op::WRITE,
                        fd: ch.rep_w[i] as i32,
                        addr: ring.data_addr(n + i) as u64,
                        len: 1,
                        user_data: WRITE_TAG | i as u64,
                    };
                    if ring.push(write).is_err() || ring.push(read(&ring, i)).is_err() {
                        return 5;
                    }
                    want += 1;
                }
                _ => return 6,
            }
        }
    }
    0
}

fn returns_at_once(arg: usize) -> i32 {
    arg as i32
}

/// `thread-create`: op = spawn a thread that returns at once, and join it.
pub fn thread_create(n: u64, _: &[u64]) -> Outcome<Report> {
    let counts = measure(n.min(10), n, || {
        let t = ok(thread::spawn(returns_at_once, 0), "spawn a thread")?;
        ensure!(ok(t.join(), "join")? == 0, "the thread's status");
        Ok(())
    })?;
    Ok(Report::new(n, counts))
}

/// `coro-create`: op = make a coroutine, run it to its end (one resume), free it.
pub fn coro_create(n: u64, _: &[u64]) -> Outcome<Report> {
    let counts = measure(n.min(10), n, || {
        let mut c = Coroutine::new(CORO_STACK, |_| {});
        ensure!(!c.resume(), "the coroutine did not end");
        Ok(())
    })?;
    Ok(Report::new(n, counts))
}

/// The draining role: `@drain-ack BYTES` reads stdin and writes one byte on stdout per BYTES
/// bytes read, until end of input.
pub const DRAIN: &str = "@drain-ack";

/// Bytes of the file `copy-1m` and `sendfile-1m` move.
const FILE_BYTES: u64 = 1 << 20;

/// `@drain-ack BYTES`.
pub fn drain(params: &[u64]) -> Outcome {
    let unit = params[0].max(1);
    let mut buf = vec![0u8; 64 * 1024];
    let mut got = 0u64;
    loop {
        let n = ok(sys::read(abi::types::fd::STDIN, &mut buf), "read")? as u64;
        if n == 0 {
            return Ok(());
        }
        got += n;
        while got >= unit {
            got -= unit;
            ok(sys::write(abi::types::fd::STDOUT, b"!"), "ack")?;
        }
    }
}

/// `copy-1m` (`zero_copy` false: read + write through a 64 KiB user buffer) and `sendfile-1m`:
/// op = /data/1M into a pipe, drained (and acknowledged) by a child.
fn file_to_pipe(n: u64, zero_copy: bool) -> Outcome<Report> {
    use super::harness::{get_byte, reap, spawn_role, stdio};
    let f = ok(
        sys::open("/data/1M", abi::types::open::RDONLY),
        "open /data/1M",
    )?;
    let size = ok(sys::fstat(f), "fstat")?.size;
    ensure!(size == FILE_BYTES, "/data/1M has {size} bytes");
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let (ack_r, ack_w) = ok(sys::pipe(), "pipe")?;
    let unit = alloc::format!("{FILE_BYTES}");
    let child = spawn_role(DRAIN, &[&unit], stdio(Some(r), Some(ack_w)))?;
    close(r)?;
    close(ack_w)?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut op = || {
        ok(sys::seek(f, 0, abi::types::seek::SET), "seek")?;
        loop {
            let moved = if zero_copy {
                ok(sys::sendfile(w, f, FILE_BYTES as usize), "sendfile")?
            } else {
                let got = ok(sys::read(f, &mut buf), "read the file")?;
                ok(ulib::io::write_all(w, &buf[..got]), "write the pipe")?;
                got
            };
            if moved == 0 {
                break;
            }
        }
        match get_byte(ack_r)? {
            Some(b'!') => Ok(()),
            other => fail(format_args!("the drain answered {other:?}")),
        }
    };
    let counts = measure(1, n, &mut op)?;
    close(w)?;
    ensure!(get_byte(ack_r)?.is_none(), "the drain acked too much");
    close(ack_r)?;
    close(f)?;
    reap(child, "the drain child")?;
    Ok(Report::new(n, counts))
}

/// `copy-1m`.
pub fn copy_1m(n: u64, _: &[u64]) -> Outcome<Report> {
    file_to_pipe(n, false)
}

/// `sendfile-1m`.
pub fn sendfile_1m(n: u64, _: &[u64]) -> Outcome<Report> {
    file_to_pipe(n, true)
}
