//! A per-process table, direct-indexed by [`Pid::slot`]: what every piece of per-process state
//! (the process table's entries, the fd tables, `proc`'s threads, `mem`'s memory policies) is kept
//! in, so finding a process's state is an index and one compare, never a tree walk.
//!
//! Each of the [`Pid::SLOTS`] slots holds at most one process's value together with its full pid;
//! a lookup by a stale pid (same slot, older generation) finds the slot holding another pid, or
//! nothing, and answers `None`. The process table ([`crate::proc::ProcTable`]) hands a slot to a
//! new pid only once the old one is reaped, and every holder of per-process state drops it at the
//! process's end, so an insert normally finds its slot free.
//!
//! Walking the map (for `wait(-1)`, re-parenting at an exit) looks only at the slots below the
//! highest one ever used: the process table hands out the lowest free slot, so that is as many
//! slots as processes ever lived at once, not [`Pid::SLOTS`].
//!
//! Left out: handing out pids (that is the process table's).

use crate::Pid;
use abi::Errno;
use alloc::vec::Vec;

/// Values of type `T`, at most one per process, indexed by pid slot.
#[derive(Debug)]
pub struct PidMap<T> {
    slots: Vec<Option<(Pid, T)>>,
    len: usize,
    /// One past the highest slot ever used: no value lives at or above it.
    end: usize,
}

impl<T> Default for PidMap<T> {
    fn default() -> Self {
        PidMap::new()
    }
}

impl<T> PidMap<T> {
    /// An empty map of [`Pid::SLOTS`] slots.
    pub fn new() -> PidMap<T> {
        PidMap {
            slots: (0..Pid::SLOTS).map(|_| None).collect(),
            len: 0,
            end: 0,
        }
    }

    /// The value of `pid`, if it has one.
    #[inline(always)]
    pub fn get(&self, pid: Pid) -> Option<&T> {
        match self.slots.get(pid.slot()) {
            Some(Some((p, v))) if *p == pid => Some(v),
            _ => None,
        }
    }

    /// The value of `pid`, if it has one.
    #[inline(always)]
    pub fn get_mut(&mut self, pid: Pid) -> Option<&mut T> {
        match self.slots.get_mut(pid.slot()) {
            Some(Some((p, v))) if *p == pid => Some(v),
            _ => None,
        }
    }

    /// Whether `pid` has a value.
    #[inline(always)]
    pub fn contains(&self, pid: Pid) -> bool {
        self.get(pid).is_some()
    }

    /// Gives `pid` the value `v`: `EEXIST` if it has one, `EAGAIN` if its slot is still held by
    /// another pid (one whose end was not reported here). Nothing changes on an error.
    pub fn insert(&mut self, pid: Pid, v: T) -> Result<(), Errno> {
        match self.slots.get_mut(pid.slot()) {
            Some(Some((p, _))) if *p == pid => Err(Errno::Exist),
            Some(Some(_)) | None => Err(Errno::Again),
            Some(slot) => {
                *slot = Some((pid, v));
                self.len += 1;
                self.end = self.end.max(pid.slot() + 1);
                Ok(())
            }
        }
    }

    /// Takes the value of `pid` out (`None` if it has none).
    pub fn remove(&mut self, pid: Pid) -> Option<T> {
        let slot = self.slots.get_mut(pid.slot())?;
        if !matches!(slot, Some((p, _)) if *p == pid) {
            return None;
        }
        self.len -= 1;
        slot.take().map(|(_, v)| v)
    }

    /// The pids with a value and their values, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (Pid, &T)> + '_ {
        self.slots[..self.end]
            .iter()
            .flatten()
            .map(|(p, v)| (*p, v))
    }

    /// The pids with a value and their values, to change, in slot order.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (Pid, &mut T)> + '_ {
        self.slots[..self.end]
            .iter_mut()
            .flatten()
            .map(|(p, v)| (*p, v))
    }

    /// Keeps only the values for which `keep(pid, value)` is true, in slot order.
    pub fn retain(&mut self, mut keep: impl FnMut(Pid, &mut T) -> bool) {
        for slot in &mut self.slots[..self.end] {
            if let Some((p, v)) = slot
                && !keep(*p, v)
            {
                *slot = None;
                self.len -= 1;
            }
        }
    }

    /// Processes with a value.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no process has a value.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_pid_finds_nothing_even_when_its_slot_is_reused() {
        let (old, new) = (Pid::new(3, 0), Pid::new(3, 1));
        let mut m = PidMap::new();
        m.insert(old, "old").unwrap();
        assert_eq!(m.get(new), None, "a later generation is another process");
        assert_eq!(m.insert(new, "new"), Err(Errno::Again), "the slot is held");
        assert_eq!(m.remove(new), None);
        assert_eq!(m.remove(old), Some("old"));
        m.insert(new, "new").unwrap();
        assert_eq!(
            m.get(old),
            None,
            "an earlier generation is a reaped process"
        );
        assert!(!m.contains(old));
        assert_eq!(m.remove(old), None);
        assert_eq!(m.get(new), Some(&"new"));
        assert_eq!(m.insert(new, "again"), Err(Errno::Exist));
        assert_eq!(m.len(), 1);
    }

    #[test]
    fn iteration_is_in_slot_order() {
        let mut m = PidMap::new();
        for (slot, generation) in [(9, 2), (1, 0), (4, 7)] {
            m.insert(Pid::new(slot, generation), slot).unwrap();
        }
        let slots: Vec<usize> = m.iter().map(|(p, _)| p.slot()).collect();
        assert_eq!(slots, [1, 4, 9]);
        for (_, v) in m.iter_mut() {
            *v += 100;
        }
        assert_eq!(m.get(Pid::new(4, 7)), Some(&104));
        assert_eq!(m.len(), 3);
        assert!(!m.is_empty());
        m.retain(|p, v| p.slot() != 4 && *v < 109);
        assert_eq!(m.iter().map(|(p, _)| p.slot()).collect::<Vec<_>>(), [1]);
        assert_eq!(m.len(), 1);
    }
}
