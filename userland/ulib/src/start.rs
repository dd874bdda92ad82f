//! Process start: `_start` receives `a0` = argc and `a1` = a pointer to argc `abi::types::Str`
//! (on the stack the kernel set up); it names the address space after the program (the basename
//! of `argv[0]`, for klab's per-program statistics), calls the program's `main` (named with
//! [`crate::entry!`]) and exits with its value. A panic prints `panic: …` on stderr and exits with
//! status 101.

use core::ffi::CStr;
use core::panic::PanicInfo;

use crate::env::Args;
use crate::{marker, sys};

/// The status a panicking program exits with (as Rust's `std` does).
pub const PANIC_STATUS: i32 = 101;

/// The longest address-space name, in bytes (a longer program name is truncated).
pub const NAME_MAX: usize = 31;

// The entry point: the kernel starts the first thread here with sp 16-byte aligned.
ucall::entry_point!(ulib_start);

unsafe extern "Rust" {
    /// The program's main, defined by [`crate::entry!`].
    fn __ulib_main(args: Args) -> i32;
}

/// Called by `_start`.
///
/// # Safety
/// `argv` must point to `argc` `Str`s, each naming readable bytes, all alive for the whole run —
/// which is what the kernel provides at process start.
unsafe extern "C" fn ulib_start(argc: usize, argv: *const abi::types::Str) -> ! {
    // Safety: the caller's contract is `Args::from_raw`'s.
    let args = unsafe { Args::from_raw(argc, argv) };
    name_space(&args);
    // Safety: `entry!` defines `__ulib_main` with this signature.
    let status = unsafe { __ulib_main(args) };
    sys::exit(status)
}

/// Names the address space after the program: the basename of `argv[0]`, at most [`NAME_MAX`]
/// bytes (nothing when `argv[0]` is missing or its basename empty).
fn name_space(args: &Args) {
    let Some(path) = args.bytes(0) else { return };
    let base = path.rsplit(|&b| b == b'/').next().unwrap_or(path);
    let base = &base[..base.len().min(NAME_MAX)];
    if base.is_empty() {
        return;
    }
    let mut buf = [0u8; NAME_MAX + 1];
    buf[..base.len()].copy_from_slice(base);
    // The buffer's last byte is always NUL; a NUL inside the name just ends it early.
    if let Ok(name) = CStr::from_bytes_until_nul(&buf) {
        marker::name_space(name);
    }
}

/// Names the program's `fn main(args: ulib::Args) -> i32`.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        #[unsafe(no_mangle)]
        fn __ulib_main(args: $crate::Args) -> i32 {
            $main(args)
        }
    };
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    crate::eprintln!("panic: {}", info);
    sys::exit(PANIC_STATUS)
}
