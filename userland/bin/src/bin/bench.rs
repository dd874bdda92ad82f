//! bench: the guest benchmarks `klab bench` runs, lmbench-style: `bench CASE N [ARGS…]` prints
//! `bench CASE: ops=OPS cycles=C instructions=I[ note=TEXT]` (or `bench CASE: FAIL WHAT`, status
//! 1); `bench list` names the cases. The cases live in the `bin` library (`src/bench/`, see
//! `bin::bench`); this file only hands it the arguments.
#![no_std]
#![no_main]

ulib::entry!(bin::bench::main);
