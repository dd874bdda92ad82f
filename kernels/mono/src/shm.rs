//! Shared memory between processes (`shm_open`, `shm_map`, `shm_close`, `shm_unlink`): the policy
//! is `services::shm`'s and `services::mm`'s, the frames are the kernel's. An object's frames are
//! allocated once, at its first open, and the object table counts as one mapping of each
//! (`FrameAllocator::note_map`); `shm_map` maps them eagerly into a new region of the caller with
//! `AddressSpace::map_shared` (one more mapping each). `munmap`, exit and the object's death each
//! drop their own mappings with `unmap_and_free`, so a frame is freed once, by whoever lets go
//! last.

use abi::Errno;
use abi::layout::PAGE_SIZE;
use abi::types::prot;
use alloc::vec::Vec;
use kcore::frame::FrameAllocator;
use kcore::uaccess;
use services::Pid;
use services::shm;

use crate::kernel::{Caller, Kernel};
use crate::syscall::Outcome;

/// `pages` fresh zeroed frames held by the object table (one mapping each), or none and
/// `ENOMEM`.
fn hold(frames: &mut FrameAllocator, pages: usize) -> Result<Vec<usize>, Errno> {
    let mut held = Vec::new();
    held.try_reserve_exact(pages).map_err(|_| Errno::NoMem)?;
    for _ in 0..pages {
        let Some(pa) = frames.alloc() else {
            release(frames, held);
            return Err(Errno::NoMem);
        };
        frames.note_map(pa);
        held.push(pa);
    }
    Ok(held)
}

/// The object table lets go of `held`: each frame is freed unless a process still maps it.
fn release(frames: &mut FrameAllocator, held: Vec<usize>) {
    for pa in held {
        frames.unmap_and_free(pa);
    }
}

impl Kernel {
    /// The name at `ptr` (`EINVAL` for a bad length, before memory is looked at).
    fn shm_name(&mut self, me: Caller, ptr: usize, len: usize) -> Result<Vec<u8>, Errno> {
        shm::name_len_ok(len)?;
        self.with_user(me.space, |mem, _, _| {
            uaccess::with_bytes(mem, ptr, len, |b| b.to_vec())
        })?
    }

    /// `shm_open(name, name_len, len)` → a handle.
    pub fn sys_shm_open(
        &mut self,
        me: Caller,
        name: usize,
        name_len: usize,
        len: usize,
    ) -> Outcome {
        shm::pages_for(len)?;
        let name = self.shm_name(me, name, name_len)?;
        let frames = &mut self.frames;
        Ok(self
            .shm
            .open(me.pid, &name, len, |_, pages| hold(frames, pages))?)
    }

    /// `shm_map(handle)` → where the object's pages are now mapped in the caller.
    pub fn sys_shm_map(&mut self, me: Caller, handle: usize) -> Outcome {
        let (pages, held) = self.shm.get(me.pid, handle)?;
        let p = self.processes.get_mut(me.space).ok_or(Errno::Srch)?;
        let addr = p.vm.map_shared(pages)?;
        let flags = kcore::vm::prot_flags(prot::READ | prot::WRITE);
        for (i, &pa) in held.iter().enumerate() {
            let va = addr + i * PAGE_SIZE;
            if let Err(e) = p.space.map_shared(&mut self.frames, va, pa, flags) {
                p.space
                    .release_range(&mut self.frames, &self.asids, addr..va);
                p.vm.munmap(addr, pages * PAGE_SIZE)?;
                return Err(e.into());
            }
            p.space.fence(va, &self.asids);
        }
        Ok(addr)
    }

    /// `shm_close(handle)`.
    pub fn sys_shm_close(&mut self, me: Caller, handle: usize) -> Outcome {
        if let Some((_, held)) = self.shm.close(me.pid, handle)? {
            release(&mut self.frames, held);
        }
        Ok(0)
    }

    /// `shm_unlink(name, name_len)`.
    pub fn sys_shm_unlink(&mut self, me: Caller, name: usize, name_len: usize) -> Outcome {
        let name = self.shm_name(me, name, name_len)?;
        if let Some((_, held)) = self.shm.unlink(&name)? {
            release(&mut self.frames, held);
        }
        Ok(0)
    }

    /// Process `pid` ended (its address space is gone already): its opens close.
    pub fn shm_exit(&mut self, pid: Pid) {
        for (_, held) in self.shm.exit_process(pid) {
            release(&mut self.frames, held);
        }
    }
}
