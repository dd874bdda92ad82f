//! `ipc L`: the raw IPC round trip on `micro`, with no words (L = 0) or with one L-byte read
//! lease that the server copies out whole with `lease_read`. One op is one round trip: the
//! client's `call` and the server's reply.
//!
//! Both loops are thin: the client's `call` and the server's `reply_recv` are bare `ecall`s with
//! their registers set directly ([`bare::call`], [`bare::reply_recv`]; no words, a lease only
//! when L > 0), and each side checks the tag it gets back with one comparison, leaving the
//! formatted failure to a cold path. `ipc-lib L` is the same round trip through `ulib::ipc` on
//! both sides (slices, `Result`s, the server's answer function), as a program would make it.
//!
//! The parent creates an endpoint and serves it with `reply_recv`, measuring; the child
//! (`bench @ipc-client EP L CALLS`, or `@ipc-client-lib`) makes CALLS calls and exits. A watcher
//! thread in the parent waits for the child and reports its exit as a call on the endpoint
//! ([`label::EXITED`]), so a client that dies early ends the case with its status instead of
//! leaving the server in `recv` for good; the server lets it reach its `wait` before measuring.
//! The server measures from holding one call to holding the N-th after it, so exactly N round
//! trips fall in the region.
//!
//! On a kernel without IPC (`mono`) the case measures the nearest equivalent instead, a pipe
//! round trip carrying max(L, 1) bytes to the server and one byte back ([`pipe::round_trips`],
//! thin for `ipc`, through `ulib` for `ipc-lib`), and says so in the result's note.

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

use ulib::ipc::{self, Badge, Lease, Message, Tag};
use ulib::{sys, thread};

use super::bare::{self, Via};
use super::harness::{Fail, Outcome, Report, fail, measure, ok, spawn_role, warmup};
use super::pipe;

/// The client role: `@ipc-client EP L CALLS` (thin loop).
pub const CLIENT: &str = "@ipc-client";
/// The client role through `ulib::ipc`: `@ipc-client-lib EP L CALLS`.
pub const CLIENT_LIB: &str = "@ipc-client-lib";
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

/// `ipc L`: op = one round trip, bare calls on both sides (see the module note).
pub fn round_trip(n: u64, params: &[u64]) -> Outcome<Report> {
    round_trips(n, params[0], Via::Bare)
}

/// `ipc-lib L`: `ipc L` through `ulib::ipc` on both sides.
pub fn round_trip_lib(n: u64, params: &[u64]) -> Outcome<Report> {
    round_trips(n, params[0], Via::Ulib)
}

/// The tag of the client's calls with an L-byte lease (none when L = 0).
fn call_tag(bytes: u64) -> Tag {
    if bytes == 0 {
        Tag::new(label::NULL, 0, 0)
    } else {
        Tag::new(label::LEASE, 0, 1)
    }
}

/// The tag of the server's replies.
const OK_TAG: Tag = Tag::new(label::OK, 0, 0);

/// Measures `n` round trips with `bytes` leased, both sides going `via` bare calls or `ulib`.
fn round_trips(n: u64, bytes: u64, via: Via) -> Outcome<Report> {
    ensure!(bytes <= MAX_LEASE, "L is {bytes}, at most {MAX_LEASE}");
    if !ipc::available() {
        let counts = pipe::round_trips(n, bytes as usize, via)?;
        let mut report = Report::new(n, counts);
        report.note = Some(NO_IPC_NOTE);
        return Ok(report);
    }
    let ep = ok(ipc::ep_create(), "ep_create")?;
    let warm = warmup(n);
    // The server holds one call before the warm-up and one after the region.
    let calls = format!("{}", warm + n + 1);
    let role = match via {
        Via::Bare => CLIENT,
        Via::Ulib => CLIENT_LIB,
    };
    let child = spawn_role(role, &[&format!("{ep}"), &format!("{bytes}"), &calls], None)?;
    // Both ids fit in 32 bits (endpoint ids are 32-bit, pids positive `i32`s).
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
    let counts = match via {
        Via::Bare => {
            // The loop keeps only the held call's badge in `m`; each call's tag is checked as it
            // comes, so `m.tag` (`want`) stays true of the call held after the loop too.
            let want = call_tag(bytes);
            if m.tag != want {
                return Err(unexpected(m.badge, m.tag, [m.words[0], m.words[1]], want));
            }
            let (badge, lease) = (&mut m.badge, &mut buf);
            measure(
                warm,
                n,
                #[inline(always)]
                move || {
                    if !lease.is_empty() {
                        read_lease(*badge, lease)?;
                    }
                    let next = bare::reply_recv(*badge, OK_TAG, ep);
                    if next.tag != want {
                        let w = [next.words[0], next.words[1]];
                        return Err(unexpected(next.badge, next.tag, w, want));
                    }
                    *badge = next.badge;
                    Ok(())
                },
            )?
        }
        Via::Ulib => measure(warm, n, || {
            let reply = answer(&m, &mut buf)?;
            m = ok(
                ipc::reply_recv(m.badge, reply, &[], ep),
                format_args!("reply_recv on endpoint {ep}"),
            )?;
            Ok(())
        })?,
    };
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

/// Why the thin server got a message from `badge` tagged `tag` with `words` first when it waited
/// for a call tagged `want`: a failed receive, the client's early exit, or another call. (It
/// takes registers, not a `Message`, so that the loop does not store the message it checks.)
#[cold]
#[inline(never)]
fn unexpected(badge: Badge, tag: Tag, words: [u64; 2], want: Tag) -> Fail {
    let m = Message {
        badge,
        tag,
        words: [words[0], words[1], 0, 0, 0, 0],
    };
    if (m.badge.0 as isize) < 0 {
        return Fail(format!(
            "reply_recv: errno {}",
            -(m.badge.0 as isize) as i32
        ));
    }
    match answer(&m, &mut []) {
        Err(f) => f,
        Ok(_) => Fail(format!("a call tagged {:#x}, want {:#x}", m.tag.0, want.0)),
    }
}

/// The thin server's lease copy: lease 0 of the call from `badge` into `buf` (poisoned at both
/// ends first), which it must fill with the pattern.
#[inline(always)]
fn read_lease(badge: Badge, buf: &mut [u8]) -> Outcome {
    let last = buf.len() - 1;
    (buf[0], buf[last]) = (POISON, POISON);
    let got = bare::lease_read(badge, 0, 0, buf);
    if got != buf.len() as isize || buf[0] != pattern(0) || buf[last] != pattern(last) {
        return fail(format_args!(
            "lease_read of {} bytes: {got} or wrong bytes",
            buf.len()
        ));
    }
    Ok(())
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

/// `@ipc-client EP L CALLS`: makes CALLS bare calls to endpoint EP, each with an L-byte read
/// lease (none when L = 0); each reply's status and tag must say OK.
pub fn client(params: &[u64]) -> Outcome {
    client_via(params, Via::Bare)
}

/// `@ipc-client-lib EP L CALLS`: `@ipc-client` through `ulib::ipc`.
pub fn client_lib(params: &[u64]) -> Outcome {
    client_via(params, Via::Ulib)
}

/// The client's calls, going `via` bare calls or `ulib`.
fn client_via(params: &[u64], via: Via) -> Outcome {
    let (ep, bytes, calls) = (params[0] as usize, params[1], params[2]);
    ensure!(bytes <= MAX_LEASE, "L is {bytes}, at most {MAX_LEASE}");
    let buf: Vec<u8> = (0..bytes as usize).map(pattern).collect();
    let lease = [Lease::read(&buf)];
    let leases: &[Lease] = if bytes == 0 { &[] } else { &lease };
    let tag = call_tag(bytes);
    match via {
        Via::Bare => {
            for i in 0..calls {
                // Safety: `leases` holds `tag.leases()` descriptors laid out as
                // `abi::ipc::Lease` (`repr(transparent)`), each lending `buf`, which nothing
                // changes while the calls last.
                let (status, reply) = unsafe { bare::call(ep, tag, leases.as_ptr().cast()) };
                if status != 0 || reply != OK_TAG {
                    return bad_reply(i + 1, status, reply);
                }
            }
        }
        Via::Ulib => {
            for i in 0..calls {
                let (reply, _) = ok(
                    ipc::call(ep, tag.label(), &[], leases),
                    format_args!("call {}", i + 1),
                )?;
                if reply != OK_TAG {
                    return bad_reply(i + 1, 0, reply);
                }
            }
        }
    }
    Ok(())
}

/// The failure of call number `i`, which returned `status` and a reply tagged `reply`.
#[cold]
#[inline(never)]
fn bad_reply(i: u64, status: isize, reply: Tag) -> Outcome {
    match ulib::Errno::check(status) {
        Err(e) => fail(format_args!("call {i}: {}", e.name())),
        Ok(_) => fail(format_args!("call {i}: the server answered {:#x}", reply.0)),
    }
}
