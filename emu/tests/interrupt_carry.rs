//! Does trap entry for an interrupt drop the register delays the pipeline model hands from one
//! block to the next, as an exception's does? The handler's first instruction must not wait for
//! a divide the interrupted code left in flight: the trap penalty covers it.
//!
//! The program (hand-assembled, M-mode, bare) makes a machine software interrupt pending while
//! `mstatus.MIE` is clear, starts a divide into `a0` (66 cycles), and ends that block with
//! `csrrsi mstatus, MIE`, so the interrupt is taken at the block boundary with `a0` still
//! pending. The handler's first instruction multiplies a register by itself (an early read):
//! `a0` in one run, `a2` (long ready) in the other. If the carry survived, the `a0` run would
//! stall; it must cost exactly what the `a2` run costs. The control jumps to the same code
//! instead of taking an interrupt: there the `a0` run must stall, which shows the probe sees a
//! carried delay when there is one. The instruction after `csrrsi` reads the same register, so
//! an interrupt taken later than the boundary would also show as a difference.

mod common;

use common::encode::{addi, auipc, csrs, csrsi, csrw, lui, r_type, sw};

use emu::Exit;
use emu::stats::Event;

const T0: u32 = 5;
const T1: u32 = 6;
const T2: u32 = 7;
const T4: u32 = 29;
const T5: u32 = 30;
const T6: u32 = 31;
const A0: u32 = 10;
const A1: u32 = 11;
const A2: u32 = 12;

const MSTATUS: u32 = 0x300;
const MIE: u32 = 0x304;
const MTVEC: u32 = 0x305;
/// `mie.MSIE` and `mstatus.MIE`: bit 3 of each.
const BIT3: u32 = 8;

fn mul(rd: u32, rs1: u32, rs2: u32) -> u32 {
    r_type(1, rs2, rs1, 0, rd)
}

fn div(rd: u32, rs1: u32, rs2: u32) -> u32 {
    r_type(1, rs2, rs1, 4, rd)
}

/// `jal x0, off` (a forward jump by `off` bytes, `off` < 2 KiB and even).
fn j(off: u32) -> u32 {
    (((off >> 1) & 0x3ff) << 21) | 0x6f
}

/// The handler's offset from `RAM_BASE`.
const HANDLER: u32 = 0x40;

/// The program; `read` is the register the handler (and the instruction after the boundary)
/// reads; `interrupt`: reach the handler by the interrupt (else by a jump).
fn program(read: u32, interrupt: bool) -> Vec<u8> {
    let boundary = if interrupt {
        csrsi(MSTATUS, BIT3) // 0x28: enables the pending interrupt, ends the block
    } else {
        j(HANDLER - 0x28) // 0x28: to the handler, ends the block
    };
    let mut code = vec![
        auipc(T0, 0),                 // 0x00 t0 = RAM
        addi(T0, T0, HANDLER as i32), // 0x04 t0 = the handler
        csrw(MTVEC, T0),              // 0x08 mtvec = the handler (direct)
        addi(T1, 0, BIT3 as i32),     // 0x0c
        csrs(MIE, T1),                // 0x10 mie.MSIE
        lui(T2, 0x2000),              // 0x14 t2 = CLINT msip
        addi(T1, 0, 1),               // 0x18
        sw(T1, 0, T2),                // 0x1c msip = 1: pending, not taken (mstatus.MIE clear)
        addi(A1, 0, 7),               // 0x20
        div(A0, A1, A1),              // 0x24 a0 pending for 66 cycles
        boundary,                     // 0x28
        mul(T6, read, read),          // 0x2c reached only if the interrupt is late
    ];
    code.resize((HANDLER / 4) as usize, addi(0, 0, 0));
    code.extend([
        mul(T4, read, read), // handler: an early read of `read`
        lui(T4, 0x100),      // the test finisher
        lui(T5, 5),          //
        addi(T5, T5, 0x555), //
        sw(T5, 0, T4),       // pass
    ]);
    common::words(&code)
}

/// Runs the program under the default (pipeline) profile: its cycles and interrupts.
fn run(read: u32, interrupt: bool) -> (u64, u64) {
    let (mut m, _) = common::machine_with_code(&program(read, interrupt), 16 << 20);
    assert!(
        m.profile.pipeline.is_some(),
        "the default is the pipeline model"
    );
    assert_eq!(m.run(Some(10_000)), Exit::Status(0));
    (
        m.cycles(),
        m.stats.event_total(Event::Interrupt as usize, 0b111),
    )
}

#[test]
fn an_interrupt_drops_the_registers_a_block_left_pending() {
    // The control: across a jump, the handler's read of a0 waits for the divide.
    let (jump_a0, none) = run(A0, false);
    let (jump_a2, _) = run(A2, false);
    assert_eq!(none, 0);
    assert!(
        jump_a0 > jump_a2,
        "a carried divide delays its reader: {jump_a0} vs {jump_a2}"
    );
    // Through an interrupt, nothing waits.
    let (irq_a0, taken) = run(A0, true);
    let (irq_a2, _) = run(A2, true);
    assert_eq!(taken, 1, "the interrupt is taken");
    assert_eq!(irq_a0, irq_a2, "trap entry dropped the pending divide");
}
