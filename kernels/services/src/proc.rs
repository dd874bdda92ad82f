//! The process table: process ids, who is whose parent, exit statuses and `wait`.
//!
//! A process is alive until [`ProcTable::exit`]; then it is a zombie holding its status (and its
//! slot) until its parent reaps it with [`ProcTable::wait`]. When a process exits, its live
//! children are re-parented to pid 1 (init) if pid 1 is alive, else they become parentless; its
//! zombie children, which nobody asked for, are reaped at once — so an exit never needs to wake
//! anyone but the exiting process's own parent. A parentless process is reaped as soon as it exits.
//!
//! Pids name a slot and its generation ([`abi::pid`]): a new process takes the lowest free slot,
//! with the pid that slot hands out next (its previous pid's successor), so the first processes
//! get 1, 2, 3, …, a reaped pid is not handed out again until its slot's generations wrap after
//! [`PID_MAX`], and a stale pid names nothing. The table is a [`PidMap`]: every lookup by pid is
//! an index; only `exit` (re-parenting) and `wait(-1)` look at every slot.
//!
//! Left out: threads, address spaces, fd tables and scheduling state (the kernels keep those by
//! pid); signals ([`crate::signal`]: a default action is an `exit` with 128 + the signal).

use crate::{Pid, PidMap};
use abi::Errno;
use abi::types::{ProcInfo, proc_state};
use alloc::string::String;
use alloc::vec::Vec;

/// The largest pid handed out; after it, a slot's pids start again at its first.
pub const PID_MAX: usize = Pid::MAX;

/// One entry of the table.
#[derive(Debug)]
struct Entry {
    parent: Option<Pid>,
    name: String,
    /// `None` while alive; the exit status once a zombie.
    status: Option<i32>,
}

/// The process table.
#[derive(Debug)]
pub struct ProcTable {
    entries: PidMap<Entry>,
    /// For each slot, the pid it hands out next.
    next: Vec<Pid>,
    pid_max: usize,
}

impl ProcTable {
    /// An empty table of at most `capacity` entries, alive or zombie (the kernels pass
    /// [`abi::types::limits::PROCESSES`], which is also the most it can hold: [`Pid::SLOTS`]).
    pub fn new(capacity: usize) -> ProcTable {
        ProcTable::with_pid_max(capacity, PID_MAX)
    }

    /// A table whose slots' pids wrap after `pid_max` (for tests of the wrap-around).
    fn with_pid_max(capacity: usize, pid_max: usize) -> ProcTable {
        let slots = capacity.min(Pid::SLOTS);
        ProcTable {
            entries: PidMap::new(),
            next: (0..slots).map(|slot| Pid::new(slot, 0)).collect(),
            pid_max,
        }
    }

    /// A new live process named `name`, child of `parent` (`None`: no parent, e.g. the first
    /// process), in the lowest free slot (see the module note). `EAGAIN` when the table is full
    /// (zombies count); `ESRCH` if `parent` is given and not alive.
    pub fn create(&mut self, parent: Option<Pid>, name: &str) -> Result<Pid, Errno> {
        let pid = *self
            .next
            .iter()
            .find(|&&p| !self.entries.contains(p))
            .ok_or(Errno::Again)?;
        if let Some(p) = parent
            && !self.is_alive(p)
        {
            return Err(Errno::Srch);
        }
        let entry = Entry {
            parent,
            name: String::from(name),
            status: None,
        };
        self.entries.insert(pid, entry)?;
        Ok(pid)
    }

    /// Frees `pid`'s entry; its slot's next pid is the next generation's.
    fn reap(&mut self, pid: Pid) {
        if self.entries.remove(pid).is_some() {
            freed(&mut self.next, pid, self.pid_max);
        }
    }

    /// `pid` has ended with `status`: it becomes a zombie for its parent to wait for (or is
    /// reaped at once if it has none). Its live children go to pid 1 if pid 1 is alive (else
    /// they become parentless); its zombie children are reaped. Returns the parent to wake
    /// (`Wait::Child(parent)`), if any. Nothing happens if `pid` is not alive.
    pub fn exit(&mut self, pid: Pid, status: i32) -> Option<Pid> {
        let parent = match self.entries.get_mut(pid) {
            Some(e) if e.status.is_none() => {
                e.status = Some(status);
                e.parent
            }
            _ => return None,
        };
        let heir = if pid != Pid::INIT && self.is_alive(Pid::INIT) {
            Some(Pid::INIT)
        } else {
            None
        };
        let (next, pid_max) = (&mut self.next, self.pid_max);
        self.entries.retain(|child, e| {
            if e.parent != Some(pid) {
                return true;
            }
            e.parent = heir;
            if e.status.is_none() {
                return true;
            }
            // An orphaned zombie: reaped.
            freed(next, child, pid_max);
            false
        });
        if parent.is_none() {
            self.reap(pid);
        }
        parent
    }

    /// Takes back process `pid`, child of `parent`, whose start failed after [`ProcTable::create`]
    /// (its program could not be loaded): it ends with [`abi::types::exit::EXCEPTION`] and leaves
    /// no zombie for its parent to reap. Both kernels' `spawn` undoes a failed start with this.
    pub fn discard(&mut self, pid: Pid, parent: Option<Pid>) {
        self.exit(pid, abi::types::exit::EXCEPTION);
        if let Some(p) = parent {
            let _ = self.wait(p, Some(pid));
        }
    }

    /// For `wait(pid)` (`which = Some(pid)`) or `wait(-1)` (`None`) by `parent`:
    /// `Ok(Some((child, status)))` reaps a zombie child (its entry is freed; with `None`, the
    /// lowest-numbered zombie); `Ok(None)` if a matching child is alive (block on
    /// `Wait::Child(parent)`); `Err(ECHILD)` if there is no matching child.
    pub fn wait(&mut self, parent: Pid, which: Option<Pid>) -> Result<Option<(Pid, i32)>, Errno> {
        let mut live = false;
        let mut zombie: Option<(Pid, i32)> = None;
        let mut consider = |pid: Pid, e: &Entry| match e.status {
            Some(status) if e.parent == Some(parent) && zombie.is_none_or(|(z, _)| pid < z) => {
                zombie = Some((pid, status));
            }
            None if e.parent == Some(parent) => live = true,
            _ => {}
        };
        match which {
            Some(pid) => {
                if let Some(e) = self.entries.get(pid) {
                    consider(pid, e);
                }
            }
            None => {
                for (pid, e) in self.entries.iter() {
                    consider(pid, e);
                }
            }
        }
        if let Some((pid, status)) = zombie {
            self.reap(pid);
            return Ok(Some((pid, status)));
        }
        if live { Ok(None) } else { Err(Errno::Child) }
    }

    /// `wait`'s first argument as a system call gives it: -1 is any child (`None`); any other
    /// number names a child, and one that is no pid at all is `ECHILD`. Both kernels' `wait`
    /// read it so.
    pub fn which(raw: usize) -> Result<Option<Pid>, Errno> {
        if raw as isize == -1 {
            return Ok(None);
        }
        Pid::from_raw(raw).map(Some).ok_or(Errno::Child)
    }

    /// Whether `pid` is in the table and has not exited.
    pub fn is_alive(&self, pid: Pid) -> bool {
        self.entries.get(pid).is_some_and(|e| e.status.is_none())
    }

    /// Whether `pid` is in the table (alive or zombie).
    pub fn exists(&self, pid: Pid) -> bool {
        self.entries.contains(pid)
    }

    /// The parent of `pid`, if it has one.
    pub fn parent(&self, pid: Pid) -> Option<Pid> {
        self.entries.get(pid).and_then(|e| e.parent)
    }

    /// The name `pid` was created with.
    pub fn name(&self, pid: Pid) -> Option<&str> {
        self.entries.get(pid).map(|e| e.name.as_str())
    }

    /// The exit status of `pid` if it is a zombie.
    pub fn status(&self, pid: Pid) -> Option<i32> {
        self.entries.get(pid).and_then(|e| e.status)
    }

    /// Entries in use, alive or zombie.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The live processes, in slot order.
    pub fn alive(&self) -> impl Iterator<Item = Pid> + '_ {
        self.entries
            .iter()
            .filter(|(_, e)| e.status.is_none())
            .map(|(pid, _)| pid)
    }

    /// `proclist`: every process (alive or zombie) in slot order, with its group from
    /// `pgid_of` (`None`: 0, a zombie's).
    pub fn list(&self, pgid_of: impl Fn(Pid) -> Option<Pid>) -> Vec<ProcInfo> {
        self.entries
            .iter()
            .map(|(pid, e)| {
                let state = if e.status.is_some() {
                    proc_state::ZOMBIE
                } else {
                    proc_state::ALIVE
                };
                ProcInfo::new(
                    pid.raw() as u32,
                    e.parent.map_or(0, |p| p.raw() as u32),
                    pgid_of(pid).map_or(0, |g| g.raw() as u32),
                    state,
                    e.name.as_bytes(),
                )
            })
            .collect()
    }

    /// `proclist(buf, count)`'s answer, the same on both kernels: the first `count` entries of
    /// [`Self::list`] encoded back to back (`ProcInfo::to_bytes`), and how many processes there are.
    pub fn list_bytes(
        &self,
        pgid_of: impl Fn(Pid) -> Option<Pid>,
        count: usize,
    ) -> (Vec<u8>, usize) {
        let list = self.list(pgid_of);
        let bytes = list
            .iter()
            .take(count)
            .flat_map(|info| info.to_bytes())
            .collect();
        (bytes, list.len())
    }

    /// The children of `pid` (alive or zombie), in slot order.
    pub fn children(&self, pid: Pid) -> impl Iterator<Item = Pid> + '_ {
        self.entries
            .iter()
            .filter(move |(_, e)| e.parent == Some(pid))
            .map(|(p, _)| p)
    }
}

/// `pid`'s entry is freed: its slot hands out `pid`'s successor next.
fn freed(next: &mut [Pid], pid: Pid, pid_max: usize) {
    if let Some(n) = next.get_mut(pid.slot()) {
        *n = pid.successor(pid_max);
    }
}

/// The first program's path and arguments from the boot command line (`/chosen/bootargs`):
/// its first word names the program (in `/bin` unless it holds a `/`), every word is an
/// argument; an empty line runs `/bin/init`.
pub fn first_command(bootargs: &str) -> (String, Vec<&str>) {
    let command = match bootargs.trim() {
        "" => "/bin/init",
        c => c,
    };
    let words: Vec<&str> = command.split_ascii_whitespace().collect();
    let program: String = if words[0].contains('/') {
        words[0].into()
    } else {
        alloc::format!("/bin/{}", words[0])
    };
    (program, words)
}

#[cfg(test)]
mod model;

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn does_a_failed_start_leave_nothing_behind() {
        let mut t = ProcTable::new(4);
        let parent = t.create(None, "sh").unwrap();
        let child = t.create(Some(parent), "bad").unwrap();
        t.discard(child, Some(parent));
        assert_eq!(t.wait(parent, None), Err(Errno::Child));
        let orphan = t.create(None, "bad").unwrap();
        t.discard(orphan, None);
        assert!(!t.is_alive(orphan));
        // Their slots are free again: the table takes three more besides the parent.
        for _ in 0..3 {
            t.create(Some(parent), "x").unwrap();
        }
    }

    const INIT: Pid = Pid::INIT;

    /// Pid number `n`.
    fn p(n: usize) -> Pid {
        Pid::from_raw(n).unwrap()
    }

    #[test]
    fn pids_start_at_one_and_a_reaped_pid_is_not_handed_out_again_at_once() {
        let mut t = ProcTable::new(8);
        let init = t.create(None, "init").unwrap();
        assert_eq!(init.raw(), 1);
        let a = t.create(Some(init), "a").unwrap();
        assert_eq!(a.raw(), 2);
        t.exit(a, 0);
        assert_eq!(t.wait(init, Some(a)), Ok(Some((a, 0))));
        let b = t.create(Some(init), "b").unwrap();
        assert_ne!(b, a, "a freed pid is not handed out again at once");
        assert_eq!(b.slot(), a.slot(), "its slot, the lowest free, is reused");
        assert_eq!(b.raw(), 2 + Pid::SLOTS, "with the next generation");
        assert_eq!(t.create(Some(init), "c").unwrap().raw(), 3);
        assert_eq!(t.name(b), Some("b"));
        assert_eq!(t.parent(b), Some(init));
    }

    #[test]
    fn a_stale_pid_names_nothing_once_its_slot_is_reused() {
        let mut t = ProcTable::new(8);
        let init = t.create(None, "init").unwrap();
        let old = t.create(Some(init), "old").unwrap();
        t.exit(old, 3);
        t.wait(init, Some(old)).unwrap();
        let new = t.create(Some(init), "new").unwrap();
        assert_eq!(new.slot(), old.slot());
        assert!(!t.exists(old) && !t.is_alive(old));
        assert_eq!(t.parent(old), None);
        assert_eq!(t.name(old), None);
        assert_eq!(t.create(Some(old), "x"), Err(Errno::Srch), "a stale parent");
        assert_eq!(t.exit(old, 9), None, "exit of a stale pid changes nothing");
        assert!(t.is_alive(new));
        assert_eq!(t.wait(init, Some(old)), Err(Errno::Child));
        assert_eq!(t.wait(init, Some(new)), Ok(None), "the new one lives on");
    }

    #[test]
    fn pids_wrap_after_the_maximum_and_skip_those_in_use() {
        // Slot 0's pids are 1, 1 + S, 1 + 2S, then 1 again; slot 1's 2, 2 + S, then 2 again
        // (S = `Pid::SLOTS`).
        const S: usize = Pid::SLOTS;
        let max = 2 * Pid::SLOTS + 1;
        let mut t = ProcTable::with_pid_max(2, max);
        let mut seen = Vec::new();
        for _ in 0..4 {
            let pid = t.create(None, "p").unwrap();
            seen.push(pid.raw());
            t.exit(pid, 0); // parentless: reaped at exit
        }
        assert_eq!(seen, [1, 1 + S, 1 + 2 * S, 1]);
        let held = t.create(None, "held").unwrap();
        assert_eq!(held.raw(), 1 + S);
        // Slot 0 is in use: every new process takes slot 1, and never pid 1 + S.
        let mut seen = Vec::new();
        for _ in 0..3 {
            let pid = t.create(None, "q").unwrap();
            seen.push(pid.raw());
            t.exit(pid, 0);
        }
        assert_eq!(seen, [2, 2 + S, 2]);
        t.create(None, "r").unwrap();
        assert_eq!(
            t.create(None, "s"),
            Err(Errno::Again),
            "both slots are used"
        );
        assert!(t.is_alive(held));
    }

    #[test]
    fn which_reads_minus_one_as_any_and_a_non_pid_as_no_child() {
        assert_eq!(ProcTable::which(usize::MAX), Ok(None));
        assert_eq!(ProcTable::which(5), Ok(Some(p(5))));
        assert_eq!(ProcTable::which(0), Err(Errno::Child));
        assert_eq!(ProcTable::which(1 << 40), Err(Errno::Child));
    }

    #[test]
    fn a_full_table_is_eagain_and_zombies_occupy_slots() {
        let mut t = ProcTable::new(3);
        t.create(None, "init").unwrap();
        let a = t.create(Some(INIT), "a").unwrap();
        t.create(Some(INIT), "b").unwrap();
        assert_eq!(t.create(Some(INIT), "c"), Err(Errno::Again));
        t.exit(a, 7);
        assert!(t.exists(a) && !t.is_alive(a));
        assert_eq!(
            t.create(Some(INIT), "c"),
            Err(Errno::Again),
            "the zombie still holds its slot"
        );
        assert_eq!(t.wait(INIT, None), Ok(Some((a, 7))));
        assert!(t.create(Some(INIT), "c").is_ok());
    }

    #[test]
    fn waiting_for_a_live_child_blocks_and_its_exit_wakes_the_parent() {
        let mut t = ProcTable::new(8);
        t.create(None, "init").unwrap();
        let c = t.create(Some(INIT), "c").unwrap();
        assert_eq!(t.wait(INIT, Some(c)), Ok(None));
        assert_eq!(t.wait(INIT, None), Ok(None));
        assert_eq!(t.exit(c, 42), Some(INIT));
        assert_eq!(t.status(c), Some(42));
        assert_eq!(t.wait(INIT, None), Ok(Some((c, 42))));
        assert!(!t.exists(c));
        assert_eq!(t.wait(INIT, None), Err(Errno::Child));
    }

    #[test]
    fn waiting_for_someone_elses_child_or_nobody_is_echild() {
        let mut t = ProcTable::new(8);
        t.create(None, "init").unwrap();
        let a = t.create(Some(INIT), "a").unwrap();
        let b = t.create(Some(a), "b").unwrap();
        assert_eq!(t.wait(INIT, Some(b)), Err(Errno::Child));
        assert_eq!(t.wait(b, None), Err(Errno::Child));
        assert_eq!(t.wait(INIT, Some(p(999))), Err(Errno::Child));
        assert_eq!(t.wait(INIT, Some(INIT)), Err(Errno::Child));
    }

    #[test]
    fn wait_for_any_reaps_a_zombie_even_while_other_children_live() {
        let mut t = ProcTable::new(8);
        t.create(None, "init").unwrap();
        let a = t.create(Some(INIT), "a").unwrap();
        let b = t.create(Some(INIT), "b").unwrap();
        t.exit(b, 3);
        assert_eq!(t.wait(INIT, None), Ok(Some((b, 3))));
        assert_eq!(t.wait(INIT, None), Ok(None));
        assert!(t.is_alive(a));
    }

    #[test]
    fn orphans_go_to_init_and_orphaned_zombies_are_reaped() {
        let mut t = ProcTable::new(8);
        t.create(None, "init").unwrap();
        let a = t.create(Some(INIT), "a").unwrap();
        let live = t.create(Some(a), "live").unwrap();
        let dead = t.create(Some(a), "dead").unwrap();
        assert_eq!(t.exit(dead, 1), Some(a));
        assert_eq!(t.exit(a, 0), Some(INIT));
        assert_eq!(t.parent(live), Some(INIT));
        assert!(!t.exists(dead), "nobody will wait for an orphaned zombie");
        assert_eq!(t.children(INIT).collect::<Vec<_>>(), [a, live]);
        assert_eq!(t.exit(live, 5), Some(INIT));
        assert_eq!(t.wait(INIT, Some(live)), Ok(Some((live, 5))));
    }

    #[test]
    fn without_a_live_init_orphans_become_parentless_and_are_reaped_when_they_exit() {
        let mut t = ProcTable::new(8);
        let root = t.create(None, "root").unwrap();
        let c = t.create(Some(root), "c").unwrap();
        assert_eq!(t.exit(root, 0), None);
        assert!(!t.exists(root), "a parentless process is reaped at exit");
        assert_eq!(t.parent(c), None);
        assert_eq!(t.exit(c, 0), None);
        assert!(t.is_empty());
    }

    #[test]
    fn exiting_twice_or_an_unknown_pid_changes_nothing() {
        let mut t = ProcTable::new(8);
        t.create(None, "init").unwrap();
        let c = t.create(Some(INIT), "c").unwrap();
        assert_eq!(t.exit(c, 1), Some(INIT));
        assert_eq!(t.exit(c, 2), None);
        assert_eq!(t.status(c), Some(1));
        assert_eq!(t.exit(p(77), 0), None);
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn a_dead_parent_cannot_have_children() {
        let mut t = ProcTable::new(8);
        t.create(None, "init").unwrap();
        let c = t.create(Some(INIT), "c").unwrap();
        t.exit(c, 0);
        assert_eq!(t.create(Some(c), "x"), Err(Errno::Srch));
        assert_eq!(t.create(Some(p(50)), "x"), Err(Errno::Srch));
    }

    #[test]
    fn alive_lists_only_live_processes_in_slot_order() {
        let mut t = ProcTable::new(8);
        t.create(None, "init").unwrap();
        let a = t.create(Some(INIT), "a").unwrap();
        let b = t.create(Some(INIT), "b").unwrap();
        t.exit(a, 0);
        assert_eq!(t.alive().collect::<Vec<_>>(), [INIT, b]);
        assert_eq!(t.len(), 3);
    }
}
