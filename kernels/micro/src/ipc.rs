//! IPC: synchronous rendezvous on endpoints (DESIGN.md §3, abi::ipc).
//!
//! A sender meets a receiver: if one waits in `recv` the message is copied into its registers
//! and, when the sender was the running thread, the kernel switches to the receiver directly —
//! the caller blocks, the receiver runs, the run queue is not touched (the L4/seL4 lesson: an IPC
//! round trip is two direct switches). Otherwise the sender queues on the endpoint, in order. A
//! reply completes the caller's call; `reply_recv` whose receive must wait switches directly to
//! the caller it just answered. Notifications are bits ORed into an endpoint's word, delivered to
//! its receiver as a message with badge 0; they never block. The kernel's crash request
//! ([`crate::inject`]) travels the same way, as a bit no caller can set.

use abi::Errno;
use abi::ipc::{Badge, MAX_WORDS, Tag, label, level};
use kcore::trap::{TrapFrame, reg};

use crate::inject::{CRASH_BIT, crash_bit};
use kcore::sched::{NextTask, Run};

use crate::kernel::{CallKind, EndpointId, Kernel, Parts, ThreadId, Wait};

impl Kernel {
    /// Thread `tid` sends a message — `tag`, `words`, and `leases` (`tag.leases()` of them) —
    /// as a `kind` call to endpoint `ep` and waits for the reply. `EINVAL` if there is no such
    /// endpoint, `EIO` if its server was declared dead.
    ///
    /// The message is written into the thread's [`Msg`] part by part, and only the leases it
    /// has: a `Msg` is 152 bytes, and whole copies of it were a tenth of a pipe round trip.
    pub fn send(
        &mut self,
        tid: ThreadId,
        ep: EndpointId,
        (tag, words, leases): Parts<'_>,
        kind: CallKind,
    ) -> Result<(), Errno> {
        let receiver = {
            let e = self.endpoints.get_mut(ep).ok_or(Errno::Inval)?;
            if e.dead {
                return Err(Errno::Io);
            }
            let r = e.receiver.take();
            if r.is_none() {
                e.senders.push_back(tid);
            }
            r
        };
        {
            let t = self.thread(tid);
            t.msg.tag = tag;
            t.msg.words = words;
            for (to, from) in t.msg.leases.iter_mut().zip(leases) {
                *to = *from;
            }
            t.kind = kind;
        }
        match receiver {
            Some(r) => {
                let direct = self.sched.threads.current() == Some(tid);
                self.deliver(r, tid);
                self.make_ready(r);
                if direct {
                    self.next = NextTask::Specific(r);
                }
            }
            None => self.block(tid, Wait::Sending(ep)),
        }
        Ok(())
    }

    /// Copies the message of `from` into the registers of receiver `to`; `from` now waits for
    /// `to`'s reply. The caller decides when `to` runs.
    fn deliver(&mut self, to: ThreadId, from: ThreadId) {
        let badge = Badge::new(from.raw() as usize, self.pid_of(from));
        let (tag, words) = {
            let m = &self.thread(from).msg;
            (m.tag, m.words)
        };
        self.block(from, Wait::Calling(to));
        put(&mut self.thread(to).frame, badge.0, tag, &words);
    }

    /// Puts a notification (`bits`) into the registers of receiver `to`.
    fn deliver_bits(&mut self, to: ThreadId, bits: u64) {
        let tag = Tag::new(label::NOTIFICATION, 1, 0);
        put(&mut self.thread(to).frame, 0, tag, &[bits]);
    }

    /// Thread `tid` receives on `ep`: a pending notification first, then the first queued
    /// sender; otherwise it waits. Returns whether it got something now (it runs on).
    pub fn recv(&mut self, tid: ThreadId, ep: EndpointId) -> Result<bool, Errno> {
        let space = self.space_of(tid).ok_or(Errno::Srch)?;
        let e = self.endpoints.get_mut(ep).ok_or(Errno::Inval)?;
        if e.owner != Some(space) {
            return Err(Errno::Perm);
        }
        if e.bits != 0 {
            if e.bits & crash_bit(ep) != 0 {
                e.bits &= !CRASH_BIT;
                self.deliver_crash(tid);
            } else {
                let bits = core::mem::take(&mut e.bits);
                self.deliver_bits(tid, bits);
            }
            return Ok(true);
        }
        if let Some(s) = e.senders.pop_front() {
            self.deliver(tid, s);
            return Ok(true);
        }
        e.receiver = Some(tid);
        self.block(tid, Wait::Receiving(ep));
        Ok(false)
    }

    /// Server thread `tid` answers `badge` with `tag` and the first `tag.words()` of `words`
    /// (the caller sees 0 in the others). Returns the thread that may run now (none if the
    /// answer turned into another message, see [`CallKind::Fault`]); `ESRCH` if that thread is
    /// not waiting for `tid`'s reply.
    pub fn reply(
        &mut self,
        tid: ThreadId,
        badge: Badge,
        tag: Tag,
        words: [u64; MAX_WORDS],
    ) -> Result<Option<ThreadId>, Errno> {
        let target = ThreadId::from_raw(badge.tid() as u32).ok_or(Errno::Srch)?;
        if self.state(target) != Some(Run::Blocked(Wait::Calling(tid))) {
            return Err(Errno::Srch);
        }
        // Only the reply's own words travel: the server's other registers stay its own.
        let sent = first_words(&words, tag.words());
        Ok(self.complete(target, Ok((tag, sent))))
    }

    /// Ends the call of `target` with `answer` (a reply, or an error when the server failed)
    /// as its kind says. Returns `target` if it may run now.
    pub fn complete(
        &mut self,
        target: ThreadId,
        answer: Result<(Tag, [u64; MAX_WORDS]), Errno>,
    ) -> Option<ThreadId> {
        let kind = self.thread(target).kind;
        let result = match answer {
            Ok((_, w)) => w[0] as i64 as isize,
            Err(e) => e.ret(),
        };
        let t = self.thread(target);
        match kind {
            CallKind::Raw => match answer {
                Ok((tag, words)) => put(&mut t.frame, 0, tag, &words),
                Err(e) => t.frame.set_return(e.ret()),
            },
            CallKind::Syscall => match answer {
                Ok((tag, w)) if tag.label() == label::RAISE => return self.raise(target, w),
                _ => t.frame.set_return(result),
            },
            CallKind::LeasePage => {
                // Mapped: the system call runs again from its `ecall`. Refused: it fails.
                if result != 0 {
                    t.frame.set_return(Errno::Fault.ret());
                    t.frame.pc += 4;
                }
            }
            CallKind::Fault { cause, addr } => {
                if result != 0 {
                    let why = if result == Errno::NoMem.ret() {
                        "out of memory"
                    } else if answer.is_err() {
                        "the pager failed"
                    } else {
                        ""
                    };
                    self.kill_thread_process(target, cause, addr, why);
                    return None;
                }
            }
        }
        Some(target)
    }

    /// A server answered system call of `target` with `label::RAISE` (words: the result, a
    /// signal): the call goes on to proc on `target`'s behalf, which raises the signal and
    /// answers. If proc cannot be reached, the result alone is the answer.
    fn raise(&mut self, target: ThreadId, w: [u64; MAX_WORDS]) -> Option<ThreadId> {
        let words = [w[0], w[1], 0, 0, 0, 0];
        let msg = (Tag::new(label::RAISE, 2, 0), words, &[][..]);
        let to = EndpointId::server(level::PROC);
        match self.send(target, to, msg, CallKind::Syscall) {
            Ok(()) => None,
            Err(_) => {
                self.thread(target).frame.set_return(w[0] as i64 as isize);
                Some(target)
            }
        }
    }

    /// `reply_recv`: answers `badge` (unless 0), then receives on `ep`. If the receive must wait
    /// and the answered caller may run, the kernel switches to it directly.
    pub fn reply_recv(
        &mut self,
        tid: ThreadId,
        badge: Badge,
        tag: Tag,
        words: [u64; MAX_WORDS],
        ep: EndpointId,
    ) -> Result<(), Errno> {
        let woken = if badge.0 != 0 {
            self.reply(tid, badge, tag, words).ok().flatten()
        } else {
            None
        };
        let got = self.recv(tid, ep);
        match (got, woken) {
            (Ok(false), Some(w)) => {
                self.make_ready(w);
                self.next = NextTask::Specific(w);
            }
            (_, Some(w)) => self.make_ready(w),
            _ => {}
        }
        got.map(drop)
    }

    /// ORs `bits` into endpoint `ep`'s notification word, delivering them at once to a waiting
    /// receiver (which becomes runnable). On a server's endpoint the kernel's [`CRASH_BIT`] is
    /// not a caller's to set.
    pub fn notify(&mut self, ep: EndpointId, bits: u64) -> Result<(), Errno> {
        let e = self.endpoints.get_mut(ep).ok_or(Errno::Inval)?;
        e.bits |= bits & !crash_bit(ep);
        if let Some(r) = e.receiver.take() {
            let bits = core::mem::take(&mut e.bits);
            self.deliver_bits(r, bits);
            self.make_ready(r);
        }
        Ok(())
    }

    /// Whether thread `tid` may call endpoint `ep` under the deadlock rule.
    pub fn may_call(&self, tid: ThreadId, ep: EndpointId) -> bool {
        may_call(self.server_of(tid), ep)
    }

    /// Takes thread `tid` out of every endpoint queue it is in.
    pub fn unqueue(&mut self, tid: ThreadId) {
        match self.state(tid) {
            Some(Run::Blocked(Wait::Sending(ep))) => {
                if let Some(e) = self.endpoints.get_mut(ep) {
                    e.senders.retain(|&s| s != tid);
                }
            }
            Some(Run::Blocked(Wait::Receiving(ep))) => {
                if let Some(e) = self.endpoints.get_mut(ep)
                    && e.receiver == Some(tid)
                {
                    e.receiver = None;
                }
            }
            _ => {}
        }
    }
}

/// The deadlock rule (abi::ipc): programs (`server` = None) may call any endpoint; a server only
/// servers of a higher level.
pub fn may_call(server: Option<usize>, ep: EndpointId) -> bool {
    server.is_none_or(|mine| ep.raw() <= level::SERVERS as u64 && ep.raw() > mine as u64)
}

/// The first `n` of `words` and zeros after them, as `N` words: unrolled, where a slice copy
/// of a length known only at run time would be a call to `memcpy` for a handful of words.
#[inline(always)]
pub fn first_words<const N: usize>(words: &[u64], n: usize) -> [u64; N] {
    core::array::from_fn(|i| {
        if i < n {
            words.get(i).copied().unwrap_or(0)
        } else {
            0
        }
    })
}

/// Loads a message into a thread's registers as `recv` returns it (and a raw reply as `call`
/// returns it, with `a0` = 0): `a0` = `badge`, `a1` = `tag`, the words from `a2` on.
pub fn put(frame: &mut TrapFrame, badge: u64, tag: Tag, words: &[u64]) {
    frame.regs[reg::A0] = badge;
    frame.regs[reg::A0 + 1] = tag.0;
    frame.regs[reg::A0 + 2..reg::A0 + 2 + words.len()].copy_from_slice(words);
}
