//! rm: removes each PATH, a file or an empty directory (`unlink`). A failure is reported as
//! `rm: PATH: MESSAGE`; the rest are still removed and the status is 1. No options.
#![no_std]
#![no_main]

use ulib::{eprintln, sys};

fn main(args: ulib::Args) -> i32 {
    if args.len() < 2 {
        eprintln!("usage: rm PATH...");
        return 2;
    }
    let mut status = 0;
    for path in args.iter().skip(1) {
        if let Err(e) = sys::unlink(path) {
            bin::report("rm", path, e);
            status = 1;
        }
    }
    status
}

ulib::entry!(main);
