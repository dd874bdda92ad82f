//! `klab run`: boot an ELF with the console on the terminal and report how it ended.
//!
//! Exit status: the guest's own status when it exits through the test finisher or HTIF (a
//! status above 255 is reported and mapped to 255, so it never reads as success); otherwise
//! one of the `STATUS_*` codes below, each with a one-line message on stderr.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use emu::input::{self, Bound};
use emu::profile::Profile;
use emu::symbols::SymbolTable;
use emu::{Config, DebugStop, ElfImage, Exit, Machine, Output};

use crate::cli::BadInput;
use crate::export::Sink;
use crate::gdb;
use crate::images;
use crate::size::parse_size;
use crate::terminal::RawTerminal;
use crate::trace;

/// klab itself failed (bad arguments, unreadable or malformed files).
pub const STATUS_KLAB_ERROR: i32 = 1;
/// `--max-insns` stopped a guest that was still running.
pub const STATUS_INSTRUCTION_LIMIT: i32 = 124;
/// The guest waits for an interrupt that can never come.
pub const STATUS_STUCK: i32 = 125;
/// The guest asked the test finisher for a reset, which klab does not model.
pub const STATUS_RESET: i32 = 126;
/// GDB killed the run (`kill`): 128 + SIGKILL, as for a killed process.
pub const STATUS_KILLED: i32 = 137;

/// The largest `--symbols` ELF read: symbols are host-side only, but a program's ELF with its
/// debug information is a few MiB.
const MAX_SYMBOLS_FILE: Bound = Bound {
    bytes: 256 << 20,
    why: "the symbols-file limit",
    advice: "give the program's own ELF",
};

/// The region `--folded` writes: the one the benchmarks measure in.
const FOLDED_REGION: u64 = 1;

/// The bound of a file loaded into guest RAM (the kernel ELF, the initrd): the RAM size.
fn ram_bound(ram: u64) -> Bound {
    Bound {
        bytes: ram,
        why: "the guest RAM (--mem)",
        advice: "give the right file, or a larger --mem",
    }
}

/// Arguments of `klab run`.
#[derive(Args)]
pub struct RunArgs {
    /// The kernel to boot: `mono` or `micro` (embedded, with the embedded initrd), or the path
    /// of any RV64 ELF, loaded at its physical addresses and entered in M-mode with a0 = hartid
    /// and a1 = the device tree.
    #[arg(value_name = "KERNEL|ELF")]
    elf: String,
    /// The first program and its arguments (the kernel command line, /chosen/bootargs): for
    /// mono and micro, e.g. `usertests` or `echo hi`; with none they boot /bin/init (the shell).
    #[arg(
        value_name = "PROGRAM",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    program: Vec<String>,
    /// A file to load as the initrd (described in /chosen of the device tree); for mono and
    /// micro it replaces the embedded one.
    #[arg(long, value_name = "FILE")]
    initrd: Option<PathBuf>,
    /// RAM size (e.g. 128M, 1G).
    #[arg(long, value_name = "SIZE", default_value = "128M", value_parser = parse_size)]
    mem: u64,
    /// The kernel command line (/chosen/bootargs), like QEMU's -append.
    #[arg(long, value_name = "STRING")]
    append: Option<String>,
    /// micro only: crash server SERVER (proc, fs, mem, console) at the first timer tick after N
    /// retired instructions (repeatable; the kernel's `inject=` boot arguments).
    #[arg(long, value_name = "SERVER@N", value_parser = crate::inject::parse)]
    inject: Vec<crate::inject::Injection>,
    /// Stop after this many instructions executed, retired or trapped (exit status 124).
    #[arg(long, value_name = "N")]
    max_insns: Option<u64>,
    /// Print retired instructions, cycles, host time and MIPS to stderr at exit, and the blocks
    /// the translator translated.
    #[arg(long)]
    stats: bool,
    /// The block translator (Cranelift, host code for hot blocks): on by default where
    /// Cranelift supports the host, or off (the interpreter alone, as `KLAB_JIT=0` does). Every
    /// count, cycle and statistic is the same either way, in both modes.
    #[arg(long, value_name = "on|off", value_parser = on_off)]
    jit: Option<bool>,
    /// Write perf's map of the translator's host code (`/tmp/perf-PID.map`), so that
    /// `perf record` / `perf report` on klab name each translated block by its guest pc
    /// (a profiling aid for klab itself; nothing the guest sees changes).
    #[arg(long)]
    perf_map: bool,
    /// Write the run's statistics (by mode, address space, region; events; snapshots; cycles
    /// per symbol) as JSON to FILE (`-`: stdout, after the guest's console output).
    #[arg(long, value_name = "FILE")]
    stats_json: Option<PathBuf>,
    /// With --stats-json or --folded: sample the call stack every N cycles of guest time, for
    /// cycles per symbol and folded stacks (0: no sampling).
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    sample_period: u64,
    /// Write the call stacks sampled in region 1 (the benchmarks' measured region) as folded
    /// stacks to FILE (`-`: stdout, after the guest's console output): one `SPACE;outer;…;inner
    /// COUNT` line per stack, COUNT its samples — what inferno and flamegraph.pl read. SPACE is
    /// `kernel` for S and M modes, else the address space's name.
    #[arg(long, value_name = "FILE")]
    folded: Option<PathBuf>,
    /// An ELF whose symbols name user-mode pcs (repeatable), for a program klab does not have
    /// (the kernel, micro's servers and the initrd's programs are known without it); it serves
    /// the address space the guest names like the file (without extension).
    #[arg(long, value_name = "FILE")]
    symbols: Vec<PathBuf>,
    #[command(flatten)]
    machine: ProfileArgs,
    /// Report every use of a modeled TLB entry that the page tables no longer hold (a missing
    /// sfence.vma), without changing the run.
    #[arg(long)]
    check_tlb: bool,
    /// Serve the GDB remote protocol on [ADDR:]PORT (address 127.0.0.1 by default, port 0 for
    /// any free one); the machine waits, halted before its first instruction, for gdb.
    #[arg(long, value_name = "[ADDR:]PORT", value_parser = gdb::parse_addr)]
    gdb: Option<std::net::SocketAddr>,
    /// Write a commit log in Spike's --log-commits format (one line per retired instruction:
    /// privilege, pc, bits, register written, memory access) to FILE (`-`: stdout, mixed
    /// with the guest's console output). Slow; counts are unchanged.
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// Start the trace when the pc reaches 0xADDR, or after N instructions (decimal).
    #[arg(long, value_name = "0xPC|N", value_parser = trace::parse_edge, requires = "trace")]
    trace_from: Option<trace::Edge>,
    /// Stop the trace when the pc reaches 0xADDR, or after N instructions (decimal).
    #[arg(long, value_name = "0xPC|N", value_parser = trace::parse_edge, requires = "trace")]
    trace_to: Option<trace::Edge>,
    /// End each instruction line with the instruction in assembly (ABI names, absolute targets).
    #[arg(long, requires = "trace")]
    trace_disasm: bool,
    /// Print the timeline of operation K (1 is the first) of region 1 at exit: its phases (user,
    /// trap, kernel, address-space switch, server, sret) with cycle and instruction stamps, TLB
    /// walks and cache misses, from the emulator's own events. Operations are delimited by the
    /// operation boundary marker; when PROGRAM is `bench`, klab adds `--mark-ops` so it emits
    /// them. Any other program must emit them itself, or klab says so.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u64).range(1..))]
    timeline: Option<u64>,
    /// With --timeline: also write the timeline as JSON to FILE (`-`: stdout).
    #[arg(long, value_name = "FILE", requires = "timeline")]
    timeline_json: Option<PathBuf>,
}

/// How the machine is modeled: a profile and Spike-style overrides.
#[derive(Args, Clone, Debug, Default)]
pub struct ProfileArgs {
    /// Machine profile: an embedded name (u74, the default, also called default; simple, tiny,
    /// big) or a TOML file.
    #[arg(long, value_name = "NAME|FILE", default_value = emu::profile::DEFAULT_PROFILE)]
    pub profile: String,
    /// L1 instruction cache: SIZE:WAYS:LINE (e.g. 32K:4:64) or none.
    #[arg(long, value_name = "S:W:B")]
    pub l1i: Option<String>,
    /// L1 data cache: SIZE:WAYS:LINE or none.
    #[arg(long, value_name = "S:W:B")]
    pub l1d: Option<String>,
    /// L2 cache: SIZE:WAYS:LINE or none. (Spike's `--l2` takes SETS:WAYS:BLOCK: write its
    /// SETS × WAYS × BLOCK as the size here.)
    #[arg(long, value_name = "S:W:B")]
    pub l2: Option<String>,
    /// L1 instruction cache as Spike's `--ic`: SETS:WAYS:BLOCK (64:4:64 is 16K:4:64).
    #[arg(long, value_name = "SETS:WAYS:BLOCK", conflicts_with = "l1i")]
    pub ic: Option<String>,
    /// L1 data cache as Spike's `--dc`: SETS:WAYS:BLOCK (64:8:64 is 32K:8:64).
    #[arg(long, value_name = "SETS:WAYS:BLOCK", conflicts_with = "l1d")]
    pub dc: Option<String>,
    /// Instruction TLB: ENTRIES:WAYS.
    #[arg(long, value_name = "ENTRIES:WAYS")]
    pub itlb: Option<String>,
    /// Data TLB: ENTRIES:WAYS.
    #[arg(long, value_name = "ENTRIES:WAYS")]
    pub dtlb: Option<String>,
    /// L2 TLB: ENTRIES:WAYS or none.
    #[arg(long, value_name = "ENTRIES:WAYS")]
    pub l2tlb: Option<String>,
    /// ASIDs: on (16 bits) or off (a satp write flushes the TLBs).
    #[arg(long, value_name = "on|off", value_parser = on_off)]
    pub asid: Option<bool>,
    /// Timing model: off is the functional mode (mcycle == minstret, no cache or TLB models).
    #[arg(long, value_name = "on|off", value_parser = on_off)]
    pub timing: Option<bool>,
    /// Set any profile key, e.g. --set penalty.memory=150 (repeatable; `KEY=VALUE`).
    #[arg(long = "set", value_name = "KEY=VALUE", long_help = set_help())]
    pub set: Vec<String>,
    /// Print the effective profile (TOML) and its hash to stderr before running.
    #[arg(long)]
    pub print_profile: bool,
}

/// `--set`'s long help: what it does and every key, grouped by table.
fn set_help() -> String {
    let mut by_table: Vec<(String, Vec<String>)> = Vec::new();
    for key in Profile::keys() {
        let (table, field) = key.split_once('.').unwrap_or((key.as_str(), ""));
        let field = if field.is_empty() { "(whole)" } else { field };
        match by_table.iter_mut().find(|(t, _)| t == table) {
            Some((_, fields)) => fields.push(field.to_string()),
            None => by_table.push((table.to_string(), vec![field.to_string()])),
        }
    }
    let mut help = String::from(
        "Set any profile key, e.g. --set penalty.memory=150 (repeatable; KEY=VALUE). \
         `--print-profile` shows the values and `[sources]` in the profile files their origin. \
         The keys, TABLE.FIELD:",
    );
    for (table, fields) in by_table {
        help.push_str(&format!("\n  {table}: {}", fields.join(", ")));
    }
    help
}

fn on_off(s: &str) -> Result<bool, String> {
    match s {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err("neither on nor off".to_string()),
    }
}

impl ProfileArgs {
    /// The profile with every override applied; an error is a [`BadInput`] (exit status 2):
    /// the profile, a geometry or a key was malformed.
    pub fn profile(&self) -> anyhow::Result<Profile> {
        self.build().map_err(|e| BadInput::error(format!("{e:#}")))
    }

    /// [`ProfileArgs::profile`], errors as they come.
    fn build(&self) -> anyhow::Result<Profile> {
        use emu::profile::{CacheLevel, TlbLevel};
        let mut p = Profile::load(&self.profile)?;
        for (level, spec) in [
            (CacheLevel::L1i, &self.l1i),
            (CacheLevel::L1d, &self.l1d),
            (CacheLevel::L2, &self.l2),
        ] {
            if let Some(spec) = spec {
                p.set_cache(level, spec)?;
            }
        }
        for (level, flag, spec) in [
            (CacheLevel::L1i, "--ic", &self.ic),
            (CacheLevel::L1d, "--dc", &self.dc),
        ] {
            if let Some(spec) = spec {
                let klab_spec = emu::profile::spike_cache_spec(spec)
                    .map_err(|e| anyhow::anyhow!("bad setting `{flag} {spec}`: {e}"))?;
                p.set_cache(level, &klab_spec)?;
            }
        }
        for (level, spec) in [
            (TlbLevel::Itlb, &self.itlb),
            (TlbLevel::Dtlb, &self.dtlb),
            (TlbLevel::L2tlb, &self.l2tlb),
        ] {
            if let Some(spec) = spec {
                p.set_tlb(level, spec)?;
            }
        }
        if let Some(on) = self.asid {
            p.set_asid(on)?;
        }
        if let Some(on) = self.timing {
            p.set_timing(on)?;
        }
        for kv in &self.set {
            let (k, v) = kv.split_once('=').ok_or_else(|| {
                anyhow::anyhow!("--set {}: expected KEY=VALUE", input::shorten(kv))
            })?;
            p.set(k.trim(), v.trim())?;
        }
        Ok(p)
    }
}

/// Runs the command; returns klab's exit status.
pub fn run(args: RunArgs) -> anyhow::Result<i32> {
    let (bytes, embedded_initrd) = match images::kernel(&args.elf) {
        Some(Some(kernel)) => (kernel.to_vec(), images::initrd()),
        Some(None) => anyhow::bail!(
            "the {} kernel was not built into this klab: run `make guests`, then rebuild klab (`make build`)",
            args.elf
        ),
        None => (
            input::read_file(args.elf.as_ref(), "the kernel ELF", ram_bound(args.mem)).map_err(
                |e| {
                    // A mistyped kernel name (no such file, no path separator): say which.
                    let hint = if std::path::Path::new(&args.elf).exists() || args.elf.contains('/')
                    {
                        String::new()
                    } else {
                        crate::suggest::did_you_mean(&args.elf, images::KERNELS)
                    };
                    if hint.is_empty() {
                        anyhow::Error::from(e)
                    } else {
                        BadInput::error(format!("{e:#}{hint}"))
                    }
                },
            )?,
            None,
        ),
    };
    let image = ElfImage::parse(&bytes)
        .with_context(|| format!("cannot load {}", input::shorten(&args.elf)))?;
    let initrd = match &args.initrd {
        Some(p) => Some(input::read_file(p, "the initrd", ram_bound(args.mem))?),
        None => embedded_initrd.map(<[u8]>::to_vec),
    };
    // Read (bounded) even when unused, so a bad path is reported whatever the other flags.
    let symbol_files = args
        .symbols
        .iter()
        .map(|p| Ok((p, input::read_file(p, "the symbols ELF", MAX_SYMBOLS_FILE)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let bootargs = match (&args.append, args.program.is_empty()) {
        (Some(_), false) => {
            return Err(BadInput::error(
                "give the command line either as PROGRAM ARGS or with --append, not both",
            ));
        }
        (Some(a), true) => Some(a.clone()),
        (None, false) if args.timeline.is_some() => {
            Some(crate::timeline::mark_ops(&args.program).join(" "))
        }
        (None, false) => Some(args.program.join(" ")),
        (None, true) => None,
    };
    let bootargs = crate::inject::bootargs(&args.elf, &args.inject, bootargs)?;
    let profile = args.machine.profile()?;
    if args.machine.print_profile {
        eprintln!(
            "klab: profile {} (hash {})\n{}",
            profile.name,
            profile.hash(),
            profile.to_toml()
        );
    }
    if args.check_tlb && !profile.timing {
        return Err(BadInput::error(
            "--check-tlb needs the modeled TLBs: drop --timing off",
        ));
    }
    if args.gdb.is_some() && args.trace.is_some() {
        return Err(BadInput::error(
            "--gdb and --trace cannot be used together: choose one",
        ));
    }
    if args.folded.is_some() && args.sample_period == 0 {
        anyhow::bail!("--folded needs samples: give a --sample-period above 0");
    }
    let sampling = (args.stats_json.is_some() || args.folded.is_some()) && args.sample_period > 0;
    let mut symbols = Vec::new();
    if sampling {
        // The files given come first: a name they share with a known program is theirs.
        for (path, data) in &symbol_files {
            let name = path
                .file_stem()
                .map_or("?".into(), |s| s.to_string_lossy().into_owned());
            symbols.push(Arc::new(
                SymbolTable::from_elf(&name, data).map_err(anyhow::Error::msg)?,
            ));
        }
        symbols.extend(crate::symbols::tables(&bytes, initrd.as_deref())?);
    }
    let (terminal, input) = RawTerminal::open();
    let config = Config {
        ram_size: args.mem,
        initrd,
        bootargs,
        input,
        output: Output::stdout(),
        profile,
        check_tlb: args.check_tlb,
        sample_period: sampling.then_some(args.sample_period),
        symbols,
    };
    let mut machine =
        Machine::new(config, &image).with_context(|| format!("cannot boot {}", args.elf))?;
    if let Some(on) = args.jit {
        machine.set_jit(on);
    }
    if args.perf_map && !machine.has_jit() {
        eprintln!("klab: --perf-map: no translator in this run (--jit off), nothing to map");
    } else if args.perf_map {
        let path = format!("/tmp/perf-{}.map", std::process::id());
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot write {path}"))?;
        machine.set_perf_map(file);
    }
    if let Some(op) = args.timeline {
        machine.record_timeline(op);
    }

    let start = Instant::now();
    let exit = match (args.gdb, &args.trace) {
        (Some(addr), _) => match gdb::serve(&mut machine, addr, args.max_insns)? {
            gdb::Outcome::Ended(exit) => exit,
            gdb::Outcome::Killed => return Ok(STATUS_KILLED),
        },
        (None, Some(file)) => trace::run(
            &mut machine,
            &trace::Options {
                file,
                from: args.trace_from,
                to: args.trace_to,
                disasm: args.trace_disasm,
                limit: args.max_insns,
            },
        )?,
        (None, None) => {
            if let Some(t) = &terminal {
                machine.set_stop_request(Some(t.stop_request()));
            }
            loop {
                match (machine.run(args.max_insns), &terminal) {
                    (Exit::Debug(DebugStop::Paused), Some(t)) if t.monitor_requested() => {
                        t.monitor(&machine);
                    }
                    (exit, _) => break exit,
                }
            }
        }
    };
    let seconds = start.elapsed().as_secs_f64();
    drop(terminal);

    if args.stats {
        let mips = machine.retired as f64 / seconds.max(1e-9) / 1e6;
        // The bytes moved are counted in timing mode only.
        let bytes = if machine.profile.timing {
            use emu::stats::Event;
            let by_mode = machine.stats.by_mode(machine.retired, machine.cycles());
            let total = |e| by_mode.iter().map(|(_, c)| c.get(e)).sum::<u64>();
            format!(
                ", {} bytes loaded, {} bytes stored",
                total(Event::BytesLoaded),
                total(Event::BytesStored)
            )
        } else {
            String::new()
        };
        eprintln!(
            "klab: {} instructions retired, {} exceptions, {} interrupts, {} cycles{bytes}, {seconds:.3} s host time, {mips:.1} MIPS",
            machine.retired,
            machine.exceptions,
            machine.interrupts,
            machine.cycles()
        );
        let native = machine.jit_instructions();
        eprintln!(
            "klab: {} blocks translated to host code, which retired {native} instructions \
             ({:.1}%)",
            machine.jit_blocks(),
            100.0 * native as f64 / machine.retired.max(1) as f64
        );
    }
    for s in machine.stale_uses() {
        let now = s
            .fresh_paddr
            .map_or("no mapping".to_string(), |p| format!("{p:#x}"));
        eprintln!(
            "klab: check-tlb: pc {:#x} used a stale translation of {:#x}: the TLB gave {:#x}, the page tables now give {now} (a missing sfence.vma?)",
            s.pc, s.vaddr, s.stale_paddr
        );
    }
    if let Some(path) = &args.stats_json {
        let report = emu::report::RunReport::of(&mut machine);
        Sink::of(path).write(&(report.to_json() + "\n"))?;
    }
    if let Some(path) = &args.folded {
        Sink::of(path).write(&emu::report::folded(&machine, Some(FOLDED_REGION)))?;
    }
    if let Some(op) = args.timeline {
        let t = crate::timeline::take(&machine, op)?;
        print!("{}", crate::timeline::table(&t));
        if let Some(path) = &args.timeline_json {
            Sink::of(path).write(&(serde_json::to_string_pretty(&t)? + "\n"))?;
        }
    }
    let pc = machine.hart.pc;
    let place = match machine.symbolize(pc) {
        Some(sym) => format!("pc = {pc:#x} in {sym}"),
        None => format!("pc = {pc:#x}"),
    };
    Ok(match exit {
        Exit::Status(code) if code > 255 => {
            eprintln!("klab: the guest exited with status {code}, reported as 255");
            255
        }
        Exit::Status(code) => code as i32,
        Exit::InstructionLimit => {
            eprintln!(
                "klab: stopped after {} instructions (--max-insns); the guest was still running at {place}",
                machine.executed()
            );
            STATUS_INSTRUCTION_LIMIT
        }
        Exit::Stuck => {
            eprintln!(
                "klab: the guest is waiting (wfi) for an interrupt that nothing can deliver, at {place}"
            );
            STATUS_STUCK
        }
        Exit::Reset => {
            eprintln!(
                "klab: the guest asked for a reset, which klab does not model; stopping at {place}"
            );
            STATUS_RESET
        }
        // Only a debugger sets breakpoints, and `gdb::serve` runs on past them.
        Exit::Debug(stop) => {
            eprintln!("klab: the run stopped for a debugger ({stop:?}) at {place}");
            STATUS_KLAB_ERROR
        }
    })
}
