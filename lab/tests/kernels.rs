//! Does `mono` run the userland, through the real `klab` binary with the embedded kernel and
//! initrd? `usertests` passes; shell sessions typed on stdin give the expected transcripts; the
//! first program's exit status is klab's; `usertests` passes with ASIDs on and on the small
//! `tiny` machine too; and the same kernel and initrd files pass `usertests` on QEMU with the same
//! console output, apart from lines that print times or counters.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use klab_tests::{RunOpts, initrd, kernel, programs, run_qemu};

/// Instruction limit for every run here: generous, but a hung kernel fails instead of hanging.
const MAX_INSNS: &str = "3000000000";

/// `klab run KERNEL ARGS…` with `stdin` piped in.
fn klab(kernel: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_klab"))
        .args(["run", "--max-insns", MAX_INSNS, kernel])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run klab");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("klab output")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The console lines of a run without the boot banner and the lines that print times or
/// counters (which differ between machines).
fn comparable(output: &str) -> Vec<String> {
    output
        .lines()
        .map(|l| l.trim_end_matches('\r').to_string())
        .filter(|l| !l.starts_with("mono: boot") && !l.contains(" ns") && !l.contains("cycles"))
        .collect()
}

fn usertests_summary(output: &str) -> (usize, usize) {
    let line = output
        .lines()
        .find(|l| l.starts_with("usertests: ") && l.contains(" passed, "))
        .unwrap_or_else(|| panic!("no usertests summary in:\n{output}"));
    let nums: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    (nums[0], nums[1])
}

#[test]
fn usertests_pass_on_mono() {
    let out = klab("mono", &["usertests"], "");
    let stdout = text(&out.stdout);
    let (passed, failed) = usertests_summary(&stdout);
    assert_eq!(
        (failed, out.status.code()),
        (0, Some(0)),
        "usertests failed:\n{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(passed >= 30, "only {passed} tests ran:\n{stdout}");
    let lines = stdout
        .lines()
        .filter(|l| l.ends_with(": ok") || l.contains(": FAILED"))
        .count();
    assert_eq!(lines, passed, "one line per test");
}

#[test]
fn usertests_pass_with_asids_and_on_the_tiny_profile() {
    for flags in [["--asid", "on"], ["--profile", "tiny"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_klab"))
            .args(["run", "--max-insns", MAX_INSNS])
            .args(flags)
            .args(["mono", "usertests"])
            .stdin(Stdio::null())
            .output()
            .expect("run klab");
        let stdout = text(&out.stdout);
        assert_eq!(usertests_summary(&stdout).1, 0, "{flags:?}:\n{stdout}");
        assert_eq!(out.status.code(), Some(0), "{flags:?}");
    }
}

#[test]
fn a_program_given_on_the_command_line_is_the_first_process_and_its_status_is_klabs() {
    let out = klab("mono", &["echo", "hi", "there"], "");
    assert_eq!(text(&out.stdout), "hi there\n");
    assert_eq!(out.status.code(), Some(0));
    let out = klab("mono", &["sh"], "exit 7\n");
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stdout));
}

#[test]
fn a_missing_first_program_is_one_line_and_status_127() {
    let out = klab("mono", &["no-such-program"], "");
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("cannot run /bin/no-such-program: no such file or directory"),
        "{stdout}"
    );
    assert_eq!(out.status.code(), Some(127));
}

/// Runs a shell session (the default first process, init → sh), which must end with `status`
/// (the last command's), and returns its transcript.
fn session_ending(input: &str, status: i32) -> String {
    let out = klab("mono", &[], input);
    assert_eq!(
        out.status.code(),
        Some(status),
        "the session did not end cleanly:\n{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// A shell session whose last command succeeds.
fn session(input: &str) -> String {
    session_ending(input, 0)
}

#[test]
fn a_pipeline_counts_what_echo_printed() {
    let t = session("echo hi | wc\n");
    assert!(t.contains("echo hi | wc\n1 1 3\n$ "), "{t}");
}

#[test]
fn redirection_writes_appends_and_reads_files() {
    let t = session_ending(
        "mkdir /tmp\necho hello > /tmp/f\necho world >> /tmp/f\ncat < /tmp/f\nwc /tmp/f\nrm /tmp/f\ncat /tmp/f\n",
        1,
    );
    assert!(t.contains("cat < /tmp/f\nhello\nworld\n$ "), "{t}");
    assert!(t.contains("wc /tmp/f\n2 2 12 /tmp/f\n$ "), "{t}");
    assert!(t.contains("cat: /tmp/f: no such file or directory"), "{t}");
}

#[test]
fn ls_lists_every_program_in_bin() {
    let t = session("ls /bin\n");
    let listed: Vec<&str> = t
        .split("ls /bin\n")
        .nth(1)
        .expect("the command is echoed")
        .lines()
        .take_while(|l| !l.starts_with("$ "))
        .collect();
    assert_eq!(listed, programs(), "{t}");
}

#[test]
fn runs_are_deterministic() {
    let a = klab("mono", &[], "echo hi | wc\nls /bin\n");
    let b = klab("mono", &[], "echo hi | wc\nls /bin\n");
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn usertests_pass_on_qemu_with_the_same_output() {
    let opts = RunOpts {
        bootargs: Some("usertests".into()),
        initrd: Some(initrd()),
        ..RunOpts::default()
    };
    let q = run_qemu(&kernel("mono"), &opts);
    let (_, failed) = usertests_summary(&q.output);
    assert_eq!(failed, 0, "usertests failed on QEMU:\n{}", q.output);
    assert_eq!(q.status, Some(0), "{}", q.output);
    let k = klab("mono", &["usertests"], "");
    assert_eq!(comparable(&q.output), comparable(&text(&k.stdout)));
}

/// The guest profile block of a workspace manifest.
fn guest_profile(manifest: &str) -> String {
    let text = std::fs::read_to_string(klab_tests::repo_root().join(manifest)).expect("manifest");
    let start = text
        .find("# --- guest profile")
        .expect("a guest profile block");
    let end = text
        .find("# --- end guest profile ---")
        .expect("the block's end");
    text[start..end].to_string()
}

#[test]
fn every_guest_crate_is_built_with_the_same_profile() {
    let kernels = guest_profile("kernels/Cargo.toml");
    assert!(kernels.contains("[profile.release]"), "{kernels}");
    assert_eq!(kernels, guest_profile("userland/Cargo.toml"));
}
