//! Do a translated loop's steady runs leave the machine as the interpreter does? Timing mode
//! runs a loop whose loads and stores all go through the L1D lines they hold, with nothing else
//! to check, through an unchecked copy of its body, as many runs as keep every access in its
//! line and the booking in closed form (`machine::jit::timed::laps`); a data helper forgets the
//! held lines of its own L1D set only.
//!
//! A hand-assembled M-mode program, under a CLINT timer re-armed every `delta` ticks, runs
//! four loops over and over: a copy that adds as it goes (`ld`, `add`, `sd`, `add`, two
//! `addi`, `bne`: two streams whose lines change at different runs), a sum walking down the
//! copy's source (a negative stride), a fill over a page's end (a store alone, with a
//! load after the loop in its block, so that its DTLB hits are not deferred and the head
//! checks the model's own MRU words) and a sum of one word (stride 0, bounded by the closed
//! form alone). The copy goes to lines in other L1D sets, to lines of the same sets as its
//! source's (so a data helper forgets the other stream's line, and the walk down finds lines
//! that are not the MRU ones of their sets), and 8 bytes past its source (each run loads what
//! the one before stored); its length ends it in the middle of a line. With the translator on
//! and off, the pc, the registers, the counts, the cycles, every statistic and the TLBs and
//! caches (their lines, and each set's MRU line) are the same at instruction limits all
//! along, in functional mode and in timing mode under `u74` and `simple`.
//!
//! Checked by hand: one steady run more than the lines allow (going up or going down) or than
//! the closed form allows, the lines' test dropped, or a data helper keeping the held lines of
//! its own set, each fails this test.

mod common;

use common::encode::reg::*;
use common::encode::{add, addi, bne, jal, ld, lui, sd};
use common::timer;

use emu::memmap::RAM_BASE;

/// Rounds of the three loops.
const OUTER: i32 = 16;

/// The program: the copy goes from `s0 + 16` to `s0 + dst` (`dst % 4096` below 2048), `len` bytes
/// (a multiple of 8); the timer is re-armed `delta` ticks after each interrupt. Its spin's
/// offset.
fn program(delta: i32, dst: i32, len: i32) -> (Vec<u8>, u64) {
    let mut code = timer::prologue(delta);
    code.push(addi(A5, 0, OUTER));
    let outer = code.len();
    code.extend([
        addi(A0, S0, 16),
        lui(T3, (dst >> 12) as u32),
        add(A2, S0, T3),
        addi(A2, A2, dst & 0xfff),
        addi(A3, A2, len),
        addi(A4, A0, 0),
    ]);
    let copy = code.len();
    code.extend([
        ld(T1, 0, A0),
        add(T1, T1, A5),
        sd(T1, 0, A2),
        add(T2, T2, T1),
        addi(A2, A2, 8),
        addi(A0, A0, 8),
    ]);
    code.push(bne(A2, A3, -4 * (code.len() - copy) as i32));
    // A jump to the next instruction ends each loop's block after its branch: a load or store
    // after the loop in the same block would keep its DTLB hits from being deferred.
    code.push(jal(4));
    // Down the copy's source (`a0` is at its end), loading 8 below the pointer.
    let down = code.len();
    code.extend([ld(T1, -8, A0), add(T4, T4, T1), addi(A0, A0, -8)]);
    code.push(bne(A0, A4, -4 * (code.len() - down) as i32));
    code.push(jal(4));
    // Fill `s0 + 4000` to `s0 + 4256`, over the end of the data page, with `t4` (a store
    // alone; the load after the loop, in the same block, keeps its DTLB hit from being
    // deferred: see `alone_unchanged`).
    code.extend([addi(A0, S0, 2000), addi(A0, A0, 2000), addi(A6, A0, 256)]);
    let fill = code.len();
    code.extend([sd(T4, 0, A0), addi(A0, A0, 8)]);
    code.push(bne(A0, A6, -4 * (code.len() - fill) as i32));
    code.extend([ld(T1, 16, S0), add(T4, T4, T1)]);
    code.push(jal(4));
    code.push(addi(A1, 0, 200));
    let same = code.len();
    code.extend([ld(T1, 24, S0), add(T4, T4, T1), addi(A1, A1, -1)]);
    code.push(bne(A1, 0, -4 * (code.len() - same) as i32));
    code.push(jal(4));
    code.push(addi(A5, A5, -1));
    code.push(bne(A5, 0, -4 * (code.len() - outer) as i32));
    let spin = 4 * code.len() as u64;
    (timer::epilogue(code, delta), spin)
}

#[test]
fn steady_runs_match_the_interpreter_under_a_timer() {
    // Another set (1 KiB on), the same set of a 4 KiB-span L1D (4 KiB on: `u74`'s), and
    // overlapping the source.
    for (dst, len) in [(1024 + 40, 488), (4096 + 16, 520), (24, 400)] {
        for mode in common::JIT_MODES {
            for delta in [3, 7, 13, 29] {
                let (code, spin) = program(delta, dst, len);
                let mut on = common::jit_machine(&code, mode, true, 10);
                let mut off = common::jit_machine(&code, mode, false, 10);
                let what = format!("{mode:?}, copy to +{dst}, delta {delta}");
                let total = 60_000;
                for limit in (1..total).step_by(89).chain([total]) {
                    common::same_at(&mut on, &mut off, limit, &what);
                }
                assert!(on.jit_blocks() >= 3, "{what}: the loops are translated");
                assert!(on.interrupts > 10, "{what}: the timer interrupts");
                assert_eq!(on.hart.pc, RAM_BASE + spin, "{what}: at the end");
                assert_ne!(on.hart.reg(7), 0, "{what}: the copy's sum (t2)");
            }
        }
    }
}
