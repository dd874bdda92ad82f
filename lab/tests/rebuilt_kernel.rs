//! The researcher's loop with a really rebuilt kernel (issue 17): a copy of the kernels'
//! sources in a scratch directory, mono's `getpid` given a loop of 100 `nop`s, built with cargo
//! (about half a minute from cold: only the guest workspace's own crates and its few
//! dependencies), then `klab bench --kernel mono-new=ELF --kernels mono,mono-new` and `klab
//! compare … --kernels mono,mono-new`. Does the change show where it was made — `getpid`'s
//! instructions up by the loop, all of it in the kernel place, nothing in user mode — and is
//! a benchmark that never runs the loop (`null-write`) left with the same instructions?

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The `nop`s added to mono's `getpid`.
const NOPS: u64 = 100;

/// Where the patched line goes: the start of mono's `getpid` handler.
const ANCHOR: &str = "fn getpid(k: &mut Kernel, f: &mut TrapFrame) -> NextTask {\n";

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("klab-rebuilt-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Copies the tree at `from` to `to`, leaving out `target` directories.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().expect("file type").is_dir() {
            if entry.file_name() != "target" {
                copy_tree(&src, &dst);
            }
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn metric<'a>(metrics: &'a Value, name: &str) -> &'a Value {
    metrics
        .as_array()
        .expect("metrics")
        .iter()
        .find(|m| m["metric"] == name)
        .unwrap_or_else(|| panic!("no {name} in {metrics}"))
}

/// Change in `name` per operation between the two sides of a row (or place) of compare.json.
fn delta(metrics: &Value, name: &str) -> f64 {
    metric(metrics, name)["delta"].as_f64().expect("delta")
}

#[test]
fn a_rebuilt_mono_with_a_slower_getpid_shows_the_change_in_getpid_and_in_the_kernel() {
    let root = klab_tests::repo_root();
    let dir = scratch();
    let src = dir.join("kernels");
    copy_tree(&root.join("kernels"), &src);
    std::fs::copy(
        root.join("rust-toolchain.toml"),
        dir.join("rust-toolchain.toml"),
    )
    .expect("toolchain file");
    let syscall = src.join("mono/src/syscall.rs");
    let text = std::fs::read_to_string(&syscall).expect("mono's syscall.rs");
    assert!(text.contains(ANCHOR), "mono's getpid moved: update ANCHOR");
    let patched = text.replacen(
        ANCHOR,
        &format!(
            "{ANCHOR}    for _ in 0..{NOPS} {{\n        \
             // Safety: a `nop` has no effect.\n        \
             unsafe {{ core::arch::asm!(\"nop\", options(nomem, nostack)) }};\n    }}\n"
        ),
        1,
    );
    std::fs::write(&syscall, patched).expect("patch");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    run(Command::new(cargo)
        .args(["build", "--release", "--quiet", "-p", "mono"])
        .current_dir(&src)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env("RUSTFLAGS", "-C force-frame-pointers=yes")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("RUSTC_WRAPPER"));
    let elf = dir.join("target/riscv64imac-unknown-none-elf/release/mono");
    assert!(elf.is_file(), "no {}", elf.display());

    let klab = env!("CARGO_BIN_EXE_klab");
    let report = dir.join("report");
    run(Command::new(klab)
        .args(["bench", "--quick", "--quiet", "--only", "getpid,null-write"])
        .arg("--kernel")
        .arg(format!("mono-new={}", elf.display()))
        .args(["--kernels", "mono,mono-new", "--out"])
        .arg(&report));
    let out = dir.join("compare");
    let table = run(Command::new(klab)
        .arg("compare")
        .arg(&report)
        .args(["--kernels", "mono,mono-new", "--out"])
        .arg(&out));
    assert!(table.contains("getpid"), "{table}");
    let c: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("compare.json")).expect("compare.json"),
    )
    .expect("JSON");
    let rows = c["rows"].as_array().expect("rows");
    let row = |bench: &str| {
        rows.iter()
            .find(|r| r["bench"] == bench)
            .unwrap_or_else(|| panic!("no {bench} row in {c}"))
    };
    // getpid: the loop's instructions (its nops, and a counter and branch each turn), in the
    // kernel, none in user mode; the largest change, so the first row.
    let getpid = row("getpid");
    let insns = delta(&getpid["metrics"], "instructions");
    assert!(
        (NOPS as f64..=4.0 * NOPS as f64).contains(&insns),
        "getpid's instructions per call moved by {insns}, not by the loop"
    );
    assert!(delta(&getpid["metrics"], "cycles") >= NOPS as f64 / 2.0);
    let place = |name: &str| {
        getpid["places"]
            .as_array()
            .expect("places")
            .iter()
            .find(|p| p["place"] == name)
            .unwrap_or_else(|| panic!("no place {name} in {getpid}"))
    };
    assert_eq!(delta(&place("kernel")["metrics"], "instructions"), insns);
    assert_eq!(delta(&place("user")["metrics"], "instructions"), 0.0);
    assert_eq!(rows[0]["bench"], "getpid", "the largest change comes first");
    // null-write never runs getpid: its instructions are the same.
    assert_eq!(delta(&row("null-write")["metrics"], "instructions"), 0.0);
    std::fs::remove_dir_all(&dir).ok();
}
