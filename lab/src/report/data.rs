//! The report seen the way every rendering reads it: result groups (one per profile and sweep
//! point), benchmarks in catalogue order, each benchmark's mono/micro pair, the places its time
//! was spent, and the numbered notes.
//!
//! Nothing here formats or draws; a benchmark or kernel absent from the report is simply `None`.

use std::collections::BTreeMap;

use crate::bench::catalog::BENCHES;
use crate::bench::model::{BenchResult, Comparison, Report};

use super::format::ratio_of;

/// The kernels, in column order.
pub const KERNELS: [&str; 2] = ["mono", "micro"];

/// Index of cycles in [`crate::bench::model::METRICS`].
pub const CYCLES: usize = 0;

/// Index of context switches in [`crate::bench::model::METRICS`].
pub const CONTEXT_SWITCHES: usize = 3;

/// The results measured with one profile at one sweep point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Group<'a> {
    /// The profile's hash.
    pub profile: &'a str,
    /// The sweep point (empty outside sweeps).
    pub point: &'a BTreeMap<String, String>,
}

impl Group<'_> {
    /// `default (1a2b3c4d)`, then `· tlb.entries=16, asid=on` for a sweep point.
    pub fn label(&self, report: &Report) -> String {
        let name = report
            .profiles
            .iter()
            .find(|p| p.hash == self.profile)
            .map_or("profile", |p| p.name.as_str());
        let mut s = format!("{name} ({})", self.profile);
        if !self.point.is_empty() {
            s.push_str(" · ");
            s.push_str(&point_label(self.point));
        }
        s
    }
}

/// The name a profile goes by in a report's header: its name, and in a sweep the parameter
/// values every point run with it shares (`u74 · tlb.entries=16`), so that a profile the sweep
/// made is told apart from its siblings by what was set, not only by its hash.
pub fn profile_label(report: &Report, name: &str, hash: &str) -> String {
    let mut common: Option<BTreeMap<String, String>> = None;
    for r in report.results.iter().filter(|r| r.profile == hash) {
        common = Some(match common {
            None => r.point.clone(),
            Some(mut c) => {
                c.retain(|k, v| r.point.get(k) == Some(v));
                c
            }
        });
    }
    match common.filter(|c| !c.is_empty()) {
        Some(c) => format!("{name} · {}", point_label(&c)),
        None => name.to_string(),
    }
}

/// `tlb.entries=16, asid=on`.
pub fn point_label(point: &BTreeMap<String, String>) -> String {
    point
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every (profile, point) group, in the order the results first mention it.
pub fn groups(report: &Report) -> Vec<Group<'_>> {
    let mut out: Vec<Group<'_>> = Vec::new();
    for r in &report.results {
        let g = Group {
            profile: &r.profile,
            point: &r.point,
        };
        if !out.contains(&g) {
            out.push(g);
        }
    }
    out
}

/// The groups shown in detail (family charts, breakdowns, ladder): all of them for `klab bench`,
/// the first grid point for a sweep (the sweep sections cover the rest).
pub fn detail_groups(report: &Report) -> Vec<Group<'_>> {
    let mut all = groups(report);
    if !report.sweep.is_empty() {
        all.truncate(1);
    }
    all
}

/// What a benchmark is, as the report (or, failing that, the catalogue) describes it.
#[derive(Clone, Copy, Debug)]
pub struct BenchInfo<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its benchmark family (`ladder`, `syscall`, …).
    pub family: &'a str,
    /// What it measures.
    pub title: &'a str,
    /// What one operation is.
    pub unit: &'a str,
}

/// The benchmarks the report holds: catalogue order first, then any unknown ones in the order
/// the results mention them.
pub fn benches(report: &Report) -> Vec<BenchInfo<'_>> {
    let mut out: Vec<BenchInfo<'_>> = BENCHES
        .iter()
        .filter_map(|b| report.results.iter().find(|r| r.bench == b.name))
        .map(info)
        .collect();
    for r in &report.results {
        if !out.iter().any(|b| b.name == r.bench) {
            out.push(info(r));
        }
    }
    out
}

/// What `r` says about its benchmark.
fn info(r: &BenchResult) -> BenchInfo<'_> {
    BenchInfo {
        name: &r.bench,
        family: &r.family,
        title: &r.title,
        unit: &r.unit,
    }
}

/// The benchmark families in the order their first benchmark appears.
pub fn families<'a>(benches: &[BenchInfo<'a>]) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for b in benches {
        if !out.contains(&b.family) {
            out.push(b.family);
        }
    }
    out
}

/// One benchmark on both kernels in one group.
#[derive(Clone, Copy, Debug, Default)]
pub struct Pair<'a> {
    /// The mono result, if measured.
    pub mono: Option<&'a BenchResult>,
    /// The micro result, if measured.
    pub micro: Option<&'a BenchResult>,
}

impl<'a> Pair<'a> {
    /// The results in [`KERNELS`] order.
    pub fn both(&self) -> [Option<&'a BenchResult>; 2] {
        [self.mono, self.micro]
    }

    /// Metric `m` (a [`crate::bench::model::METRICS`] index) per operation, mono then micro.
    pub fn per_op(&self, m: usize) -> [Option<f64>; 2] {
        self.both()
            .map(|r| r.and_then(|r| r.total.per_op(r.ops).get(m).copied()))
    }

    /// Floor cycles per operation (see `bench::floor`), mono then micro (`None` where not
    /// measured or not computed).
    pub fn floor(&self) -> [Option<f64>; 2] {
        self.both()
            .map(|r| r.and_then(|r| r.floor.map(|f| f.cycles_per_op)))
    }

    /// Measured cycles per operation over the floor, mono then micro (`None` where the floor
    /// is zero or missing).
    pub fn over_floor(&self) -> [Option<f64>; 2] {
        let [f0, f1] = self.floor();
        let [m0, m1] = self.per_op(CYCLES);
        [ratio_of(f0, m0), ratio_of(f1, m1)]
    }

    /// Cycles of `place` per operation, mono then micro (`None` where the kernel has no such
    /// place).
    pub fn place_cycles(&self, place: &str) -> [Option<f64>; 2] {
        self.both().map(|r| {
            r.and_then(|r| {
                r.parts
                    .iter()
                    .find(|p| p.place == place)
                    .map(|p| p.counters.per_op(r.ops)[CYCLES])
            })
        })
    }
}

/// What the floor includes, from the first result of `group` that has one (the charges are the
/// group's profile's, the same for every result in it).
pub fn floor_explanation(report: &Report, group: &Group<'_>) -> Option<String> {
    report
        .results
        .iter()
        .filter(|r| r.profile == group.profile && &r.point == group.point)
        .find_map(|r| r.floor)
        .map(|f| crate::bench::floor::explanation(&f.costs))
}

/// The comparison (micro/mono ratio and its band) of `bench` in `group`, if the report has one.
pub fn comparison<'a>(
    report: &'a Report,
    bench: &str,
    group: &Group<'_>,
) -> Option<&'a Comparison> {
    report
        .comparisons
        .iter()
        .find(|c| c.bench == bench && c.profile == group.profile && &c.point == group.point)
}

/// The comparison of `bench` at sweep `point` (any profile: a point's profile follows from it).
pub fn comparison_at<'a>(
    report: &'a Report,
    bench: &str,
    point: &BTreeMap<String, String>,
) -> Option<&'a Comparison> {
    report
        .comparisons
        .iter()
        .find(|c| c.bench == bench && &c.point == point)
}

/// `bench` on both kernels in `group`.
pub fn pair<'a>(report: &'a Report, bench: &str, group: &Group<'_>) -> Pair<'a> {
    let find = |k| report.find(bench, k, group.profile, group.point);
    Pair {
        mono: find(KERNELS[0]),
        micro: find(KERNELS[1]),
    }
}

/// Every place time was spent in, over the whole report: `user`, `kernel`, then the servers in
/// the order results list them.
pub fn places(report: &Report) -> Vec<&str> {
    let mut out = vec!["user", "kernel"];
    for r in &report.results {
        for p in &r.parts {
            if !out.contains(&p.place.as_str()) {
                out.push(&p.place);
            }
        }
    }
    out
}

/// The image hashes as (image, hash): `mono`, `micro`, `initrd` first, then any others.
pub fn images(report: &Report) -> Vec<(&str, &str)> {
    let known = ["mono", "micro", "initrd"];
    let mut out: Vec<(&str, &str)> = known
        .iter()
        .filter_map(|k| report.images.get_key_value(*k))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    out.extend(
        report
            .images
            .iter()
            .filter(|(k, _)| !known.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    out
}

/// One distinct note: which kernel said it and the benchmarks it applies to.
#[derive(Clone, Debug)]
pub struct Note {
    /// `mono` or `micro`.
    pub kernel: String,
    /// The note's text.
    pub text: String,
    /// The benchmarks it applies to, in report order.
    pub benches: Vec<String>,
}

/// The report's notes, numbered from 1 in the order results first give them.
#[derive(Clone, Debug, Default)]
pub struct Notes(pub Vec<Note>);

impl Notes {
    /// Collects the notes of every result.
    pub fn of(report: &Report) -> Notes {
        let mut list: Vec<Note> = Vec::new();
        for r in &report.results {
            let Some(text) = &r.note else { continue };
            let i = match list
                .iter()
                .position(|n| n.kernel == r.kernel && &n.text == text)
            {
                Some(i) => i,
                None => {
                    list.push(Note {
                        kernel: r.kernel.clone(),
                        text: text.clone(),
                        benches: Vec::new(),
                    });
                    list.len() - 1
                }
            };
            if !list[i].benches.contains(&r.bench) {
                list[i].benches.push(r.bench.clone());
            }
        }
        Notes(list)
    }

    /// `*1` (or `*1,3`) for a benchmark with notes, empty otherwise.
    pub fn marker(&self, bench: &str) -> String {
        let ids: Vec<String> = self
            .0
            .iter()
            .enumerate()
            .filter(|(_, n)| n.benches.iter().any(|b| b == bench))
            .map(|(i, _)| (i + 1).to_string())
            .collect();
        if ids.is_empty() {
            String::new()
        } else {
            format!("*{}", ids.join(","))
        }
    }

    /// `*1 mono: this kernel has no IPC (ipc, ipc-4k)`, one line per note, not escaped.
    pub fn lines(&self) -> Vec<String> {
        self.0
            .iter()
            .enumerate()
            .map(|(i, n)| {
                format!(
                    "*{} {}: {} ({})",
                    i + 1,
                    n.kernel,
                    n.text,
                    n.benches.join(", ")
                )
            })
            .collect()
    }
}
