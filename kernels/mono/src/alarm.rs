//! The board's alarm in mono: the Goldfish RTC driven from the kernel (the `rtc` crate, at its
//! physical address, mapped 1:1), the policy of `services::alarm`, and the in-kernel interrupt
//! handler: the PLIC claims the RTC's source (`sched.rs`), [`Kernel::rtc_interrupt`] reads the
//! device, clears its interrupt and wakes the threads blocked in `alarm_wait`, which retry
//! their call (xv6's pattern). micro runs the same policy and driver in its console server.

use abi::Errno;
use abi::types::AlarmEvent;
use kcore::dtb::BootInfo;
use kcore::plic::Plic;
use kcore::trap::Access;
use kcore::uaccess::{self, UserRange};
use rtc::Rtc;
use services::Wakes;

use crate::kernel::{Caller, Kernel};
use crate::syscall::Outcome;

/// The RTC the tree names, with its interrupt enabled at the device and at the PLIC.
pub fn init(info: &BootInfo, plic: &Plic) -> Option<(Rtc, u32)> {
    let (base, irq) = info.rtc?;
    // Safety: the tree names a Goldfish RTC at `base`, which the kernel maps 1:1 (VA 0..1 GiB).
    let rtc = unsafe { Rtc::new(base, info.rtc_raised) };
    rtc.init();
    plic.enable(irq);
    Some((rtc, irq))
}

impl Kernel {
    /// The RTC, or `ENOSYS` on a board without one.
    fn rtc(&self) -> Result<Rtc, Errno> {
        self.rtc.map(|(r, _)| r).ok_or(Errno::NoSys)
    }

    /// `alarm_arm(delay_ns)` → the alarm's time.
    pub fn sys_alarm_arm(&mut self, delay_ns: usize) -> Outcome {
        let rtc = self.rtc()?;
        let at = self.alarm.arm(rtc.time_ns(), delay_ns as u64)?;
        rtc.set_alarm(at);
        Ok(at as usize)
    }

    /// `alarm_wait(event)`: the pointer is checked first, so a bad one fails before blocking.
    pub fn sys_alarm_wait(&mut self, me: Caller, event: usize) -> Outcome {
        self.rtc()?;
        self.with_user(me.space, |mem, _, _| {
            UserRange::new(event, AlarmEvent::SIZE)?.check(mem, Access::Write)
        })??;
        let e = self.alarm.wait()?;
        self.with_user(me.space, |mem, _, _| {
            uaccess::write(mem, event, &e.to_bytes())
        })??;
        Ok(0)
    }

    /// `rtc_time()` → the RTC's time in ns.
    pub fn sys_rtc_time(&mut self) -> Outcome {
        Ok(self.rtc()?.time_ns() as usize)
    }

    /// The RTC's interrupt (claimed at the PLIC, completed by the caller): take it at the
    /// device and wake the alarm's waiters.
    pub fn rtc_interrupt(&mut self) {
        let Ok(rtc) = self.rtc() else { return };
        let taken = rtc.take();
        let mut wakes = Wakes::new();
        self.alarm
            .fire(taken.time_ns, taken.raised_cycle, &mut wakes);
        self.wake_all(&wakes);
    }
}
