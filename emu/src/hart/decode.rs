//! Decoding of 32-bit RV64IMA + Zicsr + Zifencei + privileged encodings into [`Insn`].
//!
//! Runs once per instruction slot (the result is cached by physical address), so clarity wins
//! over speed here. Every encoding not listed in the unprivileged spec's RV64IMA tables or the
//! privileged spec's instruction table decodes to [`Op::Illegal`], which raises
//! illegal-instruction with the bits in `tval`. Compressed forms are in `decode_c`.
//!
//! ```text
//!  31      25 24  20 19  15 14  12 11   7 6      0
//! ┌──────────┬──────┬──────┬──────┬──────┬────────┐
//! │  funct7  │ rs2  │ rs1  │funct3│  rd  │ opcode │  R
//! │    imm[11:0]    │ rs1  │funct3│  rd  │ opcode │  I
//! │ imm[11:5]│ rs2  │ rs1  │funct3│imm4:0│ opcode │  S
//! │imm12,10:5│ rs2  │ rs1  │funct3│i4:1,11 opcode │  B
//! │         imm[31:12]            │  rd  │ opcode │  U
//! │   imm[20|10:1|11|19:12]       │  rd  │ opcode │  J
//! └──────────┴──────┴──────┴──────┴──────┴────────┘
//! ```

use super::insn::{Insn, Op};

mod opcode {
    pub const LOAD: u32 = 0x03;
    pub const MISC_MEM: u32 = 0x0f;
    pub const OP_IMM: u32 = 0x13;
    pub const AUIPC: u32 = 0x17;
    pub const OP_IMM_32: u32 = 0x1b;
    pub const STORE: u32 = 0x23;
    pub const AMO: u32 = 0x2f;
    pub const OP: u32 = 0x33;
    pub const LUI: u32 = 0x37;
    pub const OP_32: u32 = 0x3b;
    pub const BRANCH: u32 = 0x63;
    pub const JALR: u32 = 0x67;
    pub const JAL: u32 = 0x6f;
    pub const SYSTEM: u32 = 0x73;
}

/// Exact encodings of the privileged instructions without operands.
mod system {
    pub const ECALL: u32 = 0x0000_0073;
    pub const EBREAK: u32 = 0x0010_0073;
    pub const SRET: u32 = 0x1020_0073;
    pub const MRET: u32 = 0x3020_0073;
    pub const WFI: u32 = 0x1050_0073;
    /// funct7 of `sfence.vma`.
    pub const SFENCE_VMA_FUNCT7: u32 = 0b000_1001;
}

fn rd(raw: u32) -> u8 {
    ((raw >> 7) & 0x1f) as u8
}
fn rs1(raw: u32) -> u8 {
    ((raw >> 15) & 0x1f) as u8
}
fn rs2(raw: u32) -> u8 {
    ((raw >> 20) & 0x1f) as u8
}
fn funct3(raw: u32) -> u32 {
    (raw >> 12) & 7
}
fn funct7(raw: u32) -> u32 {
    raw >> 25
}
fn imm_i(raw: u32) -> i32 {
    raw as i32 >> 20
}
fn imm_s(raw: u32) -> i32 {
    ((raw as i32 >> 25) << 5) | ((raw >> 7) & 0x1f) as i32
}
fn imm_b(raw: u32) -> i32 {
    ((raw as i32 >> 31) << 12)
        | (((raw >> 7) & 1) << 11) as i32
        | (((raw >> 25) & 0x3f) << 5) as i32
        | (((raw >> 8) & 0xf) << 1) as i32
}
fn imm_u(raw: u32) -> i32 {
    (raw & 0xffff_f000) as i32
}
fn imm_j(raw: u32) -> i32 {
    ((raw as i32 >> 31) << 20)
        | (raw & 0x000f_f000) as i32
        | (((raw >> 20) & 1) << 11) as i32
        | (((raw >> 21) & 0x3ff) << 1) as i32
}

/// Decodes a 32-bit instruction (`raw & 3 == 3`).
pub fn decode32(raw: u32) -> Insn {
    let r = |op: Op| Insn::new(op, rd(raw), rs1(raw), rs2(raw), 0, raw, 4);
    let i = |op: Op| Insn::new(op, rd(raw), rs1(raw), 0, imm_i(raw), raw, 4);
    let illegal = Insn::illegal(raw, 4);
    match raw & 0x7f {
        opcode::LUI => Insn::new(Op::Lui, rd(raw), 0, 0, imm_u(raw), raw, 4),
        opcode::AUIPC => Insn::new(Op::Auipc, rd(raw), 0, 0, imm_u(raw), raw, 4),
        opcode::JAL => Insn::new(Op::Jal, rd(raw), 0, 0, imm_j(raw), raw, 4),
        opcode::JALR if funct3(raw) == 0 => i(Op::Jalr),
        opcode::BRANCH => {
            let op = match funct3(raw) {
                0 => Op::Beq,
                1 => Op::Bne,
                4 => Op::Blt,
                5 => Op::Bge,
                6 => Op::Bltu,
                7 => Op::Bgeu,
                _ => return illegal,
            };
            Insn::new(op, 0, rs1(raw), rs2(raw), imm_b(raw), raw, 4)
        }
        opcode::LOAD => i(match funct3(raw) {
            0 => Op::Lb,
            1 => Op::Lh,
            2 => Op::Lw,
            3 => Op::Ld,
            4 => Op::Lbu,
            5 => Op::Lhu,
            6 => Op::Lwu,
            _ => return illegal,
        }),
        opcode::STORE => {
            let op = match funct3(raw) {
                0 => Op::Sb,
                1 => Op::Sh,
                2 => Op::Sw,
                3 => Op::Sd,
                _ => return illegal,
            };
            Insn::new(op, 0, rs1(raw), rs2(raw), imm_s(raw), raw, 4)
        }
        opcode::OP_IMM => {
            // RV64 shifts take a 6-bit shamt; the remaining funct6 selects the shift.
            let shamt = ((raw >> 20) & 0x3f) as i32;
            let funct6 = raw >> 26;
            let shift = |op| Insn::new(op, rd(raw), rs1(raw), 0, shamt, raw, 4);
            match (funct3(raw), funct6) {
                (0, _) => i(Op::Addi),
                // `slti x0, rs1, 1..=6` is a HINT klab uses as a marker (DESIGN.md).
                (2, _) if rd(raw) == 0 && (1..=6).contains(&imm_i(raw)) => i(Op::Marker),
                (2, _) => i(Op::Slti),
                (3, _) => i(Op::Sltiu),
                (4, _) => i(Op::Xori),
                (6, _) => i(Op::Ori),
                (7, _) => i(Op::Andi),
                (1, 0) => shift(Op::Slli),
                (5, 0) => shift(Op::Srli),
                (5, 0x10) => shift(Op::Srai),
                _ => illegal,
            }
        }
        opcode::OP_IMM_32 => {
            let shamt = ((raw >> 20) & 0x1f) as i32;
            let shift = |op| Insn::new(op, rd(raw), rs1(raw), 0, shamt, raw, 4);
            match (funct3(raw), funct7(raw)) {
                (0, _) => i(Op::Addiw),
                (1, 0) => shift(Op::Slliw),
                (5, 0) => shift(Op::Srliw),
                (5, 0x20) => shift(Op::Sraiw),
                _ => illegal,
            }
        }
        opcode::OP => r(match (funct7(raw), funct3(raw)) {
            (0, 0) => Op::Add,
            (0x20, 0) => Op::Sub,
            (0, 1) => Op::Sll,
            (0, 2) => Op::Slt,
            (0, 3) => Op::Sltu,
            (0, 4) => Op::Xor,
            (0, 5) => Op::Srl,
            (0x20, 5) => Op::Sra,
            (0, 6) => Op::Or,
            (0, 7) => Op::And,
            (1, 0) => Op::Mul,
            (1, 1) => Op::Mulh,
            (1, 2) => Op::Mulhsu,
            (1, 3) => Op::Mulhu,
            (1, 4) => Op::Div,
            (1, 5) => Op::Divu,
            (1, 6) => Op::Rem,
            (1, 7) => Op::Remu,
            _ => return illegal,
        }),
        opcode::OP_32 => r(match (funct7(raw), funct3(raw)) {
            (0, 0) => Op::Addw,
            (0x20, 0) => Op::Subw,
            (0, 1) => Op::Sllw,
            (0, 5) => Op::Srlw,
            (0x20, 5) => Op::Sraw,
            (1, 0) => Op::Mulw,
            (1, 4) => Op::Divw,
            (1, 5) => Op::Divuw,
            (1, 6) => Op::Remw,
            (1, 7) => Op::Remuw,
            _ => return illegal,
        }),
        opcode::MISC_MEM => match funct3(raw) {
            0 => Insn::new(Op::Fence, 0, 0, 0, 0, raw, 4),
            1 => Insn::new(Op::FenceI, 0, 0, 0, 0, raw, 4),
            _ => illegal,
        },
        opcode::AMO => decode_amo(raw),
        opcode::SYSTEM => decode_system(raw),
        _ => illegal,
    }
}

fn decode_amo(raw: u32) -> Insn {
    let word = match funct3(raw) {
        2 => true,
        3 => false,
        _ => return Insn::illegal(raw, 4),
    };
    let funct5 = raw >> 27;
    let op = match (funct5, word) {
        (0b00010, _) if rs2(raw) != 0 => return Insn::illegal(raw, 4),
        (0b00010, true) => Op::LrW,
        (0b00010, false) => Op::LrD,
        (0b00011, true) => Op::ScW,
        (0b00011, false) => Op::ScD,
        (0b00001, true) => Op::AmoswapW,
        (0b00001, false) => Op::AmoswapD,
        (0b00000, true) => Op::AmoaddW,
        (0b00000, false) => Op::AmoaddD,
        (0b00100, true) => Op::AmoxorW,
        (0b00100, false) => Op::AmoxorD,
        (0b01100, true) => Op::AmoandW,
        (0b01100, false) => Op::AmoandD,
        (0b01000, true) => Op::AmoorW,
        (0b01000, false) => Op::AmoorD,
        (0b10000, true) => Op::AmominW,
        (0b10000, false) => Op::AmominD,
        (0b10100, true) => Op::AmomaxW,
        (0b10100, false) => Op::AmomaxD,
        (0b11000, true) => Op::AmominuW,
        (0b11000, false) => Op::AmominuD,
        (0b11100, true) => Op::AmomaxuW,
        (0b11100, false) => Op::AmomaxuD,
        _ => return Insn::illegal(raw, 4),
    };
    Insn::new(op, rd(raw), rs1(raw), rs2(raw), 0, raw, 4)
}

fn decode_system(raw: u32) -> Insn {
    let csr = (raw >> 20) as i32; // 12-bit CSR number, zero-extended
    let csr_op = |op| Insn::new(op, rd(raw), rs1(raw), 0, csr, raw, 4);
    match funct3(raw) {
        0 => match raw {
            system::ECALL => Insn::new(Op::Ecall, 0, 0, 0, 0, raw, 4),
            system::EBREAK => Insn::new(Op::Ebreak, 0, 0, 0, 0, raw, 4),
            system::SRET => Insn::new(Op::Sret, 0, 0, 0, 0, raw, 4),
            system::MRET => Insn::new(Op::Mret, 0, 0, 0, 0, raw, 4),
            system::WFI => Insn::new(Op::Wfi, 0, 0, 0, 0, raw, 4),
            _ if funct7(raw) == system::SFENCE_VMA_FUNCT7 && rd(raw) == 0 => {
                Insn::new(Op::SfenceVma, 0, rs1(raw), rs2(raw), 0, raw, 4)
            }
            _ => Insn::illegal(raw, 4),
        },
        1 => csr_op(Op::Csrrw),
        2 => csr_op(Op::Csrrs),
        3 => csr_op(Op::Csrrc),
        5 => csr_op(Op::Csrrwi),
        6 => csr_op(Op::Csrrsi),
        7 => csr_op(Op::Csrrci),
        _ => Insn::illegal(raw, 4),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hart::insn::SINK;

    #[test]
    fn immediates_decode_per_the_spec_layouts() {
        // addi a0, a1, -1
        let i = decode32(0xfff5_8513);
        assert_eq!((i.op, i.rd, i.rs1, i.imm), (Op::Addi, 10, 11, -1));
        // sd a1, -8(sp)
        let s = decode32(0xfeb1_3c23);
        assert_eq!((s.op, s.rs1, s.rs2, s.imm), (Op::Sd, 2, 11, -8));
        // beq a0, a1, -4
        let b = decode32(0xfeb5_0ee3);
        assert_eq!((b.op, b.imm), (Op::Beq, -4));
        // jal ra, 2048
        let j = decode32(0x0010_00ef);
        assert_eq!((j.op, j.rd, j.imm), (Op::Jal, 1, 2048));
        // lui a0, 0x80000 (sign-extends on RV64)
        let u = decode32(0x8000_0537);
        assert_eq!((u.op, u.imm), (Op::Lui, i32::MIN));
    }

    #[test]
    fn writes_to_x0_go_to_the_sink() {
        // addi x0, x0, 0 (nop)
        assert_eq!(decode32(0x0000_0013).rd, SINK);
    }

    #[test]
    fn reserved_encodings_are_illegal() {
        for raw in [
            0x0000_007fu32, // opcode with bits 6:0 all ones (a 48-bit+ prefix) is not ours
            0x0000_2067,    // jalr with funct3 = 2
            0x0000_7003,    // load funct3 = 7
            0x4000_1013,    // slli with funct6 = 0x10
            0x0200_101b,    // slliw with shamt[5] set
            0x0010_0173,    // ebreak with rd != 0
            0x0000_4073,    // SYSTEM funct3 = 4
            0x0000_0007,    // flw: no F extension
        ] {
            assert_eq!(decode32(raw).op, Op::Illegal, "{raw:#010x}");
        }
    }
}
