//! Safe system calls: each wraps its [`crate::raw`] stub, passing slices and strings as the
//! pointer + length pairs `abi` describes and turning `-errno` into `Err`.

use abi::Errno;
use abi::types::{DirEntry, Stat, Str, limits};

use crate::raw;

fn check(ret: isize) -> Result<usize, Errno> {
    Errno::check(ret)
}

/// Ends the process with `status`.
pub fn exit(status: i32) -> ! {
    // Safety: no pointers; the kernel does not return.
    unsafe { raw::exit(status as usize) };
    unreachable_end()
}

/// Ends the calling thread with `status` (the process, if it is the last thread).
pub fn thread_exit(status: i32) -> ! {
    // Safety: no pointers; the kernel does not return.
    unsafe { raw::thread_exit(status as usize) };
    unreachable_end()
}

/// Where a call that cannot return went on anyway: a kernel bug. Spin rather than run on.
fn unreachable_end() -> ! {
    loop {
        core::hint::spin_loop();
    }
}

/// The process id.
pub fn getpid() -> usize {
    // Safety: no pointers.
    unsafe { raw::getpid() as usize }
}

/// Lets other runnable threads run first.
pub fn yield_now() {
    // Safety: no pointers.
    unsafe { raw::yield_now() };
}

/// Sleeps for at least `nanoseconds`.
pub fn sleep(nanoseconds: u64) {
    // Safety: no pointers.
    unsafe { raw::sleep(nanoseconds as usize) };
}

/// Nanoseconds since boot.
pub fn clock() -> u64 {
    // Safety: no pointers.
    unsafe { raw::clock() as u64 }
}

/// Reads up to `buf.len()` bytes; 0 at end of file.
pub fn read(fd: usize, buf: &mut [u8]) -> Result<usize, Errno> {
    // Safety: `buf` is writable for its length.
    check(unsafe { raw::read(fd, buf.as_mut_ptr() as usize, buf.len()) })
}

/// Writes up to `buf.len()` bytes; returns how many were written.
pub fn write(fd: usize, buf: &[u8]) -> Result<usize, Errno> {
    // Safety: `buf` is readable for its length.
    check(unsafe { raw::write(fd, buf.as_ptr() as usize, buf.len()) })
}

/// Opens `path` with `abi::types::open` flags.
pub fn open(path: &str, flags: usize) -> Result<usize, Errno> {
    // Safety: `path` is readable for its length.
    check(unsafe { raw::open(path.as_ptr() as usize, path.len(), flags) })
}

/// Closes `fd`.
pub fn close(fd: usize) -> Result<(), Errno> {
    // Safety: no pointers.
    check(unsafe { raw::close(fd) }).map(drop)
}

/// A second descriptor for `fd`'s open file.
pub fn dup(fd: usize) -> Result<usize, Errno> {
    // Safety: no pointers.
    check(unsafe { raw::dup(fd) })
}

/// A new pipe: `(read end, write end)`.
pub fn pipe() -> Result<(usize, usize), Errno> {
    let mut fds = [0i32; 2];
    // Safety: `fds` is writable, two i32.
    check(unsafe { raw::pipe(fds.as_mut_ptr() as usize) })?;
    Ok((fds[0] as usize, fds[1] as usize))
}

/// Moves `fd`'s offset (`abi::types::seek` origins); returns the new offset.
pub fn seek(fd: usize, offset: i64, whence: usize) -> Result<u64, Errno> {
    // Safety: no pointers.
    check(unsafe { raw::seek(fd, offset as usize, whence) }).map(|o| o as u64)
}

/// What `fd` is.
pub fn fstat(fd: usize) -> Result<Stat, Errno> {
    let mut st = Stat::default();
    // Safety: `st` is writable, one Stat.
    check(unsafe { raw::fstat(fd, &mut st as *mut Stat as usize) })?;
    Ok(st)
}

/// Removes a file or an empty directory.
pub fn unlink(path: &str) -> Result<(), Errno> {
    // Safety: `path` is readable for its length.
    check(unsafe { raw::unlink(path.as_ptr() as usize, path.len()) }).map(drop)
}

/// Makes a directory.
pub fn mkdir(path: &str) -> Result<(), Errno> {
    // Safety: `path` is readable for its length.
    check(unsafe { raw::mkdir(path.as_ptr() as usize, path.len()) }).map(drop)
}

/// Makes the directory at `path` the working directory (relative paths resolve against it).
pub fn chdir(path: &str) -> Result<(), Errno> {
    // Safety: `path` is readable for its length.
    check(unsafe { raw::chdir(path.as_ptr() as usize, path.len()) }).map(drop)
}

/// The working directory, an absolute path.
pub fn getcwd() -> Result<alloc::string::String, Errno> {
    let mut buf = alloc::vec![0u8; abi::types::PATH_MAX];
    // Safety: `buf` is writable for its length.
    let n = check(unsafe { raw::getcwd(buf.as_mut_ptr() as usize, buf.len()) })?;
    buf.truncate(n);
    alloc::string::String::from_utf8(buf).map_err(|_| Errno::Inval)
}

/// The directory's next entry, `None` at the end.
pub fn readdir(fd: usize) -> Result<Option<DirEntry>, Errno> {
    let mut e = DirEntry::default();
    // Safety: `e` is writable, one DirEntry.
    let n = check(unsafe { raw::readdir(fd, &mut e as *mut DirEntry as usize) })?;
    Ok((n == 1).then_some(e))
}

/// Starts the program at `path` with `args` (by convention `args[0]` is its name). `stdio[i]`,
/// when given and not -1, is the caller's fd that becomes the child's fd `i`.
pub fn spawn(path: &str, args: &[&str], stdio: Option<[i32; 3]>) -> Result<usize, Errno> {
    if args.len() > limits::ARGS {
        return Err(Errno::TooBig);
    }
    let mut argv = [Str::default(); limits::ARGS];
    for (slot, a) in argv.iter_mut().zip(args) {
        *slot = Str {
            ptr: a.as_ptr() as u64,
            len: a.len() as u64,
        };
    }
    let stdio_ptr = stdio.as_ref().map_or(0, |s| s.as_ptr() as usize);
    // Safety: every pointer is to live memory of the stated length.
    check(unsafe {
        raw::spawn(
            path.as_ptr() as usize,
            path.len(),
            argv.as_ptr() as usize,
            args.len(),
            stdio_ptr,
        )
    })
}

/// Waits for child `pid` (or any child, with `None`) to exit: `(pid, status)`.
pub fn wait(pid: Option<usize>) -> Result<(usize, i32), Errno> {
    let mut status = 0i32;
    let which = pid.map_or(usize::MAX, |p| p);
    // Safety: `status` is writable, one i32.
    let pid = check(unsafe { raw::wait(which, &mut status as *mut i32 as usize) })?;
    Ok((pid, status))
}

/// Ends process `pid` (`SIGKILL`; [`crate::signal::kill`] sends any signal).
pub fn kill(pid: usize) -> Result<(), Errno> {
    crate::signal::kill(pid, abi::signal::SIGKILL)
}

/// Sets the heap's end (0: just report it); returns the end after the call.
pub fn brk(end: usize) -> Result<usize, Errno> {
    // Safety: no pointers; the heap's new pages are the kernel's to provide.
    check(unsafe { raw::brk(end) })
}

/// Maps `len` bytes of zeroed memory with `abi::types::prot` bits; returns its address.
pub fn mmap(len: usize, prot: usize) -> Result<usize, Errno> {
    // Safety: no pointers.
    check(unsafe { raw::mmap(len, prot) })
}

/// Unmaps `len` bytes at `addr`.
///
/// # Safety
/// Nothing may use the memory afterwards.
pub unsafe fn munmap(addr: usize, len: usize) -> Result<(), Errno> {
    // Safety: the caller gives the memory up.
    check(unsafe { raw::munmap(addr, len) }).map(drop)
}

/// Joins thread `tid` of this process: its exit status.
pub fn thread_join(tid: usize) -> Result<i32, Errno> {
    // A status travels as its 32-bit pattern, so a negative status survives the trip.
    // Safety: no pointers.
    check(unsafe { raw::thread_join(tid) }).map(|s| s as u32 as i32)
}

/// Writes as many processes as fit in `buf` (whole [`abi::types::ProcInfo::SIZE`]-byte
/// entries, decoded with `ProcInfo::from_bytes`); returns how many processes there are.
pub fn proclist(buf: &mut [u8]) -> Result<usize, Errno> {
    let count = buf.len() / abi::types::ProcInfo::SIZE;
    // Safety: `buf` is writable for `count` entries.
    check(unsafe { raw::proclist(buf.as_mut_ptr() as usize, count) })
}

/// Makes a named pipe at `path` (open it read-only or write-only for an end).
pub fn mkfifo(path: &str) -> Result<(), Errno> {
    // Safety: `path` is readable for its length.
    check(unsafe { raw::mkfifo(path.as_ptr() as usize, path.len()) }).map(drop)
}

/// Two connected sockets: each fd reads what the other writes.
pub fn socketpair() -> Result<(usize, usize), Errno> {
    let mut fds = [0i32; 2];
    // Safety: `fds` is writable, two i32.
    check(unsafe { raw::socketpair(fds.as_mut_ptr() as usize) })?;
    Ok((fds[0] as usize, fds[1] as usize))
}

/// Sleeps while the word `word` holds `expected`, until a [`futex_wake`] on it: `Ok` once
/// woken, `EAGAIN` if it held something else, `EINTR` if a signal came first.
pub fn futex_wait(word: &core::sync::atomic::AtomicU32, expected: u32) -> Result<(), Errno> {
    // Safety: `word` is a live, aligned u32 the kernel only reads.
    check(unsafe { raw::futex_wait(word.as_ptr() as usize, expected as usize) }).map(drop)
}

/// Wakes at most `n` threads waiting on `word` (in any process sharing its frame): how many.
pub fn futex_wake(word: &core::sync::atomic::AtomicU32, n: usize) -> Result<usize, Errno> {
    // Safety: `word` is a live, aligned u32 the kernel only reads.
    check(unsafe { raw::futex_wake(word.as_ptr() as usize, n) })
}

/// Opens the message queue `name` (its own namespace), made first with `O_CREAT` in `flags`.
pub fn mq_open(name: &str, flags: usize) -> Result<usize, Errno> {
    // Safety: `name` is readable for its length.
    check(unsafe { raw::mq_open(name.as_ptr() as usize, name.len(), flags) })
}

/// Queues one message (waits while the queue is full).
pub fn mq_send(fd: usize, msg: &[u8]) -> Result<(), Errno> {
    // Safety: `msg` is readable for its length; the kernel only reads it.
    check(unsafe { raw::mq_send(fd, msg.as_ptr() as usize, msg.len()) }).map(drop)
}

/// Takes the oldest message into `buf` (waits while the queue is empty): its length.
pub fn mq_receive(fd: usize, buf: &mut [u8]) -> Result<usize, Errno> {
    // Safety: `buf` is writable for its length.
    check(unsafe { raw::mq_receive(fd, buf.as_mut_ptr() as usize, buf.len()) })
}

/// Makes `fd`'s open file non-blocking (`EAGAIN` instead of waiting) or blocking again.
pub fn set_nonblock(fd: usize, on: bool) -> Result<(), Errno> {
    // Safety: no pointers.
    check(unsafe { raw::set_nonblock(fd, usize::from(on)) }).map(drop)
}

/// Polls `fds`, filling each `revents`: how many have events. `timeout_ns` is 0 (look once),
/// negative as an `isize` — `abi::types::poll::FOREVER` — (wait until one has), or positive:
/// wait until one has, but at most that many nanoseconds of the `clock`, then return 0 (none
/// has). A call interrupted by a signal handler starts its timeout afresh if it is restarted.
pub fn poll(fds: &mut [abi::types::PollFd], timeout_ns: usize) -> Result<usize, Errno> {
    // Safety: `fds` is readable and writable for its length.
    check(unsafe { raw::poll(fds.as_mut_ptr() as usize, fds.len(), timeout_ns) })
}

/// A new epoll instance: its fd.
pub fn epoll_create() -> Result<usize, Errno> {
    // Safety: no pointers.
    check(unsafe { raw::epoll_create() })
}

/// Adds, changes or removes (`abi::types::epoll`) `fd` with `events` in instance `ep`.
pub fn epoll_ctl(ep: usize, op: usize, fd: usize, events: u16) -> Result<(), Errno> {
    // Safety: no pointers.
    check(unsafe { raw::epoll_ctl(ep, op, fd, usize::from(events)) }).map(drop)
}

/// Waits on instance `ep` for ready descriptors, written into `out`: how many (at most
/// `abi::types::poll::EPOLL_BATCH` per call). `timeout_ns` as [`poll`]'s.
pub fn epoll_wait(
    ep: usize,
    out: &mut [abi::types::EpollEvent],
    timeout_ns: usize,
) -> Result<usize, Errno> {
    // Safety: `out` is writable for its length.
    check(unsafe { raw::epoll_wait(ep, out.as_mut_ptr() as usize, out.len(), timeout_ns) })
}

/// Moves up to `len` bytes of file `in_fd` (from its offset) into pipe `out_fd` without a user
/// buffer: the bytes moved, 0 at the file's end.
pub fn sendfile(out_fd: usize, in_fd: usize, len: usize) -> Result<usize, Errno> {
    // Safety: no pointers.
    check(unsafe { raw::sendfile(out_fd, in_fd, len) })
}

/// Arms the board's alarm `delay_ns` from now: the alarm's time on the RTC's clock (ns).
pub fn alarm_arm(delay_ns: u64) -> Result<u64, Errno> {
    // Safety: no pointers.
    check(unsafe { raw::alarm_arm(delay_ns as usize) }).map(|t| t as u64)
}

/// Blocks until the armed alarm fires (or returns the last one that fired): what happened.
pub fn alarm_wait() -> Result<abi::types::AlarmEvent, Errno> {
    let mut e = abi::types::AlarmEvent::default();
    // Safety: `e` is writable, one AlarmEvent.
    check(unsafe { raw::alarm_wait(&mut e as *mut abi::types::AlarmEvent as usize) })?;
    Ok(e)
}

/// The RTC's time in ns.
pub fn rtc_time() -> Result<u64, Errno> {
    // Safety: no pointers.
    check(unsafe { raw::rtc_time() }).map(|t| t as u64)
}
