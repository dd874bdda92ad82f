//! Tests of the renderings on a synthetic report: a few benchmarks on both kernels with parts,
//! a note, a missing kernel result, an unknown benchmark whose title needs escaping, and
//! optionally a 2 × 2 sweep.

use std::collections::BTreeMap;

use emu::profile::Profile;
use emu::timeline::{Phase, PhaseKind, Timeline};

use crate::bench::catalog::LADDER;
use crate::bench::floor::Floor;
use crate::bench::model::{
    BenchResult, Build, Comparison, Counters, GuestFigures, Part, ProfileRecord, Report, SCHEMA,
};

use super::charts;
use super::data;
use super::format;

/// Operations in every synthetic result.
const OPS: u64 = 1000;

/// The benchmarks of the sample: (name, family, title, unit, mono cycles/op, micro cycles/op).
/// `0` cycles means "not measured on that kernel".
const SAMPLE: [(&str, &str, &str, &str, u64, u64); 9] = [
    ("call", "ladder", "function call", "call", 5, 5),
    ("coroutine", "ladder", "coroutine switch", "switch", 40, 40),
    (
        "thread-switch",
        "ladder",
        "thread switch",
        "switch",
        900,
        2100,
    ),
    (
        "process-switch",
        "ladder",
        "process switch",
        "switch",
        1500,
        3600,
    ),
    ("getpid", "syscall", "null system call", "call", 100, 407),
    ("ipc", "ipc", "IPC round trip", "round trip", 2500, 1800),
    (
        "pipe-rt",
        "pipe",
        "pipe round trip",
        "round trip",
        4000,
        16000,
    ),
    (
        "file-0k",
        "file",
        "create + delete of an empty file",
        "file",
        52_000,
        0,
    ),
    (
        "custom",
        "macro",
        "a <b> & c | d",
        "run",
        9_000_000,
        30_000_000,
    ),
];

/// The counters of `cycles` cycles per op, the other metrics scaled from it.
fn counters(cycles: u64) -> Counters {
    let c = cycles * OPS;
    Counters {
        cycles: c,
        instructions: c * 7 / 10,
        traps: OPS * 2,
        context_switches: if cycles > 500 { OPS * 2 } else { 0 },
        satp_writes: if cycles > 1000 { OPS } else { 0 },
        tlb_misses: c / 200,
        l1i_misses: c / 50,
        l1d_misses: c / 80,
        l2_misses: c / 1000,
        bytes_loaded: c * 2,
        bytes_stored: c,
    }
}

/// `counters(cycles)` split into places: half user, the rest kernel (mono) or kernel and the
/// `proc` and `fs` servers (micro).
fn parts(kernel: &str, cycles: u64) -> Vec<Part> {
    let shares: &[(&str, u64)] = if kernel == "mono" {
        &[("user", 50), ("kernel", 50)]
    } else {
        &[("user", 40), ("kernel", 20), ("proc", 25), ("fs", 15)]
    };
    shares
        .iter()
        .map(|(place, pct)| Part {
            place: place.to_string(),
            counters: counters(cycles * pct / 100),
        })
        .collect()
}

/// One result.
fn result(
    sample: (&str, &str, &str, &str, u64, u64),
    kernel: &str,
    cycles: u64,
    profile: &str,
    point: &BTreeMap<String, String>,
) -> BenchResult {
    let (bench, family, title, unit, _, _) = sample;
    BenchResult {
        bench: bench.to_string(),
        family: family.to_string(),
        title: title.to_string(),
        unit: unit.to_string(),
        kernel: kernel.to_string(),
        profile: profile.to_string(),
        point: point.clone(),
        command: format!("bench {bench} {OPS}"),
        ops: OPS,
        note: (bench == "ipc" && kernel == "mono")
            .then(|| "pipe round trip: this kernel has no IPC".to_string()),
        program_hash: "0badc0de".to_string(),
        guest: GuestFigures {
            cycles: cycles * OPS,
            instructions: cycles * OPS / 2,
        },
        floor: Some(Floor::of(&Profile::default(), &counters(cycles), OPS)),
        timeline: (bench == "getpid").then(|| timeline(kernel)),
        total: counters(cycles),
        parts: parts(kernel, cycles),
        charges: BTreeMap::new(),
        symbols: Vec::new(),
        stacks: if bench == "getpid" {
            vec![
                "bench;main;getpid 3".to_string(),
                format!("kernel;kernel_trap_handler {}", cycles / 100),
            ]
        } else {
            Vec::new()
        },
    }
}

/// A phase of a synthetic timeline.
fn phase(kind: PhaseKind, label: &str, mode: char, start: u64, cycles: u64) -> Phase {
    Phase {
        kind,
        label: label.to_string(),
        mode,
        space: if label.contains("proc") {
            "proc"
        } else {
            "bench"
        }
        .to_string(),
        start_cycle: start,
        start_instruction: start / 2,
        cycles,
        instructions: cycles / 2,
        tlb_walks: u64::from(kind == PhaseKind::Switch),
        l1i_misses: 0,
        l1d_misses: 0,
        l2_misses: 0,
    }
}

/// A getpid's timeline: mono's trap and return; micro's with the switch to `proc` and back.
fn timeline(kernel: &str) -> Timeline {
    use PhaseKind::*;
    let mut spec: Vec<(PhaseKind, &str, char, u64)> = vec![
        (User, "user (bench)", 'U', 4),
        (Trap, "trap (ecall from U)", 'S', 20),
        (Kernel, "kernel", 'S', 60),
    ];
    if kernel == "micro" {
        spec.extend([
            (Switch, "address-space switch → proc", 'S', 50),
            (Return, "sret", 'S', 10),
            (Server, "server (proc)", 'U', 100),
            (Trap, "trap (ecall from U)", 'S', 20),
            (Kernel, "kernel", 'S', 60),
            (Switch, "address-space switch → bench", 'S', 50),
        ]);
    }
    spec.extend([(Return, "sret", 'S', 10), (User, "user (bench)", 'U', 6)]);
    let mut at = 0;
    let phases: Vec<Phase> = spec
        .into_iter()
        .map(|(k, l, m, c)| {
            let p = phase(k, l, m, at, c);
            at += c;
            p
        })
        .collect();
    Timeline {
        op: 50,
        cycles: at,
        instructions: phases.iter().map(|p| p.instructions).sum(),
        phases,
    }
}

/// The synthetic report; with `sweep`, over `tlb.entries` ∈ {16, 64} × `asid` ∈ {on, off},
/// micro's cost shrinking with more entries and with ASIDs on.
pub fn sample(sweep: bool) -> Report {
    let points: Vec<BTreeMap<String, String>> = if sweep {
        let mut v = Vec::new();
        for entries in ["16", "64"] {
            for asid in ["on", "off"] {
                v.push(BTreeMap::from([
                    ("tlb.entries".to_string(), entries.to_string()),
                    ("asid".to_string(), asid.to_string()),
                ]));
            }
        }
        v
    } else {
        vec![BTreeMap::new()]
    };
    let profile_of = |p: &BTreeMap<String, String>| {
        if p.is_empty() {
            "d1f2a3b4".to_string()
        } else {
            format!("p{}", data_label(p))
        }
    };
    let mut results = Vec::new();
    for s in SAMPLE {
        for point in &points {
            let slow = match (point.get("tlb.entries"), point.get("asid")) {
                (Some(e), Some(a)) => {
                    let e = if e == "16" { 130 } else { 100 };
                    let a = if a == "off" { 125 } else { 100 };
                    e * a / 100
                }
                _ => 100,
            };
            for (kernel, cycles) in [("mono", s.4), ("micro", s.5 * slow / 100)] {
                if cycles > 0 {
                    results.push(result(s, kernel, cycles, &profile_of(point), point));
                }
            }
        }
    }
    Report {
        schema: SCHEMA,
        klab: Build {
            version: "0.1.0".to_string(),
            commit: "abc1234-dirty".to_string(),
        },
        profiles: points
            .iter()
            .map(|p| ProfileRecord {
                name: if p.is_empty() {
                    "default".to_string()
                } else {
                    data_label(p)
                },
                hash: profile_of(p),
                toml: "[tlb]\nentries = 16 # <default>\n".to_string(),
            })
            .collect(),
        images: BTreeMap::from([
            ("mono".to_string(), "11112222".to_string()),
            ("micro".to_string(), "33334444".to_string()),
            ("initrd".to_string(), "55556666".to_string()),
        ]),
        kernels: BTreeMap::new(),
        sweep: if sweep {
            vec!["tlb.entries".to_string(), "asid".to_string()]
        } else {
            Vec::new()
        },
        comparisons: comparisons(&results),
        results,
    }
}

/// Made-up bands for the sample: 0.9× to 1.2× each ratio, moved by trap and tlb_walk; none for
/// `call` (nothing estimated moves a function call).
fn comparisons(results: &[BenchResult]) -> Vec<Comparison> {
    results
        .iter()
        .filter(|r| r.kernel == "micro")
        .filter_map(|micro| {
            let mono = results.iter().find(|m| {
                m.kernel == "mono"
                    && m.bench == micro.bench
                    && m.profile == micro.profile
                    && m.point == micro.point
            })?;
            let ratio = micro.cycles_per_op() / mono.cycles_per_op();
            let wide = micro.bench != "call";
            Some(Comparison {
                bench: micro.bench.clone(),
                profile: micro.profile.clone(),
                point: micro.point.clone(),
                ratio,
                ratio_low: if wide { ratio * 0.9 } else { ratio },
                ratio_high: if wide { ratio * 1.2 } else { ratio },
                drivers: if wide {
                    vec!["penalty.trap".to_string(), "penalty.tlb_walk".to_string()]
                } else {
                    Vec::new()
                },
            })
        })
        .collect()
}

/// A compact name for a point (`16-on`).
fn data_label(p: &BTreeMap<String, String>) -> String {
    p.values().cloned().collect::<Vec<_>>().join("-")
}

/// The table line of `bench` (the first line starting with its name and a space).
fn row<'a>(table: &'a str, bench: &str) -> &'a str {
    table
        .lines()
        .find(|l| l.starts_with(&format!("{bench} ")))
        .unwrap_or_else(|| panic!("no row for {bench} in\n{table}"))
}

/// Does every benchmark get a row, with micro/mono as `N.NN×` and `–` where a kernel is
/// missing?
#[test]
fn table_has_a_row_per_benchmark_with_the_ratio() {
    let t = super::table(&sample(false));
    for s in SAMPLE {
        row(&t, s.0);
    }
    assert!(row(&t, "getpid").contains("4.07×"), "{t}");
    assert!(row(&t, "thread-switch").contains("2.33×"), "{t}");
    let missing = row(&t, "file-0k");
    assert!(
        missing.contains("52000") && missing.contains(format::MISSING),
        "{t}"
    );
    assert!(row(&t, "ipc").ends_with("*1"), "{t}");
    assert!(
        t.contains("*1 mono: pipe round trip: this kernel has no IPC (ipc)"),
        "{t}"
    );
}

/// Are the table's columns aligned: does every row of a group put the ratio at the same
/// character position?
#[test]
fn table_columns_are_aligned() {
    let t = super::table(&sample(false));
    let header = t.lines().nth(1).unwrap_or_default();
    let end = header
        .find("micro/mono")
        .map(|i| header[..i].chars().count() + 10);
    for s in SAMPLE.iter().filter(|s| s.5 > 0) {
        let line = row(&t, s.0);
        // The cell ends at the ratio's `×`, or at the `)` closing its band.
        let at = line.find('×').map(|i| {
            let cell = &line[i..];
            let tail = match cell.strip_prefix("× (") {
                Some(band) => band.find(')').map_or(0, |j| band[..=j].chars().count() + 2),
                None => 0,
            };
            line[..i].chars().count() + 1 + tail
        });
        assert_eq!(at, end, "{t}");
    }
}

/// Does a sweep print one block per grid point?
#[test]
fn table_prints_every_sweep_point() {
    let t = super::table(&sample(true));
    for point in [
        "asid=on, tlb.entries=16",
        "asid=off, tlb.entries=16",
        "asid=on, tlb.entries=64",
        "asid=off, tlb.entries=64",
    ] {
        assert!(t.contains(point), "{point} missing:\n{t}");
    }
    assert_eq!(t.matches("\ngetpid ").count(), 4, "{t}");
}

/// Does report.md hold the cost ladder with every step in order, and the other parts?
#[test]
fn markdown_has_the_ladder_table() {
    let md = super::markdown(&sample(false));
    let ladder = md
        .split("### Cost ladder")
        .nth(1)
        .unwrap_or_else(|| panic!("no ladder in\n{md}"));
    assert!(
        ladder.contains("| step | benchmark | what | mono cycles/op |"),
        "{md}"
    );
    for (i, name) in LADDER.iter().enumerate() {
        assert!(
            ladder.contains(&format!("| {} | {name}", i + 1)),
            "{name}: {md}"
        );
    }
    assert!(ladder.contains("| 4000 | 16000 | 4.00× |"), "{md}");
    for part in [
        "klab 0.1.0, commit `abc1234-dirty`",
        "- profile default: `d1f2a3b4`",
        "initrd `55556666`",
        "### syscall (per operation)",
        "### Cycles per operation by place",
        "## Notes",
    ] {
        assert!(md.contains(part), "{part} missing:\n{md}");
    }
    // A `|` in a title must not split the cell.
    assert!(md.contains("a \\<b\\> & c \\| d"), "{md}");
    assert!(!md.contains("## Sweep"), "{md}");
}

/// Does a sweep's report.md tabulate the ratio at every point?
#[test]
fn markdown_has_the_sweep_ratios() {
    let md = super::markdown(&sample(true));
    let sweep = md
        .split("## Sweep: micro/mono cycles ratio per point")
        .nth(1)
        .unwrap_or_else(|| panic!("no sweep in\n{md}"));
    assert!(
        sweep.contains("| benchmark | asid=on, tlb.entries=16 | asid=off, tlb.entries=16 |"),
        "{md}"
    );
    // getpid: 407 × 1.30 → 529 and 407 × 1.62 → 659 over mono's 100, each with its band
    // (the sample's 0.9× to 1.2×, ends rounded outwards).
    assert!(
        sweep.contains(
            "| getpid | 5.29× (4.7–6.4) | 6.59× (5.9–8.0) | 4.07× (3.6–4.9) | 5.08× (4.5–6.1) |"
        ),
        "{md}"
    );
}

/// The `<section …>…</section>` chunks of a page.
fn sections(page: &str) -> Vec<&str> {
    page.split("<section")
        .skip(1)
        .map(|s| s.split("</section>").next().unwrap_or(""))
        .collect()
}

/// Does every section of the page hold exactly one chart, and are all sections there?
#[test]
fn html_has_one_svg_per_section() {
    for sweep in [false, true] {
        let page = super::html(&sample(sweep));
        let chunks = sections(&page);
        // The bands, 5 metric families, the ladder, getpid's timeline, getpid's flame graph
        // on each kernel, one breakdown per benchmark, two per swept parameter (the ratio, and
        // each kernel's cycles).
        let expected = 1 + 5 + 1 + 1 + 2 + SAMPLE.len() + if sweep { 4 } else { 0 };
        assert_eq!(chunks.len(), expected);
        assert_eq!(page.matches("</section>").count(), expected);
        for chunk in chunks {
            assert_eq!(chunk.matches("<svg").count(), 1, "{chunk}");
            assert_eq!(chunk.matches("</svg>").count(), 1, "{chunk}");
            assert_eq!(chunk.matches("<h2>").count(), 1, "{chunk}");
            assert!(chunk.contains("<table>"), "{chunk}");
        }
        assert!(!page.contains("could not be drawn"), "a chart failed");
    }
}

/// Does the page reference nothing outside itself (the SVG namespace aside)?
#[test]
fn html_is_self_contained() {
    let page = super::html(&sample(true));
    let rest = page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!rest.contains("http://") && !rest.contains("https://"));
    assert!(!rest.contains("<script") && !rest.contains("<link") && !rest.contains("<img"));
}

/// Is every title escaped, in the tables and in the charts?
#[test]
fn html_escapes_report_text() {
    let page = super::html(&sample(false));
    assert!(!page.contains("<b>"), "unescaped title");
    assert!(
        page.contains("a &lt;b&gt; &amp; c | d"),
        "escaped title missing"
    );
    assert!(
        page.contains("entries = 16 # &lt;default&gt;"),
        "escaped profile missing"
    );
}

/// Void HTML elements, which have no closing tag.
const VOID: [&str; 3] = ["meta", "br", "hr"];

/// Checks that tags nest: every opened element is closed in order (self-closing and void
/// elements aside). Returns the first mismatch.
fn check_nesting(page: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = page;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = rest.find('>').ok_or("unclosed tag")?;
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            match stack.pop() {
                Some(open) if open == name.trim() => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/')
            .collect();
        if !tag.ends_with('/') && !VOID.contains(&name.as_str()) {
            stack.push(name);
        }
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err(format!("left open: {stack:?}"))
    }
}

/// Do the page's tags nest properly (sections closed, charts closed)?
#[test]
fn html_is_well_formed() {
    for sweep in [false, true] {
        let page = super::html(&sample(sweep));
        assert_eq!(check_nesting(&page), Ok(()));
        assert!(page.starts_with("<!doctype html>"));
        assert!(page.trim_end().ends_with("</html>"));
    }
}

/// Does an empty report render everywhere without panicking?
#[test]
fn an_empty_report_renders() {
    let report = Report::default();
    assert_eq!(super::table(&report), "no results\n");
    assert!(super::markdown(&report).contains("No results."));
    let page = super::html(&report);
    assert_eq!(sections(&page).len(), 0);
    assert_eq!(check_nesting(&page), Ok(()));
}

/// Does a result with zero operations or zero counters draw (no log of zero, no NaN)?
#[test]
fn zero_values_draw() {
    let mut report = sample(false);
    for r in &mut report.results {
        if r.bench == "call" {
            r.ops = 0;
        }
        if r.bench == "getpid" {
            r.total = Counters::default();
            r.parts.clear();
        }
    }
    let page = super::html(&report);
    assert!(!page.contains("could not be drawn"));
    assert!(!page.contains("NaN") && !page.contains("inf"));
}

/// Does a sweep whose parameter took a single value (or three) still draw?
#[test]
fn a_sweep_of_one_or_three_values_draws() {
    let mut one = sample(true);
    one.results
        .retain(|r| r.point.get("tlb.entries").map(String::as_str) == Some("16"));
    let mut three = sample(true);
    let extra: Vec<BenchResult> = three
        .results
        .iter()
        .filter(|r| r.point.get("tlb.entries").map(String::as_str) == Some("64"))
        .map(|r| {
            let mut r = r.clone();
            r.point.insert("tlb.entries".to_string(), "256".to_string());
            r
        })
        .collect();
    three.results.extend(extra);
    for report in [one, three] {
        let page = super::html(&report);
        assert!(!page.contains("could not be drawn"));
        assert_eq!(check_nesting(&page), Ok(()));
    }
}

/// Does the log axis leave room on both sides of the values, powers of ten included?
#[test]
fn log_axes_start_below_the_smallest_value() {
    assert_eq!(charts::log_span([1.0, 2.0]), Some((0.1, 10.0)));
    assert_eq!(charts::log_span([2.0, 10.0]), Some((1.0, 100.0)));
    assert_eq!(charts::log_span([0.0, 3e-4, 9e6]), Some((1e-4, 1e7)));
    assert_eq!(charts::log_span([0.0]), None);
    assert_eq!(charts::decades(0.1, 25.0), vec![0.1, 1.0, 10.0]);
}

/// Does a chart that fails — by error or by panic — become a message in an `<svg>`?
#[test]
fn a_failing_chart_becomes_a_message() {
    let by_error = charts::render(400, 100, |_| Err("no data <here>".into()));
    assert!(by_error.starts_with("<svg") && by_error.ends_with("</svg>"));
    assert!(by_error.contains("could not be drawn: no data &lt;here&gt;"));
    let by_panic = charts::render(400, 100, |_| panic!("deliberate panic in a test"));
    assert!(by_panic.contains("could not be drawn"));
    assert_eq!(by_panic.matches("<svg").count(), 1);
}

/// Do numbers print with the documented precision?
#[test]
fn numbers_format_consistently() {
    let cases = [
        (0.0, "0"),
        (4.25, "4.2"),
        (42.46, "42.5"),
        (123.6, "124"),
        (12_345_678.0, "12345678"),
        (0.52, "0.52"),
        (0.052, "0.052"),
        (0.0002, "2.0e-4"),
    ];
    for (v, s) in cases {
        assert_eq!(format::num(v), s);
    }
    assert_eq!(
        format::ratio(format::ratio_of(Some(100.0), Some(407.0))),
        "4.07×"
    );
    assert_eq!(
        format::ratio(format::ratio_of(Some(0.0), Some(1.0))),
        format::MISSING
    );
    assert_eq!(
        format::ratio(format::ratio_of(None, Some(1.0))),
        format::MISSING
    );
    assert_eq!(format::tick(1e6), "1M");
    assert_eq!(format::tick(0.01), "0.01");
}

/// A report of every catalogue benchmark on both kernels (no sweep), with made-up costs
/// from 5 to 10^7 cycles: the real report's size and spread.
pub(super) fn catalogue_report() -> Report {
    let mut report = sample(false);
    report.results.clear();
    let point = BTreeMap::new();
    for (i, b) in crate::bench::catalog::BENCHES.iter().enumerate() {
        // Spread over five decades, repeating: the catalogue outgrew 1.7^i in a u64 of counts.
        let mono = (5.0 * 1.7f64.powi((i % 24) as i32)) as u64;
        let micro = mono * (10 + (i as u64 * 7) % 40) / 10;
        let s = (b.name, b.family, b.title, b.unit, mono, micro);
        for (kernel, cycles) in [("mono", mono), ("micro", micro)] {
            report
                .results
                .push(result(s, kernel, cycles, "d1f2a3b4", &point));
        }
    }
    report
}

/// Writes the sample sweep report's HTML to /tmp/klab-report-sample.html, and a whole-catalogue
/// one to /tmp/klab-report-catalogue.html, to look at (render with `chromium --headless
/// --screenshot`).
#[test]
#[ignore = "writes a file for a human to look at"]
fn write_sample_html() -> std::io::Result<()> {
    std::fs::write("/tmp/klab-report-sample.html", super::html(&sample(true)))?;
    let catalogue = catalogue_report();
    std::fs::write("/tmp/klab-report-catalogue.html", super::html(&catalogue))?;
    std::fs::write("/tmp/klab-report-catalogue.txt", super::table(&catalogue))?;
    std::fs::write("/tmp/klab-report-sample.md", super::markdown(&sample(true)))?;
    std::fs::write("/tmp/klab-report-sample.txt", super::table(&sample(false)))
}

/// Does the ladder show each cost beside its floor (traps and switches per op times the default
/// profile's 93 and 50 cycles), in Markdown and HTML, with what the floor includes?
#[test]
fn the_ladder_shows_each_floor_beside_its_cost() {
    let md = super::markdown(&sample(false));
    let ladder = md.split("### Cost ladder").nth(1).unwrap();
    assert!(
        ladder.contains("| micro/mono | mono floor | mono/floor | micro floor | micro/floor |"),
        "{md}"
    );
    // getpid: 2 traps per op, no satp write: 2 × 93 = 186.
    assert!(
        ladder.contains("| 100 | 407 | 4.07× | 186 | 0.54× | 186 | 2.19× |"),
        "{md}"
    );
    // pipe-rt: 2 traps and 1 satp write per op: 186 + 50 = 236.
    assert!(
        ladder.contains("| 4000 | 16000 | 4.00× | 236 | 16.95× | 236 | 67.80× |"),
        "{md}"
    );
    assert!(ladder.contains("per trap 93 cycles"), "{md}");
    assert!(
        ladder.contains("per address-space change 50 cycles"),
        "{md}"
    );
    let page = super::html(&sample(false));
    let section = sections(&page)
        .into_iter()
        .find(|s| s.starts_with(" id=\"ladder\""))
        .expect("the ladder section");
    assert!(section.contains("<th>micro/floor</th>"), "{section}");
    assert!(
        section.contains("<td class=\"n\">236</td><td class=\"n\">67.80×</td>"),
        "{section}"
    );
    assert!(section.contains("per trap 93 cycles"), "{section}");
}

/// Does each ladder benchmark with a timeline get its chart and phase tables, and report.md a
/// table per kernel?
#[test]
fn timelines_are_in_the_page_and_the_markdown() {
    let page = super::html(&sample(false));
    let section = sections(&page)
        .into_iter()
        .find(|s| s.starts_with(" id=\"timeline-getpid\""))
        .expect("getpid's timeline section");
    assert!(
        section.contains("timeline of one operation: getpid"),
        "{section}"
    );
    assert!(
        section.contains("micro — operation 50: 390 cycles"),
        "{section}"
    );
    assert!(
        section.contains("<td>server (proc)</td><td>U</td>"),
        "{section}"
    );
    for legend in [
        "user",
        "trap / sret",
        "kernel",
        "address-space switch",
        "server",
    ] {
        assert!(
            section.contains(&format!(">\n{legend}\n</text>")),
            "{legend}: {section}"
        );
    }
    let md = super::markdown(&sample(false));
    let tl = md
        .split("### Timeline of one operation")
        .nth(1)
        .unwrap_or_else(|| panic!("no timelines in\n{md}"));
    assert!(
        tl.contains("#### getpid on mono: operation 50, 100 cycles"),
        "{md}"
    );
    assert!(
        tl.contains(
            "| address-space switch → proc | S | 84 | 50 | 25 | 42 | 1 | 0 | 0 | 0 | proc |"
        ),
        "{md}"
    );
}

/// Do the floors and timelines survive report.json (merging reads it back)?
#[test]
fn floors_and_timelines_round_trip_through_json() {
    let report = sample(false);
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.contains("\"cycles_per_op\":186.0"), "{json}");
    assert!(json.contains("\"kind\":\"server\""), "{json}");
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
}

/// Does every rendering show the band: `4.16× (3.9–4.8)` in the terminal table, a bands table
/// with drivers in Markdown, a bands section with a whisker per benchmark in HTML, and none for
/// a ratio whose band has no width?
#[test]
fn the_band_is_shown_beside_each_ratio() {
    let report = sample(false);
    let t = super::table(&report);
    let line = row(&t, "getpid");
    let c = report
        .comparisons
        .iter()
        .find(|c| c.bench == "getpid")
        .unwrap();
    let expected = format!(
        "{} ({}–{})",
        format::ratio(Some(c.ratio)),
        format::band_end(c.ratio_low, true),
        format::band_end(c.ratio_high, false)
    );
    assert!(line.contains(&expected), "{line} lacks {expected}");
    assert!(!row(&t, "call").contains('('), "no band of no width");

    let md = super::markdown(&report);
    let bands = md
        .split("### micro/mono cycles ratio and its band")
        .nth(1)
        .unwrap();
    assert!(bands.contains("| getpid | "), "{bands}");
    assert!(bands.contains("trap, tlb\\_walk"), "{bands}");

    let html = super::html(&report);
    let section = html.split("<section id=\"bands\">").nth(1).unwrap();
    let section = section.split("</section>").next().unwrap();
    assert_eq!(section.matches("<svg").count(), 1);
    assert!(section.contains("<td>trap, tlb_walk</td>"), "{section}");
    let wide = report
        .comparisons
        .iter()
        .filter(|c| c.ratio_low < c.ratio_high)
        .count();
    // Each band is a whisker: a line and two caps.
    assert!(
        section.matches("<polyline").count() >= 3 * wide,
        "{section}"
    );

    let sweep = super::markdown(&sample(true));
    let table = sweep
        .split("## Sweep: micro/mono cycles ratio per point")
        .nth(1)
        .unwrap();
    assert!(table.contains("× ("), "{table}");
}

/// Do the band's printed ends round outwards, so the printed band holds the printed ratio?
#[test]
fn band_ends_round_outwards() {
    assert_eq!(format::band(3.94, 4.76).as_deref(), Some("3.9–4.8"));
    assert_eq!(format::band(4.16, 4.16), None);
    assert_eq!(format::band_end(4.16, true), "4.1");
    assert_eq!(format::band_end(4.16, false), "4.2");
    assert_eq!(format::band_end(4.0, true), "4.0");
    assert_eq!(format::band_end(0.137, true), "0.13");
    assert_eq!(format::band_end(12.2, false), "13");
    assert_eq!(
        format::ratio_band(Some(4.16), Some((3.94, 4.76))),
        "4.16× (3.9–4.8)"
    );
    assert_eq!(format::ratio_band(Some(4.16), None), "4.16×");
}

#[test]
fn a_swept_profile_is_named_by_the_values_its_points_share() {
    let mut r = sample(true);
    // Let the two asid settings at each TLB size share one profile, as a sweep over a
    // parameter that is not part of the profile does.
    for x in &mut r.results {
        x.profile = format!("tlb{}", x.point["tlb.entries"]);
    }
    assert_eq!(
        data::profile_label(&r, "u74", "tlb16"),
        "u74 · tlb.entries=16"
    );
    assert_eq!(data::profile_label(&r, "u74", "nothing"), "u74");
    let plain = sample(false);
    assert_eq!(data::profile_label(&plain, "u74", "d1f2a3b4"), "u74");
}

/// Does a sweep show each kernel's own cycles next to the ratio — a panel per kernel and
/// setting of the other parameters, and micro's getpid at its swept values in the table?
#[test]
fn a_sweep_shows_each_kernels_cycles_next_to_the_ratio() {
    let report = sample(true);
    let page = super::html(&report);
    let chunk = sections(&page)
        .into_iter()
        .find(|c| c.starts_with(" id=\"sweep-tlb-entries-cycles\""))
        .expect("an absolute-cycles section for tlb.entries");
    for panel in [
        "mono · asid=off",
        "micro · asid=off",
        "mono · asid=on",
        "micro · asid=on",
    ] {
        assert!(chunk.contains(panel), "no panel {panel}");
    }
    let at = |entries: &str| {
        let point = BTreeMap::from([
            ("tlb.entries".to_string(), entries.to_string()),
            ("asid".to_string(), "on".to_string()),
        ]);
        super::sweep::cycles_at(&report, "getpid", "micro", &point).expect("measured")
    };
    assert!(
        at("16") > at("64"),
        "the sample's micro is slower with fewer entries"
    );
    for v in [at("16"), at("64")] {
        assert!(
            chunk.contains(&format!(">{}<", format::num(v))),
            "{v} not in the table"
        );
    }
}

/// Is mono's `ipc` row of the ladder (its pipe round trip, a stand-in with a note) drawn
/// hatched and labelled so in the chart, and no other bar?
#[test]
fn the_ladders_stand_in_row_is_hatched_and_labelled_in_the_chart() {
    let page = super::html(&sample(false));
    let ladder = sections(&page)
        .into_iter()
        .find(|c| c.starts_with(" id=\"ladder\""))
        .expect("the ladder");
    assert_eq!(
        ladder.matches("(stand-in)").count(),
        1,
        "one stand-in label: mono's ipc"
    );
    let families = sections(&page)
        .into_iter()
        .find(|c| c.starts_with(" id=\"time\""))
        .expect("the time family");
    assert!(!families.contains("(stand-in)"));
}
