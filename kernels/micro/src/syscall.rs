//! The system-call table. `a7` selects the call:
//! - a number of abi's POSIX-like table: `yield`, `sleep`, `clock` and the futex calls are
//!   served here (the scheduler and the timer are kernel objects; [`crate::futex`]); every other call is forwarded — abi's
//!   forwarding table names the server and the leases it gets — and the caller resumes with the
//!   server's answer in `a0`;
//! - an IPC call of [`abi::ipc::kcall`] (`call`, `recv`, `reply`, `reply_recv`, endpoints,
//!   notifications, lease copies; the withdrawn `inject` is `EPERM` for everybody);
//! - a server-only kernel call ([`crate::kcalls`]), refused with `EPERM` to programs.
//!
//! Anything else is `ENOSYS`. Errors come back as `-errno` in `a0`.

use abi::Errno;
use abi::ipc::{self, Badge, Lease, MAX_LEASES, MAX_WORDS, Tag, kcall, level};
use abi::sys::Sys;
use kcore::timer;
use kcore::trap::{Access, reg};
use kcore::uaccess::{self, UserMemory};

use crate::kernel::{CallKind, EndpointId, Kernel, SpaceId, ThreadId};
use crate::lease::Unlendable;

/// Handles the `ecall` of thread `tid`.
pub fn syscall(k: &mut Kernel, tid: ThreadId) {
    let (nr, a) = {
        let f = &mut k.thread(tid).frame;
        f.pc += 4;
        (
            f.regs[reg::A7] as usize,
            [f.arg(0), f.arg(1), f.arg(2), f.arg(3), f.arg(4), f.arg(5)],
        )
    };
    let result = match Sys::from_number(nr) {
        Some(Sys::Yield) => {
            k.sched.yield_current();
            Ok(0)
        }
        Some(Sys::Sleep) => {
            let until = timer::now().saturating_add(timer::ns_to_ticks(a[0] as u64));
            k.sched.threads.sleep(tid, until);
            k.sched.ticker.sleep_until(until);
            Ok(0)
        }
        Some(Sys::Clock) => Ok(timer::now_ns() as usize),
        Some(Sys::FutexWait) => return crate::futex::wait(k, tid, a[0], a[1]),
        Some(Sys::FutexWake) => return crate::futex::wake(k, tid, a[0], a[1]),
        Some(sys) => return k.forward(tid, sys, a),
        None => match kernel_call(k, tid, nr, a) {
            Some(r) => r,
            None => return,
        },
    };
    if let Some(t) = k.sched.threads.get_mut(tid) {
        t.data.frame.set_return(match result {
            Ok(v) => v as isize,
            Err(e) => e.ret(),
        });
    }
}

/// The IPC and kernel calls: `None` when the registers are set already (or will be, by a
/// reply).
fn kernel_call(
    k: &mut Kernel,
    tid: ThreadId,
    nr: usize,
    a: [usize; 6],
) -> Option<Result<usize, Errno>> {
    let a6 = k.thread(tid).frame.regs[reg::A0 + 6] as usize;
    let words = [a[2] as u64, a[3] as u64, a[4] as u64, a[5] as u64];
    Some(match nr {
        kcall::CALL => {
            return k
                .call(tid, ep(a[0]), Tag(a[1] as u64), words, a6)
                .err()
                .map(Err);
        }
        kcall::RECV => return k.recv(tid, ep(a[0])).err().map(Err),
        kcall::REPLY => match k.reply(tid, Badge(a[0] as u64), Tag(a[1] as u64), words) {
            Ok(woken) => {
                if let Some(w) = woken {
                    k.make_ready(w);
                }
                Ok(0)
            }
            Err(e) => Err(e),
        },
        kcall::REPLY_RECV => {
            return k
                .reply_recv(tid, Badge(a[0] as u64), Tag(a[1] as u64), words, ep(a6))
                .err()
                .map(Err);
        }
        kcall::EP_CREATE => k.ep_create(tid),
        kcall::NOTIFY => k.notify(ep(a[0]), a[1] as u64).map(|_| 0),
        kcall::LEASE_INFO => match k.lease_info(tid, Badge(a[0] as u64), a[1]) {
            Ok((len, access)) => {
                k.thread(tid).frame.regs[reg::A1] = access;
                Ok(len)
            }
            Err(e) => Err(e),
        },
        kcall::LEASE_READ => k.lease_copy(tid, [a[0], a[1], a[2], a[3], a[4], 0], false),
        kcall::LEASE_WRITE => k.lease_copy(tid, [a[0], a[1], a[2], a[3], a[4], 0], true),
        // Withdrawn: crashing a server is not a program's power (crate::inject).
        kcall::INJECT => Err(Errno::Perm),
        kcall::SPACE_NEW..=kcall::SIG_RETURN => {
            if k.server_of(tid).is_none() {
                Err(Errno::Perm)
            } else {
                crate::kcalls::server_call(k, tid, nr, a)
            }
        }
        // One arm for the later server calls (a new arm would lengthen the path of every call
        // that falls through to `_`).
        kcall::SHM_HOLD..=kcall::TIMER_NOTIFY => match k.server_of(tid) {
            None => Err(Errno::Perm),
            Some(server) if nr == kcall::TIMER_NOTIFY => Ok(k.timer_notify(server, a[0] as u64)),
            Some(_) => crate::shm::server_call(k, tid, nr, a),
        },
        _ => Err(Errno::NoSys),
    })
}

/// A thread's own memory, for reading its call's arguments (a server's stack is mapped on first
/// touch; a program's memory must be mapped already).
pub struct Own<'a> {
    /// The kernel.
    pub k: &'a mut Kernel,
    /// The space.
    pub sid: SpaceId,
}

impl UserMemory for Own<'_> {
    fn prepare(&mut self, page: usize, access: Access) -> Result<(), Errno> {
        self.k.phys(self.sid, page, access).map(drop)
    }
}

impl Kernel {
    /// Forwards system call `sys` of thread `tid` to its server.
    fn forward(&mut self, tid: ThreadId, sys: Sys, a: [usize; 6]) {
        let f = ipc::forward(sys, &a);
        if !self.lend(tid, &f.leases[..f.count]) {
            return;
        }
        let mut words = [0u64; 6];
        for (w, v) in words.iter_mut().zip(a) {
            *w = v as u64;
        }
        let msg = (
            Tag::new(sys.number() as u32, 6, f.count),
            words,
            &f.leases[..f.count],
        );
        if let Err(e) = self.send(tid, EndpointId::server(f.endpoint), msg, CallKind::Syscall) {
            self.thread(tid).frame.set_return(e.ret());
        }
    }

    /// Checks the leases `tid` is about to lend; false if the call cannot go on now (it failed
    /// with `EFAULT`, or waits for the pager and will be made again).
    pub(crate) fn lend(&mut self, tid: ThreadId, leases: &[Lease]) -> bool {
        match self.check_leases(tid, leases) {
            Ok(()) => true,
            Err(Unlendable::Fault) => {
                self.thread(tid).frame.set_return(Errno::Fault.ret());
                false
            }
            Err(Unlendable::Missing(page, access)) => {
                self.thread(tid).frame.pc -= 4;
                let msg = crate::fault::pager_msg(page, access);
                if let Err(e) = self.send(
                    tid,
                    EndpointId::server(level::MEM),
                    msg,
                    CallKind::LeasePage,
                ) {
                    let f = &mut self.thread(tid).frame;
                    f.pc += 4;
                    f.set_return(e.ret());
                }
                false
            }
        }
    }

    /// `call(ep, tag, words, leases)` of thread `tid`.
    fn call(
        &mut self,
        tid: ThreadId,
        ep: EndpointId,
        tag: Tag,
        words: [u64; MAX_WORDS],
        leases_at: usize,
    ) -> Result<(), Errno> {
        if !self.endpoints.contains(ep) {
            return Err(Errno::Inval);
        }
        if !self.may_call(tid, ep) {
            return Err(Errno::Deadlk);
        }
        let n = tag.leases().min(MAX_LEASES);
        let mut leases = [Lease::default(); MAX_LEASES];
        if n > 0 {
            let sid = self.space_of(tid).ok_or(Errno::Srch)?;
            let mut own = Own { k: self, sid };
            for (i, l) in leases.iter_mut().take(n).enumerate() {
                let at = leases_at
                    .checked_add(i * size_of::<Lease>())
                    .ok_or(Errno::Fault)?;
                let [addr, len, access]: [u64; 3] = uaccess::read(&mut own, at)?;
                *l = Lease { addr, len, access };
            }
        }
        if !self.lend(tid, &leases[..n]) {
            return Ok(());
        }
        let count = tag.words().min(MAX_WORDS);
        let w = crate::ipc::first_words(&words, count);
        let msg = (Tag::new(tag.label(), count, n), w, &leases[..n]);
        self.send(tid, ep, msg, CallKind::Raw)
    }

    /// `ep_create()`: an endpoint the caller's space owns.
    fn ep_create(&mut self, tid: ThreadId) -> Result<usize, Errno> {
        let owner = self.space_of(tid).ok_or(Errno::Srch)?;
        let id = self.endpoints.create(owner)?;
        Ok(id.raw() as usize)
    }
}

/// The endpoint a program's argument names (perhaps none: every lookup checks).
fn ep(raw: usize) -> EndpointId {
    EndpointId::from_raw(raw as u64)
}
