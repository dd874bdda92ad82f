//! The asynchronous IO ring's calls: the ring's region is the caller's own memory, checked
//! whole (mapped, writable) by `uaccess` at every call — the program may unmap it at any time —
//! and then reached in place while `services::files::ring` does the work. A region beyond
//! [`abi::ring::MAX_LEN`] is refused before it is checked. A `ring_enter` that must
//! wait parks the thread on `Wait::Ring` of the ring (its ready list, `services::files::ring`).

use kcore::uaccess;
use services::Wakes;
use services::files::ring::RingMemory;

use abi::Errno;

use crate::kernel::{Caller, Kernel};
use crate::syscall::Outcome;

/// The caller's ring region, checked once per call and then reached in place.
struct Region<'m>(&'m mut [u8]);

impl Region<'_> {
    /// Bytes `at..at + len` of the region (`EFAULT` outside it).
    fn range(&mut self, at: usize, len: usize) -> Result<&mut [u8], Errno> {
        let end = at.checked_add(len).ok_or(Errno::Fault)?;
        self.0.get_mut(at..end).ok_or(Errno::Fault)
    }
}

impl RingMemory for Region<'_> {
    fn load(&mut self, at: usize, dst: &mut [u8]) -> Result<(), Errno> {
        dst.copy_from_slice(self.range(at, dst.len())?);
        Ok(())
    }

    fn store(&mut self, at: usize, src: &[u8]) -> Result<(), Errno> {
        self.range(at, src.len())?.copy_from_slice(src);
        Ok(())
    }

    fn with<R>(&mut self, at: usize, len: usize, f: impl FnOnce(&[u8]) -> R) -> Result<R, Errno> {
        Ok(f(self.range(at, len)?))
    }

    fn fill<R>(
        &mut self,
        at: usize,
        len: usize,
        f: impl FnOnce(&mut [u8]) -> (R, usize),
    ) -> Result<R, Errno> {
        Ok(f(self.range(at, len)?).0)
    }
}

impl Kernel {
    /// `ring_setup(ring, len, entries)`.
    pub fn sys_ring_setup(
        &mut self,
        me: Caller,
        ring: usize,
        len: usize,
        entries: usize,
    ) -> Outcome {
        if len > abi::ring::MAX_LEN {
            return Err(Errno::Inval.into());
        }
        let fd = self.with_user(me.space, |mem, files, _| {
            uaccess::with_bytes_mut(mem, ring, len, |bytes| {
                files.ring_setup(me.pid, ring, len, entries, &mut Region(bytes))
            })
        })???;
        Ok(fd)
    }

    /// `ring_enter(fd, ring, len, to_submit, min_complete)`.
    pub fn sys_ring_enter(
        &mut self,
        me: Caller,
        fd: usize,
        (ring, len): (usize, usize),
        to_submit: usize,
        min_complete: usize,
    ) -> Outcome {
        if len > abi::ring::MAX_LEN {
            return Err(Errno::Inval.into());
        }
        let mut wakes = Wakes::new();
        let r = self.with_user(me.space, |mem, files, _| {
            uaccess::with_bytes_mut(mem, ring, len, |bytes| {
                files.ring_enter(
                    me.pid,
                    fd,
                    (ring, len),
                    to_submit,
                    min_complete,
                    &mut Region(bytes),
                    &mut wakes,
                )
            })
        })??;
        self.wake_all(&wakes);
        r
    }
}
