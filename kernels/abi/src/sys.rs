//! System call numbers and arguments: the table both kernels implement and `ulib` stubs.
//!
//! [`for_each_syscall!`] holds the table once — number, name, arguments, meaning — and hands it to a
//! macro of the caller's: this module makes [`Sys`] from it, `ulib` makes its `ecall` stubs (the
//! way xv6's `usys.pl` makes `usys.S`). Pointers are user virtual addresses; strings are passed as
//! pointer + length (no NUL); a file descriptor is a small non-negative integer. Unless a line says
//! otherwise a call returns 0 on success.
//!
//! Blocking calls (`read` of an empty pipe or console, `write` to a full pipe, `wait`,
//! `thread_join`, `sleep`) put only the calling thread to sleep.

/// Calls `$callback! { … }` with the system-call table, one entry per call:
/// `$(#[doc])* Variant = number => name(arg, …);`.
#[macro_export]
macro_rules! for_each_syscall {
    ($callback:ident) => {
        $callback! {
            /// `exit(status)`: ends the process (every thread) with `status`; never returns.
            Exit = 1 => exit(status);
            /// `getpid()` → the process id.
            Getpid = 2 => getpid();
            /// `yield()`: lets other runnable threads run first.
            Yield = 3 => yield_now();
            /// `sleep(nanoseconds)`: blocks the thread for at least that long.
            Sleep = 4 => sleep(nanoseconds);
            /// `clock()` → nanoseconds since boot (from `time`, i.e. from modeled cycles on klab).
            Clock = 5 => clock();
            /// `read(fd, buf, len)` → bytes read, 0 at end of file; blocks on an empty pipe or
            /// console until there is data or no writer.
            Read = 6 => read(fd, buf, len);
            /// `write(fd, buf, len)` → bytes written (maybe fewer than `len` on a pipe); blocks on
            /// a full pipe; `EPIPE` if nobody can read.
            Write = 7 => write(fd, buf, len);
            /// `open(path, path_len, flags)` → a new fd; `flags` from [`crate::types::open`].
            Open = 8 => open(path, path_len, flags);
            /// `close(fd)`.
            Close = 9 => close(fd);
            /// `dup(fd)` → the lowest free fd, sharing `fd`'s open file (and offset).
            Dup = 10 => dup(fd);
            /// `pipe(fds)`: writes `[read_fd, write_fd]` (two `i32`) at `fds`.
            Pipe = 11 => pipe(fds);
            /// `seek(fd, offset, whence)` → the new offset; `whence` from [`crate::types::seek`].
            Seek = 12 => seek(fd, offset, whence);
            /// `fstat(fd, stat)`: writes a [`crate::types::Stat`] at `stat`.
            Fstat = 13 => fstat(fd, stat);
            /// `unlink(path, path_len)`: removes a file or an empty directory.
            Unlink = 14 => unlink(path, path_len);
            /// `mkdir(path, path_len)`.
            Mkdir = 15 => mkdir(path, path_len);
            /// `readdir(fd, entry)` → 1 after writing the directory's next
            /// [`crate::types::DirEntry`] at `entry`, 0 at the end.
            Readdir = 16 => readdir(fd, entry);
            /// `spawn(path, path_len, argv, argc, stdio)` → the child's pid: a new process running
            /// the program at `path` with `argc` arguments (`argv` points to `argc`
            /// [`crate::types::Str`]). Its fds 0, 1, 2 are the caller's `stdio[i]` (a pointer to
            /// three `i32`; -1 or a null pointer: the caller's own fd `i`); it inherits no other fd.
            Spawn = 17 => spawn(path, path_len, argv, argc, stdio);
            /// `wait(pid, status)` → the pid of an exited child (`pid` = -1: any child), writing its
            /// exit status (`i32`) at `status` unless null; blocks until one exits; `ECHILD` if none.
            Wait = 18 => wait(pid, status);
            /// `kill(pid, sig)`: sends signal `sig` ([`crate::signal`]) to process `pid` (> 0) or
            /// to every process of group `-pid` (< 0); `sig` = 0 only checks that the target
            /// exists. `ESRCH` if nothing matches, `EINVAL` for a bad signal number.
            Kill = 19 => kill(pid, sig);
            /// `brk(end)` → the heap's end after the call: `end` = 0 asks, otherwise the heap grows or
            /// shrinks to `end` (`ENOMEM` beyond [`crate::layout::HEAP_LIMIT`]).
            Brk = 20 => brk(end);
            /// `mmap(len, prot)` → the address of `len` bytes (rounded up to pages) of fresh zeroed
            /// anonymous memory with `prot` from [`crate::types::prot`].
            Mmap = 21 => mmap(len, prot);
            /// `munmap(addr, len)`: unmaps the pages of a range `mmap` returned (or part of it).
            Munmap = 22 => munmap(addr, len);
            /// `thread_spawn(entry, arg, stack_top)` → the new thread's id; it starts at `entry`
            /// with `a0 = arg` and `sp = stack_top` in the caller's process.
            ThreadSpawn = 23 => thread_spawn(entry, arg, stack_top);
            /// `thread_exit(status)`: ends the calling thread; the last thread's end ends the
            /// process with `status`. Never returns.
            ThreadExit = 24 => thread_exit(status);
            /// `thread_join(tid)` → the status of thread `tid` of the caller's process, once it has
            /// ended; each thread can be joined once.
            ThreadJoin = 25 => thread_join(tid);
            /// `sigaction(sig, handler, trampoline)` → the previous handler: installs `handler`
            /// for `sig` ([`crate::signal::SIG_DFL`], [`crate::signal::SIG_IGN`] or a function
            /// `extern "C" fn(sig)` entered with `ra` = `trampoline`, which must call
            /// `sigreturn`). `EINVAL` for `SIGKILL` or a bad number.
            Sigaction = 26 => sigaction(sig, handler, trampoline);
            /// `sigprocmask(how, set)` → the previous mask: blocks (`how` =
            /// [`crate::signal::BLOCK`]), unblocks ([`crate::signal::UNBLOCK`]) or sets ([`crate::signal::SETMASK`]) the
            /// signals of bit set `set` (bit `n` = signal `n`); `SIGKILL` is never blocked. With
            /// `how` = [`crate::signal::SUSPEND`] it is `sigsuspend(set)`: waits with the mask
            /// `set` until a signal is handled (then fails with `EINTR`, the mask from before
            /// back) or ends the process.
            Sigprocmask = 27 => sigprocmask(how, set);
            /// `sigreturn(frame)`: returns from a handler, restoring the registers and the mask
            /// saved in the [`crate::signal::SigFrame`] at `frame`; never returns to its caller.
            /// A frame that cannot be read or was not made by the kernel ends the process.
            Sigreturn = 28 => sigreturn(frame);
            /// `setpgid(pid, pgid)`: puts process `pid` (0: the caller) in group `pgid` (0: a new
            /// group numbered `pid`). Only the caller or its children; `ESRCH` otherwise.
            Setpgid = 29 => setpgid(pid, pgid);
            /// `getpgid(pid)` → the group of process `pid` (0: the caller).
            Getpgid = 30 => getpgid(pid);
            /// `mkfifo(path, path_len)`: makes a named pipe at `path` (an empty `FIFO` node of the
            /// file system). Opening it read-only gives a read end, write-only a write end, of
            /// the one pipe everybody who opens the name shares; `O_RDWR` is `EINVAL`. `EEXIST`
            /// if the name exists.
            Mkfifo = 31 => mkfifo(path, path_len);
            /// `socketpair(fds)`: writes two connected fds (two `i32`) at `fds`: each reads what
            /// the other writes, a bidirectional byte stream (two pipes inside).
            Socketpair = 32 => socketpair(fds);
            /// `futex_wait(addr, expected)`: sleeps while the aligned `u32` at `addr` holds
            /// `expected` (checked atomically with going to sleep); 0 once woken by
            /// `futex_wake`, `EAGAIN` at once if the word differs, `EINVAL` if misaligned,
            /// `EFAULT` if it cannot be read. Waiters are keyed by the word's physical address,
            /// so processes sharing the frame meet.
            FutexWait = 33 => futex_wait(addr, expected);
            /// `futex_wake(addr, n)` → how many threads it woke: at most `n` of those waiting on
            /// the word at `addr`, the longest waiting first.
            FutexWake = 34 => futex_wake(addr, n);
            /// `mq_open(name, name_len, flags)` → an fd of the message queue called `name` (its own
            /// namespace, not a path), made first if `flags` has `O_CREAT`, else `ENOENT`. A
            /// queue holds [`crate::types::limits::MQ_MESSAGES`] messages of at most
            /// [`crate::types::limits::MQ_MSG_MAX`] bytes and lives while some fd refers to it.
            MqOpen = 35 => mq_open(name, name_len, flags);
            /// `mq_send(fd, buf, len)`: queues one message of `len` bytes; blocks while the queue
            /// is full; `EMSGSIZE` for more than `MQ_MSG_MAX` bytes.
            MqSend = 36 => mq_send(fd, buf, len);
            /// `mq_receive(fd, buf, len)` → the length of the oldest message, taken into `buf`
            /// whole; blocks while the queue is empty; `EMSGSIZE` (the message stays) if it is
            /// longer than `len`.
            MqReceive = 37 => mq_receive(fd, buf, len);
            /// `set_nonblock(fd, on)`: makes `fd`'s open file non-blocking (`on` ≠ 0: a `read`
            /// or `write` that would block fails with `EAGAIN`) or blocking again; as
            /// [`crate::types::open::NONBLOCK`] at `open`. The mode belongs to the open file, so
            /// `dup`s share it.
            SetNonblock = 45 => set_nonblock(fd, on);
            /// `poll(fds, n, timeout_ns)` → how many of the `n` [`crate::types::PollFd`] at `fds`
            /// have events, after writing every `revents`; blocks until one has, unless
            /// `timeout_ns` is 0 (then 0 = none ready). `timeout_ns` =
            /// [`crate::types::poll::FOREVER`] waits as long as it takes; other timeouts are
            /// `EINVAL` (left out). `EINVAL` for `n` above [`crate::types::poll::MAX`].
            Poll = 46 => poll(fds, n, timeout_ns);
            /// `epoll_create()` → a new fd for an epoll instance (an interest list and a ready
            /// list of the caller's descriptors).
            EpollCreate = 47 => epoll_create();
            /// `epoll_ctl(ep, op, fd, events)`: adds, changes or removes ([`crate::types::epoll`])
            /// the caller's pipe end `fd` in epoll instance `ep` with `events`
            /// ([`crate::types::poll`] bits). `EBADF` for a closed `ep` or `fd`, `EINVAL` if `ep`
            /// is no epoll instance or `fd` is `ep`, `EPERM` for a `fd` that is no pipe end,
            /// `EEXIST` to add twice, `ENOENT` to change or remove what is not there.
            EpollCtl = 48 => epoll_ctl(ep, op, fd, events);
            /// `epoll_wait(ep, out, max, timeout_ns)` → how many ready descriptors it wrote as
            /// [`crate::types::EpollEvent`] at `out` (at most `max`, level-triggered); blocks
            /// until one is ready, with `timeout_ns` as `poll`'s. Its cost depends on the ready
            /// descriptors, not on the registered ones. A registered fd closed since is forgotten.
            EpollWait = 49 => epoll_wait(ep, out, max, timeout_ns);
            /// `sendfile(out_fd, in_fd, len)` → bytes moved (0 at the file's end): up to `len`
            /// bytes (at most a pipe's buffer per call) of file `in_fd` from its offset, which
            /// advances, into pipe write end `out_fd`, copied once, never through user memory.
            /// Blocks on a full pipe (`EAGAIN` when non-blocking); `EPIPE` without a reader;
            /// `EBADF` for other kinds of fds, `EINVAL` for a device or directory.
            Sendfile = 50 => sendfile(out_fd, in_fd, len);
            /// `tcsetpgrp(pgid)`: makes group `pgid` (0: the caller's) the console's foreground
            /// group, which a Ctrl-C typed on the console sends `SIGINT` to. While the foreground
            /// group is not the caller's, the console watches its input even when nobody reads
            /// (so a Ctrl-C reaches a job that never reads); a shell taking the console back
            /// (its own group) ends that. `EPERM` if no process is in group `pgid`.
            Tcsetpgrp = 60 => tcsetpgrp(pgid);
            /// `tcgetpgrp()` → the console's foreground group (0: none set yet).
            Tcgetpgrp = 61 => tcgetpgrp();
            /// `proclist(buf, count)` → how many processes there are (alive, or zombies not yet
            /// waited for), after writing the first `count` of them at `buf` as
            /// [`crate::types::ProcInfo::SIZE`]-byte entries (`ProcInfo::to_bytes`), in slot order.
            Proclist = 62 => proclist(buf, count);
            /// `ring_setup(ring, len, entries)` → an fd for an asynchronous IO ring ([`crate::ring`])
            /// over the caller's `len` bytes at `ring` with `entries` slots per queue: the kernel
            /// zeroes the header and writes `entries`. `EINVAL` for 0 or more than
            /// [`crate::ring::MAX_ENTRIES`] entries, a `len` above [`crate::ring::MAX_LEN`] or
            /// below [`crate::ring::data_start`]; `EFAULT` if the region is not writable memory.
            RingSetup = 51 => ring_setup(ring, len, entries);
            /// `ring_enter(fd, ring, len, to_submit, min_complete)` → how many completions wait in
            /// the CQ: retries the ring's pending operations, consumes up to `to_submit` SQ
            /// entries (while the CQ has a slot for each operation in flight) and performs each
            /// (one that would block stays pending in the kernel), then waits until at least
            /// `min_complete` completions wait, if any operation is pending. `ring` and `len` must
            /// be `ring_setup`'s (`EINVAL`), `EBADF` if `fd` is no ring, `EINVAL` for counters
            /// the program broke or `min_complete` above the ring's entries.
            RingEnter = 52 => ring_enter(fd, ring, len, to_submit, min_complete);
            /// `alarm_arm(delay_ns)` → the alarm's time on the RTC's clock (ns): arms the board's
            /// alarm (the Goldfish RTC's) `delay_ns` from now, replacing an armed one and
            /// forgetting one that fired. `EINVAL` past [`crate::types::ALARM_MAX_NS`];
            /// `ENOSYS` on a machine without the RTC.
            AlarmArm = 57 => alarm_arm(delay_ns);
            /// `alarm_wait(event)`: blocks until the armed alarm's interrupt is handled, then
            /// writes a [`crate::types::AlarmEvent`] at `event`; returns at once with the last
            /// alarm that fired until the next `alarm_arm`. `EINVAL` if no alarm is armed or
            /// fired; `EFAULT` for a bad `event` (checked before blocking).
            AlarmWait = 58 => alarm_wait(event);
            /// `rtc_time()` → the RTC's time in ns (on klab derived from modeled cycles, on QEMU
            /// the host's wall clock); `ENOSYS` without the RTC.
            RtcTime = 59 => rtc_time();
            /// `shm_open(name, name_len, len)` → a handle (≥ 0) of the shared-memory object called
            /// `name` (its own namespace, 1 to [`crate::types::limits::SHM_NAME_MAX`] bytes), made
            /// with `len` bytes (rounded up to pages, zeroed) on the first open; a later open must
            /// ask for the same page count. The handle is the caller's only (`EBADF` in another
            /// process) and counts as one open until `shm_close` or exit. `EINVAL` for a bad name
            /// or `len` (0, above [`crate::types::limits::SHM_MAX_BYTES`], another size),
            /// `ENOSPC` with [`crate::types::limits::SHM_OBJECTS`] objects alive, `ENOMEM`
            /// without frames.
            ShmOpen = 38 => shm_open(name, name_len, len);
            /// `shm_map(handle)` → the address where the object's pages are now mapped read-write
            /// in the caller (one new region of the `mmap` area: `munmap` removes it, exit too).
            /// Every mapping of an object, in any process, shows the same frames.
            ShmMap = 39 => shm_map(handle);
            /// `shm_close(handle)`: drops one open; an unlinked object with no opens left is
            /// freed (its frames once nothing maps them any more). `EBADF` if not open here.
            ShmClose = 40 => shm_close(handle);
            /// `shm_unlink(name, name_len)`: removes the name (a new open makes a new object);
            /// the object lives on while open or mapped. `ENOENT` if no such name.
            ShmUnlink = 41 => shm_unlink(name, name_len);
            /// `sigaction_flags(sig, handler, trampoline, mask, flags)` → the previous handler:
            /// `sigaction` with an `sa_mask` (`mask`: more signals blocked while the handler
            /// runs, restored by `sigreturn`) and `flags` ([`crate::signal::SA_RESTART`]);
            /// `EINVAL` for an unknown flag. `sigaction` is this call with 0 and 0.
            SigactionFlags = 63 => sigaction_flags(sig, handler, trampoline, mask, flags);
            /// `chdir(path, path_len)`: the caller's working directory becomes the directory at
            /// `path` (relative paths of every call resolve against it; children inherit it).
            /// `ENOENT` if nothing is there, `ENOTDIR` if it is no directory.
            Chdir = 42 => chdir(path, path_len);
            /// `getcwd(buf, len)` → the length of the caller's working directory (an absolute
            /// path, no NUL), written at `buf` if `len` is enough (nothing written otherwise).
            Getcwd = 43 => getcwd(buf, len);
        }
    };
}

macro_rules! define_sys {
    ($( $(#[$doc:meta])* $variant:ident = $nr:literal => $name:ident ( $($arg:ident),* ); )*) => {
        /// A system call, by number (`a7`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(usize)]
        pub enum Sys {
            $( $(#[$doc])* $variant = $nr, )*
        }

        impl Sys {
            /// Every system call, in the table's order.
            pub const ALL: &'static [Sys] = &[$(Sys::$variant),*];

            /// The call with number `nr`, if there is one. Inlined: `micro` decodes every
            /// system call with it, and out of line it costs a call per trap.
            #[inline(always)]
            pub const fn from_number(nr: usize) -> Option<Sys> {
                match nr {
                    $( $nr => Some(Sys::$variant), )*
                    _ => None,
                }
            }

            /// The number (`a7`).
            pub const fn number(self) -> usize {
                self as usize
            }

            /// The call's name, as `ulib` spells its stub.
            pub const fn name(self) -> &'static str {
                match self {
                    $( Sys::$variant => stringify!($name), )*
                }
            }

            /// How many of `a0..a5` the call reads.
            pub const fn arg_count(self) -> usize {
                match self {
                    $( Sys::$variant => {
                        const ARGS: &[&str] = &[$(stringify!($arg)),*];
                        ARGS.len()
                    } )*
                }
            }
        }
    };
}

for_each_syscall!(define_sys);
