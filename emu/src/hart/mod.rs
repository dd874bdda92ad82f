//! The hart's architectural state and its instruction set: registers, privilege, CSR storage,
//! the predecoded instruction format and the decoders.
//!
//! Execution itself is in `machine`, which owns the hart together with the bus, the translation
//! fast paths and the decoded-instruction cache.

pub mod csr;
pub mod decode;
pub mod decode_c;
pub mod disasm;
pub mod insn;

pub use csr::{CsrFile, Privilege};
pub use insn::{Insn, Op};

/// Number of slots in the register file: `x0..x31`, the write sink at 32, and padding so that
/// any `u8` index is in bounds without a check or a mask.
pub const REG_SLOTS: usize = 256;

/// ABI names of `x0..x31`, for messages and traces.
pub const ABI_NAMES: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

/// The architectural state of one RV64 hart.
#[derive(Clone)]
pub struct Hart {
    /// Integer registers; `x[0]` is always zero, `x[32]` absorbs writes to `x0`.
    pub x: [u64; REG_SLOTS],
    /// The program counter.
    pub pc: u64,
    /// The current privilege level.
    pub privilege: Privilege,
    /// CSR storage.
    pub csr: CsrFile,
    /// The reservation of the last LR, if it still holds: its virtual address and the value
    /// it loaded (QEMU's model: SC succeeds if memory still holds that value).
    pub reservation: Option<(u64, u64)>,
    /// `mhartid`.
    pub hartid: u64,
}

impl Hart {
    /// A hart in its reset state: M-mode, pc = `entry`.
    pub fn new(entry: u64) -> Hart {
        Hart {
            x: [0; REG_SLOTS],
            pc: entry,
            privilege: Privilege::Machine,
            csr: CsrFile::default(),
            reservation: None,
            hartid: 0,
        }
    }

    /// Reads `x[i]` for `i` in `0..32`.
    #[inline(always)]
    pub fn reg(&self, i: u8) -> u64 {
        self.x[i as usize]
    }

    /// Writes `x[i]` (writes to the sink are discarded by construction).
    #[inline(always)]
    pub fn set_reg(&mut self, i: u8, v: u64) {
        self.x[i as usize] = v;
    }
}

impl std::fmt::Debug for Hart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "pc = {:#018x}  mode = {:?}", self.pc, self.privilege)?;
        for (i, name) in ABI_NAMES.iter().enumerate() {
            write!(f, "{name:>4} = {:#018x}", self.x[i])?;
            f.write_str(if i % 4 == 3 { "\n" } else { "  " })?;
        }
        Ok(())
    }
}
