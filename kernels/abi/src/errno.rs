//! Error numbers: a failed system call returns `-errno` in `a0`. The values are Linux's, so the
//! numbers in a trace read the way they do everywhere else.

/// Why a system call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(i32)]
pub enum Errno {
    /// The operation is not permitted.
    Perm = 1,
    /// No such file or directory.
    NoEnt = 2,
    /// No such process (or thread).
    Srch = 3,
    /// A signal interrupted a blocked call.
    Intr = 4,
    /// An I/O error.
    Io = 5,
    /// The argument list is too long.
    TooBig = 7,
    /// The file is not an executable this kernel can load.
    NoExec = 8,
    /// The file descriptor is not open (or not open for this operation).
    BadF = 9,
    /// There is no child to wait for.
    Child = 10,
    /// A resource is exhausted for now (process or thread slots); trying later may work.
    Again = 11,
    /// Out of memory.
    NoMem = 12,
    /// A pointer argument does not point to memory the caller may use this way.
    Fault = 14,
    /// The target is busy (a directory in use, a thread already joined).
    Busy = 16,
    /// The name exists already.
    Exist = 17,
    /// A path component is not a directory.
    NotDir = 20,
    /// The operation needs a file, and this is a directory.
    IsDir = 21,
    /// An argument is invalid.
    Inval = 22,
    /// The process has no free file descriptor.
    MFile = 24,
    /// The file system is full.
    NoSpc = 28,
    /// The file descriptor cannot seek (a pipe or a device).
    SPipe = 29,
    /// The file system (or this part of it) is read-only.
    RoFs = 30,
    /// Writing to a pipe nobody reads.
    Pipe = 32,
    /// The call would deadlock (an IPC call against the deadlock rule).
    Deadlk = 35,
    /// A name is too long.
    NameTooLong = 36,
    /// There is no system call with this number.
    NoSys = 38,
    /// The directory is not empty.
    NotEmpty = 39,
    /// A message is longer than a message queue takes, or than the buffer to receive it.
    MsgSize = 90,
}

impl Errno {
    /// Every error number, for tables and tests.
    pub const ALL: [Errno; 27] = [
        Errno::Perm,
        Errno::NoEnt,
        Errno::Srch,
        Errno::Intr,
        Errno::Io,
        Errno::TooBig,
        Errno::NoExec,
        Errno::BadF,
        Errno::Child,
        Errno::Again,
        Errno::NoMem,
        Errno::Fault,
        Errno::Busy,
        Errno::Exist,
        Errno::NotDir,
        Errno::IsDir,
        Errno::Inval,
        Errno::MFile,
        Errno::NoSpc,
        Errno::SPipe,
        Errno::RoFs,
        Errno::Pipe,
        Errno::Deadlk,
        Errno::NameTooLong,
        Errno::NoSys,
        Errno::NotEmpty,
        Errno::MsgSize,
    ];

    /// The positive error number.
    pub const fn code(self) -> i32 {
        self as i32
    }

    /// The value a system call returns for this error: `-errno`.
    pub const fn ret(self) -> isize {
        -(self as isize)
    }

    /// The error a positive number names.
    pub fn from_code(code: i32) -> Option<Errno> {
        Errno::ALL.iter().copied().find(|e| e.code() == code)
    }

    /// Splits a system call's return value into success and error. A negative value that names no
    /// error is reported as `Inval`, never dropped.
    pub fn check(ret: isize) -> Result<usize, Errno> {
        if ret >= 0 {
            Ok(ret as usize)
        } else {
            Err(i32::try_from(-ret)
                .ok()
                .and_then(Errno::from_code)
                .unwrap_or(Errno::Inval))
        }
    }

    /// The symbolic name, as in C (`EFAULT`).
    pub const fn name(self) -> &'static str {
        match self {
            Errno::Perm => "EPERM",
            Errno::NoEnt => "ENOENT",
            Errno::Srch => "ESRCH",
            Errno::Intr => "EINTR",
            Errno::Io => "EIO",
            Errno::TooBig => "E2BIG",
            Errno::NoExec => "ENOEXEC",
            Errno::BadF => "EBADF",
            Errno::Child => "ECHILD",
            Errno::Again => "EAGAIN",
            Errno::NoMem => "ENOMEM",
            Errno::Fault => "EFAULT",
            Errno::Busy => "EBUSY",
            Errno::Exist => "EEXIST",
            Errno::NotDir => "ENOTDIR",
            Errno::IsDir => "EISDIR",
            Errno::Inval => "EINVAL",
            Errno::MFile => "EMFILE",
            Errno::NoSpc => "ENOSPC",
            Errno::SPipe => "ESPIPE",
            Errno::RoFs => "EROFS",
            Errno::Pipe => "EPIPE",
            Errno::Deadlk => "EDEADLK",
            Errno::NameTooLong => "ENAMETOOLONG",
            Errno::NoSys => "ENOSYS",
            Errno::NotEmpty => "ENOTEMPTY",
            Errno::MsgSize => "EMSGSIZE",
        }
    }

    /// A short description, for messages.
    pub const fn message(self) -> &'static str {
        match self {
            Errno::Perm => "operation not permitted",
            Errno::NoEnt => "no such file or directory",
            Errno::Srch => "no such process",
            Errno::Intr => "interrupted by a signal",
            Errno::Io => "input/output error",
            Errno::TooBig => "argument list too long",
            Errno::NoExec => "not an executable",
            Errno::BadF => "bad file descriptor",
            Errno::Child => "no child processes",
            Errno::Again => "resource temporarily unavailable",
            Errno::NoMem => "out of memory",
            Errno::Fault => "bad address",
            Errno::Busy => "busy",
            Errno::Exist => "file exists",
            Errno::NotDir => "not a directory",
            Errno::IsDir => "is a directory",
            Errno::Inval => "invalid argument",
            Errno::MFile => "too many open files",
            Errno::NoSpc => "no space left",
            Errno::SPipe => "illegal seek",
            Errno::RoFs => "read-only file system",
            Errno::Pipe => "broken pipe",
            Errno::Deadlk => "resource deadlock avoided",
            Errno::NameTooLong => "name too long",
            Errno::NoSys => "no such system call",
            Errno::NotEmpty => "directory not empty",
            Errno::MsgSize => "message too long",
        }
    }
}

impl core::fmt::Display for Errno {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} ({})", self.message(), self.name())
    }
}
