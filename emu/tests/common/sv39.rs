//! An S-mode program under Sv39 for the integration tests: the M-mode code that enters it (PMP
//! open to S-mode, `satp` at the root table, `mret` to the S-mode code at `S_CODE`), and the
//! page tables, with the code in a 1 GiB identity page and 4 KiB pages below 2 MiB mapped as
//! the test asks.

use emu::Machine;
use emu::memmap::RAM_BASE;

use super::encode::reg::{T0, T1};
use super::encode::{addi, auipc, csrs, csrw, i_type, r_type};

/// Byte offsets in RAM: the S-mode code, and the page tables (root, level 1, level 0).
pub const S_CODE: usize = 0x100;
pub const ROOT: u64 = 0x10000;
pub const L1: u64 = 0x11000;
pub const L0: u64 = 0x12000;

/// PTE bits.
pub const V: u64 = 1;
pub const RWX: u64 = 2 | 4 | 8;
pub const AD: u64 = 64 | 128;

const MSTATUS: u32 = 0x300;
const MEPC: u32 = 0x341;
const SATP: u32 = 0x180;
const PMPCFG0: u32 = 0x3a0;
const PMPADDR0: u32 = 0x3b0;
const MRET: u32 = 0x3020_0073;

/// The image: M-mode code that enters S-mode under Sv39 at `S_CODE`, then `s_code` there.
pub fn program(s_code: &[u32]) -> Vec<u8> {
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
    code.extend(s_code);
    super::words(&code)
}

/// A PTE for physical address `paddr` with `flags`.
pub fn pte(paddr: u64, flags: u64) -> u64 {
    (paddr >> 12) << 10 | flags
}

/// Writes the page tables: the code's 1 GiB identity page (from `RAM_BASE`), and each virtual
/// page `v` of `pages` (below 2 MiB) to RAM offset `frame`, readable, writable and executable,
/// accessed and dirty.
pub fn map(m: &mut Machine, pages: impl IntoIterator<Item = (u64, u64)>) {
    let mut put = |at: u64, value: u64| m.write_host(RAM_BASE + at, &value.to_le_bytes());
    put(ROOT, pte(RAM_BASE + L1, V));
    put(ROOT + 2 * 8, pte(RAM_BASE, V | RWX | AD));
    put(L1, pte(RAM_BASE + L0, V));
    for (v, frame) in pages {
        put(L0 + 8 * v, pte(RAM_BASE + frame, V | RWX | AD));
    }
}
