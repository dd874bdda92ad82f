//! services: the privilege-free policy code both kernels share (DESIGN.md §3) — the in-memory file
//! system populated from the ustar initrd ([`fs`]), pipes ([`pipe`]), message queues ([`mq`]),
//! the console line discipline ([`tty`]), the process table ([`proc`]), signals ([`signal`]), the
//! thread lifecycle ([`threads`]), the memory policy of an address space ([`mm`]), the board's
//! alarm ([`alarm`]), the timeouts of `poll` and `epoll_wait` ([`timeout`]), the file-descriptor
//! tables that tie files, pipes and devices together ([`files`]), and the per-process table all
//! per-process state is kept in, indexed by pid slot ([`pidmap`]; the pid type is abi's [`Pid`]),
//! the table of shared-memory objects ([`shm`]), and the requests a server parks until what they
//! wait for happens ([`parked`]).
//!
//! `mono` calls this code directly inside the kernel; `micro` runs the same code inside user-mode
//! servers. So everything here is plain data with methods: no MMIO, no CSRs, no `unsafe`, no global
//! state, and nothing blocks. A call that cannot finish now says so with [`Error::WouldBlock`] and
//! names what to wait for ([`Wait`]); the caller parks the thread and retries the call when that
//! happens. A call that makes progress for others reports whom to wake in a [`Wakes`].
//!
//! Left out on purpose: scheduling, page tables, copying from or to user memory, and the UART —
//! those are the kernels' (or servers') business.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod alarm;
pub mod files;
pub mod fs;
pub mod mm;
pub mod mq;
pub mod parked;
pub mod pidmap;
pub mod pipe;
pub mod proc;
pub mod shm;
pub mod signal;
pub mod threads;
pub mod timeout;
pub mod tty;

use abi::Errno;

/// Asked between the pieces of a long copy (a file's pages, [`fs::PAGE`] bytes each): whether to
/// stop there and return a short count, as POSIX allows a `read` or `write` to. `mono` runs a
/// system call with interrupts off, so it answers "an interrupt is pending": the call returns and
/// the interrupt is taken before the caller makes its next call. It is asked only once a page's
/// worth of bytes is copied, so every call makes progress, a call of at most a page is never
/// split, and once an interrupt is due it waits for at most two pages of copying. `micro`'s
/// servers run preemptibly and pass [`never`].
pub type Preempt<'p> = &'p mut dyn FnMut() -> bool;

/// The [`Preempt`] of a caller that is never in a hurry.
pub fn never() -> bool {
    false
}

pub use abi::Pid;
pub use pidmap::PidMap;

/// A pipe's id in [`files::Files`]; a free id may be reused once both ends are closed.
pub type PipeId = usize;

/// What a blocked call waits for; the kernel (or server) parks the caller on it and retries the
/// call when it is woken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Wait {
    /// The pipe has data, or no writers left (a read will not block).
    PipeReadable(PipeId),
    /// The pipe has room, or no readers left (a write will not block).
    PipeWritable(PipeId),
    /// The console has a completed line or an end of file.
    Console,
    /// A child of this process has exited (`wait`).
    Child(Pid),
    /// The thread with this id has ended (`thread_join`).
    Thread(usize),
    /// A timer has expired (`sleep`).
    Timer,
    /// A `futex_wake` on the word at this physical address (`kcore::sched::futex`).
    Futex(usize),
    /// The message queue (its id in [`files::Files`]) has a message, or is gone.
    MqReadable(usize),
    /// The message queue has room, or is gone.
    MqWritable(usize),
    /// A pipe some `poll` blocked on changed: every blocked `poll` looks again.
    Polled,
    /// The epoll instance with this id has a descriptor on its ready list.
    Epoll(usize),
    /// The asynchronous IO ring with this id has a pipe on its ready list.
    Ring(usize),
    /// The board's alarm fired ([`alarm::Alarm`]).
    Alarm,
    /// `sigsuspend`: only a signal ends it (nothing wakes this wait).
    Signal,
}

/// Why a call did not complete: an error for the caller, or "retry when `Wait` happens".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// The call failed; the caller gets `-errno`.
    Errno(Errno),
    /// The call cannot make progress now; retry it when the `Wait` happens.
    WouldBlock(Wait),
}

impl From<Errno> for Error {
    fn from(e: Errno) -> Self {
        Error::Errno(e)
    }
}

/// Wake-ups a call caused, kept without allocation and without duplicates.
///
/// It holds [`Wakes::CAPACITY`] distinct wake-ups: more than any one call of this crate causes
/// but [`files::Files::exit_process`] of a process with many pipe ends open. If a caller accumulates more
/// than that across calls without [`Wakes::clear`], the extra ones are not stored and
/// [`Wakes::overflowed`] turns true: the caller should then wake every waiter.
#[derive(Clone, Copy, Debug)]
pub struct Wakes {
    items: [Wait; Wakes::CAPACITY],
    len: usize,
    overflowed: bool,
}

impl Wakes {
    /// Distinct wake-ups held: more than a call records but for an exit closing many fds
    /// (which then overflows, and wakes everybody).
    pub const CAPACITY: usize = 16;

    /// No wake-ups.
    pub const fn new() -> Self {
        Wakes {
            items: [Wait::Timer; Wakes::CAPACITY],
            len: 0,
            overflowed: false,
        }
    }

    /// Records `w`, unless it is recorded already.
    pub fn push(&mut self, w: Wait) {
        if self.items[..self.len].contains(&w) {
            return;
        }
        match self.items.get_mut(self.len) {
            Some(slot) => {
                *slot = w;
                self.len += 1;
            }
            None => self.overflowed = true,
        }
    }

    /// The recorded wake-ups, in the order they were first pushed.
    pub fn iter(&self) -> impl Iterator<Item = Wait> + '_ {
        self.items[..self.len].iter().copied()
    }

    /// Whether nothing was recorded (and nothing was lost).
    pub fn is_empty(&self) -> bool {
        self.len == 0 && !self.overflowed
    }

    /// How many distinct wake-ups are recorded.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether some wake-ups were lost for want of room (wake every waiter then).
    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    /// Forgets every wake-up.
    pub fn clear(&mut self) {
        self.len = 0;
        self.overflowed = false;
    }
}

impl Default for Wakes {
    fn default() -> Self {
        Wakes::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushing_the_same_wait_twice_records_it_once() {
        let mut w = Wakes::new();
        w.push(Wait::PipeReadable(3));
        w.push(Wait::Console);
        w.push(Wait::PipeReadable(3));
        assert_eq!(
            w.iter().collect::<Vec<_>>(),
            [Wait::PipeReadable(3), Wait::Console]
        );
        assert_eq!(w.len(), 2);
        w.clear();
        assert!(w.is_empty());
    }

    #[test]
    fn more_wakes_than_fit_are_reported_as_overflow_not_dropped_silently() {
        let mut w = Wakes::new();
        for i in 0..Wakes::CAPACITY {
            w.push(Wait::PipeWritable(i));
        }
        assert!(!w.overflowed());
        w.push(Wait::PipeWritable(0));
        assert!(!w.overflowed(), "a duplicate needs no room");
        w.push(Wait::Timer);
        assert!(w.overflowed());
        assert!(!w.is_empty());
        assert_eq!(w.len(), Wakes::CAPACITY);
    }

    #[test]
    fn an_errno_converts_into_an_error() {
        let e: Error = Errno::BadF.into();
        assert_eq!(e, Error::Errno(Errno::BadF));
    }
}
