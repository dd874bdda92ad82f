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

use common::encode::{addi, auipc, bne, csrw, i_type, jal, jalr, ld, lui, r_type, sd};

use emu::memmap::RAM_BASE;
use emu::profile::Profile;
use emu::{Exit, Machine};

const T0: u32 = 5;
const T1: u32 = 6;
const T2: u32 = 7;
const S1: u32 = 9;
const S2: u32 = 18;
const S3: u32 = 19;
const S4: u32 = 20;
const S5: u32 = 21;
const S6: u32 = 22;
const S7: u32 = 23;
const A4: u32 = 14;
const S8: u32 = 24;
const S9: u32 = 25;
const RA: u32 = 1;

const MSTATUS: u32 = 0x300;
const MEPC: u32 = 0x341;
const SATP: u32 = 0x180;
const PMPCFG0: u32 = 0x3a0;
const PMPADDR0: u32 = 0x3b0;
const MRET: u32 = 0x3020_0073;

/// Byte offsets in RAM: the S-mode code, the page tables, the data frames.
const S_CODE: usize = 0x100;
const ROOT: u64 = 0x10000;
const L1: u64 = 0x11000;
const L0: u64 = 0x12000;
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

/// PTE bits.
const V: u64 = 1;
const RWX: u64 = 2 | 4 | 8;
const AD: u64 = 64 | 128;
/// Added to a PTE, moves its frame one page up.
const NEXT_FRAME: i32 = 1 << 10;

/// `csrrs x0, csr, rs1`.
fn csrs(csr: u32, rs1: u32) -> u32 {
    i_type(csr as i32, rs1, 2, 0, 0x73)
}

/// `sfence.vma rs1, x0`.
fn sfence_vma(rs1: u32) -> u32 {
    r_type(0b000_1001, 0, rs1, 0, 0) | 0x73
}

fn program() -> Vec<u8> {
    let mut code = vec![
        // PMP: all of memory to S-mode.
        addi(T0, 0, -1),
        csrw(PMPADDR0, T0),
        addi(T0, 0, 0x1f), // NAPOT, RWX
        csrw(PMPCFG0, T0),
        // satp = Sv39 | root's PPN.
        addi(T0, 0, 8),
        i_type(60, T0, 1, T0, 0x13), // slli t0, t0, 60
        auipc(T1, (ROOT >> 12) as u32),
        addi(T1, T1, -24),           // auipc was at offset 24
        i_type(12, T1, 5, T1, 0x13), // srli t1, t1, 12
        r_type(0, T1, T0, 6, T0),    // or t0, t0, t1
        csrw(SATP, T0),
        // mstatus.MPP = S, mepc = the S-mode code, mret.
        addi(T0, 0, 1),
        i_type(11, T0, 1, T0, 0x13), // slli t0, t0, 11
        csrs(MSTATUS, T0),
        auipc(T0, 0),
        addi(T0, T0, S_CODE as i32 - 56),
        csrw(MEPC, T0),
        MRET,
    ];
    while code.len() < S_CODE / 4 {
        code.push(addi(0, 0, 0));
    }
    code.extend([
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
    ]);
    common::words(&code)
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
    let pte = |paddr: u64, flags: u64| (paddr >> 12) << 10 | flags;
    let mut put = |at: u64, value: u64| m.write_host(RAM_BASE + at, &value.to_le_bytes());
    put(ROOT, pte(RAM_BASE + L1, V));
    put(ROOT + 2 * 8, pte(RAM_BASE, V | RWX | AD)); // the code: a 1 GiB identity page
    put(L1, pte(RAM_BASE + L0, V));
    for page in 1..=PAGES {
        put(
            L0 + 8 * page,
            pte(RAM_BASE + DATA + (page - 1) * 0x1000, V | RWX | AD),
        );
    }
    put(L0 + 8 * TABLES, pte(RAM_BASE + L0, V | RWX | AD));
    put(L0 + 8 * CODE_PAGE, pte(RAM_BASE + ROUTINE, V | RWX | AD));
    put(DATA, FRAME1);
    put(DATA + 0x1000, FRAME2);
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
