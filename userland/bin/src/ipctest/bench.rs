//! `ipctest bench [N]`: the raw IPC round trip, measured the way `nullcall` measures the null
//! system call. The parent serves with `reply_recv`; the child (`ipctest bench-client EP N`)
//! warms up, then makes N calls with no words and no leases between `rdcycle`/`rdinstret` reads
//! and klab markers (region [`REGION_NULL`]), then N calls with one 4 KiB read lease that the
//! server copies out whole (region [`REGION_LEASE`]). The counters are the hart's, so each
//! figure covers both sides and the kernel: the whole round trip.
//!
//! Left out: checking contents — `ipctest` without arguments does that.

use alloc::format;
use alloc::vec;

use abi::layout::PAGE_SIZE;
use ulib::ipc::{self, Lease};
use ulib::{counters, marker, println, sys};

use crate::proto::{FAILED, PASSED, label};

/// Region of the calls with no words (nullcall uses 1).
pub const REGION_NULL: usize = 2;
/// Region of the calls with one read lease.
pub const REGION_LEASE: usize = 3;
/// Round trips when `N` is not given.
pub const DEFAULT_ROUNDS: u64 = 10_000;
/// Round trips of each kind before measuring.
const WARMUP: u64 = 100;
/// Bytes of the leased buffer.
const LEASE_BYTES: usize = PAGE_SIZE;

/// The serving parent: answers until the watcher reports the client's exit (or, without a
/// watcher, until the client's last call). The exit status.
pub fn serve(ep: usize, child: usize, watcher: bool) -> i32 {
    let mut buf = vec![0u8; LEASE_BYTES];
    let mut bad = 0u64;
    let mut done = false;
    let mut m = match ipc::recv(ep) {
        Ok(m) => m,
        Err(e) => return lost(ep, child, e),
    };
    let status = loop {
        let reply = match m.tag.label() {
            label::BENCH_NULL => label::OK,
            label::BENCH_LEASE => match ipc::lease_read(m.badge, 0, 0, &mut buf) {
                Ok(LEASE_BYTES) => label::OK,
                _ => label::FAIL,
            },
            label::BENCH_DONE => {
                done = true;
                if !watcher {
                    let _ = ipc::reply(m.badge, label::OK, &[]);
                    break sys::wait(Some(child)).map(|(_, s)| s).ok();
                }
                label::OK
            }
            label::EXITED => {
                let _ = ipc::reply(m.badge, label::OK, &[]);
                break (m.words[0] == 0).then_some(m.words[1] as u32 as i32);
            }
            _ => label::FAIL,
        };
        if reply != label::OK {
            bad += 1;
        }
        m = match ipc::reply_recv(m.badge, reply, &[], ep) {
            Ok(m) => m,
            Err(e) => return lost(ep, child, e),
        };
    };
    match status {
        Some(0) if done && bad == 0 => PASSED,
        Some(s) => {
            println!("ipctest: FAIL bench: client status {s}, {bad} calls answered with a failure");
            FAILED
        }
        None => {
            println!("ipctest: FAIL bench: the client's status is unknown");
            FAILED
        }
    }
}

/// The server's receive failed: end the client (not waited for: the watcher may be waiting for
/// it already) and fail.
fn lost(ep: usize, child: usize, e: ulib::Errno) -> i32 {
    println!(
        "ipctest: FAIL bench: recv on my endpoint {ep}: {}",
        e.name()
    );
    let _ = sys::kill(child);
    FAILED
}

/// The measuring child: `n` round trips of each kind, one line each.
pub fn client(ep: usize, n: u64) -> i32 {
    let buf = vec![0x5au8; LEASE_BYTES];
    let lease = [Lease::read(&buf)];
    let null = || ipc::call(ep, label::BENCH_NULL, &[], &[]);
    let leased = || ipc::call(ep, label::BENCH_LEASE, &[], &lease);
    let ok = |r: Result<(ipc::Tag, [u64; 4]), ulib::Errno>| matches!(r, Ok((t, _)) if t.label() == label::OK);
    let mut bad = 0u64;
    for _ in 0..WARMUP {
        bad += u64::from(!ok(null())) + u64::from(!ok(leased()));
    }
    let null_cost = measure(REGION_NULL, n, || bad += u64::from(!ok(null())));
    let lease_cost = measure(REGION_LEASE, n, || bad += u64::from(!ok(leased())));
    let last = ipc::call(ep, label::BENCH_DONE, &[], &[]);
    if bad != 0 || !ok(last) {
        println!("ipctest: FAIL bench: {bad} of the round trips failed");
        return FAILED;
    }
    print_cost(n, "0 words", null_cost);
    let what = format!("one {LEASE_BYTES}-byte read lease copied by the server");
    print_cost(n, &what, lease_cost);
    PASSED
}

/// Cycles and instructions of `n` runs of `f`, inside region `region`.
fn measure(region: usize, n: u64, mut f: impl FnMut()) -> (u64, u64) {
    marker::begin(region);
    let (c0, i0) = (counters::cycle(), counters::instret());
    for _ in 0..n {
        f();
    }
    let (c1, i1) = (counters::cycle(), counters::instret());
    marker::end(region);
    (c1 - c0, i1 - i0)
}

/// `ipctest: N round trips, WHAT: C cycles, I instructions per round trip`.
fn print_cost(n: u64, what: &str, (cycles, insns): (u64, u64)) {
    println!(
        "ipctest: {n} round trips, {what}: {}.{:02} cycles, {}.{:02} instructions per round trip",
        cycles / n,
        cycles * 100 / n % 100,
        insns / n,
        insns * 100 / n % 100
    );
}
