//! The thread table with its run queue.
//!
//! Invariants (checked by the host tests after every operation):
//! - a thread is in the run queue iff it is [`Run::Ready`] and not the current thread;
//! - the current thread, if any, is live and `Ready` (blocking or putting it to sleep makes
//!   "no current thread" until the next [`Threads::pick`]);
//! - the queue is a doubly linked list through the slots, in round-robin order;
//! - a thread that [`Threads::wait`]s (is `Blocked` on a key, and marked waiting) is filed in
//!   the wait index ([`crate::waits`]) under that key. One blocked with [`Threads::block`]
//!   (micro's IPC states, which its endpoints find) is not marked. Making a thread ready or
//!   blocking it otherwise only clears the mark (one store on those hot paths): its slot stays
//!   filed, stale, until a walk of its bucket, its next `wait` or its removal unfiles it — at
//!   most once per slot, so the cleaning costs O(1) per `wait`.
//!
//! A blocked thread may also have a deadline ([`Threads::set_deadline`]: a `poll` with a timeout):
//! [`Threads::tick`] makes it runnable when the deadline comes, as it does a sleeper; the
//! deadline stays until the kernel clears it, so the retried call can tell that its time is up.
//! The deadlines live beside the slots, not in them, so that a thread (which the hot paths copy
//! and index) does not grow for what only a timed wait uses.
//!
//! Every operation is O(1) except [`Threads::wake_key`] and [`Threads::waiting`], which visit
//! the slots filed under the key's hash bucket (the threads waiting on the key, and rarely a
//! few of another key or stale), and [`Threads::wake`], [`Threads::tick`] and
//! [`Threads::iter`], which look at every slot (a wake of everybody, the timer, and
//! diagnostics: never a system call's common path).

use alloc::vec::Vec;
use core::hash::Hash;

use crate::id::{MAX_THREADS, SpaceId, ThreadId};
use crate::waits::{Link, Member, Waits};

/// A thread's run state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Run<B> {
    /// Runnable: running, or in the run queue.
    Ready,
    /// Waiting for `B` (what the kernel's threads wait for).
    Blocked(B),
    /// Asleep until this timer deadline (in `time` ticks).
    Sleeping(u64),
}

/// A live thread.
#[derive(Debug)]
pub struct Thread<T, B> {
    id: ThreadId,
    run: Run<B>,
    /// Its address space.
    pub space: SpaceId,
    /// What the kernel keeps for it (its registers, among others).
    pub data: T,
}

impl<T, B: Copy> Thread<T, B> {
    /// Its id.
    #[inline(always)]
    pub fn id(&self) -> ThreadId {
        self.id
    }

    /// Its run state.
    #[inline(always)]
    pub fn run(&self) -> Run<B> {
        self.run
    }

    /// Whether it may run.
    #[inline(always)]
    pub fn is_ready(&self) -> bool {
        matches!(self.run, Run::Ready)
    }
}

/// A hand-off under way ([`Threads::begin_hand_off`]): the current thread and the blocked thread
/// that is to run instead, both writable; [`HandOff::commit`] makes it happen. Neither is in the
/// run queue before or after (the current thread never is, a blocked one never is), so the
/// queue is not touched.
pub struct HandOff<'a, T, B> {
    /// The current thread, which is to block.
    pub from: &'a mut Thread<T, B>,
    /// The blocked thread, which is to run.
    pub to: &'a mut Thread<T, B>,
    /// `to`'s waiting mark (its slot's).
    to_waiting: &'a mut bool,
    current: &'a mut Option<ThreadId>,
}

impl<T, B> HandOff<'_, T, B> {
    /// The current thread blocks on `b`; the other becomes ready and current.
    #[inline(always)]
    pub fn commit(self, b: B) {
        self.from.run = Run::Blocked(b);
        self.to.run = Run::Ready;
        *self.to_waiting = false;
        *self.current = Some(self.to.id);
    }
}

/// "No deadline" in [`Threads`]' deadlines.
const NO_DEADLINE: u64 = u64::MAX;

/// "No slot" in the run-queue links.
const NIL: u16 = 0;

/// A slot: its generation, run-queue links and wait-index link live outside the thread, so
/// they survive it.
#[derive(Debug)]
struct Slot<T, B> {
    generation: u32,
    next: u16,
    prev: u16,
    queued: bool,
    /// Its thread [`Threads::wait`]s: `Blocked` on the key the slot is filed under (see the
    /// module note). Here rather than in the thread so that the slot stays 256 bytes on micro.
    waiting: bool,
    wait: Link,
    thread: Option<Thread<T, B>>,
}

impl<T, B> Slot<T, B> {
    const EMPTY: Slot<T, B> = Slot {
        generation: 0,
        next: NIL,
        prev: NIL,
        queued: false,
        waiting: false,
        wait: Link::UNFILED,
        thread: None,
    };
}

impl<T, B> Member for Slot<T, B> {
    #[inline(always)]
    fn link(&self) -> &Link {
        &self.wait
    }

    #[inline(always)]
    fn link_mut(&mut self) -> &mut Link {
        &mut self.wait
    }
}

/// The threads of a kernel, the run queue and the current thread (see the module note).
#[derive(Debug)]
pub struct Threads<T, B> {
    /// Slot 0 is never used (ids are never 0).
    slots: Vec<Slot<T, B>>,
    /// Each slot's thread's deadline ([`Threads::set_deadline`]; [`NO_DEADLINE`]: none), as long
    /// as `slots`.
    deadlines: Vec<u64>,
    /// Free slot indices, reused last-freed first.
    free: Vec<u16>,
    head: u16,
    tail: u16,
    queued: usize,
    live: usize,
    current: Option<ThreadId>,
    /// The threads that [`Threads::wait`], by key.
    waits: Waits,
}

impl<T, B> Default for Threads<T, B> {
    fn default() -> Self {
        Threads::new()
    }
}

impl<T, B> Threads<T, B> {
    /// An empty table.
    pub const fn new() -> Threads<T, B> {
        Threads {
            slots: Vec::new(),
            deadlines: Vec::new(),
            free: Vec::new(),
            head: NIL,
            tail: NIL,
            queued: 0,
            live: 0,
            current: None,
            waits: Waits::new(),
        }
    }
}

impl<T, B: Copy> Threads<T, B> {
    /// Adds a thread of `space` in state `run` (queued at the back if `Ready`); `None` when
    /// [`MAX_THREADS`] live already or memory is short.
    pub fn insert(&mut self, space: SpaceId, run: Run<B>, data: T) -> Option<ThreadId> {
        if self.slots.is_empty() {
            self.slots.try_reserve(8).ok()?;
            self.deadlines.try_reserve(8).ok()?;
            self.deadlines.push(NO_DEADLINE);
            self.slots.push(Slot::EMPTY);
        }
        let index = match self.free.pop() {
            Some(i) => i as usize,
            None if self.slots.len() <= MAX_THREADS => {
                self.slots.try_reserve(1).ok()?;
                self.deadlines.try_reserve(1).ok()?;
                self.free.try_reserve(self.slots.len()).ok()?;
                self.deadlines.push(NO_DEADLINE);
                self.slots.push(Slot::EMPTY);
                self.slots.len() - 1
            }
            None => return None,
        };
        self.deadlines[index] = NO_DEADLINE;
        let slot = &mut self.slots[index];
        let id = ThreadId::new(index, slot.generation);
        slot.thread = Some(Thread {
            id,
            run,
            space,
            data,
        });
        self.live += 1;
        if matches!(run, Run::Ready) {
            self.enqueue(index);
        }
        Some(id)
    }

    /// Takes thread `id` out of the table (and the run queue; it is no longer current).
    pub fn remove(&mut self, id: ThreadId) -> Option<Thread<T, B>> {
        self.get(id)?;
        let index = id.index();
        self.dequeue(index);
        self.waits.unfile(&mut self.slots, index);
        if self.current == Some(id) {
            self.current = None;
        }
        let slot = &mut self.slots[index];
        let t = slot.thread.take();
        slot.waiting = false;
        slot.generation = (slot.generation + 1) & (u32::MAX >> crate::id::INDEX_BITS);
        // Reserved at insert, so this never allocates.
        self.free.push(index as u16);
        self.live -= 1;
        t
    }

    /// Thread `id`, if it lives.
    #[inline(always)]
    pub fn get(&self, id: ThreadId) -> Option<&Thread<T, B>> {
        self.slots
            .get(id.index())?
            .thread
            .as_ref()
            .filter(|t| t.id == id)
    }

    /// Thread `id`, if it lives.
    #[inline(always)]
    pub fn get_mut(&mut self, id: ThreadId) -> Option<&mut Thread<T, B>> {
        self.slots
            .get_mut(id.index())?
            .thread
            .as_mut()
            .filter(|t| t.id == id)
    }

    /// The thread that runs (or was running when the kernel was entered).
    #[inline(always)]
    pub fn current(&self) -> Option<ThreadId> {
        self.current
    }

    /// How many threads live.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether none does.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// How many are in the run queue (the current thread is not).
    pub fn queued(&self) -> usize {
        self.queued
    }

    /// Every live thread, by slot.
    pub fn iter(&self) -> impl Iterator<Item = &Thread<T, B>> {
        self.slots.iter().filter_map(|s| s.thread.as_ref())
    }

    /// Every live thread, by slot.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Thread<T, B>> {
        self.slots.iter_mut().filter_map(|s| s.thread.as_mut())
    }

    /// Makes `id` runnable: at the back of the queue, unless it is current or queued already.
    /// False if it does not live.
    pub fn ready(&mut self, id: ThreadId) -> bool {
        let Some(s) = self.slots.get_mut(id.index()) else {
            return false;
        };
        let Some(t) = s.thread.as_mut().filter(|t| t.id == id) else {
            return false;
        };
        t.run = Run::Ready;
        s.waiting = false;
        if self.current != Some(id) {
            self.enqueue(id.index());
        }
        true
    }

    /// `id` waits for `b`: out of the queue; if it is current, nothing runs until the next pick.
    /// Not marked waiting: [`Threads::wake_key`] does not wake it (see [`Threads::wait`]).
    pub fn block(&mut self, id: ThreadId, b: B) {
        self.stop(id, Run::Blocked(b));
    }

    /// `id` sleeps until `deadline` (see [`Threads::tick`]).
    pub fn sleep(&mut self, id: ThreadId, deadline: u64) {
        self.stop(id, Run::Sleeping(deadline));
    }

    /// Gives `id` a deadline (in `time` ticks) or takes it away (`None`): while it is blocked,
    /// [`Threads::tick`] wakes it at the deadline; the deadline stays, also once it runs, until
    /// it is set again.
    pub fn set_deadline(&mut self, id: ThreadId, deadline: Option<u64>) {
        if self.get(id).is_some() {
            self.deadlines[id.index()] = deadline.unwrap_or(NO_DEADLINE);
        }
    }

    /// The deadline thread `id`'s blocked call keeps ([`Threads::set_deadline`]).
    #[inline]
    pub fn deadline(&self, id: ThreadId) -> Option<u64> {
        self.get(id)?;
        Some(self.deadlines[id.index()]).filter(|&d| d != NO_DEADLINE)
    }

    /// Whether the timer will wake the thread in slot `index`: it sleeps, or is blocked with a
    /// deadline.
    fn timed(&self, index: usize) -> bool {
        match &self.slots[index].thread {
            Some(t) => match t.run {
                Run::Sleeping(_) => true,
                Run::Blocked(_) => self.deadlines[index] != NO_DEADLINE,
                Run::Ready => false,
            },
            None => false,
        }
    }

    fn stop(&mut self, id: ThreadId, run: Run<B>) {
        let Some(s) = self.slots.get_mut(id.index()) else {
            return;
        };
        let Some(t) = s.thread.as_mut().filter(|t| t.id == id) else {
            return;
        };
        t.run = run;
        s.waiting = false;
        self.dequeue(id.index());
        if self.current == Some(id) {
            self.current = None;
        }
    }

    /// The current thread gives the processor up (`yield`, or its time slice ended): it goes
    /// to the back of the queue if it may still run.
    pub fn preempt(&mut self) {
        if let Some(id) = self.current.take()
            && self.get(id).is_some_and(Thread::is_ready)
        {
            self.enqueue(id.index());
        }
    }

    /// Makes every thread blocked on something `pred` accepts runnable (at the back of the
    /// queue, in slot order); returns how many. Looks at every slot: for a wake of everybody
    /// (a lost wake-up); a wake of one key is [`Threads::wake_key`].
    pub fn wake(&mut self, mut pred: impl FnMut(&B) -> bool) -> usize {
        let mut woken = 0;
        for index in 1..self.slots.len() {
            let wake = match &self.slots[index].thread {
                Some(t) => matches!(&t.run, Run::Blocked(b) if pred(b)),
                None => false,
            };
            if wake {
                let id = self.slots[index].thread.as_ref().map(|t| t.id);
                if let Some(id) = id {
                    self.ready(id);
                    woken += 1;
                }
            }
        }
        woken
    }

    /// The timer says it is `now`: every sleeper, and every blocked thread with a deadline,
    /// whose deadline has come is runnable. Returns the earliest deadline still to come
    /// (`u64::MAX`: none).
    pub fn tick(&mut self, now: u64) -> u64 {
        let mut next = u64::MAX;
        for index in 1..self.slots.len() {
            let due = match &self.slots[index].thread {
                Some(Thread {
                    run: Run::Sleeping(d),
                    id,
                    ..
                }) => Some((*id, *d)),
                Some(Thread {
                    run: Run::Blocked(_),
                    id,
                    ..
                }) if self.deadlines[index] != NO_DEADLINE => Some((*id, self.deadlines[index])),
                _ => None,
            };
            let due = match due {
                Some((id, d)) => {
                    if d <= now {
                        Some(id)
                    } else {
                        next = next.min(d);
                        None
                    }
                }
                _ => None,
            };
            if let Some(id) = due {
                self.ready(id);
            }
        }
        next
    }

    /// Whether any thread sleeps, or is blocked with a deadline (the timer will wake it).
    pub fn any_sleeping(&self) -> bool {
        (1..self.slots.len()).any(|i| self.timed(i))
    }

    /// Decides who runs now, for [`NextTask`](crate::NextTask) `next`, and makes it current:
    /// - `Same`: the current thread if it may run (else as `Other`);
    /// - `Specific(id)`: `id` if it may run (else as `Other`); the thread it replaces goes to
    ///   the back of the queue if it may still run;
    /// - `Other`: the current thread if it may run, else the queue's first.
    ///
    /// `None` when nothing may run (the kernel idles, then asks again with `Other`).
    pub fn pick(&mut self, next: crate::NextTask) -> Option<ThreadId> {
        use crate::NextTask;
        if let NextTask::Specific(id) = next
            && self.get(id).is_some_and(Thread::is_ready)
        {
            if self.current != Some(id) {
                self.preempt();
                self.dequeue(id.index());
                self.current = Some(id);
            }
            return Some(id);
        }
        if let Some(id) = self.current {
            if self.get(id).is_some_and(Thread::is_ready) {
                return Some(id);
            }
            self.current = None;
        }
        let index = self.head;
        if index == NIL {
            return None;
        }
        self.dequeue(index as usize);
        let id = self.slots[index as usize].thread.as_ref().map(|t| t.id)?;
        self.current = Some(id);
        Some(id)
    }

    /// A direct hand-off in one step (an IPC fast path): the current thread blocks on `b` and
    /// `to`, which waits for something (so it is not queued), becomes ready and current — the
    /// run queue is not touched. The same as `block(current, b)`, `ready(to)` and
    /// `pick(Specific(to))`, in O(1) without the queue's links. False, with nothing changed,
    /// if there is no current thread or `to` does not live, is the current thread or is not
    /// blocked.
    pub fn hand_off(&mut self, b: B, to: ThreadId) -> bool {
        self.hand_off_with(b, to, |_, _| Some(())).is_some()
    }

    /// [`Threads::hand_off`] with a look at both threads first, in the same two slot lookups:
    /// `f` gets the current thread and `to` (live, blocked, not the current one); if it returns
    /// `None`, nothing changes and neither does the run state of either thread; otherwise the
    /// hand-off is made and its result returned.
    #[inline(always)]
    pub fn hand_off_with<R>(
        &mut self,
        b: B,
        to: ThreadId,
        f: impl FnOnce(&mut Thread<T, B>, &mut Thread<T, B>) -> Option<R>,
    ) -> Option<R> {
        let h = self.begin_hand_off(to)?;
        let r = f(h.from, h.to)?;
        h.commit(b);
        Some(r)
    }

    /// The first half of a hand-off, for a fast path that looks at and writes both threads
    /// before deciding: the current thread and `to` (live, blocked, not the current one), or
    /// `None`. Nothing changes unless [`HandOff::commit`] is called.
    #[inline(always)]
    pub fn begin_hand_off(&mut self, to: ThreadId) -> Option<HandOff<'_, T, B>> {
        let from = self.current?;
        let Threads { slots, current, .. } = self;
        let [fs, ts] = slots.get_disjoint_mut([from.index(), to.index()]).ok()?;
        let from = fs.thread.as_mut()?;
        let to_thread = ts.thread.as_mut()?;
        let to_waiting = &mut ts.waiting;
        if to_thread.id != to || !matches!(to_thread.run, Run::Blocked(_)) {
            return None;
        }
        Some(HandOff {
            from,
            to: to_thread,
            to_waiting,
            current,
        })
    }

    /// Puts slot `index` at the back of the queue unless it is queued.
    fn enqueue(&mut self, index: usize) {
        if self.slots[index].queued {
            return;
        }
        let i = index as u16;
        let tail = self.tail;
        {
            let s = &mut self.slots[index];
            s.queued = true;
            s.prev = tail;
            s.next = NIL;
        }
        if tail == NIL {
            self.head = i;
        } else {
            self.slots[tail as usize].next = i;
        }
        self.tail = i;
        self.queued += 1;
    }

    /// Takes slot `index` out of the queue if it is queued.
    fn dequeue(&mut self, index: usize) {
        if !self.slots[index].queued {
            return;
        }
        let (prev, next) = {
            let s = &mut self.slots[index];
            s.queued = false;
            (core::mem::take(&mut s.prev), core::mem::take(&mut s.next))
        };
        if prev == NIL {
            self.head = next;
        } else {
            self.slots[prev as usize].next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.slots[next as usize].prev = prev;
        }
        self.queued -= 1;
    }

    /// The run queue in order (for tests and debugging).
    pub fn queue(&self) -> impl Iterator<Item = ThreadId> + '_ {
        let mut at = self.head;
        core::iter::from_fn(move || {
            if at == NIL {
                return None;
            }
            let s = &self.slots[at as usize];
            at = s.next;
            s.thread.as_ref().map(|t| t.id)
        })
    }

    /// Checks the invariants of the module note; panics with what broke (tests, debugging).
    pub fn check(&self) {
        let mut n = 0;
        let mut prev = NIL;
        let mut at = self.head;
        while at != NIL {
            let s = &self.slots[at as usize];
            assert!(s.queued, "slot {at} linked but not marked queued");
            assert_eq!(s.prev, prev, "slot {at}: broken back link");
            let t = s.thread.as_ref().expect("a queued slot holds a thread");
            assert!(t.is_ready(), "thread {} queued but not ready", t.id);
            assert_ne!(
                self.current,
                Some(t.id),
                "the current thread {} is queued",
                t.id
            );
            n += 1;
            assert!(n <= self.slots.len(), "run queue cycle");
            prev = at;
            at = s.next;
        }
        assert_eq!(self.tail, prev, "tail");
        assert_eq!(self.queued, n, "queued count");
        let marked = self.slots.iter().filter(|s| s.queued).count();
        assert_eq!(marked, n, "slots marked queued but not linked");
        for t in self.iter() {
            let current = self.current == Some(t.id);
            let queued = self.slots[t.id.index()].queued;
            assert_eq!(
                t.is_ready() && !current,
                queued,
                "thread {}: ready={} current={current} queued={queued}",
                t.id,
                t.is_ready()
            );
        }
        if let Some(c) = self.current {
            let t = self.get(c).expect("the current thread is live");
            assert!(t.is_ready(), "the current thread {c} is not ready");
        }
        assert_eq!(self.iter().count(), self.live, "live count");
        for s in &self.slots {
            if s.wait.is_filed() {
                assert!(s.thread.is_some(), "a filed slot holds a thread");
            }
            if let Some(t) = s.thread.as_ref().filter(|_| s.waiting) {
                assert!(s.wait.is_filed(), "thread {} waits but is not filed", t.id);
                assert!(
                    matches!(t.run, Run::Blocked(_)),
                    "thread {} waits but is not blocked",
                    t.id
                );
            }
        }
    }
}

/// The wait index: blocking on a key and waking by key (see the module note).
impl<T, B: Copy + Eq + Hash> Threads<T, B> {
    /// `id` waits for `b`, as [`Threads::block`], and is filed under `b` behind the threads
    /// already waiting for it, so that [`Threads::wake_key`] finds it.
    #[inline(always)]
    pub fn wait(&mut self, id: ThreadId, b: B) {
        let index = id.index();
        if self.current == Some(id)
            && let Some(s) = self.slots.get_mut(index)
            && !s.wait.is_filed()
            && let Some(t) = s.thread.as_mut()
        {
            // The common case, a thread blocking itself: the current thread lives, is neither
            // queued nor waiting, and its slot is not filed (stale) either.
            t.run = Run::Blocked(b);
            s.waiting = true;
            self.current = None;
            self.waits.file(&mut self.slots, index, &b);
            return;
        }
        self.wait_slow(id, b);
    }

    /// [`Threads::wait`] of a thread other than the current one, or of one filed stale.
    #[inline(never)]
    fn wait_slow(&mut self, id: ThreadId, b: B) {
        let Some(s) = self.slots.get_mut(id.index()) else {
            return;
        };
        let Some(t) = s.thread.as_mut().filter(|t| t.id == id) else {
            return;
        };
        t.run = Run::Blocked(b);
        s.waiting = true;
        let index = id.index();
        if self.current == Some(id) {
            self.current = None;
        } else {
            self.dequeue(index);
        }
        // Filed stale (readied or blocked otherwise since it last waited): out first.
        self.waits.unfile(&mut self.slots, index);
        self.waits.file(&mut self.slots, index, &b);
    }

    /// Makes runnable at most `max` of the threads that [`Threads::wait`] for `key`, in the
    /// order they began to wait (FIFO), each at the back of the queue; returns how many. Visits
    /// only the threads filed under `key`'s hash bucket.
    #[inline(always)]
    pub fn wake_key(&mut self, key: &B, max: usize) -> usize {
        // Nobody waits on most keys a call reports: that costs the hash and one test.
        match self.waits.first(key) {
            None => 0,
            Some(first) => self.wake_from(first, key, max),
        }
    }

    /// [`Threads::wake_key`] from the first thread of `key`'s bucket.
    #[inline(never)]
    fn wake_from(&mut self, first: usize, key: &B, max: usize) -> usize {
        let mut woken = 0;
        let mut at = Some(first);
        while let Some(index) = at {
            if woken == max {
                break;
            }
            at = Waits::next(&self.slots, index);
            let s = &mut self.slots[index];
            let Some(t) = s.thread.as_mut() else {
                continue;
            };
            if !s.waiting {
                // Stale: readied or blocked otherwise since; cleaned on the way.
                self.waits.unfile(&mut self.slots, index);
                continue;
            }
            if t.run != Run::Blocked(*key) {
                continue;
            }
            t.run = Run::Ready;
            s.waiting = false;
            self.waits.unfile(&mut self.slots, index);
            // A waiting thread is blocked: neither current nor queued.
            self.enqueue(index);
            woken += 1;
        }
        woken
    }

    /// Whether some thread [`Threads::wait`]s for `key` (visits its hash bucket only).
    pub fn waiting(&self, key: &B) -> bool {
        let mut at = self.waits.first(key);
        while let Some(index) = at {
            let s = &self.slots[index];
            if s.waiting
                && s.thread
                    .as_ref()
                    .is_some_and(|t| t.run == Run::Blocked(*key))
            {
                return true;
            }
            at = Waits::next(&self.slots, index);
        }
        false
    }

    /// [`Threads::check`], and that every waiting thread is filed under what it waits for.
    pub fn check_waits(&self) {
        self.check();
        self.waits
            .check(&self.slots, |s| match s.thread.as_ref().map(|t| t.run) {
                Some(Run::Blocked(b)) if s.waiting => Some(crate::waits::bucket(&b)),
                _ => None,
            });
    }
}
