//! Changes to a loaded profile: Spike-style overrides (`--l1d 32K:8:64`, `--dtlb 32:32`,
//! `--asid on`, `--timing off`) and the dotted keys of parameter sweeps (`tlb.entries=64`).
//!
//! Every change is made on a copy that is validated before it replaces the profile, so a failed
//! change leaves the profile as it was. Left out: the command-line parsing itself (in `klab`).

use super::file::parse_size;
use super::{Costs, MAX_ASID_BITS, Penalties, PipelineParams, Profile, ProfileError};
use crate::model::cache::CacheConfig;
use crate::model::replacement::Replacement;
use crate::model::tlb::TlbConfig;

/// A cache level a profile may model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CacheLevel {
    /// The L1 instruction cache, `[l1i]`, `--l1i`.
    L1i,
    /// The L1 data cache, `[l1d]`, `--l1d`.
    L1d,
    /// The unified L2 cache, `[l2]`, `--l2`.
    L2,
}

impl CacheLevel {
    /// Every level, in file order.
    pub const ALL: [CacheLevel; 3] = [CacheLevel::L1i, CacheLevel::L1d, CacheLevel::L2];

    /// The level's table name and flag: `l1i`, `l1d`, `l2`.
    pub fn name(self) -> &'static str {
        match self {
            CacheLevel::L1i => "l1i",
            CacheLevel::L1d => "l1d",
            CacheLevel::L2 => "l2",
        }
    }
}

/// A TLB a profile models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TlbLevel {
    /// The instruction TLB, `[itlb]`, `--itlb`.
    Itlb,
    /// The data TLB, `[dtlb]`, `--dtlb`.
    Dtlb,
    /// The unified L2 TLB, `[l2tlb]`, `--l2tlb` (the only optional one).
    L2tlb,
}

impl TlbLevel {
    /// Every level, in file order.
    pub const ALL: [TlbLevel; 3] = [TlbLevel::Itlb, TlbLevel::Dtlb, TlbLevel::L2tlb];

    /// The level's table name and flag: `itlb`, `dtlb`, `l2tlb`.
    pub fn name(self) -> &'static str {
        match self {
            TlbLevel::Itlb => "itlb",
            TlbLevel::Dtlb => "dtlb",
            TlbLevel::L2tlb => "l2tlb",
        }
    }
}

/// Sweep keys other than `cost.*`, `penalty.*` and `pipeline.*`; `X.size`-style keys need
/// level X present, `pipeline.*` keys a pipeline profile.
const KEYS: &[&str] = &[
    "timing",
    "asid",
    "core.clock_hz",
    "core.timebase_hz",
    "core.asid_bits",
    "l1i",
    "l1i.size",
    "l1i.ways",
    "l1i.line",
    "l1i.replacement",
    "l1d",
    "l1d.size",
    "l1d.ways",
    "l1d.line",
    "l1d.replacement",
    "l2",
    "l2.size",
    "l2.ways",
    "l2.line",
    "l2.replacement",
    "tlb.entries",
    "itlb",
    "itlb.entries",
    "itlb.ways",
    "itlb.replacement",
    "dtlb",
    "dtlb.entries",
    "dtlb.ways",
    "dtlb.replacement",
    "l2tlb",
    "l2tlb.entries",
    "l2tlb.ways",
    "l2tlb.replacement",
];

impl Profile {
    /// Every key `set` accepts.
    pub fn keys() -> Vec<String> {
        let mut keys: Vec<String> = KEYS.iter().map(|k| k.to_string()).collect();
        keys.extend(Costs::FIELDS.iter().map(|f| format!("cost.{f}")));
        keys.extend(Penalties::FIELDS.iter().map(|f| format!("penalty.{f}")));
        keys.extend(
            PipelineParams::FIELDS
                .iter()
                .map(|f| format!("pipeline.{f}")),
        );
        keys
    }

    /// `--l1i`/`--l1d`/`--l2 SIZE:WAYS:LINE` (sizes as in the file, e.g. `32K:8:64`), or `none`
    /// to stop modeling the level. The level keeps its replacement policy and seed; a level that
    /// was absent gets LRU.
    pub fn set_cache(&mut self, which: CacheLevel, spec: &str) -> Result<(), ProfileError> {
        let setting = format!("--{} {spec}", which.name());
        self.change(setting, |p| {
            *p.cache_mut(which) = parse_cache_spec(spec, p.cache(which))?;
            p.mark_set(which.name(), spec);
            Ok(())
        })
    }

    /// `--itlb`/`--dtlb`/`--l2tlb ENTRIES:WAYS` (`32:32` is fully associative), or `none` for
    /// the L2 TLB. The TLB keeps its replacement policy and seed; an absent L2 TLB gets LRU.
    pub fn set_tlb(&mut self, which: TlbLevel, spec: &str) -> Result<(), ProfileError> {
        let setting = format!("--{} {spec}", which.name());
        self.change(setting, |p| {
            p.put_tlb_spec(which, spec)?;
            p.mark_set(which.name(), spec);
            Ok(())
        })
    }

    /// `--asid on` (16 ASID bits) or `--asid off` (none: a `satp` write flushes the TLBs).
    pub fn set_asid(&mut self, on: bool) -> Result<(), ProfileError> {
        let setting = format!("--asid {}", if on { "on" } else { "off" });
        self.change(setting, |p| {
            p.asid_bits = asid_width(on);
            p.mark_set("asid", if on { "on" } else { "off" });
            Ok(())
        })
    }

    /// `--timing on|off`: the cycle model with caches and TLBs, or the functional mode.
    pub fn set_timing(&mut self, on: bool) -> Result<(), ProfileError> {
        let setting = format!("--timing {}", if on { "on" } else { "off" });
        self.change(setting, |p| {
            p.timing = on;
            Ok(())
        })
    }

    /// Sets a parameter by dotted key, as sweeps do: `tlb.entries` (both L1 TLBs; a fully
    /// associative TLB stays so), `itlb.entries`, `l1d.size`, `l2` (a whole `SIZE:WAYS:LINE`
    /// spec or `none`), `asid` (`on`/`off`), `timing`, `cost.div`, `penalty.memory`, … — every
    /// key is listed by `Profile::keys`.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ProfileError> {
        if !Profile::keys().iter().any(|k| k == key) {
            return Err(ProfileError::UnknownKey {
                key: key.to_string(),
                near: near_keys(key),
            });
        }
        self.change(format!("{key}={value}"), |p| {
            p.put(key, value)?;
            p.mark_set(key, value);
            Ok(())
        })
    }

    /// Applies `f` to a copy, validates it, and only then keeps it.
    fn change(
        &mut self,
        setting: String,
        f: impl FnOnce(&mut Profile) -> Result<(), String>,
    ) -> Result<(), ProfileError> {
        let mut p = self.clone();
        match f(&mut p).and_then(|()| p.check()) {
            Ok(()) => {
                *self = p;
                Ok(())
            }
            Err(message) => Err(ProfileError::BadSetting { setting, message }),
        }
    }

    /// Sets `key` to `value`, unvalidated. `key` is one of `Profile::keys()` (checked by `set`),
    /// so the catch-all arms below each stand for the one field left.
    fn put(&mut self, key: &str, value: &str) -> Result<(), String> {
        let (section, field) = key.split_once('.').unwrap_or((key, ""));
        if let Some(level) = CacheLevel::ALL.into_iter().find(|l| l.name() == section) {
            if field.is_empty() {
                *self.cache_mut(level) = parse_cache_spec(value, self.cache(level))?;
                return Ok(());
            }
            let c = self.cache_mut(level).as_mut().ok_or_else(|| {
                format!(
                    "{section} is not modeled in this profile; set it whole: {section}=32K:8:64"
                )
            })?;
            match field {
                "size" => c.size = parse_size(value)?,
                "ways" => c.ways = parse_number(value)?,
                "line" => c.line = parse_number(value)?,
                _ => c.replacement = parse_replacement(value)?,
            }
            return Ok(());
        }
        if let Some(level) = TlbLevel::ALL.into_iter().find(|l| l.name() == section) {
            if field.is_empty() {
                return self.put_tlb_spec(level, value);
            }
            let t = self.tlb_mut(level).ok_or_else(|| {
                format!("{section} is not modeled in this profile; set it whole: {section}=512:4")
            })?;
            match field {
                "entries" => set_entries(t, parse_number(value)?),
                "ways" => t.ways = parse_number(value)?,
                _ => t.replacement = parse_replacement(value)?,
            }
            return Ok(());
        }
        match (section, field) {
            ("timing", _) => self.timing = parse_on_off(value)?,
            ("asid", _) => self.asid_bits = asid_width(parse_on_off(value)?),
            ("tlb", _) => {
                let n = parse_number(value)?;
                set_entries(&mut self.itlb, n);
                set_entries(&mut self.dtlb, n);
            }
            ("core", "clock_hz") => self.clock_hz = parse_number(value)?,
            ("core", "timebase_hz") => self.timebase_hz = parse_number(value)?,
            ("core", _) => self.asid_bits = parse_number(value)?,
            ("cost", _) => {
                *self.cost.field_mut(field).ok_or("no such cost")? = parse_number(value)?
            }
            ("pipeline", _) => {
                let p = self.pipeline.as_mut().ok_or(
                    "this profile has the simple model; pipeline keys need core.model = \
                     \"pipeline\" (e.g. profile u74)",
                )?;
                *p.field_mut(field).ok_or("no such pipeline parameter")? = parse_number(value)?
            }
            _ => *self.penalty.field_mut(field).ok_or("no such penalty")? = parse_number(value)?,
        }
        Ok(())
    }

    /// Replaces TLB `which` by an `ENTRIES:WAYS` spec (or removes the L2 TLB for `none`).
    fn put_tlb_spec(&mut self, which: TlbLevel, spec: &str) -> Result<(), String> {
        if spec.trim().eq_ignore_ascii_case("none") {
            return match which {
                TlbLevel::L2tlb => {
                    self.l2tlb = None;
                    Ok(())
                }
                _ => Err(format!(
                    "the {} cannot be removed: only the L2 TLB is optional",
                    which.name().to_uppercase()
                )),
            };
        }
        let parts: Vec<&str> = spec.split(':').collect();
        let [entries, ways] = parts[..] else {
            return Err(format!("expected ENTRIES:WAYS (e.g. 32:32), not `{spec}`"));
        };
        let old = self.tlb(which);
        let new = TlbConfig {
            entries: parse_number(entries)?,
            ways: parse_number(ways)?,
            replacement: old.map_or(Replacement::Lru, |t| t.replacement),
            seed: old.map_or(0, |t| t.seed),
        };
        match which {
            TlbLevel::Itlb => self.itlb = new,
            TlbLevel::Dtlb => self.dtlb = new,
            TlbLevel::L2tlb => self.l2tlb = Some(new),
        }
        Ok(())
    }

    /// The slot of cache `level`.
    fn cache_mut(&mut self, level: CacheLevel) -> &mut Option<CacheConfig> {
        match level {
            CacheLevel::L1i => &mut self.l1i,
            CacheLevel::L1d => &mut self.l1d,
            CacheLevel::L2 => &mut self.l2,
        }
    }

    /// TLB `level`, if present.
    fn tlb_mut(&mut self, level: TlbLevel) -> Option<&mut TlbConfig> {
        match level {
            TlbLevel::Itlb => Some(&mut self.itlb),
            TlbLevel::Dtlb => Some(&mut self.dtlb),
            TlbLevel::L2tlb => self.l2tlb.as_mut(),
        }
    }
}

/// Parses `SIZE:WAYS:LINE` or `none`; a new level keeps `old`'s policy and seed (else LRU, 0).
fn parse_cache_spec(spec: &str, old: Option<&CacheConfig>) -> Result<Option<CacheConfig>, String> {
    if spec.trim().eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let parts: Vec<&str> = spec.split(':').collect();
    let [size, ways, line] = parts[..] else {
        return Err(format!(
            "expected SIZE:WAYS:LINE (e.g. 32K:8:64) or none, not `{spec}`"
        ));
    };
    let (ways, line): (u32, u32) = (parse_number(ways)?, parse_number(line)?);
    // A bare number below 1 KiB is almost certainly Spike's SETS:WAYS:BLOCK (`--dc 512:8:64` is
    // 256 KiB there), not a cache of a few hundred bytes: refuse it and say both spellings.
    if let Ok(sets) = size.trim().parse::<u64>()
        && sets < 1024
    {
        return Err(format!(
            "a cache of {sets} bytes? Sizes below 1 KiB need a unit (e.g. 32K); Spike's \
             SETS:WAYS:BLOCK `{spec}` is {}:{ways}:{line} here (or --ic/--dc {spec})",
            spike_size(sets, ways, line)
        ));
    }
    Ok(Some(CacheConfig {
        size: parse_size(size)?,
        ways,
        line,
        replacement: old.map_or(Replacement::Lru, |c| c.replacement),
        seed: old.map_or(0, |c| c.seed),
    }))
}

/// Spike's `SETS:WAYS:BLOCK` as klab's `SIZE:WAYS:LINE` (Spike's `--ic`/`--dc`/`--l2`), or an
/// error if a field is not a number.
pub fn spike_cache_spec(spec: &str) -> Result<String, String> {
    let fields: Vec<&str> = spec.split(':').collect();
    let [sets, ways, block] = fields[..] else {
        return Err(format!(
            "expected Spike's SETS:WAYS:BLOCK (e.g. 64:8:64), not `{spec}`"
        ));
    };
    let (sets, ways, block): (u64, u32, u32) = (
        parse_number(sets)?,
        parse_number(ways)?,
        parse_number(block)?,
    );
    Ok(format!("{}:{ways}:{block}", spike_size(sets, ways, block)))
}

/// The size of `sets` × `ways` × `block` bytes, written with the largest exact unit.
fn spike_size(sets: u64, ways: u32, block: u32) -> String {
    let bytes = sets
        .saturating_mul(u64::from(ways))
        .saturating_mul(u64::from(block));
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{}M", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{}K", b >> 10),
        b => b.to_string(),
    }
}

/// The ASID width of `--asid on` (16 bits, all of `satp.ASID`) or `off` (none).
fn asid_width(on: bool) -> u8 {
    if on { MAX_ASID_BITS } else { 0 }
}

/// Sets a TLB's entries; a fully associative TLB (ways == entries) stays fully associative.
fn set_entries(t: &mut TlbConfig, entries: u32) {
    if t.ways == t.entries {
        t.ways = entries;
    }
    t.entries = entries;
}

/// Parses a decimal number that fits `T`.
fn parse_number<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{text}` is not a number"));
    }
    t.parse().map_err(|_| format!("`{text}` is too large"))
}

/// Parses `on`/`off` (also `true`/`false`, `1`/`0`).
fn parse_on_off(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "1" => Ok(true),
        "off" | "false" | "0" => Ok(false),
        _ => Err(format!("`{text}` is not on or off")),
    }
}

/// Parses a replacement policy name as profiles write it.
fn parse_replacement(text: &str) -> Result<Replacement, String> {
    let t = text.trim().to_ascii_lowercase();
    Replacement::ALL
        .into_iter()
        .find(|r| r.name() == t)
        .ok_or_else(|| format!("`{text}` is not a replacement policy (lru, plru, fifo, random)"))
}

/// Up to five valid keys in the same table as `key` or with the same field, for an error
/// message that stays one short line (all the keys would be 600 characters).
fn near_keys(key: &str) -> String {
    const SHOWN: usize = 5;
    let (table, field) = key.split_once('.').unwrap_or((key, ""));
    let keys = Profile::keys();
    let split = |k: &str| -> (String, String) {
        let (t, f) = k.split_once('.').unwrap_or((k, ""));
        (t.to_string(), f.to_string())
    };
    let same_table = keys.iter().filter(|k| split(k).0 == table);
    let same_field = keys
        .iter()
        .filter(|k| split(k).0 != table && !field.is_empty() && split(k).1 == field);
    let near: Vec<&str> = same_table.chain(same_field).map(String::as_str).collect();
    match near.len() {
        0 => "keys are TABLE.FIELD, e.g. penalty.memory, l1d.size, tlb.entries".to_string(),
        n if n <= SHOWN => format!("close to it: {}", near.join(", ")),
        _ => format!("close to it: {}, …", near[..SHOWN].join(", ")),
    }
}
