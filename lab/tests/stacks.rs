//! Where the cycles go, through the real binary: `klab run --folded` and `--stats-json` name
//! each address space's code with that space's own ELF (the kernel, micro's servers, the
//! initrd's programs, known without `--symbols`), folded stacks cover exactly the measured
//! region's samples and parse, and reruns give identical stacks.

use std::process::Command;

use serde_json::Value;

/// The sample period of these runs (a prime).
const PERIOD: u64 = 997;

/// Runs `klab run --sample-period PERIOD --folded - --stats-json FILE KERNEL ARGS…`; returns the
/// folded stacks (stdout after the console's lines) and the statistics.
fn sampled(kernel: &str, args: &[&str], tag: &str) -> (String, Value) {
    let json = std::env::temp_dir().join(format!("klab-stacks-{tag}-{}.json", std::process::id()));
    let period = PERIOD.to_string();
    let o = Command::new(env!("CARGO_BIN_EXE_klab"))
        .args([
            "run",
            "--sample-period",
            &period,
            "--folded",
            "-",
            "--stats-json",
        ])
        .arg(&json)
        .arg(kernel)
        .args(args)
        .output()
        .expect("run klab");
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stats = serde_json::from_str(&std::fs::read_to_string(&json).expect("stats"))
        .expect("stats are JSON");
    std::fs::remove_file(&json).ok();
    // The folded lines are the ones ending in a count after a `;`-separated stack.
    let folded: String = stdout
        .lines()
        .filter(|l| parse(l).is_some())
        .map(|l| format!("{l}\n"))
        .collect();
    (folded, stats)
}

/// A folded line's frames and count.
fn parse(line: &str) -> Option<(Vec<&str>, u64)> {
    let (stack, count) = line.rsplit_once(' ')?;
    let frames: Vec<&str> = stack.split(';').collect();
    (frames.len() >= 2 && frames.iter().all(|f| !f.is_empty()))
        .then_some(())
        .and(count.parse().ok().map(|n| (frames, n)))
}

/// Region 1's cycles in the statistics.
fn region_cycles(stats: &Value) -> u64 {
    stats["regions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["region"] == 1)
        .map(|b| b["counts"]["cycles"].as_u64().unwrap())
        .sum()
}

/// Samples the statistics say region 1 took.
fn region_samples(stats: &Value) -> u64 {
    stats["samples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["region"] == 1)
        .map_or(0, |s| s["samples"].as_u64().unwrap())
}

/// On micro, is the `proc` server's code named from `proc`'s ELF in `proc`'s space, with
/// nothing of the `bench` program's there — although both link at the same address?
#[test]
fn a_micro_getpid_names_procs_functions_in_procs_space_and_nothing_of_bench_there() {
    let (folded, stats) = sampled("micro", &["bench", "getpid", "3000"], "getpid");
    let symbols = stats["symbols"].as_array().expect("symbols");
    let in_space =
        |space: &str| -> Vec<&Value> { symbols.iter().filter(|s| s["space"] == space).collect() };
    let proc = in_space("proc");
    assert!(!proc.is_empty(), "no sample in proc: {symbols:?}");
    assert!(
        proc.iter()
            .all(|s| s["table"] == "proc" || s["table"] == "?"),
        "{proc:?}"
    );
    assert!(
        proc.iter()
            .any(|s| s["symbol"].as_str().unwrap().starts_with("servers::")),
        "{proc:?}"
    );
    // The bench program's own functions exist (in its space), and none of them in proc's.
    let bench = in_space("bench");
    assert!(
        bench
            .iter()
            .any(|s| s["symbol"].as_str().unwrap().starts_with("bin::bench::")),
        "{bench:?}"
    );
    assert!(
        symbols
            .iter()
            .filter(|s| s["table"] == "bench")
            .all(|s| s["space"] == "bench"),
        "{symbols:?}"
    );
    for line in folded.lines() {
        let (frames, _) = parse(line).unwrap();
        if frames[0] == "proc" {
            assert!(
                frames.iter().all(|f| !f.contains("bin::bench")),
                "bench's code in proc's stack: {line}"
            );
            assert!(frames.contains(&"proc::main"), "{line}");
        }
    }
    assert!(folded.lines().any(|l| l.starts_with("proc;")), "{folded}");
    assert!(folded.lines().any(|l| l.starts_with("kernel;")), "{folded}");
}

/// Do the folded stacks parse, add up to exactly the samples the region took — about its
/// cycles over the period — and come out identical from a second run?
#[test]
fn folded_stacks_sum_to_the_regions_samples_and_reruns_are_identical() {
    let (folded, stats) = sampled("mono", &["bench", "getpid", "3000"], "mono-a");
    let total: u64 = folded.lines().map(|l| parse(l).unwrap().1).sum();
    assert!(total > 0, "{folded}");
    assert_eq!(total, region_samples(&stats), "{folded}");
    let expect = region_cycles(&stats) / PERIOD;
    assert!(
        total.abs_diff(expect) <= 1,
        "{total} samples for {expect} periods of region 1"
    );
    // Sorted, distinct stacks, each rooted in `kernel` or the program's space.
    let stacks: Vec<&str> = folded
        .lines()
        .map(|l| l.rsplit_once(' ').unwrap().0)
        .collect();
    assert!(stacks.windows(2).all(|w| w[0] < w[1]), "{folded}");
    assert!(
        stacks
            .iter()
            .all(|s| s.starts_with("kernel;") || s.starts_with("bench;")),
        "{folded}"
    );
    // Frame pointers: the program's stacks go back to its entry.
    assert!(
        folded
            .lines()
            .any(|l| l.starts_with("bench;_start;ulib::start::ulib_start;bin::bench::main;")),
        "{folded}"
    );
    let (again, _) = sampled("mono", &["bench", "getpid", "3000"], "mono-b");
    assert_eq!(folded, again);
}

/// The statistics of `klab run --sample-period PERIOD --stats-json - micro bench getpid 500`.
fn buckets(period: &str) -> Value {
    let o = Command::new(env!("CARGO_BIN_EXE_klab"))
        .args(["run", "--sample-period", period, "--stats-json", "-"])
        .args(["micro", "bench", "getpid", "500"])
        .output()
        .expect("run klab");
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let json = &text[text.find("\n{").expect("the JSON after the console") + 1..];
    let v: Value = serde_json::from_str(json).expect("JSON");
    v["buckets"].clone()
}

/// Does walking stacks — even every 7 cycles — change no count of the run (reads through the
/// page tables touch no modeled TLB, cache or counter)?
#[test]
fn sampling_stacks_changes_no_count() {
    assert_eq!(buckets("0"), buckets("7"));
}

/// `klab bench --folded FILE`: does every run — on and off the cost ladder, both kernels — get
/// its stacks, prefixed `KERNEL;BENCH;`, adding up to its measured region's cycles over the
/// bench sample period, and do the results in report.json keep the same stacks?
#[test]
fn bench_folded_writes_every_runs_region_stacks_prefixed_with_kernel_and_bench() {
    let dir = std::env::temp_dir().join(format!("klab-bench-folded-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let file = dir.join("stacks.folded");
    std::fs::create_dir_all(&dir).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_klab"))
        .args([
            "bench",
            "--quick",
            "--quiet",
            "--only",
            "getpid,null-write",
            "--folded",
        ])
        .arg(&file)
        .arg("--out")
        .arg(dir.join("report"))
        .output()
        .expect("run klab");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let folded = std::fs::read_to_string(&file).expect("the folded file");
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("report/report.json")).expect("report.json"),
    )
    .unwrap();
    // klab bench samples every 4999 cycles (`lab/src/bench/stacks.rs`).
    const BENCH_PERIOD: u64 = 4999;
    let mut runs = 0;
    for r in report["results"].as_array().unwrap() {
        let (kernel, bench) = (r["kernel"].as_str().unwrap(), r["bench"].as_str().unwrap());
        let prefix = format!("{kernel};{bench};");
        let mine: Vec<&str> = folded.lines().filter(|l| l.starts_with(&prefix)).collect();
        let total: u64 = mine.iter().map(|l| parse(l).expect(l).1).sum();
        let expect = r["total"]["cycles"].as_u64().unwrap() / BENCH_PERIOD;
        assert!(
            total > 0 && total.abs_diff(expect) <= 1,
            "{kernel} {bench}: {total} samples for {expect} periods\n{folded}"
        );
        let kept: Vec<String> = r["stacks"]
            .as_array()
            .expect("the result keeps its stacks")
            .iter()
            .map(|s| format!("{prefix}{}", s.as_str().unwrap()))
            .collect();
        assert_eq!(mine, kept, "{kernel} {bench}");
        runs += 1;
    }
    assert_eq!(runs, 4, "getpid and null-write on mono and micro");
    std::fs::remove_dir_all(&dir).ok();
}
