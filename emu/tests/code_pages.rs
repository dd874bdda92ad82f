//! Does dropping a quiet code page's blocks all at once change anything but what is decoded
//! again? A code page that takes `QUIET_STORES` stores with no fetch from it in between (a kernel
//! zeroing a freed program's page) drops all its blocks, so that the rest of the stores take the
//! fast path (`machine::fetch`, `store_code`); until then a store drops only the blocks it
//! overlaps.
//!
//! A hand-assembled M-mode program calls two functions on a second page, then stores 200 words
//! into the second half of that page, then rewrites the first function's instruction (each round adds
//! another number), five times over. With the default threshold and with the drop never
//! happening (`set_quiet_stores(u16::MAX)`), the pc, the registers, the counts, the cycles and
//! every statistic agree at instruction limits along the way and at the end, in functional mode
//! and in timing mode (`u74`, `simple`), with the translator on (after 10 entries): the
//! rewritten instruction runs in both. At the end (after the last round's stores, and its
//! rewrite, but no call) the page holds no blocks with the default threshold, and still holds
//! the untouched function's block without the drop.
//!
//! Checked by hand: dropping the page in functional mode without dropping the fetch state and
//! the host TLB's entries (which may still name the page there) fails this test.

mod common;

use common::encode::reg::*;
use common::encode::{addi, auipc, bne, i_type, jal, jalr, lui, r_type, ret, sd, sw};

use emu::Machine;
use emu::memmap::RAM_BASE;

/// Rounds of the outer loop (the rewritten immediate is the round's counter, 5 down to 1).
const ROUNDS: i32 = 5;
/// Words each round stores into the functions' page, from its byte 0x800 on.
const WORDS: i32 = 200;

/// The program (two pages) and the offset of its final spin.
fn program() -> (Vec<u8>, u64) {
    let mut code = vec![auipc(S0, 1), addi(A5, 0, ROUNDS)];
    let outer = code.len();
    code.extend([
        jalr(RA, S0, 0),  // f: a2 += 1, then += what the last round wrote
        jalr(RA, S0, 16), // g: a3 += 1
        addi(A0, S0, 0x400),
        addi(A1, 0, WORDS),
    ]);
    let fill = code.len();
    code.extend([sd(T2, 0x400, A0), addi(A0, A0, 8), addi(A1, A1, -1)]);
    code.push(bne(A1, 0, -4 * (code.len() - fill) as i32));
    // f's instruction becomes `addi a2, a2, a5`.
    code.extend([
        lui(T1, 0x60),
        addi(T1, T1, 0x613),
        i_type(20, A5, 1, T0, 0x13), // slli t0, a5, 20
        r_type(0, T1, T0, 6, T0),    // or t0, t0, t1
        sw(T0, 0, S0),
        addi(A5, A5, -1),
    ]);
    code.push(bne(A5, 0, -4 * (code.len() - outer) as i32));
    let spin = 4 * code.len() as u64;
    code.push(jal(0));
    while code.len() < 0x1000 / 4 {
        code.push(addi(0, 0, 0));
    }
    code.extend([addi(A2, A2, 1), ret(), addi(0, 0, 0), addi(0, 0, 0)]);
    code.extend([addi(A3, A3, 1), ret()]);
    (common::words(&code), spin)
}

fn machine(code: &[u8], mode: (&str, bool), quiet: u16) -> Machine {
    let mut m = common::jit_machine(code, mode, true, 10);
    m.set_quiet_stores(quiet);
    m
}

#[test]
fn dropping_a_quiet_page_changes_nothing_but_the_decoding() {
    let (code, spin) = program();
    for mode in common::JIT_MODES {
        let mut on = machine(&code, mode, 64);
        let mut off = machine(&code, mode, u16::MAX);
        let total = 5_000;
        for limit in (1..total).step_by(97).chain([total]) {
            common::same_at(&mut on, &mut off, limit, &format!("{mode:?}"));
        }
        assert_eq!(on.hart.pc, RAM_BASE + spin, "{mode:?}: at the end");
        // f ran once as written (+1), then with each round's rewrite (+5, +4, +3, +2).
        assert_eq!(on.hart.reg(A2 as u8), 15, "{mode:?}: a2");
        assert_eq!(on.hart.reg(A3 as u8), ROUNDS as u64, "{mode:?}: a3");
        assert_eq!(
            (on.code_pages_in_use(), off.code_pages_in_use()),
            (1, 2),
            "{mode:?}: the functions' page is dropped only with the threshold"
        );
    }
}
