//! A client's leases (`abi::ipc::Lease`): the memory a request lends us until we reply. The
//! kernel checked every leased page (mapped or faulted in, with the access granted) before the
//! request reached us, so a copy fails only if the caller is gone — killed while we worked —
//! which is [`Fail::Gone`]: the request is dropped without a reply.
//!
//! [`Pod`] marks the structures copied whole, so a lease is read straight into a typed value.

use abi::Errno;
use abi::ipc::{Badge, ImageInfo, kcall};
use abi::types::{DirEntry, PATH_MAX, Stat, Str};

use crate::serve::Fail;

/// Plain data: every byte pattern is a valid value, and there is no padding.
///
/// # Safety
/// Implement only for types that are `#[repr(C)]` (or primitive) without implicit padding and
/// whose fields accept any bits.
pub unsafe trait Pod: Copy + Default {}

// Safety: two `u64`.
unsafe impl Pod for Str {}
// Safety: `u64`s only.
unsafe impl Pod for ImageInfo {}
// Safety: `u32, u32, u64, u64`: no padding.
unsafe impl Pod for Stat {}
// Safety: `u64, u32, u32, [u8; 56]`: 72 bytes, no padding.
unsafe impl Pod for DirEntry {}
// Safety: a primitive.
unsafe impl Pod for i32 {}
// Safety: arrays of plain data are plain data.
unsafe impl<T: Pod, const N: usize> Pod for [T; N] where [T; N]: Default {}

/// The bytes of `values`.
pub fn bytes<T: Pod>(values: &[T]) -> &[u8] {
    // Safety: `T: Pod` has no padding, so every byte of the slice is initialised.
    unsafe { core::slice::from_raw_parts(values.as_ptr().cast(), size_of_val(values)) }
}

/// The bytes of `values`, to overwrite.
pub fn bytes_mut<T: Pod>(values: &mut [T]) -> &mut [u8] {
    // Safety: as in `bytes`, and any bytes written make valid `T`s (`Pod`).
    unsafe { core::slice::from_raw_parts_mut(values.as_mut_ptr().cast(), size_of_val(values)) }
}

/// A lease call's result: bytes, `ESRCH` as [`Fail::Gone`], another `-errno` as itself.
fn decode(ret: isize) -> Result<usize, Fail> {
    match Errno::check(ret) {
        Ok(n) => Ok(n),
        Err(Errno::Srch) => Err(Fail::Gone),
        Err(e) => Err(e.into()),
    }
}

/// `LEASE_INFO`: lease `index`'s length and access bits.
pub fn info(badge: Badge, index: usize) -> Result<(usize, u64), Fail> {
    // Safety: no memory of ours is passed.
    let (len, access) =
        unsafe { ucall::kcall2(kcall::LEASE_INFO, [badge.0 as usize, index, 0, 0, 0]) };
    Ok((decode(len)?, access as u64))
}

/// `LEASE_READ`: copies lease `index` from `offset` into `dst`; the count copied.
pub fn read(badge: Badge, index: usize, offset: usize, dst: &mut [u8]) -> Result<usize, Fail> {
    if dst.is_empty() {
        return Ok(0);
    }
    // Safety: the kernel writes at most `dst.len()` bytes at `dst`, which we borrow exclusively.
    decode(unsafe {
        ucall::syscall::<5>(
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

/// `LEASE_WRITE`: copies `src` into lease `index` at `offset`; the count copied.
pub fn write(badge: Badge, index: usize, offset: usize, src: &[u8]) -> Result<usize, Fail> {
    if src.is_empty() {
        return Ok(0);
    }
    // Safety: the kernel reads `src.len()` bytes at `src`, which we borrow.
    decode(unsafe {
        ucall::syscall::<5>(
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

/// Fills `dst` from the start of lease `index`; `EFAULT` if the lease is shorter.
pub fn read_exact(badge: Badge, index: usize, dst: &mut [u8]) -> Result<(), Fail> {
    if read(badge, index, 0, dst)? < dst.len() {
        return Err(Errno::Fault.into());
    }
    Ok(())
}

/// Writes all of `src` at the start of lease `index`; `EFAULT` if the lease is shorter.
pub fn write_all(badge: Badge, index: usize, src: &[u8]) -> Result<(), Fail> {
    if write(badge, index, 0, src)? < src.len() {
        return Err(Errno::Fault.into());
    }
    Ok(())
}

/// A `T` read from the start of lease `index`.
pub fn read_value<T: Pod>(badge: Badge, index: usize) -> Result<T, Fail> {
    let mut value = T::default();
    read_exact(badge, index, bytes_mut(core::slice::from_mut(&mut value)))?;
    Ok(value)
}

/// `value` written at the start of lease `index`.
pub fn write_value<T: Pod>(badge: Badge, index: usize, value: &T) -> Result<(), Fail> {
    write_all(badge, index, bytes(core::slice::from_ref(value)))
}

/// A path copied out of a lease: at most [`PATH_MAX`] bytes, kept on the stack.
#[derive(Clone, Copy, Debug)]
pub struct Path {
    bytes: [u8; PATH_MAX],
    len: usize,
}

impl Path {
    /// The path's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// The path of `len` bytes in lease `index`: `ENAMETOOLONG` beyond [`PATH_MAX`], checked before
/// the lease is touched (as `mono`'s `read_path`; the kernel leases nothing for such a path).
pub fn path(badge: Badge, index: usize, len: usize) -> Result<Path, Fail> {
    if len > PATH_MAX {
        return Err(Errno::NameTooLong.into());
    }
    let mut p = Path {
        bytes: [0; PATH_MAX],
        len,
    };
    read_exact(badge, index, &mut p.bytes[..len])?;
    Ok(p)
}
