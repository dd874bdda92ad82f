//! Is the console pollable for input (issue 16)? A program blocks in `poll` on fd 0 (the
//! console) on both kernels while klab's stdin holds a line: the poll must end readable (`IN`)
//! once the line is complete, and the read after it must get the line.

use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn a_blocked_poll_of_the_console_wakes_when_a_line_is_typed() {
    for kernel in ["mono", "micro"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_klab"))
            .args(["run", "--max-insns", "200000000", kernel])
            .args(["usertests", "--victim", "console_poll"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run klab");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(b"hello\n").expect("type a line");
        drop(stdin);
        let out = child.wait_with_output().expect("klab output");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{kernel}: {stdout}");
        assert!(
            stdout.contains("poll 1 0x1, read \"hello\\n\""),
            "{kernel}: the poll did not report the line:\n{stdout}"
        );
    }
}
