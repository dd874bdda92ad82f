//! The test harness: the [`Test`] record (a name, the question it asks, the function that answers
//! it), [`ensure!`] and the helpers tests share for checking results, spawning this program as a
//! victim (`usertests --victim NAME ARGS…`) and reaping it. A test returns `Err(reason)` at its
//! first wrong answer; reasons name what was asked and what came back, never an address or a
//! time, so the output is the same on every run.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{Debug, Display};

use abi::layout::{MMAP_LIMIT, PAGE_SIZE, STACK_GUARD, USER_BASE, USER_TOP};
use abi::types::{open, prot};
use ulib::{Errno, sys};

/// What a test returns: `Err` carries the reason it failed.
pub type Outcome = Result<(), String>;

/// One test of the suite.
pub struct Test {
    /// The name, as printed and as `usertests --test NAME` selects it.
    pub name: &'static str,
    /// The question the test asks of the kernel.
    pub question: &'static str,
    /// Answers it.
    pub run: fn() -> Outcome,
}

/// The path this program is spawned by (for victims and for each test's own process).
pub const SELF: &str = "/bin/usertests";

/// Fails the test with a formatted reason unless `cond` holds.
macro_rules! ensure {
    ($cond:expr, $($reason:tt)+) => {
        if !$cond {
            return Err(alloc::format!($($reason)+));
        }
    };
}

/// A call's result as a reason shows it: `Ok(VALUE)` or the error's name (`EFAULT`).
pub fn show<T: Debug>(r: &Result<T, Errno>) -> String {
    match r {
        Ok(v) => format!("Ok({v:?})"),
        Err(e) => String::from(e.name()),
    }
}

/// The value of a call that must succeed; its error as the reason otherwise.
pub fn ok<T>(r: Result<T, Errno>, what: impl Display) -> Result<T, String> {
    r.map_err(|e| format!("{what}: {}", e.name()))
}

/// Requires the call to have failed with `want`.
pub fn expect_err<T: Debug>(r: Result<T, Errno>, want: Errno, what: impl Display) -> Outcome {
    match r {
        Err(e) if e == want => Ok(()),
        _ => Err(format!("{what}: got {}, want {}", show(&r), want.name())),
    }
}

/// A raw system call's return value as a `Result`.
pub fn check(ret: isize) -> Result<usize, Errno> {
    Errno::check(ret)
}

/// Spawns `usertests --victim ARGS…` with `stdio` (as `sys::spawn` takes it).
pub fn spawn_victim(args: &[&str], stdio: Option<[i32; 3]>) -> Result<usize, String> {
    let mut argv: Vec<&str> = alloc::vec!["usertests", "--victim"];
    argv.extend_from_slice(args);
    ok(
        sys::spawn(SELF, &argv, stdio),
        format_args!("spawn victim {}", args.join(" ")),
    )
}

/// Waits for child `pid`; its status.
pub fn reap(pid: usize) -> Result<i32, String> {
    let (got, status) = ok(sys::wait(Some(pid)), "wait for the child")?;
    ensure!(got == pid, "wait for a pid returned another pid");
    Ok(status)
}

/// Runs victim `args` to its end with the caller's stdio; its status.
pub fn run_victim(args: &[&str]) -> Result<i32, String> {
    let pid = spawn_victim(args, None)?;
    reap(pid)
}

/// Runs victim `args` and requires exit status `want`.
pub fn expect_status(args: &[&str], want: i32) -> Outcome {
    let status = run_victim(args)?;
    ensure!(
        status == want,
        "victim {}: status {status}, want {want}",
        args.join(" ")
    );
    Ok(())
}

/// Requires that this process has no child left (nothing to wait for: `ECHILD`).
pub fn no_children() -> Outcome {
    expect_err(
        sys::wait(None),
        Errno::Child,
        "wait after every child was reaped",
    )
}

/// How many more fds this process can open now (opens `/dev/null` until `EMFILE`, then closes
/// them again).
pub fn free_fds() -> Result<usize, String> {
    let mut opened = Vec::new();
    let end = loop {
        match sys::open("/dev/null", open::RDONLY) {
            Ok(f) if opened.len() <= abi::types::limits::FDS => opened.push(f),
            other => break other,
        }
    };
    for &f in &opened {
        ok(sys::close(f), "close")?;
    }
    expect_err(end, Errno::MFile, "open past the last free fd")?;
    Ok(opened.len())
}

/// The first byte of an unmapped page directly above a mapped, writable page of this process:
/// a range across it starts in good memory and runs into none.
pub fn unmapped_edge() -> Result<usize, String> {
    let base = ok(
        sys::mmap(2 * PAGE_SIZE, prot::READ | prot::WRITE),
        "mmap two pages",
    )?;
    // Safety: nothing uses the fresh second page.
    ok(
        unsafe { sys::munmap(base + PAGE_SIZE, PAGE_SIZE) },
        "munmap the second page",
    )?;
    Ok(base + PAGE_SIZE)
}

/// Makes `/tmp` if it is missing, and an empty directory `/tmp/NAME` (emptied if a failed run
/// left it behind); its path.
pub fn fresh_dir(name: &str) -> Result<String, String> {
    match sys::mkdir("/tmp") {
        Ok(()) | Err(Errno::Exist) => {}
        Err(e) => return Err(format!("mkdir /tmp: {}", e.name())),
    }
    let path = format!("/tmp/{name}");
    remove_tree(&path)?;
    ok(sys::mkdir(&path), format_args!("mkdir {path}"))?;
    Ok(path)
}

/// Removes `path` and, if it is a directory, everything in it; a missing `path` is fine.
pub fn remove_tree(path: &str) -> Outcome {
    let f = match sys::open(path, open::RDONLY) {
        Err(Errno::NoEnt) => return Ok(()),
        r => ok(r, format_args!("open {path}"))?,
    };
    let mut children = Vec::new();
    if ok(sys::fstat(f), "fstat")?.kind == abi::types::kind::DIR {
        while let Some(e) = ok(sys::readdir(f), format_args!("readdir {path}"))? {
            let name = e.name();
            if name != b"." && name != b".." {
                children.push(format!("{path}/{}", String::from_utf8_lossy(name)));
            }
        }
    }
    ok(sys::close(f), "close")?;
    for c in &children {
        remove_tree(c)?;
    }
    ok(sys::unlink(path), format_args!("unlink {path}"))
}

/// Byte `i` of the test pattern that pipe tests send: never a long run of one value.
pub fn pattern(i: usize) -> u8 {
    (i % 251) as u8
}

/// Word-aligned addresses no call may read or write, by name: the tests of every call that takes
/// a pointer walk them (a range that only starts in good memory is each test's own case).
pub const BAD_ADDRESSES: &[(&str, usize)] = &[
    ("null", 0),
    ("kernel RAM", USER_TOP),
    ("the kernel half", 0xffff_ffc0_0000_0000),
    ("below the program", USER_BASE),
    ("the stack guard", STACK_GUARD),
    ("unmapped mmap space", MMAP_LIMIT - PAGE_SIZE),
];

/// A thread body that writes one byte to the fd it is given after yielding a few times, so a
/// test's blocking call is already waiting; exits 0 if the write took the byte.
pub fn late_writer(fd: usize) -> i32 {
    for _ in 0..5 {
        sys::yield_now();
    }
    match sys::write(fd, b"!") {
        Ok(1) => 0,
        _ => 1,
    }
}
