//! The thin loops' calls: each one `ecall` inlined into the measuring loop with its registers set
//! directly, as lmbench's `lat_syscall` makes a bare system call, so that what a case measures is
//! the kernel and not library code around the call (slices, `Result`s, a call and return per
//! wrapper). `getpid`, `yield`, `read` and `write` are `ulib::raw`'s stubs (already a bare
//! `ecall` each); [`call`] and [`reply_recv`] are IPC's register-only forms, which `ucall`'s
//! stubs would pad with four message words.
//!
//! The cases check every answer here too, by comparing registers, and leave the formatted
//! failure to a cold path. [`Via`] is what a case with a library-level twin (`getpid-lib`,
//! `pipe-rt-lib`, `ipc-lib`) runs on.
//!
//! Left out: words in IPC messages (the thin cases send none) and errno names (a wrong register
//! is reported as its value).

use core::arch::asm;

use abi::ipc::{Badge, Lease, Tag, kcall};
use ulib::ipc::Message;
use ulib::raw;

/// Which code a case's operations go through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// A bare `ecall` inlined into the loop (this module).
    Bare,
    /// `ulib`'s safe wrappers, as a program would make the call.
    Ulib,
}

/// `getpid()`: `a7` = its number, the pid back in `a0`.
#[inline(always)]
pub fn getpid() -> usize {
    // Safety: no pointers.
    unsafe { raw::getpid() as usize }
}

/// `yield()`.
#[inline(always)]
pub fn yield_now() {
    // Safety: no pointers.
    unsafe { raw::yield_now() };
}

/// `read(fd, buf)`: the bytes read or `-errno`.
#[inline(always)]
pub fn read(fd: usize, buf: &mut [u8]) -> isize {
    // Safety: `buf` is writable for its length.
    unsafe { raw::read(fd, buf.as_mut_ptr() as usize, buf.len()) }
}

/// `write(fd, buf)`: the bytes written or `-errno`.
#[inline(always)]
pub fn write(fd: usize, buf: &[u8]) -> isize {
    // Safety: `buf` is readable for its length; the kernel only reads it.
    unsafe { raw::write(fd, buf.as_ptr() as usize, buf.len()) }
}

/// `CALL` of endpoint `ep` with `tag` and no words (`a0` = `ep`, `a1` = `tag`, `a6` = `leases`):
/// `a0` (0 or `-errno`) and the reply's tag (`a1`). The reply's words are dropped.
///
/// # Safety
/// `leases` must point to `tag.leases()` descriptors (it is not read when there are none), each
/// lending memory the program does not use until the call returns.
#[inline(always)]
pub unsafe fn call(ep: usize, tag: Tag, leases: *const Lease) -> (isize, Tag) {
    let (status, reply): (isize, u64);
    // Safety: the kernel's CALL preserves every register but a0..a5 (`abi::ipc`); the memory
    // behind `leases` is the caller's contract.
    unsafe {
        asm!("ecall", in("a7") kcall::CALL, inlateout("a0") ep => status,
             inlateout("a1") tag.0 => reply, lateout("a2") _, lateout("a3") _, lateout("a4") _,
             lateout("a5") _, in("a6") leases, options(nostack));
    }
    (status, Tag(reply))
}

/// `REPLY_RECV`: answers `badge` with `tag` and no words (`a0` = `badge`, `a1` = `tag`), then
/// waits on `ep` (`a6`); the message received (`a0..a7`). A failed receive has `-errno` where
/// the badge goes.
#[inline(always)]
pub fn reply_recv(badge: Badge, tag: Tag, ep: usize) -> Message {
    let (b, t, w0, w1, w2, w3, w4, w5): (u64, u64, u64, u64, u64, u64, u64, u64);
    // Safety: REPLY_RECV touches no memory of the caller; the kernel writes a0..a7 with the
    // message received.
    unsafe {
        asm!("ecall", inlateout("a7") kcall::REPLY_RECV as u64 => w5,
             inlateout("a0") badge.0 => b, inlateout("a1") tag.0 => t, lateout("a2") w0,
             lateout("a3") w1, lateout("a4") w2, lateout("a5") w3,
             inlateout("a6") ep => w4, options(nostack));
    }
    Message {
        badge: Badge(b),
        tag: Tag(t),
        words: [w0, w1, w2, w3, w4, w5],
    }
}

/// `LEASE_READ`: copies lease `index` of `badge`'s call from byte `offset` into `dst`; the bytes
/// copied or `-errno`.
#[inline(always)]
pub fn lease_read(badge: Badge, index: usize, offset: usize, dst: &mut [u8]) -> isize {
    // Safety: `dst` is writable for its length.
    unsafe {
        raw::syscall(
            kcall::LEASE_READ,
            [
                badge.0 as usize,
                index,
                offset,
                dst.as_mut_ptr() as usize,
                dst.len(),
            ],
        )
    }
}
