//! Starting a process: `spawn(path, path_len, argv, argc, stdio)` and the first process.
//!
//! The arguments are copied in and checked before anything changes, in `mono`'s order (argument
//! count, path, each argument string, stdio): the path from lease 0, the `Str` array from lease
//! 1, each string with `SPACE_READ` (a lease cannot follow pointers), stdio from lease 2. Then,
//! as `mono`'s `spawn` and `build`: the program's bytes from fs (`FS_PROGRAM`), a process-table
//! entry, the address space with the program and arguments (`SPACE_NEW`), its memory policy in
//! mem (`MEM_NEW`), its fds in fs (`FS_SPAWN`), and only then its first thread runs. A failure
//! undoes what was done and leaves no child behind.

use alloc::string::String;
use alloc::vec::Vec;

use abi::Errno;
use abi::ipc::{Badge, ImageInfo, label, level};
use abi::types::{Str, limits};
use servers::kernel::{self, Loan};
use servers::{Fail, Outcome, lease, proto};
use services::Pid;
use services::threads::ProcThreads;

use crate::{Proc, end_space};

/// The program buffer's first size: most programs fit, so one `FS_PROGRAM` suffices.
pub const IMAGE_START: usize = 256 * 1024;

/// A program's arguments, copied into our memory: one arena of bytes and where each string is.
#[derive(Debug, Default)]
pub struct Command {
    /// Every argument's bytes, one after the other.
    arena: Vec<u8>,
    /// Each argument's start in `arena` and length.
    spans: Vec<(usize, usize)>,
}

impl Command {
    /// Appends an argument of `len` bytes (zeroed) and returns it, to be filled in.
    fn push(&mut self, len: usize) -> &mut [u8] {
        let start = self.arena.len();
        self.arena.resize(start + len, 0);
        self.spans.push((start, len));
        &mut self.arena[start..]
    }

    /// The argument vector `SPACE_NEW` reads: `Str`s naming our copies (valid while `self` is
    /// not changed).
    fn argv(&self) -> Vec<Str> {
        let base = self.arena.as_ptr() as u64;
        self.spans
            .iter()
            .map(|&(start, len)| Str {
                ptr: base + start as u64,
                len: len as u64,
            })
            .collect()
    }

    /// The process's name: its `argv[0]`, else the path.
    fn name(&self, path: &[u8]) -> String {
        let first = self.spans.first().map(|&(s, l)| &self.arena[s..s + l]);
        String::from_utf8_lossy(first.unwrap_or(path)).into_owned()
    }
}

impl Proc {
    /// Starts the first process (no parent; its fds 0–2 are the console).
    pub fn spawn_first(&mut self, path: &str, args: &[&str]) -> Result<Pid, Errno> {
        let mut cmd = Command::default();
        for a in args {
            cmd.push(a.len()).copy_from_slice(a.as_bytes());
        }
        self.spawn(None, path.as_bytes(), &cmd, [-1; 3])
    }

    /// `spawn(path, path_len, argv, argc, stdio)` from thread `badge` of `parent`.
    pub fn sys_spawn(&mut self, parent: Pid, badge: Badge, a: &[usize; 6]) -> Outcome {
        let [_, path_len, _, argc, stdio, _] = *a;
        if argc > limits::ARGS {
            return Err(Errno::TooBig.into());
        }
        let path = lease::path(badge, 0, path_len)?;
        let cmd = read_args(badge, argc)?;
        let stdio: [i32; 3] = if stdio == 0 {
            [-1; 3]
        } else {
            lease::read_value(badge, 2)?
        };
        Ok(self
            .spawn(Some(parent), path.as_bytes(), &cmd, stdio)?
            .raw())
    }

    /// A new process running the program at `path` with `cmd`; its fds 0–2 are `parent`'s fds
    /// `stdio[i]` (-1: the parent's fd `i`; the console for the first process).
    fn spawn(
        &mut self,
        parent: Option<Pid>,
        path: &[u8],
        cmd: &Command,
        stdio: [i32; 3],
    ) -> Result<Pid, Errno> {
        let size = self.load(path, parent)?;
        let pid = self.procs.create(parent, &cmd.name(path))?;
        match self.build(pid, parent, size, cmd, stdio) {
            Ok(()) => Ok(pid),
            Err(e) => {
                self.procs.discard(pid, parent);
                Err(e)
            }
        }
    }

    /// Copies the program at `path` (relative to `parent`'s working directory) from fs into
    /// `self.image`; its size.
    fn load(&mut self, path: &[u8], parent: Option<Pid>) -> Result<usize, Errno> {
        let spawner = parent.map_or(0, |p| p.raw() as u64);
        loop {
            let size = kernel::call(
                level::FS,
                label::FS_PROGRAM,
                &[spawner],
                &mut [Loan::Read(path), Loan::Write(&mut self.image)],
            )?;
            if size <= self.image.len() {
                return Ok(size);
            }
            // Too big for the buffer: fs copied nothing; grow and ask again.
            self.image.resize(size, 0);
        }
    }

    /// Makes process `pid` from the `size` bytes of `self.image` and starts its first thread;
    /// on failure undoes all of it but the process-table entry.
    fn build(
        &mut self,
        pid: Pid,
        parent: Option<Pid>,
        size: usize,
        cmd: &Command,
        stdio: [i32; 3],
    ) -> Result<(), Errno> {
        let argv = cmd.argv();
        let mut info = ImageInfo::default();
        let elf = self.image.get(..size).ok_or(Errno::NoExec)?;
        let tid = kernel::space_new(pid, elf, &argv, &mut info)?;
        let started = attach(pid, parent, &info, stdio).and_then(|()| {
            self.processes.insert(pid, ProcThreads::new(tid))?;
            self.signals.add(pid, parent)?;
            kernel::thread_start(tid)
        });
        if let Err(e) = started {
            self.processes.remove(pid);
            self.signals.remove(pid);
            end_space(pid);
            return Err(e);
        }
        Ok(())
    }
}

/// Gives new process `pid` its memory policy in mem and its fds in fs.
fn attach(pid: Pid, parent: Option<Pid>, info: &ImageInfo, stdio: [i32; 3]) -> Result<(), Errno> {
    let info = lease::bytes(core::slice::from_ref(info));
    kernel::call(
        level::MEM,
        label::MEM_NEW,
        &[pid.raw() as u64],
        &mut [Loan::Read(info)],
    )?;
    let [io01, io2] = proto::pack_stdio(stdio);
    let parent = parent.map_or(0, |p| p.raw() as u64);
    kernel::call(
        level::FS,
        label::FS_SPAWN,
        &[pid.raw() as u64, parent, io01, io2],
        &mut [],
    )?;
    Ok(())
}

/// Copies `spawn`'s `argc` argument strings: the `Str` array from lease 1, each string from the
/// caller's memory. `E2BIG` once they total more than `ARG_BYTES` (checked before each string is
/// read, as `mono`), `EFAULT` for a string the caller may not read.
fn read_args(badge: Badge, argc: usize) -> Result<Command, Fail> {
    let mut strs = [Str::default(); limits::ARGS];
    let strs = strs.get_mut(..argc).ok_or(Errno::TooBig)?;
    lease::read_exact(badge, 1, lease::bytes_mut(strs))?;
    let mut cmd = Command::default();
    let mut total = 0usize;
    for s in strs.iter() {
        let len = usize::try_from(s.len).map_err(|_| Errno::TooBig)?;
        total = total.saturating_add(len);
        if total > limits::ARG_BYTES {
            return Err(Errno::TooBig.into());
        }
        let dst = cmd.push(len);
        if len == 0 {
            continue;
        }
        match kernel::space_read(badge.pid(), s.ptr as usize, dst) {
            Ok(n) if n == len => {}
            Ok(_) => return Err(Errno::Fault.into()),
            Err(Errno::Srch) => return Err(Fail::Gone),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(cmd)
}
