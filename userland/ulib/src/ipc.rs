//! Safe IPC for programs on `micro` (the calls and register layout of [`abi::ipc`]): endpoints,
//! `call`/`recv`/`reply` and the lease copies a receiver makes. Each
//! function wraps a [`ucall`] stub and turns `-errno` into `Err`; on `mono` every one of them
//! fails with [`Errno::NoSys`] ([`available`] asks which kernel this is without side effects).
//!
//! Leases are [`Lease`]s here, not bare [`abi::ipc::Lease`] descriptors: a `Lease<'a>` can only be
//! made from a borrowed slice, so a safe [`call`] never lends the receiver memory the program does
//! not own or still uses (a write lease borrows its buffer mutably for the call). A bad
//! descriptor, for a test that wants the kernel to refuse one, goes through
//! [`Lease::from_raw`], which is `unsafe`.
//!
//! Left out: the server-only kernel calls (address spaces, threads, mappings) — servers make
//! those through `ucall` directly — and crashing a server, which is not a program's power (the
//! withdrawn `inject` call is `EPERM`; klab's `--inject` boots `micro` with planned crashes).

use core::marker::PhantomData;

use abi::Errno;
use abi::ipc::{MAX_LEASES, MAX_WORDS, kcall, lease};

pub use abi::ipc::{Badge, Tag};
pub use ucall::Message;

/// A lease of part of this program's memory, borrowed for lifetime `'a`: what [`call`] passes
/// the receiver, which may copy from it ([`lease_read`]) or to it ([`lease_write`]) as its
/// access bits allow until it replies. Laid out exactly as the kernel's [`abi::ipc::Lease`].
#[derive(Clone, Copy, Debug)]
#[repr(transparent)]
pub struct Lease<'a> {
    raw: abi::ipc::Lease,
    _borrow: PhantomData<&'a [u8]>,
}

impl<'a> Lease<'a> {
    /// Lends `buf` for reading: the receiver may copy it, never change it.
    pub fn read(buf: &'a [u8]) -> Lease<'a> {
        Lease::of(buf.as_ptr() as u64, buf.len(), lease::READ)
    }

    /// Lends `buf` for writing only: the receiver may fill it, not read what is there.
    pub fn write(buf: &'a mut [u8]) -> Lease<'a> {
        Lease::of(buf.as_mut_ptr() as u64, buf.len(), lease::WRITE)
    }

    /// Lends `buf` for reading and writing.
    pub fn read_write(buf: &'a mut [u8]) -> Lease<'a> {
        Lease::of(
            buf.as_mut_ptr() as u64,
            buf.len(),
            lease::READ | lease::WRITE,
        )
    }

    /// A lease of any descriptor, for tests that want the kernel to refuse a bad one.
    ///
    /// # Safety
    /// The receiver may read and write `raw`'s range as `raw.access` allows during the call: that
    /// memory must be unused by the program for `'a` (or unmapped, which the kernel refuses).
    pub unsafe fn from_raw(raw: abi::ipc::Lease) -> Lease<'a> {
        Lease {
            raw,
            _borrow: PhantomData,
        }
    }

    fn of(addr: u64, len: usize, access: u64) -> Lease<'a> {
        Lease {
            raw: abi::ipc::Lease {
                addr,
                len: len as u64,
                access,
            },
            _borrow: PhantomData,
        }
    }

    /// The descriptor the kernel receives.
    pub fn raw(&self) -> abi::ipc::Lease {
        self.raw
    }
}

/// Whether this kernel has IPC (`micro`) or not (`mono`). The probe is `lease_info(Badge(0), 0)`:
/// it asks about a lease no sender can have, so it creates nothing and changes nothing — `mono`
/// answers `ENOSYS` like every IPC number, `micro` refuses the badge with another error.
/// (`ep_create` would tell too, but leave an endpoint behind.)
pub fn available() -> bool {
    !matches!(lease_info(Badge(0), 0), Err(Errno::NoSys))
}

/// A new endpoint owned by this process: only it may [`recv`] on it, anybody may [`call`] it.
pub fn ep_create() -> Result<usize, Errno> {
    // Safety: no pointers.
    Errno::check(unsafe { ucall::syscall(kcall::EP_CREATE, []) })
}

/// Sends a message with `label`, `words` (at most [`MAX_WORDS`]) and `leases` (at most
/// [`MAX_LEASES`]) to endpoint `ep` and waits for the reply: its tag and its four register words
/// (those beyond the reply tag's word count hold nothing meaningful). `Err` when the call or its
/// reply could not be delivered (`EIO`: the server failed and was restarted), or `EINVAL` without
/// a call when there are too many words or leases.
pub fn call(
    ep: usize,
    label: u32,
    words: &[u64],
    leases: &[Lease<'_>],
) -> Result<(Tag, [u64; MAX_WORDS]), Errno> {
    if words.len() > MAX_WORDS || leases.len() > MAX_LEASES {
        return Err(Errno::Inval);
    }
    let mut w = [0u64; MAX_WORDS];
    w[..words.len()].copy_from_slice(words);
    let tag = Tag::new(label, words.len(), leases.len());
    // Safety: `leases` holds `tag.leases()` descriptors laid out as `abi::ipc::Lease`
    // (`repr(transparent)`), each lending memory its `Lease` borrows for longer than this call.
    let r = unsafe { ucall::call(ep, tag, w, leases.as_ptr().cast::<abi::ipc::Lease>()) };
    Errno::check(r.status)?;
    Ok((r.tag, r.words))
}

/// Splits what `RECV` or `REPLY_RECV` returned into a message or an error. A failing receive
/// returns `-errno` in `a0`, where the badge goes; a real badge never reads as negative (its
/// process id, in bits 32..64, would need bit 31 set).
fn received(m: Message) -> Result<Message, Errno> {
    Errno::check(m.badge.0 as isize).map(|_| m)
}

/// Waits for the next message or notification on `ep`, which this process must own.
pub fn recv(ep: usize) -> Result<Message, Errno> {
    // Safety: no memory is touched.
    received(unsafe { ucall::recv(ep) })
}

/// Answers the call from `badge` with `label` and `words` (at most [`MAX_WORDS`]; `EINVAL`
/// without a reply when more). `Err` when `badge` does not wait for an answer from this thread.
pub fn reply(badge: Badge, label: u32, words: &[u64]) -> Result<(), Errno> {
    let (tag, w) = reply_words(label, words)?;
    // Safety: no memory is touched.
    Errno::check(unsafe { ucall::reply(badge, tag, w) }).map(drop)
}

/// Answers `badge` (as [`reply`]; `Badge(0)`: answer nobody) and waits for the next message on
/// `ep` in the same kernel call: the server loop's call. A reply that cannot be delivered is
/// dropped by the kernel; `Err` reports a failed receive.
pub fn reply_recv(badge: Badge, label: u32, words: &[u64], ep: usize) -> Result<Message, Errno> {
    let (tag, w) = reply_words(label, words)?;
    // Safety: no memory is touched.
    received(unsafe { ucall::reply_recv(badge, tag, w, ep) })
}

/// The tag and register words of a reply.
fn reply_words(label: u32, words: &[u64]) -> Result<(Tag, [u64; MAX_WORDS]), Errno> {
    if words.len() > MAX_WORDS {
        return Err(Errno::Inval);
    }
    let mut w = [0u64; MAX_WORDS];
    w[..words.len()].copy_from_slice(words);
    Ok((Tag::new(label, words.len(), 0), w))
}

/// ORs `bits` into `ep`'s notification word; never blocks. The owner receives them as a message
/// with label [`abi::ipc::label::NOTIFICATION`], badge 0 and the bits in word 0.
pub fn notify(ep: usize, bits: u64) -> Result<(), Errno> {
    // Safety: no pointers.
    Errno::check(unsafe { ucall::syscall(kcall::NOTIFY, [ep, bits as usize]) }).map(drop)
}

/// Lease `index` of the call from `badge` (which waits for this thread's reply): its length in
/// bytes and its [`abi::ipc::lease`] access bits.
pub fn lease_info(badge: Badge, index: usize) -> Result<(usize, u64), Errno> {
    // Safety: no pointers.
    let (len, access) =
        unsafe { ucall::kcall2(kcall::LEASE_INFO, [badge.0 as usize, index, 0, 0, 0]) };
    Errno::check(len).map(|len| (len, access as u64))
}

/// Copies lease `index` of `badge`'s call from byte `offset` into `dst`: the bytes copied,
/// `min(dst.len(), lease length - offset)`. `Err` if there is no such lease or it does not grant
/// reading.
pub fn lease_read(
    badge: Badge,
    index: usize,
    offset: usize,
    dst: &mut [u8],
) -> Result<usize, Errno> {
    // Safety: `dst` is writable for its length.
    Errno::check(unsafe {
        ucall::syscall(
            kcall::LEASE_READ,
            [
                badge.0 as usize,
                index,
                offset,
                dst.as_mut_ptr() as usize,
                dst.len(),
            ],
        )
    })
}

/// Copies `src` into lease `index` of `badge`'s call from byte `offset`: the bytes copied,
/// `min(src.len(), lease length - offset)`. `Err` if there is no such lease or it does not grant
/// writing.
pub fn lease_write(badge: Badge, index: usize, offset: usize, src: &[u8]) -> Result<usize, Errno> {
    // Safety: `src` is readable for its length; the kernel only reads it.
    Errno::check(unsafe {
        ucall::syscall(
            kcall::LEASE_WRITE,
            [
                badge.0 as usize,
                index,
                offset,
                src.as_ptr() as usize,
                src.len(),
            ],
        )
    })
}
