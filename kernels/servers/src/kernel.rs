//! Typed wrappers of the kernel calls servers make (`abi::ipc::kcall`): [`call`] to a server
//! higher up, [`notify`], and the server-only calls that manage address spaces, threads, pages,
//! the interrupt, the timer and the machine. Each returns a `Result` with the kernel's `-errno`
//! decoded; pointers are taken from Rust references, so the memory they name is ours and alive.
//!
//! Left out: the lease calls (in [`crate::lease`], which treats a gone caller specially) and the
//! receive side (in [`crate::serve`]).

use abi::ipc::{ImageInfo, Lease, MAX_LEASES, MAX_WORDS, Tag, kcall, lease};
use abi::types::Str;
use abi::{Errno, Pid};

/// Memory of ours lent to the server we call, for the length of the call.
#[derive(Debug)]
pub enum Loan<'a> {
    /// The server may read these bytes.
    Read(&'a [u8]),
    /// The server may write these bytes.
    Write(&'a mut [u8]),
}

impl Loan<'_> {
    /// The lease descriptor the kernel reads.
    fn lease(&mut self) -> Lease {
        let (addr, len, access) = match self {
            Loan::Read(b) => (b.as_ptr() as u64, b.len(), lease::READ),
            Loan::Write(b) => (b.as_mut_ptr() as u64, b.len(), lease::WRITE),
        };
        Lease {
            addr,
            len: len as u64,
            access,
        }
    }
}

/// Decodes a kernel call's `a0`: a value ≥ 0 or `-errno`.
fn check(ret: isize) -> Result<usize, Errno> {
    Errno::check(ret)
}

/// `CALL`s the server at `endpoint` with `label`, up to [`MAX_WORDS`] words and up to
/// [`MAX_LEASES`] loans; returns the reply's word 0 decoded (a value ≥ 0 or `-errno`). A call the
/// kernel could not complete is its `-errno` (`EIO`: the server crashed and was restarted).
pub fn call(
    endpoint: usize,
    label: u32,
    words: &[u64],
    loans: &mut [Loan<'_>],
) -> Result<usize, Errno> {
    let mut w = [0u64; MAX_WORDS];
    let n = words.len().min(MAX_WORDS);
    w[..n].copy_from_slice(&words[..n]);
    let mut leases = [Lease::default(); MAX_LEASES];
    let count = loans.len().min(MAX_LEASES);
    for (l, loan) in leases.iter_mut().zip(loans.iter_mut()) {
        *l = loan.lease();
    }
    // Safety: `leases` holds `count` descriptors of memory the `loans` borrow (shared for READ,
    // exclusively for WRITE) until this call returns, which is when the kernel revokes them.
    let r = unsafe { ucall::call(endpoint, Tag::new(label, n, count), w, leases.as_ptr()) };
    check(r.status)?;
    check(r.words[0] as isize)
}

/// `NOTIFY`: ORs `bits` into `endpoint`'s notification word; never blocks.
pub fn notify(endpoint: usize, bits: u64) {
    // Safety: no memory is passed.
    unsafe { ucall::syscall::<2>(kcall::NOTIFY, [endpoint, bits as usize]) };
}

/// `TIMER_NOTIFY`: `bits::TIMER` on our endpoint once the `clock` reaches `at_ns` (replacing
/// our earlier request; `u64::MAX`: none); returns the clock now (ns).
pub fn timer_notify(at_ns: u64) -> u64 {
    // Safety: no memory is passed.
    let r = unsafe { ucall::syscall::<1>(kcall::TIMER_NOTIFY, [at_ns as usize]) };
    // Only a kernel without the call fails it: no time, so no deadline ever comes.
    check(r).map_or(0, |ns| ns as u64)
}

/// The `clock` call: nanoseconds since reset.
pub fn clock() -> u64 {
    // Safety: no memory is passed.
    unsafe { ucall::syscall::<0>(abi::Sys::Clock.number(), []) as u64 }
}

/// `SPACE_NEW`: a new address space for process `pid` with the program `elf` loaded and `argv`
/// (strings in our memory) on its stack; fills `info` and returns the first thread's id (not
/// started).
pub fn space_new(pid: Pid, elf: &[u8], argv: &[Str], info: &mut ImageInfo) -> Result<usize, Errno> {
    // Safety: every pointer names our memory of the length given; the kernel only reads `elf`
    // and `argv` (and the bytes each `Str` names) and writes one `ImageInfo` at `info`.
    check(unsafe {
        ucall::syscall::<6>(
            kcall::SPACE_NEW,
            [
                pid.raw(),
                elf.as_ptr() as usize,
                elf.len(),
                argv.as_ptr() as usize,
                argv.len(),
                info as *mut ImageInfo as usize,
            ],
        )
    })
}

/// `SPACE_KILL`: ends every thread of `pid` and frees its address space.
pub fn space_kill(pid: Pid) -> Result<(), Errno> {
    // Safety: no memory of ours is passed.
    check(unsafe { ucall::syscall::<1>(kcall::SPACE_KILL, [pid.raw()]) }).map(drop)
}

/// `SPACE_READ`: copies `dst.len()` bytes of `pid`'s memory at `addr` into `dst`; the count
/// copied. `ESRCH` if `pid` is gone, `EFAULT` for memory it may not read.
pub fn space_read(pid: usize, addr: usize, dst: &mut [u8]) -> Result<usize, Errno> {
    // Safety: the kernel writes at most `dst.len()` bytes at `dst`, which we borrow exclusively.
    check(unsafe {
        ucall::syscall::<4>(
            kcall::SPACE_READ,
            [pid, addr, dst.as_mut_ptr() as usize, dst.len()],
        )
    })
}

/// `THREAD_NEW`: a new, started thread of `pid` at `entry` with `a0 = arg` and `sp`; its id.
pub fn thread_new(pid: Pid, entry: usize, arg: usize, sp: usize) -> Result<usize, Errno> {
    // Safety: no memory of ours is passed (the addresses are the client's).
    check(unsafe { ucall::syscall::<4>(kcall::THREAD_NEW, [pid.raw(), entry, arg, sp]) })
}

/// `THREAD_START`: lets thread `tid` run.
pub fn thread_start(tid: usize) -> Result<(), Errno> {
    // Safety: no memory of ours is passed.
    check(unsafe { ucall::syscall::<1>(kcall::THREAD_START, [tid]) }).map(drop)
}

/// `THREAD_KILL`: ends thread `tid`.
pub fn thread_kill(tid: usize) -> Result<(), Errno> {
    // Safety: no memory of ours is passed.
    check(unsafe { ucall::syscall::<1>(kcall::THREAD_KILL, [tid]) }).map(drop)
}

/// `SIGNAL`: redirects program thread `tid` into handler `d` (abi's `kcall::SIGNAL`); a call of
/// it we are serving returns `result`. 0 when done, or a page of the frame to have mapped first.
pub fn signal(
    tid: usize,
    d: &services::signal::Delivery,
    result: isize,
    restart: bool,
) -> Result<usize, Errno> {
    let flag = if restart { kcall::SIGNAL_RESTART } else { 0 };
    let a = [
        tid,
        d.sig | flag,
        d.handler,
        d.trampoline,
        d.mask as usize,
        result as usize,
    ];
    // Safety: no memory of ours is passed (the addresses are the client's).
    check(unsafe { ucall::syscall::<6>(kcall::SIGNAL, a) })
}

/// `SIG_RETURN`: thread `tid`, waiting for our answer to its `sigreturn(frame)`, gets its
/// registers back from the frame and goes on waiting for our answer; the mask saved there and
/// the `a0` restored.
pub fn sig_return(tid: usize, frame: usize) -> Result<(u64, u64), Errno> {
    // Safety: no memory of ours is passed.
    let (mask, a0) = unsafe { ucall::kcall2(kcall::SIG_RETURN, [tid, frame, 0, 0, 0]) };
    check(mask).map(|m| (m as u64, a0 as u64))
}

/// `MAP_NEW`: maps a fresh zeroed frame at `page` of `pid` with `abi::types::prot` bits.
pub fn map_new(pid: Pid, page: usize, prot: usize) -> Result<(), Errno> {
    // Safety: no memory of ours is passed.
    check(unsafe { ucall::syscall::<3>(kcall::MAP_NEW, [pid.raw(), page, prot]) }).map(drop)
}

/// `UNMAP`: unmaps and frees `pid`'s pages in `start..end`.
pub fn unmap(pid: Pid, start: usize, end: usize) -> Result<(), Errno> {
    // Safety: no memory of ours is passed.
    check(unsafe { ucall::syscall::<3>(kcall::UNMAP, [pid.raw(), start, end]) }).map(drop)
}

/// `HEAP_GROW`: maps fresh zeroed pages at our own heap's `start..end`, all or none (`ENOMEM`).
pub fn heap_grow(start: usize, end: usize) -> Result<(), Errno> {
    // Safety: the kernel maps pages of our heap region that nothing of ours uses yet.
    check(unsafe { ucall::syscall::<2>(kcall::HEAP_GROW, [start, end]) }).map(drop)
}

/// `SHM_HOLD`: maps fresh zeroed frames at our own `start..end` of the shared-memory window,
/// all or none (`ENOMEM`).
pub fn shm_hold(start: usize, end: usize) -> Result<(), Errno> {
    // Safety: the kernel maps pages of our shared-memory window, which nothing of ours uses
    // otherwise.
    check(unsafe { ucall::syscall::<2>(kcall::SHM_HOLD, [start, end]) }).map(drop)
}

/// `SHM_RELEASE`: unmaps our own `start..end` of the shared-memory window.
pub fn shm_release(start: usize, end: usize) -> Result<(), Errno> {
    // Safety: no Rust reference of ours points into the window.
    check(unsafe { ucall::syscall::<2>(kcall::SHM_RELEASE, [start, end]) }).map(drop)
}

/// `SHM_SHARE`: maps the frames of our `pages` pages at `src` also at `dst` of `pid`.
pub fn shm_share(src: usize, pid: Pid, dst: usize, pages: usize, prot: usize) -> Result<(), Errno> {
    // Safety: no memory of ours is passed (the frames are shared, our mapping stays).
    check(unsafe { ucall::syscall::<5>(kcall::SHM_SHARE, [src, pid.raw(), dst, pages, prot]) })
        .map(drop)
}

/// `IRQ_ACK`: completes the interrupt of `device` (`abi::ipc::irq`) notified to us.
pub fn irq_ack(device: usize) {
    // Safety: no memory is passed.
    unsafe { ucall::syscall::<1>(kcall::IRQ_ACK, [device]) };
}

/// `HALT`: powers the machine off with `status`.
pub fn halt(status: i32) -> ! {
    // Safety: no memory is passed; the call does not return.
    unsafe { ucall::syscall::<1>(kcall::HALT, [status as isize as usize]) };
    // Only a kernel that refused the call gets here: stop as loudly as we can.
    crate::rt::crash()
}

/// `DEBUG_WRITE`: writes `bytes` straight to the console.
pub fn debug_write(bytes: &[u8]) {
    // Safety: the kernel reads `bytes.len()` bytes at `bytes`, which we borrow.
    unsafe { ucall::syscall::<2>(kcall::DEBUG_WRITE, [bytes.as_ptr() as usize, bytes.len()]) };
}
