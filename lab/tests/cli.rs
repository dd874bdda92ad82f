//! Does `klab run` keep its contract with the shell? The guest's exit status becomes klab's; a
//! runaway guest is stopped by `--max-insns` (status 124), a guest waiting for an interrupt that
//! can never come is reported (125); `--stats` reports instructions, time and MIPS; every bad
//! input — a missing file, a text file, a 32-bit ELF, a RAM too small — is one line on stderr and
//! status 1, and a malformed argument is clap's usage error (status 2); never a panic.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use emu::loader::minimal_elf;
use emu::memmap::RAM_BASE;
use klab_tests::guest;

/// The `klab` binary, built fresh by Cargo for these tests.
fn klab_bin() -> &'static str {
    env!("CARGO_BIN_EXE_klab")
}

/// `lui t0, 0x100` (t0 = the test finisher).
const LUI_T0_FINISHER: u32 = 0x0010_02b7;
/// `sw t1, 0(t0)`.
const SW_T1_T0: u32 = 0x0062_a023;
/// `wfi`.
const WFI: u32 = 0x1050_0073;
/// `j .`
const SPIN: u32 = 0x0000_006f;

fn code(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// A guest that writes `value` to the test finisher.
fn finisher_guest(value: u32) -> Vec<u8> {
    let hi = (value.wrapping_add(0x800) >> 12) << 12;
    let lo = value.wrapping_sub(hi) & 0xfff;
    let lui_t1 = hi | (6 << 7) | 0x37;
    let addi_t1 = (lo << 20) | (6 << 15) | (6 << 7) | 0x13;
    code(&[LUI_T0_FINISHER, lui_t1, addi_t1, SW_T1_T0, SPIN])
}

/// Writes `bytes` to a fresh file named `name` and returns its path.
fn file(name: &str, bytes: &[u8]) -> PathBuf {
    let p = common::shared("cli", "files").join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn klab(args: &[&str], elf: &Path) -> Output {
    Command::new(klab_bin())
        .arg("run")
        .args(args)
        .arg(elf)
        .output()
        .expect("run klab")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts a one-line error mentioning `what`, status 1, and no panic.
fn assert_clean_error(o: &Output, what: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(what), "expected {what:?} in: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn the_guests_exit_status_becomes_klabs() {
    let pass = file(
        "pass.elf",
        &minimal_elf(RAM_BASE, &finisher_guest(0x5555), 0),
    );
    assert_eq!(klab(&[], &pass).status.code(), Some(0));
    let fail7 = file(
        "fail7.elf",
        &minimal_elf(RAM_BASE, &finisher_guest((7 << 16) | 0x3333), 0),
    );
    assert_eq!(klab(&[], &fail7).status.code(), Some(7));
    // A status that does not fit the shell's 8 bits must not read as success.
    let big = file(
        "fail300.elf",
        &minimal_elf(RAM_BASE, &finisher_guest((300 << 16) | 0x3333), 0),
    );
    let o = klab(&[], &big);
    assert_eq!(o.status.code(), Some(255));
    assert!(stderr(&o).contains("status 300"), "{}", stderr(&o));
}

/// `klab run --perf-map` writes perf's map of the translator's code, `/tmp/perf-PID.map`: a
/// line per translation, its host address and size in hex and a name with the block's guest
/// pc. Here a loop of 2000 runs (translated after 10 entries) gets one, named by its start.
#[test]
fn perf_map_names_each_translation_by_its_guest_pc() {
    let words = [
        0x7d00_0393, // addi t2, zero, 2000
        0xfff3_8393, // loop: addi t2, t2, -1
        0x001e_0e13, // addi t3, t3, 1
        0xfe03_9ce3, // bnez t2, loop
    ];
    let finish = finisher_guest(0x5555);
    let guest = [code(&words), finish].concat();
    let elf = file("perf-map-loop.elf", &minimal_elf(RAM_BASE, &guest, 0));
    let child = Command::new(klab_bin())
        .args(["run", "--perf-map"])
        .arg(&elf)
        .env("KLAB_JIT_THRESHOLD", "10")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run klab");
    let map = PathBuf::from(format!("/tmp/perf-{}.map", child.id()));
    let out = child.wait_with_output().expect("klab ends");
    let text = std::fs::read_to_string(&map).unwrap_or_default();
    let _ = std::fs::remove_file(&map);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let line = text
        .lines()
        .find(|l| l.contains(&format!(" klab {:#x} ", RAM_BASE + 4)))
        .unwrap_or_else(|| panic!("no line for the loop in {map:?}: {text:?}"));
    let fields: Vec<&str> = line.split(' ').collect();
    let start = u64::from_str_radix(fields[0], 16).expect("a hex address");
    let size = u64::from_str_radix(fields[1], 16).expect("a hex size");
    assert!(start > 0 && size > 0, "{line}");
}

#[test]
fn max_insns_stops_a_runaway_guest_with_a_message() {
    let spin = file("spin.elf", &minimal_elf(RAM_BASE, &code(&[SPIN]), 0));
    let o = klab(&["--max-insns", "1000"], &spin);
    assert_eq!(o.status.code(), Some(124), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("stopped after 1000 instructions (--max-insns)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_stopped_kernel_is_reported_in_its_nearest_function_demangled_not_in_a_local_label() {
    // 37 instructions into mono's boot the pc is in `_start`'s body past an assembler label
    // (`.Lpcrel_hi…`); 100 000 in, it is inside some Rust function, whose symbol is mangled.
    for (n, want) in [("37", " in _start"), ("100000", " in ")] {
        let o = Command::new(klab_bin())
            .args(["run", "--max-insns", n, "mono", "hello"])
            .output()
            .expect("run klab");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(124), "{err}");
        assert!(err.contains(want), "expected {want:?} in: {err}");
        assert!(!err.contains(" in .L") && !err.contains(" in _R"), "{err}");
    }
}

#[test]
fn a_guest_waiting_for_an_impossible_interrupt_is_reported() {
    let wfi = file("wfi.elf", &minimal_elf(RAM_BASE, &code(&[WFI, SPIN]), 0));
    let o = klab(&[], &wfi);
    assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing can deliver"), "{}", stderr(&o));
}

#[test]
fn stats_report_instructions_host_time_and_mips() {
    let o = klab(&["--stats"], &guest("hello"));
    assert_eq!(o.status.code(), Some(0));
    let err = stderr(&o);
    let line = err
        .lines()
        .find(|l| l.contains("instructions retired"))
        .unwrap_or_else(|| panic!("{err}"));
    let retired: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert!(retired > 1000, "{line}");
    assert!(
        line.contains(" s host time") && line.ends_with("MIPS"),
        "{line}"
    );
}

#[test]
fn bad_inputs_are_one_line_errors() {
    assert_clean_error(
        &klab(&[], Path::new("/nonexistent/kernel.elf")),
        "cannot read",
    );
    assert_clean_error(
        &klab(&[], &file("text.elf", b"not an elf at all\n")),
        "not a valid ELF",
    );
    let mut elf32 = std::fs::read(guest("hello")).unwrap();
    elf32[4] = 1; // ELFCLASS32
    assert_clean_error(&klab(&[], &file("elf32.elf", &elf32)), "32-bit");
    let mut x86 = std::fs::read(guest("hello")).unwrap();
    x86[18] = 62; // EM_X86_64
    assert_clean_error(&klab(&[], &file("x86.elf", &x86)), "not RISC-V");
    let truncated = std::fs::read(guest("hello")).unwrap();
    let cut = &truncated[..truncated.len().min(0x1100)];
    assert_clean_error(&klab(&[], &file("cut.elf", cut)), "cannot load");
    let low = file("low.elf", &minimal_elf(0x1000, &code(&[SPIN]), 0));
    assert_clean_error(&klab(&[], &low), "outside RAM");
    assert_clean_error(&klab(&["--mem", "1M"], &guest("hello")), "larger --mem");
}

#[test]
fn stats_json_has_the_documented_top_level_fields() {
    let path = std::env::temp_dir().join(format!("klab-stats-{}.json", std::process::id()));
    let o = klab(&["--stats-json", path.to_str().unwrap()], &guest("markers"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).expect("JSON");
    std::fs::remove_file(&path).ok();
    for key in ["instructions", "cycles", "profile", "by_mode", "regions"] {
        assert!(v.get(key).is_some(), "no {key}: {v}");
    }
    assert_eq!(v["profile"]["name"], "u74");
    assert_eq!(v["profile"]["hash"].as_str().map(str::len), Some(16));
    assert!(v["by_mode"]["M"]["instructions"].as_u64().unwrap() > 0);
    assert!(
        v["regions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["region"] == 7)
    );
}

#[test]
fn every_run_can_print_its_effective_profile_and_hash() {
    let o = klab(&["--print-profile"], &guest("hello"));
    let err = stderr(&o);
    assert!(err.contains("klab: profile u74 (hash "), "{err}");
    assert!(
        err.contains("[l1d]") && err.contains("[dtlb]"),
        "the TOML follows: {err}"
    );
    let tiny = stderr(&klab(
        &["--print-profile", "--profile", "tiny"],
        &guest("hello"),
    ));
    let over = stderr(&klab(
        &["--print-profile", "--l1d", "16K:4:64"],
        &guest("hello"),
    ));
    let hash = |s: &str| s.split("(hash ").nth(1).map(|h| h[..16].to_string());
    assert_ne!(hash(&err), hash(&tiny));
    assert_ne!(hash(&err), hash(&over), "an override changes the hash");
}

#[test]
fn timing_off_is_the_functional_mode_where_cycles_equal_instructions() {
    let o = klab(&["--timing", "off", "--stats"], &guest("hello"));
    let err = stderr(&o);
    let line = err
        .lines()
        .find(|l| l.contains("instructions retired"))
        .unwrap_or_else(|| panic!("{err}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let cycles = words
        .iter()
        .position(|w| *w == "cycles,")
        .map(|i| words[i - 1]);
    assert_eq!(Some(words[1]), cycles, "{line}");
}

#[test]
fn the_translator_can_be_turned_off_and_changes_no_count() {
    // `compute` (N = 300) enters its hot blocks far more often than the translation threshold.
    let run = |jit: &str| {
        let o = klab(
            &[
                "--timing", "off", "--stats", "--jit", jit, "--append", "300",
            ],
            &guest("compute"),
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{err}");
        let line = |what: &str| {
            err.lines()
                .find(|l| l.contains(what))
                .unwrap_or_else(|| panic!("no {what:?} in: {err}"))
                .to_string()
        };
        // Instructions, exceptions, interrupts and cycles; not the host time.
        let counts: Vec<String> = line("instructions retired")
            .split(", ")
            .take(4)
            .map(str::to_string)
            .collect();
        // "klab: B blocks translated to host code, which retired N instructions (P%)".
        let jit = line("blocks translated");
        let words: Vec<&str> = jit.split_whitespace().collect();
        let number = |i: usize| -> u64 {
            words
                .get(i)
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{jit}"))
        };
        let native = words.iter().position(|w| *w == "retired").map(|i| i + 1);
        let retired: u64 = counts[0]
            .split_whitespace()
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{err}"));
        let native = number(native.unwrap_or_else(|| panic!("{jit}")));
        (o.stdout, counts, (number(1), native, retired))
    };
    let (out_on, counts_on, (blocks_on, native_on, retired)) = run("on");
    let (out_off, counts_off, (blocks_off, native_off, _)) = run("off");
    assert!(blocks_on > 0, "the translator translated nothing");
    assert_eq!(blocks_off, 0);
    // Its hot blocks ran natively (about half the run here); the emulator's tests check the
    // count itself (`jit_loops`).
    assert!(
        native_on > 0 && native_on <= retired,
        "{native_on} of {retired} instructions ran natively"
    );
    assert_eq!(native_off, 0);
    assert_eq!(out_on, out_off, "the guest's output");
    assert_eq!(counts_on, counts_off);
    assert_usage_error(&klab(&["--jit", "maybe"], &guest("hello")), "--jit");
}

#[test]
fn the_timing_translator_changes_no_statistic_under_paging() {
    // micro `hello` runs user programs, servers and the kernel under Sv39 (DTLB slots, misses,
    // walks, traps); translating every block at its first entry puts all of it through the
    // translator. Every statistic `--stats-json` writes must be what the interpreter gives.
    let dir = common::Scratch::new("tjit", "stats");
    for profile in ["u74", "simple"] {
        let run = |jit: &str| {
            let json = dir.join(format!("{profile}-{jit}.json"));
            let o = Command::new(klab_bin())
                .env("KLAB_JIT_THRESHOLD", "1")
                .args([
                    "run",
                    "--profile",
                    profile,
                    "--stats",
                    "--jit",
                    jit,
                    "--stats-json",
                ])
                .arg(&json)
                .args(["micro", "hello"])
                .output()
                .expect("run klab");
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(0), "{err}");
            let blocks: u64 = err
                .lines()
                .find(|l| l.contains("blocks translated"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{err}"));
            let stats = std::fs::read_to_string(&json).expect("stats json");
            (o.stdout, stats, blocks)
        };
        let (out_on, stats_on, blocks_on) = run("on");
        let (out_off, stats_off, blocks_off) = run("off");
        assert!(blocks_on > 100, "{profile}: {blocks_on} blocks translated");
        assert_eq!(blocks_off, 0);
        assert_eq!(out_on, out_off, "{profile}: the guest's output");
        assert!(stats_on == stats_off, "{profile}: the statistics differ");
    }
}

/// A malformed command line: exit status 2 and one line naming what was wrong.
fn assert_usage_error(o: &Output, what: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(what), "expected {what:?} in: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_malformed_profile_or_override_is_a_usage_error_naming_the_field() {
    assert_usage_error(&klab(&["--profile", "nope"], &guest("hello")), "simple");
    assert_usage_error(&klab(&["--l1d", "32K:3:64"], &guest("hello")), "l1d.ways");
    assert_usage_error(&klab(&["--dtlb", "32"], &guest("hello")), "32");
    assert_usage_error(
        &klab(&["--set", "penalty.nope=3"], &guest("hello")),
        "penalty.nope",
    );
    assert_usage_error(
        &klab(&["--set", "tlb.entris=64"], &guest("hello")),
        "close to it: tlb.entries",
    );
    assert_usage_error(
        &klab(&["--set", "tlb.entries"], &guest("hello")),
        "KEY=VALUE",
    );
    assert_usage_error(
        &klab(&["--check-tlb", "--timing", "off"], &guest("hello")),
        "--check-tlb",
    );
    // A malformed profile file gets one line naming the file, the table, the key and the line.
    let bad = file("bad.toml", b"name = \"x\"\n[core]\nclock_hz = \"fast\"\n");
    let o = klab(&["--profile", bad.to_str().unwrap()], &guest("hello"));
    assert_usage_error(&o, "bad.toml: in [core]: `clock_hz`: invalid type");
    assert!(
        stderr(&o).trim_end().ends_with("(line 3)"),
        "{}",
        stderr(&o)
    );
    assert_usage_error(&klab(&["--asid", "maybe"], &guest("hello")), "maybe");
    assert_usage_error(&klab(&["--mem", "12Q"], &guest("hello")), "not a size");
}

#[test]
fn a_bare_cache_size_below_1k_is_refused_and_spikes_geometry_has_its_own_flags() {
    // Spike's `--dc 512:8:64` is 512 sets: typed as klab's SIZE it would be a 512-byte cache.
    assert_usage_error(&klab(&["--l1d", "512:8:64"], &guest("hello")), "256K:8:64");
    let profile = |args: &[&str]| {
        let mut all = vec!["--print-profile", "--max-insns", "1"];
        all.extend_from_slice(args);
        let o = klab(&all, &guest("hello"));
        let text = stderr(&o);
        let l1d = text.split("[l1d]").nth(1).unwrap_or_default().to_string();
        let l1i = text.split("[l1i]").nth(1).unwrap_or_default().to_string();
        (o.status.code(), l1i, l1d)
    };
    // (`--max-insns 1` stops the guest at once: status 124, not a usage error.)
    let (status, _, l1d) = profile(&["--dc", "512:8:64"]);
    assert_eq!(status, Some(124));
    assert!(l1d.trim_start().starts_with("size = \"256K\""), "{l1d}");
    let (_, l1i, _) = profile(&["--ic", "64:4:64"]);
    assert!(l1i.trim_start().starts_with("size = \"16K\""), "{l1i}");
    // A unit makes a small size deliberate; 1024 and more are bytes.
    assert_eq!(profile(&["--l1d", "1024:2:64"]).0, Some(124));
    assert_usage_error(&klab(&["--dc", "64:8"], &guest("hello")), "SETS:WAYS:BLOCK");
    assert_usage_error(
        &klab(&["--dc", "64:8:64", "--l1d", "32K:8:64"], &guest("hello")),
        "--l1d",
    );
}

#[test]
fn mistyped_names_get_a_suggestion_and_status_2() {
    let o = Command::new(klab_bin())
        .args(["run", "mnoo"])
        .output()
        .unwrap();
    assert_usage_error(&o, "did you mean `mono`?");
    let o = Command::new(klab_bin())
        .args(["bench", "--only", "getpd", "--out", "/nonexistent/none"])
        .output()
        .unwrap();
    assert_usage_error(&o, "did you mean `getpid`?");
    let o = Command::new(klab_bin())
        .args([
            "bench",
            "--kernels",
            "micor",
            "--only",
            "getpid",
            "--out",
            "/nonexistent/none",
        ])
        .output()
        .unwrap();
    assert_usage_error(&o, "did you mean `micro`?");
}

#[test]
fn bench_list_prints_the_catalogue_and_help_lists_the_profile_keys() {
    let o = Command::new(klab_bin())
        .args(["bench", "--list"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    for (name, family) in [("getpid", "syscall"), ("ring-2-16k", "switch"), ("ipc", "")] {
        assert!(
            out.lines()
                .any(|l| l.starts_with(&format!("{name} ")) && l.contains(family)),
            "{name} missing from:\n{out}"
        );
    }
    let o = Command::new(klab_bin())
        .args(["run", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(
        help.contains("penalty: ") && help.contains("tlb_walk") && help.contains("l1d: "),
        "{help}"
    );
}

/// Runs `compute` with sampling every `period` cycles and returns the JSON report.
fn sampled_compute(period: &str, tag: &str) -> serde_json::Value {
    let path = std::env::temp_dir().join(format!("klab-sym-{tag}-{}.json", std::process::id()));
    let o = klab(
        &[
            "--append",
            "50",
            "--sample-period",
            period,
            "--stats-json",
            path.to_str().unwrap(),
        ],
        &guest("compute"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).expect("JSON");
    std::fs::remove_file(&path).ok();
    v
}

#[test]
fn sampled_cycles_per_symbol_name_the_hot_function_and_add_up() {
    let v = sampled_compute("1000", "a");
    let symbols = v["symbols"].as_array().expect("symbols");
    let cycles = v["cycles"].as_u64().unwrap();
    let total: u64 = symbols.iter().map(|s| s["cycles"].as_u64().unwrap()).sum();
    // One sample per 1000 cycles: the samples account for every whole period.
    assert_eq!(total, cycles / 1000 * 1000, "{symbols:?}");
    // compute's kernels are inlined into `main`, which must dominate; names are demangled.
    assert_eq!(symbols[0]["symbol"], "main", "{symbols:?}");
    assert!(
        symbols[0]["cycles"].as_u64().unwrap() * 10 > total * 8,
        "{symbols:?}"
    );
    assert!(
        symbols
            .iter()
            .all(|s| !s["symbol"].as_str().unwrap().starts_with("_ZN"))
    );
    assert!(
        symbols
            .windows(2)
            .all(|w| w[0]["cycles"].as_u64() >= w[1]["cycles"].as_u64()),
        "not sorted by cycles: {symbols:?}"
    );
    // Sampling reads no host clock: a second run attributes exactly the same cycles.
    assert_eq!(sampled_compute("1000", "b")["symbols"], v["symbols"]);
}

#[test]
fn a_symbols_file_that_is_not_an_elf_is_an_error_naming_it() {
    let text = file("notes.txt", b"not an ELF\n");
    let path = std::env::temp_dir().join(format!("klab-sym-bad-{}.json", std::process::id()));
    let o = klab(
        &[
            "--stats-json",
            path.to_str().unwrap(),
            "--symbols",
            text.to_str().unwrap(),
        ],
        &guest("hello"),
    );
    assert_clean_error(&o, "notes");
}
