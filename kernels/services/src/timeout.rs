//! The timeout argument of `poll` and `epoll_wait` (`timeout_ns`), and the deadlines of the
//! calls that wait with one.
//!
//! - [`Timeout`]: what the argument means — 0 looks once, a negative value (as `isize`:
//!   `abi::types::poll::FOREVER`, `usize::MAX`) waits as long as it takes, a positive one waits
//!   at most that many nanoseconds;
//! - [`Timeout::deadline`]: the absolute deadline of a finite timeout, in whatever unit the
//!   caller's clock counts (mono: timer ticks; micro's file server: the `clock` call's ns);
//! - [`Deadlines`]: the deadlines of waiting callers, by a key (micro's file server keys them by
//!   the caller's badge; mono keeps one per thread in the thread table instead).
//!
//! A call with a finite timeout takes its deadline once, at its first try, and keeps it while it
//! is retried (a retry sees the same argument, so the time already waited must not start over).
//! Once the deadline has passed, the call looks once more and returns what it finds (0 events if
//! nothing is ready). Left out: reading the clock and being woken at the deadline, which are the
//! kernels' (the timer).

use alloc::vec::Vec;

/// What a `timeout_ns` argument asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timeout {
    /// Look once and return (0).
    Now,
    /// Wait as long as it takes (negative as `isize`).
    Forever,
    /// Wait at most this many nanoseconds (positive).
    After(u64),
}

impl Timeout {
    /// The timeout `timeout_ns` asks for.
    #[inline(always)]
    pub const fn from_arg(timeout_ns: usize) -> Timeout {
        match timeout_ns as isize {
            0 => Timeout::Now,
            n if n < 0 => Timeout::Forever,
            n => Timeout::After(n as u64),
        }
    }

    /// The deadline of a finite timeout started at `now`, with `to_units` turning nanoseconds
    /// into the units of `now` (rounding up, so a wait never ends early); saturates at
    /// `u64::MAX`. `None` for [`Timeout::Now`] and [`Timeout::Forever`].
    pub fn deadline(self, now: u64, to_units: impl FnOnce(u64) -> u64) -> Option<u64> {
        match self {
            Timeout::After(ns) => Some(now.saturating_add(to_units(ns))),
            Timeout::Now | Timeout::Forever => None,
        }
    }
}

/// Whether a call whose deadline is `deadline` may still block at `now` (the deadline has not
/// come yet).
#[inline(always)]
pub const fn before(deadline: u64, now: u64) -> bool {
    now < deadline
}

/// The deadlines of waiting callers, each under its key `K` (at most one per key). Few callers
/// wait with a timeout at once, so this is a plain list: every operation looks at all of them.
#[derive(Debug)]
pub struct Deadlines<K> {
    list: Vec<(K, u64)>,
}

impl<K> Default for Deadlines<K> {
    fn default() -> Self {
        Deadlines::new()
    }
}

impl<K> Deadlines<K> {
    /// None.
    pub const fn new() -> Deadlines<K> {
        Deadlines { list: Vec::new() }
    }

    /// How many callers have one.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether none has.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The earliest deadline (`None`: no caller has one).
    pub fn earliest(&self) -> Option<u64> {
        self.list.iter().map(|&(_, d)| d).min()
    }

    /// Forgets every deadline (a restarted server forgets the calls that waited).
    pub fn clear(&mut self) {
        self.list.clear();
    }
}

impl<K: Copy + PartialEq> Deadlines<K> {
    /// The deadline of `key`'s call, if it has one.
    pub fn get(&self, key: K) -> Option<u64> {
        self.list.iter().find(|&&(k, _)| k == key).map(|&(_, d)| d)
    }

    /// The deadline of `key`'s call: the one it has, or `deadline` from now on (its first try).
    pub fn get_or_set(&mut self, key: K, deadline: u64) -> u64 {
        if let Some(d) = self.get(key) {
            return d;
        }
        self.list.push((key, deadline));
        deadline
    }

    /// `key`'s call is over (it returned, failed or was cancelled): forgets its deadline.
    pub fn remove(&mut self, key: K) {
        self.list.retain(|&(k, _)| k != key);
    }

    /// Forgets the deadlines of every key `pred` accepts (the threads of an ended process).
    pub fn remove_if(&mut self, mut pred: impl FnMut(K) -> bool) {
        self.list.retain(|&(k, _)| !pred(k));
    }

    /// The keys whose deadline has come at `now` (they stay until [`Deadlines::remove`]d: the
    /// call forgets its deadline when it returns).
    pub fn due(&self, now: u64) -> impl Iterator<Item = K> + '_ {
        self.list
            .iter()
            .filter(move |&&(_, d)| !before(d, now))
            .map(|&(k, _)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What does each `timeout_ns` mean?
    #[test]
    fn the_argument_means_now_forever_or_a_finite_wait() {
        assert_eq!(Timeout::from_arg(0), Timeout::Now);
        assert_eq!(Timeout::from_arg(usize::MAX), Timeout::Forever);
        assert_eq!(Timeout::from_arg(-1000isize as usize), Timeout::Forever);
        assert_eq!(Timeout::from_arg(isize::MIN as usize), Timeout::Forever);
        assert_eq!(Timeout::from_arg(1), Timeout::After(1));
        assert_eq!(Timeout::from_arg(1_000_000), Timeout::After(1_000_000));
        assert_eq!(
            Timeout::from_arg(isize::MAX as usize),
            Timeout::After(isize::MAX as u64)
        );
    }

    /// Is the deadline now plus the wait in the clock's units, and never a wrap-around?
    #[test]
    fn a_deadline_is_now_plus_the_converted_wait_and_saturates() {
        let ticks = |ns: u64| ns.div_ceil(100); // a 10 MHz timer
        assert_eq!(Timeout::After(1_000_000).deadline(500, ticks), Some(10_500));
        assert_eq!(Timeout::After(1).deadline(500, ticks), Some(501));
        assert_eq!(
            Timeout::After(u64::MAX).deadline(7, |ns| ns),
            Some(u64::MAX)
        );
        assert_eq!(Timeout::Now.deadline(500, ticks), None);
        assert_eq!(Timeout::Forever.deadline(500, ticks), None);
        assert!(before(10, 9));
        assert!(!before(10, 10));
        assert!(!before(10, 11));
    }

    /// Does a retried call keep the deadline of its first try, and only its own?
    #[test]
    fn deadlines_are_kept_per_key_until_removed() {
        let mut d: Deadlines<u32> = Deadlines::new();
        assert_eq!(d.earliest(), None);
        assert_eq!(d.get_or_set(1, 100), 100);
        assert_eq!(
            d.get_or_set(1, 900),
            100,
            "a retry keeps the first deadline"
        );
        assert_eq!(d.get_or_set(2, 50), 50);
        assert_eq!(d.len(), 2);
        assert_eq!(d.earliest(), Some(50));
        assert_eq!(d.due(49).count(), 0);
        assert_eq!(d.due(50).collect::<Vec<_>>(), [2]);
        assert_eq!(d.due(100).collect::<Vec<_>>(), [1, 2]);
        d.remove(2);
        assert_eq!(d.get(2), None);
        assert_eq!(d.earliest(), Some(100));
        assert_eq!(d.get_or_set(2, 70), 70, "a new call starts afresh");
        d.remove_if(|k| k == 1);
        assert_eq!(d.get(1), None);
        assert_eq!(d.get(2), Some(70));
        d.clear();
        assert!(d.is_empty());
    }
}
