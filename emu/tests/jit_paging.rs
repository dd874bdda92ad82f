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

mod common;

use common::encode::{add, addi, auipc, bne, csrw, i_type, jal, ld, lui, r_type};

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

const MSTATUS: u32 = 0x300;
const MEPC: u32 = 0x341;
const SATP: u32 = 0x180;
const PMPCFG0: u32 = 0x3a0;
const PMPADDR0: u32 = 0x3b0;
const MRET: u32 = 0x3020_0073;

/// Byte offsets in RAM: the S-mode code, the page tables, the data pages.
const S_CODE: usize = 0x100;
const ROOT: u64 = 0x10000;
const L1: u64 = 0x11000;
const L0: u64 = 0x12000;
const DATA: u64 = 0x20000;
/// Virtual pages mapped (1..=PAGES, to `DATA` onwards).
const PAGES: u64 = 16;
/// Iterations of each hot loop.
const HOT: i32 = 100;

/// PTE bits.
const V: u64 = 1;
const RWX: u64 = 2 | 4 | 8;
const AD: u64 = 64 | 128;

/// `csrrs x0, csr, rs1`.
fn csrs(csr: u32, rs1: u32) -> u32 {
    i_type(csr as i32, rs1, 2, 0, 0x73)
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
    // Page k is used at byte 64 * k, so that each page's line has its own L1D set and stays
    // the most recently used line there.
    code.extend([
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
    ]);
    common::words(&code)
}

/// A machine in timing mode under `profile`, page tables in place, translator on or off.
fn machine(jit: bool, profile: &str) -> Machine {
    let mut profile = Profile::embedded(profile).expect("profile");
    profile.set_timing(true).expect("timing");
    let mut m = common::machine_with_profile(&program(), profile);
    let pte = |paddr: u64, flags: u64| (paddr >> 12) << 10 | flags;
    let mut put = |at: u64, pte: u64| m.write_host(RAM_BASE + at, &pte.to_le_bytes());
    put(ROOT, pte(RAM_BASE + L1, V));
    put(ROOT + 2 * 8, pte(RAM_BASE, V | RWX | AD)); // the code: a 1 GiB identity page
    put(L1, pte(RAM_BASE + L0, V));
    for page in 1..=PAGES {
        put(
            L0 + 8 * page,
            pte(RAM_BASE + DATA + (page - 1) * 0x1000, V | RWX | AD),
        );
    }
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
    for profile in ["tiny", "u74"] {
        let mut limits: Vec<u64> = (1..900).step_by(7).collect();
        limits.push(8_000);
        for limit in limits {
            let mut on = machine(true, profile);
            let mut off = machine(false, profile);
            assert_eq!(on.run(Some(limit)), Exit::InstructionLimit);
            assert_eq!(off.run(Some(limit)), Exit::InstructionLimit);
            assert_eq!(on.exceptions, 0, "{profile}: no trap at {:#x}", on.hart.pc);
            assert_eq!(
                state(&on),
                state(&off),
                "{profile}: after {limit} instructions"
            );
            if limit == 8_000 {
                assert!(on.jit_blocks() >= 2, "{profile}: {}", on.jit_blocks());
                assert_eq!(on.hart.pc, RAM_BASE + S_CODE as u64 + 33 * 4, "at the spin");
            }
        }
    }
}
