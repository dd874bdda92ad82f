//! `ipc L`: the raw IPC round trip on `micro` (`ulib::ipc`), with no words (L = 0) or with one
//! L-byte read lease that the server copies out whole with `lease_read`. One op is one round
//! trip: the client's `call` and the server's reply.
//!
//! The parent creates an endpoint and serves it with `reply_recv`, measuring; the child
//! (`bench @ipc-client EP L CALLS`) makes CALLS calls and exits. A watcher thread in the parent
//! waits for the child and reports its exit as a call on the endpoint ([`label::EXITED`]), so a
//! client that dies early ends the case with its status instead of leaving the server in `recv`
//! for good; the server lets it reach its `wait` before measuring. The server measures from holding one call to holding the N-th after it, so exactly
//! N round trips fall in the region.
//!
//! On a kernel without IPC (`mono`) the case measures the nearest equivalent instead, a pipe
//! round trip carrying max(L, 1) bytes to the server and one byte back ([`pipe::round_trips`]),
//! and says so in the result's note.

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

use ulib::ipc::{self, Lease, Message};
use ulib::{sys, thread};

use super::harness::{Outcome, Report, fail, measure, ok, spawn_role, warmup};
use super::pipe;

/// The client role: `@ipc-client EP L CALLS`.
pub const CLIENT: &str = "@ipc-client";
/// The largest lease.
const MAX_LEASE: u64 = 64 * 1024;
/// The note on a kernel without IPC.
const NO_IPC_NOTE: &str = "pipe round trip: this kernel has no IPC";
/// A byte the lease pattern never holds (it is `i % 251`).
const POISON: u8 = 0xff;

/// The labels of the benchmark's protocol, on its own endpoint.
mod label {
    /// Client → server: a round trip with no words and no leases.
    pub const NULL: u32 = 0x10;
    /// Client → server: a round trip with one read lease, which the server copies.
    pub const LEASE: u32 = 0x11;
    /// Watcher thread → server: the client has exited. Word 0 = 0 and word 1 = its status, or
    /// word 0 = 1 and word 1 = the errno `wait` failed with.
    pub const EXITED: u32 = 0x12;
    /// Reply label: as expected. (On a mismatch the server fails at once, which ends the run.)
    pub const OK: u32 = 0;
}

/// The watcher thread has started (and is about to wait for the client).
static WATCHING: AtomicBool = AtomicBool::new(false);

/// The byte at offset `i` of the leased buffer.
fn pattern(i: usize) -> u8 {
    (i % 251) as u8
}

/// `ipc L`: op = one round trip (see the module note).
pub fn round_trip(n: u64, params: &[u64]) -> Outcome<Report> {
    let bytes = params[0];
    ensure!(bytes <= MAX_LEASE, "L is {bytes}, at most {MAX_LEASE}");
    if !ipc::available() {
        let counts = pipe::round_trips(n, bytes as usize)?;
        let mut report = Report::new(n, counts);
        report.note = Some(NO_IPC_NOTE);
        return Ok(report);
    }
    let ep = ok(ipc::ep_create(), "ep_create")?;
    let warm = warmup(n);
    // The server holds one call before the warm-up and one after the region.
    let calls = format!("{}", warm + n + 1);
    let child = spawn_role(
        CLIENT,
        &[&format!("{ep}"), &format!("{bytes}"), &calls],
        None,
    )?;
    // Both ids fit in 32 bits (endpoints are small integers, pids are below `limits::PROCESSES`).
    let watcher = ok(
        thread::spawn(watch, child | ep << 32),
        "spawn the watcher thread",
    )?;
    // The IPC fast path switches between client and server without the run queue, so a watcher
    // that has not run yet would first run at some timer tick inside the region (its first
    // stack page fault and its `wait` counted there): let it block in `wait` now.
    while !WATCHING.load(Ordering::Acquire) {
        sys::yield_now();
    }
    sys::yield_now();
    let mut buf = vec![0u8; bytes as usize];
    let mut m = ok(ipc::recv(ep), format_args!("recv on endpoint {ep}"))?;
    let counts = measure(warm, n, || {
        let reply = answer(&m, &mut buf)?;
        m = ok(
            ipc::reply_recv(m.badge, reply, &[], ep),
            format_args!("reply_recv on endpoint {ep}"),
        )?;
        Ok(())
    })?;
    let reply = answer(&m, &mut buf)?;
    let m = ok(
        ipc::reply_recv(m.badge, reply, &[], ep),
        "reply_recv for the exit",
    )?;
    ensure!(
        m.tag.label() == label::EXITED,
        "a call after the client's last"
    );
    let _ = ipc::reply(m.badge, label::OK, &[]);
    ensure!(m.words[0] == 0, "wait for the client: errno {}", m.words[1]);
    ensure!(
        m.words[1] == 0,
        "the client exited with status {}",
        m.words[1] as u32 as i32
    );
    let status = ok(watcher.join(), "join the watcher thread")?;
    ensure!(status == 0, "the watcher thread ended with {status}");
    Ok(Report::new(n, counts))
}

/// The server's answer to call `m`: copies and spot-checks the lease of a [`label::LEASE`] call.
fn answer(m: &Message, buf: &mut [u8]) -> Outcome<u32> {
    match m.tag.label() {
        label::NULL if buf.is_empty() => Ok(label::OK),
        label::LEASE if !buf.is_empty() => {
            let last = buf.len() - 1;
            (buf[0], buf[last]) = (POISON, POISON);
            match ipc::lease_read(m.badge, 0, 0, buf) {
                Ok(got)
                    if got == buf.len() && buf[0] == pattern(0) && buf[last] == pattern(last) =>
                {
                    Ok(label::OK)
                }
                r => fail(format_args!(
                    "lease_read of {} bytes: {r:?} or wrong bytes",
                    buf.len()
                )),
            }
        }
        label::EXITED => fail(format_args!(
            "the client exited before its last call (wait: {}, status or errno {})",
            m.words[0], m.words[1] as u32 as i32
        )),
        l => fail(format_args!("a call with label {l:#x}, unexpected")),
    }
}

/// The watcher thread: waits for the client (`arg` = pid | endpoint << 32) and reports its exit
/// to the server with a call ([`label::EXITED`]).
fn watch(arg: usize) -> i32 {
    let (child, ep) = (arg & 0xffff_ffff, arg >> 32);
    WATCHING.store(true, Ordering::Release);
    let report = match sys::wait(Some(child)) {
        Ok((_, status)) => [0, status as u32 as u64],
        Err(e) => [1, e.code() as u64],
    };
    match ipc::call(ep, label::EXITED, &report, &[]) {
        Ok(_) => 0,
        Err(_) => 1,
    }
}

/// `@ipc-client EP L CALLS`: makes CALLS calls to endpoint EP, each with an L-byte read lease
/// (none when L = 0); each reply must say OK.
pub fn client(params: &[u64]) -> Outcome {
    let (ep, bytes, calls) = (params[0] as usize, params[1], params[2]);
    ensure!(bytes <= MAX_LEASE, "L is {bytes}, at most {MAX_LEASE}");
    let buf: Vec<u8> = (0..bytes as usize).map(pattern).collect();
    let lease = [Lease::read(&buf)];
    let (l, leases): (u32, &[Lease]) = if bytes == 0 {
        (label::NULL, &[])
    } else {
        (label::LEASE, &lease)
    };
    for i in 0..calls {
        let (tag, _) = ok(
            ipc::call(ep, l, &[], leases),
            format_args!("call {}", i + 1),
        )?;
        ensure!(
            tag.label() == label::OK,
            "call {}: the server answered {}",
            i + 1,
            tag.label()
        );
    }
    Ok(())
}
