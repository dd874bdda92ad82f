//! Are the emulator's counters exactly what they were? Every statistic a set of runs produces
//! (`klab run --stats-json`: instructions, cycles, every event by mode, address space and region,
//! the snapshots and the sampled symbols), its exit status and its console output are compared
//! with goldens committed under `lab/tests/golden/`, which pin them "bit-identical to the build
//! before issue 19" (the emulator-speed work): a faster emulator must count exactly the same.
//!
//! The runs: both embedded timing profiles (`simple` and the default `u74`) and the functional
//! mode (`--timing off`) on the kernels (`usertests` on mono and micro, cut at a fixed instruction
//! count to keep this test to seconds; the `ipc`, `getpid` and `ring` benchmarks) and on the
//! bare-metal speed guests of `tests/guests/speed` (`compute`, `ecall`, `sharedpage`).
//!
//! Regenerate the goldens (after a deliberate change of the kernels, the guests or the model, on a
//! build without the change under test) with one command:
//! `KLAB_BLESS=1 cargo test --release -p lab --test exact_counters`.

mod common;

use common::Scratch;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::thread;

use klab_tests::{guest, repo_root};
use serde_json::Value;

/// Where a usertests run is cut: enough for boot, process creation, exec and many tests.
const USERTESTS_INSNS: &str = "40000000";

/// One pinned run: its golden's name and `klab run`'s arguments.
struct Case {
    name: String,
    args: Vec<String>,
}

/// The runs whose counters are pinned.
fn cases() -> Vec<Case> {
    let speed_guest = |name: &str| guest(name).to_string_lossy().into_owned();
    let mut v = Vec::new();
    let mut add = |name: String, args: Vec<String>| v.push(Case { name, args });
    for (tag, mode) in [
        ("simple", ["--profile", "simple"]),
        ("u74", ["--profile", "u74"]),
        ("functional", ["--timing", "off"]),
    ] {
        let with = |rest: &[&str]| -> Vec<String> {
            mode.iter()
                .chain(rest)
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
        };
        for kernel in ["mono", "micro"] {
            add(
                format!("{tag}-{kernel}-usertests"),
                with(&["--max-insns", USERTESTS_INSNS, kernel, "usertests"]),
            );
        }
        add(
            format!("{tag}-micro-bench-ipc"),
            with(&["micro", "bench", "ipc", "2000", "0"]),
        );
        add(
            format!("{tag}-mono-bench-getpid"),
            with(&["mono", "bench", "getpid", "2000"]),
        );
        add(
            format!("{tag}-micro-bench-ring"),
            with(&["micro", "bench", "ring", "200", "8", "0"]),
        );
        add(
            format!("{tag}-mono-bench-ring"),
            with(&["mono", "bench", "ring", "200", "8", "16"]),
        );
        for (g, n) in [("compute", "20"), ("ecall", "100"), ("sharedpage", "50")] {
            let elf = speed_guest(g);
            add(format!("{tag}-{g}"), with(&["--append", n, elf.as_str()]));
        }
    }
    v
}

/// The golden file of case `name`.
fn golden_path(name: &str) -> PathBuf {
    repo_root().join(format!("lab/tests/golden/{name}.json"))
}

/// Runs one case; its record: arguments (with the guest paths made relative), exit status,
/// console output and statistics.
fn run(case: &Case) -> Value {
    let dir = Scratch::new("exact", &case.name);
    let json = dir.join(format!("{}.json", case.name));
    let out = Command::new(env!("CARGO_BIN_EXE_klab"))
        .arg("run")
        .arg("--stats-json")
        .arg(&json)
        .args(&case.args)
        .stdin(Stdio::null())
        .output()
        .expect("run klab");
    let text = std::fs::read_to_string(&json)
        .unwrap_or_else(|e| panic!("{}: no statistics ({e}): {out:?}", case.name));
    let stats: Value = serde_json::from_str(&text).expect("statistics JSON");
    let root = format!("{}/", repo_root().display());
    let args: Vec<String> = case.args.iter().map(|a| a.replace(&root, "")).collect();
    serde_json::json!({
        "args": args,
        "status": out.status.code(),
        "console": String::from_utf8_lossy(&out.stdout),
        "stats": stats,
    })
}

/// The paths (`.a.b[3]`) where `got` and `want` differ, at most `limit` of them.
fn differences(got: &Value, want: &Value, path: String, out: &mut Vec<String>, limit: usize) {
    if out.len() >= limit {
        return;
    }
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            for (k, wv) in w {
                match g.get(k) {
                    Some(gv) => differences(gv, wv, format!("{path}.{k}"), out, limit),
                    None => out.push(format!("{path}.{k}: missing")),
                }
            }
            for k in g.keys().filter(|k| !w.contains_key(*k)) {
                out.push(format!("{path}.{k}: not in the golden"));
            }
        }
        (Value::Array(g), Value::Array(w)) if g.len() == w.len() => {
            for (i, (gv, wv)) in g.iter().zip(w).enumerate() {
                differences(gv, wv, format!("{path}[{i}]"), out, limit);
            }
        }
        _ if got == want => {}
        _ => {
            let short = |v: &Value| {
                let s = v.to_string();
                if s.len() > 120 {
                    format!("{}…", &s[..s.floor_char_boundary(120)])
                } else {
                    s
                }
            };
            out.push(format!("{path}: {} (golden {})", short(got), short(want)));
        }
    }
}

#[test]
fn are_the_counters_of_every_pinned_run_bit_identical_to_the_goldens() {
    let bless = std::env::var_os("KLAB_BLESS").is_some_and(|v| v != "0");
    let cases = cases();
    let next = Mutex::new(0usize);
    let failures = Mutex::new(Vec::new());
    let workers = thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(4);
    thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().expect("lock");
                        *n += 1;
                        *n - 1
                    };
                    let Some(case) = cases.get(i) else { break };
                    let got = run(case);
                    let path = golden_path(&case.name);
                    if bless {
                        std::fs::create_dir_all(path.parent().expect("golden dir"))
                            .expect("golden directory");
                        let text = serde_json::to_string_pretty(&got).expect("JSON") + "\n";
                        std::fs::write(&path, text).expect("write golden");
                        continue;
                    }
                    let want: Value = match std::fs::read_to_string(&path) {
                        Ok(t) => serde_json::from_str(&t).expect("golden JSON"),
                        Err(e) => {
                            failures.lock().expect("lock").push(format!(
                                "{}: no golden ({e}); bless with KLAB_BLESS=1",
                                case.name
                            ));
                            continue;
                        }
                    };
                    let mut diffs = Vec::new();
                    differences(&got, &want, String::new(), &mut diffs, 12);
                    if !diffs.is_empty() {
                        failures.lock().expect("lock").push(format!(
                            "{}:\n  {}",
                            case.name,
                            diffs.join("\n  ")
                        ));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().expect("lock");
    assert!(
        failures.is_empty(),
        "counters moved from the goldens:\n{}",
        failures.join("\n")
    );
}
