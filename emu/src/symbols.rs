//! Symbol tables for statistics: which function a pc is in, read from ELF files with `object`.
//!
//! The kernel's table comes from the booted image; program tables come from `--symbols FILE`,
//! named after the file (its stem), and are matched to an address space by the name the guest
//! gave it with the name-the-address-space marker. A U-mode pc is looked up in the table of its
//! address space's name, then in any program table that covers it; an S- or M-mode pc in the
//! kernel's.

use object::{Object, ObjectSymbol, SymbolKind};

/// A sorted table of function symbols.
#[derive(Clone, Debug, Default)]
pub struct SymbolTable {
    /// The table's name (the ELF file's stem; `kernel` for the booted image).
    pub name: String,
    /// `(start, end, name)`, sorted by start; `end` is `start + size` (or the next symbol).
    entries: Vec<(u64, u64, String)>,
}

impl SymbolTable {
    /// Reads the function symbols of the ELF in `bytes`.
    pub fn from_elf(name: &str, bytes: &[u8]) -> Result<SymbolTable, String> {
        let file =
            object::File::parse(bytes).map_err(|e| format!("{name}: not an ELF file: {e}"))?;
        let mut entries: Vec<(u64, u64, String)> = file
            .symbols()
            .filter(|s| s.kind() == SymbolKind::Text && s.is_definition())
            .filter_map(|s| Some((s.address(), s.size(), demangle(s.name().ok()?))))
            .filter(|(_, _, n)| !n.is_empty())
            .map(|(a, size, n)| (a, a + size, n))
            .collect();
        entries.sort();
        entries.dedup_by(|b, a| a.0 == b.0);
        // A symbol without a size runs to the next one.
        for i in 0..entries.len() {
            if entries[i].1 == entries[i].0 {
                entries[i].1 = entries.get(i + 1).map_or(entries[i].0 + 1, |n| n.0);
            }
        }
        Ok(SymbolTable {
            name: name.to_string(),
            entries,
        })
    }

    /// The symbol containing `addr`.
    pub fn lookup(&self, addr: u64) -> Option<&str> {
        let i = self
            .entries
            .partition_point(|e| e.0 <= addr)
            .checked_sub(1)?;
        let (start, end, name) = &self.entries[i];
        (*start <= addr && addr < *end).then_some(name.as_str())
    }

    /// Whether `addr` lies in one of the table's symbols.
    pub fn covers(&self, addr: u64) -> bool {
        self.lookup(addr).is_some()
    }
}

/// A Rust symbol's readable name without its hash (`rt::console::Uart::write_str`); other
/// names unchanged.
fn demangle(name: &str) -> String {
    format!("{:#}", rustc_demangle::demangle(name))
}

/// Deterministic pc sampling: one sample every `period` cycles.
#[derive(Clone, Debug)]
pub struct Sampler {
    /// Cycles between samples.
    pub period: u64,
    /// The cycle of the next sample.
    pub next: u64,
    /// Samples by (privilege mode index, address space, pc).
    pub samples: std::collections::HashMap<(usize, usize, u64), u64>,
}

impl Sampler {
    /// A sampler taking its first sample at cycle `period`.
    pub fn new(period: u64) -> Sampler {
        Sampler {
            period: period.max(1),
            next: period.max(1),
            samples: Default::default(),
        }
    }

    /// Records the samples due by cycle `now`, all at `pc` (a slice that passed several sample
    /// points — an idle `wfi` — spent them all there).
    pub fn sample(&mut self, now: u64, mode: usize, space: usize, pc: u64) {
        if now < self.next {
            return;
        }
        let due = (now - self.next) / self.period + 1;
        *self.samples.entry((mode, space, pc)).or_default() += due;
        self.next += due * self.period;
    }
}
