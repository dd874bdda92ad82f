//! init: the first process. Spawns `/bin/sh` (or, given arguments, `init PROGRAM ARGS…` runs
//! PROGRAM — found as the shell finds commands — with those arguments) on the inherited console
//! fds, then waits: it reaps every child that exits (orphans are given to init) until the shell
//! has exited, and exits with the shell's status. Children still alive then are left alone.
//! If the program cannot be started: `init: PATH: MESSAGE` and status 127.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;

use ulib::sys;

/// What init runs when given no arguments.
const DEFAULT: &[&str] = &["sh"];

fn main(args: ulib::Args) -> i32 {
    let argv: Vec<&str> = if args.len() > 1 {
        args.iter().skip(1).collect()
    } else {
        DEFAULT.to_vec()
    };
    let path = bin::program_path(argv[0]);
    let child = match sys::spawn(&path, &argv, None) {
        Ok(pid) => pid,
        Err(e) => {
            bin::report("init", &path, e);
            return 127;
        }
    };
    loop {
        match sys::wait(None) {
            Ok((pid, status)) if pid == child => return status,
            Ok(_) => {}
            Err(e) => {
                // Only a kernel bug gets here: the shell is our child until we reap it.
                bin::report("init", "wait", e);
                return 1;
            }
        }
    }
}

ulib::entry!(main);
