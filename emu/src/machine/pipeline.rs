//! The in-order dual-issue pipeline model of the U74 class (`[core] model = "pipeline"`).
//!
//! Static part, computed once when a block is decoded (`schedule`): the block's instructions
//! issue in order, at most two per cycle, one to each of pipes A (loads, stores, AMOs, ALU) and
//! B (branches, jumps, multiply/divide, ALU); CSR instructions, fences, and `ecall`, `ebreak`,
//! xRET, `wfi`, `sfence.vma` issue alone and hold the issue stage their `[cost]` cycles. An
//! instruction issues when its operands are ready: each register has an *early* ready cycle (for
//! address, multiplier, divider and CSR operands) and a *late* one, `late_bypass` sooner (for
//! ALU operations, branches, `jalr` and store data: the U74's late ALU). An ALU operation whose
//! operands were ready early gives its result the next cycle to everyone; otherwise it runs in
//! the late ALU and address readers see it `alu_late` cycles after issue. The divider is busy
//! for a divide's whole latency. Conditional branches are scheduled as not taken.
//!
//! The schedule becomes each instruction's cost in *ticks*, half cycles (`TICK_SHIFT`): an
//! instruction issued alone costs twice the cycles from the previous group to its own, a pair
//! costs that minus one for its first and one for its second. So every instruction costs at
//! least one tick and the suffix sums of `threaded::Suffix` keep working: a block books its
//! static ticks at entry and takes back those of the instructions it leaves unexecuted. Leaving
//! after the first of a pair gives back one tick too many, which `Slot::paired` lets the taken
//! branch add again.
//!
//! Dynamic part, at run time, and only there:
//! - *carry*: each instruction records the (at most two) registers still not ready when its
//!   group ends, with their delays (`Carry`, kept beside the block in its code page so that a
//!   `Decoded` stays 32 bytes); the block left after it hands them to the next block, which
//!   stalls for the first of its instructions that reads one too early (`carry_stall`, a walk
//!   over the block's first instructions, whose issue cycles follow from the ticks booked);
//! - the *branch predictor* (`Predictor`): a bimodal history table of 2-bit counters, a
//!   direct-mapped target buffer and a return-address stack; a mispredicted branch or jump costs
//!   `mispredict` cycles, an additive penalty counted as `Event::BranchMispredict`.
//!
//! Trap entry, an exception's or an interrupt's, drops the carry: it flushes the pipeline, and
//! what was in flight lands during the trap penalty.
//!
//! Every group ends on an even tick count. A pair broken after its first instruction (the second
//! trapped, or an interrupt or a slice stop came between them and the block is not resumed) owes
//! its group's last tick: trap entry and the entry of a fresh block spend it (`end_group`), in the
//! place where the pair ran. So every place boundary (a trap, an xRET, a `satp` write, a region
//! marker) falls at a tick parity that depends only on the instructions around it, and each
//! place's cycles under another penalty value differ by exactly the change times that place's
//! events, which the per-place bands rely on.
//!
//! At block boundaries: a block ends at a jump (fetch is redirected, so the target cannot issue
//! with it on hardware either), at a serial instruction (which issues alone anyway), at a page
//! end or after `MAX_BLOCK` instructions; a taken branch leaves its block from the middle (a
//! redirect again). So a group that could have spanned two blocks is possible only at the last
//! two boundaries, which the model leaves out: there a block's first group never pairs with the
//! previous block's last.
//!
//! Left out besides: a divide still busy when its block ends does not hold the divider in the
//! next; carried delays are capped at 31 cycles, and a serial instruction's issue cycle is taken
//! as its last held cycle when a carried register is looked up; a correctly predicted taken
//! branch or jump costs no fetch bubble beyond ending its issue group (SiFive's core manuals
//! state this of their branch predictors, "correctly predicted control-flow instructions result
//! in no penalty"; the U74's own manual was not found); instructions fetched outside blocks (a
//! page cut by a PMP boundary) cost one tick.

use crate::hart::insn::{Insn, Op, SINK};
use crate::profile::{Costs, PipelineParams};

/// Ticks per cycle are `1 << TICK_SHIFT` under the pipeline model (one under the simple one).
pub(crate) const TICK_SHIFT: u32 = 1;

/// How an instruction uses the pipes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// Either pipe; its result is ready early or late depending on its operands.
    Alu,
    /// Pipe A only: loads, stores, AMOs, LR/SC.
    Mem,
    /// Pipe B only: branches, jumps, multiplies.
    PipeB,
    /// Pipe B and the divider.
    Div,
    /// Alone, for `occupancy` cycles.
    Serial,
}

/// When an operand is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Read {
    /// Not read.
    None,
    /// Read early: addresses, multiplier, divider and CSR operands.
    Early,
    /// Read late: ALU, branch, `jalr` and store-data operands.
    Late,
}

/// How `op` reads `rs1` and `rs2`.
pub(crate) const fn reads(op: Op) -> (Read, Read) {
    use Op::*;
    use Read::*;
    match op {
        Lui | Auipc | Jal | Fence | FenceI | Ecall | Ebreak | Mret | Sret | Wfi | Illegal
        | CrossPage | Csrrwi | Csrrsi | Csrrci => (None, None),
        Jalr | Addi | Slti | Sltiu | Xori | Ori | Andi | Slli | Srli | Srai | Addiw | Slliw
        | Srliw | Sraiw | Marker => (Late, None),
        Beq | Bne | Blt | Bge | Bltu | Bgeu | Add | Sub | Sll | Slt | Sltu | Xor | Srl | Sra
        | Or | And | Addw | Subw | Sllw | Srlw | Sraw => (Late, Late),
        Lb | Lh | Lw | Ld | Lbu | Lhu | Lwu | LrW | LrD | Csrrw | Csrrs | Csrrc => (Early, None),
        Sb | Sh | Sw | Sd => (Early, Late),
        SfenceVma => (Early, Early),
        // Multiply, divide, SC and AMOs: both operands early.
        _ => (Early, Early),
    }
}

/// The class of `op` and, for serial instructions, how long they hold the issue stage.
fn class(op: Op, cost: &Costs) -> (Class, u32) {
    use Op::*;
    match op {
        Lb | Lh | Lw | Ld | Lbu | Lhu | Lwu | Sb | Sh | Sw | Sd => (Class::Mem, 1),
        op if op.is_atomic() => (Class::Mem, 1),
        Beq | Bne | Blt | Bge | Bltu | Bgeu | Jal | Jalr | Mul | Mulh | Mulhsu | Mulhu | Mulw => {
            (Class::PipeB, 1)
        }
        Div | Divu | Rem | Remu | Divw | Divuw | Remw | Remuw => (Class::Div, 1),
        Csrrw | Csrrs | Csrrc | Csrrwi | Csrrsi | Csrrci => (Class::Serial, cost.csr),
        Fence | FenceI => (Class::Serial, cost.fence),
        Ecall | Ebreak | Mret | Sret | Wfi | SfenceVma => (Class::Serial, cost.system),
        Illegal | CrossPage => (Class::Serial, 1),
        _ => (Class::Alu, 1),
    }
}

/// The result latency of `op` issued at a cycle, for early and late readers; `alu_early`: an
/// ALU operation whose operands were all ready early.
fn latency(op: Op, p: &PipelineParams, alu_early: bool) -> (u32, u32) {
    use Op::*;
    let with_bypass = |l: u32| (l, l.saturating_sub(p.late_bypass).max(1));
    match op {
        Lb | Lh | Lw | Ld | Lbu | Lhu | Lwu => with_bypass(p.load_use),
        Mul | Mulh | Mulhsu | Mulhu | Mulw => with_bypass(p.mul),
        Div | Divu | Rem | Remu => with_bypass(p.div_64),
        Divw | Divuw | Remw | Remuw => with_bypass(p.div_32),
        Csrrw | Csrrs | Csrrc | Csrrwi | Csrrsi | Csrrci => (p.csr_read, p.csr_read),
        Jal | Jalr => (1, 1),
        op if op.is_atomic() => with_bypass(p.load_use),
        _ if alu_early => (1, 1),
        _ => (p.alu_late, 1),
    }
}

/// Registers still not ready when a block is left, with their delays in cycles from the next
/// block's first group (early, late): at most two, each packed `reg << 10 | early << 5 | late`,
/// 0 for none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Carry(pub [u16; 2]);

/// The largest delay a carry holds.
const MAX_CARRY: u32 = 31;

impl Carry {
    /// Nothing pending.
    pub const NONE: Carry = Carry([0; 2]);

    /// Whether anything is pending.
    #[inline(always)]
    pub fn any(self) -> bool {
        self.0[0] != 0
    }

    /// The carry as one word, 0 only for `NONE`.
    #[inline(always)]
    pub fn key(self) -> u64 {
        u64::from(self.0[0]) | u64::from(self.0[1]) << 16
    }

    fn entry(reg: usize, early: u32, late: u32) -> u16 {
        ((reg as u16) << 10) | ((early.min(MAX_CARRY) as u16) << 5) | late.min(MAX_CARRY) as u16
    }

    /// The entries: register, early delay, late delay.
    fn entries(self) -> impl Iterator<Item = (u8, u32, u32)> {
        self.0
            .into_iter()
            .filter(|&e| e != 0)
            .map(|e| ((e >> 10) as u8, u32::from(e >> 5) & 31, u32::from(e) & 31))
    }
}

/// What the static schedule gives one instruction of a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    /// Its cost in ticks (at least 1).
    pub ticks: u32,
    /// The cycle it issues in, from the block's first (saturating at 255).
    pub issue: u8,
    /// It is the first of a pair (the next instruction issues in the same cycle).
    pub paired: bool,
    /// What leaving the block after it hands to the next block.
    pub carry: Carry,
}

/// Scheduling state: the current group and the registers' ready cycles.
struct Scheduler<'a> {
    p: &'a PipelineParams,
    cost: &'a Costs,
    /// The cycle of the current group (-1 before the first).
    cycle: i64,
    /// The last cycle the previous group held the issue stage.
    prev_end: i64,
    /// The current group's last cycle (past `cycle` for a serial instruction).
    end: i64,
    /// Instructions in the current group, and whether pipe A / pipe B is taken.
    size: u8,
    a: bool,
    b: bool,
    /// The cycle the divider is free again.
    div_free: i64,
    /// Early and late ready cycles, by register (`SINK` included, never read).
    early: [i64; 33],
    late: [i64; 33],
}

impl Scheduler<'_> {
    /// Whether an instruction of `class` may join the current group.
    fn fits(&self, class: Class) -> bool {
        match class {
            _ if self.size == 0 || self.size >= 2 => false,
            Class::Serial => false,
            Class::Alu => true,
            Class::Mem => !self.a,
            Class::PipeB | Class::Div => !self.b,
        }
    }

    /// Takes pipe A or B for `class` in the current group.
    fn occupy(&mut self, class: Class) {
        match class {
            Class::Mem => self.a = true,
            Class::PipeB | Class::Div => self.b = true,
            Class::Alu if !self.a => self.a = true,
            Class::Alu => self.b = true,
            Class::Serial => (self.a, self.b) = (true, true),
        }
        self.size += if class == Class::Serial { 2 } else { 1 };
    }

    /// Schedules `insn`; returns its issue cycle and whether it joined the current group.
    fn issue(&mut self, insn: &Insn) -> (i64, bool) {
        let (class, occupancy) = class(insn.op, self.cost);
        let (r1, r2) = reads(insn.op);
        let ready_of = |reg: u8, read: Read| match read {
            Read::None => 0,
            Read::Early => self.early[reg as usize],
            Read::Late => self.late[reg as usize],
        };
        let mut ready = ready_of(insn.rs1, r1).max(ready_of(insn.rs2, r2));
        if class == Class::Div {
            ready = ready.max(self.div_free);
        }
        let joins = ready <= self.cycle && self.fits(class);
        let t = if joins {
            self.cycle
        } else {
            let t = ready.max(self.end + 1);
            self.prev_end = self.end;
            self.cycle = t;
            self.end = t;
            self.size = 0;
            (self.a, self.b) = (false, false);
            t
        };
        self.occupy(class);
        if class == Class::Serial {
            self.end = t + i64::from(occupancy.max(1)) - 1;
        }
        let alu_early = [(insn.rs1, r1), (insn.rs2, r2)]
            .iter()
            .all(|&(reg, read)| read == Read::None || self.early[reg as usize] <= t);
        let (early, late) = latency(insn.op, self.p, alu_early);
        if class == Class::Div {
            self.div_free = t + i64::from(early);
        }
        let rd = insn.rd as usize;
        if rd != SINK as usize && rd != 0 && insn.op.writes_rd() {
            self.early[rd] = t + i64::from(early);
            self.late[rd] = t + i64::from(late);
        }
        (t, joins)
    }

    /// The registers pending after the current group, largest early delay first.
    fn carry(&self) -> Carry {
        let next = self.end + 1;
        let mut best: [(i64, usize, i64); 2] = [(0, 0, 0); 2];
        for reg in 1..32 {
            let e = self.early[reg] - next;
            if e > best[1].0 {
                best[1] = (e, reg, (self.late[reg] - next).max(0));
                if best[1].0 > best[0].0 {
                    best.swap(0, 1);
                }
            }
        }
        let pack = |(e, reg, l): (i64, usize, i64)| {
            if e > 0 {
                Carry::entry(reg, e as u32, l as u32)
            } else {
                0
            }
        };
        Carry([pack(best[0]), pack(best[1])])
    }
}

/// The static schedule of a block of `insns` (all registers ready at its start).
pub(crate) fn schedule(p: &PipelineParams, cost: &Costs, insns: &[Insn]) -> Vec<Slot> {
    let mut s = Scheduler {
        p,
        cost,
        cycle: -1,
        prev_end: -1,
        end: -1,
        size: 0,
        a: false,
        b: false,
        div_free: 0,
        early: [0; 33],
        late: [0; 33],
    };
    let mut slots: Vec<Slot> = Vec::with_capacity(insns.len());
    for insn in insns {
        let (t, joins) = s.issue(insn);
        let ticks = if joins {
            // The second of a pair: the first gives it one of its ticks.
            if let Some(first) = slots.last_mut() {
                first.ticks -= 1;
                first.paired = true;
            }
            1
        } else {
            2 * (s.end - s.prev_end) as u32
        };
        slots.push(Slot {
            ticks,
            issue: t.clamp(0, 255) as u8,
            paired: false,
            carry: s.carry(),
        });
    }
    slots
}

/// The stall, in cycles, of a block entered with `carry` pending: the most any of its first
/// instructions waits for a carried register. `insns` yields each instruction with its
/// static issue cycle, in order.
pub(crate) fn carry_stall(carry: Carry, insns: impl Iterator<Item = (Insn, u8)>) -> u64 {
    let mut pending = [(0u8, 0u32, 0u32); 2];
    let mut horizon = 0;
    for (slot, e) in pending.iter_mut().zip(carry.entries()) {
        *slot = e;
        horizon = horizon.max(e.1);
    }
    let mut stall = 0u32;
    for (insn, issue) in insns {
        let issue = u32::from(issue);
        if issue >= horizon {
            break;
        }
        let (r1, r2) = reads(insn.op);
        for (reg, read) in [(insn.rs1, r1), (insn.rs2, r2)] {
            for &(p, early, late) in &pending {
                if p != 0 && p == reg {
                    let need = match read {
                        Read::None => 0,
                        Read::Early => early,
                        Read::Late => late,
                    };
                    stall = stall.max(need.saturating_sub(issue));
                }
            }
        }
        if insn.op.writes_rd() {
            for entry in &mut pending {
                if entry.0 == insn.rd {
                    entry.0 = 0;
                }
            }
        }
    }
    u64::from(stall)
}

/// The branch predictor: a bimodal branch history table of 2-bit counters indexed by the pc,
/// a direct-mapped branch target buffer of taken branches' and jumps' targets, and a
/// return-address stack driven by the calling-convention hints of `jal`/`jalr` (RISC-V
/// unprivileged spec, table "Return-address stack prediction hints": `x1` and `x5` are links).
pub(crate) struct Predictor {
    /// Cycles a mispredict costs (`pipeline.mispredict`).
    pub mispredict: u64,
    bht: Vec<u8>,
    btb: Vec<(u64, u64)>,
    ras: Vec<u64>,
    /// Entries in use (at most `ras.len()`); the top is `ras[(top + len - 1) % cap]`.
    ras_top: usize,
    ras_len: usize,
}

/// Whether register `r` is a link register for the RAS hints.
const fn is_link(r: u8) -> bool {
    r == 1 || r == 5
}

impl Predictor {
    /// A predictor with the tables of `p`, all counters weakly not taken, nothing cached.
    pub fn new(p: &PipelineParams) -> Predictor {
        Predictor {
            mispredict: u64::from(p.mispredict),
            bht: vec![1; p.bht_entries as usize],
            btb: vec![(u64::MAX, 0); p.btb_entries as usize],
            ras: vec![0; p.ras_entries as usize],
            ras_top: 0,
            ras_len: 0,
        }
    }

    /// The words a taken conditional branch at `pc` reads: its BHT counter and its BTB entry's
    /// pc and target. `branch(pc, true, target)` predicts it right and changes nothing exactly
    /// when the counter is 3 (strongly taken) and the entry holds (`pc`, `target`): the block
    /// translator checks that inline (`jit::timed`). The tables are never resized, so the
    /// pointers live as long as the predictor.
    pub fn branch_words(&mut self, pc: u64) -> (*const u8, *const u64, *const u64) {
        let i = (pc >> 1) as usize & (self.bht.len() - 1);
        let slot = self.btb_slot(pc);
        let entry = &self.btb[slot];
        (&self.bht[i], &entry.0, &entry.1)
    }

    /// The BHT's counters and the mask of its index (`(pc >> 1) & mask`, as `branch` reads it).
    /// `branch(pc, false, _)` predicts right and changes nothing exactly when the counter is 0
    /// (strongly not taken): the block translator checks that inline (`jit::timed`). The table
    /// is never resized, so the pointer lives as long as the predictor.
    pub fn bht_table(&self) -> (*const u8, usize) {
        (self.bht.as_ptr(), self.bht.len() - 1)
    }

    fn btb_slot(&self, pc: u64) -> usize {
        (pc >> 1) as usize & (self.btb.len() - 1)
    }

    /// Whether the BTB predicts `target` for the control transfer at `pc`; then records it.
    fn btb_predicts(&mut self, pc: u64, target: u64) -> bool {
        let slot = self.btb_slot(pc);
        let hit = self.btb[slot] == (pc, target);
        self.btb[slot] = (pc, target);
        hit
    }

    fn push(&mut self, addr: u64) {
        let cap = self.ras.len();
        if cap == 0 {
            return;
        }
        self.ras[self.ras_top] = addr;
        self.ras_top = (self.ras_top + 1) % cap;
        self.ras_len = (self.ras_len + 1).min(cap);
    }

    fn pop(&mut self) -> Option<u64> {
        if self.ras_len == 0 {
            return None;
        }
        let cap = self.ras.len();
        self.ras_top = (self.ras_top + cap - 1) % cap;
        self.ras_len -= 1;
        Some(self.ras[self.ras_top])
    }

    /// A conditional branch at `pc` went to `target` (`taken`): whether it was mispredicted
    /// (wrong direction, or taken without its target in the BTB). Trains the tables.
    #[inline]
    pub fn branch(&mut self, pc: u64, taken: bool, target: u64) -> bool {
        let i = (pc >> 1) as usize & (self.bht.len() - 1);
        let counter = self.bht[i];
        let predicted = counter >= 2;
        self.bht[i] = if taken {
            (counter + 1).min(3)
        } else {
            counter.saturating_sub(1)
        };
        if taken {
            let target_known = self.btb_predicts(pc, target);
            !predicted || !target_known
        } else {
            predicted
        }
    }

    /// A `jal` or `jalr` (`insn`) at `pc` went to `target`: whether it was mispredicted.
    /// Returns pop the RAS, calls push it, others use the BTB.
    pub fn jump(&mut self, pc: u64, insn: &Insn, target: u64) -> bool {
        let link = pc.wrapping_add(u64::from(insn.len));
        let rd_link = is_link(insn.rd);
        let rs1_link = insn.op == Op::Jalr && is_link(insn.rs1);
        let correct = if rs1_link && (!rd_link || insn.rd != insn.rs1) {
            // A return (or a coroutine swap: pop, then push).
            let hit = self.pop() == Some(target);
            if rd_link {
                self.push(link);
            }
            hit
        } else {
            let hit = self.btb_predicts(pc, target);
            if rd_link {
                self.push(link);
            }
            hit
        };
        !correct
    }
}

#[cfg(test)]
#[path = "pipeline_tests.rs"]
mod tests;
