//! `klab run --trace FILE` (`-`: stdout): a commit log in Spike's `--log-commits` format, one line per retired
//! instruction, and one per trap or interrupt taken (as Spike's `-l` and QEMU's `-d int` show them):
//!
//! ```text
//! core   0: 3 0x0000000080000000 (0x00000297) x5  0x0000000080000000
//! core   0: 1 0x0000000080001234 (0x00b53023) mem 0x0000000080003000 0x0000000000000001
//! core   0: 0 0x0000000040010abc (0x0005b503) x10 0x0000000000000007 mem 0x000000004001f000
//! core   0: 1 0x0000000080001240 (0x18051073) c384_satp 0x8000000000080123
//! core   0: exception environment call from U-mode, epc 0x0000000040010ac0, tval 0x0000000000000000, U -> S
//! core   0: interrupt supervisor timer interrupt, epc 0x0000000040010ac4, tval 0x0000000000000000, U -> S
//! ```
//!
//! privilege (0 U, 1 S, 3 M), pc, instruction bits (4 hex digits for a compressed one), the
//! integer register written (`xN` and its new value), a CSR written (`cNUM_NAME` and its new
//! value, as Spike writes it), and the memory access: `mem ADDR` for a load, `mem ADDR VALUE`
//! for a store (an AMO has both; a failed SC none). An instruction that traps retires nothing:
//! its line is the `exception` line, with the cause, `xepc`, `xtval` and the privilege change
//! read from the CSRs of the privilege that took it; an interrupt taken before an instruction
//! has its `interrupt` line (after the instruction that made it due, if one did: a CSR value
//! logged on that instruction is then the one after the trap took it). With `--trace-disasm` each instruction line ends with `; ` and the
//! instruction in assembly ([`emu::hart::disasm`]: ABI register names, absolute targets).
//!
//! The window: `--trace-from` and `--trace-to` take a pc (`0x…`) or an instruction count
//! (decimal: instructions executed, retired or trapped). Tracing starts when the pc first reaches
//! the `from` pc (or the count reaches `from`) and stops before the pc next reaches the `to` pc
//! (or the count reaches `to`). Outside the window the machine runs at full speed.
//!
//! Tracing runs the machine one instruction at a time, which is slow but changes nothing it
//! counts (a slice may end anywhere without effect), so `--stats-json` is the same with and
//! without `--trace`.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use emu::hart::csr::{self, num};
use emu::hart::decode::decode32;
use emu::hart::decode_c::decode16;
use emu::hart::disasm;
use emu::hart::insn::{Insn, Op, SINK};
use emu::{DebugStop, Exit, Machine};

/// A window edge: a pc or an instruction count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    /// The pc reaches this address.
    Pc(u64),
    /// This many instructions have executed.
    Count(u64),
}

/// Parses `0xADDR` (a pc) or `N` (an instruction count).
pub fn parse_edge(s: &str) -> Result<Edge, String> {
    let bad = || format!("`{s}` is neither a pc (0x…) nor an instruction count");
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(&hex.replace('_', ""), 16)
            .map(Edge::Pc)
            .map_err(|_| bad()),
        None => s
            .replace('_', "")
            .parse()
            .map(Edge::Count)
            .map_err(|_| bad()),
    }
}

/// What to trace.
pub struct Options<'a> {
    /// The log file (`-`: stdout).
    pub file: &'a Path,
    /// Where tracing starts (`None`: at the first instruction).
    pub from: Option<Edge>,
    /// Where it stops (`None`: at the end of the run).
    pub to: Option<Edge>,
    /// Append the instruction in assembly.
    pub disasm: bool,
    /// `--max-insns`.
    pub limit: Option<u64>,
}

/// Runs `m` to its end, logging the window; how the run ended.
pub fn run(m: &mut Machine, o: &Options<'_>) -> anyhow::Result<Exit> {
    let mut out = crate::export::Sink::of(o.file).open()?;
    let limit = o.limit.unwrap_or(u64::MAX);
    if let Some(from) = o.from
        && let Some(exit) = run_until(m, from, o.limit)
    {
        return Ok(exit);
    }
    let exit = loop {
        if m.executed() >= limit {
            break Exit::InstructionLimit;
        }
        match o.to {
            Some(Edge::Pc(pc)) if m.hart.pc == pc => break run_rest(m, o.limit),
            Some(Edge::Count(n)) if m.executed() >= n => break run_rest(m, o.limit),
            _ => {}
        }
        match step(m, o.disasm, &mut out).context("cannot write the trace")? {
            Some(exit) => break exit,
            None => continue,
        }
    };
    out.flush().context("cannot write the trace")?;
    Ok(exit)
}

/// Runs at full speed until `edge`; `Some(exit)` if the run ended first.
fn run_until(m: &mut Machine, edge: Edge, limit: Option<u64>) -> Option<Exit> {
    match edge {
        Edge::Count(n) => match m.run(Some(limit.map_or(n, |l| n.min(l)))) {
            Exit::InstructionLimit if limit.is_none_or(|l| n <= l) => None,
            exit => Some(exit),
        },
        Edge::Pc(pc) => {
            if m.hart.pc == pc {
                return None;
            }
            m.add_breakpoint(pc);
            let exit = loop {
                match m.run(limit) {
                    Exit::Debug(DebugStop::Breakpoint { .. }) => break None,
                    Exit::Debug(_) => continue,
                    exit => break Some(exit),
                }
            };
            m.remove_breakpoint(pc);
            exit
        }
    }
}

/// Runs the rest of the run untraced.
fn run_rest(m: &mut Machine, limit: Option<u64>) -> Exit {
    loop {
        match m.run(limit) {
            Exit::Debug(_) => continue,
            exit => return exit,
        }
    }
}

/// The instruction at the pc: its bits and decoded form, if its bytes are readable.
fn fetch(m: &Machine) -> Option<(u32, Insn)> {
    let mut b = [0u8; 4];
    let n = m.debug_read(m.hart.pc, &mut b);
    let lo = u32::from(u16::from_le_bytes([b[0], b[1]]));
    if n >= 2 && lo & 3 != 3 {
        return Some((lo, decode16(lo)));
    }
    (n == 4).then(|| {
        let w = u32::from_le_bytes(b);
        (w, decode32(w))
    })
}

/// The bytes a load or store of `op` moves, and whether it loads and stores.
fn access(op: Op) -> Option<(u64, bool, bool)> {
    use Op::*;
    Some(match op {
        Lb | Lbu => (1, true, false),
        Lh | Lhu => (2, true, false),
        Lw | Lwu => (4, true, false),
        Ld => (8, true, false),
        Sb => (1, false, true),
        Sh => (2, false, true),
        Sw => (4, false, true),
        Sd => (8, false, true),
        LrW => (4, true, false),
        LrD => (8, true, false),
        ScW => (4, false, true),
        ScD => (8, false, true),
        AmoswapW | AmoaddW | AmoxorW | AmoandW | AmoorW | AmominW | AmomaxW | AmominuW
        | AmomaxuW => (4, true, true),
        AmoswapD | AmoaddD | AmoxorD | AmoandD | AmoorD | AmominD | AmomaxD | AmominuD
        | AmomaxuD => (8, true, true),
        _ => return None,
    })
}

/// Executes one instruction and logs it if it retires; `Some(exit)` if the run ended.
fn step(m: &mut Machine, disasm: bool, out: &mut impl Write) -> std::io::Result<Option<Exit>> {
    // Take whatever interrupt is due first, so the instruction logged is the one that runs.
    let interrupts = m.interrupts;
    match m.run(Some(m.executed())) {
        Exit::InstructionLimit | Exit::Debug(_) => {}
        exit => return Ok(Some(exit)),
    }
    if m.interrupts != interrupts {
        trap_line(m, out)?;
    }
    let (pc, privilege, retired) = (m.hart.pc, m.hart.privilege as u8, m.retired);
    let decoded = fetch(m);
    let (addr, store_value) = match decoded.and_then(|(_, i)| access(i.op).map(|a| (i, a))) {
        Some((i, (size, _, _))) => {
            let base = m.hart.reg(i.rs1);
            let addr = if matches!(i.op, Op::LrW | Op::LrD | Op::ScW | Op::ScD)
                || access(i.op).is_some_and(|a| a.1 && a.2)
            {
                base
            } else {
                base.wrapping_add(i.imm as i64 as u64)
            };
            let mask = if size == 8 {
                u64::MAX
            } else {
                (1 << (8 * size)) - 1
            };
            (Some(addr), m.hart.reg(i.rs2) & mask)
        }
        None => (None, 0),
    };
    let interrupts = m.interrupts;
    let exit = match m.step() {
        Exit::InstructionLimit | Exit::Debug(_) => None,
        exit => Some(exit),
    };
    // An interrupt the instruction made due (enabled, or made pending) is taken right after it:
    // its line follows the instruction's.
    let interrupted = m.interrupts != interrupts;
    if m.retired == retired {
        // It trapped (or nothing ran: the run had ended).
        if exit.is_none() && (m.hart.pc, m.hart.privilege as u8) != (pc, privilege) {
            trap_line(m, out)?;
        }
        return Ok(exit);
    }
    let Some((bits, insn)) = decoded else {
        writeln!(out, "core   0: {privilege} {pc:#018x} (unreadable)")?;
        return Ok(exit);
    };
    // As Spike prints them: as many hex digits as the instruction has bits / 4.
    let shown = if insn.len == 2 {
        format!("{:#06x}", bits & 0xffff)
    } else {
        format!("{bits:#010x}")
    };
    write!(out, "core   0: {privilege} {pc:#018x} ({shown})")?;
    if insn.op.writes_rd() && insn.rd != 0 && insn.rd != SINK {
        let rd = format!("x{}", insn.rd);
        write!(out, " {rd:<3} {:#018x}", m.hart.reg(insn.rd))?;
    }
    if let (Some(addr), Some((size, load, store))) = (addr, access(insn.op)) {
        let sc_failed =
            matches!(insn.op, Op::ScW | Op::ScD) && insn.rd != SINK && m.hart.reg(insn.rd) != 0;
        if load {
            write!(out, " mem {addr:#018x}")?;
        }
        if store && !sc_failed {
            let mut b = [0u8; 8];
            let value = if load && m.debug_read(addr, &mut b[..size as usize]) == size as usize {
                u64::from_le_bytes(b) // an AMO: what it left in memory
            } else {
                store_value
            };
            write!(
                out,
                " mem {addr:#018x} {value:#0w$x}",
                w = 2 + 2 * size as usize
            )?;
        }
    }
    if let Some(n) = csr_written(&insn) {
        let name = csr::display_name(n);
        if let Some(value) = m.debug_csr(n) {
            write!(out, " c{n}_{name} {value:#018x}")?;
        }
    }
    if disasm {
        write!(out, " ; {}", disasm::disasm(&insn, pc))?;
    }
    writeln!(out)?;
    if interrupted {
        trap_line(m, out)?;
    }
    Ok(exit)
}

/// The CSR `insn` writes, if it writes one: `csrrw`/`csrrwi` always, the set and clear forms
/// unless their source is `x0` (or a zero immediate), as the specification defines.
fn csr_written(insn: &Insn) -> Option<u16> {
    let n = (insn.imm & 0xfff) as u16;
    match insn.op {
        Op::Csrrw | Op::Csrrwi => Some(n),
        Op::Csrrs | Op::Csrrc | Op::Csrrsi | Op::Csrrci if insn.rs1 != 0 => Some(n),
        _ => None,
    }
}

/// The line for a trap or interrupt just taken: the cause, `xepc` and `xtval` of the
/// privilege now running (the one that took it), and the privilege it came from
/// (`mstatus.MPP` or `sstatus.SPP`, which the trap has just set).
fn trap_line(m: &Machine, out: &mut impl Write) -> std::io::Result<()> {
    let to = m.hart.privilege as u8;
    let (cause, epc, tval) = if to == 3 {
        (num::MCAUSE, num::MEPC, num::MTVAL)
    } else {
        (num::SCAUSE, num::SEPC, num::STVAL)
    };
    let read = |n| m.debug_csr(n).unwrap_or(0);
    let cause = read(cause);
    let status = read(num::MSTATUS);
    let from = if to == 3 {
        ((status & csr::mstatus::MPP) >> csr::mstatus::MPP_SHIFT) as u8
    } else {
        u8::from(status & csr::mstatus::SPP != 0)
    };
    let kind = if cause >> 63 == 1 {
        "interrupt"
    } else {
        "exception"
    };
    let mode = |p: u8| match p {
        0 => 'U',
        1 => 'S',
        _ => 'M',
    };
    writeln!(
        out,
        "core   0: {kind} {}, epc {:#018x}, tval {:#018x}, {} -> {}",
        emu::trap::cause_name(cause),
        read(epc),
        read(tval),
        mode(from),
        mode(to)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_are_pcs_in_hex_and_counts_in_decimal() {
        assert_eq!(parse_edge("0x8000_0000"), Ok(Edge::Pc(0x8000_0000)));
        assert_eq!(parse_edge("1_000"), Ok(Edge::Count(1000)));
        assert!(parse_edge("0xzz").is_err() && parse_edge("ten").is_err());
    }
}
