//! The scheduling policy both kernels use: preemptive round robin over runnable threads with a
//! fixed time slice. The kernels differ in what a thread is blocked on, never in who runs next.

use alloc::collections::VecDeque;

/// The time slice, in nanoseconds of guest time: a thread that runs this long without trapping
/// for another reason is preempted by the timer and goes to the back of the queue.
pub const TIMESLICE_NS: u64 = 5_000_000;

/// Runnable threads in round-robin order (by the kernel's thread id).
#[derive(Debug, Default)]
pub struct RunQueue {
    queue: VecDeque<usize>,
}

impl RunQueue {
    /// An empty queue.
    pub const fn new() -> RunQueue {
        RunQueue {
            queue: VecDeque::new(),
        }
    }

    /// Makes `tid` runnable at the back, unless it is queued already.
    pub fn push(&mut self, tid: usize) {
        if !self.queue.contains(&tid) {
            self.queue.push_back(tid);
        }
    }

    /// The next thread to run, removed from the queue.
    pub fn pop(&mut self) -> Option<usize> {
        self.queue.pop_front()
    }

    /// Takes `tid` out of the queue (it blocked or ended).
    pub fn remove(&mut self, tid: usize) {
        self.queue.retain(|&t| t != tid);
    }

    /// Whether nothing is runnable.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// How many threads are runnable.
    pub fn len(&self) -> usize {
        self.queue.len()
    }
}
