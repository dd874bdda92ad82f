//! Helpers for the emulator's integration tests: machines built from raw code bytes.
#![allow(dead_code)] // each test binary uses only some of these helpers

pub mod encode;

use emu::loader::{ElfImage, Segment};
use emu::memmap::RAM_BASE;
use emu::{Config, Machine, Output};

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

/// The timing model's own state for comparisons: every TLB whole (entries, replacement state,
/// counts) and every cache's counts.
pub fn model_state(m: &Machine) -> String {
    let caches: Vec<_> = m
        .caches()
        .into_iter()
        .map(|(n, c)| (n, c.stats()))
        .collect();
    format!("tlbs {:?} caches {caches:?}", m.tlbs())
}
