//! The zero-copy question's second half: how many bytes each place stores for every byte the
//! benchmark moves, next to the cycles it spends — the copies a zero-copy path saves, counted
//! (the emulator's `bytes_stored` event, booked per place as every other counter is).
//!
//! A benchmark's bytes moved per operation come from its name's size (`copy-1m`: 1 MiB per
//! operation). Reports without byte counts (written before klab counted them, or measured with
//! the timing model off) ask nothing here.

use super::charts::bars::{Panel, Scale, bars};
use super::data::{CYCLES, KERNELS, Pair};
use super::format::{MISSING, num, opt_num};
use super::questions::{Answer, sentence};

/// The place that sums every place but `user`.
const OUTSIDE_USER: &str = "outside user";

/// Bytes a size suffix names: `1m` → 1 MiB, `64k` → 64 KiB, `512` → 512 bytes.
pub fn size_bytes(size: &str) -> Option<f64> {
    let (digits, unit) = match size.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => size.split_at(i),
        None => (size, ""),
    };
    let n: u64 = digits.parse().ok()?;
    let scale: u64 = match unit {
        "" => 1,
        "k" | "K" => 1 << 10,
        "m" | "M" => 1 << 20,
        "g" | "G" => 1 << 30,
        _ => return None,
    };
    Some((n * scale) as f64)
}

/// `place`'s bytes stored and cycles per operation in `p`, mono then micro; [`OUTSIDE_USER`]
/// sums every place but `user`. `None` where the kernel was not measured or has no such place.
fn place_figures(p: &Pair<'_>, place: &str) -> [Option<(f64, f64)>; 2] {
    p.both().map(|r| {
        let r = r?;
        let ops = r.ops.max(1) as f64;
        let mut found = false;
        let (mut stored, mut cycles) = (0u64, 0u64);
        for part in &r.parts {
            let wanted = if place == OUTSIDE_USER {
                part.place != "user"
            } else {
                part.place == place
            };
            if wanted {
                found = true;
                stored += part.counters.bytes_stored;
                cycles += part.counters.cycles;
            }
        }
        found.then_some((stored as f64 / ops, cycles as f64 / ops))
    })
}

/// The places of `pairs`' results outside user mode, in the order the results list them
/// (`kernel`, then the servers).
fn places(pairs: &[(&str, Pair<'_>)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, p) in pairs {
        for r in p.both().into_iter().flatten() {
            for part in &r.parts {
                if part.place != "user" && !out.contains(&part.place) {
                    out.push(part.place.clone());
                }
            }
        }
    }
    out
}

/// `a` against `b` as a factor: `1.4× fewer` or `1.2× more` (or `as many`).
fn fewer(copy: f64, zc: f64) -> String {
    if zc <= 0.0 || copy <= 0.0 {
        return if zc == copy {
            "as many"
        } else if zc < copy {
            "fewer"
        } else {
            "more"
        }
        .to_string();
    }
    let r = copy / zc;
    if (r - 1.0).abs() < 0.005 {
        "as many".to_string()
    } else if r > 1.0 {
        format!("{r:.2}× fewer")
    } else {
        format!("{:.2}× more", 1.0 / r)
    }
}

/// Bytes stored per byte moved, per kernel and place, for each `(copy, zero-copy, size)` triple
/// whose results both exist; `None` when nothing was counted.
pub fn bytes_answer(pairs: &[(String, String, Pair<'_>, Pair<'_>)]) -> Option<Answer> {
    let counted = pairs.iter().any(|(_, _, c, z)| {
        [c, z]
            .iter()
            .flat_map(|p| p.both())
            .flatten()
            .any(|r| r.total.bytes_stored > 0)
    });
    if !counted {
        return None;
    }
    let mut names = Vec::new();
    let mut stored_panel = Vec::new();
    let mut cycles_panel = Vec::new();
    let mut rows = Vec::new();
    let mut reading = Vec::new();
    for (copy, zc, c, z) in pairs {
        let Some(moved) = copy
            .strip_prefix("copy-")
            .and_then(size_bytes)
            .filter(|m| *m > 0.0)
        else {
            continue;
        };
        let both = [(copy.as_str(), *c), (zc.as_str(), *z)];
        let mut place_list = places(&both);
        place_list.push(OUTSIDE_USER.to_string());
        for (name, p) in &both {
            for place in &place_list {
                let f = place_figures(p, place);
                let per_kib = f.map(|x| x.map(|(s, _)| s / moved));
                let cycles = f.map(|x| x.map(|(_, cy)| cy));
                names.push(format!("{name} · {place}"));
                stored_panel.push(per_kib);
                cycles_panel.push(cycles);
                rows.push(vec![
                    name.to_string(),
                    place.clone(),
                    per_kib[0].map_or(MISSING.to_string(), |v| format!("{v:.2}")),
                    per_kib[1].map_or(MISSING.to_string(), |v| format!("{v:.2}")),
                    opt_num(cycles[0]),
                    opt_num(cycles[1]),
                ]);
            }
        }
        for (k, kernel) in KERNELS.iter().enumerate() {
            let per_kib =
                |p: &Pair<'_>, place: &str| place_figures(p, place)[k].map(|(s, _)| s / moved);
            let (Some(a), Some(b)) = (per_kib(c, OUTSIDE_USER), per_kib(z, OUTSIDE_USER)) else {
                continue;
            };
            let detail: Vec<String> = place_list
                .iter()
                .filter(|pl| pl.as_str() != OUTSIDE_USER)
                .filter_map(|pl| match (per_kib(c, pl), per_kib(z, pl)) {
                    (Some(x), Some(y)) if x > 0.0 || y > 0.0 => {
                        Some(format!("{pl} {x:.2} → {y:.2}"))
                    }
                    _ => None,
                })
                .collect();
            let cycles = |p: &Pair<'_>| p.per_op(CYCLES)[k];
            let cyc = match (cycles(c), cycles(z)) {
                (Some(x), Some(y)) => format!(", for {} → {} cycles per op", num(x), num(y)),
                _ => String::new(),
            };
            reading.push(format!(
                "on {kernel}, {zc} stores {} bytes outside user mode than {copy} ({a:.2} → {b:.2} KiB per KiB moved: {}{cyc})",
                fewer(a, b),
                detail.join(", ")
            ));
        }
    }
    if rows.is_empty() {
        return None;
    }
    let panels = [
        Panel {
            title: "KiB stored / KiB moved",
            values: stored_panel,
        },
        Panel {
            title: "cycles / op",
            values: cycles_panel,
        },
    ];
    let svg = bars(&names, &panels, "per operation", Scale::Linear);
    let head = [
        "benchmark",
        "place",
        "mono KiB stored/KiB moved",
        "micro KiB stored/KiB moved",
        "mono cycles/op",
        "micro cycles/op",
    ]
    .map(String::from)
    .to_vec();
    Some(Answer {
        id: "q-zero-copy-bytes",
        title: "Zero-copy: bytes stored per byte moved, by place".to_string(),
        svg,
        head,
        rows,
        reading: sentence(&reading),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::model::Report;
    use crate::report::data;

    /// Sets the bytes `bench` on `kernel` stores per operation in each place of `stored` (in
    /// MiB, one operation moving 1 MiB); every other place stores none.
    fn set_stored(report: &mut Report, bench: &str, kernel: &str, stored: &[(&str, f64)]) {
        let r = report
            .results
            .iter_mut()
            .find(|r| r.bench == bench && r.kernel == kernel)
            .expect("the catalogue has it");
        let mib = |v: f64| (v * r.ops as f64 * 1048576.0).round() as u64;
        r.total.bytes_stored = 0;
        for p in &mut r.parts {
            let v = stored
                .iter()
                .find(|(place, _)| *place == p.place)
                .map_or(0, |(_, v)| mib(*v));
            p.counters.bytes_stored = v;
            r.total.bytes_stored += v;
        }
    }

    // Does the reading compare what each kernel stores outside user mode, place by place, with
    // the figures the table shows? (The sanity figures of issue 16: mono's kernel 4.70 → 3.46,
    // micro's kernel 5.82 → 2.63 and fs 4.01 → 3.00.)
    #[test]
    fn the_reading_counts_the_copies_saved_per_place() {
        let mut report = crate::report::tests::catalogue_report();
        report
            .results
            .retain(|r| r.bench == "copy-1m" || r.bench == "sendfile-1m");
        set_stored(&mut report, "copy-1m", "mono", &[("kernel", 4.70)]);
        set_stored(&mut report, "sendfile-1m", "mono", &[("kernel", 3.46)]);
        set_stored(
            &mut report,
            "copy-1m",
            "micro",
            &[("kernel", 5.82), ("fs", 4.01), ("user", 0.5)],
        );
        set_stored(
            &mut report,
            "sendfile-1m",
            "micro",
            &[("kernel", 2.63), ("fs", 3.00)],
        );
        // The same report without byte counts (older, or measured in functional mode).
        let mut blank = report.clone();
        for r in &mut blank.results {
            r.total.bytes_stored = 0;
            for p in &mut r.parts {
                p.counters.bytes_stored = 0;
            }
        }
        let group = data::groups(&report)[0];
        let pair = |b: &str| data::pair(&report, b, &group);
        let a = bytes_answer(&[(
            "copy-1m".to_string(),
            "sendfile-1m".to_string(),
            pair("copy-1m"),
            pair("sendfile-1m"),
        )])
        .expect("bytes were counted");
        assert!(
            a.reading.starts_with(
                "On mono, sendfile-1m stores 1.36× fewer bytes outside user mode than copy-1m (4.70 → 3.46 KiB per KiB moved: kernel 4.70 → 3.46, for "
            ),
            "{}",
            a.reading
        );
        // The user's 0.5 stays out of micro's sum (9.83 outside user against 5.63), and `proc`,
        // which stores nothing, out of the reading.
        assert!(
            a.reading.contains(
                "on micro, sendfile-1m stores 1.75× fewer bytes outside user mode than copy-1m (9.83 → 5.63 KiB per KiB moved: kernel 5.82 → 2.63, fs 4.01 → 3.00, for "
            ),
            "{}",
            a.reading
        );
        let row = |b: &str, place: &str| {
            a.rows
                .iter()
                .find(|r| r[0] == b && r[1] == place)
                .cloned()
                .unwrap_or_else(|| panic!("no row {b} {place}"))
        };
        assert_eq!(row("copy-1m", "fs")[2..4], ["–", "4.01"]);
        assert_eq!(row("sendfile-1m", "outside user")[2..4], ["3.46", "5.63"]);
    }

    #[test]
    fn sizes_parse_with_and_without_a_unit() {
        assert_eq!(size_bytes("1m"), Some(1048576.0));
        assert_eq!(size_bytes("64k"), Some(65536.0));
        assert_eq!(size_bytes("512"), Some(512.0));
        assert_eq!(size_bytes("1x"), None);
        assert_eq!(size_bytes("m"), None);
    }

    #[test]
    fn a_factor_reads_fewer_or_more() {
        assert_eq!(fewer(4.70, 3.46), "1.36× fewer");
        assert_eq!(fewer(2.0, 4.0), "2.00× more");
        assert_eq!(fewer(1.0, 1.0), "as many");
    }
}
