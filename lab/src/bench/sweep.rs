//! `klab sweep`: the benchmarks over a grid of machine profiles — every combination of the
//! values given with `--param KEY=V1,V2,…` — so a report can show how each micro/mono ratio
//! moves with a parameter.
//!
//! Keys are the profile's dotted keys, as `klab run --set` takes them: e.g. `tlb.entries` (both
//! L1 TLBs; fully associative ones stay so), `asid` (`on`/`off`), `l1d.size`, `l2.size`,
//! `penalty.memory`.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use clap::Args;
use emu::profile::Profile;

use super::Selection;
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
) -> anyhow::Result<Vec<(Profile, BTreeMap<String, String>)>> {
    let mut points = vec![(base.clone(), BTreeMap::new())];
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
    let points = grid(&base, &params)?;
    let names = params.into_iter().map(|(k, _)| k).collect();
    args.select.execute(&points, names, "report-sweep")
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
}
