//! ipctest: `micro`'s IPC between two user processes — call/reply round trips with 0 to 4 words
//! and with leases of several sizes and accesses, every word and byte checked on both sides.
//!
//! - `ipctest` creates two endpoints, spawns itself as `ipctest client EP AUX` and serves EP
//!   (`ipctest/server.rs`); the client (`ipctest/client.rs`) walks the table of calls both sides
//!   share (`ipctest/proto.rs`). The client prints one line per group, `ipctest: GROUP: ok`; the
//!   server then prints what the kernel answered to out-of-bounds and refused lease accesses,
//!   `ipctest: client exited with status 0` and `ipctest: N checks passed`. Any mismatch prints
//!   `ipctest: FAIL …` and the status is 1.
//! - On a kernel without IPC (`mono`: `ep_create` is `ENOSYS`) it prints
//!   `ipctest: no IPC on this kernel` and exits with status 2 — not 0, since nothing was tested.
//!
//! A watcher thread in the server waits for the client and reports its exit as a call on the
//! endpoint, so a client that dies early ends the test with its status instead of leaving the
//! server in `recv` for good. (Without threads the server waits after the client's last call.)
#![no_std]
#![no_main]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

#[macro_use]
#[path = "../ipctest/proto.rs"]
mod proto;

#[path = "../ipctest/client.rs"]
mod client;
#[path = "../ipctest/server.rs"]
mod server;

use alloc::format;

use ulib::ipc;
use ulib::{Errno, println, sys, thread};

use proto::{FAILED, NO_IPC, PASSED, SELF, label};

const USAGE: &str = "usage: ipctest";

fn main(args: ulib::Args) -> i32 {
    let number = |i: usize| args.get(i).and_then(|a| a.parse::<u64>().ok());
    match args.get(1) {
        None => parent(),
        Some("client") if args.len() == 4 => match (number(2), number(3)) {
            (Some(ep), Some(aux)) => client::run(ep as usize, aux as usize),
            _ => usage(),
        },
        Some(_) => usage(),
    }
}

fn usage() -> i32 {
    ulib::eprintln!("{USAGE}");
    FAILED
}

/// Creates the endpoint, starts the client and serves it.
fn parent() -> i32 {
    let ep = match ipc::ep_create() {
        Ok(ep) => ep,
        Err(Errno::NoSys) => {
            println!("ipctest: no IPC on this kernel");
            return NO_IPC;
        }
        Err(e) => {
            println!("ipctest: FAIL ep_create: {}", e.name());
            return FAILED;
        }
    };
    let ep_arg = format!("{ep}");
    // A second endpoint, never received on: the client's forbidden `recv` tries it.
    let aux = match ipc::ep_create() {
        Ok(aux) => aux,
        Err(e) => {
            println!("ipctest: FAIL a second ep_create: {}", e.name());
            return FAILED;
        }
    };
    let argv: &[&str] = &["ipctest", "client", &ep_arg, &format!("{aux}")];
    let child = match sys::spawn(SELF, argv, None) {
        Ok(pid) => pid,
        Err(e) => {
            println!("ipctest: FAIL spawn {SELF}: {}", e.name());
            return FAILED;
        }
    };
    // Both ids fit in 32 bits (endpoint ids are 32-bit, pids positive `i32`s).
    let watcher = thread::spawn(watch, child | ep << 32).ok();
    let status = server::serve(ep, child, watcher.is_some());
    // After a failure the watcher may still be blocked (in `wait`, or calling an endpoint
    // nobody serves any more); exiting ends it.
    if status == PASSED
        && let Some(w) = watcher
        && let Err(e) = w.join()
    {
        println!("ipctest: FAIL joining the watcher thread: {}", e.name());
        return FAILED;
    }
    status
}

/// The watcher thread: waits for the client (`arg` = pid | endpoint << 32) and reports its exit
/// to the server with a call ([`label::EXITED`]).
fn watch(arg: usize) -> i32 {
    let (child, ep) = (arg & 0xffff_ffff, arg >> 32);
    let report = match sys::wait(Some(child)) {
        Ok((_, status)) => [0, status as u32 as u64],
        Err(e) => [1, e.code() as u64],
    };
    match ipc::call(ep, label::EXITED, &report, &[]) {
        Ok(_) => 0,
        Err(_) => FAILED,
    }
}

ulib::entry!(main);
