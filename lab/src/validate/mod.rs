//! `klab validate`: the validation page. Runs the bare-metal guest `validate` (tests/guests/mem)
//! under a profile — dependent loads at L1, L2 and memory, multiply and divide chains, dependent
//! and independent ALU sequences, taken and not-taken branches, an unpredictable branch against a
//! predictable one — and writes `docs/model.md`: each figure klab gives next to the published
//! one, with its source, and the profile's own parameters that produce it (`page`).
//!
//! Every figure is exact for a profile and a guest image (the counts are), so the page is a pure
//! function of them: the test regenerates it and compares it with the committed one.

mod page;

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use emu::input::{self, Bound};
use emu::profile::Profile;
use emu::{Config, ElfImage, Exit, Machine, Output};

use crate::run::ProfileArgs;

pub use page::render;

/// `klab validate` options.
#[derive(Args, Clone, Debug)]
pub struct ValidateArgs {
    #[command(flatten)]
    profile: ProfileArgs,
    /// The `validate` guest (built by `make guests`).
    #[arg(long, value_name = "ELF", default_value_os_t = default_guest())]
    guest: PathBuf,
    /// Where to write the page (`-`: stdout).
    #[arg(long, value_name = "FILE", default_value = "docs/model.md")]
    out: PathBuf,
}

/// The guest `make guests` builds, in this source tree.
pub fn default_guest() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/guests/target/riscv64imac-unknown-none-elf/release/validate")
}

/// One probe's counts, as the guest printed them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Probe {
    /// Its name (`load_l1`, `mul`, …).
    pub name: String,
    /// Operations measured.
    pub ops: u64,
    /// Cycles and instructions over them.
    pub cycles: u64,
    /// Instructions retired over them.
    pub instructions: u64,
    /// L1D and L2 misses and write-backs over them.
    pub l1d_misses: u64,
    /// L2 misses.
    pub l2_misses: u64,
    /// L1D write-backs.
    pub l1d_writebacks: u64,
    /// L2 write-backs.
    pub l2_writebacks: u64,
    /// Conditional branches among the operations that were taken.
    pub taken: u64,
    /// Loop trips (each an `addi` and a taken `bnez` beyond the operations).
    pub iterations: u64,
}

impl Probe {
    /// Cycles per operation.
    pub fn per_op(&self) -> f64 {
        self.cycles as f64 / self.ops.max(1) as f64
    }
}

/// A run of the guest: its working sets and its probes.
#[derive(Clone, Debug)]
pub struct Measurement {
    /// Bytes of the L1, L2 and memory pointer chases.
    pub levels: [u64; 3],
    /// The probes, in the guest's order.
    pub probes: Vec<Probe>,
    /// The guest image's short hash (not on the page: it depends on the checkout's path, through
    /// Cargo's symbol hashes).
    pub guest_hash: String,
}

impl Measurement {
    /// The probe called `name`.
    pub fn probe(&self, name: &str) -> Option<&Probe> {
        self.probes.iter().find(|p| p.name == name)
    }
}

/// Working sets sized to the profile: half the L1D; a quarter of the L2 (at least 4× the L1D);
/// 8× the L2 (at least 16 MiB, at most 48 MiB, what the guest's free memory holds).
pub fn levels(p: &Profile) -> [u64; 3] {
    let l1d = p.l1d.as_ref().map_or(32 << 10, |c| c.size);
    let l2 = p.l2.as_ref().map_or(4 * l1d, |c| c.size);
    [
        l1d / 2,
        (l2 / 4).max(4 * l1d),
        (8 * l2).clamp(16 << 20, 48 << 20),
    ]
}

/// The guest's instruction limit: far above what it needs (about 10 million).
const MAX_INSNS: u64 = 200_000_000;
/// The largest guest image read.
const MAX_GUEST: Bound = Bound {
    bytes: 16 << 20,
    why: "the validate guest's limit",
    advice: "give the guest `make guests` builds",
};

/// Runs the guest at `guest` under `profile` and parses what it prints.
pub fn measure(profile: &Profile, guest: &Path) -> anyhow::Result<Measurement> {
    let bytes = input::read_file(guest, "the validate guest", MAX_GUEST)
        .context("build it with `make guests`")?;
    let image = ElfImage::parse(&bytes).context("cannot load the validate guest")?;
    let levels = levels(profile);
    let (output, buf) = Output::capture();
    let config = Config {
        bootargs: Some(format!(
            "l1={} l2={} mem={} ops=65536",
            levels[0], levels[1], levels[2]
        )),
        output,
        profile: profile.clone(),
        ..Config::default()
    };
    let mut m = Machine::new(config, &image)?;
    let exit = m.run(Some(MAX_INSNS));
    let text = String::from_utf8_lossy(&buf.lock().expect("console buffer")).into_owned();
    if exit != Exit::Status(0) {
        anyhow::bail!(
            "the validate guest ended with {exit:?}: {}",
            text.lines().last().unwrap_or("")
        );
    }
    Ok(Measurement {
        levels,
        probes: parse(&text)?,
        guest_hash: emu::profile::short_hash(&bytes),
    })
}

/// The `probe …` lines of the guest's output.
pub fn parse(text: &str) -> anyhow::Result<Vec<Probe>> {
    let mut probes = Vec::new();
    for line in text.lines().filter(|l| l.starts_with("probe ")) {
        let mut p = Probe::default();
        for word in line.split_whitespace().skip(1) {
            let (k, v) = word
                .split_once('=')
                .with_context(|| format!("not key=value: {word}"))?;
            if k == "name" {
                p.name = v.to_string();
                continue;
            }
            let n: u64 = v.parse().with_context(|| format!("not a count: {word}"))?;
            match k {
                "ops" => p.ops = n,
                "cycles" => p.cycles = n,
                "instructions" => p.instructions = n,
                "l1d_misses" => p.l1d_misses = n,
                "l2_misses" => p.l2_misses = n,
                "l1d_writebacks" => p.l1d_writebacks = n,
                "l2_writebacks" => p.l2_writebacks = n,
                "taken" => p.taken = n,
                "iterations" => p.iterations = n,
                _ => anyhow::bail!("unknown field {k}"),
            }
        }
        probes.push(p);
    }
    if !text.contains("validate: done") {
        anyhow::bail!("the validate guest did not finish");
    }
    Ok(probes)
}

/// `klab validate`: measure, render, write.
pub fn validate(args: ValidateArgs) -> anyhow::Result<i32> {
    let profile = args.profile.profile()?;
    if !profile.timing {
        anyhow::bail!("the validation page needs the timing model: drop --timing off");
    }
    let m = measure(&profile, &args.guest)?;
    let text = render(&profile, &m);
    if args.out.as_os_str() == "-" {
        print!("{text}");
    } else {
        std::fs::write(&args.out, text)
            .with_context(|| format!("cannot write {}", args.out.display()))?;
        eprintln!("klab: wrote {}", args.out.display());
    }
    Ok(0)
}
