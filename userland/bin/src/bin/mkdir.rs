//! mkdir: makes each directory PATH (parents must exist). A failure is reported as
//! `mkdir: PATH: MESSAGE`; the rest are still made and the status is 1.
#![no_std]
#![no_main]

use ulib::{eprintln, sys};

fn main(args: ulib::Args) -> i32 {
    if args.len() < 2 {
        eprintln!("usage: mkdir PATH...");
        return 2;
    }
    let mut status = 0;
    for path in args.iter().skip(1) {
        if let Err(e) = sys::mkdir(path) {
            bin::report("mkdir", path, e);
            status = 1;
        }
    }
    status
}

ulib::entry!(main);
