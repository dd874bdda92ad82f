//! false: does nothing, unsuccessfully: exits 1 whatever its arguments.
#![no_std]
#![no_main]

fn main(_args: ulib::Args) -> i32 {
    1
}

ulib::entry!(main);
