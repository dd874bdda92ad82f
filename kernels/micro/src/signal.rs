//! The kernel's half of signals on micro: `proc` decides (it runs `services::signal`, the policy
//! mono runs in its kernel) and asks the kernel to carry a delivery out on a thread
//! ([`Kernel::signal_thread`], `kcall::SIGNAL`) or to restore a thread from its frame at
//! `sigreturn` ([`Kernel::sig_return`], `kcall::SIG_RETURN`; the thread then waits for proc's
//! answer, so a signal the restored mask unblocks is entered first). The frame is written and read
//! through the thread's own address space (kcore's `signal`, shared with mono); a page of it that
//! is not mapped yet is reported to proc, which has the pager map it, so the pager's policy stays
//! the pager's. Nothing is checked on the way back to user mode, on any path: the thread's saved
//! registers already say where it resumes.

use abi::Errno;
use abi::ipc::kcall;
use abi::layout::PAGE_SIZE;
use core::mem::MaybeUninit;

use abi::signal::SigFrame;
use kcore::sched::Run;
use kcore::trap::{Access, reg};

use crate::kernel::{CallKind, Kernel, ThreadId, Wait};

impl Kernel {
    /// `kcall::SIGNAL` by server thread `by`: redirects program thread `t` into `handler(sig)`
    /// (see abi's `kcall::SIGNAL`). `Ok(0)` when done, `Ok(page)` when `page` must be mapped
    /// first (nothing changed).
    pub fn signal_thread(
        &mut self,
        by: ThreadId,
        t: ThreadId,
        a: [usize; 6],
    ) -> Result<usize, Errno> {
        let [_, word, handler, trampoline, mask, result] = a;
        let restart = word & kcall::SIGNAL_RESTART != 0;
        let sig = word & !kcall::SIGNAL_RESTART;
        let state = self.state(t).ok_or(Errno::Srch)?;
        if self.server_of(t).is_some() {
            return Err(Errno::Perm);
        }
        let sid = self.space_of(t).ok_or(Errno::Srch)?;
        let kind = self.thread(t).kind;
        // How the thread's call ends: its `ecall` again after the handler (`pc` back), or a
        // result in `a0`.
        let intr = Errno::Intr.ret() as u64;
        let (again, a0) = match state {
            // `SA_RESTART`: a call proc is not answering now starts again from its `ecall`
            // after the handler (its arguments are still in its registers).
            Run::Blocked(Wait::Calling(_) | Wait::Sending(_))
                if restart && kind == CallKind::Syscall =>
            {
                (true, None)
            }
            // Its own call (`kill`, `sigprocmask`, `sigreturn`) is the one being answered.
            Run::Blocked(Wait::Calling(s)) if s == by => (false, Some(result as u64)),
            Run::Blocked(Wait::Calling(_) | Wait::Sending(_)) if kind == CallKind::Syscall => {
                (false, Some(intr))
            }
            Run::Sleeping(_) | Run::Blocked(Wait::Futex(_)) => (false, Some(intr)),
            Run::Ready => (false, None),
            Run::Blocked(_) => return Err(Errno::Again),
        };
        // The registers are saved once and the call's end written into the saved copy; the
        // thread's own are redirected in place at the end (no copy taken and put back).
        let frame = &self.thread(t).frame;
        let at = kcore::signal::frame_address(frame.regs[reg::SP])?;
        let mut saved = kcore::signal::save(frame, sig, mask as u64);
        if again {
            saved.pc -= 4;
        }
        if let Some(v) = a0 {
            saved.regs[reg::A0] = v;
        }
        let bytes = kcore::signal::frame_bytes(&saved);
        // Every page of the frame mapped and writable, or the first that is not yet mapped.
        let mut page = at & !(PAGE_SIZE - 1);
        while page < at + bytes.len() {
            let space = self.spaces.get_mut(&sid).ok_or(Errno::Srch)?;
            match space.vm.lookup(page) {
                None => return Ok(page),
                Some((_, flags)) if !kcore::vm::user_allows(flags, Access::Write) => {
                    return Err(Errno::Fault);
                }
                Some(_) => {}
            }
            page += PAGE_SIZE;
        }
        self.write_to(sid, at, bytes)?;
        self.unqueue(t);
        kcore::signal::redirect(&mut self.thread(t).frame, at, sig, handler, trampoline);
        if state != Run::Ready {
            self.make_ready(t);
        }
        Ok(0)
    }

    /// `kcall::SIG_RETURN` by server thread `by`: thread `t`, waiting for `by` (its
    /// `sigreturn`), gets its registers back from the frame at `at` and goes on waiting for
    /// `by`'s answer; returns the saved mask and the restored `a0`. `EFAULT` (and `t` unchanged)
    /// for a frame it cannot read or that is not the kernel's.
    ///
    /// `t` does not run until `by` answers, so a signal the restored mask lets through is
    /// entered before `t` runs another instruction, as on mono, where the kernel delivers it
    /// on the way back to user mode.
    pub fn sig_return(
        &mut self,
        by: ThreadId,
        t: ThreadId,
        at: usize,
    ) -> Result<(usize, u64), Errno> {
        if self.state(t) != Some(Run::Blocked(Wait::Calling(by))) {
            return Err(Errno::Inval);
        }
        let sid = self.space_of(t).ok_or(Errno::Srch)?;
        // Read straight into uninitialised memory: zeroing the 288 bytes first cost a `memset`.
        let mut saved = MaybeUninit::<SigFrame>::uninit();
        // Safety: `saved` is valid for `size_of::<SigFrame>()` bytes of writes.
        unsafe { self.read_from(sid, at, saved.as_mut_ptr().cast(), size_of::<SigFrame>())? };
        // Safety: `read_from` returned Ok, so it wrote every byte of `saved`, and any bit pattern
        // is a `SigFrame` (plain integers; `leave_handler` checks it).
        let saved = unsafe { saved.assume_init_ref() };
        let frame = &mut self.thread(t).frame;
        let mask = kcore::signal::leave_handler(frame, saved)?;
        Ok((mask as usize, frame.regs[reg::A0]))
    }

    /// Copies `bytes` to user address `at` of space `sid` (mapped pages only).
    fn write_to(
        &mut self,
        sid: crate::kernel::SpaceId,
        at: usize,
        bytes: &[u8],
    ) -> Result<(), Errno> {
        at.checked_add(bytes.len()).ok_or(Errno::Fault)?;
        let mut done = 0;
        while done < bytes.len() {
            let pa = self.phys(sid, at + done, Access::Write)?;
            let n = (PAGE_SIZE - pa % PAGE_SIZE).min(bytes.len() - done);
            // Safety: `pa..pa + n` lies in a frame mapped writable in `sid` (checked just now)
            // and RAM is mapped 1:1 in the kernel.
            unsafe { core::ptr::copy_nonoverlapping(bytes[done..].as_ptr(), pa as *mut u8, n) };
            done += n;
        }
        Ok(())
    }

    /// Copies `len` bytes of user memory at `at` of space `sid` (mapped pages only) to `out`;
    /// all of them when it returns Ok.
    ///
    /// # Safety
    /// `out` must be valid for `len` bytes of writes (it may be uninitialised).
    unsafe fn read_from(
        &mut self,
        sid: crate::kernel::SpaceId,
        at: usize,
        out: *mut u8,
        len: usize,
    ) -> Result<(), Errno> {
        at.checked_add(len).ok_or(Errno::Fault)?;
        let mut done = 0;
        while done < len {
            let pa = self.phys(sid, at + done, Access::Read)?;
            let n = (PAGE_SIZE - pa % PAGE_SIZE).min(len - done);
            // Safety: `pa..pa + n` lies in a frame mapped readable in `sid` (checked just now),
            // RAM is mapped 1:1 in the kernel, and `out + done..out + done + n` is inside the
            // `len` bytes the caller vouched for.
            unsafe { core::ptr::copy_nonoverlapping(pa as *const u8, out.add(done), n) };
            done += n;
        }
        Ok(())
    }
}
