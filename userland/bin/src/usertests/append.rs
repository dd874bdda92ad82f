//! Files written at run time, which the file system keeps in pages since issue 13:
//! - appending costs what is appended, whatever the file's size (finding 4: it once copied the
//!   whole file on every write, so 2 MiB cost four times 1 MiB). Counted with `rdinstret`,
//!   which is exact on klab. QEMU (without `-icount`) derives `instret` from the host's clock,
//!   so there the appends are checked for their contents only (QEMU is told apart by its hpm
//!   counters, which read 0). Each append runs inside a marker region ([`REGION_1M`],
//!   [`REGION_2M`]), so `klab run … --stats-json` reports the same figures;
//! - filling the file system ends in `ENOSPC` (its 16 MiB limit) or `ENOMEM` (a kernel heap
//!   smaller than that: `klab run --mem 32M`), and the space comes back with the file;
//! - a program copied into a written file (many pages) runs like the original (the loader
//!   gathers its pages).

use alloc::format;
use alloc::vec::Vec;

use abi::types::open;
use ulib::{counters, io, marker, sys};

use crate::harness::{Outcome, Test, fresh_dir, ok, reap};

/// Bytes per `write`: a page, a common buffer size.
const PIECE: usize = 4096;
/// The marker region around the 1 MiB append.
pub const REGION_1M: usize = 0x131;
/// The marker region around the 2 MiB append.
pub const REGION_2M: usize = 0x132;
/// klab's event 11, exceptions (every system call is one): counted on klab, 0 on QEMU.
const EXCEPTIONS: usize = 11;
/// Writes whose cost is compared at the start and at the end of an append.
const SAMPLE: usize = 64;

/// What one append of `kib` KiB in [`PIECE`]-byte writes cost, in instructions.
struct Cost {
    /// All the writes together.
    total: u64,
    /// The median write among the first [`SAMPLE`] after the first.
    early: u64,
    /// The median write among the last [`SAMPLE`].
    late: u64,
    /// The longest write.
    longest: u64,
}

fn median(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

/// Appends `kib` KiB to a new file at `path` in [`PIECE`]-byte writes inside region `region`,
/// reads it back to check it, and removes it.
fn append(path: &str, kib: usize, region: usize) -> Result<Cost, alloc::string::String> {
    let f = ok(
        sys::open(path, open::WRONLY | open::CREAT | open::APPEND),
        format_args!("create {path}"),
    )?;
    let writes = kib * 1024 / PIECE;
    let piece: Vec<u8> = (0..PIECE).map(|i| (i % 251) as u8).collect();
    let mut each = Vec::with_capacity(writes);
    marker::begin(region);
    let start = counters::instret();
    for _ in 0..writes {
        let before = counters::instret();
        ok(io::write_all(f, &piece), format_args!("append to {path}"))?;
        each.push(counters::instret() - before);
    }
    let total = counters::instret() - start;
    marker::end(region);
    ok(sys::close(f), "close")?;
    let f = ok(sys::open(path, open::RDONLY), format_args!("reopen {path}"))?;
    let back = ok(io::read_to_end(f), format_args!("read {path}"))?;
    ok(sys::close(f), "close")?;
    ensure!(
        back.len() == writes * PIECE && back.chunks(PIECE).all(|c| c == &piece[..]),
        "{path} read back {} bytes, not the {} appended",
        back.len(),
        writes * PIECE
    );
    ok(sys::unlink(path), format_args!("unlink {path}"))?;
    Ok(Cost {
        total,
        early: median(each[1..=SAMPLE].to_vec()),
        late: median(each[writes - SAMPLE..].to_vec()),
        longest: each.iter().copied().max().unwrap_or(0),
    })
}

fn cost() -> Outcome {
    let dir = fresh_dir("ut.append")?;
    let one = append(&format!("{dir}/1m"), 1024, REGION_1M)?;
    let two = append(&format!("{dir}/2m"), 2048, REGION_2M)?;
    ok(sys::unlink(&dir), "remove the directory")?;
    if counters::hpm(EXCEPTIONS) == 0 {
        return Ok(()); // Not klab: `instret` is not an instruction count (see the module note).
    }
    ensure!(
        two.total * 10 <= one.total * 22,
        "appending 2 MiB took {} instructions, more than 2.2 times the {} of 1 MiB",
        two.total,
        one.total
    );
    ensure!(
        two.late <= 2 * two.early,
        "a {PIECE}-byte append to a 2 MiB file took {} instructions, more than twice the {} \
         to a small one",
        two.late,
        two.early
    );
    // The longest write is what `mono` spends with interrupts off in one call: it must not grow
    // with the file either (it was 15 times the early median at 2 MiB, about 2 times now).
    ensure!(
        two.longest <= 5 * two.early,
        "the longest {PIECE}-byte append to a 2 MiB file took {} instructions, more than five \
         times the {} of a median one to a small file",
        two.longest,
        two.early
    );
    Ok(())
}

fn copied_program() -> Outcome {
    let dir = fresh_dir("ut.exec")?;
    let path = format!("{dir}/echo");
    let f = ok(sys::open("/bin/echo", open::RDONLY), "open /bin/echo")?;
    let program = ok(io::read_to_end(f), "read /bin/echo")?;
    ok(sys::close(f), "close")?;
    ensure!(
        program.len() > 2 * PIECE,
        "/bin/echo is only {} bytes",
        program.len()
    );
    let f = ok(
        sys::open(&path, open::WRONLY | open::CREAT),
        format_args!("create {path}"),
    )?;
    // Odd-sized writes, so pieces straddle the file's pages.
    for part in program.chunks(1000) {
        ok(io::write_all(f, part), format_args!("write {path}"))?;
    }
    ok(sys::close(f), "close")?;
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let pid = ok(
        sys::spawn(&path, &["echo", "from", "pages"], Some([-1, w as i32, -1])),
        format_args!("spawn {path}"),
    )?;
    ok(sys::close(w), "close")?;
    let out = ok(io::read_to_end(r), "read the copy's output")?;
    ok(sys::close(r), "close")?;
    let status = reap(pid)?;
    ensure!(
        status == 0 && out == b"from pages\n",
        "the copy of /bin/echo: status {status}, printed {} bytes, not `from pages\\n`",
        out.len()
    );
    ok(sys::unlink(&path), format_args!("unlink {path}"))?;
    ok(sys::unlink(&dir), "remove the directory")
}

fn fill() -> Outcome {
    let dir = fresh_dir("ut.fill")?;
    let path = format!("{dir}/big");
    let f = ok(
        sys::open(&path, open::WRONLY | open::CREAT),
        format_args!("create {path}"),
    )?;
    let chunk = alloc::vec![0x5a_u8; 64 * 1024];
    let mut total = 0usize;
    let err = loop {
        match sys::write(f, &chunk) {
            Ok(0) => break None,
            Ok(n) => total += n,
            Err(e) => break Some(e),
        }
    };
    ensure!(
        matches!(err, Some(ulib::Errno::NoSpc) | Some(ulib::Errno::NoMem)),
        "filling the file system ended with {:?} after {total} bytes, not ENOSPC or ENOMEM",
        err.map(|e| e.name())
    );
    let size = ok(sys::fstat(f), "fstat")?.size as usize;
    ensure!(
        size == total,
        "the full file says {size} bytes, {total} were written"
    );
    ok(sys::close(f), "close")?;
    ok(sys::unlink(&path), format_args!("unlink {path}"))?;
    // The space is back: a new file takes a megabyte again.
    let f = ok(sys::open(&path, open::RDWR | open::CREAT), "create again")?;
    ok(io::write_all(f, &chunk), "write after the unlink")?;
    ok(sys::close(f), "close")?;
    ok(sys::unlink(&path), "unlink")?;
    ok(sys::unlink(&dir), "remove the directory")?;
    Ok(())
}

/// The tests of this file.
pub const TESTS: &[Test] = &[
    Test {
        name: "append_cost",
        question: "does appending to a file cost what is appended, whatever the file's size?",
        run: cost,
    },
    Test {
        name: "fill_fs",
        question: "does filling the file system end in ENOSPC or ENOMEM, and give the space back?",
        run: fill,
    },
    Test {
        name: "copied_program",
        question: "does a program copied into a written file, page by page, run like the original?",
        run: copied_program,
    },
];
