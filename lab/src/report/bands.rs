//! The bands in the report: per group, each benchmark's micro/mono cycles ratio with the range
//! the profile's estimated parameters allow and the parameters that move it most (an HTML
//! section with its chart, a Markdown table), and where each profile's numbers come from (its
//! `[sources]`, as a table).
//!
//! The numbers are `report.comparisons` (`bench::bands`); nothing is recomputed here.

use std::fmt::Write;

use emu::profile::Profile;
use emu::profile::linear::LinearTerm;

use crate::bench::model::{Comparison, Report};

use super::charts::band::{BandRow, ratio_bands};
use super::data::{self, Group, Notes};
use super::format::{self, html};
use super::sections::{Scope, Section};

/// How many drivers the tables name.
const DRIVERS_SHOWN: usize = 3;

/// What the band is, for both renderings.
const WHAT: &str = "The band is the least and the most the ratio can be with every estimated \
    linear parameter of the profile (a [sources] entry with low and high) anywhere in its range, \
    computed exactly from the counts of the runs (cycles are base costs plus each penalty times \
    the number of times it was charged). Drivers: the parameters that move the ratio most, each \
    alone from low to high.";

/// The benchmarks of `group` with a comparison, in catalogue order.
fn rows<'a>(report: &'a Report, group: &Group<'_>) -> Vec<(&'a str, &'a Comparison)> {
    data::benches(report)
        .into_iter()
        .filter_map(|b| Some((b.name, data::comparison(report, b.name, group)?)))
        .collect()
}

/// The first drivers, joined: `penalty.trap, penalty.tlb_walk`.
fn drivers(c: &Comparison) -> String {
    let shown: Vec<&str> = c
        .drivers
        .iter()
        .take(DRIVERS_SHOWN)
        .map(|d| d.strip_prefix("penalty.").unwrap_or(d))
        .collect();
    shown.join(", ")
}

/// The band's ends, or `–` for a band of no width.
fn ends(c: &Comparison) -> (String, String) {
    match format::band(c.ratio_low, c.ratio_high) {
        Some(_) => (
            format::band_end(c.ratio_low, true),
            format::band_end(c.ratio_high, false),
        ),
        None => (format::MISSING.to_string(), format::MISSING.to_string()),
    }
}

/// The HTML section of `scope`'s group: the chart and a table; `None` without comparisons.
pub fn section(report: &Report, scope: &Scope<'_>, notes: &Notes) -> Option<Section> {
    let rows = rows(report, &scope.group);
    if rows.is_empty() {
        return None;
    }
    let chart_rows: Vec<BandRow> = rows
        .iter()
        .map(|(name, c)| BandRow {
            name: marked(name, notes),
            ratio: Some(c.ratio),
            band: Some((c.ratio_low, c.ratio_high)),
        })
        .collect();
    let svg = ratio_bands(&chart_rows, "micro/mono cycles per operation (log scale)");
    let mut body = format!(
        "<p class=\"what\">{}</p>\n<div class=\"chart\">{svg}</div>\n<table>\n<thead><tr>\
         <th>benchmark</th><th>micro/mono</th><th>low</th><th>high</th>\
         <th>moved most by</th></tr></thead>\n<tbody>\n",
        html(WHAT)
    );
    for (name, c) in &rows {
        let (low, high) = ends(c);
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td>{}</td></tr>",
            html(&marked(name, notes)),
            html(&format::ratio(Some(c.ratio))),
            html(&low),
            html(&high),
            html(&drivers(c))
        );
    }
    body.push_str("</tbody>\n</table>\n");
    body.push_str(&sources_html(report, scope.group.profile));
    let title = format!("micro/mono ratio and its band{}", scope.suffix);
    Some(Section {
        id: format!("{}bands", scope.prefix),
        short: title.clone(),
        title,
        breakdown: false,
        body,
    })
}

/// A benchmark's name with its note marker.
fn marked(name: &str, notes: &Notes) -> String {
    let marker = notes.marker(name);
    if marker.is_empty() {
        name.to_string()
    } else {
        format!("{name} {marker}")
    }
}

/// The Markdown table of `group`'s bands, empty without comparisons.
pub fn markdown(report: &Report, group: &Group<'_>, notes: &Notes) -> String {
    let rows = rows(report, group);
    if rows.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\n### micro/mono cycles ratio and its band\n\n{}\n\n",
        format::markdown(WHAT)
    );
    out.push_str("| benchmark | micro/mono | low | high | moved most by |\n");
    out.push_str("| --- | --: | --: | --: | --- |\n");
    for (name, c) in rows {
        let (low, high) = ends(c);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            format::markdown(&marked(name, notes)),
            format::ratio(Some(c.ratio)),
            low,
            high,
            format::markdown(&drivers(c))
        );
    }
    out
}

/// One profile's sources as (key, value, cited or estimated, range, text), in key order;
/// empty when the profile's TOML does not load or has no `[sources]`.
fn sources(report: &Report, hash: &str) -> Vec<[String; 5]> {
    let Some(p) = report
        .profiles
        .iter()
        .find(|p| p.hash == hash)
        .and_then(|p| Profile::from_toml(&p.toml, &p.name).ok())
    else {
        return Vec::new();
    };
    p.sources
        .iter()
        .map(|(key, s)| {
            let range = s
                .range()
                .map(|(l, h)| format!("{l}–{h}"))
                .unwrap_or_default();
            let kind = if s.is_estimate() {
                "estimate"
            } else {
                "source"
            };
            let text = [s.source.as_deref(), s.why.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("; ");
            [key.clone(), value(&p, key), kind.to_string(), range, text]
        })
        .collect()
}

/// The value of parameter `key` in `p`, for the linear, cost and core parameters (empty for a
/// cache or TLB geometry, which the profile's TOML shows).
fn value(p: &Profile, key: &str) -> String {
    if let Some(t) = LinearTerm::find(key) {
        return (t.value)(p).to_string();
    }
    if let Some(field) = key.strip_prefix("cost.") {
        return p
            .cost
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v.to_string())
            .unwrap_or_default();
    }
    match key {
        "core.clock_hz" => p.clock_hz.to_string(),
        "core.timebase_hz" => p.timebase_hz.to_string(),
        "core.asid_bits" => p.asid_bits.to_string(),
        _ => String::new(),
    }
}

/// The sources of the profile `hash` as a folded HTML table (empty without sources).
fn sources_html(report: &Report, hash: &str) -> String {
    let rows = sources(report, hash);
    if rows.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<details><summary>Where the profile's numbers come from</summary>\n<table>\n<thead><tr>\
         <th>parameter</th><th>value</th><th></th><th>range</th><th>source or reason</th>\
         </tr></thead>\n<tbody>\n",
    );
    for [key, value, kind, range, text] in rows {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td>{}</td>\
             <td class=\"n\">{}</td><td>{}</td></tr>",
            html(&key),
            html(&value),
            html(&kind),
            html(&range),
            html(&text)
        );
    }
    out.push_str("</tbody>\n</table>\n</details>\n");
    out
}

/// Every profile's sources as Markdown sections (empty when none has any).
pub fn markdown_sources(report: &Report) -> String {
    let mut out = String::new();
    for p in &report.profiles {
        let rows = sources(report, &p.hash);
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n## Where the numbers of profile {} come from\n",
            format::markdown(&p.name)
        );
        out.push_str("| parameter | value | | range | source or reason |\n");
        out.push_str("| --- | --: | --- | --: | --- |\n");
        for [key, value, kind, range, text] in rows {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                key.replace('`', ""),
                value,
                kind,
                range,
                format::markdown(&text)
            );
        }
    }
    out
}
