//! Server start and end: `_start` receives `a0` = argc and `a1` = a pointer to argc
//! [`abi::types::Str`] (as a program does, `userland/ulib/src/start.rs`), sets up the heap and
//! calls the server's main, named with [`crate::entry!`]. The server names its address space to
//! the emulator (marker [`abi::marker::NAME`]) before anything else.
//!
//! A server never exits. It ends only by crashing — on purpose ([`crash`], for the kernel's
//! `abi::ipc::label::CRASH`) or by a panic, which prints `<server>: panic: <info>` with
//! `DEBUG_WRITE` first — and the kernel's supervisor then restarts it in the address space it
//! left, at `_start` again with a fresh stack: [`restarted`] tells the new instance, which keeps
//! the heap as it is (freeing a lock the old one may have held) and takes over its state
//! ([`crate::serve::run`]).

use core::arch::asm;
use core::ffi::{CStr, c_char};
use core::fmt::{self, Write};
use core::panic::PanicInfo;
use core::ptr;
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

use abi::types::Str;

use crate::{heap, kernel};

// The entry point: the kernel starts the server's thread here with sp 16-byte aligned.
ucall::entry_point!(server_start);

unsafe extern "Rust" {
    /// The server's main, defined by [`crate::entry!`].
    fn __server_main(args: Args) -> !;
}

/// Called by `_start`.
///
/// # Safety
/// `argv` must point to `argc` `Str`s naming readable bytes that live for the whole run — what
/// the kernel provides at server start.
unsafe extern "C" fn server_start(argc: usize, argv: *const Str) -> ! {
    if STARTS.fetch_add(1, Ordering::Relaxed) == 0 {
        heap::init();
    } else {
        heap::reclaim();
    }
    // Safety: the caller's contract is `Args::from_raw`'s.
    let args = unsafe { Args::from_raw(argc, argv) };
    // Safety: `entry!` defines `__server_main` with this signature.
    unsafe { __server_main(args) }
}

/// Names the server's `fn main(args: servers::Args) -> !` and the name of its address space
/// (a `&'static CStr` such as `c"fs"`, also the prefix of its panic messages).
#[macro_export]
macro_rules! entry {
    ($name:expr, $main:path) => {
        #[unsafe(no_mangle)]
        fn __server_main(args: $crate::Args) -> ! {
            $crate::rt::set_name($name);
            $main(args)
        }
    };
}

/// How many times this server's thread has started: the kernel's supervisor keeps `.bss` (and
/// the heap) across a restart, so a count above 1 says the state of the previous instance is
/// there to be taken over.
static STARTS: AtomicUsize = AtomicUsize::new(0);

/// Whether this instance is a restart (a previous one failed and left its state behind).
pub fn restarted() -> bool {
    STARTS.load(Ordering::Relaxed) > 1
}

/// The server's name, for panic messages (null until [`set_name`]).
static NAME: AtomicPtr<c_char> = AtomicPtr::new(ptr::null_mut());

/// Records the server's name and names its address space to the emulator.
pub fn set_name(name: &'static CStr) {
    NAME.store(name.as_ptr().cast_mut(), Ordering::Relaxed);
    // Safety: a HINT (`slti x0, rs1, 3`): it writes x0 only; klab reads the name, hardware
    // ignores it.
    unsafe {
        asm!("slti x0, {0}, {op}", in(reg) name.as_ptr(), op = const abi::marker::NAME,
             options(readonly, nostack))
    };
}

/// The server's name, as [`set_name`] recorded it.
pub fn name() -> &'static str {
    let p = NAME.load(Ordering::Relaxed);
    if p.is_null() {
        return "server";
    }
    // Safety: `p` came from a `&'static CStr` in `set_name`.
    unsafe { CStr::from_ptr(p) }.to_str().unwrap_or("server")
}

pub use ucall::Args;

/// Crashes the server on purpose, at once: an illegal instruction, which the kernel's
/// supervisor answers by restarting the server (and failing its current caller with `EIO`).
pub fn crash() -> ! {
    // Safety: `unimp` raises an illegal-instruction exception in U-mode; the kernel ends this
    // server there, so control never comes back.
    unsafe { asm!("unimp", options(noreturn, nostack)) }
}

/// A fixed buffer for one console line ([`say`]): no allocation (the heap may be what failed).
struct Line {
    bytes: [u8; 256],
    len: usize,
}

impl Write for Line {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = self.bytes.len() - self.len;
        let n = s.len().min(room);
        self.bytes[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

/// Writes one line to the console (`DEBUG_WRITE`): `args` and a newline, cut to 255 bytes.
/// It does not allocate, so it works when the heap is what failed.
pub fn say(args: fmt::Arguments<'_>) {
    let mut line = Line {
        bytes: [0; 256],
        len: 0,
    };
    let _ = line.write_fmt(args);
    // Keep the newline even when the message was cut.
    line.len = line.len.min(line.bytes.len() - 1);
    line.bytes[line.len] = b'\n';
    kernel::debug_write(&line.bytes[..=line.len]);
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    match info.location() {
        Some(at) => say(format_args!(
            "{}: panic: {} at {}:{}",
            name(),
            info.message(),
            at.file(),
            at.line()
        )),
        None => say(format_args!("{}: panic: {}", name(), info.message())),
    }
    crash()
}
