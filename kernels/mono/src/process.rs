//! Processes and threads: creating a process from a program in the file system (`spawn`, this
//! OS's fork+exec), ending it (`exit`, `kill`, a fault), and the threads inside it.
//!
//! A process is an address space (`kcore::vm`), its memory policy (`services::mm::Vm`), an entry
//! in the process table and fd table (`services`), and one or more threads. Thread ids are
//! global and never reused; an ended thread keeps its status until joined or until its process
//! ends. A user fault kills only the faulting process, with one console line naming it.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use abi::Errno;
use abi::layout::PAGE_SIZE;
use abi::types::{exit, limits};
use kcore::loader;
use kcore::trap::{Access, Cause, TrapFrame};
use kcore::vm::{self, AddressSpace};
use services::mm::{self, Perms, Vm};
use services::{Pid, Wait, Wakes};

use crate::kernel::Kernel;

/// A process.
pub struct Process {
    /// Its program's name (argv\[0\]).
    pub name: String,
    /// Its page tables.
    pub space: AddressSpace,
    /// Its memory policy.
    pub vm: Vm,
    /// Its threads (live or ended and not yet joined).
    pub threads: Vec<usize>,
}

/// A thread.
pub struct Thread {
    /// Its process.
    pub pid: Pid,
    /// Its registers while it is not running.
    pub frame: Box<TrapFrame>,
    /// What it waits for, if it is blocked.
    pub blocked_on: Option<Wait>,
    /// When it wakes, if it sleeps (timer ticks).
    pub sleep_until: Option<u64>,
    /// Its status once ended (waiting to be joined).
    pub ended: Option<i32>,
}

impl Thread {
    /// Whether the thread may run (not blocked, asleep or ended).
    pub fn runnable(&self) -> bool {
        self.blocked_on.is_none() && self.sleep_until.is_none() && self.ended.is_none()
    }

    fn new(pid: Pid, frame: TrapFrame) -> Thread {
        Thread {
            pid,
            frame: Box::new(frame),
            blocked_on: None,
            sleep_until: None,
            ended: None,
        }
    }
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
                self.procs.exit(pid, exit::EXCEPTION);
                if let Some(p) = parent {
                    let _ = self.procs.wait(p, Some(pid));
                }
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
        let fds = match parent {
            Some(p) => self.files.spawn(pid, p, stdio),
            None => self.files.new_console_process(pid),
        };
        if let Err(e) = fds {
            space.destroy(&mut self.frames);
            return Err(e);
        }
        let tid = self.new_thread(pid, frame);
        self.processes.insert(
            pid,
            Process {
                name,
                space,
                vm: mv,
                threads: alloc::vec![tid],
            },
        );
        Ok(())
    }

    /// Adds a runnable thread to process `pid`.
    fn new_thread(&mut self, pid: Pid, frame: TrapFrame) -> usize {
        let tid = self.next_tid;
        self.next_tid += 1;
        self.threads.insert(tid, Thread::new(pid, frame));
        self.runq.push(tid);
        tid
    }

    /// `thread_spawn`: a thread of `pid` starting at `entry` with `a0 = arg`, `sp = stack_top`.
    pub fn thread_spawn(
        &mut self,
        pid: Pid,
        entry: usize,
        arg: usize,
        stack_top: usize,
    ) -> Result<usize, Errno> {
        let p = self.processes.get(&pid).ok_or(Errno::Srch)?;
        if p.threads.len() >= limits::THREADS {
            return Err(Errno::Again);
        }
        let tid = self.new_thread(pid, TrapFrame::new(entry, stack_top, arg, 0));
        if let Some(p) = self.processes.get_mut(&pid) {
            p.threads.push(tid);
        }
        Ok(tid)
    }

    /// `thread_exit(status)` of `tid`: the last live thread's end ends the process.
    pub fn thread_exit(&mut self, tid: usize, status: i32) {
        let Some(pid) = self.threads.get(&tid).map(|t| t.pid) else {
            return;
        };
        let live = self.processes.get(&pid).map_or(0, |p| {
            p.threads
                .iter()
                .filter(|t| self.threads.get(t).is_some_and(|t| t.ended.is_none()))
                .count()
        });
        if live <= 1 {
            self.exit_process(pid, status);
            return;
        }
        if let Some(t) = self.threads.get_mut(&tid) {
            t.ended = Some(status);
            t.blocked_on = None;
            t.sleep_until = None;
        }
        self.runq.remove(tid);
        if self.current == Some(tid) {
            self.current = None;
        }
        self.wake(Wait::Thread(tid));
    }

    /// `thread_join(tid)` by a thread of `pid`: the status, once `tid` has ended.
    pub fn thread_join(
        &mut self,
        pid: Pid,
        me: usize,
        tid: usize,
    ) -> Result<usize, services::Error> {
        if tid == me {
            return Err(Errno::Inval.into());
        }
        let t = self
            .threads
            .get(&tid)
            .filter(|t| t.pid == pid)
            .ok_or(Errno::Srch)?;
        let Some(status) = t.ended else {
            return Err(services::Error::WouldBlock(Wait::Thread(tid)));
        };
        self.threads.remove(&tid);
        if let Some(p) = self.processes.get_mut(&pid) {
            p.threads.retain(|&t| t != tid);
        }
        Ok(status as u32 as usize)
    }

    /// Ends process `pid` with `status`: its threads, fds, memory; wakes its parent.
    pub fn exit_process(&mut self, pid: Pid, status: i32) {
        let Some(p) = self.processes.remove(&pid) else {
            return;
        };
        for tid in &p.threads {
            self.threads.remove(tid);
            self.runq.remove(*tid);
            if self.current == Some(*tid) {
                self.current = None;
            }
        }
        let mut wakes = Wakes::new();
        self.files.exit_process(pid, &mut wakes);
        self.wake_all(&wakes);
        if self.active == Some(pid) {
            vm::activate_kernel();
            self.active = None;
        }
        p.space.destroy(&mut self.frames);
        if pid == 1 {
            kcore::power::exit(status);
        }
        if let Some(parent) = self.procs.exit(pid, status) {
            self.wake(Wait::Child(parent));
        }
    }

    /// `kill(pid)`.
    pub fn kill(&mut self, pid: Pid) -> Result<usize, Errno> {
        if !self.processes.contains_key(&pid) {
            return Err(Errno::Srch);
        }
        self.exit_process(pid, exit::KILLED);
        Ok(0)
    }

    /// A page fault of thread `tid`: a demand-zero page if the policy allows, else death.
    pub fn page_fault(&mut self, tid: usize, access: Access) {
        let addr = kcore::csr::stval() as usize;
        let Some(pid) = self.threads.get(&tid).map(|t| t.pid) else {
            return;
        };
        match self.demand_page(pid, addr, access) {
            Ok(()) => {}
            Err(why) => self.kill_for_fault(tid, Cause::PageFault(access), addr, why),
        }
    }

    /// Maps a fresh zeroed page at `addr` in `pid` if its memory policy allows `access` there and
    /// the page is not mapped yet.
    pub fn demand_page(
        &mut self,
        pid: Pid,
        addr: usize,
        access: Access,
    ) -> Result<(), &'static str> {
        let page = addr & !(PAGE_SIZE - 1);
        let p = self.processes.get_mut(&pid).ok_or("no process")?;
        if p.space.lookup(page).is_some() {
            // Mapped already: the access itself is not allowed.
            return Err("");
        }
        match self.with_user(pid, |mem, _, _| mem.fault_in(page, access)) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(Errno::NoMem)) => Err("out of memory"),
            _ => Err(""),
        }
    }

    /// Any other user exception: the process dies.
    pub fn user_fault(&mut self, tid: usize, cause: Cause) {
        let addr = kcore::csr::stval() as usize;
        self.kill_for_fault(tid, cause, addr, "");
    }

    fn kill_for_fault(&mut self, tid: usize, cause: Cause, addr: usize, why: &str) {
        let Some(t) = self.threads.get(&tid) else {
            return;
        };
        let pid = t.pid;
        let pc = t.frame.pc;
        let name = self.processes.get(&pid).map_or("?", |p| p.name.as_str());
        let status = kcore::trap::report_kill(crate::NAME, pid, name, cause, addr, pc, why);
        self.exit_process(pid, status);
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
