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

/// [`Ticker`]'s `next_tick` while no slice runs (idle, or before the first thread): 0, the
/// cheapest value to test for on the path of every system call.
const NO_SLICE: u64 = 0;

/// The timer as both kernels program it: a periodic tick of [`TIMESLICE_NS`] while a thread runs,
/// and the earliest sleeper's deadline. The timer is reprogrammed (an SBI call to M-mode) only
/// when the earliest thing to wake for changes, so a system call that returns to its caller costs
/// no timer work.
#[derive(Debug)]
pub struct Ticker {
    /// The tick after which the running thread is preempted.
    next_tick: u64,
    /// The deadline last given to M-mode (`u64::MAX`: none).
    armed: u64,
    /// No sleeper wakes before this (it may be early: a stale value only makes the timer fire
    /// once for nothing, and the kernel recomputes it at the tick).
    pub next_wake: u64,
}

impl Ticker {
    /// No tick yet, no sleeper.
    pub const fn new() -> Ticker {
        Ticker {
            next_tick: NO_SLICE,
            armed: u64::MAX,
            next_wake: u64::MAX,
        }
    }

    /// Programs the timer for the earlier of the next tick (if a thread is `running`) and the
    /// first sleeper's deadline. A tick that fell due while the kernel ran (with interrupts
    /// off) stays due: the deadline stays in the past, so the timer interrupt is taken as soon
    /// as the thread resumes and its slice ends as it should. A slice starts when a thread runs
    /// after [`Ticker::idle`] (or at the first).
    #[inline]
    pub fn arm(&mut self, running: bool) {
        if self.next_tick == NO_SLICE {
            self.next_tick = crate::timer::now() + crate::timer::ns_to_ticks(TIMESLICE_NS);
        }
        let want = if running {
            self.next_tick.min(self.next_wake)
        } else {
            self.next_wake
        };
        if want != self.armed {
            self.armed = want;
            crate::timer::set_deadline(want);
        }
    }

    /// Nothing runs: no slice runs either (the next starts when a thread runs again); the timer
    /// is programmed for the first sleeper only.
    pub fn idle(&mut self) {
        self.next_tick = NO_SLICE;
        let want = self.next_wake;
        if want != self.armed {
            self.armed = want;
            crate::timer::set_deadline(want);
        }
    }

    /// The timer fired at `now`: the deadline is spent (STIP stays raised until the next SBI
    /// call), so the next [`Ticker::arm`] programs it again. Returns whether the time slice is
    /// over (the running thread goes to the back of the queue).
    pub fn fired(&mut self, now: u64) -> bool {
        self.armed = 0;
        if now >= self.next_tick {
            self.next_tick = now + crate::timer::ns_to_ticks(TIMESLICE_NS);
            return true;
        }
        false
    }

    /// A thread sleeps until `deadline`.
    pub fn sleep_until(&mut self, deadline: u64) {
        self.next_wake = self.next_wake.min(deadline);
    }
}

impl Default for Ticker {
    fn default() -> Ticker {
        Ticker::new()
    }
}
