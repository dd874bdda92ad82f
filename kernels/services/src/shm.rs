//! Shared-memory objects between processes (`shm_open`, `shm_map`, `shm_close`, `shm_unlink`):
//! the policy both kernels share — names, sizes, who has which object open, and when an object
//! dies. The frames themselves are the kernel's business, carried here as an opaque backing `B`
//! that [`Shm::open`] asks the caller to make and that the calls hand back when it must be freed:
//! `mono` keeps the object's frame addresses (its kernel counts as one mapping of each frame),
//! `micro`'s memory server keeps nothing (object slot `i` lives at a fixed window of its own
//! address space, `abi::layout::server::SHM_HOLD`, whose mapping counts as that one).
//!
//! Rules (POSIX's `shm_open`/`shm_unlink`, simplified):
//! - A name is 1 to [`SHM_NAME_MAX`] bytes, its own namespace (not a path). The first open makes
//!   the object with `len` bytes rounded up to pages (at most [`SHM_MAX_BYTES`], zeroed); every
//!   later open must ask for the same number of pages (`EINVAL` otherwise).
//! - The handle an open returns is the object's slot (`0..SHM_OBJECTS`); it works only in a
//!   process that has the object open (`EBADF` elsewhere). Each open counts once until closed,
//!   and a process's exit closes all of its opens.
//! - `shm_unlink` removes the name; the object dies once it is unlinked and nobody has it open.
//!   Mappings outlive the object: its frames are freed page by page when their last mapping goes
//!   (the frame table's count), so an unmap, an exit and the object's death free each frame once.
//! - Out of slots is `ENOSPC` (the limit is this table's); out of frames is the backing's `ENOMEM`.
//!
//! Left out: permissions, `ftruncate`, `O_EXCL`, read-only mappings.

use abi::Errno;
use abi::types::limits::{SHM_MAX_BYTES, SHM_NAME_MAX, SHM_OBJECTS};
use alloc::vec::Vec;

use crate::Pid;

/// Bytes in a page of an object.
const PAGE: usize = abi::layout::PAGE_SIZE;

/// One object.
#[derive(Debug)]
struct Object<B> {
    /// Its name; `None` once unlinked.
    name: Option<Vec<u8>>,
    /// Its size in pages.
    pages: usize,
    /// Who has it open, how many times.
    opens: Vec<(Pid, usize)>,
    /// The kernel's frames (or what stands for them).
    backing: B,
}

impl<B> Object<B> {
    /// Whether nothing keeps it alive.
    fn dead(&self) -> bool {
        self.name.is_none() && self.opens.is_empty()
    }
}

/// The table of shared-memory objects, [`SHM_OBJECTS`] slots.
#[derive(Debug)]
pub struct Shm<B> {
    slots: Vec<Option<Object<B>>>,
}

impl<B> Default for Shm<B> {
    fn default() -> Self {
        Self::new()
    }
}

/// The pages an object of `len` bytes has: `EINVAL` for 0 or more than [`SHM_MAX_BYTES`].
pub fn pages_for(len: usize) -> Result<usize, Errno> {
    if len == 0 || len > SHM_MAX_BYTES {
        return Err(Errno::Inval);
    }
    Ok(len.div_ceil(PAGE))
}

/// Checks a name's length (1 to [`SHM_NAME_MAX`] bytes; `EINVAL` otherwise): what a kernel asks
/// before it copies the name from user memory.
pub fn name_len_ok(len: usize) -> Result<(), Errno> {
    if (1..=SHM_NAME_MAX).contains(&len) {
        Ok(())
    } else {
        Err(Errno::Inval)
    }
}

impl<B> Shm<B> {
    /// No objects.
    pub fn new() -> Shm<B> {
        Shm {
            slots: (0..SHM_OBJECTS).map(|_| None).collect(),
        }
    }

    /// `shm_open(name, len)` by process `pid` → the handle. A new object's backing is made by
    /// `make(slot, pages)` (its error, e.g. `ENOMEM`, is the call's; nothing changes then).
    pub fn open(
        &mut self,
        pid: Pid,
        name: &[u8],
        len: usize,
        make: impl FnOnce(usize, usize) -> Result<B, Errno>,
    ) -> Result<usize, Errno> {
        name_len_ok(name.len())?;
        let pages = pages_for(len)?;
        let found = self
            .slots
            .iter()
            .position(|s| s.as_ref().is_some_and(|o| o.name.as_deref() == Some(name)));
        let slot = match found {
            Some(slot) => {
                let o = self.slots[slot].as_mut().ok_or(Errno::Inval)?;
                if o.pages != pages {
                    return Err(Errno::Inval);
                }
                slot
            }
            None => {
                let slot = self
                    .slots
                    .iter()
                    .position(Option::is_none)
                    .ok_or(Errno::NoSpc)?;
                let backing = make(slot, pages)?;
                self.slots[slot] = Some(Object {
                    name: Some(name.to_vec()),
                    pages,
                    opens: Vec::new(),
                    backing,
                });
                slot
            }
        };
        let o = self.slots[slot].as_mut().ok_or(Errno::Inval)?;
        match o.opens.iter_mut().find(|(p, _)| *p == pid) {
            Some((_, n)) => *n += 1,
            None => o.opens.push((pid, 1)),
        }
        Ok(slot)
    }

    /// The object `pid` has open as `handle`: its pages and backing (`EBADF` if none).
    pub fn get(&self, pid: Pid, handle: usize) -> Result<(usize, &B), Errno> {
        let o = self
            .slots
            .get(handle)
            .and_then(Option::as_ref)
            .filter(|o| o.opens.iter().any(|(p, _)| *p == pid))
            .ok_or(Errno::BadF)?;
        Ok((o.pages, &o.backing))
    }

    /// `shm_close(handle)` by `pid`: drops one of its opens; the backing of an object that died
    /// (slot and backing), for the kernel to let go of. `EBADF` if `pid` has no such open.
    pub fn close(&mut self, pid: Pid, handle: usize) -> Result<Option<(usize, B)>, Errno> {
        self.get(pid, handle)?;
        let o = self.slots[handle].as_mut().ok_or(Errno::BadF)?;
        if let Some(at) = o.opens.iter().position(|(p, _)| *p == pid) {
            o.opens[at].1 -= 1;
            if o.opens[at].1 == 0 {
                o.opens.swap_remove(at);
            }
        }
        Ok(self.reap(handle))
    }

    /// `shm_unlink(name)`: the name goes; the backing if the object died with it. `ENOENT` if
    /// no object has the name, `EINVAL` for a bad name.
    pub fn unlink(&mut self, name: &[u8]) -> Result<Option<(usize, B)>, Errno> {
        name_len_ok(name.len())?;
        let slot = self
            .slots
            .iter()
            .position(|s| s.as_ref().is_some_and(|o| o.name.as_deref() == Some(name)))
            .ok_or(Errno::NoEnt)?;
        if let Some(o) = self.slots[slot].as_mut() {
            o.name = None;
        }
        Ok(self.reap(slot))
    }

    /// A process ended: all its opens close; the backings of the objects that died.
    pub fn exit_process(&mut self, pid: Pid) -> Vec<(usize, B)> {
        let mut dead = Vec::new();
        for slot in 0..self.slots.len() {
            if let Some(o) = self.slots[slot].as_mut() {
                o.opens.retain(|(p, _)| *p != pid);
            }
            dead.extend(self.reap(slot));
        }
        dead
    }

    /// Empties `slot` if its object is dead, handing back its backing.
    fn reap(&mut self, slot: usize) -> Option<(usize, B)> {
        if self.slots.get(slot)?.as_ref()?.dead() {
            return self.slots[slot].take().map(|o| (slot, o.backing));
        }
        None
    }

    /// Objects alive.
    pub fn count(&self) -> usize {
        self.slots.iter().flatten().count()
    }
}

#[cfg(test)]
mod tests;
