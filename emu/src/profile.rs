//! Machine profiles: the parameters of the cycle model (DESIGN.md §2 "Memory hierarchy", "Time").
//!
//! A [`Profile`] names a core: its clock and timebase, its ASID width, the base cost of each
//! instruction class, the penalties of misses, walks, traps and fences, and the geometry of its
//! caches and TLBs. Profiles are TOML files; four are embedded in the binary (`u74`, the default,
//! also called `default`; `simple`, `tiny`, `big`; see `emu/profiles/`) and any other can be
//! loaded from a path. Spike-style overrides
//! (`--l1d 32K:8:64`, `--dtlb 32:32`, `--asid on`) and the dotted keys of parameter sweeps
//! (`tlb.entries=64`) change a loaded profile; every change is validated before it takes effect.
//! [`Profile::to_toml`] writes the effective profile and [`Profile::hash`] names it in reports.
//!
//! On disk:
//! ```text
//!   name, [formerly], description, timing   top-level keys
//!   [core]     clock_hz, timebase_hz, asid_bits, [model = "simple" | "pipeline"]
//!   [cost]     alu branch_not_taken branch_taken jump load store mul div csr fence amo system
//!   [penalty]  l2_hit memory tlb_walk l2_tlb_hit writeback trap xret satp_write sfence_vma fence_i
//!   [pipeline] load_use late_bypass alu_late mul div_32 div_64 csr_read mispredict
//!              bht_entries btb_entries ras_entries     (only with model = "pipeline")
//!   [l1i] [l1d] [l2]     size ways line replacement [seed]   (a missing table: not modeled)
//!   [itlb] [dtlb]        entries ways replacement [seed]     (required)
//!   [l2tlb]              entries ways replacement [seed]     (a missing table: none)
//!   [sources."KEY"]      source | why, [low, high]            (optional; see `sources`)
//! ```
//! Every key is required except `seed` (default 0), `[sources]`, `formerly` (the name a renamed
//! profile's hash is computed under) and `core.model` (default
//! `"simple"`: one base cost per instruction class, the model every profile had before the
//! pipeline; a simple profile is written without the key, so its hash is what it always was);
//! unknown keys are errors.
//!
//! Left out: the models themselves (`model::cache`, `model::tlb`, whose `validate` this module
//! reuses so that a valid profile always builds), how the machine charges the costs
//! (`machine::timing`), and the command-line flags (the `klab` binary maps them onto the
//! overrides here).

mod file;
pub mod linear;
mod overrides;
pub mod sources;
#[cfg(test)]
mod tests;

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::cache::CacheConfig;
use crate::model::tlb::TlbConfig;

pub use overrides::{CacheLevel, TlbLevel, spike_cache_spec};

/// The embedded profiles, by name, in the order `embedded_names` lists them; the first is the
/// default.
const EMBEDDED: [(&str, &str); 4] = [
    ("u74", include_str!("../profiles/u74.toml")),
    ("simple", include_str!("../profiles/simple.toml")),
    ("tiny", include_str!("../profiles/tiny.toml")),
    ("big", include_str!("../profiles/big.toml")),
];

/// The default profile's name: `u74`, the pipeline model. `default` names it too (for
/// [`Profile::embedded`] and [`Profile::load`]).
pub const DEFAULT_PROFILE: &str = EMBEDDED[0].0;

/// The names of the embedded profiles: `["u74", "simple", "tiny", "big"]`.
pub fn embedded_names() -> &'static [&'static str] {
    const NAMES: [&str; EMBEDDED.len()] =
        [EMBEDDED[0].0, EMBEDDED[1].0, EMBEDDED[2].0, EMBEDDED[3].0];
    &NAMES
}

/// `name` with the alias `default` resolved to [`DEFAULT_PROFILE`].
fn resolve(name: &str) -> &str {
    if name == "default" {
        DEFAULT_PROFILE
    } else {
        name
    }
}

/// The widest ASID an Sv39 `satp` holds (its ASID field is 16 bits).
pub const MAX_ASID_BITS: u8 = 16;

/// The largest base cost of an instruction class. A decoded block (at most 64 instructions)
/// books its static extra cycles as one 16-bit sum, which this bound keeps exact.
pub const MAX_COST: u32 = 1 << 10;

/// The largest cache a profile may model (1 GiB): the model keeps a tag word per line.
pub const MAX_CACHE_SIZE: u64 = 1 << 30;

/// The largest profile file read (1 MiB; the embedded ones are about 2 KiB).
pub const MAX_PROFILE_FILE: crate::input::Bound = crate::input::Bound {
    bytes: 1 << 20,
    why: "the profile limit",
    advice: "a profile is a short TOML file (see emu/profiles/u74.toml)",
};

/// The most entries a modeled TLB may have.
pub const MAX_TLB_ENTRIES: u32 = 1 << 16;

/// Why a profile could not be read, was invalid, or could not be changed. Every message names
/// the file or setting and the field.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The TOML is malformed, has a value of the wrong type, lacks a key or has an unknown one
    /// (the message is toml's, which shows the line).
    #[error("{origin}: {message}")]
    Parse {
        /// The file or embedded profile read.
        origin: String,
        /// What toml reported.
        message: String,
    },
    /// The profile parsed but breaks a rule, e.g. `l1d.ways = 3 is not a power of two`.
    #[error("{context}: {message}")]
    Invalid {
        /// The file, or "profile `NAME`" for a profile already in memory.
        context: String,
        /// The rule broken, naming the field by its full path.
        message: String,
    },
    /// An override or sweep setting that could not be applied; the profile is unchanged.
    #[error(
        "bad setting `{}`: {}",
        crate::input::shorten(setting),
        crate::input::shorten_quoted(message)
    )]
    BadSetting {
        /// The setting as given, e.g. `--l2 abc:1:64` or `l1d.size=3K`.
        setting: String,
        /// What is wrong with it.
        message: String,
    },
    /// A sweep or `--set` key that names no parameter.
    #[error(
        "unknown profile key `{}`; {near} (`--print-profile` shows all)",
        crate::input::shorten(key)
    )]
    UnknownKey {
        /// The key given.
        key: String,
        /// A few valid keys close to it (same table or same field), or a few examples.
        near: String,
    },
    /// `Profile::embedded` was given a name that is not embedded.
    #[error(
        "no embedded profile `{}`; the embedded profiles are: {names}",
        crate::input::shorten(name)
    )]
    UnknownEmbedded {
        /// The name given.
        name: String,
        /// The embedded names, comma-separated.
        names: String,
    },
    /// `Profile::load` was given neither an embedded name nor an existing file.
    #[error(
        "`{}` is neither an embedded profile ({names}) nor an existing profile file",
        crate::input::shorten(name)
    )]
    NotFound {
        /// The name or path given.
        name: String,
        /// The embedded names, comma-separated.
        names: String,
    },
    /// The profile file exists but could not be read: not a regular file, too large (over
    /// [`MAX_PROFILE_FILE`]), not UTF-8, or an I/O error.
    #[error(transparent)]
    Input(crate::input::InputError),
}

/// Defines a table of named `u32` cycle counts (`[cost]`, `[penalty]`), with by-name access for
/// validation and sweeps.
macro_rules! cycle_table {
    ($(#[$meta:meta])* $table:ident { $($(#[doc = $doc:literal])* $field:ident,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $table {
            $($(#[doc = $doc])* pub $field: u32,)*
        }

        impl $table {
            /// The field names, in file order.
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];

            /// Every field with its value, in file order.
            pub fn iter(&self) -> impl Iterator<Item = (&'static str, u32)> {
                [$((stringify!($field), self.$field)),*].into_iter()
            }

            /// The field called `name`, if there is one.
            pub fn field_mut(&mut self, name: &str) -> Option<&mut u32> {
                match name {
                    $(stringify!($field) => Some(&mut self.$field),)*
                    _ => None,
                }
            }
        }
    };
}

cycle_table! {
    /// Base cycles of each instruction class (`[cost]`); each at least 1. A load or store's cost
    /// is that of an L1 hit: misses add penalties.
    Costs {
        /// Integer register-register and register-immediate operations, `lui`, `auipc`.
        alu,
        /// A conditional branch that falls through.
        branch_not_taken,
        /// A conditional branch that is taken.
        branch_taken,
        /// `jal` and `jalr`.
        jump,
        /// A load that hits in L1D.
        load,
        /// A store that hits in L1D.
        store,
        /// `mul`, `mulh*`, `mulw`.
        mul,
        /// `div*`, `rem*` (a representative constant: real dividers vary with the operands).
        div,
        /// Zicsr instructions.
        csr,
        /// `fence` and `fence.i` (whose extra work is `penalty.fence_i`).
        fence,
        /// AMOs and LR/SC.
        amo,
        /// `ecall`, `ebreak`, `mret`, `sret`, `wfi`, `sfence.vma` (their extra work is a penalty).
        system,
    }
}

cycle_table! {
    /// Extra cycles of dynamic events (`[penalty]`); any may be 0.
    Penalties {
        /// An L1 miss that hits in L2.
        l2_hit,
        /// An L2 miss, an L1 miss without an L2, or an uncached (device) access.
        memory,
        /// The fixed cost of a page walk, on top of its PTE reads through L1D and L2.
        tlb_walk,
        /// An L1 TLB miss that hits in the L2 TLB.
        l2_tlb_hit,
        /// Each dirty line written back.
        writeback,
        /// Trap entry (exceptions and interrupts).
        trap,
        /// `mret` and `sret`.
        xret,
        /// A write to `satp`.
        satp_write,
        /// `sfence.vma`.
        sfence_vma,
        /// `fence.i`.
        fence_i,
    }
}

cycle_table! {
    /// The in-order dual-issue pipeline (`[pipeline]`, read with `[core] model = "pipeline"`;
    /// see `machine::pipeline`). Latencies are cycles from issue to the issue of a dependent
    /// instruction that reads the result early (an address, a multiplier or divider operand);
    /// ALU operations, branches, `jalr` and store data read late, `late_bypass` cycles sooner.
    PipelineParams {
        /// A load's result latency (LLVM SiFive7Model LoadLatency).
        load_use,
        /// How much sooner a late reader may use a result (LLVM SiFive7 ReadAdvance 2).
        late_bypass,
        /// Latency of an ALU result computed in the late ALU (an operand was not ready early).
        alu_late,
        /// `mul*` latency.
        mul,
        /// `divw`/`remw` family latency (the divider is busy that long).
        div_32,
        /// `div`/`rem` family latency.
        div_64,
        /// Latency of a CSR instruction's result.
        csr_read,
        /// Cycles lost to a mispredicted branch or jump.
        mispredict,
        /// Branch history table: 2-bit counters (a power of two).
        bht_entries,
        /// Branch target buffer entries, direct-mapped (a power of two).
        btb_entries,
        /// Return-address stack entries.
        ras_entries,
    }
}

/// Which cycle model a profile uses (`[core] model`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CoreModel {
    /// One base cost per instruction class (`[cost]`), plus penalties.
    #[default]
    Simple,
    /// The in-order dual-issue pipeline (`[pipeline]`), plus penalties.
    Pipeline,
}

/// The largest pipeline latency a profile may give (a block's static cycles stay exact).
pub const MAX_LATENCY: u32 = 255;

/// The largest branch-predictor table a profile may give.
pub const MAX_PREDICTOR_ENTRIES: u32 = 1 << 20;

/// A machine profile: everything the cycle model needs (see the module note for the file).
/// Serialized, it takes the file's layout, so reports can embed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "file::ProfileFile", into = "file::ProfileFile")]
pub struct Profile {
    /// Short name, e.g. `u74`.
    pub name: String,
    /// The name the profile had when its hash was first published (top-level `formerly`), if
    /// it was renamed since: [`Profile::hash`] is computed under that name, so reports written
    /// before the rename keep their hash (`simple` was `default` until the pipeline model
    /// became the default).
    pub formerly: Option<String>,
    /// One line saying what core it models.
    pub description: String,
    /// Timing mode; false is the functional mode (no cache or TLB models, `mcycle == minstret`).
    pub timing: bool,
    /// Core clock in Hz (`[core] clock_hz`).
    pub clock_hz: u64,
    /// `mtime` frequency in Hz (`[core] timebase_hz`); divides `clock_hz`.
    pub timebase_hz: u64,
    /// Implemented `satp.ASID` bits (`[core] asid_bits`), 0..=16; 0 = no ASIDs, so a `satp`
    /// write flushes the TLBs.
    pub asid_bits: u8,
    /// The cycle model (`[core] model`).
    pub model: CoreModel,
    /// Base cycles per instruction class. The pipeline model uses only `csr`, `fence`, `amo`
    /// and `system`: how long those instructions hold the issue stage alone.
    pub cost: Costs,
    /// Extra cycles of misses, walks, traps and fences.
    pub penalty: Penalties,
    /// The pipeline's parameters (`Some` exactly when `model` is `Pipeline`).
    pub pipeline: Option<PipelineParams>,
    /// L1 instruction cache (`None`: not modeled).
    pub l1i: Option<CacheConfig>,
    /// L1 data cache (`None`: not modeled).
    pub l1d: Option<CacheConfig>,
    /// Unified L2 cache (`None`: not modeled; L1 misses go to memory).
    pub l2: Option<CacheConfig>,
    /// Instruction TLB.
    pub itlb: TlbConfig,
    /// Data TLB.
    pub dtlb: TlbConfig,
    /// Unified L2 TLB behind both (`None`: none).
    pub l2tlb: Option<TlbConfig>,
    /// Where each parameter comes from, and the plausible range of the uncertain ones
    /// (`[sources]`; empty in a profile without the table). Not part of [`Profile::hash`].
    pub sources: sources::Sources,
}

impl Default for Profile {
    /// The default embedded profile, [`DEFAULT_PROFILE`].
    fn default() -> Profile {
        // The embedded files are checked by the tests: failing here is a broken build.
        Profile::embedded(DEFAULT_PROFILE).expect("the embedded default profile is valid")
    }
}

/// The rules of `[pipeline]`: latencies 1..=`MAX_LATENCY` (`late_bypass` and `mispredict` may
/// be 0), predictor tables powers of two up to `MAX_PREDICTOR_ENTRIES` (the RAS any size up to
/// it, 0 for none); and the `[cost]` entries the pipeline reads at most `MAX_LATENCY`. With
/// these bounds a block's static ticks fit the 16-bit sum of `threaded::Suffix`.
fn check_pipeline(p: &PipelineParams, cost: &Costs) -> Result<(), String> {
    for (field, v) in [
        ("csr", cost.csr),
        ("fence", cost.fence),
        ("system", cost.system),
    ] {
        if v > MAX_LATENCY {
            return Err(format!(
                "cost.{field} = {v} is more than {MAX_LATENCY}, the most the pipeline model allows"
            ));
        }
    }
    for (field, v) in p.iter() {
        let predictor = field.ends_with("_entries");
        let limit = if predictor {
            MAX_PREDICTOR_ENTRIES
        } else {
            MAX_LATENCY
        };
        if v > limit {
            return Err(format!("pipeline.{field} = {v} is more than {limit}"));
        }
        let may_be_zero = matches!(field, "late_bypass" | "mispredict" | "ras_entries");
        if v == 0 && !may_be_zero {
            return Err(format!("pipeline.{field} must be at least 1"));
        }
        if matches!(field, "bht_entries" | "btb_entries") && !v.is_power_of_two() {
            return Err(format!("pipeline.{field} = {v} is not a power of two"));
        }
    }
    Ok(())
}

/// How klab names bytes in listings and reports (a profile, a guest image): the first 16 hex
/// digits of their SHA-256.
pub fn short_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// toml's error about `text` as one line: the table (`ways = 3` is in five of them), the key
/// (when toml's message does not name it), toml's message, and the line number; whatever it
/// quotes from the file shortened.
fn toml_error(text: &str, e: &toml::de::Error) -> String {
    use crate::input::{shorten, shorten_quoted};
    let message = shorten_quoted(e.message().trim_end()).replace('\n', "; ");
    let Some((before, through)) = e
        .span()
        .and_then(|span| Some((text.get(..span.start)?, text.get(..span.end)?)))
    else {
        return message;
    };
    let number = before.matches('\n').count() + 1;
    let line = text[before.rfind('\n').map_or(0, |i| i + 1)..]
        .lines()
        .next()
        .unwrap_or("");
    // The table the error is in, unless toml's message names it already (an unknown table).
    let table = through
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .filter(|h| !message.contains(&*shorten(h.trim_matches(['[', ']']))))
        .map(|h| format!("in {}: ", shorten(h)))
        .unwrap_or_default();
    let key = match line.split_once('=') {
        Some((k, _)) if !k.trim().is_empty() && !message.contains(&*shorten(k.trim())) => {
            format!("`{}`: ", shorten(k.trim()))
        }
        _ => String::new(),
    };
    format!("{table}{key}{message} (line {number})")
}

impl Profile {
    /// The embedded profile `name` (one of `embedded_names()`, or `default`).
    pub fn embedded(name: &str) -> Result<Profile, ProfileError> {
        let name = resolve(name);
        match EMBEDDED.iter().find(|(n, _)| *n == name) {
            Some((n, text)) => Profile::from_toml(text, &format!("embedded profile `{n}`")),
            None => Err(ProfileError::UnknownEmbedded {
                name: name.to_string(),
                names: embedded_names().join(", "),
            }),
        }
    }

    /// Parses and validates a profile; `origin` (a path, or a description) prefixes errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Profile, ProfileError> {
        let profile: Profile = toml::from_str(text).map_err(|e| ProfileError::Parse {
            origin: origin.to_string(),
            message: toml_error(text, &e),
        })?;
        profile.check().map_err(|message| ProfileError::Invalid {
            context: origin.to_string(),
            message,
        })?;
        Ok(profile)
    }

    /// An embedded profile by name, or else the profile file at that path.
    pub fn load(name_or_path: &str) -> Result<Profile, ProfileError> {
        if embedded_names().contains(&resolve(name_or_path)) {
            return Profile::embedded(name_or_path);
        }
        match crate::input::read_text(Path::new(name_or_path), "the profile", MAX_PROFILE_FILE) {
            Ok(text) => Profile::from_toml(&text, &crate::input::shorten(name_or_path)),
            Err(e) if e.is_not_found() => Err(ProfileError::NotFound {
                name: name_or_path.to_string(),
                names: embedded_names().join(", "),
            }),
            Err(e) => Err(ProfileError::Input(e)),
        }
    }

    /// Checks every rule: cache and TLB geometry (powers of two, line >= 8, size >= ways * line,
    /// TLB ways <= entries, and the size limits), costs >= 1, a timebase that divides the clock and
    /// fits the device tree's 32-bit cell,
    /// and at most 16 ASID bits. The error names the field by its full path.
    pub fn validate(&self) -> Result<(), ProfileError> {
        self.check().map_err(|message| ProfileError::Invalid {
            context: format!("profile `{}`", self.name),
            message,
        })
    }

    /// `validate`, with the bare message.
    fn check(&self) -> Result<(), String> {
        if self.clock_hz == 0 {
            return Err("core.clock_hz must be at least 1".into());
        }
        if self.timebase_hz == 0 {
            return Err("core.timebase_hz must be at least 1".into());
        }
        if self.timebase_hz > u64::from(u32::MAX) {
            return Err(format!(
                "core.timebase_hz = {} is more than {} (the device tree's timebase-frequency is \
                 one 32-bit cell)",
                self.timebase_hz,
                u32::MAX
            ));
        }
        if !self.clock_hz.is_multiple_of(self.timebase_hz) {
            return Err(format!(
                "core.timebase_hz = {} does not divide core.clock_hz = {}: mtime must advance \
                 every whole number of cycles",
                self.timebase_hz, self.clock_hz
            ));
        }
        if self.asid_bits > MAX_ASID_BITS {
            return Err(format!(
                "core.asid_bits = {} is more than {MAX_ASID_BITS} (the width of satp.ASID)",
                self.asid_bits
            ));
        }
        for (field, cycles) in self.cost.iter() {
            if cycles == 0 {
                return Err(format!("cost.{field} must be at least 1"));
            }
            if cycles > MAX_COST {
                return Err(format!(
                    "cost.{field} = {cycles} is more than {MAX_COST}, the most one instruction \
                     may cost"
                ));
            }
        }
        match (self.model, &self.pipeline) {
            (CoreModel::Simple, None) => {}
            (CoreModel::Simple, Some(_)) => {
                return Err("[pipeline] is read only with core.model = \"pipeline\"".into());
            }
            (CoreModel::Pipeline, None) => {
                return Err("core.model = \"pipeline\" needs a [pipeline] table".into());
            }
            (CoreModel::Pipeline, Some(p)) => check_pipeline(p, &self.cost)?,
        }
        for level in CacheLevel::ALL {
            if let Some(c) = self.cache(level) {
                let name = level.name();
                c.validate().map_err(|e| format!("{name}.{e}"))?;
                if c.size > MAX_CACHE_SIZE {
                    return Err(format!(
                        "{name}.size = {} is more than the {} the model allows",
                        c.size,
                        file::format_size(MAX_CACHE_SIZE)
                    ));
                }
            }
        }
        for level in TlbLevel::ALL {
            if let Some(t) = self.tlb(level) {
                let name = level.name();
                t.validate().map_err(|e| format!("{name}.{e}"))?;
                if t.entries > MAX_TLB_ENTRIES {
                    return Err(format!(
                        "{name}.entries = {} is more than {MAX_TLB_ENTRIES}",
                        t.entries
                    ));
                }
            }
        }
        sources::check(&self.sources)
    }

    /// The effective profile as a complete TOML file: `from_toml(&p.to_toml(), ..) == p`.
    pub fn to_toml(&self) -> String {
        // Serializing plain integers, strings and tables into TOML cannot fail.
        toml::to_string(&file::ProfileFile::from(self.clone()))
            .expect("a profile serializes to TOML")
    }

    /// The profile's identity in reports: the [`short_hash`] of `to_toml()` without the
    /// `[sources]` table. It depends only on the effective parameters, so it is the same on every
    /// run and host, and the same as before the profile cited its sources.
    pub fn hash(&self) -> String {
        short_hash(self.parameters_toml().as_bytes())
    }

    /// `to_toml()` without the `[sources]` table: only what changes results (what [`hash`]
    /// covers, and what a comparison of two profiles lists).
    ///
    /// [`hash`]: Profile::hash
    /// A renamed profile is written under its former name, without the `formerly` key.
    pub fn parameters_toml(&self) -> String {
        Profile {
            name: self.formerly.clone().unwrap_or_else(|| self.name.clone()),
            formerly: None,
            sources: sources::Sources::new(),
            ..self.clone()
        }
        .to_toml()
    }

    /// Cycles per `mtime` tick: `clock_hz / timebase_hz` (exact in a valid profile).
    pub fn cycles_per_tick(&self) -> u64 {
        (self.clock_hz / self.timebase_hz.max(1)).max(1)
    }

    /// The configuration of cache `level` (`None`: not modeled).
    pub fn cache(&self, level: CacheLevel) -> Option<&CacheConfig> {
        match level {
            CacheLevel::L1i => self.l1i.as_ref(),
            CacheLevel::L1d => self.l1d.as_ref(),
            CacheLevel::L2 => self.l2.as_ref(),
        }
    }

    /// The configuration of TLB `level` (`None`: an absent L2 TLB).
    pub fn tlb(&self, level: TlbLevel) -> Option<&TlbConfig> {
        match level {
            TlbLevel::Itlb => Some(&self.itlb),
            TlbLevel::Dtlb => Some(&self.dtlb),
            TlbLevel::L2tlb => self.l2tlb.as_ref(),
        }
    }
}
