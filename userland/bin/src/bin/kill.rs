//! kill: `kill [-SIGNAL] PID…` sends a signal (default `TERM`) to each process; a negative
//! `PID` (after `--`, or as `-SIGNAL -PID`) names a process group. `SIGNAL` is a number or a
//! name with or without `SIG` (`INT`, `KILL`, `TERM`, `USR1`, `USR2`, `PIPE`, `CHLD`). `kill -l`
//! lists the names. Status 0 if every signal was sent, 1 if one was refused (reported), 2 for a
//! usage error.
#![no_std]
#![no_main]

use abi::signal::{SIGCHLD, SIGINT, SIGKILL, SIGPIPE, SIGTERM, SIGUSR1, SIGUSR2};
use ulib::{eprintln, println, signal};

/// The signals by name.
const NAMES: [(&str, usize); 7] = [
    ("INT", SIGINT),
    ("KILL", SIGKILL),
    ("USR1", SIGUSR1),
    ("USR2", SIGUSR2),
    ("PIPE", SIGPIPE),
    ("TERM", SIGTERM),
    ("CHLD", SIGCHLD),
];

/// The usage line.
const USAGE: &str = "usage: kill [-SIGNAL] PID... | kill -l";

/// A signal given as a number or a name.
fn parse_signal(s: &str) -> Option<usize> {
    if let Ok(n) = s.parse::<usize>() {
        return Some(n);
    }
    let name = s.strip_prefix("SIG").unwrap_or(s);
    NAMES.iter().find(|(n, _)| *n == name).map(|&(_, s)| s)
}

fn main(args: ulib::Args) -> i32 {
    let mut sig = SIGTERM;
    let mut i = 1;
    match args.get(1) {
        Some("-l") => {
            for (name, n) in NAMES {
                println!("{n} {name}");
            }
            return 0;
        }
        Some("--") => i = 2,
        Some(a) if a.starts_with('-') && a.len() > 1 && parse_signal(&a[1..]).is_some() => {
            sig = parse_signal(&a[1..]).unwrap_or(SIGTERM);
            i = 2;
            if args.get(2) == Some("--") {
                i = 3;
            }
        }
        _ => {}
    }
    if i >= args.len() {
        eprintln!("{USAGE}");
        return 2;
    }
    let mut status = 0;
    for j in i..args.len() {
        let target = args.get(j).unwrap_or("");
        let r = match target.strip_prefix('-') {
            Some(g) => g.parse().map(|g| signal::kill_group(g, sig)),
            None => target.parse().map(|p| signal::kill(p, sig)),
        };
        match r {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                bin::report("kill", target, e);
                status = 1;
            }
            Err(_) => {
                eprintln!("kill: {target}: not a process id\n{USAGE}");
                return 2;
            }
        }
    }
    status
}

ulib::entry!(main);
