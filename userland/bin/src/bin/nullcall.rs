//! nullcall: the cost of the null system call, lmbench's "null call": `getpid` in a loop between
//! `rdcycle`/`rdinstret` reads (and klab markers, region 1), after a warm-up. Prints cycles and
//! instructions per call. `nullcall [N]` does N calls (default 10000).
#![no_std]
#![no_main]

use ulib::{counters, marker, println, sys};

fn main(args: ulib::Args) -> i32 {
    let n: u64 = args
        .iter()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000)
        .max(1);
    for _ in 0..100 {
        sys::getpid();
    }
    marker::begin(1);
    let (c0, i0) = (counters::cycle(), counters::instret());
    for _ in 0..n {
        sys::getpid();
    }
    let (c1, i1) = (counters::cycle(), counters::instret());
    marker::end(1);
    let (cycles, insns) = (c1 - c0, i1 - i0);
    println!(
        "nullcall: {n} getpid calls: {}.{:02} cycles, {}.{:02} instructions per call",
        cycles / n,
        cycles * 100 / n % 100,
        insns / n,
        insns * 100 / n % 100
    );
    0
}

ulib::entry!(main);
