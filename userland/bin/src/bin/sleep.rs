//! sleep: `sleep SECONDS` waits that long (whole seconds, or a decimal fraction such as `0.25`,
//! down to nanoseconds), then exits 0. A malformed or missing duration is reported with status
//! 2. Time is the machine's (on klab, modeled cycles), so a sleep interrupted by a signal
//! (Ctrl-C) ends the program by the signal's default action.
#![no_std]
#![no_main]

use ulib::{eprintln, sys};

/// Nanoseconds per second.
const NS: u64 = 1_000_000_000;

/// `SECONDS` as nanoseconds: digits, optionally `.` and up to nine more digits.
fn parse(s: &str) -> Option<u64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() && frac.is_empty() || frac.len() > 9 {
        return None;
    }
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(frac) {
        return None;
    }
    let secs: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut nanos: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    for _ in frac.len()..9 {
        nanos *= 10;
    }
    secs.checked_mul(NS)?.checked_add(nanos)
}

fn main(args: ulib::Args) -> i32 {
    let Some(ns) = args.get(1).and_then(parse) else {
        eprintln!("usage: sleep SECONDS (e.g. 2 or 0.5)");
        return 2;
    };
    sys::sleep(ns);
    0
}

ulib::entry!(main);
