//! Processes, lmbench's `lat_proc`: spawn + wait of a trivial program (`/bin/true`), and a
//! small shell pipeline as a macro-benchmark, `sh -c 'cat /data/1M | wc'` with its output read
//! through a pipe. One op is one spawn + wait, or one run of the pipeline; one of each runs
//! before the measurement.

use alloc::format;
use alloc::string::String;

use abi::types::open;
use ulib::{io, sys};

use super::harness::{Outcome, Report, close, measure, ok, reap, stdio};

/// The trivial program.
const TRUE: &str = "/bin/true";
/// The shell.
const SH: &str = "/bin/sh";
/// The file the pipeline reads.
const DATA: &str = "/data/1M";
/// Its size.
const DATA_BYTES: usize = 1 << 20;
/// The pipeline's command line.
const PIPELINE: &str = "cat /data/1M | wc";

/// `spawn`: op = spawn `/bin/true` and wait for it; its status must be 0.
pub fn spawn(n: u64, _: &[u64]) -> Outcome<Report> {
    let counts = measure(1, n, || {
        let pid = ok(
            sys::spawn(TRUE, &["true"], None),
            format_args!("spawn {TRUE}"),
        )?;
        reap(pid, TRUE)
    })?;
    Ok(Report::new(n, counts))
}

/// `pipeline`: op = one run of `sh -c 'cat /data/1M | wc'`, whose output must be the line `wc`
/// prints for the file (counted here first, by `wc`'s rules) and whose status must be 0.
pub fn pipeline(n: u64, _: &[u64]) -> Outcome<Report> {
    let want = expected_wc()?;
    let counts = measure(1, n, || {
        let (r, w) = ok(sys::pipe(), "pipe")?;
        let pid = ok(
            sys::spawn(SH, &["sh", "-c", PIPELINE], stdio(None, Some(w))),
            format_args!("spawn {SH}"),
        )?;
        close(w)?;
        let out = ok(io::read_to_end(r), "read the pipeline's output")?;
        close(r)?;
        reap(pid, "sh -c 'cat /data/1M | wc'")?;
        ensure!(
            out == want.as_bytes(),
            "the pipeline printed {:?}, want {want:?}",
            String::from_utf8_lossy(&out)
        );
        Ok(())
    })?;
    Ok(Report::new(n, counts))
}

/// The line `wc` prints for [`DATA`] on standard input: `LINES WORDS BYTES\n`, counting lines as
/// `\n` bytes and words as runs of bytes other than space, tab, `\n`, `\r`, VT and FF.
fn expected_wc() -> Outcome<String> {
    let fd = ok(sys::open(DATA, open::RDONLY), format_args!("open {DATA}"))?;
    let data = ok(io::read_to_end(fd), format_args!("read {DATA}"))?;
    close(fd)?;
    ensure!(
        data.len() == DATA_BYTES,
        "{DATA} has {} bytes, want {DATA_BYTES}",
        data.len()
    );
    let (mut lines, mut words, mut in_word) = (0u64, 0u64, false);
    for &b in &data {
        lines += u64::from(b == b'\n');
        let space = matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
        words += u64::from(!space && !in_word);
        in_word = !space;
    }
    Ok(format!("{lines} {words} {}\n", data.len()))
}
