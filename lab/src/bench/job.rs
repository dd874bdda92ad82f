//! One benchmark run: boot a kernel with `bench CASE N ARGS…` as its first program, in-process,
//! console captured; read the program's result line and the emulator's statistics of region 1,
//! split by where the time went, with its sampled call stacks.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context;
use emu::profile::Profile;
use emu::report::{Bucket, RunReport};
use emu::{Config, ElfImage, Exit, Input, Machine, Output};

use emu::timeline::Timeline;

use super::catalog::{Bench, LADDER};
use super::floor::Floor;
use super::model::{BenchResult, Counters, GuestFigures, KernelImages, Part};

/// The region every benchmark measures in (`bench`'s harness).
pub const REGION: u64 = 1;
/// A run still going after this many instructions is reported as hung.
pub const MAX_INSNS: u64 = 20_000_000_000;

/// What a job needs besides its benchmark: the guest images and the machine.
pub struct Guests<'a> {
    /// Kernel name → ELF bytes (embedded, or read from a `--kernel` file).
    pub kernels: BTreeMap<String, Cow<'a, [u8]>>,
    /// The initrd every kernel gets.
    pub initrd: Cow<'a, [u8]>,
    /// Kernel name → the hashes and sources of its images, for the report.
    pub records: BTreeMap<String, KernelImages>,
    /// Names of the programs in the initrd's `/bin` (their address spaces count as `user`).
    pub programs: BTreeSet<String>,
    /// `short_hash` of `/bin/bench` in the initrd.
    pub program_hash: String,
    /// Kernel name → the symbol tables of its runs (`crate::symbols::tables`).
    pub symbols: BTreeMap<String, Vec<std::sync::Arc<emu::symbols::SymbolTable>>>,
}

/// One run to do.
#[derive(Clone, Debug)]
pub struct Job {
    /// The benchmark.
    pub bench: &'static Bench,
    /// The kernel.
    pub kernel: String,
    /// The machine profile.
    pub profile: Profile,
    /// The sweep point (empty for `klab bench`).
    pub point: BTreeMap<String, String>,
    /// Operations to ask for.
    pub n: u64,
    /// Keep the region's folded stacks in the result even off the cost ladder (`--folded`).
    pub stacks: bool,
}

impl Job {
    /// `KERNEL NAME` plus the point, for messages.
    pub fn label(&self) -> String {
        let mut s = format!("{} {}", self.kernel, self.bench.name);
        for (k, v) in &self.point {
            s.push_str(&format!(" {k}={v}"));
        }
        s
    }

    /// Boots the kernel with `command` as its first program (recording the timeline of
    /// operation `timeline`, if given) and runs it to a clean exit; the machine and the console
    /// text, or an error with the console's last lines.
    fn boot(
        &self,
        guests: &Guests,
        command: &str,
        timeline: Option<u64>,
    ) -> anyhow::Result<(Machine, String)> {
        let elf = guests
            .kernels
            .get(&self.kernel)
            .with_context(|| format!("no kernel `{}`", self.kernel))?;
        let image = ElfImage::parse(elf).context("cannot load the kernel")?;
        let (output, console) = Output::capture();
        let config = Config {
            ram_size: 128 << 20,
            initrd: Some(guests.initrd.to_vec()),
            bootargs: Some(command.to_string()),
            input: Input::None,
            output,
            profile: self.profile.clone(),
            // The measured run samples its call stacks; the timeline's run does not need to.
            sample_period: timeline.is_none().then_some(super::stacks::SAMPLE_PERIOD),
            symbols: guests
                .symbols
                .get(&self.kernel)
                .cloned()
                .unwrap_or_default(),
            ..Config::default()
        };
        let mut machine = Machine::new(config, &image).context("cannot boot")?;
        if let Some(op) = timeline {
            machine.record_timeline(op);
        }
        let exit = machine.run(Some(MAX_INSNS));
        let text = {
            let bytes = console.lock().map(|b| b.clone()).unwrap_or_default();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        let why = match exit {
            Exit::Status(0) => return Ok((machine, text)),
            Exit::Status(s) => format!("exited with status {s}"),
            Exit::InstructionLimit => format!("still ran after {MAX_INSNS} instructions"),
            other => format!("stopped: {other:?}"),
        };
        Err(console_error(command, &text, &why))
    }

    /// The timeline of one operation of this benchmark: a separate run of the `--quick` size
    /// with `bench --mark-ops`, operation [`timeline_op`] of it (the measured run is untouched).
    pub fn timeline(&self, guests: &Guests) -> anyhow::Result<Timeline> {
        let command = crate::timeline::mark_ops(&self.bench.command(self.bench.quick)).join(" ");
        let op = timeline_op(self.bench.quick);
        let (machine, _) = self.boot(guests, &command, Some(op))?;
        crate::timeline::take(&machine, op)
    }

    /// Runs the job; an error says what went wrong, with the console's last lines.
    pub fn run(&self, guests: &Guests) -> anyhow::Result<BenchResult> {
        let command = self.bench.command(self.n).join(" ");
        let (mut machine, text) = self.boot(guests, &command, None)?;
        let fail = |why: String| console_error(&command, &text, &why);
        let line = parse_result(&text, self.bench.case)
            .ok_or_else(|| fail("printed no result line".into()))?;
        let report = RunReport::of(&mut machine);
        let parts = parts(&report.regions, &guests.programs);
        if parts.is_empty() {
            return Err(fail("left no statistics in region 1".into()));
        }
        let mut total = Counters::default();
        for p in &parts {
            total.add(&p.counters);
        }
        // The same buckets as `parts`: those of the measured region.
        let mut region = emu::stats::Counts::default();
        for b in report.regions.iter().filter(|b| b.region == REGION) {
            region.add(&b.counts);
        }
        // A timeline failure (a case that marks no operations) leaves the result without one.
        let ladder = self.point.is_empty() && LADDER.contains(&self.bench.name);
        let timeline = ladder.then(|| self.timeline(guests).ok()).flatten();
        Ok(BenchResult {
            bench: self.bench.name.to_string(),
            family: self.bench.family.to_string(),
            title: self.bench.title.to_string(),
            unit: self.bench.unit.to_string(),
            kernel: self.kernel.clone(),
            profile: report.profile.hash,
            point: self.point.clone(),
            command,
            ops: line.ops,
            note: line.note,
            program_hash: guests.program_hash.clone(),
            guest: line.guest,
            floor: Some(Floor::of(&self.profile, &total, line.ops)),
            timeline,
            total,
            parts,
            charges: super::bands::charges(&region),
            symbols: super::stacks::symbols(&machine),
            stacks: if ladder || self.stacks {
                super::stacks::folded(&machine)
            } else {
                Vec::new()
            },
        })
    }
}

/// The operation whose timeline `klab bench` shows, in a run of `quick` operations: a quarter of
/// the way in (steady state, and within the run for cases whose measured loop turns once per
/// two operations).
pub fn timeline_op(quick: u64) -> u64 {
    (quick / 4).max(1)
}

/// A run's failure: the command, why, and the console's last lines.
fn console_error(command: &str, text: &str, why: &str) -> anyhow::Error {
    let tail: Vec<&str> = text.lines().rev().take(6).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    anyhow::anyhow!("`{command}` {why}; console:\n    {}", tail.join("\n    "))
}

/// The program's result line: `bench CASE: ops=N cycles=C instructions=I[ note=TEXT]`.
#[derive(Debug, PartialEq)]
pub struct ResultLine {
    /// Operations measured.
    pub ops: u64,
    /// Its own counter readings.
    pub guest: GuestFigures,
    /// The note, if any.
    pub note: Option<String>,
}

/// Finds and parses the result line of `case` in the console text (the last one wins).
pub fn parse_result(text: &str, case: &str) -> Option<ResultLine> {
    let prefix = format!("bench {case}: ");
    let line = text.lines().rev().find_map(|l| l.strip_prefix(&prefix))?;
    let (fields, note) = match line.split_once(" note=") {
        Some((f, n)) => (f, Some(n.trim().to_string())),
        None => (line, None),
    };
    let mut map = BTreeMap::new();
    for kv in fields.split_whitespace() {
        let (k, v) = kv.split_once('=')?;
        map.insert(k, v.parse::<u64>().ok()?);
    }
    Some(ResultLine {
        ops: *map.get("ops")?,
        guest: GuestFigures {
            cycles: *map.get("cycles")?,
            instructions: *map.get("instructions")?,
        },
        note,
    })
}

/// The counters of one emulator bucket.
pub fn counters(b: &Bucket) -> Counters {
    let c = &b.counts;
    use emu::stats::Event as E;
    Counters {
        cycles: c.cycles,
        instructions: c.instructions,
        traps: c.get(E::Exception) + c.get(E::Interrupt),
        context_switches: c.get(E::ContextSwitch),
        satp_writes: c.get(E::SatpWrite),
        tlb_misses: c.get(E::ItlbMiss) + c.get(E::DtlbMiss),
        l1i_misses: c.get(E::L1iMiss),
        l1d_misses: c.get(E::L1dMiss),
        l2_misses: c.get(E::L2Miss),
        bytes_loaded: c.get(E::BytesLoaded),
        bytes_stored: c.get(E::BytesStored),
    }
}

/// Region [`REGION`]'s buckets by place: `user` (U-mode in a program's or an unnamed address
/// space), `kernel` (S and M modes), then every other named U-mode space (the servers), by name.
pub fn parts(regions: &[Bucket], programs: &BTreeSet<String>) -> Vec<Part> {
    let mut user = None::<Counters>;
    let mut kernel = None::<Counters>;
    let mut servers: BTreeMap<String, Counters> = BTreeMap::new();
    for b in regions.iter().filter(|b| b.region == REGION) {
        let slot = match (b.mode.as_str(), &b.space_name) {
            ("U", Some(name)) if !programs.contains(name) => {
                servers.entry(name.clone()).or_default()
            }
            ("U", _) => user.get_or_insert_default(),
            _ => kernel.get_or_insert_default(),
        };
        slot.add(&counters(b));
    }
    let mut out = Vec::new();
    for (place, c) in [("user", user), ("kernel", kernel)] {
        if let Some(counters) = c {
            out.push(Part {
                place: place.to_string(),
                counters,
            });
        }
    }
    out.extend(
        servers
            .into_iter()
            .map(|(place, counters)| Part { place, counters }),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_lines_parse_with_and_without_note() {
        let t =
            "boot\nbench ipc: ops=10 cycles=2000 instructions=1500 note=pipe round trip: no IPC\n";
        let r = parse_result(t, "ipc").unwrap();
        assert_eq!(r.ops, 10);
        assert_eq!(r.guest.cycles, 2000);
        assert_eq!(r.guest.instructions, 1500);
        assert_eq!(r.note.as_deref(), Some("pipe round trip: no IPC"));
        let r = parse_result("bench getpid: ops=5 cycles=9 instructions=7\n", "getpid").unwrap();
        assert_eq!(r.note, None);
        assert!(parse_result("bench getpid: ops=5 cycles=x instructions=7", "getpid").is_none());
        assert!(parse_result("bench getpid: ops=5 cycles=9", "getpid").is_none());
        assert!(parse_result("bench fstat: ops=5 cycles=9 instructions=7", "getpid").is_none());
    }
}
