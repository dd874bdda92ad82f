//! A mutex and a counting semaphore on `futex_wait` / `futex_wake`: each is one or two `u32`
//! words and nothing else, so it works between the threads of a process and, placed in shared
//! memory, between processes (the kernels key waiters by the word's frame). The uncontended
//! paths are one atomic instruction and no system call.
//!
//! - [`Mutex`]: Drepper's three-state lock ("Futexes Are Tricky", mutex 2): 0 free, 1 held,
//!   2 held with (perhaps) waiters; only an unlock of state 2 calls `futex_wake`.
//! - [`Semaphore`]: a count and a count of waiters; `wait` sleeps on the count while it is 0,
//!   `post` wakes one sleeper only if some thread said it might sleep.
//!
//! Left out: timeouts, fairness (a woken waiter competes with newcomers), robust locks.

use core::sync::atomic::{AtomicU32, Ordering};

use crate::sys;

/// A lock without data (guard what it protects by convention), `repr(C)` so it can sit in
/// shared memory.
#[repr(C)]
#[derive(Default)]
pub struct Mutex {
    state: AtomicU32,
}

/// [`Mutex`] states.
const FREE: u32 = 0;
const HELD: u32 = 1;
const CONTENDED: u32 = 2;

impl Mutex {
    /// A free lock.
    pub const fn new() -> Mutex {
        Mutex {
            state: AtomicU32::new(FREE),
        }
    }

    /// Takes the lock, sleeping in the kernel while another holder has it.
    pub fn lock(&self) {
        let mut c =
            match self
                .state
                .compare_exchange(FREE, HELD, Ordering::Acquire, Ordering::Relaxed)
            {
                Ok(_) => return,
                Err(c) => c,
            };
        if c != CONTENDED {
            c = self.state.swap(CONTENDED, Ordering::Acquire);
        }
        while c != FREE {
            // EAGAIN (the state moved) and EINTR both mean: look again.
            let _ = sys::futex_wait(&self.state, CONTENDED);
            c = self.state.swap(CONTENDED, Ordering::Acquire);
        }
    }

    /// Releases the lock (the caller holds it), waking one sleeper if there may be one.
    pub fn unlock(&self) {
        if self.state.fetch_sub(1, Ordering::Release) != HELD {
            self.state.store(FREE, Ordering::Release);
            let _ = sys::futex_wake(&self.state, 1);
        }
    }
}

/// A counting semaphore, `repr(C)` so it can sit in shared memory.
#[repr(C)]
#[derive(Default)]
pub struct Semaphore {
    count: AtomicU32,
    waiters: AtomicU32,
}

impl Semaphore {
    /// A semaphore holding `count`.
    pub const fn new(count: u32) -> Semaphore {
        Semaphore {
            count: AtomicU32::new(count),
            waiters: AtomicU32::new(0),
        }
    }

    /// Takes one unit, sleeping in the kernel while there is none.
    pub fn wait(&self) {
        loop {
            let c = self.count.load(Ordering::Acquire);
            if c > 0 {
                if self
                    .count
                    .compare_exchange(c, c - 1, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
                {
                    return;
                }
                continue;
            }
            self.waiters.fetch_add(1, Ordering::AcqRel);
            // The kernel sleeps only while the count is still 0: a post in between is seen.
            let _ = sys::futex_wait(&self.count, 0);
            self.waiters.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// Adds one unit, waking one sleeper if there may be one.
    pub fn post(&self) {
        self.count.fetch_add(1, Ordering::Release);
        if self.waiters.load(Ordering::Acquire) > 0 {
            let _ = sys::futex_wake(&self.count, 1);
        }
    }

    /// Units available now.
    pub fn value(&self) -> u32 {
        self.count.load(Ordering::Acquire)
    }
}
