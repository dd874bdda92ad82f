//! The decoded instruction as assembly text, for the commit log (`klab run --trace-disasm`),
//! made from the decoder's own [`Insn`] so it can never disagree with what executes.
//!
//! The syntax is the RISC-V assembly manual's (ABI register names, `offset(base)` for memory,
//! CSR names from [`csr::display_name`]); branch and jump targets are absolute (`pc` is given). A
//! compressed instruction prints as the base instruction it expands to (`c.addi sp, -16` is
//! `addi sp, sp, -16`), as the executor sees it; the raw bits in the log show which it was.

use super::csr;
use super::insn::{Insn, Op, SINK};

/// The ABI names of `x0`–`x31`.
pub const REG_NAMES: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

/// The ABI name of register `r` (the write sink is `zero`).
fn reg(r: u8) -> &'static str {
    if r == SINK {
        "zero"
    } else {
        REG_NAMES.get(usize::from(r)).copied().unwrap_or("?")
    }
}

/// A CSR's name, or its number in hex.
fn csr_name(n: i32) -> String {
    csr::display_name((n & 0xfff) as u16)
}

/// The mnemonic: the operation's spec name (`AmoaddW` is `amoadd.w`, `SfenceVma` is
/// `sfence.vma`).
fn mnemonic(op: Op) -> String {
    use Op::*;
    let name = format!("{op:?}").to_ascii_lowercase();
    match op {
        FenceI => "fence.i".to_string(),
        SfenceVma => "sfence.vma".to_string(),
        LrW | ScW | LrD | ScD => format!("{}.{}", &name[..2], &name[2..]),
        _ if op.is_atomic() => format!("{}.{}", &name[..name.len() - 1], &name[name.len() - 1..]),
        _ => name,
    }
}

/// `insn`, fetched at `pc`, as assembly text: `addi    sp, sp, -16`.
pub fn disasm(insn: &Insn, pc: u64) -> String {
    use Op::*;
    let (rd, rs1, rs2, imm) = (reg(insn.rd), reg(insn.rs1), reg(insn.rs2), insn.imm);
    let target = |off: i32| pc.wrapping_add(off as i64 as u64);
    let m = mnemonic(insn.op);
    let operands = match insn.op {
        CrossPage => return "(crosses a page: decoded when fetched)".to_string(),
        Illegal => return format!("unimp ({:#x})", insn.raw),
        Marker => return format!("marker {imm} (slti zero, zero, {imm})"),
        Ecall | Ebreak | Mret | Sret | Wfi | FenceI => return m,
        Lui | Auipc => format!("{rd}, {:#x}", (imm as u32) >> 12),
        Jal => format!("{rd}, {:#x}", target(imm)),
        Jalr => format!("{rd}, {imm}({rs1})"),
        Beq | Bne | Blt | Bge | Bltu | Bgeu => format!("{rs1}, {rs2}, {:#x}", target(imm)),
        Lb | Lh | Lw | Ld | Lbu | Lhu | Lwu => format!("{rd}, {imm}({rs1})"),
        Sb | Sh | Sw | Sd => format!("{rs2}, {imm}({rs1})"),
        Addi | Slti | Sltiu | Xori | Ori | Andi | Slli | Srli | Srai | Addiw | Slliw | Srliw
        | Sraiw => format!("{rd}, {rs1}, {imm}"),
        Fence => {
            let set = |bits: u32| {
                let s: String = [(8, 'i'), (4, 'o'), (2, 'r'), (1, 'w')]
                    .iter()
                    .filter(|(b, _)| bits & b != 0)
                    .map(|&(_, c)| c)
                    .collect();
                if s.is_empty() { "0".to_string() } else { s }
            };
            format!(
                "{}, {}",
                set((insn.raw >> 24) & 0xf),
                set((insn.raw >> 20) & 0xf)
            )
        }
        LrW | LrD => format!("{rd}, ({rs1})"),
        op if op.is_atomic() => format!("{rd}, {rs2}, ({rs1})"),
        Csrrw | Csrrs | Csrrc => format!("{rd}, {}, {rs1}", csr_name(imm)),
        Csrrwi | Csrrsi | Csrrci => format!("{rd}, {}, {}", csr_name(imm), insn.rs1),
        SfenceVma => format!("{rs1}, {rs2}"),
        // The register-register forms: R-type ALU, M.
        _ => format!("{rd}, {rs1}, {rs2}"),
    };
    let suffix = if insn.op.is_atomic() {
        match (insn.raw >> 25) & 3 {
            3 => ".aqrl",
            2 => ".aq",
            1 => ".rl",
            _ => "",
        }
    } else {
        ""
    };
    // The mnemonic in a column of 8, and at least one space before the operands.
    format!("{:<7} {operands}", format!("{m}{suffix}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hart::decode::decode32;
    use crate::hart::decode_c::decode16;

    fn d32(raw: u32, pc: u64) -> String {
        disasm(&decode32(raw), pc)
    }

    #[test]
    fn base_instructions_read_as_the_assembly_manual_writes_them() {
        // Encodings from GNU as (riscv64-unknown-elf-as, -march=rv64imac).
        assert_eq!(d32(0xff010113, 0), "addi    sp, sp, -16");
        assert_eq!(d32(0x00813423, 0), "sd      s0, 8(sp)");
        assert_eq!(d32(0x00853503, 0), "ld      a0, 8(a0)");
        assert_eq!(d32(0x00b50463, 0x1000), "beq     a0, a1, 0x1008");
        assert_eq!(d32(0x008000ef, 0x1000), "jal     ra, 0x1008");
        assert_eq!(d32(0x00008067, 0), "jalr    zero, 0(ra)");
        assert_eq!(d32(0x000802b7, 0), "lui     t0, 0x80");
        assert_eq!(d32(0x02b50533, 0), "mul     a0, a0, a1");
        assert_eq!(d32(0x00000073, 0), "ecall");
        assert_eq!(d32(0x10200073, 0), "sret");
        assert_eq!(d32(0x12000073, 0), "sfence.vma zero, zero");
        assert_eq!(d32(0x0ff0000f, 0), "fence   iorw, iorw");
    }

    #[test]
    fn csrs_and_atomics_carry_their_names_and_ordering_bits() {
        assert_eq!(d32(0x18051073, 0), "csrrw   zero, satp, a0");
        assert_eq!(d32(0x142025f3, 0), "csrrs   a1, scause, zero");
        assert_eq!(d32(0x1002f073, 0), "csrrci  zero, sstatus, 5");
        assert_eq!(d32(0x0e55302f, 0), "amoswap.d.aqrl zero, t0, (a0)");
        assert_eq!(d32(0x1005272f, 0), "lr.w    a4, (a0)");
        assert_eq!(d32(0x00b5302f, 0), "amoadd.d zero, a1, (a0)");
    }

    #[test]
    fn compressed_instructions_print_as_what_they_expand_to() {
        assert_eq!(disasm(&decode16(0x1141), 0), "addi    sp, sp, -16"); // c.addi sp, -16
        assert_eq!(disasm(&decode16(0x8082), 0), "jalr    zero, 0(ra)"); // c.ret
    }
}
