//! User pointers are allegations (Hubris' `USlice`): a system call's pointer arguments are checked
//! — range, mapping, permission — before the kernel touches a byte, and a bad one is `EFAULT`,
//! never a kernel fault.
//!
//! The range check is [`UserRange::new`]: inside `abi::layout::USER_BASE..USER_TOP`, no wrap.
//! The mapping and permission check is the kernel's [`UserMemory::prepare`], page by page: it may
//! fault in a demand-zero page the program is entitled to (its heap, stack or `mmap` regions), so a
//! buffer the program has not touched yet works. Only then is the memory accessed, with
//! `sstatus.SUM` set for exactly the duration of the access. The kernel runs on one hart with
//! interrupts off, so nothing can unmap the range between the check and the access.

use abi::Errno;
use abi::layout::{PAGE_SIZE, USER_BASE, USER_TOP};

use crate::csr::{self, sstatus};
pub use crate::trap::Access;

/// The kernel's view of the current address space, for checking user memory.
pub trait UserMemory {
    /// Makes the page at `page` (page-aligned, inside the user range) usable by the kernel for
    /// `access` on the program's behalf: mapped, with U and the permission `access` needs (R for
    /// reads, W for writes). May map a demand-zero page. `EFAULT` if the program may not use the
    /// page so.
    fn prepare(&mut self, page: usize, access: Access) -> Result<(), Errno>;
}

/// A range of user memory as a program named it: in the user half, not yet checked further.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserRange {
    addr: usize,
    len: usize,
}

impl UserRange {
    /// `addr..addr + len`, if it lies in the user range without wrapping (`EFAULT` otherwise).
    /// An empty range is always fine.
    pub fn new(addr: usize, len: usize) -> Result<UserRange, Errno> {
        if len == 0 {
            return Ok(UserRange { addr, len });
        }
        let end = addr.checked_add(len).ok_or(Errno::Fault)?;
        if addr < USER_BASE || end > USER_TOP {
            return Err(Errno::Fault);
        }
        Ok(UserRange { addr, len })
    }

    /// The first address.
    pub fn addr(&self) -> usize {
        self.addr
    }

    /// The length.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the range is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Prepares every page for `access`.
    pub fn check(&self, mem: &mut impl UserMemory, access: Access) -> Result<(), Errno> {
        if self.len == 0 {
            return Ok(());
        }
        let mut page = self.addr & !(PAGE_SIZE - 1);
        let last = (self.addr + self.len - 1) & !(PAGE_SIZE - 1);
        loop {
            mem.prepare(page, access)?;
            if page == last {
                return Ok(());
            }
            page += PAGE_SIZE;
        }
    }
}

/// Runs `f` with `sstatus.SUM` set.
fn with_sum<R>(f: impl FnOnce() -> R) -> R {
    // Safety: SUM only widens what S-mode may access to U pages, which the callers checked.
    unsafe { csr::set_sstatus(sstatus::SUM) };
    let r = f();
    // Safety: as above, narrowing back.
    unsafe { csr::clear_sstatus(sstatus::SUM) };
    r
}

/// Runs `f` on the user bytes `addr..addr + len`, checked for reading.
pub fn with_bytes<R>(
    mem: &mut impl UserMemory,
    addr: usize,
    len: usize,
    f: impl FnOnce(&[u8]) -> R,
) -> Result<R, Errno> {
    let range = UserRange::new(addr, len)?;
    range.check(mem, Access::Read)?;
    if len == 0 {
        return Ok(f(&[]));
    }
    Ok(with_sum(|| {
        // Safety: the range is mapped, readable user memory (checked just now), nothing else runs,
        // and the slice lives only for `f`.
        let bytes = unsafe { core::slice::from_raw_parts(addr as *const u8, len) };
        f(bytes)
    }))
}

/// Runs `f` on the user bytes `addr..addr + len`, checked for writing.
pub fn with_bytes_mut<R>(
    mem: &mut impl UserMemory,
    addr: usize,
    len: usize,
    f: impl FnOnce(&mut [u8]) -> R,
) -> Result<R, Errno> {
    let range = UserRange::new(addr, len)?;
    range.check(mem, Access::Write)?;
    if len == 0 {
        return Ok(f(&mut []));
    }
    Ok(with_sum(|| {
        // Safety: the range is mapped, writable user memory (checked just now), nothing else
        // runs, and the slice lives only for `f`.
        let bytes = unsafe { core::slice::from_raw_parts_mut(addr as *mut u8, len) };
        f(bytes)
    }))
}

/// Types any bit pattern of which is a valid value, so they can be copied in from user memory.
///
/// # Safety
/// Implement only for `Copy` types without padding-sensitive invariants, references or enums.
pub unsafe trait Plain: Copy {}

// Safety: integers and the abi's plain-old-data structures accept every bit pattern.
unsafe impl Plain for u8 {}
// Safety: as above.
unsafe impl Plain for i32 {}
// Safety: as above.
unsafe impl Plain for u32 {}
// Safety: as above.
unsafe impl Plain for u64 {}
// Safety: as above.
unsafe impl Plain for usize {}
// Safety: as above.
unsafe impl Plain for abi::types::Str {}
// Safety: as above.
unsafe impl Plain for abi::types::Stat {}
// Safety: as above.
unsafe impl Plain for abi::types::DirEntry {}
// Safety: as above.
unsafe impl Plain for abi::ipc::ImageInfo {}
// Safety: as above.
unsafe impl Plain for abi::signal::SigFrame {}
// Safety: an array of plain values is plain.
unsafe impl<T: Plain, const N: usize> Plain for [T; N] {}

/// Copies a `T` in from user memory (any alignment).
pub fn read<T: Plain>(mem: &mut impl UserMemory, addr: usize) -> Result<T, Errno> {
    with_bytes(mem, addr, size_of::<T>(), |b| {
        // Safety: `b` has size_of::<T>() bytes and `T` accepts any bit pattern.
        unsafe { (b.as_ptr() as *const T).read_unaligned() }
    })
}

/// Copies a `T` out to user memory (any alignment).
pub fn write<T: Plain>(mem: &mut impl UserMemory, addr: usize, value: &T) -> Result<(), Errno> {
    with_bytes_mut(mem, addr, size_of::<T>(), |b| {
        // Safety: `b` has size_of::<T>() writable bytes.
        unsafe { (b.as_mut_ptr() as *mut T).write_unaligned(*value) }
    })
}

/// Copies `len` bytes in from user memory into `out` (cleared first), refusing more than `max`
/// (`err` then).
pub fn read_vec(
    mem: &mut impl UserMemory,
    addr: usize,
    len: usize,
    max: usize,
    err: Errno,
    out: &mut alloc::vec::Vec<u8>,
) -> Result<(), Errno> {
    if len > max {
        return Err(err);
    }
    out.clear();
    with_bytes(mem, addr, len, |b| out.extend_from_slice(b))
}
