//! The comparison as text: the terminal table, `compare.md` and the CSV of `--format csv`.
//!
//! Every rendering shows the same rows in the same order (largest change in cycles per
//! operation first) with the same numbers ([`signed`], [`percent`]); the CSV has every counter
//! of every place, one line each.

use std::fmt::Write;

use crate::bench::model::METRICS;
use crate::bench::rows::point_text;
use crate::export;
use crate::report::format::{self, MISSING};

use super::model::{Change, Comparison, Row};

/// Short names of the counters after cycles and instructions, for the "other counters" column.
const SHORT: [(&str, &str); 7] = [
    ("traps", "traps"),
    ("context_switches", "cs"),
    ("satp_writes", "satp"),
    ("tlb_misses", "tlb"),
    ("l1i_misses", "l1i"),
    ("l1d_misses", "l1d"),
    ("l2_misses", "l2"),
];

/// A change per operation with its sign: `+20.0`, `-3.5`, `0`.
pub fn signed(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        format::num(v)
    } else if v > 0.0 {
        format!("+{}", format::num(v))
    } else {
        format!("-{}", format::num(-v))
    }
}

/// A percentage change: `+12.0%`, `-0.05%`, `0%`, or [`MISSING`] for a change from zero.
pub fn percent(p: Option<f64>) -> String {
    match p {
        Some(0.0) => "0%".to_string(),
        Some(p) if p.abs() < 0.1 => format!("{p:+.2}%"),
        Some(p) if p.is_finite() => format!("{p:+.1}%"),
        _ => MISSING.to_string(),
    }
}

/// `A: before (dir) · B: after (dir)` and, when the sides were produced differently, the
/// differences (`profile penalty.trap 20 → 40`).
pub fn heading(c: &Comparison) -> Vec<String> {
    let side = |name: &str, s: &super::model::Side| {
        let kernel = s
            .kernel
            .as_ref()
            .map_or(String::new(), |k| format!(", {k}"));
        format!("{name}: {} ({}{kernel})", s.label, s.source)
    };
    let mut out = vec![format!("{} · {}", side("A", &c.a), side("B", &c.b))];
    if !c.differences.is_empty() {
        let d: Vec<String> = c
            .differences
            .iter()
            .map(|d| format!("{} {} → {}", d.what, d.a, d.b))
            .collect();
        out.push(format!("differences: {}", d.join("; ")));
    }
    out
}

/// The places whose cycles moved: `kernel +20.0, proc -1.5` (cycles per operation).
pub fn places_cell(r: &Row) -> String {
    let moved = r.moved_places();
    if moved.is_empty() {
        return "none".to_string();
    }
    moved
        .iter()
        .map(|(place, c)| format!("{place} {}", signed(c.delta)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The other counters that moved, per operation: `traps +1.0, tlb +3.0`.
pub fn others_cell(r: &Row) -> String {
    let moved: Vec<String> = SHORT
        .iter()
        .filter_map(|(field, short)| {
            r.metric(field)
                .filter(|c| c.moved())
                .map(|c| format!("{short} {}", signed(c.delta)))
        })
        .collect();
    moved.join(", ")
}

/// The summary columns: (header, right-aligned).
fn columns(with_point: bool) -> Vec<(&'static str, bool)> {
    let mut out = vec![("benchmark", false), ("kernel", false)];
    if with_point {
        out.push(("point", false));
    }
    out.extend([
        ("A cycles/op", true),
        ("B cycles/op", true),
        ("Δ cycles/op", true),
        ("Δ%", true),
        ("Δ% instr/op", true),
        ("places (Δ cycles/op)", false),
        ("other counters (Δ/op)", false),
    ]);
    out
}

/// The summary cells of `r`, in [`columns`] order.
fn cells(r: &Row, with_point: bool) -> Vec<String> {
    let none = Change::of("cycles", (0, 0), (0, 0));
    let cycles = r.cycles().unwrap_or(&none);
    let instructions = r.metric("instructions").unwrap_or(&none);
    let mut out = vec![r.bench.clone(), r.kernel_label()];
    if with_point {
        out.push(point_text(&r.point));
    }
    out.extend([
        format::num(cycles.a),
        format::num(cycles.b),
        signed(cycles.delta),
        percent(cycles.percent),
        percent(instructions.percent),
        places_cell(r),
        others_cell(r),
    ]);
    out
}

/// Whether any row has a sweep point.
fn any_point(c: &Comparison) -> bool {
    c.rows.iter().any(|r| !r.point.is_empty())
}

/// The terminal table: the heading, one line per row, then the mismatches.
pub fn table(c: &Comparison) -> String {
    let mut out = String::new();
    for line in heading(c) {
        out.push_str(&line);
        out.push('\n');
    }
    let with_point = any_point(c);
    let cols = columns(with_point);
    if c.rows.is_empty() {
        out.push_str("no results to compare: the two sides share no benchmark\n");
    } else {
        let mut rows = vec![cols.iter().map(|(h, _)| h.to_string()).collect()];
        rows.extend(c.rows.iter().map(|r| cells(r, with_point)));
        let right: Vec<bool> = cols.iter().map(|(_, r)| *r).collect();
        out.push_str(&crate::report::table::columns_aligned(&rows, &right));
    }
    for m in &c.mismatches {
        let _ = writeln!(out, "note: {}", m.detail);
    }
    out
}

/// A Markdown table row of already-escaped cells.
fn md_row(cells: &[String]) -> String {
    format!("| {} |\n", cells.join(" | "))
}

/// A Markdown header with its alignment line.
fn md_head(cols: &[(&str, bool)]) -> String {
    let names: Vec<String> = cols.iter().map(|(h, _)| format::markdown(h)).collect();
    let rule: Vec<String> = cols
        .iter()
        .map(|(_, r)| if *r { "--:" } else { "---" }.to_string())
        .collect();
    md_row(&names) + &md_row(&rule)
}

/// `compare.md`: the sides, the differences, the summary table, every counter that moved,
/// and the mismatches.
pub fn markdown(c: &Comparison) -> String {
    let mut out = String::from("# klab comparison\n\n");
    for (name, s) in [("A", &c.a), ("B", &c.b)] {
        let kernel = s.kernel.as_ref().map_or(String::new(), |k| {
            format!(", kernel {}", format::markdown(k))
        });
        let _ = writeln!(
            out,
            "- {name}: **{}** — `{}`{kernel}; klab {} `{}`; {} results",
            format::markdown(&s.label),
            format::markdown(&s.source),
            format::markdown(&s.klab.version),
            format::markdown(&s.klab.commit),
            s.results
        );
    }
    if !c.differences.is_empty() {
        out.push_str("\n## What differs\n\n");
        out.push_str(&md_head(&[("what", false), ("A", false), ("B", false)]));
        for d in &c.differences {
            out.push_str(&md_row(&[
                format::markdown(&d.what),
                format::markdown(&d.a),
                format::markdown(&d.b),
            ]));
        }
    }
    out.push_str("\n## Changes, largest first\n\n");
    if c.rows.is_empty() {
        out.push_str("No results to compare: the two sides share no benchmark.\n");
    } else {
        let with_point = any_point(c);
        out.push_str(&md_head(&columns(with_point)));
        for r in &c.rows {
            let cells: Vec<String> = cells(r, with_point)
                .iter()
                .map(|s| format::markdown(s))
                .collect();
            out.push_str(&md_row(&cells));
        }
        out.push_str(&every_counter(c));
    }
    if !c.mismatches.is_empty() {
        out.push_str("\n## Not compared, or with a caveat\n\n");
        for m in &c.mismatches {
            let _ = writeln!(out, "- {}", format::markdown(&m.detail));
        }
    }
    out
}

/// The Markdown table of every counter that moved, per row and place.
fn every_counter(c: &Comparison) -> String {
    let mut out = String::from("\n## Every counter that moved (per operation)\n\n");
    out.push_str(&md_head(&[
        ("benchmark", false),
        ("kernel", false),
        ("point", false),
        ("place", false),
        ("counter", false),
        ("A", true),
        ("B", true),
        ("Δ", true),
        ("Δ%", true),
    ]));
    fn label(field: &str) -> &str {
        METRICS
            .iter()
            .find(|(f, _, _)| *f == field)
            .map_or(field, |(_, l, _)| *l)
    }
    for r in &c.rows {
        let places = std::iter::once(("total", &r.metrics))
            .chain(r.places.iter().map(|p| (p.place.as_str(), &p.metrics)));
        for (place, metrics) in places {
            for m in metrics.iter().filter(|m| m.moved()) {
                out.push_str(&md_row(&[
                    format::markdown(&r.bench),
                    format::markdown(&r.kernel_label()),
                    format::markdown(&point_text(&r.point)),
                    format::markdown(place),
                    format::markdown(label(&m.metric)),
                    format::num(m.a),
                    format::num(m.b),
                    format::markdown(&signed(m.delta)),
                    format::markdown(&percent(m.percent)),
                ]));
            }
        }
    }
    out
}

/// The CSV header of [`csv`].
pub const CSV_HEADER: [&str; 16] = [
    "bench",
    "kernel_a",
    "kernel_b",
    "point",
    "profile_a",
    "profile_b",
    "ops_a",
    "ops_b",
    "place",
    "metric",
    "a",
    "b",
    "delta",
    "percent",
    "total_a",
    "total_b",
];

/// `--format csv`: one line per row × place (`total` first) × counter, in row order; `a`, `b`
/// and `delta` per operation, `percent` empty for a change from zero.
pub fn csv(c: &Comparison) -> String {
    let mut lines = Vec::new();
    for r in &c.rows {
        let places = std::iter::once(("total", &r.metrics))
            .chain(r.places.iter().map(|p| (p.place.as_str(), &p.metrics)));
        for (place, metrics) in places {
            for m in metrics {
                lines.push(vec![
                    r.bench.clone(),
                    r.kernel_a.clone(),
                    r.kernel_b.clone(),
                    point_text(&r.point),
                    r.profile_a.clone(),
                    r.profile_b.clone(),
                    r.ops_a.to_string(),
                    r.ops_b.to_string(),
                    place.to_string(),
                    m.metric.clone(),
                    m.a.to_string(),
                    m.b.to_string(),
                    m.delta.to_string(),
                    m.percent.map_or(String::new(), |p| p.to_string()),
                    m.total_a.to_string(),
                    m.total_b.to_string(),
                ]);
            }
        }
    }
    export::csv(&CSV_HEADER, lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_print_with_their_sign() {
        assert_eq!(signed(20.0), "+20.0");
        assert_eq!(signed(-3.5), "-3.5");
        assert_eq!(signed(0.0), "0");
        assert_eq!(signed(1234.4), "+1234");
        assert_eq!(percent(Some(12.04)), "+12.0%");
        assert_eq!(percent(Some(-0.05)), "-0.05%");
        assert_eq!(percent(Some(0.0)), "0%");
        assert_eq!(percent(None), MISSING);
    }
}
