//! Running jobs in parallel across host threads, with progress on stderr: a bar with an ETA on
//! a terminal, one line per finished run otherwise (`| tee`, CI logs), nothing with `--quiet`.
//!
//! Each job is a whole emulated machine; nothing is shared between them but the read-only guest
//! images, so the results do not depend on the number of threads or their interleaving. The
//! progress reads the host clock; the machines never do.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use super::job::{Guests, Job};
use super::model::BenchResult;

/// The default number of host threads: the machine's cores.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// How progress is shown on stderr.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// A bar with the count, the elapsed time and an ETA (stderr is a terminal).
    Bar,
    /// A line per finished run: position, name, kernel, its seconds, the ETA.
    Lines,
    /// Nothing.
    Quiet,
}

/// The estimated time left after `done` of `total` runs took `elapsed`: the mean so far times
/// the runs left (none before the first run ends).
pub fn eta(elapsed: Duration, done: usize, total: usize) -> Option<Duration> {
    if done == 0 {
        return None;
    }
    let left = total.saturating_sub(done) as f64;
    Some(Duration::from_secs_f64(
        elapsed.as_secs_f64() / done as f64 * left,
    ))
}

/// `m:ss` (or `h:mm:ss` from an hour on).
pub fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// The line `Progress::Lines` prints when run `done` of `total` (`label`) has ended after
/// `took`, `elapsed` into the whole.
pub fn progress_line(
    done: usize,
    total: usize,
    label: &str,
    took: Duration,
    elapsed: Duration,
) -> String {
    let width = total.to_string().len();
    let eta = eta(elapsed, done, total).map_or_else(|| "?".to_string(), clock);
    format!(
        "klab: [{done:>width$}/{total}] {label} {:.2} s, ETA {eta}",
        took.as_secs_f64()
    )
}

/// Runs `jobs` on `threads` host threads; the results come back in `jobs` order.
pub fn run_all(
    jobs: &[Job],
    guests: &Guests,
    threads: usize,
    progress: Progress,
) -> Vec<anyhow::Result<BenchResult>> {
    let bar = if progress == Progress::Bar {
        let bar = ProgressBar::new(jobs.len() as u64);
        if let Ok(style) = ProgressStyle::with_template(
            "{bar:40} {pos}/{len} runs, {elapsed}, ETA {eta} {wide_msg}",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let start = Instant::now();
    let slots: Mutex<Vec<Option<anyhow::Result<BenchResult>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads.clamp(1, jobs.len().max(1)) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    bar.set_message(job.label());
                    let began = Instant::now();
                    let result = job.run(guests);
                    let done = finished.fetch_add(1, Ordering::Relaxed) + 1;
                    if progress == Progress::Lines {
                        eprintln!(
                            "{}",
                            progress_line(
                                done,
                                jobs.len(),
                                &job.label(),
                                began.elapsed(),
                                start.elapsed()
                            )
                        );
                    }
                    if let Ok(mut slots) = slots.lock() {
                        slots[i] = Some(result);
                    }
                    bar.inc(1);
                }
            });
        }
    });
    bar.finish_and_clear();
    slots
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(anyhow::anyhow!("a worker thread stopped"))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eta_is_the_mean_run_time_times_the_runs_left() {
        assert_eq!(eta(Duration::from_secs(10), 0, 8), None);
        assert_eq!(
            eta(Duration::from_secs(10), 2, 8),
            Some(Duration::from_secs(30))
        );
        assert_eq!(eta(Duration::from_secs(10), 8, 8), Some(Duration::ZERO));
    }

    #[test]
    fn a_progress_line_names_the_run_and_the_time_left() {
        let line = progress_line(
            3,
            120,
            "mono getpid",
            Duration::from_millis(420),
            Duration::from_secs(9),
        );
        assert_eq!(line, "klab: [  3/120] mono getpid 0.42 s, ETA 5:51");
        assert_eq!(clock(Duration::from_secs(3725)), "1:02:05");
    }
}
