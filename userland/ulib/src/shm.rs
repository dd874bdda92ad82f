//! Shared memory between processes: the `shm_*` calls as safe functions, and [`Shared`], an
//! object opened and mapped in one step and unmapped and closed on drop. Two processes that open
//! the same name see the same frames (at addresses of their own choosing), so a
//! [`crate::futex::Mutex`] or [`crate::futex::Semaphore`] placed in it works between them: the
//! kernels key futex waiters by frame.
//!
//! Left out: read-only mappings, resizing.

use abi::Errno;
use abi::layout::PAGE_SIZE;

use crate::{raw, sys};

/// `shm_open`: a handle of the object called `name`, made with `len` bytes (zeroed) if new.
pub fn open(name: &str, len: usize) -> Result<usize, Errno> {
    // Safety: `name` is readable for its length; the kernel only reads it.
    Errno::check(unsafe { raw::shm_open(name.as_ptr() as usize, name.len(), len) })
}

/// `shm_map`: the address where the object of `handle` is now mapped read-write.
pub fn map(handle: usize) -> Result<usize, Errno> {
    // Safety: the kernel picks a free place; nothing of ours is touched.
    Errno::check(unsafe { raw::shm_map(handle) })
}

/// `shm_close`: drops this process's open of `handle` (its mappings stay).
pub fn close(handle: usize) -> Result<(), Errno> {
    // Safety: no pointers.
    Errno::check(unsafe { raw::shm_close(handle) }).map(drop)
}

/// `shm_unlink`: removes the name; the object lives on while open or mapped.
pub fn unlink(name: &str) -> Result<(), Errno> {
    // Safety: `name` is readable for its length; the kernel only reads it.
    Errno::check(unsafe { raw::shm_unlink(name.as_ptr() as usize, name.len()) }).map(drop)
}

/// An object opened and mapped: dropping it unmaps and closes it (the name stays: see
/// [`unlink`]).
pub struct Shared {
    handle: usize,
    addr: usize,
    len: usize,
}

impl Shared {
    /// Opens (making it if new) and maps the object called `name` of `len` bytes.
    pub fn open(name: &str, len: usize) -> Result<Shared, Errno> {
        let handle = open(name, len)?;
        match map(handle) {
            Ok(addr) => Ok(Shared {
                handle,
                addr,
                len: len.next_multiple_of(PAGE_SIZE),
            }),
            Err(e) => {
                let _ = close(handle);
                Err(e)
            }
        }
    }

    /// The handle `shm_open` gave.
    pub fn handle(&self) -> usize {
        self.handle
    }

    /// Where the object is mapped here.
    pub fn addr(&self) -> usize {
        self.addr
    }

    /// Its length in bytes (whole pages).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Never: an object has at least one page.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The `T` at byte `offset`, shared with every process that maps the object: `T` must be
    /// made only of atomics (or other types any bit pattern of which is valid and that are
    /// safe to change under another process's feet), as [`crate::futex::Mutex`] is.
    ///
    /// # Safety
    /// `offset` is aligned for `T`, `T` fits before the end, and every bit pattern (zero in a
    /// fresh object) is a valid `T` that others may change concurrently.
    pub unsafe fn at<T: Sync>(&self, offset: usize) -> &T {
        assert!(offset + size_of::<T>() <= self.len);
        // Safety: mapped read-write while `self` lives; the rest is the caller's promise.
        unsafe { &*((self.addr + offset) as *const T) }
    }

    /// The bytes from `offset` for `len`, as a raw pointer (for copies in and out).
    pub fn ptr(&self, offset: usize, len: usize) -> *mut u8 {
        assert!(offset + len <= self.len);
        (self.addr + offset) as *mut u8
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // Safety: the mapping is ours, and nothing borrowed from `self` outlives it.
        let _ = unsafe { sys::munmap(self.addr, self.len) };
        let _ = close(self.handle);
    }
}
