//! The cheapest system calls, lmbench's `lat_syscall`: `getpid` (the null call), a 1-byte write
//! to `/dev/null`, a 1-byte read from `/dev/zero`, and `fstat` of an open file. One op is one
//! call; each call's answer is checked.

use abi::types::{kind, open};
use ulib::sys;

use super::harness::{Outcome, Report, close, measure, ok, show, warmup};

/// A file every initrd has (the program itself).
const A_FILE: &str = super::harness::SELF;

/// `getpid`: op = one call, which must return the pid it returned before.
pub fn getpid(n: u64, _: &[u64]) -> Outcome<Report> {
    let pid = sys::getpid();
    let counts = measure(warmup(n), n, || {
        let got = sys::getpid();
        ensure!(got == pid, "getpid returned {pid}, then {got}");
        Ok(())
    })?;
    Ok(Report::new(n, counts))
}

/// `write(fd, 1 byte)` to `/dev/null`: op = one write, which must take the byte.
pub fn null_write(n: u64, _: &[u64]) -> Outcome<Report> {
    let fd = ok(sys::open("/dev/null", open::WRONLY), "open /dev/null")?;
    let counts = measure(warmup(n), n, || {
        let r = sys::write(fd, b"x");
        ensure!(r == Ok(1), "write 1 byte to /dev/null: {}", show(r));
        Ok(())
    })?;
    close(fd)?;
    Ok(Report::new(n, counts))
}

/// `read(fd, 1 byte)` from `/dev/zero`: op = one read, which must give one zero byte.
pub fn zero_read(n: u64, _: &[u64]) -> Outcome<Report> {
    let fd = ok(sys::open("/dev/zero", open::RDONLY), "open /dev/zero")?;
    let mut b = [0xffu8];
    let counts = measure(warmup(n), n, || {
        b[0] = 0xff;
        let r = sys::read(fd, &mut b);
        ensure!(r == Ok(1), "read 1 byte from /dev/zero: {}", show(r));
        ensure!(b[0] == 0, "read {:#x} from /dev/zero", b[0]);
        Ok(())
    })?;
    close(fd)?;
    Ok(Report::new(n, counts))
}

/// `fstat` of an open regular file: op = one call, which must describe the same file each time.
pub fn fstat(n: u64, _: &[u64]) -> Outcome<Report> {
    let fd = ok(
        sys::open(A_FILE, open::RDONLY),
        format_args!("open {A_FILE}"),
    )?;
    let first = ok(sys::fstat(fd), format_args!("fstat {A_FILE}"))?;
    ensure!(
        first.kind == kind::FILE && first.size > 0,
        "fstat {A_FILE}: kind {} size {}, want a non-empty file",
        first.kind,
        first.size
    );
    let counts = measure(warmup(n), n, || {
        let st = ok(sys::fstat(fd), format_args!("fstat {A_FILE}"))?;
        ensure!(st == first, "fstat {A_FILE} changed: {st:?}, was {first:?}");
        Ok(())
    })?;
    close(fd)?;
    Ok(Report::new(n, counts))
}
