//! Fuzz targets for the input klab and its kernels take from users: a kernel or symbols ELF
//! (`emu::loader`, `emu::symbols`), an initrd (`services::fs`, the ustar reader both kernels
//! run), a profile and `--set` overrides (`emu::profile`), GDB packets (`lab`'s gdbstub target,
//! through an in-memory connection) and report merging (`klab report`).
//!
//! Each target takes arbitrary bytes and returns; a panic (including a failed `assert!` of a
//! property below) or a hang is a finding. The same functions serve AFL++ (`fuzz/afl`, run by
//! `make fuzz`) and the replay of the committed corpora (`fuzz/corpus/TARGET/*`) that
//! `cargo test` runs on the stable toolchain (`tests/replay.rs`).

use emu::profile::Profile;
use emu::{Config, ElfImage, Machine};

/// A fuzz target: its name (the corpus directory under `fuzz/corpus`) and its function.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by name.
pub const TARGETS: [Target; 5] = [
    ("elf", elf),
    ("initrd", initrd),
    ("profile", profile),
    ("gdb", gdb),
    ("report", report),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<fn(&[u8])> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// A kernel ELF: parsed, checked against a 4 MiB RAM, loaded into a machine; and read as a
/// `--symbols` file.
pub fn elf(data: &[u8]) {
    let _ = emu::symbols::SymbolTable::from_elf("fuzz", data);
    let Ok(image) = ElfImage::parse(data) else {
        return;
    };
    let config = Config {
        ram_size: 4 << 20,
        ..Config::default()
    };
    if let Ok(m) = Machine::new(config, &image) {
        // A loaded image starts at its entry point.
        assert_eq!(m.hart.pc, image.entry);
    }
}

/// An initrd, read by the shared file system exactly as both kernels read `--initrd`.
pub fn initrd(data: &[u8]) {
    let _ = services::fs::Fs::from_ustar(data, 64);
}

/// A profile file (TOML); or, if it does not parse, lines of `KEY=VALUE` overrides applied to
/// the default profile. A profile that parses must write out as TOML that parses back to
/// itself, with the same hash.
pub fn profile(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Profile::from_toml(text, "fuzz") {
        Ok(p) => {
            let again = Profile::from_toml(&p.to_toml(), "fuzz again")
                .expect("a profile's own TOML parses");
            assert_eq!(again, p, "a profile's TOML reads back as itself");
            assert_eq!(again.hash(), p.hash());
        }
        Err(e) => assert!(!e.to_string().contains('\n'), "a multi-line error: {e}"),
    }
    let mut p = Profile::default();
    for line in text.lines() {
        if let Some((k, v)) = line.split_once('=') {
            if let Err(e) = p.set(k.trim(), v.trim()) {
                assert!(!e.to_string().contains('\n'), "a multi-line error: {e}");
            }
            p.validate().expect("a profile stays valid after any set");
        }
    }
}

/// GDB packets (one packet body a line, framed by the target; `!` lines raw) against a small
/// guest, bounded in instructions.
pub fn gdb(data: &[u8]) {
    lab::fuzz::gdb_session(data);
}

/// Up to four report.json texts separated by NUL bytes, merged and rendered as `klab report`
/// does.
pub fn report(data: &[u8]) {
    lab::fuzz::report_merge(data);
}
