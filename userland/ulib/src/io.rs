//! Formatted output and small I/O helpers. [`print!`] and friends format into a line buffer and
//! hand each finished line (or a full buffer) to one `write`, so a `println!` is one system call
//! and lines from different processes do not interleave mid-line.

use core::fmt;

use abi::Errno;
use abi::types::fd;

use crate::sys;

/// Bytes a [`LineWriter`] gathers before writing.
const LINE: usize = 256;

/// Writes everything in `buf` to `fd`, looping over short writes.
pub fn write_all(fd: usize, mut buf: &[u8]) -> Result<(), Errno> {
    while !buf.is_empty() {
        let n = sys::write(fd, buf)?;
        if n == 0 {
            return Err(Errno::Io);
        }
        buf = &buf[n..];
    }
    Ok(())
}

/// Reads until end of file or until `buf` is full; returns the bytes read.
pub fn read_full(fd: usize, buf: &mut [u8]) -> Result<usize, Errno> {
    let mut got = 0;
    while got < buf.len() {
        let n = sys::read(fd, &mut buf[got..])?;
        if n == 0 {
            break;
        }
        got += n;
    }
    Ok(got)
}

/// Reads everything to end of file.
pub fn read_to_end(fd: usize) -> Result<alloc::vec::Vec<u8>, Errno> {
    let mut out = alloc::vec::Vec::new();
    let mut chunk = [0u8; 512];
    loop {
        let n = sys::read(fd, &mut chunk)?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&chunk[..n]);
    }
}

/// A `fmt::Write` that writes to `fd` a line at a time.
pub struct LineWriter {
    fd: usize,
    buf: [u8; LINE],
    len: usize,
}

impl LineWriter {
    /// A writer to `fd`.
    pub const fn new(fd: usize) -> Self {
        LineWriter {
            fd,
            buf: [0; LINE],
            len: 0,
        }
    }

    /// Writes what is buffered.
    pub fn flush(&mut self) {
        // Output errors have nowhere to go: the stream is the error channel.
        let _ = write_all(self.fd, &self.buf[..self.len]);
        self.len = 0;
    }
}

impl fmt::Write for LineWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            self.buf[self.len] = b;
            self.len += 1;
            if b == b'\n' || self.len == LINE {
                self.flush();
            }
        }
        Ok(())
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        if self.len > 0 {
            self.flush();
        }
    }
}

/// Writes formatted text to `fd` (used by the macros).
pub fn write_fmt(fd: usize, args: fmt::Arguments) {
    let mut w = LineWriter::new(fd);
    let _ = fmt::write(&mut w, args);
}

/// Standard output.
pub const STDOUT: usize = fd::STDOUT;
/// Standard error.
pub const STDERR: usize = fd::STDERR;

/// Prints to standard output.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::io::write_fmt($crate::io::STDOUT, format_args!($($arg)*)) };
}

/// Prints a line to standard output.
#[macro_export]
macro_rules! println {
    () => { $crate::print!("\n") };
    ($($arg:tt)*) => { $crate::io::write_fmt($crate::io::STDOUT, format_args!("{}\n", format_args!($($arg)*))) };
}

/// Prints to standard error.
#[macro_export]
macro_rules! eprint {
    ($($arg:tt)*) => { $crate::io::write_fmt($crate::io::STDERR, format_args!($($arg)*)) };
}

/// Prints a line to standard error.
#[macro_export]
macro_rules! eprintln {
    () => { $crate::eprint!("\n") };
    ($($arg:tt)*) => { $crate::io::write_fmt($crate::io::STDERR, format_args!("{}\n", format_args!($($arg)*))) };
}
