//! crashtest: fault isolation on `micro` — a server crashes, the kernel's supervisor restarts it,
//! and the programs using it carry on.
//!
//! Writes `crashtest: before` to standard output (on `micro`: through the file and console
//! servers), then has the console server crash on purpose with `ipc::inject(CONSOLE)`, which
//! must fail with `EIO` (the call the server died in fails; the supervisor has restarted it by
//! the time it returns). Then `crashtest: after` must be written by the restarted server. Lines:
//!
//! ```text
//! crashtest: before
//! crashtest: inject -> EIO
//! crashtest: after
//! crashtest: ok
//! ```
//!
//! Status 0 when all of it worked; 1 with `crashtest: FAIL …` when not; on a kernel without
//! servers (`mono`: `inject` is `ENOSYS`) `crashtest: no servers on this kernel` and status 2,
//! since nothing was tested.
#![no_std]
#![no_main]
#![forbid(unsafe_op_in_unsafe_fn)]

use abi::ipc::level;
use ulib::io::{STDOUT, write_all};
use ulib::{Errno, ipc, println};

/// Status when the kernel has no servers to crash: nothing was tested, which is not a pass.
const NO_SERVERS: i32 = 2;

fn main(_args: ulib::Args) -> i32 {
    // Each line is written with a checked `write`: the point is whether output still works.
    let line = |text: &str| {
        write_all(STDOUT, text.as_bytes()).map_err(|e| {
            println!(
                "crashtest: FAIL writing {:?}: {}",
                text.trim_end(),
                e.name()
            )
        })
    };
    if line("crashtest: before\n").is_err() {
        return 1;
    }
    match ipc::inject(level::CONSOLE) {
        Err(Errno::Io) => {}
        Err(Errno::NoSys) => {
            println!("crashtest: no servers on this kernel");
            return NO_SERVERS;
        }
        Ok(()) => {
            println!("crashtest: FAIL inject -> 0, want EIO");
            return 1;
        }
        Err(e) => {
            println!("crashtest: FAIL inject -> {}, want EIO", e.name());
            return 1;
        }
    }
    let r = line("crashtest: inject -> EIO\n")
        .and_then(|()| line("crashtest: after\n"))
        .and_then(|()| line("crashtest: ok\n"));
    if r.is_err() { 1 } else { 0 }
}

ulib::entry!(main);
