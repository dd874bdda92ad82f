//! `klab report DIR…`: merges the `report.json` of independent runs (other machines, a batch
//! scheduler's jobs, a rerun of one benchmark) into one report and regenerates its files.
//!
//! Results are keyed by benchmark × kernel × profile hash × sweep point. A key present in more
//! than one input must carry the same result (the emulator is deterministic, so a difference
//! means different klab builds or guest images); otherwise the merge stops and says which.
//!
//! Inputs may come from different kernel images as long as each kernel name stands for one
//! image: `mono` and `mono-new` (`klab bench --kernel mono-new=ELF`) merge, two different
//! `mono`s do not (the report would not say which `mono` a figure belongs to).

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;

use super::model::{Report, SCHEMA};
use super::{files, point};

/// Arguments of `klab report`.
#[derive(Args)]
pub struct ReportArgs {
    /// Report directories (or report.json files) to merge.
    #[arg(value_name = "DIR", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Where to write the merged report.
    #[arg(long, value_name = "DIR", default_value = "report")]
    pub out: PathBuf,
    /// Print the merged results to stdout as json (report.json) or csv; the table is then
    /// not printed.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<crate::export::Format>,
}

/// Merges `reports` in order.
pub fn merge(reports: Vec<Report>) -> anyhow::Result<Report> {
    let mut out = Report {
        schema: SCHEMA,
        ..Report::default()
    };
    let mut conflicts: Vec<String> = Vec::new();
    for r in reports {
        if out.klab.version.is_empty() {
            out.klab = r.klab.clone();
        } else if out.klab != r.klab {
            eprintln!(
                "klab report: merging results of different klab builds ({} {} and {} {})",
                out.klab.version, out.klab.commit, r.klab.version, r.klab.commit
            );
        }
        for (name, images) in r.kernel_images() {
            if let Some(old) = out.kernels.get(&name) {
                for (what, a, b) in [
                    ("kernel", &old.kernel, &images.kernel),
                    ("initrd", &old.initrd, &images.initrd),
                ] {
                    if a != b {
                        bail!(
                            "the inputs ran {name} with different {what} images ({a} and {b}): \
                             give each build its own name (klab bench --kernel NAME=ELF), or \
                             compare them with klab compare"
                        );
                    }
                }
            } else {
                out.kernels.insert(name, images);
            }
        }
        // The embedded images of different klab builds differ; what ran is in `kernels`.
        for (name, hash) in r.images {
            match out.images.get(&name) {
                Some(old) if *old != hash => conflicts.push(name),
                _ => {
                    out.images.insert(name, hash);
                }
            }
        }
        for p in r.profiles {
            if !out.profiles.iter().any(|q| q.hash == p.hash) {
                out.profiles.push(p);
            }
        }
        for key in r.sweep {
            if !out.sweep.contains(&key) {
                out.sweep.push(key);
            }
        }
        for result in r.results {
            match out.find(
                &result.bench,
                &result.kernel,
                &result.profile,
                &result.point,
            ) {
                Some(old) if *old == result => {}
                Some(_) => bail!(
                    "two different results for {} on {} (profile {}, point {:?})",
                    result.bench,
                    result.kernel,
                    result.profile,
                    result.point
                ),
                None => out.results.push(result),
            }
        }
    }
    for name in &conflicts {
        out.images.remove(name);
    }
    arrange(&mut out);
    Ok(out)
}

/// Puts `report` in the one order every report is written in, whatever order its results came
/// in (one run, or the shards of a sweep merged in any order): results in catalogue order, then
/// by sweep point (`point::order`), then profile, then kernel (mono, micro, then the others by
/// name); profiles in the order results first use them; the comparisons recomputed.
pub fn arrange(report: &mut Report) {
    let order = |name: &str| {
        super::catalog::BENCHES
            .iter()
            .position(|b| b.name == name)
            .unwrap_or(usize::MAX)
    };
    let kernel = |name: &str| {
        let rank = ["mono", "micro"]
            .iter()
            .position(|k| *k == name)
            .unwrap_or(usize::MAX);
        (rank, name.to_string())
    };
    let sweep = report.sweep.clone();
    report.results.sort_by(|a, b| {
        order(&a.bench)
            .cmp(&order(&b.bench))
            .then_with(|| point::order(&sweep, &a.point, &b.point))
            .then_with(|| a.profile.cmp(&b.profile))
            .then_with(|| kernel(&a.kernel).cmp(&kernel(&b.kernel)))
    });
    let first_use = |hash: &str| {
        report
            .results
            .iter()
            .position(|r| r.profile == hash)
            .unwrap_or(usize::MAX)
    };
    let mut profiles = std::mem::take(&mut report.profiles);
    profiles.sort_by_cached_key(|p| (first_use(&p.hash), p.hash.clone()));
    report.profiles = profiles;
    report.comparisons = super::bands::comparisons(report);
}

/// `klab report`.
pub fn report(args: ReportArgs) -> anyhow::Result<i32> {
    let reports = args
        .inputs
        .iter()
        .map(|d| files::read(d))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let merged = merge(reports)?;
    files::check_out(&args.out)?;
    files::prepare(&args.out)?;
    let paths = files::write(&args.out, &merged)?;
    match args.format {
        Some(format) => crate::export::print(&files::export(&merged, format)?)?,
        None => {
            print!("{}", crate::report::table(&merged));
            print!("{}", crate::compare::kernels_table(&merged));
        }
    }
    eprintln!(
        "klab: merged {} results; wrote {}",
        merged.results.len(),
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(0)
}
