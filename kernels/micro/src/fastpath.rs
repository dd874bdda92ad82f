//! The IPC fast path (the L4/seL4 lesson; seL4's `fastpath.c` is the model), entered straight
//! from the trap vector: before any generic work, [`entry`] looks at `scause` and `a7`, and the
//! common cases of an IPC round trip are done in one short straight-line path:
//! - `call` with its message in registers (no leases) to an endpoint whose receiver waits;
//! - a forwarded system call without pointer arguments (`getpid`, `close`, `brk`, …: abi's
//!   forwarding table without leases) to its server, which waits;
//! - `reply_recv` whose answer goes to a caller waiting for this thread (a `call` or a
//!   forwarded system call) while nothing is pending on the endpoint it then waits on.
//!
//! The registers go from frame to frame, the sender blocks and the other thread becomes the
//! current one in one step of the shared table ([`kcore::sched::Threads::hand_off`]), `satp` is
//! written only when the other thread's space is not the active one, and that thread resumes.
//! No generic entry, no argument copy, no scheduling decision, no timer work (nothing the timer
//! waits for changes), no tree lookups (every table is direct-indexed).
//!
//! Anything else — leases, no receiver, pending notifications or senders, a refused call, a
//! fault or an interrupt — returns to the general path ([`crate::ipc`]), which gives the same
//! result: the same registers, messages and thread states (`lab/tests/fastpath.rs` compares
//! both, with `fastpath=off` on the boot command line turning this path off).

use core::ptr::NonNull;

use abi::ipc::{Badge, MAX_RECV_WORDS, MAX_WORDS, Tag, kcall};
use abi::sys::Sys;
use kcore::sched::Run;
use kcore::trap::{TrapFrame, reg};

use crate::ipc::may_call;
use crate::kernel::{CallKind, EndpointId, KERNEL, Kernel, SpaceId, ThreadId, Wait};

/// `scause` of an `ecall` from U-mode.
const ECALL_FROM_U: u64 = 8;

/// System-call numbers below this are looked up in [`ROUTE`].
const ROUTED: usize = 64;

/// For each system-call number below [`ROUTED`]: the server endpoint a call without leases is
/// forwarded to, or 0 (no such call, a call the kernel serves, or one that may lend memory).
/// Built at compile time from abi's forwarding table ([`abi::ipc::route`]).
static ROUTE: [u8; ROUTED] = {
    let mut t = [0u8; ROUTED];
    let mut i = 0;
    while i < Sys::ALL.len() {
        let sys = Sys::ALL[i];
        let (ep, lends) = abi::ipc::route(sys);
        if !lends && sys.number() < ROUTED {
            t[sys.number()] = ep as u8;
        }
        i += 1;
    }
    t
};

/// The `scause` value [`entry`] takes: an `ecall` from U-mode when the fast path is `on`, else
/// one no trap has (an interrupt with every cause bit set).
pub fn cause(on: bool) -> u64 {
    if on { ECALL_FROM_U } else { u64::MAX }
}

/// The trap vector's first step: if this trap is an `ecall` the fast path can do, does it and
/// returns the frame of the thread to resume (its space is active); otherwise `None`, and the
/// general path handles the trap. `frame` is the current thread's (`kernel_trap_handler`'s
/// argument).
///
/// # Safety
/// The caller is `kernel_trap_handler`, for a trap from U-mode, with `frame` its argument; it
/// holds no borrow of [`KERNEL`] (the fast path takes one without the flag,
/// [`kcore::sync::Global::trap_borrow`]).
#[inline(always)]
pub unsafe fn entry(frame: *mut TrapFrame) -> Option<*const TrapFrame> {
    // Safety: the caller's promise: a trap from U-mode, no other borrow.
    let slot = unsafe { KERNEL.trap_borrow() };
    // Safety: a trap from U-mode comes from a thread, and threads run only once boot has
    // installed the kernel.
    let k = unsafe { slot.as_mut().unwrap_unchecked() };
    if kcore::csr::scause() != k.fast_cause {
        return None;
    }
    // Safety: `frame` is the current thread's registers, just saved by `trap_entry`; the fast
    // path alone uses them while it runs (it never reaches them through the table).
    k.fast(unsafe { &mut *frame })
}

impl Kernel {
    /// The fast path for the `ecall` whose registers are `f` (the current thread's): the frame
    /// to resume, or `None` (nothing changed) when the general path must do it.
    #[inline(always)]
    fn fast(&mut self, f: &mut TrapFrame) -> Option<*const TrapFrame> {
        let nr = f.regs[reg::A7] as usize;
        match nr {
            kcall::CALL => {
                let tag = Tag(f.regs[reg::A1]);
                let n = tag.register_words()?;
                let ep = EndpointId::from_raw(f.regs[reg::A0]);
                let tag = Tag::new(tag.label(), n, 0);
                self.fast_send(f, ep, tag, CallKind::Raw)
            }
            kcall::REPLY_RECV => self.fast_reply_recv(f),
            _ => {
                let ep = *ROUTE.get(nr)? as usize;
                if ep == 0 {
                    return None;
                }
                let tag = Tag::new(nr as u32, MAX_RECV_WORDS, 0);
                self.fast_send(f, EndpointId::server(ep), tag, CallKind::Syscall)
            }
        }
    }

    /// The current thread (registers `f`) sends a register-only message to `ep`, whose
    /// receiver must be waiting: `tag`, with its words from `f`'s `a0..` (a forwarded call, all
    /// six) or `a2..` (a `call`, `tag.words()` of them, the rest 0); it then waits for the reply
    /// and the receiver runs.
    #[inline(always)]
    fn fast_send(
        &mut self,
        f: &mut TrapFrame,
        ep: EndpointId,
        tag: Tag,
        kind: CallKind,
    ) -> Option<*const TrapFrame> {
        let e = self.endpoints.get_mut(ep)?;
        let r = e.receiver?;
        if e.dead {
            return None;
        }
        let h = self.sched.threads.begin_hand_off(r)?;
        if !may_call(h.from.data.server, ep) {
            return None;
        }
        let badge = Badge::new(h.from.id().raw() as usize, h.from.data.pid);
        h.from.data.msg.tag = tag;
        h.from.data.kind = kind;
        let t = &mut *h.to.data.frame;
        t.regs[reg::A0] = badge.0;
        t.regs[reg::A1] = tag.0;
        let (src, dst) = (&f.regs, &mut t.regs);
        if kind == CallKind::Syscall {
            // The six arguments a0..a5 become words 0..5 (a2..a7).
            dst[reg::A0 + 2] = src[reg::A0];
            dst[reg::A0 + 3] = src[reg::A0 + 1];
            dst[reg::A0 + 4] = src[reg::A0 + 2];
            dst[reg::A0 + 5] = src[reg::A0 + 3];
            dst[reg::A0 + 6] = src[reg::A0 + 4];
            dst[reg::A0 + 7] = src[reg::A0 + 5];
        } else {
            copy_words(dst, src, tag.words());
            dst[reg::A0 + 6] = 0;
            dst[reg::A0 + 7] = 0;
        }
        let (space, frame) = (h.to.space, NonNull::from(t));
        h.commit(Wait::Calling(r));
        e.receiver = None;
        f.pc += 4;
        Some(self.fast_activate(space, frame))
    }

    /// The current thread (registers `f`, a server's) answers a caller waiting for it and waits
    /// on an endpoint it owns where nothing is pending; the caller runs.
    #[inline(always)]
    fn fast_reply_recv(&mut self, f: &mut TrapFrame) -> Option<*const TrapFrame> {
        let target = ThreadId::from_raw(Badge(f.regs[reg::A0]).tid() as u32)?;
        let ep = EndpointId::from_raw(f.regs[reg::A0 + 6]);
        let e = self.endpoints.get_mut(ep)?;
        if e.bits != 0 || !e.senders.is_empty() || e.receiver.is_some() {
            return None;
        }
        let h = self.sched.threads.begin_hand_off(target)?;
        let me = h.from.id();
        if Some(h.from.space) != e.owner || h.to.run() != Run::Blocked(Wait::Calling(me)) {
            return None;
        }
        let t = &mut *h.to.data.frame;
        match h.to.data.kind {
            CallKind::Raw => {
                // As `recv` returns a reply: a0 = 0, a1 = the tag, a2..a5 the words (those
                // past the reply's count are 0, as the general path delivers them).
                let tag = Tag(f.regs[reg::A1]);
                let n = tag.words();
                let (src, dst) = (&f.regs, &mut t.regs);
                dst[reg::A0] = 0;
                dst[reg::A1] = tag.0;
                copy_words(dst, src, n);
            }
            // A forwarded call's answer is word 0, in a0 (0 if the reply has no words).
            CallKind::Syscall => {
                let tag = Tag(f.regs[reg::A1]);
                if tag.label() != 0 {
                    // `label::RAISE`: the call goes on to proc (the general path).
                    return None;
                }
                let n = tag.words();
                t.regs[reg::A0] = if n > 0 { f.regs[reg::A0 + 2] } else { 0 };
            }
            _ => return None,
        }
        let (space, frame) = (h.to.space, NonNull::from(t));
        h.commit(Wait::Receiving(ep));
        e.receiver = Some(me);
        f.pc += 4;
        Some(self.fast_activate(space, frame))
    }

    /// The hand-off's end: activates `space` (the space of the thread now current, whose
    /// registers are `frame`) unless it is the active one; returns `frame`, to resume.
    #[inline(always)]
    fn fast_activate(&mut self, space: SpaceId, frame: NonNull<TrapFrame>) -> *const TrapFrame {
        if self.sched.active != Some(space) {
            let s = self.spaces.get_mut(&space).expect("a thread's space lives");
            s.vm.activate(&mut self.asids);
            self.sched.active = Some(space);
        }
        frame.as_ptr()
    }
}

/// Copies the first `n` of the four message words `a2..a5` from `src` to `dst` and zeroes the
/// rest, as the general path delivers a message; the common register-only message with no
/// words is four stores.
#[inline(always)]
fn copy_words(dst: &mut [u64; 32], src: &[u64; 32], n: usize) {
    const W: usize = reg::A0 + 2;
    if n == 0 {
        dst[W..W + MAX_WORDS].fill(0);
        return;
    }
    dst[W] = src[W];
    dst[W + 1] = if n > 1 { src[W + 1] } else { 0 };
    dst[W + 2] = if n > 2 { src[W + 2] } else { 0 };
    dst[W + 3] = if n > 3 { src[W + 3] } else { 0 };
}
