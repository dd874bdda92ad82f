//! Does timing mode's host TLB forget a page exactly when its modeled 4 KiB TLB entry goes,
//! now that an `sfence.vma` of one address and a DTLB eviction drop that page's host entries
//! alone instead of the whole host TLB? An S-mode program under Sv39 (profile `tiny`: an
//! 8-entry fully associative DTLB and no L2 TLB; every data page a 4 KiB page, so no superpage
//! entry's eviction flushes everything) reads page 1 (frame 1) and page 2 (frame 2), then:
//! - points page 1's PTE at frame 2, fences page 1, and reads it: frame 2's value, or the host
//!   TLB kept a translation the fence removed;
//! - points the PTE back at frame 1 without a fence and reads page 1: still frame 2's value,
//!   as the modeled TLB (architectural in timing mode) still holds the old translation;
//! - reads ten other pages, which evict page 1's DTLB entry, and reads page 1 again: frame 1's
//!   value, or the host TLB kept a translation the eviction removed;
//! - calls a routine in page 18, points page 18's PTE at another frame holding another routine,
//!   fences page 18 and calls it again: the other routine, or the host TLB's fetch table (which
//!   timing mode uses too, with the ITLB slot) kept a translation the fence removed.
//!
//! With the translator on and off. (Checked: with `HostTlb::drop_page` doing nothing the
//! fence's assertion fails, with an eviction dropping nothing the eviction's, and with
//! `drop_page` leaving the fetch table alone the routine's.)

mod common;

use common::encode::reg::*;
use common::encode::{addi, bne, jal, jalr, ld, lui, r_type, sd};
use common::sv39::{self, L0, S_CODE};

use emu::memmap::RAM_BASE;
use emu::profile::Profile;
use emu::{Exit, Machine};

/// Byte offset in RAM of the data frames.
const DATA: u64 = 0x20000;
/// Data pages mapped (1..=PAGES, page k to frame k - 1 from `DATA`); page `TABLES` maps `L0`.
const PAGES: u64 = 16;
const TABLES: u64 = 17;
/// The routine's page, mapped to frame `ROUTINE` (routine 1), then to the next (routine 2).
const CODE_PAGE: u64 = 18;
const ROUTINE: u64 = 0x40000;
/// What frames 1 and 2 (of pages 1 and 2) hold at their first word.
const FRAME1: u64 = 0x11;
const FRAME2: u64 = 0x22;

/// Added to a PTE, moves its frame one page up.
const NEXT_FRAME: i32 = 1 << 10;

/// `sfence.vma rs1, x0`.
fn sfence_vma(rs1: u32) -> u32 {
    r_type(0b000_1001, 0, rs1, 0, 0) | 0x73
}

fn program() -> Vec<u8> {
    sv39::program(&[
        lui(S1, 1),                // page 1
        lui(S2, 2),                // page 2
        lui(T1, TABLES as u32),    // the L0 table; page 1's PTE at 8
        ld(S3, 0, S1),             // frame 1
        ld(S4, 0, S2),             // frame 2
        ld(T0, 8, T1),             // page 1's PTE
        addi(T0, T0, NEXT_FRAME),  // now frame 2
        sd(T0, 8, T1),             //
        sfence_vma(S1),            // page 1 alone
        ld(S5, 0, S1),             // frame 2, walked again
        addi(T0, T0, -NEXT_FRAME), // frame 1 again, no fence
        sd(T0, 8, T1),             //
        ld(S6, 0, S1),             // frame 2 still: the DTLB's entry
        lui(T2, 3),                // pages 3 to 12
        addi(A4, 0, 10),           //
        ld(T0, 0, T2),             // each a DTLB miss; page 1's entry goes
        lui(T0, 1),                //
        r_type(0, T0, T2, 0, T2),  // add t2, t2, t0
        addi(A4, A4, -1),          //
        bne(A4, 0, -16),           //
        ld(S7, 0, S1),             // frame 1, walked again
        lui(T2, CODE_PAGE as u32), // the routine's page
        jalr(RA, T2, 0),           // routine 1: s8 = 1
        addi(S9, S8, 0),
        ld(T0, 8 * CODE_PAGE as i32, T1), // its PTE
        addi(T0, T0, NEXT_FRAME),         // now routine 2's frame
        sd(T0, 8 * CODE_PAGE as u32, T1),
        sfence_vma(T2),  // the routine's page alone
        jalr(RA, T2, 0), // routine 2: s8 = 2
        jal(0),
    ])
}

/// Routine `k`: `s8 = k`, return.
fn routine(k: i32) -> Vec<u8> {
    common::words(&[addi(S8, 0, k), jalr(0, RA, 0)])
}

/// A machine in timing mode under `tiny`, page tables and frames in place, translator on or
/// off.
fn machine(jit: bool) -> Machine {
    let mut profile = Profile::embedded("tiny").expect("profile");
    profile.set_timing(true).expect("timing");
    let mut m = common::machine_with_profile(&program(), profile);
    let data = (1..=PAGES).map(|page| (page, DATA + (page - 1) * 0x1000));
    sv39::map(&mut m, data.chain([(TABLES, L0), (CODE_PAGE, ROUTINE)]));
    m.write_host(RAM_BASE + DATA, &FRAME1.to_le_bytes());
    m.write_host(RAM_BASE + DATA + 0x1000, &FRAME2.to_le_bytes());
    m.write_host(RAM_BASE + ROUTINE, &routine(1));
    m.write_host(RAM_BASE + ROUTINE + 0x1000, &routine(2));
    m.set_jit(jit);
    m.set_jit_threshold(1);
    m
}

#[test]
fn a_fenced_or_evicted_page_is_walked_again() {
    let spin = RAM_BASE + S_CODE as u64 + 29 * 4;
    for jit in [false, true] {
        let mut m = machine(jit);
        assert_eq!(m.run(Some(2_000)), Exit::InstructionLimit);
        assert_eq!(m.exceptions, 0, "no trap (at {:#x})", m.hart.pc);
        assert_eq!(m.hart.pc, spin, "at the spin");
        let reg = |r: u32| m.hart.reg(r as u8);
        assert_eq!(
            (reg(S3), reg(S4)),
            (FRAME1, FRAME2),
            "jit {jit}: the frames"
        );
        assert_eq!(reg(S5), FRAME2, "jit {jit}: after the fence, the new frame");
        assert_eq!(reg(S6), FRAME2, "jit {jit}: unfenced, the DTLB's frame");
        assert_eq!(
            reg(S7),
            FRAME1,
            "jit {jit}: after the eviction, the new frame"
        );
        assert_eq!(reg(S9), 1, "jit {jit}: routine 1 first");
        assert_eq!(reg(S8), 2, "jit {jit}: after the fence, routine 2");
    }
}
