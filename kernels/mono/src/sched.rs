//! Scheduling: kcore's round-robin [`RunQueue`](kcore::sched::RunQueue) and
//! [`Ticker`](kcore::sched::Ticker) (a periodic tick of `TIMESLICE_NS`: at each tick the running
//! thread goes to the back of the queue; sleepers wake at their deadline). With nothing runnable
//! the kernel idles in `wfi` (interrupts still off) and handles what arrives by polling `sip`.

use kcore::boot::{SEIP, STIP};
use kcore::csr;
use kcore::trap::TrapFrame;
use kcore::{kprintln, power, timer};
use services::Wait;

use crate::kernel::Kernel;
use crate::process::Thread;

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

    /// Programs the timer for what comes next.
    fn arm(&mut self) {
        self.ticker.arm(self.current.is_some());
    }

    /// The timer fired: wake sleepers; at a tick, preempt the running thread.
    pub fn tick(&mut self) {
        let now = timer::now();
        let slice_over = self.ticker.fired(now);
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
        self.ticker.next_wake = self
            .threads
            .values()
            .filter_map(|t| t.sleep_until)
            .min()
            .unwrap_or(u64::MAX);
        if slice_over && let Some(tid) = self.current.take() {
            self.runq.push(tid);
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
        self.ticker.idle();
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
