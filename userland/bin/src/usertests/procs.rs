//! Processes in numbers and their ends: kill, stale pids and endpoints (a slot reused under a new
//! id), the process table filling up and draining, and many processes at once sharing one pipe.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use abi::types::exit::KILLED;
use abi::types::limits;
use ulib::{Errno, io, ipc, sys};

use crate::harness::{
    Outcome, SELF, Test, expect_err, expect_status, no_children, ok, reap, spawn_victim,
};
use crate::victims::NO_IPC;

/// Long enough for a child to start running and reach its blocking call.
const SETTLE_NS: u64 = 1_000_000;

fn kill_blocked() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let pid = spawn_victim(&["sleeper"], Some([r as i32, -1, -1]))?;
    ok(sys::close(r), "close")?;
    sys::sleep(SETTLE_NS);
    ok(sys::kill(pid), "kill the blocked child")?;
    let status = reap(pid)?;
    ensure!(
        status == KILLED,
        "killed child: status {status}, want {KILLED}"
    );
    ok(sys::close(w), "close")?;
    no_children()
}

fn kill_spinning() -> Outcome {
    let pid = spawn_victim(&["spin"], None)?;
    sys::sleep(SETTLE_NS);
    ok(sys::kill(pid), "kill the spinning child")?;
    let status = reap(pid)?;
    ensure!(
        status == KILLED,
        "killed child: status {status}, want {KILLED}"
    );
    no_children()
}

fn kill_errors() -> Outcome {
    expect_err(
        sys::kill(999_999),
        Errno::Srch,
        "kill a pid that never existed",
    )?;
    let pid = spawn_victim(&["exit", "0"], None)?;
    reap(pid)?;
    expect_err(sys::kill(pid), Errno::Srch, "kill a child already reaped")?;
    // The next child takes the reaped one's slot (the lowest free): the old pid still names
    // nobody, and the new child is not mistaken for it.
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let next = spawn_victim(&["sleeper"], Some([r as i32, -1, -1]))?;
    ok(sys::close(r), "close the read end")?;
    ensure!(next != pid, "a reaped pid was handed out again at once");
    expect_err(
        sys::kill(pid),
        Errno::Srch,
        "kill a reaped pid whose slot is in use again",
    )?;
    expect_err(
        sys::wait(Some(pid)),
        Errno::Child,
        "wait for a reaped pid whose slot is in use again",
    )?;
    ok(sys::close(w), "close the write end")?;
    let status = reap(next)?;
    ensure!(status == 0, "the next child: status {status}, want 0");
    no_children()
}

fn stale_endpoint() -> Outcome {
    let old = match spawn_victim(&["endpoint"], None).and_then(reap)? {
        // `mono` has no IPC: nothing to ask.
        NO_IPC => return Ok(()),
        id if id > 0 => id as usize,
        e => return Err(format!("the child's ep_create: status {e}")),
    };
    let what = "a call to the endpoint of a child that has ended";
    expect_err(ipc::call(old, 1, &[], &[]), Errno::Inval, what)?;
    expect_err(ipc::notify(old, 1), Errno::Inval, "a notify of it")?;
    // Ours takes the freed slot (the last freed), under a new id; the old id stays dead.
    let mine = ok(ipc::ep_create(), "ep_create")?;
    ensure!(
        mine != old,
        "a dead endpoint's id was handed out again: {old}"
    );
    expect_err(ipc::call(old, 1, &[], &[]), Errno::Inval, what)?;
    expect_err(ipc::recv(old), Errno::Inval, "a recv on it")
}

fn slots() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let argv = ["usertests", "--victim", "sleeper"];
    let mut pids = Vec::new();
    // Each sleeper blocks reading `r` until this process closes `w`.
    let end = loop {
        if pids.len() > limits::PROCESSES {
            break Ok(0);
        }
        match sys::spawn(SELF, &argv, Some([r as i32, -1, -1])) {
            Ok(pid) => pids.push(pid),
            Err(e) => break Err(e),
        }
    };
    ok(sys::close(r), "close")?;
    ok(sys::close(w), "close")?;
    for &pid in &pids {
        let status = reap(pid)?;
        ensure!(status == 0, "a released sleeper: status {status}, want 0");
    }
    // Checked after the clean-up, so a failure leaves nobody behind.
    expect_err(
        end,
        Errno::Again,
        format_args!("spawn number {}", pids.len() + 1),
    )?;
    let n = pids.len();
    ensure!(
        n > 0 && n <= limits::PROCESSES - 2,
        "{n} processes fitted beside this one and its parent"
    );
    no_children()?;
    expect_status(&["exit", "5"], 5)
}

fn many() -> Outcome {
    const N: usize = 20;
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let mut pids = Vec::new();
    for id in 0..N {
        pids.push(spawn_victim(
            &["writeid", &id.to_string()],
            Some([-1, w as i32, -1]),
        )?);
    }
    ok(sys::close(w), "close")?;
    let data = ok(io::read_to_end(r), "read the ids")?;
    let text = String::from_utf8(data).map_err(|_| String::from("the ids are not text"))?;
    let mut ids: Vec<usize> = text.lines().filter_map(|l| l.parse().ok()).collect();
    ensure!(
        text.lines().count() == N,
        "{} lines arrived, want {N}",
        text.lines().count()
    );
    ids.sort_unstable();
    ensure!(
        ids.iter().copied().eq(0..N),
        "the ids that arrived are not 0..{N} once each"
    );
    for (id, &pid) in pids.iter().enumerate() {
        let status = reap(pid)?;
        ensure!(status == id as i32, "writer {id}: status {status}");
    }
    no_children()
}

/// The tests.
pub const TESTS: &[Test] = &[
    Test {
        name: "kill_blocked",
        question: "Does kill end a child blocked forever in read, with status 137?",
        run: kill_blocked,
    },
    Test {
        name: "kill_spinning",
        question: "Does kill end a child that never makes a system call, with status 137?",
        run: kill_spinning,
    },
    Test {
        name: "kill_errors",
        question: "Is kill of a pid that never existed, or was already reaped, ESRCH?",
        run: kill_errors,
    },
    Test {
        name: "stale_endpoint",
        question: "Does a dead process's endpoint name nothing, even once its slot is reused?",
        run: stale_endpoint,
    },
    Test {
        name: "proc_slots",
        question: "When the process table is full is spawn EAGAIN, and do slots come back?",
        run: slots,
    },
    Test {
        name: "many_procs",
        question: "Do 20 children writing to one pipe all get through, each with its status?",
        run: many,
    },
];
