//! The on-disk layout of a profile: a serde mirror of `Profile` with the `[core]` table, sizes
//! written as `"32K"`, and `deny_unknown_fields` on every table (the model's own config types
//! accept unknown keys, so they are not parsed directly).
//!
//! Left out: validation (`Profile::validate`), which runs after parsing.

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{CoreModel, Costs, Penalties, PipelineParams, Profile};
use crate::model::cache::CacheConfig;
use crate::model::replacement::Replacement;
use crate::model::tlb::TlbConfig;

/// Size suffixes, largest first: K, M, G are powers of 1024.
const SUFFIXES: [(char, u32); 3] = [('G', 30), ('M', 20), ('K', 10)];

/// Parses a size in bytes: digits with an optional K, M or G suffix (either case), e.g. `32K`.
pub(super) fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let last = t.chars().last().map(|c| c.to_ascii_uppercase());
    let (digits, shift) = match SUFFIXES.iter().find(|(s, _)| Some(*s) == last) {
        Some((_, shift)) => (&t[..t.len() - 1], *shift),
        None => (t, 0),
    };
    let not_a_size = || {
        format!(
            "`{text}` is not a size: expected a number of bytes with an optional K, M or G \
             suffix (powers of 1024), e.g. 32K"
        )
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_a_size());
    }
    let n: u64 = digits.parse().map_err(|_| not_a_size())?;
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("`{text}` is too large a size"))
}

/// Writes a size with the largest suffix that divides it exactly (`32768` → `32K`).
pub(super) fn format_size(bytes: u64) -> String {
    for (suffix, shift) in SUFFIXES {
        if bytes != 0 && bytes.is_multiple_of(1 << shift) {
            return format!("{}{suffix}", bytes >> shift);
        }
    }
    bytes.to_string()
}

/// A cache size: an integer or a string such as `"32K"` in the file; written as a string when a
/// suffix divides it exactly, else as an integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Size(pub u64);

impl Serialize for Size {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = format_size(self.0);
        if text.ends_with(|c: char| c.is_ascii_digit()) {
            s.serialize_u64(self.0)
        } else {
            s.serialize_str(&text)
        }
    }
}

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Size, D::Error> {
        struct SizeVisitor;
        impl Visitor<'_> for SizeVisitor {
            type Value = Size;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a size in bytes: an integer, or a string such as \"32K\" or \"2M\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Size, E> {
                Ok(Size(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Size, E> {
                u64::try_from(v)
                    .map(Size)
                    .map_err(|_| E::custom(format!("a size cannot be negative ({v})")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Size, E> {
                parse_size(v).map(Size).map_err(E::custom)
            }
        }
        d.deserialize_any(SizeVisitor)
    }
}

/// `[core]`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CoreSection {
    clock_hz: u64,
    timebase_hz: u64,
    asid_bits: u8,
    /// Absent means simple, and a simple profile is written without it (its hash unchanged).
    #[serde(default, skip_serializing_if = "is_simple")]
    model: CoreModel,
}

/// Whether `model` is the default, simple one.
fn is_simple(model: &CoreModel) -> bool {
    *model == CoreModel::Simple
}

/// `[l1i]`, `[l1d]`, `[l2]`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CacheSection {
    size: Size,
    ways: u32,
    line: u32,
    replacement: Replacement,
    #[serde(default)]
    seed: u64,
}

/// `[itlb]`, `[dtlb]`, `[l2tlb]`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TlbSection {
    entries: u32,
    ways: u32,
    replacement: Replacement,
    #[serde(default)]
    seed: u64,
}

/// A whole profile file.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProfileFile {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    formerly: Option<String>,
    description: String,
    timing: bool,
    core: CoreSection,
    cost: Costs,
    penalty: Penalties,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pipeline: Option<PipelineParams>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    l1i: Option<CacheSection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    l1d: Option<CacheSection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    l2: Option<CacheSection>,
    itlb: TlbSection,
    dtlb: TlbSection,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    l2tlb: Option<TlbSection>,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    sources: super::sources::Sources,
}

impl From<CacheSection> for CacheConfig {
    fn from(c: CacheSection) -> CacheConfig {
        CacheConfig {
            size: c.size.0,
            ways: c.ways,
            line: c.line,
            replacement: c.replacement,
            seed: c.seed,
        }
    }
}

impl From<CacheConfig> for CacheSection {
    fn from(c: CacheConfig) -> CacheSection {
        CacheSection {
            size: Size(c.size),
            ways: c.ways,
            line: c.line,
            replacement: c.replacement,
            seed: c.seed,
        }
    }
}

impl From<TlbSection> for TlbConfig {
    fn from(t: TlbSection) -> TlbConfig {
        TlbConfig {
            entries: t.entries,
            ways: t.ways,
            replacement: t.replacement,
            seed: t.seed,
        }
    }
}

impl From<TlbConfig> for TlbSection {
    fn from(t: TlbConfig) -> TlbSection {
        TlbSection {
            entries: t.entries,
            ways: t.ways,
            replacement: t.replacement,
            seed: t.seed,
        }
    }
}

impl From<ProfileFile> for Profile {
    fn from(f: ProfileFile) -> Profile {
        Profile {
            name: f.name,
            formerly: f.formerly,
            description: f.description,
            timing: f.timing,
            clock_hz: f.core.clock_hz,
            timebase_hz: f.core.timebase_hz,
            asid_bits: f.core.asid_bits,
            model: f.core.model,
            cost: f.cost,
            penalty: f.penalty,
            pipeline: f.pipeline,
            l1i: f.l1i.map(Into::into),
            l1d: f.l1d.map(Into::into),
            l2: f.l2.map(Into::into),
            itlb: f.itlb.into(),
            dtlb: f.dtlb.into(),
            l2tlb: f.l2tlb.map(Into::into),
            sources: f.sources,
        }
    }
}

impl From<Profile> for ProfileFile {
    fn from(p: Profile) -> ProfileFile {
        ProfileFile {
            name: p.name,
            formerly: p.formerly,
            description: p.description,
            timing: p.timing,
            core: CoreSection {
                clock_hz: p.clock_hz,
                timebase_hz: p.timebase_hz,
                asid_bits: p.asid_bits,
                model: p.model,
            },
            cost: p.cost,
            penalty: p.penalty,
            pipeline: p.pipeline,
            l1i: p.l1i.map(Into::into),
            l1d: p.l1d.map(Into::into),
            l2: p.l2.map(Into::into),
            itlb: p.itlb.into(),
            dtlb: p.dtlb.into(),
            l2tlb: p.l2tlb.map(Into::into),
            sources: p.sources,
        }
    }
}
