//! The process table: process ids, who is whose parent, exit statuses and `wait`.
//!
//! A process is alive until [`ProcTable::exit`]; then it is a zombie holding its status (and its
//! slot) until its parent reaps it with [`ProcTable::wait`]. When a process exits, its live
//! children are re-parented to pid 1 (init) if pid 1 is alive, else they become parentless; its
//! zombie children, which nobody asked for, are reaped at once — so an exit never needs to wake
//! anyone but the exiting process's own parent. A parentless process is reaped as soon as it exits.
//!
//! Left out: threads, address spaces, fd tables and scheduling state (the kernels keep those by
//! pid); signals (`kill` is an `exit` with [`abi::types::exit::KILLED`] done by the kernel).

use crate::Pid;
use abi::Errno;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

/// The largest pid handed out; after it, pids start again at 1, skipping those in use.
pub const PID_MAX: Pid = i32::MAX as Pid;

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
    entries: BTreeMap<Pid, Entry>,
    capacity: usize,
    next: Pid,
    pid_max: Pid,
}

impl ProcTable {
    /// An empty table of at most `capacity` entries, alive or zombie (the kernels pass
    /// [`abi::types::limits::PROCESSES`]).
    pub fn new(capacity: usize) -> ProcTable {
        ProcTable::with_pid_max(capacity, PID_MAX)
    }

    /// A table whose pids wrap after `pid_max` (for tests of the wrap-around).
    fn with_pid_max(capacity: usize, pid_max: Pid) -> ProcTable {
        ProcTable {
            entries: BTreeMap::new(),
            capacity,
            next: 1,
            pid_max: pid_max.max(1),
        }
    }

    /// A new live process named `name`, child of `parent` (`None`: no parent, e.g. the first
    /// process). Pids start at 1 and increase; after [`PID_MAX`] they wrap, skipping pids still
    /// in the table. `EAGAIN` when the table is full (zombies count); `ESRCH` if `parent` is
    /// given and not alive.
    pub fn create(&mut self, parent: Option<Pid>, name: &str) -> Result<Pid, Errno> {
        if self.entries.len() >= self.capacity || self.entries.len() >= self.pid_max {
            return Err(Errno::Again);
        }
        if let Some(p) = parent
            && !self.is_alive(p)
        {
            return Err(Errno::Srch);
        }
        // The table is not full, so a free pid is at most `len` steps away.
        let mut pid = self.next;
        while self.entries.contains_key(&pid) {
            pid = if pid >= self.pid_max { 1 } else { pid + 1 };
        }
        self.next = if pid >= self.pid_max { 1 } else { pid + 1 };
        self.entries.insert(
            pid,
            Entry {
                parent,
                name: String::from(name),
                status: None,
            },
        );
        Ok(pid)
    }

    /// `pid` has ended with `status`: it becomes a zombie for its parent to wait for (or is
    /// reaped at once if it has none). Its live children go to pid 1 if pid 1 is alive (else
    /// they become parentless); its zombie children are reaped. Returns the parent to wake
    /// (`Wait::Child(parent)`), if any. Nothing happens if `pid` is not alive.
    pub fn exit(&mut self, pid: Pid, status: i32) -> Option<Pid> {
        let parent = match self.entries.get_mut(&pid) {
            Some(e) if e.status.is_none() => {
                e.status = Some(status);
                e.parent
            }
            _ => return None,
        };
        let heir = if pid != 1 && self.is_alive(1) {
            Some(1)
        } else {
            None
        };
        self.entries.retain(|_, e| {
            if e.parent != Some(pid) {
                return true;
            }
            e.parent = heir;
            e.status.is_none()
        });
        if parent.is_none() {
            self.entries.remove(&pid);
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
        let mut zombie = None;
        let mut consider = |pid: Pid, e: &Entry| match e.status {
            Some(status) if e.parent == Some(parent) => zombie = zombie.or(Some((pid, status))),
            None if e.parent == Some(parent) => live = true,
            _ => {}
        };
        match which {
            Some(pid) => {
                if let Some(e) = self.entries.get(&pid) {
                    consider(pid, e);
                }
            }
            None => {
                for (&pid, e) in &self.entries {
                    consider(pid, e);
                }
            }
        }
        if let Some((pid, status)) = zombie {
            self.entries.remove(&pid);
            return Ok(Some((pid, status)));
        }
        if live { Ok(None) } else { Err(Errno::Child) }
    }

    /// Whether `pid` is in the table and has not exited.
    pub fn is_alive(&self, pid: Pid) -> bool {
        self.entries.get(&pid).is_some_and(|e| e.status.is_none())
    }

    /// Whether `pid` is in the table (alive or zombie).
    pub fn exists(&self, pid: Pid) -> bool {
        self.entries.contains_key(&pid)
    }

    /// The parent of `pid`, if it has one.
    pub fn parent(&self, pid: Pid) -> Option<Pid> {
        self.entries.get(&pid).and_then(|e| e.parent)
    }

    /// The name `pid` was created with.
    pub fn name(&self, pid: Pid) -> Option<&str> {
        self.entries.get(&pid).map(|e| e.name.as_str())
    }

    /// The exit status of `pid` if it is a zombie.
    pub fn status(&self, pid: Pid) -> Option<i32> {
        self.entries.get(&pid).and_then(|e| e.status)
    }

    /// Entries in use, alive or zombie.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The live processes, in pid order.
    pub fn alive(&self) -> impl Iterator<Item = Pid> + '_ {
        self.entries
            .iter()
            .filter(|(_, e)| e.status.is_none())
            .map(|(&pid, _)| pid)
    }

    /// The children of `pid` (alive or zombie), in pid order.
    pub fn children(&self, pid: Pid) -> impl Iterator<Item = Pid> + '_ {
        self.entries
            .iter()
            .filter(move |(_, e)| e.parent == Some(pid))
            .map(|(&p, _)| p)
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
mod tests {
    use super::*;

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
    use alloc::vec::Vec;

    #[test]
    fn pids_start_at_one_and_increase_without_reuse() {
        let mut t = ProcTable::new(8);
        let init = t.create(None, "init").unwrap();
        assert_eq!(init, 1);
        let a = t.create(Some(1), "a").unwrap();
        assert_eq!(a, 2);
        t.exit(a, 0);
        assert_eq!(t.wait(1, Some(a)), Ok(Some((2, 0))));
        assert_eq!(
            t.create(Some(1), "b"),
            Ok(3),
            "a freed pid is not handed out again at once"
        );
        assert_eq!(t.name(3), Some("b"));
        assert_eq!(t.parent(3), Some(1));
    }

    #[test]
    fn pids_wrap_after_the_maximum_and_skip_those_in_use() {
        let mut t = ProcTable::with_pid_max(8, 4);
        for want in 1..=4 {
            assert_eq!(t.create(None, "p"), Ok(want));
        }
        // 1 and 3 are still in the table; 2 and 4 are gone (parentless: reaped at exit).
        t.exit(2, 0);
        t.exit(4, 0);
        assert_eq!(t.len(), 2);
        assert_eq!(t.create(None, "q"), Ok(2));
        assert_eq!(t.create(None, "r"), Ok(4));
        assert_eq!(
            t.create(None, "s"),
            Err(Errno::Again),
            "every pid up to the maximum is used"
        );
    }

    #[test]
    fn a_full_table_is_eagain_and_zombies_occupy_slots() {
        let mut t = ProcTable::new(3);
        t.create(None, "init").unwrap();
        let a = t.create(Some(1), "a").unwrap();
        t.create(Some(1), "b").unwrap();
        assert_eq!(t.create(Some(1), "c"), Err(Errno::Again));
        t.exit(a, 7);
        assert!(t.exists(a) && !t.is_alive(a));
        assert_eq!(
            t.create(Some(1), "c"),
            Err(Errno::Again),
            "the zombie still holds its slot"
        );
        assert_eq!(t.wait(1, None), Ok(Some((a, 7))));
        assert!(t.create(Some(1), "c").is_ok());
    }

    #[test]
    fn waiting_for_a_live_child_blocks_and_its_exit_wakes_the_parent() {
        let mut t = ProcTable::new(8);
        t.create(None, "init").unwrap();
        let c = t.create(Some(1), "c").unwrap();
        assert_eq!(t.wait(1, Some(c)), Ok(None));
        assert_eq!(t.wait(1, None), Ok(None));
        assert_eq!(t.exit(c, 42), Some(1));
        assert_eq!(t.status(c), Some(42));
        assert_eq!(t.wait(1, None), Ok(Some((c, 42))));
        assert!(!t.exists(c));
        assert_eq!(t.wait(1, None), Err(Errno::Child));
    }

    #[test]
    fn waiting_for_someone_elses_child_or_nobody_is_echild() {
        let mut t = ProcTable::new(8);
        t.create(None, "init").unwrap();
        let a = t.create(Some(1), "a").unwrap();
        let b = t.create(Some(a), "b").unwrap();
        assert_eq!(t.wait(1, Some(b)), Err(Errno::Child));
        assert_eq!(t.wait(b, None), Err(Errno::Child));
        assert_eq!(t.wait(1, Some(999)), Err(Errno::Child));
        assert_eq!(t.wait(1, Some(1)), Err(Errno::Child));
    }

    #[test]
    fn wait_for_any_reaps_a_zombie_even_while_other_children_live() {
        let mut t = ProcTable::new(8);
        t.create(None, "init").unwrap();
        let a = t.create(Some(1), "a").unwrap();
        let b = t.create(Some(1), "b").unwrap();
        t.exit(b, 3);
        assert_eq!(t.wait(1, None), Ok(Some((b, 3))));
        assert_eq!(t.wait(1, None), Ok(None));
        assert!(t.is_alive(a));
    }

    #[test]
    fn orphans_go_to_init_and_orphaned_zombies_are_reaped() {
        let mut t = ProcTable::new(8);
        t.create(None, "init").unwrap();
        let a = t.create(Some(1), "a").unwrap();
        let live = t.create(Some(a), "live").unwrap();
        let dead = t.create(Some(a), "dead").unwrap();
        assert_eq!(t.exit(dead, 1), Some(a));
        assert_eq!(t.exit(a, 0), Some(1));
        assert_eq!(t.parent(live), Some(1));
        assert!(!t.exists(dead), "nobody will wait for an orphaned zombie");
        assert_eq!(t.children(1).collect::<Vec<_>>(), [a, live]);
        assert_eq!(t.exit(live, 5), Some(1));
        assert_eq!(t.wait(1, Some(live)), Ok(Some((live, 5))));
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
        let c = t.create(Some(1), "c").unwrap();
        assert_eq!(t.exit(c, 1), Some(1));
        assert_eq!(t.exit(c, 2), None);
        assert_eq!(t.status(c), Some(1));
        assert_eq!(t.exit(77, 0), None);
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn a_dead_parent_cannot_have_children() {
        let mut t = ProcTable::new(8);
        t.create(None, "init").unwrap();
        let c = t.create(Some(1), "c").unwrap();
        t.exit(c, 0);
        assert_eq!(t.create(Some(c), "x"), Err(Errno::Srch));
        assert_eq!(t.create(Some(50), "x"), Err(Errno::Srch));
    }

    #[test]
    fn alive_lists_only_live_processes_in_pid_order() {
        let mut t = ProcTable::new(8);
        t.create(None, "init").unwrap();
        let a = t.create(Some(1), "a").unwrap();
        let b = t.create(Some(1), "b").unwrap();
        t.exit(a, 0);
        assert_eq!(t.alive().collect::<Vec<_>>(), [1, b]);
        assert_eq!(t.len(), 3);
    }
}
