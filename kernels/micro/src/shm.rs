//! The page work behind shared memory (`shm_*`), which the memory server asks for: the policy —
//! names, sizes, opens, when an object dies — is `services::shm`'s and runs in `mem`, as `mmap`'s
//! does; the kernel only moves frames, as it does for `mmap`'s `MAP_NEW`/`UNMAP`.
//!
//! How micro maps an object: `mem` *holds* an object's frames by mapping them in its own address
//! space, object slot `i` at a fixed window `abi::layout::server::SHM_HOLD` + `i` ×
//! `SHM_MAX_BYTES` (`SHM_HOLD`, fresh zeroed frames, all or none). `shm_map` is then
//! `SHM_SHARE`: the frames of mem's window are mapped once more at the region the process's
//! `Vm` chose (`AddressSpace::map_shared`: the frame table counts each extra mapping). `munmap`
//! (`UNMAP`), the process's exit (its space destroyed) and the object's death (`SHM_RELEASE` of
//! mem's window) each drop their own mappings, and the frame goes back to the pool with the last
//! one — the same counting `mono` does with its object table as the holder.
//!
//! Only the memory server may make these calls (`EPERM` for others).

use abi::Errno;
use abi::ipc::{kcall, level};
use abi::layout::{PAGE_SIZE, USER_BASE, USER_TOP, server::SHM_HOLD};
use abi::types::prot;
use kcore::vm::prot_flags;

use crate::kernel::{Kernel, ThreadId};

/// Whether `start..end` is a page-aligned, non-empty range inside `within`.
fn pages_in(start: usize, end: usize, within: core::ops::Range<usize>) -> bool {
    start.is_multiple_of(PAGE_SIZE)
        && end.is_multiple_of(PAGE_SIZE)
        && start < end
        && within.start <= start
        && end <= within.end
}

/// Shared-memory server call `nr` of thread `tid` (a server's) with arguments `a`.
#[inline(never)]
pub fn server_call(
    k: &mut Kernel,
    tid: ThreadId,
    nr: usize,
    a: [usize; 6],
) -> Result<usize, Errno> {
    if k.server_of(tid) != Some(level::MEM) {
        return Err(Errno::Perm);
    }
    let me = k.space_of(tid).ok_or(Errno::Srch)?;
    match nr {
        kcall::SHM_HOLD => {
            let (start, end) = (a[0], a[1]);
            if !pages_in(start, end, SHM_HOLD) {
                return Err(Errno::Inval);
            }
            let mut page = start;
            while page < end {
                if let Err(e) = k.map_new(me, page, prot::READ | prot::WRITE) {
                    k.unmap(me, start, page)?;
                    return Err(e);
                }
                page += PAGE_SIZE;
            }
            Ok(0)
        }
        kcall::SHM_RELEASE => {
            if !pages_in(a[0], a[1], SHM_HOLD) {
                return Err(Errno::Inval);
            }
            k.unmap(me, a[0], a[1])?;
            Ok(0)
        }
        kcall::SHM_SHARE => {
            let (src, dst, pages) = (a[0], a[2], a[3]);
            let len = pages.checked_mul(PAGE_SIZE).ok_or(Errno::Inval)?;
            let (Some(src_end), Some(dst_end)) = (src.checked_add(len), dst.checked_add(len))
            else {
                return Err(Errno::Inval);
            };
            if !pages_in(src, src_end, SHM_HOLD) || !pages_in(dst, dst_end, USER_BASE..USER_TOP) {
                return Err(Errno::Inval);
            }
            let to = k.pid_space(a[1])?;
            let flags = prot_flags(a[4] & (prot::READ | prot::WRITE));
            for i in 0..pages {
                let (s, d) = (src + i * PAGE_SIZE, dst + i * PAGE_SIZE);
                let done = share_page(k, me, s, to, d, flags);
                if let Err(e) = done {
                    k.unmap(to, dst, d)?;
                    return Err(e);
                }
            }
            Ok(0)
        }
        _ => Err(Errno::NoSys),
    }
}

/// Maps the frame at `src` of `from` also at `dst` of `to` with `flags`.
fn share_page(
    k: &mut Kernel,
    from: crate::kernel::SpaceId,
    src: usize,
    to: crate::kernel::SpaceId,
    dst: usize,
    flags: kcore::vm::PteFlags,
) -> Result<(), Errno> {
    let (pa, _) = k
        .spaces
        .get_mut(&from)
        .and_then(|s| s.vm.lookup(src))
        .ok_or(Errno::Fault)?;
    let target = k.spaces.get_mut(&to).ok_or(Errno::Srch)?;
    target.vm.map_shared(&mut k.frames, dst, pa, flags)?;
    target.vm.fence(dst, &k.asids);
    Ok(())
}
