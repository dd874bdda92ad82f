//! Code the programs of `/bin` share: how a command name becomes a path ([`program_path`]), the
//! one-line error report every tool prints ([`report`]), the shell's parser ([`shell`], kept
//! here so it is plain code apart from the process plumbing in `sh`), and the benchmarks of
//! `/bin/bench` ([`bench`], one file per theme; `src/bin/bench.rs` only calls it).
//!
//! Left out: anything that needs a particular kernel — this is ordinary `ulib` code (`bench ipc`
//! asks `ulib::ipc::available` and falls back to pipes where there is no IPC).
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

pub mod bench;
pub mod memstress;
pub mod shell;

use alloc::string::String;

use ulib::Errno;

/// Where commands without a `/` are found.
pub const BIN_DIR: &str = "/bin";

/// The path the shell (and `init`) runs for command `name`: `name` itself when it contains a
/// `/`, else `/bin/NAME`.
pub fn program_path(name: &str) -> String {
    let mut path = String::new();
    if !name.contains('/') {
        path.push_str(BIN_DIR);
        path.push('/');
    }
    path.push_str(name);
    path
}

/// Prints `PROG: SUBJECT: MESSAGE` on standard error, with `err`'s message (`Errno::message`).
pub fn report(prog: &str, subject: &str, err: Errno) {
    ulib::eprintln!("{prog}: {subject}: {}", err.message());
}
