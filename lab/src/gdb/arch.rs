//! The register set klab shows GDB: `gdbstub_arch`'s RV64 core registers (`x0..x31`, `pc`),
//! the CSRs (feature `org.gnu.gdb.riscv.csr`) and the privilege level (`priv`, feature
//! `org.gnu.gdb.riscv.virtual`), described in a target description XML of our own since
//! `gdbstub_arch::riscv::Riscv64` describes only the core registers.
//!
//! Register numbers are GDB's for RISC-V (`riscv-tdep.h`): 0–31 the integer registers, 32 the
//! pc, 65 + N the CSR numbered N, 4161 `priv`. The `g` packet carries the core registers only;
//! GDB reads the others one by one with `p`.

use std::num::NonZeroUsize;
use std::sync::LazyLock;

use emu::hart::csr::num;
use gdbstub::arch::{Arch, RegId};
use gdbstub_arch::riscv::reg::RiscvCoreRegs;

/// GDB's register number of CSR 0.
pub const CSR_FIRST_REGNUM: usize = 65;
/// GDB's register number of `priv`.
pub const PRIV_REGNUM: usize = 4161;

/// The CSRs described to GDB, by spec name: every CSR the hart names.
pub const CSRS: &[(&str, u16)] = emu::hart::csr::NAMES;

/// The integer registers by ABI name, as GDB's `org.gnu.gdb.riscv.cpu` feature names them.
const CPU_NAMES: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

/// The target description: core registers, the CSRs above, `pmpaddr0..15`, `mhpmcounter3..31`
/// and `mhpmevent3..31`, and `priv`.
static TARGET_XML: LazyLock<String> = LazyLock::new(|| {
    use std::fmt::Write;
    let mut x = String::from(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n\
         <target version=\"1.0\">\n<architecture>riscv:rv64</architecture>\n\
         <feature name=\"org.gnu.gdb.riscv.cpu\">\n",
    );
    for (i, name) in CPU_NAMES.iter().enumerate() {
        let ty = match i {
            1 => "code_ptr",
            2 | 3 | 4 | 8 => "data_ptr",
            _ => "int",
        };
        let _ = writeln!(
            x,
            "<reg name=\"{name}\" bitsize=\"64\" type=\"{ty}\" regnum=\"{i}\"/>"
        );
    }
    x.push_str("<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"32\"/>\n</feature>\n");
    x.push_str("<feature name=\"org.gnu.gdb.riscv.csr\">\n");
    let mut csrs: Vec<(String, u16)> = CSRS.iter().map(|&(n, c)| (n.to_string(), c)).collect();
    csrs.extend((0..16).map(|i| (format!("pmpaddr{i}"), num::PMPADDR0 + i)));
    csrs.extend((3..32).map(|i| (format!("mhpmcounter{i}"), num::MHPMCOUNTER3 + i - 3)));
    csrs.extend((3..32).map(|i| (format!("mhpmevent{i}"), num::MHPMEVENT3 + i - 3)));
    for (name, csr) in csrs {
        let regnum = CSR_FIRST_REGNUM + usize::from(csr);
        let _ = writeln!(
            x,
            "<reg name=\"{name}\" bitsize=\"64\" type=\"int\" regnum=\"{regnum}\" group=\"system\"/>"
        );
    }
    x.push_str("</feature>\n<feature name=\"org.gnu.gdb.riscv.virtual\">\n");
    let _ = writeln!(
        x,
        "<reg name=\"priv\" bitsize=\"64\" type=\"int\" regnum=\"{PRIV_REGNUM}\" group=\"system\"/>"
    );
    x.push_str("</feature>\n</target>\n");
    x
});

/// RV64 with CSRs and `priv`.
pub enum KlabRiscv64 {}

impl Arch for KlabRiscv64 {
    type Usize = u64;
    type Registers = RiscvCoreRegs<u64>;
    type BreakpointKind = usize;
    type RegId = Reg;

    fn target_description_xml() -> Option<&'static str> {
        Some(TARGET_XML.as_str())
    }
}

/// A register GDB reads or writes one at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reg {
    /// `x0..x31`.
    Gpr(u8),
    /// The pc.
    Pc,
    /// The CSR with this number.
    Csr(u16),
    /// The privilege level (0 U, 1 S, 3 M).
    Priv,
}

impl RegId for Reg {
    fn from_raw_id(id: usize) -> Option<(Self, Option<NonZeroUsize>)> {
        let reg = match id {
            0..=31 => Reg::Gpr(id as u8),
            32 => Reg::Pc,
            CSR_FIRST_REGNUM..=4160 => Reg::Csr((id - CSR_FIRST_REGNUM) as u16),
            PRIV_REGNUM => Reg::Priv,
            _ => return None,
        };
        Some((reg, NonZeroUsize::new(8)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_description_names_each_register_once_with_gdbs_numbers() {
        let xml = KlabRiscv64::target_description_xml().unwrap();
        for needle in [
            "regnum=\"32\"",
            "name=\"satp\" bitsize=\"64\" type=\"int\" regnum=\"449\"",
            "name=\"scause\" bitsize=\"64\" type=\"int\" regnum=\"387\"",
            "name=\"priv\" bitsize=\"64\" type=\"int\" regnum=\"4161\"",
            "org.gnu.gdb.riscv.csr",
        ] {
            assert!(xml.contains(needle), "{needle} missing");
        }
        let names: Vec<&str> = xml
            .split("name=\"")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
            .collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(names.len(), unique.len(), "a register is described twice");
    }

    #[test]
    fn raw_ids_map_to_registers_of_eight_bytes() {
        assert_eq!(Reg::from_raw_id(10).map(|r| r.0), Some(Reg::Gpr(10)));
        assert_eq!(Reg::from_raw_id(32).map(|r| r.0), Some(Reg::Pc));
        assert_eq!(
            Reg::from_raw_id(65 + 0x180).map(|r| r.0),
            Some(Reg::Csr(0x180))
        );
        assert_eq!(Reg::from_raw_id(4161).map(|r| r.0), Some(Reg::Priv));
        assert!(Reg::from_raw_id(33).is_none() && Reg::from_raw_id(5000).is_none());
        assert_eq!(Reg::from_raw_id(4161).unwrap().1.unwrap().get(), 8);
    }
}
