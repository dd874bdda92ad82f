//! The IO models' textbook claim, measured: the kernel's cost per request of an echo service
//! in `poll` grows with the number of descriptors it watches, while in `epoll` it does not
//! (modeled instruction counts are exact, so the comparison is too). And the asynchronous ring:
//! fewer kernel entries per request than epoll (one `ring_enter` submits and waits), and, with
//! its own ready list, a kernel cost that does not grow with the operations in flight (a call
//! retries only the operations whose pipes changed, as `epoll_wait` looks only at ready
//! descriptors).

mod common;

use serde_json::Value;

/// `klab bench --quick --only BENCHES`: report.json.
fn bench(benches: &str) -> Value {
    common::quick_bench(benches).json
}

/// Instructions per request outside user mode (the kernel, and on micro its servers).
fn system_per_op(r: &Value, bench: &str, kernel: &str) -> f64 {
    let x = common::result(r, bench, kernel);
    let system: u64 = x["parts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["place"] != "user")
        .map(|p| p["counters"]["instructions"].as_u64().unwrap())
        .sum();
    system as f64 / x["ops"].as_f64().unwrap()
}

#[test]
fn poll_costs_the_kernel_more_with_more_descriptors_and_epoll_does_not() {
    let r = bench("io-poll-1,io-poll-64,io-epoll-1,io-epoll-64");
    for kernel in ["mono", "micro"] {
        let p1 = system_per_op(&r, "io-poll-1", kernel);
        let p64 = system_per_op(&r, "io-poll-64", kernel);
        let e1 = system_per_op(&r, "io-epoll-1", kernel);
        let e64 = system_per_op(&r, "io-epoll-64", kernel);
        assert!(
            p64 > 1.5 * p1,
            "{kernel}: poll over 64 descriptors {p64} vs over 1 {p1} instructions per request"
        );
        assert!(
            e64 <= 1.01 * e1,
            "{kernel}: epoll with 64 registered {e64} vs 1 {e1} instructions per request"
        );
        assert!(
            e64 < p64,
            "{kernel}: at 64 descriptors epoll {e64} vs poll {p64} instructions per request"
        );
    }
}

/// Traps taken from user mode per request (system calls, and the rare fault or interrupt).
fn user_traps_per_op(r: &Value, bench: &str, kernel: &str) -> f64 {
    let x = common::result(r, bench, kernel);
    let traps: u64 = x["parts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["place"] == "user")
        .map(|p| p["counters"]["traps"].as_u64().unwrap())
        .sum();
    traps as f64 / x["ops"].as_f64().unwrap()
}

#[test]
fn the_ring_enters_the_kernel_less_than_epoll_and_its_cost_does_not_grow_with_reads_in_flight() {
    let r = bench("io-epoll-1,io-epoll-64,io-async-1,io-async-64");
    for kernel in ["mono", "micro"] {
        for n in [1, 64] {
            let e = user_traps_per_op(&r, &format!("io-epoll-{n}"), kernel);
            let a = user_traps_per_op(&r, &format!("io-async-{n}"), kernel);
            // epoll_wait + read + write against one ring_enter: at least one call fewer.
            assert!(
                a + 0.9 < e,
                "{kernel}, N = {n}: {a} traps per request with the ring, {e} with epoll"
            );
        }
        // A ring that looked at every pending operation on every call cost 1.9x (mono) and
        // 1.5x (micro) as much at 64 reads in flight as at one.
        let a1 = system_per_op(&r, "io-async-1", kernel);
        let a64 = system_per_op(&r, "io-async-64", kernel);
        assert!(
            a64 <= 1.05 * a1,
            "{kernel}: the ring with 64 reads in flight {a64}, with 1 {a1} instructions per \
             request"
        );
    }
}

/// A blocking thread per client: does waking the one thread whose pipe got a request cost the
/// same with 64 threads blocked as with one? A wake-up that looked at every thread (mono's
/// scheduler) or every parked request (micro's fs server) cost 2.9x (mono) and 1.5x (micro) as
/// much per request at 64 clients; the wait index visits only the waiters of the key.
#[test]
fn a_thread_per_client_costs_the_kernel_no_more_with_64_threads_blocked_than_with_one() {
    let r = bench("io-threads-1,io-threads-64");
    for kernel in ["mono", "micro"] {
        let t1 = system_per_op(&r, "io-threads-1", kernel);
        let t64 = system_per_op(&r, "io-threads-64", kernel);
        assert!(
            t64 <= 1.1 * t1,
            "{kernel}: 64 threads blocked {t64}, one {t1} instructions per request"
        );
    }
}
