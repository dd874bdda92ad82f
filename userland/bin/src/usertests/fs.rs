//! The file system, working right: create, write, read back, seek, fstat, truncate, append,
//! unlink, and directories listing what they hold, sorted by name.

use alloc::format;
use alloc::vec::Vec;

use abi::types::{kind, open, seek};
use ulib::{Errno, io, sys};

use crate::harness::{Outcome, Test, expect_err, fresh_dir, ok, remove_tree};

/// The whole content of `path`.
fn contents(path: &str) -> Result<Vec<u8>, alloc::string::String> {
    let f = ok(sys::open(path, open::RDONLY), format_args!("open {path}"))?;
    let data = ok(io::read_to_end(f), format_args!("read {path}"))?;
    ok(sys::close(f), "close")?;
    Ok(data)
}

/// Creates (or truncates) `path` holding `data`.
fn put(path: &str, data: &[u8]) -> Outcome {
    let f = ok(
        sys::open(path, open::WRONLY | open::CREAT | open::TRUNC),
        format_args!("create {path}"),
    )?;
    ok(io::write_all(f, data), format_args!("write {path}"))?;
    ok(sys::close(f), "close")
}

fn basic() -> Outcome {
    let dir = fresh_dir("ut.fs")?;
    let path = format!("{dir}/file");
    let f = ok(sys::open(&path, open::RDWR | open::CREAT), "create")?;
    ensure!(
        ok(sys::write(f, b"hello world"), "write")? == 11,
        "short write"
    );
    let st = ok(sys::fstat(f), "fstat")?;
    ensure!(
        st.kind == kind::FILE && st.size == 11,
        "fstat: kind {}, size {}, want FILE, 11",
        st.kind,
        st.size
    );
    ensure!(
        ok(sys::seek(f, 6, seek::SET), "seek SET")? == 6,
        "seek SET 6"
    );
    let mut buf = [0u8; 16];
    let n = ok(sys::read(f, &mut buf), "read")?;
    ensure!(
        &buf[..n] == b"world",
        "read after seek: {n} bytes, not `world`"
    );
    ensure!(
        ok(sys::read(f, &mut buf), "read at end")? == 0,
        "no end of file at the end"
    );
    ensure!(
        ok(sys::seek(f, 0, seek::END), "seek END")? == 11,
        "seek END 0"
    );
    ensure!(
        ok(sys::seek(f, -5, seek::CUR), "seek CUR")? == 6,
        "seek CUR -5"
    );
    ensure!(
        ok(sys::seek(f, 0, seek::SET), "seek SET")? == 0,
        "seek SET 0"
    );
    ensure!(
        ok(sys::write(f, b"J"), "overwrite")? == 1,
        "short overwrite"
    );
    ok(sys::close(f), "close")?;
    ensure!(
        contents(&path)? == b"Jello world",
        "the file does not read back as written"
    );
    let ro = ok(sys::open(&path, open::RDONLY), "open read-only")?;
    expect_err(sys::write(ro, b"x"), Errno::BadF, "write to a read-only fd")?;
    ok(sys::close(ro), "close")?;
    ok(sys::unlink(&path), "unlink")?;
    expect_err(
        sys::open(&path, open::RDONLY),
        Errno::NoEnt,
        "open after unlink",
    )?;
    expect_err(sys::unlink(&path), Errno::NoEnt, "unlink twice")?;
    remove_tree(&dir)
}

fn trunc_append() -> Outcome {
    let dir = fresh_dir("ut.trunc")?;
    let path = format!("{dir}/file");
    put(&path, b"abcdef")?;
    let f = ok(sys::open(&path, open::WRONLY | open::APPEND), "open append")?;
    ok(sys::seek(f, 0, seek::SET), "seek")?;
    ok(io::write_all(f, b"gh"), "append")?;
    ok(sys::close(f), "close")?;
    ensure!(
        contents(&path)? == b"abcdefgh",
        "O_APPEND did not write at the end"
    );
    let f = ok(sys::open(&path, open::RDWR), "open without TRUNC")?;
    ensure!(
        ok(sys::fstat(f), "fstat")?.size == 8,
        "opening without O_TRUNC changed the size"
    );
    ok(sys::close(f), "close")?;
    let f = ok(sys::open(&path, open::WRONLY | open::TRUNC), "open TRUNC")?;
    ensure!(ok(sys::fstat(f), "fstat")?.size == 0, "O_TRUNC left bytes");
    ok(io::write_all(f, b"x"), "write")?;
    ok(sys::close(f), "close")?;
    ensure!(
        contents(&path)? == b"x",
        "after O_TRUNC and a write the file is not `x`"
    );
    remove_tree(&dir)
}

fn readdir() -> Outcome {
    let dir = fresh_dir("ut.dir")?;
    for name in ["c", "a", "b"] {
        put(&format!("{dir}/{name}"), name.as_bytes())?;
    }
    ok(sys::mkdir(&format!("{dir}/d")), "mkdir d")?;
    for round in 0..2 {
        let d = ok(sys::open(&dir, open::RDONLY), "open the directory")?;
        let mut all = Vec::new();
        while let Some(e) = ok(sys::readdir(d), "readdir")? {
            all.push(e);
        }
        let size = ok(sys::fstat(d), "fstat the directory")?.size;
        ok(sys::close(d), "close")?;
        ensure!(
            size == all.len() as u64,
            "fstat size {size}, but readdir gave {} entries",
            all.len()
        );
        let listed: Vec<_> = all
            .iter()
            .filter(|e| e.name() != b"." && e.name() != b"..")
            .collect();
        let names: Vec<&[u8]> = listed.iter().map(|e| e.name()).collect();
        ensure!(
            names == [b"a", b"b", b"c", b"d"],
            "round {round}: readdir did not list a, b, c, d in order"
        );
        let kinds: Vec<u32> = listed.iter().map(|e| e.kind).collect();
        ensure!(
            kinds == [kind::FILE, kind::FILE, kind::FILE, kind::DIR],
            "readdir kinds are wrong"
        );
        let a = ok(sys::open(&format!("{dir}/a"), open::RDONLY), "open a")?;
        let ino = ok(sys::fstat(a), "fstat a")?.ino;
        ok(sys::close(a), "close")?;
        ensure!(
            listed[0].ino == ino,
            "readdir's inode for a differs from fstat's"
        );
    }
    expect_err(
        sys::unlink(&dir),
        Errno::NotEmpty,
        "unlink a non-empty directory",
    )?;
    for name in ["a", "b", "c", "d"] {
        ok(
            sys::unlink(&format!("{dir}/{name}")),
            format_args!("unlink {name}"),
        )?;
    }
    ok(sys::unlink(&dir), "unlink the emptied directory")?;
    expect_err(
        sys::open(&dir, open::RDONLY),
        Errno::NoEnt,
        "open a removed directory",
    )
}

/// The tests.
pub const TESTS: &[Test] = &[
    Test {
        name: "fs_basic",
        question: "Does a file read back as written, with seek, fstat, read-only fds and unlink?",
        run: basic,
    },
    Test {
        name: "fs_trunc_append",
        question: "Does O_APPEND write at the end, and O_TRUNC (only) empty the file?",
        run: trunc_append,
    },
    Test {
        name: "fs_readdir",
        question: "Does readdir list a directory sorted, with kinds and inodes, every time?",
        run: readdir,
    },
];
