//! Scheduling, the same policy as mono's: kcore's round-robin
//! [`RunQueue`](kcore::sched::RunQueue) and [`Ticker`](kcore::sched::Ticker), sleepers woken at
//! their deadline, `wfi` with interrupts polled when nothing is runnable. What differs is only
//! what a thread can be blocked on (IPC states) and that IPC may hand the processor to its peer
//! directly (crate::ipc). The UART's interrupt is a notification to the console server.

use alloc::vec::Vec;

use abi::ipc::{bits, level};
use kcore::boot::{SEIP, STIP};
use kcore::trap::TrapFrame;
use kcore::{csr, kprintln, power, timer};

use crate::kernel::{Kernel, State};

impl Kernel {
    /// Picks the thread to run, activates its address space and returns its frame. Idles while
    /// nothing is runnable.
    pub fn schedule(&mut self) -> *const TrapFrame {
        loop {
            // The thread that trapped runs on if it still may (one lookup on the IPC fast path,
            // which leaves the thread to switch to in `current`); else the queue's first.
            let ready = |k: &Kernel, tid: usize| {
                k.threads
                    .get(&tid)
                    .filter(|t| t.state == State::Ready)
                    .map(|t| (tid, t.space, &*t.frame as *const TrapFrame))
            };
            let mut next = self.current.take().and_then(|t| ready(self, t));
            while next.is_none() {
                match self.runq.pop() {
                    Some(t) => next = ready(self, t),
                    None => break,
                }
            }
            if let Some((tid, sid, frame)) = next {
                if self.active != Some(sid) {
                    let s = self.spaces.get_mut(&sid).expect("a thread's space is live");
                    s.vm.activate(&mut self.asids);
                    self.active = Some(sid);
                }
                self.current = Some(tid);
                self.ticker.arm(true);
                return frame;
            }
            self.idle();
        }
    }

    /// The timer fired: wake sleepers; at a tick, preempt the running thread; send the crashes
    /// that are due ([`crate::inject`]).
    pub fn tick(&mut self) {
        let now = timer::now();
        let slice_over = self.ticker.fired(now);
        let due: Vec<usize> = self
            .threads
            .iter()
            .filter(|(_, t)| matches!(t.state, State::Sleeping(d) if d <= now))
            .map(|(&tid, _)| tid)
            .collect();
        for tid in due {
            self.make_ready(tid);
        }
        self.ticker.next_wake = self
            .threads
            .values()
            .filter_map(|t| match t.state {
                State::Sleeping(d) => Some(d),
                _ => None,
            })
            .min()
            .unwrap_or(u64::MAX);
        if slice_over && let Some(tid) = self.current.take() {
            self.runq.push(tid);
        }
        self.inject_due();
    }

    /// A PLIC interrupt: the UART's becomes a notification to the console server, which
    /// acknowledges it (`irq_ack`) once it has drained the UART; any other is completed here.
    pub fn external(&mut self) {
        while let Some(source) = self.plic.claim() {
            if source == self.uart_irq {
                let _ = self.notify(level::CONSOLE, bits::IRQ);
            } else {
                self.plic.complete(source);
            }
        }
    }

    /// Nothing is runnable: wait for an interrupt and handle it. If nothing could ever wake a
    /// thread (no sleeper, no pending interrupt, and the UART's receive interrupt off — the
    /// console server turns it on while someone waits for input), the system is deadlocked: say
    /// so and power off.
    fn idle(&mut self) {
        let sleeper = self
            .threads
            .values()
            .any(|t| matches!(t.state, State::Sleeping(_)));
        if !sleeper && !kcore::console::rx_interrupt_enabled() && csr::sip() & (STIP | SEIP) == 0 {
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
