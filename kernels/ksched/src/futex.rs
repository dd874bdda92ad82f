//! The futex rules both kernels follow (`futex_wait`, `futex_wake`): which word a waiter waits
//! on, and whom a wake wakes. Scheduling policy, so it lives with the scheduler: a waiter is a
//! thread blocked on the word's key, like a sleeper on a deadline — on `micro` too, where the
//! kernel serves both calls (threads and their wake-ups are kernel objects there, as `sleep`
//! is), so no server is involved.
//!
//! - **Key**: the word's *physical* address ([`Key`]), so two processes that map one frame
//!   (shared memory) at different addresses meet on one key, and two processes' private words
//!   at the same virtual address do not.
//! - **Word**: a naturally aligned `u32` (`EINVAL` if not aligned); its page must be readable
//!   (`EFAULT`), and is faulted in like any user buffer.
//! - **Wait**: compare and sleep in one step (the kernel runs the call with nothing else running):
//!   `EAGAIN` if the word differs from `expected`; otherwise the thread sleeps until a wake
//!   takes it (the call returns 0) or a signal interrupts it (`EINTR`). A woken waiter does not
//!   look at the word again: the caller's loop does.
//! - **Wake**: at most `n` waiters on the key, in the order they began to wait (first come,
//!   first woken: the scheduler's wait index, `Threads::wake_key`, which visits only the
//!   waiters of the key's bucket); returns how many.
//!
//! Left out: timeouts, requeue, priority inheritance, private (per-process) keys.

/// A futex word's key: its physical address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(pub usize);

/// The size and alignment of a futex word.
pub const WORD: usize = core::mem::size_of::<u32>();

/// Whether `addr` may hold a futex word (aligned; the kernels answer `EINVAL` if not).
pub fn aligned(addr: usize) -> bool {
    addr.is_multiple_of(WORD)
}

/// Whether `futex_wait` sleeps, given the word's current value: only while it is still
/// `expected` (its low 32 bits; the kernels answer `EAGAIN` if not).
pub fn should_wait(current: u32, expected: usize) -> bool {
    current == expected as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_aligned_word_is_a_futex() {
        assert!(aligned(0x1000));
        assert!(aligned(0x1004));
        assert!(!aligned(0x1002));
    }

    #[test]
    fn a_changed_word_does_not_wait_and_only_32_bits_compare() {
        assert!(should_wait(5, 5));
        assert!(!should_wait(5, 6));
        assert!(should_wait(5, (1 << 32) | 5));
    }
}
