//! Does the translator in timing mode book the DTLB exactly as the interpreter does, under
//! Sv39? An S-mode program fills the 8-entry DTLB of the `tiny` profile with pages 1 to 8, then
//! loops loading from pages 1 and 2 in turn, touches pages 3 to 8 again, and loops on pages 1
//! and 2 again: every access of those loops hits the DTLB, but not its most recently used
//! entry, so each one changes the LRU order, and its L1D line is the MRU one of its set, so the
//! native code books the DTLB hit alone, through a helper. Then page 9's fill evicts the least
//! recently used entry: page 3 if every hit was booked, page 1 if the second loop's were not
//! (and the last loop, on pages 1 and 2, would miss). With the translator on (every block
//! translated at its first entry) and off, every statistic, the cycles and the registers are the
//! same at every limit checked. (Checked: dropping that helper call fails this test.)
//!
//! The second test puts each hot loop in a block of its own, with a jump (`jal` to the next
//! instruction) before it and after its branch: the loop's block then has no load or store
//! beyond its body, and the native code defers its DTLB hits and makes them, in the order of
//! their last runs, when it leaves (`dtlb_replay`). (Checked: making none when it leaves fails
//! that test.)
//!
//! The third copies 1 KiB from page 1 to page 2 and back (the kernels' word copy: `ld`, `sd`,
//! two `addi`, a branch), in a block of its own: the source's and destination's lines lie at
//! the same page offsets, so in the same L1D set, and each access finds the other's line the
//! MRU one there, an LRU hit that changes the set's order. The native code's held lines
//! (`Env::lines`) must give way to the model at each such access. (Checked: keeping the held
//! lines across helper calls fails it.)

mod common;

use common::encode::{add, addi, bne, jal, ld, lui, sd};
use common::sv39::{self, S_CODE};

use emu::memmap::RAM_BASE;
use emu::profile::Profile;
use emu::{Exit, Machine};

const T0: u32 = 5;
const T1: u32 = 6;
const T2: u32 = 7;
const T3: u32 = 28;
const T4: u32 = 29;
const S1: u32 = 9;
const S2: u32 = 18;
const A4: u32 = 14;

/// Byte offset in RAM of the data pages.
const DATA: u64 = 0x20000;
/// Virtual pages mapped (1..=PAGES, to `DATA` onwards).
const PAGES: u64 = 16;
/// Iterations of each hot loop.
const HOT: i32 = 100;

/// The program; `ended`: each hot loop is a block of its own, entered at its start and ended
/// by a jump after its branch (six more instructions before the spin).
fn program(ended: bool) -> Vec<u8> {
    // Page k is used at byte 64 * k, so that each page's line has its own L1D set and stays
    // the most recently used line there.
    let code = [
        lui(S1, 1), // page 1
        lui(S2, 2), // page 2
        addi(T2, 0, 8),
        addi(T1, S1, 64),
        lui(T3, 1),
        addi(T3, T3, 64),
        ld(T0, 0, T1), // fill: pages 1 to 8, the DTLB's 8 entries
        add(T1, T1, T3),
        addi(T2, T2, -1),
        bne(T2, 0, -12),
        addi(A4, 0, HOT),
        ld(T0, 64, S1), // hot: pages 1 and 2, never the MRU entry
        ld(T0, 128, S2),
        addi(A4, A4, -1),
        bne(A4, 0, -12),
        addi(T2, 0, 6),
        lui(T4, 3),
        addi(T4, T4, 1216),
        ld(T0, 0, T4), // pages 3 to 8 again, at new lines (the DTLB hit goes with an L1D miss)
        add(T4, T4, T3),
        addi(T2, T2, -1),
        bne(T2, 0, -12),
        addi(A4, 0, HOT),
        ld(T0, 64, S1), // hot: pages 1 and 2 are used last again (natively, DTLB hits alone)
        ld(T0, 128, S2),
        addi(A4, A4, -1),
        bne(A4, 0, -12),
        ld(T0, 0, T1), // page 9: evicts the least recently used entry, page 3
        addi(A4, 0, HOT),
        ld(T0, 64, S1), // hot again: no DTLB miss
        ld(T0, 128, S2),
        addi(A4, A4, -1),
        bne(A4, 0, -12),
        jal(0),
    ];
    // Before each hot loop (after the words at 10, 22 and 28) and after its `bne` (14, 26, 32).
    let mut insns = Vec::new();
    for (i, w) in code.into_iter().enumerate() {
        insns.push(w);
        if ended && [10, 14, 22, 26, 28, 32].contains(&i) {
            insns.push(jal(4));
        }
    }
    sv39::program(&insns)
}

/// The copy program: 1 KiB from page 1 to page 2, then from page 2 back to page 1 at an
/// offset of 512 bytes (so that the second copy finds lines of both pages in the L1D), each
/// copy loop in a block of its own; then a spin at `COPY_SPIN`.
fn copy_program() -> Vec<u8> {
    let copy = |from: u32, to: u32, off: i32| {
        [
            lui(S1, from),
            addi(S1, S1, off),
            lui(S2, to),
            addi(A4, 0, 128),
            jal(4),
            ld(T0, 0, S1), // the loop: a block of its own
            sd(T0, 0, S2),
            addi(S1, S1, 8),
            addi(S2, S2, 8),
            addi(A4, A4, -1),
            bne(A4, 0, -20),
            jal(4),
        ]
    };
    let mut insns = Vec::new();
    insns.extend(copy(1, 2, 0));
    insns.extend(copy(2, 1, 512));
    insns.push(jal(0));
    sv39::program(&insns)
}

/// Where `copy_program` spins: after its two copies of 12 instructions each.
const COPY_SPIN: u64 = 24;

/// A machine in timing mode under `profile` running `code`, page tables in place, translator
/// on or off.
fn machine_for(code: &[u8], jit: bool, profile: &str) -> Machine {
    let mut profile = Profile::embedded(profile).expect("profile");
    profile.set_timing(true).expect("timing");
    let mut m = common::machine_with_profile(code, profile);
    sv39::map(
        &mut m,
        (1..=PAGES).map(|page| (page, DATA + (page - 1) * 0x1000)),
    );
    m.set_jit(jit);
    m.set_jit_threshold(1);
    m
}

fn state(m: &Machine) -> String {
    let regs: Vec<u64> = (0..32).map(|r| m.hart.reg(r)).collect();
    let s = format!(
        "pc {:#x} regs {regs:x?} retired {} exceptions {} cycles {} stats {:?}",
        m.hart.pc,
        m.retired,
        m.exceptions,
        m.cycles(),
        m.stats.live_buckets(m.retired, m.cycles()),
    );
    format!("{s} {}", common::model_state(m))
}

#[test]
fn dtlb_order_under_pressure_is_the_interpreters() {
    same_dtlb_order(false);
}

#[test]
fn dtlb_order_of_deferred_hits_is_the_interpreters() {
    same_dtlb_order(true);
}

/// The translator on and off give the same state at every limit checked, for `program(ended)`.
fn same_dtlb_order(ended: bool) {
    let spin = if ended { 39 } else { 33 };
    let limits = (1..900).step_by(7);
    same_states(&program(ended), &["tiny", "u74"], limits, 8_000, spin);
}

/// With the translator on and off, `code` reaches the same state after each of `limits`
/// instructions and after `end`, under each of `profiles`; by `end` it has translated at least
/// two blocks and spins at its instruction `spin`.
fn same_states(
    code: &[u8],
    profiles: &[&str],
    limits: impl Iterator<Item = u64> + Clone,
    end: u64,
    spin: u64,
) {
    for &profile in profiles {
        for limit in limits.clone().chain([end]) {
            let mut on = machine_for(code, true, profile);
            let mut off = machine_for(code, false, profile);
            assert_eq!(on.run(Some(limit)), Exit::InstructionLimit);
            assert_eq!(off.run(Some(limit)), Exit::InstructionLimit);
            assert_eq!(on.exceptions, 0, "{profile}: no trap at {:#x}", on.hart.pc);
            assert_eq!(
                state(&on),
                state(&off),
                "{profile}: after {limit} instructions"
            );
            if limit == end {
                assert!(on.jit_blocks() >= 2, "{profile}: {}", on.jit_blocks());
                assert_eq!(
                    on.hart.pc,
                    RAM_BASE + S_CODE as u64 + spin * 4,
                    "at the spin"
                );
            }
        }
    }
}

#[test]
fn copy_between_lines_of_one_set_is_the_interpreters() {
    let limits = (1..3200).step_by(53);
    same_states(
        &copy_program(),
        &["tiny", "u74", "big"],
        limits,
        20_000,
        COPY_SPIN,
    );
}
