//! The request loop every server runs ([`serve`]), and deferred replies.
//!
//! A server implements [`Server`]: [`Server::perform`] handles one request to completion and
//! says what became of it ([`Outcome`]). The loop replies at once with the value or `-errno`
//! (label 0, word 0 — `abi::ipc`'s reply convention); a request that would block
//! ([`Fail::Block`], from `services::Error::WouldBlock`) gets no reply and is parked in the
//! server's [`Pending`] requests with what it waits for (`services::parked`: filed by wait, so
//! a wake-up visits only the requests of its wait, as mono's scheduler visits only the threads
//! of its key). When a call reports in its `Wakes` that a `Wait` happened, every request parked
//! on it is performed again, in arrival order — exactly as `mono` retries the system call of a
//! woken thread — and the retries' own wake-ups are followed in turn. A request whose caller is
//! gone ([`Fail::Gone`]) is dropped without a reply.
//!
//! Notifications (badge 0, `label::NOTIFICATION`) go to [`Server::notified`]; `label::CRASH`
//! with badge 0 — the kernel's, which no thread can send — crashes the server on the spot
//! ([`crate::rt::crash`]); from anybody else it is refused with `EPERM`.
//!
//! A server's state lives in its heap, reached from one static ([`run`]), so that a restarted
//! instance takes it over: the kernel's supervisor keeps the server's memory, and the new
//! instance forgets only its parked requests, whose callers the kernel has answered with `EIO`.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};

use abi::ipc::{Badge, Tag, label};
use abi::{Errno, Pid};
use services::parked::Parked;
use services::{Error, Wait, Wakes};
use ucall::Message;

use crate::rt;

/// Why a request got no value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fail {
    /// It failed: the caller gets `-errno`.
    Errno(Errno),
    /// It cannot go on now: park it until the `Wait` happens, then perform it again.
    Block(Wait),
    /// The caller is gone (its process ended): drop the request, reply nothing.
    Gone,
}

impl From<Errno> for Fail {
    fn from(e: Errno) -> Self {
        Fail::Errno(e)
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        match e {
            Error::Errno(e) => Fail::Errno(e),
            Error::WouldBlock(w) => Fail::Block(w),
        }
    }
}

/// What performing a request came to: the reply's value, or why there is none.
pub type Outcome = Result<usize, Fail>;

/// A request's six words as the caller's `a0..a5` (a forwarded system call's arguments).
pub fn args(msg: &Message) -> [usize; 6] {
    msg.words.map(|w| w as usize)
}

/// Requests waiting for something: a server's [`Parked`] messages, and the callers' ends.
#[derive(Debug, Default)]
pub struct Pending {
    parked: Parked<Message>,
}

impl Pending {
    /// None parked.
    pub const fn new() -> Pending {
        Pending {
            parked: Parked::new(),
        }
    }

    /// Parks `msg` until `wait` happens; `Err(msg)` back if no more can be parked.
    pub fn park(&mut self, msg: Message, wait: Wait) -> Result<(), Message> {
        self.parked.park(msg, wait)
    }

    /// Makes every request waiting for `wait` due, in arrival order ([`Pending::next_due`]).
    pub fn take(&mut self, wait: Wait) -> usize {
        self.parked.take(wait)
    }

    /// The next due request.
    pub fn next_due(&mut self) -> Option<Message> {
        self.parked.next_due()
    }

    /// Everything some request waits for, each once.
    pub fn waits(&self) -> Vec<Wait> {
        self.parked.waits()
    }

    /// What the request of `badge` is parked on, if one is.
    pub fn wait_of(&self, badge: Badge) -> Option<Wait> {
        self.parked.wait_where(|m| m.badge == badge)
    }

    /// Forgets every parked request (after a restart: the kernel failed their calls).
    pub fn clear(&mut self) {
        self.parked.clear();
    }

    /// Forgets the requests of the threads of process `pid` (it has ended).
    pub fn drop_process(&mut self, pid: Pid) {
        self.parked.drop_where(|m| m.badge.process() == Some(pid));
    }

    /// Forgets the requests of thread `tid` (a signal took it out of its call); whether there
    /// was one.
    pub fn drop_thread(&mut self, tid: usize) -> bool {
        self.parked.drop_where(|m| m.badge.tid() == tid)
    }

    /// How many requests are parked.
    pub fn len(&self) -> usize {
        self.parked.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.parked.is_empty()
    }
}

/// A server's side of the loop.
pub trait Server {
    /// The requests it has parked.
    fn pending(&mut self) -> &mut Pending;

    /// Performs request `msg` — the first time, or again after its wait happened — noting in
    /// `wakes` the waits it makes happen. Must not panic on anything a client sends.
    fn perform(&mut self, msg: &Message, wakes: &mut Wakes) -> Outcome;

    /// A notification with `bits` arrived; note in `wakes` the waits it makes happen.
    fn notified(&mut self, bits: u64, wakes: &mut Wakes) {
        let _ = (bits, wakes);
    }

    /// The server was restarted and took this state over (its parked requests are forgotten
    /// already): drop whatever else refers to requests in flight.
    fn restarted(&mut self) {}

    /// Whether the caller of parked request `msg` still waits for the answer; checked before
    /// the request is performed again, so nothing is consumed for a caller that is gone.
    fn still_waiting(&mut self, msg: &Message) -> bool {
        let _ = msg;
        true
    }
}

/// The tag of every reply: label 0, one word.
const REPLY: Tag = Tag::new(0, 1, 0);

/// Replies `value` (≥ 0, or `-errno`) to `badge`; a caller that is gone is ignored.
pub fn answer(badge: Badge, value: isize) {
    // Safety: no memory is passed.
    unsafe { ucall::reply(badge, REPLY, [value as u64, 0, 0, 0]) };
}

/// The reply to request `msg` with `value`: label 0 and the value, or — for a program's
/// system call whose failure raises a signal (`EPIPE`: `SIGPIPE`, `services::signal::raised_by`)
/// — `label::RAISE` with the value and the signal, which the kernel carries on to proc.
/// A success (`value` ≥ 0) is answered inline; only a failure asks the signal rule.
#[inline(always)]
fn reply_to(msg: &Message, value: isize) -> (Tag, [u64; 4]) {
    if value >= 0 {
        return (REPLY, [value as u64, 0, 0, 0]);
    }
    failed_reply(msg, value)
}

/// [`reply_to`] for a failure: `label::RAISE` if it raises a signal. `sigreturn`'s answer is
/// the `a0` its frame restored (proc's), which is no failure even when it reads as one: the
/// `EPIPE` of a `write` whose `SIGPIPE` handler returns must not raise `SIGPIPE` again.
#[inline(never)]
fn failed_reply(msg: &Message, value: isize) -> (Tag, [u64; 4]) {
    let raised = Errno::check(value)
        .err()
        .and_then(services::signal::raised_by)
        .filter(|_| {
            msg.badge.pid() != 0
                && abi::Sys::from_number(msg.tag.label() as usize)
                    .is_some_and(|s| s != abi::Sys::Sigreturn)
        });
    match raised {
        Some(sig) => (
            Tag::new(label::RAISE, 2, 0),
            [value as u64, sig as u64, 0, 0],
        ),
        None => (REPLY, [value as u64, 0, 0, 0]),
    }
}

/// The state of this server, in the heap: set at the first start, taken over after a restart.
/// Each server binary calls [`run`] with one state type, so the pointer always names an `S`.
static KEPT: AtomicPtr<()> = AtomicPtr::new(ptr::null_mut());

/// Serves `endpoint` forever with the state `make` builds at the first start — or, after a
/// restart ([`rt::restarted`]), with the state the failed instance left, which must then be
/// consistent: true for an injected crash (it comes at a message boundary), not necessarily for
/// a failure in the middle of an update (the supervisor's limit). `make` may do the server's
/// one-time start-up work (proc starts the first program there): a restart never repeats it.
pub fn run<S: Server>(endpoint: usize, make: impl FnOnce() -> S) -> ! {
    let kept = KEPT.load(Ordering::Relaxed).cast::<S>();
    let s: &mut S = if rt::restarted() && !kept.is_null() {
        // Safety: `kept` came from `Box::leak` below in an earlier instance of this very server
        // (one state type per binary, see `KEPT`); the kernel kept the heap it points into, and
        // the thread that used it is gone, so this is the only reference.
        let s = unsafe { &mut *kept };
        s.pending().clear();
        s.restarted();
        s
    } else {
        let s = Box::leak(Box::new(make()));
        KEPT.store((s as *mut S).cast(), Ordering::Relaxed);
        s
    };
    serve(endpoint, s)
}

/// Receives on `endpoint` and performs every message for `s`, forever. A request that woke
/// nothing costs no wake-up pass (the common case: `getpid`, a read that had data).
pub fn serve<S: Server>(endpoint: usize, s: &mut S) -> ! {
    let mut reply: Option<(Badge, Tag, [u64; 4])> = None;
    let mut wakes = Wakes::new();
    loop {
        let msg = match reply.take() {
            // Safety: no memory is passed.
            Some((badge, tag, words)) => unsafe { ucall::reply_recv(badge, tag, words, endpoint) },
            // Safety: no memory is passed.
            None => unsafe { ucall::recv(endpoint) },
        };
        wakes.clear();
        let value = match msg.tag.label() {
            label::CRASH if msg.badge.0 == 0 => rt::crash(),
            label::CRASH => Some(Errno::Perm.ret()),
            label::NOTIFICATION if msg.badge.0 == 0 => {
                s.notified(msg.words[0], &mut wakes);
                None
            }
            _ => {
                let outcome = s.perform(&msg, &mut wakes);
                settle(s, &msg, outcome)
            }
        };
        if !wakes.is_empty() {
            wake(s, &wakes);
        }
        reply = value.map(|v| {
            let (tag, words) = reply_to(&msg, v);
            (msg.badge, tag, words)
        });
    }
}

/// The reply value for `outcome` of `msg`, parking it if it blocked.
fn settle<S: Server>(s: &mut S, msg: &Message, outcome: Outcome) -> Option<isize> {
    match outcome {
        Ok(v) => Some(v as isize),
        Err(Fail::Errno(e)) => Some(e.ret()),
        Err(Fail::Block(w)) => match s.pending().park(*msg, w) {
            Ok(()) => None,
            Err(_) => Some(Errno::Again.ret()),
        },
        Err(Fail::Gone) => None,
    }
}

/// Performs again every request parked on a wait in `wakes`, then on the waits those retries
/// make happen, until none is left; answers each that completes. A `Wakes` that overflowed
/// wakes every parked request (as `mono` wakes every blocked thread).
pub fn wake<S: Server>(s: &mut S, wakes: &Wakes) {
    let mut todo: VecDeque<Wait> = VecDeque::new();
    note(s, wakes, &mut todo);
    while let Some(w) = todo.pop_front() {
        s.pending().take(w);
        while let Some(msg) = s.pending().next_due() {
            if !s.still_waiting(&msg) {
                continue;
            }
            let mut more = Wakes::new();
            let outcome = s.perform(&msg, &mut more);
            if let Some(v) = settle(s, &msg, outcome) {
                let (tag, words) = reply_to(&msg, v);
                // Safety: no memory is passed.
                unsafe { ucall::reply(msg.badge, tag, words) };
            }
            note(s, &more, &mut todo);
        }
    }
}

/// Adds the waits of `wakes` (all parked ones on overflow) to `todo`, each once.
fn note<S: Server>(s: &mut S, wakes: &Wakes, todo: &mut VecDeque<Wait>) {
    let mut add = |w: Wait| {
        if !todo.contains(&w) {
            todo.push_back(w);
        }
    };
    wakes.iter().for_each(&mut add);
    if wakes.overflowed() {
        s.pending().waits().into_iter().for_each(add);
    }
}
