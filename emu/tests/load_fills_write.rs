//! A load's translation may fill the host TLB's write table as well as its read table, so that
//! the page's first store skips the slow path (`Machine::translate_data`): only where a store
//! would pass every check of the slow path. Does a store after a load still do what the slow
//! path does? An S-mode program under Sv39 loads from, then stores to:
//! - page 1, writable but not dirty: the store must set the PTE's D bit (the guest reads the
//!   PTE back);
//! - page 3, writable and dirty: the store must land (read back);
//! - page 2, readable only: the store must raise a store page fault (cause 15, `mtval` the
//!   address), which goes to M-mode's `mtvec`, a spin.
//!
//! In functional and timing mode, the translator on and off. (Checked: with the D bit or the W
//! bit left out of `store_would_pass`, the D bit's or page 2's assertion fails in timing mode.)

mod common;

use common::encode::reg::*;
use common::encode::{addi, jal, ld, lui, sd};
use common::sv39::{self, AD, L0, S_CODE, V, pte};

use emu::memmap::RAM_BASE;
use emu::profile::Profile;
use emu::{Exit, Machine};

/// Byte offset in RAM of the data frames (page k at `DATA + (k - 1) * 4096`).
const DATA: u64 = 0x20000;
/// The page mapping the L0 table.
const TABLES: u64 = 17;
/// PTE bits.
const R: u64 = 2;
const W: u64 = 4;
const A: u64 = 64;
const D: u64 = 128;
/// What the program stores.
const VALUE: i32 = 0x55;

fn program() -> Vec<u8> {
    sv39::program(&[
        lui(S1, 1),             // page 1: writable, not dirty
        lui(S2, 2),             // page 2: read-only
        lui(S3, 3),             // page 3: writable and dirty
        lui(T1, TABLES as u32), // the L0 table
        addi(T0, 0, VALUE),     //
        ld(A0, 0, S1),          // a load, then a store, to page 1
        sd(T0, 0, S1),          //
        ld(S4, 8, T1),          // page 1's PTE: dirty now
        ld(A0, 0, S3),          // a load, then a store, to page 3
        sd(T0, 8, S3),          //
        ld(S5, 8, S3),          // the stored value
        ld(A0, 0, S2),          // a load, then a store, to page 2
        addi(S6, 0, 1),         // (reached)
        sd(T0, 0, S2),          // a store page fault
        addi(S7, 0, 1),         // (not reached)
        jal(0),                 // the spin, also M-mode's trap vector
    ])
}

/// The spin's address (the last instruction).
const SPIN: u64 = RAM_BASE + S_CODE as u64 + 15 * 4;

fn machine(timing: bool, jit: bool) -> Machine {
    let mut profile = Profile::embedded("tiny").expect("profile");
    profile.set_timing(timing).expect("timing");
    let mut m = common::machine_with_profile(&program(), profile);
    let frame = |page: u64| DATA + (page - 1) * 0x1000;
    sv39::map(&mut m, [(TABLES, L0)]);
    let mut put = |v: u64, flags: u64| {
        let entry = pte(RAM_BASE + frame(v), V | flags);
        m.write_host(RAM_BASE + L0 + 8 * v, &entry.to_le_bytes());
    };
    put(1, R | W | A);
    put(2, R | AD);
    put(3, R | W | AD);
    m.hart.csr.mtvec = SPIN;
    m.set_jit(jit);
    m.set_jit_threshold(1);
    m
}

#[test]
fn a_store_after_a_load_makes_the_slow_paths_checks() {
    for timing in [false, true] {
        for jit in [false, true] {
            let mut m = machine(timing, jit);
            assert_eq!(m.run(Some(500)), Exit::InstructionLimit);
            let reg = |r: u32| m.hart.reg(r as u8);
            let at = format!("timing {timing}, jit {jit}");
            assert_ne!(reg(S4) & D, 0, "{at}: the store set page 1's D bit");
            assert_eq!(reg(S5), VALUE as u64, "{at}: the store to page 3 landed");
            assert_eq!(reg(S6), 1, "{at}: the load from page 2 went through");
            assert_eq!(reg(S7), 0, "{at}: the store to page 2 did not");
            assert_eq!(m.exceptions, 1, "{at}: one trap");
            assert_eq!(m.hart.csr.mcause, 15, "{at}: a store page fault");
            assert_eq!(m.hart.csr.mtval, 0x2000, "{at}: at page 2");
            assert_eq!(m.hart.pc, SPIN, "{at}: at the spin");
        }
    }
}
