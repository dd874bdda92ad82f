//! spawn and wait: arguments and stdio reach the child, nothing else is inherited, errors are
//! the documented ones, and wait hands back the right child's exact status.

use alloc::format;
use alloc::string::ToString;
use alloc::vec::Vec;

use abi::types::{Str, limits, open};
use ulib::{Errno, io, raw, sys};

use crate::harness::{
    Outcome, SELF, Test, check, expect_err, expect_status, fresh_dir, no_children, ok, reap,
    remove_tree, spawn_victim,
};

fn args() -> Outcome {
    expect_status(&["args", "one", "", "three four"], 0)
}

fn stdio() -> Outcome {
    let (in_r, in_w) = ok(sys::pipe(), "pipe")?;
    let (out_r, out_w) = ok(sys::pipe(), "pipe")?;
    let pid = spawn_victim(&["copy"], Some([in_r as i32, out_w as i32, -1]))?;
    ok(sys::close(in_r), "close")?;
    ok(sys::close(out_w), "close")?;
    ok(io::write_all(in_w, b"ping\n"), "write to the child")?;
    ok(sys::close(in_w), "close")?;
    let got = ok(io::read_to_end(out_r), "read from the child")?;
    ensure!(
        got == b"ping\n",
        "the child echoed {} bytes, not `ping\\n`",
        got.len()
    );
    let status = reap(pid)?;
    ensure!(status == 0, "copy victim: status {status}");
    ok(sys::close(out_r), "close")
}

fn no_inherit() -> Outcome {
    // Give this process fds beyond the stdio three, which the child must not get.
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let null = ok(sys::open("/dev/null", open::RDONLY), "open /dev/null")?;
    expect_status(&["fds"], 0)?;
    for f in [r, w, null] {
        ok(sys::close(f), "close")?;
    }
    Ok(())
}

/// Requires `r` (a spawn) to have failed with `want`; a child it made is reaped and reported.
fn refused(r: Result<usize, Errno>, want: Errno, what: &str) -> Outcome {
    if let Ok(pid) = r {
        let status = reap(pid)?;
        return Err(format!(
            "{what}: started a child (status {status}), want {}",
            want.name()
        ));
    }
    expect_err(r, want, what)
}

fn errors() -> Outcome {
    refused(
        sys::spawn("/bin/no-such-program", &["x"], None),
        Errno::NoEnt,
        "spawn a missing file",
    )?;
    let dir = fresh_dir("ut.spawn")?;
    let script = format!("{dir}/script");
    let f = ok(
        sys::open(&script, open::WRONLY | open::CREAT),
        "create a text file",
    )?;
    ok(
        io::write_all(f, b"#!/bin/sh\necho not an ELF file\n"),
        "write",
    )?;
    ok(sys::close(f), "close")?;
    refused(
        sys::spawn(&script, &["script"], None),
        Errno::NoExec,
        "spawn a text file",
    )?;
    remove_tree(&dir)?;

    // Should the kernel accept these, the child is a quiet `exit 0` victim.
    let argv = ["usertests", "--victim", "exit", "0"];
    let many: Vec<Str> = (0..=limits::ARGS)
        .map(|i| argv.get(i).copied().unwrap_or("x"))
        .map(|a| Str {
            ptr: a.as_ptr() as u64,
            len: a.len() as u64,
        })
        .collect();
    // Safety: every pointer is good; only the count is too large.
    let ret = unsafe {
        raw::spawn(
            SELF.as_ptr() as usize,
            SELF.len(),
            many.as_ptr() as usize,
            many.len(),
            0,
        )
    };
    refused(check(ret), Errno::TooBig, "spawn with ARGS + 1 arguments")?;
    let long = "0".repeat(limits::ARG_BYTES);
    refused(
        sys::spawn(SELF, &["usertests", "--victim", "exit", &long], None),
        Errno::TooBig,
        "spawn with more than ARG_BYTES of arguments",
    )?;

    let unused = limits::FDS - 1;
    ensure!(
        sys::fstat(unused) == Err(Errno::BadF),
        "test bug: fd {unused} is open"
    );
    refused(
        sys::spawn(SELF, &argv, Some([-1, unused as i32, -1])),
        Errno::BadF,
        "spawn with a closed stdio fd",
    )?;
    refused(
        sys::spawn(SELF, &argv, Some([1000, -1, -1])),
        Errno::BadF,
        "spawn with stdio fd 1000",
    )?;
    no_children()
}

fn wait_nochild() -> Outcome {
    expect_err(sys::wait(None), Errno::Child, "wait(-1) without children")?;
    expect_err(
        sys::wait(Some(999_999)),
        Errno::Child,
        "wait for a pid that does not exist",
    )?;
    expect_err(
        sys::wait(Some(sys::getpid())),
        Errno::Child,
        "wait for oneself",
    )
}

fn wait_specific() -> Outcome {
    let a = spawn_victim(&["exit", "42"], None)?;
    sys::sleep(1_000_000); // Time for `a` to exit and wait as a zombie.
    let b = spawn_victim(&["pid"], None)?;
    let sb = reap(b)?;
    ensure!(sb as usize == b, "wait(b): status {sb}, want b's pid");
    let sa = reap(a)?;
    ensure!(sa == 42, "wait(a): status {sa}, want 42");
    no_children()
}

fn wait_any() -> Outcome {
    let mut kids = Vec::new();
    for status in 1..=3 {
        kids.push((spawn_victim(&["exit", &status.to_string()], None)?, status));
    }
    for _ in 0..kids.len() {
        let (pid, status) = ok(sys::wait(None), "wait(-1)")?;
        let Some(at) = kids.iter().position(|&(p, _)| p == pid) else {
            return Err(format!(
                "wait(-1) returned a pid that is not a child (status {status})"
            ));
        };
        let (_, want) = kids.swap_remove(at);
        ensure!(status == want, "wait(-1): status {status}, want {want}");
    }
    no_children()
}

fn exit_status() -> Outcome {
    for status in [0, 1, 42, 255, 256, 1000, -1] {
        expect_status(&["exit", &status.to_string()], status)?;
    }
    no_children()
}

/// The tests.
pub const TESTS: &[Test] = &[
    Test {
        name: "spawn_args",
        question: "Does the child get exactly the arguments given, empty and spaced ones included?",
        run: args,
    },
    Test {
        name: "spawn_stdio",
        question: "Do spawn's stdio fds become the child's fds 0 and 1, EOF and all?",
        run: stdio,
    },
    Test {
        name: "spawn_no_inherit",
        question: "Does a child inherit fds 0..3 and no other fd of its parent?",
        run: no_inherit,
    },
    Test {
        name: "spawn_errors",
        question: "Is spawn refused with ENOENT, ENOEXEC, E2BIG (count, bytes) and EBADF (stdio)?",
        run: errors,
    },
    Test {
        name: "wait_nochild",
        question: "Is wait with no such child ECHILD (any child, a stranger, oneself)?",
        run: wait_nochild,
    },
    Test {
        name: "wait_specific",
        question: "Does wait(pid) return that child, even when another exited first?",
        run: wait_specific,
    },
    Test {
        name: "wait_any",
        question: "Does wait(-1) return each child once with its own status?",
        run: wait_any,
    },
    Test {
        name: "exit_status",
        question: "Does exit's status reach wait whole (0, 1, 42, 255, 256, 1000, -1)?",
        run: exit_status,
    },
];
