//! A run's statistics as one serializable record: what `klab run --stats-json` writes and what
//! the benchmark runner reads.
//!
//! Top-level fields: `instructions`, `cycles`, `profile` (name, hash, the effective profile as
//! TOML), `by_mode` (U, S, M), `address_spaces`, `regions` (every bucket whose region is not 0),
//! `buckets` (every mode × address space × region), `snapshots`, `tlb_check` (stale translations
//! found by `--check-tlb`), `symbols` (cycles per symbol from deterministic stack samples), `sample_period` and
//! `samples` (samples per region). Counts are those of `stats::Counts`: `instructions`, `cycles`
//! and one field per event.

use serde::Serialize;

use crate::machine::{Machine, StaleUse};
use crate::stats::{AddressSpace, Counts, Snapshot};

/// The profile a run used.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct ProfileInfo {
    /// Its name.
    pub name: String,
    /// `Profile::hash`: 16 hex digits of SHA-256 of the effective profile.
    pub hash: String,
    /// Whether timing mode was on.
    pub timing: bool,
    /// The effective profile, as TOML.
    pub toml: String,
}

/// One mode × address space × region bucket.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Bucket {
    /// `U`, `S` or `M`.
    pub mode: String,
    /// Index into `address_spaces`.
    pub address_space: usize,
    /// The address space's name, if the guest gave one.
    pub space_name: Option<String>,
    /// Region id (0: outside any region).
    pub region: u64,
    /// The counts.
    pub counts: Counts,
}

/// The statistics of a run.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct RunReport {
    /// Instructions retired.
    pub instructions: u64,
    /// Cycles.
    pub cycles: u64,
    /// The profile.
    pub profile: ProfileInfo,
    /// Totals by privilege mode.
    pub by_mode: std::collections::BTreeMap<String, Counts>,
    /// The address spaces seen.
    pub address_spaces: Vec<AddressSpace>,
    /// Buckets inside regions.
    pub regions: Vec<Bucket>,
    /// All buckets.
    pub buckets: Vec<Bucket>,
    /// Snapshots taken by markers.
    pub snapshots: Vec<Snapshot>,
    /// Stale translations used (`--check-tlb`).
    pub tlb_check: Vec<StaleUse>,
    /// Cycles per symbol over the whole run, from stack samples (empty without sampling), most
    /// first.
    pub symbols: Vec<SymbolCycles>,
    /// Cycles between samples (0 without sampling).
    pub sample_period: u64,
    /// Samples by region (empty without sampling).
    pub samples: Vec<RegionSamples>,
}

/// The cycles spent in one symbol (its own, not its callees'), estimated from samples.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct SymbolCycles {
    /// The symbol (`?` when no table covers the pc).
    pub symbol: String,
    /// The table it comes from (`kernel`, a program's name, or `?`).
    pub table: String,
    /// Where it ran: `kernel` for S and M modes, else the address space's name at the sample
    /// (`space ROOT` when unnamed).
    pub space: String,
    /// `U`, `S` or `M`.
    pub mode: String,
    /// Samples that landed in it.
    pub samples: u64,
    /// `samples × period`.
    pub cycles: u64,
    /// Instructions retired in the sample periods that ended in it.
    pub instructions: u64,
}

/// The samples taken while one region was the innermost open.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct RegionSamples {
    /// Region id (0: outside any region).
    pub region: u64,
    /// Samples taken.
    pub samples: u64,
}

/// The samples of `m` in `region` (all for `None`) by symbol, most cycles first.
pub fn symbol_cycles(m: &Machine, region: Option<u64>) -> Vec<SymbolCycles> {
    use std::collections::BTreeMap;
    let Some(sampler) = &m.sampler else {
        return Vec::new();
    };
    let mut by: BTreeMap<(String, String, String, usize), (u64, u64)> = BTreeMap::new();
    for (stack, tally) in sampler.in_region(region) {
        let names = sampler.names(stack, &m.symbol_tables);
        let table = stack
            .table
            .and_then(|t| m.symbol_tables.get(t as usize))
            .map_or("?", |t| t.name.as_str());
        let leaf = names.last().copied().unwrap_or("?");
        let e = by
            .entry((
                names[0].to_string(),
                table.to_string(),
                leaf.to_string(),
                stack.mode,
            ))
            .or_default();
        e.0 += tally.samples;
        e.1 += tally.instructions;
    }
    let mut out: Vec<SymbolCycles> = by
        .into_iter()
        .map(
            |((space, table, symbol, mode), (samples, instructions))| SymbolCycles {
                symbol,
                table,
                space,
                mode: ["U", "S", "M"][mode].to_string(),
                samples,
                cycles: samples * sampler.period,
                instructions,
            },
        )
        .collect();
    out.sort_by(|a, b| {
        b.cycles
            .cmp(&a.cycles)
            .then_with(|| a.symbol.cmp(&b.symbol))
    });
    out
}

/// The samples of `m` by region.
fn region_samples(m: &Machine) -> Vec<RegionSamples> {
    let Some(sampler) = &m.sampler else {
        return Vec::new();
    };
    let mut by = std::collections::BTreeMap::<u64, u64>::new();
    for (stack, tally) in &sampler.stacks {
        *by.entry(stack.region).or_default() += tally.samples;
    }
    by.into_iter()
        .map(|(region, samples)| RegionSamples { region, samples })
        .collect()
}

/// The folded stacks of `m` in `region` (all for `None`; `crate::symbols::Sampler::folded`),
/// empty without sampling.
pub fn folded(m: &Machine, region: Option<u64>) -> String {
    m.sampler
        .as_ref()
        .map_or(String::new(), |s| s.folded(region, &m.symbol_tables))
}

impl RunReport {
    /// The report of `m` so far (books pending instructions and cycles first).
    pub fn of(m: &mut Machine) -> RunReport {
        let (n, c) = (m.retired, m.cycles());
        m.stats.flush(n, c);
        let spaces = m.stats.spaces().to_vec();
        let buckets: Vec<Bucket> = m
            .stats
            .buckets()
            .filter(|(_, counts)| {
                counts.instructions > 0 || counts.cycles > 0 || counts.events.iter().any(|&e| e > 0)
            })
            .map(|(k, counts)| Bucket {
                mode: k.mode.letter().to_string(),
                address_space: k.space,
                space_name: spaces[k.space].name.clone(),
                region: k.region,
                counts: counts.clone(),
            })
            .collect();
        let by_mode = m
            .stats
            .by_mode(n, c)
            .into_iter()
            .map(|(p, counts)| (p.letter().to_string(), counts))
            .collect();
        RunReport {
            instructions: n,
            cycles: c,
            profile: ProfileInfo {
                name: m.profile.name.clone(),
                hash: m.profile.hash(),
                timing: m.profile.timing,
                toml: m.profile.to_toml(),
            },
            by_mode,
            address_spaces: spaces,
            regions: buckets.iter().filter(|b| b.region != 0).cloned().collect(),
            buckets,
            snapshots: m.stats.snapshots.clone(),
            tlb_check: m.stale_uses().to_vec(),
            symbols: symbol_cycles(m, None),
            sample_period: m.sampler.as_ref().map_or(0, |s| s.period),
            samples: region_samples(m),
        }
    }

    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serializes")
    }
}
