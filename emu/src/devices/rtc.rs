//! The Goldfish real-time clock (`google,goldfish-rtc`, as on QEMU `virt`): a nanosecond clock
//! with one alarm that raises an interrupt (PLIC source 11).
//!
//! ```text
//! offset  register          access  meaning
//! 0x00    TIME_LOW          R/W     low 32 bits of the time in ns; a read latches the high half
//! 0x04    TIME_HIGH         R/W     the high half latched by the last TIME_LOW read
//! 0x08    ALARM_LOW         R/W     writing arms the alarm at ALARM_HIGH:value ns
//! 0x0c    ALARM_HIGH        R/W     high half of the next alarm
//! 0x10    IRQ_ENABLED       R/W     bit 0: the interrupt output follows the pending bit
//! 0x14    CLEAR_ALARM       W       disarms the alarm
//! 0x18    ALARM_STATUS      R       1 while the alarm is armed and has not fired
//! 0x1c    CLEAR_INTERRUPT   W       clears the pending bit (the line drops)
//! 0x20    RAISED_LOW        R       klab only: low half of the cycle the line last rose at
//! 0x24    RAISED_HIGH       R       klab only: its high half
//! ```
//!
//! Registers are 32 bits wide; other access sizes fault. Unknown offsets read 0 and ignore
//! writes. `RAISED_*` are klab's: QEMU's device faults there, so the device tree announces
//! them with the empty property `klab,raised-cycle` on the RTC's node.
//!
//! Time is not a clock: it is `cycles × 10⁹ / clock_hz + offset` ns, where the offset starts at
//! 0 (QEMU starts at the host's wall clock) and absorbs guest writes to `TIME_*`. So the alarm
//! fires at an exact, reproducible cycle ([`GoldfishRtc::deadline`]), which the machine ends a
//! slice at, as it does for the CLINT's timer. An alarm set in the past fires at once, as on
//! QEMU. The line rises when the alarm fires with the interrupt enabled, or when the interrupt
//! is enabled while pending; `RAISED_*` record that cycle, so a driver can tell how long the
//! interrupt took to reach it.

use super::Mmio;

const TIME_LOW: u64 = 0x00;
const TIME_HIGH: u64 = 0x04;
const ALARM_LOW: u64 = 0x08;
const ALARM_HIGH: u64 = 0x0c;
const IRQ_ENABLED: u64 = 0x10;
const CLEAR_ALARM: u64 = 0x14;
const ALARM_STATUS: u64 = 0x18;
const CLEAR_INTERRUPT: u64 = 0x1c;
const RAISED_LOW: u64 = 0x20;
const RAISED_HIGH: u64 = 0x24;

const NS_PER_S: u128 = 1_000_000_000;

/// The Goldfish RTC.
#[derive(Clone, Debug)]
pub struct GoldfishRtc {
    clock_hz: u64,
    /// `time - cycles × 10⁹ / clock_hz`, changed by guest writes to `TIME_*`.
    offset: u64,
    /// The high half latched by the last `TIME_LOW` read.
    time_high: u32,
    /// The alarm in ns, as last written (`ALARM_HIGH` and the last `ALARM_LOW`).
    alarm_ns: u64,
    /// The cycle the armed alarm fires at (`None`: not armed).
    alarm_at: Option<u64>,
    irq_enabled: bool,
    irq_pending: bool,
    /// The cycle the interrupt output last rose at.
    raised_at: u64,
}

impl GoldfishRtc {
    /// An RTC of a core clocked at `clock_hz`, at time 0, alarm off, interrupt disabled.
    pub fn new(clock_hz: u64) -> GoldfishRtc {
        GoldfishRtc {
            clock_hz: clock_hz.max(1),
            offset: 0,
            time_high: 0,
            alarm_ns: 0,
            alarm_at: None,
            irq_enabled: false,
            irq_pending: false,
            raised_at: 0,
        }
    }

    /// The time in ns at cycle `now`, before the offset.
    fn raw_ns(&self, now: u64) -> u64 {
        (u128::from(now) * NS_PER_S / u128::from(self.clock_hz)).min(u128::from(u64::MAX)) as u64
    }

    /// The time in ns at cycle `now`.
    pub fn time_ns(&self, now: u64) -> u64 {
        self.raw_ns(now).wrapping_add(self.offset)
    }

    /// The first cycle whose raw time is at least `ns` (`None`: past the end of cycles).
    fn cycle_of(&self, ns: u64) -> Option<u64> {
        let c = (u128::from(ns) * u128::from(self.clock_hz)).div_ceil(NS_PER_S);
        u64::try_from(c).ok()
    }

    /// The cycle the armed alarm fires at, if it is armed.
    pub fn deadline(&self) -> Option<u64> {
        self.alarm_at
    }

    /// The interrupt output.
    pub fn line(&self) -> bool {
        self.irq_pending && self.irq_enabled
    }

    /// Brings the alarm up to cycle `now`: fires it if its cycle has come.
    pub fn advance(&mut self, now: u64) {
        if let Some(at) = self.alarm_at
            && now >= at
        {
            self.alarm_at = None;
            let was = self.line();
            self.irq_pending = true;
            if !was && self.line() {
                self.raised_at = at;
            }
        }
    }

    /// Arms the alarm at `self.alarm_ns`, at cycle `now`.
    fn arm(&mut self, now: u64) {
        let raw = self.alarm_ns.wrapping_sub(self.offset);
        self.alarm_at = if raw <= self.raw_ns(now) {
            Some(now)
        } else {
            self.cycle_of(raw)
        };
        self.advance(now);
    }

    /// Sets the time's bits `shift..shift + 32` to `value` at cycle `now`.
    fn set_time(&mut self, now: u64, shift: u32, value: u32) {
        let t = self.time_ns(now);
        let new = (t & !(0xffff_ffffu64 << shift)) | (u64::from(value) << shift);
        self.offset = new.wrapping_sub(self.raw_ns(now));
    }
}

impl Mmio for GoldfishRtc {
    fn read(&mut self, offset: u64, size: u8, now: u64) -> Option<u64> {
        if size != 4 {
            return None;
        }
        self.advance(now);
        let v = match offset {
            TIME_LOW => {
                let t = self.time_ns(now);
                self.time_high = (t >> 32) as u32;
                t as u32
            }
            TIME_HIGH => self.time_high,
            ALARM_LOW => self.alarm_ns as u32,
            ALARM_HIGH => (self.alarm_ns >> 32) as u32,
            IRQ_ENABLED => u32::from(self.irq_enabled),
            ALARM_STATUS => u32::from(self.alarm_at.is_some()),
            RAISED_LOW => self.raised_at as u32,
            RAISED_HIGH => (self.raised_at >> 32) as u32,
            _ => 0,
        };
        Some(u64::from(v))
    }

    fn write(&mut self, offset: u64, size: u8, value: u64, now: u64) -> Option<()> {
        if size != 4 {
            return None;
        }
        self.advance(now);
        let v = value as u32;
        match offset {
            TIME_LOW => self.set_time(now, 0, v),
            TIME_HIGH => self.set_time(now, 32, v),
            ALARM_LOW => {
                self.alarm_ns = (self.alarm_ns & !0xffff_ffff) | u64::from(v);
                self.arm(now);
            }
            ALARM_HIGH => {
                self.alarm_ns = (self.alarm_ns & 0xffff_ffff) | (u64::from(v) << 32);
            }
            IRQ_ENABLED => {
                let was = self.line();
                self.irq_enabled = v & 1 != 0;
                if !was && self.line() {
                    self.raised_at = now;
                }
            }
            CLEAR_ALARM => self.alarm_at = None,
            CLEAR_INTERRUPT => self.irq_pending = false,
            _ => {}
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(r: &mut GoldfishRtc, off: u64, now: u64) -> u64 {
        r.read(off, 4, now).unwrap()
    }

    fn arm(r: &mut GoldfishRtc, ns: u64, now: u64) {
        r.write(ALARM_HIGH, 4, ns >> 32, now).unwrap();
        r.write(ALARM_LOW, 4, ns & 0xffff_ffff, now).unwrap();
    }

    #[test]
    fn time_follows_cycles_and_a_low_read_latches_the_high_half() {
        // 2 GHz: two cycles a nanosecond.
        let mut r = GoldfishRtc::new(2_000_000_000);
        let now = 2 * ((5u64 << 32) + 7);
        assert_eq!(read(&mut r, TIME_LOW, now), 7);
        assert_eq!(read(&mut r, TIME_HIGH, now + 1_000), 5, "latched");
        r.write(TIME_HIGH, 4, 0, now).unwrap();
        assert_eq!(r.time_ns(now), 7, "a write moves the offset");
        assert_eq!(r.time_ns(now + 20), 17);
    }

    #[test]
    fn the_alarm_fires_at_its_exact_cycle_and_the_line_records_when_it_rose() {
        // 3 GHz: 1 ns is 3 cycles; 1000 ns is cycle 3000.
        let mut r = GoldfishRtc::new(3_000_000_000);
        r.write(IRQ_ENABLED, 4, 1, 0).unwrap();
        arm(&mut r, 1000, 10);
        assert_eq!(r.deadline(), Some(3000));
        assert_eq!(read(&mut r, ALARM_STATUS, 2999), 1);
        assert!(!r.line());
        r.advance(3000);
        assert!(r.line());
        assert_eq!(read(&mut r, ALARM_STATUS, 3001), 0, "fired: not armed");
        assert_eq!(read(&mut r, RAISED_LOW, 3500), 3000);
        assert_eq!(read(&mut r, RAISED_HIGH, 3500), 0);
        r.write(CLEAR_INTERRUPT, 4, 1, 3600).unwrap();
        assert!(!r.line());
    }

    #[test]
    fn an_alarm_in_the_past_fires_at_once_and_clear_alarm_disarms() {
        let mut r = GoldfishRtc::new(1_000_000_000);
        r.write(IRQ_ENABLED, 4, 1, 0).unwrap();
        arm(&mut r, 50, 100);
        assert!(r.line(), "50 ns is already past at cycle 100");
        assert_eq!(read(&mut r, RAISED_LOW, 100), 100);
        r.write(CLEAR_INTERRUPT, 4, 1, 100).unwrap();
        arm(&mut r, 1_000, 200);
        r.write(CLEAR_ALARM, 4, 1, 300).unwrap();
        assert_eq!(r.deadline(), None);
        r.advance(5_000);
        assert!(!r.line(), "a cleared alarm never fires");
    }

    #[test]
    fn a_pending_alarm_raises_the_line_when_the_interrupt_is_enabled() {
        let mut r = GoldfishRtc::new(1_000_000_000);
        arm(&mut r, 10, 0);
        r.advance(10);
        assert!(!r.line(), "disabled");
        r.write(IRQ_ENABLED, 4, 1, 40).unwrap();
        assert!(r.line());
        assert_eq!(read(&mut r, RAISED_LOW, 41), 40);
    }

    #[test]
    fn odd_sizes_fault_and_unknown_offsets_read_zero() {
        let mut r = GoldfishRtc::new(1_000_000_000);
        assert_eq!(r.read(TIME_LOW, 8, 0), None);
        assert_eq!(r.write(ALARM_LOW, 1, 0, 0), None);
        assert_eq!(r.read(0xffc, 4, 0), Some(0));
        assert_eq!(r.write(0xffc, 4, 9, 0), Some(()));
        // An alarm beyond the last cycle never fires and never overflows.
        let mut r = GoldfishRtc::new(2_000_000_000);
        r.write(IRQ_ENABLED, 4, 1, 0).unwrap();
        arm(&mut r, u64::MAX, 0);
        assert_eq!(r.deadline(), None);
        r.advance(u64::MAX);
        assert!(!r.line());
    }
}
