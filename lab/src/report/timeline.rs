//! The timeline of one operation in the reports: for each cost-ladder benchmark that has one, an
//! HTML section with a horizontal timeline chart (a row per kernel, phases coloured by kind) and
//! the phase table, and a Markdown table per benchmark and kernel.
//!
//! The timelines come from a separate short run with `bench --mark-ops` (see
//! `bench::job::Job::timeline`), so the measured figures are untouched; one operation here is one
//! turn of the measured loop.

use std::fmt::Write;

use emu::timeline::{PhaseKind, Timeline};
use plotters::style::RGBColor;

use crate::bench::catalog::LADDER;
use crate::bench::model::Report;

use super::charts::PALETTE;
use super::charts::timeline::{Row, Segment, timeline_chart};
use super::data::{self, Group, KERNELS};
use super::format::{self, html};
use super::sections::{Scope, Section};

/// The legend: kinds of phase as the chart colours them (trap and xRET share one colour, as do
/// a switch and a fence).
const LEGEND: [(&str, RGBColor); 6] = [
    ("user", PALETTE[0]),
    ("trap / sret", PALETTE[6]),
    ("kernel", PALETTE[1]),
    ("address-space switch", PALETTE[5]),
    ("server", PALETTE[2]),
    ("machine", PALETTE[7]),
];

/// The legend entry of `kind`.
fn legend_index(kind: PhaseKind) -> usize {
    match kind {
        PhaseKind::User => 0,
        PhaseKind::Trap | PhaseKind::Return => 1,
        PhaseKind::Kernel => 2,
        PhaseKind::Switch | PhaseKind::Fence => 3,
        PhaseKind::Server => 4,
        PhaseKind::Machine => 5,
    }
}

/// What the sections say before the chart.
const INTRO: &str = "One steady-state turn of the measured loop, from a separate short run \
    with <code>bench --mark-ops</code>, as the emulator saw it: privilege changes, <code>satp</code> \
    writes and fences cut it into phases (no kernel markers). The phases add up exactly to the \
    operation's cycles and instructions.";

/// Ladder benchmarks with a timeline on some kernel, with their timelines (mono, micro).
fn timelines<'a>(
    report: &'a Report,
    group: &Group<'_>,
) -> Vec<(&'static str, [Option<&'a Timeline>; 2])> {
    LADDER
        .iter()
        .map(|name| {
            let pair = data::pair(report, name, group);
            (
                *name,
                pair.both().map(|r| r.and_then(|r| r.timeline.as_ref())),
            )
        })
        .filter(|(_, t)| t.iter().any(Option::is_some))
        .collect()
}

/// One HTML section per ladder benchmark with a timeline.
pub fn sections(report: &Report, scope: &Scope<'_>) -> Vec<Section> {
    timelines(report, &scope.group)
        .into_iter()
        .map(|(name, both)| {
            let rows: Vec<Row<'_>> = KERNELS
                .iter()
                .zip(&both)
                .map(|(k, t)| Row {
                    name: k,
                    segments: t.map(|t| {
                        t.phases
                            .iter()
                            .map(|p| Segment {
                                start: p.start_cycle as f64,
                                cycles: p.cycles as f64,
                                kind: legend_index(p.kind),
                            })
                            .collect()
                    }),
                })
                .collect();
            let svg = timeline_chart(&rows, &LEGEND, "cycles from the operation's start");
            let mut tables = String::new();
            for (k, t) in KERNELS.iter().zip(&both) {
                if let Some(t) = t {
                    tables.push_str(&html_table(k, t));
                }
            }
            let title = format!("timeline of one operation: {name}{}", scope.suffix);
            Section {
                id: format!("{}timeline-{}", scope.prefix, super::sections::id(name)),
                short: title.clone(),
                breakdown: false,
                title,
                body: format!(
                    "<p class=\"what\">{INTRO}</p>\n<div class=\"chart\">{svg}</div>\n{tables}"
                ),
            }
        })
        .collect()
}

/// The columns of a phase table.
const COLUMNS: [&str; 11] = [
    "phase",
    "mode",
    "start",
    "cycles",
    "insns",
    "@insn",
    "TLB walks",
    "L1I",
    "L1D",
    "L2",
    "space",
];

/// One kernel's phases as an HTML table.
fn html_table(kernel: &str, t: &Timeline) -> String {
    let mut out = format!(
        "<table>\n<caption>{} — operation {}: {} cycles, {} instructions</caption>\n<thead><tr>",
        html(kernel),
        t.op,
        t.cycles,
        t.instructions
    );
    for c in COLUMNS {
        let _ = write!(out, "<th>{}</th>", html(c));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for p in &t.phases {
        let _ = write!(out, "<tr><td>{}</td><td>{}</td>", html(&p.label), p.mode);
        for v in p.numbers() {
            let _ = write!(out, "<td class=\"n\">{v}</td>");
        }
        let _ = writeln!(out, "<td>{}</td></tr>", html(&p.space));
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// The Markdown timelines of `group`: a table per ladder benchmark and kernel.
pub fn markdown(report: &Report, group: &Group<'_>) -> String {
    let all = timelines(report, group);
    if all.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\n### Timeline of one operation\n\nOne steady-state turn of the measured loop, from a \
         separate short run with `bench --mark-ops`, cut into phases by the emulator's own events \
         (privilege changes, `satp` writes, fences); the phases add up exactly to the operation.\n",
    );
    for (name, both) in all {
        for (k, t) in KERNELS.iter().zip(both) {
            let Some(t) = t else { continue };
            let _ = writeln!(
                out,
                "\n#### {} on {k}: operation {}, {} cycles, {} instructions\n",
                format::markdown(name),
                t.op,
                t.cycles,
                t.instructions
            );
            let _ = writeln!(out, "| {} |", COLUMNS.join(" | "));
            let _ = writeln!(out, "|---|---|{}---|", "--:|".repeat(COLUMNS.len() - 3));
            for p in &t.phases {
                let nums: Vec<String> = p.numbers().iter().map(u64::to_string).collect();
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    format::markdown(&p.label),
                    p.mode,
                    nums.join(" | "),
                    format::markdown(&p.space)
                );
            }
        }
    }
    out
}
