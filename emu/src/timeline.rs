//! The timeline of one operation: the phases a kernel engineer reads (user, trap, kernel,
//! address-space switch, server, return), with cycle and instruction stamps, derived from the
//! machine's own events — privilege changes, `satp` writes, `sfence.vma` and the operation
//! boundary marker — never from markers inside a kernel.
//!
//! The machine records a [`Stamp`] at each boundary while the chosen operation runs (see
//! `machine::record`); [`phases`] turns the stamps into [`Phase`]s. A phase is the difference of
//! two consecutive stamps, so the phases add up exactly to the operation's cycles,
//! instructions and events.
//!
//! How the model's charges fall: a trap's entry charge is its own `trap` phase (the trapping
//! `ecall` retires nothing); an xRET's charge is its own `sret`/`mret` phase, and the xRET
//! instruction itself retires, with its issue cycle, at the start of the phase that follows. A
//! block's static costs are booked when the block is entered, so a boundary inside a block
//! leaves the rest of that block's static cycles in the phase before it.
//!
//! Left out: anything finer than a phase (per-instruction costs are the symbol profile's job).

use serde::{Deserialize, Serialize};

use crate::hart::Privilege;

/// Where a stamp was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Boundary {
    /// The operation boundary marker that starts the operation.
    OpStart,
    /// The operation boundary marker that ends it.
    OpEnd,
    /// A trap is about to be taken (before its entry charge); `cause` as `xcause` has it.
    TrapEnter {
        /// The cause register's value (bit 63 set for an interrupt).
        cause: u64,
    },
    /// The trap was taken: the handler's first instruction is next.
    TrapTaken,
    /// An `sret` or `mret` is about to be charged (in the mode it returns from).
    XretEnter,
    /// The xRET is done: the mode it returned to runs next.
    XretDone,
    /// `satp` was just written (the space is the new one), before the write's charge.
    SatpWrite,
    /// The `satp` write's charge is spent.
    SatpDone,
    /// An `sfence.vma` is about to be charged.
    FenceEnter,
    /// The `sfence.vma` is done.
    FenceDone,
}

/// Running totals of the events a phase shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Page walks (TLB refills from the page tables).
    pub walks: u64,
    /// L1 instruction cache misses.
    pub l1i_misses: u64,
    /// L1 data cache misses.
    pub l1d_misses: u64,
    /// L2 cache misses.
    pub l2_misses: u64,
}

impl Tally {
    /// The events since `earlier` (wrapping: counts a block booked ahead and took back may make
    /// a difference negative in principle; the phases still add up exactly).
    fn since(&self, earlier: &Tally) -> Tally {
        Tally {
            walks: self.walks.wrapping_sub(earlier.walks),
            l1i_misses: self.l1i_misses.wrapping_sub(earlier.l1i_misses),
            l1d_misses: self.l1d_misses.wrapping_sub(earlier.l1d_misses),
            l2_misses: self.l2_misses.wrapping_sub(earlier.l2_misses),
        }
    }
}

/// The machine's state at a boundary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// What happened here.
    pub boundary: Boundary,
    /// Instructions retired so far.
    pub instructions: u64,
    /// Cycles so far.
    pub cycles: u64,
    /// Event totals so far.
    pub tally: Tally,
    /// The privilege mode at the stamp.
    pub mode: Privilege,
    /// The address space at the stamp: `satp` root and ASID.
    pub space: (u64, u16),
}

/// What kind of work a phase is (the chart colours phases by kind).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PhaseKind {
    /// U-mode in the address space the operation started in.
    User,
    /// A trap's entry charge.
    Trap,
    /// S-mode.
    Kernel,
    /// A `satp` write, with the `sfence.vma` that follows it.
    Switch,
    /// An `sfence.vma` on its own.
    Fence,
    /// U-mode in another address space (a server, or another process).
    Server,
    /// An `sret` or `mret` charge.
    Return,
    /// M-mode (firmware work such as the timer).
    Machine,
}

impl PhaseKind {
    /// Every kind, in legend order.
    pub const ALL: [PhaseKind; 8] = [
        PhaseKind::User,
        PhaseKind::Trap,
        PhaseKind::Kernel,
        PhaseKind::Switch,
        PhaseKind::Fence,
        PhaseKind::Server,
        PhaseKind::Return,
        PhaseKind::Machine,
    ];

    /// Its name in legends.
    pub const fn name(self) -> &'static str {
        match self {
            PhaseKind::User => "user",
            PhaseKind::Trap => "trap",
            PhaseKind::Kernel => "kernel",
            PhaseKind::Switch => "address-space switch",
            PhaseKind::Fence => "sfence.vma",
            PhaseKind::Server => "server",
            PhaseKind::Return => "xret",
            PhaseKind::Machine => "machine",
        }
    }
}

/// One phase of an operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Phase {
    /// What kind of work it is.
    pub kind: PhaseKind,
    /// How a kernel engineer names it: `user (bench)`, `trap (ecall from U)`, `kernel`, ….
    pub label: String,
    /// The privilege mode it runs in: `U`, `S` or `M`.
    pub mode: char,
    /// The address space's name (from the naming marker), or its root page table's address.
    pub space: String,
    /// Its first cycle, counted from the operation's start.
    pub start_cycle: u64,
    /// Its first instruction, counted from the operation's start.
    pub start_instruction: u64,
    /// Cycles.
    pub cycles: u64,
    /// Instructions retired.
    pub instructions: u64,
    /// Page walks (TLB refills).
    pub tlb_walks: u64,
    /// L1 instruction cache misses.
    pub l1i_misses: u64,
    /// L1 data cache misses.
    pub l1d_misses: u64,
    /// L2 cache misses.
    pub l2_misses: u64,
}

impl Phase {
    /// Its numbers in the order tables show them: start cycle, cycles, instructions, start
    /// instruction, TLB walks, L1I, L1D and L2 misses.
    pub fn numbers(&self) -> [u64; 8] {
        [
            self.start_cycle,
            self.cycles,
            self.instructions,
            self.start_instruction,
            self.tlb_walks,
            self.l1i_misses,
            self.l1d_misses,
            self.l2_misses,
        ]
    }
}

/// The timeline of operation `op` of region 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Timeline {
    /// The operation's number (1 is the first operation measured).
    pub op: u64,
    /// Its cycles (the phases add up to this).
    pub cycles: u64,
    /// Its instructions (the phases add up to this).
    pub instructions: u64,
    /// Its phases, in order.
    pub phases: Vec<Phase>,
}

impl Timeline {
    /// How many phases of `kind` it has.
    pub fn count(&self, kind: PhaseKind) -> usize {
        self.phases.iter().filter(|p| p.kind == kind).count()
    }
}

/// A short name of trap cause `cause` (as `xcause` holds it).
pub fn cause_name(cause: u64) -> &'static str {
    let code = cause & !(1 << 63);
    if cause >> 63 != 0 {
        return match code {
            1 => "S software interrupt",
            3 => "M software interrupt",
            5 => "S timer interrupt",
            7 => "M timer interrupt",
            9 => "S external interrupt",
            11 => "M external interrupt",
            13 => "counter overflow",
            _ => "interrupt",
        };
    }
    match code {
        0 => "misaligned fetch",
        1 => "fetch access fault",
        2 => "illegal instruction",
        3 => "breakpoint",
        4 | 6 => "misaligned access",
        5 | 7 => "access fault",
        8 => "ecall from U",
        9 => "ecall from S",
        11 => "ecall from M",
        12 => "fetch page fault",
        13 => "load page fault",
        15 => "store page fault",
        _ => "exception",
    }
}

/// The phases between the first stamp (the operation's start) and the last, named with
/// `name_of` (the address space's name, if the guest gave one). Consecutive phases of the same
/// kind, label and space are merged.
pub fn phases(stamps: &[Stamp], name_of: impl Fn((u64, u16)) -> Option<String>) -> Vec<Phase> {
    let Some(first) = stamps.first() else {
        return Vec::new();
    };
    let home = first.space;
    let space_name = |s: (u64, u16)| name_of(s).unwrap_or_else(|| format!("root {:#x}", s.0));
    let mut out: Vec<Phase> = Vec::new();
    for pair in stamps.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let space = space_name(a.space);
        let previous = out.last().map(|p| p.kind);
        let (kind, label, mode) = match a.boundary {
            Boundary::TrapEnter { cause } => (
                PhaseKind::Trap,
                format!("trap ({})", cause_name(cause)),
                b.mode,
            ),
            Boundary::XretEnter => {
                let label = if a.mode == Privilege::Machine {
                    "mret"
                } else {
                    "sret"
                };
                (PhaseKind::Return, label.to_string(), a.mode)
            }
            Boundary::SatpWrite => (PhaseKind::Switch, switch_label(&space), a.mode),
            // What runs between a `satp` write and the fence after it belongs to the switch.
            Boundary::SatpDone if b.boundary == Boundary::FenceEnter => {
                (PhaseKind::Switch, switch_label(&space), a.mode)
            }
            Boundary::FenceEnter if previous == Some(PhaseKind::Switch) => {
                (PhaseKind::Switch, switch_label(&space), a.mode)
            }
            Boundary::FenceEnter => (PhaseKind::Fence, "sfence.vma".to_string(), a.mode),
            _ => match a.mode {
                Privilege::User if a.space == home => {
                    (PhaseKind::User, format!("user ({space})"), a.mode)
                }
                Privilege::User => (PhaseKind::Server, format!("server ({space})"), a.mode),
                Privilege::Supervisor => (PhaseKind::Kernel, "kernel".to_string(), a.mode),
                Privilege::Machine => (PhaseKind::Machine, "machine".to_string(), a.mode),
            },
        };
        let tally = b.tally.since(&a.tally);
        // Wrapping, as in `Tally::since`: a block's static cycles are booked when it is entered
        // and taken back if it is left early, so time may in principle step back at a boundary.
        let cycles = b.cycles.wrapping_sub(a.cycles);
        let instructions = b.instructions.wrapping_sub(a.instructions);
        if let Some(p) = out.last_mut()
            && p.kind == kind
            && p.label == label
            && p.space == space
        {
            p.cycles = p.cycles.wrapping_add(cycles);
            p.instructions = p.instructions.wrapping_add(instructions);
            p.tlb_walks = p.tlb_walks.wrapping_add(tally.walks);
            p.l1i_misses = p.l1i_misses.wrapping_add(tally.l1i_misses);
            p.l1d_misses = p.l1d_misses.wrapping_add(tally.l1d_misses);
            p.l2_misses = p.l2_misses.wrapping_add(tally.l2_misses);
            continue;
        }
        out.push(Phase {
            kind,
            label,
            mode: mode.letter(),
            space,
            start_cycle: a.cycles.wrapping_sub(first.cycles),
            start_instruction: a.instructions.wrapping_sub(first.instructions),
            cycles,
            instructions,
            tlb_walks: tally.walks,
            l1i_misses: tally.l1i_misses,
            l1d_misses: tally.l1d_misses,
            l2_misses: tally.l2_misses,
        });
    }
    out
}

fn switch_label(space: &str) -> String {
    format!("address-space switch → {space}")
}

/// The timeline of operation `op` from its stamps (the first at its start, the last at its
/// end).
pub fn timeline(
    op: u64,
    stamps: &[Stamp],
    name_of: impl Fn((u64, u16)) -> Option<String>,
) -> Timeline {
    let (cycles, instructions) = match (stamps.first(), stamps.last()) {
        (Some(a), Some(b)) => (
            b.cycles.wrapping_sub(a.cycles),
            b.instructions.wrapping_sub(a.instructions),
        ),
        _ => (0, 0),
    };
    Timeline {
        op,
        cycles,
        instructions,
        phases: phases(stamps, name_of),
    }
}

#[cfg(test)]
mod tests;
