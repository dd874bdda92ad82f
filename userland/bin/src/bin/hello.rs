//! hello: prints a greeting with its pid and its arguments, and exits 0.
#![no_std]
#![no_main]

use ulib::println;

fn main(args: ulib::Args) -> i32 {
    println!("hello from pid {}", ulib::sys::getpid());
    for (i, a) in args.iter().enumerate() {
        println!("argv[{i}] = {a}");
    }
    0
}

ulib::entry!(main);
