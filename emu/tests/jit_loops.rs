//! Does the translator book its loops exactly as the interpreter does while a timer interrupts
//! them? Timing mode runs a block whose branch goes back to the block's start again without
//! leaving the native code, booking the branch and the next run itself (`machine::jit::timed`,
//! `LoopPlan`): the taken penalty, the rest of the block taken back (the branches here are in
//! the middle of their blocks), the tick of a broken pair, the stall of a register carried over
//! the branch, the predictor, and the slice's stops, where the chain limit is the least stop of
//! every refresh.
//!
//! A hand-assembled M-mode program arms the CLINT timer every `delta` ticks of `mtime` from its
//! interrupt handler and runs two hot loops many times over: one loading, adding and storing
//! (the branch may pair with the instruction after it), one whose first instruction reads a
//! register the previous run loaded last (a load-use delay carried over the branch). The timer
//! moves the slice's stop cycle into the loops at many places, for several `delta`s. With the
//! translator on (blocks translated after 10 entries) and off, the pc, the registers, the counts,
//! the cycles and every statistic are the same at the end and at instruction limits on the way,
//! in functional mode and in timing mode under `u74` (pipeline model) and `simple`.
//!
//! Checked by hand: leaving the carried stall, the rest taken back, the pair's tick or the
//! predictor check out of the native booking fails this test. Where exactly the chain limit
//! lies is not observable here (a chain left early goes on from the slice loop with the same
//! result), so an error in it would not fail it.

mod common;

use common::encode::{add, addi, auipc, bne, csrw, i_type, jal, ld, lui, r_type, s_type, sw};

use emu::memmap::RAM_BASE;
use emu::profile::Profile;
use emu::{Exit, Machine};

const T0: u32 = 5;
const T1: u32 = 6;
const T2: u32 = 7;
const S0: u32 = 8;
const S1: u32 = 9;
const A0: u32 = 10;
const A1: u32 = 11;
const A2: u32 = 12;
const A5: u32 = 15;
const T3: u32 = 28;
const T4: u32 = 29;
const T5: u32 = 30;
const T6: u32 = 31;

const MSTATUS: u32 = 0x300;
const MIE: u32 = 0x304;
const MTVEC: u32 = 0x305;
const MRET: u32 = 0x3020_0073;

/// Byte offset of the final spin (`program` checks it).
const SPIN: u64 = 0x78;
/// Byte offset of the interrupt handler.
const HANDLER: usize = 0x200;
/// Runs of the outer loop, and of each inner loop per outer run.
const OUTER: i32 = 120;
const INNER: i32 = 40;

/// `csrrs x0, csr, rs1`.
fn csrs(csr: u32, rs1: u32) -> u32 {
    i_type(csr as i32, rs1, 2, 0, 0x73)
}

/// `lw rd, off(rs1)`.
fn lw(rd: u32, off: i32, rs1: u32) -> u32 {
    i_type(off, rs1, 2, rd, 0x03)
}

/// `sd rs2, off(rs1)`.
fn sd(rs2: u32, off: u32, rs1: u32) -> u32 {
    s_type(off, rs2, rs1, 3)
}

/// The program, with the timer re-armed `delta` ticks of `mtime` after each interrupt.
fn program(delta: i32) -> Vec<u8> {
    let arm = [
        ld(T0, 0, T6), // mtime
        addi(T0, T0, delta),
        sd(T0, 0, T5), // mtimecmp
    ];
    let mut code = vec![
        auipc(S0, 1), // the data page
        auipc(T0, 0),
        addi(T0, T0, HANDLER as i32 - 4),
        csrw(MTVEC, T0),
        lui(T5, 0x2004), // CLINT mtimecmp (hart 0)
        lui(T6, 0x200c),
        addi(T6, T6, -8), // CLINT mtime
    ];
    code.extend(arm);
    code.extend([
        addi(T0, 0, 0x80), // mie.MTIE
        csrs(MIE, T0),
        addi(T0, 0, 8), // mstatus.MIE
        csrs(MSTATUS, T0),
        addi(A5, 0, OUTER),
    ]);
    let outer = code.len();
    code.extend([addi(A0, S0, 0), addi(A1, 0, INNER)]);
    let loop1 = code.len();
    code.extend([
        lw(T1, 0, A0),
        add(T2, T2, T1),
        sw(T2, 512, A0),
        addi(A0, A0, 4),
        addi(A1, A1, -1),
    ]);
    code.push(bne(A1, 0, -4 * (code.len() - loop1) as i32));
    code.push(addi(A2, 0, INNER));
    let loop2 = code.len();
    code.extend([
        r_type(1, T4, T3, 0, T3), // mul t3, t3, t4 (t4: loaded at the end of the previous run)
        addi(A2, A2, -1),
        ld(T4, 8, S0),
    ]);
    code.push(bne(A2, 0, -4 * (code.len() - loop2) as i32));
    code.push(addi(A5, A5, -1));
    code.push(bne(A5, 0, -4 * (code.len() - outer) as i32));
    assert_eq!(4 * code.len() as u64, SPIN);
    code.push(jal(0)); // the end: spin
    while code.len() < HANDLER / 4 {
        code.push(addi(0, 0, 0));
    }
    code.extend(arm);
    code.extend([addi(S1, S1, 1), MRET]);
    common::words(&code)
}

/// The modes compared: the profile and whether timing is on.
const MODES: [(&str, bool); 3] = [("u74", false), ("u74", true), ("simple", true)];

fn machine(jit: bool, (profile, timing): (&str, bool), delta: i32) -> Machine {
    let mut profile = Profile::embedded(profile).expect("profile");
    profile.set_timing(timing).expect("mode");
    let mut m = common::machine_with_profile(&program(delta), profile);
    m.set_jit(jit);
    m.set_jit_threshold(10);
    m
}

/// Everything the comparison looks at.
fn state(m: &Machine) -> String {
    let regs: Vec<u64> = (0..32).map(|r| m.hart.reg(r)).collect();
    let s = format!(
        "pc {:#x} regs {regs:x?} retired {} executed {} exceptions {} interrupts {} cycles {} \
         csrs {:?} stats {:?}",
        m.hart.pc,
        m.retired,
        m.executed(),
        m.exceptions,
        m.interrupts,
        m.cycles(),
        m.hart.csr,
        m.stats.live_buckets(m.retired, m.cycles()),
    );
    format!("{s} {}", common::model_state(m))
}

/// Instructions run in each comparison: the program ends (in its spin) before.
const TOTAL: u64 = 60_000;

#[test]
fn loops_booked_natively_match_the_interpreter_under_a_timer() {
    for mode in MODES {
        for delta in (7..40).step_by(3) {
            let mut on = machine(true, mode, delta);
            let mut off = machine(false, mode, delta);
            for limit in (1..TOTAL).step_by(977).chain([TOTAL]) {
                assert_eq!(on.run(Some(limit)), Exit::InstructionLimit);
                assert_eq!(off.run(Some(limit)), Exit::InstructionLimit);
                assert_eq!(
                    state(&on),
                    state(&off),
                    "{mode:?}, delta {delta}: after {limit} instructions"
                );
            }
            assert!(
                on.jit_blocks() >= 2,
                "{mode:?}: both loops are translated ({} blocks)",
                on.jit_blocks()
            );
            assert!(
                on.interrupts > 10,
                "{mode:?}, delta {delta}: the timer interrupts the loops ({})",
                on.interrupts
            );
            assert_eq!(
                on.hart.pc,
                RAM_BASE + SPIN,
                "{mode:?}, delta {delta}: at the end"
            );
        }
    }
}
