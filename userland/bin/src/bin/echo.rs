//! echo: writes its arguments joined by one space, then a newline, in one `write`. No options.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;

use ulib::io;

fn main(args: ulib::Args) -> i32 {
    let mut out: Vec<u8> = Vec::new();
    for i in 1..args.len() {
        if i > 1 {
            out.push(b' ');
        }
        out.extend_from_slice(args.bytes(i).unwrap_or_default());
    }
    out.push(b'\n');
    match io::write_all(io::STDOUT, &out) {
        Ok(()) => 0,
        Err(e) => {
            bin::report("echo", "standard output", e);
            1
        }
    }
}

ulib::entry!(main);
