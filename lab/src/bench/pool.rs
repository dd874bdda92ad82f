//! Running jobs in parallel across host threads, with a progress bar on a terminal.
//!
//! Each job is a whole emulated machine; nothing is shared between them but the read-only guest
//! images, so the results do not depend on the number of threads or their interleaving.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

use super::job::{Guests, Job};
use super::model::BenchResult;

/// The default number of host threads: the machine's cores.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `jobs` on `threads` host threads; the results come back in `jobs` order.
pub fn run_all(
    jobs: &[Job],
    guests: &Guests,
    threads: usize,
    progress: bool,
) -> Vec<anyhow::Result<BenchResult>> {
    let bar = if progress {
        let bar = ProgressBar::new(jobs.len() as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {elapsed} {wide_msg}")
        {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<anyhow::Result<BenchResult>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads.clamp(1, jobs.len().max(1)) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    bar.set_message(job.label());
                    let result = job.run(guests);
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
