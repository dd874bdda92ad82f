//! Scheduling: kcore's round-robin [`RunQueue`](kcore::sched::RunQueue) with a periodic tick of
//! [`TIMESLICE_NS`]: at each tick the running thread goes to the back of the queue. Sleepers
//! wake at their deadline. The timer is reprogrammed (an SBI call to M-mode) only when the
//! earliest thing to wake for changes, so a system call that returns to its caller costs no timer
//! work. With nothing runnable the kernel idles in `wfi` (interrupts still off) and handles what
//! arrives by polling `sip`.

use kcore::csr;
use kcore::sched::TIMESLICE_NS;
use kcore::trap::TrapFrame;
use kcore::{kprintln, power, timer};
use services::Wait;

use crate::kernel::Kernel;
use crate::process::Thread;

/// `sip`/`sie` bits.
pub const STIP: u64 = 1 << 5;
pub const SEIP: u64 = 1 << 9;

impl Kernel {
    /// Picks the thread to run, activates its address space and returns its frame. Idles while
    /// nothing is runnable.
    pub fn schedule(&mut self) -> *const TrapFrame {
        loop {
            // The thread that trapped runs on unless it blocked, slept, ended, yielded or was
            // preempted (those clear `current`); it is never in the run queue meanwhile.
            let tid = match self.current.take() {
                Some(t) if self.threads.get(&t).is_some_and(Thread::runnable) => Some(t),
                _ => self.runq.pop(),
            };
            if let Some(tid) = tid {
                let pid = self.threads[&tid].pid;
                if self.active != Some(pid) {
                    let p = self
                        .processes
                        .get_mut(&pid)
                        .expect("a thread's process is live");
                    p.space.activate(&mut self.asids);
                    self.active = Some(pid);
                }
                self.current = Some(tid);
                self.arm();
                let frame: &TrapFrame = &self.threads[&tid].frame;
                return frame as *const TrapFrame;
            }
            self.idle();
        }
    }

    /// Programs the timer for the earlier of the next tick and the first sleeper's deadline.
    fn arm(&mut self) {
        let now = timer::now();
        if self.next_tick <= now {
            self.next_tick = now + timer::ns_to_ticks(TIMESLICE_NS);
        }
        let sleeper = self.next_wake;
        let want = if self.current.is_some() {
            self.next_tick.min(sleeper)
        } else {
            sleeper
        };
        if want != self.armed {
            self.armed = want;
            timer::set_deadline(want);
        }
    }

    /// The timer fired: wake sleepers; at a tick, preempt the running thread.
    pub fn tick(&mut self) {
        let now = timer::now();
        // The fired deadline is spent (STIP stays raised until the next SBI call): make `arm`
        // program the timer again whatever it wants next.
        self.armed = 0;
        let due: alloc::vec::Vec<usize> = self
            .threads
            .iter()
            .filter(|(_, t)| t.sleep_until.is_some_and(|d| d <= now))
            .map(|(&tid, _)| tid)
            .collect();
        for tid in due {
            if let Some(t) = self.threads.get_mut(&tid) {
                t.sleep_until = None;
            }
            self.runq.push(tid);
        }
        self.next_wake = self
            .threads
            .values()
            .filter_map(|t| t.sleep_until)
            .min()
            .unwrap_or(u64::MAX);
        if now >= self.next_tick {
            self.next_tick = now + timer::ns_to_ticks(TIMESLICE_NS);
            if let Some(tid) = self.current.take() {
                self.runq.push(tid);
            }
        }
    }

    /// A PLIC interrupt: the UART's input goes to the line discipline.
    pub fn external(&mut self) {
        while let Some(source) = self.plic.claim() {
            if source == self.uart_irq {
                self.console_input();
            }
            self.plic.complete(source);
        }
    }

    /// Nothing is runnable: wait for an interrupt and handle it. If nothing could ever wake a
    /// thread, the system is deadlocked: say so and power off.
    fn idle(&mut self) {
        if self.threads.is_empty() {
            kprintln!("{}: no threads left", crate::NAME);
            power::exit(0);
        }
        let anyone_can_wake = self
            .threads
            .values()
            .any(|t| t.sleep_until.is_some() || t.blocked_on == Some(Wait::Console));
        if !anyone_can_wake {
            kprintln!(
                "{}: deadlock: every thread is blocked and nothing can wake one",
                crate::NAME
            );
            power::exit(253);
        }
        self.arm();
        // Safety: enabling S-level interrupt sources in `sie` only; `sstatus.SIE` stays off, so
        // they are seen by polling, not taken.
        unsafe { csr::set_sie(STIP | SEIP) };
        kcore::trap::wait_for_interrupt();
        let pending = csr::sip();
        if pending & STIP != 0 {
            self.tick();
        }
        if pending & SEIP != 0 {
            self.external();
        }
    }
}
