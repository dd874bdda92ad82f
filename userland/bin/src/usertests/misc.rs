//! Small questions: unknown system call numbers, the clock, sleep and yield, getpid, and the
//! device files.

use abi::Sys;
use abi::types::{kind, open};
use ulib::{Errno, raw, sys};

use crate::harness::{Outcome, Test, ok, reap, spawn_victim};

fn unknown_syscalls() -> Outcome {
    // 44: the last of the IPC calls' range (31–44), left unused.
    for nr in [0, 44, 1000, 0x8000_0000, usize::MAX] {
        ensure!(
            Sys::from_number(nr).is_none(),
            "test bug: {nr} is a system call now"
        );
        // Safety: no such call: the kernel must return without touching anything.
        let ret = unsafe { raw::syscall(nr, [1usize, 2, 3, 4, 5, 6]) };
        ensure!(
            ret == Errno::NoSys.ret(),
            "system call {nr}: returned {ret}, want -ENOSYS"
        );
    }
    ensure!(sys::getpid() > 0, "getpid after unknown calls");
    Ok(())
}

fn clock_sleep() -> Outcome {
    let mut last = sys::clock();
    for _ in 0..5 {
        let now = sys::clock();
        ensure!(now >= last, "the clock went backwards");
        last = now;
    }
    sys::yield_now();
    sys::sleep(0);
    let before = sys::clock();
    sys::sleep(1_000_000);
    let slept = sys::clock().saturating_sub(before);
    ensure!(
        slept >= 1_000_000,
        "sleep(1 ms) returned after less than 1 ms"
    );
    ensure!(
        sys::clock() >= before,
        "the clock went backwards across sleep"
    );
    Ok(())
}

fn getpid() -> Outcome {
    let me = sys::getpid();
    ensure!(me > 0, "getpid returned 0");
    ensure!(sys::getpid() == me, "getpid changed");
    let child = spawn_victim(&["pid"], None)?;
    ensure!(child != me, "spawn returned the parent's own pid");
    let status = reap(child)?;
    ensure!(
        status as usize == child,
        "the child's getpid differs from the pid spawn returned"
    );
    ensure!(sys::getpid() == me, "getpid changed after a spawn");
    Ok(())
}

fn devices() -> Outcome {
    let zero = ok(sys::open("/dev/zero", open::RDONLY), "open /dev/zero")?;
    let mut buf = [0xaau8; 100];
    ensure!(
        ok(sys::read(zero, &mut buf), "read /dev/zero")? == buf.len(),
        "short read of /dev/zero"
    );
    ensure!(
        buf.iter().all(|&b| b == 0),
        "/dev/zero gave a non-zero byte"
    );
    ensure!(
        ok(sys::fstat(zero), "fstat /dev/zero")?.kind == kind::DEVICE,
        "/dev/zero is not a device"
    );
    let null = ok(sys::open("/dev/null", open::RDWR), "open /dev/null")?;
    ensure!(
        ok(sys::read(null, &mut buf), "read /dev/null")? == 0,
        "/dev/null is not at end of file"
    );
    ensure!(
        ok(sys::write(null, &buf), "write /dev/null")? == buf.len(),
        "/dev/null took less than all"
    );
    let console = ok(sys::open("/dev/console", open::WRONLY), "open /dev/console")?;
    ensure!(
        ok(sys::fstat(console), "fstat /dev/console")?.kind == kind::DEVICE,
        "/dev/console is not a device"
    );
    for f in [zero, null, console] {
        ok(sys::close(f), "close")?;
    }
    Ok(())
}

/// The tests.
pub const TESTS: &[Test] = &[
    Test {
        name: "syscall_unknown",
        question: "Do unknown system call numbers (0, 26, 1000, 2^31, 2^64-1) return ENOSYS?",
        run: unknown_syscalls,
    },
    Test {
        name: "clock_sleep",
        question: "Is the clock monotonic, does sleep(1 ms) take at least 1 ms, does yield return?",
        run: clock_sleep,
    },
    Test {
        name: "getpid",
        question: "Is getpid stable, and is a child's pid its own and the one spawn returned?",
        run: getpid,
    },
    Test {
        name: "devices",
        question: "Do /dev/zero, /dev/null and /dev/console behave as devices should?",
        run: devices,
    },
];
