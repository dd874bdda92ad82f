//! The interrupt you can measure from user space (issue 16): `irq-latency` arms the Goldfish
//! RTC's alarm, blocks in `alarm_wait` and reports in its note the cycles from the device
//! raising its line to the reader running again. Is that figure there on both kernels,
//! reproducible to the cycle, and larger on micro, whose driver is a user-mode server the
//! interrupt reaches as a notification (two more address-space switches), than on mono?

use std::process::Command;

/// `klab run KERNEL bench irq-latency 10`: its result line's latency, in cycles.
fn latency(kernel: &str) -> u64 {
    let out = Command::new(env!("CARGO_BIN_EXE_klab"))
        .args(["run", "--max-insns", "100000000", kernel])
        .args(["bench", "irq-latency", "10"])
        .output()
        .expect("run klab");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{kernel}: {stdout}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("bench irq-latency: "))
        .unwrap_or_else(|| panic!("{kernel}: no result line:\n{stdout}"));
    line.split("latency=")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{kernel}: no latency in {line:?}"))
}

#[test]
fn the_interrupt_reaches_the_reader_later_on_micro_and_reruns_agree_to_the_cycle() {
    let mono = latency("mono");
    let micro = latency("micro");
    assert_eq!(mono, latency("mono"), "mono reruns differ");
    assert!(
        mono > 100,
        "mono: {mono} cycles is less than a trap and a return"
    );
    assert!(
        micro > mono,
        "micro's latency {micro} is not above mono's {mono}: the server switch is missing"
    );
}
