//! `monitor` commands (`qRcmd`): what only klab can show about a halted machine — its counters,
//! the modeled TLBs and caches, page walks, `satp`, regions, physical memory.
//!
//! Every command is read-only: it reads the machine's state through accessors that change
//! nothing (no modeled TLB or cache state, no counter, no A/D bit), so looking does not disturb
//! what is measured (`lab/tests/gdb.rs` runs them all in the middle of a run and compares its
//! statistics with an undebugged run's).

use std::fmt::Write;

use emu::Machine;
use emu::hart::Privilege;
use emu::hart::csr::satp;
use emu::mmu::sv39::{self, pte};
use emu::stats::{Counts, Event, Key};
use gdbstub::target::ext::monitor_cmd::{ConsoleOutput, MonitorCmd};

use super::target::{Fatal, KlabTarget};

/// Bytes `phys` dumps by default, and at most.
const PHYS_DEFAULT: u64 = 64;
const PHYS_MAX: u64 = 4096;

const HELP: &str = "\
klab monitor commands (read-only: they change nothing the run measures)
  stats            counters so far: instructions, cycles and events, by mode and by address space
  tlb              the modeled TLBs' entries (ITLB, DTLB, L2 TLB)
  cache            occupancy, accesses and misses of each modeled cache
  walk VA          the Sv39 walk of VA under the current satp, level by level
  satp             satp decoded: mode, ASID, root page table
  regions          the statistics of each marker region so far
  phys ADDR [LEN]  hex dump of LEN bytes of physical memory (default 64, at most 4096)
  help             this list
Numbers are decimal or 0x-prefixed hexadecimal.
";

impl MonitorCmd for KlabTarget<'_> {
    fn handle_monitor_cmd(&mut self, cmd: &[u8], mut out: ConsoleOutput<'_>) -> Result<(), Fatal> {
        let text = run(self.m, &String::from_utf8_lossy(cmd));
        for line in text.lines() {
            gdbstub::outputln!(out, "{}", line);
        }
        Ok(())
    }
}

/// The output of monitor command `cmd` on `m`.
pub fn run(m: &Machine, cmd: &str) -> String {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    let result = match words.as_slice() {
        [] | ["help"] => Ok(HELP.to_string()),
        ["stats"] => Ok(stats(m)),
        ["tlb"] => Ok(tlb(m)),
        ["cache"] => Ok(cache(m)),
        ["satp"] => Ok(satp_text(m)),
        ["regions"] => Ok(regions(m)),
        ["walk", va] => number(va).map(|va| walk(m, va)),
        ["phys", addr] => number(addr).and_then(|a| phys(m, a, PHYS_DEFAULT)),
        ["phys", addr, len] => number(addr).and_then(|a| number(len).and_then(|l| phys(m, a, l))),
        [other, ..] => Err(format!(
            "unknown command or arguments `{}` (`monitor help` lists them)",
            other
        )),
    };
    result.unwrap_or_else(|e| format!("error: {e}\n"))
}

/// Parses a decimal or `0x` hexadecimal number.
fn number(s: &str) -> Result<u64, String> {
    let t = s.replace('_', "");
    let r = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => t.parse(),
    };
    r.map_err(|_| format!("`{s}` is not a number (decimal or 0x hexadecimal)"))
}

/// `name value` pairs of the nonzero events of `c`.
fn events(c: &Counts) -> String {
    Event::ALL
        .iter()
        .filter(|&&e| c.get(e) != 0)
        .map(|&e| format!("{} {}", e.name(), c.get(e)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn counts_line(c: &Counts) -> String {
    let ev = events(c);
    let sep = if ev.is_empty() { "" } else { "; " };
    format!(
        "instructions {}, cycles {}{sep}{ev}",
        c.instructions, c.cycles
    )
}

/// The name of address space `i`: its `satp` root and ASID, and the guest's name for it.
fn space_name(m: &Machine, i: usize) -> String {
    let spaces = m.stats.spaces();
    let Some(s) = spaces.get(i) else {
        return format!("#{i}");
    };
    let name = s
        .name
        .as_deref()
        .map_or(String::new(), |n| format!(" \"{n}\""));
    if s.root == 0 {
        format!("#{i} bare{name}")
    } else {
        format!("#{i} root {:#x} asid {}{name}", s.root, s.asid)
    }
}

fn live(m: &Machine) -> Vec<(Key, Counts)> {
    m.stats.live_buckets(m.retired, m.cycles())
}

fn stats(m: &Machine) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} instructions retired, {} exceptions, {} interrupts, {} cycles (profile {} {}, timing {})",
        m.retired,
        m.exceptions,
        m.interrupts,
        m.cycles(),
        m.profile.name,
        m.profile.hash(),
        if m.profile.timing { "on" } else { "off" }
    );
    let buckets = live(m);
    let _ = writeln!(o, "by mode:");
    for mode in [Privilege::User, Privilege::Supervisor, Privilege::Machine] {
        let mut c = Counts::default();
        for (k, b) in &buckets {
            if k.mode == mode {
                c.add(b);
            }
        }
        let _ = writeln!(o, "  {}: {}", mode.letter(), counts_line(&c));
    }
    let _ = writeln!(o, "by address space:");
    for i in 0..m.stats.spaces().len() {
        let mut c = Counts::default();
        for (k, b) in &buckets {
            if k.space == i {
                c.add(b);
            }
        }
        if c.instructions > 0 || c.cycles > 0 {
            let _ = writeln!(o, "  {}: {}", space_name(m, i), counts_line(&c));
        }
    }
    let (root, asid) = m.address_space();
    let _ = writeln!(
        o,
        "now: {}-mode, pc {:#x}, address space root {root:#x} asid {asid}",
        m.hart.privilege.letter(),
        m.hart.pc
    );
    o
}

fn regions(m: &Machine) -> String {
    let buckets = live(m);
    let mut ids: Vec<u64> = buckets
        .iter()
        .map(|(k, _)| k.region)
        .filter(|&r| r != 0)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return "no region markers have run yet (marker 1 begins a region)\n".into();
    }
    let mut o = String::new();
    for id in ids {
        let mut total = Counts::default();
        for (_, b) in buckets.iter().filter(|(k, _)| k.region == id) {
            total.add(b);
        }
        let _ = writeln!(o, "region {id}: {}", counts_line(&total));
        for (k, b) in buckets.iter().filter(|(k, _)| k.region == id) {
            if b.instructions > 0 || b.cycles > 0 {
                let _ = writeln!(
                    o,
                    "  {} {}: {}",
                    k.mode.letter(),
                    space_name(m, k.space),
                    counts_line(b)
                );
            }
        }
    }
    o
}

/// `rwxugad` flags of a PTE, `-` for clear bits.
fn flags(p: u64) -> String {
    [
        (pte::R, 'r'),
        (pte::W, 'w'),
        (pte::X, 'x'),
        (pte::U, 'u'),
        (pte::G, 'g'),
        (pte::A, 'a'),
        (pte::D, 'd'),
    ]
    .iter()
    .map(|&(bit, c)| if p & bit != 0 { c } else { '-' })
    .collect()
}

const PAGE_NAMES: [&str; 3] = ["4 KiB", "2 MiB", "1 GiB"];

fn tlb(m: &Machine) -> String {
    let tlbs = m.tlbs();
    if tlbs.is_empty() {
        return "no modeled TLBs: the machine runs with --timing off\n".into();
    }
    let mut o = String::new();
    for (name, t) in tlbs {
        let c = t.config();
        let entries: Vec<_> = t.entries().collect();
        let st = t.stats();
        let _ = writeln!(
            o,
            "{name}: {} entries, {} ways ({} sets), {:?} replacement; {} valid; lookups {}, hits {}, misses {}, flushed {}, evicted {}",
            c.entries,
            c.ways,
            t.sets(),
            c.replacement,
            entries.len(),
            st.lookups,
            st.hits,
            st.misses,
            st.flushes,
            st.evictions
        );
        for (slot, e) in entries {
            let shift = 12 + 9 * u32::from(e.level);
            let va = sign_extend_va(e.vpn << shift);
            let pa = (sv39::ppn(e.pte) << 12) & !((1u64 << shift) - 1);
            let asid = if e.global {
                "global".to_string()
            } else {
                format!("asid {}", e.asid)
            };
            let _ = writeln!(
                o,
                "  slot {slot:3}: va {va:#018x} -> pa {pa:#x}  {} page, {asid}, {}",
                PAGE_NAMES[usize::from(e.level).min(2)],
                flags(e.pte)
            );
        }
    }
    o
}

/// An Sv39 virtual address from its page bits: bits 63:39 copy bit 38.
fn sign_extend_va(va: u64) -> u64 {
    (((va << 25) as i64) >> 25) as u64
}

fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} B"),
    }
}

fn cache(m: &Machine) -> String {
    let caches = m.caches();
    if caches.is_empty() {
        return "no modeled caches: the machine runs with --timing off (or the profile has none)\n"
            .into();
    }
    let mut total = Counts::default();
    for (_, b) in live(m) {
        total.add(&b);
    }
    let mut o = String::new();
    for (name, c) in caches {
        let cfg = c.config();
        let lines = c.sets() * u64::from(cfg.ways);
        let valid = c.valid_lines() as u64;
        let dirty = c.lines().filter(|l| l.3).count();
        let (acc, miss, wb) = match name {
            "L1I" => (Event::L1iAccess, Event::L1iMiss, None),
            "L1D" => (Event::L1dAccess, Event::L1dMiss, Some(Event::L1dWriteback)),
            _ => (Event::L2Access, Event::L2Miss, Some(Event::L2Writeback)),
        };
        let (a, mi) = (total.get(acc), total.get(miss));
        let rate = if a > 0 {
            format!(" ({:.2}%)", 100.0 * mi as f64 / a as f64)
        } else {
            String::new()
        };
        let wb = wb.map_or(String::new(), |e| format!(", write-backs {}", total.get(e)));
        let _ = writeln!(
            o,
            "{name}: {} {}-way, {} B lines, {:?}: {valid}/{lines} lines valid ({:.1}%), {dirty} dirty; accesses {a}, misses {mi}{rate}{wb}",
            size_text(cfg.size),
            cfg.ways,
            cfg.line,
            cfg.replacement,
            100.0 * valid as f64 / lines.max(1) as f64,
        );
    }
    o
}

fn satp_text(m: &Machine) -> String {
    let s = m.hart.csr.satp;
    let mode = s >> satp::MODE_SHIFT;
    let asid = (s >> satp::ASID_SHIFT) & 0xffff;
    let ppn = s & satp::PPN_MASK;
    let mut o = format!("satp = {s:#018x}: ");
    match mode {
        satp::MODE_BARE => o.push_str("MODE Bare (no translation)\n"),
        satp::MODE_SV39 => {
            let _ = writeln!(
                o,
                "MODE Sv39, ASID {asid} ({} ASID bits implemented), root page table PPN {ppn:#x} at {:#x}",
                m.asid_bits(),
                ppn << 12
            );
        }
        other => {
            let _ = writeln!(o, "MODE {other} (not implemented)");
        }
    }
    let active = if m.translation_active() { "on" } else { "off" };
    let (root, a) = m.address_space();
    let name = m
        .stats
        .spaces()
        .iter()
        .find(|sp| sp.root == root && sp.asid == a)
        .and_then(|sp| sp.name.clone())
        .map_or(String::new(), |n| format!(", named \"{n}\" by the guest"));
    let _ = writeln!(
        o,
        "the hart is in {}-mode: data translation {active}{name}",
        m.hart.privilege.letter()
    );
    o
}

fn walk(m: &Machine, va: u64) -> String {
    let s = m.hart.csr.satp;
    let mut o = String::new();
    if s >> satp::MODE_SHIFT != satp::MODE_SV39 {
        return format!("satp = {s:#x}: MODE is Bare, VA {va:#x} is PA {va:#x}\n");
    }
    let _ = writeln!(
        o,
        "walk of VA {va:#x} under satp {s:#x} (root {:#x}): VPN[2] {}, VPN[1] {}, VPN[0] {}, offset {:#x}",
        (s & satp::PPN_MASK) << 12,
        sv39::vpn(va, 2),
        sv39::vpn(va, 1),
        sv39::vpn(va, 0),
        va & 0xfff
    );
    let (steps, result) = m.debug_walk(va);
    for st in &steps {
        match st.pte {
            Some(p) => {
                let what = if p & pte::V == 0 {
                    "invalid".to_string()
                } else if p & (pte::R | pte::X) == 0 {
                    format!("pointer to the next table at {:#x}", sv39::ppn(p) << 12)
                } else {
                    format!("leaf, page at {:#x}", sv39::ppn(p) << 12)
                };
                let _ = writeln!(
                    o,
                    "  level {}: PTE at {:#x} = {p:#018x}  {} {what}",
                    st.level,
                    st.pte_addr,
                    flags(p)
                );
            }
            None => {
                let _ = writeln!(
                    o,
                    "  level {}: PTE at {:#x} is not in RAM (access fault)",
                    st.level, st.pte_addr
                );
            }
        }
    }
    match result {
        Ok(t) => {
            let _ = writeln!(
                o,
                "PA {:#x} ({} page, {}{})",
                t.paddr,
                PAGE_NAMES[t.level.min(2)],
                flags(t.pte),
                if t.global { ", global" } else { "" }
            );
        }
        Err(trap) => {
            let _ = writeln!(o, "fault: {} (tval {:#x})", trap.cause.name(), trap.tval);
        }
    }
    o
}

fn phys(m: &Machine, addr: u64, len: u64) -> Result<String, String> {
    if len == 0 || len > PHYS_MAX {
        return Err(format!("LEN must be 1 to {PHYS_MAX}"));
    }
    let mut buf = vec![0u8; len as usize];
    if !m.read_physical(addr, &mut buf) {
        return Err(format!(
            "{addr:#x}..{:#x} is not all RAM (RAM is {:#x}..{:#x})",
            addr.saturating_add(len),
            emu::memmap::RAM_BASE,
            emu::memmap::RAM_BASE + m.bus.ram.len() as u64
        ));
    }
    let mut o = String::new();
    for (i, row) in buf.chunks(16).enumerate() {
        let hex: Vec<String> = row.iter().map(|b| format!("{b:02x}")).collect();
        let ascii: String = row
            .iter()
            .map(|&b| {
                if (0x20..0x7f).contains(&b) {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        let _ = writeln!(
            o,
            "{:#012x}: {:<47}  {ascii}",
            addr + 16 * i as u64,
            hex.join(" ")
        );
    }
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_decimal_or_hexadecimal() {
        assert_eq!(number("4096"), Ok(4096));
        assert_eq!(number("0x8000_0000"), Ok(0x8000_0000));
        assert!(number("0xg").is_err() && number("-1").is_err() && number("").is_err());
    }

    #[test]
    fn pte_flags_read_in_spec_order() {
        assert_eq!(flags(pte::R | pte::X | pte::U | pte::A), "r-xu-a-");
        assert_eq!(flags(0), "-------");
    }

    #[test]
    fn va_bits_above_38_copy_bit_38() {
        assert_eq!(sign_extend_va(0x40_0000_0000), 0xffff_ffc0_0000_0000);
        assert_eq!(sign_extend_va(0x4001_0000), 0x4001_0000);
    }
}
