//! The asynchronous IO ring ([`abi::ring`]): the policy both kernels share. `mono` runs it in
//! its kernel over the caller's memory (checked in place, [`RingMemory`] through `uaccess`);
//! `micro`'s fs server runs it over a lease of the ring's region that the kernel lends it on
//! every `ring_enter` (so the "shared" memory is reached by lease copies, each checked).
//!
//! - `ring_setup` makes an open file for the ring (closing the last fd or the owner's exit
//!   frees it) and zeroes the region's header; the kernel keeps `sq_head`, `cq_tail` and the
//!   operations in flight itself and only writes the program's copies.
//! - `ring_enter` first retries the waiting operations of the pipes on its ready list, then
//!   consumes new SQ entries while the CQ has a slot for every operation in flight (so a
//!   completion always has room), performing each at once with the very `read`/`write` of
//!   [`Files`] (pipes, fifos, sockets, files, `/dev/null` and `/dev/zero`). One that would
//!   block stays pending in the kernel; one on a non-blocking fd completes with `EAGAIN`. A
//!   buffer outside the region's data area completes with `EFAULT`; the console completes
//!   with `EINVAL` (its input belongs to the kernel's line discipline).
//! - It then returns how many completions wait, or, if fewer than `min_complete` do and some
//!   operation is pending, waits for [`Wait::Ring`] of the ring; woken, the call is made again
//!   (both kernels restart a waiting call), and since the SQ entries are consumed already it
//!   only retries.
//!
//! The ring's own ready list, as epoll's ([`super::epoll`]): a pending operation waits on the
//! one pipe its fd reads or writes (a socket's `rx` or `tx`); the ring files it under that pipe
//! (FIFO per pipe) and the pipe's [`PipeWatch`](super::epoll::PipeWatch) names the ring, so the
//! pipe change that wakes pipe waiters also puts the pipe on the ring's ready list. A
//! `ring_enter` retries only the operations of the pipes on that list: its cost depends on the
//! operations that can complete, never on how many are in flight. Operations the call itself
//! makes ready (a write submitted after a read of the same pipe) complete in the same call.
//! A pending operation names its fd, as io_uring's names its file: if the fd is closed, the
//! pipe's next change (closing its last end is one) completes it with `EBADF`; if the fd then
//! names another pipe, it waits on that one.
//!
//! Left out: operations completing while nobody is in `ring_enter` (completions are posted only
//! inside the call), linked operations, cancellation.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, VecDeque};

use abi::Errno;
use abi::ring::{self, Cqe, Sqe, op};

use super::{Files, Io, Object};
use crate::{Error, Pid, PipeId, Wait, Wakes};

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
    /// Operations in flight that would have blocked, by the pipe they wait for, oldest first.
    /// An entry stays when it empties (its pipe watch too), so a client's next read costs no
    /// allocation; there are at most as many as pipes the ring's operations have waited on.
    waiting: BTreeMap<PipeId, Waiting>,
    /// Pipes that changed while operations of this ring waited on them.
    ready: VecDeque<PipeId>,
    /// How many operations wait (the sum over `waiting`).
    in_flight: usize,
}

/// The operations of one ring waiting on one pipe.
#[derive(Debug, Default)]
struct Waiting {
    ops: VecDeque<Sqe>,
    /// On the ring's ready list.
    queued: bool,
}

impl Ring {
    /// Pipe `p` changed: if operations wait on it, it goes on the ready list; true if it was
    /// not on it (the ring's waiter is to wake).
    pub(super) fn mark(&mut self, p: PipeId) -> bool {
        match self.waiting.get_mut(&p) {
            Some(w) if !w.queued && !w.ops.is_empty() => {
                w.queued = true;
                self.ready.push_back(p);
                true
            }
            _ => false,
        }
    }
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
        self.rings[r] = Some(Box::new(Ring {
            owner: pid,
            base,
            len,
            entries,
            sq_head: 0,
            cq_tail: 0,
            waiting: BTreeMap::new(),
            ready: VecDeque::new(),
            in_flight: 0,
        }));
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
            r,
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
        r: RingId,
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
        // The ring is out of the table while it is entered: the changes its own operations
        // make reach it through `entering`.
        self.entering = Some(r);
        let result = self.enter_ops(pid, r, ring, to_submit.min(queued), &mut used, mem, wakes);
        self.entering = None;
        self.entering_changed.clear();
        result?;
        mem.store(ring::SQ_HEAD, &ring.sq_head.to_le_bytes())?;
        mem.store(ring::CQ_TAIL, &ring.cq_tail.to_le_bytes())?;
        if used >= min_complete || ring.in_flight == 0 {
            return Ok(used);
        }
        Err(Error::WouldBlock(Wait::Ring(r)))
    }

    /// The operations of one `ring_enter`: the ready pipes' waiting operations, then up to
    /// `submit` new SQ entries, then whatever those made ready, until nothing is ready.
    #[allow(clippy::too_many_arguments)]
    fn enter_ops(
        &mut self,
        pid: Pid,
        r: RingId,
        ring: &mut Ring,
        mut submit: usize,
        used: &mut usize,
        mem: &mut impl RingMemory,
        wakes: &mut Wakes,
    ) -> Result<(), Errno> {
        loop {
            while let Some(p) = ring.ready.pop_front() {
                let Some(w) = ring.waiting.get_mut(&p) else {
                    continue;
                };
                w.queued = false;
                // Each operation waiting now is tried once (one that waits again goes to the
                // back); the queue keeps its memory.
                for _ in 0..w.ops.len() {
                    let Some(sqe) = ring.waiting.get_mut(&p).and_then(|w| w.ops.pop_front()) else {
                        break;
                    };
                    ring.in_flight -= 1;
                    self.perform(pid, r, ring, sqe, used, mem, wakes)?;
                }
            }
            if submit == 0 || *used + ring.in_flight >= ring.entries {
                return Ok(());
            }
            while submit > 0 && *used + ring.in_flight < ring.entries {
                let mut b = [0u8; Sqe::SIZE];
                mem.load(ring::sq_slot(ring.entries, ring.sq_head as usize), &mut b)?;
                let sqe = Sqe::decode(&b);
                ring.sq_head = ring.sq_head.wrapping_add(1);
                submit -= 1;
                self.perform(pid, r, ring, sqe, used, mem, wakes)?;
            }
            if ring.ready.is_empty() {
                return Ok(());
            }
        }
    }

    /// Performs `sqe` and posts its completion, or files it under the pipe it waits for; then
    /// takes in the changes it made to pipes this ring's operations wait on.
    #[allow(clippy::too_many_arguments)]
    fn perform(
        &mut self,
        pid: Pid,
        r: RingId,
        ring: &mut Ring,
        sqe: Sqe,
        used: &mut usize,
        mem: &mut impl RingMemory,
        wakes: &mut Wakes,
    ) -> Result<(), Errno> {
        match self.ring_op(pid, ring, sqe, mem, wakes) {
            Ok(res) => {
                post(ring, mem, sqe.user_data, res)?;
                *used += 1;
            }
            Err(p) => {
                let w = ring.waiting.entry(p).or_default();
                if w.ops.is_empty() {
                    let watch = self.watch_mut(p);
                    if !watch.rings.contains(&r) {
                        watch.rings.push(r);
                    }
                }
                w.ops.push_back(sqe);
                ring.in_flight += 1;
            }
        }
        for &p in &self.entering_changed {
            ring.mark(p);
        }
        self.entering_changed.clear();
        Ok(())
    }

    /// Performs `sqe` for `pid`: its completion's result, or the pipe it waits for.
    fn ring_op(
        &mut self,
        pid: Pid,
        ring: &Ring,
        sqe: Sqe,
        mem: &mut impl RingMemory,
        wakes: &mut Wakes,
    ) -> Result<i64, PipeId> {
        let errno = |e: Errno| Ok(e.ret() as i64);
        let reading = match sqe.op {
            op::NOP => return Ok(0),
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
            Ok(Ok(Io::Done(n))) => Ok(n as i64),
            Ok(Ok(Io::Console)) => errno(Errno::Inval),
            Ok(Err(Error::WouldBlock(Wait::PipeReadable(p) | Wait::PipeWritable(p)))) => Err(p),
            // Only pipes block a read or write.
            Ok(Err(Error::WouldBlock(_))) => errno(Errno::Inval),
        }
    }

    /// Frees ring `r` (its last open file closed), and its pipe watches.
    pub(super) fn drop_ring(&mut self, r: RingId) {
        let Some(ring) = self.rings.get_mut(r).and_then(Option::take) else {
            return;
        };
        for p in ring.waiting.keys() {
            if let Some(w) = self.watch.get_mut(*p) {
                w.rings.retain(|&x| x != r);
            }
        }
    }

    /// Pipe `p` changed: it goes on the ready list of every ring with operations waiting on
    /// it, and each ring whose list gains it wakes its waiter. Out of line, so that
    /// [`Files::changed`], on every pipe's path, stays a leaf that saves few registers.
    #[inline(never)]
    pub(super) fn notify_rings(&mut self, p: PipeId, wakes: &mut Wakes) {
        let Files {
            watch,
            rings,
            entering,
            entering_changed,
            ..
        } = self;
        let Some(w) = watch.get(p) else { return };
        for &r in &w.rings {
            match rings.get_mut(r) {
                Some(Some(ring)) => {
                    if ring.mark(p) {
                        wakes.push(Wait::Ring(r));
                    }
                }
                // The ring being entered takes the change in after the operation.
                _ => {
                    if *entering == Some(r) {
                        entering_changed.push(p);
                    }
                }
            }
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
        // Nothing completes: with min_complete 1 the call waits on its ready list, the read
        // stays pending.
        assert_eq!(
            f.ring_enter(pid, fd, (BASE, len), 1, 1, &mut m, &mut wk),
            Err(Error::WouldBlock(Wait::Ring(0)))
        );
        // A call with nothing ready retries nothing.
        assert_eq!(
            f.ring_enter(pid, fd, (BASE, len), 0, 0, &mut m, &mut wk),
            Ok(0)
        );
        m.store(ring::data_start(e) + 32, b"hi").unwrap();
        let t = push(&mut m, e, t, sqe(op::WRITE, w, data + 32, 2, 2));
        let t = push(&mut m, e, t, sqe(op::READ, r, 0, 2, 3));
        // The write makes the pending read ready: it completes in the same call, after the
        // entries submitted with the write.
        assert_eq!(
            f.ring_enter(pid, fd, (BASE, len), 2, 1, &mut m, &mut wk),
            Ok(3)
        );
        let want = [(2, 2), (3, Errno::Fault.ret() as i64), (1, 2)];
        for (i, (user_data, res)) in want.into_iter().enumerate() {
            assert_eq!(cqe(&mut m, e, i), Cqe { user_data, res });
        }
        assert_eq!(&m.0[ring::data_start(e)..ring::data_start(e) + 2], b"hi");
        // The CQ head moves on (the program consumed them).
        m.store(ring::CQ_HEAD, &3u32.to_le_bytes()).unwrap();
        // A full CQ takes no new entries; a broken tail is EINVAL.
        let t = push(&mut m, e, t, sqe(op::NOP, 0, 0, 0, 4));
        let t = push(&mut m, e, t, sqe(op::NOP, 0, 0, 0, 5));
        assert_eq!(
            f.ring_enter(pid, fd, (BASE, len), 2, 0, &mut m, &mut wk),
            Ok(2)
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

    /// Reads pending on many pipes: a write to one wakes the ring once and completes that
    /// pipe's read only; closing a pending read's fd completes it with EBADF at the pipe's
    /// change; closing the ring forgets its watches.
    #[test]
    fn a_pipe_change_readies_only_its_own_operations() {
        let pid = Pid::from_raw(1).unwrap();
        let mut f = Files::new(Fs::new(16));
        f.new_console_process(pid).unwrap();
        let e = 16;
        let len = ring::data_start(e) + 64;
        let mut m = Region(vec![0; len]);
        let fd = f.ring_setup(pid, BASE, len, e, &mut m).unwrap();
        let data = BASE + ring::data_start(e);
        let mut tail = 0u32;
        let mut pipes = vec![];
        for i in 0..8 {
            let (r, w) = f.pipe(pid).unwrap();
            pipes.push((r, w));
            let sqe = Sqe {
                op: op::READ,
                fd: r as i32,
                addr: (data + i) as u64,
                len: 1,
                user_data: i as u64,
            };
            m.store(ring::sq_slot(e, tail as usize), &sqe.encode())
                .unwrap();
            tail += 1;
        }
        m.store(ring::SQ_TAIL, &tail.to_le_bytes()).unwrap();
        let mut wk = Wakes::new();
        assert_eq!(
            f.ring_enter(pid, fd, (BASE, len), 8, 1, &mut m, &mut wk),
            Err(Error::WouldBlock(Wait::Ring(0)))
        );
        let mut wk = Wakes::new();
        assert_eq!(f.write(pid, pipes[5].1, b"x", &mut wk), Ok(Io::Done(1)));
        assert!(wk.iter().any(|w| w == Wait::Ring(0)), "the ring is woken");
        // A second write to the same pipe does not queue it twice.
        let mut wk = Wakes::new();
        assert_eq!(f.write(pid, pipes[5].1, b"y", &mut wk), Ok(Io::Done(1)));
        assert!(!wk.iter().any(|w| w == Wait::Ring(0)), "queued already");
        let mut wk = Wakes::new();
        assert_eq!(
            f.ring_enter(pid, fd, (BASE, len), 0, 1, &mut m, &mut wk),
            Ok(1)
        );
        let mut b = [0; Cqe::SIZE];
        m.load(ring::cq_slot(e, 0), &mut b).unwrap();
        assert_eq!(
            Cqe::decode(&b),
            Cqe {
                user_data: 5,
                res: 1
            }
        );
        assert_eq!(f.rings[0].as_ref().unwrap().in_flight, 7);
        // Closing read end 2 (its last reference) changes its pipe: the read completes EBADF.
        let mut wk = Wakes::new();
        f.close(pid, pipes[2].0, &mut wk).unwrap();
        assert!(wk.iter().any(|w| w == Wait::Ring(0)));
        assert_eq!(
            f.ring_enter(pid, fd, (BASE, len), 0, 0, &mut m, &mut wk),
            Ok(2)
        );
        m.load(ring::cq_slot(e, 1), &mut b).unwrap();
        assert_eq!(
            Cqe::decode(&b),
            Cqe {
                user_data: 2,
                res: Errno::BadF.ret() as i64
            }
        );
        // Closing the ring drops its watches: a later write wakes no ring.
        f.close(pid, fd, &mut wk).unwrap();
        let mut wk = Wakes::new();
        assert_eq!(f.write(pid, pipes[3].1, b"x", &mut wk), Ok(Io::Done(1)));
        assert!(!wk.iter().any(|w| matches!(w, Wait::Ring(_))));
        assert!(f.watch.iter().all(|w| w.rings.is_empty()));
    }
}
