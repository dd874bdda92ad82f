//! A program under the CLINT timer, for the tests of what the translator does when a timer
//! interrupt moves the slice's stop into its native code: a prologue that arms the timer and
//! enables its interrupt, and an epilogue with a spin and the interrupt handler, which counts
//! in `s1` and arms the timer again.

use super::encode::reg::*;
use super::encode::{addi, auipc, csrs, csrw, jal, ld, lui, sd};

const MSTATUS: u32 = 0x300;
const MIE: u32 = 0x304;
const MTVEC: u32 = 0x305;
const MRET: u32 = 0x3020_0073;

/// Byte offset of the interrupt handler.
pub const HANDLER: usize = 0x200;

/// The timer's re-arming: `mtimecmp` = `mtime` + `delta`.
pub fn arm(delta: i32) -> [u32; 3] {
    [
        ld(T0, 0, T6), // mtime
        addi(T0, T0, delta),
        sd(T0, 0, T5), // mtimecmp
    ]
}

/// The start of a program under the timer: the data page in `s0`, the handler, the CLINT's
/// registers in `t5` and `t6`, the timer armed and its interrupt enabled.
pub fn prologue(delta: i32) -> Vec<u32> {
    let mut code = vec![
        auipc(S0, 1), // the data page
        auipc(T0, 0),
        addi(T0, T0, HANDLER as i32 - 4),
        csrw(MTVEC, T0),
        lui(T5, 0x2004), // CLINT mtimecmp (hart 0)
        lui(T6, 0x200c),
        addi(T6, T6, -8), // CLINT mtime
    ];
    code.extend(arm(delta));
    code.extend([
        addi(T0, 0, 0x80), // mie.MTIE
        csrs(MIE, T0),
        addi(T0, 0, 8), // mstatus.MIE
        csrs(MSTATUS, T0),
    ]);
    code
}

/// `code` ended by a spin, with the interrupt handler (which counts in `s1` and re-arms the
/// timer) at `HANDLER`.
pub fn epilogue(mut code: Vec<u32>, delta: i32) -> Vec<u8> {
    code.push(jal(0)); // the end: spin
    while code.len() < HANDLER / 4 {
        code.push(addi(0, 0, 0));
    }
    code.extend(arm(delta));
    code.extend([addi(S1, S1, 1), MRET]);
    super::words(&code)
}
