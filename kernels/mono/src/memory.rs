//! Memory system calls (`brk`, `mmap`, `munmap`) and the kernel's view of user memory for
//! checked copies ([`UserSpace`], kcore's `UserMemory`): a page the program may use but has not
//! touched yet is faulted in on the kernel's behalf, so a system call on a fresh buffer works.

use abi::Errno;
use kcore::frame::FrameAllocator;
use kcore::sched::SpaceId;
use kcore::uaccess::{Access, UserMemory};
use kcore::vm::AddressSpace;
use services::mm::Vm;

use crate::kernel::Kernel;
use crate::process::mm_access;

/// The current process's memory, as system calls see it.
pub struct UserSpace<'a> {
    /// Page tables.
    pub space: &'a mut AddressSpace,
    /// Policy.
    pub vm: &'a Vm,
    /// Frames for demand-zero pages.
    pub frames: &'a mut FrameAllocator,
    /// For fences.
    pub asids: &'a kcore::asid::Asids,
}

impl UserMemory for UserSpace<'_> {
    fn prepare(&mut self, page: usize, access: Access) -> Result<(), Errno> {
        if let Some((_, flags)) = self.space.lookup(page) {
            return if kcore::vm::user_allows(flags, access) {
                Ok(())
            } else {
                Err(Errno::Fault)
            };
        }
        self.fault_in(page, access)
    }
}

impl UserSpace<'_> {
    /// Maps a fresh zeroed frame at the unmapped `page` if the memory policy allows `access`
    /// there (`EFAULT` if not, `ENOMEM` without frames).
    pub fn fault_in(&mut self, page: usize, access: Access) -> Result<(), Errno> {
        let perms = self.vm.fault(page, mm_access(access)).ok_or(Errno::Fault)?;
        let frame = self.frames.alloc().ok_or(Errno::NoMem)?;
        if let Err(e) = self.space.map(
            self.frames,
            page,
            frame,
            kcore::vm::prot_flags(perms.prot()),
        ) {
            // Safety: the frame was never mapped.
            unsafe { self.frames.free(frame) };
            return Err(e);
        }
        self.space.fence(page, self.asids);
        Ok(())
    }
}

impl Kernel {
    /// Runs `f` with the memory of the process of address space `space` and the rest of the
    /// kernel's state borrowed apart.
    pub fn with_user<R>(
        &mut self,
        space: SpaceId,
        f: impl FnOnce(
            &mut UserSpace<'_>,
            &mut services::files::Files<'static>,
            &mut services::tty::Tty,
        ) -> R,
    ) -> Result<R, Errno> {
        let p = self.processes.get_mut(space).ok_or(Errno::Srch)?;
        let mut mem = UserSpace {
            space: &mut p.space,
            vm: &p.vm,
            frames: &mut self.frames,
            asids: &self.asids,
        };
        Ok(f(&mut mem, &mut self.files, &mut self.tty))
    }

    /// Unmaps and frees the pages of `range` in `space` (those that were faulted in).
    fn release(&mut self, space: SpaceId, range: core::ops::Range<usize>) {
        let Some(p) = self.processes.get_mut(space) else {
            return;
        };
        p.space.release_range(&mut self.frames, &self.asids, range);
    }

    /// `brk(end)`.
    pub fn brk(&mut self, space: SpaceId, end: usize) -> Result<usize, Errno> {
        let p = self.processes.get_mut(space).ok_or(Errno::Srch)?;
        let (now, freed) = p.vm.set_brk(end)?;
        if let Some(r) = freed {
            self.release(space, r);
        }
        Ok(now)
    }

    /// `mmap(len, prot)`.
    pub fn mmap(&mut self, space: SpaceId, len: usize, prot: usize) -> Result<usize, Errno> {
        let p = self.processes.get_mut(space).ok_or(Errno::Srch)?;
        p.vm.mmap(len, prot)
    }

    /// `munmap(addr, len)`.
    pub fn munmap(&mut self, space: SpaceId, addr: usize, len: usize) -> Result<usize, Errno> {
        let p = self.processes.get_mut(space).ok_or(Errno::Srch)?;
        let ranges = p.vm.munmap(addr, len)?;
        for r in ranges {
            self.release(space, r);
        }
        Ok(0)
    }
}
