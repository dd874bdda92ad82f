//! `report.md`: the build and profiles, then for each detailed group the micro/mono ratios with
//! their bands, a table per benchmark family with every metric per operation on both kernels and
//! their ratio, the breakdown of cycles by place, the cost ladder; then the notes, for a sweep
//! the micro/mono cycles ratio (with its band) at every grid point, and where each profile's
//! numbers come from.
//!
//! Every text that comes from the report is escaped ([`format::markdown`]); numbers use
//! [`format::num`] like the other renderings.

use std::fmt::Write;

use crate::bench::catalog::LADDER;
use crate::bench::model::{METRICS, Report};

use super::data::{self, CYCLES, Group, KERNELS, Notes};
use super::format::{self, opt_num, ratio, ratio_of};
use super::sweep;

/// `report.md` for `report`.
pub fn render(report: &Report) -> String {
    let mut out = String::from("# klab benchmark report\n\n");
    out.push_str(&header(report));
    out.push_str(&catalogue(report));
    let groups = data::detail_groups(report);
    let notes = Notes::of(report);
    for group in &groups {
        let _ = writeln!(
            out,
            "\n## Results: {}",
            format::markdown(&group.label(report))
        );
        out.push_str(&super::bands::markdown(report, group, &notes));
        out.push_str(&families(report, group, &notes));
        out.push_str(&breakdown(report, group, &notes));
        out.push_str(&ladder(report, group, &notes));
        out.push_str(&questions(report, group, &notes));
    }
    if groups.is_empty() {
        out.push_str("\nNo results.\n");
    }
    let lines = notes.lines();
    if !lines.is_empty() {
        out.push_str("\n## Notes\n\n");
        for line in lines {
            let _ = writeln!(out, "- {}", format::markdown(&line));
        }
    }
    if !report.sweep.is_empty() {
        out.push_str(&sweep_table(report));
    }
    out.push_str(&super::bands::markdown_sources(report));
    out
}

/// The bullet list under the title: build, profiles, images, sweep.
fn header(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "- klab {}, commit `{}`",
        format::markdown(&report.klab.version),
        format::markdown(&report.klab.commit)
    );
    for p in &report.profiles {
        let _ = writeln!(
            out,
            "- profile {}: `{}`",
            format::markdown(&data::profile_label(report, &p.name, &p.hash)),
            format::markdown(&p.hash)
        );
    }
    let images = data::images(report);
    if !images.is_empty() {
        let images: Vec<String> = images
            .iter()
            .map(|(k, v)| format!("{} `{}`", format::markdown(k), format::markdown(v)))
            .collect();
        let _ = writeln!(out, "- images: {}", images.join(", "));
    }
    if !report.sweep.is_empty() {
        let params: Vec<String> = report.sweep.iter().map(|p| format::markdown(p)).collect();
        let _ = writeln!(
            out,
            "- sweep over {} ({} points); the detailed tables show the first point",
            params.join(" × "),
            sweep::points(report).len()
        );
    }
    out
}

/// What each benchmark measures.
fn catalogue(report: &Report) -> String {
    let benches = data::benches(report);
    if benches.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n## Benchmarks\n\n");
    out.push_str(&head(
        &["benchmark", "family", "one operation", "what it measures"],
        4,
    ));
    for b in benches {
        out.push_str(&row(&[
            format::markdown(b.name),
            format::markdown(b.family),
            format::markdown(b.unit),
            format::markdown(b.title),
        ]));
    }
    out
}

/// A Markdown table row.
fn row(cells: &[String]) -> String {
    format!("| {} |\n", cells.join(" | "))
}

/// The header row and alignment row: the first `left` columns left-aligned, the rest right.
fn head(cells: &[&str], left: usize) -> String {
    let names: Vec<String> = cells.iter().map(|c| format::markdown(c)).collect();
    let rule: Vec<String> = (0..cells.len())
        .map(|i| if i < left { "---" } else { "--:" }.to_string())
        .collect();
    row(&names) + &row(&rule)
}

/// The benchmark's name cell with its note marker.
fn name_cell(name: &str, notes: &Notes) -> String {
    let marker = notes.marker(name);
    if marker.is_empty() {
        format::markdown(name)
    } else {
        format::markdown(&format!("{name} {marker}"))
    }
}

/// One table per benchmark family: per benchmark a mono row, a micro row and a ratio row.
fn families(report: &Report, group: &Group<'_>, notes: &Notes) -> String {
    let benches = data::benches(report);
    let mut columns = vec!["benchmark", "unit", "kernel"];
    columns.extend(METRICS.iter().map(|m| m.1));
    let mut out = String::new();
    for family in data::families(&benches) {
        let _ = writeln!(out, "\n### {} (per operation)\n", format::markdown(family));
        out.push_str(&head(&columns, 3));
        for b in benches.iter().filter(|b| b.family == family) {
            let pair = data::pair(report, b.name, group);
            let values: Vec<[Option<f64>; 2]> =
                (0..METRICS.len()).map(|m| pair.per_op(m)).collect();
            for (k, kernel) in KERNELS.iter().enumerate() {
                let mut cells = if k == 0 {
                    vec![name_cell(b.name, notes), format::markdown(b.unit)]
                } else {
                    vec![String::new(), String::new()]
                };
                cells.push(kernel.to_string());
                cells.extend(values.iter().map(|v| opt_num(v[k])));
                out.push_str(&row(&cells));
            }
            let mut cells = vec![String::new(), String::new(), "micro/mono".to_string()];
            cells.extend(values.iter().map(|[a, b]| ratio(ratio_of(*a, *b))));
            out.push_str(&row(&cells));
        }
    }
    out
}

/// Cycles per operation by place, one row per benchmark and kernel.
fn breakdown(report: &Report, group: &Group<'_>, notes: &Notes) -> String {
    let places = data::places(report);
    let titles: Vec<String> = places.iter().map(|p| format!("in {p}")).collect();
    let mut columns = vec!["benchmark", "kernel"];
    columns.extend(titles.iter().map(String::as_str));
    columns.push("total");
    let mut out = String::from("\n### Cycles per operation by place\n\n");
    out.push_str(&head(&columns, 2));
    for b in data::benches(report) {
        let pair = data::pair(report, b.name, group);
        let totals = pair.per_op(CYCLES);
        for (k, kernel) in KERNELS.iter().enumerate() {
            let name = if k == 0 {
                name_cell(b.name, notes)
            } else {
                String::new()
            };
            let mut cells = vec![name, kernel.to_string()];
            cells.extend(places.iter().map(|p| opt_num(pair.place_cycles(p)[k])));
            cells.push(opt_num(totals[k]));
            out.push_str(&row(&cells));
        }
    }
    out
}

/// The cost ladder: cycles per operation of each step on both kernels.
fn ladder(report: &Report, group: &Group<'_>, notes: &Notes) -> String {
    let mut out = String::from("\n### Cost ladder\n\n");
    out.push_str(&head(
        &[
            "step",
            "benchmark",
            "what",
            "mono cycles/op",
            "micro cycles/op",
            "micro/mono",
            "mono floor",
            "mono/floor",
            "micro floor",
            "micro/floor",
        ],
        3,
    ));
    let benches = data::benches(report);
    for (i, name) in LADDER.iter().enumerate() {
        let title = benches
            .iter()
            .find(|b| b.name == *name)
            .map_or("", |b| b.title);
        let pair = data::pair(report, name, group);
        let [mono, micro] = pair.per_op(CYCLES);
        let floor = pair.floor();
        let over = pair.over_floor();
        out.push_str(&row(&[
            (i + 1).to_string(),
            name_cell(name, notes),
            format::markdown(title),
            opt_num(mono),
            opt_num(micro),
            ratio(ratio_of(mono, micro)),
            opt_num(floor[0]),
            ratio(over[0]),
            opt_num(floor[1]),
            ratio(over[1]),
        ]));
    }
    if let Some(text) = data::floor_explanation(report, group) {
        let _ = writeln!(out, "\n{}", format::markdown(&text));
    }
    out.push_str(&super::timeline::markdown(report, group));
    out
}

/// Micro/mono cycles ratio per benchmark (rows) and grid point (columns).
fn sweep_table(report: &Report) -> String {
    let points = sweep::points(report);
    let labels: Vec<String> = points.iter().map(|p| data::point_label(p)).collect();
    let mut columns = vec!["benchmark"];
    columns.extend(labels.iter().map(String::as_str));
    let mut out = String::from("\n## Sweep: micro/mono cycles ratio per point\n\n");
    out.push_str(&head(&columns, 1));
    for b in data::benches(report) {
        let mut cells = vec![format::markdown(b.name)];
        cells.extend(points.iter().map(|p| {
            let band = data::comparison_at(report, b.name, p).map(|c| (c.ratio_low, c.ratio_high));
            format::markdown(&format::ratio_band(
                sweep::ratio_at(report, b.name, p),
                band,
            ))
        }));
        out.push_str(&row(&cells));
    }
    out
}

/// One subsection per question the benchmarks answer: the reading, then the table.
fn questions(report: &Report, group: &Group<'_>, notes: &Notes) -> String {
    let mut out = String::new();
    for a in super::questions::answers(report, group, notes) {
        let _ = writeln!(out, "\n### {}\n", format::markdown(&a.title));
        if !a.reading.is_empty() {
            let _ = writeln!(out, "{}\n", format::markdown(&a.reading));
        }
        let head_cells: Vec<&str> = a.head.iter().map(String::as_str).collect();
        out.push_str(&head(&head_cells, 1));
        for r in &a.rows {
            let cells: Vec<String> = r.iter().map(|c| format::markdown(c)).collect();
            out.push_str(&row(&cells));
        }
    }
    out
}
