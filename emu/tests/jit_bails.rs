//! Does the translator keep a translation that pays, and give up one that does not? A block's
//! native code that often leaves at a *bail* (a load or store its fast path cannot do, here a
//! store to a page that holds decoded code, which must go through the decode cache) goes back
//! to the interpreter for good (`machine::jit::bailed`): at least 64 bails, and at least one
//! run in four ending in one. In timing mode, leaving at the end of the translated prefix (an
//! operation the translator does not know) is what the translation was made for, not a bail;
//! and the bails are weighed against every run, though a loop's runs happen inside the native
//! code without new entries: they are counted when it leaves (`looped`).
//!
//! A hand-assembled M-mode program calls, 40 times over, a fill loop on 8 words of its own
//! code page (each store bails) and on 256 words of a data page (none does), and three times a
//! function that loops twice and then reads a CSR, which ends its block's translated prefix;
//! then a loop that stores into its own code page at every run. With the translator on and off
//! the state and every statistic agree along the way, in functional mode and in timing mode
//! (`u74`, `simple`). At the end the self-storing loop has no translation, in every mode, and in
//! timing mode the fill loop and the function still have theirs, while the straight-line block
//! that starts each round has a translation in functional mode only (timing mode translates
//! only loops and long blocks, see `machine::jit::worth_translating`).
//!
//! Checked by hand: no `looped` call in `enter_timed` fails the fill loop's check, and counting
//! the prefix's end as a bail in timing mode fails the function's.

mod common;

use common::encode::reg::*;
use common::encode::{addi, auipc, bne, csrr, jal, ret, sd};

use emu::memmap::RAM_BASE;

const MSCRATCH: u32 = 0x340;
/// Rounds of the outer loop.
const ROUNDS: i32 = 40;
/// Byte offsets in the code page: the words the fill loop stores there (past the code), and
/// where the fill loop, the function and the self-storing loop start.
const SCRATCH: i32 = 0x800;
const FILL: usize = 0x100;
const CSR_FN: usize = 0x140;
const SELF_STORE: usize = 0x180;
/// Where each round starts (after the two instructions before the outer loop).
const OUTER: usize = 8;

/// `jal ra, off`.
fn call(from: usize, to: usize) -> u32 {
    jal(to as i32 - from as i32) | (RA << 7)
}

/// Pads `code` with `nop`s to byte offset `at`.
fn pad(code: &mut Vec<u32>, at: usize) {
    assert!(4 * code.len() <= at, "code overlaps {at:#x}");
    while 4 * code.len() < at {
        code.push(addi(0, 0, 0));
    }
}

/// The program and the offset of its final spin.
fn program() -> (Vec<u8>, u64) {
    let mut code = vec![auipc(S0, 1), addi(A5, 0, ROUNDS)];
    let outer = code.len();
    assert_eq!(4 * outer, OUTER);
    code.extend([auipc(A0, 0), addi(A0, A0, SCRATCH - 4 * outer as i32)]);
    code.extend([addi(A1, 0, 8)]);
    code.push(call(4 * code.len(), FILL));
    code.extend([addi(A0, S0, 0), addi(A1, 0, 256)]);
    code.push(call(4 * code.len(), FILL));
    for _ in 0..3 {
        code.push(addi(T5, 0, 2));
        code.push(call(4 * code.len(), CSR_FN));
    }
    code.push(addi(A5, A5, -1));
    code.push(bne(A5, 0, -4 * (code.len() - outer) as i32));
    // The self-storing loop, 300 runs.
    code.extend([auipc(A0, 0), addi(A1, 0, 300)]);
    code.push(addi(A0, A0, SCRATCH - 4 * (code.len() - 2) as i32));
    code.push(call(4 * code.len(), SELF_STORE));
    let spin = 4 * code.len() as u64;
    code.push(jal(0));
    pad(&mut code, FILL);
    code.extend([
        sd(T2, 0, A0),
        addi(T2, T2, 3),
        addi(A0, A0, 8),
        addi(A1, A1, -1),
    ]);
    code.push(bne(A1, 0, -16));
    code.push(ret());
    pad(&mut code, CSR_FN);
    code.extend([addi(T3, T3, 1), addi(T5, T5, -1)]);
    code.push(bne(T5, 0, -8));
    code.extend([csrr(T0, MSCRATCH), addi(T4, T4, 1), ret()]);
    pad(&mut code, SELF_STORE);
    code.extend([sd(T2, 0, A0), addi(T2, T2, 1), addi(A1, A1, -1)]);
    code.push(bne(A1, 0, -12));
    code.push(ret());
    (common::words(&code), spin)
}

#[test]
fn bails_weigh_against_runs_and_the_prefix_end_is_no_bail() {
    let (code, spin) = program();
    for mode in common::JIT_MODES {
        let mut on = common::jit_machine(&code, mode, true, 10);
        let mut off = common::jit_machine(&code, mode, false, 10);
        let total = 70_000;
        for limit in (1..total).step_by(1009).chain([total]) {
            common::same_at(&mut on, &mut off, limit, &format!("{mode:?}"));
        }
        assert_eq!(on.hart.pc, RAM_BASE + spin, "{mode:?}: at the end");
        let at = |off: usize| RAM_BASE + off as u64;
        if mode.1 {
            assert!(
                on.jit_translated_at(at(FILL)),
                "{mode:?}: the fill loop keeps its translation"
            );
            assert!(
                on.jit_translated_at(at(CSR_FN)),
                "{mode:?}: the loop whose prefix ends at a CSR read keeps its translation"
            );
        }
        // The first block of a round (its pointers, then the call) is straight-line code.
        assert_eq!(
            on.jit_translated_at(at(OUTER)),
            !mode.1,
            "{mode:?}: a straight-line block is translated in functional mode only"
        );
        assert!(
            on.jit_blocks() >= 3,
            "{mode:?}: the self-storing loop was translated too ({} blocks)",
            on.jit_blocks()
        );
        assert!(
            !on.jit_translated_at(at(SELF_STORE)),
            "{mode:?}: the self-storing loop's translation is given up"
        );
    }
}
