//! The asynchronous IO ring ([`abi::ring`]): the policy both kernels share. `mono` runs it in
//! its kernel over the caller's memory (checked in place, [`RingMemory`] through `uaccess`);
//! `micro`'s fs server runs it over a lease of the ring's region that the kernel lends it on
//! every `ring_enter` (so the "shared" memory is reached by lease copies, each checked).
//!
//! - `ring_setup` makes an open file for the ring (closing the last fd or the owner's exit
//!   frees it) and zeroes the region's header; the kernel keeps `sq_head`, `cq_tail` and the
//!   operations in flight itself and only writes the program's copies.
//! - `ring_enter` first retries the operations pending from earlier calls (oldest first), then
//!   consumes new SQ entries while the CQ has a slot for every operation in flight (so a
//!   completion always has room), performing each at once with the very `read`/`write` of
//!   [`Files`] (pipes, fifos, sockets, files, `/dev/null` and `/dev/zero`). One that would
//!   block stays pending in the kernel; one on a non-blocking fd completes with `EAGAIN`. A
//!   buffer outside the region's data area completes with `EFAULT`; the console completes
//!   with `EINVAL` (its input belongs to the kernel's line discipline).
//! - It then returns how many completions wait, or, if fewer than `min_complete` do and some
//!   operation is pending, marks the pending operations' pipes polled and waits for
//!   [`Wait::Polled`]; woken, the call is made again (both kernels restart a waiting call), and
//!   since the SQ entries are consumed already it only retries.
//!
//! Cost: every `ring_enter` looks at the readiness of every pending operation's fd (O(pending),
//! like `poll`'s scan) and retries the ready ones; an epoll-like ready list for the ring is left
//! out, and so are operations completing while
//! nobody is in `ring_enter` (completions are posted only inside the call).

use alloc::vec::Vec;

use abi::Errno;
use abi::ring::{self, Cqe, Sqe, op};
use abi::types::poll;

use super::{Files, Io, Object};
use crate::{Error, Pid, Wait, Wakes};

/// An index into the ring table.
pub type RingId = usize;

/// The program's ring region as the kernel (or server) reaches it, by byte offset from the
/// region's start; every access is checked by the implementation (a failure is `EFAULT`).
pub trait RingMemory {
    /// Copies the bytes at `at` into `dst`.
    fn load(&mut self, at: usize, dst: &mut [u8]) -> Result<(), Errno>;
    /// Copies `src` to the bytes at `at`.
    fn store(&mut self, at: usize, src: &[u8]) -> Result<(), Errno>;
    /// `f` over the `len` bytes at `at`, to read.
    fn with<R>(&mut self, at: usize, len: usize, f: impl FnOnce(&[u8]) -> R) -> Result<R, Errno>;
    /// `f` over the `len` bytes at `at`, to fill: it returns its result and how many leading
    /// bytes it wrote (all that an implementation copying through a buffer must store).
    fn fill<R>(
        &mut self,
        at: usize,
        len: usize,
        f: impl FnOnce(&mut [u8]) -> (R, usize),
    ) -> Result<R, Errno>;
}

/// A ring's kernel-side state.
#[derive(Debug)]
pub struct Ring {
    owner: Pid,
    base: usize,
    len: usize,
    entries: usize,
    sq_head: u32,
    cq_tail: u32,
    /// Operations in flight that would have blocked, oldest first.
    pending: Vec<Sqe>,
}

impl Files<'_> {
    /// `ring_setup(base, len, entries)` for `pid`, whose region `mem` is: the ring's fd. `EINVAL`
    /// for `entries` not a power of two in `1..=MAX_ENTRIES` or a bad `len` (see
    /// [`abi::Sys::RingSetup`]), `EMFILE` without a free fd, `EFAULT` from `mem`.
    pub fn ring_setup(
        &mut self,
        pid: Pid,
        base: usize,
        len: usize,
        entries: usize,
        mem: &mut impl RingMemory,
    ) -> Result<usize, Errno> {
        if !entries.is_power_of_two()
            || entries > ring::MAX_ENTRIES
            || len > ring::MAX_LEN
            || len < ring::data_start(entries)
        {
            return Err(Errno::Inval);
        }
        let fd = self.free_fd(pid)?;
        let mut header = [0u8; ring::HEADER];
        header[ring::ENTRIES..ring::ENTRIES + 4].copy_from_slice(&(entries as u32).to_le_bytes());
        mem.store(0, &header)?;
        let r = match self.rings.iter().position(Option::is_none) {
            Some(r) => r,
            None => {
                self.rings.push(None);
                self.rings.len() - 1
            }
        };
        let id = self.new_open(Object::Ring(r))?;
        self.rings[r] = Some(Ring {
            owner: pid,
            base,
            len,
            entries,
            sq_head: 0,
            cq_tail: 0,
            pending: Vec::new(),
        });
        self.set_fd(pid, fd, id);
        Ok(fd)
    }

    /// `ring_enter(fd, base, len, to_submit, min_complete)` for `pid` over its region `mem`
    /// (rules in the module note): how many completions wait. `EBADF` if `fd` is no ring,
    /// `EPERM` if `pid` did not set it up, `EINVAL` for another region, broken counters or
    /// `min_complete` above the entries; wakes of the operations go to `wakes`.
    #[allow(clippy::too_many_arguments)]
    pub fn ring_enter(
        &mut self,
        pid: Pid,
        fd: usize,
        (base, len): (usize, usize),
        to_submit: usize,
        min_complete: usize,
        mem: &mut impl RingMemory,
        wakes: &mut Wakes,
    ) -> Result<usize, Error> {
        let r = match self.object(self.open_id(pid, fd)?)? {
            Object::Ring(r) => r,
            _ => return Err(Errno::BadF.into()),
        };
        let mut ring = self
            .rings
            .get_mut(r)
            .and_then(Option::take)
            .ok_or(Errno::BadF)?;
        let result = self.enter(
            pid,
            &mut ring,
            (base, len),
            to_submit,
            min_complete,
            mem,
            wakes,
        );
        self.rings[r] = Some(ring);
        result
    }

    /// [`Files::ring_enter`] with the ring taken out of the table.
    #[allow(clippy::too_many_arguments)]
    fn enter(
        &mut self,
        pid: Pid,
        ring: &mut Ring,
        (base, len): (usize, usize),
        to_submit: usize,
        min_complete: usize,
        mem: &mut impl RingMemory,
        wakes: &mut Wakes,
    ) -> Result<usize, Error> {
        if ring.owner != pid {
            return Err(Errno::Perm.into());
        }
        if (base, len) != (ring.base, ring.len) || min_complete > ring.entries {
            return Err(Errno::Inval.into());
        }
        let mut h = [0u8; ring::HEADER];
        mem.load(0, &mut h)?;
        let word = |at: usize| u32::from_le_bytes([h[at], h[at + 1], h[at + 2], h[at + 3]]);
        let queued = word(ring::SQ_TAIL).wrapping_sub(ring.sq_head) as usize;
        let mut used = ring.cq_tail.wrapping_sub(word(ring::CQ_HEAD)) as usize;
        if queued > ring.entries || used > ring.entries {
            return Err(Errno::Inval.into());
        }
        let mut i = 0;
        while i < ring.pending.len() {
            // A look at the fd's readiness first: most pending operations are not ready.
            if !self.may_complete(pid, &ring.pending[i]) {
                i += 1;
                continue;
            }
            match self.ring_op(pid, ring, ring.pending[i], mem, wakes) {
                None => i += 1,
                Some(res) => {
                    let sqe = ring.pending.remove(i);
                    post(ring, mem, sqe.user_data, res)?;
                    used += 1;
                }
            }
        }
        let mut left = to_submit.min(queued);
        while left > 0 && used + ring.pending.len() < ring.entries {
            let mut b = [0u8; Sqe::SIZE];
            mem.load(ring::sq_slot(ring.entries, ring.sq_head as usize), &mut b)?;
            let sqe = Sqe::decode(&b);
            ring.sq_head = ring.sq_head.wrapping_add(1);
            left -= 1;
            match self.ring_op(pid, ring, sqe, mem, wakes) {
                None => ring.pending.push(sqe),
                Some(res) => {
                    post(ring, mem, sqe.user_data, res)?;
                    used += 1;
                }
            }
        }
        mem.store(ring::SQ_HEAD, &ring.sq_head.to_le_bytes())?;
        mem.store(ring::CQ_TAIL, &ring.cq_tail.to_le_bytes())?;
        if used >= min_complete || ring.pending.is_empty() {
            return Ok(used);
        }
        for sqe in &ring.pending {
            if let Ok(fd) = usize::try_from(sqe.fd) {
                self.mark_polled(pid, fd);
            }
        }
        Err(Error::WouldBlock(Wait::Polled))
    }

    /// Whether pending `sqe` of `pid` may complete now: its fd is ready for it, or gone.
    fn may_complete(&self, pid: Pid, sqe: &Sqe) -> bool {
        let want = match sqe.op {
            op::READ => poll::IN | poll::HUP,
            _ => poll::OUT | poll::ERR,
        };
        match usize::try_from(sqe.fd).map(|fd| self.open_id(pid, fd)) {
            Ok(Ok(id)) => self.readiness(id) & want != 0,
            _ => true,
        }
    }

    /// Performs `sqe` for `pid`: its completion's result, or `None` if it would block.
    fn ring_op(
        &mut self,
        pid: Pid,
        ring: &Ring,
        sqe: Sqe,
        mem: &mut impl RingMemory,
        wakes: &mut Wakes,
    ) -> Option<i64> {
        let errno = |e: Errno| Some(e.ret() as i64);
        let reading = match sqe.op {
            op::NOP => return Some(0),
            op::READ => true,
            op::WRITE => false,
            _ => return errno(Errno::Inval),
        };
        let Ok(fd) = usize::try_from(sqe.fd) else {
            return errno(Errno::BadF);
        };
        let len = sqe.len as usize;
        let at = (sqe.addr as usize).wrapping_sub(ring.base);
        let inside = at >= ring::data_start(ring.entries)
            && at.checked_add(len).is_some_and(|end| end <= ring.len);
        if !inside {
            return errno(Errno::Fault);
        }
        let done = if reading {
            mem.fill(at, len, |buf| {
                let r = self.read(pid, fd, buf, wakes);
                let n = match r {
                    Ok(Io::Done(n)) => n,
                    _ => 0,
                };
                (r, n)
            })
        } else {
            mem.with(at, len, |data| self.write(pid, fd, data, wakes))
        };
        match done {
            Err(e) | Ok(Err(Error::Errno(e))) => errno(e),
            Ok(Ok(Io::Done(n))) => Some(n as i64),
            Ok(Ok(Io::Console)) => errno(Errno::Inval),
            Ok(Err(Error::WouldBlock(_))) => None,
        }
    }

    /// Frees ring `r` (its last open file closed).
    pub(super) fn drop_ring(&mut self, r: RingId) {
        if let Some(slot) = self.rings.get_mut(r) {
            *slot = None;
        }
    }
}

/// Writes a completion of `user_data` with `res` at the ring's CQ tail.
fn post(ring: &mut Ring, mem: &mut impl RingMemory, user_data: u64, res: i64) -> Result<(), Errno> {
    let cqe = Cqe { user_data, res };
    mem.store(
        ring::cq_slot(ring.entries, ring.cq_tail as usize),
        &cqe.encode(),
    )?;
    ring.cq_tail = ring.cq_tail.wrapping_add(1);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::Fs;
    use alloc::vec;

    /// A region in a `Vec`, at user address `BASE`.
    struct Region(Vec<u8>);
    const BASE: usize = 0x1000;

    impl RingMemory for Region {
        fn load(&mut self, at: usize, dst: &mut [u8]) -> Result<(), Errno> {
            dst.copy_from_slice(self.0.get(at..at + dst.len()).ok_or(Errno::Fault)?);
            Ok(())
        }
        fn store(&mut self, at: usize, src: &[u8]) -> Result<(), Errno> {
            self.0
                .get_mut(at..at + src.len())
                .ok_or(Errno::Fault)?
                .copy_from_slice(src);
            Ok(())
        }
        fn with<R>(
            &mut self,
            at: usize,
            len: usize,
            f: impl FnOnce(&[u8]) -> R,
        ) -> Result<R, Errno> {
            Ok(f(self.0.get(at..at + len).ok_or(Errno::Fault)?))
        }
        fn fill<R>(
            &mut self,
            at: usize,
            len: usize,
            f: impl FnOnce(&mut [u8]) -> (R, usize),
        ) -> Result<R, Errno> {
            Ok(f(self.0.get_mut(at..at + len).ok_or(Errno::Fault)?).0)
        }
    }

    fn push(m: &mut Region, entries: usize, tail: u32, sqe: Sqe) -> u32 {
        m.store(ring::sq_slot(entries, tail as usize), &sqe.encode())
            .unwrap();
        m.store(ring::SQ_TAIL, &(tail + 1).to_le_bytes()).unwrap();
        tail + 1
    }

    fn cqe(m: &mut Region, entries: usize, i: usize) -> Cqe {
        let mut b = [0; Cqe::SIZE];
        m.load(ring::cq_slot(entries, i), &mut b).unwrap();
        Cqe::decode(&b)
    }

    #[test]
    fn a_read_waits_in_the_kernel_until_a_write_completes_it_and_bad_buffers_are_efault() {
        let pid = Pid::from_raw(1).unwrap();
        let mut f = Files::new(Fs::new(16));
        f.new_console_process(pid).unwrap();
        let (r, w) = f.pipe(pid).unwrap();
        let e = 4;
        let len = ring::data_start(e) + 64;
        let mut m = Region(vec![0xff; len]);
        assert_eq!(f.ring_setup(pid, BASE, len, 3, &mut m), Err(Errno::Inval));
        let fd = f.ring_setup(pid, BASE, len, e, &mut m).unwrap();
        let data = BASE + ring::data_start(e);
        let mut wk = Wakes::new();
        let sqe = |op, fd: usize, addr, len, user_data| Sqe {
            op,
            fd: fd as i32,
            addr: addr as u64,
            len,
            user_data,
        };
        let t = push(&mut m, e, 0, sqe(op::READ, r, data, 8, 1));
        // Nothing completes: with min_complete 1 the call waits, the read stays pending.
        assert_eq!(
            f.ring_enter(pid, fd, (BASE, len), 1, 1, &mut m, &mut wk),
            Err(Error::WouldBlock(Wait::Polled))
        );
        m.store(ring::data_start(e) + 32, b"hi").unwrap();
        let t = push(&mut m, e, t, sqe(op::WRITE, w, data + 32, 2, 2));
        let t = push(&mut m, e, t, sqe(op::READ, r, 0, 2, 3));
        assert_eq!(
            f.ring_enter(pid, fd, (BASE, len), 2, 1, &mut m, &mut wk),
            Ok(2)
        );
        assert_eq!(
            cqe(&mut m, e, 0),
            Cqe {
                user_data: 2,
                res: 2
            }
        );
        assert_eq!(
            cqe(&mut m, e, 1),
            Cqe {
                user_data: 3,
                res: Errno::Fault.ret() as i64
            }
        );
        // The pending read completes on the next call (the data moved meanwhile).
        assert_eq!(
            f.ring_enter(pid, fd, (BASE, len), 0, 0, &mut m, &mut wk),
            Ok(3)
        );
        assert_eq!(
            cqe(&mut m, e, 2),
            Cqe {
                user_data: 1,
                res: 2
            }
        );
        assert_eq!(&m.0[ring::data_start(e)..ring::data_start(e) + 2], b"hi");
        // A full CQ takes no new entries; a broken tail is EINVAL.
        let t = push(&mut m, e, t, sqe(op::NOP, 0, 0, 0, 4));
        let t = push(&mut m, e, t, sqe(op::NOP, 0, 0, 0, 5));
        assert_eq!(
            f.ring_enter(pid, fd, (BASE, len), 2, 0, &mut m, &mut wk),
            Ok(4)
        );
        m.store(ring::SQ_TAIL, &(t + 10).to_le_bytes()).unwrap();
        assert_eq!(
            f.ring_enter(pid, fd, (BASE, len), 1, 0, &mut m, &mut wk),
            Err(Errno::Inval.into())
        );
        assert_eq!(
            f.ring_enter(pid, r, (BASE, len), 1, 0, &mut m, &mut wk),
            Err(Errno::BadF.into())
        );
    }
}
