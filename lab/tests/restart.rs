//! Are micro's server restarts real, and is crashing a server no program's power? Through the
//! real `klab` binary and the `crashtest` program (userland/bin/src/bin/crashtest.rs):
//! - a program's every crash request (the withdrawn `inject` call, an IPC with `label::CRASH`,
//!   a notification of every bit) is refused and no server fails;
//! - a crash klab injects (`--inject SERVER@N`) into each server leaves the other processes
//!   running and keeps the server's state: proc's process table (a child's wait fails with
//!   `EIO`, is made again and gets its grandchild's status; the first program is not run
//!   again), fs's files, fds and pipes (a parked pipe read fails with `EIO` and is made again),
//!   mem's records (pages fault in after the crash), the console's output;
//! - a server that fails in a burst is declared dead and the machine runs on (without `proc`,
//!   which alone ends processes, it powers off with a message); spread-out failures are
//!   restarted however many there are;
//! - `--inject` is refused on mono and malformed values get one line.

use std::process::{Command, Output};

/// Instruction limit for every run: a hung kernel fails instead of hanging.
const MAX_INSNS: &str = "1000000000";

/// Where the crashes go: after `crashtest`'s set-up (which checks it was ready in time).
const FIRST: u64 = 10_000_000;

/// `klab run ARGS…`.
fn klab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_klab"))
        .args(["run", "--max-insns", MAX_INSNS])
        .args(args)
        .output()
        .expect("run klab")
}

/// stdout and stderr, for messages.
fn both(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The index of the first line of `text` containing `needle`.
fn line(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no {needle:?} in:\n{text}"))
}

/// `--inject SERVER@N` for each of `at`.
fn injections(server: &str, at: &[u64]) -> Vec<String> {
    at.iter()
        .flat_map(|n| ["--inject".to_string(), format!("{server}@{n}")])
        .collect()
}

#[test]
fn no_program_can_crash_a_server() {
    let out = klab(&["micro", "crashtest", "forge"]);
    let text = both(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("crashtest: every crash request refused"),
        "{text}"
    );
    assert!(!text.contains("failed"), "a server failed:\n{text}");
    let out = klab(&["mono", "crashtest", "forge"]);
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(both(&out).contains("crashtest: no IPC on this kernel"));
}

#[test]
fn an_injected_crash_of_each_server_keeps_its_state_and_every_other_process_runs() {
    for server in ["proc", "fs", "mem", "console"] {
        let mut args = injections(server, &[FIRST]);
        args.extend(["micro", "crashtest", &FIRST.to_string()].map(String::from));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = klab(&args);
        let text = both(&out);
        assert_eq!(out.status.code(), Some(0), "{server}:\n{text}");
        let ready = line(&text, "crashtest: ready before the crash");
        let failed = line(
            &text,
            &format!("micro: server {server} failed: illegal instruction"),
        );
        let after = line(&text, "crashtest: after the crash");
        assert!(ready < failed && failed < after, "{server}:\n{text}");
        assert!(text.contains("restarting it"), "{server}:\n{text}");
        assert_eq!(text.matches("failed:").count(), 1, "{server}:\n{text}");
        for check in [
            "crashtest: the file reads back",
            "crashtest: the memory is kept and more allocations work",
            "crashtest: the child ended with 47",
            "crashtest: ok",
        ] {
            assert!(text.contains(check), "{server}: no {check:?}:\n{text}");
        }
        assert!(!text.contains("cannot run"), "{server}:\n{text}");
        // The calls parked in the crashed server failed with EIO and were made again.
        match server {
            "proc" => assert!(text.contains("child: wait -> EIO, waiting again"), "{text}"),
            "fs" => assert!(
                text.contains("grandchild: read -> EIO, reading again"),
                "{text}"
            ),
            _ => assert!(!text.contains("EIO"), "{server}:\n{text}"),
        }
    }
}

#[test]
fn a_server_failing_in_a_burst_is_declared_dead_and_the_machine_runs_on() {
    // Four console crashes within the supervisor's window: it is declared dead; writing to the
    // console then fails with EIO while files still work, and the program's own status is
    // klab's (crashtest cannot print any more: its status says whether it saw all that).
    let at = [
        FIRST,
        FIRST + 6_000_000,
        FIRST + 12_000_000,
        FIRST + 18_000_000,
    ];
    let mut args = injections("console", &at);
    args.extend(
        [
            "micro",
            "crashtest",
            "dead",
            &at[0].to_string(),
            &at[3].to_string(),
        ]
        .map(String::from),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = klab(&args);
    let text = both(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(text.matches("server console failed").count(), 4, "{text}");
    assert_eq!(text.matches("restarting it").count(), 3, "{text}");
    assert_eq!(
        text.matches("declared dead, its calls fail with EIO")
            .count(),
        1,
        "{text}"
    );
    // Without proc no process can end: the kernel says so and powers off.
    let mut args = injections("proc", &at);
    args.extend(["micro", "crashtest", &at[0].to_string(), &at[3].to_string()].map(String::from));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = klab(&args);
    let text = both(&out);
    assert_eq!(out.status.code(), Some(255), "{text}");
    assert!(text.contains("server proc failed"), "{text}");
    assert!(
        text.contains("without the process server no process can end; powering off"),
        "{text}"
    );
}

#[test]
fn spread_out_failures_are_restarted_however_many_there_are() {
    // Six fs crashes, 20 M instructions apart: never four within the 50 M window.
    let at: Vec<u64> = (0..6).map(|i| FIRST + i * 20_000_000).collect();
    let mut args = injections("fs", &at);
    args.extend(
        [
            "--timing",
            "off",
            "micro",
            "crashtest",
            &at[0].to_string(),
            &at[5].to_string(),
        ]
        .map(String::from),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = klab(&args);
    let text = both(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(text.matches("server fs failed").count(), 6, "{text}");
    assert_eq!(text.matches("restarting it").count(), 6, "{text}");
    assert!(!text.contains("declared dead"), "{text}");
    assert!(text.contains("crashtest: ok"), "{text}");
}

#[test]
fn inject_is_for_micro_only_and_a_bad_value_gets_one_line() {
    // klab's own refusal is status 1; a malformed value is an argument error (clap's 2).
    for (args, status, want) in [
        (
            &["--inject", "fs@5", "mono", "true"][..],
            1,
            "--inject needs the micro kernel",
        ),
        (
            &["--inject", "disk@5", "micro", "true"][..],
            2,
            "no server `disk`",
        ),
        (&["--inject", "fs", "micro", "true"][..], 2, "SERVER@N"),
        (
            &["--inject", "fs@soon", "micro", "true"][..],
            2,
            "instruction count",
        ),
    ] {
        let out = klab(args);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(status), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    // Only leading words are the kernel's: a program's own `inject=` argument is its own.
    let out = klab(&["micro", "echo", "inject=fs@1"]);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("inject=fs@1"));
}
