//! Are the superinstructions (`machine::fused`: fused pairs and loop branches, functional mode's;
//! timing mode, which has none, runs the same checks) exact? A hand-assembled M-mode program whose blocks hold fused pairs (`add`+`addi`,
//! `addi`+`bne` to the block's own start, `addi`+`ld`), a loop whose block goes on after its
//! branch (so re-entering it must respect the instruction limit as the chain does), and a load
//! that faults in the second half of a pair must give, for every instruction limit, the state that single steps (which run each
//! instruction alone, unfused) give: pc, registers, retired and trapped counts (and cycles, in
//! timing mode, where slices may end anywhere without changing a count); the fault must
//! report the pc of the load; and a breakpoint on the second instruction of a pair must stop
//! there.

mod common;

use common::encode::{add, addi, auipc, bne, csrr, csrw, jal, ld};

use emu::memmap::RAM_BASE;
use emu::profile::Profile;
use emu::{DebugStop, Exit, Machine};

const T0: u32 = 5;
const T1: u32 = 6;
const T2: u32 = 7;
const A0: u32 = 10;
const A1: u32 = 11;
const A2: u32 = 12;
const A3: u32 = 13;
const A4: u32 = 14;

const MTVEC: u32 = 0x305;
const MEPC: u32 = 0x341;
const MCAUSE: u32 = 0x342;
const MTVAL: u32 = 0x343;

/// `jal x0, 0`: spins.
const SPIN: u32 = 0x6f;

/// Address of the load that faults.
const FAULT_PC: u64 = RAM_BASE + 44;
/// Address of the loop's second instruction (the second of an `add`+`addi` pair).
const SECOND_PC: u64 = RAM_BASE + 24;
/// Loop iterations.
const N: i32 = 100;

fn program() -> Vec<u8> {
    let mut code = vec![
        auipc(T0, 0),     // 0
        addi(T0, T0, 64), // 4: the handler
        csrw(MTVEC, T0),  // 8
        addi(A0, 0, N),   // 12
        addi(A1, 0, 0),   // 16
        add(A1, A1, A0),  // 20: loop
        addi(A0, A0, -1), // 24
        bne(A0, 0, -8),   // 28: to the loop's block start
        addi(T1, 0, 8),   // 32
        jal(4),           // 36: ends the loop's block
        addi(T1, T1, 0),  // 40
        ld(T2, -8, T1),   // 44: loads from 0, which faults
    ];
    while code.len() < 16 {
        code.push(addi(0, 0, 0));
    }
    code.extend([csrr(A2, MEPC), csrr(A3, MCAUSE), csrr(A4, MTVAL), SPIN]);
    common::words(&code)
}

/// A machine running the program, in timing mode (u74) or functional mode.
fn machine_in(timing: bool) -> Machine {
    let mut profile = Profile::embedded("u74").expect("profile");
    profile.set_timing(timing).expect("mode");
    common::machine_with_profile(&program(), profile)
}

/// A functional-mode machine running the program.
fn machine() -> Machine {
    machine_in(false)
}

/// What the comparison looks at.
fn state(m: &Machine) -> (u64, Vec<u64>, u64, u64, u64) {
    let regs = (0..32).map(|r| m.hart.reg(r)).collect();
    (m.hart.pc, regs, m.retired, m.executed(), m.cycles())
}

/// Instructions to the spin loop: 5 before the loop, 3 per iteration, `addi`, `jal`, `addi`,
/// the faulting `ld`, three `csrr`.
const TOTAL: u64 = 5 + 3 * N as u64 + 4 + 3;

#[test]
fn every_limit_matches_single_steps() {
    for timing in [false, true] {
        let mut stepped = machine_in(timing);
        for limit in 1..=TOTAL + 3 {
            assert_eq!(stepped.step(), Exit::InstructionLimit);
            let mut m = machine_in(timing);
            assert_eq!(m.run(Some(limit)), Exit::InstructionLimit);
            assert_eq!(
                state(&m),
                state(&stepped),
                "after {limit} instructions (timing: {timing})"
            );
        }
    }
}

#[test]
fn runs_in_chunks_match_one_run() {
    for timing in [false, true] {
        let mut whole = machine_in(timing);
        whole.run(Some(TOTAL + 10));
        for chunk in 1..8 {
            let mut m = machine_in(timing);
            while m.executed() < TOTAL + 10 {
                let to = (m.executed() + chunk).min(TOTAL + 10);
                assert_eq!(m.run(Some(to)), Exit::InstructionLimit);
            }
            assert_eq!(
                state(&m),
                state(&whole),
                "chunks of {chunk} (timing: {timing})"
            );
        }
    }
}

#[test]
fn fault_in_second_half_of_a_pair_is_precise() {
    for timing in [false, true] {
        fault_is_precise(machine_in(timing));
    }
}

fn fault_is_precise(mut m: Machine) {
    m.run(Some(TOTAL));
    assert_eq!(m.hart.pc, RAM_BASE + 64 + 12, "at the spin loop");
    assert_eq!(m.hart.reg(A1 as u8), (1..=N as u64).sum::<u64>());
    assert_eq!(
        m.hart.reg(A2 as u8),
        FAULT_PC,
        "mepc: the load, not its pair's first"
    );
    assert_eq!(m.hart.reg(A3 as u8), 5, "load access fault");
    assert_eq!(m.hart.reg(A4 as u8), 0, "mtval: the address");
    assert_eq!(m.hart.reg(T1 as u8), 8, "the pair's first retired");
    assert_eq!((m.retired, m.executed()), (TOTAL - 1, TOTAL));
}

#[test]
fn breakpoint_on_second_of_a_pair_stops_there() {
    let mut m = machine();
    m.add_breakpoint(SECOND_PC);
    for iteration in 0..3u64 {
        assert_eq!(
            m.run(Some(TOTAL)),
            Exit::Debug(DebugStop::Breakpoint { pc: SECOND_PC })
        );
        assert_eq!(m.hart.pc, SECOND_PC);
        // Before the loop, then three per iteration; the `add` of this one has run.
        assert_eq!(m.retired, 5 + 3 * iteration + 1);
        m.skip_breakpoint_here();
    }
}
