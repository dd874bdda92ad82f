//! The interrupt path, `irq-latency` (issue 16): one op = arm the board's alarm a little ahead
//! (`alarm_arm`), block in `alarm_wait` until the driver — mono's kernel, micro's console server
//! — has taken the RTC's interrupt, and run again. The result line's cycles are the whole op,
//! idle time included; the note gives the latency proper: the cycles from the device raising its
//! line (klab's RTC records that cycle, `AlarmEvent::raised_cycle`) to the reader's first
//! `rdcycle` after the wait, averaged over the ops. Every op checks that the reader was blocked
//! before the line rose, so the figure is a wake-up, not a call that found the alarm fired.
//! QEMU's RTC does not say when its line rose: there the note says so.

use alloc::boxed::Box;
use alloc::format;

use ulib::{counters, sys};

use super::harness::{Outcome, Report, measure, ok, warmup};

/// How far ahead each alarm is armed: long enough for the reader to be blocked first on both
/// kernels (arming and entering the wait take a few thousand cycles).
const DELAY_NS: u64 = 50_000;

/// `irq-latency`: op = arm, block, resume.
pub fn latency(n: u64, _: &[u64]) -> Outcome<Report> {
    let mut total = 0u64;
    let mut measured = 0u64;
    let mut known = true;
    let counts = measure(warmup(n), n, || {
        let at = ok(sys::alarm_arm(DELAY_NS), "alarm_arm")?;
        let blocked = counters::cycle();
        let e = ok(sys::alarm_wait(), "alarm_wait")?;
        let resumed = counters::cycle();
        ensure!(e.alarm_ns == at, "woken for {} ns, armed {at}", e.alarm_ns);
        if e.raised_cycle == 0 {
            known = false;
        } else {
            ensure!(
                blocked < e.raised_cycle && e.raised_cycle < resumed,
                "the line rose at cycle {}, not between the wait ({blocked}) and the resume \
                 ({resumed})",
                e.raised_cycle
            );
            total += resumed - e.raised_cycle;
            measured += 1;
        }
        Ok(())
    })?;
    // The warm-up ops count too: they are the same path (the mean is over every op).
    let note = if known && measured > 0 {
        format!(
            "latency={} cycles from the RTC's line rising to the reader running (mean of {measured})",
            total / measured
        )
    } else {
        "latency unknown: this RTC does not say when its line rose".into()
    };
    let mut r = Report::new(n, counts);
    r.note = Some(Box::leak(note.into_boxed_str()));
    Ok(r)
}
