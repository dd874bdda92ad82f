//! Flame graphs in `report.html`: for each cost-ladder benchmark and kernel whose result carries
//! call stacks (`BenchResult::stacks`, sampled in the measured region), a section with the flame
//! graph drawn by `inferno` and the table of its top functions.
//!
//! inferno writes a stand-alone interactive SVG; the page has no scripts and holds many charts,
//! so its script, style sheet and search/zoom controls are dropped and its element ids made
//! unique per chart. What stays: the frames, each with its name and sample count as a tooltip.

use std::fmt::Write;

use inferno::flamegraph::{self, Options};

use crate::bench::catalog::LADDER;
use crate::bench::model::{BenchResult, Report};

use super::charts;
use super::data::{self, KERNELS};
use super::format::{html, num, percent};
use super::sections::{Scope, Section};

/// The flame graphs' width in pixels (the page's column).
const WIDTH: usize = 1100;

/// The frames' font (inferno's default).
const FONT: &str = "Verdana, sans-serif";

/// What the sections say before the chart.
const INTRO: &str = "Where the measured region's cycles went, by call stack: the emulator \
    sampled the stack every period of guest time (walking the frame pointers through the \
    guest's page tables), so a frame's width is its share of the region's cycles. The bottom \
    row is where the code ran: <code>kernel</code> (S and M modes) or the address space's \
    name (the program, a server). Hover a frame for its name and samples.";

/// One section per ladder benchmark × kernel with stacks.
pub fn sections(report: &Report, scope: &Scope<'_>) -> Vec<Section> {
    let mut out = Vec::new();
    for name in LADDER {
        let pair = data::pair(report, name, &scope.group);
        for (kernel, r) in KERNELS.iter().zip(pair.both()) {
            let Some(r) = r.filter(|r| !r.stacks.is_empty()) else {
                continue;
            };
            let id = format!("{}flame-{name}-{kernel}", scope.prefix);
            let title = format!("flame graph: {name} on {kernel}{}", scope.suffix);
            let svg = flame_svg(&r.stacks, &format!("{id}-"), &format!("{name} on {kernel}"));
            let body = format!("<p class=\"what\">{INTRO}</p>\n<div class=\"chart\">{svg}</div>\n")
                + &top_table(r);
            out.push(Section {
                id,
                short: title.clone(),
                breakdown: false,
                title,
                body,
            });
        }
    }
    out
}

/// The table of the result's top functions (own samples).
fn top_table(r: &BenchResult) -> String {
    let total: u64 = r.stacks.iter().filter_map(|l| samples_of(l)).sum();
    let mut out = String::from(
        "<table>\n<thead><tr><th>function</th><th>where</th><th>samples</th>\
         <th>share</th><th>cycles/op</th></tr></thead>\n<tbody>\n",
    );
    for s in &r.symbols {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            html(&s.symbol),
            html(&s.space),
            s.samples,
            percent(s.samples as f64, total as f64),
            num(s.cycles as f64 / r.ops.max(1) as f64)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// The sample count at the end of a folded line.
pub fn samples_of(line: &str) -> Option<u64> {
    line.rsplit_once(' ')?.1.parse().ok()
}

/// The flame graph of folded `lines` as an `<svg>` to inline, its ids prefixed with `prefix`;
/// a stand-in `<svg>` saying why if inferno fails.
pub fn flame_svg(lines: &[String], prefix: &str, title: &str) -> String {
    let mut opt = Options::default();
    opt.title = title.to_string();
    opt.count_name = "samples".to_string();
    opt.image_width = Some(WIDTH);
    // Colours from the names, never from a random number generator: reports are reproducible.
    opt.deterministic = true;
    opt.no_javascript = true;
    let mut bytes = Vec::new();
    if let Err(e) = flamegraph::from_lines(&mut opt, lines.iter().map(String::as_str), &mut bytes) {
        return charts::failed(WIDTH as u32, &format!("inferno: {e}"));
    }
    let svg = String::from_utf8_lossy(&bytes);
    inline(&svg, prefix)
}

/// inferno's stand-alone SVG made fit to inline: from `<svg` on, without its `<script>`, its
/// `onload` handler, its comments, its `<style>` (an inline style sheet would restyle every
/// chart of the page; its fonts become attributes of the root) and its controls, every `id` and
/// `url(#…)` prefixed.
fn inline(svg: &str, prefix: &str) -> String {
    let mut s = svg[svg.find("<svg").unwrap_or(0)..].to_string();
    s = s.replacen(" onload=\"init(evt)\"", "", 1);
    s = s.replacen(
        "<svg ",
        &format!("<svg font-family=\"{FONT}\" font-size=\"12\" "),
        1,
    );
    s = s.replacen(
        "<text id=\"title\"",
        "<text id=\"title\" text-anchor=\"middle\" font-size=\"17\"",
        1,
    );
    for (open, close) in [
        ("<script", "</script>"),
        ("<style", "</style>"),
        ("<!--", "-->"),
    ] {
        while let Some(a) = s.find(open) {
            let Some(b) = s[a..].find(close) else { break };
            s.replace_range(a..a + b + close.len(), "");
        }
    }
    // The controls need the script: search, zoom reset, the match counter, the details line.
    for id in ["search", "unzoom", "matched", "details"] {
        let marker = format!("id=\"{id}\"");
        if let Some(at) = s.find(&marker)
            && let Some(a) = s[..at].rfind("<text")
            && let Some(b) = s[at..].find("</text>")
        {
            s.replace_range(a..at + b + "</text>".len(), "");
        }
    }
    // The script's data and namespaces (an inline SVG in HTML needs neither).
    for name in ["xmlns:xlink", "xmlns:fg", "fg:x", "fg:w"] {
        s = strip_attr(&s, name);
    }
    unnest_frames(&s)
        .replace("id=\"", &format!("id=\"{prefix}"))
        .replace("url(#", &format!("url(#{prefix}"))
}

/// `s` without any ` NAME="…"` attribute.
fn strip_attr(s: &str, name: &str) -> String {
    let key = format!(" {name}=\"");
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(&key) {
        out.push_str(&rest[..at]);
        let value = &rest[at + key.len()..];
        rest = value.find('"').map_or("", |end| &value[end + 1..]);
    }
    out.push_str(rest);
    out
}

/// inferno draws the frames in a nested `<svg id="frames" x=PAD width=W>` with positions in
/// percent of W; the page counts one `<svg>` per chart, so the frames become a translated
/// `<g>` with positions in pixels.
fn unnest_frames(s: &str) -> String {
    let Some(start) = s.find("<svg id=\"frames\"") else {
        return s.to_string();
    };
    let Some(open_len) = s[start..].find('>') else {
        return s.to_string();
    };
    let body_start = start + open_len + 1;
    let Some(body_len) = s[body_start..].find("</svg>") else {
        return s.to_string();
    };
    let attr = |name: &str| -> Option<f64> {
        let tag = &s[start..body_start];
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        tag[at..].split('"').next()?.parse().ok()
    };
    let (Some(x), Some(width)) = (attr("x"), attr("width")) else {
        return s.to_string();
    };
    let body = &s[body_start..body_start + body_len];
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..start]);
    let _ = write!(out, "<g id=\"frames\" transform=\"translate({x} 0)\">");
    // Every `x="P%"` and `width="P%"` of the frames, in pixels.
    let mut rest = body;
    while let Some(q) = rest.find("%\"") {
        let value_start = rest[..q].rfind('"').map_or(q, |i| i + 1);
        match rest[value_start..q].parse::<f64>() {
            Ok(p) => {
                out.push_str(&rest[..value_start]);
                let _ = write!(out, "{:.2}\"", p * width / 100.0);
            }
            Err(_) => out.push_str(&rest[..q + 2]),
        }
        rest = &rest[q + 2..];
    }
    out.push_str(rest);
    out.push_str("</g>");
    out.push_str(&s[body_start + body_len + "</svg>".len()..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Is inferno's SVG made a script-free chart with ids of its own, holding every frame?
    #[test]
    fn a_flame_graph_inlines_without_script_and_with_prefixed_ids() {
        let lines = vec![
            "bench;main;getpid 30".to_string(),
            "kernel;kernel_trap_handler 70".to_string(),
        ];
        let svg = flame_svg(&lines, "flame-x-", "x");
        assert!(svg.starts_with("<svg"), "{svg}");
        assert_eq!(svg.matches("<svg").count(), 1, "one chart: {svg}");
        let frames = &svg[svg.find("id=\"flame-x-frames\"").unwrap()..];
        assert!(!frames.contains("%\""), "positions in pixels: {frames}");
        let rest = svg.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        for gone in [
            "<script",
            "<style",
            "onload",
            "<!--",
            "Reset Zoom",
            ">Search<",
            "http",
            "fg:",
        ] {
            assert!(!rest.contains(gone), "{gone}: {svg}");
        }
        assert!(!svg.contains("id=\"frames\""));
        assert!(svg.contains("id=\"flame-x-frames\""));
        for f in ["getpid", "kernel_trap_handler", "bench", "kernel"] {
            assert!(svg.contains(&format!("<title>{f} (")), "{f} missing: {svg}");
        }
        assert_eq!(svg, flame_svg(&lines, "flame-x-", "x"), "not reproducible");
        assert_eq!(samples_of("a;b 12"), Some(12));
        assert_eq!(samples_of("a;b"), None);
    }
}
