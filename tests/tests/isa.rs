//! Does klab pass every ISA and privilege test guest, and does QEMU 7.2 — the oracle these
//! guests were checked against — agree about each one?
//!
//! The table below lists every program of `tests/guests/isa` once. `both` tests must pass on
//! klab and on QEMU. `klab_only` tests check points where QEMU 7.2 departs from the privileged
//! spec (klab follows the spec there): they must pass on klab and *fail* on QEMU, which shows the
//! deviation is real and still there. A last test checks that the table, the guests' MANIFEST
//! and the built binaries name the same programs, so none can be forgotten.

use klab_tests::{RunOpts, guest, profile, repo_root, run_klab, run_qemu};

/// What each test program expects on the console input.
fn stdin_for(name: &str) -> Vec<u8> {
    match name {
        "uart_rx" => b"klab".to_vec(),
        _ => Vec::new(),
    }
}

fn opts(name: &str) -> RunOpts {
    RunOpts {
        stdin: stdin_for(name),
        max_insns: Some(50_000_000),
        ..RunOpts::default()
    }
}

/// Runs `name` on klab, with the default profile's timing model and in functional mode, and
/// asserts that it passed in both.
fn on_klab(name: &str) {
    for timing in [true, false] {
        let o = RunOpts {
            profile: Some(profile("default", timing)),
            ..opts(name)
        };
        let out = run_klab(&guest(name), &o);
        assert!(
            out.status == Some(0) && !out.output.contains("FAIL"),
            "{name} on klab (timing {timing}): {:?}, console:\n{}",
            out.exit,
            out.output
        );
    }
}

/// Runs `name` on QEMU and asserts that it passed (`expect_pass`) or failed.
fn on_qemu(name: &str, expect_pass: bool) {
    let out = run_qemu(&guest(name), &opts(name));
    let passed = out.status == Some(0) && !out.output.contains("FAIL");
    if expect_pass {
        assert!(
            passed,
            "{name} on QEMU: status {:?}, console:\n{}",
            out.status, out.output
        );
    } else {
        assert!(
            !passed,
            "{name} is klab-only, but QEMU now passes it: move it to `both`"
        );
    }
}

macro_rules! isa_tests {
    ($($name:ident: $kind:ident,)*) => {
        mod klab {
            $(#[test] fn $name() { super::on_klab(stringify!($name)); })*
        }
        mod qemu {
            $(#[test] fn $name() { super::on_qemu(stringify!($name), isa_tests!(@pass $kind)); })*
        }
        /// The table, for the completeness check.
        const TABLE: &[(&str, &str)] = &[$((stringify!($name), isa_tests!(@manifest $kind))),*];
    };
    (@pass both) => { true };
    (@pass klab_only) => { false };
    (@manifest both) => { "both" };
    (@manifest klab_only) => { "klab-only" };
}

isa_tests! {
    rv64i_alu: both,
    rv64i_shift: both,
    rv64i_branch: both,
    rv64i_mem: both,
    rv64i_fence: both,
    rv64m: both,
    rv64a_amo: both,
    rv64a_lrsc: both,
    rvc: both,
    rvc_illegal: both,
    illegal: both,
    csr: both,
    csr_priv: both,
    counters: both,
    trap: both,
    xret: both,
    tvm_tw: both,
    deleg: both,
    access_fault: both,
    irq_clint: both,
    irq_smode: both,
    irq_plic: both,
    irq_priority: both,
    uart_rx: both,
    sv39_map: both,
    sv39_perm: both,
    sv39_ad: both,
    mprv: both,
    misaligned: both,
    pmp: both,
    pmp_lock: both,
    pmp_none: both,
    klab_amo_spec: klab_only,
    klab_priv_spec: klab_only,
    klab_irq_priority: klab_only,
    klab_pmp_none: klab_only,
    klab_hpm: klab_only,
    smc_shared_page: both,
}

#[test]
fn the_table_the_manifest_and_the_sources_name_the_same_programs() {
    let dir = repo_root().join("tests/guests/isa");
    let manifest = std::fs::read_to_string(dir.join("MANIFEST")).expect("MANIFEST");
    let mut listed: Vec<(String, String)> = manifest
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut f = l.split('\t');
            (
                f.next().unwrap_or("").to_string(),
                f.next().unwrap_or("").to_string(),
            )
        })
        .collect();
    let mut table: Vec<(String, String)> = TABLE
        .iter()
        .map(|(n, k)| (n.to_string(), k.to_string()))
        .collect();
    let mut sources: Vec<String> = std::fs::read_dir(dir.join("src/bin"))
        .expect("src/bin")
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".rs")
                .map(str::to_string)
        })
        .collect();
    listed.sort();
    table.sort();
    sources.sort();
    assert_eq!(
        table, listed,
        "tests/tests/isa.rs and tests/guests/isa/MANIFEST disagree"
    );
    let names: Vec<String> = table.into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names, sources,
        "a program in tests/guests/isa/src/bin is not in the table"
    );
}
