//! The terminal table `klab bench` prints: per (profile, point) group, one row per benchmark with
//! cycles/op on each kernel, their ratio with its band (`4.16× (3.9–4.8)`: the ratio's range over
//! the profile's estimated parameters, see `bench::bands`) and context switches/op, then the
//! numbered notes.
//!
//! Plain text with space-aligned columns (widths counted in characters); no colours, so it reads
//! the same in a pipe or a log.

use crate::bench::model::Report;

use super::data::{self, CONTEXT_SWITCHES, CYCLES, Notes};
use super::format::{opt_num, ratio_band, ratio_of};

/// The column headers; every column but the first two and the last is right-aligned.
const HEADER: [&str; 8] = [
    "benchmark",
    "unit",
    "mono cycles/op",
    "micro cycles/op",
    "micro/mono",
    "mono cs/op",
    "micro cs/op",
    "note",
];

/// The terminal table for `report`.
pub fn render(report: &Report) -> String {
    let groups = data::groups(report);
    if groups.is_empty() {
        return "no results\n".to_string();
    }
    let benches = data::benches(report);
    let notes = Notes::of(report);
    let mut out = String::new();
    for (i, group) in groups.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&group.label(report));
        out.push('\n');
        let mut rows = vec![HEADER.map(String::from).to_vec()];
        for b in &benches {
            let pair = data::pair(report, b.name, group);
            if pair.mono.is_none() && pair.micro.is_none() {
                continue;
            }
            let [mono, micro] = pair.per_op(CYCLES);
            let [mono_cs, micro_cs] = pair.per_op(CONTEXT_SWITCHES);
            let band = data::comparison(report, b.name, group).map(|c| (c.ratio_low, c.ratio_high));
            rows.push(vec![
                b.name.to_string(),
                b.unit.to_string(),
                opt_num(mono),
                opt_num(micro),
                ratio_band(ratio_of(mono, micro), band),
                opt_num(mono_cs),
                opt_num(micro_cs),
                notes.marker(b.name),
            ]);
        }
        out.push_str(&align(&rows));
    }
    let lines = notes.lines();
    if !lines.is_empty() {
        out.push('\n');
        for line in lines {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// `rows` as text columns two spaces apart; columns 2..len-1 right-aligned, trailing spaces
/// trimmed.
fn align(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let right: Vec<bool> = (0..columns).map(|c| c >= 2 && c + 1 < columns).collect();
    columns_aligned(rows, &right)
}

/// `rows` as columns two spaces apart, right-aligned where `right` says; trailing spaces
/// trimmed. Widths count characters. (The report's tables and `klab compare`'s.)
pub(crate) fn columns_aligned(rows: &[Vec<String>], right: &[bool]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            let w = widths[c];
            if right.get(c).copied().unwrap_or(false) {
                line.push_str(&format!("{cell:>w$}"));
            } else {
                line.push_str(&format!("{cell:<w$}"));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
