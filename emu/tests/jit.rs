//! Is the block translator (`machine::jit`) exact? A hand-assembled M-mode program runs a hot
//! compute loop (RV64IM ALU operations, 32-bit forms, divisions by zero, loads and stores,
//! misaligned ones that take the slow path) whose 257th iteration faults on a load in the middle
//! of its translated block, then a hot loop whose block ends with an illegal instruction after
//! translated ones (the trap handler skips it). With the translator on and off, every instruction
//! limit checked gives the same pc, registers, retired and trapped counts, CSRs and statistics,
//! and the translator did translate blocks (so the fast path is not silently dead). All of it in
//! functional mode and in timing mode under the pipeline model (`u74`) and the simple one
//! (`simple`), where cycles, cache and TLB counts and slice ends must match too.

mod common;

use common::encode::reg::*;
use common::encode::{add, addi, auipc, bne, csrr, csrw, i_type, lbu, ld, r_type, s_type, sw};

use emu::memmap::RAM_BASE;
use emu::{Exit, Machine};

const MTVEC: u32 = 0x305;
const MEPC: u32 = 0x341;
const MCAUSE: u32 = 0x342;
const MTVAL: u32 = 0x343;

/// `jal x0, 0`: spins.
const SPIN: u32 = 0x6f;
const MRET: u32 = 0x3020_0073;
/// A load with funct3 = 7: illegal.
const ILLEGAL: u32 = 0x0000_7003;

/// Byte offsets of the trap handler and the second phase.
const HANDLER: usize = 0x200;
const PHASE2: usize = 0x300;
/// Iterations of the second phase's loop.
const ROUNDS: i32 = 300;

fn beq(rs1: u32, rs2: u32, off: i32) -> u32 {
    bne(rs1, rs2, off) & !(7 << 12)
}

/// An R-type instruction on OP-32 (the `w` forms).
fn op32(funct7: u32, rs2: u32, rs1: u32, funct3: u32, rd: u32) -> u32 {
    (r_type(funct7, rs2, rs1, funct3, rd) & !0x7f) | 0x3b
}

fn program() -> Vec<u8> {
    let mut code = vec![
        auipc(S0, 1),                     // 0: the data page
        auipc(T0, 0),                     // 4
        addi(T0, T0, HANDLER as i32 - 4), // 8
        csrw(MTVEC, T0),                  // 12
        auipc(S2, 0),                     // 16
        addi(S2, S2, PHASE2 as i32 - 16), // 20
        addi(A0, 0, 0),                   // 24
        addi(A5, 0, 400),                 // 28
        addi(A1, 0, 1),                   // 32
    ];
    let body = [
        r_type(1, A0, A0, 0, T0),           // mul t0, a0, a0
        add(A1, A1, T0),                    //
        r_type(0, A0, A1, 4, A1),           // xor a1, a1, a0
        i_type(3, A1, 5, T1, 0x13),         // srli t1, a1, 3
        r_type(0x20, T1, A1, 0, A1),        // sub a1, a1, t1
        i_type(7, A0, 7, T2, 0x13),         // andi t2, a0, 7
        add(T2, T2, S0),                    //
        i_type(0, T2, 2, T3, 0x03),         // lw t3, 0(t2): misaligned 3 times in 4
        add(A1, A1, T3),                    //
        sw(A1, 64, T2),                     // misaligned too
        i_type(63, A0, 7, T4, 0x13),        // andi t4, a0, 63
        i_type(3, T4, 1, T4, 0x13),         // slli t4, t4, 3
        add(T4, T4, S0),                    //
        s_type(256, A1, T4, 3),             // sd a1, 256(t4)
        lbu(T5, 259, T4),                   //
        add(A1, A1, T5),                    //
        r_type(1, A0, A1, 5, T6),           // divu t6, a1, a0 (a0 = 0 first)
        r_type(1, A0, A1, 6, A6),           // rem a6, a1, a0
        add(A1, A1, T6),                    //
        r_type(0, A6, A1, 4, A1),           // xor a1, a1, a6
        r_type(1, A1, A1, 1, A7),           // mulh a7, a1, a1
        r_type(1, A7, A1, 2, S3),           // mulhsu s3, a1, a7
        r_type(1, T0, A1, 3, S4),           // mulhu s4, a1, t0
        add(A1, A1, A7),                    //
        r_type(0, S3, A1, 4, A1),           // xor a1, a1, s3
        add(A1, A1, S4),                    //
        op32(0, T0, A1, 0, A7),             // addw a7, a1, t0
        op32(1, A7, A1, 4, S3),             // divw s3, a1, a7
        op32(1, A0, A1, 7, S4),             // remuw s4, a1, a0
        op32(0, A0, A1, 1, T6),             // sllw t6, a1, a0
        i_type(0x400 | 5, A1, 5, A6, 0x1b), // sraiw a6, a1, 5
        add(A1, A1, A7),                    //
        add(A1, A1, S3),                    //
        add(A1, A1, S4),                    //
        r_type(0, T6, A1, 4, A1),           // xor a1, a1, t6
        add(A1, A1, A6),                    //
        r_type(0, A1, A0, 3, T6),           // sltu t6, a0, a1
        add(A1, A1, T6),                    //
        i_type(8, A0, 5, T0, 0x13),         // srli t0, a0, 8
        i_type(40, T0, 1, T0, 0x13),        // slli t0, t0, 40
        add(T0, T0, S0),                    //
        ld(T1, 0, T0),                      // faults once a0 reaches 256
        add(A1, A1, T1),                    //
        addi(A0, A0, 1),                    //
    ];
    let back = -4 * body.len() as i32;
    code.extend(body);
    code.push(bne(A0, A5, back));
    code.push(SPIN);
    while code.len() < HANDLER / 4 {
        code.push(addi(0, 0, 0));
    }
    code.extend([
        csrr(A2, MEPC),
        csrr(A3, MCAUSE),
        csrr(A4, MTVAL),
        addi(S1, S1, 1),
        addi(T3, 0, 2),
        beq(A3, T3, 12), // an illegal instruction: skip it
        csrw(MEPC, S2),  // the load fault: on to the second phase
        MRET,
        addi(A2, A2, 4),
        csrw(MEPC, A2),
        MRET,
    ]);
    while code.len() < PHASE2 / 4 {
        code.push(addi(0, 0, 0));
    }
    code.extend([
        addi(A0, 0, 0),
        addi(A5, 0, ROUNDS),
        addi(A0, A0, 1), // the loop: six translated, then the illegal one
        add(A1, A1, A0),
        r_type(0, A0, A1, 4, A1),
        addi(A6, A1, 3),
        add(A7, A6, A0),
        r_type(0, A7, A1, 4, A1),
        ILLEGAL,
        bne(A0, A5, -28),
        SPIN,
    ]);
    common::words(&code)
}

/// The modes compared.
const MODES: [(&str, bool); 3] = common::JIT_MODES;

/// A machine running the program in `mode` (see `MODES`), with the translator on or off. The
/// loops run a few hundred times: translate them after 100 entries.
fn machine(jit: bool, mode: (&str, bool)) -> Machine {
    common::jit_machine(&program(), mode, jit, 100)
}

/// Instructions to the final spin loop, and where the load fault happens (found by stepping).
fn landmarks() -> (u64, u64) {
    let mut m = machine(false, MODES[0]);
    let mut fault = None;
    let spin = RAM_BASE + PHASE2 as u64 + 10 * 4;
    while m.hart.pc != spin {
        assert_eq!(m.step(), Exit::InstructionLimit);
        if fault.is_none() && m.exceptions == 1 {
            fault = Some(m.executed());
        }
    }
    (m.executed(), fault.expect("the load faults"))
}

#[test]
fn translated_runs_match_interpreted_runs_at_every_limit_checked() {
    let (total, fault) = landmarks();
    let limits: Vec<u64> = (1..total + 5)
        .step_by(61)
        .chain(fault - 100..fault + 30)
        .chain(total - 60..total + 5)
        .collect();
    for mode in MODES {
        for &limit in &limits {
            let mut on = machine(true, mode);
            let mut off = machine(false, mode);
            common::same_at(&mut on, &mut off, limit, &format!("{mode:?}"));
        }
    }
}

#[test]
fn runs_in_chunks_match_one_run() {
    let (total, _) = landmarks();
    for mode in MODES {
        let mut whole = machine(false, mode);
        whole.run(Some(total + 10));
        for chunk in [1, 2, 3, 7, 50, 333] {
            let mut m = machine(true, mode);
            while m.executed() < total + 10 {
                let to = (m.executed() + chunk).min(total + 10);
                assert_eq!(m.run(Some(to)), Exit::InstructionLimit);
            }
            assert_eq!(
                common::full_state(&m),
                common::full_state(&whole),
                "{mode:?}: chunks of {chunk}"
            );
        }
    }
}

#[test]
fn hot_blocks_are_translated_and_traps_are_precise() {
    let (total, _) = landmarks();
    for mode in MODES {
        hot_blocks_in(mode, total);
    }
}

fn hot_blocks_in(mode: (&str, bool), total: u64) {
    let mut on = machine(true, mode);
    on.run(Some(total));
    // Timing mode translates, of short blocks, only loops whose translated prefix holds their
    // branch back (`worth_translating`): the illegal-instruction loop's branch comes after the
    // prefix.
    let least = if mode.1 { 1 } else { 2 };
    assert!(
        on.jit_blocks() >= least,
        "{mode:?}: the compute loop (and in functional mode the illegal-instruction loop) are \
         translated: {}",
        on.jit_blocks()
    );
    let mut off = machine(false, mode);
    off.run(Some(total));
    assert_eq!(off.jit_blocks(), 0);
    assert_eq!(
        on.hart.pc,
        RAM_BASE + PHASE2 as u64 + 10 * 4,
        "at the spin loop"
    );
    assert_eq!(on.hart.reg(S1 as u8), 1 + ROUNDS as u64, "traps taken");
    assert_eq!(
        on.hart.reg(A3 as u8),
        2,
        "the last trap: illegal instruction"
    );
    assert_eq!(
        on.hart.reg(A4 as u8),
        u64::from(ILLEGAL),
        "mtval: the instruction"
    );
    assert_eq!(
        on.hart.reg(A2 as u8),
        RAM_BASE + PHASE2 as u64 + 9 * 4,
        "mepc (advanced past the illegal instruction)"
    );
    assert_eq!(common::full_state(&on), common::full_state(&off));
}

#[test]
fn load_fault_in_a_translated_block_is_precise() {
    let (_, fault) = landmarks();
    for mode in MODES {
        load_fault_in(mode, fault);
    }
}

fn load_fault_in(mode: (&str, bool), fault: u64) {
    let mut m = machine(true, mode);
    // The handler's first instruction (csrr a2, mepc) has run.
    m.run(Some(fault + 1));
    assert!(m.jit_blocks() >= 1);
    assert_eq!(m.exceptions, 1);
    assert_eq!(m.hart.reg(A0 as u8), 256, "the faulting iteration");
    let ld_pc = RAM_BASE + 36 + 41 * 4;
    assert_eq!(m.hart.reg(A2 as u8), ld_pc, "mepc: the load");
    assert_eq!(
        m.hart.reg(T0 as u8),
        RAM_BASE + 0x1000 + (1 << 40),
        "the instructions before the load retired"
    );
}
