//! ksched: the thread table and the scheduling decision both kernels use (DESIGN.md §3, "one
//! scheduler, one thread policy"), re-exported by `kcore` as `kcore::sched`.
//!
//! - [`ThreadId`] and [`SpaceId`]: the ids, as newtypes. A thread id names a slot of the table
//!   and the slot's generation, so an id kept after its thread ended never finds the thread that
//!   reuses the slot.
//! - [`Threads`]: the threads, direct-indexed by id (O(1) lookup, insert and removal), each with
//!   its address space, its [`Run`] state and the kernel's own data; the round-robin run queue
//!   linked through the table (O(1) push, pop and removal); the current thread; sleepers; the
//!   threads waiting on a key, filed in a [`waits`] index so a wake-up visits only those.
//! - [`NextTask`]: what a trap handler asks to run next (Hubris's `NextTask`): the kernels'
//!   handlers return it instead of setting a "current" on the side.
//!
//! Generic over what a thread can be blocked on (`B`): mono's threads wait for a
//! `services::Wait`, micro's for an IPC partner; who runs next is decided here, the same way for
//! both. Left out: the timer, address-space activation and the idle loop, which touch the
//! hardware (`kcore::sched`), and everything a kernel keeps per thread besides its run state.
//!
//! Plain code: no asm, no MMIO, no `unsafe`; tested on the host (`cargo test -p ksched
//! --target x86_64-unknown-linux-gnu`).
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod futex;
mod id;
mod threads;
pub mod waits;

#[cfg(test)]
mod tests;

pub use id::{MAX_THREADS, SpaceId, ThreadId};
pub use threads::{HandOff, Run, Thread, Threads};

/// The time slice, in nanoseconds of guest time: a thread that runs this long without trapping
/// for another reason is preempted by the timer and goes to the back of the queue.
pub const TIMESLICE_NS: u64 = 5_000_000;

/// What a trap handler asks to run next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextTask {
    /// The thread that trapped, in its own address space: nothing to decide, nothing to switch.
    Same,
    /// This thread (which must be [`Run::Ready`]): a direct hand-off, as an IPC to a waiting
    /// receiver. The thread that trapped, if it may still run, goes to the back of the queue.
    Specific(ThreadId),
    /// Whoever is next: the current thread if it may still run, else the run queue's first.
    Other,
}
