//! The board's alarm (issue 16's interrupt you can measure from user space): `alarm_arm` arms
//! the Goldfish RTC, `alarm_wait` blocks until the driver — mono's kernel, micro's console
//! server — has taken its interrupt. Does a wait block until the alarm's time and report when it
//! fired; do two alarms in a row each fire; are bad pointers `EFAULT` before blocking; does the
//! driver live on when a waiter is killed?
//!
//! The alarm is one for the whole machine: these tests arm it themselves before they wait.

use abi::layout::USER_TOP;
use abi::types::{ALARM_MAX_NS, AlarmEvent, fd};
use ulib::{Errno, counters, raw, sys};

use crate::harness::{BAD_ADDRESSES, Outcome, Test, check, expect_err, ok, reap, spawn_victim};

/// A millisecond in ns. Alarms are armed tens of them ahead: on QEMU the RTC runs in real time,
/// and arming must finish well before the alarm's time even on a loaded host (on klab idle
/// time is skipped, so it costs nothing).
const MS: u64 = 1_000_000;

/// A range that starts in user memory and runs into the kernel: `alarm_wait` may not write an
/// event there either (besides the harness's [`BAD_ADDRESSES`]).
const INTO_THE_KERNEL: (&str, usize) = ("a range into the kernel", USER_TOP - 8);

/// Arms an alarm `delay_ns` ahead, waits for it and checks the event against the clock.
fn arm_and_wait(delay_ns: u64) -> Result<AlarmEvent, alloc::string::String> {
    let before = ok(sys::rtc_time(), "rtc_time")?;
    let at = ok(sys::alarm_arm(delay_ns), "alarm_arm")?;
    ensure!(
        at >= before + delay_ns,
        "alarm at {at} ns, armed {delay_ns} ns after {before}"
    );
    let armed = ok(sys::rtc_time(), "rtc_time after arming")?;
    ensure!(armed < at, "the alarm's time passed while arming");
    let e = ok(sys::alarm_wait(), "alarm_wait")?;
    let resumed = counters::cycle();
    let after = ok(sys::rtc_time(), "rtc_time after the wait")?;
    ensure!(
        e.alarm_ns == at,
        "event for {} ns, armed for {at}",
        e.alarm_ns
    );
    ensure!(
        e.taken_ns >= at && after >= e.taken_ns,
        "taken at {} ns: not between the alarm ({at}) and now ({after})",
        e.taken_ns
    );
    // klab says when the line rose (QEMU's RTC does not: 0): before the reader ran again.
    if e.raised_cycle != 0 {
        ensure!(
            resumed > e.raised_cycle,
            "resumed at cycle {resumed}, before the interrupt ({})",
            e.raised_cycle
        );
    }
    Ok(e)
}

fn alarm_fires() -> Outcome {
    let e = arm_and_wait(20 * MS)?;
    let again = ok(sys::alarm_wait(), "a second alarm_wait")?;
    ensure!(
        again == e,
        "a second wait saw {again:?}, not the fired {e:?}"
    );
    Ok(())
}

fn alarm_twice() -> Outcome {
    let first = arm_and_wait(20 * MS)?;
    let second = arm_and_wait(30 * MS)?;
    ensure!(
        second.alarm_ns > first.taken_ns,
        "the second alarm ({} ns) is not after the first was taken ({} ns)",
        second.alarm_ns,
        first.taken_ns
    );
    Ok(())
}

fn alarm_errors() -> Outcome {
    expect_err(
        sys::alarm_arm(ALARM_MAX_NS + 1),
        Errno::Inval,
        "alarm_arm past ALARM_MAX_NS",
    )?;
    // Armed, so a wait with a good pointer would block: a bad one must fail at once.
    let at = ok(sys::alarm_arm(2_000_000), "alarm_arm")?;
    for &(name, addr) in BAD_ADDRESSES.iter().chain([&INTO_THE_KERNEL]) {
        // Safety: the kernel must refuse the pointer.
        expect_err(
            check(unsafe { raw::alarm_wait(addr) }),
            Errno::Fault,
            format_args!("alarm_wait with {name}"),
        )?;
    }
    let e = ok(sys::alarm_wait(), "alarm_wait after the bad ones")?;
    ensure!(
        e.alarm_ns == at,
        "event for {} ns, armed for {at}",
        e.alarm_ns
    );
    Ok(())
}

fn alarm_killed_waiter() -> Outcome {
    let (r, w) = ok(sys::pipe(), "pipe")?;
    let pid = spawn_victim(&["alarm_waiter"], Some([-1, w as i32, -1]))?;
    ok(sys::close(w), "close the write end")?;
    let mut b = [0u8; 1];
    ensure!(
        ok(sys::read(r, &mut b), "read the waiter's word")? == 1,
        "the waiter ended before arming"
    );
    ok(sys::close(r), "close the read end")?;
    // It waits now (or is about to): kill it there.
    sys::sleep(1_000_000);
    ok(sys::kill(pid), "kill the waiter")?;
    let status = reap(pid)?;
    ensure!(status != 0, "the waiter was not killed (status {status})");
    // The driver lives on: a new alarm fires for us.
    arm_and_wait(10 * MS).map(drop)
}

/// Victim `alarm_waiter`: arms a long alarm, says so with a byte on stdout, then waits for it
/// (its killer ends it first); 1 if a call fails.
pub fn waiter(_: &[&str]) -> i32 {
    if sys::alarm_arm(ALARM_MAX_NS).is_err() || sys::write(fd::STDOUT, b"w") != Ok(1) {
        return 1;
    }
    match sys::alarm_wait() {
        Ok(_) => 0,
        Err(_) => 1,
    }
}

/// The alarm's tests.
pub const TESTS: &[Test] = &[
    Test {
        name: "alarm_fires",
        question: "Does alarm_wait block until the armed alarm's interrupt, and report when it \
                   fired (again to a second wait)?",
        run: alarm_fires,
    },
    Test {
        name: "alarm_twice",
        question: "Do two alarms in a row each block their wait and fire in order?",
        run: alarm_twice,
    },
    Test {
        name: "alarm_errors",
        question: "Is a too-long delay EINVAL and a bad event pointer EFAULT before blocking?",
        run: alarm_errors,
    },
    Test {
        name: "alarm_killed_waiter",
        question: "Does the alarm's driver live on when a process waiting for it is killed?",
        run: alarm_killed_waiter,
    },
];
