//! Requests parked until what they wait for happens: micro's servers keep here the calls that
//! would block (`Error::WouldBlock`), as mono keeps the blocked threads in its scheduler's wait
//! index — the same index ([`ksched::waits`]), so a wake-up costs O(1) per request it takes
//! in both kernels, not a scan of everything parked.
//!
//! - [`Parked::park`] files a request under its [`Wait`], behind those already waiting on it.
//! - [`Parked::take`] moves every request parked on a wait, in arrival order, to the back of
//!   the *due* queue, visiting only the requests of the wait's hash bucket;
//!   [`Parked::next_due`] hands them out one by one. Performing one again may park it anew
//!   (it goes to the back of its wait's line, not into the due queue being worked through) or
//!   take other waits.
//! - [`Parked::drop_where`] forgets the requests of a caller that is gone (process exit, a
//!   signal): a look at every entry, as those events are rare.
//!
//! While few requests are parked (at most [`SMALL`], the usual case: a signal's `sigsuspend`,
//! one blocked reader) they sit in a small list scanned whole, cheaper than the index for so
//! few; the one past [`SMALL`] moves them all into the index, in arrival order, and the list
//! is used again once the index is empty. Either way a wake-up costs O(1) per request it takes
//! (the list's scan is bounded by [`SMALL`]).
//!
//! Generic over the request (`M`): a server's message. Left out: any order across waits, and
//! a bound of its own (the requests parked are bounded by the threads that can be blocked in
//! a call; [`Parked::park`] refuses one past [`ksched::waits::MAX_MEMBERS`]).

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use ksched::waits::{self, Link, Member, Waits};

use crate::Wait;

/// One entry: a parked request and what it waits for, or a free entry (`msg` is `None`).
#[derive(Debug)]
struct Entry<M> {
    link: Link,
    wait: Wait,
    msg: Option<M>,
}

impl<M> Member for Entry<M> {
    fn link(&self) -> &Link {
        &self.link
    }

    fn link_mut(&mut self) -> &mut Link {
        &mut self.link
    }
}

/// How many requests the small list holds before they move into the index.
pub const SMALL: usize = 8;

/// The index holds more than the small list: moving the list there always finds room.
const ROOM: () = assert!(waits::MAX_MEMBERS > SMALL);

/// A server's parked requests (see the module note).
#[derive(Debug)]
pub struct Parked<M> {
    /// The requests parked while there are few, in arrival order; empty while the index has any.
    small: Vec<(Wait, M)>,
    entries: Vec<Entry<M>>,
    /// Free entries, reused last-freed first.
    free: Vec<usize>,
    waits: Waits,
    due: VecDeque<M>,
    /// How many requests the index holds (the small list's are not counted).
    parked: usize,
}

impl<M> Default for Parked<M> {
    fn default() -> Self {
        Parked::new()
    }
}

impl<M> Parked<M> {
    /// None parked.
    pub const fn new() -> Parked<M> {
        Parked {
            small: Vec::new(),
            entries: Vec::new(),
            free: Vec::new(),
            waits: Waits::new(),
            due: VecDeque::new(),
            parked: 0,
        }
    }

    /// Parks `msg` until `wait` happens, behind the requests already parked on it; `Err(msg)`
    /// back if the index is full ([`waits::MAX_MEMBERS`]).
    pub fn park(&mut self, msg: M, wait: Wait) -> Result<(), M> {
        if self.parked == 0 && self.small.len() < SMALL {
            self.small.push((wait, msg));
            return Ok(());
        }
        self.park_indexed(msg, wait)
    }

    /// [`Parked::park`] into the index, moving the small list's requests there first.
    #[inline(never)]
    fn park_indexed(&mut self, msg: M, wait: Wait) -> Result<(), M> {
        let () = ROOM;
        if !self.small.is_empty() {
            let small = core::mem::take(&mut self.small);
            for (w, m) in small {
                // At most `SMALL` into an empty index: there is room (`ROOM`), so this never
                // gives one back; if it did, the request stays parked in the list.
                if let Err(m) = self.file(m, w) {
                    self.small.push((w, m));
                }
            }
        }
        self.file(msg, wait)
    }

    /// Files `msg` under `wait` in the index.
    fn file(&mut self, msg: M, wait: Wait) -> Result<(), M> {
        let index = match self.free.pop() {
            Some(i) => i,
            None if self.entries.len() < waits::MAX_MEMBERS => {
                self.entries.push(Entry {
                    link: Link::UNFILED,
                    wait,
                    msg: None,
                });
                self.entries.len() - 1
            }
            None => return Err(msg),
        };
        let e = &mut self.entries[index];
        e.wait = wait;
        e.msg = Some(msg);
        self.waits.file(&mut self.entries, index, &wait);
        self.parked += 1;
        Ok(())
    }

    /// Moves every request parked on `wait` to the back of the due queue, in the order they
    /// were parked; returns how many.
    pub fn take(&mut self, wait: Wait) -> usize {
        if self.parked != 0 {
            return self.take_indexed(wait);
        }
        let mut n = 0;
        let mut i = 0;
        while i < self.small.len() {
            if self.small[i].0 == wait {
                let (_, msg) = self.small.remove(i);
                self.due.push_back(msg);
                n += 1;
            } else {
                i += 1;
            }
        }
        n
    }

    /// [`Parked::take`] from the index.
    #[inline(never)]
    fn take_indexed(&mut self, wait: Wait) -> usize {
        let mut n = 0;
        let mut at = self.waits.first(&wait);
        while let Some(index) = at {
            at = Waits::next(&self.entries, index);
            if self.entries[index].wait != wait {
                continue;
            }
            self.waits.unfile(&mut self.entries, index);
            if let Some(msg) = self.entries[index].msg.take() {
                self.due.push_back(msg);
                n += 1;
            }
            self.free.push(index);
            self.parked -= 1;
        }
        n
    }

    /// The first request of the due queue ([`Parked::take`]).
    pub fn next_due(&mut self) -> Option<M> {
        self.due.pop_front()
    }

    /// Everything some parked request waits for, each once (by entry, not arrival, order).
    pub fn waits(&self) -> Vec<Wait> {
        let mut v: Vec<Wait> = Vec::new();
        let small = self.small.iter().map(|(w, _)| w);
        let indexed = self
            .entries
            .iter()
            .filter(|e| e.msg.is_some())
            .map(|e| &e.wait);
        for w in small.chain(indexed) {
            if !v.contains(w) {
                v.push(*w);
            }
        }
        v
    }

    /// What the first parked request that `is` accepts waits for (a look at every entry: for
    /// rare events, as [`Parked::drop_where`]).
    pub fn wait_where(&self, is: impl Fn(&M) -> bool) -> Option<Wait> {
        let small = self.small.iter().find(|(_, m)| is(m)).map(|(w, _)| *w);
        small.or_else(|| {
            self.entries
                .iter()
                .find(|e| e.msg.as_ref().is_some_and(&is))
                .map(|e| e.wait)
        })
    }

    /// Forgets every request, parked or due.
    pub fn clear(&mut self) {
        self.small.clear();
        self.entries.clear();
        self.free.clear();
        self.waits = Waits::new();
        self.due.clear();
        self.parked = 0;
    }

    /// Forgets every request, parked or due, that `gone` accepts; whether there was one.
    pub fn drop_where(&mut self, gone: impl Fn(&M) -> bool) -> bool {
        let mut dropped = false;
        if !self.due.is_empty() {
            let due = self.due.len();
            self.due.retain(|m| !gone(m));
            dropped = self.due.len() != due;
        }
        if !self.small.is_empty() {
            let small = self.small.len();
            self.small.retain(|(_, m)| !gone(m));
            dropped |= self.small.len() != small;
        }
        if self.parked != 0 {
            dropped |= self.drop_indexed(&gone);
        }
        dropped
    }

    /// [`Parked::drop_where`] in the index.
    #[inline(never)]
    fn drop_indexed(&mut self, gone: &impl Fn(&M) -> bool) -> bool {
        let mut dropped = false;
        // Entries are reused last-freed first, so the few parked ones tend to come first: the
        // look stops at the last of them.
        let mut left = self.parked;
        for index in 0..self.entries.len() {
            if left == 0 {
                break;
            }
            match &self.entries[index].msg {
                Some(m) => {
                    left -= 1;
                    if !gone(m) {
                        continue;
                    }
                }
                None => continue,
            }
            self.waits.unfile(&mut self.entries, index);
            self.entries[index].msg = None;
            self.free.push(index);
            self.parked -= 1;
            dropped = true;
        }
        dropped
    }

    /// How many requests are parked (not counting the due ones).
    pub fn len(&self) -> usize {
        self.parked + self.small.len()
    }

    /// Whether none is parked or due.
    pub fn is_empty(&self) -> bool {
        self.parked == 0 && self.small.is_empty() && self.due.is_empty()
    }

    /// Checks the index against the entries; panics with what broke (tests).
    #[cfg(test)]
    fn check(&self) {
        self.waits
            .check(&self.entries, |e| Some(waits::bucket(&e.wait)));
        for (i, e) in self.entries.iter().enumerate() {
            assert_eq!(e.msg.is_some(), e.link.is_filed(), "entry {i}");
        }
        let live = self.entries.iter().filter(|e| e.msg.is_some()).count();
        assert_eq!(live, self.parked);
        assert_eq!(live + self.free.len(), self.entries.len());
        assert!(self.small.len() <= SMALL);
        assert!(
            self.small.is_empty() || self.parked == 0,
            "both the list and the index"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn due(p: &mut Parked<u32>) -> Vec<u32> {
        core::iter::from_fn(|| p.next_due()).collect()
    }

    #[test]
    fn does_a_take_hand_out_the_requests_of_its_wait_in_arrival_order_and_only_those() {
        let mut p = Parked::new();
        p.park(1, Wait::PipeReadable(3)).unwrap();
        p.park(2, Wait::PipeWritable(3)).unwrap();
        p.park(3, Wait::PipeReadable(3)).unwrap();
        p.park(4, Wait::Console).unwrap();
        p.park(5, Wait::PipeReadable(3)).unwrap();
        p.check();
        assert_eq!(p.take(Wait::PipeReadable(3)), 3);
        p.check();
        assert_eq!(p.len(), 2);
        assert_eq!(due(&mut p), [1, 3, 5]);
        assert_eq!(p.take(Wait::PipeReadable(3)), 0);
        assert_eq!(p.take(Wait::PipeReadable(4)), 0);
        assert_eq!(p.take(Wait::Console), 1);
        assert_eq!(due(&mut p), [4]);
        p.check();
    }

    #[test]
    fn does_wait_where_find_a_request_in_the_small_list_and_in_the_index() {
        let mut p = Parked::new();
        p.park(1, Wait::Console).unwrap();
        assert_eq!(p.wait_where(|&m| m == 1), Some(Wait::Console));
        for i in 2..40 {
            p.park(i, Wait::PipeReadable(i as usize)).unwrap();
        }
        assert_eq!(p.wait_where(|&m| m == 1), Some(Wait::Console));
        assert_eq!(p.wait_where(|&m| m == 39), Some(Wait::PipeReadable(39)));
        assert_eq!(p.wait_where(|&m| m == 40), None);
        // A due request is no longer parked on anything.
        p.take(Wait::Console);
        assert_eq!(p.wait_where(|&m| m == 1), None);
    }

    #[test]
    fn is_a_request_parked_again_while_its_wait_is_worked_through_left_for_the_next_take() {
        let mut p = Parked::new();
        p.park(1, Wait::Thread(7)).unwrap();
        p.park(2, Wait::Thread(7)).unwrap();
        p.take(Wait::Thread(7));
        // Retried, the first blocks again on the same wait.
        let first = p.next_due().unwrap();
        p.park(first, Wait::Thread(7)).unwrap();
        assert_eq!(due(&mut p), [2]);
        assert_eq!(p.len(), 1);
        p.take(Wait::Thread(7));
        assert_eq!(due(&mut p), [1]);
        assert!(p.is_empty());
        p.check();
    }

    #[test]
    fn does_a_server_with_64_clients_parked_on_64_pipes_take_each_without_the_others() {
        let mut p = Parked::new();
        for i in 0..64 {
            p.park(i as u32, Wait::PipeReadable(i)).unwrap();
        }
        p.check();
        for i in (0..64).rev() {
            assert_eq!(p.take(Wait::PipeReadable(i)), 1);
            assert_eq!(due(&mut p), [i as u32]);
            p.park(i as u32, Wait::PipeReadable(i)).unwrap();
        }
        assert_eq!(p.len(), 64);
        // Entries are reused: 64 parked at a time never need more.
        assert_eq!(p.entries.len(), 64);
        p.check();
    }

    #[test]
    fn does_dropping_a_gone_caller_forget_its_parked_and_due_requests() {
        let mut p = Parked::new();
        for (m, w) in [(10, 1), (21, 1), (12, 2), (23, 2), (14, 1)] {
            p.park(m, Wait::Futex(w)).unwrap();
        }
        p.take(Wait::Futex(2));
        // Requests 2x are the gone caller's.
        assert!(p.drop_where(|m| m / 10 == 2));
        assert!(!p.drop_where(|m| m / 10 == 2));
        p.check();
        assert_eq!(due(&mut p), [12]);
        p.take(Wait::Futex(1));
        assert_eq!(due(&mut p), [10, 14]);
        assert_eq!(p.waits(), vec![]);
        p.park(1, Wait::Alarm).unwrap();
        p.park(2, Wait::Timer).unwrap();
        p.park(3, Wait::Alarm).unwrap();
        let mut w = p.waits();
        w.sort();
        assert_eq!(w, [Wait::Timer, Wait::Alarm]);
        p.clear();
        assert!(p.is_empty());
        assert_eq!(p.take(Wait::Alarm), 0);
        p.check();
    }

    #[test]
    fn does_the_request_past_the_small_list_move_all_into_the_index_in_arrival_order_and_back() {
        let mut p = Parked::new();
        for m in 0..SMALL as u32 {
            p.park(m, Wait::Futex(m as usize % 2)).unwrap();
        }
        assert_eq!((p.small.len(), p.parked), (SMALL, 0));
        p.check();
        p.park(100, Wait::Futex(0)).unwrap();
        assert_eq!((p.small.len(), p.parked), (0, SMALL + 1));
        p.check();
        let evens: Vec<u32> = (0..SMALL as u32).filter(|m| m % 2 == 0).collect();
        assert_eq!(p.take(Wait::Futex(0)), evens.len() + 1);
        assert_eq!(due(&mut p), [evens, vec![100]].concat());
        // A gone caller's request leaves the index; the index empty, the list is used again.
        assert!(p.drop_where(|m| *m == 1));
        p.check();
        assert_eq!(p.take(Wait::Futex(1)), SMALL / 2 - 1);
        assert_eq!(
            due(&mut p),
            (3..SMALL as u32).step_by(2).collect::<Vec<_>>()
        );
        assert!(p.is_empty());
        p.park(7, Wait::Console).unwrap();
        assert_eq!((p.small.len(), p.parked), (1, 0));
        assert!(p.drop_where(|m| *m == 7));
        assert!(p.is_empty());
        p.check();
    }
}
