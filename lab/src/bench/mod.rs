//! `klab bench`: every benchmark on both kernels (or on kernels of your own, `guests`), the
//! comparison table and the report files; `klab sweep` (a grid of profiles, `sweep`) and
//! `klab report` (merging, `merge`) share it.

pub mod bands;
pub mod catalog;
pub mod files;
pub mod floor;
pub mod guests;
pub mod job;
pub mod merge;
pub mod model;
pub mod point;
pub mod pool;
pub mod rows;
pub mod stacks;
pub mod sweep;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::bail;
use clap::Args;
use emu::profile::Profile;

use crate::cli::BadInput;
use crate::run::ProfileArgs;
use catalog::Bench;
use job::Job;
use model::{Build, ProfileRecord, Report};

/// What to run and where to put it: the options `klab bench` and `klab sweep` share.
#[derive(Args, Clone, Debug)]
pub struct Selection {
    /// The kernels to run, by name (default: mono, micro and every --kernel name).
    #[arg(long, value_name = "K,K", value_delimiter = ',')]
    pub kernels: Vec<String>,
    /// A kernel of your own under a name of your choice: NAME=ELF (repeatable). It runs with
    /// the embedded initrd unless --initrd is given (micro's servers are inside its ELF); a
    /// name of an embedded kernel (mono) replaces it.
    #[arg(long = "kernel", value_name = "NAME=ELF", value_parser = guests::parse_kernel)]
    pub kernel: Vec<(String, PathBuf)>,
    /// The initrd every kernel gets instead of the embedded one (a ustar archive of /bin, as
    /// `make guests` builds it).
    #[arg(long, value_name = "FILE")]
    pub initrd: Option<PathBuf>,
    /// Print the results to stdout as json (report.json) or csv (one line per result and
    /// place); the table is then not printed. The report files are written all the same.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<crate::export::Format>,
    /// Run only these benchmarks (names as in the report; repeatable or comma-separated).
    #[arg(long, value_name = "NAME", value_delimiter = ',', num_args = 1..)]
    pub only: Vec<String>,
    /// The report directory (report.json, report.md, report.html).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write the call stacks sampled in every run's measured region as folded stacks to FILE
    /// (`-`: stdout), one `KERNEL;BENCH;SPACE;outer;…;inner SAMPLES` line per stack, the format
    /// flame-graph tools read (a sweep point adds its `k=v,…` after BENCH). Every result then
    /// keeps its stacks in report.json (otherwise only the cost ladder's do).
    #[arg(long, value_name = "FILE")]
    pub folded: Option<PathBuf>,
    /// Host threads running machines in parallel (default: every core).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Few operations per benchmark (the tests' setting): checks that everything runs, in
    /// seconds; the figures include more warm-up noise.
    #[arg(long)]
    pub quick: bool,
    /// Print no progress on stderr (by default a bar with an ETA on a terminal, otherwise one
    /// line per finished run).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Arguments of `klab bench`.
#[derive(Args)]
pub struct BenchArgs {
    /// Print the catalogue (name, family, unit, what it measures, the guest command) and exit.
    #[arg(long)]
    pub list: bool,
    #[command(flatten)]
    pub select: Selection,
    #[command(flatten)]
    pub machine: ProfileArgs,
}

/// The klab that is running.
pub fn build() -> Build {
    Build {
        version: env!("CARGO_PKG_VERSION").to_string(),
        commit: env!("KLAB_COMMIT").to_string(),
    }
}

impl Selection {
    /// Where the guest images come from (`--kernel`, `--initrd`).
    pub fn sources(&self) -> guests::Sources {
        guests::Sources {
            kernels: self.kernel.clone(),
            initrd: self.initrd.clone(),
        }
    }

    /// The kernels to run, in order: `--kernels`, or mono, micro and every `--kernel` name.
    pub fn kernel_names(&self) -> Vec<String> {
        if self.kernels.is_empty() {
            self.sources().default_kernels()
        } else {
            self.kernels.clone()
        }
    }

    /// The benchmarks selected, in catalogue order.
    pub fn benches(&self) -> anyhow::Result<Vec<&'static Bench>> {
        for name in &self.only {
            if catalog::find(name).is_none() {
                let all: Vec<&str> = catalog::BENCHES.iter().map(|b| b.name).collect();
                return Err(BadInput::error(format!(
                    "no benchmark `{name}`{}; `klab bench --list` shows them all",
                    crate::suggest::did_you_mean(name, all.iter().copied())
                )));
            }
        }
        Ok(catalog::BENCHES
            .iter()
            .filter(|b| self.only.is_empty() || self.only.iter().any(|n| n == b.name))
            .collect())
    }

    /// The jobs for every selected benchmark × kernel at each (profile, point).
    pub fn jobs(&self, points: &[(Profile, BTreeMap<String, String>)]) -> anyhow::Result<Vec<Job>> {
        let benches = self.benches()?;
        let kernels = self.kernel_names();
        let mut jobs = Vec::new();
        for bench in benches {
            for (profile, point) in points {
                for kernel in &kernels {
                    jobs.push(Job {
                        bench,
                        kernel: kernel.clone(),
                        profile: profile.clone(),
                        point: point.clone(),
                        n: if self.quick { bench.quick } else { bench.n },
                        stacks: self.folded.is_some(),
                    });
                }
            }
        }
        Ok(jobs)
    }

    /// Runs the jobs at `points`, prints the table, writes the report into the output directory
    /// (`default_out` unless `--out`); returns klab's exit status (1 if any run failed — the
    /// report then holds the others).
    pub fn execute(
        &self,
        points: &[(Profile, BTreeMap<String, String>)],
        sweep: Vec<String>,
        default_out: &str,
    ) -> anyhow::Result<i32> {
        let guests = guests::load(&self.kernel_names(), &self.sources())?;
        let jobs = self.jobs(points)?;
        let threads = self.jobs.unwrap_or_else(pool::default_jobs);
        if threads == 0 {
            bail!("--jobs 0: at least one thread is needed");
        }
        // The output directory first: a run must not end with its results unwritable.
        let dir = self
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from(default_out));
        files::check_out(&dir)?;
        files::prepare(&dir)?;
        let start = std::time::Instant::now();
        let progress = if self.quiet {
            pool::Progress::Quiet
        } else if std::io::stderr().is_terminal() {
            pool::Progress::Bar
        } else {
            pool::Progress::Lines
        };
        let outcomes = pool::run_all(&jobs, &guests, threads, progress);
        let seconds = start.elapsed().as_secs_f64();
        let mut results = Vec::new();
        let mut failures = 0;
        for (job, outcome) in jobs.iter().zip(outcomes) {
            match outcome {
                Ok(r) => results.push(r),
                Err(e) => {
                    failures += 1;
                    eprintln!("klab: {} failed: {e:#}", job.label());
                }
            }
        }
        let mut profiles: Vec<ProfileRecord> = Vec::new();
        for (p, _) in points {
            let hash = p.hash();
            if !profiles.iter().any(|r| r.hash == hash) {
                profiles.push(ProfileRecord {
                    name: p.name.clone(),
                    hash,
                    toml: p.to_toml(),
                });
            }
        }
        let mut report = Report {
            schema: model::SCHEMA,
            klab: build(),
            profiles,
            images: guests::image_hashes(),
            kernels: guests.records.clone(),
            sweep,
            results,
            comparisons: Vec::new(),
        };
        merge::arrange(&mut report);
        let paths = files::write(&dir, &report)?;
        if let Some(path) = &self.folded {
            crate::export::Sink::of(path).write(&stacks::folded_lines(&report.results))?;
        }
        match self.format {
            Some(format) => crate::export::print(&files::export(&report, format)?)?,
            None => {
                print!("{}", crate::report::table(&report));
                print!("{}", crate::compare::kernels_table(&report));
            }
        }
        eprintln!(
            "klab: {} runs on {threads} threads in {seconds:.1} s; wrote {}",
            jobs.len(),
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        if failures > 0 {
            eprintln!("klab: {failures} of {} runs failed", jobs.len());
            return Ok(1);
        }
        Ok(0)
    }
}

/// `klab bench`.
pub fn bench(args: BenchArgs) -> anyhow::Result<i32> {
    if args.list {
        print!("{}", catalog::listing());
        return Ok(0);
    }
    let profile = args.machine.profile()?;
    args.select
        .execute(&[(profile, BTreeMap::new())], Vec::new(), "report")
}
