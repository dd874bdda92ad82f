//! The Goldfish RTC driver (`google,goldfish-rtc`, QEMU `virt`'s real-time clock at
//! `0x10_1000`, PLIC source 11), shared so that the alarm is the same code under both kernels:
//! `mono` drives it from the kernel (at its physical address, mapped 1:1), `micro`'s console
//! server from user mode (at the page the kernel mapped for it). It only touches registers; what
//! an alarm means to programs is `services::alarm`'s.
//!
//! Registers (32 bits each):
//! ```text
//! +0x00 TIME_LOW (read latches TIME_HIGH)   +0x04 TIME_HIGH
//! +0x08 ALARM_LOW (write arms)              +0x0c ALARM_HIGH
//! +0x10 IRQ_ENABLED   +0x14 CLEAR_ALARM   +0x18 ALARM_STATUS   +0x1c CLEAR_INTERRUPT
//! +0x20 RAISED_LOW    +0x24 RAISED_HIGH   (klab only, `klab,raised-cycle`: the cycle the
//!                                          line rose; QEMU's device faults there)
//! ```
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

const TIME_LOW: usize = 0x00;
const TIME_HIGH: usize = 0x04;
const ALARM_LOW: usize = 0x08;
const ALARM_HIGH: usize = 0x0c;
const IRQ_ENABLED: usize = 0x10;
const ALARM_STATUS: usize = 0x18;
const CLEAR_INTERRUPT: usize = 0x1c;
const RAISED_LOW: usize = 0x20;
const RAISED_HIGH: usize = 0x24;

/// What the driver read when it took an alarm interrupt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taken {
    /// The RTC's time then, in ns.
    pub time_ns: u64,
    /// The cycle the device raised its line at (klab's `RAISED_*`; 0 where the device does not
    /// say, as on QEMU).
    pub raised_cycle: u64,
}

/// A Goldfish RTC at a fixed virtual address.
#[derive(Clone, Copy, Debug)]
pub struct Rtc {
    base: usize,
    /// Whether klab's `RAISED_*` registers exist (QEMU's device faults there).
    raised: bool,
}

impl Rtc {
    /// The RTC whose registers are at `base`; `raised`: it has klab's `RAISED_*` (the device
    /// tree's `klab,raised-cycle`).
    ///
    /// # Safety
    /// `base` must be the address of a Goldfish RTC's registers, mapped for reading and writing
    /// wherever the returned value is used, with `RAISED_*` if `raised`.
    pub const unsafe fn new(base: usize, raised: bool) -> Rtc {
        Rtc { base, raised }
    }

    fn read(&self, offset: usize) -> u32 {
        // Safety: `new`'s contract: the registers are mapped at `base`.
        unsafe { ((self.base + offset) as *const u32).read_volatile() }
    }

    fn write(&self, offset: usize, value: u32) {
        // Safety: as in `read`.
        unsafe { ((self.base + offset) as *mut u32).write_volatile(value) }
    }

    /// Turns the alarm interrupt on, with nothing pending.
    pub fn init(&self) {
        self.write(CLEAR_INTERRUPT, 1);
        self.write(IRQ_ENABLED, 1);
    }

    /// The time in ns (the low half first: its read latches the high half).
    pub fn time_ns(&self) -> u64 {
        let low = self.read(TIME_LOW);
        u64::from(self.read(TIME_HIGH)) << 32 | u64::from(low)
    }

    /// Arms the alarm at `ns` (the high half first: writing the low half arms it).
    pub fn set_alarm(&self, ns: u64) {
        self.write(ALARM_HIGH, (ns >> 32) as u32);
        self.write(ALARM_LOW, ns as u32);
    }

    /// Whether the alarm is armed and has not fired.
    pub fn armed(&self) -> bool {
        self.read(ALARM_STATUS) & 1 != 0
    }

    /// Takes the alarm interrupt: reads the time and when the line rose, then clears it (the
    /// line drops, so the PLIC can be completed).
    pub fn take(&self) -> Taken {
        let time_ns = self.time_ns();
        let raised_cycle = if self.raised {
            let low = self.read(RAISED_LOW);
            u64::from(self.read(RAISED_HIGH)) << 32 | u64::from(low)
        } else {
            0
        };
        self.write(CLEAR_INTERRUPT, 1);
        Taken {
            time_ns,
            raised_cycle,
        }
    }
}
