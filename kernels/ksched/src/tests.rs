//! Host tests of the thread table: the operations against a simple model (a `Vec` run queue and
//! a map of states), with the invariants checked after every step.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use proptest::prelude::*;

use crate::{MAX_THREADS, NextTask, Run, SpaceId, ThreadId, Threads};

type T = Threads<u32, u8>;

fn space(n: u32) -> SpaceId {
    SpaceId(n)
}

#[test]
fn what_does_a_new_table_hold() {
    let t = T::new();
    assert!(t.is_empty());
    assert_eq!(t.current(), None);
    assert_eq!(t.queue().count(), 0);
    t.check();
}

#[test]
fn do_ready_threads_run_in_arrival_order() {
    let mut t = T::new();
    let a = t.insert(space(1), Run::Ready, 10).unwrap();
    let b = t.insert(space(1), Run::Ready, 11).unwrap();
    let c = t.insert(space(2), Run::Blocked(7), 12).unwrap();
    t.check();
    assert_eq!(t.queue().collect::<Vec<_>>(), [a, b]);
    assert_eq!(t.pick(NextTask::Other), Some(a));
    assert_eq!(t.current(), Some(a));
    // The current thread runs on while it may.
    assert_eq!(t.pick(NextTask::Other), Some(a));
    assert_eq!(t.pick(NextTask::Same), Some(a));
    t.preempt();
    t.check();
    assert_eq!(t.queue().collect::<Vec<_>>(), [b, a]);
    assert_eq!(t.pick(NextTask::Other), Some(b));
    t.block(b, 3);
    t.check();
    assert_eq!(t.current(), None);
    assert_eq!(t.pick(NextTask::Same), Some(a));
    assert_eq!(t.wake(|&w| w == 7), 1);
    assert_eq!(t.wake(|&w| w == 7), 0);
    t.check();
    assert_eq!(t.queue().collect::<Vec<_>>(), [c]);
    assert_eq!(t.get(c).unwrap().data, 12);
    assert_eq!(t.get(c).unwrap().space, space(2));
}

#[test]
fn does_a_hand_off_skip_the_queue() {
    let mut t = T::new();
    let a = t.insert(space(1), Run::Ready, 0).unwrap();
    let b = t.insert(space(1), Run::Ready, 0).unwrap();
    let server = t.insert(space(9), Run::Blocked(1), 0).unwrap();
    assert_eq!(t.pick(NextTask::Other), Some(a));
    // a calls the server: a blocks, the server gets the processor directly.
    t.block(a, 2);
    t.get_mut(server).unwrap().data = 5;
    assert!(t.ready(server));
    assert_eq!(t.pick(NextTask::Specific(server)), Some(server));
    t.check();
    assert_eq!(t.queue().collect::<Vec<_>>(), [b]);
    // The server replies and hands back to a while it stays ready itself: it queues behind b.
    t.ready(a);
    assert_eq!(t.pick(NextTask::Specific(a)), Some(a));
    t.check();
    assert_eq!(t.queue().collect::<Vec<_>>(), [b, server]);
}

#[test]
fn does_a_hand_off_to_a_thread_that_cannot_run_fall_back() {
    let mut t = T::new();
    let a = t.insert(space(1), Run::Ready, 0).unwrap();
    let blocked = t.insert(space(1), Run::Blocked(1), 0).unwrap();
    assert_eq!(t.pick(NextTask::Specific(blocked)), Some(a));
    let gone = ThreadId::from_raw(blocked.raw() + (1 << 12)).unwrap();
    assert_eq!(t.pick(NextTask::Specific(gone)), Some(a));
    t.check();
}

#[test]
fn does_hand_off_do_what_block_ready_and_pick_do() {
    let mut t = T::new();
    let a = t.insert(space(1), Run::Ready, 0).unwrap();
    let b = t.insert(space(1), Run::Ready, 0).unwrap();
    let server = t.insert(space(9), Run::Blocked(1), 0).unwrap();
    assert_eq!(t.pick(NextTask::Other), Some(a));
    // Refused, nothing changed: to the current thread itself, to a runnable one, to a stale id.
    assert!(!t.hand_off(2, a));
    assert!(!t.hand_off(2, b));
    assert!(!t.hand_off(2, ThreadId::from_raw(server.raw() + (1 << 12)).unwrap()));
    t.check();
    assert_eq!(t.current(), Some(a));
    assert!(t.get(a).unwrap().is_ready());
    // a calls the waiting server: a blocks on 2, the server runs, b still waits in the queue.
    assert!(t.hand_off(2, server));
    t.check();
    assert_eq!(t.current(), Some(server));
    assert_eq!(t.get(a).unwrap().run(), Run::Blocked(2));
    assert_eq!(t.queue().collect::<Vec<_>>(), [b]);
    // The server answers and waits again: a runs.
    assert!(t.hand_off(1, a));
    t.check();
    assert_eq!(t.current(), Some(a));
    assert_eq!(t.get(server).unwrap().run(), Run::Blocked(1));
    assert_eq!(t.queue().collect::<Vec<_>>(), [b]);
    // A look that says no changes nothing; one that says yes sees both threads.
    assert_eq!(t.hand_off_with(5, server, |_, _| None::<()>), None);
    t.check();
    assert_eq!(t.current(), Some(a));
    let seen = t.hand_off_with(5, server, |from, to| Some((from.id(), to.id(), to.run())));
    assert_eq!(seen, Some((a, server, Run::Blocked(1))));
    t.check();
    assert_eq!(t.current(), Some(server));
    assert_eq!(t.get(a).unwrap().run(), Run::Blocked(5));
    assert!(t.hand_off(1, a));
    // Without a current thread there is nobody to hand off from.
    t.block(a, 3);
    assert!(!t.hand_off(4, server));
    t.check();
}

#[test]
fn do_sleepers_wake_at_their_deadline() {
    let mut t = T::new();
    let a = t.insert(space(1), Run::Ready, 0).unwrap();
    let b = t.insert(space(1), Run::Ready, 0).unwrap();
    assert_eq!(t.pick(NextTask::Other), Some(a));
    t.sleep(a, 100);
    assert_eq!(t.pick(NextTask::Same), Some(b));
    t.sleep(b, 50);
    assert!(t.any_sleeping());
    assert_eq!(t.pick(NextTask::Same), None);
    assert_eq!(t.tick(49), 50);
    assert_eq!(t.tick(50), 100);
    assert_eq!(t.queue().collect::<Vec<_>>(), [b]);
    assert_eq!(t.tick(1000), u64::MAX);
    assert!(!t.any_sleeping());
    t.check();
    assert_eq!(t.queue().collect::<Vec<_>>(), [b, a]);
}

#[test]
fn does_a_blocked_thread_with_a_deadline_wake_at_it_or_earlier() {
    let mut t = T::new();
    let a = t.insert(space(1), Run::Ready, 0).unwrap();
    let b = t.insert(space(1), Run::Ready, 0).unwrap();
    assert_eq!(t.pick(NextTask::Other), Some(a));
    t.set_deadline(a, Some(100));
    t.block(a, 7);
    assert!(t.any_sleeping(), "the timer will wake it");
    assert_eq!(t.pick(NextTask::Same), Some(b));
    t.block(b, 7);
    assert_eq!(t.tick(99), 100, "the deadline is still to come");
    assert_eq!(t.queue().count(), 0);
    assert_eq!(t.tick(100), u64::MAX);
    assert_eq!(t.queue().collect::<Vec<_>>(), [a]);
    assert_eq!(t.deadline(a), Some(100), "kept for the retry");
    assert_eq!(
        t.get(b).unwrap().run(),
        Run::Blocked(7),
        "no deadline, no wake"
    );
    // Woken by what it waits for before the deadline: it runs, the deadline stays; blocked
    // again, the timer still wakes it.
    assert_eq!(t.pick(NextTask::Other), Some(a));
    t.set_deadline(a, Some(300));
    t.block(a, 7);
    assert_eq!(t.wake(|&w| w == 7), 2);
    assert_eq!(t.pick(NextTask::Other), Some(a));
    t.block(a, 7);
    assert_eq!(t.tick(200), 300);
    t.set_deadline(a, None);
    assert_eq!(t.deadline(a), None);
    assert_eq!(t.tick(400), u64::MAX);
    assert_eq!(t.queue().collect::<Vec<_>>(), [b]);
    // A thread that ends with a deadline leaves none to the one that reuses its slot.
    t.set_deadline(b, Some(500));
    t.remove(b);
    let c = t.insert(space(1), Run::Ready, 0).unwrap();
    assert_eq!(c.index(), b.index());
    assert_eq!(t.deadline(b), None);
    assert_eq!(t.deadline(c), None);
    t.check();
}

#[test]
fn does_a_stale_id_find_nothing() {
    let mut t = T::new();
    let a = t.insert(space(1), Run::Ready, 1).unwrap();
    assert_eq!(t.pick(NextTask::Other), Some(a));
    assert_eq!(t.remove(a).map(|x| x.data), Some(1));
    assert_eq!(t.current(), None);
    let b = t.insert(space(1), Run::Ready, 2).unwrap();
    assert_eq!(a.index(), b.index(), "the slot is reused");
    assert_ne!(a, b);
    assert!(t.get(a).is_none());
    assert!(!t.ready(a));
    t.block(a, 1);
    assert!(t.remove(a).is_none());
    assert_eq!(t.get(b).map(|x| x.data), Some(2));
    t.check();
}

#[test]
fn is_no_id_zero_in_its_low_half() {
    let mut t = T::new();
    for _ in 0..100 {
        let id = t.insert(space(1), Run::Ready, 0).unwrap();
        assert_ne!(id.raw() & 0xfff, 0);
        t.remove(id);
    }
}

#[test]
fn does_the_table_stop_at_its_size() {
    let mut t = T::new();
    let ids: Vec<ThreadId> = (0..MAX_THREADS)
        .map(|i| t.insert(space(1), Run::Blocked(0), i as u32).unwrap())
        .collect();
    assert!(t.insert(space(1), Run::Ready, 0).is_none());
    t.remove(ids[17]);
    assert!(t.insert(space(1), Run::Ready, 0).is_some());
    t.check();
}

/// One step of the model test.
#[derive(Clone, Debug)]
enum Step {
    Insert(bool),
    Remove(usize),
    Ready(usize),
    Block(usize, u8),
    Sleep(usize, u64),
    Wake(u8),
    Wait(usize, u8),
    WakeKey(u8, usize),
    Tick(u64),
    Preempt,
    Pick(u8, usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        any::<bool>().prop_map(Step::Insert),
        (0..12usize).prop_map(Step::Remove),
        (0..12usize).prop_map(Step::Ready),
        (0..12usize, 0..3u8).prop_map(|(i, b)| Step::Block(i, b)),
        (0..12usize, 0..100u64).prop_map(|(i, d)| Step::Sleep(i, d)),
        (0..3u8).prop_map(Step::Wake),
        (0..12usize, 0..3u8).prop_map(|(i, b)| Step::Wait(i, b)),
        (0..3u8, 0..4usize).prop_map(|(b, n)| Step::WakeKey(b, n)),
        (0..100u64).prop_map(Step::Tick),
        Just(Step::Preempt),
        (0..3u8, 0..12usize).prop_map(|(k, i)| Step::Pick(k, i)),
    ]
}

proptest! {
    /// Does the table decide exactly as a plain `Vec` queue would, whatever happens?
    #[test]
    fn does_it_agree_with_a_simple_model(steps in proptest::collection::vec(step(), 1..200)) {
        let mut t = T::new();
        // The model: ids ever made, live states, the queue, the current thread.
        let mut ids: Vec<ThreadId> = Vec::new();
        let mut state: BTreeMap<ThreadId, Run<u8>> = BTreeMap::new();
        let mut queue: Vec<ThreadId> = Vec::new();
        let mut current: Option<ThreadId> = None;
        // The threads that `wait`ed, in the order they began to: (thread, key).
        let mut filed: Vec<(ThreadId, u8)> = Vec::new();
        let pick = |i: usize, ids: &Vec<ThreadId>| ids.get(i % ids.len().max(1)).copied();
        for s in steps {
            match s {
                Step::Insert(ready) => {
                    let run = if ready { Run::Ready } else { Run::Blocked(0) };
                    let id = t.insert(space(1), run, 0).unwrap();
                    ids.push(id);
                    state.insert(id, run);
                    if ready { queue.push(id); }
                }
                Step::Remove(i) => if let Some(id) = pick(i, &ids) {
                    let was = t.remove(id).is_some();
                    prop_assert_eq!(was, state.remove(&id).is_some());
                    queue.retain(|&q| q != id);
                    filed.retain(|&(f, _)| f != id);
                    if current == Some(id) { current = None; }
                }
                Step::Ready(i) => if let Some(id) = pick(i, &ids) {
                    prop_assert_eq!(t.ready(id), state.contains_key(&id));
                    if let Some(r) = state.get_mut(&id) {
                        *r = Run::Ready;
                        if current != Some(id) && !queue.contains(&id) { queue.push(id); }
                        filed.retain(|&(f, _)| f != id);
                    }
                }
                Step::Block(i, b) => if let Some(id) = pick(i, &ids) {
                    t.block(id, b);
                    if let Some(r) = state.get_mut(&id) {
                        *r = Run::Blocked(b);
                        queue.retain(|&q| q != id);
                        if current == Some(id) { current = None; }
                        filed.retain(|&(f, _)| f != id);
                    }
                }
                Step::Sleep(i, d) => if let Some(id) = pick(i, &ids) {
                    t.sleep(id, d);
                    if let Some(r) = state.get_mut(&id) {
                        *r = Run::Sleeping(d);
                        queue.retain(|&q| q != id);
                        if current == Some(id) { current = None; }
                        filed.retain(|&(f, _)| f != id);
                    }
                }
                Step::Wake(b) => {
                    let mut n = 0;
                    let mut by_slot: Vec<(&ThreadId, &mut Run<u8>)> = state.iter_mut().collect();
                    by_slot.sort_by_key(|(id, _)| id.index());
                    for (&id, r) in by_slot {
                        if *r == Run::Blocked(b) {
                            *r = Run::Ready;
                            if current != Some(id) && !queue.contains(&id) { queue.push(id); }
                            filed.retain(|&(f, _)| f != id);
                            n += 1;
                        }
                    }
                    prop_assert_eq!(t.wake(|&w| w == b), n);
                }
                Step::Wait(i, b) => if let Some(id) = pick(i, &ids) {
                    t.wait(id, b);
                    if let Some(r) = state.get_mut(&id) {
                        *r = Run::Blocked(b);
                        queue.retain(|&q| q != id);
                        if current == Some(id) { current = None; }
                        filed.retain(|&(f, _)| f != id);
                        filed.push((id, b));
                    }
                }
                Step::WakeKey(b, max) => {
                    let woken: Vec<ThreadId> =
                        filed.iter().filter(|&&(_, k)| k == b).map(|&(f, _)| f).take(max).collect();
                    for &id in &woken {
                        state.insert(id, Run::Ready);
                        if current != Some(id) { queue.push(id); }
                    }
                    filed.retain(|&(f, _)| !woken.contains(&f));
                    prop_assert_eq!(t.wake_key(&b, max), woken.len());
                    for k in 0..3u8 {
                        prop_assert_eq!(t.waiting(&k), filed.iter().any(|&(_, x)| x == k));
                    }
                }
                Step::Tick(now) => {
                    let mut next = u64::MAX;
                    let mut by_slot: Vec<(&ThreadId, &mut Run<u8>)> = state.iter_mut().collect();
                    by_slot.sort_by_key(|(id, _)| id.index());
                    for (&id, r) in by_slot {
                        if let Run::Sleeping(d) = *r {
                            if d <= now {
                                *r = Run::Ready;
                                if current != Some(id) && !queue.contains(&id) { queue.push(id); }
                            } else {
                                next = next.min(d);
                            }
                        }
                    }
                    prop_assert_eq!(t.tick(now), next);
                }
                Step::Preempt => {
                    t.preempt();
                    if let Some(c) = current.take() && state.get(&c) == Some(&Run::Ready) {
                        queue.push(c);
                    }
                }
                Step::Pick(kind, i) => {
                    let next = match kind {
                        0 => NextTask::Same,
                        1 => NextTask::Other,
                        _ => match pick(i, &ids) { Some(id) => NextTask::Specific(id), None => NextTask::Other },
                    };
                    let ready = |id: &ThreadId| state.get(id) == Some(&Run::Ready);
                    let want = match next {
                        NextTask::Specific(id) if ready(&id) => {
                            if current != Some(id) {
                                if let Some(c) = current.take() && ready(&c) { queue.push(c); }
                                queue.retain(|&q| q != id);
                                current = Some(id);
                            }
                            Some(id)
                        }
                        _ => match current.filter(|c| ready(c)) {
                            Some(c) => Some(c),
                            None => {
                                current = None;
                                if queue.is_empty() { None } else { let id = queue.remove(0); current = Some(id); Some(id) }
                            }
                        },
                    };
                    prop_assert_eq!(t.pick(next), want);
                }
            }
            t.check_waits();
            prop_assert_eq!(t.current(), current);
            prop_assert_eq!(t.queue().collect::<Vec<_>>(), queue.clone());
            prop_assert_eq!(t.len(), state.len());
            for (&id, &r) in &state {
                prop_assert_eq!(t.get(id).map(|x| x.run()), Some(r));
            }
        }
    }
}

/// No id is 0, so 0 names none and an optional id is one word (the fast paths test it with one
/// branch).
#[test]
fn an_id_is_never_zero_and_an_optional_id_is_one_word() {
    assert_eq!(ThreadId::from_raw(0), None);
    assert_eq!(core::mem::size_of::<Option<ThreadId>>(), 4);
    let mut t = T::new();
    let a = t.insert(space(1), Run::Ready, 0).unwrap();
    assert_eq!(ThreadId::from_raw(a.raw()), Some(a));
}

/// A server's threads each wait on their own key (mono's pipes, both kernels' futex words): does
/// a wake-up take exactly the waiters of its key, first come first woken, whatever their slots?
#[test]
fn does_a_wake_by_key_take_its_waiters_in_the_order_they_began_to_wait() {
    let mut t = T::new();
    let ids: Vec<ThreadId> = (0..70)
        .map(|_| t.insert(space(1), Run::Ready, 0).unwrap())
        .collect();
    // Slots 69..0 wait on keys by slot, the last slot first.
    for (i, &id) in ids.iter().enumerate().rev() {
        t.wait(id, (i % 7) as u8);
    }
    t.check_waits();
    assert!(t.waiting(&3));
    assert!(!t.waiting(&9));
    let threes: Vec<ThreadId> = ids
        .iter()
        .enumerate()
        .rev()
        .filter(|(i, _)| i % 7 == 3)
        .map(|(_, &id)| id)
        .collect();
    assert_eq!(t.wake_key(&3, 2), 2);
    assert_eq!(t.queue().collect::<Vec<_>>(), threes[..2]);
    assert_eq!(t.wake_key(&3, usize::MAX), threes.len() - 2);
    assert_eq!(t.queue().collect::<Vec<_>>(), threes);
    assert!(!t.waiting(&3));
    assert_eq!(t.wake_key(&3, usize::MAX), 0);
    // A thread that waits again goes to the back of its key's line.
    let fours: Vec<ThreadId> = ids
        .iter()
        .enumerate()
        .rev()
        .filter(|(i, _)| i % 7 == 4)
        .map(|(_, &id)| id)
        .collect();
    t.wait(fours[0], 4);
    assert_eq!(t.wake_key(&4, 1), 1);
    assert_eq!(t.get(fours[1]).unwrap().run(), Run::Ready);
    // Readied, removed or blocked otherwise, a waiter leaves the index.
    t.ready(fours[2]);
    t.remove(fours[3]);
    t.block(fours[4], 4);
    t.check_waits();
    let rest = fours.len() - 5 + 1;
    assert_eq!(t.wake_key(&4, usize::MAX), rest);
    assert_eq!(
        t.get(fours[4]).unwrap().run(),
        Run::Blocked(4),
        "blocked, not waiting"
    );
    t.check_waits();
}

/// A hand-off makes a blocked thread ready as `ready` does: does it take a waiting thread out
/// of its key's line, and does a later wake of the key find it no more?
#[test]
fn does_a_hand_off_to_a_waiting_thread_take_it_from_its_key() {
    let mut t = T::new();
    let a = t.insert(space(1), Run::Ready, 0).unwrap();
    let w = t.insert(space(1), Run::Ready, 0).unwrap();
    let v = t.insert(space(1), Run::Ready, 0).unwrap();
    t.wait(w, 5);
    t.wait(v, 5);
    assert_eq!(t.pick(NextTask::Other), Some(a));
    assert!(t.hand_off(2, w));
    assert_eq!(t.current(), Some(w));
    t.check_waits();
    assert_eq!(t.wake_key(&5, usize::MAX), 1, "only v still waits");
    assert_eq!(t.get(v).unwrap().run(), Run::Ready);
    assert!(!t.waiting(&5));
    t.check_waits();
}
