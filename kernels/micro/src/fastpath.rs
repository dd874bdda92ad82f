//! The IPC fast path (the L4/seL4 lesson): the common cases of an IPC round trip — a call with
//! its message in registers to an endpoint whose receiver is already waiting, and a
//! `reply_recv` whose answer goes to a waiting caller while no other message is pending — are
//! done in one short straight-line path: the registers go from frame to frame, the sender blocks,
//! the other thread becomes the current one, and `schedule` only switches the address space.
//! No run queue, no timer work, no lease checks. Forwarded system calls without pointer
//! arguments (`getpid`, `close`, `brk`, …) take the same path. Anything else — leases, no
//! receiver, pending notifications or senders, a refused call — falls back to the general path
//! ([`crate::ipc`]), which gives the same result.

use abi::ipc::{self, Badge, MAX_RECV_WORDS, Tag, kcall};
use abi::sys::Sys;
use kcore::trap::reg;

use crate::ipc::put;
use crate::kernel::{CallKind, Kernel, State};

impl Kernel {
    /// Tries the fast path for the `ecall` of thread `tid` (`nr` = `a7`, `a` = `a0..a6`); false
    /// when the general path must handle it.
    pub fn fastpath(&mut self, tid: usize, nr: usize, a: &[usize; 7]) -> bool {
        match nr {
            kcall::CALL => {
                let tag = Tag(a[1] as u64);
                if tag.leases() != 0 || tag.words() > ipc::MAX_WORDS {
                    return false;
                }
                let mut words = [0u64; MAX_RECV_WORDS];
                for (w, &v) in words.iter_mut().zip(&a[2..2 + tag.words()]) {
                    *w = v as u64;
                }
                self.fast_send(tid, a[0], tag, words, CallKind::Raw)
            }
            kcall::REPLY_RECV if a[0] != 0 => {
                let words = [a[2] as u64, a[3] as u64, a[4] as u64, a[5] as u64];
                self.fast_reply_recv(tid, Badge(a[0] as u64), Tag(a[1] as u64), words, a[6])
            }
            _ => {
                let Some(sys) = Sys::from_number(nr) else {
                    return false;
                };
                let (endpoint, lends) = ipc::route(sys);
                if lends || endpoint == 0 {
                    return false;
                }
                let mut words = [0u64; MAX_RECV_WORDS];
                for (w, &v) in words.iter_mut().zip(a) {
                    *w = v as u64;
                }
                let tag = Tag::new(sys.number() as u32, MAX_RECV_WORDS, 0);
                self.fast_send(tid, endpoint, tag, words, CallKind::Syscall)
            }
        }
    }

    /// `tid` sends a register-only message to `ep`, whose receiver is waiting.
    fn fast_send(
        &mut self,
        tid: usize,
        ep: usize,
        tag: Tag,
        words: [u64; MAX_RECV_WORDS],
        kind: CallKind,
    ) -> bool {
        let Some(sid) = self.threads.get(&tid).map(|t| t.space) else {
            return false;
        };
        let Some((pid, server)) = self.spaces.get(&sid).map(|s| (s.pid, s.server)) else {
            return false;
        };
        if !crate::ipc::may_call(server, ep) {
            return false;
        }
        let Some(r) = self.endpoints.get_mut(&ep).and_then(|e| e.receiver.take()) else {
            return false;
        };
        let t = self.threads.get_mut(&tid).expect("the caller is live");
        t.msg.tag = tag;
        t.kind = kind;
        t.state = State::Calling(r);
        let rt = self
            .threads
            .get_mut(&r)
            .expect("a waiting receiver is live");
        rt.state = State::Ready;
        put(&mut rt.frame, Badge::new(tid, pid).0, tag, &words);
        self.current = Some(r);
        true
    }

    /// Server thread `tid` answers `badge`, which waits for it, and waits on `ep`, where
    /// nothing is pending.
    fn fast_reply_recv(
        &mut self,
        tid: usize,
        badge: Badge,
        tag: Tag,
        words: [u64; ipc::MAX_WORDS],
        ep: usize,
    ) -> bool {
        let target = badge.tid();
        match self.threads.get(&target) {
            Some(t)
                if t.state == State::Calling(tid)
                    && matches!(t.kind, CallKind::Raw | CallKind::Syscall) => {}
            _ => return false,
        }
        let Some(sid) = self.threads.get(&tid).map(|t| t.space) else {
            return false;
        };
        match self.endpoints.get_mut(&ep) {
            Some(e)
                if e.owner == sid
                    && e.bits == 0
                    && e.senders.is_empty()
                    && e.receiver.is_none() =>
            {
                e.receiver = Some(tid);
            }
            _ => return false,
        }
        self.threads
            .get_mut(&tid)
            .expect("the server is live")
            .state = State::Receiving(ep);
        let t = self.threads.get_mut(&target).expect("checked above");
        t.state = State::Ready;
        if t.kind == CallKind::Raw {
            put(&mut t.frame, 0, tag, &words);
        } else {
            t.frame.regs[reg::A0] = words[0];
        }
        self.current = Some(target);
        true
    }
}
