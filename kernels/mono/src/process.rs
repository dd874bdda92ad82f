//! Processes and threads: creating a process from a program in the file system (`spawn`, this
//! OS's fork+exec), ending it (`exit`, `kill`, a fault), and the threads inside it.
//!
//! A process is an address space (`kcore::vm`), its memory policy (`services::mm::Vm`), an entry
//! in the process table and fd table (`services`), and one or more threads. The processes live in
//! [`Processes`], a table indexed by the process's address-space id ([`SpaceId`]), which is its
//! pid's slot ([`Pid::slot`]) and the `space` of its threads in kcore's thread table: a thread,
//! and a pid, reach their process in O(1). The thread lifecycle (the thread limit, join once,
//! the last live thread's end ends the process) is `services::threads`'s; user-visible thread
//! ids are kcore's [`ThreadId`]s, which a reused slot never repeats. A user fault kills only the
//! faulting process, with one console line naming it.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use abi::Errno;
use abi::layout::PAGE_SIZE;
use abi::types::limits;
use kcore::loader;
use kcore::sched::{Framed, NextTask, Run, SpaceId, ThreadId};
use kcore::trap::{Access, Cause, TrapFrame};
use kcore::vm::{self, AddressSpace};
use services::mm::{self, Perms, Vm};
use services::threads::{Exit, ProcThreads};
use services::{Pid, Wait, Wakes};

use crate::kernel::{Caller, Kernel};

/// A process.
pub struct Process {
    /// Its id.
    pub pid: Pid,
    /// Its program's name (argv\[0\]).
    pub name: String,
    /// Its page tables.
    pub space: AddressSpace,
    /// Its memory policy.
    pub vm: Vm,
    /// Its threads (live, or ended and not yet joined), by raw [`ThreadId`].
    pub threads: ProcThreads,
}

/// What mono keeps per thread (kcore's table keeps its id, address space and run state).
pub struct Thread {
    /// Its process.
    pub pid: Pid,
    /// Its registers while it is not running.
    pub frame: Box<TrapFrame>,
}

impl Framed for Thread {
    #[inline(always)]
    fn frame(&self) -> *const TrapFrame {
        &*self.frame
    }
}

/// The live processes, indexed by address-space id (= pid slot): [`limits::PROCESSES`] slots.
pub struct Processes {
    slots: Vec<Option<Process>>,
}

impl Processes {
    /// No process.
    pub fn new() -> Processes {
        Processes {
            slots: (0..limits::PROCESSES).map(|_| None).collect(),
        }
    }

    /// The process of address space `space`.
    #[inline(always)]
    pub fn get(&self, space: SpaceId) -> Option<&Process> {
        self.slots.get(space.0 as usize)?.as_ref()
    }

    /// The process of address space `space`.
    #[inline(always)]
    pub fn get_mut(&mut self, space: SpaceId) -> Option<&mut Process> {
        self.slots.get_mut(space.0 as usize)?.as_mut()
    }

    /// The address space of process `pid`: its slot, if free (`EAGAIN` if not: never, as the
    /// process table gives a slot a new pid only once its last one is reaped).
    fn slot_for(&self, pid: Pid) -> Result<SpaceId, Errno> {
        let space = SpaceId(pid.slot() as u32);
        match self.slots.get(pid.slot()) {
            Some(None) => Ok(space),
            _ => Err(Errno::Again),
        }
    }

    /// Puts `p` in the free slot `space`.
    fn put(&mut self, space: SpaceId, p: Process) {
        self.slots[space.0 as usize] = Some(p);
    }

    /// Takes the process of `space` out.
    fn remove(&mut self, space: SpaceId) -> Option<Process> {
        self.slots.get_mut(space.0 as usize)?.take()
    }

    /// The address space of process `pid`, if it lives.
    pub fn find(&self, pid: Pid) -> Option<SpaceId> {
        let space = SpaceId(pid.slot() as u32);
        self.get(space).filter(|p| p.pid == pid).map(|_| space)
    }
}

/// A thread id as the user sees it.
fn user_tid(tid: ThreadId) -> usize {
    tid.raw() as usize
}

impl Kernel {
    /// Starts the first process (no parent; its fds 0–2 are the console).
    pub fn spawn_first(&mut self, path: &str, args: &[&[u8]]) -> Result<Pid, Errno> {
        self.spawn(None, path.as_bytes(), args, [-1; 3])
    }

    /// A new process running the program at `path` with `args`; its fds 0–2 are `parent`'s
    /// fds `stdio[i]` (-1: the parent's fd `i`; the console for the first process).
    pub fn spawn(
        &mut self,
        parent: Option<Pid>,
        path: &[u8],
        args: &[&[u8]],
        stdio: [i32; 3],
    ) -> Result<Pid, Errno> {
        let ino = self.files.fs().lookup(path)?;
        // A program from the initrd is loaded in place; one written at run time is copied first.
        let copy: Vec<u8>;
        let bytes: &[u8] = match self.files.fs().archive_bytes(ino) {
            Some(b) => b,
            None => {
                let fs = self.files.fs();
                let chunks = fs.file_chunks(ino).ok_or(Errno::NoExec)?;
                let mut v = Vec::new();
                v.try_reserve_exact(fs.size(ino)?)
                    .map_err(|_| Errno::NoMem)?;
                chunks.for_each(|c| v.extend_from_slice(c));
                copy = v;
                &copy
            }
        };
        let name = String::from_utf8_lossy(args.first().copied().unwrap_or(path)).into_owned();
        let pid = self.procs.create(parent, &name)?;
        match self.build(pid, parent, name, bytes, args, stdio) {
            Ok(()) => Ok(pid),
            Err(e) => {
                self.procs.discard(pid, parent);
                Err(e)
            }
        }
    }

    fn build(
        &mut self,
        pid: Pid,
        parent: Option<Pid>,
        name: String,
        bytes: &[u8],
        args: &[&[u8]],
        stdio: [i32; 3],
    ) -> Result<(), Errno> {
        let slot = self.processes.slot_for(pid)?;
        let (space, image, frame) = loader::new_space(&mut self.frames, bytes, args)?;
        let segments = image
            .segments()
            .iter()
            .map(|s| (s.start, s.end, Perms::from_bits(s.prot())));
        let mv = match Vm::for_image(image.end, segments) {
            Ok(v) => v,
            Err(e) => {
                space.destroy(&mut self.frames);
                return Err(e);
            }
        };
        let tid = match self.new_thread(pid, slot, frame) {
            Ok(t) => t,
            Err(e) => {
                space.destroy(&mut self.frames);
                return Err(e);
            }
        };
        let fds = match parent {
            Some(p) => self.files.spawn(pid, p, stdio),
            None => self.files.new_console_process(pid),
        };
        if let Err(e) = fds.and_then(|_| self.signals.add(pid, parent)) {
            self.files.exit_process(pid, &mut Wakes::new());
            self.remove_thread(tid);
            space.destroy(&mut self.frames);
            return Err(e);
        }
        self.processes.put(
            slot,
            Process {
                pid,
                name,
                space,
                vm: mv,
                threads: ProcThreads::new(user_tid(tid)),
            },
        );
        Ok(())
    }

    /// Adds a runnable thread of process `pid` (address space `space`) to the thread table.
    fn new_thread(
        &mut self,
        pid: Pid,
        space: SpaceId,
        frame: TrapFrame,
    ) -> Result<ThreadId, Errno> {
        let t = Thread {
            pid,
            frame: Box::new(frame),
        };
        self.sched
            .threads
            .insert(space, Run::Ready, t)
            .ok_or(Errno::Again)
    }

    /// `thread_spawn`: a thread of the caller's process starting at `entry` with `a0 = arg`,
    /// `sp = stack_top`.
    pub fn thread_spawn(
        &mut self,
        me: Caller,
        entry: usize,
        arg: usize,
        stack_top: usize,
    ) -> Result<usize, Errno> {
        self.processes
            .get(me.space)
            .ok_or(Errno::Srch)?
            .threads
            .may_spawn()?;
        let tid = self.new_thread(me.pid, me.space, TrapFrame::new(entry, stack_top, arg, 0))?;
        if let Some(p) = self.processes.get_mut(me.space) {
            p.threads.add(user_tid(tid));
        }
        Ok(user_tid(tid))
    }

    /// `thread_exit(status)` of the caller: the last live thread's end ends the process.
    pub fn thread_exit(&mut self, me: Caller, status: i32) {
        let Some(p) = self.processes.get_mut(me.space) else {
            return;
        };
        match p.threads.exit(user_tid(me.tid), status) {
            Exit::Process(status) => self.exit_process(me.space, status),
            Exit::Thread => {
                self.remove_thread(me.tid);
                self.wake(Wait::Thread(user_tid(me.tid)));
            }
        }
    }

    /// `thread_join(tid)` by the caller: the status, once `tid` has ended.
    pub fn thread_join(&mut self, me: Caller, tid: usize) -> Result<usize, services::Error> {
        let p = self.processes.get_mut(me.space).ok_or(Errno::Srch)?;
        let status = p.threads.join(user_tid(me.tid), tid)?;
        Ok(status as u32 as usize)
    }

    /// Ends the process of address space `space` with `status`: its threads, fds, memory; wakes
    /// its parent.
    pub fn exit_process(&mut self, space: SpaceId, status: i32) {
        let Some(p) = self.processes.remove(space) else {
            return;
        };
        for id in p
            .threads
            .ids()
            .filter_map(|tid| ThreadId::from_raw(tid as u32))
        {
            self.remove_thread(id);
        }
        let pid = p.pid;
        let mut wakes = Wakes::new();
        self.files.exit_process(pid, &mut wakes);
        self.wake_all(&wakes);
        if self.sched.active == Some(space) {
            vm::activate_kernel();
            self.sched.active = None;
        }
        p.space.destroy(&mut self.frames);
        self.shm_exit(pid);
        if pid == Pid::INIT {
            kcore::power::exit(status);
        }
        self.signals.remove(pid);
        if let Some(parent) = self.procs.exit(pid, status) {
            self.child_ended(parent);
            self.wake(Wait::Child(parent));
        }
    }

    /// A page fault of the current thread, whose registers are `frame`: a demand-zero page if
    /// the policy allows (the thread runs on), else death.
    pub fn page_fault(&mut self, access: Access, frame: &TrapFrame) -> NextTask {
        let addr = kcore::csr::stval() as usize;
        let me = self.caller();
        match self.demand_page(me.space, addr, access) {
            Ok(()) => NextTask::Same,
            Err(why) => {
                self.kill_for_fault(me, Cause::PageFault(access), addr, frame.pc, why);
                NextTask::Other
            }
        }
    }

    /// Maps a fresh zeroed page at `addr` in `space` if its memory policy allows `access` there
    /// and the page is not mapped yet.
    pub fn demand_page(
        &mut self,
        space: SpaceId,
        addr: usize,
        access: Access,
    ) -> Result<(), &'static str> {
        let page = addr & !(PAGE_SIZE - 1);
        let p = self.processes.get_mut(space).ok_or("no process")?;
        if p.space.lookup(page).is_some() {
            // Mapped already: the access itself is not allowed.
            return Err("");
        }
        match self.with_user(space, |mem, _, _| mem.fault_in(page, access)) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(Errno::NoMem)) => Err("out of memory"),
            _ => Err(""),
        }
    }

    /// Any other user exception of the current thread (registers in `frame`): its process
    /// dies.
    pub fn user_fault(&mut self, cause: Cause, frame: &TrapFrame) -> NextTask {
        let addr = kcore::csr::stval() as usize;
        let me = self.caller();
        self.kill_for_fault(me, cause, addr, frame.pc, "");
        NextTask::Other
    }

    fn kill_for_fault(&mut self, me: Caller, cause: Cause, addr: usize, pc: u64, why: &str) {
        let name = self
            .processes
            .get(me.space)
            .map_or("?", |p| p.name.as_str());
        let status =
            kcore::trap::report_kill(crate::NAME, me.pid.raw(), name, cause, addr, pc, why);
        self.exit_process(me.space, status);
    }
}

/// kcore's access kind as the memory policy's.
pub fn mm_access(a: Access) -> mm::Access {
    match a {
        Access::Read => mm::Access::Read,
        Access::Write => mm::Access::Write,
        Access::Execute => mm::Access::Execute,
    }
}
