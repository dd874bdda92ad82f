//! Does a counter written near overflow still raise its interrupt within `ARMED_SLICE_CYCLES`
//! after a long run in which the overflow checks were skipped?
//!
//! While every armed counter is far from overflow, the machine skips the check points that
//! cannot find one (see `machine::hpm`). The program arms `mhpmcounter3` on loads at 0 and loads
//! in a loop for long enough that the checks find that out, then writes the counter to -1000
//! and loads in a loop that counts its runs in `a3`, without `wfi` (which checks at once). The
//! 1000th load overflows it, and the interrupt must come at the first check point after that:
//! within `ARMED_SLICE_CYCLES` cycles, so within that many more runs of at least a cycle each.
//! A write that kept the skipped schedule would leave the loop spinning until the instruction
//! limit.

mod common;

use common::encode::{addi, auipc, bne, csrs, csrsi, csrw, jal, lui, sw};

use emu::Exit;
use emu::machine::ARMED_SLICE_CYCLES;
use emu::stats::Event;

const T0: u32 = 5;
const T1: u32 = 6;
const T4: u32 = 29;
const T5: u32 = 30;
const A1: u32 = 11;
const A2: u32 = 12;
const A3: u32 = 13;

const MSTATUS: u32 = 0x300;
const MIE: u32 = 0x304;
const MTVEC: u32 = 0x305;
const MHPMEVENT3: u32 = 0x323;
const MHPMCOUNTER3: u32 = 0xb03;
/// `mhpmevent` selector: loads.
const EV_LOAD: i32 = Event::Load as i32;
/// The loads after the write that overflow the counter.
const LOADS: i32 = 1000;

/// The handler's offset from `RAM_BASE`.
const HANDLER: u32 = 0x80;

/// `ld rd, 0(rs1)`.
fn ld(rd: u32, rs1: u32) -> u32 {
    (rs1 << 15) | (3 << 12) | (rd << 7) | 0x03
}

fn program() -> Vec<u8> {
    let mut code = vec![
        auipc(T0, 0),                 // 0x00 t0 = RAM
        addi(T0, T0, HANDLER as i32), // 0x04 t0 = the handler
        csrw(MTVEC, T0),              // 0x08
        addi(T1, 0, EV_LOAD),         // 0x0c
        csrw(MHPMEVENT3, T1),         // 0x10 counter 3 counts loads
        csrw(MHPMCOUNTER3, 0),        // 0x14 from 0: far from overflow
        lui(A1, 8),                   // 0x18 a1 = 32768 runs
        ld(A2, T0),                   // 0x1c loop: a load
        addi(A1, A1, -1),             // 0x20
        bne(A1, 0, -8),               // 0x24
        lui(T1, 2),                   // 0x28 t1 = mie.LCOFIE (bit 13)
        csrs(MIE, T1),                // 0x2c
        csrsi(MSTATUS, 8),            // 0x30 mstatus.MIE
        addi(T1, 0, -LOADS),          // 0x34
        csrw(MHPMCOUNTER3, T1),       // 0x38 LOADS loads from overflow
        ld(A2, T0),                   // 0x3c spin: a load
        addi(A3, A3, 1),              // 0x40 counted
        jal(-8),                      // 0x44
    ];
    code.resize((HANDLER / 4) as usize, addi(0, 0, 0));
    code.extend([
        lui(T4, 0x100),      // the test finisher
        lui(T5, 5),          //
        addi(T5, T5, 0x555), //
        sw(T5, 0, T4),       // pass
    ]);
    common::words(&code)
}

#[test]
fn a_counter_written_near_overflow_after_skipped_checks_interrupts_in_time() {
    let (mut m, _) = common::machine_with_code(&program(), 16 << 20);
    assert!(
        m.profile.timing,
        "the default profile times: loads are counted in timing mode"
    );
    assert_eq!(
        m.run(Some(2_000_000)),
        Exit::Status(0),
        "the overflow interrupt reached the handler"
    );
    let runs = m.hart.x[A3 as usize];
    assert!(
        (LOADS as u64..=LOADS as u64 + ARMED_SLICE_CYCLES).contains(&runs),
        "taken {runs} runs after the write, the overflow at run {LOADS}"
    );
    assert_eq!(m.stats.event_total(Event::Interrupt as usize, 0b111), 1);
}
