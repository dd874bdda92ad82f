//! The console's foreground group and the process list (issue 18's calls): does `tcsetpgrp`
//! refuse a group nobody is in and report what it set; does `proclist` list the caller as it is
//! (pid, parent, group, alive, name), count without a buffer, and refuse every bad pointer with
//! `EFAULT`?

use alloc::vec;

use abi::types::{ProcInfo, proc_state};
use ulib::{Errno, raw, signal, sys};

use crate::badptr::{fault, unwritable};
use crate::harness::{Outcome, Test, check, expect_err, ok};

fn foreground() -> Outcome {
    expect_err(
        signal::tcsetpgrp(60_000),
        Errno::Perm,
        "tcsetpgrp of a group nobody is in",
    )?;
    let own = ok(signal::getpgid(0), "getpgid")?;
    ok(signal::tcsetpgrp(0), "tcsetpgrp(0)")?;
    let fg = ok(signal::tcgetpgrp(), "tcgetpgrp")?;
    ensure!(fg == own, "tcgetpgrp gave {fg}, want our group {own}");
    ok(signal::setpgid(0, 0), "setpgid(0, 0)")?;
    let mine = sys::getpid();
    ok(signal::tcsetpgrp(mine), "tcsetpgrp of our new group")?;
    let fg = ok(signal::tcgetpgrp(), "tcgetpgrp")?;
    ensure!(fg == mine, "tcgetpgrp gave {fg}, want {mine}");
    Ok(())
}

fn proclist_lists_the_caller() -> Outcome {
    // Safety: no buffer is written with a count of 0.
    let total = ok(check(unsafe { raw::proclist(0, 0) }), "proclist(null, 0)")?;
    ensure!(total >= 1, "proclist counted {total} processes, we are one");
    let mut buf = vec![0u8; 64 * ProcInfo::SIZE];
    let n = ok(sys::proclist(&mut buf), "proclist")?;
    ensure!(n == total, "proclist counted {n}, then {total}");
    let me = sys::getpid();
    let group = ok(signal::getpgid(0), "getpgid")?;
    let found = buf
        .chunks_exact(ProcInfo::SIZE)
        .take(n)
        .filter_map(ProcInfo::from_bytes)
        .find(|p| p.pid as usize == me);
    let Some(p) = found else {
        return Err(alloc::format!("pid {me} is not in the list of {n}"));
    };
    ensure!(
        p.state == proc_state::ALIVE,
        "we are listed in state {}",
        p.state
    );
    ensure!(
        p.pgid as usize == group,
        "listed in group {}, want {group}",
        p.pgid
    );
    ensure!(
        (p.ppid == 0) == (me == 1),
        "listed with parent {} (only the first process has none)",
        p.ppid
    );
    ensure!(
        p.name().ends_with(b"usertests"),
        "listed as {:?}",
        core::str::from_utf8(p.name())
    );
    Ok(())
}

fn proclist_bad_pointers() -> Outcome {
    for b in unwritable()? {
        // Safety: the kernel must refuse the pointer; nothing of ours is at a valid one.
        fault(unsafe { raw::proclist(b.addr, 1) }, "proclist", &b)?;
    }
    Ok(())
}

/// The tests of this file.
pub const TESTS: &[Test] = &[
    Test {
        name: "tcsetpgrp",
        question: "Does tcsetpgrp refuse a group nobody is in, and does tcgetpgrp report the group set?",
        run: foreground,
    },
    Test {
        name: "proclist",
        question: "Does proclist count without a buffer and list the caller with its pid, parent, group, state and name?",
        run: proclist_lists_the_caller,
    },
    Test {
        name: "proclist_badptr",
        question: "Does proclist refuse every pointer it may not write with EFAULT?",
        run: proclist_bad_pointers,
    },
];
