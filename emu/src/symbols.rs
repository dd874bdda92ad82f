//! Symbol tables and the call-stack sampler: which function a pc is in, and where the cycles
//! went, from deterministic samples taken in guest time.
//!
//! A table is read from an ELF with `object`: its function symbols and the bytes of its loadable
//! segments. Each table belongs to one kind of code: the kernel's (S and M modes) or one
//! program's (a user program or a server, U mode), named like the address space the program
//! names with the name-the-address-space marker (`ulib` names it after `argv[0]`, a server after
//! itself). How a sample finds its table (see `machine::stacks`):
//!
//! - an S- or M-mode pc: the kernel's table;
//! - a U-mode pc: the program table named like the address space *at the time of the sample*
//!   (a reused page-table root or an `exec` renames a space; earlier samples keep their name);
//! - and only if the table's bytes at the pc are the bytes the guest has there (read through the
//!   guest's page tables without side effects). An unnamed space, a name without a table, or
//!   code that is not that ELF's (a new image before it named itself) gives no table: the
//!   sample is credited to `?`, never to another address space's table.
//!
//! Stacks are walked through the frame-pointer chain (`s0`; RISC-V's frame record is the
//! return address at `fp - 8` and the caller's `fp` at `fp - 16`), and stop at the first return
//! address outside the sample's table, so one stack never mixes two ELFs. Code without a frame
//! record (assembly, a function sampled in its prologue) loses its caller from the stack; the
//! leaf pc is always exact.

use std::collections::BTreeMap;

use object::{Object, ObjectSection, ObjectSegment, ObjectSymbol, SectionKind, SymbolKind};

/// A sorted table of function symbols, with the ELF's loadable bytes to recognise its code.
#[derive(Clone, Debug, Default)]
pub struct SymbolTable {
    /// The table's name: the address-space name it serves (`kernel` for the booted image).
    pub name: String,
    /// Whether it is the kernel's table (S- and M-mode pcs) rather than a program's.
    pub kernel: bool,
    /// `(start, end, name)`, sorted by start; `end` is `start + size` (or the next symbol).
    entries: Vec<(u64, u64, String)>,
    /// The file-backed bytes of each loadable segment, by virtual address.
    segments: Vec<(u64, Vec<u8>)>,
}

/// The frame index of a pc no symbol covers.
pub const UNKNOWN: u32 = u32::MAX;

impl SymbolTable {
    /// Reads the function symbols and segments of the ELF in `bytes`, as a program's table.
    pub fn from_elf(name: &str, bytes: &[u8]) -> Result<SymbolTable, String> {
        let file =
            object::File::parse(bytes).map_err(|e| format!("{name}: not an ELF file: {e}"))?;
        // Functions, and the labels of hand-written code (untyped symbols in a code section,
        // such as a trap vector; not the assembler's `$x`/`.L` local labels).
        let in_code = |s: &object::Symbol| {
            s.section_index()
                .and_then(|i| file.section_by_index(i).ok())
                .is_some_and(|sec| sec.kind() == SectionKind::Text)
        };
        let mut entries: Vec<(u64, u64, String)> = file
            .symbols()
            .filter(|s| match s.kind() {
                SymbolKind::Text => s.is_definition(),
                SymbolKind::Unknown => {
                    in_code(s) && s.name().is_ok_and(|n| !n.starts_with(['$', '.']))
                }
                _ => false,
            })
            .filter_map(|s| Some((s.address(), s.size(), demangle(s.name().ok()?))))
            .filter(|(_, _, n)| !n.is_empty())
            .map(|(a, size, n)| (a, a.saturating_add(size), n))
            .collect();
        entries.sort();
        entries.dedup_by(|b, a| a.0 == b.0);
        // A symbol without a size runs to the next one.
        for i in 0..entries.len() {
            if entries[i].1 == entries[i].0 {
                entries[i].1 = entries
                    .get(i + 1)
                    .map_or(entries[i].0.saturating_add(1), |n| n.0);
            }
        }
        let segments = file
            .segments()
            .filter_map(|s| Some((s.address(), s.data().ok()?.to_vec())))
            .filter(|(_, d)| !d.is_empty())
            .collect();
        Ok(SymbolTable {
            name: name.to_string(),
            kernel: false,
            entries,
            segments,
        })
    }

    /// Reads the kernel's table (named `kernel`) from its ELF.
    pub fn kernel_from_elf(bytes: &[u8]) -> Result<SymbolTable, String> {
        let mut t = SymbolTable::from_elf("kernel", bytes)?;
        t.kernel = true;
        Ok(t)
    }

    /// The index of the symbol containing `addr`.
    pub fn index_of(&self, addr: u64) -> Option<u32> {
        let i = self
            .entries
            .partition_point(|e| e.0 <= addr)
            .checked_sub(1)?;
        let (start, end, _) = &self.entries[i];
        (*start <= addr && addr < *end).then_some(i as u32)
    }

    /// The name of symbol `i` (`?` for [`UNKNOWN`] or an index out of range).
    pub fn name_of(&self, i: u32) -> &str {
        self.entries.get(i as usize).map_or("?", |e| e.2.as_str())
    }

    /// The symbol containing `addr`.
    pub fn lookup(&self, addr: u64) -> Option<&str> {
        self.index_of(addr).map(|i| self.name_of(i))
    }

    /// Whether `addr` lies in one of the table's symbols.
    pub fn covers(&self, addr: u64) -> bool {
        self.index_of(addr).is_some()
    }

    /// The ELF's bytes at `addr..addr + len`, if one segment holds them all.
    pub fn bytes_at(&self, addr: u64, len: usize) -> Option<&[u8]> {
        self.segments.iter().find_map(|(base, data)| {
            let off = usize::try_from(addr.checked_sub(*base)?).ok()?;
            data.get(off..off.checked_add(len)?)
        })
    }
}

/// A Rust symbol's readable name without its hash (`rt::console::Uart::write_str`); other
/// names unchanged.
pub fn demangle(name: &str) -> String {
    format!("{:#}", rustc_demangle::demangle(name))
}

/// One kind of sample: where the hart was when a sample fell due.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stack {
    /// Privilege mode index (0 U, 1 S, 2 M).
    pub mode: usize,
    /// The innermost region open at the sample (0: none).
    pub region: u64,
    /// Index into [`Sampler::labels`]: `kernel` for S and M modes, else the address space's
    /// name at the sample, or `space ROOT` for an unnamed one.
    pub label: u32,
    /// Index of the table the frames are in (`None`: no table is this code's).
    pub table: Option<u32>,
    /// Symbol indices into that table, innermost (the pc) first; [`UNKNOWN`] where none covers.
    pub frames: Vec<u32>,
}

/// What the samples of one [`Stack`] add up to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Samples that fell due there.
    pub samples: u64,
    /// Instructions retired in the sample periods that ended there (an estimate, like cycles).
    pub instructions: u64,
}

/// Deterministic call-stack sampling: one sample every `period` cycles of guest time.
#[derive(Clone, Debug)]
pub struct Sampler {
    /// Cycles between samples.
    pub period: u64,
    /// The cycle of the next sample.
    pub next: u64,
    /// Instructions retired at the last sample.
    pub last_retired: u64,
    /// Space labels, interned (indexed by [`Stack::label`]).
    pub labels: Vec<String>,
    /// Samples by stack.
    pub stacks: BTreeMap<Stack, Tally>,
}

impl Sampler {
    /// A sampler taking its first sample at cycle `period`.
    pub fn new(period: u64) -> Sampler {
        Sampler {
            period: period.max(1),
            next: period.max(1),
            last_retired: 0,
            labels: Vec::new(),
            stacks: BTreeMap::new(),
        }
    }

    /// Whether a sample is due at cycle `now`.
    pub fn due(&self, now: u64) -> bool {
        now >= self.next
    }

    /// The index of `label`, interned.
    pub fn label(&mut self, label: &str) -> u32 {
        match self.labels.iter().position(|l| l == label) {
            Some(i) => i as u32,
            None => {
                self.labels.push(label.to_string());
                (self.labels.len() - 1) as u32
            }
        }
    }

    /// Records the samples due by cycle `now`, all in `stack` (a slice that passed several
    /// sample points — an idle `wfi` — spent them all there); `retired` is the instruction count.
    pub fn record(&mut self, now: u64, retired: u64, stack: Stack) {
        if now < self.next {
            return;
        }
        let due = (now - self.next) / self.period + 1;
        let t = self.stacks.entry(stack).or_default();
        t.samples += due;
        t.instructions += retired - self.last_retired;
        self.last_retired = retired;
        self.next += due * self.period;
    }

    /// Samples taken in `region` (all of them for `None`).
    pub fn samples(&self, region: Option<u64>) -> u64 {
        self.in_region(region).map(|(_, t)| t.samples).sum()
    }

    /// The stacks of `region` (all of them for `None`).
    pub fn in_region(&self, region: Option<u64>) -> impl Iterator<Item = (&Stack, &Tally)> {
        self.stacks
            .iter()
            .filter(move |(s, _)| region.is_none_or(|r| s.region == r))
    }

    /// The frames of `stack` by name, outermost first: its label, then each function.
    pub fn names<'a>(
        &'a self,
        stack: &Stack,
        tables: &'a [std::sync::Arc<SymbolTable>],
    ) -> Vec<&'a str> {
        let label = self
            .labels
            .get(stack.label as usize)
            .map_or("?", String::as_str);
        let table = stack.table.and_then(|t| tables.get(t as usize));
        let mut out = vec![label];
        out.extend(
            stack
                .frames
                .iter()
                .rev()
                .map(|&f| table.map_or("?", |t| t.name_of(f))),
        );
        out
    }

    /// Folded stacks of `region` (all for `None`): one `label;outer;…;inner COUNT` line per
    /// distinct stack, COUNT its samples, sorted — the input of inferno and flamegraph.pl.
    /// A `;` inside a name is written as `:` so it cannot split a frame.
    pub fn folded(&self, region: Option<u64>, tables: &[std::sync::Arc<SymbolTable>]) -> String {
        let mut lines: BTreeMap<String, u64> = BTreeMap::new();
        for (stack, tally) in self.in_region(region) {
            let names: Vec<String> = self
                .names(stack, tables)
                .into_iter()
                .map(|n| n.replace(';', ":"))
                .collect();
            *lines.entry(names.join(";")).or_default() += tally.samples;
        }
        lines
            .into_iter()
            .map(|(stack, n)| format!("{stack} {n}\n"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(label: u32, region: u64, frames: &[u32]) -> Stack {
        Stack {
            mode: 0,
            region,
            label,
            table: None,
            frames: frames.to_vec(),
        }
    }

    #[test]
    fn a_slice_that_passes_several_sample_points_records_them_all() {
        let mut s = Sampler::new(100);
        s.record(99, 10, stack(0, 0, &[1]));
        assert_eq!(s.samples(None), 0, "not due yet");
        s.record(350, 40, stack(0, 1, &[1]));
        assert_eq!(s.samples(Some(1)), 3);
        assert_eq!(s.next, 400);
        assert_eq!(s.stacks.values().next().unwrap().instructions, 40);
    }

    #[test]
    fn folded_lines_name_the_label_then_outer_to_inner_and_count_per_region() {
        let mut s = Sampler::new(10);
        let l = s.label("bench");
        s.record(10, 1, stack(l, 1, &[UNKNOWN, UNKNOWN]));
        s.record(20, 2, stack(l, 2, &[UNKNOWN]));
        assert_eq!(s.folded(Some(1), &[]), "bench;?;? 1\n");
        assert_eq!(s.folded(None, &[]), "bench;? 1\nbench;?;? 1\n");
    }
}
