//! The asynchronous IO ring ([`abi::ring`]) from the program's side: [`Ring::new`] maps a
//! region (header, queues and a data area for the buffers) and sets the ring up; [`Ring::push`]
//! queues a submission, [`Ring::enter`] submits what is queued and waits for completions in one
//! call, [`Ring::pop`] takes a completion.
//!
//! The kernel (or `micro`'s fs server) writes the region only inside `ring_enter` on this
//! thread's behalf, so volatile accesses are all the ordering needed; a ring is used by one
//! thread at a time.

use abi::Errno;
use abi::ring::{self, Cqe, Sqe};
use abi::types::prot;

use crate::{raw, sys};

/// A ring and its region.
#[derive(Debug)]
pub struct Ring {
    fd: usize,
    base: usize,
    len: usize,
    entries: usize,
    sq_tail: u32,
    cq_head: u32,
}

impl Ring {
    /// A ring of `entries` slots per queue (a power of two up to [`ring::MAX_ENTRIES`]) with
    /// `data` bytes of buffer space.
    pub fn new(entries: usize, data: usize) -> Result<Ring, Errno> {
        let len = ring::data_start(entries)
            .checked_add(data)
            .ok_or(Errno::Inval)?;
        let base = sys::mmap(len, prot::READ | prot::WRITE)?;
        // Safety: the region is ours, mapped just now, and the kernel checks it anyway.
        match Errno::check(unsafe { raw::ring_setup(base, len, entries) }) {
            Ok(fd) => Ok(Ring {
                fd,
                base,
                len,
                entries,
                sq_tail: 0,
                cq_head: 0,
            }),
            Err(e) => {
                // Safety: nothing refers to the region.
                let _ = unsafe { sys::munmap(base, len) };
                Err(e)
            }
        }
    }

    /// The ring's fd.
    pub fn fd(&self) -> usize {
        self.fd
    }

    /// The region's address and length (as `ring_enter` takes them).
    pub fn region(&self) -> (usize, usize) {
        (self.base, self.len)
    }

    /// The user address of byte `offset` of the data area (where buffers go).
    pub fn data_addr(&self, offset: usize) -> usize {
        self.base + ring::data_start(self.entries) + offset
    }

    /// The data area's bytes `offset..offset + len` (clamped to the region).
    pub fn data(&mut self, offset: usize, len: usize) -> &mut [u8] {
        let start = (ring::data_start(self.entries) + offset).min(self.len);
        let len = len.min(self.len - start);
        // Safety: inside our mapped region; the kernel writes it only inside `ring_enter`,
        // which cannot run while this borrow of `self` lives.
        unsafe { core::slice::from_raw_parts_mut((self.base + start) as *mut u8, len) }
    }

    fn word(&self, at: usize) -> u32 {
        // Safety: the header is inside our region, aligned to 4.
        unsafe { core::ptr::read_volatile((self.base + at) as *const u32) }
    }

    fn set_word(&mut self, at: usize, v: u32) {
        // Safety: as in `word`.
        unsafe { core::ptr::write_volatile((self.base + at) as *mut u32, v) }
    }

    /// SQ entries queued and not consumed by the kernel yet.
    pub fn queued(&self) -> usize {
        self.sq_tail.wrapping_sub(self.word(ring::SQ_HEAD)) as usize
    }

    /// Queues `sqe`; `EAGAIN` if the SQ is full (the kernel has not consumed enough).
    pub fn push(&mut self, sqe: Sqe) -> Result<(), Errno> {
        if self.queued() >= self.entries {
            return Err(Errno::Again);
        }
        let at = self.base + ring::sq_slot(self.entries, self.sq_tail as usize);
        for (i, b) in sqe.encode().iter().enumerate() {
            // Safety: the slot is inside our region.
            unsafe { core::ptr::write_volatile((at + i) as *mut u8, *b) };
        }
        self.sq_tail = self.sq_tail.wrapping_add(1);
        self.set_word(ring::SQ_TAIL, self.sq_tail);
        Ok(())
    }

    /// `ring_enter`: submits up to `to_submit` queued entries and waits until `min_complete`
    /// completions wait (see [`abi::Sys::RingEnter`]); how many wait.
    pub fn enter(&mut self, to_submit: usize, min_complete: usize) -> Result<usize, Errno> {
        // Safety: the region is ours; the kernel checks it.
        Errno::check(unsafe {
            raw::ring_enter(self.fd, self.base, self.len, to_submit, min_complete)
        })
    }

    /// Submits everything queued and waits for `min_complete` completions.
    pub fn submit_and_wait(&mut self, min_complete: usize) -> Result<usize, Errno> {
        self.enter(self.queued(), min_complete)
    }

    /// The oldest completion, if one waits.
    pub fn pop(&mut self) -> Option<Cqe> {
        if self.word(ring::CQ_TAIL) == self.cq_head {
            return None;
        }
        let at = self.base + ring::cq_slot(self.entries, self.cq_head as usize);
        let mut b = [0u8; Cqe::SIZE];
        for (i, v) in b.iter_mut().enumerate() {
            // Safety: the slot is inside our region.
            *v = unsafe { core::ptr::read_volatile((at + i) as *const u8) };
        }
        self.cq_head = self.cq_head.wrapping_add(1);
        self.set_word(ring::CQ_HEAD, self.cq_head);
        Some(Cqe::decode(&b))
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        let _ = sys::close(self.fd);
        // Safety: the ring is gone, and nothing else refers to the region.
        let _ = unsafe { sys::munmap(self.base, self.len) };
    }
}
