//! The microkernel's calls and message layout (DESIGN.md §3): synchronous rendezvous on
//! endpoints, short messages in registers, bulk data in leases of the caller's memory (Hubris),
//! notifications for interrupts, and the kernel calls its user-mode servers use. `mono` answers
//! every number here with `ENOSYS`.
//!
//! # Registers
//! ```text
//!             in                                         out
//! CALL        a0 endpoint, a1 tag, a2..a5 words 0..3,    a0 0 or -errno, a1 reply tag,
//!             a6 -> `tag.leases()` Lease descriptors      a2..a5 reply words 0..3
//! RECV        a0 endpoint                                a0 badge, a1 tag, a2..a7 words 0..5
//! REPLY       a0 badge, a1 tag, a2..a5 words 0..3        a0 0 or -errno
//! REPLY_RECV  as REPLY, a6 endpoint (badge 0: no reply)  as RECV
//! ```
//! A message received carries up to six words: a forwarded system call arrives with the caller's
//! `a0..a5` as words 0..5 and its number as the label; a `CALL` carries at most [`MAX_WORDS`].
//! The **badge** names the sender: its thread id in bits 0..32 and its process id in bits
//! 32..64 ([`Badge`]; process id 0 is a server or the kernel). A reply goes to a badge; the
//! kernel accepts it only while that thread waits for this replier's answer.
//!
//! A reply to any request of the server protocols below, and to a forwarded system call, has
//! label 0 and carries the result in word 0: a value ≥ 0 or `-errno`.
//!
//! # Deadlock rule
//! A thread may only `CALL` an endpoint of a higher [level](level) than its own (Hubris' "send
//! only uphill"): programs (level 0) call any server; `proc` calls `fs` and `mem`; `fs` calls
//! `console`; `mem` and `console` call nobody. Calls form no cycle, so no set of servers can wait
//! for each other. The kernel refuses a downhill or level call from a server with `EDEADLK`.
//! Notifications never block and go in any direction.

/// Message words a `CALL`, `REPLY` or `REPLY_RECV` carries in registers (`a2..a5`).
pub const MAX_WORDS: usize = 4;
/// Message words a received message carries (`a2..a7`).
pub const MAX_RECV_WORDS: usize = 6;
/// Leases one message may carry.
pub const MAX_LEASES: usize = 4;

/// The tag register: what a message is and how much of it there is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(transparent)]
pub struct Tag(pub u64);

impl Tag {
    /// A tag with `label`, `words` register words and `leases` leases (each clamped to its maximum).
    pub const fn new(label: u32, words: usize, leases: usize) -> Tag {
        let w = if words > MAX_RECV_WORDS {
            MAX_RECV_WORDS
        } else {
            words
        };
        let l = if leases > MAX_LEASES {
            MAX_LEASES
        } else {
            leases
        };
        Tag(label as u64 | (w as u64) << 32 | (l as u64) << 36)
    }

    /// The label: the operation a request asks for, or 0 in a reply.
    pub const fn label(self) -> u32 {
        self.0 as u32
    }

    /// Message words in `a2..`.
    pub const fn words(self) -> usize {
        ((self.0 >> 32) & 0xf) as usize
    }

    /// Leases at `a6`.
    pub const fn leases(self) -> usize {
        ((self.0 >> 36) & 0xf) as usize
    }

    /// The word count of a message that a `call` may send in registers alone: no leases and at
    /// most [`MAX_WORDS`] words; `None` otherwise. One compare of the count fields, whose leases
    /// lie above the words (a fast path's first test).
    #[inline(always)]
    pub const fn register_words(self) -> Option<usize> {
        let counts = ((self.0 >> 32) & 0xff) as usize;
        if counts <= MAX_WORDS {
            Some(counts)
        } else {
            None
        }
    }
}

/// Who sent a message: thread id and process id (0 for servers and the kernel).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Badge(pub u64);

impl Badge {
    /// The badge of thread `tid` of process `pid`.
    pub const fn new(tid: usize, pid: usize) -> Badge {
        Badge((tid as u64 & 0xffff_ffff) | (pid as u64) << 32)
    }

    /// The sending thread.
    pub const fn tid(self) -> usize {
        (self.0 & 0xffff_ffff) as usize
    }

    /// The sending process (0: a server or the kernel).
    pub const fn pid(self) -> usize {
        (self.0 >> 32) as usize
    }

    /// The sending process as a [`crate::Pid`]; `None` for a server or the kernel (pid 0).
    #[inline(always)]
    pub const fn process(self) -> Option<crate::Pid> {
        crate::Pid::from_raw(self.pid())
    }
}

/// Lease access bits.
pub mod lease {
    /// The receiver may read the leased bytes.
    pub const READ: u64 = 1;
    /// The receiver may write the leased bytes.
    pub const WRITE: u64 = 2;
}

/// A lease: the receiver may copy from or to this part of the caller's memory until it replies.
/// The kernel checks the range when the call is made (every page mapped, or faulted in by the
/// pager, with the access the lease grants) and revokes the lease at the reply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Lease {
    /// User virtual address in the caller.
    pub addr: u64,
    /// Length in bytes.
    pub len: u64,
    /// [`lease`] bits.
    pub access: u64,
}

/// Kernel call numbers (`a7`), beside the system-call table of [`crate::sys`].
pub mod kcall {
    /// `call(endpoint, tag, w0..w3, leases)`: send and wait for the reply.
    pub const CALL: usize = 64;
    /// `recv(endpoint)`: wait for a message or notification on an endpoint the caller owns.
    pub const RECV: usize = 65;
    /// `reply(badge, tag, w0..w3)`.
    pub const REPLY: usize = 66;
    /// `reply_recv(badge, tag, w0..w3, endpoint)`: reply, then receive (the server loop's call).
    pub const REPLY_RECV: usize = 67;
    /// `ep_create()` → a new endpoint the caller's process owns (it alone may receive on it);
    /// `EAGAIN` when the kernel's endpoint table is full. An endpoint ends with its owner, and
    /// its id then names nothing (`EINVAL`), even once the kernel reuses its slot.
    pub const EP_CREATE: usize = 68;
    /// `notify(endpoint, bits)`: ORs `bits` into the endpoint's notification word; never blocks.
    pub const NOTIFY: usize = 69;
    /// `lease_info(badge, index)` → the lease's length; `a1` = its access bits.
    pub const LEASE_INFO: usize = 70;
    /// `lease_read(badge, index, offset, dst, len)` → bytes copied from the lease to `dst`.
    pub const LEASE_READ: usize = 71;
    /// `lease_write(badge, index, offset, src, len)` → bytes copied from `src` to the lease.
    pub const LEASE_WRITE: usize = 72;
    /// Withdrawn: was `inject(server)`, which let any program crash a server. Every caller gets
    /// `EPERM`; a crash is injected only by whoever boots the machine (`klab run micro --inject
    /// SERVER@N`, the kernel's `inject=` boot argument), never by a program.
    pub const INJECT: usize = 73;

    /// Server only: `space_new(pid, elf, elf_len, argv, argc, info)` → the first thread's id: a
    /// new address space for process `pid` with the program `elf` loaded and `argc`
    /// [`crate::types::Str`] arguments (in the caller's memory) on its stack; the thread is not
    /// started. Writes a [`super::ImageInfo`] at `info`. `ESRCH` if `pid` is no [`crate::Pid`],
    /// `EEXIST` if it has a space, `EAGAIN` if its slot's previous pid still has one.
    pub const SPACE_NEW: usize = 80;
    /// Server only: `space_kill(pid)`: ends every thread of `pid` and frees its address space.
    pub const SPACE_KILL: usize = 81;
    /// Server only: `space_read(pid, addr, dst, len)` → `len`: copies `len` bytes of `pid`'s user
    /// memory (mapped, readable) to `dst`.
    pub const SPACE_READ: usize = 82;
    /// Server only: `thread_new(pid, entry, arg, sp)` → the id of a new, started thread of `pid`.
    pub const THREAD_NEW: usize = 83;
    /// Server only: `thread_start(tid)`.
    pub const THREAD_START: usize = 84;
    /// Server only: `thread_kill(tid)`: ends one thread.
    pub const THREAD_KILL: usize = 85;
    /// Server only: `map_new(pid, page, prot)`: maps a fresh zeroed frame at `page` of `pid`
    /// with [`crate::types::prot`] bits.
    pub const MAP_NEW: usize = 86;
    /// Server only: `unmap(pid, start, end)`: unmaps and frees `pid`'s pages in `start..end`.
    pub const UNMAP: usize = 87;
    /// Server only: `grant(page, pid, dst, prot)`: moves the frame at the caller's `page` to
    /// `dst` of `pid`.
    pub const GRANT: usize = 88;
    /// Server only: `irq_ack(device)`: completes the interrupt of `device` ([`super::irq`]: the
    /// UART's or the RTC's, both the console server's), so the interrupt controller may raise
    /// it again.
    pub const IRQ_ACK: usize = 89;
    /// Server only: `halt(status)`: powers the machine off with `status`.
    pub const HALT: usize = 90;
    /// Server only: `debug_write(ptr, len)`: writes bytes straight to the console.
    pub const DEBUG_WRITE: usize = 91;
    /// Server only, and the last server call: `heap_grow(start, end)`: maps fresh zeroed
    /// read-write pages at the caller's own `start..end` (page-aligned, inside
    /// [`crate::layout::server::HEAP_BASE`]..[`crate::layout::server::HEAP_END`], none mapped
    /// yet) — all of them, or none with `ENOMEM` when RAM runs out, so a server's allocator can
    /// report exhaustion instead of faulting on a page that cannot be had.
    pub const HEAP_GROW: usize = 92;
    /// Server only (proc): `signal(tid, sig, handler, trampoline, mask, result)`: redirects
    /// thread `tid` into `handler(sig)` with `ra` = `trampoline`, pushing a
    /// [`crate::signal::SigFrame`] (its registers, and `mask` as the mask to restore) on its
    /// stack. A thread blocked in a system call is taken out of it first: the call returns
    /// `result` if the caller itself is the one it waits for (the signal answers its own
    /// `kill`/`sigprocmask`/`sigreturn`: the caller then replies nothing), `-EINTR` otherwise.
    /// Returns 0, or — nothing changed — the address of a page of the frame that is not mapped
    /// yet (≥ [`crate::layout::USER_BASE`]): the caller has the pager map it
    /// ([`super::label::MEM_FAULT_FOR`]) and asks again. `EFAULT` if the frame cannot be
    /// written (the caller ends the process), `EAGAIN` if the thread is in the middle of a page
    /// fault or not started (the signal stays pending), `EPERM` for a server's thread.
    pub const SIGNAL: usize = 93;
    /// Server only (proc): `sig_return(tid, frame)` → the mask saved in the
    /// [`crate::signal::SigFrame`] at `frame` of thread `tid` (in `a0`) and the `a0` restored
    /// (in `a1`). `tid` must be waiting for the caller (its `sigreturn`): its registers are
    /// restored from the frame and it goes on waiting, so the caller can enter a signal the
    /// restored mask unblocks before `tid` runs (`SIGNAL` with the restored `a0` as the result),
    /// or else answer the restored `a0`. `EFAULT` for a frame that cannot be read or was not
    /// the kernel's.
    pub const SIG_RETURN: usize = 94;
    /// Server only (mem), the shared-memory block (issue 16): `shm_hold(start, end)`: maps fresh
    /// zeroed read-write frames at the caller's own `start..end` (page-aligned, inside
    /// [`crate::layout::server::SHM_HOLD`]), all or none (`ENOMEM`): the frames of a shared
    /// object, which the caller's mapping keeps alive.
    pub const SHM_HOLD: usize = 100;
    /// Server only (mem): `shm_release(start, end)`: unmaps the caller's own pages in
    /// `start..end` of [`crate::layout::server::SHM_HOLD`]; each frame is freed once no other
    /// space maps it either.
    pub const SHM_RELEASE: usize = 101;
    /// Server only (mem): `shm_share(src, pid, dst, pages, prot)`: maps the frames of the caller's
    /// own `pages` pages at `src` (in [`crate::layout::server::SHM_HOLD`], mapped) also at `dst`
    /// of process `pid`, with `prot` bits, all or none (`EEXIST` if a page there is mapped).
    pub const SHM_SHARE: usize = 102;
    /// Server only, the timeouts of `poll` and `epoll_wait` (issue 16): `timer_notify(at_ns)` →
    /// the `clock` now (ns): once the clock reaches `at_ns` (the `clock` call's nanoseconds),
    /// the kernel notifies [`super::bits::TIMER`] on the caller's endpoint. One request per
    /// server: a later call replaces it; `u64::MAX` cancels it (and just reads the clock).
    pub const TIMER_NOTIFY: usize = 103;
    /// In `SIGNAL`'s signal word: the blocking call the thread is in starts again after the
    /// handler (`SA_RESTART`) instead of failing with `EINTR`.
    pub const SIGNAL_RESTART: usize = 1 << 16;
}

/// What `SPACE_NEW` reports about the loaded program: what the memory server needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct ImageInfo {
    /// One past the highest loaded byte (the heap starts on the next page).
    pub end: u64,
    /// How many of `segments` are used.
    pub count: u64,
    /// Loaded segments: start, end, [`crate::types::prot`] bits.
    pub segments: [[u64; 3]; 8],
}

/// The servers' endpoints, fixed at boot; each server's level in the deadlock rule is its
/// endpoint number (programs are level 0).
pub mod level {
    /// The process server.
    pub const PROC: usize = 1;
    /// The file server (files, pipes, fd tables).
    pub const FS: usize = 2;
    /// The memory server and pager.
    pub const MEM: usize = 3;
    /// The console server (the UART driver).
    pub const CONSOLE: usize = 4;
    /// Endpoints up to this one are servers'.
    pub const SERVERS: usize = 4;
}

/// Notification bits.
pub mod bits {
    /// On the console endpoint: the UART interrupt fired (acknowledge with `IRQ_ACK`).
    pub const IRQ: u64 = 1;
    /// On the file server's endpoint: the console has a line (retry waiting console reads).
    pub const CONSOLE_READY: u64 = 2;
    /// On the process server's endpoint: a Ctrl-C was typed on the console (`SIGINT` to the
    /// foreground group).
    pub const CONSOLE_INTR: u64 = 4;
    /// On the console endpoint: the RTC's alarm interrupt fired (acknowledge with `IRQ_ACK`
    /// of [`super::irq::RTC`]).
    pub const RTC_IRQ: u64 = 8;
    /// On a server's endpoint: the time it asked for with [`super::kcall::TIMER_NOTIFY`] came.
    pub const TIMER: u64 = 16;
}

/// `IRQ_ACK`'s argument: which of the console server's devices to complete at the PLIC.
pub mod irq {
    /// The UART.
    pub const UART: usize = 0;
    /// The Goldfish RTC.
    pub const RTC: usize = 1;
}

/// `MEM_FAULT`'s word 1: the kind of access that faulted.
pub mod access {
    /// A load.
    pub const READ: u64 = 0;
    /// A store or AMO.
    pub const WRITE: u64 = 1;
    /// An instruction fetch.
    pub const EXECUTE: u64 = 2;
}

/// Message labels beside the system-call numbers.
pub mod label {
    /// A notification: word 0 holds the bits (the badge is 0).
    pub const NOTIFICATION: u32 = u32::MAX;
    /// Any server: crash now, on purpose. Obeyed only with badge 0, which only the kernel sends
    /// (a thread's badge always has a thread id ≥ 1): the kernel sends it for an `inject=` boot
    /// argument. From anyone else it is refused with `EPERM`.
    pub const CRASH: u32 = 0xdead;
    /// fs, from proc: word 0 = the spawning process (0: none; a relative path is resolved
    /// against its working directory), lease 0 = path (read), lease 1 = buffer (write) → the program file's size,
    /// its bytes copied into the buffer when they fit (`ENOEXEC` if not a regular file).
    pub const FS_PROGRAM: u32 = 0x100;
    /// fs, from proc: words = child pid, parent pid (0: the first process, on the console),
    /// then `spawn`'s three stdio fds (-1: the parent's own fd) as their 32 bits each, two to a
    /// word since a `CALL` carries four: word 2 = stdio\[0\] | stdio\[1\] << 32, word 3 =
    /// stdio\[2\] (`servers::proto`).
    pub const FS_SPAWN: u32 = 0x101;
    /// fs, from proc: word 0 = pid: close every fd of an ended process and drop its requests.
    pub const FS_EXIT: u32 = 0x102;
    /// fs, from proc: word 0 = thread id: drop that thread's parked requests (a signal took it
    /// out of its blocked `read`, `write`, `poll` …) → 1 if it had one, else 0.
    pub const FS_CANCEL: u32 = 0x103;
    /// mem, from the kernel on behalf of the faulting thread: words = address, [`super::access`].
    /// Reply word 0 = 0: mapped, resume; `-errno`: refused.
    pub const MEM_FAULT: u32 = 0x200;
    /// mem, from proc: word 0 = pid; lease 0 = its [`super::ImageInfo`] (read).
    pub const MEM_NEW: u32 = 0x201;
    /// mem, from proc: word 0 = pid: forget an ended process's memory policy.
    pub const MEM_DROP: u32 = 0x202;
    /// mem, from proc: words = pid, address, [`super::access`]: `MEM_FAULT` on behalf of a
    /// process (a page of a signal frame the kernel is to write on its stack).
    pub const MEM_FAULT_FOR: u32 = 0x203;
    /// console, from fs: lease 0 = bytes to write (read) → bytes written.
    pub const CON_WRITE: u32 = 0x300;
    /// console, from fs: lease 0 = buffer (write) → bytes of a completed line, or `-EAGAIN`
    /// (then [`super::bits::CONSOLE_READY`] is notified to fs when a line is ready).
    pub const CON_READ: u32 = 0x301;
    /// A server's reply to a forwarded system call that raises a signal on the caller (a
    /// failure with `EPIPE` raises `SIGPIPE`): word 0 = the call's result, word 1 = the signal.
    /// The kernel does not resume the caller but sends the call on, on its behalf, to proc
    /// with this label and these words; proc raises the signal and answers with the result (or
    /// enters a handler that returns it, or ends the process).
    pub const RAISE: u32 = 0x400;
    /// console, from proc: word 0 = 1 to watch the UART while nobody reads (the foreground was
    /// handed to a job, `tcsetpgrp`), 0 to stop (`services::tty`'s "Watching").
    pub const CON_WATCH: u32 = 0x302;
    /// console, from fs → 1 if a completed line (or an end of file) is waiting, else 0 — and
    /// then [`super::bits::CONSOLE_READY`] is notified to fs when one is (`poll` of the console).
    pub const CON_POLL: u32 = 0x303;
    /// console, from proc: word 0 = thread id: drop that thread's parked `alarm_wait` (a signal
    /// took it out of it) → 1 if it had one, else 0.
    pub const CON_CANCEL: u32 = 0x304;
}

/// Where `micro` sends a system call of [`crate::sys`]'s table, and the leases it makes of the
/// call's pointer arguments — one table, read by the kernel that forwards and the servers that
/// serve.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Forward {
    /// The server's endpoint ([`level`]), or 0 when the kernel itself serves the call (`yield`,
    /// `sleep`, `clock`: scheduling and time are kernel objects).
    pub endpoint: usize,
    /// The leases, by index; a lease of length 0 is a placeholder (no memory, nothing checked).
    pub leases: [Lease; MAX_LEASES],
    /// How many lease slots the message carries.
    pub count: usize,
}

/// The server of `sys` (0: the kernel itself) and whether the call may lend memory: the first
/// half of [`forward`], without building the leases (the kernel's fast path asks this).
pub const fn route(sys: crate::Sys) -> (usize, bool) {
    use crate::Sys;
    match sys {
        Sys::Yield | Sys::Sleep | Sys::Clock => (0, false),
        Sys::Exit | Sys::Getpid | Sys::Kill => (level::PROC, false),
        Sys::ThreadSpawn | Sys::ThreadExit | Sys::ThreadJoin => (level::PROC, false),
        Sys::Sigaction | Sys::Sigprocmask | Sys::Sigreturn => (level::PROC, false),
        Sys::Setpgid | Sys::Getpgid => (level::PROC, false),
        Sys::Spawn | Sys::Wait => (level::PROC, true),
        Sys::Close | Sys::Dup | Sys::Seek => (level::FS, false),
        Sys::Read | Sys::Write | Sys::Open | Sys::Unlink | Sys::Mkdir => (level::FS, true),
        Sys::Pipe | Sys::Fstat | Sys::Readdir => (level::FS, true),
        Sys::Brk | Sys::Mmap | Sys::Munmap => (level::MEM, false),
        Sys::Tcsetpgrp | Sys::Tcgetpgrp => (level::PROC, false),
        Sys::Proclist => (level::PROC, true),
        Sys::Mkfifo | Sys::Socketpair => (level::FS, true),
        Sys::FutexWait | Sys::FutexWake => (0, false),
        Sys::MqOpen | Sys::MqSend | Sys::MqReceive => (level::FS, true),
        Sys::SetNonblock | Sys::EpollCreate | Sys::EpollCtl => (level::FS, false),
        Sys::Sendfile => (level::FS, false),
        Sys::Poll | Sys::EpollWait => (level::FS, true),
        Sys::RingSetup | Sys::RingEnter => (level::FS, true),
        Sys::AlarmArm | Sys::RtcTime => (level::CONSOLE, false),
        Sys::AlarmWait => (level::CONSOLE, true),
        Sys::ShmOpen | Sys::ShmUnlink => (level::MEM, true),
        Sys::ShmMap | Sys::ShmClose => (level::MEM, false),
        Sys::SigactionFlags => (level::PROC, false),
        Sys::Chdir | Sys::Getcwd => (level::FS, true),
    }
}

/// The forwarding table. Lease lengths are clamped the way `mono` bounds the same arguments, so
/// a call that `mono` refuses for its size before touching memory is refused the same way by the
/// server (`ENAMETOOLONG`, `E2BIG`), not with `EFAULT`:
///
/// | call | server | leases |
/// |---|---|---|
/// | `exit getpid kill spawn wait thread_* sig* setpgid getpgid tcsetpgrp tcgetpgrp proclist` | proc | spawn: 0 path (R), 1 argv array (R), 2 stdio (R); wait: 0 status (W); proclist: 0 buf (W, at most `PROCESSES` entries) |
/// | `read write open close dup pipe seek fstat unlink mkdir readdir` | fs | read: 0 buf (W); write: 0 buf (R); open, unlink, mkdir: 0 path (R); pipe: 0 fds (W); fstat: 0 stat (W); readdir: 0 entry (W) |
/// | `brk mmap munmap` | mem | — |
/// | `set_nonblock poll epoll_* sendfile` | fs | poll: 0 fds (RW); epoll_wait: 0 out (W) |
/// | `chdir getcwd` | fs | chdir: 0 path (R); getcwd: 0 buf (W, at most `PATH_MAX`) |
/// | `sigaction_flags` | proc | — |
/// | `yield sleep clock` | the kernel | — |
/// | `mkfifo socketpair` | fs | mkfifo: 0 path (R); socketpair: 0 fds (W) |
/// | `mq_open mq_send mq_receive` | fs | mq_open: 0 name (R); mq_send: 0 buf (R); mq_receive: 0 buf (W) |
/// | `futex_wait futex_wake` | the kernel | — (waiters wait in the scheduler, keyed by frame) |
/// | `ring_setup ring_enter` | fs | 0 the ring's region (RW; every `ring_enter` lends it anew) |
/// | `alarm_arm alarm_wait rtc_time` | console (micro's device server) | alarm_wait: 0 event (W) |
/// | `shm_open shm_map shm_close shm_unlink` | mem | shm_open, shm_unlink: 0 name (R, a placeholder past `SHM_NAME_MAX` bytes) |
///
/// `spawn`'s argument strings are not leased (argv holds pointers, which a lease cannot follow):
/// `proc` reads them with its `SPACE_READ` right.
pub fn forward(sys: crate::Sys, a: &[usize; 6]) -> Forward {
    use crate::Sys;
    use crate::types::{DirEntry, EpollEvent, PATH_MAX, PollFd, Stat, Str, limits, poll};
    const R: u64 = lease::READ;
    const W: u64 = lease::WRITE;
    let l = |addr: usize, len: usize, access: u64| Lease {
        addr: addr as u64,
        len: len as u64,
        access,
    };
    let path = |addr: usize, len: usize| {
        if len <= PATH_MAX {
            l(addr, len, R)
        } else {
            Lease::default()
        }
    };
    // An array of `n` items of `size` bytes: a placeholder past `poll::MAX` items (the
    // server refuses the count with `EINVAL`, as mono does, before touching memory).
    let io_array = |addr: usize, n: usize, size: usize, access: u64| {
        if n <= poll::MAX {
            l(addr, n * size, access)
        } else {
            Lease::default()
        }
    };
    let mut f = Forward::default();
    let mut lease = |lease: Lease| {
        f.leases[f.count] = lease;
        f.count += 1;
    };
    match sys {
        Sys::Spawn => {
            lease(path(a[0], a[1]));
            if a[3] <= limits::ARGS {
                lease(l(a[2], a[3] * size_of::<Str>(), R));
            } else {
                lease(Lease::default());
            }
            if a[4] != 0 {
                lease(l(a[4], 3 * size_of::<i32>(), R));
            }
        }
        Sys::Wait if a[1] != 0 => lease(l(a[1], size_of::<i32>(), W)),
        Sys::Read => lease(l(a[1], a[2].min(limits::IO_MAX), W)),
        Sys::Write => lease(l(a[1], a[2].min(limits::IO_MAX), R)),
        Sys::Open | Sys::Unlink | Sys::Mkdir => lease(path(a[0], a[1])),
        Sys::Pipe => lease(l(a[0], 2 * size_of::<i32>(), W)),
        Sys::Fstat => lease(l(a[1], size_of::<Stat>(), W)),
        Sys::Readdir => lease(l(a[1], size_of::<DirEntry>(), W)),
        Sys::Proclist => lease(l(
            a[0],
            a[1].min(limits::PROCESSES) * crate::types::ProcInfo::SIZE,
            W,
        )),
        Sys::Mkfifo => lease(path(a[0], a[1])),
        Sys::Socketpair => lease(l(a[0], 2 * size_of::<i32>(), W)),
        Sys::MqOpen => lease(path(a[0], a[1])),
        Sys::MqSend => lease(l(a[1], a[2].min(limits::MQ_MSG_MAX), R)),
        Sys::MqReceive => lease(l(a[1], a[2].min(limits::MQ_MSG_MAX), W)),
        Sys::Poll => lease(io_array(a[0], a[1], size_of::<PollFd>(), R | W)),
        Sys::EpollWait => lease(io_array(a[1], a[2], size_of::<EpollEvent>(), W)),
        // The whole ring region, every call (placeholder past `ring::MAX_LEN`: `EINVAL`).
        Sys::RingSetup if a[1] <= crate::ring::MAX_LEN => lease(l(a[0], a[1], R | W)),
        Sys::RingEnter if a[2] <= crate::ring::MAX_LEN => lease(l(a[1], a[2], R | W)),
        Sys::RingSetup | Sys::RingEnter => lease(Lease::default()),
        Sys::AlarmWait => lease(l(a[0], crate::types::AlarmEvent::SIZE, W)),
        Sys::ShmOpen | Sys::ShmUnlink if a[1] <= limits::SHM_NAME_MAX => lease(l(a[0], a[1], R)),
        Sys::ShmOpen | Sys::ShmUnlink => lease(Lease::default()),
        Sys::Chdir => lease(path(a[0], a[1])),
        Sys::Getcwd => lease(l(a[0], a[1].min(PATH_MAX), W)),
        _ => {}
    }
    f.endpoint = route(sys).0;
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Sys;

    /// The fast path's one compare agrees with the two fields it stands for, for every count
    /// the fields can hold (junk in the label and above the fields included).
    #[test]
    fn register_words_is_no_leases_and_at_most_max_words() {
        for words in 0..16u64 {
            for leases in 0..16u64 {
                let tag = Tag(0xdead_0000_0000_0000 | 7 | words << 32 | leases << 36);
                let want = (leases == 0 && words as usize <= MAX_WORDS).then_some(words as usize);
                assert_eq!(tag.register_words(), want, "words {words} leases {leases}");
            }
        }
    }

    /// Argument vectors that exercise every lease rule: null and non-null pointers, lengths
    /// below and above the limits.
    fn argument_vectors() -> Vec<[usize; 6]> {
        let mut v = Vec::new();
        for p in [0, 0x4001_0000] {
            for n in [0, 1, 300, 100_000] {
                v.push([p, n, p, n, p, n]);
            }
        }
        v
    }

    #[test]
    fn every_system_call_number_is_below_the_kernel_calls() {
        // micro tells a system call from an IPC or kernel call by its number: the two ranges
        // must never meet (numbers 64 and up are `kcall`'s).
        for &sys in Sys::ALL {
            assert!(sys.number() < kcall::CALL, "{sys:?} = {}", sys.number());
        }
    }

    #[test]
    fn route_agrees_with_the_forwarding_table() {
        // The kernel's fast path trusts `route`: a call it says lends nothing must never get a
        // lease from `forward`, and both must name the same server.
        for &sys in Sys::ALL {
            let (endpoint, lends) = route(sys);
            for a in argument_vectors() {
                let f = forward(sys, &a);
                assert_eq!(f.endpoint, endpoint, "{sys:?}");
                if !lends {
                    assert_eq!(f.count, 0, "{sys:?} {a:?}");
                }
                assert!(f.count <= MAX_LEASES);
            }
        }
    }

    #[test]
    fn leases_are_clamped_as_mono_bounds_the_same_arguments() {
        let a = [3, 0x4001_0000, 1 << 30, 0, 0, 0];
        let read = forward(Sys::Read, &a);
        assert_eq!(read.leases[0].len as usize, crate::types::limits::IO_MAX);
        assert_eq!(read.leases[0].access, lease::WRITE);
        let long_path = forward(
            Sys::Open,
            &[0x4001_0000, crate::types::PATH_MAX + 1, 0, 0, 0, 0],
        );
        assert_eq!((long_path.count, long_path.leases[0].len), (1, 0));
        let spawn = forward(Sys::Spawn, &[0x4001_0000, 4, 0x4002_0000, 2, 0, 0]);
        assert_eq!(spawn.count, 2, "no stdio lease for a null stdio pointer");
        assert_eq!(spawn.leases[1].len, 32);
        assert_eq!(forward(Sys::Getpid, &[0; 6]).endpoint, level::PROC);
    }

    #[test]
    fn tags_and_badges_round_trip() {
        let t = Tag::new(0x1234, 9, 9);
        assert_eq!(
            (t.label(), t.words(), t.leases()),
            (0x1234, MAX_RECV_WORDS, MAX_LEASES)
        );
        let b = Badge::new(77, 5);
        assert_eq!((b.tid(), b.pid()), (77, 5));
    }
}
