//! `ring_setup` and `ring_enter`: the ring's region is the caller's lease 0, lent anew by the
//! kernel on every call (checked page by page: mapped and writable). `services::files::ring`
//! reaches it through lease copies — a header, an SQ entry or a CQ entry is one `LEASE_READ` or
//! `LEASE_WRITE` — and an operation's data passes through the server's buffer, as a `read` or
//! `write` does. A `ring_enter` that must wait is parked on `Wait::Ring` and performed again.

use abi::Errno;
use abi::ipc::Badge;
use alloc::vec::Vec;
use servers::{Fail, Outcome, lease};
use services::Pid;
use services::files::ring::RingMemory;

use crate::FileServer;

/// Lease 0 of thread `badge`, with the server's buffer for data in transit.
struct Region<'b> {
    badge: Badge,
    buf: &'b mut Vec<u8>,
    /// A copy found the caller gone.
    gone: bool,
}

impl Region<'_> {
    /// A lease copy's result, noting a vanished caller.
    fn check(&mut self, r: Result<usize, Fail>, want: usize) -> Result<(), Errno> {
        match r {
            Ok(n) if n == want => Ok(()),
            Err(Fail::Gone) => {
                self.gone = true;
                Err(Errno::Fault)
            }
            Err(Fail::Errno(e)) => Err(e),
            _ => Err(Errno::Fault),
        }
    }
}

impl RingMemory for Region<'_> {
    fn load(&mut self, at: usize, dst: &mut [u8]) -> Result<(), Errno> {
        let r = lease::read(self.badge, 0, at, dst);
        self.check(r, dst.len())
    }

    fn store(&mut self, at: usize, src: &[u8]) -> Result<(), Errno> {
        let r = lease::write(self.badge, 0, at, src);
        self.check(r, src.len())
    }

    fn with<R>(&mut self, at: usize, len: usize, f: impl FnOnce(&[u8]) -> R) -> Result<R, Errno> {
        if len > self.buf.len() {
            return Err(Errno::Fault);
        }
        let r = lease::read(self.badge, 0, at, &mut self.buf[..len]);
        self.check(r, len)?;
        Ok(f(&self.buf[..len]))
    }

    fn fill<R>(
        &mut self,
        at: usize,
        len: usize,
        f: impl FnOnce(&mut [u8]) -> (R, usize),
    ) -> Result<R, Errno> {
        if len > self.buf.len() {
            return Err(Errno::Fault);
        }
        let (r, n) = f(&mut self.buf[..len]);
        let n = n.min(len);
        let w = lease::write(self.badge, 0, at, &self.buf[..n]);
        self.check(w, n)?;
        Ok(r)
    }
}

impl FileServer {
    /// `ring_setup(ring, len, entries)` by thread `badge` of `pid`, the region in lease 0.
    pub fn ring_setup(&mut self, pid: Pid, badge: Badge, a: &[usize; 6]) -> Outcome {
        let mut region = Region {
            badge,
            buf: &mut self.buf,
            gone: false,
        };
        let r = self.files.ring_setup(pid, a[0], a[1], a[2], &mut region);
        if region.gone {
            return Err(Fail::Gone);
        }
        Ok(r?)
    }

    /// `ring_enter(fd, ring, len, to_submit, min_complete)` by thread `badge` of `pid`.
    pub fn ring_enter(
        &mut self,
        pid: Pid,
        badge: Badge,
        a: &[usize; 6],
        wakes: &mut services::Wakes,
    ) -> Outcome {
        let mut region = Region {
            badge,
            buf: &mut self.buf,
            gone: false,
        };
        let r = self
            .files
            .ring_enter(pid, a[0], (a[1], a[2]), a[3], a[4], &mut region, wakes);
        if region.gone {
            return Err(Fail::Gone);
        }
        Ok(r?)
    }
}
