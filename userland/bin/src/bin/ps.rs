//! ps: lists the processes — pid, parent, process group, state (`R` alive, `Z` exited and not
//! yet waited for) and the name each was spawned with — from the `proclist` call. No options.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec;

use abi::types::{ProcInfo, limits, proc_state};
use ulib::{println, sys};

fn main(_args: ulib::Args) -> i32 {
    let mut buf = vec![0u8; limits::PROCESSES * ProcInfo::SIZE];
    let total = match sys::proclist(&mut buf) {
        Ok(n) => n,
        Err(e) => {
            bin::report("ps", "proclist", e);
            return 1;
        }
    };
    println!("  PID  PPID  PGID S NAME");
    for entry in buf.chunks_exact(ProcInfo::SIZE).take(total) {
        let Some(p) = ProcInfo::from_bytes(entry) else {
            continue;
        };
        let state = if p.state == proc_state::ZOMBIE {
            'Z'
        } else {
            'R'
        };
        let name = core::str::from_utf8(p.name()).unwrap_or("?");
        println!("{:5} {:5} {:5} {state} {name}", p.pid, p.ppid, p.pgid);
    }
    0
}

ulib::entry!(main);
