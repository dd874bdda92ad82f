//! `klab sweep`: the benchmarks over a grid of machine profiles — every combination of the
//! values given with `--param KEY=V1,V2,…` — so a report can show how each micro/mono ratio
//! moves with a parameter.
//!
//! Keys are the profile's dotted keys, as `klab run --set` takes them: e.g. `tlb.entries` (both
//! L1 TLBs; fully associative ones stay so), `asid` (`on`/`off`), `l1d.size`, `l2.size`,
//! `penalty.memory`.
//!
//! Beyond one machine: `--shard I/N` runs a deterministic 1/N of the grid — the points are
//! numbered from 0 in grid order (as `--list-points` prints them) and point k belongs to shard
//! (k mod N) + 1, shards counting from 1 — so N jobs (a Slurm array, GNU parallel) cover the grid
//! exactly once, and `klab report` on their directories gives the report of the whole sweep.

use anyhow::{Context, bail};
use clap::Args;
use emu::profile::Profile;

use super::Selection;
use super::point::Point;
use crate::export::Format;
use crate::run::ProfileArgs;

/// Arguments of `klab sweep`.
#[derive(Args)]
pub struct SweepArgs {
    /// A parameter and its values: KEY=V1,V2,… (repeatable; the grid is every combination).
    #[arg(long = "param", value_name = "KEY=V1,V2", required = true)]
    pub params: Vec<String>,
    #[command(flatten)]
    pub select: Selection,
    /// The base profile and overrides every point starts from.
    #[command(flatten)]
    pub machine: ProfileArgs,
    /// Run only shard I of N (I counts from 1): the grid points k (numbered from 0 in grid
    /// order, as --list-points prints them) with k mod N = I - 1. The N shards' report
    /// directories merge with `klab report DIR…` into the report of the whole sweep.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// Print the grid points (of the --shard only, if given) — index and parameter values, or
    /// --format json|csv — and exit without running anything.
    #[arg(long)]
    pub list_points: bool,
}

/// A share of the grid: shard `index` (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, `1..=count`.
    pub index: usize,
    /// How many shards the grid is split into (at least 1).
    pub count: usize,
}

impl Shard {
    /// Whether grid point `k` (0-based, grid order) belongs to this shard.
    pub fn holds(&self, k: usize) -> bool {
        k % self.count == self.index - 1
    }
}

/// Parses `I/N` with `1 <= I <= N`.
pub fn parse_shard(text: &str) -> Result<Shard, String> {
    let usage = || format!("`{text}` is not a shard: expected I/N with 1 <= I <= N (e.g. 1/4)");
    let (i, n) = text.split_once('/').ok_or_else(usage)?;
    let (Ok(index), Ok(count)) = (i.trim().parse::<usize>(), n.trim().parse::<usize>()) else {
        return Err(usage());
    };
    if count == 0 || index == 0 || index > count {
        return Err(usage());
    }
    Ok(Shard { index, count })
}

/// Parses `KEY=V1,V2,…`.
pub fn parse_param(text: &str) -> anyhow::Result<(String, Vec<String>)> {
    let (key, values) = text
        .split_once('=')
        .with_context(|| format!("--param {text}: expected KEY=V1,V2,…"))?;
    let values: Vec<String> = values
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if key.trim().is_empty() || values.is_empty() {
        bail!("--param {text}: expected KEY=V1,V2,…");
    }
    Ok((key.trim().to_string(), values))
}

/// Every point of the grid, first parameter slowest, each with its profile; a bad key or value
/// is reported before anything runs.
pub fn grid(
    base: &Profile,
    params: &[(String, Vec<String>)],
) -> anyhow::Result<Vec<(Profile, Point)>> {
    let mut points = vec![(base.clone(), Point::new())];
    for (key, values) in params {
        let mut next = Vec::new();
        for (profile, point) in &points {
            for v in values {
                let mut p = profile.clone();
                p.set(key, v)
                    .with_context(|| format!("--param {key}={v}"))?;
                let mut pt = point.clone();
                pt.insert(key.clone(), v.clone());
                next.push((p, pt));
            }
        }
        points = next;
    }
    Ok(points)
}

/// `klab sweep`.
pub fn sweep(args: SweepArgs) -> anyhow::Result<i32> {
    let base = args.machine.profile()?;
    let params = args
        .params
        .iter()
        .map(|p| parse_param(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    for (i, (k, _)) in params.iter().enumerate() {
        if params[..i].iter().any(|(other, _)| other == k) {
            bail!("--param {k} is given twice");
        }
    }
    let mut points: Vec<(usize, Point)> = Vec::new();
    let mut profiles: Vec<(Profile, Point)> = Vec::new();
    for (k, (profile, point)) in grid(&base, &params)?.into_iter().enumerate() {
        if args.shard.is_none_or(|s| s.holds(k)) {
            points.push((k, point.clone()));
            profiles.push((profile, point));
        }
    }
    let names: Vec<String> = params.into_iter().map(|(k, _)| k).collect();
    if args.list_points {
        print!("{}", list(&names, &points, args.select.format));
        return Ok(0);
    }
    if let Some(s) = args.shard
        && profiles.is_empty()
    {
        eprintln!(
            "klab: shard {}/{} holds no point of the grid (it has fewer than {} points); \
             its report is empty",
            s.index, s.count, s.index
        );
    }
    args.select.execute(&profiles, names, "report-sweep")
}

/// The grid points as `--list-points` prints them: `INDEX KEY=VALUE…` lines (parameters in grid
/// order), or a JSON array of `{"index", "point"}` (numbers as numbers), or CSV with a column per
/// parameter.
pub fn list(names: &[String], points: &[(usize, Point)], format: Option<Format>) -> String {
    match format {
        None => points
            .iter()
            .map(|(k, p)| {
                let values: Vec<String> = names
                    .iter()
                    .map(|n| format!("{n}={}", p.get(n).map_or("", String::as_str)))
                    .collect();
                format!("{k} {}\n", values.join(" "))
            })
            .collect(),
        Some(Format::Json) => {
            let items: Vec<serde_json::Value> = points
                .iter()
                .map(|(k, p)| {
                    let point: serde_json::Map<String, serde_json::Value> = p
                        .iter()
                        .map(|(n, v)| (n.clone(), super::point::typed(v)))
                        .collect();
                    serde_json::json!({ "index": k, "point": point })
                })
                .collect();
            serde_json::Value::Array(items).to_string() + "\n"
        }
        Some(Format::Csv) => {
            let mut header = vec!["index"];
            header.extend(names.iter().map(String::as_str));
            let rows = points.iter().map(|(k, p)| {
                let mut row = vec![k.to_string()];
                row.extend(names.iter().map(|n| p.get(n).cloned().unwrap_or_default()));
                row
            });
            crate::export::csv(&header, rows)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_is_every_combination_with_its_settings() {
        let base = Profile::load("default").unwrap();
        let params = vec![
            parse_param("tlb.entries=8,64").unwrap(),
            parse_param("asid=off,on").unwrap(),
        ];
        let g = grid(&base, &params).unwrap();
        assert_eq!(g.len(), 4);
        let hashes: std::collections::BTreeSet<String> = g.iter().map(|(p, _)| p.hash()).collect();
        assert_eq!(hashes.len(), 4, "each point is a different machine");
        assert_eq!(g[1].1["tlb.entries"], "8");
        assert_eq!(g[1].1["asid"], "on");
        assert!(g[1].0.to_toml().contains("entries = 8"));
        assert!(grid(&base, &[parse_param("asid=maybe").unwrap()]).is_err());
        assert!(grid(&base, &[parse_param("no.such=1").unwrap()]).is_err());
        assert!(parse_param("l2.size").is_err());
        assert!(parse_param("l2.size=").is_err());
    }

    #[test]
    fn shards_parse_from_1_of_n_to_n_of_n_and_nothing_else() {
        assert_eq!(parse_shard("1/4"), Ok(Shard { index: 1, count: 4 }));
        assert_eq!(parse_shard("4/4"), Ok(Shard { index: 4, count: 4 }));
        assert_eq!(parse_shard("1/1"), Ok(Shard { index: 1, count: 1 }));
        for bad in [
            "0/0", "0/4", "5/4", "x", "1/", "/4", "1/x", "-1/4", "1/4/2", "", "1.0/4",
        ] {
            let e = parse_shard(bad).expect_err(bad);
            assert!(e.contains("I/N"), "{bad}: {e}");
        }
    }

    #[test]
    fn shards_partition_the_grid() {
        for points in [0usize, 1, 3, 4, 7, 64] {
            for count in 1..=9 {
                let mut owner = vec![Vec::new(); points];
                for index in 1..=count {
                    let s = Shard { index, count };
                    for (k, o) in owner.iter_mut().enumerate() {
                        if s.holds(k) {
                            o.push(index);
                        }
                    }
                }
                // Every point in exactly one shard: the union is the grid, the shards disjoint.
                for (k, o) in owner.iter().enumerate() {
                    assert_eq!(
                        o.len(),
                        1,
                        "point {k} of {points} in shards {o:?} of {count}"
                    );
                }
                // As even as can be: shard sizes differ by at most one.
                let sizes: Vec<usize> = (1..=count)
                    .map(|index| owner.iter().filter(|o| o[0] == index).count())
                    .collect();
                let (lo, hi) = (sizes.iter().min(), sizes.iter().max());
                assert!(hi.unwrap() - lo.unwrap() <= 1, "{sizes:?}");
            }
        }
    }

    #[test]
    fn the_listing_numbers_points_in_grid_order_with_typed_json() {
        let names = vec!["tlb.entries".to_string(), "asid".to_string()];
        let pt = |t: &str, a: &str| {
            Point::from([
                ("tlb.entries".to_string(), t.to_string()),
                ("asid".to_string(), a.to_string()),
            ])
        };
        let points = vec![(0, pt("8", "off")), (3, pt("16", "on"))];
        assert_eq!(
            list(&names, &points, None),
            "0 tlb.entries=8 asid=off\n3 tlb.entries=16 asid=on\n"
        );
        let json: serde_json::Value =
            serde_json::from_str(&list(&names, &points, Some(Format::Json))).unwrap();
        assert_eq!(
            json,
            serde_json::json!([
                {"index": 0, "point": {"tlb.entries": 8, "asid": "off"}},
                {"index": 3, "point": {"tlb.entries": 16, "asid": "on"}},
            ])
        );
        assert_eq!(
            list(&names, &points, Some(Format::Csv)),
            "index,tlb.entries,asid\n0,8,off\n3,16,on\n"
        );
    }
}
