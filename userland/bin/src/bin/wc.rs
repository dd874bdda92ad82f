//! wc: counts lines (`\n` bytes), words (runs of bytes other than space, tab, `\n`, `\r`, VT
//! and FF) and bytes. `wc` reads standard input and prints `LINES WORDS BYTES`; `wc FILE…`
//! prints `LINES WORDS BYTES FILE` for each, then `LINES WORDS BYTES total` when there are
//! several. Numbers are separated by single spaces (no padding). A file that cannot be read is
//! reported as `wc: PATH: MESSAGE` and makes the status 1.
#![no_std]
#![no_main]

use abi::types::{fd, open};
use ulib::{Errno, println, sys};

/// Running counts over a stream.
#[derive(Clone, Copy, Default)]
struct Counts {
    lines: u64,
    words: u64,
    bytes: u64,
    /// Whether the last byte seen was inside a word.
    in_word: bool,
}

impl Counts {
    fn add(&mut self, buf: &[u8]) {
        for &b in buf {
            if b == b'\n' {
                self.lines += 1;
            }
            let space = matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
            if !space && !self.in_word {
                self.words += 1;
            }
            self.in_word = !space;
        }
        self.bytes += buf.len() as u64;
    }

    fn print(&self, name: Option<&str>) {
        match name {
            Some(n) => println!("{} {} {} {n}", self.lines, self.words, self.bytes),
            None => println!("{} {} {}", self.lines, self.words, self.bytes),
        }
    }
}

/// Counts everything `f` holds.
fn count(f: usize) -> Result<Counts, Errno> {
    let mut c = Counts::default();
    let mut buf = [0u8; 1024];
    loop {
        let n = sys::read(f, &mut buf)?;
        if n == 0 {
            return Ok(c);
        }
        c.add(&buf[..n]);
    }
}

/// Counts the file at `path`.
fn count_path(path: &str) -> Result<Counts, Errno> {
    let f = sys::open(path, open::RDONLY)?;
    let c = count(f);
    let _ = sys::close(f);
    c
}

fn main(args: ulib::Args) -> i32 {
    if args.len() < 2 {
        return match count(fd::STDIN) {
            Ok(c) => {
                c.print(None);
                0
            }
            Err(e) => {
                bin::report("wc", "standard input", e);
                1
            }
        };
    }
    let mut status = 0;
    let mut total = Counts::default();
    for path in args.iter().skip(1) {
        match count_path(path) {
            Ok(c) => {
                c.print(Some(path));
                total.lines += c.lines;
                total.words += c.words;
                total.bytes += c.bytes;
            }
            Err(e) => {
                bin::report("wc", path, e);
                status = 1;
            }
        }
    }
    if args.len() > 2 {
        total.print(Some("total"));
    }
    status
}

ulib::entry!(main);
