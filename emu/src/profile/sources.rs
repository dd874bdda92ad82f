//! Where each parameter of a profile comes from: the `[sources]` table.
//!
//! Each entry is keyed by the parameter's dotted key (as `--set` names it: `penalty.tlb_walk`,
//! `cost.mul`, `core.clock_hz`), or by a cache or TLB table name (`l1d`, `itlb`) for its whole
//! geometry, and says either where the value was taken from (`source`) or why it was chosen
//! (`why`, an estimate). A range `low`..`high` (both ends included) gives the values the
//! parameter plausibly has on the modeled core; an estimate of a parameter that enters cycles
//! linearly must have one, because the report's bands are computed over these ranges:
//!
//! ```toml
//! [sources."penalty.l2_hit"]
//! source = "gem5 riscvmatched: L2Cache data_latency = 20"
//! low = 12
//! high = 20
//!
//! [sources."penalty.trap"]
//! why = "a pipeline flush and refill of the 8-stage pipeline plus the vector fetch"
//! low = 10
//! high = 40
//! ```
//!
//! The table documents the profile; it does not change a result. So [`Profile::hash`] leaves it
//! out (a profile without `[sources]`, as every profile before it was, keeps its hash, and a
//! corrected citation does not rename a profile), while [`Profile::to_toml`] keeps it, so a
//! report that embeds the profile carries its sources and ranges. Changing a parameter with
//! `--set` (or a sweep) replaces its entry by `source = "set: KEY=VALUE"` without a range: the
//! value is then the user's, not an estimate.
//!
//! Left out: what the ranges are used for (the bands, in `klab`'s report).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::linear::LinearTerm;
use super::{CacheLevel, Profile, TlbLevel};

/// Where one parameter comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The documents, files and values it was taken from (absent: an estimate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Why the value was chosen (required for an estimate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// The lowest plausible value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<u64>,
    /// The highest plausible value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<u64>,
}

impl Source {
    /// Whether the value is an estimate (no published source).
    pub fn is_estimate(&self) -> bool {
        self.source.is_none()
    }

    /// The plausible range `(low, high)`, if given.
    pub fn range(&self) -> Option<(u64, u64)> {
        Some((self.low?, self.high?))
    }
}

/// The sources of a profile, by key.
pub type Sources = BTreeMap<String, Source>;

/// Whether `key` may carry a source: a parameter key of `Profile::keys` (other than the
/// shorthands `timing`, `asid` and `tlb.entries`, which name no single parameter), or a cache or
/// TLB table name.
pub fn is_source_key(key: &str) -> bool {
    !matches!(key, "timing" | "asid" | "tlb.entries") && Profile::keys().iter().any(|k| k == key)
}

/// The keys a profile's parameters need sources for: every `[core]`, `[cost]` and `[penalty]`
/// key, and each cache and TLB the profile models (a table name, or every one of its fields).
pub fn required_keys(p: &Profile) -> Vec<String> {
    let mut keys: Vec<String> = Profile::keys()
        .into_iter()
        .filter(|k| {
            k.starts_with("core.")
                || k.starts_with("cost.")
                || k.starts_with("penalty.")
                || (p.pipeline.is_some() && k.starts_with("pipeline."))
        })
        .collect();
    for level in CacheLevel::ALL {
        if p.cache(level).is_some() {
            keys.push(level.name().to_string());
        }
    }
    for level in TlbLevel::ALL {
        if p.tlb(level).is_some() {
            keys.push(level.name().to_string());
        }
    }
    keys
}

/// Whether `sources` covers `key`: an entry for it, or (for a table name) an entry for each of
/// its fields.
pub fn covers(sources: &Sources, key: &str) -> bool {
    if sources.contains_key(key) {
        return true;
    }
    let fields: Vec<String> = Profile::keys()
        .into_iter()
        .filter(|k| k.strip_prefix(key).is_some_and(|f| f.starts_with('.')))
        .collect();
    !fields.is_empty() && fields.iter().all(|f| sources.contains_key(f))
}

/// Checks every entry: a known key, a source or a reason, a range with both ends in order, and a
/// range on every estimated linear parameter. The error names the entry.
pub(super) fn check(sources: &Sources) -> Result<(), String> {
    for (key, s) in sources {
        let name = format!("sources.\"{key}\"");
        if !is_source_key(key) {
            return Err(format!(
                "{name}: `{key}` is not a parameter (keys are those of --set, e.g. \
                 penalty.tlb_walk, or a cache or TLB table such as l1d)"
            ));
        }
        if s.source.is_none() && s.why.is_none() {
            return Err(format!(
                "{name}: give its `source`, or `why` the value was chosen (an estimate)"
            ));
        }
        match (s.low, s.high) {
            (None, None) => {}
            (Some(low), Some(high)) if low <= high => {}
            (Some(low), Some(high)) => {
                return Err(format!("{name}: low = {low} is more than high = {high}"));
            }
            _ => return Err(format!("{name}: a range needs both `low` and `high`")),
        }
        if s.is_estimate() && s.range().is_none() && LinearTerm::find(key).is_some() {
            return Err(format!(
                "{name}: an estimate of a linear parameter needs a plausible range (`low`, \
                 `high`): the report's bands are computed over it"
            ));
        }
    }
    Ok(())
}

impl Profile {
    /// Records that `key` was set to `value` by hand: its entry (and those of its fields, for a
    /// table) becomes `source = "set: KEY=VALUE"`, with no range. The shorthands mark what they
    /// change (`tlb.entries`: both L1 TLBs; `asid`: `core.asid_bits`).
    pub(super) fn mark_set(&mut self, key: &str, value: &str) {
        let targets: Vec<&str> = match key {
            "timing" => Vec::new(),
            "asid" => vec!["core.asid_bits"],
            "tlb.entries" => vec!["itlb.entries", "dtlb.entries"],
            k => vec![k],
        };
        for target in targets {
            self.sources
                .retain(|k, _| k != target && !k.starts_with(&format!("{target}.")));
            let table = target.split_once('.').map(|(t, _)| t);
            // A field set by hand no longer has the source its table cites.
            if let Some(t) = table
                && self.sources.contains_key(t)
                && t != "core"
            {
                let whole = self.sources.remove(t).unwrap_or_default();
                for field in Profile::keys()
                    .into_iter()
                    .filter(|k| k.starts_with(&format!("{t}.")) && k.as_str() != target)
                {
                    self.sources.insert(field, whole.clone());
                }
            }
            self.sources.insert(
                target.to_string(),
                Source {
                    source: Some(format!("set: {key}={value}")),
                    ..Source::default()
                },
            );
        }
    }
}
