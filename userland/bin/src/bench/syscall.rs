//! The cheapest system calls, lmbench's `lat_syscall`: `getpid` (the null call, a bare `ecall`
//! in a thin loop; `getpid-lib` through `ulib`), a 1-byte write to `/dev/null`, a 1-byte read
//! from `/dev/zero`, and `fstat` of an open file. One op is one call; each call's answer is
//! checked.

use abi::types::{kind, open};
use ulib::sys;

use super::bare::{self, Via};
use super::harness::{Outcome, Report, close, fail, measure, ok, show, warmup};

/// A file every initrd has (the program itself).
const A_FILE: &str = super::harness::SELF;

/// `getpid`: op = one bare `ecall` ([`bare::getpid`]), which must return the pid `ulib`'s
/// `getpid` returned before; the first wrong answer is reported after the loop.
pub fn getpid(n: u64, _: &[u64]) -> Outcome<Report> {
    getpid_via(n, Via::Bare)
}

/// `getpid-lib`: op = one `ulib::sys::getpid()`, checked as a program would, at once.
pub fn getpid_lib(n: u64, _: &[u64]) -> Outcome<Report> {
    getpid_via(n, Via::Ulib)
}

/// `n` `getpid` calls through `via`, each checked against the pid before.
fn getpid_via(n: u64, via: Via) -> Outcome<Report> {
    let pid = sys::getpid();
    let counts = match via {
        Via::Bare => {
            let mut wrong = None;
            let counts = measure(
                warmup(n),
                n,
                #[inline(always)]
                || {
                    let got = bare::getpid();
                    if got != pid {
                        keep_first(&mut wrong, got);
                    }
                    Ok(())
                },
            )?;
            if let Some(got) = wrong {
                return fail(format_args!("getpid returned {pid}, then {got}"));
            }
            counts
        }
        Via::Ulib => measure(warmup(n), n, || {
            let got = sys::getpid();
            ensure!(got == pid, "getpid returned {pid}, then {got}");
            Ok(())
        })?,
    };
    Ok(Report::new(n, counts))
}

/// Puts `got` in `slot` unless a value is there: out of line, so that the loop's check stays a
/// compare and a branch.
#[cold]
#[inline(never)]
fn keep_first(slot: &mut Option<usize>, got: usize) {
    slot.get_or_insert(got);
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
