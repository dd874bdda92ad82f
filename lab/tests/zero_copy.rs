//! Zero-copy, counted in bytes: does `sendfile-1m` store fewer bytes outside user mode than
//! `copy-1m` (read + write through a user buffer) on both kernels, as the copy it saves says it
//! must? The bytes come from the emulator's `bytes_stored` event, booked per place like every
//! counter in report.json; the report's zero-copy section reads them the same way.

mod common;

use common::result;
use serde_json::Value;

/// Bytes one operation of the `-1m` benchmarks moves.
const MOVED: f64 = (1u64 << 20) as f64;

/// `klab bench --quick --only copy-1m,sendfile-1m`: report.json and report.md.
fn bench() -> (Value, String) {
    let r = common::quick_bench("copy-1m,sendfile-1m");
    (r.json, r.md)
}

/// Bytes stored outside user mode (the kernel, and on micro its servers) per byte moved.
fn stored_per_byte(r: &Value, bench: &str, kernel: &str) -> f64 {
    let x = result(r, bench, kernel);
    let parts = x["parts"].as_array().unwrap();
    let sum = |f: &dyn Fn(&Value) -> bool| -> u64 {
        parts
            .iter()
            .filter(|p| f(p))
            .map(|p| p["counters"]["bytes_stored"].as_u64().unwrap())
            .sum()
    };
    // The parts add up to the total, bytes as every other counter.
    assert_eq!(
        sum(&|_| true),
        x["total"]["bytes_stored"].as_u64().unwrap(),
        "{bench} on {kernel}: parts add up"
    );
    let system = sum(&|p| p["place"] != "user");
    system as f64 / x["ops"].as_f64().unwrap() / MOVED
}

#[test]
fn sendfile_stores_fewer_bytes_outside_user_mode_than_read_and_write() {
    let (r, md) = bench();
    for kernel in ["mono", "micro"] {
        let copy = stored_per_byte(&r, "copy-1m", kernel);
        let sendfile = stored_per_byte(&r, "sendfile-1m", kernel);
        // Read + write copies every byte at least twice outside user mode (file to the user
        // buffer, the buffer to the pipe); sendfile at least once (file to the pipe).
        assert!(
            copy >= 2.0,
            "copy-1m on {kernel}: {copy:.2} bytes stored per byte"
        );
        assert!(
            sendfile >= 1.0,
            "sendfile-1m on {kernel}: {sendfile:.2} bytes stored per byte"
        );
        assert!(
            sendfile < copy,
            "on {kernel}, sendfile-1m stores {sendfile:.2} bytes per byte moved outside user mode, copy-1m {copy:.2}"
        );
        // The report's reading says so, with the same figures.
        let clause = format!(
            "on {kernel}, sendfile-1m stores {:.2}× fewer bytes outside user mode than copy-1m ({copy:.2} → {sendfile:.2} KiB per KiB moved",
            copy / sendfile
        );
        assert!(
            md.to_lowercase().contains(&clause.to_lowercase()),
            "report.md lacks «{clause}»:\n{md}"
        );
    }
    assert!(md.contains("### Zero-copy: bytes stored per byte moved, by place"));
}
