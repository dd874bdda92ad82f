//! The band on every micro/mono ratio: how far the ratio moves when the profile's estimated
//! linear parameters take any values in their plausible ranges — computed from the counts the
//! runs already have, without rerunning.
//!
//! Each result carries `charges`: for every linear parameter (`emu::profile::linear::LINEAR`),
//! how many times the measured region charged it. Under other values `x_i` the region's cycles
//! are `C + Σ (charge_i(x_i) − charge_i(p_i)) × n_i`, exactly (see that module for when the
//! identity holds: time-driven events such as timer ticks do not move). The ratio
//!
//! ```text
//!   r(δ) = k × (A + Σ a_i δ_i) / (B + Σ b_i δ_i),   δ_i ∈ [lo_i, hi_i] ∋ 0
//! ```
//!
//! (micro's cycles and counts `A`, `a_i`; mono's `B`, `b_i`; `k` = mono's ops / micro's ops) is
//! linear-fractional with a positive denominator, so its extremes over the box are at vertices,
//! and more: at the maximum `r*` each `δ_i` is at its high end exactly when `a_i − r* b_i > 0`,
//! i.e. when `a_i / b_i > r*`. So with the parameters sorted by `a_i / b_i` (exact, by
//! cross-multiplication), the maximum is among the `n + 1` vertices that put a prefix of that
//! order high and the rest low, and the minimum among those that put a prefix low and the rest
//! high: O(n log n) instead of 2^n vertices, and exact (a test checks it against all vertices).
//!
//! A parameter's range is its `[sources]` entry's `low`..`high`, widened to include the value
//! the run used; `--set` drops the range, and a sweep point that sets the parameter pins it
//! too. `drivers` lists the parameters by how much each alone, from low to high with
//! the others at the profile's values, moves the ratio — largest first, those that move it not
//! at all left out.

use std::collections::BTreeMap;

use emu::profile::Profile;
use emu::profile::linear::{LINEAR, LinearTerm};
use serde::{Deserialize, Serialize};

use super::model::{BenchResult, Report};

/// One benchmark's micro/mono ratio with its band, at one profile and sweep point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Comparison {
    /// The benchmark.
    pub bench: String,
    /// The profile's hash.
    pub profile: String,
    /// The sweep point (empty for `klab bench`).
    #[serde(with = "super::point::json")]
    #[schemars(with = "BTreeMap<String, super::point::JsonValue>")]
    pub point: BTreeMap<String, String>,
    /// micro's cycles per operation over mono's.
    pub ratio: f64,
    /// The least the ratio is with the estimated parameters anywhere in their ranges.
    pub ratio_low: f64,
    /// The most it is.
    pub ratio_high: f64,
    /// The parameters that move it, largest effect first.
    pub drivers: Vec<String>,
}

/// What a band is computed from: one parameter's counts on each kernel and its range, as
/// changes of the per-event charge from the run's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Term {
    /// micro's count.
    pub a: u64,
    /// mono's count.
    pub b: u64,
    /// The change of the charge at the low end (≤ 0).
    pub lo: i128,
    /// The change at the high end (≥ 0).
    pub hi: i128,
}

/// A ratio `k × (A + Σ a_i δ_i) / (B + Σ b_i δ_i)` over a box of `δ`.
#[derive(Clone, Debug, PartialEq)]
pub struct Fraction {
    /// micro's cycles.
    pub a: u64,
    /// mono's cycles.
    pub b: u64,
    /// mono's ops over micro's ops.
    pub k: f64,
    /// The parameters.
    pub terms: Vec<Term>,
}

impl Fraction {
    /// The ratio with each term's `δ_i` given by `pick(i)`.
    pub fn at(&self, pick: impl Fn(usize) -> i128) -> f64 {
        let (mut n, mut d) = (i128::from(self.a), i128::from(self.b));
        for (i, t) in self.terms.iter().enumerate() {
            let x = pick(i);
            n += i128::from(t.a) * x;
            d += i128::from(t.b) * x;
        }
        if d <= 0 {
            return f64::NAN;
        }
        self.k * n as f64 / d as f64
    }

    /// The ratio at the run's values.
    pub fn ratio(&self) -> f64 {
        self.at(|_| 0)
    }

    /// The least and the most the ratio is over the box (see the module note).
    pub fn band(&self) -> (f64, f64) {
        // Terms by a_i / b_i, largest first; terms with no counts on either kernel move nothing.
        let mut order: Vec<usize> = (0..self.terms.len())
            .filter(|&i| self.terms[i].a != 0 || self.terms[i].b != 0)
            .collect();
        order.sort_by(|&i, &j| {
            let (s, t) = (&self.terms[i], &self.terms[j]);
            (u128::from(t.a) * u128::from(s.b)).cmp(&(u128::from(s.a) * u128::from(t.b)))
        });
        let mut rank = vec![usize::MAX; self.terms.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r;
        }
        let (mut low, mut high) = (self.ratio(), self.ratio());
        for k in 0..=order.len() {
            let max = self.at(|i| {
                if rank[i] < k {
                    self.terms[i].hi
                } else {
                    self.terms[i].lo
                }
            });
            let min = self.at(|i| {
                if rank[i] < k {
                    self.terms[i].lo
                } else {
                    self.terms[i].hi
                }
            });
            high = high.max(max);
            low = low.min(min);
        }
        (low, high)
    }

    /// How much each term alone (low to high, the others at the run's values) moves the ratio.
    pub fn effects(&self) -> Vec<f64> {
        (0..self.terms.len())
            .map(|j| {
                let t = &self.terms[j];
                let lo = self.at(|i| if i == j { t.lo } else { 0 });
                let hi = self.at(|i| if i == j { t.hi } else { 0 });
                (hi - lo).abs()
            })
            .collect()
    }
}

/// How many times the results' region charged each linear parameter, from the emulator's counts.
pub fn charges(counts: &emu::stats::Counts) -> BTreeMap<String, u64> {
    LINEAR
        .iter()
        .map(|t| (t.key.to_string(), t.count(counts)))
        .collect()
}

/// The parameters with a range in `profile`, and each one's term for the pair.
fn terms(profile: &Profile, micro: &BenchResult, mono: &BenchResult) -> Vec<(&'static str, Term)> {
    if !profile.timing {
        return Vec::new();
    }
    LINEAR
        .iter()
        // A parameter the sweep point sets is pinned there, whatever the profile record says
        // (records are found by hash, which leaves the sources out).
        .filter(|t| !micro.point.contains_key(t.key))
        .filter_map(|t: &LinearTerm| {
            let (low, high) = profile.sources.get(t.key)?.range()?;
            let value = u64::from((t.value)(profile));
            let at = |x: u64| i128::from(t.charge(x)) - i128::from(t.charge(value));
            let count = |r: &BenchResult| r.charges.get(t.key).copied();
            Some((
                t.key,
                Term {
                    a: count(micro)?,
                    b: count(mono)?,
                    lo: at(low.min(value)),
                    hi: at(high.max(value)),
                },
            ))
        })
        .collect()
}

/// The comparison of `micro` and `mono` (the same benchmark, profile and point) under
/// `profile`; `None` when a ratio cannot be formed (no operations, no cycles).
pub fn compare(
    profile: Option<&Profile>,
    micro: &BenchResult,
    mono: &BenchResult,
) -> Option<Comparison> {
    if micro.ops == 0 || mono.ops == 0 || mono.total.cycles == 0 {
        return None;
    }
    let named = profile.map_or_else(Vec::new, |p| terms(p, micro, mono));
    let f = Fraction {
        a: micro.total.cycles,
        b: mono.total.cycles,
        k: mono.ops as f64 / micro.ops as f64,
        terms: named.iter().map(|(_, t)| *t).collect(),
    };
    let (ratio_low, ratio_high) = f.band();
    let mut effects: Vec<(f64, &str)> = f
        .effects()
        .into_iter()
        .zip(named.iter().map(|(k, _)| *k))
        .filter(|(e, _)| *e > 0.0)
        .collect();
    effects.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(y.1)));
    Some(Comparison {
        bench: micro.bench.clone(),
        profile: micro.profile.clone(),
        point: micro.point.clone(),
        ratio: f.ratio(),
        ratio_low,
        ratio_high,
        drivers: effects.into_iter().map(|(_, k)| k.to_string()).collect(),
    })
}

/// Every comparison `report` allows: each benchmark × profile × point with results on both
/// kernels, in result order. A profile whose TOML does not load (another klab's) gives bands
/// of zero width.
pub fn comparisons(report: &Report) -> Vec<Comparison> {
    let profiles: BTreeMap<&str, Option<Profile>> = report
        .profiles
        .iter()
        .map(|p| (p.hash.as_str(), Profile::from_toml(&p.toml, &p.name).ok()))
        .collect();
    let mut out = Vec::new();
    for micro in report.results.iter().filter(|r| r.kernel == "micro") {
        let Some(mono) = report.find(&micro.bench, "mono", &micro.profile, &micro.point) else {
            continue;
        };
        let profile = profiles
            .get(micro.profile.as_str())
            .and_then(Option::as_ref);
        out.extend(compare(profile, micro, mono));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic stream of pseudo-random numbers (an LCG: the test needs variety, not
    /// quality).
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    /// The extremes over all 2^n vertices.
    fn brute(f: &Fraction) -> (f64, f64) {
        let n = f.terms.len();
        let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
        for mask in 0u32..1 << n {
            let r = f.at(|i| {
                if mask >> i & 1 == 1 {
                    f.terms[i].hi
                } else {
                    f.terms[i].lo
                }
            });
            low = low.min(r);
            high = high.max(r);
        }
        (low, high)
    }

    // Does the O(n log n) search find exactly the extremes that enumerating every vertex finds?
    #[test]
    fn the_sorted_search_finds_the_same_extremes_as_every_vertex() {
        let mut rng = Lcg(7);
        for _ in 0..2000 {
            let n = rng.below(9) as usize;
            let terms: Vec<Term> = (0..n)
                .map(|_| Term {
                    a: if rng.below(4) == 0 { 0 } else { rng.below(50) },
                    b: if rng.below(4) == 0 { 0 } else { rng.below(50) },
                    lo: -(rng.below(20) as i128),
                    hi: rng.below(40) as i128,
                })
                .collect();
            // As in a run, the cycles hold every charge at least at its lowest (charges are
            // never negative), so the denominator stays positive over the box.
            let least = |count: fn(&Term) -> u64| -> u64 {
                terms
                    .iter()
                    .map(|t| count(t) * t.lo.unsigned_abs() as u64)
                    .sum()
            };
            let f = Fraction {
                a: least(|t| t.a) + 1 + rng.below(100_000),
                b: least(|t| t.b) + 1 + rng.below(100_000),
                k: 1.0 + rng.below(3) as f64,
                terms,
            };
            let (low, high) = f.band();
            let (blow, bhigh) = brute(&f);
            assert!(
                (low - blow).abs() <= 1e-12 * blow.abs(),
                "{f:?}: {low} vs {blow}"
            );
            assert!(
                (high - bhigh).abs() <= 1e-12 * bhigh.abs(),
                "{f:?}: {high} vs {bhigh}"
            );
            assert!(
                low <= f.ratio() && f.ratio() <= high,
                "{f:?}: the band holds the ratio"
            );
        }
    }

    // Does a parameter with an empty range (low = high = value) add nothing to the band?
    #[test]
    fn an_empty_range_adds_nothing() {
        let wide = Term {
            a: 30,
            b: 4,
            lo: -4,
            hi: 22,
        };
        let empty = Term {
            a: 500,
            b: 1,
            lo: 0,
            hi: 0,
        };
        let one = Fraction {
            a: 70_000,
            b: 16_000,
            k: 1.0,
            terms: vec![wide],
        };
        let both = Fraction {
            terms: vec![wide, empty],
            ..one.clone()
        };
        assert_eq!(one.band(), both.band());
        assert_eq!(both.effects()[1], 0.0);
        let none = Fraction {
            terms: vec![empty],
            ..one.clone()
        };
        assert_eq!(none.band(), (none.ratio(), none.ratio()));
    }
}
