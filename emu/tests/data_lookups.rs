//! Do the data-access counters count cache lookups exactly? A misaligned load that crosses a
//! cache line inside a page looks up (and fills) both lines; one that crosses a page is two
//! translations and a lookup per line; a device access is uncached and looks nothing up; an
//! aligned load that takes the fast path is one lookup. The program is hand-assembled, so the
//! expected counts are hand-computed from it, line by line.

mod common;

use common::encode::{addi, lbu, ld, sw, u_type};

use common::words;
use emu::Exit;
use emu::memmap::RAM_BASE;
use emu::stats::Event;

const T0: u32 = 5;
const T1: u32 = 6;
const T2: u32 = 7;
const T3: u32 = 28;
const T4: u32 = 29;
const T5: u32 = 30;

/// The program, at `RAM_BASE` in M-mode (bare translation). Its data accesses, in order:
/// 1. `ld` at RAM+0x103c: crosses from line RAM+0x1000 into line RAM+0x1040 (both cold), which
///    no other access touches;
/// 2. `ld` at RAM+0x1000 (aligned: hits the line the first load filled);
/// 3. `ld` at RAM+0x1ffc: crosses into the next page, lines RAM+0x1fc0 and RAM+0x2000 (cold);
/// 4. and 5. `lbu` of the UART's LSR (a device), twice;
/// 6. `sw` of 0x5555 to the test finisher (a device), which ends the run.
fn program() -> Vec<u8> {
    words(&[
        u_type(1, T0, 0x17),       // 0x00 auipc t0, 1       t0 = RAM+0x1000
        ld(T1, 60, T0),            // 0x04 ld t1, 60(t0)     RAM+0x103c: two lines
        ld(T1, 0, T0),             // 0x08 ld t1, 0(t0)      RAM+0x1000
        u_type(2, T2, 0x17),       // 0x0c auipc t2, 2       t2 = RAM+0x200c
        ld(T3, -16, T2),           // 0x10 ld t3, -16(t2)    RAM+0x1ffc: two pages
        u_type(0x10000, T4, 0x37), // 0x14 lui t4, 0x10000   the UART
        lbu(T5, 5, T4),            // 0x18 lbu t5, 5(t4)     LSR
        lbu(T5, 5, T4),            // 0x1c lbu t5, 5(t4)     LSR
        u_type(0x100, T4, 0x37),   // 0x20 lui t4, 0x100     the test finisher
        u_type(5, T5, 0x37),       // 0x24 lui t5, 5
        addi(T5, T5, 0x555),       // 0x28 addi t5, t5, 0x555
        sw(T5, 0, T4),             // 0x2c sw t5, 0(t4)      pass
    ])
}

fn total(m: &emu::Machine, e: Event) -> u64 {
    m.stats.event_total(e as usize, 0b111)
}

fn run(profile: emu::profile::Profile) -> emu::Machine {
    let mut m = common::machine_with_profile(&program(), profile);
    assert_eq!(m.run(Some(1000)), Exit::Status(0));
    m
}

#[test]
fn a_line_crossing_load_looks_up_and_fills_both_lines_and_devices_look_up_nothing() {
    let m = run(emu::profile::Profile::default());
    // Loads 1 and 3 make two lookups each, load 2 one, the device accesses none.
    assert_eq!(total(&m, Event::L1dAccess), 5, "L1D lookups");
    // Cold: both lines of load 1 and both of load 3; load 2 hits what load 1 filled.
    assert_eq!(total(&m, Event::L1dMiss), 4, "L1D misses");
    assert_eq!(total(&m, Event::Load), 5, "loads retired");
    assert_eq!(total(&m, Event::Store), 1, "stores retired");
    assert_eq!(total(&m, Event::Exception), 0);
    let caches = m.caches();
    let l1d = caches.iter().find(|(n, _)| *n == "L1D").expect("an L1D").1;
    for line in [0x1000, 0x1040, 0x1fc0, 0x2000] {
        assert!(l1d.contains(RAM_BASE + line), "line RAM+{line:#x} filled");
    }
    assert!(!l1d.contains(RAM_BASE + 0x1080), "no line past the access");
    assert_eq!(l1d.valid_lines(), 4, "only the lines the loads touched");
}

#[test]
fn without_an_l1d_no_l1d_lookups_are_counted_and_every_data_line_goes_to_l2() {
    let m = run(emu::profile::Profile {
        l1d: None,
        ..Default::default()
    });
    assert_eq!(total(&m, Event::L1dAccess), 0, "no L1D, no L1D lookups");
    // Every RAM data lookup reaches the L2 (none takes a fast path): 2 + 1 + 2; the rest of
    // the L2's accesses are the L1I's misses.
    assert_eq!(
        total(&m, Event::L2Access) - total(&m, Event::L1iMiss),
        5,
        "data lookups in the L2"
    );
    let caches = m.caches();
    let l2 = caches.iter().find(|(n, _)| *n == "L2").expect("an L2").1;
    for line in [0x1000, 0x1040, 0x1fc0, 0x2000] {
        assert!(l2.contains(RAM_BASE + line), "line RAM+{line:#x} in L2");
    }
}
