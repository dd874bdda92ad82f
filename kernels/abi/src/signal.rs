//! Signals: their numbers (Linux's), the two special handlers, `sigprocmask`'s operations, and
//! the frame the kernel pushes on the user stack when it enters a handler.
//!
//! A handler is entered with `a0` = the signal number, `sp` = the address of a [`SigFrame`] and
//! `ra` = the trampoline given to `sigaction`, which calls `sigreturn(sp)` when the handler
//! returns. While a handler runs its own signal is blocked; `sigreturn` restores the mask saved
//! in the frame. `sigaction_flags` adds an `sa_mask` (more signals blocked while the handler
//! runs) and [`SA_RESTART`]. Left out: real-time signals, queueing (a pending signal is one
//! bit), alternate stacks.

/// Interrupt (Ctrl-C on the console); default: terminate.
pub const SIGINT: usize = 2;
/// Kill; default: terminate; can be neither caught, ignored nor blocked.
pub const SIGKILL: usize = 9;
/// User signal 1; default: terminate.
pub const SIGUSR1: usize = 10;
/// User signal 2; default: terminate.
pub const SIGUSR2: usize = 12;
/// Write to a pipe nobody reads; default: terminate.
pub const SIGPIPE: usize = 13;
/// Termination request; default: terminate.
pub const SIGTERM: usize = 15;
/// A child ended; default: ignore.
pub const SIGCHLD: usize = 17;
/// Signal numbers are `1..NSIG`.
pub const NSIG: usize = 32;

/// `sigaction`'s handler for the default action.
pub const SIG_DFL: usize = 0;
/// `sigaction`'s handler for ignoring the signal.
pub const SIG_IGN: usize = 1;

/// `sigaction_flags`'s flag: a blocking call (`read`, `write`, `wait`, …) the handler
/// interrupts starts again after it returns instead of failing with `EINTR` (`sleep`,
/// `futex_wait` and `sigsuspend` fail all the same).
pub const SA_RESTART: usize = 1 << 28;

/// `sigprocmask`: add `set` to the mask.
pub const BLOCK: usize = 0;
/// `sigprocmask`: remove `set` from the mask.
pub const UNBLOCK: usize = 1;
/// `sigprocmask`: the mask becomes `set`.
pub const SETMASK: usize = 2;

/// `sigprocmask`: `sigsuspend(set)` — wait with the mask `set` until a handler has run (the
/// call then fails with `EINTR` and the mask is back as before). A `how`, not a call number of
/// its own: the numbers after 63 are micro's IPC calls.
pub const SUSPEND: usize = 3;

/// The bit of signal `sig` in a mask.
pub const fn bit(sig: usize) -> u64 {
    1 << sig
}

/// [`SigFrame::magic`]: marks a frame the kernel made.
pub const FRAME_MAGIC: u64 = 0x5349_4746_5241_4d45;

/// What the kernel saves on the user stack before entering a handler, and `sigreturn` restores.
/// Its size is a multiple of 16, so the stack stays aligned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct SigFrame {
    /// [`FRAME_MAGIC`].
    pub magic: u64,
    /// The signal being handled.
    pub sig: u64,
    /// The mask to restore.
    pub mask: u64,
    /// Where the thread resumes.
    pub pc: u64,
    /// `x0..x31` as they were (`regs[0]` unused).
    pub regs: [u64; 32],
}

/// Whether `sig` is a signal number.
pub const fn valid(sig: usize) -> bool {
    sig > 0 && sig < NSIG
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frame_keeps_the_stack_aligned() {
        assert_eq!(size_of::<SigFrame>() % 16, 0);
    }
}
