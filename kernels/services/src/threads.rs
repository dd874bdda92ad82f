//! The thread lifecycle policy both kernels apply (mono in its process table, micro in the
//! `proc` server): how many threads a process may have, who may join whom and how often, and
//! that the end of a process's last live thread ends the process.
//!
//! A [`ProcThreads`] is one process's threads by the kernel's thread id: live, or ended and not
//! yet joined (an ended thread keeps its status, and its place among the process's
//! [`limits::THREADS`], until it is joined once or the process ends).
//!
//! Left out: the threads' registers and scheduling (the kernel's), and ids: the kernel hands
//! them out and never reuses one while this table can still name it.

use alloc::vec::Vec;

use abi::Errno;
use abi::types::limits;

use crate::{Error, Wait};

/// What the end of a thread comes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// It was the last live thread: the process ends with this status (the caller ends it).
    Process(i32),
    /// It ended alone; its status waits to be joined (wake `Wait::Thread` of it).
    Thread,
}

/// One process's threads (see the module note).
#[derive(Clone, Debug, Default)]
pub struct ProcThreads {
    /// (thread id, status once ended), oldest first.
    threads: Vec<(usize, Option<i32>)>,
}

impl ProcThreads {
    /// A process whose only thread is `first`.
    pub fn new(first: usize) -> ProcThreads {
        ProcThreads {
            threads: alloc::vec![(first, None)],
        }
    }

    /// Whether one more thread is allowed: `EAGAIN` at [`limits::THREADS`] (ended threads not
    /// yet joined count).
    pub fn may_spawn(&self) -> Result<(), Errno> {
        if self.threads.len() >= limits::THREADS {
            return Err(Errno::Again);
        }
        Ok(())
    }

    /// The oldest live thread: the one a signal to the process interrupts.
    pub fn first_live(&self) -> Option<usize> {
        self.threads
            .iter()
            .find(|(_, status)| status.is_none())
            .map(|&(tid, _)| tid)
    }

    /// Adds the new live thread `tid` (after [`ProcThreads::may_spawn`] said yes).
    pub fn add(&mut self, tid: usize) {
        self.threads.push((tid, None));
    }

    /// Thread `tid` ends with `status`: the process ends if it was the last live one; else the
    /// thread's status is kept for its joiner. A `tid` that is not a live thread of this
    /// process changes nothing and ends nothing ([`Exit::Thread`]).
    pub fn exit(&mut self, tid: usize, status: i32) -> Exit {
        let live = self.threads.iter().filter(|(_, s)| s.is_none()).count();
        let Some(t) = self
            .threads
            .iter_mut()
            .find(|(t, s)| *t == tid && s.is_none())
        else {
            return Exit::Thread;
        };
        if live <= 1 {
            return Exit::Process(status);
        }
        t.1 = Some(status);
        Exit::Thread
    }

    /// `thread_join(tid)` by thread `me`: `tid`'s status once it has ended (then it is gone);
    /// `EINVAL` for oneself, `ESRCH` for a thread that is not (or no longer) this process's,
    /// and "wait for `Wait::Thread(tid)`" while it lives.
    pub fn join(&mut self, me: usize, tid: usize) -> Result<i32, Error> {
        if tid == me {
            return Err(Errno::Inval.into());
        }
        let i = self
            .threads
            .iter()
            .position(|&(t, _)| t == tid)
            .ok_or(Errno::Srch)?;
        match self.threads[i].1 {
            Some(status) => {
                self.threads.remove(i);
                Ok(status)
            }
            None => Err(Error::WouldBlock(Wait::Thread(tid))),
        }
    }

    /// Whether `tid` is one of this process's threads (live or unjoined).
    pub fn contains(&self, tid: usize) -> bool {
        self.threads.iter().any(|&(t, _)| t == tid)
    }

    /// Whether `tid` is a live thread of this process.
    pub fn is_live(&self, tid: usize) -> bool {
        self.threads.iter().any(|&(t, s)| t == tid && s.is_none())
    }

    /// Every thread id, live or ended (for ending the process).
    pub fn ids(&self) -> impl Iterator<Item = usize> + '_ {
        self.threads.iter().map(|&(t, _)| t)
    }

    /// The live threads' ids.
    pub fn live(&self) -> impl Iterator<Item = usize> + '_ {
        self.threads
            .iter()
            .filter(|(_, s)| s.is_none())
            .map(|&(t, _)| t)
    }

    /// How many threads there are, live or unjoined.
    pub fn len(&self) -> usize {
        self.threads.len()
    }

    /// Whether there are none (never, for a live process).
    pub fn is_empty(&self) -> bool {
        self.threads.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn does_the_last_live_thread_end_the_process() {
        let mut p = ProcThreads::new(1);
        p.add(2);
        assert_eq!(p.exit(2, 7), Exit::Thread);
        assert!(p.contains(2) && !p.is_live(2));
        assert_eq!(p.exit(1, 3), Exit::Process(3));
        // An ended thread cannot end again, nor can a stranger.
        assert_eq!(p.exit(2, 9), Exit::Thread);
        assert_eq!(p.exit(99, 9), Exit::Thread);
    }

    #[test]
    fn is_a_thread_joined_once_with_its_status() {
        let mut p = ProcThreads::new(1);
        p.add(2);
        assert_eq!(p.join(1, 2), Err(Error::WouldBlock(Wait::Thread(2))));
        assert_eq!(p.exit(2, -4), Exit::Thread);
        assert_eq!(p.join(1, 2), Ok(-4));
        assert_eq!(p.join(1, 2), Err(Errno::Srch.into()));
        assert!(!p.contains(2));
    }

    #[test]
    fn what_if_a_thread_joins_itself_or_a_stranger() {
        let mut p = ProcThreads::new(1);
        assert_eq!(p.join(1, 1), Err(Errno::Inval.into()));
        assert_eq!(p.join(1, 5), Err(Errno::Srch.into()));
    }

    #[test]
    fn do_unjoined_threads_count_against_the_limit() {
        let mut p = ProcThreads::new(1);
        for t in 2..=limits::THREADS {
            assert_eq!(p.may_spawn(), Ok(()));
            p.add(t);
        }
        assert_eq!(p.may_spawn(), Err(Errno::Again));
        assert_eq!(p.exit(2, 0), Exit::Thread);
        assert_eq!(p.may_spawn(), Err(Errno::Again), "ended but not joined");
        assert_eq!(p.join(1, 2), Ok(0));
        assert_eq!(p.may_spawn(), Ok(()));
        assert_eq!(p.live().count(), limits::THREADS - 1);
        assert_eq!(p.ids().count(), limits::THREADS - 1);
    }
}
