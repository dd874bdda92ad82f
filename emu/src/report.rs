//! A run's statistics as one serializable record: what `klab run --stats-json` writes and what
//! the benchmark runner reads.
//!
//! Top-level fields: `instructions`, `cycles`, `profile` (name, hash, the effective profile as
//! TOML), `by_mode` (U, S, M), `address_spaces`, `regions` (every bucket whose region is not 0),
//! `buckets` (every mode × address space × region), `snapshots`, `tlb_check` (stale translations
//! found by `--check-tlb`). Counts are those of `stats::Counts`: `instructions`, `cycles` and one
//! field per event.

use serde::Serialize;

use crate::machine::{Machine, StaleUse};
use crate::stats::{AddressSpace, Counts, Snapshot};

/// The profile a run used.
#[derive(Clone, Debug, Serialize)]
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
#[derive(Clone, Debug, Serialize)]
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
#[derive(Clone, Debug, Serialize)]
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
        }
    }

    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serializes")
    }
}
