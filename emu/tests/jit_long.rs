//! Does timing mode translate a long block that is not a loop only once it is much hotter than
//! the threshold, and does the translation change nothing the guest or the model sees? Timing
//! mode translates loops and blocks whose translated prefix is long
//! (`machine::jit::worth_translating`); a long one that is not a loop waits `HOT_ROUNDS` (5)
//! thresholds of entries, since compiling one costs more than a block run a threshold's
//! entries saves. Functional mode translates every block at the threshold.
//!
//! A hand-assembled M-mode program calls, `ROUNDS` times, a function whose block is 24 ALU,
//! load and store instructions and a `ret`. With the translator on (threshold 10) and off, the
//! state and every statistic agree along the way, in functional mode and in timing mode (`u74`,
//! `simple`). After 45 calls the function has a translation in functional mode only; at the
//! end (200 calls; its 50th entry is the fifth threshold) in every mode.
//!
//! Checked by hand: with `HOT_ROUNDS` 1 the check after 45 calls fails in timing mode, and with
//! long blocks not translated (`worth_translating` as before) the check at the end does.

mod common;

use common::encode::reg::*;
use common::encode::{add, addi, auipc, bne, jal, ld, ret, sd};

use emu::memmap::RAM_BASE;

/// Calls of the function.
const ROUNDS: i32 = 200;
/// Byte offset of the function in the code page.
const LONG: usize = 0x100;
/// Where the calls start (after the two instructions before the loop).
const OUTER: usize = 8;
/// Instructions retired per call: the `jal`, the function's 25, the loop's `addi` and `bne`.
const PER_ROUND: u64 = 28;

/// The program and the offset of its final spin.
fn program() -> (Vec<u8>, u64) {
    let mut code = vec![auipc(S0, 1), addi(A5, 0, ROUNDS)];
    assert_eq!(4 * code.len(), OUTER);
    code.push(jal(LONG as i32 - OUTER as i32) | (RA << 7));
    code.push(addi(A5, A5, -1));
    code.push(bne(A5, 0, -8));
    let spin = 4 * code.len() as u64;
    code.push(jal(0));
    while 4 * code.len() < LONG {
        code.push(addi(0, 0, 0));
    }
    for i in 0..6 {
        code.extend([
            addi(T0, T0, 3),
            sd(T0, 8 * i, S0),
            ld(T1, 8 * i as i32, S0),
            add(T2, T2, T1),
        ]);
    }
    code.push(ret());
    (common::words(&code), spin)
}

#[test]
fn long_blocks_wait_for_hot_rounds_and_agree() {
    let (code, spin) = program();
    let long = RAM_BASE + LONG as u64;
    for mode in common::JIT_MODES {
        let mut on = common::jit_machine(&code, mode, true, 10);
        let mut off = common::jit_machine(&code, mode, false, 10);
        // After 45 calls: the function's 45th entry (a run that stops inside the function
        // steps its instructions instead of entering it, so the first 45 calls run with two
        // stops only), four thresholds in timing mode.
        let early = 2 + 45 * PER_ROUND;
        for limit in [500, 1000, early] {
            common::same_at(&mut on, &mut off, limit, &format!("{mode:?}"));
        }
        assert_eq!(
            on.jit_translated_at(long),
            !mode.1,
            "{mode:?}: after 45 calls the function is translated in functional mode only"
        );
        let total = 2 + ROUNDS as u64 * PER_ROUND;
        for limit in (early..total).step_by(97).chain([total]) {
            common::same_at(&mut on, &mut off, limit, &format!("{mode:?}"));
        }
        assert_eq!(on.hart.pc, RAM_BASE + spin, "{mode:?}: at the end");
        assert_eq!(
            on.hart.reg(T2 as u8),
            sum(),
            "{mode:?}: the loads saw the stores"
        );
        assert!(
            on.jit_translated_at(long),
            "{mode:?}: the function is translated by the end ({} blocks)",
            on.jit_blocks()
        );
        assert_eq!(off.jit_blocks(), 0);
    }
}

// Turning the translator off forgets every translation and every block's count, and turning
// it on again counts from nothing: the function (translated after its 50th entry in timing
// mode, its 10th in functional mode) is not translated again until it has been entered that
// often once more. The state and statistics agree with a machine without the translator
// throughout. (The translator keeps a block's count and translation in its first element,
// `machine::jit::TRANSLATED`; forgetting must clear them there.)
#[test]
fn translations_and_counts_are_forgotten_when_the_translator_is_off() {
    let (code, spin) = program();
    let long = RAM_BASE + LONG as u64;
    for mode in common::JIT_MODES {
        let entries = if mode.1 { 50 } else { 10 };
        let mut on = common::jit_machine(&code, mode, true, 10);
        let mut off = common::jit_machine(&code, mode, false, 10);
        let after = |calls: u64| 2 + calls * PER_ROUND;
        common::same_at(&mut on, &mut off, after(entries + 5), &format!("{mode:?}"));
        assert!(on.jit_translated_at(long), "{mode:?}: translated");
        on.set_jit(false);
        assert!(!on.jit_translated_at(long), "{mode:?}: forgotten when off");
        common::same_at(&mut on, &mut off, after(entries + 10), &format!("{mode:?}"));
        on.set_jit(true);
        on.set_jit_threshold(10);
        common::same_at(
            &mut on,
            &mut off,
            after(2 * entries + 5),
            &format!("{mode:?}"),
        );
        assert!(
            !on.jit_translated_at(long),
            "{mode:?}: {} calls since the translator came back are not enough",
            entries - 5
        );
        common::same_at(
            &mut on,
            &mut off,
            after(2 * entries + 20),
            &format!("{mode:?}"),
        );
        assert!(on.jit_translated_at(long), "{mode:?}: translated again");
        let total = after(ROUNDS as u64);
        common::same_at(&mut on, &mut off, total, &format!("{mode:?}"));
        assert_eq!(on.hart.pc, RAM_BASE + spin, "{mode:?}: at the end");
    }
}

/// What `t2` holds at the end: the sum of every value `t0` took (3, 6, 9, …, one per store).
fn sum() -> u64 {
    let n = 6 * ROUNDS as u64;
    3 * n * (n + 1) / 2
}
