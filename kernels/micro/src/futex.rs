//! `futex_wait` and `futex_wake`, served by the kernel itself: a waiter is a thread blocked on
//! the word's physical address, and the rules are the scheduler's, shared with mono
//! (`kcore::sched::futex`). No server takes part — waking threads is the kernel's job here as
//! it is for `sleep` — so a futex round trip costs the same number of traps on both kernels;
//! the kernels differ only in what reaching the word's frame costs (a word on a page not yet
//! mapped goes to the pager first, as a lease would).

use abi::Errno;
use abi::ipc::{Lease, lease};
use kcore::sched::futex::{self, Key};
use kcore::trap::Access;
use kcore::uaccess;

use crate::kernel::{Kernel, ThreadId, Wait};
use crate::syscall::Own;

/// The key of the word at `addr` for thread `tid` and its value now; `Ok(None)` when the call
/// cannot go on now (its page goes to the pager and the call is made again, or it failed with
/// `EFAULT`: the result is set).
fn word(k: &mut Kernel, tid: ThreadId, addr: usize) -> Result<Option<(Key, u32)>, Errno> {
    if !futex::aligned(addr) {
        return Err(Errno::Inval);
    }
    let l = Lease {
        addr: addr as u64,
        len: futex::WORD as u64,
        access: lease::READ,
    };
    if !k.lend(tid, &[l]) {
        return Ok(None);
    }
    let sid = k.space_of(tid).ok_or(Errno::Srch)?;
    let value: u32 = uaccess::read(&mut Own { k, sid }, addr)?;
    let pa = k.phys(sid, addr, Access::Read)?;
    Ok(Some((Key(pa), value)))
}

/// `futex_wait(addr, expected)` of thread `tid`: sets its result (0 for a waiter, which a wake
/// resumes and a signal makes `EINTR`).
pub fn wait(k: &mut Kernel, tid: ThreadId, addr: usize, expected: usize) {
    let r = match word(k, tid, addr) {
        Ok(None) => return,
        Ok(Some((key, value))) if futex::should_wait(value, expected) => {
            k.thread(tid).frame.set_return(0);
            k.sched.threads.wait(tid, Wait::Futex(key.0));
            return;
        }
        Ok(Some(_)) => Errno::Again.ret(),
        Err(e) => e.ret(),
    };
    k.thread(tid).frame.set_return(r);
}

/// `futex_wake(addr, n)` of thread `tid`: sets its result, how many it woke.
pub fn wake(k: &mut Kernel, tid: ThreadId, addr: usize, n: usize) {
    let r = match word(k, tid, addr) {
        Ok(None) => return,
        Ok(Some((key, _))) => k.sched.threads.wake_key(&Wait::Futex(key.0), n) as isize,
        Err(e) => e.ret(),
    };
    k.thread(tid).frame.set_return(r);
}
