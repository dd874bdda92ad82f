//! Scheduling as both kernels do it: the shared thread table and decision ([`ksched`], re-exported
//! here: [`Threads`], [`ThreadId`], [`SpaceId`], [`Run`], [`NextTask`]), the timer's programming
//! ([`Ticker`]), and the one kernel entry both kernels come and go through ([`enter`], [`start`],
//! [`switch`]): a trap handler returns a [`NextTask`]; `Same` resumes the trapping thread at
//! once — no decision, no address-space or timer work — and anything else picks the next thread,
//! activates its address space if it differs from the active one and programs the timer.
//!
//! The kernels differ in what a thread is blocked on, never in who runs next.

pub use ksched::{
    HandOff, MAX_THREADS, NextTask, Run, SpaceId, TIMESLICE_NS, Thread, ThreadId, Threads, futex,
};

use crate::sync::Global;
use crate::trap::{TrapFrame, resume};

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

    /// The running thread yields at `now`: if its slice ran out meanwhile (the tick fell due
    /// while the kernel ran the yield), the thread it yields to starts a fresh slice at the next
    /// [`Ticker::arm`], instead of being preempted by that stale tick before it has run an
    /// instruction (which would turn a yield into no switch at all).
    pub fn yielded(&mut self, now: u64) {
        if self.next_tick != NO_SLICE && now >= self.next_tick {
            self.next_tick = NO_SLICE;
        }
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

/// What a kernel keeps per thread, as far as the shared switch cares: where its registers are.
pub trait Framed {
    /// The thread's registers (boxed: they stay at this address while the thread lives).
    fn frame(&self) -> *const TrapFrame;
}

/// The scheduling state of a kernel: the threads, the timer, and the address space in `satp`.
#[derive(Debug)]
pub struct Sched<T, B> {
    /// The threads, the run queue and the current thread.
    pub threads: Threads<T, B>,
    /// The timer.
    pub ticker: Ticker,
    /// The address space in `satp` (`None`: the kernel's own, e.g. after the active one died).
    pub active: Option<SpaceId>,
}

impl<T, B> Sched<T, B> {
    /// No threads, no timer programmed, no space active.
    pub const fn new() -> Sched<T, B> {
        Sched {
            threads: Threads::new(),
            ticker: Ticker::new(),
            active: None,
        }
    }
}

impl<T, B: Copy> Sched<T, B> {
    /// The current thread yields the processor (`yield`): it goes to the back of the queue, and
    /// the thread that runs next gets a whole slice (see [`Ticker::yielded`]). Both kernels'
    /// `yield` is this.
    pub fn yield_current(&mut self) {
        self.threads.preempt();
        self.ticker.yielded(crate::timer::now());
    }
}

/// What [`Sched::wait_for_interrupt`] found pending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pending {
    /// The timer (`STIP`): the kernel's tick is due.
    pub timer: bool,
    /// An external interrupt (`SEIP`): the PLIC has something.
    pub external: bool,
}

impl<T, B> Sched<T, B> {
    /// Nothing may run: programs the timer for the first sleeper only and waits in `wfi`
    /// (interrupts stay off; they are polled) until the timer or an external interrupt is
    /// pending. The kernel then handles what is pending, and the scheduler asks again.
    pub fn wait_for_interrupt(&mut self) -> Pending {
        use crate::boot::{SEIP, STIP};
        self.ticker.idle();
        // Safety: enabling S-level interrupt sources in `sie` only; `sstatus.SIE` stays off, so
        // they are seen by polling, not taken.
        unsafe { crate::csr::set_sie(STIP | SEIP) };
        crate::trap::wait_for_interrupt();
        let pending = crate::csr::sip();
        Pending {
            timer: pending & STIP != 0,
            external: pending & SEIP != 0,
        }
    }
}

/// Every thread is blocked and nothing can wake one: says so and powers off (status 253). Both
/// kernels' idle ends here when their rule for "something can still wake a thread" fails.
pub fn deadlock(kernel: &str) -> ! {
    crate::kprintln!("{kernel}: deadlock: every thread is blocked and nothing can wake one");
    crate::power::exit(253)
}

impl<T, B> Default for Sched<T, B> {
    fn default() -> Self {
        Sched::new()
    }
}

/// What the shared entry and switch need of a kernel.
pub trait Kernel {
    /// What the kernel keeps per thread.
    type Thread: Framed;
    /// What a blocked thread waits for.
    type Block: Copy;
    /// Its scheduling state.
    fn sched(&mut self) -> &mut Sched<Self::Thread, Self::Block>;
    /// Handles a trap of the current thread, whose registers `frame` holds, and says what runs
    /// next. `Same` only if that thread may run on and nothing the timer cares about changed
    /// (no sleeper added, no tick taken): it is resumed without any further work.
    fn trap(&mut self, frame: &mut TrapFrame) -> NextTask;
    /// Makes `space` the address space in `satp`.
    fn activate(&mut self, space: SpaceId);
    /// The kernel's name in its messages.
    const NAME: &'static str;
    /// Whether something could still wake a blocked thread (a sleeper, or an interrupt the
    /// kernel waits for): the kernel's own rule, since what threads block on is its own. It may
    /// power off itself when nothing is left to run at all.
    fn can_wake(&mut self) -> bool;
    /// The timer is pending: wake the sleepers that are due, end the slice if it is over.
    fn tick(&mut self);
    /// An external interrupt is pending: handle what the PLIC has.
    fn external(&mut self);

    /// Nothing may run: waits for an interrupt and handles it, or powers off when nothing could
    /// ever wake a thread ([`deadlock`]). The same for both kernels.
    fn idle(&mut self) {
        if !self.can_wake() {
            deadlock(Self::NAME);
        }
        let pending = self.sched().wait_for_interrupt();
        if pending.timer {
            self.tick();
        }
        if pending.external {
            self.external();
        }
    }
}

/// Carries `next` out (see [`Threads::pick`]), idling while nothing may run: activates the
/// chosen thread's address space if it is not the active one, programs the timer, and returns
/// the thread's registers, to be [`resume`]d.
pub fn switch<K: Kernel>(k: &mut K, mut next: NextTask) -> *const TrapFrame {
    loop {
        let s = k.sched();
        if let Some(id) = s.threads.pick(next) {
            let t = s.threads.get(id).expect("the picked thread is live");
            let (space, frame) = (t.space, t.data.frame());
            if s.active != Some(space) {
                k.activate(space);
                k.sched().active = Some(space);
            }
            k.sched().ticker.arm(true);
            return frame;
        }
        k.idle();
        next = NextTask::Other;
    }
}

/// The kernel entry for a trap of the thread whose registers are at `frame` (the current one):
/// handles it in the kernel held by `global` and resumes whichever thread runs next.
///
/// # Safety
/// `frame` must be the frame `trap_entry` just filled, the current thread's (the argument of the
/// kernel's `kernel_trap_handler`), which nothing else refers to while the kernel runs; and
/// `global` must hold the kernel (it does once boot has installed it, before any thread runs);
/// and the caller is the trap handler of a trap from U-mode, holding no borrow of `global`
/// ([`Global::trap_borrow`]).
#[inline(always)]
pub unsafe fn enter<K: Kernel>(global: &Global<Option<K>>, frame: *mut TrapFrame) -> ! {
    let next = {
        // Safety: a trap from U-mode: no other borrow exists, and none is taken before the
        // thread resumes (the caller's promise: this is the kernel's trap handler).
        let slot = unsafe { global.trap_borrow() };
        // Safety: the caller's promise: a thread trapped, so boot has installed the kernel.
        let k = unsafe { slot.as_mut().unwrap_unchecked() };
        // Safety: the caller's promise: the current thread's frame, ours while the kernel runs.
        match k.trap(unsafe { &mut *frame }) {
            NextTask::Same => None,
            next => Some(switch(k, next)),
        }
    };
    match next {
        // Safety: `next` is the frame of a live thread of the address space now active; it
        // stays put (boxed) until that thread traps again.
        Some(next) => unsafe { resume(next) },
        // Safety: the trapping thread runs on, in its space, which is still the active one.
        None => unsafe { crate::trap::resume_same(frame) },
    }
}

/// Runs the first thread (the end of boot).
pub fn start<K: Kernel>(global: &Global<Option<K>>) -> ! {
    let next = {
        let mut guard = global.lock();
        let k = guard.as_mut().expect("kernel installed");
        switch(k, NextTask::Other)
    };
    // Safety: as in `enter`.
    unsafe { resume(next) }
}
