//! `report.html`: one self-contained page — inline CSS, inline SVG, no scripts, no external
//! references — with a header (build, profiles, images, sweep, notes, contents) and then the
//! [`sections`](super::sections), each holding exactly one chart.
//!
//! Every text taken from the report is escaped here or in `sections`.

use std::fmt::Write;

use crate::bench::model::Report;

use super::data::{self, Notes};
use super::format::html;
use super::sections::{self, Scope, Section};
use super::sweep;

/// The page's style sheet.
const CSS: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;\
max-width:1140px;margin:0 auto;padding:16px 20px}\
h1{font-size:1.6em;margin:.2em 0 .6em}h2{font-size:1.2em;margin:0 0 .5em}\
header dl{display:grid;grid-template-columns:max-content auto;gap:4px 18px;margin:0 0 1em}\
header dt{font-weight:600}header dd{margin:0}\
details summary{cursor:pointer}\
code,pre{font-family:ui-monospace,'DejaVu Sans Mono',monospace;font-size:12px}\
pre{background:#f6f6f6;padding:8px;overflow:auto}\
nav ul{columns:2 26em;column-gap:2em;padding-left:1.2em;margin:.3em 0}\
nav li{font-size:.9em;break-inside:avoid}nav p a{white-space:nowrap}\
section{border-top:1px solid #ddd;padding:18px 0 26px}\
.chart svg{display:block;max-width:100%;height:auto}\
.what{color:#444;margin:0 0 .6em}\
table{border-collapse:collapse;font-size:12.5px;margin-top:10px}\
th,td{padding:2px 9px;border-bottom:1px solid #eee;text-align:left}\
thead th{background:#f4f4f4;border-bottom:1px solid #bbb;text-align:center}\
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
tr.total td{font-weight:600;border-top:1px solid #bbb}\
.notes li{color:#444}";

/// `report.html` for `report`.
pub fn render(report: &Report) -> String {
    let notes = Notes::of(report);
    let groups = data::detail_groups(report);
    let several = groups.len() > 1;
    let scopes: Vec<Scope<'_>> = groups
        .iter()
        .enumerate()
        .map(|(i, group)| Scope {
            group: *group,
            prefix: if several {
                format!("g{}-", i + 1)
            } else {
                String::new()
            },
            suffix: if several {
                format!(" — {}", group.label(report))
            } else {
                String::new()
            },
        })
        .collect();
    // The overviews first, the sweep, then the (many) per-benchmark breakdowns.
    let mut all: Vec<Section> = Vec::new();
    for scope in &scopes {
        all.extend(super::bands::section(report, scope, &notes));
        all.extend(sections::families(report, scope, &notes));
        all.push(sections::ladder(report, scope, &notes));
        all.extend(sections::questions(report, scope, &notes));
        all.extend(super::timeline::sections(report, scope));
        all.extend(super::flame::sections(report, scope));
    }
    all.extend(sections::sweeps(report));
    for scope in &scopes {
        all.extend(sections::breakdowns(report, scope, &notes));
    }

    let mut out = String::from(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>klab benchmark report</title>\n",
    );
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>");
    out.push_str(&header(report, &notes, &all));
    out.push_str("<main>\n");
    if all.is_empty() {
        out.push_str("<p>No results.</p>\n");
    }
    for s in &all {
        out.push_str(&s.render());
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The header: title, build, profiles (with their TOML folded), images, sweep, notes, contents.
fn header(report: &Report, notes: &Notes, all: &[Section]) -> String {
    let mut out = String::from("<header>\n<h1>klab benchmark report</h1>\n<dl>\n");
    let _ = writeln!(
        out,
        "<dt>klab</dt><dd>{}, commit <code>{}</code></dd>",
        html(&report.klab.version),
        html(&report.klab.commit)
    );
    for p in &report.profiles {
        let _ = writeln!(
            out,
            "<dt>profile</dt><dd><details><summary>{} <code>{}</code></summary>\
             <pre>{}</pre></details></dd>",
            html(&data::profile_label(report, &p.name, &p.hash)),
            html(&p.hash),
            html(&p.toml)
        );
    }
    let images = data::images(report);
    if !images.is_empty() {
        let images: Vec<String> = images
            .iter()
            .map(|(k, v)| format!("{} <code>{}</code>", html(k), html(v)))
            .collect();
        let _ = writeln!(out, "<dt>images</dt><dd>{}</dd>", images.join(", "));
    }
    if !report.sweep.is_empty() {
        let shown = data::detail_groups(report)
            .first()
            .map(|g| g.label(report))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<dt>sweep</dt><dd>{} ({} points); the detailed sections show {}</dd>",
            html(&report.sweep.join(" × ")),
            sweep::points(report).len(),
            html(&shown)
        );
    }
    out.push_str("</dl>\n");
    let lines = notes.lines();
    if !lines.is_empty() {
        out.push_str("<p>Notes:</p>\n<ul class=\"notes\">\n");
        for line in lines {
            let _ = writeln!(out, "<li>{}</li>", html(&line));
        }
        out.push_str("</ul>\n");
    }
    if !all.is_empty() {
        let link = |s: &&Section| format!("<a href=\"#{}\">{}</a>", html(&s.id), html(&s.short));
        out.push_str("<nav>\n<p>Contents:</p>\n<ul>\n");
        for s in all.iter().filter(|s| !s.breakdown) {
            let _ = writeln!(out, "<li>{}</li>", link(&s));
        }
        out.push_str("</ul>\n");
        let breakdowns: Vec<String> = all
            .iter()
            .filter(|s| s.breakdown)
            .map(|s| link(&s))
            .collect();
        if !breakdowns.is_empty() {
            let _ = writeln!(out, "<p>Cycles by place: {}</p>", breakdowns.join(" · "));
        }
        out.push_str("</nav>\n");
    }
    out.push_str("</header>\n");
    out
}
