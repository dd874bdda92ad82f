//! Scheduling, the same policy as mono's: the shared thread table and decision of
//! [`kcore::sched`] (round robin, sleepers woken at their deadline) and its
//! [`Ticker`](kcore::sched::Ticker); `wfi` with interrupts polled when nothing is runnable. What
//! differs is only what a thread can be blocked on (IPC, [`crate::kernel::Wait`]) and that IPC
//! may hand the processor to its peer directly (crate::ipc, crate::fastpath). The UART's
//! interrupt is a notification to the console server; a server's timer request
//! (`kcall::TIMER_NOTIFY`, the file server's `poll` timeouts) is a notification at its tick.

use abi::ipc::{bits, level};
use kcore::boot::{SEIP, STIP};
use kcore::{csr, timer};

use crate::kernel::{EndpointId, Kernel};

impl Kernel {
    /// The timer fired: wake sleepers; notify the servers whose timer request came
    /// ([`Kernel::timer_notify`]); at a tick, preempt the running thread; send the crashes that
    /// are due ([`crate::inject`]).
    pub fn tick(&mut self) {
        let now = timer::now();
        let slice_over = self.sched.ticker.fired(now);
        self.sched.ticker.next_wake = self.sched.threads.tick(now);
        for server in 1..self.timers.len() {
            let at = self.timers[server];
            if at <= now {
                self.timers[server] = u64::MAX;
                let _ = self.notify(EndpointId::server(server), bits::TIMER);
            } else {
                self.sched.ticker.sleep_until(at);
            }
        }
        if slice_over {
            self.sched.threads.preempt();
        }
        self.inject_due();
    }

    /// `TIMER_NOTIFY(at_ns)` of the server at endpoint `server`: `bits::TIMER` once the clock
    /// reaches `at_ns` (`u64::MAX`: no longer), replacing its earlier request; the clock now (ns).
    pub fn timer_notify(&mut self, server: usize, at_ns: u64) -> usize {
        let at = match at_ns {
            u64::MAX => u64::MAX,
            // Rounded up: at that tick the clock reads `at_ns` or later.
            ns => timer::ns_to_ticks(ns),
        };
        if let Some(t) = self.timers.get_mut(server) {
            *t = at;
            self.sched.ticker.sleep_until(at);
        }
        timer::now_ns() as usize
    }

    /// A PLIC interrupt: the UART's and the RTC's become notifications to the console server
    /// (micro's device driver), which acknowledges each (`irq_ack`) once it has drained the
    /// UART or taken the alarm; any other is completed here.
    pub fn external(&mut self) {
        while let Some(source) = self.plic.claim() {
            if source == self.uart_irq {
                let _ = self.notify(EndpointId::server(level::CONSOLE), bits::IRQ);
            } else if self.rtc.is_some_and(|(_, irq)| irq == source) {
                let _ = self.notify(EndpointId::server(level::CONSOLE), bits::RTC_IRQ);
            } else {
                self.plic.complete(source);
            }
        }
    }

    /// micro's rule for [`kcore::sched::Kernel::can_wake`]: a thread sleeps, a server waits
    /// for its timer notification, an interrupt is pending (the RTC's, once its alarm fired),
    /// the RTC's alarm is armed, or the UART's receive interrupt is on (the console server turns
    /// it on while someone waits for input).
    pub fn can_wake(&self) -> bool {
        self.sched.threads.any_sleeping()
            || self.timers.iter().any(|&t| t != u64::MAX)
            || kcore::console::rx_interrupt_enabled()
            || csr::sip() & (STIP | SEIP) != 0
            || self.rtc.is_some_and(|(base, _)| {
                // Safety: the tree names a Goldfish RTC at `base`, mapped 1:1 in the kernel.
                unsafe { rtc::Rtc::new(base, false) }.armed()
            })
    }
}
