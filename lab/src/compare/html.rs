//! `compare.html`: one self-contained page — inline CSS and SVG, no scripts, no external
//! references — with the two sides and what differs between them, two charts (the change in
//! cycles per operation in percent, and in cycles per operation by place), the summary table
//! and the mismatches.
//!
//! Every text taken from the comparison is escaped here ([`format::html`]).

use std::fmt::Write;

use crate::bench::rows::point_text;
use crate::report::format::{self, html};

use super::chart::{Bar, diverging};
use super::model::{Comparison, Row};
use super::text::{others_cell, percent, places_cell, signed};

/// The most rows a chart shows (the largest changes; the table has them all).
const CHART_ROWS: usize = 40;

/// The page's style sheet.
const CSS: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;\
max-width:1140px;margin:0 auto;padding:16px 20px}\
h1{font-size:1.6em;margin:.2em 0 .6em}h2{font-size:1.2em;margin:0 0 .5em}\
header dl{display:grid;grid-template-columns:max-content auto;gap:4px 18px;margin:0 0 1em}\
header dt{font-weight:600}header dd{margin:0}\
code{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:12px}\
section{border-top:1px solid #ddd;padding:18px 0 26px}\
.chart svg{display:block;max-width:100%;height:auto}\
.what{color:#444;margin:0 0 .6em}\
table{border-collapse:collapse;font-size:12.5px;margin-top:10px}\
th,td{padding:2px 9px;border-bottom:1px solid #eee;text-align:left}\
thead th{background:#f4f4f4;border-bottom:1px solid #bbb;text-align:center}\
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}";

/// A row's name in the charts: `getpid · mono`, with the point in a sweep.
fn row_name(r: &Row) -> String {
    let mut s = format!("{} · {}", r.bench, r.kernel_label());
    if !r.point.is_empty() {
        s.push_str(&format!(" · {}", point_text(&r.point)));
    }
    s
}

/// `compare.html` for `c`.
pub fn render(c: &Comparison) -> String {
    let mut out = String::from(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>klab comparison</title>\n",
    );
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>");
    out.push_str(&header(c));
    out.push_str("<main>\n");
    if c.rows.is_empty() {
        out.push_str("<p>No results to compare: the two sides share no benchmark.</p>\n");
    } else {
        out.push_str(&charts(c));
        out.push_str(&table(c));
    }
    if !c.mismatches.is_empty() {
        out.push_str(
            "<section id=\"mismatches\">\n<h2>Not compared, or with a caveat</h2>\n<ul>\n",
        );
        for m in &c.mismatches {
            let _ = writeln!(out, "<li>{}</li>", html(&m.detail));
        }
        out.push_str("</ul>\n</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The title, the sides and what differs.
fn header(c: &Comparison) -> String {
    let mut out = String::from("<header>\n<h1>klab comparison</h1>\n<dl>\n");
    for (name, s) in [("A", &c.a), ("B", &c.b)] {
        let kernel = s
            .kernel
            .as_ref()
            .map_or(String::new(), |k| format!(", kernel {}", html(k)));
        let _ = writeln!(
            out,
            "<dt>{name}</dt><dd><b>{}</b> — <code>{}</code>{kernel}; klab {} <code>{}</code>; \
             {} results</dd>",
            html(&s.label),
            html(&s.source),
            html(&s.klab.version),
            html(&s.klab.commit),
            s.results
        );
    }
    out.push_str("</dl>\n");
    if !c.differences.is_empty() {
        out.push_str(
            "<table><thead><tr><th>what differs</th><th>A</th><th>B</th></tr></thead><tbody>\n",
        );
        for d in &c.differences {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>",
                html(&d.what),
                html(&d.a),
                html(&d.b)
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out.push_str("</header>\n");
    out
}

/// The two charts, of the rows with the largest changes.
fn charts(c: &Comparison) -> String {
    let shown: Vec<&Row> = c.rows.iter().take(CHART_ROWS).collect();
    let more = if c.rows.len() > shown.len() {
        format!(" The {} largest of {} changes.", shown.len(), c.rows.len())
    } else {
        String::new()
    };
    let percent_bars: Vec<Bar> = shown
        .iter()
        .map(|r| Bar {
            name: row_name(r),
            values: vec![r.cycles().and_then(|c| c.percent).unwrap_or(0.0)],
        })
        .collect();
    let mut places: Vec<&str> = Vec::new();
    for r in &shown {
        for p in &r.places {
            if !places.contains(&p.place.as_str()) {
                places.push(&p.place);
            }
        }
    }
    let place_bars: Vec<Bar> = shown
        .iter()
        .map(|r| Bar {
            name: row_name(r),
            values: places
                .iter()
                .map(|place| {
                    r.places
                        .iter()
                        .find(|p| p.place == *place)
                        .and_then(|p| p.metrics.iter().find(|m| m.metric == "cycles"))
                        .map_or(0.0, |m| m.delta)
                })
                .collect(),
        })
        .collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<section id=\"cycles\">\n<h2>Change in cycles per operation</h2>\n\
         <p class=\"what\">B against A, in percent of A; largest change first.{}</p>\n\
         <div class=\"chart\">{}</div>\n</section>",
        html(&more),
        diverging(
            &percent_bars,
            &["cycles"],
            "change in cycles per operation (%)",
            &|v| { percent(Some(v)) }
        )
    );
    let _ = writeln!(
        out,
        "<section id=\"places\">\n<h2>Where the cycles moved</h2>\n\
         <p class=\"what\">The change in cycles per operation by place: increases to the right, \
         decreases to the left; the number is the net change.{}</p>\n\
         <div class=\"chart\">{}</div>\n</section>",
        html(&more),
        diverging(
            &place_bars,
            &places,
            "change in cycles per operation",
            &signed
        )
    );
    out
}

/// The summary table of every row.
fn table(c: &Comparison) -> String {
    let mut out = String::from(
        "<section id=\"table\">\n<h2>Every change</h2>\n<table>\n<thead><tr><th>benchmark</th>\
         <th>kernel</th><th>point</th><th>A cycles/op</th><th>B cycles/op</th>\
         <th>Δ cycles/op</th><th>Δ%</th><th>Δ% instr/op</th><th>places (Δ cycles/op)</th>\
         <th>other counters (Δ/op)</th></tr></thead>\n<tbody>\n",
    );
    for r in &c.rows {
        let Some(cy) = r.cycles() else { continue };
        let instr = r.metric("instructions").and_then(|m| m.percent);
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td>\
             <td>{}</td></tr>",
            html(&r.bench),
            html(&r.kernel_label()),
            html(&point_text(&r.point)),
            format::num(cy.a),
            format::num(cy.b),
            html(&signed(cy.delta)),
            html(&percent(cy.percent)),
            html(&percent(instr)),
            html(&places_cell(r)),
            html(&others_cell(r)),
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
    out
}
