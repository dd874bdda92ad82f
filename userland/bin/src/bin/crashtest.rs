//! crashtest: does a server's crash and restart on `micro` cost the other processes nothing?
//! Crashes come from outside (`klab run micro --inject SERVER@N crashtest N`): no program may
//! crash a server, which is what `crashtest forge` checks.
//!
//! `crashtest FIRST [LAST]` — FIRST (and LAST, default FIRST) are the instruction counts at
//! which klab injects crashes. Before FIRST it builds state in every server: a file written and
//! kept open (fs), a child that waits for a grandchild (proc) blocked reading a pipe (fs),
//! memory allocated and half touched (mem), lines written (console). It then runs on until
//! [`MARGIN`] instructions past LAST, making calls of its own, and checks that everything
//! survived: the file reads back through the old fd and by name, the memory holds what was
//! written, untouched pages fault in zeroed, more allocations work, and the child ends with the
//! status the grandchild gave it once the pipe says go. A call the crash interrupted fails with
//! `EIO` and is made again (the lines `… -> EIO, … again`). Prints `crashtest: ok`, status 0;
//! `crashtest: FAIL …` and status 1 when something did not survive. Without a crash (or on
//! `mono`) the same checks pass too.
//!
//! `crashtest forge` — every way a program might ask for a crash is refused: the withdrawn
//! `inject` kernel call (`EPERM`), an IPC with `label::CRASH` to each server (answered
//! `-EPERM`, the server lives on), a notification of every bit. Status 2 on a kernel without
//! IPC (`mono`), where nothing was tested.
//!
//! `crashtest dead FIRST LAST` — for a console declared dead by crashes from FIRST to LAST:
//! past LAST, writing to the console fails with `EIO` while files still work; status 0 if so.
#![no_std]
#![no_main]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;

use abi::ipc::{kcall, label, level};
use abi::types::{open, prot, seek};
use ulib::counters::instret;
use ulib::io::{STDOUT, write_all};
use ulib::{Errno, ipc, println, sys};

/// Instructions to run on past the last injection: the kernel looks at the count on its timer
/// tick (every 5 ms of guest time), and the restart itself takes a few thousand.
const MARGIN: u64 = 20_000_000;
/// The file the crash must not lose.
const FILE: &str = "/tmp/crashtest";
/// The status the grandchild ends with; the child adds [`CHILD_ADDS`].
const GRANDCHILD_STATUS: i32 = 7;
/// What the child adds to its grandchild's status.
const CHILD_ADDS: i32 = 40;
/// Pages of the mapped region (half touched before the crash, half after).
const PAGES: usize = 16;
/// Status when the kernel has no IPC (`crashtest forge` on `mono`): nothing was tested.
const NO_IPC: i32 = 2;

/// A failed check: its line.
struct Fail;

/// Prints `crashtest: FAIL …` and gives [`Fail`].
macro_rules! fail {
    ($($arg:tt)*) => {{
        println!("crashtest: FAIL {}", format_args!($($arg)*));
        Fail
    }};
}

fn main(args: ulib::Args) -> i32 {
    let num = |i: usize| args.get(i).and_then(|s| s.parse::<u64>().ok());
    let r = match args.get(1) {
        Some("forge") => return forge(),
        Some("child") => return child(),
        Some("grandchild") => return grandchild(),
        Some("dead") => match (num(2), num(3)) {
            (Some(first), Some(last)) => dead(first, last),
            _ => Err(fail!("usage: crashtest dead FIRST LAST")),
        },
        _ => match num(1) {
            Some(first) => survive(first, num(2).unwrap_or(first)),
            None => Err(fail!(
                "usage: crashtest FIRST [LAST] | forge | dead FIRST LAST"
            )),
        },
    };
    match r {
        Ok(()) => {
            println!("crashtest: ok");
            0
        }
        Err(Fail) => 1,
    }
}

/// The pattern byte at offset `i` of the file and the memory.
fn pattern(i: usize) -> u8 {
    (i * 7 + i / 251) as u8
}

/// Runs system calls until `instret` passes `until`: `getpid` (proc), `fstat` of `fd` (fs),
/// `brk(0)` (mem). A call that fails with `EIO` (its server crashed under it) is counted and
/// made again; any other failure is one.
fn run_until(until: u64, fd: usize) -> Result<(), Fail> {
    let me = sys::getpid();
    let mut eio = 0;
    while instret() < until {
        let pid = sys::getpid();
        if pid != me && pid as isize != Errno::Io.ret() {
            return Err(fail!("getpid -> {pid}, want {me}"));
        }
        for r in [sys::fstat(fd).map(drop), sys::brk(0).map(drop)] {
            match r {
                Ok(()) => {}
                Err(Errno::Io) => eio += 1,
                Err(e) => return Err(fail!("a call during the crash -> {}", e.name())),
            }
        }
    }
    if eio > 0 {
        println!("crashtest: {eio} calls -> EIO, made again");
    }
    Ok(())
}

/// `crashtest FIRST LAST`: state in every server before FIRST, checked after LAST.
fn survive(first: u64, last: u64) -> Result<(), Fail> {
    // fs: a file, written and kept open.
    let _ = sys::mkdir("/tmp");
    let data: Vec<u8> = (0..5000).map(pattern).collect();
    let fd = sys::open(FILE, open::RDWR | open::CREAT | open::TRUNC)
        .map_err(|e| fail!("open {FILE}: {}", e.name()))?;
    write_all(fd, &data).map_err(|e| fail!("write {FILE}: {}", e.name()))?;
    // proc and fs: a child waiting for a grandchild that reads a pipe.
    let (r, w) = sys::pipe().map_err(|e| fail!("pipe: {}", e.name()))?;
    let child = sys::spawn(
        "/bin/crashtest",
        &["crashtest", "child"],
        Some([r as i32, -1, -1]),
    )
    .map_err(|e| fail!("spawn: {}", e.name()))?;
    let _ = sys::close(r);
    // mem: heap memory, and a mapped region half touched.
    let heap: Vec<u8> = (0..100_000).map(pattern).collect();
    let region = sys::mmap(PAGES * 4096, prot::READ | prot::WRITE)
        .map_err(|e| fail!("mmap: {}", e.name()))?;
    // Safety: `region` is PAGES fresh pages, readable and writable, ours alone.
    let mem = unsafe { core::slice::from_raw_parts_mut(region as *mut u8, PAGES * 4096) };
    for (i, b) in mem[..PAGES / 2 * 4096].iter_mut().enumerate() {
        *b = pattern(i);
    }
    // Let the child and the grandchild get to their waits.
    sys::sleep(2_000_000);
    let ready = instret();
    if ready >= first {
        return Err(fail!(
            "ready only at instruction {ready}, after the crash at {first}: inject later"
        ));
    }
    println!("crashtest: ready before the crash");
    run_until(last + MARGIN, fd)?;
    println!("crashtest: after the crash");
    // fs: the file, through the fd kept open and by name.
    sys::seek(fd, 0, seek::SET).map_err(|e| fail!("seek: {}", e.name()))?;
    let mut back = vec![0u8; data.len() + 1];
    let n = ulib::io::read_full(fd, &mut back).map_err(|e| fail!("read: {}", e.name()))?;
    if back[..n] != data[..] {
        return Err(fail!(
            "{FILE} read back {n} bytes, not the {} written",
            data.len()
        ));
    }
    let by_name = sys::open(FILE, open::RDONLY)
        .and_then(ulib::io::read_to_end)
        .map_err(|e| fail!("reopen {FILE}: {}", e.name()))?;
    if by_name != data {
        return Err(fail!("{FILE} reopened differs"));
    }
    println!("crashtest: the file reads back");
    // mem: what was written stays, the rest faults in zeroed, more allocations work.
    if heap.iter().enumerate().any(|(i, &b)| b != pattern(i)) {
        return Err(fail!("the heap changed"));
    }
    let (old, new) = mem.split_at_mut(PAGES / 2 * 4096);
    if old.iter().enumerate().any(|(i, &b)| b != pattern(i)) {
        return Err(fail!("the mapped pages changed"));
    }
    if new.iter().any(|&b| b != 0) {
        return Err(fail!("a page faulted in after the crash is not zero"));
    }
    new.fill(0x5a);
    let more: Vec<u64> = (0..200_000u64).collect();
    let again =
        sys::mmap(64 * 1024, prot::READ | prot::WRITE).map_err(|e| fail!("mmap: {}", e.name()))?;
    // Safety: a fresh mapping of 64 KiB, ours alone; nothing uses it after the unmap.
    unsafe {
        core::slice::from_raw_parts_mut(again as *mut u8, 64 * 1024).fill(1);
        sys::munmap(again, 64 * 1024).map_err(|e| fail!("munmap: {}", e.name()))?;
    }
    if more.iter().sum::<u64>() != 199_999 * 200_000 / 2 {
        return Err(fail!("a new allocation does not hold its values"));
    }
    println!("crashtest: the memory is kept and more allocations work");
    // proc: the child still waits for the grandchild, which still waits for the pipe.
    write_all(w, b"go").map_err(|e| fail!("write to the pipe: {}", e.name()))?;
    let _ = sys::close(w);
    let status = loop {
        match sys::wait(Some(child)) {
            Ok((_, status)) => break status,
            Err(Errno::Io) => println!("crashtest: wait -> EIO, waiting again"),
            Err(e) => return Err(fail!("wait: {}", e.name())),
        }
    };
    if status != GRANDCHILD_STATUS + CHILD_ADDS {
        return Err(fail!(
            "the child ended with {status}, want {}",
            GRANDCHILD_STATUS + CHILD_ADDS
        ));
    }
    println!("crashtest: the child ended with {status}");
    let _ = sys::unlink(FILE);
    Ok(())
}

/// The child: waits for the grandchild (parked in proc), making the wait again after `EIO`.
fn child() -> i32 {
    let Ok(g) = sys::spawn("/bin/crashtest", &["crashtest", "grandchild"], None) else {
        return 1;
    };
    loop {
        match sys::wait(Some(g)) {
            Ok((_, status)) => return CHILD_ADDS + status,
            Err(Errno::Io) => println!("crashtest: child: wait -> EIO, waiting again"),
            Err(_) => return 2,
        }
    }
}

/// The grandchild: reads its stdin, a pipe (parked in fs), until the parent says go.
fn grandchild() -> i32 {
    let mut buf = [0u8; 2];
    loop {
        match sys::read(0, &mut buf) {
            Ok(2) if &buf == b"go" => return GRANDCHILD_STATUS,
            Ok(_) => return 3,
            Err(Errno::Io) => println!("crashtest: grandchild: read -> EIO, reading again"),
            Err(_) => return 4,
        }
    }
}

/// `crashtest forge`: every crash request a program can make is refused.
fn forge() -> i32 {
    if !ipc::available() {
        println!("crashtest: no IPC on this kernel");
        return NO_IPC;
    }
    let mut ok = true;
    for ep in 1..=level::SERVERS {
        // Safety: no pointers.
        let r = unsafe { ulib::raw::syscall(kcall::INJECT, [ep]) };
        if r != Errno::Perm.ret() {
            println!("crashtest: FAIL inject({ep}) -> {r}, want EPERM");
            ok = false;
        }
        match ipc::call(ep, label::CRASH, &[], &[]) {
            Ok((_, words)) if words[0] as i64 == Errno::Perm.ret() as i64 => {}
            other => {
                println!("crashtest: FAIL a CRASH message to {ep} -> {other:?}, want -EPERM");
                ok = false;
            }
        }
        if let Err(e) = ipc::notify(ep, u64::MAX) {
            println!("crashtest: FAIL notify({ep}) -> {}", e.name());
            ok = false;
        }
    }
    // Every server still answers: proc, fs and console by a line, mem by an allocation.
    let v: Vec<u8> = vec![1; 64 * 1024];
    if !ok || v.iter().any(|&b| b != 1) || sys::getpid() as isize <= 0 {
        return 1;
    }
    println!("crashtest: every crash request refused");
    0
}

/// `crashtest dead FIRST LAST`: the console fails from FIRST to LAST and is declared dead.
fn dead(first: u64, last: u64) -> Result<(), Fail> {
    let _ = sys::mkdir("/tmp");
    let fd = sys::open(FILE, open::RDWR | open::CREAT | open::TRUNC)
        .map_err(|e| fail!("open: {}", e.name()))?;
    if instret() >= first {
        return Err(fail!("ready after the first crash: inject later"));
    }
    println!("crashtest: ready before the crashes");
    run_until(last + MARGIN, fd)?;
    // The console is dead: nothing can be printed, so the exit status tells.
    match write_all(STDOUT, b"crashtest: the console still works\n") {
        Err(Errno::Io) => {}
        _ => return Err(Fail),
    }
    write_all(fd, b"files still work").map_err(|_| Fail)?;
    sys::seek(fd, 0, seek::SET).map_err(|_| Fail)?;
    let mut back = [0u8; 16];
    match ulib::io::read_full(fd, &mut back) {
        Ok(16) if &back == b"files still work" => {}
        _ => return Err(Fail),
    }
    let _ = sys::unlink(FILE);
    // `crashtest: ok` cannot be seen; the status says it.
    Ok(())
}

ulib::entry!(main);
