//! Runtime of the ISA test binaries: only a panic handler.
//!
//! Every test is written in assembly (`src/prelude.S` plus a body per `src/bin/*.rs`); this library
//! exists so that each binary links as a `no_std` Rust program. No Rust code runs in a test.
#![no_std]

use core::panic::PanicInfo;

/// No Rust code runs in a test, so a panic cannot happen; spin if it ever does.
#[panic_handler]
fn panic(_info: &PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
