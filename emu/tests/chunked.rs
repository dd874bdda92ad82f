//! Does stopping the machine change what it measures? A run to the end in one `run` call, the
//! same run in many short calls (as a debugger's bounded chunks and single steps make it), and
//! the same run with breakpoints and watchpoints that never fire must give bit-identical
//! statistics: every counter, every sample, every snapshot.
//!
//! The guests are the two kernels with a short user program (which exercise traps, timer
//! interrupts, address-space switches, markers and the console) and bare-metal guests that
//! stress the caches, run on the default and the tiny profile.

use std::path::PathBuf;

use emu::profile::Profile;
use emu::report::RunReport;
use emu::{Config, DebugStop, ElfImage, Exit, Machine, Output, WatchKind};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("emu/ has a parent")
        .to_path_buf()
}

fn read(rel: &str) -> Vec<u8> {
    let p = root().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e} (run `make guests`)", p.display()))
}

/// A machine booting `elf` (repository-relative) with `bootargs`, the initrd for kernels.
fn machine(elf: &str, bootargs: Option<&str>, initrd: bool, profile: &str) -> Machine {
    let image = ElfImage::parse(&read(elf)).expect("elf");
    let config = Config {
        initrd: initrd.then(|| read("userland/target/initrd.tar")),
        bootargs: bootargs.map(str::to_string),
        output: Output::Discard,
        profile: Profile::load(profile).expect("profile"),
        sample_period: Some(997),
        ..Config::default()
    };
    Machine::new(config, &image).expect("machine")
}

fn symbol(m: &Machine, name: &str) -> u64 {
    m.symbols
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no symbol {name}"))
        .addr
}

/// How a run is driven.
#[derive(Clone, Copy, Debug)]
enum Drive {
    /// One call to the end.
    Whole,
    /// Calls of at most this many instructions each.
    Chunks(u64),
    /// Single steps for the first this many instructions, then to the end.
    StepFirst(u64),
    /// To the end, stopping at a breakpoint on each symbol and on every store to a watched
    /// symbol (8 bytes), going on after each stop; at least `hits` stops.
    Debug {
        breakpoints: &'static [&'static str],
        watch: Option<&'static str>,
        hits: u64,
    },
}

const LIMIT: u64 = 400_000_000;

/// Runs `m` to its exit as `drive` says; returns the exit and the statistics as JSON.
fn run(mut m: Machine, drive: Drive) -> (Exit, String) {
    let exit = match drive {
        Drive::Whole => m.run(Some(LIMIT)),
        Drive::Chunks(n) => loop {
            let to = (m.executed() + n).min(LIMIT);
            match m.run(Some(to)) {
                Exit::InstructionLimit if to < LIMIT => continue,
                exit => break exit,
            }
        },
        Drive::StepFirst(n) => {
            let mut exit = Exit::InstructionLimit;
            while m.executed() < n && exit == Exit::InstructionLimit {
                exit = m.run(Some(m.executed() + 1));
            }
            match exit {
                Exit::InstructionLimit => m.run(Some(LIMIT)),
                exit => exit,
            }
        }
        Drive::Debug {
            breakpoints,
            watch,
            hits,
        } => {
            for b in breakpoints {
                let a = symbol(&m, b);
                m.add_breakpoint(a);
            }
            if let Some(w) = watch {
                let a = symbol(&m, w);
                assert!(m.add_watchpoint(a, 8, WatchKind::Write), "watch {w}");
            }
            let (mut breaks, mut watches) = (0, 0);
            let exit = loop {
                match m.run(Some(LIMIT)) {
                    Exit::Debug(DebugStop::Breakpoint { .. }) => {
                        breaks += 1;
                        m.skip_breakpoint_here();
                    }
                    Exit::Debug(_) => {
                        watches += 1;
                        m.skip_breakpoint_here();
                    }
                    exit => break exit,
                }
            };
            assert!(
                breaks >= hits && (watch.is_none() || watches > 0),
                "{breaks} breakpoint and {watches} watchpoint stops"
            );
            exit
        }
    };
    (exit, RunReport::of(&mut m).to_json())
}

fn check_invariant(make: impl Fn() -> Machine, drives: &[Drive]) {
    let (exit, whole) = run(make(), Drive::Whole);
    assert!(
        matches!(exit, Exit::Status(_)),
        "the guest must exit by itself: {exit:?}"
    );
    for &d in drives {
        let (e, json) = run(make(), d);
        assert_eq!(e, exit, "{d:?}: another exit");
        if json != whole {
            let dir = std::env::temp_dir();
            let _ = std::fs::write(dir.join("klab-chunked-whole.json"), &whole);
            let _ = std::fs::write(dir.join("klab-chunked-other.json"), &json);
            let first = whole
                .lines()
                .zip(json.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(whole.lines().count().min(json.lines().count()));
            let around = |s: &str| {
                s.lines()
                    .skip(first.saturating_sub(3))
                    .take(8)
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            panic!(
                "{d:?}: statistics differ from the whole run at line {first} (both in {}):\nwhole:\n{}\n{d:?}:\n{}",
                dir.join("klab-chunked-*.json").display(),
                around(&whole),
                around(&json)
            );
        }
    }
}

const KERNELS: &str = "kernels/target/riscv64imac-unknown-none-elf/release";
const GUESTS: &str = "tests/guests/target/riscv64imac-unknown-none-elf/release";

#[test]
fn a_kernel_run_in_chunks_or_steps_counts_exactly_what_it_counts_in_one_go() {
    for kernel in ["mono", "micro"] {
        for profile in ["default", "tiny"] {
            check_invariant(
                || machine(&format!("{KERNELS}/{kernel}"), Some("hello"), true, profile),
                &[
                    Drive::Chunks(1 << 20),
                    Drive::Chunks(10_007),
                    Drive::Chunks(333),
                    Drive::StepFirst(20_000),
                ],
            );
        }
    }
}

#[test]
fn a_kernel_run_stopped_by_a_debugger_counts_exactly_what_it_counts_in_one_go() {
    for kernel in ["mono", "micro"] {
        for profile in ["default", "tiny"] {
            check_invariant(
                || machine(&format!("{KERNELS}/{kernel}"), Some("hello"), true, profile),
                &[Drive::Debug {
                    breakpoints: &["kcore_trap_entry", "kcore_resume"],
                    watch: Some("KCORE_MTIMECMP"),
                    hits: 5,
                }],
            );
        }
    }
}

#[test]
fn a_bare_metal_run_in_chunks_counts_exactly_what_it_counts_in_one_go() {
    for (guest, args) in [
        ("compute", Some("3")),
        ("klab_hpm", None),
        ("irq_clint", None),
    ] {
        for profile in ["default", "tiny"] {
            check_invariant(
                || machine(&format!("{GUESTS}/{guest}"), args, false, profile),
                &[
                    Drive::Chunks(4_099),
                    Drive::Chunks(61),
                    Drive::StepFirst(5_000),
                ],
            );
        }
    }
}
