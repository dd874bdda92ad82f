//! ucall: the `ecall` stubs of user mode, shared by `ulib` (every program) and `micro`'s
//! servers, so both make their calls with the same instructions — and, for the same reason,
//! how a process starts: `_start` ([`entry_point!`]) and its arguments ([`Args`], `start.rs`).
//!
//! - [`syscall`]: `a7` = number, up to six arguments in `a0..a5`, `a0` back — the system calls of
//!   `abi`'s table and the simple kernel calls.
//! - [`call`], [`recv`], [`reply`], [`reply_recv`]: the IPC primitives with the register layout
//!   of [`abi::ipc`]; [`kcall2`] for the kernel calls that answer in `a0` and `a1`.
//!
//! Nothing here checks arguments: the kernel does. Every stub is `unsafe` because pointer
//! arguments are passed on unchecked and some calls end the calling thread.
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

mod start;

pub use start::Args;

use core::arch::asm;

use abi::ipc::{Badge, Lease, MAX_RECV_WORDS, MAX_WORDS, Tag, kcall};

/// Traps into the kernel with `a7 = nr` and the `N` arguments in `a0..`; returns `a0`.
///
/// # Safety
/// The call may read or write memory through pointer arguments, or end the thread: the caller
/// answers for what the arguments mean to the kernel.
#[inline(always)]
pub unsafe fn syscall<const N: usize>(nr: usize, args: [usize; N]) -> isize {
    let a = |i: usize| if i < N { args[i] } else { 0 };
    let ret: isize;
    // Safety: `ecall` transfers to the kernel, which preserves every register but a0 (the ABI in
    // `abi`); memory effects are the caller's contract above.
    unsafe {
        match N {
            0 => asm!("ecall", in("a7") nr, lateout("a0") ret, options(nostack)),
            1 => asm!("ecall", in("a7") nr, inlateout("a0") a(0) => ret, options(nostack)),
            2 => asm!("ecall", in("a7") nr, inlateout("a0") a(0) => ret, in("a1") a(1),
                      options(nostack)),
            3 => asm!("ecall", in("a7") nr, inlateout("a0") a(0) => ret, in("a1") a(1),
                      in("a2") a(2), options(nostack)),
            4 => asm!("ecall", in("a7") nr, inlateout("a0") a(0) => ret, in("a1") a(1),
                      in("a2") a(2), in("a3") a(3), options(nostack)),
            5 => asm!("ecall", in("a7") nr, inlateout("a0") a(0) => ret, in("a1") a(1),
                      in("a2") a(2), in("a3") a(3), in("a4") a(4), options(nostack)),
            _ => asm!("ecall", in("a7") nr, inlateout("a0") a(0) => ret, in("a1") a(1),
                      in("a2") a(2), in("a3") a(3), in("a4") a(4), in("a5") a(5),
                      options(nostack)),
        }
    }
    ret
}

/// A kernel call with up to five arguments that answers in `a0` and `a1`.
///
/// # Safety
/// As [`syscall`].
#[inline(always)]
pub unsafe fn kcall2(nr: usize, args: [usize; 5]) -> (isize, usize) {
    let ret: isize;
    let second: usize;
    // Safety: as in `syscall`; the kernel writes a0 and a1.
    unsafe {
        asm!("ecall", in("a7") nr, inlateout("a0") args[0] => ret,
             inlateout("a1") args[1] => second, in("a2") args[2], in("a3") args[3],
             in("a4") args[4], options(nostack));
    }
    (ret, second)
}

/// A message as `recv` delivers it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Message {
    /// Who sent it (0 for a notification).
    pub badge: Badge,
    /// Label, word count, lease count.
    pub tag: Tag,
    /// The words (a forwarded system call's arguments are words 0..5).
    pub words: [u64; MAX_RECV_WORDS],
}

/// A reply as `call` returns it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reply {
    /// 0, or `-errno` when the kernel could not deliver the call or its reply (`EIO`: the
    /// server failed and was restarted).
    pub status: isize,
    /// The reply's tag.
    pub tag: Tag,
    /// The reply's words.
    pub words: [u64; MAX_WORDS],
}

/// `call(endpoint, tag, words, leases)`: sends and waits for the reply.
///
/// # Safety
/// `leases` must point to `tag.leases()` descriptors (or be unused); the leased memory may be
/// read or written by the receiver as the descriptors allow until the reply.
#[inline(always)]
pub unsafe fn call(
    endpoint: usize,
    tag: Tag,
    words: [u64; MAX_WORDS],
    leases: *const Lease,
) -> Reply {
    let status: isize;
    let rtag: u64;
    let (w0, w1, w2, w3): (u64, u64, u64, u64);
    // Safety: the kernel's CALL preserves every register but a0..a5; memory through `leases` is
    // the caller's contract.
    unsafe {
        asm!("ecall", in("a7") kcall::CALL, inlateout("a0") endpoint => status,
             inlateout("a1") tag.0 => rtag, inlateout("a2") words[0] => w0,
             inlateout("a3") words[1] => w1, inlateout("a4") words[2] => w2,
             inlateout("a5") words[3] => w3, in("a6") leases, options(nostack));
    }
    Reply {
        status,
        tag: Tag(rtag),
        words: [w0, w1, w2, w3],
    }
}

/// `recv(endpoint)`: waits for a message or a notification.
///
/// # Safety
/// No memory is touched; unsafe only for uniformity with the other stubs.
#[inline(always)]
pub unsafe fn recv(endpoint: usize) -> Message {
    // Safety: REPLY_RECV with badge 0 is a plain receive.
    unsafe { reply_recv(Badge(0), Tag(0), [0; MAX_WORDS], endpoint) }
}

/// `reply(badge, tag, words)` → 0, or `-errno` if `badge` waits for no reply from the caller.
///
/// # Safety
/// No memory is touched; unsafe only for uniformity with the other stubs.
#[inline(always)]
pub unsafe fn reply(badge: Badge, tag: Tag, words: [u64; MAX_WORDS]) -> isize {
    let ret: isize;
    // Safety: the kernel's REPLY writes only a0.
    unsafe {
        asm!("ecall", in("a7") kcall::REPLY, inlateout("a0") badge.0 => ret, in("a1") tag.0,
             in("a2") words[0], in("a3") words[1], in("a4") words[2], in("a5") words[3],
             options(nostack));
    }
    ret
}

/// `reply_recv(badge, tag, words, endpoint)`: replies (unless `badge` is 0), then waits for the
/// next message on `endpoint`. A reply that cannot be delivered (the caller is gone) is dropped.
///
/// # Safety
/// No memory is touched; unsafe only for uniformity with the other stubs.
#[inline(always)]
pub unsafe fn reply_recv(
    badge: Badge,
    tag: Tag,
    words: [u64; MAX_WORDS],
    endpoint: usize,
) -> Message {
    let (b, t, w0, w1, w2, w3, w4, w5): (u64, u64, u64, u64, u64, u64, u64, u64);
    // Safety: the kernel's REPLY_RECV writes a0..a7 with the received message.
    unsafe {
        asm!("ecall", inlateout("a7") kcall::REPLY_RECV as u64 => w5,
             inlateout("a0") badge.0 => b, inlateout("a1") tag.0 => t,
             inlateout("a2") words[0] => w0, inlateout("a3") words[1] => w1,
             inlateout("a4") words[2] => w2, inlateout("a5") words[3] => w3,
             inlateout("a6") endpoint => w4, options(nostack));
    }
    Message {
        badge: Badge(b),
        tag: Tag(t),
        words: [w0, w1, w2, w3, w4, w5],
    }
}
