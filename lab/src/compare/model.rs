//! What `klab compare` produces, as `compare.json` stores it (schema [`SCHEMA`]).
//!
//! A [`Comparison`] holds one [`Row`] per benchmark × kernel × sweep point found on both sides,
//! sorted by the size of the change in cycles per operation (largest first), each with every
//! counter's change in total and by place; what could not be paired is a [`Mismatch`], and
//! what differs in how the two sides were produced (profile keys, images, klab builds) is a
//! [`Difference`].
//!
//! Per-operation values are the region totals divided by each side's own `ops`, so sides that
//! ran different operation counts still compare (and the difference is listed as a mismatch).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::bench::model::{Build, Counters, METRICS};

/// The schema version written in `compare.json`.
pub const SCHEMA: u32 = 1;

/// A whole comparison of side A (the baseline) with side B.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// [`SCHEMA`].
    pub schema: u32,
    /// The baseline.
    pub a: Side,
    /// The side compared with it.
    pub b: Side,
    /// How the two sides were produced differently.
    pub differences: Vec<Difference>,
    /// The paired results, largest change in cycles per operation first.
    pub rows: Vec<Row>,
    /// What could not be paired, or was paired with a caveat.
    pub mismatches: Vec<Mismatch>,
}

/// One side of a comparison.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Side {
    /// Its name in tables and charts (`--label`, else the directory's name).
    pub label: String,
    /// The directory or report.json it was read from, as given.
    pub source: String,
    /// The one kernel taken from it (`--kernels KA,KB`), or none: every kernel.
    pub kernel: Option<String>,
    /// The klab that produced it.
    pub klab: Build,
    /// Its results taken into the comparison.
    pub results: usize,
}

/// One way the sides were produced differently: a profile key, an image, the klab build.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// What differs: `profile penalty.trap`, `kernel mono`, `initrd of mono`, `klab`.
    pub what: String,
    /// Its value on side A (`–` where A has none).
    pub a: String,
    /// Its value on side B.
    pub b: String,
}

/// One benchmark × kernel × sweep point on both sides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The benchmark.
    pub bench: String,
    /// What one operation is.
    pub unit: String,
    /// The kernel on side A.
    pub kernel_a: String,
    /// The kernel on side B (the same name unless `--kernels` pairs two).
    pub kernel_b: String,
    /// The sweep point (empty outside sweeps).
    #[serde(with = "crate::bench::point::json")]
    pub point: BTreeMap<String, String>,
    /// The profile hash on side A.
    pub profile_a: String,
    /// The profile hash on side B.
    pub profile_b: String,
    /// Operations measured on side A.
    pub ops_a: u64,
    /// Operations measured on side B.
    pub ops_b: u64,
    /// Every counter's change over the whole region, in [`METRICS`] order.
    pub metrics: Vec<Change>,
    /// The change by place: `user`, `kernel`, then each server; a place found on one side only
    /// counts zero on the other.
    pub places: Vec<PlaceChange>,
}

/// The change of every counter in one place.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlaceChange {
    /// `user`, `kernel` or a server's name.
    pub place: String,
    /// In [`METRICS`] order.
    pub metrics: Vec<Change>,
}

/// The change of one counter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The counter: a [`METRICS`] field name (`cycles`, `tlb_misses`, …).
    pub metric: String,
    /// Per operation on side A.
    pub a: f64,
    /// Per operation on side B.
    pub b: f64,
    /// `b - a`, per operation.
    pub delta: f64,
    /// `delta` as a percentage of `a` (`None` when `a` is zero and `b` is not).
    pub percent: Option<f64>,
    /// Region total on side A.
    pub total_a: u64,
    /// Region total on side B.
    pub total_b: u64,
}

/// Something that could not be paired, or was paired with a caveat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// `only-in-a`, `only-in-b` (a result, or a whole sweep point or profile, on one side only),
    /// `ops` (different operation counts: per-operation figures compared), `program`
    /// (different benchmark program bytes), `note` (a stand-in on one side only).
    pub kind: String,
    /// The benchmark, when the mismatch is about one.
    pub bench: Option<String>,
    /// The kernel (side A's name), when the mismatch is about one.
    pub kernel: Option<String>,
    /// The sweep point.
    #[serde(with = "crate::bench::point::json")]
    pub point: BTreeMap<String, String>,
    /// What it is, in a sentence.
    pub detail: String,
}

impl Change {
    /// The change of totals `a` over `ops_a` operations to `b` over `ops_b`.
    pub fn of(metric: &str, (a, ops_a): (u64, u64), (b, ops_b): (u64, u64)) -> Change {
        let per = |v: u64, ops: u64| if ops == 0 { 0.0 } else { v as f64 / ops as f64 };
        let (pa, pb) = (per(a, ops_a), per(b, ops_b));
        // With equal operation counts, the difference of the totals, rounded once.
        let delta = if ops_a == ops_b && ops_a > 0 {
            (i128::from(b) - i128::from(a)) as f64 / ops_a as f64
        } else {
            pb - pa
        };
        let percent = if pa > 0.0 {
            Some(100.0 * delta / pa)
        } else if pb == 0.0 {
            Some(0.0)
        } else {
            None
        };
        Change {
            metric: metric.to_string(),
            a: pa,
            b: pb,
            delta,
            percent,
            total_a: a,
            total_b: b,
        }
    }

    /// Every counter's change, in [`METRICS`] order.
    pub fn all(a: (&Counters, u64), b: (&Counters, u64)) -> Vec<Change> {
        let (va, vb) = (a.0.values(), b.0.values());
        METRICS
            .iter()
            .enumerate()
            .map(|(i, (field, _, _))| Change::of(field, (va[i], a.1), (vb[i], b.1)))
            .collect()
    }

    /// Whether anything changed per operation.
    pub fn moved(&self) -> bool {
        self.delta != 0.0
    }
}

impl Row {
    /// The change of `metric` over the whole region.
    pub fn metric(&self, metric: &str) -> Option<&Change> {
        self.metrics.iter().find(|c| c.metric == metric)
    }

    /// The change in cycles per operation.
    pub fn cycles(&self) -> Option<&Change> {
        self.metric("cycles")
    }

    /// The kernel as tables show it: `mono`, or `mono→mono-new` when the sides differ.
    pub fn kernel_label(&self) -> String {
        if self.kernel_a == self.kernel_b {
            self.kernel_a.clone()
        } else {
            format!("{}→{}", self.kernel_a, self.kernel_b)
        }
    }

    /// The places whose cycles per operation moved, largest change first: (place, change).
    pub fn moved_places(&self) -> Vec<(&str, &Change)> {
        let mut out: Vec<(&str, &Change)> = self
            .places
            .iter()
            .filter_map(|p| {
                p.metrics
                    .iter()
                    .find(|c| c.metric == "cycles")
                    .filter(|c| c.moved())
                    .map(|c| (p.place.as_str(), c))
            })
            .collect();
        out.sort_by(|x, y| y.1.delta.abs().total_cmp(&x.1.delta.abs()));
        out
    }

    /// The size of the change the rows are sorted by: |percent| of cycles per operation (a
    /// change from zero counts as the largest).
    pub fn size(&self) -> f64 {
        match self.cycles() {
            Some(c) => c.percent.map_or(f64::INFINITY, f64::abs),
            None => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_per_operation_with_a_percentage_of_the_baseline() {
        let c = Change::of("cycles", (1000, 10), (1200, 10));
        assert_eq!((c.a, c.b, c.delta), (100.0, 120.0, 20.0));
        assert_eq!(c.percent, Some(20.0));
        // Different operation counts still compare per operation.
        let c = Change::of("cycles", (1000, 10), (1000, 5));
        assert_eq!(c.delta, 100.0);
        assert_eq!(Change::of("traps", (0, 10), (0, 10)).percent, Some(0.0));
        assert_eq!(Change::of("traps", (0, 10), (5, 10)).percent, None);
        assert_eq!(Change::of("traps", (5, 0), (5, 0)).delta, 0.0);
        // Exact where the totals' difference divides: 20 per operation, not 20.000000000000004.
        assert_eq!(Change::of("cycles", (5237, 200), (9237, 200)).delta, 20.0);
    }
}
