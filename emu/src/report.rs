//! A run's statistics as one serializable record: what `klab run --stats-json` writes and what
//! the benchmark runner reads.
//!
//! Top-level fields: `instructions`, `cycles`, `profile` (name, hash, the effective profile as
//! TOML), `by_mode` (U, S, M), `address_spaces`, `regions` (every bucket whose region is not 0),
//! `buckets` (every mode × address space × region), `snapshots`, `tlb_check` (stale translations
//! found by `--check-tlb`), `symbols` (cycles per symbol from deterministic pc samples). Counts are those of `stats::Counts`: `instructions`, `cycles` and one
//! field per event.

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
    /// Cycles per symbol, from pc samples (empty without sampling), most first.
    pub symbols: Vec<SymbolCycles>,
}

/// The cycles spent in one symbol, estimated from samples.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct SymbolCycles {
    /// The symbol (`?` when no table covers the pc).
    pub symbol: String,
    /// The table it comes from (`kernel`, a program's name, or `?`).
    pub table: String,
    /// `U`, `S` or `M`.
    pub mode: String,
    /// Samples that landed in it.
    pub samples: u64,
    /// `samples × period`.
    pub cycles: u64,
}

/// Aggregates the samples of `m` by symbol.
fn symbol_cycles(m: &Machine) -> Vec<SymbolCycles> {
    use std::collections::BTreeMap;
    let Some(sampler) = &m.sampler else {
        return Vec::new();
    };
    let spaces = m.stats.spaces();
    let kernel = m.symbol_tables.iter().find(|t| t.name == "kernel");
    let mut by: BTreeMap<(String, String, usize), u64> = BTreeMap::new();
    for (&(mode, space, pc), &n) in &sampler.samples {
        let table = if mode == 0 {
            let named = spaces.get(space).and_then(|s| s.name.as_deref());
            m.symbol_tables
                .iter()
                .find(|t| Some(t.name.as_str()) == named && t.covers(pc))
                .or_else(|| {
                    m.symbol_tables
                        .iter()
                        .find(|t| t.name != "kernel" && t.covers(pc))
                })
        } else {
            kernel
        };
        let symbol = table.and_then(|t| t.lookup(pc)).unwrap_or("?").to_string();
        let table = table.map_or("?".to_string(), |t| t.name.clone());
        *by.entry((table, symbol, mode)).or_default() += n;
    }
    let mut out: Vec<SymbolCycles> = by
        .into_iter()
        .map(|((table, symbol, mode), samples)| SymbolCycles {
            symbol,
            table,
            mode: ["U", "S", "M"][mode].to_string(),
            samples,
            cycles: samples * sampler.period,
        })
        .collect();
    out.sort_by(|a, b| {
        b.cycles
            .cmp(&a.cycles)
            .then_with(|| a.symbol.cmp(&b.symbol))
    });
    out
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
            symbols: symbol_cycles(m),
        }
    }

    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serializes")
    }
}
