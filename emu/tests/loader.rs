//! What if the ELF is wrong? A wrong machine, a 32-bit file, a truncated file, a segment outside
//! RAM and arbitrary corruption each give a one-line error (or load), never a panic; and a
//! minimal valid executable loads at its physical address, enters with a0/a1 set as QEMU does,
//! and exits through the test finisher.

mod common;

use emu::memmap::{DEFAULT_RAM_SIZE, RAM_BASE};
use emu::{Config, ElfImage, Exit, LoadError, Machine};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// `lui t0, 0x100; lui t1, 0x5; addi t1, t1, 0x555; sw t1, 0(t0)`: finisher pass.
const PASS: [u32; 4] = [0x0010_02b7, 0x0000_5337, 0x5553_0313, 0x0062_a023];

/// A minimal ELF64 executable with 64 bytes of .bss.
fn elf(paddr: u64, code: &[u8]) -> Vec<u8> {
    emu::loader::minimal_elf(paddr, code, 64)
}

fn boot(bytes: &[u8]) -> Result<Machine, String> {
    let image = ElfImage::parse(bytes).map_err(|e| e.to_string())?;
    Machine::new(Config::default(), &image).map_err(|e| e.to_string())
}

#[test]
fn a_minimal_executable_loads_enters_like_qemu_and_exits_through_the_finisher() {
    let mut m = boot(&elf(RAM_BASE, &common::words(&PASS))).expect("loads");
    assert_eq!(m.hart.pc, RAM_BASE);
    assert_eq!(m.hart.reg(10), 0, "a0 = hartid");
    assert_eq!(m.hart.reg(11), m.dtb_addr, "a1 = DTB");
    assert_eq!(m.dtb_addr, 0x87e0_0000, "QEMU's DTB address for 128 MiB");
    assert_eq!(m.run(Some(100)), Exit::Status(0));
    assert_eq!(m.retired, 4);
}

#[test]
fn a_wrong_machine_is_refused_by_name() {
    let mut f = elf(RAM_BASE, &common::words(&PASS));
    f[18..20].copy_from_slice(&62u16.to_le_bytes()); // EM_X86_64
    let e = ElfImage::parse(&f).unwrap_err();
    assert!(matches!(e, LoadError::WrongMachine(62, _)), "{e}");
    assert!(e.to_string().contains("not RISC-V"), "{e}");
}

#[test]
fn a_32_bit_file_is_refused() {
    let mut f = elf(RAM_BASE, &common::words(&PASS));
    f[4] = 1; // ELFCLASS32
    assert_eq!(ElfImage::parse(&f).unwrap_err(), LoadError::NotElf64);
}

#[test]
fn a_truncated_file_is_refused() {
    let f = elf(RAM_BASE, &common::words(&PASS));
    let e = ElfImage::parse(&f[..f.len() - 3]).unwrap_err();
    assert!(matches!(e, LoadError::Truncated { index: 0, .. }), "{e}");
    for cut in [0, 3, 16, 63, 100] {
        assert!(ElfImage::parse(&f[..cut]).is_err(), "cut at {cut} accepted");
    }
}

#[test]
fn a_segment_outside_ram_is_refused_with_the_ranges() {
    let e = boot(&elf(0x1000, &common::words(&PASS))).unwrap_err();
    assert!(e.contains("outside RAM") && e.contains("0x1000"), "{e}");
    let end = RAM_BASE + DEFAULT_RAM_SIZE - 8;
    let e = boot(&elf(end, &common::words(&PASS))).unwrap_err();
    assert!(e.contains("outside RAM"), "{e}");
}

#[test]
fn a_shared_object_is_not_an_executable() {
    let mut f = elf(RAM_BASE, &common::words(&PASS));
    f[16..18].copy_from_slice(&3u16.to_le_bytes()); // ET_DYN
    assert!(matches!(
        ElfImage::parse(&f).unwrap_err(),
        LoadError::NotExecutable(_)
    ));
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 4000,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]

    /// Arbitrary corruption of a valid file: errors are fine, panics are not.
    #[test]
    fn corrupted_files_never_panic(
        flips in prop::collection::vec((0usize..140, any::<u8>()), 1..8),
        cut in 0usize..140,
    ) {
        let mut f = elf(RAM_BASE, &common::words(&PASS));
        for (at, byte) in flips {
            let n = f.len();
            f[at % n] = byte;
        }
        f.truncate(cut.max(1));
        let _ = boot(&f);
    }
}
