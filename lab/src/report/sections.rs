//! The `<section>`s of `report.html`. Each is an `<h2>`, exactly one chart (an `<svg>` from
//! [`charts`]) and below it a compact table of the numbers the chart draws.
//!
//! Sections: one per metric family (bars per benchmark, both kernels, log scale), one breakdown
//! per benchmark (cycles by place, stacked), the cost ladder, and for a sweep one per parameter
//! (micro/mono cycles ratio against the parameter's values, and next to it each kernel's
//! absolute cycles, which a ratio hides when both move). All report text is escaped here.

use crate::bench::catalog::LADDER;
use crate::bench::model::{METRICS, Report};

use super::charts::bars::{Panel, Scale, bars, bars_marked, log_bars};
use super::charts::lines::{LinePanel, YAxis, lines, ratio_lines};
use super::charts::stacked::{Stack, stacked_bars};
use super::data::{self, BenchInfo, CYCLES, Group, KERNELS, Notes, Pair};
use super::format::{self, html, opt_num, percent, ratio, ratio_band, ratio_of};
use super::questions;
use super::sweep;

/// One section of the page.
pub struct Section {
    /// Its `id` (letters, digits and `-`), for the contents' links.
    pub id: String,
    /// Its heading, not escaped.
    pub title: String,
    /// Its link text in the contents, not escaped.
    pub short: String,
    /// Whether it is one of the many per-benchmark breakdowns (listed compactly).
    pub breakdown: bool,
    /// Its content after the heading: HTML with exactly one `<svg>`.
    pub body: String,
}

impl Section {
    /// The `<section>` element.
    pub fn render(&self) -> String {
        format!(
            "<section id=\"{}\">\n<h2>{}</h2>\n{}</section>\n",
            html(&self.id),
            html(&self.title),
            self.body
        )
    }
}

/// Where a group's sections sit: the id prefix and heading suffix that tell groups apart when
/// the page shows several.
pub struct Scope<'a> {
    /// The group.
    pub group: Group<'a>,
    /// Prepended to ids (`g2-`), empty for a single group.
    pub prefix: String,
    /// Appended to headings (` — tiny (1a2b3c4d)`), empty for a single group.
    pub suffix: String,
}

/// `text` as an HTML id: lower-case letters, digits and `-`.
pub fn id(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// The chart wrapped for the page.
fn chart(svg: String) -> String {
    format!("<div class=\"chart\">{svg}</div>\n")
}

/// A table from its header rows and body rows (both already HTML).
fn table(head: &str, rows: &[String]) -> String {
    format!(
        "<table>\n<thead>{head}</thead>\n<tbody>\n{}</tbody>\n</table>\n",
        rows.concat()
    )
}

/// A number cell.
fn num_td(text: &str) -> String {
    format!("<td class=\"n\">{}</td>", html(text))
}

/// A benchmark's name with its note marker, not escaped.
fn marked(name: &str, notes: &Notes) -> String {
    let marker = notes.marker(name);
    if marker.is_empty() {
        name.to_string()
    } else {
        format!("{name} {marker}")
    }
}

/// The benchmarks measured in `group` (on either kernel), with their pairs.
fn measured<'a>(report: &'a Report, group: &Group<'_>) -> Vec<(BenchInfo<'a>, Pair<'a>)> {
    data::benches(report)
        .into_iter()
        .map(|b| (b, data::pair(report, b.name, group)))
        .filter(|(_, p)| p.mono.is_some() || p.micro.is_some())
        .collect()
}

/// The metric families in [`METRICS`] order, each with its metrics' indices.
fn metric_families() -> Vec<(&'static str, Vec<usize>)> {
    let mut out: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, m) in METRICS.iter().enumerate() {
        match out.iter_mut().find(|(f, _)| *f == m.2) {
            Some((_, v)) => v.push(i),
            None => out.push((m.2, vec![i])),
        }
    }
    out
}

/// Below this many events per operation on mono, a count's micro/mono ratio is left blank: a
/// ratio over a count that rounds to nothing (0.0001 L2 misses per call) is noise, not a finding.
pub const RATIO_FLOOR: f64 = 0.05;

/// Whether metric `m` is a count of events (a linear axis, a ratio only above [`RATIO_FLOOR`]),
/// rather than cycles or instructions.
fn is_count(m: usize) -> bool {
    m > 1
}

/// The ratio cell of metric `m`; a blank marked `†` when mono's count is below the floor.
fn ratio_cell(m: usize, mono: Option<f64>, micro: Option<f64>) -> (String, bool) {
    match mono {
        Some(d) if is_count(m) && d < RATIO_FLOOR && micro.is_some() => {
            ("<td class=\"n\">†</td>".to_string(), true)
        }
        _ => (num_td(&ratio(ratio_of(mono, micro))), false),
    }
}

/// One section per metric family: a panel per metric, a bar per kernel and benchmark.
pub fn families(report: &Report, scope: &Scope<'_>, notes: &Notes) -> Vec<Section> {
    let benches = measured(report, &scope.group);
    let rows: Vec<String> = benches.iter().map(|(b, _)| marked(b.name, notes)).collect();
    metric_families()
        .into_iter()
        .map(|(family, metrics)| {
            let labels: Vec<&str> = metrics.iter().map(|&m| METRICS[m].1).collect();
            let titles: Vec<String> = labels.iter().map(|l| format!("{l} / op")).collect();
            let panels: Vec<Panel<'_>> = metrics
                .iter()
                .zip(&titles)
                .map(|(&m, title)| Panel {
                    title,
                    values: benches.iter().map(|(_, p)| p.per_op(m)).collect(),
                })
                .collect();
            let counts = metrics.iter().all(|&m| is_count(m));
            let svg = if counts {
                bars(&rows, &panels, "per operation", Scale::Linear)
            } else {
                log_bars(&rows, &panels, "per operation (log scale)")
            };
            let mut head =
                String::from("<tr><th rowspan=\"2\">benchmark</th><th rowspan=\"2\">unit</th>");
            for l in &labels {
                head.push_str(&format!("<th colspan=\"3\">{} / op</th>", html(l)));
            }
            head.push_str("</tr>\n<tr>");
            for _ in &labels {
                head.push_str("<th>mono</th><th>micro</th><th>micro/mono</th>");
            }
            head.push_str("</tr>\n");
            let mut blanked = false;
            let body_rows: Vec<String> = benches
                .iter()
                .map(|(b, p)| {
                    let mut r = format!(
                        "<tr><td>{}</td><td>{}</td>",
                        html(&marked(b.name, notes)),
                        html(b.unit)
                    );
                    for &m in &metrics {
                        let [mono, micro] = p.per_op(m);
                        r.push_str(&num_td(&opt_num(mono)));
                        r.push_str(&num_td(&opt_num(micro)));
                        let (cell, blank) = ratio_cell(m, mono, micro);
                        blanked |= blank;
                        r.push_str(&cell);
                    }
                    r + "</tr>\n"
                })
                .collect();
            let footnote = if blanked {
                format!(
                    "<p class=\"what\">† no ratio: mono's count is below {RATIO_FLOOR} per \
                     operation, too small for micro/mono to mean anything.</p>\n"
                )
            } else {
                String::new()
            };
            let title = format!(
                "{family}: {} per operation{}",
                labels.join(", "),
                scope.suffix
            );
            Section {
                id: format!("{}{}", scope.prefix, id(family)),
                short: title.clone(),
                breakdown: false,
                title,
                body: chart(svg) + &table(&head, &body_rows) + &footnote,
            }
        })
        .collect()
}

/// One section per benchmark: cycles per operation by place, a stacked bar per kernel.
pub fn breakdowns(report: &Report, scope: &Scope<'_>, notes: &Notes) -> Vec<Section> {
    let places = data::places(report);
    measured(report, &scope.group)
        .into_iter()
        .map(|(b, pair)| {
            let by_place: Vec<[Option<f64>; 2]> =
                places.iter().map(|p| pair.place_cycles(p)).collect();
            let bars: Vec<Stack<'_>> = KERNELS
                .iter()
                .zip(pair.both())
                .enumerate()
                .map(|(k, (name, r))| Stack {
                    name,
                    parts: r.map(|_| by_place.iter().map(|v| v[k]).collect()),
                })
                .collect();
            let svg = stacked_bars(&bars, &places, &format!("cycles per {}", b.unit));
            let totals = pair.per_op(CYCLES);
            let cells = |k: usize, v: Option<f64>| {
                let share = match (v, totals[k]) {
                    (Some(v), Some(t)) => percent(v, t),
                    _ => format::MISSING.to_string(),
                };
                num_td(&opt_num(v)) + &num_td(&share)
            };
            let mut rows: Vec<String> = places
                .iter()
                .zip(&by_place)
                .filter(|(_, v)| v.iter().any(Option::is_some))
                .map(|(place, v)| {
                    format!(
                        "<tr><td>{}</td>{}{}</tr>\n",
                        html(place),
                        cells(0, v[0]),
                        cells(1, v[1])
                    )
                })
                .collect();
            rows.push(format!(
                "<tr class=\"total\"><td>total</td>{}{}</tr>\n",
                cells(0, totals[0]),
                cells(1, totals[1])
            ));
            let head = "<tr><th>place</th><th>mono cycles/op</th><th>share</th>\
                        <th>micro cycles/op</th><th>share</th></tr>\n";
            let versus = ratio_of(totals[0], totals[1])
                .map(|r| format!("; micro/mono {}", ratio(Some(r))))
                .unwrap_or_default();
            let intro = format!(
                "<p class=\"what\">{} — per {}{}.</p>\n",
                html(b.title),
                html(b.unit),
                html(&versus)
            );
            Section {
                id: format!("{}breakdown-{}", scope.prefix, id(b.name)),
                short: b.name.to_string(),
                breakdown: true,
                title: format!(
                    "{}: cycles per {} by place{}",
                    marked(b.name, notes),
                    b.unit,
                    scope.suffix
                ),
                body: intro + &chart(svg) + &table(head, &rows),
            }
        })
        .collect()
}

/// The cost ladder: cycles per operation of each step on both kernels, log scale.
pub fn ladder(report: &Report, scope: &Scope<'_>, notes: &Notes) -> Section {
    let benches = data::benches(report);
    let pairs: Vec<Pair<'_>> = LADDER
        .iter()
        .map(|name| data::pair(report, name, &scope.group))
        .collect();
    let rows: Vec<String> = LADDER.iter().map(|name| marked(name, notes)).collect();
    let panel = Panel {
        title: "cycles / op",
        values: pairs.iter().map(|p| p.per_op(CYCLES)).collect(),
    };
    // A kernel's row with a note measures a stand-in (mono's `ipc` is its pipe round trip).
    let standins: Vec<[bool; 2]> = pairs
        .iter()
        .map(|p| p.both().map(|r| r.is_some_and(|r| r.note.is_some())))
        .collect();
    let svg = bars_marked(
        &rows,
        &[panel],
        "cycles per operation (log scale)",
        Scale::Log,
        &standins,
    );
    let head = "<tr><th>step</th><th>benchmark</th><th>what</th><th>mono cycles/op</th>\
                <th>micro cycles/op</th><th>micro/mono</th><th>mono floor</th>\
                <th>mono/floor</th><th>micro floor</th><th>micro/floor</th></tr>\n";
    let body_rows: Vec<String> = LADDER
        .iter()
        .zip(&pairs)
        .enumerate()
        .map(|(i, (name, p))| {
            let title = benches
                .iter()
                .find(|b| b.name == *name)
                .map_or("", |b| b.title);
            let [mono, micro] = p.per_op(CYCLES);
            let (floor, over) = (p.floor(), p.over_floor());
            format!(
                "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td>{}{}{}{}{}{}{}</tr>\n",
                i + 1,
                html(&marked(name, notes)),
                html(title),
                num_td(&opt_num(mono)),
                num_td(&opt_num(micro)),
                num_td(&ratio(ratio_of(mono, micro))),
                num_td(&opt_num(floor[0])),
                num_td(&ratio(over[0])),
                num_td(&opt_num(floor[1])),
                num_td(&ratio(over[1]))
            )
        })
        .collect();
    let floor_note = data::floor_explanation(report, &scope.group).map_or(String::new(), |t| {
        format!("<p class=\"what\">{}</p>\n", html(&t))
    });
    let title = format!("cost ladder: cycles per operation{}", scope.suffix);
    Section {
        id: format!("{}ladder", scope.prefix),
        short: title.clone(),
        breakdown: false,
        title,
        body: chart(svg) + &table(head, &body_rows) + &floor_note,
    }
}

/// For a sweep, one section per parameter: the micro/mono cycles ratio of the ladder
/// benchmarks against the parameter's values, a panel per setting of the other parameters;
/// the table lists every benchmark.
pub fn sweeps(report: &Report) -> Vec<Section> {
    let benches = data::benches(report);
    let ladder: Vec<&str> = LADDER
        .iter()
        .copied()
        .filter(|l| benches.iter().any(|b| b.name == *l))
        .collect();
    let intro = if ladder.is_empty() {
        "<p class=\"what\">Dashed line: parity (1×).</p>\n"
    } else {
        "<p class=\"what\">The chart draws the cost-ladder benchmarks; the table lists every \
         benchmark. Dashed line: parity (1×); error bars: the ratio's band over the profile's \
         estimated parameters.</p>\n"
    };
    let drawn: Vec<&str> = if ladder.is_empty() {
        benches.iter().map(|b| b.name).collect()
    } else {
        ladder
    };
    sweep::axes(report)
        .into_iter()
        .flat_map(|axis| {
            let others = sweep::others(report, axis.param);
            let at = |bench: &str, fixed, value: &str| {
                sweep::ratio_at(report, bench, &sweep::with(fixed, axis.param, value))
            };
            let panels: Vec<LinePanel> = others
                .iter()
                .map(|fixed| LinePanel {
                    title: data::point_label(fixed),
                    series: drawn
                        .iter()
                        .map(|b| axis.values.iter().map(|v| at(b, fixed, v)).collect())
                        .collect(),
                    bands: drawn
                        .iter()
                        .map(|b| {
                            axis.values
                                .iter()
                                .map(|v| {
                                    let point = sweep::with(fixed, axis.param, v);
                                    data::comparison_at(report, b, &point)
                                        .map(|c| (c.ratio_low, c.ratio_high))
                                })
                                .collect()
                        })
                        .collect(),
                })
                .collect();
            let x_labels: Vec<String> = axis.values.iter().map(|v| v.to_string()).collect();
            let names: Vec<String> = drawn.iter().map(|b| b.to_string()).collect();
            let svg = ratio_lines(&x_labels, &names, &panels, axis.param, "micro/mono cycles");
            let mut head = String::from("<tr><th rowspan=\"2\">benchmark</th>");
            for fixed in &others {
                let label = data::point_label(fixed);
                head.push_str(&format!(
                    "<th colspan=\"{}\">{}</th>",
                    axis.values.len(),
                    html(if label.is_empty() { axis.param } else { &label })
                ));
            }
            head.push_str("</tr>\n<tr>");
            for _ in &others {
                for v in &axis.values {
                    head.push_str(&format!("<th>{}={}</th>", html(axis.param), html(v)));
                }
            }
            head.push_str("</tr>\n");
            let rows: Vec<String> = benches
                .iter()
                .map(|b| {
                    let mut r = format!("<tr><td>{}</td>", html(b.name));
                    for fixed in &others {
                        for v in &axis.values {
                            let point = sweep::with(fixed, axis.param, v);
                            let band = data::comparison_at(report, b.name, &point)
                                .map(|c| (c.ratio_low, c.ratio_high));
                            r.push_str(&num_td(&ratio_band(at(b.name, fixed, v), band)));
                        }
                    }
                    r + "</tr>\n"
                })
                .collect();
            let title = format!("sweep of {}: micro/mono cycles ratio", axis.param);
            let ratio_section = Section {
                id: format!("sweep-{}", id(axis.param)),
                short: title.clone(),
                breakdown: false,
                title,
                body: intro.to_string() + &chart(svg) + &table(&head, &rows),
            };
            [
                ratio_section,
                absolute_sweep(report, &axis, &others, &drawn),
            ]
        })
        .collect()
}

/// Next to a sweep's ratio chart: each kernel's cycles per operation against the parameter, a
/// panel per kernel and setting of the other parameters, one line per drawn benchmark.
fn absolute_sweep(
    report: &Report,
    axis: &sweep::Axis<'_>,
    others: &[std::collections::BTreeMap<String, String>],
    drawn: &[&str],
) -> Section {
    let mut panels = Vec::new();
    for fixed in others {
        for kernel in KERNELS {
            let label = data::point_label(fixed);
            panels.push(LinePanel {
                title: if label.is_empty() {
                    kernel.to_string()
                } else {
                    format!("{kernel} · {label}")
                },
                series: drawn
                    .iter()
                    .map(|b| {
                        axis.values
                            .iter()
                            .map(|v| {
                                sweep::cycles_at(
                                    report,
                                    b,
                                    kernel,
                                    &sweep::with(fixed, axis.param, v),
                                )
                            })
                            .collect()
                    })
                    .collect(),
                bands: Vec::new(),
            });
        }
    }
    let x_labels: Vec<String> = axis.values.iter().map(|v| v.to_string()).collect();
    let names: Vec<String> = drawn.iter().map(|b| b.to_string()).collect();
    let svg = lines(
        &x_labels,
        &names,
        &panels,
        (axis.param, "cycles per operation"),
        YAxis::Absolute,
    );
    let mut head = String::from("<tr><th>benchmark</th><th>kernel</th>");
    for fixed in others {
        for v in &axis.values {
            let label = data::point_label(fixed);
            let at = format!("{}={v}", axis.param);
            head.push_str(&format!(
                "<th>{}</th>",
                html(&if label.is_empty() {
                    at
                } else {
                    format!("{at}, {label}")
                })
            ));
        }
    }
    head.push_str("</tr>\n");
    let mut rows = Vec::new();
    for b in drawn {
        for kernel in KERNELS {
            let mut r = format!("<tr><td>{}</td><td>{}</td>", html(b), kernel);
            for fixed in others {
                for v in &axis.values {
                    let point = sweep::with(fixed, axis.param, v);
                    r.push_str(&num_td(&opt_num(sweep::cycles_at(
                        report, b, kernel, &point,
                    ))));
                }
            }
            rows.push(r + "</tr>\n");
        }
    }
    let title = format!(
        "sweep of {}: cycles per operation on each kernel",
        axis.param
    );
    Section {
        id: format!("sweep-{}-cycles", id(axis.param)),
        short: title.clone(),
        breakdown: false,
        title,
        body: "<p class=\"what\">Each kernel's own cycles per operation: a ratio that stays put \
               can hide both kernels moving together.</p>\n"
            .to_string()
            + &chart(svg)
            + &table(&head, &rows),
    }
}

/// One section per question the report's benchmarks answer ([`questions`]): the chart, the
/// reading computed from the numbers, then the table.
pub fn questions(report: &Report, scope: &Scope<'_>, notes: &Notes) -> Vec<Section> {
    questions::answers(report, &scope.group, notes)
        .into_iter()
        .map(|a| {
            let head = format!(
                "<tr>{}</tr>\n",
                a.head
                    .iter()
                    .map(|h| format!("<th>{}</th>", html(h)))
                    .collect::<String>()
            );
            let rows: Vec<String> = a
                .rows
                .iter()
                .map(|r| {
                    let mut cells = r.iter();
                    let first = cells
                        .next()
                        .map(|c| format!("<td>{}</td>", html(c)))
                        .unwrap_or_default();
                    format!(
                        "<tr>{first}{}</tr>\n",
                        cells.map(|c| num_td(c)).collect::<String>()
                    )
                })
                .collect();
            let reading = if a.reading.is_empty() {
                String::new()
            } else {
                format!("<p class=\"what\">{}</p>\n", html(&a.reading))
            };
            let title = format!("{}{}", a.title, scope.suffix);
            Section {
                id: format!("{}{}", scope.prefix, a.id),
                short: title.clone(),
                breakdown: false,
                title,
                body: reading + &chart(a.svg) + &table(&head, &rows),
            }
        })
        .collect()
}
