//! clear: clears the terminal — writes the ANSI sequences "cursor home" (`ESC [ H`) and "erase
//! the whole display" (`ESC [ 2 J`) to standard output. Arguments are ignored.
#![no_std]
#![no_main]

use ulib::io;

/// Cursor home, then erase the display.
const CLEAR: &[u8] = b"\x1b[H\x1b[2J";

fn main(_args: ulib::Args) -> i32 {
    match io::write_all(io::STDOUT, CLEAR) {
        Ok(()) => 0,
        Err(e) => {
            bin::report("clear", "standard output", e);
            1
        }
    }
}

ulib::entry!(main);
