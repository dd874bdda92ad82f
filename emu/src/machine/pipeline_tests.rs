//! The pipeline model against schedules computed by hand, with the `u74` profile's parameters:
//! load_use 3, late_bypass 2, alu_late 3, mul 3, div 34/66, csr_read 3, cost.csr 3.

use super::*;
use crate::profile::Profile;

fn params() -> (PipelineParams, Costs) {
    let p = Profile::embedded("u74").expect("u74 profile");
    (p.pipeline.expect("u74 is a pipeline profile"), p.cost)
}

/// `op rd, rs1, rs2` (registers by number).
fn i(op: Op, rd: u8, rs1: u8, rs2: u8) -> Insn {
    Insn::new(op, rd, rs1, rs2, 0, 0, 4)
}

/// The schedule of `insns`: (issue cycle, ticks) of each.
fn sched(insns: &[Insn]) -> Vec<(u8, u32)> {
    let (p, c) = params();
    schedule(&p, &c, insns)
        .iter()
        .map(|s| (s.issue, s.ticks))
        .collect()
}

/// Cycles the block takes: its ticks, halved.
fn cycles(insns: &[Insn]) -> u32 {
    sched(insns).iter().map(|&(_, t)| t).sum::<u32>() / 2
}

const A0: u8 = 10;
const A1: u8 = 11;
const A2: u8 = 12;
const A3: u8 = 13;
const S0: u8 = 8;

#[test]
fn independent_alu_operations_pair() {
    // add a0,a1,a2 ; add a3,a1,a2: both issue in cycle 0, half a cycle each.
    let s = sched(&[i(Op::Add, A0, A1, A2), i(Op::Add, A3, A1, A2)]);
    assert_eq!(s, [(0, 1), (0, 1)]);
}

#[test]
fn a_dependent_alu_operation_waits_one_cycle() {
    // add a0,a1,a2 ; add a3,a0,a2: the second needs a0, ready at cycle 1.
    assert_eq!(
        sched(&[i(Op::Add, A0, A1, A2), i(Op::Add, A3, A0, A2)]),
        [(0, 2), (1, 2)]
    );
}

#[test]
fn two_independent_loads_do_not_pair() {
    // ld a0,0(s0) ; ld a1,8(s0): one load/store pipe, so cycles 0 and 1.
    assert_eq!(
        sched(&[i(Op::Ld, A0, S0, 0), i(Op::Ld, A1, S0, 0)]),
        [(0, 2), (1, 2)]
    );
}

#[test]
fn a_load_pairs_with_an_independent_alu_operation() {
    assert_eq!(
        sched(&[i(Op::Ld, A0, S0, 0), i(Op::Addi, A1, A1, 0)]),
        [(0, 1), (0, 1)]
    );
}

#[test]
fn a_dependent_load_waits_the_load_use_latency() {
    // ld a0,0(a0) ; ld a0,0(a0): the second's address is ready at cycle 3 (load_use), so the
    // pair takes 4 cycles, and a chase of n loads takes 3 per load.
    let chase = [i(Op::Ld, A0, A0, 0), i(Op::Ld, A0, A0, 0)];
    assert_eq!(sched(&chase), [(0, 2), (3, 6)]);
    let long: Vec<Insn> = (0..8).map(|_| i(Op::Ld, A0, A0, 0)).collect();
    assert_eq!(cycles(&long), 3 * 7 + 1);
}

#[test]
fn a_load_feeds_the_late_alu_sooner_than_an_address() {
    // ld a0,0(s0) ; add a1,a0,a2: the ALU reads late, 3 - 2 = 1 cycle after the load.
    assert_eq!(
        sched(&[i(Op::Ld, A0, S0, 0), i(Op::Add, A1, A0, A2)]),
        [(0, 2), (1, 2)]
    );
    // ... but an ALU result computed late reaches an address alu_late cycles after its issue:
    // ld a0,0(s0) ; addi a0,a0,8 (cycle 1, late ALU) ; ld a1,0(a0) (cycle 1 + 3).
    assert_eq!(
        sched(&[
            i(Op::Ld, A0, S0, 0),
            i(Op::Addi, A0, A0, 0),
            i(Op::Ld, A1, A0, 0)
        ]),
        [(0, 2), (1, 2), (4, 6)]
    );
    // An ALU result from operands ready early reaches an address the next cycle.
    assert_eq!(
        sched(&[i(Op::Addi, A0, A0, 0), i(Op::Ld, A1, A0, 0)]),
        [(0, 2), (1, 2)]
    );
}

#[test]
fn a_multiply_chain_pays_the_multiply_latency_each_time() {
    // mul a0,a0,a1 three times: issues at 0, 3, 6.
    let chain = [
        i(Op::Mul, A0, A0, A1),
        i(Op::Mul, A0, A0, A1),
        i(Op::Mul, A0, A0, A1),
    ];
    assert_eq!(sched(&chain), [(0, 2), (3, 6), (6, 6)]);
    // Independent multiplies still cannot pair (one multiplier, in pipe B), but a multiply
    // pairs with a load (pipe A).
    assert_eq!(
        sched(&[i(Op::Mul, A0, A1, A2), i(Op::Mul, A3, A1, A2)]),
        [(0, 2), (1, 2)]
    );
    assert_eq!(
        sched(&[i(Op::Mul, A0, A1, A2), i(Op::Ld, A3, S0, 0)]),
        [(0, 1), (0, 1)]
    );
}

#[test]
fn divides_take_their_width_latency_and_hold_the_divider() {
    // divw a0,a1,a2 ; addi a3,a0,1: the add waits 34 - 2 = 32 cycles (late reader).
    assert_eq!(
        sched(&[i(Op::Divw, A0, A1, A2), i(Op::Addi, A3, A0, 0)]),
        [(0, 2), (32, 64)]
    );
    // div a0,a1,a2 ; div a3,a1,a2: independent, but the divider is busy for 66 cycles.
    assert_eq!(
        sched(&[i(Op::Div, A0, A1, A2), i(Op::Div, A3, A1, A2)]),
        [(0, 2), (66, 132)]
    );
}

#[test]
fn two_branches_do_not_pair_but_a_branch_pairs_with_alu_and_load() {
    assert_eq!(
        sched(&[i(Op::Beq, 0, A0, A1), i(Op::Bne, 0, A2, A3)]),
        [(0, 2), (1, 2)]
    );
    assert_eq!(
        sched(&[i(Op::Addi, A3, A3, 0), i(Op::Bne, 0, A0, A1)]),
        [(0, 1), (0, 1)]
    );
    assert_eq!(
        sched(&[i(Op::Ld, A3, S0, 0), i(Op::Bne, 0, A0, A1)]),
        [(0, 1), (0, 1)]
    );
    // A branch on a loaded value: the load's result reaches the branch (a late reader) at 1.
    assert_eq!(
        sched(&[i(Op::Ld, A0, S0, 0), i(Op::Bne, 0, A0, A1)]),
        [(0, 2), (1, 2)]
    );
}

#[test]
fn csr_instructions_issue_alone_and_hold_the_issue_stage() {
    // csrrs a0, cycle, x0 ; addi a1,a1,1 ; addi a2,a2,1: the CSR holds cycles 0..3 alone
    // (cost.csr = 3), then the two adds pair in cycle 3.
    let s = sched(&[
        i(Op::Csrrs, A0, 0, 0),
        i(Op::Addi, A1, A1, 0),
        i(Op::Addi, A2, A2, 0),
    ]);
    assert_eq!(s, [(0, 6), (3, 1), (3, 1)]);
    // addi ; csrrw: the CSR does not pair with what precedes it either.
    let s = sched(&[i(Op::Addi, A1, A1, 0), i(Op::Csrrw, A0, A1, 0)]);
    assert_eq!(s, [(0, 2), (1, 6)]);
}

#[test]
fn every_instruction_costs_at_least_one_tick_and_pairs_are_marked() {
    let (p, c) = params();
    let insns = [
        i(Op::Ld, A0, S0, 0),
        i(Op::Addi, A1, A1, 0),
        i(Op::Ld, A2, A0, 0),
    ];
    let s = schedule(&p, &c, &insns);
    assert!(s.iter().all(|s| s.ticks >= 1));
    assert_eq!(
        s.iter().map(|s| s.paired).collect::<Vec<_>>(),
        [true, false, false]
    );
}

#[test]
fn a_late_load_carries_its_delay_into_the_next_block() {
    let (p, c) = params();
    // addi a1,a1,1 ; ld a0,0(s0): both in cycle 0; the next block starts at cycle 1, where
    // a0 is 2 cycles from ready for an address and ready for a late reader.
    let s = schedule(&p, &c, &[i(Op::Addi, A1, A1, 0), i(Op::Ld, A0, S0, 0)]);
    let carry = s[1].carry;
    assert_eq!(carry.entries().collect::<Vec<_>>(), [(A0, 2, 0)]);
    // The first block instruction (addi) left alone carries nothing.
    assert!(!s[0].carry.any());
    // Next block: ld a3,0(a0) at its cycle 0 stalls 2 cycles; add a3,a0,a1 does not.
    let next = |insn: Insn| carry_stall(carry, [(insn, 0u8)].into_iter());
    assert_eq!(next(i(Op::Ld, A3, A0, 0)), 2);
    assert_eq!(next(i(Op::Add, A3, A0, A1)), 0);
    // A use at the block's cycle 1 stalls one cycle less; after a0 is overwritten, none.
    let later = [(i(Op::Addi, A2, A2, 0), 0u8), (i(Op::Ld, A3, A0, 0), 1)];
    assert_eq!(carry_stall(carry, later.into_iter()), 1);
    let overwritten = [(i(Op::Addi, A0, A2, 0), 0u8), (i(Op::Ld, A3, A0, 0), 1)];
    assert_eq!(carry_stall(carry, overwritten.into_iter()), 0);
}

#[test]
fn a_loop_branch_is_learned_and_its_exit_mispredicted() {
    let (p, _) = params();
    let mut bp = Predictor::new(&p);
    let (pc, target) = (0x8000_0100, 0x8000_00c0);
    // Ten taken iterations: the first is mispredicted (weakly not taken, and no BTB entry),
    // the other nine predicted; the fall-through exit is mispredicted.
    let taken: Vec<bool> = (0..10).map(|_| bp.branch(pc, true, target)).collect();
    assert_eq!(taken.iter().filter(|&&m| m).count(), 1);
    assert!(taken[0]);
    assert!(
        bp.branch(pc, false, pc + 4),
        "the loop exit is mispredicted"
    );
    // The counter is now weakly taken: the loop's next run is predicted from the start.
    assert!(!bp.branch(pc, true, target));
}

#[test]
fn a_not_taken_branch_is_predicted_not_taken() {
    let (p, _) = params();
    let mut bp = Predictor::new(&p);
    assert!(!bp.branch(0x8000_0000, false, 0x8000_0004));
    assert!(!bp.branch(0x8000_0000, false, 0x8000_0004));
}

#[test]
fn calls_and_returns_go_through_the_return_address_stack() {
    let (p, _) = params();
    let mut bp = Predictor::new(&p);
    let call = Insn::new(Op::Jal, 1, 0, 0, 0, 0, 4); // jal ra, f
    let ret = Insn::new(Op::Jalr, 0, 1, 0, 0, 0, 4); // jalr x0, 0(ra)
    // First call: its target is not in the BTB yet (mispredicted); the return is predicted by
    // the RAS even though it was never seen.
    assert!(bp.jump(0x100, &call, 0x400));
    assert!(!bp.jump(0x486, &ret, 0x104));
    // The same call again is predicted (BTB), from another site too the return is right.
    assert!(!bp.jump(0x100, &call, 0x400));
    assert!(!bp.jump(0x486, &ret, 0x104));
    assert!(bp.jump(0x200, &call, 0x400));
    assert!(!bp.jump(0x486, &ret, 0x204));
    // A return with an empty stack (or to somewhere else) is mispredicted.
    assert!(bp.jump(0x486, &ret, 0x104));
    // Deeper than the RAS (12 entries): the outermost returns are lost.
    let depth = p.ras_entries as u64 + 2;
    for d in 0..depth {
        bp.jump(0x1000 + 8 * d, &call, 0x2000 + 8 * d);
    }
    let missed = (0..depth)
        .rev()
        .filter(|&d| bp.jump(0x3000, &ret, 0x1000 + 8 * d + 4))
        .count();
    assert_eq!(missed, 2);
}
