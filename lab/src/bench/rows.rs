//! A report as flat records for `--format csv`: one line per result and place — the place
//! `total` first, then `user`, `kernel` and each server — with the counters as region totals
//! (divide by `ops` for per-operation figures), so a spreadsheet or a data frame needs no JSON.
//! The [`METRICS`] columns come first, then the bytes loaded and stored.

use super::model::{Counters, METRICS, Report};
use crate::export;

/// The columns before the counters.
const KEYS: [&str; 9] = [
    "bench", "family", "unit", "kernel", "profile", "point", "place", "ops", "note",
];

/// `report` as CSV text: a header line, then the records in report order.
pub fn csv(report: &Report) -> String {
    let mut header: Vec<&str> = KEYS.to_vec();
    header.extend(METRICS.iter().map(|(field, _, _)| *field));
    header.extend(BYTES);
    let mut rows = Vec::new();
    for r in &report.results {
        let places = std::iter::once(("total", &r.total))
            .chain(r.parts.iter().map(|p| (p.place.as_str(), &p.counters)));
        for (place, counters) in places {
            let mut row = vec![
                r.bench.clone(),
                r.family.clone(),
                r.unit.clone(),
                r.kernel.clone(),
                r.profile.clone(),
                point_text(&r.point),
                place.to_string(),
                r.ops.to_string(),
                r.note.clone().unwrap_or_default(),
            ];
            row.extend(values(counters));
            rows.push(row);
        }
    }
    export::csv(&header, rows)
}

/// A sweep point as one field: `asid=on tlb.entries=8` (keys in order; empty outside sweeps).
pub fn point_text(point: &std::collections::BTreeMap<String, String>) -> String {
    point
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The byte columns after the [`METRICS`] ones.
const BYTES: [&str; 2] = ["bytes_loaded", "bytes_stored"];

/// The counters as text, in [`METRICS`] order, then [`BYTES`].
fn values(c: &Counters) -> Vec<String> {
    c.values()
        .iter()
        .chain(&[c.bytes_loaded, c.bytes_stored])
        .map(u64::to_string)
        .collect()
}
