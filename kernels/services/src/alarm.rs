//! The alarm programs see (`alarm_arm`, `alarm_wait`): one alarm of the board's RTC, armed
//! by anybody, waited for by anybody. The policy is here once; the device is driven by the
//! `rtc` crate — from `mono`'s kernel, or from `micro`'s console server, which hosts this state.
//!
//! Arming replaces an armed alarm and forgets a fired one. A wait blocks ([`Wait::Alarm`]) while
//! the alarm is armed, and returns the last fired alarm at once until the next arm, so every
//! waiter of one alarm — however many, woken in any order — gets the same event. An interrupt
//! taken before the armed time (left pending by an alarm that was replaced) fires nothing.
//!
//! Left out: one alarm per process, and cancelling (arming far ahead does that).

use abi::Errno;
use abi::types::{ALARM_MAX_NS, AlarmEvent};

use crate::{Error, Wait, Wakes};

/// The alarm's state.
#[derive(Clone, Copy, Debug, Default)]
pub struct Alarm {
    /// The armed alarm's time (ns on the RTC's clock).
    armed: Option<u64>,
    /// The last alarm that fired, until the next arm.
    fired: Option<AlarmEvent>,
}

impl Alarm {
    /// No alarm armed or fired.
    pub const fn new() -> Alarm {
        Alarm {
            armed: None,
            fired: None,
        }
    }

    /// `alarm_arm`: arms the alarm `delay_ns` after `now_ns`; the time to program the device
    /// with (and the call's value).
    pub fn arm(&mut self, now_ns: u64, delay_ns: u64) -> Result<u64, Errno> {
        if delay_ns > ALARM_MAX_NS {
            return Err(Errno::Inval);
        }
        let at = now_ns.saturating_add(delay_ns);
        self.armed = Some(at);
        self.fired = None;
        Ok(at)
    }

    /// Whether an alarm is armed: its interrupt has not been taken yet (so a waiter can still
    /// be woken, whatever the device says meanwhile).
    pub fn is_armed(&self) -> bool {
        self.armed.is_some()
    }

    /// `alarm_wait`: the fired alarm's event, or wait for the armed one.
    pub fn wait(&self) -> Result<AlarmEvent, Error> {
        match (self.fired, self.armed) {
            (Some(e), _) => Ok(e),
            (None, Some(_)) => Err(Error::WouldBlock(Wait::Alarm)),
            (None, None) => Err(Errno::Inval.into()),
        }
    }

    /// The RTC's interrupt was taken at `taken_ns` (the device raised it at `raised_cycle`):
    /// the armed alarm fires if its time has come, waking its waiters. Whether it fired.
    pub fn fire(&mut self, taken_ns: u64, raised_cycle: u64, wakes: &mut Wakes) -> bool {
        match self.armed {
            Some(at) if taken_ns >= at => {
                self.armed = None;
                self.fired = Some(AlarmEvent {
                    alarm_ns: at,
                    taken_ns,
                    raised_cycle,
                });
                wakes.push(Wait::Alarm);
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_blocks_while_armed_and_every_waiter_gets_the_fired_event() {
        let mut a = Alarm::new();
        assert_eq!(a.wait(), Err(Error::Errno(Errno::Inval)), "nothing armed");
        assert_eq!(a.arm(1_000, 500), Ok(1_500));
        assert_eq!(a.wait(), Err(Error::WouldBlock(Wait::Alarm)));
        assert!(a.is_armed());
        let mut w = Wakes::new();
        assert!(!a.fire(1_499, 7, &mut w), "too early: a stale interrupt");
        assert!(w.is_empty());
        assert!(a.fire(1_600, 42, &mut w));
        assert_eq!(w.iter().collect::<Vec<_>>(), [Wait::Alarm]);
        assert!(!a.is_armed());
        let e = a.wait().unwrap();
        assert_eq!((e.alarm_ns, e.taken_ns, e.raised_cycle), (1_500, 1_600, 42));
        assert_eq!(a.wait(), Ok(e), "a second waiter gets the same event");
        assert!(!a.fire(2_000, 0, &mut Wakes::new()), "fired already");
    }

    #[test]
    fn arming_again_forgets_the_fired_alarm_and_long_delays_are_refused() {
        let mut a = Alarm::new();
        a.arm(0, 10).unwrap();
        a.fire(10, 0, &mut Wakes::new());
        a.arm(20, 10).unwrap();
        assert_eq!(a.wait(), Err(Error::WouldBlock(Wait::Alarm)));
        assert_eq!(a.arm(0, ALARM_MAX_NS + 1), Err(Errno::Inval));
        assert_eq!(a.arm(u64::MAX - 1, 10), Ok(u64::MAX), "saturates");
    }

    #[test]
    fn the_event_lies_in_memory_as_its_fields_in_order() {
        let e = AlarmEvent {
            alarm_ns: 1,
            taken_ns: 2,
            raised_cycle: 3,
        };
        let b = e.to_bytes();
        assert_eq!(b.len(), size_of::<AlarmEvent>());
        assert_eq!((b[0], b[8], b[16]), (1, 2, 3));
    }
}
