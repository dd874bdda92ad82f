//! The asynchronous IO ring's calls: the ring's region is the caller's own memory, which this
//! kernel reaches in place through `uaccess` (every access checked: the program may unmap the
//! region at any time), and `services::files::ring` does the work. A `ring_enter` that must
//! wait parks the thread on `Wait::Polled` like `poll`.

use kcore::uaccess::{self, UserMemory};
use services::Wakes;
use services::files::ring::RingMemory;

use abi::Errno;

use crate::kernel::{Caller, Kernel};
use crate::syscall::Outcome;

/// The caller's ring region at user address `base`, reached in place.
struct Region<'m, M> {
    mem: &'m mut M,
    base: usize,
}

impl<M: UserMemory> Region<'_, M> {
    /// The user address of offset `at`.
    fn addr(&self, at: usize) -> Result<usize, Errno> {
        self.base.checked_add(at).ok_or(Errno::Fault)
    }
}

impl<M: UserMemory> RingMemory for Region<'_, M> {
    fn load(&mut self, at: usize, dst: &mut [u8]) -> Result<(), Errno> {
        let addr = self.addr(at)?;
        uaccess::with_bytes(self.mem, addr, dst.len(), |b| dst.copy_from_slice(b))
    }

    fn store(&mut self, at: usize, src: &[u8]) -> Result<(), Errno> {
        let addr = self.addr(at)?;
        uaccess::with_bytes_mut(self.mem, addr, src.len(), |b| b.copy_from_slice(src))
    }

    fn with<R>(&mut self, at: usize, len: usize, f: impl FnOnce(&[u8]) -> R) -> Result<R, Errno> {
        let addr = self.addr(at)?;
        uaccess::with_bytes(self.mem, addr, len, f)
    }

    fn fill<R>(
        &mut self,
        at: usize,
        len: usize,
        f: impl FnOnce(&mut [u8]) -> (R, usize),
    ) -> Result<R, Errno> {
        let addr = self.addr(at)?;
        uaccess::with_bytes_mut(self.mem, addr, len, |b| f(b).0)
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
        let fd = self.with_user(me.space, |mem, files, _| {
            let mut region = Region { mem, base: ring };
            files.ring_setup(me.pid, ring, len, entries, &mut region)
        })??;
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
        let mut wakes = Wakes::new();
        let r = self.with_user(me.space, |mem, files, _| {
            let mut region = Region { mem, base: ring };
            files.ring_enter(
                me.pid,
                fd,
                (ring, len),
                to_submit,
                min_complete,
                &mut region,
                &mut wakes,
            )
        })?;
        self.wake_all(&wakes);
        r
    }
}
