//! ulib: the runtime every user program links, on both kernels.
//!
//! - [`entry!`] names the program's `main(args) -> i32`; `_start` ([`start`]) names the address
//!   space after the program, calls it and exits with its value.
//! - [`sys`]: one safe function per system call; [`raw`]: the `ecall` stubs themselves, generated
//!   from `abi`'s table (for tests that must pass bad arguments).
//! - [`print!`], [`println!`], [`eprint!`], [`eprintln!`] and [`io`]: formatted output, one
//!   `write` per line.
//! - [`heap`]: the global allocator, grown with `brk`.
//! - [`signal`]: handlers, the mask, `kill`, process groups and the `sigreturn` trampoline.
//! - [`thread`]: threads with `mmap`ed stacks, joined for their status.
//! - [`coro`]: stackful coroutines switched in user mode (no kernel involved).
//! - [`marker`] and [`counters`]: region markers and `rdcycle`/`rdinstret`/hpm reads.
//! - [`futex`]: a mutex and a counting semaphore on `futex_wait` / `futex_wake`, for threads
//!   or (in shared memory) processes.
//! - [`select`]: `select` as a library function over `poll`.
//! - [`shm`]: shared memory between processes (`shm_open`, `shm_map`, ...).
//! - [`ipc`]: endpoints, `call`/`recv`/`reply` and leases — `micro`'s IPC (`ENOSYS` on `mono`).
//!
//! Programs are linked at `abi::layout::PROGRAM_BASE` (their build script passes
//! `--image-base`). Nothing here knows which kernel it runs on.
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

pub mod coro;
pub mod counters;
pub mod env;
pub mod futex;
pub mod heap;
pub mod io;
pub mod ipc;
pub mod marker;
pub mod raw;
pub mod ring;
pub mod select;
pub mod shm;
pub mod signal;
pub mod start;
pub mod sync;
pub mod sys;
pub mod thread;

pub use abi;
pub use abi::Errno;
pub use env::Args;
