//! Pairing two reports' results: which result of side B is "the same measurement" as one of
//! side A, and what changed between them.
//!
//! Results pair by benchmark, kernel (the same name, or the two `--kernels KA,KB` names) and
//! sweep point. Profiles pair by hash when both sides have it at a point; otherwise, when each
//! side has exactly one profile left at that point, those two pair — that is how a run with
//! `--set penalty.trap=40` compares with one without. Anything else is listed as a
//! [`Mismatch`], never dropped silently.

use std::collections::BTreeMap;

use crate::bench::model::{BenchResult, Counters, KernelImages, Report};

use super::model::{Change, Comparison, Difference, Mismatch, PlaceChange, Row, SCHEMA, Side};

/// One side as read: its report and how to show it.
#[derive(Clone, Debug)]
pub struct Input {
    /// Its name in the output.
    pub label: String,
    /// Where it was read from.
    pub source: String,
    /// The one kernel taken from it, if `--kernels` chose one.
    pub kernel: Option<String>,
    /// The report.
    pub report: Report,
}

impl Input {
    /// The results taken into the comparison (all, or those of the chosen kernel).
    fn results(&self) -> Vec<&BenchResult> {
        self.report
            .results
            .iter()
            .filter(|r| self.kernel.as_ref().is_none_or(|k| *k == r.kernel))
            .collect()
    }

    /// The pairing key of a result's kernel: its name, or nothing when one kernel was chosen
    /// (so the chosen kernels of both sides pair whatever their names).
    fn kernel_key<'a>(&self, r: &'a BenchResult) -> &'a str {
        if self.kernel.is_some() { "" } else { &r.kernel }
    }
}

/// A sweep point.
type Point = BTreeMap<String, String>;

/// Compares side `a` (the baseline) with side `b`.
pub fn compare(a: &Input, b: &Input) -> Comparison {
    let (ra, rb) = (a.results(), b.results());
    let mut rows = Vec::new();
    let mut mismatches = Vec::new();
    for point in points(&ra, &rb) {
        let at = |rs: &[&BenchResult]| -> Vec<String> {
            let mut hashes: Vec<String> = Vec::new();
            for r in rs.iter().filter(|r| r.point == point) {
                if !hashes.contains(&r.profile) {
                    hashes.push(r.profile.clone());
                }
            }
            hashes
        };
        let (pa, pb) = (at(&ra), at(&rb));
        for (profile_a, profile_b) in pair_profiles(&pa, &pb) {
            let (sa, sb) = (
                select(a, &ra, &point, &profile_a),
                select(b, &rb, &point, &profile_b),
            );
            if sa.is_empty() || sb.is_empty() {
                let (side, n, hash) = if sa.is_empty() {
                    ("b", sb.len(), &profile_b)
                } else {
                    ("a", sa.len(), &profile_a)
                };
                mismatches.push(Mismatch {
                    kind: format!("only-in-{side}"),
                    bench: None,
                    kernel: None,
                    point: point.clone(),
                    detail: format!(
                        "{n} results with profile {}{} only in {}",
                        hash.as_deref().unwrap_or("?"),
                        at_point(&point),
                        side.to_uppercase()
                    ),
                });
                continue;
            }
            for (x, kx) in &sa {
                match sb.iter().find(|(y, ky)| y.bench == x.bench && ky == kx) {
                    Some((y, _)) => {
                        mismatches.extend(caveats(x, y));
                        rows.push(row(x, y));
                    }
                    None => mismatches.push(one_side("a", x)),
                }
            }
            for (y, ky) in &sb {
                if !sa.iter().any(|(x, kx)| x.bench == y.bench && kx == ky) {
                    mismatches.push(one_side("b", y));
                }
            }
        }
    }
    // Largest change first; equal sizes keep report order (catalogue, point, kernel).
    rows.sort_by(|x, y| y.size().total_cmp(&x.size()));
    Comparison {
        schema: SCHEMA,
        differences: differences(a, b, &rows),
        a: side(a, ra.len()),
        b: side(b, rb.len()),
        rows,
        mismatches,
    }
}

/// The results of `rs` at `point` with profile `hash`, each with its kernel's pairing key.
fn select<'r>(
    side: &Input,
    rs: &[&'r BenchResult],
    point: &Point,
    hash: &Option<String>,
) -> Vec<(&'r BenchResult, String)> {
    rs.iter()
        .copied()
        .filter(|r| &r.point == point && Some(&r.profile) == hash.as_ref())
        .map(|r| (r, side.kernel_key(r).to_string()))
        .collect()
}

/// The sweep points of either side: A's in order, then B's others.
fn points(ra: &[&BenchResult], rb: &[&BenchResult]) -> Vec<Point> {
    let mut out: Vec<Point> = Vec::new();
    for r in ra.iter().chain(rb) {
        if !out.contains(&r.point) {
            out.push(r.point.clone());
        }
    }
    out
}

/// The profile pairs at one point: shared hashes with themselves, then the single leftover of
/// each side with each other; other leftovers pair with nothing (`None`).
fn pair_profiles(pa: &[String], pb: &[String]) -> Vec<(Option<String>, Option<String>)> {
    let mut out: Vec<(Option<String>, Option<String>)> = pa
        .iter()
        .filter(|h| pb.contains(h))
        .map(|h| (Some(h.clone()), Some(h.clone())))
        .collect();
    let la: Vec<&String> = pa.iter().filter(|h| !pb.contains(h)).collect();
    let lb: Vec<&String> = pb.iter().filter(|h| !pa.contains(h)).collect();
    if la.len() == 1 && lb.len() == 1 {
        out.push((Some(la[0].clone()), Some(lb[0].clone())));
    } else {
        out.extend(la.into_iter().map(|h| (Some(h.clone()), None)));
        out.extend(lb.into_iter().map(|h| (None, Some(h.clone()))));
    }
    out
}

/// ` at tlb.entries=8, asid=on`, or nothing outside sweeps.
fn at_point(point: &Point) -> String {
    if point.is_empty() {
        String::new()
    } else {
        format!(" at {}", crate::bench::rows::point_text(point))
    }
}

/// A result found on one side only.
fn one_side(side: &str, r: &BenchResult) -> Mismatch {
    Mismatch {
        kind: format!("only-in-{side}"),
        bench: Some(r.bench.clone()),
        kernel: Some(r.kernel.clone()),
        point: r.point.clone(),
        detail: format!(
            "{} on {}{} only in {}",
            r.bench,
            r.kernel,
            at_point(&r.point),
            side.to_uppercase()
        ),
    }
}

/// What to know about a pair before trusting its figures.
fn caveats(x: &BenchResult, y: &BenchResult) -> Vec<Mismatch> {
    let mut out = Vec::new();
    let mut push = |kind: &str, detail: String| {
        out.push(Mismatch {
            kind: kind.to_string(),
            bench: Some(x.bench.clone()),
            kernel: Some(x.kernel.clone()),
            point: x.point.clone(),
            detail: format!(
                "{} on {}{}: {detail}",
                x.bench,
                x.kernel,
                at_point(&x.point)
            ),
        });
    };
    if x.ops != y.ops {
        push(
            "ops",
            format!(
                "A measured {} operations, B {}; per-operation figures compared",
                x.ops, y.ops
            ),
        );
    }
    if x.program_hash != y.program_hash {
        push(
            "program",
            format!(
                "different benchmark programs ({} and {})",
                x.program_hash, y.program_hash
            ),
        );
    }
    if x.note != y.note {
        let show = |n: &Option<String>| n.clone().unwrap_or_else(|| "none".to_string());
        push(
            "note",
            format!("notes differ: A {}, B {}", show(&x.note), show(&y.note)),
        );
    }
    out
}

/// The row of a pair.
fn row(x: &BenchResult, y: &BenchResult) -> Row {
    let mut places: Vec<&str> = vec!["user", "kernel"];
    for p in x.parts.iter().chain(&y.parts) {
        if !places.contains(&p.place.as_str()) {
            places.push(&p.place);
        }
    }
    let zero = Counters::default();
    let find = |r: &BenchResult, place: &str| -> Option<Counters> {
        r.parts
            .iter()
            .find(|p| p.place == place)
            .map(|p| p.counters)
    };
    let places = places
        .into_iter()
        .filter_map(|place| {
            let (ca, cb) = (find(x, place), find(y, place));
            if ca.is_none() && cb.is_none() {
                return None;
            }
            Some(PlaceChange {
                place: place.to_string(),
                metrics: Change::all((&ca.unwrap_or(zero), x.ops), (&cb.unwrap_or(zero), y.ops)),
            })
        })
        .collect();
    Row {
        bench: x.bench.clone(),
        unit: x.unit.clone(),
        kernel_a: x.kernel.clone(),
        kernel_b: y.kernel.clone(),
        point: x.point.clone(),
        profile_a: x.profile.clone(),
        profile_b: y.profile.clone(),
        ops_a: x.ops,
        ops_b: y.ops,
        metrics: Change::all((&x.total, x.ops), (&y.total, y.ops)),
        places,
    }
}

/// The description of one side.
fn side(input: &Input, results: usize) -> Side {
    Side {
        label: input.label.clone(),
        source: input.source.clone(),
        kernel: input.kernel.clone(),
        klab: input.report.klab.clone(),
        results,
    }
}

/// How the sides were produced differently, for the kernels and profiles the rows use: the
/// klab build, each kernel's images, each profile key.
fn differences(a: &Input, b: &Input, rows: &[Row]) -> Vec<Difference> {
    let mut out: Vec<Difference> = Vec::new();
    let mut add = |what: String, va: String, vb: String| {
        let d = Difference { what, a: va, b: vb };
        if !out.contains(&d) {
            out.push(d);
        }
    };
    let (ka, kb) = (&a.report.klab, &b.report.klab);
    if ka != kb {
        add(
            "klab".to_string(),
            format!("{} {}", ka.version, ka.commit),
            format!("{} {}", kb.version, kb.commit),
        );
    }
    let (ia, ib) = (a.report.kernel_images(), b.report.kernel_images());
    let show = |i: Option<&KernelImages>, f: fn(&KernelImages) -> (&str, &str)| {
        i.map_or("–".to_string(), |i| {
            let (hash, source) = f(i);
            if source == "embedded" || source.is_empty() {
                hash.to_string()
            } else {
                format!("{hash} ({source})")
            }
        })
    };
    let mut kernels: Vec<(&str, &str)> = Vec::new();
    for r in rows {
        if !kernels.contains(&(&r.kernel_a, &r.kernel_b)) {
            kernels.push((&r.kernel_a, &r.kernel_b));
        }
    }
    for (x, y) in kernels {
        let name = if x == y {
            x.to_string()
        } else {
            format!("{x}→{y}")
        };
        let (ix, iy) = (ia.get(x), ib.get(y));
        fn kernel(i: &KernelImages) -> (&str, &str) {
            (&i.kernel, &i.source)
        }
        fn initrd(i: &KernelImages) -> (&str, &str) {
            (&i.initrd, &i.initrd_source)
        }
        if ix.map(|i| &i.kernel) != iy.map(|i| &i.kernel) {
            add(format!("kernel {name}"), show(ix, kernel), show(iy, kernel));
        }
        if ix.map(|i| &i.initrd) != iy.map(|i| &i.initrd) {
            add(
                format!("initrd of {name}"),
                show(ix, initrd),
                show(iy, initrd),
            );
        }
    }
    for r in rows.iter().filter(|r| r.profile_a != r.profile_b) {
        let toml = |rep: &Report, hash: &str| {
            rep.profiles
                .iter()
                .find(|p| p.hash == hash)
                .map(|p| (p.name.clone(), keys(&parameters(&p.toml))))
        };
        let (Some((na, ta)), Some((nb, tb))) =
            (toml(&a.report, &r.profile_a), toml(&b.report, &r.profile_b))
        else {
            add(
                "profile".to_string(),
                r.profile_a.clone(),
                r.profile_b.clone(),
            );
            continue;
        };
        if na != nb {
            add("profile name".to_string(), na, nb);
        }
        let mut all: Vec<&String> = ta.keys().chain(tb.keys()).collect();
        all.sort();
        all.dedup();
        for key in all {
            let (va, vb) = (ta.get(key), tb.get(key));
            if va != vb {
                let v = |x: Option<&String>| x.cloned().unwrap_or_else(|| "–".to_string());
                add(format!("profile {key}"), v(va), v(vb));
            }
        }
    }
    out
}

/// The part of a recorded profile that changes results (its `[sources]` left out, as the
/// profile hash leaves them out); the text as recorded if it does not parse as a profile.
fn parameters(toml: &str) -> String {
    emu::profile::Profile::from_toml(toml, "a recorded profile")
        .map_or_else(|_| toml.to_string(), |p| p.parameters_toml())
}

/// A profile's TOML as dotted key → value text (`penalty.trap` → `20`); comments and blank
/// lines dropped. Enough to say which keys differ, not a TOML parser.
fn keys(toml: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut section = String::new();
    for line in toml.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_string();
        } else if let Some((k, v)) = line.split_once('=') {
            let v = v.split(" #").next().unwrap_or(v).trim();
            let k = k.trim();
            let key = if section.is_empty() {
                k.to_string()
            } else {
                format!("{section}.{k}")
            };
            out.insert(key, v.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_pair_by_hash_then_by_being_the_only_ones_left() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let p = pair_profiles(&s(&["x", "y"]), &s(&["y", "z"]));
        assert_eq!(
            p,
            vec![
                (Some("y".into()), Some("y".into())),
                (Some("x".into()), Some("z".into()))
            ]
        );
        let p = pair_profiles(&s(&["x", "w"]), &s(&["z"]));
        assert_eq!(
            p.len(),
            3,
            "two leftovers on one side pair with nothing: {p:?}"
        );
        assert!(p.contains(&(None, Some("z".into()))));
    }

    #[test]
    fn profile_keys_are_dotted() {
        let k = keys("name = \"default\"\n[penalty]\ntrap = 20\nmemory = 100 # cycles\n");
        assert_eq!(k["penalty.trap"], "20");
        assert_eq!(k["penalty.memory"], "100");
        assert_eq!(k["name"], "\"default\"");
    }
}
