//! servers: `micro`'s four user-mode servers (DESIGN.md §3) and the runtime they share. Each
//! server is its own program and address space, hosting part of the `services` crate that `mono`
//! links into its kernel, and is reached by IPC ([`abi::ipc`]):
//!
//! | binary | endpoint | hosts | serves |
//! |---|---|---|---|
//! | `proc` | [`level::PROC`] | `services::proc` | exit, getpid, kill, spawn, wait, threads |
//! | `fs` | [`level::FS`] | `services::files` (fs, pipes, fds) | read … readdir, `FS_*` |
//! | `mem` | [`level::MEM`] | `services::mm` | brk, mmap, munmap, page faults, `MEM_*` |
//! | `console` | [`level::CONSOLE`] | `services::tty` + the UART | `CON_*`, the UART interrupt |
//!
//! The runtime here is what every server needs and nothing more:
//! - [`rt`]: `_start`, the arguments, the panic handler, [`rt::crash`], [`entry!`] and whether
//!   this instance is a restart ([`rt::restarted`]);
//! - [`heap`]: the global allocator over [`abi::layout::server`]'s heap;
//! - [`kernel`]: typed wrappers of the kernel calls servers make, and [`kernel::call`];
//! - [`lease`]: copying from and to a client's leased memory;
//! - [`serve`]: the request loop, deferred replies and their retries, and the state a restarted
//!   instance takes over ([`serve::run`]);
//! - [`proto`]: the few message encodings the servers agree on beyond `abi::ipc`.
//!
//! A server is single-threaded: it handles one message at a time to completion (calling
//! servers above it when it must), so its state needs no locks.
//!
//! [`level::PROC`]: abi::ipc::level::PROC
//! [`level::FS`]: abi::ipc::level::FS
//! [`level::MEM`]: abi::ipc::level::MEM
//! [`level::CONSOLE`]: abi::ipc::level::CONSOLE
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

pub mod heap;
pub mod kernel;
pub mod lease;
pub mod proto;
pub mod rt;
pub mod serve;

pub use rt::Args;
pub use serve::{Fail, Outcome, Pending, Server};
