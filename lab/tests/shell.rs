//! Can a person drive the shell (issue 18)? Each test types a script of keys into `klab run
//! KERNEL` (the shell on the console) through klab's stdin, on both kernels, and asserts the
//! transcript: the echo of each line as the console edits it, then the command's output.
//!
//! - does Ctrl-C end a runaway `cat /dev/zero | wc` (a job that never reads the console) and
//!   bring the prompt back, with `$?` = 130 (128 + `SIGINT`)?
//! - do `;`, `&&`, `||` and `$?` follow POSIX?
//! - do double quotes expand `$NAME` and keep spaces, single quotes not?
//! - does `*` glob (sorted), and a pattern that matches nothing stay as typed?
//! - do `2>` and `2>&1` send standard error where asked?
//! - does the up arrow recall the previous line, and is an escape sequence never typed?
//! - do the left and right arrows, Home and End move the cursor, with bytes inserted and erased
//!   mid-line?
//! - do `cd` and `pwd` work, and do relative paths follow `cd`?
//! - do background jobs, `jobs` and `wait` work; do `kill`, `sleep`, `true`, `false`, `help`
//!   and `ps`?
//!
//! A script's bytes reach the guest when it looks for them (deterministically), so each
//! transcript is exact; every run has an instruction limit, so a hang fails instead of hanging.

use std::io::Write;
use std::process::{Command, Stdio};

/// The kernels under test.
const KERNELS: [&str; 2] = ["mono", "micro"];
/// Instruction limit for every run here.
const MAX_INSNS: &str = "400000000";

/// Runs the shell on `kernel` with `keys` typed, returning its console output after checking
/// that the run ended cleanly (the shell reached the end of input).
fn session(kernel: &str, keys: &[u8]) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_klab"))
        .args(["run", "--max-insns", MAX_INSNS, kernel])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run klab");
    let mut pipe = child.stdin.take().expect("stdin");
    let input = keys.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("klab output");
    writer.join().expect("stdin writer");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "the session on {kernel} did not end cleanly\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Types `keys` on both kernels and asserts that each transcript holds `want`.
fn expect(keys: &[u8], want: &str) {
    for kernel in KERNELS {
        let out = session(kernel, keys);
        assert!(
            out.contains(want),
            "on {kernel}, the transcript lacks\n{want}\n--- it was:\n{out}"
        );
    }
}

#[test]
fn ctrl_c_ends_a_runaway_pipeline_and_the_prompt_returns() {
    expect(
        b"cat /dev/zero | wc\n\x03echo $?\necho after\n",
        "$ cat /dev/zero | wc\n^C\n$ echo $?\n130\n$ echo after\nafter\n$ \n",
    );
}

#[test]
fn ctrl_c_at_the_prompt_discards_the_line_and_leaves_the_shell_alive() {
    expect(
        b"echo lost\x03echo kept\n",
        "$ echo lost^C\necho kept\nkept\n",
    );
}

#[test]
fn ctrl_c_interrupts_a_sleeping_job_and_not_a_background_one() {
    expect(
        b"sleep 3 &\nsleep 100\n\x03echo $?\njobs\nwait; echo $?\n",
        "$ sleep 100\n^C\n$ echo $?\n130\n$ jobs\n[1] Running sleep 3\n$ wait; echo $?\n0\n",
    );
}

#[test]
fn semicolons_and_or_lists_and_the_last_status() {
    expect(
        b"true && echo yes; false && echo no; false || echo or; echo $?\nfalse; echo $?\n",
        "yes\nor\n0\n$ false; echo $?\n1\n",
    );
}

#[test]
fn double_quotes_expand_variables_and_keep_spaces_single_quotes_do_not() {
    expect(b"X='a  b'; echo \"[$X]\" '[$X]' $X\n", "[a  b] [$X] a  b\n");
}

#[test]
fn star_globs_sorted_and_a_pattern_matching_nothing_stays() {
    expect(
        b"echo /bin/f* /bin/sl* '/bin/f*' /bin/zz*\n",
        "/bin/false /bin/sleep /bin/f* /bin/zz*\n",
    );
}

#[test]
fn stderr_goes_to_a_file_with_2_and_into_a_pipe_with_2_and_1() {
    expect(
        b"cat /nonexistent 2> /err; echo $?; wc < /err\ncat /nonexistent 2>&1 | wc\n",
        "1\n1 7 45\n$ cat /nonexistent 2>&1 | wc\n1 7 45\n",
    );
}

#[test]
fn the_up_arrow_recalls_the_previous_line_and_escapes_are_never_typed() {
    expect(
        b"echo one\x1b[D\n\x1b[A\n",
        // The left arrow moves the cursor (one BS echoed); Enter takes the whole line.
        "$ echo one\x08\none\n$ echo one\none\n",
    );
}

#[test]
fn background_jobs_are_listed_waited_for_and_reported_done() {
    expect(
        b"sleep 0.001 && echo bg &\nwait\necho $?\nsleep 0.001 &\nsleep 0.01\n",
        "bg\n$ echo $?\n0\n",
    );
    for kernel in KERNELS {
        let out = session(kernel, b"sleep 0.001 &\nsleep 0.01\n");
        assert!(out.contains("[1] Done sleep 0.001"), "{kernel}:\n{out}");
    }
}

#[test]
fn kill_sleep_true_false_help_and_ps_programs() {
    expect(
        b"kill 999; echo $?\nkill -l | wc\nsleep x; echo $?\ntrue; echo $?\n",
        "kill: 999: no such process\n1\n$ kill -l | wc\n7 14 53\n$ sleep x; echo $?\nusage: sleep SECONDS (e.g. 2 or 0.5)\n2\n$ true; echo $?\n0\n",
    );
    expect(
        b"sleep 5 &\nkill -INT $!; wait; echo $?\n",
        "$ kill -INT $!; wait; echo $?\n130\n",
    );
    expect(b"help\n", "builtins:   exit [N]   wait   jobs");
    expect(
        b"ps > /p; cat /p\n",
        "  PID  PPID  PGID S NAME\n    1     0     1 R /bin/init\n    2     1     1 R sh\n",
    );
}

#[test]
fn cd_and_pwd_move_the_shell_and_relative_paths_follow() {
    expect(
        b"pwd\nmkdir /d; cd /d; pwd\nmkdir e; cd e; pwd; cd ..; ls\ncd /nowhere; echo $?\ncd; pwd\n",
        "$ pwd\n/\n$ mkdir /d; cd /d; pwd\n/d\n$ mkdir e; cd e; pwd; cd ..; ls\n/d/e\ne/\n\
         $ cd /nowhere; echo $?\nsh: cd: /nowhere: no such file or directory\n1\n$ cd; pwd\n/\n",
    );
    expect(
        b"cd /bin; ls ../bin/tr*; echo x > ../f; cd /; cat f\n",
        "../bin/true\nx\n",
    );
}

#[test]
fn arrows_home_and_end_edit_inside_the_line() {
    expect(
        b"echo wrld\x1b[D\x1b[D\x1b[Do\n",
        "$ echo wrld\x08\x08\x08orld\x08\x08\x08\nworld\n",
    );
    expect(b"cho hi\x1b[He\x1b[F!\n", "\nhi!\n");
    expect(b"echo helxlo\x1b[D\x1b[D\x7f\n", "\nhello\n");
}
