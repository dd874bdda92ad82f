//! The benchmarks `klab bench` runs: one entry per measurement, each a command line of the guest
//! program `/bin/bench` (`bench CASE N ARGS…`, see `userland/bin/src/bin/bench.rs`), the same
//! binary on both kernels. Adding a benchmark is a case in the guest program and a line here.

/// One benchmark.
#[derive(Clone, Copy, Debug)]
pub struct Bench {
    /// Its name in reports and for `--only`.
    pub name: &'static str,
    /// Its family (chart and table grouping).
    pub family: &'static str,
    /// What it measures, in one line.
    pub title: &'static str,
    /// What one operation is.
    pub unit: &'static str,
    /// The guest program's case.
    pub case: &'static str,
    /// The case's parameters after N.
    pub args: &'static [&'static str],
    /// Operations in a `klab bench` run (the guest may round to its own unit, and reports the
    /// count it did).
    pub n: u64,
    /// Operations in a `--quick` run (the tests).
    pub quick: u64,
}

/// A catalogue row (positional, so the table below reads as a table).
#[allow(clippy::too_many_arguments)]
const fn b(
    name: &'static str,
    family: &'static str,
    title: &'static str,
    unit: &'static str,
    case: &'static str,
    args: &'static [&'static str],
    n: u64,
    quick: u64,
) -> Bench {
    Bench {
        name,
        family,
        title,
        unit,
        case,
        args,
        n,
        quick,
    }
}

/// Every benchmark, in report order.
pub const BENCHES: &[Bench] = &[
    b(
        "call",
        "ladder",
        "function call (not inlined)",
        "call",
        "call",
        &[],
        100_000,
        1000,
    ),
    b(
        "coroutine",
        "ladder",
        "user-level coroutine switch (ulib::coro)",
        "switch",
        "coroutine",
        &[],
        100_000,
        1000,
    ),
    b(
        "thread-switch",
        "ladder",
        "thread switch in one address space (two threads yielding)",
        "switch",
        "thread-switch",
        &[],
        2000,
        100,
    ),
    b(
        "process-switch",
        "ladder",
        "process switch between address spaces (two processes yielding)",
        "switch",
        "process-switch",
        &[],
        2000,
        100,
    ),
    b(
        "getpid",
        "syscall",
        "null system call (getpid, a bare ecall)",
        "call",
        "getpid",
        &[],
        10_000,
        200,
    ),
    b(
        "getpid-lib",
        "syscall",
        "null system call through ulib (sys::getpid, checked at once)",
        "call",
        "getpid-lib",
        &[],
        10_000,
        200,
    ),
    b(
        "null-write",
        "syscall",
        "write 1 byte to /dev/null",
        "call",
        "null-write",
        &[],
        5000,
        100,
    ),
    b(
        "zero-read",
        "syscall",
        "read 1 byte from /dev/zero",
        "call",
        "zero-read",
        &[],
        5000,
        100,
    ),
    b(
        "fstat",
        "syscall",
        "fstat of an open file",
        "call",
        "fstat",
        &[],
        5000,
        100,
    ),
    b(
        "open-close",
        "file",
        "open + close of an existing file",
        "pair",
        "open-close",
        &[],
        2000,
        50,
    ),
    b(
        "file-0k",
        "file",
        "create + delete of an empty file",
        "file",
        "file",
        &["0"],
        500,
        20,
    ),
    b(
        "file-1k",
        "file",
        "create + delete of a 1 KiB file",
        "file",
        "file",
        &["1"],
        500,
        20,
    ),
    b(
        "file-4k",
        "file",
        "create + delete of a 4 KiB file",
        "file",
        "file",
        &["4"],
        500,
        20,
    ),
    b(
        "file-10k",
        "file",
        "create + delete of a 10 KiB file",
        "file",
        "file",
        &["10"],
        300,
        20,
    ),
    b(
        "pipe-rt",
        "pipe",
        "pipe round trip between two processes (1 byte each way, bare calls)",
        "round trip",
        "pipe-rt",
        &[],
        1000,
        50,
    ),
    b(
        "pipe-rt-lib",
        "pipe",
        "pipe round trip through ulib::io (1 byte each way)",
        "round trip",
        "pipe-rt-lib",
        &[],
        1000,
        50,
    ),
    b(
        "pipe-bw",
        "pipe",
        "pipe bandwidth, 64 KiB chunks",
        "64 KiB chunk",
        "pipe-bw",
        &[],
        64,
        4,
    ),
    b(
        "ipc",
        "ipc",
        "IPC round trip, 0 words (bare calls)",
        "round trip",
        "ipc",
        &["0"],
        2000,
        50,
    ),
    b(
        "ipc-lib",
        "ipc",
        "IPC round trip, 0 words, through ulib::ipc",
        "round trip",
        "ipc-lib",
        &["0"],
        2000,
        50,
    ),
    b(
        "ipc-4k",
        "ipc",
        "IPC round trip with a 4 KiB lease the server reads",
        "round trip",
        "ipc",
        &["4096"],
        1000,
        20,
    ),
    b(
        "ring-2",
        "switch",
        "token ring of 2 processes (pipes)",
        "pass",
        "ring",
        &["2", "0"],
        2000,
        40,
    ),
    b(
        "ring-8",
        "switch",
        "token ring of 8 processes (pipes)",
        "pass",
        "ring",
        &["8", "0"],
        2000,
        40,
    ),
    b(
        "ring-16",
        "switch",
        "token ring of 16 processes (pipes)",
        "pass",
        "ring",
        &["16", "0"],
        2000,
        64,
    ),
    b(
        "ring-2-16k",
        "switch",
        "token ring of 2 processes, 16 KiB working set each",
        "pass",
        "ring",
        &["2", "16"],
        2000,
        40,
    ),
    b(
        "ring-8-16k",
        "switch",
        "token ring of 8 processes, 16 KiB working set each",
        "pass",
        "ring",
        &["8", "16"],
        2000,
        40,
    ),
    b(
        "ring-16-16k",
        "switch",
        "token ring of 16 processes, 16 KiB working set each",
        "pass",
        "ring",
        &["16", "16"],
        2000,
        64,
    ),
    b(
        "spawn",
        "process",
        "spawn + wait of a trivial program (/bin/true)",
        "spawn",
        "spawn",
        &[],
        100,
        5,
    ),
    b(
        "sig-catch",
        "ipc-mech",
        "a signal to oneself, handled and returned from (lmbench lat_sig catch)",
        "signal",
        "sig-catch",
        &[],
        2000,
        50,
    ),
    b(
        "sig-install",
        "ipc-mech",
        "install a signal handler (sigaction; lmbench lat_sig install)",
        "call",
        "sig-install",
        &[],
        5000,
        100,
    ),
    b(
        "fifo-rt",
        "ipc-mech",
        "1-byte round trip between two processes through two named pipes (lmbench lat_fifo)",
        "round trip",
        "fifo-rt",
        &[],
        2000,
        50,
    ),
    b(
        "unix-rt",
        "ipc-mech",
        "1-byte round trip between two processes over a socket pair (lmbench lat_unix)",
        "round trip",
        "unix-rt",
        &[],
        2000,
        50,
    ),
    b(
        "shm-rt",
        "ipc-mech",
        "round trip on a shared word with futex wait/wake, between two threads",
        "round trip",
        "shm-rt",
        &[],
        2000,
        50,
    ),
    b(
        "sem-rt",
        "ipc-mech",
        "round trip on two futex semaphores, between two threads (lmbench lat_sem)",
        "round trip",
        "sem-rt",
        &[],
        2000,
        50,
    ),
    b(
        "unix-bw",
        "ipc-mech",
        "64 KiB chunks from a writer process over a socket pair (lmbench bw_unix)",
        "64 KiB chunk",
        "unix-bw",
        &[],
        32,
        4,
    ),
    b(
        "bw-mem",
        "ipc-mech",
        "64 KiB memcpy in user space, the bandwidths' reference (lmbench bw_mem bcopy)",
        "64 KiB chunk",
        "bw-mem",
        &[],
        64,
        4,
    ),
    b(
        "page-fault",
        "memory",
        "first touch of an mmap'd page",
        "page",
        "page-fault",
        &[],
        1000,
        32,
    ),
    b(
        "mmap-1",
        "memory",
        "mmap + munmap of 1 page",
        "pair",
        "mmap",
        &["1"],
        1000,
        20,
    ),
    b(
        "mmap-16",
        "memory",
        "mmap + munmap of 16 pages",
        "pair",
        "mmap",
        &["16"],
        500,
        20,
    ),
    b(
        "mmap-256",
        "memory",
        "mmap + munmap of 256 pages",
        "pair",
        "mmap",
        &["256"],
        200,
        10,
    ),
    b(
        "pipeline",
        "macro",
        "sh -c 'cat /data/1M | wc' (1 MiB through a pipe)",
        "run",
        "pipeline",
        &[],
        1,
        1,
    ),
];

/// The cost ladder, cheapest first: function call up to pipe round trip. Its system-call, IPC
/// and pipe rungs run thin loops (bare `ecall`s); their `-lib` twins, outside the ladder, go
/// through `ulib`.
pub const LADDER: [&str; 7] = [
    "call",
    "coroutine",
    "thread-switch",
    "process-switch",
    "getpid",
    "ipc",
    "pipe-rt",
];

/// The benchmark called `name`.
pub fn find(name: &str) -> Option<&'static Bench> {
    BENCHES.iter().find(|b| b.name == name)
}

impl Bench {
    /// The guest command line for `n` operations: `bench CASE N ARGS…`.
    pub fn command(&self, n: u64) -> Vec<String> {
        let mut v = vec!["bench".to_string(), self.case.to_string(), n.to_string()];
        v.extend(self.args.iter().map(|a| a.to_string()));
        v
    }
}

/// `klab bench --list`: the catalogue as an aligned table, one benchmark per line.
pub fn listing() -> String {
    let mut rows = vec![vec![
        "benchmark".to_string(),
        "family".to_string(),
        "op".to_string(),
        "what it measures".to_string(),
        "guest command".to_string(),
    ]];
    for b in BENCHES {
        rows.push(vec![
            b.name.to_string(),
            b.family.to_string(),
            b.unit.to_string(),
            b.title.to_string(),
            b.command(b.n).join(" "),
        ]);
    }
    crate::report::table::columns_aligned(&rows, &[])
}
