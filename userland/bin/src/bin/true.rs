//! true: does nothing, successfully: exits 0 whatever its arguments (`bench spawn` starts it).
#![no_std]
#![no_main]

fn main(_args: ulib::Args) -> i32 {
    0
}

ulib::entry!(main);
