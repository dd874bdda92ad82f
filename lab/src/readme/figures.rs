//! The figures the README quotes, by name (`getpid.micro`, `bench-table`, `trap-entry`, …):
//! computed from a full `klab bench` report, from short runs of this very klab (so an excerpt
//! shows exactly what the command prints) and from the guest ELFs and sources under the root.
//!
//! Per benchmark B of the report: `B.mono`, `B.micro` (cycles per operation), `B.mono.insns`,
//! `B.micro.insns`, `B.micro.tlb` (TLB misses per operation), `B.micro.walks` (page walks),
//! `B.ratio` (`4.13×`), `B.ratio1` (`4.1×`), `B.mono.over_floor`, `B.micro.over_floor`,
//! `B.mono.user.insns`, `B.micro.user.insns` and `B.user.insns` (user-mode instructions per
//! operation; the last the range over both kernels); the same with an `asid.` prefix for
//! `getpid` with ASIDs on.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::bench::model::{BenchResult, Report};
use crate::report::format::num;

/// The benchmarks of the README's table excerpt, in catalogue order.
const EXCERPT: [&str; 16] = [
    "call",
    "coroutine",
    "thread-switch",
    "process-switch",
    "getpid",
    "null-write",
    "open-close",
    "pipe-rt",
    "pipe-bw",
    "ipc",
    "ipc-4k",
    "ring-16-16k",
    "spawn",
    "page-fault",
    "mmap-256",
    "pipeline",
];

/// Where `make guests` leaves the guest ELFs with symbols, under the root.
const KERNELS_OUT: &str = "kernels/target/riscv64imac-unknown-none-elf/release";
const USERLAND_OUT: &str = "userland/target/riscv64imac-unknown-none-elf/release";
const TESTS_OUT: &str = "tests/guests/target/riscv64imac-unknown-none-elf/release";

/// Every figure, by name.
pub fn compute(report_dir: &Path, root: &Path) -> Result<BTreeMap<String, String>> {
    let report = crate::bench::files::read(report_dir)?;
    if report.results.iter().any(|r| !r.point.is_empty()) || report.profiles.len() != 1 {
        bail!(
            "{} is not one plain `klab bench`: give the directory of `klab bench` with one profile",
            report_dir.display()
        );
    }
    let mut v = BTreeMap::new();
    let mut put = |k: &str, s: String| {
        v.insert(k.to_string(), s);
    };
    benches(&report, "", &mut put);
    let names: std::collections::BTreeSet<&str> =
        report.results.iter().map(|r| r.bench.as_str()).collect();
    put("bench-count", names.len().to_string());
    put("bench-runs", report.results.len().to_string());
    put("bench-table", table(&report));
    let floor = |bench: &str, kernel: &str| {
        find(&report, bench, kernel)
            .and_then(|r| r.floor.as_ref())
            .map(|f| f.costs)
    };
    let (Some(mono_floor), Some(micro_floor)) = (floor("getpid", "mono"), floor("getpid", "micro"))
    else {
        bail!("the report has no floor for getpid on both kernels");
    };
    put("floor.per_trap", mono_floor.per_trap.to_string());
    put("floor.per_switch", micro_floor.per_switch.to_string());

    let scratch = Scratch::new()?;
    let asid = scratch.bench(&["--only", "getpid", "--asid", "on"], "asid")?;
    benches(&asid, "asid.", &mut put);
    if let Some(f) = find(&asid, "getpid", "micro").and_then(|r| r.floor.as_ref()) {
        put("asid.floor.per_switch", f.costs.per_switch.to_string());
    }

    let line = klab(&["run", "micro", "bench", "getpid", "10000"], None)?;
    put(
        "bench-line",
        line.lines()
            .find(|l| l.starts_with("bench getpid:"))
            .context("`klab run micro bench getpid 10000` printed no result line")?
            .to_string(),
    );
    for kernel in ["mono", "micro"] {
        let out = klab(
            &["run", "--timeline", "50", kernel, "bench", "getpid", "100"],
            None,
        )?;
        let kept: String = out
            .lines()
            .filter(|l| !l.starts_with("bench "))
            .map(|l| format!("{l}\n"))
            .collect();
        put(&format!("timeline.{kernel}"), kept.trim_end().to_string());
    }
    put("compare.trap", scratch.compare_trap()?);
    let trace = klab(
        &[
            "run",
            "--trace",
            "-",
            "--trace-to",
            "12",
            "--trace-disasm",
            "mono",
            "hello",
        ],
        None,
    )?;
    let head: Vec<&str> = trace
        .lines()
        .filter(|l| l.starts_with("core "))
        .take(4)
        .collect();
    put("trace.head", head.join("\n"));
    put("symbols.top", scratch.symbols(root)?);
    let usertests = klab(&["run", "mono", "usertests"], None)?;
    put(
        "usertests.count",
        count_before(&usertests, "usertests: ", " passed")
            .context("usertests printed no `usertests: N passed`")?,
    );
    // Code spans, so the region markers stand outside the backticks.
    let kill = usertests
        .lines()
        .find(|l| l.contains("killed: store page fault at 0x80000000"))
        .context("usertests printed no kill line for a store to the kernel")?;
    put("kill-line", format!("`{kill}`"));
    let satp = scratch.satp_of(&["micro", "hello"], "proc")?;
    put("satp.break", format!("`break … if $satp == {satp}`"));
    let ipctest = klab(&["run", "micro", "ipctest"], None)?;
    put(
        "ipctest.checks",
        count_before(&ipctest, "ipctest: ", " checks passed")
            .context("ipctest printed no `ipctest: N checks passed`")?,
    );
    let manifest = root.join("tests/guests/isa/MANIFEST");
    let manifest = std::fs::read_to_string(&manifest)
        .with_context(|| format!("cannot read {}", manifest.display()))?;
    let programs = manifest
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .count();
    put("isa.count", programs.to_string());
    elves(root, &mut put)?;
    sources(root, &mut put)?;
    Ok(v)
}

/// N from the last line of `out` that reads `PREFIX N SUFFIX…` (a number only).
fn count_before(out: &str, prefix: &str, suffix: &str) -> Option<String> {
    out.lines().rev().find_map(|l| {
        let n = l.strip_prefix(prefix)?.split_once(suffix)?.0;
        n.chars().all(|c| c.is_ascii_digit()).then(|| n.to_string())
    })
}

/// The per-benchmark figures of `report`, each name prefixed with `prefix`.
fn benches(report: &Report, prefix: &str, put: &mut dyn FnMut(&str, String)) {
    let names: std::collections::BTreeSet<&str> =
        report.results.iter().map(|r| r.bench.as_str()).collect();
    for bench in names {
        let key = |s: &str| format!("{prefix}{bench}.{s}");
        let [mono, micro] = ["mono", "micro"].map(|k| find(report, bench, k));
        for (kernel, r) in [("mono", mono), ("micro", micro)] {
            let Some(r) = r else { continue };
            let per = r.total.per_op(r.ops);
            put(&key(kernel), num(per[0]));
            put(&key(&format!("{kernel}.insns")), num(per[1]));
            put(&key(&format!("{kernel}.tlb")), format!("{:.0}", per[5]));
            let walks = r.charges.get("penalty.tlb_walk").copied().unwrap_or(0);
            put(
                &key(&format!("{kernel}.walks")),
                format!("{:.0}", walks as f64 / r.ops.max(1) as f64),
            );
            if let Some(f) = r.floor.as_ref().filter(|f| f.cycles_per_op > 0.0) {
                put(
                    &key(&format!("{kernel}.over_floor")),
                    format!("{:.1}×", per[0] / f.cycles_per_op),
                );
            }
        }
        // User-mode instructions per operation (the `user` place): each kernel's, and the range
        // over both (`52–54`, or one number when they agree).
        let user: Vec<f64> = [("mono", mono), ("micro", micro)]
            .into_iter()
            .filter_map(|(kernel, r)| {
                let r = r?;
                let part = r.parts.iter().find(|p| p.place == "user")?;
                let v = part.counters.per_op(r.ops)[1];
                put(&key(&format!("{kernel}.user.insns")), format!("{v:.0}"));
                Some(v)
            })
            .collect();
        if !user.is_empty() {
            let lo = format!("{:.0}", user.iter().copied().fold(f64::INFINITY, f64::min));
            let hi = format!("{:.0}", user.iter().copied().fold(0.0, f64::max));
            let range = if lo == hi { lo } else { format!("{lo}–{hi}") };
            put(&key("user.insns"), range);
        }
        if let (Some(a), Some(b)) = (mono, micro) {
            let r = b.cycles_per_op() / a.cycles_per_op();
            if r.is_finite() {
                put(&key("ratio"), format!("{r:.2}×"));
                put(&key("ratio1"), format!("{r:.1}×"));
            }
        }
    }
}

/// The result of `bench` on `kernel`.
fn find<'a>(report: &'a Report, bench: &str, kernel: &str) -> Option<&'a BenchResult> {
    report
        .results
        .iter()
        .find(|r| r.bench == bench && r.kernel == kernel)
}

/// The terminal table of the [`EXCERPT`]'s benchmarks, in a code block.
fn table(report: &Report) -> String {
    let mut excerpt = report.clone();
    excerpt
        .results
        .retain(|r| EXCERPT.contains(&r.bench.as_str()));
    excerpt
        .comparisons
        .retain(|c| EXCERPT.contains(&c.bench.as_str()));
    format!("```\n{}```", crate::report::table(&excerpt))
}

/// Runs this klab with `args` (in `cwd`, if given); its stdout, or an error with its stderr.
fn klab(args: &[&str], cwd: Option<&Path>) -> Result<String> {
    let exe = std::env::current_exe().context("cannot find the klab binary")?;
    let mut cmd = Command::new(exe);
    cmd.args(args);
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let out = cmd
        .output()
        .with_context(|| format!("cannot run klab {}", args.join(" ")))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        bail!(
            "`klab {}` failed ({}): {}",
            args.join(" "),
            out.status,
            err.lines().last().unwrap_or("")
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A scratch directory for the runs, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("klab-readme-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Scratch(dir))
    }

    /// `klab bench ARGS --out NAME` (in the scratch directory); its report.
    fn bench(&self, args: &[&str], name: &str) -> Result<Report> {
        let mut all = vec!["bench"];
        all.extend(args);
        all.extend(["--out", name]);
        klab(&all, Some(&self.0))?;
        crate::bench::files::read(&self.0.join(name))
    }

    /// `klab compare report-a report-b` of `getpid` with the trap penalty at 20 and 40.
    fn compare_trap(&self) -> Result<String> {
        self.bench(&["--only", "getpid"], "report-a")?;
        self.bench(
            &["--only", "getpid", "--set", "penalty.trap=40"],
            "report-b",
        )?;
        let out = klab(
            &[
                "compare", "report-a", "report-b", "--label", "A=before", "--label", "B=after",
                "--out", "compare",
            ],
            Some(&self.0),
        )?;
        Ok(out.trim_end().to_string())
    }

    /// The `satp` value (Sv39, the ASID, the root's page number) of address space `space` in a
    /// run of `args`, as `monitor satp` and gdb's `$satp` show it.
    fn satp_of(&self, args: &[&str], space: &str) -> Result<String> {
        let json = self.0.join("satp.json");
        let json = json.to_string_lossy();
        let mut all = vec!["run", "--stats-json", &json];
        all.extend(args);
        klab(&all, None)?;
        let stats: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&*json).with_context(|| format!("cannot read {json}"))?,
        )
        .context("--stats-json wrote no JSON")?;
        let named = stats["address_spaces"]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["name"] == space))
            .with_context(|| format!("no address space named {space}"))?;
        let (root, asid) = (
            named["root"].as_u64().unwrap_or(0),
            named["asid"].as_u64().unwrap_or(0),
        );
        /// `satp.MODE` = Sv39, bits 63:60.
        const SV39: u64 = 8 << 60;
        Ok(format!("{:#x}", SV39 | asid << 44 | root >> 12))
    }

    /// The three most expensive symbols of `compute 100`, as `jq -c '[.symbol, .cycles]'`
    /// prints them.
    fn symbols(&self, root: &Path) -> Result<String> {
        let elf = root.join(TESTS_OUT).join("compute");
        let json = self.0.join("out.json");
        let (elf, json) = (elf.to_string_lossy(), json.to_string_lossy());
        klab(
            &["run", "--append", "100", "--stats-json", &json, &elf],
            None,
        )?;
        let stats: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&*json).with_context(|| format!("cannot read {json}"))?,
        )
        .context("--stats-json wrote no JSON")?;
        let top: Vec<String> = stats["symbols"]
            .as_array()
            .context("--stats-json has no symbols")?
            .iter()
            .take(3)
            .map(|s| serde_json::json!([s["symbol"], s["cycles"]]).to_string())
            .collect();
        Ok(top.join("\n"))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Addresses from the guest ELFs: `trap-entry` (the kernel's trap vector), `hello.entry`,
/// `getpid.ecall` (the `ecall` of `ulib::sys::getpid` in `hello`).
fn elves(root: &Path, put: &mut dyn FnMut(&str, String)) -> Result<()> {
    let parse = |path: PathBuf| -> Result<emu::loader::ElfImage> {
        let bytes = std::fs::read(&path)
            .with_context(|| format!("cannot read {}: run `make guests`", path.display()))?;
        emu::loader::ElfImage::parse(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    };
    let mono = parse(root.join(KERNELS_OUT).join("mono"))?;
    let trap = mono
        .symbol("kcore_trap_entry")
        .context("mono has no symbol kcore_trap_entry")?;
    put("trap-entry", format!("{trap:#018x}"));
    let hello = parse(root.join(USERLAND_OUT).join("hello"))?;
    put("hello.entry", format!("{:#x}", hello.entry));
    let getpid = hello
        .symbols
        .iter()
        .find(|s| s.name.contains("ulib") && s.name.contains("sys") && s.name.contains("getpid"))
        .context("hello has no ulib::sys::getpid")?;
    // `li a7, N` (compressed, 2 bytes) and then the `ecall`.
    put("getpid.ecall", format!("{:#x}", getpid.addr + 2));
    Ok(())
}

/// Lines of the guest sources the gdb session stops at: `hello.line` (its `println!`) and
/// `proc.getpid.line` (`proc`'s answer to `getpid`), with their text.
fn sources(root: &Path, put: &mut dyn FnMut(&str, String)) -> Result<()> {
    let lines = [
        (
            "hello",
            "userland/bin/src/bin/hello.rs",
            "println!(\"hello from pid",
        ),
        (
            "proc.getpid",
            "kernels/servers/src/bin/proc/main.rs",
            "Sys::Getpid =>",
        ),
    ];
    for (name, file, needle) in lines {
        let path = root.join(file);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let (n, line) = text
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains(needle))
            .with_context(|| format!("{file} has no line with `{needle}`"))?;
        put(&format!("{name}.line"), (n + 1).to_string());
        put(&format!("{name}.text"), line.to_string());
    }
    Ok(())
}
