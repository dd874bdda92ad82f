//! The file system's metadata paths, lmbench's `lat_syscall open` and `lat_fs`: open + close of
//! an existing file, and the life of a small file — create, write K KiB, close, unlink. The
//! files go in `/tmp` (made if missing): the root is writable on both kernels, `/bin` is not.

use alloc::vec::Vec;

use abi::types::open;
use ulib::{Errno, io, sys};

use super::harness::{Outcome, Report, close, fail, measure, ok, warmup};

/// The existing file `open-close` opens.
const EXISTING: &str = "/bin/true";
/// The directory the files of `file` live in.
const DIR: &str = "/tmp";
/// The file `file` creates and deletes.
const PATH: &str = "/tmp/bench-file";
/// The largest size `file` accepts, in KiB (the file systems hold 16 MiB of written data).
const MAX_KIB: u64 = 4096;
/// Files created before the measured ones.
const WARMUP_FILES: u64 = 10;

/// `open` + `close` of an existing file: op = the pair.
pub fn open_close(n: u64, _: &[u64]) -> Outcome<Report> {
    let counts = measure(warmup(n), n, || {
        let fd = ok(
            sys::open(EXISTING, open::RDONLY),
            format_args!("open {EXISTING}"),
        )?;
        close(fd)
    })?;
    Ok(Report::new(n, counts))
}

/// `file KIB`: op = create (open with `CREAT`), write KIB KiB, close, unlink. One file is read
/// back before the measurement; afterwards the name must be gone.
pub fn create_delete(n: u64, params: &[u64]) -> Outcome<Report> {
    let kib = params[0];
    ensure!(kib <= MAX_KIB, "KIB is {kib}, at most {MAX_KIB}");
    match sys::mkdir(DIR) {
        Ok(()) | Err(Errno::Exist) => {}
        Err(e) => return fail(format_args!("mkdir {DIR}: {}", e.name())),
    }
    let data: Vec<u8> = (0..kib as usize * 1024).map(|i| (i % 251) as u8).collect();
    create(&data)?;
    read_back(&data)?;
    ok(sys::unlink(PATH), format_args!("unlink {PATH}"))?;
    let counts = measure(n.min(WARMUP_FILES), n, || {
        create(&data)?;
        ok(sys::unlink(PATH), format_args!("unlink {PATH}"))
    })?;
    match sys::open(PATH, open::RDONLY) {
        Err(Errno::NoEnt) => Ok(Report::new(n, counts)),
        r => fail(format_args!(
            "{PATH} after unlink: open gave {r:?}, want ENOENT"
        )),
    }
}

/// Creates [`PATH`] (truncating it if it exists) holding `data`, and closes it.
fn create(data: &[u8]) -> Outcome {
    let flags = open::WRONLY | open::CREAT | open::TRUNC;
    let fd = ok(sys::open(PATH, flags), format_args!("create {PATH}"))?;
    ok(
        io::write_all(fd, data),
        format_args!("write {} bytes to {PATH}", data.len()),
    )?;
    close(fd)
}

/// Requires [`PATH`] to hold exactly `data`.
fn read_back(data: &[u8]) -> Outcome {
    let fd = ok(sys::open(PATH, open::RDONLY), format_args!("reopen {PATH}"))?;
    let got = ok(io::read_to_end(fd), format_args!("read {PATH}"))?;
    close(fd)?;
    ensure!(
        got == data,
        "{PATH} read back {} bytes that differ from the {} written",
        got.len(),
        data.len()
    );
    Ok(())
}
