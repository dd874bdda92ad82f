//! The file system and fds, refusing: missing names, names in the way, names too long, bad open
//! flags, the read-only `/bin`, running out of fds, and fds that are not open.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use abi::types::{NAME_MAX, PATH_MAX, limits::FDS, open, seek};
use ulib::{Errno, io, sys};

use crate::harness::{Outcome, Test, expect_err, fresh_dir, ok, remove_tree};

fn names() -> Outcome {
    let dir = fresh_dir("ut.names")?;
    let file = format!("{dir}/file");
    let f = ok(sys::open(&file, open::WRONLY | open::CREAT), "create")?;
    ok(sys::close(f), "close")?;
    expect_err(
        sys::open(&format!("{dir}/missing"), open::RDONLY),
        Errno::NoEnt,
        "open a missing file",
    )?;
    let lost = format!("{dir}/missing/x");
    expect_err(
        sys::open(&lost, open::WRONLY | open::CREAT),
        Errno::NoEnt,
        "create in a missing directory",
    )?;
    expect_err(
        sys::unlink(&format!("{dir}/missing")),
        Errno::NoEnt,
        "unlink a missing file",
    )?;
    expect_err(
        sys::mkdir(&dir),
        Errno::Exist,
        "mkdir an existing directory",
    )?;
    expect_err(sys::mkdir(&file), Errno::Exist, "mkdir over a file")?;
    expect_err(
        sys::open(&format!("{file}/x"), open::RDONLY),
        Errno::NotDir,
        "open under a file",
    )?;
    expect_err(
        sys::open(&dir, open::WRONLY),
        Errno::IsDir,
        "open a directory for writing",
    )?;
    expect_err(
        sys::open(&file, 1 << 20),
        Errno::Inval,
        "open with an unknown flag",
    )?;

    let longest = format!("{dir}/{}", "n".repeat(NAME_MAX));
    let f = ok(
        sys::open(&longest, open::WRONLY | open::CREAT),
        "create a NAME_MAX name",
    )?;
    ok(sys::close(f), "close")?;
    ok(sys::unlink(&longest), "unlink the NAME_MAX name")?;
    let too_long = format!("{dir}/{}", "n".repeat(NAME_MAX + 1));
    expect_err(
        sys::open(&too_long, open::WRONLY | open::CREAT),
        Errno::NameTooLong,
        "create a long name",
    )?;
    expect_err(
        sys::mkdir(&too_long),
        Errno::NameTooLong,
        "mkdir a long name",
    )?;
    let mut deep = String::from("/tmp");
    while deep.len() <= PATH_MAX {
        deep.push_str("/x");
    }
    expect_err(
        sys::open(&deep, open::RDONLY),
        Errno::NameTooLong,
        "open a path longer than PATH_MAX",
    )?;
    remove_tree(&dir)
}

fn rofs() -> Outcome {
    let f = ok(sys::open("/bin/hello", open::RDONLY), "open /bin/hello")?;
    let size = ok(sys::fstat(f), "fstat")?.size;
    let mut magic = [0u8; 4];
    ok(io::read_full(f, &mut magic), "read")?;
    ok(sys::close(f), "close")?;
    ensure!(magic == *b"\x7fELF", "/bin/hello is not an ELF file");
    for (flags, how) in [(open::WRONLY, "WRONLY"), (open::RDWR, "RDWR")] {
        match sys::open("/bin/hello", flags) {
            Ok(f) => {
                let w = sys::write(f, b"x");
                ok(sys::close(f), "close")?;
                expect_err(
                    w,
                    Errno::RoFs,
                    format_args!("write /bin/hello opened {how}"),
                )?;
            }
            r => expect_err(r, Errno::RoFs, format_args!("open /bin/hello {how}"))?,
        }
    }
    expect_err(
        sys::open("/bin/new", open::WRONLY | open::CREAT),
        Errno::RoFs,
        "create in /bin",
    )?;
    expect_err(sys::unlink("/bin/hello"), Errno::RoFs, "unlink /bin/hello")?;
    expect_err(sys::mkdir("/bin/new"), Errno::RoFs, "mkdir in /bin")?;
    let f = ok(
        sys::open("/bin/hello", open::RDONLY),
        "open /bin/hello again",
    )?;
    let after = ok(sys::fstat(f), "fstat")?.size;
    ok(sys::close(f), "close")?;
    ensure!(after == size, "/bin/hello changed size");
    Ok(())
}

fn fd_limit() -> Outcome {
    let open_now = (0..FDS).filter(|&f| sys::fstat(f).is_ok()).count();
    let mut fds = Vec::new();
    let end = loop {
        match sys::open("/dev/null", open::RDONLY) {
            Ok(f) if fds.len() <= FDS => fds.push(f),
            other => break other,
        }
    };
    let n = fds.len();
    let Some(&first) = fds.first() else {
        return Err(format!("open /dev/null: {}", crate::harness::show(&end)));
    };
    let dup = sys::dup(first);
    let pipe = sys::pipe();
    ok(sys::close(fds.pop().unwrap_or(first)), "close one")?;
    // One fd is free: a pipe needs two, and must not keep the one it got.
    let pipe_one = sys::pipe();
    let reopened = sys::open("/dev/null", open::RDONLY);
    for f in fds.into_iter().chain(reopened.iter().copied()) {
        ok(sys::close(f), "close")?;
    }
    expect_err(end, Errno::MFile, "open with every fd in use")?;
    ensure!(
        n == FDS - open_now,
        "{n} opens beside {open_now} open fds, want {}",
        FDS - open_now
    );
    expect_err(dup, Errno::MFile, "dup with every fd in use")?;
    expect_err(pipe, Errno::MFile, "pipe with every fd in use")?;
    expect_err(pipe_one, Errno::MFile, "pipe with one fd free")?;
    ok(
        reopened,
        "open after closing one (the failed pipe kept it?)",
    )?;
    let free = crate::harness::free_fds()?;
    ensure!(
        free == FDS - open_now,
        "{free} fds free after closing all, want {}",
        FDS - open_now
    );
    Ok(())
}

fn bad_fd() -> Outcome {
    let closed = ok(sys::open("/dev/null", open::RDONLY), "open")?;
    ok(sys::close(closed), "close")?;
    let mut buf = [0u8; 8];
    for f in [closed, FDS, 1000, usize::MAX] {
        let what =
            |call: &str| format!("{call}(fd {})", if f == usize::MAX { -1 } else { f as i64 });
        expect_err(sys::read(f, &mut buf), Errno::BadF, what("read"))?;
        expect_err(sys::write(f, b"x"), Errno::BadF, what("write"))?;
        expect_err(sys::close(f), Errno::BadF, what("close"))?;
        expect_err(sys::fstat(f), Errno::BadF, what("fstat"))?;
        expect_err(sys::seek(f, 0, seek::SET), Errno::BadF, what("seek"))?;
        expect_err(sys::readdir(f), Errno::BadF, what("readdir"))?;
        expect_err(sys::dup(f), Errno::BadF, what("dup"))?;
    }
    let dir = fresh_dir("ut.badfd")?;
    let path = format!("{dir}/f");
    let w = ok(sys::open(&path, open::WRONLY | open::CREAT), "create")?;
    expect_err(sys::read(w, &mut buf), Errno::BadF, "read a write-only fd")?;
    ok(sys::close(w), "close")?;
    remove_tree(&dir)
}

/// The tests.
pub const TESTS: &[Test] = &[
    Test {
        name: "fs_names",
        question: "Are ENOENT, EEXIST, ENOTDIR, EISDIR, EINVAL and ENAMETOOLONG given where due?",
        run: names,
    },
    Test {
        name: "fs_rofs",
        question: "Is /bin read-only (EROFS for write, create, unlink, mkdir) and left intact?",
        run: rofs,
    },
    Test {
        name: "fd_limit",
        question: "Is the 17th fd EMFILE for open, dup and pipe, leaking nothing?",
        run: fd_limit,
    },
    Test {
        name: "bad_fd",
        question: "Is every fd call on a closed, too large or negative fd EBADF?",
        run: bad_fd,
    },
];
