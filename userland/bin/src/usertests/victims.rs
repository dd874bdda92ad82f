//! Victims: what `usertests --victim NAME ARGS…` runs in a child process, for tests that need a
//! second process or must watch one die. Each victim's `///` line says what it does and the
//! exit status the tests expect. The faulting ones use inline assembly (so no Rust-level
//! undefined behaviour is involved) and return 0 should the fault not happen, which the test
//! then reports.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::arch::asm;
use core::hint::black_box;

use abi::layout::{PAGE_SIZE, USER_TOP};
use abi::types::{fd, limits, prot};
use ulib::{Args, Errno, io, ipc, println, sys, thread};

use crate::harness::pattern;

/// A victim: its name and its code, given its own arguments (those after the name).
type Victim = (&'static str, fn(&[&str]) -> i32);

/// Every victim.
const VICTIMS: &[Victim] = &[
    ("illegal", illegal),
    ("csr", csr),
    ("ebreak", ebreak),
    ("null", null),
    ("load_kernel", load_kernel),
    ("store_kernel", store_kernel),
    ("exec_kernel", exec_kernel),
    ("exec_heap", exec_heap),
    ("exec_stack", exec_stack),
    ("store_text", store_text),
    ("store_rodata", store_rodata),
    ("stack_overflow", stack_overflow),
    ("munmapped", munmapped),
    ("exit", exit),
    ("exit42", |_| 42), // Exits with 42, as `exit 42` does.
    ("pid", pid),
    ("sleeper", sleeper),
    ("spin", spin),
    ("writeid", writeid),
    ("source", source),
    ("drain", drain),
    ("copy", copy),
    ("args", args),
    ("fds", fds),
    ("exit_threads", exit_threads),
    ("last_thread", last_thread),
    ("endpoint", endpoint),
    ("sigcatcher", sigcatcher),
    ("signaller", signaller),
    ("bad_sigreturn", bad_sigreturn),
    ("fifo_echo", fifo_echo),
    ("mq_sender", mq_sender),
    ("alarm_waiter", crate::alarm::waiter),
    ("shm_peer", crate::shm::peer),
    ("shm_racer", crate::shm::racer),
    ("shm_foreign", crate::shm::foreign),
    ("shm_holder", crate::shm::holder),
    ("pipe_writer", crate::sigmore::pipe_writer),
    ("signal_write", crate::sigmore::signal_write),
    ("cwd_is", crate::cwd::cwd_is),
    ("console_poll", crate::cwd::console_poll),
];

/// The status of the `endpoint` victim on a kernel without IPC (no endpoint id is this small:
/// ids 1 to 4 are the servers').
pub const NO_IPC: i32 = 3;

/// Runs victim `args[2]` with the arguments after it; 2 (and a message) for an unknown one.
pub fn run(args: &Args) -> i32 {
    let rest: Vec<&str> = args.iter().skip(3).collect();
    let name = args.get(2).unwrap_or("");
    match VICTIMS.iter().find(|v| v.0 == name) {
        Some(v) => (v.1)(&rest),
        None => {
            ulib::eprintln!("usertests: no victim {name:?}");
            2
        }
    }
}

/// Read-only data to store to.
static RODATA: [u8; 16] = [0x5a; 16];

/// Runs an all-zero instruction word (reserved as illegal): 132 (ILLEGAL).
fn illegal(_: &[&str]) -> i32 {
    // Safety: traps; nothing else.
    unsafe { asm!(".4byte 0", options(nostack)) };
    0
}

/// Reads the supervisor CSR `sstatus` from user mode: 132 (ILLEGAL).
fn csr(_: &[&str]) -> i32 {
    let v: usize;
    // Safety: traps in U-mode; only reads a CSR otherwise.
    unsafe { asm!("csrr {0}, sstatus", out(reg) v, options(nostack)) };
    black_box(v);
    0
}

/// Runs `ebreak`: 133 (BREAKPOINT).
fn ebreak(_: &[&str]) -> i32 {
    // Safety: traps to the kernel.
    unsafe { asm!("ebreak", options(nostack)) };
    0
}

/// Loads a doubleword from `addr` (in assembly, so the compiler assumes nothing about it).
fn load(addr: usize) -> i32 {
    // Safety: a load the kernel must refuse.
    unsafe { asm!("ld {0}, 0({0})", inout(reg) addr => _, options(nostack)) };
    0
}

/// Stores a doubleword to `addr`.
fn store(addr: usize) -> i32 {
    // Safety: a store the kernel must refuse.
    unsafe { asm!("sd zero, 0({0})", in(reg) addr, options(nostack)) };
    0
}

/// Calls `addr` as code (should it run, the code there is `c.ret`, which returns here).
fn jump(addr: usize) -> i32 {
    // Safety: an instruction fetch the kernel must refuse; every caller-saved register is
    // declared clobbered for the case it does not.
    unsafe { asm!("jalr ra, 0({0})", in(reg) addr, clobber_abi("C")) };
    0
}

/// Loads from address 0: 139 (FAULT).
fn null(_: &[&str]) -> i32 {
    load(0)
}

/// Loads from 0x8000_0000, kernel RAM: 139 (FAULT).
fn load_kernel(_: &[&str]) -> i32 {
    load(USER_TOP)
}

/// Stores to 0x8000_0000: 139 (FAULT).
fn store_kernel(_: &[&str]) -> i32 {
    store(USER_TOP)
}

/// Jumps to 0x8000_0000: 139 (FAULT).
fn exec_kernel(_: &[&str]) -> i32 {
    jump(USER_TOP)
}

/// `c.ret` (`c.jr ra`), four times: code to copy into data memory.
const RET: [u16; 4] = [0x8082; 4];

/// Jumps into code copied to the heap: 139 (FAULT; the heap is not executable).
fn exec_heap(_: &[&str]) -> i32 {
    let code = black_box(Box::new(RET));
    jump(code.as_ptr() as usize)
}

/// Jumps into code copied to the stack: 139 (FAULT; the stack is not executable).
fn exec_stack(_: &[&str]) -> i32 {
    let code = black_box(RET);
    jump(code.as_ptr() as usize)
}

/// Stores to its own code: 139 (FAULT).
fn store_text(_: &[&str]) -> i32 {
    store(illegal as *const () as usize)
}

/// Stores to its read-only data: 139 (FAULT).
fn store_rodata(_: &[&str]) -> i32 {
    store(RODATA.as_ptr() as usize)
}

/// Recurses with 2 KiB frames until the stack guard page stops it.
#[inline(never)]
fn recurse(depth: usize) -> usize {
    let mut frame = [0u8; 2048];
    frame[depth % 2048] = depth as u8;
    black_box(&mut frame);
    if black_box(depth) == usize::MAX {
        return 0; // Never: the guard page comes first.
    }
    recurse(depth + 1) + frame[0] as usize
}

/// Recurses into the stack guard page: 139 (FAULT).
fn stack_overflow(_: &[&str]) -> i32 {
    black_box(recurse(0));
    0
}

/// Loads from a page it mapped, used and unmapped: 139 (FAULT); 1 if mmap or munmap fail.
fn munmapped(_: &[&str]) -> i32 {
    let Ok(page) = sys::mmap(PAGE_SIZE, prot::READ | prot::WRITE) else {
        return 1;
    };
    // Safety: the page is ours until the munmap; the access after it is the test.
    unsafe {
        (page as *mut u64).write_volatile(1);
        if sys::munmap(page, PAGE_SIZE).is_err() {
            return 1;
        }
    }
    load(page)
}

/// The number in `args[0]`, if it is one.
fn arg_number<T: core::str::FromStr>(args: &[&str]) -> Option<T> {
    args.first().and_then(|s| s.parse().ok())
}

/// Exits with status ARG (any i32): ARG; -2 without a number.
fn exit(args: &[&str]) -> i32 {
    arg_number(args).unwrap_or(-2)
}

/// Exits with its own pid as status.
fn pid(_: &[&str]) -> i32 {
    sys::getpid() as i32
}

/// Reads standard input until end of file: 0 (1 on a read error).
fn sleeper(_: &[&str]) -> i32 {
    let mut buf = [0u8; 64];
    while let Ok(n) = sys::read(fd::STDIN, &mut buf) {
        if n == 0 {
            return 0;
        }
    }
    1
}

/// Loops forever without a system call: only `kill` ends it (137).
fn spin(_: &[&str]) -> i32 {
    loop {
        core::hint::spin_loop();
    }
}

/// Writes `ARG\n` to standard output in one write, exits with ARG.
fn writeid(args: &[&str]) -> i32 {
    let id: i32 = arg_number(args).unwrap_or(-2);
    println!("{id}");
    id
}

/// Writes ARG bytes of the test pattern to standard output: 0 (1 on a write error).
fn source(args: &[&str]) -> i32 {
    let data: Vec<u8> = (0..arg_number(args).unwrap_or(0)).map(pattern).collect();
    io::write_all(fd::STDOUT, &data).map_or(1, |()| 0)
}

/// Reads standard input to end of file: 0 if it was exactly ARG bytes of the pattern, else 1.
fn drain(args: &[&str]) -> i32 {
    let Ok(data) = io::read_to_end(fd::STDIN) else {
        return 1;
    };
    let right = Some(data.len()) == arg_number(args)
        && data.iter().enumerate().all(|(i, &b)| b == pattern(i));
    if right { 0 } else { 1 }
}

/// Copies standard input to standard output until end of file: 0 (1 on an error).
fn copy(_: &[&str]) -> i32 {
    let mut buf = [0u8; 256];
    loop {
        match sys::read(fd::STDIN, &mut buf) {
            Ok(0) => return 0,
            Ok(n) if io::write_all(fd::STDOUT, &buf[..n]).is_ok() => {}
            _ => return 1,
        }
    }
}

/// 0 if its arguments are exactly `one`, `` (empty) and `three four`; else 1.
fn args(args: &[&str]) -> i32 {
    if args == ["one", "", "three four"] {
        0
    } else {
        1
    }
}

/// 0 if fds 0, 1, 2 are open and no other fd is (fstat: EBADF); else 10 + the first wrong fd.
fn fds(_: &[&str]) -> i32 {
    for f in 0..limits::FDS + 4 {
        let r = sys::fstat(f);
        let right = if f < 3 {
            r.is_ok()
        } else {
            r == Err(Errno::BadF)
        };
        if !right {
            return 10 + f as i32;
        }
    }
    0
}

/// A thread that sleeps for ever.
fn sleep_forever(_: usize) -> i32 {
    loop {
        sys::sleep(1_000_000_000);
    }
}

/// Calls exit(7) while a second thread sleeps: 7 (exit ends every thread); 1 if the thread
/// cannot start.
fn exit_threads(_: &[&str]) -> i32 {
    // Never joined: exit must end it.
    let Ok(_sleeping) = thread::spawn(sleep_forever, 0) else {
        return 1;
    };
    sys::yield_now();
    sys::exit(7)
}

/// A thread that ends with 9 after 2 ms.
fn returns_nine(_: usize) -> i32 {
    sys::sleep(2_000_000);
    9
}

/// The main thread thread_exit(3)s while a second thread runs on and ends with 9: 9 (the last
/// thread's status is the process's); 1 if the thread cannot start.
fn last_thread(_: &[&str]) -> i32 {
    // Never joined: its end ends the process.
    let Ok(_last) = thread::spawn(returns_nine, 0) else {
        return 1;
    };
    sys::thread_exit(3)
}

/// Creates an endpoint and exits with its id (so the endpoint ends at once, with its owner);
/// [`NO_IPC`] without IPC, 1 if `ep_create` fails otherwise.
fn endpoint(_: &[&str]) -> i32 {
    match ipc::ep_create() {
        Ok(id) => i32::try_from(id).unwrap_or(1),
        Err(Errno::NoSys) => NO_IPC,
        Err(_) => 1,
    }
}

extern "C" fn ignore_signal(_: usize) {}

/// Catches SIGUSR1, SIGUSR2, SIGTERM and SIGINT, blocks every signal it can, writes one byte to
/// stdout (ready), then reads stdin like `sleeper`: only SIGKILL ends it (137). 3 if the mask
/// claims SIGKILL blocked, 4 if a handler could not be installed, 5 if it cannot say so.
fn sigcatcher(_: &[&str]) -> i32 {
    use ulib::signal::{self as sig, SIGINT, SIGKILL, SIGTERM, SIGUSR1, SIGUSR2};
    for s in [SIGUSR1, SIGUSR2, SIGTERM, SIGINT] {
        if sig::signal(s, ignore_signal).is_err() {
            return 4;
        }
    }
    let _ = sig::sigprocmask(sig::SETMASK, u64::MAX);
    match sig::sigprocmask(sig::BLOCK, 0) {
        Ok(mask) if mask & sig::bit(SIGKILL) == 0 => {}
        _ => return 3,
    }
    if sys::write(fd::STDOUT, b"r") != Ok(1) {
        return 5;
    }
    sleeper(&[])
}

/// `signaller PID MS`: sleeps MS milliseconds, then sends SIGUSR1 to PID: 0, or 1 if the kill
/// failed, 2 for bad arguments.
fn signaller(args: &[&str]) -> i32 {
    let (Some(pid), Some(ms)) = (
        args.first().and_then(|a| a.parse::<usize>().ok()),
        args.get(1).and_then(|a| a.parse::<u64>().ok()),
    ) else {
        return 2;
    };
    sys::sleep(ms * 1_000_000);
    match ulib::signal::kill(pid, ulib::signal::SIGUSR1) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

/// `bad_sigreturn null|forged`: `sigreturn` from a frame at address 8, or from a frame on the
/// stack the kernel never made: the kernel ends it (139). 0 if it lives on.
fn bad_sigreturn(args: &[&str]) -> i32 {
    let forged = [0x5a5a_5a5a_u64; 36];
    let at = match args.first() {
        Some(&"null") => 8,
        _ => black_box(&forged).as_ptr() as usize,
    };
    // Safety: the kernel reads the frame (and refuses it); nothing of ours is written.
    let _ = unsafe { ulib::raw::sigreturn(at) };
    0
}

/// Opens fifo ARG 1 to read and fifo ARG 2 to write, and copies the one into the other until
/// end of file: 0 (1 on an error).
fn fifo_echo(args: &[&str]) -> i32 {
    let (Some(a), Some(b)) = (args.first(), args.get(1)) else {
        return 1;
    };
    let (Ok(from), Ok(to)) = (
        sys::open(a, abi::types::open::RDONLY),
        sys::open(b, abi::types::open::WRONLY),
    ) else {
        return 1;
    };
    let mut buf = [0u8; 64];
    loop {
        match sys::read(from, &mut buf) {
            Ok(0) => return 0,
            Ok(n) if io::write_all(to, &buf[..n]).is_ok() => {}
            _ => return 1,
        }
    }
}

/// Opens queue ARG 1 and sends ARG 2 messages, message `i` being `i + 1` bytes of value `i`:
/// 0 (1 on an error).
fn mq_sender(args: &[&str]) -> i32 {
    let (Some(name), Some(count)) = (
        args.first(),
        arg_number::<usize>(args.get(1..).unwrap_or(&[])),
    ) else {
        return 1;
    };
    let Ok(q) = sys::mq_open(name, abi::types::open::RDWR) else {
        return 1;
    };
    for i in 0..count {
        if sys::mq_send(q, &alloc::vec![i as u8; i + 1]).is_err() {
            return 1;
        }
    }
    0
}
