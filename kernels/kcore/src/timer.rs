//! Time: `time` in timebase ticks (the DTB's `timebase-frequency`), converted to nanoseconds, and
//! deadlines through M-mode ([`crate::machine::set_timer`]). On klab `time` follows the modeled
//! cycles, so every reading is deterministic.

use core::sync::atomic::{AtomicU64, Ordering};

use crate::csr;

/// Timebase ticks per second, from the device tree (`init`, at boot, before any reading of
/// time); 0 until then.
static TIMEBASE_HZ: AtomicU64 = AtomicU64::new(0);

/// Sets the timebase (from the DTB).
pub fn init(timebase_hz: u64) {
    TIMEBASE_HZ.store(timebase_hz.max(1), Ordering::Relaxed);
}

/// The timebase (at least 1, so that a conversion before `init` cannot divide by zero).
fn hz() -> u128 {
    u128::from(TIMEBASE_HZ.load(Ordering::Relaxed).max(1))
}

/// Ticks now.
pub fn now() -> u64 {
    csr::time()
}

/// Nanoseconds since reset.
pub fn now_ns() -> u64 {
    ticks_to_ns(now())
}

/// Ticks → nanoseconds.
pub fn ticks_to_ns(ticks: u64) -> u64 {
    (u128::from(ticks) * 1_000_000_000 / hz()) as u64
}

/// Nanoseconds → ticks, rounded up (a sleep never ends early).
pub fn ns_to_ticks(ns: u64) -> u64 {
    (u128::from(ns) * hz())
        .div_ceil(1_000_000_000)
        .min(u128::from(u64::MAX)) as u64
}

/// Asks for a supervisor timer interrupt at tick `deadline` (replacing any earlier request).
pub fn set_deadline(deadline: u64) {
    crate::machine::set_timer(deadline);
}
