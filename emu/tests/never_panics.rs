//! What if a guest executes garbage? Arbitrary 32-bit words and arbitrary compressed halfwords,
//! run in M, S and U mode, with paging off or on (over a page table of arbitrary PTEs), with
//! arbitrary register values (so loads, stores and AMOs reach RAM, devices and holes), must
//! never panic the host; and the architectural invariants x0 = 0 and pc[0] = 0 must hold.

mod common;

use emu::hart::Privilege;
use emu::hart::csr::{mstatus, satp};
use emu::memmap::RAM_BASE;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

const RAM: u64 = 8 << 20;
/// Where the fuzz test puts its (arbitrary) root page table.
const ROOT: u64 = RAM_BASE + 0x10_0000;

fn mode(i: u8) -> Privilege {
    [Privilege::User, Privilege::Supervisor, Privilege::Machine][i as usize % 3]
}

/// Runs `code` from the start of RAM with the given state for up to `steps` instructions.
fn run(
    code: &[u8],
    regs: &[u64],
    priv_index: u8,
    paging: bool,
    ptes: &[u64],
    steps: u64,
) -> Result<(), TestCaseError> {
    let (mut m, _) = common::machine_with_code(code, RAM);
    for (i, &r) in regs.iter().enumerate() {
        // Half the registers point into RAM so memory instructions often hit something.
        let v = if i % 2 == 0 { RAM_BASE + (r % RAM) } else { r };
        m.hart.set_reg(i as u8 + 1, v);
    }
    // Traps land back in the code, in M-mode and (delegated) S-mode.
    m.hart.csr.mtvec = RAM_BASE;
    m.hart.csr.stvec = RAM_BASE | 1;
    m.hart.csr.medeleg = 0xb1ff;
    m.hart.csr.mideleg = 0x222;
    m.hart.csr.mstatus |= mstatus::SUM;
    m.pmp.write_addr(0, u64::MAX);
    m.pmp.write_cfg(0, 0x1f); // R | W | X | NAPOT: all memory open to S and U
    if paging {
        let table: Vec<u8> = ptes.iter().flat_map(|p| p.to_le_bytes()).collect();
        m.write_host(ROOT, &table);
        // Identity-map the code's gigapage so paging does not stop everything at once.
        let identity = (RAM_BASE >> 12) << 10 | 0xcf; // V R W X A D
        m.write_host(ROOT + 8 * 2, &identity.to_le_bytes());
        m.hart.csr.satp = (satp::MODE_SV39 << satp::MODE_SHIFT) | (ROOT >> 12);
    }
    m.hart.privilege = mode(priv_index);
    m.state_changed();
    m.run(Some(steps));
    prop_assert_eq!(m.hart.reg(0), 0, "x0 changed");
    prop_assert_eq!(m.hart.pc & 1, 0, "odd pc");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 3000,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_words_never_panic(
        words in prop::collection::vec(any::<u32>(), 1..24),
        regs in prop::collection::vec(any::<u64>(), 31),
        priv_index in 0u8..3,
        paging in any::<bool>(),
        ptes in prop::collection::vec(any::<u64>(), 8),
        steps in 1u64..400,
    ) {
        run(&common::words(&words), &regs, priv_index, paging, &ptes, steps)?;
    }

    #[test]
    fn arbitrary_machine_state_never_panics(
        words in prop::collection::vec(any::<u32>(), 1..24),
        regs in prop::collection::vec(any::<u64>(), 31),
        priv_index in 0u8..3,
        status in any::<u64>(),
        tvec in any::<u64>(),
        enables in any::<u64>(),
        pmp in prop::collection::vec(any::<u64>(), 4),
        steps in 1u64..400,
    ) {
        let (mut m, _) = common::machine_with_code(&common::words(&words), RAM);
        for (i, &r) in regs.iter().enumerate() {
            m.hart.set_reg(i as u8 + 1, if i % 2 == 0 { RAM_BASE + (r % RAM) } else { r });
        }
        m.hart.csr.mstatus = (m.hart.csr.mstatus & !mstatus::WRITABLE) | (status & mstatus::WRITABLE);
        m.hart.csr.mtvec = if tvec & 1 == 0 { RAM_BASE + (tvec % RAM) } else { tvec } & !2;
        m.hart.csr.stvec = tvec.rotate_left(17) & !2;
        m.hart.csr.mie = enables & 0xaaa;
        m.hart.csr.mideleg = (enables >> 16) & 0x222;
        m.hart.csr.medeleg = (enables >> 32) & 0xb3ff;
        m.hart.csr.mip_sw = (enables >> 48) & 0x222;
        m.pmp.write_addr(0, pmp[0]);
        m.pmp.write_addr(1, pmp[1]);
        m.pmp.write_addr(2, u64::MAX);
        m.pmp.write_cfg(0, pmp[2] & 0x00ff_ffff);
        m.hart.privilege = mode(priv_index);
        m.state_changed();
        m.run(Some(steps));
        prop_assert_eq!(m.hart.reg(0), 0, "x0 changed");
        prop_assert_eq!(m.hart.pc & 1, 0, "odd pc");
        prop_assert!(m.executed() <= steps, "ran past the instruction limit");
    }

    #[test]
    fn arbitrary_halfwords_never_panic(
        halves in prop::collection::vec(any::<u16>(), 1..48),
        regs in prop::collection::vec(any::<u64>(), 31),
        priv_index in 0u8..3,
        paging in any::<bool>(),
        ptes in prop::collection::vec(any::<u64>(), 8),
        steps in 1u64..400,
    ) {
        let code: Vec<u8> = halves.iter().flat_map(|h| h.to_le_bytes()).collect();
        run(&code, &regs, priv_index, paging, &ptes, steps)?;
    }
}
