//! The structures and flag values system calls exchange. Every structure is `#[repr(C)]` with
//! explicit padding, so kernel and program agree on each byte.

/// A string or byte slice in the caller's memory: `spawn`'s argument vector, and the arguments a
/// program finds at start (`a0` = count, `a1` = pointer to that many `Str`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Str {
    /// User virtual address of the first byte.
    pub ptr: u64,
    /// Length in bytes.
    pub len: u64,
}

/// What `fstat` reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Stat {
    /// The kind of object, one of [`kind`].
    pub kind: u32,
    /// Padding, zero.
    pub _pad: u32,
    /// Size in bytes (a directory: its number of entries; a pipe: bytes waiting).
    pub size: u64,
    /// The inode number (0 for pipes).
    pub ino: u64,
}

/// Longest file name (one path component), in bytes.
pub const NAME_MAX: usize = 56;

/// Longest path, in bytes.
pub const PATH_MAX: usize = 256;

/// One directory entry, as `readdir` writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct DirEntry {
    /// The inode number.
    pub ino: u64,
    /// The kind of object, one of [`kind`].
    pub kind: u32,
    /// How many bytes of `name` are the name.
    pub name_len: u32,
    /// The name (not NUL-terminated).
    pub name: [u8; NAME_MAX],
}

impl Default for DirEntry {
    fn default() -> Self {
        DirEntry {
            ino: 0,
            kind: 0,
            name_len: 0,
            name: [0; NAME_MAX],
        }
    }
}

impl DirEntry {
    /// The name as bytes.
    pub fn name(&self) -> &[u8] {
        &self.name[..(self.name_len as usize).min(NAME_MAX)]
    }
}

/// Object kinds in [`Stat::kind`] and [`DirEntry::kind`].
pub mod kind {
    /// A regular file.
    pub const FILE: u32 = 1;
    /// A directory.
    pub const DIR: u32 = 2;
    /// A device (`/dev/console`, `/dev/null`, `/dev/zero`).
    pub const DEVICE: u32 = 3;
    /// One end of a pipe.
    pub const PIPE: u32 = 4;
    /// A named pipe (`mkfifo`), as `readdir` reports its name; an open end is a `PIPE`.
    pub const FIFO: u32 = 5;
    /// One end of a socket pair (`socketpair`).
    pub const SOCKET: u32 = 6;
    /// A message queue (`mq_open`).
    pub const MQUEUE: u32 = 7;
    /// An epoll instance.
    pub const EPOLL: u32 = 8;
    /// An asynchronous IO ring (`ring_setup`).
    pub const RING: u32 = 9;
}

/// `open` flags (Linux's values).
pub mod open {
    /// Open for reading only.
    pub const RDONLY: usize = 0;
    /// Open for writing only.
    pub const WRONLY: usize = 1;
    /// Open for reading and writing.
    pub const RDWR: usize = 2;
    /// The access-mode bits (`RDONLY`, `WRONLY`, `RDWR`).
    pub const ACCMODE: usize = 3;
    /// Create the file if it does not exist.
    pub const CREAT: usize = 0o100;
    /// Truncate the file to 0 bytes.
    pub const TRUNC: usize = 0o1000;
    /// Every write goes to the end of the file.
    pub const APPEND: usize = 0o2000;
    /// Non-blocking: a `read` or `write` that would block fails with `EAGAIN` instead.
    pub const NONBLOCK: usize = 0o4000;
    /// Every flag a kernel accepts; others are `EINVAL`.
    pub const ALL: usize = ACCMODE | CREAT | TRUNC | APPEND | NONBLOCK;
}

/// `seek` origins.
pub mod seek {
    /// From the start of the file.
    pub const SET: usize = 0;
    /// From the current offset.
    pub const CUR: usize = 1;
    /// From the end of the file.
    pub const END: usize = 2;
}

/// `mmap` protections.
pub mod prot {
    /// Readable.
    pub const READ: usize = 1;
    /// Writable.
    pub const WRITE: usize = 2;
    /// Executable.
    pub const EXEC: usize = 4;
}

/// The standard file descriptors.
pub mod fd {
    /// Standard input.
    pub const STDIN: usize = 0;
    /// Standard output.
    pub const STDOUT: usize = 1;
    /// Standard error.
    pub const STDERR: usize = 2;
}

/// Exit statuses the kernel gives a process it ends (the shell's 128 + signal convention).
pub mod exit {
    /// Ended by `kill`.
    pub const KILLED: i32 = 128 + 9;
    /// Ended by a page fault or an access fault it could not be given memory for.
    pub const FAULT: i32 = 128 + 11;
    /// Ended by an illegal instruction.
    pub const ILLEGAL: i32 = 128 + 4;
    /// Ended by a misaligned access the hardware refused, or another exception.
    pub const EXCEPTION: i32 = 128 + 7;
    /// Ended by `ebreak`.
    pub const BREAKPOINT: i32 = 128 + 5;
}

/// Limits both kernels enforce, so a program sees the same resources on each.
pub mod limits {
    /// Processes alive or not yet waited for, system-wide (`spawn` then fails with `EAGAIN`):
    /// room for a server process per client for 64 clients next to the measuring one and the
    /// in-OS test harness (`io-procs-64`). Each slot costs an empty entry in the process and fd
    /// tables; a live process costs what it did before (its fd table, page tables and stack).
    pub const PROCESSES: usize = 128;
    /// Threads per process, the first included (`thread_spawn` then fails with `EAGAIN`):
    /// enough for a server with a thread per client for 64 clients (`io-threads-64`).
    pub const THREADS: usize = 72;
    /// Open file descriptors per process (`open` then fails with `EMFILE`): enough for both
    /// ends of 64 clients' request and reply pipes in one process (the `io` benchmarks).
    pub const FDS: usize = 272;
    /// Arguments to `spawn`.
    pub const ARGS: usize = 32;
    /// Total bytes of `spawn`'s argument strings.
    pub const ARG_BYTES: usize = 4096;
    /// Bytes a pipe holds.
    pub const PIPE_BUFFER: usize = 4096;
    /// Most bytes one `read` or `write` moves (a short count beyond, as POSIX allows), so one
    /// call never pins or faults in an unbounded amount of user memory.
    pub const IO_MAX: usize = 64 * 1024;
    /// Messages a message queue holds (`mq_send` then waits).
    pub const MQ_MESSAGES: usize = 8;
    /// Most bytes of one message (`mq_send` of more is `EMSGSIZE`).
    pub const MQ_MSG_MAX: usize = 64;
    /// Message queues that may exist at once (`mq_open` then fails with `EAGAIN`).
    pub const MQ_QUEUES: usize = 16;
    /// Shared-memory objects that may exist at once (`shm_open` then fails with `ENOSPC`).
    pub const SHM_OBJECTS: usize = 16;
    /// Most bytes of one shared-memory object (1 MiB).
    pub const SHM_MAX_BYTES: usize = 1 << 20;
    /// Most bytes of a shared-memory object's name.
    pub const SHM_NAME_MAX: usize = 32;
}

/// One process as `proclist` reports it: [`ProcInfo::SIZE`] bytes, little-endian, laid out as
/// the fields in order (`pid`, `ppid`, `pgid`, `state` as `u32`, `name_len` as `u32`, then
/// [`ProcInfo::NAME`] bytes of name). Encoded with [`ProcInfo::to_bytes`] so no kernel needs an
/// unsafe cast to write it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcInfo {
    /// The process id.
    pub pid: u32,
    /// Its parent's id (0: none).
    pub ppid: u32,
    /// Its process group (0 for a zombie: its signal state is gone).
    pub pgid: u32,
    /// One of [`proc_state`].
    pub state: u32,
    /// How many bytes of `name` are the name (cut to [`ProcInfo::NAME`]).
    pub name_len: u32,
    /// The name it was spawned with (the program's path).
    pub name: [u8; ProcInfo::NAME],
}

/// [`ProcInfo::state`] values.
pub mod proc_state {
    /// Alive (running, ready or blocked).
    pub const ALIVE: u32 = 0;
    /// Exited, not yet waited for by its parent.
    pub const ZOMBIE: u32 = 1;
}

impl ProcInfo {
    /// Bytes of name kept.
    pub const NAME: usize = 44;
    /// Bytes of one encoded entry.
    pub const SIZE: usize = 20 + ProcInfo::NAME;

    /// The entry for `name` (cut to [`ProcInfo::NAME`] bytes).
    pub fn new(pid: u32, ppid: u32, pgid: u32, state: u32, name: &[u8]) -> ProcInfo {
        let n = name.len().min(ProcInfo::NAME);
        let mut buf = [0; ProcInfo::NAME];
        buf[..n].copy_from_slice(&name[..n]);
        ProcInfo {
            pid,
            ppid,
            pgid,
            state,
            name_len: n as u32,
            name: buf,
        }
    }

    /// The name as bytes.
    pub fn name(&self) -> &[u8] {
        &self.name[..(self.name_len as usize).min(ProcInfo::NAME)]
    }

    /// The encoding (see the type's note).
    pub fn to_bytes(&self) -> [u8; ProcInfo::SIZE] {
        let mut b = [0; ProcInfo::SIZE];
        let words = [self.pid, self.ppid, self.pgid, self.state, self.name_len];
        for (i, w) in words.iter().enumerate() {
            b[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
        }
        b[20..].copy_from_slice(&self.name);
        b
    }

    /// Decodes [`ProcInfo::to_bytes`]' encoding; `None` if `b` is too short.
    pub fn from_bytes(b: &[u8]) -> Option<ProcInfo> {
        let b = b.get(..ProcInfo::SIZE)?;
        let word =
            |i: usize| u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]);
        let mut name = [0; ProcInfo::NAME];
        name.copy_from_slice(&b[20..]);
        Some(ProcInfo {
            pid: word(0),
            ppid: word(1),
            pgid: word(2),
            state: word(3),
            name_len: word(4),
            name,
        })
    }
}

/// One descriptor of a `poll` call: the caller fills `fd` and `events`, the kernel writes
/// `revents` (bits of [`poll`]). A negative `fd` is skipped (`revents` = 0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct PollFd {
    /// The descriptor (negative: ignored).
    pub fd: i32,
    /// The events asked for ([`poll::IN`], [`poll::OUT`]).
    pub events: u16,
    /// The events that happened; [`poll::HUP`], [`poll::ERR`] and [`poll::NVAL`] are reported
    /// whether asked for or not.
    pub revents: u16,
}

impl PollFd {
    /// Bytes of one entry in memory.
    pub const SIZE: usize = 8;

    /// The entry whose bytes are `b` (at least [`PollFd::SIZE`]; missing bytes read as 0).
    pub fn decode(b: &[u8]) -> PollFd {
        let at = |i: usize| b.get(i).copied().unwrap_or(0);
        PollFd {
            fd: i32::from_le_bytes([at(0), at(1), at(2), at(3)]),
            events: u16::from_le_bytes([at(4), at(5)]),
            revents: u16::from_le_bytes([at(6), at(7)]),
        }
    }

    /// Writes the entry's `revents` into its bytes `b` (the only field a kernel changes).
    pub fn encode_revents(&self, b: &mut [u8]) {
        if let Some(r) = b.get_mut(6..8) {
            r.copy_from_slice(&self.revents.to_le_bytes());
        }
    }
}

/// `poll` and `epoll` event bits (Linux's values).
pub mod poll {
    /// A read would not block (data, or end of file).
    pub const IN: u16 = 0x1;
    /// A write would not block (room, or no reader left: the write fails at once).
    pub const OUT: u16 = 0x4;
    /// The write end of a pipe with no reader left.
    pub const ERR: u16 = 0x8;
    /// Hang-up: the read end of a pipe whose writers are all gone.
    pub const HUP: u16 = 0x10;
    /// The descriptor is not open.
    pub const NVAL: u16 = 0x20;
    /// Most descriptors one `poll` call takes (`EINVAL` beyond).
    pub const MAX: usize = super::limits::FDS;
    /// The timeout that means "wait as long as it takes" (any negative `isize` does; 0 looks
    /// once; a positive value waits at most that many ns: `services::timeout`).
    pub const FOREVER: usize = usize::MAX;
    /// Most events one `epoll_wait` writes (fewer than asked for is a short count; the rest
    /// stay ready for the next call).
    pub const EPOLL_BATCH: usize = 16;
}

/// What `epoll_wait` writes for a ready descriptor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct EpollEvent {
    /// The descriptor registered.
    pub fd: i32,
    /// Its events now ([`poll`] bits, among those registered, plus `HUP` and `ERR`).
    pub events: u32,
}

impl EpollEvent {
    /// Bytes of one event in memory.
    pub const SIZE: usize = 8;

    /// Writes the event into `b` (at least [`EpollEvent::SIZE`] bytes; a shorter `b` gets what
    /// fits).
    pub fn encode(&self, b: &mut [u8]) {
        let mut bytes = [0u8; 8];
        bytes[..4].copy_from_slice(&self.fd.to_le_bytes());
        bytes[4..].copy_from_slice(&self.events.to_le_bytes());
        let n = b.len().min(8);
        b[..n].copy_from_slice(&bytes[..n]);
    }
}

/// `epoll_ctl` operations (Linux's values).
pub mod epoll {
    /// Register a descriptor.
    pub const ADD: usize = 1;
    /// Forget a descriptor.
    pub const DEL: usize = 2;
    /// Change a registered descriptor's events.
    pub const MOD: usize = 3;
}

/// The longest delay `alarm_arm` takes: one second.
pub const ALARM_MAX_NS: u64 = 1_000_000_000;

/// What `alarm_wait` writes: the alarm that fired and when its interrupt was taken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct AlarmEvent {
    /// The time the alarm was set for (ns on the RTC's clock).
    pub alarm_ns: u64,
    /// The RTC's time when the driver took the interrupt (ns, at least `alarm_ns`).
    pub taken_ns: u64,
    /// The `mcycle` at which the device raised its interrupt line: exact on klab; 0 on a
    /// machine whose RTC does not say (QEMU).
    pub raised_cycle: u64,
}

impl AlarmEvent {
    /// Bytes of an event in memory.
    pub const SIZE: usize = 24;

    /// The event as it lies in memory (little-endian fields in order).
    pub fn to_bytes(&self) -> [u8; AlarmEvent::SIZE] {
        let mut b = [0u8; AlarmEvent::SIZE];
        b[..8].copy_from_slice(&self.alarm_ns.to_le_bytes());
        b[8..16].copy_from_slice(&self.taken_ns.to_le_bytes());
        b[16..].copy_from_slice(&self.raised_cycle.to_le_bytes());
        b
    }
}
