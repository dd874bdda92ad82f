//! Working directories: `chdir` and `getcwd`, relative paths in every path-taking call
//! (`open`, `mkdir`, `unlink`, `mkfifo`, `spawn`), `..`, inheritance by a child, and the errors
//! (`ENOENT`, `ENOTDIR`, `ENAMETOOLONG`, bad pointers).

use alloc::format;
use alloc::string::String;

use abi::types::{PATH_MAX, open};
use ulib::{Errno, raw, sys};

use crate::badptr::{fault, unwritable};
use crate::harness::{Outcome, SELF, Test, check, expect_err, fresh_dir, no_children, ok, reap};

/// Victim `cwd_is DIR`: 0 if its working directory is `DIR` and `sub` opens there, 1 if not.
pub fn cwd_is(args: &[&str]) -> i32 {
    let Some(want) = args.first() else {
        return 2;
    };
    match (sys::getcwd(), sys::open("sub", open::RDONLY)) {
        (Ok(dir), Ok(_)) if dir == *want => 0,
        _ => 1,
    }
}

fn relative_paths() -> Outcome {
    let top = fresh_dir("cwd")?;
    ensure!(ok(sys::getcwd(), "getcwd")? == "/", "a test starts at /");
    ok(sys::chdir(&top), format_args!("chdir {top}"))?;
    ensure!(
        ok(sys::getcwd(), "getcwd")? == top,
        "getcwd after chdir {top}"
    );
    ok(sys::mkdir("sub"), "mkdir sub")?;
    let fd = ok(
        sys::open("sub/f", open::WRONLY | open::CREAT),
        "create sub/f",
    )?;
    ok(sys::write(fd, b"hello"), "write sub/f")?;
    ok(sys::close(fd), "close")?;
    let fd = ok(
        sys::open(&format!("{top}/sub/f"), open::RDONLY),
        "open by the full path",
    )?;
    ok(sys::close(fd), "close")?;
    ok(sys::chdir("sub/./"), "chdir sub")?;
    let sub = format!("{top}/sub");
    ensure!(ok(sys::getcwd(), "getcwd")? == sub, "getcwd in sub");
    let fd = ok(sys::open("f", open::RDONLY), "open f in sub")?;
    let mut buf = [0u8; 8];
    ensure!(ok(sys::read(fd, &mut buf), "read f")? == 5, "f's bytes");
    ok(sys::close(fd), "close")?;
    ok(sys::chdir(".."), "chdir ..")?;
    ensure!(ok(sys::getcwd(), "getcwd")? == top, "getcwd after ..");
    ok(sys::mkfifo("fifo"), "mkfifo fifo")?;
    ok(
        sys::unlink(&format!("{top}/fifo")),
        "the fifo is in the directory",
    )?;
    ok(sys::unlink("sub/f"), "unlink sub/f")?;
    expect_err(
        sys::open(&format!("{top}/sub/f"), open::RDONLY),
        Errno::NoEnt,
        "sub/f after unlink",
    )?;
    // A child inherits the directory; a relative program path is resolved against it.
    let up = "../".repeat(top.matches('/').count());
    let program = format!("{up}{}", &SELF[1..]);
    let pid = ok(
        sys::spawn(&program, &["usertests", "--victim", "cwd_is", &top], None),
        format_args!("spawn {program}"),
    )?;
    ensure!(
        reap(pid)? == 0,
        "the child's working directory is not {top}"
    );
    ok(sys::chdir("/"), "chdir /")?;
    ensure!(ok(sys::getcwd(), "getcwd")? == "/", "back at /");
    no_children()
}

fn errors() -> Outcome {
    let top = fresh_dir("cwd-errors")?;
    ok(sys::chdir(&top), "chdir")?;
    expect_err(sys::chdir("nowhere"), Errno::NoEnt, "chdir to nothing")?;
    expect_err(sys::chdir("/dev/null"), Errno::NotDir, "chdir to a device")?;
    let fd = ok(
        sys::open("file", open::WRONLY | open::CREAT),
        "create a file",
    )?;
    ok(sys::close(fd), "close")?;
    expect_err(sys::chdir("file"), Errno::NotDir, "chdir to a file")?;
    expect_err(sys::chdir("file/x"), Errno::NotDir, "chdir through a file")?;
    expect_err(sys::chdir(""), Errno::NoEnt, "chdir to an empty path")?;
    let long: String = "a".repeat(PATH_MAX - 1);
    expect_err(
        sys::open(&long, open::RDONLY),
        Errno::NameTooLong,
        "a relative path too long once joined",
    )?;
    ensure!(
        ok(sys::getcwd(), "getcwd")? == top,
        "a failed chdir moved us"
    );
    // A buffer too small gets nothing but the length.
    let mut small = [0xaau8; 2];
    // Safety: `small` is writable for its length.
    let n = ok(
        check(unsafe { raw::getcwd(small.as_mut_ptr() as usize, small.len()) }),
        "getcwd into 2 bytes",
    )?;
    ensure!(
        n == top.len() && small == [0xaa; 2],
        "getcwd into a small buffer: {n}, {small:?}"
    );
    for b in unwritable()? {
        // Safety: the kernel must refuse the pointer.
        fault(unsafe { raw::getcwd(b.addr, 16) }, "getcwd", &b)?;
        if b.name != "code" && b.name != "read-only data" {
            // Safety: the kernel must refuse the pointer.
            fault(unsafe { raw::chdir(b.addr, 16) }, "chdir", &b)?;
        }
    }
    ensure!(
        ok(sys::getcwd(), "getcwd")? == top,
        "a refused call moved us"
    );
    ok(sys::chdir("/"), "chdir /")?;
    Ok(())
}

/// The tests of this group.
pub const TESTS: &[Test] = &[
    Test {
        name: "cwd_relative",
        question: "Do open, mkdir, unlink, mkfifo and spawn resolve relative paths against chdir's directory, and does a child inherit it?",
        run: relative_paths,
    },
    Test {
        name: "cwd_errors",
        question: "Is chdir to nothing ENOENT, to a file ENOTDIR, and a bad pointer EFAULT, with the directory unchanged?",
        run: errors,
    },
];

/// Victim `console_poll`: a blocking `poll` of fd 0 (the console) for input, then a read of what
/// it found; prints `poll N REVENTS, read "TEXT"` (lab/tests/console_poll.rs types the line).
/// 0, or 1 if a call failed.
pub fn console_poll(_: &[&str]) -> i32 {
    use abi::types::{PollFd, poll};
    let mut set = [PollFd {
        fd: 0,
        events: poll::IN,
        revents: 0,
    }];
    let Ok(n) = sys::poll(&mut set, poll::FOREVER) else {
        return 1;
    };
    let mut buf = [0u8; 32];
    let Ok(got) = sys::read(0, &mut buf) else {
        return 1;
    };
    let text = core::str::from_utf8(&buf[..got]).unwrap_or("?");
    ulib::println!("poll {n} {:#x}, read {text:?}", set[0].revents);
    0
}
