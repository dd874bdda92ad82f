//! What a benchmark run produces, as `report.json` stores it (schema [`SCHEMA`]).
//!
//! A [`Report`] holds [`BenchResult`]s: one benchmark on one kernel with one machine profile (and,
//! for `klab sweep`, one grid point). Counters are region totals — everything that happened
//! between the benchmark's begin and end markers, in every mode and address space — kept as
//! integers so reruns compare bit for bit; per-operation figures are derived ([`Counters::per_op`]).
//! `parts` splits the totals by where they were spent: `user` (the benchmark's own processes),
//! `kernel` (S and M mode), and each server by name (`proc`, `fs`, `mem`, `console` on micro).

use std::collections::BTreeMap;

use emu::timeline::Timeline;
use serde::{Deserialize, Serialize};

pub use super::bands::Comparison;
use super::floor::Floor;

/// The schema version written in `report.json`; readers refuse other versions.
pub const SCHEMA: u32 = 1;

/// A whole report: what `klab bench`, `klab sweep` and `klab report` write.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Report {
    /// [`SCHEMA`].
    pub schema: u32,
    /// The klab that ran the benchmarks.
    pub klab: Build,
    /// Every machine profile a result refers to, by hash.
    pub profiles: Vec<ProfileRecord>,
    /// Hashes (`emu::profile::short_hash`) of the images embedded in the klab that ran:
    /// `mono`, `micro`, `initrd` (what each kernel actually ran with is [`Report::kernels`]).
    pub images: BTreeMap<String, String>,
    /// Kernel name → the images it ran with (absent in reports written before klab recorded
    /// them; `images` then says what ran).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub kernels: BTreeMap<String, KernelImages>,
    /// The sweep's parameters in grid order (empty for `klab bench`).
    pub sweep: Vec<String>,
    /// The results, in catalogue order, then by grid point, then kernel.
    pub results: Vec<BenchResult>,
    /// The micro/mono ratio of every benchmark × profile × point with both kernels, with its
    /// band over the profile's estimated ranges (`bands::comparisons`; absent in reports
    /// written before klab computed it).
    #[serde(default)]
    pub comparisons: Vec<Comparison>,
}

/// Which klab produced a report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Build {
    /// The crate version.
    pub version: String,
    /// `git describe --always --dirty` of the source tree at build time (`unknown` outside git).
    pub commit: String,
}

/// The images one kernel name ran with.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct KernelImages {
    /// `short_hash` of the kernel ELF.
    pub kernel: String,
    /// `short_hash` of the initrd it was given.
    pub initrd: String,
    /// Where the kernel came from: `embedded`, or the path given with `--kernel NAME=ELF`.
    pub source: String,
    /// Where the initrd came from: `embedded`, or the path given with `--initrd`.
    pub initrd_source: String,
}

/// A machine profile, as the runs used it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ProfileRecord {
    /// Its name (`default`, `tiny`, a file's name).
    pub name: String,
    /// `Profile::hash`.
    pub hash: String,
    /// The effective profile, as TOML.
    pub toml: String,
}

/// One benchmark on one kernel with one profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BenchResult {
    /// The catalogue name (`getpid`, `ring-16-16k`, …).
    pub bench: String,
    /// Its family (`ladder`, `syscall`, `file`, `pipe`, `switch`, `process`, `memory`, `ipc`,
    /// `macro`, `io`, `zero-copy`).
    pub family: String,
    /// One line saying what it measures.
    pub title: String,
    /// What one operation is (`call`, `round trip`, `pass`, …).
    pub unit: String,
    /// The kernel's name: `mono`, `micro`, or one given with `--kernel NAME=ELF`.
    pub kernel: String,
    /// The profile's hash (see [`Report::profiles`]).
    pub profile: String,
    /// The sweep point: parameter → value (empty for `klab bench`); numbers are JSON numbers.
    #[serde(with = "super::point::json")]
    #[schemars(with = "BTreeMap<String, super::point::JsonValue>")]
    pub point: BTreeMap<String, String>,
    /// The program's command line (`bench getpid 10000`).
    pub command: String,
    /// Operations inside the region, as the program reported them.
    pub ops: u64,
    /// Set when the kernel runs a stand-in (e.g. `pipe round trip: mono has no IPC`).
    pub note: Option<String>,
    /// `short_hash` of the benchmark program's bytes in the initrd the kernel was given.
    pub program_hash: String,
    /// The program's own `rdcycle`/`rdinstret` totals over the loop.
    pub guest: GuestFigures,
    /// Region totals.
    pub total: Counters,
    /// Region totals by place (`user`, `kernel`, server names), in that order; they add up to
    /// `total`.
    pub parts: Vec<Part>,
    /// What the profile charges for the unavoidable part of one operation (absent in reports
    /// written before klab computed it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<Floor>,
    /// The timeline of one operation, from a separate short run with `bench --mark-ops` (the
    /// cost ladder's benchmarks in `klab bench`; absent elsewhere).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Timeline>,
    /// How many times the region charged each linear parameter (`penalty.tlb_walk` → page
    /// walks, …; `emu::profile::linear::LINEAR`), from which the bands are computed (absent in
    /// reports written before klab counted them).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub charges: BTreeMap<String, u64>,
    /// Where the region's cycles went by function: the symbols with the most samples
    /// (`super::stacks`; absent in reports written before klab sampled).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub symbols: Vec<SymbolShare>,
    /// The region's call stacks, folded (`SPACE;outer;…;inner SAMPLES` lines, sorted), for its
    /// flame graph: the cost ladder's benchmarks in `klab bench`; absent elsewhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stacks: Vec<String>,
}

/// The samples of the measured region that landed in one function (its own time, not its
/// callees'), from call stacks sampled every `super::stacks::SAMPLE_PERIOD` cycles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SymbolShare {
    /// The function (`?` where no symbol table is the code's).
    pub symbol: String,
    /// Where it ran: `kernel` (S and M modes), or the address space's name (the program's,
    /// a server's).
    pub space: String,
    /// Samples that landed in it.
    pub samples: u64,
    /// Cycles: samples × the period.
    pub cycles: u64,
    /// Instructions retired in the sample periods that ended in it.
    pub instructions: u64,
}

/// What the benchmark program measured itself.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct GuestFigures {
    /// Cycles (`rdcycle` after − before).
    pub cycles: u64,
    /// Instructions (`rdinstret` after − before).
    pub instructions: u64,
}

/// The totals spent in one place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Part {
    /// `user`, `kernel`, or a server's name.
    pub place: String,
    /// Its totals.
    pub counters: Counters,
}

/// Event totals over a region (or a part of it).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Counters {
    /// Cycles.
    pub cycles: u64,
    /// Instructions retired.
    pub instructions: u64,
    /// Traps taken (exceptions + interrupts).
    pub traps: u64,
    /// Context switches: the kernel resumed a different thread than the one it last resumed.
    pub context_switches: u64,
    /// `satp` writes.
    pub satp_writes: u64,
    /// TLB misses (instruction + data L1 TLBs).
    pub tlb_misses: u64,
    /// L1 instruction cache misses.
    pub l1i_misses: u64,
    /// L1 data cache misses.
    pub l1d_misses: u64,
    /// L2 cache misses.
    pub l2_misses: u64,
    /// Bytes read by loads, LR and AMOs (`emu::stats::Event::BytesLoaded`; absent in reports
    /// written before klab counted them). Not in [`METRICS`]: the zero-copy question and the
    /// CSV columns show it.
    #[serde(default)]
    pub bytes_loaded: u64,
    /// Bytes written by stores, successful SCs and AMOs (`emu::stats::Event::BytesStored`;
    /// absent in reports written before klab counted them).
    #[serde(default)]
    pub bytes_stored: u64,
}

/// The metrics, in table and chart order: (JSON field, label, family).
pub const METRICS: [(&str, &str, &str); 9] = [
    ("cycles", "cycles", "time"),
    ("instructions", "instructions", "work"),
    ("traps", "traps", "crossings"),
    ("context_switches", "context switches", "crossings"),
    ("satp_writes", "satp writes", "crossings"),
    ("tlb_misses", "TLB misses", "TLB"),
    ("l1i_misses", "L1I misses", "caches"),
    ("l1d_misses", "L1D misses", "caches"),
    ("l2_misses", "L2 misses", "caches"),
];

impl Counters {
    /// The values in [`METRICS`] order.
    pub fn values(&self) -> [u64; 9] {
        [
            self.cycles,
            self.instructions,
            self.traps,
            self.context_switches,
            self.satp_writes,
            self.tlb_misses,
            self.l1i_misses,
            self.l1d_misses,
            self.l2_misses,
        ]
    }

    /// The values divided by `ops` (0 ops gives zeros).
    pub fn per_op(&self, ops: u64) -> [f64; 9] {
        let d = ops.max(1) as f64;
        self.values()
            .map(|v| if ops == 0 { 0.0 } else { v as f64 / d })
    }

    /// Adds `other` field by field.
    pub fn add(&mut self, other: &Counters) {
        self.cycles += other.cycles;
        self.instructions += other.instructions;
        self.traps += other.traps;
        self.context_switches += other.context_switches;
        self.satp_writes += other.satp_writes;
        self.tlb_misses += other.tlb_misses;
        self.l1i_misses += other.l1i_misses;
        self.l1d_misses += other.l1d_misses;
        self.l2_misses += other.l2_misses;
        self.bytes_loaded += other.bytes_loaded;
        self.bytes_stored += other.bytes_stored;
    }
}

impl BenchResult {
    /// Cycles per operation.
    pub fn cycles_per_op(&self) -> f64 {
        self.total.per_op(self.ops)[0]
    }
}

impl Report {
    /// What each kernel name in the results ran with: [`Report::kernels`], or for a report
    /// written before klab recorded it, the embedded images of [`Report::images`] (no entry for a
    /// name without one).
    pub fn kernel_images(&self) -> BTreeMap<String, KernelImages> {
        if !self.kernels.is_empty() {
            return self.kernels.clone();
        }
        let mut out = BTreeMap::new();
        for r in &self.results {
            if let Some(kernel) = self.images.get(&r.kernel) {
                out.insert(
                    r.kernel.clone(),
                    KernelImages {
                        kernel: kernel.clone(),
                        initrd: self.images.get("initrd").cloned().unwrap_or_default(),
                        source: "embedded".to_string(),
                        initrd_source: "embedded".to_string(),
                    },
                );
            }
        }
        out
    }

    /// The result of `bench` on `kernel` at `point` with profile `profile`, if there is one.
    pub fn find(
        &self,
        bench: &str,
        kernel: &str,
        profile: &str,
        point: &BTreeMap<String, String>,
    ) -> Option<&BenchResult> {
        self.results.iter().find(|r| {
            r.bench == bench && r.kernel == kernel && r.profile == profile && &r.point == point
        })
    }
}
