//! micro: the message-passing microkernel (DESIGN.md §3). The kernel keeps only what must be
//! privileged — address spaces, threads, endpoints, notifications, the scheduler and the timer —
//! and the file system, memory manager, process manager and console driver run as user-mode
//! servers (`kernels/servers`) built from the same `services` code that `mono` links in.
//!
//! Shape of the kernel (see the modules):
//! - [`boot`]: kcore's machine start (shared with mono), then the servers from their embedded
//!   images ([`images`]).
//! - [`kernel`]: the one global [`kernel::Kernel`], its objects (direct-indexed tables; the
//!   threads in the shared `kcore::sched` table), and the trap handler: as in mono, every trap
//!   is handled to completion on the single kernel stack and ends by resuming some thread.
//!   [`endpoint`]: the endpoint table and its ids (slot and generation, as threads').
//! - [`ipc`]: `call`, `recv`, `reply`, `reply_recv` and notifications; a call to a waiting
//!   receiver and a reply to a waiting caller switch to it directly, without the run queue.
//!   [`fastpath`], entered straight from the trap vector, does the register-only cases in one
//!   short path (`fastpath=off` on the boot command line turns it off).
//! - [`lease`]: the leases a call lends and the server's checked copies from and to them.
//! - [`syscall`]: the system-call table — the POSIX-like calls of the identical user binaries are
//!   forwarded to their servers (abi's forwarding table); the rest are kernel calls
//!   ([`kcalls`] for the servers' privileged ones).
//! - [`fault`]: user page faults become messages to the memory server (the pager), fatal faults
//!   an `exit` on the faulting thread's behalf to the process server; [`supervisor`] restarts a
//!   server that faults, keeping its state, and declares one that keeps failing dead;
//!   [`inject`] crashes a server when the boot arguments ask for it (klab's `--inject`).
//! - [`sched`]: the timer tick, idling and interrupts over the shared scheduler (as mono's).
#![no_std]
#![no_main]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

mod boot;
mod endpoint;
mod fastpath;
mod fault;
mod futex;
mod images;
mod inject;
mod ipc;
mod kcalls;
mod kernel;
mod lease;
mod memory;
mod sched;
mod shm;
mod signal;
mod supervisor;
mod syscall;

/// The kernel's name in its messages.
pub const NAME: &str = "micro";
