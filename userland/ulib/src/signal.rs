//! Signals: installing handlers ([`signal`], [`sigaction`]), the mask ([`sigprocmask`]), sending
//! ([`kill`], [`kill_group`]), process groups, and the trampoline a handler returns through.
//!
//! A handler is a plain `extern "C" fn(sig: usize)`. The kernel enters it with `sp` at the frame
//! it saved and `ra` at [`trampoline`] (passed with every [`signal`]), so the handler's return
//! lands in `ulib_sigreturn`, which calls `sigreturn(sp)`: the kernel restores every register.

pub use abi::signal::*;

use abi::Errno;
use abi::sys::Sys;

use crate::raw;

/// A signal handler.
pub type Handler = extern "C" fn(sig: usize);

core::arch::global_asm!(
    r#"
    .section .text.ulib_sigreturn, "ax", @progbits
    .globl ulib_sigreturn
    .p2align 2
ulib_sigreturn:
    mv a0, sp
    li a7, {nr}
    ecall
    unimp
    "#,
    nr = const Sys::Sigreturn as usize,
);

unsafe extern "C" {
    /// The code a handler returns to: `sigreturn(sp)`; never returns itself.
    fn ulib_sigreturn();
}

/// The trampoline's address, as `sigaction` takes it.
pub fn trampoline() -> usize {
    ulib_sigreturn as *const () as usize
}

fn check(ret: isize) -> Result<usize, Errno> {
    Errno::check(ret)
}

/// Installs raw handler value `handler` ([`SIG_DFL`], [`SIG_IGN`] or a function's address) for
/// `sig`: the previous one.
pub fn sigaction(sig: usize, handler: usize) -> Result<usize, Errno> {
    // Safety: no pointers the kernel reads; `handler` and the trampoline are code addresses the
    // kernel only jumps to in user mode.
    check(unsafe { raw::sigaction(sig, handler, trampoline()) })
}

/// Installs raw handler value `handler` for `sig` with `mask` (`sa_mask`: more signals blocked
/// while it runs) and `flags` ([`SA_RESTART`]): the previous one.
pub fn sigaction_flags(
    sig: usize,
    handler: usize,
    mask: u64,
    flags: usize,
) -> Result<usize, Errno> {
    // Safety: as for `sigaction`.
    check(unsafe { raw::sigaction_flags(sig, handler, trampoline(), mask as usize, flags) })
}

/// Waits with the mask `mask` until a signal is handled (`Err(EINTR)` after the handler, the
/// mask from before back) or ends the process.
pub fn sigsuspend(mask: u64) -> Errno {
    // Safety: no pointers.
    match check(unsafe { raw::sigprocmask(SUSPEND, mask as usize) }) {
        Err(e) => e,
        Ok(_) => Errno::Inval,
    }
}

/// Waits until a signal is handled, with the current mask (`pause`).
pub fn pause() -> Errno {
    let mask = sigprocmask(BLOCK, 0).unwrap_or(0);
    sigsuspend(mask)
}

/// Calls `handler` when `sig` arrives: the previous handler value.
pub fn signal(sig: usize, handler: Handler) -> Result<usize, Errno> {
    sigaction(sig, handler as usize)
}

/// Ignores `sig`.
pub fn ignore(sig: usize) -> Result<usize, Errno> {
    sigaction(sig, SIG_IGN)
}

/// Restores `sig`'s default action.
pub fn default(sig: usize) -> Result<usize, Errno> {
    sigaction(sig, SIG_DFL)
}

/// Blocks ([`BLOCK`]), unblocks ([`UNBLOCK`]) or sets ([`SETMASK`]) the signals of `set`:
/// the previous mask.
pub fn sigprocmask(how: usize, set: u64) -> Result<u64, Errno> {
    // Safety: no pointers.
    check(unsafe { raw::sigprocmask(how, set as usize) }).map(|m| m as u64)
}

/// Sends `sig` to process `pid`.
pub fn kill(pid: usize, sig: usize) -> Result<(), Errno> {
    // Safety: no pointers.
    check(unsafe { raw::kill(pid, sig) }).map(drop)
}

/// Sends `sig` to every process of group `pgid`.
pub fn kill_group(pgid: usize, sig: usize) -> Result<(), Errno> {
    // Safety: no pointers.
    check(unsafe { raw::kill((pgid as isize).wrapping_neg() as usize, sig) }).map(drop)
}

/// Puts process `pid` (0: this one) into group `pgid` (0: a new group numbered `pid`).
pub fn setpgid(pid: usize, pgid: usize) -> Result<(), Errno> {
    // Safety: no pointers.
    check(unsafe { raw::setpgid(pid, pgid) }).map(drop)
}

/// The group of process `pid` (0: this one).
pub fn getpgid(pid: usize) -> Result<usize, Errno> {
    // Safety: no pointers.
    check(unsafe { raw::getpgid(pid) })
}

/// Makes group `pgid` (0: this process's) the console's foreground group, the one Ctrl-C
/// interrupts.
pub fn tcsetpgrp(pgid: usize) -> Result<(), Errno> {
    // Safety: no pointers.
    check(unsafe { raw::tcsetpgrp(pgid) }).map(drop)
}

/// The console's foreground group (0: none set yet).
pub fn tcgetpgrp() -> Result<usize, Errno> {
    // Safety: no pointers.
    check(unsafe { raw::tcgetpgrp() })
}
