//! Leases (Hubris): a caller lends parts of its memory for the duration of one call, each with
//! read and/or write rights; the receiver copies from and into them with checked kernel calls —
//! a single copy from space to space, bounds and rights checked on every use — and the lease
//! ends with the reply.
//!
//! When the call is made the kernel checks every leased page: in the user range, mapped with the
//! access the lease grants. A page the program may use but has not touched yet is first mapped
//! by the pager: the kernel sends the memory server a fault message on the caller's behalf and
//! makes the call again when it is answered (a refusal fails the call with `EFAULT`), so a
//! server never finds a hole in a lease. A server's own leased buffers are mapped on the spot.

use abi::Errno;
use abi::ipc::{Badge, Lease, MAX_RECV_WORDS, lease};
use abi::layout::PAGE_SIZE;
use kcore::trap::Access;
use kcore::uaccess::UserRange;
use kcore::vm::PteFlags;

use kcore::sched::Run;

use crate::kernel::{Kernel, ThreadId, Wait};

/// Why a lease cannot be lent as it is.
pub enum Unlendable {
    /// The memory is not the caller's to lend so (`EFAULT`).
    Fault,
    /// This page must be mapped by the pager first, for this access.
    Missing(usize, Access),
}

impl Kernel {
    /// Checks the leases thread `tid` is about to lend.
    pub fn check_leases(&mut self, tid: ThreadId, leases: &[Lease]) -> Result<(), Unlendable> {
        let sid = self.space_of(tid).ok_or(Unlendable::Fault)?;
        let is_server = self.server_of(tid).is_some();
        for l in leases.iter().filter(|l| l.len != 0) {
            if l.access & !(lease::READ | lease::WRITE) != 0 {
                return Err(Unlendable::Fault);
            }
            let range =
                UserRange::new(l.addr as usize, l.len as usize).map_err(|_| Unlendable::Fault)?;
            let (access, mut need) = if l.access & lease::WRITE != 0 {
                (Access::Write, PteFlags::W | PteFlags::U)
            } else {
                (Access::Read, PteFlags::U)
            };
            if l.access & lease::READ != 0 {
                need |= PteFlags::R;
            }
            let mut page = range.addr() & !(PAGE_SIZE - 1);
            let end = range.addr() + range.len();
            while page < end {
                let found = self.spaces.get_mut(&sid).and_then(|s| s.vm.lookup(page));
                match found {
                    Some((_, flags)) if flags.contains(need) => {}
                    Some(_) => return Err(Unlendable::Fault),
                    None if is_server => {
                        self.server_fault_in(sid, page)
                            .map_err(|_| Unlendable::Fault)?;
                        continue;
                    }
                    None => return Err(Unlendable::Missing(page, access)),
                }
                page += PAGE_SIZE;
            }
        }
        Ok(())
    }

    /// The lease `index` of the caller `badge`, as server thread `tid` may use it: `ESRCH` if
    /// `badge` does not wait for `tid`'s reply, `EINVAL` if there is no such lease.
    fn lease(&self, tid: ThreadId, badge: Badge, index: usize) -> Result<Lease, Errno> {
        let t = self
            .sched
            .threads
            .get(ThreadId::from_raw(badge.tid() as u32).ok_or(Errno::Srch)?)
            .ok_or(Errno::Srch)?;
        if t.run() != Run::Blocked(Wait::Calling(tid)) {
            return Err(Errno::Srch);
        }
        if index >= t.data.msg.tag.leases() {
            return Err(Errno::Inval);
        }
        Ok(t.data.msg.leases[index])
    }

    /// `lease_info(badge, index)` → (length, access bits).
    pub fn lease_info(
        &self,
        tid: ThreadId,
        badge: Badge,
        index: usize,
    ) -> Result<(usize, u64), Errno> {
        let l = self.lease(tid, badge, index)?;
        Ok((l.len as usize, l.access))
    }

    /// `lease_read` (`write` false) or `lease_write` (`write` true): copies between the lease at
    /// `offset` and the server's `buf`; at most `len` bytes, and no further than the lease's end.
    pub fn lease_copy(
        &mut self,
        tid: ThreadId,
        args: [usize; MAX_RECV_WORDS],
        write: bool,
    ) -> Result<usize, Errno> {
        let [badge, index, offset, buf, len, _] = args;
        let badge = Badge(badge as u64);
        let l = self.lease(tid, badge, index)?;
        let right = if write { lease::WRITE } else { lease::READ };
        if l.access & right == 0 {
            return Err(Errno::Perm);
        }
        let n = len.min((l.len as usize).saturating_sub(offset));
        if n == 0 {
            return Ok(0);
        }
        let caller = self
            .space_of(ThreadId::from_raw(badge.tid() as u32).ok_or(Errno::Srch)?)
            .ok_or(Errno::Srch)?;
        let server = self.space_of(tid).ok_or(Errno::Srch)?;
        let at = l.addr as usize + offset;
        if write {
            self.copy(server, buf, caller, at, n)?;
        } else {
            self.copy(caller, at, server, buf, n)?;
        }
        Ok(n)
    }
}
