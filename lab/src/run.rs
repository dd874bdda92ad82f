//! `klab run`: boot an ELF with the console on the terminal and report how it ended.
//!
//! Exit status: the guest's own status when it exits through the test finisher or HTIF (a
//! status above 255 is reported and mapped to 255, so it never reads as success); otherwise
//! one of the `STATUS_*` codes below, each with a one-line message on stderr.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use emu::{Config, ElfImage, Exit, Input, Machine, Output};

use crate::size::parse_size;

/// klab itself failed (bad arguments, unreadable or malformed files).
pub const STATUS_KLAB_ERROR: i32 = 1;
/// `--max-insns` stopped a guest that was still running.
pub const STATUS_INSTRUCTION_LIMIT: i32 = 124;
/// The guest waits for an interrupt that can never come.
pub const STATUS_STUCK: i32 = 125;
/// The guest asked the test finisher for a reset, which klab does not model.
pub const STATUS_RESET: i32 = 126;

/// Arguments of `klab run`.
#[derive(Args)]
pub struct RunArgs {
    /// The ELF to boot: RV64, loaded at its physical addresses, entered in M-mode with
    /// a0 = hartid and a1 = the device tree.
    elf: PathBuf,
    /// A file to load as the initrd (described in /chosen of the device tree).
    #[arg(long, value_name = "FILE")]
    initrd: Option<PathBuf>,
    /// RAM size (e.g. 128M, 1G).
    #[arg(long, value_name = "SIZE", default_value = "128M", value_parser = parse_size)]
    mem: u64,
    /// The kernel command line (/chosen/bootargs), like QEMU's -append.
    #[arg(long, value_name = "STRING")]
    append: Option<String>,
    /// Stop after this many instructions executed, retired or trapped (exit status 124).
    #[arg(long, value_name = "N")]
    max_insns: Option<u64>,
    /// Print retired instructions, cycles, host time and MIPS to stderr at exit.
    #[arg(long)]
    stats: bool,
}

/// Runs the command; returns klab's exit status.
pub fn run(args: RunArgs) -> anyhow::Result<i32> {
    let bytes =
        std::fs::read(&args.elf).with_context(|| format!("cannot read {}", args.elf.display()))?;
    let image =
        ElfImage::parse(&bytes).with_context(|| format!("cannot load {}", args.elf.display()))?;
    let initrd = match &args.initrd {
        Some(p) => {
            Some(std::fs::read(p).with_context(|| format!("cannot read initrd {}", p.display()))?)
        }
        None => None,
    };
    let config = Config {
        ram_size: args.mem,
        initrd,
        bootargs: args.append.clone(),
        input: Input::stdin(),
        output: Output::stdout(),
    };
    let mut machine = Machine::new(config, &image)
        .with_context(|| format!("cannot boot {}", args.elf.display()))?;

    let start = Instant::now();
    let exit = machine.run(args.max_insns);
    let seconds = start.elapsed().as_secs_f64();

    if args.stats {
        let mips = machine.retired as f64 / seconds.max(1e-9) / 1e6;
        eprintln!(
            "klab: {} instructions retired, {} exceptions, {} interrupts, {} cycles, {seconds:.3} s host time, {mips:.1} MIPS",
            machine.retired,
            machine.exceptions,
            machine.interrupts,
            machine.cycles()
        );
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
    })
}
