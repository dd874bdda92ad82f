//! `klab bench`, `klab sweep` and `klab report` through the real binary: every benchmark runs on
//! both kernels with the same program bytes; reruns give identical counters; the orderings that
//! hold by construction hold; the report files are well formed and Chromium renders the HTML;
//! merging independent runs gives the same results as one run.

mod common;

use common::Scratch;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

fn klab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_klab"))
        .args(args)
        .output()
        .expect("run klab")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> Scratch {
    Scratch::new("bench", name)
}

/// Runs `klab ARGS… --out DIR` and returns the parsed report.json; panics with klab's output on
/// failure.
fn run_report(args: &[&str], dir: &Path) -> Value {
    let mut all: Vec<&str> = args.to_vec();
    let d = dir.to_string_lossy().into_owned();
    all.extend(["--out", &d]);
    let out = klab(&all);
    assert!(
        out.status.success(),
        "klab {all:?} failed:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    read_json(dir)
}

fn read_json(dir: &Path) -> Value {
    let json = std::fs::read_to_string(dir.join("report.json")).expect("report.json");
    serde_json::from_str(&json).expect("report.json is JSON")
}

/// Every benchmark, quick, on both kernels: run once and shared by the tests that look at it.
fn full() -> &'static (PathBuf, Value) {
    static FULL: OnceLock<(PathBuf, Value)> = OnceLock::new();
    FULL.get_or_init(|| {
        let dir = common::shared("bench", "full");
        let report = run_report(&["bench", "--quick"], &dir);
        (dir, report)
    })
}

fn results(r: &Value) -> &Vec<Value> {
    r["results"].as_array().expect("results is an array")
}

fn result<'a>(r: &'a Value, bench: &str, kernel: &str) -> &'a Value {
    results(r)
        .iter()
        .find(|x| x["bench"] == bench && x["kernel"] == kernel)
        .unwrap_or_else(|| panic!("no {bench} result on {kernel}"))
}

fn per_op(x: &Value, metric: &str) -> f64 {
    x["total"][metric].as_f64().expect("a counter") / x["ops"].as_f64().expect("ops")
}

/// The benchmark names `klab bench --list` prints (the first column, under its header); an
/// unknown name is a usage error that points there.
fn catalogue() -> Vec<String> {
    let out = klab(&["bench", "--only", "nosuch"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown benchmark is a usage error"
    );
    assert!(
        text(&out.stderr).contains("klab bench --list"),
        "{}",
        text(&out.stderr)
    );
    let out = klab(&["bench", "--list"]);
    assert_eq!(out.status.code(), Some(0));
    text(&out.stdout)
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_benchmark_runs_on_both_kernels_with_the_same_program() {
    let (_, r) = full();
    let names = catalogue();
    assert!(names.len() >= 32, "the catalogue: {names:?}");
    let initrd = std::fs::read(klab_tests::initrd()).expect("the initrd");
    let bench = tar_file(&initrd, "bin/bench").expect("/bin/bench in the initrd");
    let hash = emu::profile::short_hash(&bench);
    for name in &names {
        for kernel in ["mono", "micro"] {
            let x = result(r, name, kernel);
            assert_eq!(x["program_hash"], hash.as_str(), "{name} on {kernel}");
            assert!(x["ops"].as_u64().unwrap() > 0, "{name} on {kernel}");
            assert!(
                x["total"]["cycles"].as_u64().unwrap() > 0,
                "{name} on {kernel}"
            );
        }
    }
    assert_eq!(results(r).len(), names.len() * 2);
    assert_eq!(
        r["images"]["initrd"],
        emu::profile::short_hash(&initrd).as_str()
    );
}

#[test]
fn the_catalogue_runs_every_case_of_the_guest_program() {
    let (_, r) = full();
    let out = klab(&["run", "mono", "bench", "list"]);
    assert!(out.status.success(), "bench list: {}", text(&out.stderr));
    let listed: BTreeSet<String> = text(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    assert!(listed.contains("getpid-lib"), "bench list: {listed:?}");
    let run: BTreeSet<String> = results(r)
        .iter()
        .map(|x| {
            let command = x["command"].as_str().expect("a command line");
            command.split(' ').nth(1).expect("a case").to_string()
        })
        .collect();
    assert_eq!(
        run, listed,
        "cases the catalogue runs vs cases the program has"
    );
}

/// User-mode instructions per operation of `bench` on `kernel`: the program and its children,
/// not the kernel and not the servers.
fn user_per_op(r: &Value, bench: &str, kernel: &str) -> f64 {
    let x = result(r, bench, kernel);
    let user: u64 = x["parts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["place"] == "user")
        .map(|p| p["counters"]["instructions"].as_u64().unwrap())
        .sum();
    user as f64 / x["ops"].as_f64().unwrap()
}

#[test]
fn thin_loops_leave_the_kernel_to_measure() {
    // The ladder's kernel rungs make bare `ecall`s in thin loops: a handful of user instructions
    // per operation around the kernel's work (counts are exact; the budgets leave a little room
    // for the harness). Their `-lib` twins run the same operations through `ulib`, which costs
    // more. (`ipc` on mono is a pipe round trip, as `pipe-rt`.)
    let (_, r) = full();
    let budgets = [
        ("getpid", 8.0, 8.0),
        ("thread-switch", 9.0, 9.0),
        ("process-switch", 6.0, 6.0),
        ("ipc", 64.0, 26.0),
        ("pipe-rt", 64.0, 64.0),
    ];
    for (bench, mono, micro) in budgets {
        for (kernel, budget) in [("mono", mono), ("micro", micro)] {
            let user = user_per_op(r, bench, kernel);
            assert!(
                user <= budget,
                "{bench} on {kernel}: {user} user instructions per op, budget {budget}"
            );
        }
    }
    for (thin, lib) in [
        ("getpid", "getpid-lib"),
        ("pipe-rt", "pipe-rt-lib"),
        ("ipc", "ipc-lib"),
    ] {
        for kernel in ["mono", "micro"] {
            let (t, l) = (user_per_op(r, thin, kernel), user_per_op(r, lib, kernel));
            assert!(
                t < l,
                "{kernel}: {thin} {t} vs {lib} {l} user instructions per op"
            );
        }
    }
    // Library code was most of the user side of an IPC round trip.
    let (t, l) = (
        user_per_op(r, "ipc", "micro"),
        user_per_op(r, "ipc-lib", "micro"),
    );
    assert!(
        l > 4.0 * t,
        "micro: ipc {t} vs ipc-lib {l} user instructions"
    );
}

/// The bytes of `path` in a ustar archive.
fn tar_file(archive: &[u8], path: &str) -> Option<Vec<u8>> {
    let mut at = 0;
    while at + 512 <= archive.len() {
        let h = &archive[at..at + 512];
        let name_end = h[..100].iter().position(|&b| b == 0).unwrap_or(100);
        let name = std::str::from_utf8(&h[..name_end]).ok()?;
        if name.is_empty() {
            return None;
        }
        let size_text = std::str::from_utf8(&h[124..136]).ok()?;
        let size =
            usize::from_str_radix(size_text.trim_matches(|c| c == '\0' || c == ' '), 8).ok()?;
        let data = at + 512;
        if name.trim_start_matches("./") == path {
            return archive.get(data..data + size).map(<[u8]>::to_vec);
        }
        at = data + size.div_ceil(512) * 512;
    }
    None
}

#[test]
fn the_programs_own_counters_agree_with_the_region() {
    // The program reads rdcycle/rdinstret just inside its markers: the region holds the few
    // instructions between a marker and a counter read more (at most 8), and their cycles — a
    // handful, unless a benchmark with a large working set has evicted the harness's code, when
    // fetching it again costs up to an L2 hit plus a memory access (the default profile's
    // `l2_hit` 20 + `memory` 100) on each side of the loop.
    const INSTRUCTIONS: i64 = 8;
    const CYCLES: i64 = 64 + 2 * (20 + 100);
    let (_, r) = full();
    for x in results(r) {
        for (field, bound) in [("cycles", CYCLES), ("instructions", INSTRUCTIONS)] {
            let g = x["guest"][field].as_i64().unwrap();
            let t = x["total"][field].as_i64().unwrap();
            assert!(
                (0..=bound).contains(&(t - g)),
                "{} on {}: the program counted {g} {field}, the region {t}",
                x["bench"],
                x["kernel"]
            );
        }
    }
}

#[test]
fn parts_add_up_and_name_the_servers() {
    let (_, r) = full();
    for x in results(r) {
        let places: Vec<&str> = x["parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["place"].as_str().unwrap())
            .collect();
        for metric in ["cycles", "instructions", "context_switches", "tlb_misses"] {
            let sum: u64 = x["parts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["counters"][metric].as_u64().unwrap())
                .sum();
            assert_eq!(sum, x["total"][metric].as_u64().unwrap(), "{}", x["bench"]);
        }
        if x["kernel"] == "mono" {
            assert!(
                places.iter().all(|p| *p == "user" || *p == "kernel"),
                "mono has no servers: {places:?}"
            );
        }
    }
    // getpid on micro is answered by the proc server.
    let g = result(r, "getpid", "micro");
    let places: BTreeSet<&str> = g["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["place"].as_str().unwrap())
        .collect();
    assert!(places.contains("proc"), "{places:?}");
}

#[test]
fn orderings_that_hold_by_construction() {
    let (_, r) = full();
    let (mono, micro) = (result(r, "getpid", "mono"), result(r, "getpid", "micro"));
    assert!(per_op(micro, "cycles") > per_op(mono, "cycles"));
    assert!(per_op(micro, "context_switches") > per_op(mono, "context_switches"));
    for kernel in ["mono", "micro"] {
        let small = per_op(result(r, "ring-2", kernel), "cycles");
        let big = per_op(result(r, "ring-16-16k", kernel), "cycles");
        assert!(
            big > small,
            "{kernel}: ring-16-16k {big} vs ring-2 {small} cycles per pass"
        );
        // The ladder's first rungs.
        let call = per_op(result(r, "call", kernel), "cycles");
        let getpid = per_op(result(r, "getpid", kernel), "cycles");
        assert!(
            call < getpid,
            "{kernel}: a call {call} vs a system call {getpid}"
        );
    }
    assert!(
        result(r, "ipc", "mono")["note"]
            .as_str()
            .is_some_and(|n| n.contains("pipe")),
        "mono's IPC stand-in is labelled"
    );
    assert!(result(r, "ipc", "micro")["note"].is_null());
    assert!(
        result(r, "ipc-lib", "mono")["note"]
            .as_str()
            .is_some_and(|n| n.contains("pipe")),
        "mono's stand-in for ipc-lib is labelled too"
    );
    assert!(result(r, "ipc-lib", "micro")["note"].is_null());
}

#[test]
fn reruns_give_identical_counters() {
    let a = run_report(
        &["bench", "--quick", "--only", "getpid,ipc,page-fault"],
        &scratch("det-a"),
    );
    let b = run_report(
        &[
            "bench",
            "--quick",
            "--only",
            "getpid,ipc,page-fault",
            "--jobs",
            "1",
        ],
        &scratch("det-b"),
    );
    assert_eq!(a["results"], b["results"]);
    // And the same results as inside the full run.
    let (_, full) = full();
    for x in results(&a) {
        let same = result(
            full,
            x["bench"].as_str().unwrap(),
            x["kernel"].as_str().unwrap(),
        );
        assert_eq!(x, same);
    }
}

#[test]
fn report_files_are_well_formed() {
    let (dir, r) = full();
    assert_eq!(r["schema"], 1);
    for key in ["klab", "profiles", "images", "sweep", "results"] {
        assert!(r.get(key).is_some(), "report.json lacks {key}");
    }
    assert!(r["klab"]["version"].is_string() && r["klab"]["commit"].is_string());
    let p = &r["profiles"][0];
    assert_eq!(p["name"], "u74");
    assert_eq!(p["hash"].as_str().unwrap().len(), 16);
    for x in results(r) {
        for key in [
            "bench",
            "family",
            "title",
            "unit",
            "kernel",
            "profile",
            "point",
            "command",
            "ops",
            "note",
            "program_hash",
            "guest",
            "total",
            "parts",
        ] {
            assert!(x.get(key).is_some(), "a result lacks {key}");
        }
        assert_eq!(x["profile"], p["hash"]);
    }
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("getpid") && md.contains("micro"));
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let sections: Vec<&str> = html.split("<section").skip(1).collect();
    assert!(sections.len() >= 3, "sections: {}", sections.len());
    for s in &sections {
        let s = s.split("</section>").next().unwrap();
        assert_eq!(
            s.matches("<svg").count(),
            1,
            "a section without exactly one chart"
        );
    }
    chromium_renders(&dir.join("report.html"), html.matches("<svg").count());
}

/// Does every cost-ladder result carry its floor (traps and `satp` writes per operation times
/// the profile's charges) and a timeline whose phases add up, from a run that is not the
/// measured one?
#[test]
fn ladder_results_carry_a_floor_and_a_timeline() {
    let (dir, r) = full();
    let ladder = [
        "call",
        "coroutine",
        "thread-switch",
        "process-switch",
        "getpid",
        "ipc",
        "pipe-rt",
    ];
    for bench in ladder {
        for kernel in ["mono", "micro"] {
            let x = result(r, bench, kernel);
            assert!(
                !x["command"].as_str().unwrap().contains("--mark-ops"),
                "{bench} on {kernel}: the measured run marks operations"
            );
            let f = &x["floor"];
            let c = &f["costs"];
            let want = per_op(x, "traps") * c["per_trap"].as_f64().unwrap()
                + per_op(x, "satp_writes") * c["per_switch"].as_f64().unwrap();
            let got = f["cycles_per_op"].as_f64().unwrap();
            assert!((got - want).abs() < 1e-6, "{bench} on {kernel}: {f}");
            // The default profile has no ASIDs: a fence and two refills per change.
            assert_eq!(c["refills"], 2, "{f}");
            let t = &x["timeline"];
            let phases = t["phases"]
                .as_array()
                .unwrap_or_else(|| panic!("{bench}: {x}"));
            let sum = |k: &str| phases.iter().map(|p| p[k].as_u64().unwrap()).sum::<u64>();
            assert_eq!(sum("cycles"), t["cycles"].as_u64().unwrap(), "{bench}");
            assert_eq!(sum("instructions"), t["instructions"].as_u64().unwrap());
        }
    }
    let micro_getpid = &result(r, "getpid", "micro")["timeline"]["phases"];
    let switches = micro_getpid
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "switch")
        .count();
    assert_eq!(switches, 2, "{micro_getpid}");
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("| micro floor | micro/floor |"), "{md}");
    assert!(md.contains("#### getpid on micro: operation "), "{md}");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("<section id=\"timeline-getpid\">"));
}

/// Does every cost-ladder result carry the call stacks of its measured region — folded lines
/// that parse and add up to the region's cycles over the sample period — its top symbols, and
/// a flame graph in the HTML report?
#[test]
fn ladder_results_carry_call_stacks_and_a_flame_graph() {
    const PERIOD: u64 = 4999;
    let (dir, r) = full();
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    for bench in [
        "call",
        "coroutine",
        "thread-switch",
        "process-switch",
        "getpid",
        "ipc",
        "pipe-rt",
    ] {
        for kernel in ["mono", "micro"] {
            let x = result(r, bench, kernel);
            let stacks = x["stacks"].as_array().unwrap_or_else(|| panic!("{x}"));
            let mut total = 0;
            for line in stacks {
                let line = line.as_str().unwrap();
                let (stack, n) = line.rsplit_once(' ').unwrap();
                assert!(stack.split(';').all(|f| !f.is_empty()), "{line}");
                total += n.parse::<u64>().unwrap();
            }
            let periods = x["total"]["cycles"].as_u64().unwrap() / PERIOD;
            assert!(
                total.abs_diff(periods) <= 1,
                "{bench} on {kernel}: {total} samples, {periods} periods"
            );
            let symbols = x["symbols"].as_array().unwrap();
            assert!(!symbols.is_empty(), "{bench} on {kernel}");
            let own: u64 = symbols.iter().map(|s| s["samples"].as_u64().unwrap()).sum();
            assert!(own <= total, "{bench} on {kernel}");
            let id = format!("<section id=\"flame-{bench}-{kernel}\">");
            let section = html.split(&id).nth(1).unwrap_or_else(|| panic!("no {id}"));
            let section = section.split("</section>").next().unwrap();
            assert_eq!(section.matches("<svg").count(), 1, "{id}");
            assert!(!section.contains("<script"), "{id}");
        }
    }
    // Not the other benchmarks: the report stays small.
    assert!(result(r, "open-close", "micro").get("stacks").is_none());
}

/// Headless Chromium loads the page without console errors and sees every chart.
fn chromium_renders(page: &Path, svgs: usize) {
    let chromium = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok())
        .expect("chromium is not installed: run `make deps`");
    let profile = scratch("chromium-profile");
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    let err = text(&out.stderr);
    assert!(out.status.success(), "chromium failed: {err}");
    let dom = text(&out.stdout);
    assert_eq!(
        dom.matches("<svg").count(),
        svgs,
        "chromium's DOM lost charts"
    );
    let console: Vec<&str> = err.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:?}");
}

#[test]
fn asids_cut_tlb_misses_per_ipc_round_trip() {
    let r = run_report(
        &[
            "sweep",
            "--param",
            "asid=off,on",
            "--only",
            "ipc",
            "--kernels",
            "micro",
            "--quick",
        ],
        &scratch("sweep"),
    );
    assert_eq!(r["sweep"], serde_json::json!(["asid"]));
    let at = |v: &str| {
        results(&r)
            .iter()
            .find(|x| x["point"]["asid"] == v)
            .unwrap_or_else(|| panic!("no point asid={v}"))
    };
    let (off, on) = (
        per_op(at("off"), "tlb_misses"),
        per_op(at("on"), "tlb_misses"),
    );
    assert!(
        on < off,
        "TLB misses per round trip: asid on {on}, off {off}"
    );
    assert_ne!(at("off")["profile"], at("on")["profile"]);
}

#[test]
fn merging_independent_runs_gives_the_combined_report() {
    let a = scratch("merge-a");
    let b = scratch("merge-b");
    let c = scratch("merge-c");
    run_report(
        &["bench", "--quick", "--only", "fstat", "--kernels", "mono"],
        &a,
    );
    run_report(
        &["bench", "--quick", "--only", "fstat", "--kernels", "micro"],
        &b,
    );
    let merged = run_report(&["report", &a.to_string_lossy(), &b.to_string_lossy()], &c);
    let (_, full) = full();
    assert_eq!(results(&merged).len(), 2);
    for kernel in ["mono", "micro"] {
        assert_eq!(
            result(&merged, "fstat", kernel),
            result(full, "fstat", kernel)
        );
    }
    // A result that differs between inputs is refused, not silently picked.
    let mut forged = read_json(&b);
    forged["results"][0]["total"]["cycles"] = serde_json::json!(1);
    let d = scratch("merge-d");
    std::fs::write(d.join("report.json"), forged.to_string()).unwrap();
    let out = klab(&[
        "report",
        &b.to_string_lossy(),
        &d.to_string_lossy(),
        "--out",
        &c.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("two different results"),
        "{}",
        text(&out.stderr)
    );
    // A file that is not a report is refused with its name.
    std::fs::write(d.join("report.json"), "{\"schema\": 99}").unwrap();
    let out = klab(&[
        "report",
        &d.to_string_lossy(),
        "--out",
        &c.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("schema 99"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn without_a_terminal_each_finished_run_prints_a_line_with_an_eta_and_quiet_prints_none() {
    let dir = scratch("progress");
    let d = dir.to_string_lossy().into_owned();
    let args = [
        "bench", "--quick", "--only", "getpid", "--jobs", "1", "--out", &d,
    ];
    let out = klab(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("klab: [")).collect();
    assert_eq!(lines.len(), 2, "one line per run (mono, micro):\n{err}");
    assert!(
        lines[0].starts_with("klab: [1/2] mono getpid ") && lines[0].contains(", ETA "),
        "{}",
        lines[0]
    );
    assert!(lines[1].ends_with("ETA 0:00"), "{}", lines[1]);
    let quiet = klab(&[&args[..], &["--quiet"]].concat());
    assert!(quiet.status.success(), "{}", text(&quiet.stderr));
    assert!(
        !text(&quiet.stderr).contains("klab: ["),
        "{}",
        text(&quiet.stderr)
    );
}

/// The script the overlap check appends to a copy of the page: every pair of non-empty SVG
/// `<text>` boxes within one chart, and of the header's blocks and contents entries, must not
/// intersect by more than a pixel each way; the findings go into a `<pre>` the dump shows.
const OVERLAP_CHECK: &str = r#"<script>
(function () {
  const bad = [];
  const hit = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
                        Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  document.querySelectorAll('.chart svg').forEach((svg) => {
    const where = svg.closest('section') ? svg.closest('section').id : '?';
    const boxes = [...svg.querySelectorAll('text')]
      .filter(t => t.textContent.trim() !== '')
      .map(t => ({ t: t.textContent.trim(), r: t.getBoundingClientRect() }));
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++)
        if (hit(boxes[i].r, boxes[j].r))
          bad.push(where + ': ' + boxes[i].t + ' / ' + boxes[j].t);
  });
  const blocks = [...document.querySelectorAll('nav li, nav p a, h1, h2, dt, dd')];
  for (let i = 0; i < blocks.length; i++)
    for (let j = i + 1; j < blocks.length; j++) {
      const [a, b] = [blocks[i], blocks[j]];
      if (!a.contains(b) && !b.contains(a) && hit(a.getBoundingClientRect(), b.getBoundingClientRect()))
        bad.push('page: ' + a.textContent.slice(0, 40) + ' / ' + b.textContent.slice(0, 40));
    }
  const out = document.createElement('pre');
  out.id = 'klab-overlaps';
  out.textContent = 'OVERLAPS ' + bad.length + '\n' + bad.join('\n') + '\nEND';
  document.body.appendChild(out);
})();
</script>"#;

#[test]
fn no_text_in_the_report_overlaps_other_text_at_700_px_or_on_a_wide_screen() {
    let (dir, _) = full();
    no_text_overlaps(dir, "overlap");
    // A sweep's pages too: the ratio charts and each kernel's absolute cycles beside them.
    let sweep = scratch("overlap-sweep");
    run_report(
        &[
            "sweep",
            "--param",
            "asid=off,on",
            "--only",
            "getpid,ipc,pipe-rt",
            "--quick",
            "--quiet",
        ],
        &sweep,
    );
    let html = std::fs::read_to_string(sweep.join("report.html")).expect("report.html");
    assert!(
        html.contains("id=\"sweep-asid-cycles\""),
        "the absolute sweep chart"
    );
    no_text_overlaps(&sweep, "overlap-sweep-page");
}

/// Renders DIR/report.html in headless Chromium at 700 and 1600 px and asserts that no text
/// boxes overlap.
fn no_text_overlaps(dir: &Path, tag: &str) {
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    let scratch_dir = scratch(tag);
    let page = scratch_dir.join("page.html");
    std::fs::write(
        &page,
        html.replace("</body>", &format!("{OVERLAP_CHECK}</body>")),
    )
    .expect("write page");
    let chromium = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok())
        .expect("chromium is not installed: run `make deps`");
    for width in [700, 1600] {
        let profile = scratch(&format!("{tag}-profile-{width}"));
        let out = Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ])
            .arg(format!("--window-size={width},1000"))
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("--dump-dom")
            .arg(format!("file://{}", page.display()))
            .output()
            .expect("run chromium");
        assert!(out.status.success(), "chromium: {}", text(&out.stderr));
        let dom = text(&out.stdout);
        let found = dom
            .split("<pre id=\"klab-overlaps\">")
            .nth(1)
            .and_then(|s| s.split("</pre>").next())
            .unwrap_or_else(|| panic!("the check did not run at {width} px"));
        assert!(
            found.starts_with("OVERLAPS 0\n"),
            "text overlaps at {width} px:\n{found}"
        );
    }
}
