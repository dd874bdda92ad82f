//! The report's questions — what each IPC mechanism costs, how the IO models scale with the
//! number of clients, what zero-copy saves, what an interrupt costs, what creating a process,
//! a thread and a coroutine costs — each answered by one section: a chart of both kernels, a
//! table of the numbers and a short reading computed from them. (Zero-copy has two sections:
//! the cycles here, the bytes each place stores in `moved`.)
//!
//! Data-driven: a question is asked only when the report holds at least one of its
//! benchmarks, and it draws exactly those present, so benchmarks added later (`sig-rt`,
//! `shm-bw`, `io-async-N`, `io-procs-N`, `irq-latency`) appear once measured. The same
//! [`Answer`]s feed `report.html` (chart, table, reading) and `report.md` (table, reading).

use crate::bench::model::Report;

use super::charts::bars::{Panel, Scale, bars};
use super::charts::lines::{LinePanel, YAxis, lines};
use super::data::{self, BenchInfo, CYCLES, Group, KERNELS, Notes, Pair};
use super::format::{self, num, opt_num, ratio, ratio_of};

/// Index of instructions in [`crate::bench::model::METRICS`].
const INSTRUCTIONS: usize = 1;

/// A benchmark's name and a value of it.
type Named<'a> = (&'a str, f64);

/// The IPC mechanisms' round trips, in the order the chart lists them.
const IPC_ROUND_TRIPS: [&str; 8] = [
    "pipe-rt",
    "fifo-rt",
    "unix-rt",
    "mq-rt",
    "shm-rt",
    "sem-rt",
    "sig-rt",
    "sig-catch",
];

/// The bandwidths listed under the IPC mechanisms (table only: a different unit).
const IPC_BANDWIDTHS: [&str; 4] = ["pipe-bw", "unix-bw", "shm-bw", "bw-mem"];

/// The IO models in legend order; a model not listed here follows in report order.
const IO_MODELS: [&str; 7] = [
    "threads", "procs", "poll", "select", "epoll", "coro", "async",
];

/// The creation costs, most expensive first.
const CREATIONS: [&str; 3] = ["spawn", "thread-create", "coro-create"];

/// One question's answer, rendering-neutral.
pub struct Answer {
    /// The section id (without the group prefix).
    pub id: &'static str,
    /// The heading.
    pub title: String,
    /// The chart, an `<svg>`.
    pub svg: String,
    /// The table's header cells (plain text).
    pub head: Vec<String>,
    /// The table's rows (plain text cells, the first a name).
    pub rows: Vec<Vec<String>>,
    /// The reading computed from the numbers (plain text).
    pub reading: String,
}

/// Every answer the report's benchmarks in `group` allow, in question order.
pub fn answers(report: &Report, group: &Group<'_>, notes: &Notes) -> Vec<Answer> {
    let benches = data::benches(report);
    let present = |name: &str| {
        let p = data::pair(report, name, group);
        (p.mono.is_some() || p.micro.is_some()).then_some(p)
    };
    let mut out = Vec::new();
    out.extend(ipc_mechanisms(&present, notes));
    out.extend(io_models(&benches, &present));
    out.extend(zero_copy(&benches, &present));
    out.extend(zero_copy_bytes(&benches, &present));
    out.extend(interrupts(&benches, &present));
    out.extend(creation(&present, notes));
    out
}

/// The present benchmarks of `names`, with their pairs.
fn pick<'n, 'a>(
    names: &[&'n str],
    present: &dyn Fn(&str) -> Option<Pair<'a>>,
) -> Vec<(&'n str, Pair<'a>)> {
    names
        .iter()
        .filter_map(|n| present(n).map(|p| (*n, p)))
        .collect()
}

/// A benchmark's name with its note marker.
fn marked(name: &str, notes: &Notes) -> String {
    let m = notes.marker(name);
    if m.is_empty() {
        name.to_string()
    } else {
        format!("{name} {m}")
    }
}

/// The table row of a pair: name, mono and micro cycles per op, their ratio.
fn cycles_row(name: String, p: &Pair<'_>) -> Vec<String> {
    let [mono, micro] = p.per_op(CYCLES);
    vec![
        name,
        opt_num(mono),
        opt_num(micro),
        ratio(ratio_of(mono, micro)),
    ]
}

/// The header of [`cycles_row`]s, with the unit the first column names.
fn cycles_head(first: &str) -> Vec<String> {
    [first, "mono cycles/op", "micro cycles/op", "micro/mono"]
        .map(String::from)
        .to_vec()
}

/// On kernel `k`, the cheapest and the dearest of `picked` by cycles per op, as
/// `(name, cycles)` pairs.
fn extremes<'a>(picked: &[(&'a str, Pair<'_>)], k: usize) -> Option<(Named<'a>, Named<'a>)> {
    let vals: Vec<(&str, f64)> = picked
        .iter()
        .filter_map(|(n, p)| p.per_op(CYCLES)[k].map(|v| (*n, v)))
        .filter(|(_, v)| *v > 0.0)
        .collect();
    let lo = vals.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1))?;
    let hi = vals.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1))?;
    Some((lo, hi))
}

/// The range of micro/mono over `picked` as `((name, ratio) lowest, highest)`.
fn ratio_range<'a>(picked: &[(&'a str, Pair<'_>)]) -> Option<(Named<'a>, Named<'a>)> {
    let vals: Vec<(&str, f64)> = picked
        .iter()
        .filter_map(|(n, p)| {
            let [a, b] = p.per_op(CYCLES);
            ratio_of(a, b).map(|r| (*n, r))
        })
        .collect();
    let lo = vals.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1))?;
    let hi = vals.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1))?;
    Some((lo, hi))
}

/// `x` as a factor: `2.3×`.
fn times(x: f64) -> String {
    format!("{x:.1}×")
}

/// The IPC mechanisms' round trips side by side (log bars), bandwidths in the table.
fn ipc_mechanisms<'a>(present: &dyn Fn(&str) -> Option<Pair<'a>>, notes: &Notes) -> Option<Answer> {
    let trips = pick(&IPC_ROUND_TRIPS, present);
    // One round trip alone (pipe-rt is on the ladder) asks no question.
    if trips.len() < 2 {
        return None;
    }
    let names: Vec<String> = trips.iter().map(|(n, _)| marked(n, notes)).collect();
    let panel = Panel {
        title: "cycles / op",
        values: trips.iter().map(|(_, p)| p.per_op(CYCLES)).collect(),
    };
    let svg = bars(
        &names,
        &[panel],
        "cycles per operation (log scale)",
        Scale::Log,
    );
    let mut rows: Vec<Vec<String>> = trips
        .iter()
        .zip(&names)
        .map(|((_, p), n)| cycles_row(n.clone(), p))
        .collect();
    rows.extend(
        pick(&IPC_BANDWIDTHS, present)
            .iter()
            .map(|(n, p)| cycles_row(format!("{} (64 KiB, bandwidth)", marked(n, notes)), p)),
    );
    // sig-catch is no round trip: it takes no part in the cheapest and dearest.
    let true_trips: Vec<(&str, Pair<'_>)> = trips
        .iter()
        .copied()
        .filter(|(n, _)| *n != "sig-catch")
        .collect();
    let mut reading = Vec::new();
    for (k, kernel) in KERNELS.iter().enumerate() {
        if let Some(((lo, lv), (hi, hv))) = extremes(&true_trips, k) {
            reading.push(format!(
                "on {kernel} the cheapest round trip is {lo} ({} cycles) and the dearest {hi} ({}, {} as much)",
                num(lv),
                num(hv),
                times(hv / lv)
            ));
        }
    }
    if let Some(((lo, lr), (hi, hr))) = ratio_range(&true_trips) {
        reading.push(format!(
            "micro/mono runs from {} ({lo}) to {} ({hi})",
            ratio(Some(lr)),
            ratio(Some(hr))
        ));
    }
    Some(Answer {
        id: "q-ipc-mechanisms",
        title: "IPC mechanisms side by side: cycles per round trip (sig-catch: per signal)"
            .to_string(),
        svg,
        head: cycles_head("mechanism"),
        rows,
        reading: sentence(&reading),
    })
}

/// `io-MODEL-N` as `(MODEL, N)`.
fn io_point(name: &str) -> Option<(&str, u64)> {
    let rest = name.strip_prefix("io-")?;
    let (model, n) = rest.rsplit_once('-')?;
    Some((model, n.parse().ok()?))
}

/// The IO models' cost per request against N: one panel per kernel, one line per model.
fn io_models<'a>(
    benches: &[BenchInfo<'_>],
    present: &dyn Fn(&str) -> Option<Pair<'a>>,
) -> Option<Answer> {
    let points: Vec<(&str, u64)> = benches.iter().filter_map(|b| io_point(b.name)).collect();
    let mut models: Vec<&str> = IO_MODELS
        .iter()
        .copied()
        .filter(|m| points.iter().any(|(pm, _)| pm == m))
        .collect();
    for (m, _) in &points {
        if !models.contains(m) {
            models.push(m);
        }
    }
    let mut ns: Vec<u64> = points.iter().map(|(_, n)| *n).collect();
    ns.sort_unstable();
    ns.dedup();
    if models.is_empty() || ns.len() < 2 {
        return None;
    }
    let at = |m: &str, n: u64, k: usize| {
        present(&format!("io-{m}-{n}")).and_then(|p| p.per_op(CYCLES)[k])
    };
    let kernels: Vec<usize> = (0..KERNELS.len())
        .filter(|&k| {
            models
                .iter()
                .any(|m| ns.iter().any(|&n| at(m, n, k).is_some()))
        })
        .collect();
    let panels: Vec<LinePanel> = kernels
        .iter()
        .map(|&k| LinePanel {
            title: KERNELS[k].to_string(),
            series: models
                .iter()
                .map(|m| ns.iter().map(|&n| at(m, n, k)).collect())
                .collect(),
            bands: Vec::new(),
        })
        .collect();
    let x_labels: Vec<String> = ns.iter().map(u64::to_string).collect();
    let names: Vec<String> = models.iter().map(|m| m.to_string()).collect();
    let svg = lines(
        &x_labels,
        &names,
        &panels,
        ("N (clients)", "cycles per request"),
        YAxis::Absolute,
    );
    let mut head = vec!["model".to_string()];
    for &k in &kernels {
        for n in &ns {
            head.push(format!("{} N={n}", KERNELS[k]));
        }
    }
    let rows: Vec<Vec<String>> = models
        .iter()
        .map(|m| {
            let mut r = vec![m.to_string()];
            for &k in &kernels {
                r.extend(ns.iter().map(|&n| opt_num(at(m, n, k))));
            }
            r
        })
        .collect();
    let (first, last) = (ns[0], ns[ns.len() - 1]);
    let mut reading = Vec::new();
    for &k in &kernels {
        let growth: Vec<String> = models
            .iter()
            .filter_map(|m| {
                let (a, b) = (at(m, first, k)?, at(m, last, k)?);
                (a > 0.0).then(|| format!("{} with {m}", change(a, b)))
            })
            .collect();
        if !growth.is_empty() {
            reading.push(format!(
                "from N={first} to N={last} on {}, the cost per request {}",
                KERNELS[k],
                growth.join(", ")
            ));
        }
    }
    Some(Answer {
        id: "q-io-models",
        title: "IO models: cycles per request against the number of clients".to_string(),
        svg,
        head,
        rows,
        reading: sentence(&reading),
    })
}

/// How `a` became `b`: `stays within 3%` below a 25% change either way, else `grows 4.2×` or
/// `shrinks 2.0×`.
fn change(a: f64, b: f64) -> String {
    let r = b / a;
    if (0.8..1.25).contains(&r) {
        format!("stays within {:.0}%", (100.0 * (r - 1.0)).abs().round())
    } else if r > 1.0 {
        format!("grows {}", times(r))
    } else {
        format!("shrinks {}", times(1.0 / r))
    }
}

/// Each `copy-X` with its `sendfile-X` (or `splice-X`) among `benches`.
fn zero_copy_pairs(benches: &[BenchInfo<'_>]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for b in benches {
        let Some(size) = b.name.strip_prefix("copy-") else {
            continue;
        };
        for zc in ["sendfile", "splice"] {
            let other = format!("{zc}-{size}");
            if benches.iter().any(|o| o.name == other) {
                pairs.push((b.name.to_string(), other));
            }
        }
    }
    pairs
}

/// The bytes each place stores per byte the zero-copy pairs move (see `moved`).
fn zero_copy_bytes<'a>(
    benches: &[BenchInfo<'_>],
    present: &dyn Fn(&str) -> Option<Pair<'a>>,
) -> Option<Answer> {
    let pairs: Vec<_> = zero_copy_pairs(benches)
        .into_iter()
        .filter_map(|(copy, zc)| {
            let (c, z) = (present(&copy)?, present(&zc)?);
            Some((copy, zc, c, z))
        })
        .collect();
    super::moved::bytes_answer(&pairs)
}

/// Copy against zero-copy: each `copy-X` beside its `sendfile-X` (or `splice-X`).
fn zero_copy<'a>(
    benches: &[BenchInfo<'_>],
    present: &dyn Fn(&str) -> Option<Pair<'a>>,
) -> Option<Answer> {
    let pairs = zero_copy_pairs(benches);
    if pairs.is_empty() {
        return None;
    }
    let mut rows_names = Vec::new();
    let mut values = Vec::new();
    let mut insns = Vec::new();
    let mut reading = Vec::new();
    let mut rows = Vec::new();
    for (copy, zc) in &pairs {
        let (c, z) = (present(copy)?, present(zc)?);
        for (name, p) in [(copy, &c), (zc, &z)] {
            rows_names.push(name.clone());
            values.push(p.per_op(CYCLES));
            insns.push(p.per_op(INSTRUCTIONS));
            let [mi, ui] = p.per_op(INSTRUCTIONS);
            let mut r = cycles_row(name.clone(), p);
            r.push(opt_num(mi));
            r.push(opt_num(ui));
            rows.push(r);
        }
        let saved: Vec<(String, &str)> = KERNELS
            .iter()
            .enumerate()
            .filter_map(|(k, kernel)| {
                let (a, b) = (c.per_op(CYCLES)[k]?, z.per_op(CYCLES)[k]?);
                (a > 0.0).then(|| (format::percent(a - b, a), *kernel))
            })
            .collect();
        if let Some(((p0, k0), rest)) = saved.split_first().map(|(f, r)| (f.clone(), r)) {
            let mut clause = format!("zero-copy ({zc}) saves {p0} of {copy}'s cycles on {k0}");
            for (p, k) in rest {
                clause.push_str(&format!(" and {p} on {k}"));
            }
            reading.push(clause);
        }
    }
    let title_c = "cycles / op";
    let title_i = "instructions / op";
    let panels = [
        Panel {
            title: title_c,
            values,
        },
        Panel {
            title: title_i,
            values: insns,
        },
    ];
    let svg = bars(&rows_names, &panels, "per operation", Scale::Linear);
    let mut head = cycles_head("benchmark");
    head.push("mono instructions/op".to_string());
    head.push("micro instructions/op".to_string());
    Some(Answer {
        id: "q-zero-copy",
        title: "Zero-copy: read + write against sendfile".to_string(),
        svg,
        head,
        rows,
        reading: sentence(&reading),
    })
}

/// The interrupt path: every `irq-*` benchmark, with the share of its cycles in servers.
fn interrupts<'a>(
    benches: &[BenchInfo<'_>],
    present: &dyn Fn(&str) -> Option<Pair<'a>>,
) -> Option<Answer> {
    let names: Vec<&str> = benches
        .iter()
        .filter(|b| b.name.starts_with("irq-") || b.family == "irq")
        .map(|b| b.name)
        .collect();
    let picked = pick(&names, present);
    if picked.is_empty() {
        return None;
    }
    let rows_names: Vec<String> = picked.iter().map(|(n, _)| n.to_string()).collect();
    let panel = Panel {
        title: "cycles / op",
        values: picked.iter().map(|(_, p)| p.per_op(CYCLES)).collect(),
    };
    let svg = bars(&rows_names, &[panel], "cycles per operation", Scale::Linear);
    let mut head = cycles_head("benchmark");
    head.push("micro outside kernel and user".to_string());
    let mut rows = Vec::new();
    let mut reading = Vec::new();
    for (n, p) in &picked {
        let [mono, micro] = p.per_op(CYCLES);
        let servers = p.micro.map(|r| {
            let mut s = 0.0;
            for part in r
                .parts
                .iter()
                .filter(|x| x.place != "user" && x.place != "kernel")
            {
                s += part.counters.per_op(r.ops)[CYCLES];
            }
            s
        });
        let share = match (servers, micro) {
            (Some(s), Some(t)) => format::percent(s, t),
            _ => format::MISSING.to_string(),
        };
        let mut r = cycles_row(n.to_string(), p);
        r.push(share.clone());
        rows.push(r);
        if let (Some(a), Some(b)) = (mono, micro) {
            reading.push(format!(
                "the interrupt path ({n}) takes {} cycles on mono against {} on micro ({}), {share} of micro's in its servers",
                num(a),
                num(b),
                ratio(ratio_of(mono, micro))
            ));
        }
    }
    Some(Answer {
        id: "q-interrupts",
        title: "Interrupt path: raised to reader resumed".to_string(),
        svg,
        head,
        rows,
        reading: sentence(&reading),
    })
}

/// Creating a process, a thread and a coroutine.
fn creation<'a>(present: &dyn Fn(&str) -> Option<Pair<'a>>, notes: &Notes) -> Option<Answer> {
    let picked = pick(&CREATIONS, present);
    if picked.len() < 2 {
        return None;
    }
    let names: Vec<String> = picked.iter().map(|(n, _)| marked(n, notes)).collect();
    let panel = Panel {
        title: "cycles / creation",
        values: picked.iter().map(|(_, p)| p.per_op(CYCLES)).collect(),
    };
    let svg = bars(
        &names,
        &[panel],
        "cycles per creation (log scale)",
        Scale::Log,
    );
    let rows = picked
        .iter()
        .zip(&names)
        .map(|((_, p), n)| cycles_row(n.clone(), p))
        .collect();
    let mut reading = Vec::new();
    let (first, rest) = (picked[0], &picked[1..]);
    for (k, kernel) in KERNELS.iter().enumerate() {
        let Some(a) = first.1.per_op(CYCLES)[k] else {
            continue;
        };
        let against: Vec<String> = rest
            .iter()
            .filter_map(|(n, p)| {
                let b = p.per_op(CYCLES)[k].filter(|b| *b > 0.0)?;
                Some(format!("{} {n}", times(a / b)))
            })
            .collect();
        if !against.is_empty() {
            reading.push(format!(
                "on {kernel} one {} costs {}",
                first.0,
                against.join(" and ")
            ));
        }
    }
    Some(Answer {
        id: "q-creation",
        title: "Creation costs: process, thread, coroutine".to_string(),
        svg,
        head: cycles_head("benchmark"),
        rows,
        reading: sentence(&reading),
    })
}

/// Clauses joined into one sentence: `A; b; c.` with the first letter capitalised.
pub(super) fn sentence(clauses: &[String]) -> String {
    let s = clauses.join("; ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => format!("{}{}.", f.to_uppercase(), c.as_str()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::model::BenchResult;

    /// Sets `bench` on `kernel` to `cycles` per operation (every part scaled alike), adding it
    /// (a copy of the first result) when the report lacks it.
    fn set(report: &mut Report, bench: &str, kernel: &str, cycles: u64) {
        let i = match report
            .results
            .iter()
            .position(|r| r.bench == bench && r.kernel == kernel)
        {
            Some(i) => i,
            None => {
                let mut r: BenchResult = report.results[0].clone();
                r.bench = bench.to_string();
                r.kernel = kernel.to_string();
                r.note = None;
                report.results.push(r);
                report.results.len() - 1
            }
        };
        let r = &mut report.results[i];
        let old = r.total.cycles.max(1);
        let new = cycles * r.ops;
        r.total.cycles = new;
        let n = r.parts.len() as u64;
        for (j, p) in r.parts.iter_mut().enumerate() {
            p.counters.cycles = if j as u64 + 1 == n {
                0
            } else {
                p.counters.cycles * new / old
            };
        }
        let rest: u64 = r.parts.iter().map(|p| p.counters.cycles).sum();
        if let Some(last) = r.parts.last_mut() {
            last.counters.cycles = new - rest.min(new);
        }
    }

    /// The answers for the report's first group.
    fn ask(report: &Report) -> Vec<Answer> {
        let groups = data::groups(report);
        answers(report, &groups[0], &Notes::of(report))
    }

    fn titled<'a>(answers: &'a [Answer], id: &str) -> Option<&'a Answer> {
        answers.iter().find(|a| a.id == id)
    }

    /// Does each question appear exactly when its benchmarks are in the report, and read the
    /// numbers right?
    #[test]
    fn questions_follow_the_benchmarks_present_and_read_their_numbers() {
        let mut report = super::super::tests::catalogue_report();
        // The catalogue as it was before the ring and the interrupt: they are added below.
        report
            .results
            .retain(|r| !r.bench.starts_with("io-async") && !r.bench.starts_with("irq-"));
        for (m, mono, micro) in [
            ("poll", [5000, 25000], [20000, 40000]),
            ("epoll", [5000, 5100], [19000, 19000]),
        ] {
            set(&mut report, &format!("io-{m}-1"), "mono", mono[0]);
            set(&mut report, &format!("io-{m}-64"), "mono", mono[1]);
            set(&mut report, &format!("io-{m}-1"), "micro", micro[0]);
            set(&mut report, &format!("io-{m}-64"), "micro", micro[1]);
        }
        set(&mut report, "copy-1m", "mono", 4000);
        set(&mut report, "sendfile-1m", "mono", 3000);
        set(&mut report, "copy-1m", "micro", 8000);
        set(&mut report, "sendfile-1m", "micro", 2000);
        let answers = ask(&report);
        let ids: Vec<&str> = answers.iter().map(|a| a.id).collect();
        assert_eq!(
            ids,
            [
                "q-ipc-mechanisms",
                "q-io-models",
                "q-zero-copy",
                "q-zero-copy-bytes",
                "q-creation"
            ]
        );
        let io = titled(&answers, "q-io-models").unwrap();
        assert!(
            io.reading.contains("stays within 2% with epoll")
                && io.reading.contains("grows 5.0× with poll,"),
            "{}",
            io.reading
        );
        assert!(io.svg.contains("<svg"), "the IO chart draws");
        let zc = titled(&answers, "q-zero-copy").unwrap();
        assert!(
            zc.reading
                .contains("saves 25.0% of copy-1m's cycles on mono and 75.0% on micro"),
            "{}",
            zc.reading
        );

        // Benchmarks added later show up: an async IO model and an interrupt benchmark.
        set(&mut report, "io-async-1", "mono", 3000);
        set(&mut report, "io-async-64", "mono", 3000);
        set(&mut report, "irq-latency", "mono", 900);
        set(&mut report, "irq-latency", "micro", 2700);
        let answers = ask(&report);
        let io = titled(&answers, "q-io-models").unwrap();
        assert_eq!(io.rows.last().unwrap()[0], "async");
        assert!(
            io.reading.contains("stays within 0% with async"),
            "{}",
            io.reading
        );
        let irq =
            titled(&answers, "q-interrupts").expect("irq-latency brings the interrupt question");
        assert!(
            irq.reading
                .contains("900 cycles on mono against 2700 on micro (3.00×)"),
            "{}",
            irq.reading
        );

        // Without the IO benchmarks, no IO question.
        report.results.retain(|r| !r.bench.starts_with("io-"));
        let answers = ask(&report);
        assert!(titled(&answers, "q-io-models").is_none());
    }

    #[test]
    fn io_names_parse_into_model_and_n() {
        assert_eq!(io_point("io-epoll-64"), Some(("epoll", 64)));
        assert_eq!(io_point("io-async-1"), Some(("async", 1)));
        assert_eq!(io_point("io-epoll"), None);
        assert_eq!(io_point("ipc-4k"), None);
    }

    #[test]
    fn a_change_reads_as_within_or_a_factor() {
        assert_eq!(change(5242.0, 5242.0), "stays within 0%");
        assert_eq!(change(100.0, 103.2), "stays within 3%");
        assert_eq!(change(5477.0, 25597.0), "grows 4.7×");
        assert_eq!(change(100.0, 40.0), "shrinks 2.5×");
    }

    #[test]
    fn a_sentence_is_capitalised_and_ends_with_a_stop() {
        assert_eq!(sentence(&["on mono x".into(), "y".into()]), "On mono x; y.");
        assert_eq!(sentence(&[]), "");
    }
}
