//! Helpers for the emulator's integration tests: machines built from raw code bytes.
#![allow(dead_code)] // each test binary uses only some of these helpers

pub mod encode;
pub mod sv39;
pub mod timer;

use emu::loader::{ElfImage, Segment};
use emu::memmap::RAM_BASE;
use emu::{Config, Exit, Machine, Output};

/// An image of `code` alone, at the start of RAM and entered there.
pub fn image(code: &[u8]) -> ElfImage {
    ElfImage {
        entry: RAM_BASE,
        segments: vec![Segment {
            paddr: RAM_BASE,
            data: code.to_vec(),
            memsz: code.len() as u64,
        }],
        symbols: vec![],
    }
}

/// A machine with `code` at the start of RAM, entered in M-mode, console captured.
pub fn machine_with_code(
    code: &[u8],
    ram_size: u64,
) -> (Machine, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
    let image = image(code);
    let (output, buf) = Output::capture();
    let config = Config {
        ram_size,
        output,
        ..Config::default()
    };
    (Machine::new(config, &image).expect("machine"), buf)
}

/// A machine with `code` at the start of RAM (16 MiB), entered in M-mode, timed by `profile`.
pub fn machine_with_profile(code: &[u8], profile: emu::profile::Profile) -> Machine {
    let image = image(code);
    let config = Config {
        ram_size: 16 << 20,
        profile,
        ..Config::default()
    };
    Machine::new(config, &image).expect("machine")
}

/// Little-endian bytes of a sequence of 32-bit instructions.
pub fn words(insns: &[u32]) -> Vec<u8> {
    insns.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// The timing model's own state for comparisons: every TLB whole (entries, replacement state in
/// canonical form, counts) and every cache's counts, lines and most recently used lines.
pub fn model_state(m: &Machine) -> String {
    // Each cache's counts, its lines where they lie (set, way, address, dirty), and which of
    // them is the most recently used of its set.
    let caches: Vec<_> = m
        .caches()
        .into_iter()
        .map(|(n, c)| {
            let lines: Vec<_> = c.lines().collect();
            let mru: Vec<_> = lines
                .iter()
                .filter(|l| c.is_mru(l.2, false))
                .map(|l| l.2)
                .collect();
            (n, c.stats(), lines, mru)
        })
        .collect();
    // The TLBs' replacement state in canonical form: the translator makes fewer LRU stamps than
    // the interpreter for the same order (`Tlb::canonical`).
    let tlbs: Vec<_> = m
        .tlbs()
        .into_iter()
        .map(|(n, t)| (n, t.canonical()))
        .collect();
    format!("tlbs {tlbs:?} caches {caches:?}")
}

/// The modes the translator's tests compare: the profile and whether timing is on (functional,
/// the pipeline model, the simple model).
pub const JIT_MODES: [(&str, bool); 3] = [("u74", false), ("u74", true), ("simple", true)];

/// A machine running `code` in `mode` (see `JIT_MODES`), with the translator on or off, which
/// translates a block after `threshold` entries.
pub fn jit_machine(
    code: &[u8],
    (profile, timing): (&str, bool),
    jit: bool,
    threshold: u32,
) -> Machine {
    let mut profile = emu::profile::Profile::embedded(profile).expect("profile");
    profile.set_timing(timing).expect("mode");
    let mut m = machine_with_profile(code, profile);
    m.set_jit(jit);
    m.set_jit_threshold(threshold);
    m
}

/// Everything the translator's tests compare: the pc, registers, counts, cycles, CSRs,
/// statistics and the timing model's own state.
pub fn full_state(m: &Machine) -> String {
    let regs: Vec<u64> = (0..32).map(|r| m.hart.reg(r)).collect();
    format!(
        "pc {:#x} regs {regs:x?} retired {} executed {} exceptions {} interrupts {} cycles {} \
         csrs {:?} stats {:?} {}",
        m.hart.pc,
        m.retired,
        m.executed(),
        m.exceptions,
        m.interrupts,
        m.cycles(),
        m.hart.csr,
        m.stats.live_buckets(m.retired, m.cycles()),
        model_state(m),
    )
}

/// Runs the translator's machine `on` and the interpreter's `off` to `limit` instructions (both
/// must stop there) and checks that their `full_state`s agree; `what` names the case.
pub fn same_at(on: &mut Machine, off: &mut Machine, limit: u64, what: &str) {
    assert_eq!(
        on.run(Some(limit)),
        Exit::InstructionLimit,
        "{what}: {limit}"
    );
    assert_eq!(
        off.run(Some(limit)),
        Exit::InstructionLimit,
        "{what}: {limit}"
    );
    assert_eq!(
        full_state(on),
        full_state(off),
        "{what}: after {limit} instructions"
    );
}
