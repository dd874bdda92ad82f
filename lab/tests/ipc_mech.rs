//! The IPC-mechanism benchmarks of issue 16 (`fifo-rt`, `unix-rt`, `mq-rt`, `shm-rt`, `sem-rt`,
//! `unix-bw`, `bw-mem`, `shm-bw`, and the thread versions `shm-rt-thr`, `sem-rt-thr`) on both
//! kernels, through the real binary: each runs, and each shows the property its construction
//! implies — a byte round trip between two processes crosses into the kernel at least four times
//! and switches at least twice; on micro the fifo, socket and queue live in the fs server while
//! the futex calls never leave the kernel, between threads or processes; a futex round trip
//! between processes costs more than between threads (an address-space switch each way); moving
//! a chunk through a socket costs more than copying it in user memory, and through shared memory
//! it costs two copies and no kernel copy; a signal round trip (`sig-rt`) enters a handler and
//! returns through `sigreturn` on each side, and on micro is decided by proc alone.

mod common;

use std::sync::OnceLock;

use serde_json::Value;

const BENCHES: &str =
    "fifo-rt,unix-rt,mq-rt,shm-rt,sem-rt,unix-bw,bw-mem,shm-bw,shm-rt-thr,sem-rt-thr,sig-rt";

/// `klab bench --quick --only BENCHES`, run once; the report.json.
fn report() -> &'static Value {
    static REPORT: OnceLock<Value> = OnceLock::new();
    REPORT.get_or_init(|| common::quick_bench(BENCHES).json)
}

fn result(bench: &str, kernel: &str) -> &'static Value {
    common::result(report(), bench, kernel)
}

fn per_op(bench: &str, kernel: &str, metric: &str) -> f64 {
    let x = result(bench, kernel);
    x["total"][metric].as_f64().expect("a counter") / x["ops"].as_f64().expect("ops")
}

/// The cycles a place (`user`, `kernel`, a server) spent in the region of `bench` on `kernel`.
fn place_cycles(bench: &str, kernel: &str, place: &str) -> u64 {
    result(bench, kernel)["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .filter(|p| p["place"] == place)
        .map(|p| p["counters"]["cycles"].as_u64().expect("cycles"))
        .sum()
}

#[test]
fn a_byte_round_trip_between_processes_traps_four_times_and_switches_twice() {
    for bench in ["fifo-rt", "unix-rt", "mq-rt"] {
        for kernel in ["mono", "micro"] {
            let traps = per_op(bench, kernel, "traps");
            let switches = per_op(bench, kernel, "context_switches");
            assert!(
                traps >= 4.0,
                "{bench} on {kernel}: {traps} traps per round trip"
            );
            assert!(
                switches >= 2.0,
                "{bench} on {kernel}: {switches} switches per round trip"
            );
        }
    }
}

#[test]
fn a_futex_round_trip_wakes_the_other_thread_through_the_kernel_alone() {
    for bench in ["shm-rt", "sem-rt", "shm-rt-thr", "sem-rt-thr"] {
        for kernel in ["mono", "micro"] {
            let traps = per_op(bench, kernel, "traps");
            let switches = per_op(bench, kernel, "context_switches");
            // At least: a wake and a wait on each side, and a switch each way.
            assert!(
                traps >= 2.0,
                "{bench} on {kernel}: {traps} traps per round trip"
            );
            assert!(
                switches >= 2.0,
                "{bench} on {kernel}: {switches} switches per round trip"
            );
        }
        for server in ["proc", "fs", "mem", "console"] {
            assert_eq!(
                place_cycles(bench, "micro", server),
                0,
                "{bench} on micro: the {server} server ran, but futexes are the kernel's"
            );
        }
    }
}

#[test]
fn on_micro_named_pipes_sockets_and_queues_live_in_the_file_server() {
    for bench in ["fifo-rt", "unix-rt", "mq-rt", "unix-bw"] {
        assert!(
            place_cycles(bench, "micro", "fs") > 0,
            "{bench} on micro: no cycles in fs"
        );
        assert_eq!(
            place_cycles(bench, "mono", "fs"),
            0,
            "{bench} on mono has no servers"
        );
    }
}

#[test]
fn a_chunk_through_a_socket_costs_more_than_a_memcpy_of_it() {
    for kernel in ["mono", "micro"] {
        let socket = per_op("unix-bw", kernel, "cycles");
        let memcpy = per_op("bw-mem", kernel, "cycles");
        assert!(
            socket > memcpy,
            "{kernel}: a 64 KiB chunk over a socket {socket} cycles, a memcpy {memcpy}"
        );
    }
    // memcpy involves no kernel: the same user code on both kernels.
    let (mono, micro) = (
        per_op("bw-mem", "mono", "instructions"),
        per_op("bw-mem", "micro", "instructions"),
    );
    assert_eq!(
        mono, micro,
        "bw-mem runs the same instructions on both kernels"
    );
}

#[test]
fn a_futex_round_trip_between_processes_costs_more_than_between_threads() {
    for (procs, threads) in [("shm-rt", "shm-rt-thr"), ("sem-rt", "sem-rt-thr")] {
        for kernel in ["mono", "micro"] {
            let p = per_op(procs, kernel, "cycles");
            let t = per_op(threads, kernel, "cycles");
            assert!(
                p > t,
                "{kernel}: {procs} {p} cycles per round trip, {threads} {t}: the processes' \
                 address-space switches cost nothing?"
            );
        }
    }
}

#[test]
fn a_chunk_through_shared_memory_is_two_copies_and_cheaper_than_through_a_socket() {
    for kernel in ["mono", "micro"] {
        let shm = per_op("shm-bw", kernel, "cycles");
        let socket = per_op("unix-bw", kernel, "cycles");
        let memcpy = per_op("bw-mem", kernel, "cycles");
        assert!(
            memcpy < shm && shm < socket,
            "{kernel}: 64 KiB by memcpy {memcpy}, shared memory {shm}, socket {socket} cycles"
        );
        // The writer's copy in and the reader's copy out, each a bw-mem.
        let (shm_i, memcpy_i) = (
            per_op("shm-bw", kernel, "instructions"),
            per_op("bw-mem", kernel, "instructions"),
        );
        assert!(
            shm_i > 2.0 * memcpy_i,
            "{kernel}: shm-bw {shm_i} instructions per chunk, bw-mem {memcpy_i}"
        );
    }
    for server in ["proc", "fs", "mem", "console"] {
        assert_eq!(
            place_cycles("shm-bw", "micro", server),
            0,
            "shm-bw on micro: the {server} server ran inside the region"
        );
    }
}

#[test]
fn a_signal_round_trip_enters_two_handlers_and_on_micro_is_decided_by_proc() {
    for kernel in ["mono", "micro"] {
        // Each side: kill, sigsuspend, sigreturn — at least six calls and two switches.
        let traps = per_op("sig-rt", kernel, "traps");
        let switches = per_op("sig-rt", kernel, "context_switches");
        assert!(
            traps >= 6.0,
            "sig-rt on {kernel}: {traps} traps per round trip"
        );
        assert!(
            switches >= 2.0,
            "sig-rt on {kernel}: {switches} switches per round trip"
        );
    }
    // proc decides every delivery; fs sees a one-time cost at most (4,448 instructions for
    // 40 round trips as for 1,000).
    let (proc, fs) = (
        place_cycles("sig-rt", "micro", "proc"),
        place_cycles("sig-rt", "micro", "fs"),
    );
    assert!(
        proc > 10 * fs,
        "sig-rt on micro: proc {proc} cycles, fs {fs}"
    );
}
