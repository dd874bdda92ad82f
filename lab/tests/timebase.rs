//! Is the timebase a profile key end to end? `[core] timebase_hz` is what the device tree
//! announces (`timebase-frequency`) and the rate `mtime` advances at, and the kernels take it from
//! the device tree: under another timebase (the HiFive Unmatched's 1 MHz) both kernels boot and
//! their time still follows the modeled clock — a 1 ms sleep takes 1 ms of cycles whatever the
//! timebase, where a kernel that assumed QEMU's 10 MHz would sleep 10 ms.

use std::process::Command;

const KLAB: &str = env!("CARGO_BIN_EXE_klab");

/// `klab run --set core.timebase_hz=HZ --stats ARGS…`: its stdout and the cycles it reports.
fn run(hz: u64, args: &[&str]) -> (String, u64) {
    let out = Command::new(KLAB)
        .args(["run", "--set", &format!("core.timebase_hz={hz}"), "--stats"])
        .args(args)
        .output()
        .expect("run klab");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?} at {hz} Hz:\n{stdout}\n{stderr}"
    );
    let cycles = stderr
        .split(", ")
        .find_map(|w| w.strip_suffix(" cycles"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no cycles in {stderr}"));
    (stdout, cycles)
}

#[test]
fn the_device_tree_announces_the_profiles_timebase() {
    let hello = klab_tests::guest("hello");
    for hz in [10_000_000u64, 1_000_000] {
        let (out, _) = run(hz, &[hello.to_str().unwrap()]);
        assert!(
            out.contains(&format!("timebase-frequency: {hz}\n")),
            "{hz}: {out}"
        );
    }
}

#[test]
fn both_kernels_keep_time_by_the_device_trees_timebase() {
    // The default clock is 1 GHz: a millisecond is a million cycles.
    const MS: u64 = 1_000_000;
    for kernel in ["mono", "micro"] {
        let args = [kernel, "usertests", "clock_sleep"];
        let (qemu_rate, at_10mhz) = run(10_000_000, &args);
        let (board_rate, at_1mhz) = run(1_000_000, &args);
        for out in [&qemu_rate, &board_rate] {
            assert!(
                out.contains("usertests: 1 passed, 0 failed"),
                "{kernel}: {out}"
            );
        }
        // The run sleeps 1 ms: the same work and the same sleep under both timebases, up to the
        // coarser tick's rounding (1 µs); a tenfold error would add 9 ms.
        assert!(
            at_10mhz.abs_diff(at_1mhz) < MS / 10,
            "{kernel}: {at_10mhz} cycles at 10 MHz, {at_1mhz} at 1 MHz"
        );
        assert!(at_1mhz > MS, "{kernel}: the run includes its 1 ms sleep");
    }
}
