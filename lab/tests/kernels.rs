//! Do both kernels run the userland, through the real `klab` binary with the embedded kernels
//! and initrd? On `mono` and on `micro`: `usertests` passes; shell sessions typed on stdin give
//! the expected transcripts, the same on both; the first program's exit status is klab's;
//! `usertests` passes with ASIDs on and on the small `tiny` machine too; and the same kernel and
//! initrd files pass `usertests` on QEMU with the same console output, apart from lines that print
//! times or counters. `micro` alone: the IPC test program (server crashes and restarts are
//! `restart.rs`'s).

use std::io::Write;
use std::process::{Command, Output, Stdio};

use klab_tests::{RunOpts, initrd, kernel, programs, run_qemu};

/// Instruction limit for every run here: generous, but a hung kernel fails instead of hanging.
const MAX_INSNS: &str = "3000000000";

/// The kernels under test.
const KERNELS: [&str; 2] = ["mono", "micro"];

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
        .filter(|l| !l.contains(" ns") && !l.contains("cycles"))
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

/// `usertests` on `kernel`: every test passes, one line each; returns the output.
fn usertests_pass_on(kernel: &str) -> String {
    let out = klab(kernel, &["usertests"], "");
    let stdout = text(&out.stdout);
    let (passed, failed) = usertests_summary(&stdout);
    assert_eq!(
        (failed, out.status.code()),
        (0, Some(0)),
        "usertests failed on {kernel}:\n{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(passed >= 30, "only {passed} tests ran:\n{stdout}");
    let lines = stdout
        .lines()
        .filter(|l| l.ends_with(": ok") || l.contains(": FAILED"))
        .count();
    assert_eq!(lines, passed, "one line per test");
    stdout
}

#[test]
fn usertests_pass_on_mono() {
    usertests_pass_on("mono");
}

#[test]
fn usertests_pass_on_micro_with_the_same_output_as_on_mono() {
    let micro = usertests_pass_on("micro");
    let mono = usertests_pass_on("mono");
    let same = |s: &str| -> Vec<String> {
        comparable(s)
            .into_iter()
            .map(|l| {
                l.replace("micro: ", "KERNEL: ")
                    .replace("mono: ", "KERNEL: ")
            })
            .collect()
    };
    assert_eq!(same(&micro), same(&mono));
}

#[test]
fn both_kernels_boot_the_same_initrd_bytes() {
    // klab embeds one initrd and gives it to either kernel; the hash of the file the kernels
    // were tested with is the one `klab run` embeds.
    let bytes = std::fs::read(initrd()).expect("initrd");
    let out = Command::new(env!("CARGO_BIN_EXE_klab"))
        .args(["images"])
        .output()
        .expect("klab images");
    let listing = text(&out.stdout);
    let hash = emu::profile::short_hash(&bytes);
    assert!(
        listing.contains(&format!("initrd {hash}")),
        "klab images:\n{listing}\nexpected initrd {hash}"
    );
    for k in KERNELS {
        assert!(listing.contains(&format!("{k} ")), "{listing}");
    }
}

#[test]
fn usertests_pass_with_asids_and_on_the_tiny_profile() {
    for kernel in KERNELS {
        for flags in [["--asid", "on"], ["--profile", "tiny"]] {
            let out = Command::new(env!("CARGO_BIN_EXE_klab"))
                .args(["run", "--max-insns", MAX_INSNS])
                .args(flags)
                .args([kernel, "usertests"])
                .stdin(Stdio::null())
                .output()
                .expect("run klab");
            let stdout = text(&out.stdout);
            assert_eq!(
                usertests_summary(&stdout).1,
                0,
                "{kernel} {flags:?}:\n{stdout}"
            );
            assert_eq!(out.status.code(), Some(0), "{kernel} {flags:?}");
        }
    }
}

#[test]
fn a_program_given_on_the_command_line_is_the_first_process_and_its_status_is_klabs() {
    for kernel in KERNELS {
        let out = klab(kernel, &["echo", "hi", "there"], "");
        assert_eq!(text(&out.stdout), "hi there\n", "{kernel}");
        assert_eq!(out.status.code(), Some(0), "{kernel}");
        let out = klab(kernel, &["sh"], "exit 7\n");
        assert_eq!(
            out.status.code(),
            Some(7),
            "{kernel}: {}",
            text(&out.stdout)
        );
    }
}

#[test]
fn a_missing_first_program_is_one_line_and_status_127() {
    for kernel in KERNELS {
        let out = klab(kernel, &["no-such-program"], "");
        let stdout = text(&out.stdout);
        assert!(
            stdout.contains(&format!(
                "{kernel}: cannot run /bin/no-such-program: no such file or directory"
            )),
            "{stdout}"
        );
        assert_eq!(out.status.code(), Some(127), "{kernel}");
    }
}

/// Runs a shell session (the default first process, init → sh) on both kernels; each must end
/// with `status` (the last command's) and both must give the same transcript, which is returned.
fn session_ending(input: &str, status: i32) -> String {
    let transcripts: Vec<String> = KERNELS
        .iter()
        .map(|kernel| {
            let out = klab(kernel, &[], input);
            assert_eq!(
                out.status.code(),
                Some(status),
                "the session did not end cleanly on {kernel}:\n{}\n{}",
                text(&out.stdout),
                text(&out.stderr)
            );
            text(&out.stdout)
        })
        .collect();
    assert_eq!(transcripts[0], transcripts[1], "mono and micro differ");
    transcripts[0].clone()
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
    for kernel in KERNELS {
        let a = klab(kernel, &[], "echo hi | wc\nls /bin\n");
        let b = klab(kernel, &[], "echo hi | wc\nls /bin\n");
        assert_eq!(a.stdout, b.stdout, "{kernel}");
    }
}

#[test]
fn usertests_pass_on_qemu_with_the_same_output() {
    for name in KERNELS {
        let opts = RunOpts {
            bootargs: Some("usertests".into()),
            initrd: Some(initrd()),
            ..RunOpts::default()
        };
        let q = run_qemu(&kernel(name), &opts);
        let (_, failed) = usertests_summary(&q.output);
        assert_eq!(
            failed, 0,
            "usertests failed on QEMU ({name}):\n{}",
            q.output
        );
        assert_eq!(q.status, Some(0), "{name}: {}", q.output);
        let k = klab(name, &["usertests"], "");
        assert_eq!(
            comparable(&q.output),
            comparable(&text(&k.stdout)),
            "{name}"
        );
    }
}

#[test]
fn ipctest_passes_on_micro_and_says_no_ipc_on_mono() {
    let out = klab("micro", &["ipctest"], "");
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let checks: usize = stdout
        .lines()
        .find_map(|l| l.strip_prefix("ipctest: ")?.strip_suffix(" checks passed"))
        .unwrap_or_else(|| panic!("no summary:\n{stdout}"))
        .parse()
        .expect("a count");
    assert!(checks >= 100, "only {checks} checks:\n{stdout}");
    assert!(!stdout.contains("FAIL"), "{stdout}");
    let out = klab("mono", &["ipctest"], "");
    assert!(text(&out.stdout).contains("ipctest: no IPC on this kernel"));
    assert_eq!(out.status.code(), Some(2));
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
