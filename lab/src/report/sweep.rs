//! The sweep grid of a `klab sweep` report: each parameter's values in order, the assignments of
//! the other parameters, and the micro/mono cycles ratio at a grid point.
//!
//! Points are matched by their parameter values only; the profile a point ran with follows from
//! them, so it is not compared.

use std::collections::BTreeMap;

use crate::bench::model::Report;

use super::data::KERNELS;
use super::format::ratio_of;

/// One swept parameter and the values the grid gives it.
#[derive(Clone, Debug)]
pub struct Axis<'a> {
    /// Its name (`tlb.entries`).
    pub param: &'a str,
    /// Its values: numeric order when every value is a number, else the order results give.
    pub values: Vec<&'a str>,
}

/// The axes of the sweep, in [`Report::sweep`] order (empty for `klab bench`).
pub fn axes(report: &Report) -> Vec<Axis<'_>> {
    report
        .sweep
        .iter()
        .map(|param| {
            let mut values: Vec<&str> = Vec::new();
            for r in &report.results {
                if let Some(v) = r.point.get(param)
                    && !values.contains(&v.as_str())
                {
                    values.push(v);
                }
            }
            let numbers: Option<Vec<f64>> = values.iter().map(|v| v.parse().ok()).collect();
            if let Some(numbers) = numbers {
                let mut keyed: Vec<(f64, &str)> = numbers.into_iter().zip(values).collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
                values = keyed.into_iter().map(|(_, v)| v).collect();
            }
            Axis { param, values }
        })
        .collect()
}

/// Every grid point, in the order results first give them.
pub fn points(report: &Report) -> Vec<&BTreeMap<String, String>> {
    let mut out: Vec<&BTreeMap<String, String>> = Vec::new();
    for r in &report.results {
        if !out.contains(&&r.point) {
            out.push(&r.point);
        }
    }
    out
}

/// The distinct assignments of every parameter but `param`, in the order results give them
/// (one empty assignment when `param` is the only one).
pub fn others(report: &Report, param: &str) -> Vec<BTreeMap<String, String>> {
    let mut out: Vec<BTreeMap<String, String>> = Vec::new();
    for p in points(report) {
        let mut rest = p.clone();
        rest.remove(param);
        if !out.contains(&rest) {
            out.push(rest);
        }
    }
    out
}

/// `fixed` with `param` set to `value`.
pub fn with(
    fixed: &BTreeMap<String, String>,
    param: &str,
    value: &str,
) -> BTreeMap<String, String> {
    let mut p = fixed.clone();
    p.insert(param.to_string(), value.to_string());
    p
}

/// Cycles/op of `bench` on `kernel` at `point`, if measured.
pub fn cycles_at(
    report: &Report,
    bench: &str,
    kernel: &str,
    point: &BTreeMap<String, String>,
) -> Option<f64> {
    report
        .results
        .iter()
        .find(|r| r.bench == bench && r.kernel == kernel && &r.point == point)
        .map(|r| r.cycles_per_op())
}

/// Micro cycles/op over mono cycles/op for `bench` at `point`, when both were measured.
pub fn ratio_at(report: &Report, bench: &str, point: &BTreeMap<String, String>) -> Option<f64> {
    let cycles = |kernel: &str| cycles_at(report, bench, kernel, point);
    ratio_of(cycles(KERNELS[0]), cycles(KERNELS[1]))
}
