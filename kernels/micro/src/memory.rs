//! Memory as the kernel handles it: pages of a space looked up for checked copies between
//! spaces (leases, `space_read`), the servers' demand-zero stack and the heap pages they ask for
//! (`heap_grow`; servers are not paged by the memory server, which is one of them), and the page
//! operations the memory server asks for (map a fresh page, unmap, grant).
//!
//! Copies go frame to frame through the kernel's 1:1 map of RAM, so neither space needs to be
//! the current one.

use abi::Errno;
use abi::layout::{PAGE_SIZE, STACK_BASE, STACK_TOP, USER_BASE, USER_TOP, server};
use abi::types::prot;
use kcore::trap::Access;
use kcore::vm::{PteFlags, prot_flags};

use crate::kernel::{Kernel, SpaceId};

/// A user page.
fn user_page(page: usize) -> Result<usize, Errno> {
    if !page.is_multiple_of(PAGE_SIZE) || !(USER_BASE..USER_TOP).contains(&page) {
        return Err(Errno::Inval);
    }
    Ok(page)
}

impl Kernel {
    /// Whether `page` of server space `sid` is one the kernel maps on first touch: its stack
    /// (its heap grows only through [`Kernel::heap_grow`]).
    fn server_demand_page(&self, sid: SpaceId, page: usize) -> bool {
        self.spaces.get(&sid).is_some_and(|s| s.server.is_some())
            && (STACK_BASE..STACK_TOP).contains(&page)
    }

    /// `HEAP_GROW`: maps fresh zeroed read-write pages at `start..end` of server space `sid`'s
    /// heap, all or none: on the first page that cannot be mapped (`ENOMEM`, or `EEXIST` for a
    /// page the server mapped already) the pages this call mapped are released again.
    pub fn heap_grow(&mut self, sid: SpaceId, start: usize, end: usize) -> Result<(), Errno> {
        // Only servers reach here (`syscall`: server-only calls).
        if !start.is_multiple_of(PAGE_SIZE)
            || !end.is_multiple_of(PAGE_SIZE)
            || start > end
            || start < server::HEAP_BASE
            || end > server::HEAP_END
        {
            return Err(Errno::Inval);
        }
        let mut page = start;
        while page < end {
            if let Err(e) = self.map_new(sid, page, prot::READ | prot::WRITE) {
                self.unmap(sid, start, page)?;
                return Err(e);
            }
            page += PAGE_SIZE;
        }
        Ok(())
    }

    /// A server touched an unmapped page: a fresh zeroed one if it is its stack.
    pub fn server_fault_in(&mut self, sid: SpaceId, page: usize) -> Result<(), Errno> {
        if !self.server_demand_page(sid, page) {
            return Err(Errno::Fault);
        }
        self.map_new(sid, page, prot::READ | prot::WRITE)
    }

    /// The physical address of user address `va` of `sid`, mapped for `access` (a server's
    /// stack or heap page is mapped first if it is not yet).
    pub fn phys(&mut self, sid: SpaceId, va: usize, access: Access) -> Result<usize, Errno> {
        if !(USER_BASE..USER_TOP).contains(&va) {
            return Err(Errno::Fault);
        }
        let page = va & !(PAGE_SIZE - 1);
        let space = self.spaces.get_mut(&sid).ok_or(Errno::Srch)?;
        let found = space.vm.lookup(page);
        let (frame, flags) = match found {
            Some(f) => f,
            None => {
                self.server_fault_in(sid, page)?;
                let space = self.spaces.get_mut(&sid).ok_or(Errno::Srch)?;
                space.vm.lookup(page).ok_or(Errno::Fault)?
            }
        };
        if !kcore::vm::user_allows(flags, access) {
            return Err(Errno::Fault);
        }
        Ok(frame + (va - page))
    }

    /// Copies `len` bytes from `src` in space `from` to `dst` in space `to`, both checked (the
    /// source readable, the destination writable).
    pub fn copy(
        &mut self,
        from: SpaceId,
        src: usize,
        to: SpaceId,
        dst: usize,
        len: usize,
    ) -> Result<(), Errno> {
        src.checked_add(len).ok_or(Errno::Fault)?;
        dst.checked_add(len).ok_or(Errno::Fault)?;
        let mut done = 0;
        while done < len {
            let s = self.phys(from, src + done, Access::Read)?;
            let d = self.phys(to, dst + done, Access::Write)?;
            let n = (PAGE_SIZE - (s % PAGE_SIZE))
                .min(PAGE_SIZE - (d % PAGE_SIZE))
                .min(len - done);
            // The same `memcpy` mono's user copies use (a frame mapped in both spaces, the only
            // way the ranges can overlap, takes `memmove`).
            if s + n <= d || d + n <= s {
                // Safety: `s..s + n` and `d..d + n` lie inside frames mapped (checked just now)
                // in the two spaces, RAM is mapped 1:1 in the kernel, and they do not overlap.
                unsafe { core::ptr::copy_nonoverlapping(s as *const u8, d as *mut u8, n) };
            } else {
                // Safety: as above; `copy` allows the overlap.
                unsafe { core::ptr::copy(s as *const u8, d as *mut u8, n) };
            }
            done += n;
        }
        Ok(())
    }

    /// Maps a fresh zeroed frame at `page` of `sid` with `bits` ([`prot`]).
    pub fn map_new(&mut self, sid: SpaceId, page: usize, bits: usize) -> Result<(), Errno> {
        let page = user_page(page)?;
        let space = self.spaces.get_mut(&sid).ok_or(Errno::Srch)?;
        let frame = self.frames.alloc().ok_or(Errno::NoMem)?;
        if let Err(e) = space
            .vm
            .map(&mut self.frames, page, frame, prot_flags(bits))
        {
            // Safety: the frame was never mapped.
            unsafe { self.frames.free(frame) };
            return Err(e);
        }
        space.vm.fence(page, &self.asids);
        Ok(())
    }

    /// Unmaps and frees the pages of `sid` in `start..end` (page-aligned, in user memory; pages
    /// never mapped are skipped).
    pub fn unmap(&mut self, sid: SpaceId, start: usize, end: usize) -> Result<(), Errno> {
        if !start.is_multiple_of(PAGE_SIZE)
            || !end.is_multiple_of(PAGE_SIZE)
            || start < USER_BASE
            || end > USER_TOP
            || start > end
        {
            return Err(Errno::Inval);
        }
        let space = self.spaces.get_mut(&sid).ok_or(Errno::Srch)?;
        space
            .vm
            .release_range(&mut self.frames, &self.asids, start..end);
        Ok(())
    }

    /// Moves the frame at `page` of `from` to `dst` of `to` with `bits`.
    pub fn grant(
        &mut self,
        from: SpaceId,
        page: usize,
        to: SpaceId,
        dst: usize,
        bits: usize,
    ) -> Result<(), Errno> {
        let (page, dst) = (user_page(page)?, user_page(dst)?);
        if !self.spaces.contains_key(&to) {
            return Err(Errno::Srch);
        }
        if self
            .spaces
            .get_mut(&to)
            .and_then(|s| s.vm.lookup(dst))
            .is_some()
        {
            return Err(Errno::Exist);
        }
        let src = self.spaces.get_mut(&from).ok_or(Errno::Srch)?;
        let frame = src.vm.unmap(&mut self.frames, page).ok_or(Errno::Fault)?;
        src.vm.fence(page, &self.asids);
        let target = self.spaces.get_mut(&to).ok_or(Errno::Srch)?;
        if let Err(e) = target
            .vm
            .map(&mut self.frames, dst, frame, prot_flags(bits))
        {
            // Safety: the frame was unmapped from `from` and never mapped in `to`.
            unsafe { self.frames.free(frame) };
            return Err(e);
        }
        target.vm.fence(dst, &self.asids);
        Ok(())
    }

    /// Maps the physical range `phys` (not from the frame pool: a device or the initrd) at `va`
    /// of `sid` with `flags`, remembering it so it is never freed as a frame.
    pub fn map_foreign(
        &mut self,
        sid: SpaceId,
        va: usize,
        phys: core::ops::Range<usize>,
        flags: PteFlags,
    ) -> Result<(), Errno> {
        let start = phys.start & !(PAGE_SIZE - 1);
        let pages = (phys.end - start).div_ceil(PAGE_SIZE);
        let space = self.spaces.get_mut(&sid).ok_or(Errno::Srch)?;
        for i in 0..pages {
            space.vm.map(
                &mut self.frames,
                va + i * PAGE_SIZE,
                start + i * PAGE_SIZE,
                flags,
            )?;
        }
        space.foreign.push(va..va + pages * PAGE_SIZE);
        Ok(())
    }

    /// Frees space `sid`: its foreign mappings are dropped first (they are not frames), then
    /// every page and table. Its threads must be gone.
    pub fn destroy_space(&mut self, sid: SpaceId) {
        let Some(mut space) = self.spaces.remove(&sid) else {
            return;
        };
        if self.sched.active == Some(sid) {
            kcore::vm::activate_kernel();
            self.sched.active = None;
        }
        for r in core::mem::take(&mut space.foreign) {
            let mut va = r.start;
            while va < r.end {
                // Foreign pages are never freed; one already gone is fine.
                space.vm.unmap(&mut self.frames, va);
                va += PAGE_SIZE;
            }
        }
        space.vm.destroy(&mut self.frames);
    }
}
