//! Entering and leaving a signal handler, as both kernels do it: the registers of a thread go
//! into an [`abi::signal::SigFrame`] below its stack pointer and the thread is redirected into
//! the handler ([`enter_handler`]); `sigreturn` puts them back ([`leave_handler`]). Where the
//! frame's bytes are written and read from (the thread's address space, active or not) is the
//! kernel's business: it passes the copy as a closure. What to deliver is `services::signal`'s.

use abi::Errno;
use abi::signal::{FRAME_MAGIC, SigFrame};

use crate::trap::{TrapFrame, reg};

/// Where the frame of a thread whose stack pointer is `sp` goes: below `sp`, 16-byte aligned
/// (`EFAULT` if that wraps).
pub fn frame_address(sp: u64) -> Result<usize, Errno> {
    let addr = sp
        .checked_sub(size_of::<SigFrame>() as u64)
        .ok_or(Errno::Fault)?
        & !15;
    Ok(addr as usize)
}

/// Saves `frame` (and `mask`, the mask to restore) in a [`SigFrame`], has `write(addr, &saved)`
/// put it on the user stack, and redirects `frame` into `handler(sig)` returning to
/// `trampoline`, with `sp` at the saved frame. `frame` is unchanged if `write` fails (the kernel
/// then ends the process: its stack is unusable). [`save`] and [`redirect`] are its two halves,
/// for a kernel that changes the saved registers in between (a thread taken out of a call).
pub fn enter_handler(
    frame: &mut TrapFrame,
    sig: usize,
    handler: usize,
    trampoline: usize,
    mask: u64,
    write: impl FnOnce(usize, &SigFrame) -> Result<(), Errno>,
) -> Result<(), Errno> {
    let addr = frame_address(frame.regs[reg::SP])?;
    let saved = save(frame, sig, mask);
    write(addr, &saved)?;
    redirect(frame, addr, sig, handler, trampoline);
    Ok(())
}

/// The frame saving `frame` for a handler of `sig` (`mask` to restore), to be written at
/// [`frame_address`]. The registers are copied once, here; the caller writes the frame out and
/// then calls [`redirect`] on the thread's own registers, so no copy of them is taken and put
/// back. (Returned bare, not in a `Result`: the compiler builds it in the caller's slot, where a
/// `Result` would cost a second 288-byte copy.)
#[inline(always)]
pub fn save(frame: &TrapFrame, sig: usize, mask: u64) -> SigFrame {
    SigFrame {
        magic: FRAME_MAGIC,
        sig: sig as u64,
        mask,
        pc: frame.pc,
        regs: frame.regs,
    }
}

/// Redirects `frame` into `handler(sig)` returning to `trampoline`, with `sp` at `addr`, where
/// its saved frame now is: the four registers a handler's entry changes, the others stay.
pub fn redirect(frame: &mut TrapFrame, addr: usize, sig: usize, handler: usize, trampoline: usize) {
    frame.pc = handler as u64;
    frame.regs[reg::A0] = sig as u64;
    frame.regs[reg::RA] = trampoline as u64;
    frame.regs[reg::SP] = addr as u64;
}

/// `sigreturn`: puts the registers saved in `saved` (read from the user stack) back into
/// `frame` and returns the mask to restore; `EFAULT`, `frame` untouched, if `saved` is not a
/// frame the kernel made.
pub fn leave_handler(frame: &mut TrapFrame, saved: &SigFrame) -> Result<u64, Errno> {
    if saved.magic != FRAME_MAGIC || !abi::signal::valid(saved.sig as usize) {
        return Err(Errno::Fault);
    }
    frame.regs = saved.regs;
    frame.regs[0] = 0;
    frame.pc = saved.pc;
    Ok(saved.mask)
}

/// The bytes of a frame, to copy out to user memory.
pub fn frame_bytes(f: &SigFrame) -> &[u8] {
    // Safety: `SigFrame` is `repr(C)` plain integers without padding; the slice covers exactly
    // it and lives no longer than the borrow.
    unsafe {
        core::slice::from_raw_parts((f as *const SigFrame).cast::<u8>(), size_of::<SigFrame>())
    }
}

/// The bytes of a frame, to copy in from user memory (any bit pattern is a frame;
/// [`leave_handler`] checks it).
pub fn frame_bytes_mut(f: &mut SigFrame) -> &mut [u8] {
    // Safety: as for `frame_bytes`; every bit pattern is a valid `SigFrame`.
    unsafe {
        core::slice::from_raw_parts_mut((f as *mut SigFrame).cast::<u8>(), size_of::<SigFrame>())
    }
}
