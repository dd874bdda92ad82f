//! What is mono's own in scheduling: what a blocked thread waits for (a [`services::Wait`]), the
//! timer tick and interrupts as mono handles them, and idling with mono's deadlock rule. The
//! thread table, run queue, sleepers, the choice of the next thread and the timer's programming
//! are kcore's ([`kcore::sched`], shared with micro).
//!
//! With nothing runnable the kernel idles in `wfi` (interrupts still off) and handles what
//! arrives by polling `sip`.

use kcore::sched::NextTask;
use kcore::trap::TrapFrame;
use kcore::{kprintln, power, timer};
use services::{Pid, Wait};

use crate::kernel::Kernel;

impl Kernel {
    /// The timer fired: wake sleepers; at a tick, preempt the running thread. The timer must be
    /// programmed again, so the next thread is chosen through kcore's switch.
    pub fn tick(&mut self) -> NextTask {
        let now = timer::now();
        let slice_over = self.sched.ticker.fired(now);
        self.sched.ticker.next_wake = self.sched.threads.tick(now);
        if slice_over {
            self.sched.threads.preempt();
        }
        NextTask::Other
    }

    /// A PLIC interrupt: the UART's input goes to the line discipline. `cur`: the interrupted
    /// thread's process and registers, if a thread was interrupted (a Ctrl-C may redirect it
    /// into a handler).
    pub fn external(&mut self, mut cur: Option<(Pid, &mut TrapFrame)>) {
        while let Some(source) = self.plic.claim() {
            if source == self.uart_irq {
                self.console_input(cur.as_mut().map(|(p, f)| (*p, &mut **f)));
            } else if self.rtc.is_some_and(|(_, irq)| irq == source) {
                self.rtc_interrupt();
            }
            self.plic.complete(source);
        }
    }

    /// mono's rule for [`kcore::sched::Kernel::can_wake`]: a thread sleeps (or waits with a
    /// deadline: a `poll` with a timeout) or waits for the console (a read, or a blocked `poll`
    /// of it), or the alarm is armed (its interrupt not yet taken: the device may have fired
    /// already, with the interrupt pending). With no thread left at all, the machine powers off
    /// (status 0).
    pub fn can_wake(&self) -> bool {
        if self.sched.threads.is_empty() {
            kprintln!("{}: no threads left", crate::NAME);
            power::exit(0);
        }
        self.alarm.is_armed()
            || self.console_polled
            || self.sched.threads.any_sleeping()
            || self.sched.threads.waiting(&Wait::Console)
    }
}
