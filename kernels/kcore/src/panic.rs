//! The panic console: a kernel panic prints its message and location on the UART (polled, so it
//! works from any state) and powers the machine off with status 255 through the test finisher.

use crate::kprintln;

/// Exit status of a machine whose kernel panicked.
pub const PANIC_STATUS: i32 = 255;

#[cfg(target_os = "none")]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    report(info)
}

/// Prints `info` and powers off.
pub fn report(info: &core::panic::PanicInfo) -> ! {
    kprintln!("kernel panic: {}", info);
    crate::power::exit(PANIC_STATUS)
}
