//! File descriptors: per-process tables of [`limits::FDS`] slots pointing into one table of open
//! files, which tie together the file system ([`Fs`]), pipes ([`Pipe`]) and the devices.
//!
//! ```text
//! process fd table        open files (refcounted)          objects
//! pid 1: [0,1,2,3,-,…] ─▶ #0 node /dev/console rw    ─▶  Fs inode (retained while open)
//! pid 2: [0,1,2,-,…]   ─▶ #1 node /tmp/f off=12 rw a ─▶  Fs inode
//!                         #2 pipe 0 read end         ─▶  Pipe 0 (readers 1, writers 1)
//!                         #3 pipe 0 write end        ─┘
//! ```
//!
//! Rules:
//! - **Allocation**: a new fd is the lowest free slot of the caller's table; none free is
//!   `EMFILE`. `dup` shares the open file, so its offset; so does inheritance.
//! - **Inheritance** ([`Files::new_process`], [`Files::spawn`]): a child starts with fds 0, 1, 2
//!   only, each sharing an open file of its parent or closed; `spawn`'s `stdio[i] == -1` means the
//!   parent's own fd `i` (closed in the child if it is closed in the parent). The first process
//!   gets `/dev/console` on 0, 1, 2 ([`Files::new_console_process`]).
//! - **Open flags**: [`open`]'s; unknown bits or access mode 3 are `EINVAL`. `CREAT` makes a
//!   missing file; `TRUNC` empties a file opened for writing (and is ignored otherwise);
//!   `APPEND` writes at the end. A directory opens read-only only (`EISDIR` for writing, `CREAT`
//!   or `TRUNC`); a read-only file opens for writing never (`EROFS`).
//! - **I/O**: reading or writing against the access mode is `EBADF`. Files advance the shared
//!   offset; a long file read or write may stop short between pages of the file when the
//!   caller's `preempt` asks ([`Files::read_with`], [`Files::write_with`]). `/dev/null` reads end of file and swallows writes, `/dev/zero` reads zeros and
//!   swallows writes; the console answers [`Io::Console`]: the kernel (or console server) does
//!   that I/O itself with its [`crate::tty::Tty`].
//! - **Pipes**: a read of an empty pipe with a writer blocks (`WouldBlock(PipeReadable)`), without
//!   writers it is end of file; a write to a full pipe blocks (`WouldBlock(PipeWritable)`),
//!   without readers it is `EPIPE`; a write takes what fits. Like xv6, every read that takes bytes
//!   wakes `PipeWritable`, every write that adds bytes wakes `PipeReadable`, and closing the last
//!   read (write) end wakes `PipeWritable` (`PipeReadable`), so waiters retry and see `EPIPE`
//!   (end of file). At most `pipes` pipes exist at once (`EAGAIN`: the ABI has no `ENFILE`).
//! - **Tables**: a process's fd table is found by its pid's slot ([`PidMap`]), so the fd lookup
//!   of every read and write is an index, and a stale pid has no table.
//! - **Bounds**: at most `processes` fd tables; the open-file table then never needs more than
//!   `processes * FDS` entries (each is some fd's). Every argument is checked: a bad fd is
//!   `EBADF`, nothing panics.
//!
//! - **Named pipes and socket pairs** ([`ipc`]): a fifo's name is a node of the file system
//!   naming a pipe of this table; opening it gives a plain pipe end. A socket is one open file
//!   holding the read end of one pipe and the write end of another.
//! - **Message queues** ([`mq`]): named in a namespace of their own, counted by their open
//!   files; `read` and `write` on one are `EBADF` (`mq_send` and `mq_receive` instead).
//! - **Non-blocking mode** (`open::NONBLOCK`, [`Files::set_nonblock`]) belongs to the open file
//!   (so `dup`s share it): a pipe, fifo or socket read or write that would block fails with
//!   `EAGAIN` instead (all three go through one read and one write path); the console's read is
//!   the kernel's, which asks [`Files::is_nonblocking`].
//! - **Asynchronous IO rings** ([`ring`]): an open file per ring, whose operations are this
//!   module's reads and writes.
//! - **Readiness** ([`poll`]: `poll`, [`epoll`]: epoll instances) is computed from the pipes'
//!   state; every pipe change that wakes a pipe waiter also wakes `poll`s blocked on the pipe
//!   and marks the pipe ready in the epoll instances and the IO rings ([`ring`]) watching it.
//!
//! - **Working directories** ([`cwd`]): per process, inherited; a relative path is resolved
//!   against the caller's by [`Files::resolve`], which every kernel and server applies to a
//!   path argument before it reaches these tables or the file system.
//!
//! Left out: `dup2`, close-on-exec, file locks, and the console's line discipline.

use crate::fs::{Device, Fs, Ino};
use crate::pipe::Pipe;
use crate::{Error, Pid, PidMap, PipeId, Wait, Wakes};
use abi::Errno;
use abi::types::limits::{self, FDS};
use abi::types::{DirEntry, Stat, kind, open, seek};
use alloc::vec::Vec;
use epoll::{EpId, Epoll, PipeWatch};

/// What a read or write did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Io {
    /// It moved this many bytes (0: end of file, or an empty buffer).
    Done(usize),
    /// The fd is the console, and the access mode allows the call: the kernel (or console server)
    /// does the I/O itself.
    Console,
}

/// What an open file refers to.
#[derive(Clone, Copy, Debug)]
enum Object {
    /// A file, directory or device of the file system (retained in it while open).
    Node {
        ino: Ino,
        offset: usize,
        read: bool,
        write: bool,
        append: bool,
    },
    /// The read end of a pipe.
    PipeReader(PipeId),
    /// The write end of a pipe.
    PipeWriter(PipeId),
    /// One end of a socket pair ([`Files::socketpair`]): it reads pipe `rx`, writes pipe `tx`.
    Socket { rx: PipeId, tx: PipeId },
    /// A message queue ([`Files::mq_open`]), by index into `mqs`.
    Mq(usize),
    /// An epoll instance.
    Epoll(EpId),
    /// An asynchronous IO ring ([`ring`]).
    Ring(ring::RingId),
}

/// An entry of the open-file table, shared by `refs` fds.
#[derive(Debug)]
struct OpenFile {
    refs: usize,
    object: Object,
    /// `open::NONBLOCK`: `EAGAIN` instead of blocking.
    nonblock: bool,
}

/// An index into the open-file table.
type OpenId = usize;

/// One process's fds.
type FdTable = [Option<OpenId>; FDS];

/// The file system, the pipes, the open files and every process's fds.
#[derive(Debug)]
pub struct Files<'a> {
    fs: Fs<'a>,
    /// Indexed by [`OpenId`]; `None` is free.
    open: Vec<Option<OpenFile>>,
    /// Indexed by [`PipeId`]; `None` is free.
    pipes: Vec<Option<Pipe>>,
    /// Indexed by pid slot ([`PidMap`]): every read and write finds its table in O(1).
    tables: PidMap<FdTable>,
    /// Indexed by [`PipeId`]: who watches the pipe's readiness (`poll`, epoll instances).
    watch: Vec<PipeWatch>,
    /// Indexed by [`EpId`]; `None` is free.
    epolls: Vec<Option<Epoll>>,
    max_processes: usize,
    max_pipes: usize,
    /// Message queues by id ([`mq`]); `None` is free.
    mqs: Vec<Option<mq::Named>>,
    /// Asynchronous IO rings by id ([`ring`]); `None` is free. Boxed: `ring_enter` takes its
    /// ring out of the table and puts it back, and a pointer moves cheaply.
    rings: Vec<Option<alloc::boxed::Box<ring::Ring>>>,
    /// The ring being entered (out of `rings` meanwhile) ...
    entering: Option<ring::RingId>,
    /// ... and the pipes its operations changed (kept allocated: cleared, never dropped).
    entering_changed: Vec<PipeId>,
    /// Working directories other than `/`, by pid slot ([`cwd`]).
    cwds: PidMap<Vec<u8>>,
}

impl<'a> Files<'a> {
    /// Pipes that may exist at once by default (each holds [`limits::PIPE_BUFFER`] bytes).
    pub const PIPES: usize = 256;

    /// Fd tables over `fs` for [`limits::PROCESSES`] processes and [`Files::PIPES`] pipes.
    pub fn new(fs: Fs<'a>) -> Files<'a> {
        Files::with_limits(fs, limits::PROCESSES, Files::PIPES)
    }

    /// Fd tables over `fs` for at most `processes` processes and `pipes` pipes at once.
    pub fn with_limits(fs: Fs<'a>, processes: usize, pipes: usize) -> Files<'a> {
        Files {
            fs,
            open: Vec::new(),
            pipes: Vec::new(),
            tables: PidMap::new(),
            watch: Vec::new(),
            epolls: Vec::new(),
            max_processes: processes,
            max_pipes: pipes,
            mqs: Vec::new(),
            rings: Vec::new(),
            entering: None,
            entering_changed: Vec::new(),
            cwds: PidMap::new(),
        }
    }

    /// The file system.
    pub fn fs(&self) -> &Fs<'a> {
        &self.fs
    }

    /// The file system, to change. Unlinking through it is safe: open files keep their inodes.
    pub fn fs_mut(&mut self) -> &mut Fs<'a> {
        &mut self.fs
    }

    /// Gives process `pid` an fd table whose fd `i` (0, 1, 2) shares `parent`'s fd `stdio[i]`,
    /// or is closed for `None`. `EBADF` if such a parent fd is not open (or there is no parent),
    /// `EEXIST` if `pid` has a table already, `EAGAIN` if there are `processes` tables (or its
    /// slot still holds an ended pid's table). Nothing changes on an error.
    pub fn new_process(
        &mut self,
        pid: Pid,
        parent: Option<Pid>,
        stdio: [Option<usize>; 3],
    ) -> Result<(), Errno> {
        if self.tables.contains(pid) {
            return Err(Errno::Exist);
        }
        if self.tables.len() >= self.max_processes {
            return Err(Errno::Again);
        }
        let mut table: FdTable = [None; FDS];
        for (slot, fd) in table.iter_mut().zip(stdio) {
            if let Some(fd) = fd {
                *slot = Some(self.open_id(parent.ok_or(Errno::BadF)?, fd)?);
            }
        }
        self.inherit_cwd(pid, parent)?;
        self.tables.insert(pid, table)?;
        for id in table.iter().flatten() {
            if let Some(Some(f)) = self.open.get_mut(*id) {
                f.refs += 1;
            }
        }
        Ok(())
    }

    /// [`Files::new_process`] with `spawn`'s `stdio` (see [`abi::Sys::Spawn`]): `stdio[i]` is a
    /// fd of `parent`, or -1 for `parent`'s own fd `i` (closed if that is closed); any other
    /// negative value is `EBADF`. A kernel given a null `stdio` pointer passes `[-1; 3]`.
    pub fn spawn(&mut self, child: Pid, parent: Pid, stdio: [i32; 3]) -> Result<(), Errno> {
        let mut fds = [None; 3];
        for (i, (fd, &raw)) in fds.iter_mut().zip(&stdio).enumerate() {
            *fd = match raw {
                -1 => self.open_id(parent, i).ok().map(|_| i),
                raw => Some(usize::try_from(raw).map_err(|_| Errno::BadF)?),
            };
        }
        self.new_process(child, Some(parent), fds)
    }

    /// Gives process `pid` (the first one) fds 0, 1, 2 on one open file of `/dev/console`, read
    /// and write. Errors as [`Files::new_process`].
    pub fn new_console_process(&mut self, pid: Pid) -> Result<(), Errno> {
        self.new_process(pid, None, [None; 3])?;
        let fd = self
            .open(pid, b"/dev/console", open::RDWR)
            .inspect_err(|_| {
                self.tables.remove(pid);
            })?;
        for _ in 1..3 {
            self.dup(pid, fd)?;
        }
        Ok(())
    }

    /// Whether `pid` has an fd table.
    pub fn has_process(&self, pid: Pid) -> bool {
        self.tables.contains(pid)
    }

    /// Closes every fd of `pid` and forgets its table, recording in `wakes` whom closed pipe ends
    /// wake. Nothing happens for an unknown `pid`.
    pub fn exit_process(&mut self, pid: Pid, wakes: &mut Wakes) {
        self.cwds.remove(pid);
        if let Some(table) = self.tables.remove(pid) {
            for id in table.into_iter().flatten() {
                self.put(id, wakes);
            }
        }
    }

    /// The open fds of `pid`, in order (none for an unknown `pid`).
    pub fn fds(&self, pid: Pid) -> impl Iterator<Item = usize> + '_ {
        self.tables.get(pid).into_iter().flat_map(|t| {
            t.iter()
                .enumerate()
                .filter(|(_, s)| s.is_some())
                .map(|(fd, _)| fd)
        })
    }

    /// Pipes in use.
    pub fn pipes_in_use(&self) -> usize {
        self.pipes.iter().filter(|p| p.is_some()).count()
    }

    /// `open(path, flags)` for `pid`: the new fd (rules in the module note). `EMFILE` is checked
    /// before the path is looked at, so a full table creates nothing. Opening a named pipe wakes
    /// its other side: a kernel calls [`Files::open_with`] to hear of it.
    pub fn open(&mut self, pid: Pid, path: &[u8], flags: usize) -> Result<usize, Errno> {
        self.open_with(pid, path, flags, &mut Wakes::new())
    }

    /// [`Files::open`], recording in `wakes` whom a new end of a named pipe wakes.
    pub fn open_with(
        &mut self,
        pid: Pid,
        path: &[u8],
        flags: usize,
        wakes: &mut Wakes,
    ) -> Result<usize, Errno> {
        if flags & !open::ALL != 0 {
            return Err(Errno::Inval);
        }
        let (read, write) = match flags & open::ACCMODE {
            open::RDONLY => (true, false),
            open::WRONLY => (false, true),
            open::RDWR => (true, true),
            _ => return Err(Errno::Inval),
        };
        let fd = self.free_fd(pid)?;
        let ino = match self.fs.lookup(path) {
            Ok(ino) => {
                if self.fs.kind(ino)? == kind::DIR
                    && (write || flags & (open::CREAT | open::TRUNC) != 0)
                {
                    return Err(Errno::IsDir);
                }
                ino
            }
            Err(Errno::NoEnt) if flags & open::CREAT != 0 => self.fs.create_file(path)?,
            Err(e) => return Err(e),
        };
        let nonblock = flags & open::NONBLOCK != 0;
        if let Some(p) = self.fs.fifo(ino) {
            let fd = self.open_fifo(pid, fd, p, (read, write), wakes)?;
            self.set_nonblock(pid, fd, nonblock)?;
            return Ok(fd);
        }
        let is_file = self.fs.kind(ino)? == kind::FILE;
        if is_file && write && self.fs.is_readonly(ino) {
            return Err(Errno::RoFs);
        }
        if is_file && write && flags & open::TRUNC != 0 {
            self.fs.truncate(ino)?;
        }
        let append = flags & open::APPEND != 0;
        self.fs.retain(ino)?;
        let id = self
            .new_open(Object::Node {
                ino,
                offset: 0,
                read,
                write,
                append,
            })
            .inspect_err(|_| {
                self.fs.release(ino);
            })?;
        self.set_nonblocking(id, nonblock);
        self.set_fd(pid, fd, id);
        Ok(fd)
    }

    /// `close(fd)` for `pid`; closing a pipe's last end records a wake-up in `wakes`.
    pub fn close(&mut self, pid: Pid, fd: usize, wakes: &mut Wakes) -> Result<(), Errno> {
        let slot = self
            .tables
            .get_mut(pid)
            .and_then(|t| t.get_mut(fd))
            .ok_or(Errno::BadF)?;
        let id = slot.take().ok_or(Errno::BadF)?;
        self.put(id, wakes);
        Ok(())
    }

    /// `dup(fd)` for `pid`: the lowest free fd, sharing `fd`'s open file.
    pub fn dup(&mut self, pid: Pid, fd: usize) -> Result<usize, Errno> {
        let id = self.open_id(pid, fd)?;
        let new = self.free_fd(pid)?;
        if let Some(Some(f)) = self.open.get_mut(id) {
            f.refs += 1;
        }
        self.set_fd(pid, new, id);
        Ok(new)
    }

    /// `pipe()` for `pid`: `(read fd, write fd)`, the two lowest free fds. `EMFILE` without two
    /// free fds, `EAGAIN` without a free pipe.
    pub fn pipe(&mut self, pid: Pid) -> Result<(usize, usize), Errno> {
        let table = self.tables.get(pid).ok_or(Errno::Srch)?;
        let mut free = table
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_none())
            .map(|(fd, _)| fd);
        let (Some(rfd), Some(wfd)) = (free.next(), free.next()) else {
            return Err(Errno::MFile);
        };
        let p = match self.pipes.iter().position(Option::is_none) {
            Some(i) => i,
            None if self.pipes.len() < self.max_pipes => {
                self.pipes.push(None);
                self.pipes.len() - 1
            }
            None => return Err(Errno::Again),
        };
        let r = self.new_open(Object::PipeReader(p))?;
        let w = match self.new_open(Object::PipeWriter(p)) {
            Ok(w) => w,
            Err(e) => {
                self.open[r] = None;
                return Err(e);
            }
        };
        self.pipes[p] = Some(Pipe::new());
        if self.watch.len() <= p {
            self.watch.resize_with(p + 1, PipeWatch::default);
        }
        self.set_fd(pid, rfd, r);
        self.set_fd(pid, wfd, w);
        Ok((rfd, wfd))
    }

    /// `read(fd, buf)` for `pid` (rules in the module note); a pipe read that takes bytes records
    /// `PipeWritable` in `wakes`.
    pub fn read(
        &mut self,
        pid: Pid,
        fd: usize,
        buf: &mut [u8],
        wakes: &mut Wakes,
    ) -> Result<Io, Error> {
        self.read_with(pid, fd, buf, wakes, &mut crate::never)
    }

    /// [`Files::read`] that may stop short between the pages of a file when `preempt` says so
    /// ([`crate::Preempt`]). A pipe read copies at most [`limits::PIPE_BUFFER`] bytes and is
    /// never split.
    pub fn read_with(
        &mut self,
        pid: Pid,
        fd: usize,
        buf: &mut [u8],
        wakes: &mut Wakes,
        preempt: crate::Preempt<'_>,
    ) -> Result<Io, Error> {
        let id = self.open_id(pid, fd)?;
        match self.object(id)? {
            Object::Node { read: false, .. } | Object::PipeWriter(_) => Err(Errno::BadF.into()),
            Object::Socket { rx, .. } => self.pipe_read(id, rx, buf, wakes),
            Object::Mq(_) => Err(Errno::BadF.into()),
            Object::Epoll(_) | Object::Ring(_) => Err(Errno::Inval.into()),
            Object::Node { ino, offset, .. } => {
                // Devices have no offset (they cannot seek).
                match self.fs.device(ino) {
                    Some(Device::Console) => Ok(Io::Console),
                    Some(Device::Null) => Ok(Io::Done(0)),
                    Some(Device::Zero) => {
                        buf.fill(0);
                        Ok(Io::Done(buf.len()))
                    }
                    None => {
                        let n = self.fs.read_with(ino, offset, buf, preempt)?;
                        self.advance(id, offset + n);
                        Ok(Io::Done(n))
                    }
                }
            }
            Object::PipeReader(p) => self.pipe_read(id, p, buf, wakes),
        }
    }

    /// `write(fd, data)` for `pid` (rules in the module note); a pipe write that adds bytes
    /// records `PipeReadable` in `wakes`.
    pub fn write(
        &mut self,
        pid: Pid,
        fd: usize,
        data: &[u8],
        wakes: &mut Wakes,
    ) -> Result<Io, Error> {
        self.write_with(pid, fd, data, wakes, &mut crate::never)
    }

    /// [`Files::write`] that may stop short between the pages of a file when `preempt` says so
    /// ([`crate::Preempt`]). A pipe write copies at most [`limits::PIPE_BUFFER`] bytes and is
    /// never split; the console's output is the caller's to split.
    pub fn write_with(
        &mut self,
        pid: Pid,
        fd: usize,
        data: &[u8],
        wakes: &mut Wakes,
        preempt: crate::Preempt<'_>,
    ) -> Result<Io, Error> {
        let id = self.open_id(pid, fd)?;
        match self.object(id)? {
            Object::Node { write: false, .. } | Object::PipeReader(_) => Err(Errno::BadF.into()),
            Object::Socket { tx, .. } => self.pipe_write(id, tx, data, wakes),
            Object::Mq(_) => Err(Errno::BadF.into()),
            Object::Epoll(_) | Object::Ring(_) => Err(Errno::Inval.into()),
            Object::Node {
                ino,
                offset,
                append,
                ..
            } => match self.fs.device(ino) {
                Some(Device::Console) => Ok(Io::Console),
                Some(Device::Null | Device::Zero) => Ok(Io::Done(data.len())),
                None => {
                    let at = if append { self.fs.size(ino)? } else { offset };
                    let n = self.fs.write_with(ino, at, data, preempt)?;
                    self.advance(id, at + n);
                    Ok(Io::Done(n))
                }
            },
            Object::PipeWriter(p) => self.pipe_write(id, p, data, wakes),
        }
    }

    /// At most how many bytes a `write` on `fd` would take now, so that a server copying the
    /// data from its caller first copies only that much: a pipe's free space, at least 1 (a
    /// full pipe's write blocks, and must see a byte to do so); `None` for files and devices,
    /// which take everything (or fail alike whatever the length).
    pub fn write_limit(&self, pid: Pid, fd: usize) -> Option<usize> {
        let id = self.open_id(pid, fd).ok()?;
        match self.object(id).ok()? {
            Object::PipeWriter(p) | Object::Socket { tx: p, .. } => {
                let pipe = self.pipes.get(p).and_then(Option::as_ref)?;
                Some(pipe.room().max(1))
            }
            _ => None,
        }
    }

    /// `seek(fd, offset, whence)` for `pid`: the new offset of a file (or a directory, in
    /// entries). `ESPIPE` for a pipe or device, `EINVAL` for an unknown `whence` or a result
    /// below 0 or above `i64::MAX`. Seeking past the end is allowed: a write there leaves a hole.
    pub fn seek(
        &mut self,
        pid: Pid,
        fd: usize,
        offset: i64,
        whence: usize,
    ) -> Result<usize, Errno> {
        let id = self.open_id(pid, fd)?;
        let (ino, current) = match self.object(id)? {
            Object::Node { ino, offset, .. } if self.fs.device(ino).is_none() => (ino, offset),
            _ => return Err(Errno::SPipe),
        };
        let base = match whence {
            seek::SET => 0,
            seek::CUR => current,
            seek::END => self.fs.size(ino)?,
            _ => return Err(Errno::Inval),
        };
        let base = i64::try_from(base).map_err(|_| Errno::Inval)?;
        let new = base
            .checked_add(offset)
            .and_then(|o| usize::try_from(o).ok())
            .ok_or(Errno::Inval)?;
        self.advance(id, new);
        Ok(new)
    }

    /// `fstat(fd)` for `pid`. A pipe end is kind PIPE, its size the bytes waiting, ino 0.
    pub fn fstat(&self, pid: Pid, fd: usize) -> Result<Stat, Errno> {
        match self.object(self.open_id(pid, fd)?)? {
            Object::Node { ino, .. } => self.fs.stat(ino),
            Object::Mq(q) => Ok(Stat {
                kind: kind::MQUEUE,
                _pad: 0,
                size: self.mq_len(q) as u64,
                ino: 0,
            }),
            Object::Socket { rx, .. } => Ok(Stat {
                kind: kind::SOCKET,
                _pad: 0,
                size: self.pipe_len(rx) as u64,
                ino: 0,
            }),
            Object::PipeReader(p) | Object::PipeWriter(p) => {
                let waiting = self
                    .pipes
                    .get(p)
                    .and_then(Option::as_ref)
                    .map_or(0, Pipe::len);
                Ok(Stat {
                    kind: kind::PIPE,
                    _pad: 0,
                    size: waiting as u64,
                    ino: 0,
                })
            }
            Object::Epoll(_) => Ok(Stat {
                kind: kind::EPOLL,
                ..Stat::default()
            }),
            Object::Ring(_) => Ok(Stat {
                kind: kind::RING,
                ..Stat::default()
            }),
        }
    }

    /// `readdir(fd)` for `pid`: the directory's entry at the fd's offset, which then moves on;
    /// `None` at the end. `ENOTDIR` unless `fd` is a directory. Entries made or removed while
    /// reading shift the ones after them (names are kept sorted).
    pub fn readdir(&mut self, pid: Pid, fd: usize) -> Result<Option<DirEntry>, Errno> {
        let id = self.open_id(pid, fd)?;
        match self.object(id)? {
            Object::Node { ino, offset, .. } if self.fs.kind(ino)? == kind::DIR => {
                let entry = self.fs.dir_entry(ino, offset);
                if entry.is_some() {
                    self.advance(id, offset + 1);
                }
                Ok(entry)
            }
            _ => Err(Errno::NotDir),
        }
    }

    /// `unlink(path)`: see [`Fs::unlink`]; an open file lives on until closed, and so does the
    /// pipe of a named pipe's open ends.
    pub fn unlink(&mut self, path: &[u8]) -> Result<(), Errno> {
        let fifo = self.fs.lookup(path).ok().and_then(|ino| self.fs.fifo(ino));
        self.fs.unlink(path)?;
        if let Some(p) = fifo {
            self.unname_pipe(p);
        }
        Ok(())
    }

    /// `mkdir(path)`: see [`Fs::mkdir`].
    pub fn mkdir(&mut self, path: &[u8]) -> Result<(), Errno> {
        self.fs.mkdir(path).map(|_| ())
    }

    /// The kind of what `fd` of `pid` refers to, one of [`abi::types::kind`].
    pub fn kind_of(&self, pid: Pid, fd: usize) -> Result<u32, Errno> {
        match self.object(self.open_id(pid, fd)?)? {
            Object::Node { ino, .. } => self.fs.kind(ino),
            Object::PipeReader(_) | Object::PipeWriter(_) => Ok(kind::PIPE),
            Object::Socket { .. } => Ok(kind::SOCKET),
            Object::Mq(_) => Ok(kind::MQUEUE),
            Object::Epoll(_) => Ok(kind::EPOLL),
            Object::Ring(_) => Ok(kind::RING),
        }
    }

    /// `set_nonblock(fd, on)` for `pid`: the open file's non-blocking mode.
    pub fn set_nonblock(&mut self, pid: Pid, fd: usize, on: bool) -> Result<(), Errno> {
        let id = self.open_id(pid, fd)?;
        self.set_nonblocking(id, on);
        Ok(())
    }

    /// Whether `fd` of `pid` is open and non-blocking (a console read that would block is then
    /// the kernel's `EAGAIN`).
    pub fn is_nonblocking(&self, pid: Pid, fd: usize) -> bool {
        self.open_id(pid, fd)
            .ok()
            .and_then(|id| self.open.get(id)?.as_ref())
            .is_some_and(|f| f.nonblock)
    }

    fn set_nonblocking(&mut self, id: OpenId, on: bool) {
        if let Some(Some(f)) = self.open.get_mut(id) {
            f.nonblock = on;
        }
    }

    /// What a pipe call on open file `id` that cannot go on now comes to: `EAGAIN` if the file
    /// is non-blocking, else "retry at `wait`".
    fn would_block(&self, id: OpenId, wait: Wait) -> Error {
        match self.open.get(id) {
            Some(Some(f)) if f.nonblock => Errno::Again.into(),
            _ => Error::WouldBlock(wait),
        }
    }

    /// Pipe `p` changed (bytes in or out, an end closed): wakes the `poll`s blocked on it and
    /// marks it ready in the epoll instances and rings watching it.
    fn changed(&mut self, p: PipeId, wakes: &mut Wakes) {
        let Some(w) = self.watch.get_mut(p) else {
            return;
        };
        if w.polled {
            w.polled = false;
            wakes.push(Wait::Polled);
        }
        let (epolls, rings) = (!w.epolls.is_empty(), !w.rings.is_empty());
        if epolls {
            self.notify_epolls(p, wakes);
        }
        if rings {
            self.notify_rings(p, wakes);
        }
    }

    /// The open file `fd` of `pid` refers to (`EBADF` if none).
    fn open_id(&self, pid: Pid, fd: usize) -> Result<OpenId, Errno> {
        self.tables
            .get(pid)
            .and_then(|t| t.get(fd).copied().flatten())
            .ok_or(Errno::BadF)
    }

    fn object(&self, id: OpenId) -> Result<Object, Errno> {
        self.open
            .get(id)
            .and_then(Option::as_ref)
            .map(|f| f.object)
            .ok_or(Errno::BadF)
    }

    /// Moves the offset of open file `id` (a node's) to `offset`.
    fn advance(&mut self, id: OpenId, to: usize) {
        if let Some(Some(OpenFile {
            object: Object::Node { offset, .. },
            ..
        })) = self.open.get_mut(id)
        {
            *offset = to;
        }
    }

    /// The lowest free fd of `pid` (`EMFILE` if none, `ESRCH` without a table).
    fn free_fd(&self, pid: Pid) -> Result<usize, Errno> {
        let table = self.tables.get(pid).ok_or(Errno::Srch)?;
        table.iter().position(Option::is_none).ok_or(Errno::MFile)
    }

    /// Points free fd `fd` of `pid` at open file `id` (found free by `free_fd` just before).
    fn set_fd(&mut self, pid: Pid, fd: usize, id: OpenId) {
        if let Some(slot) = self.tables.get_mut(pid).and_then(|t| t.get_mut(fd)) {
            *slot = Some(id);
        }
    }

    /// A new open file with one reference. The table holds `processes * FDS` entries at most,
    /// which every fd of every process can use: past that (a broken caller) it is `EAGAIN`.
    fn new_open(&mut self, object: Object) -> Result<OpenId, Errno> {
        let file = Some(OpenFile {
            refs: 1,
            object,
            nonblock: false,
        });
        if let Some(i) = self.open.iter().position(Option::is_none) {
            self.open[i] = file;
            return Ok(i);
        }
        if self.open.len() >= self.max_processes.saturating_mul(FDS) {
            return Err(Errno::Again);
        }
        self.open.push(file);
        Ok(self.open.len() - 1)
    }

    /// Drops one reference to open file `id`; the last one closes what it refers to.
    fn put(&mut self, id: OpenId, wakes: &mut Wakes) {
        let Some(slot) = self.open.get_mut(id) else {
            return;
        };
        let Some(file) = slot else { return };
        file.refs = file.refs.saturating_sub(1);
        if file.refs > 0 {
            return;
        }
        let object = file.object;
        *slot = None;
        match object {
            Object::Node { ino, .. } => self.fs.release(ino),
            Object::Epoll(ep) => self.drop_epoll(ep),
            Object::PipeReader(p) => self.drop_end(p, true, wakes),
            Object::PipeWriter(p) => self.drop_end(p, false, wakes),
            Object::Socket { rx, tx } => {
                self.drop_end(rx, true, wakes);
                self.drop_end(tx, false, wakes);
            }
            Object::Mq(q) => self.mq_put(q, wakes),
            Object::Ring(r) => self.drop_ring(r),
        }
    }
}

mod cwd;
mod ipc;
mod mq;
#[cfg(test)]
mod tests;

#[cfg(test)]
mod io_tests;

pub mod epoll;
pub mod poll;
pub mod ring;
pub mod sendfile;
