//! Do `bytes_loaded` and `bytes_stored` add up each access's size, exactly? A hand-assembled
//! M-mode program runs a loop of stores and loads of every size (compressed ones included), then
//! an AMO, an LR/SC pair that succeeds and an SC that fails (it stores nothing), reads the
//! bytes stored so far through `mhpmcounter3` (event 30), and stores to the test finisher. The
//! expected counts are hand-computed from the program; in functional mode nothing is counted.

mod common;

use common::encode::{addi, amo, bne, c_lw, c_sd, i_type, s_type, u_type};

use common::words;
use emu::Exit;
use emu::profile::Profile;
use emu::stats::Event;

const T0: u32 = 5;
const T1: u32 = 6;
const T2: u32 = 7;
const S1: u32 = 9;
const A0: u32 = 10;
const A3: u32 = 13;
const A4: u32 = 14;
const T3: u32 = 28;
const T4: u32 = 29;
const T5: u32 = 30;

/// Loop iterations.
const K: u32 = 10;
/// Bytes one iteration stores: sd 8, sw 4, sh 2, sb 1, c.sd 8.
const STORED_PER_ITERATION: u64 = 8 + 4 + 2 + 1 + 8;
/// Bytes one iteration loads: ld 8, lbu 1, c.lw 4.
const LOADED_PER_ITERATION: u64 = 8 + 1 + 4;

/// `mhpmevent3` and `mhpmcounter3`.
const MHPMEVENT3: i32 = 0x323;
const MHPMCOUNTER3: i32 = 0xb03;

/// The program, at `RAM_BASE` in M-mode (bare translation).
fn program() -> Vec<u8> {
    words(&[
        u_type(1, T0, 0x17),                    // 0x00 auipc t0, 1    t0 = RAM+0x1000
        addi(T1, 0, K as i32),                  // 0x04 li t1, K
        addi(T2, 0, Event::BytesStored as i32), // 0x08 li t2, 30
        i_type(MHPMEVENT3, T2, 1, 0, 0x73),     // 0x0c csrw mhpmevent3, t2
        addi(A0, T0, 16),                       // 0x10 a0 = t0 + 16
        s_type(0, T1, T0, 3),                   // 0x14 loop: sd t1, 0(t0)
        s_type(8, T1, T0, 2),                   // 0x18 sw t1, 8(t0)
        s_type(12, T1, T0, 1),                  // 0x1c sh t1, 12(t0)
        s_type(14, T1, T0, 0),                  // 0x20 sb t1, 14(t0)
        i_type(0, T0, 3, T3, 0x03),             // 0x24 ld t3, 0(t0)
        i_type(14, T0, 4, T3, 0x03),            // 0x28 lbu t3, 14(t0)
        c_sd(11, A0) | (c_lw(12, A0) << 16),    // 0x2c c.sd a1, 0(a0); c.lw a2, 0(a0)
        addi(T1, T1, -1),                       // 0x30 addi t1, t1, -1
        bne(T1, 0, 0x14 - 0x34),                // 0x34 bnez t1, loop
        amo(0b00000, 3, T3, T0, T1),            // 0x38 amoadd.d t3, t1, (t0)
        amo(0b00010, 2, T3, T0, 0),             // 0x3c lr.w t3, (t0)
        amo(0b00011, 2, S1, T0, T1),            // 0x40 sc.w s1, t1, (t0)   succeeds
        amo(0b00011, 2, A4, T0, T1),            // 0x44 sc.w a4, t1, (t0)   fails
        i_type(MHPMCOUNTER3, 0, 2, A3, 0x73),   // 0x48 csrr a3, mhpmcounter3
        u_type(0x100, T4, 0x37),                // 0x4c lui t4, 0x100  the finisher
        u_type(5, T5, 0x37),                    // 0x50 lui t5, 5
        addi(T5, T5, 0x555),                    // 0x54 addi t5, t5, 0x555
        s_type(0, T5, T4, 2),                   // 0x58 sw t5, 0(t4)   pass
    ])
}

fn run(profile: Profile) -> emu::Machine {
    let mut m = common::machine_with_profile(&program(), profile);
    assert_eq!(m.run(Some(10_000)), Exit::Status(0));
    m
}

fn total(m: &emu::Machine, e: Event) -> u64 {
    m.stats.event_total(e as usize, 0b111)
}

/// The bytes stored before the counter read: the loop, the AMO's 8 and the successful SC's 4.
const STORED_BEFORE_READ: u64 = K as u64 * STORED_PER_ITERATION + 8 + 4;

// In timing mode, with either pipeline model, does every access add exactly its size — the
// compressed ones, the AMO both ways, LR as a load, a successful SC as a store and a failed one
// as nothing — and does a performance counter selecting event 30 see the same bytes?
#[test]
fn every_access_adds_its_size_and_a_failed_sc_adds_nothing() {
    for name in ["u74", "simple"] {
        let m = run(Profile::load(name).expect("an embedded profile"));
        assert_eq!(m.hart.reg(S1 as u8), 0, "{name}: the first SC succeeds");
        assert_eq!(m.hart.reg(A4 as u8), 1, "{name}: the second SC fails");
        assert_eq!(
            total(&m, Event::BytesStored),
            STORED_BEFORE_READ + 4,
            "{name}: bytes stored (the finisher's sw adds 4)"
        );
        assert_eq!(
            total(&m, Event::BytesLoaded),
            K as u64 * LOADED_PER_ITERATION + 8 + 4,
            "{name}: bytes loaded (the AMO's 8 and the LR's 4)"
        );
        assert_eq!(
            m.hart.reg(A3 as u8),
            STORED_BEFORE_READ,
            "{name}: mhpmcounter3 counting event 30"
        );
        // The byte events sit beside the access counts they refine.
        assert_eq!(total(&m, Event::Store), K as u64 * 5 + 1 + 2 + 1, "{name}");
        assert_eq!(total(&m, Event::Load), K as u64 * 3 + 1 + 1, "{name}");
        // The statistics' buckets hold the same bytes as the running totals.
        let by_mode = m.stats.by_mode(m.retired, m.cycles());
        let machine_mode = &by_mode[2].1;
        assert_eq!(
            machine_mode.get(Event::BytesStored),
            STORED_BEFORE_READ + 4,
            "{name}: by mode"
        );
    }
}

// In functional mode loads and stores are not counted, and neither are their bytes.
#[test]
fn functional_mode_counts_no_bytes() {
    let m = run(Profile {
        timing: false,
        ..Profile::default()
    });
    assert_eq!(total(&m, Event::BytesStored), 0);
    assert_eq!(total(&m, Event::BytesLoaded), 0);
    assert_eq!(m.hart.reg(A3 as u8), 0);
}
