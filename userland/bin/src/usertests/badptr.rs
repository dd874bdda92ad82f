//! What if you pass ridiculous pointers to system calls? (xv6's usertests asks the same.) Every
//! call that takes a pointer gets null, kernel addresses, unmapped user addresses, ranges that
//! cross into the kernel or into an unmapped page or wrap around, and — for calls that write to
//! user memory — the program's own code and read-only data. Each must fail with `EFAULT`, change
//! nothing, and leave the caller running; a good call on the same fd is the control.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use abi::layout::{MMAP_LIMIT, PAGE_SIZE, STACK_GUARD, USER_BASE, USER_TOP};
use abi::types::{Str, open};
use ulib::{Errno, raw, sys};

use crate::harness::{Outcome, SELF, Test, check, expect_err, free_fds, ok, reap, unmapped_edge};

/// A pointer no call may accept, named for the reasons.
#[derive(Clone, Copy)]
pub struct Bad {
    /// Why no call may accept it.
    pub name: &'static str,
    /// The address.
    pub addr: usize,
}

/// Bytes passed with a bad buffer pointer.
const LEN: usize = 16;

/// Read-only data (a call writing here must fail).
static RODATA: [u8; LEN] = [7; LEN];

/// Names a bad pointer.
const fn bad(name: &'static str, addr: usize) -> Bad {
    Bad { name, addr }
}

/// Addresses no call may read `LEN` bytes from.
fn unreadable() -> Result<Vec<Bad>, String> {
    let edge = unmapped_edge()?;
    Ok(alloc::vec![
        bad("null", 0),
        bad("kernel RAM", USER_TOP),
        bad("the kernel half", 0xffff_ffc0_0000_0000),
        bad("below the program", USER_BASE),
        bad("the stack guard", STACK_GUARD),
        bad("unmapped mmap space", MMAP_LIMIT - PAGE_SIZE),
        bad("a range into the kernel", USER_TOP - 2),
        bad("a range into an unmapped page", edge - 2),
        bad("a wrapping range", usize::MAX - 1),
    ])
}

/// Addresses no call may write `LEN` bytes to: the unreadable ones, code and read-only data.
pub fn unwritable() -> Result<Vec<Bad>, String> {
    let mut v = unreadable()?;
    v.push(bad("code", unreadable as *const () as usize));
    v.push(bad("read-only data", RODATA.as_ptr() as usize));
    Ok(v)
}

/// Requires `ret` to be `-EFAULT`.
pub fn fault(ret: isize, call: &str, bad: &Bad) -> Outcome {
    expect_err(
        check(ret),
        Errno::Fault,
        format_args!("{call} with {}", bad.name),
    )
}

fn read() -> Outcome {
    let zero = ok(sys::open("/dev/zero", open::RDONLY), "open /dev/zero")?;
    for b in unwritable()? {
        // Safety: the kernel must refuse the pointer; nothing of ours is at a valid one.
        fault(unsafe { raw::read(zero, b.addr, LEN) }, "read", &b)?;
    }
    let mut buf = [1u8; LEN];
    let wrap = Bad {
        name: "a length past the end of memory",
        addr: buf.as_mut_ptr() as usize,
    };
    // Safety: as above: the range runs off the top of the address space.
    fault(
        unsafe { raw::read(zero, wrap.addr, usize::MAX) },
        "read",
        &wrap,
    )?;
    ensure!(buf == [1; LEN], "a failed read changed the buffer");
    ensure!(
        ok(sys::read(zero, &mut buf), "read /dev/zero")? == LEN,
        "short read of /dev/zero"
    );
    Ok(())
}

fn write() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    for b in unreadable()? {
        // Safety: the kernel only reads through the pointer, and must refuse it.
        fault(unsafe { raw::write(w, b.addr, LEN) }, "write", &b)?;
    }
    let buf = [2u8; LEN];
    let wrap = Bad {
        name: "a length past the end of memory",
        addr: buf.as_ptr() as usize,
    };
    // Safety: as above.
    fault(
        unsafe { raw::write(w, wrap.addr, usize::MAX) },
        "write",
        &wrap,
    )?;
    let waiting = ok(sys::fstat(r), "fstat the pipe")?.size;
    ensure!(
        waiting == 0,
        "failed writes put {waiting} bytes into the pipe"
    );
    ensure!(ok(sys::write(w, b"ok"), "write")? == 2, "short write");
    Ok(())
}

fn open_path() -> Outcome {
    for b in unreadable()? {
        // Safety: the kernel only reads the path, and must refuse it.
        fault(unsafe { raw::open(b.addr, 8, open::RDONLY) }, "open", &b)?;
    }
    let f = ok(sys::open("/dev/null", open::RDONLY), "open /dev/null")?;
    ok(sys::close(f), "close")
}

fn pipe() -> Outcome {
    let before = free_fds()?;
    for b in unwritable()? {
        // Safety: the kernel must refuse to write the fds there.
        fault(unsafe { raw::pipe(b.addr) }, "pipe", &b)?;
    }
    let after = free_fds()?;
    ensure!(
        before == after,
        "failed pipes used up {} fds",
        before - after
    );
    let (r, w) = ok(sys::pipe(), "pipe")?;
    ok(sys::close(r), "close")?;
    ok(sys::close(w), "close")
}

fn fstat() -> Outcome {
    let f = ok(sys::open("/dev/null", open::RDONLY), "open /dev/null")?;
    for b in unwritable()? {
        // Safety: the kernel must refuse to write the Stat there.
        fault(unsafe { raw::fstat(f, b.addr) }, "fstat", &b)?;
    }
    ok(sys::fstat(f), "fstat").map(drop)
}

fn unlink_mkdir() -> Outcome {
    for b in unreadable()? {
        // Safety: the kernel only reads the path, and must refuse it.
        fault(unsafe { raw::unlink(b.addr, 8) }, "unlink", &b)?;
        // Safety: as above.
        fault(unsafe { raw::mkdir(b.addr, 8) }, "mkdir", &b)?;
    }
    Ok(())
}

fn readdir() -> Outcome {
    let d = ok(sys::open("/bin", open::RDONLY), "open /bin")?;
    for b in unwritable()? {
        // Safety: the kernel must refuse to write the entry there.
        fault(unsafe { raw::readdir(d, b.addr) }, "readdir", &b)?;
    }
    ensure!(
        ok(sys::readdir(d), "readdir /bin")?.is_some(),
        "readdir /bin: no entries"
    );
    Ok(())
}

/// A good argument vector: `usertests --victim exit 0`.
const ARGV: [&str; 4] = ["usertests", "--victim", "exit", "0"];

/// `spawn` with raw arguments; a child it should not have made is reaped and reported.
fn spawn_raw(
    path: usize,
    path_len: usize,
    argv: usize,
    argc: usize,
    stdio: usize,
    what: &str,
    b: &Bad,
) -> Outcome {
    // Safety: each pointer is either good or one the kernel must refuse.
    let ret = unsafe { raw::spawn(path, path_len, argv, argc, stdio) };
    if let Ok(pid) = check(ret) {
        let status = reap(pid)?;
        return Err(format!(
            "spawn with {what} {}: started a child (status {status})",
            b.name
        ));
    }
    fault(ret, &format!("spawn with {what}"), b)
}

fn spawn() -> Outcome {
    let argv: Vec<Str> = ARGV
        .iter()
        .map(|a| Str {
            ptr: a.as_ptr() as u64,
            len: a.len() as u64,
        })
        .collect();
    let stdio = [-1i32; 3];
    let (path, len, av, ac, io) = (
        SELF.as_ptr() as usize,
        SELF.len(),
        argv.as_ptr() as usize,
        argv.len(),
        stdio.as_ptr() as usize,
    );
    for b in unreadable()? {
        spawn_raw(b.addr, len, av, ac, io, "path", &b)?;
        spawn_raw(path, len, b.addr, ac, io, "argv", &b)?;
        let mut bad_argv = argv.clone();
        bad_argv[2] = Str {
            ptr: b.addr as u64,
            len: 8,
        };
        spawn_raw(
            path,
            len,
            bad_argv.as_ptr() as usize,
            ac,
            io,
            "an argument string",
            &b,
        )?;
        if b.addr != 0 {
            // A null stdio pointer means "inherit all three".
            spawn_raw(path, len, av, ac, b.addr, "stdio", &b)?;
        }
    }
    // Safety: every pointer is good.
    let pid = ok(
        check(unsafe { raw::spawn(path, len, av, ac, io) }),
        "spawn with good pointers",
    )?;
    let status = reap(pid)?;
    ensure!(status == 0, "the control child: status {status}, want 0");
    Ok(())
}

fn wait() -> Outcome {
    let pid = crate::harness::spawn_victim(&["exit", "42"], None)?;
    for b in unwritable()?.iter().filter(|b| b.addr != 0) {
        // Safety: the kernel must refuse to write the status there (null means "don't").
        fault(unsafe { raw::wait(pid, b.addr) }, "wait", b)?;
    }
    let status = reap(pid).map_err(|e| format!("after the failed waits: {e}"))?;
    ensure!(status == 42, "child status {status}, want 42");
    Ok(())
}

/// The tests.
pub const TESTS: &[Test] = &[
    Test {
        name: "badptr_read",
        question: "Does read refuse every buffer it may not write?",
        run: read,
    },
    Test {
        name: "badptr_write",
        question: "Does write refuse every buffer it may not read?",
        run: write,
    },
    Test {
        name: "badptr_open",
        question: "Does open refuse every path pointer it may not read?",
        run: open_path,
    },
    Test {
        name: "badptr_pipe",
        question: "Does pipe refuse every fd array it may not write, leaking no fds?",
        run: pipe,
    },
    Test {
        name: "badptr_fstat",
        question: "Does fstat refuse every Stat pointer it may not write?",
        run: fstat,
    },
    Test {
        name: "badptr_unlink_mkdir",
        question: "Do unlink and mkdir refuse every path pointer they may not read?",
        run: unlink_mkdir,
    },
    Test {
        name: "badptr_readdir",
        question: "Does readdir refuse every entry pointer it may not write?",
        run: readdir,
    },
    Test {
        name: "badptr_spawn",
        question: "Does spawn refuse a bad path, argv, argument string or stdio pointer?",
        run: spawn,
    },
    Test {
        name: "badptr_wait",
        question: "Does wait refuse a bad status pointer and keep the child for a good wait?",
        run: wait,
    },
];
