//! cat: copies each FILE (or standard input, with no arguments or for `-`) to standard output.
//! A file that cannot be opened or read is reported as `cat: PATH: MESSAGE` and the rest are
//! still copied; the status is then 1. An output error stops at once with status 1.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;

use abi::types::{fd, open};
use ulib::{Errno, io, sys};

/// Why a copy stopped.
enum Stop {
    /// Reading the input failed.
    Input(Errno),
    /// Writing the output failed.
    Output(Errno),
}

/// Copies `from` to standard output until end of file.
fn copy(from: usize) -> Result<(), Stop> {
    let mut buf = [0u8; 1024];
    loop {
        let n = sys::read(from, &mut buf).map_err(Stop::Input)?;
        if n == 0 {
            return Ok(());
        }
        io::write_all(io::STDOUT, &buf[..n]).map_err(Stop::Output)?;
    }
}

fn main(args: ulib::Args) -> i32 {
    let mut status = 0;
    let paths: Vec<&str> = if args.len() > 1 {
        args.iter().skip(1).collect()
    } else {
        vec!["-"]
    };
    for path in paths {
        let (f, name) = if path == "-" {
            (fd::STDIN, "standard input")
        } else {
            match sys::open(path, open::RDONLY) {
                Ok(f) => (f, path),
                Err(e) => {
                    bin::report("cat", path, e);
                    status = 1;
                    continue;
                }
            }
        };
        let result = copy(f);
        if f != fd::STDIN {
            let _ = sys::close(f);
        }
        match result {
            Ok(()) => {}
            Err(Stop::Input(e)) => {
                bin::report("cat", name, e);
                status = 1;
            }
            Err(Stop::Output(e)) => {
                bin::report("cat", "standard output", e);
                return 1;
            }
        }
    }
    status
}

ulib::entry!(main);
