//! Decoding of the RV64C compressed instructions into their base-ISA equivalents.
//!
//! Each 16-bit form expands to the operation the unprivileged spec (chapter "C" Standard
//! Extension, table RVC expansions) says it stands for. Reserved encodings (the all-zero
//! halfword, `c.addi4spn` with a zero immediate, `c.lui`/`c.addi16sp` with a zero immediate,
//! `c.lwsp`/`c.ldsp` with `rd = x0`, `c.jr` with `rs1 = x0`, `c.addiw` with `rd = x0`, and the
//! floating-point forms, since the hart has no F/D) decode to [`Op::Illegal`]. HINT encodings
//! decode to their base instruction, which writes `x0` and so does nothing.
//!
//! Quadrants are selected by bits 1:0, the form by bits 15:13 (`funct3`); `rd'`/`rs1'`/`rs2'`
//! are three-bit fields naming `x8..x15`.

use super::insn::{Insn, Op};

/// Extracts `len` bits of `raw` starting at bit `lo`.
fn bits(raw: u32, lo: u32, len: u32) -> u32 {
    (raw >> lo) & ((1 << len) - 1)
}

/// Sign-extends the low `width` bits of `v`.
fn sext(v: u32, width: u32) -> i32 {
    let shift = 32 - width;
    ((v << shift) as i32) >> shift
}

/// A three-bit register field at `lo`, naming `x8..x15`.
fn creg(raw: u32, lo: u32) -> u8 {
    8 + bits(raw, lo, 3) as u8
}

/// The full five-bit `rd`/`rs1` field at bits 11:7.
fn rd_full(raw: u32) -> u8 {
    bits(raw, 7, 5) as u8
}

/// The full five-bit `rs2` field at bits 6:2.
fn rs2_full(raw: u32) -> u8 {
    bits(raw, 2, 5) as u8
}

/// The six-bit immediate `imm[5] = bit 12, imm[4:0] = bits 6:2`, sign-extended (CI format).
fn ci_imm(raw: u32) -> i32 {
    sext((bits(raw, 12, 1) << 5) | bits(raw, 2, 5), 6)
}

/// The six-bit shift amount of the CI shift forms.
fn ci_shamt(raw: u32) -> i32 {
    ((bits(raw, 12, 1) << 5) | bits(raw, 2, 5)) as i32
}

/// Offsets of `c.lw`/`c.sw`: `uimm[5:3] = 12:10, uimm[2] = 6, uimm[6] = 5`.
fn cl_w_offset(raw: u32) -> i32 {
    ((bits(raw, 10, 3) << 3) | (bits(raw, 6, 1) << 2) | (bits(raw, 5, 1) << 6)) as i32
}

/// Offsets of `c.ld`/`c.sd`: `uimm[5:3] = 12:10, uimm[7:6] = 6:5`.
fn cl_d_offset(raw: u32) -> i32 {
    ((bits(raw, 10, 3) << 3) | (bits(raw, 5, 2) << 6)) as i32
}

/// The `c.j`/`c.jal` offset: `imm[11|4|9:8|10|6|7|3:1|5] = bits 12|11|10:9|8|7|6|5:3|2`.
fn cj_offset(raw: u32) -> i32 {
    let v = (bits(raw, 12, 1) << 11)
        | (bits(raw, 11, 1) << 4)
        | (bits(raw, 9, 2) << 8)
        | (bits(raw, 8, 1) << 10)
        | (bits(raw, 7, 1) << 6)
        | (bits(raw, 6, 1) << 7)
        | (bits(raw, 3, 3) << 1)
        | (bits(raw, 2, 1) << 5);
    sext(v, 12)
}

/// The `c.beqz`/`c.bnez` offset: `imm[8|4:3] = 12|11:10, imm[7:6|2:1|5] = 6:5|4:3|2`.
fn cb_offset(raw: u32) -> i32 {
    let v = (bits(raw, 12, 1) << 8)
        | (bits(raw, 10, 2) << 3)
        | (bits(raw, 5, 2) << 6)
        | (bits(raw, 3, 2) << 1)
        | (bits(raw, 2, 1) << 5);
    sext(v, 9)
}

/// Decodes a 16-bit instruction (`raw & 3 != 3`; only the low 16 bits are looked at).
pub fn decode16(raw: u32) -> Insn {
    let raw = raw & 0xffff;
    let illegal = Insn::illegal(raw, 2);
    let c = |op, rd, rs1, rs2, imm| Insn::new(op, rd, rs1, rs2, imm, raw, 2);
    let funct3 = bits(raw, 13, 3);
    match (raw & 3, funct3) {
        // ── Quadrant 0 ──
        (0, 0b000) => {
            // c.addi4spn: nzuimm[5:4|9:6|2|3] = bits 12:11|10:7|6|5
            let imm = (bits(raw, 11, 2) << 4)
                | (bits(raw, 7, 4) << 6)
                | (bits(raw, 6, 1) << 2)
                | (bits(raw, 5, 1) << 3);
            if imm == 0 {
                return illegal; // includes the all-zero halfword
            }
            c(Op::Addi, creg(raw, 2), 2, 0, imm as i32)
        }
        (0, 0b010) => c(Op::Lw, creg(raw, 2), creg(raw, 7), 0, cl_w_offset(raw)),
        (0, 0b011) => c(Op::Ld, creg(raw, 2), creg(raw, 7), 0, cl_d_offset(raw)),
        (0, 0b110) => c(Op::Sw, 0, creg(raw, 7), creg(raw, 2), cl_w_offset(raw)),
        (0, 0b111) => c(Op::Sd, 0, creg(raw, 7), creg(raw, 2), cl_d_offset(raw)),
        (0, _) => illegal, // c.fld, c.fsd, reserved

        // ── Quadrant 1 ──
        (1, 0b000) => {
            let rd = rd_full(raw);
            c(Op::Addi, rd, rd, 0, ci_imm(raw)) // c.nop / c.addi (HINTs write x0 or add 0)
        }
        (1, 0b001) => {
            let rd = rd_full(raw);
            if rd == 0 {
                return illegal;
            }
            c(Op::Addiw, rd, rd, 0, ci_imm(raw))
        }
        (1, 0b010) => c(Op::Addi, rd_full(raw), 0, 0, ci_imm(raw)), // c.li
        (1, 0b011) => {
            let rd = rd_full(raw);
            if rd == 2 {
                // c.addi16sp: nzimm[9] = 12, nzimm[4|6|8:7|5] = 6|5|4:3|2
                let v = (bits(raw, 12, 1) << 9)
                    | (bits(raw, 6, 1) << 4)
                    | (bits(raw, 5, 1) << 6)
                    | (bits(raw, 3, 2) << 7)
                    | (bits(raw, 2, 1) << 5);
                if v == 0 {
                    return illegal;
                }
                c(Op::Addi, 2, 2, 0, sext(v, 10))
            } else {
                // c.lui: nzimm[17] = 12, nzimm[16:12] = 6:2
                let imm = ci_imm(raw);
                if imm == 0 {
                    return illegal;
                }
                c(Op::Lui, rd, 0, 0, imm << 12)
            }
        }
        (1, 0b100) => {
            let rd = creg(raw, 7);
            match bits(raw, 10, 2) {
                0b00 => c(Op::Srli, rd, rd, 0, ci_shamt(raw)),
                0b01 => c(Op::Srai, rd, rd, 0, ci_shamt(raw)),
                0b10 => c(Op::Andi, rd, rd, 0, ci_imm(raw)),
                _ => {
                    let rs2 = creg(raw, 2);
                    let op = match (bits(raw, 12, 1), bits(raw, 5, 2)) {
                        (0, 0b00) => Op::Sub,
                        (0, 0b01) => Op::Xor,
                        (0, 0b10) => Op::Or,
                        (0, 0b11) => Op::And,
                        (1, 0b00) => Op::Subw,
                        (1, 0b01) => Op::Addw,
                        _ => return illegal,
                    };
                    c(op, rd, rd, rs2, 0)
                }
            }
        }
        (1, 0b101) => c(Op::Jal, 0, 0, 0, cj_offset(raw)), // c.j
        (1, 0b110) => c(Op::Beq, 0, creg(raw, 7), 0, cb_offset(raw)),
        (1, 0b111) => c(Op::Bne, 0, creg(raw, 7), 0, cb_offset(raw)),

        // ── Quadrant 2 ──
        (2, 0b000) => {
            let rd = rd_full(raw);
            c(Op::Slli, rd, rd, 0, ci_shamt(raw))
        }
        (2, 0b010) => {
            // c.lwsp: uimm[5] = 12, uimm[4:2] = 6:4, uimm[7:6] = 3:2
            let rd = rd_full(raw);
            if rd == 0 {
                return illegal;
            }
            let imm = (bits(raw, 12, 1) << 5) | (bits(raw, 4, 3) << 2) | (bits(raw, 2, 2) << 6);
            c(Op::Lw, rd, 2, 0, imm as i32)
        }
        (2, 0b011) => {
            // c.ldsp: uimm[5] = 12, uimm[4:3] = 6:5, uimm[8:6] = 4:2
            let rd = rd_full(raw);
            if rd == 0 {
                return illegal;
            }
            let imm = (bits(raw, 12, 1) << 5) | (bits(raw, 5, 2) << 3) | (bits(raw, 2, 3) << 6);
            c(Op::Ld, rd, 2, 0, imm as i32)
        }
        (2, 0b100) => {
            let (rs1, rs2) = (rd_full(raw), rs2_full(raw));
            match (bits(raw, 12, 1), rs1, rs2) {
                (0, 0, 0) => illegal,                    // c.jr x0: reserved
                (0, _, 0) => c(Op::Jalr, 0, rs1, 0, 0),  // c.jr
                (0, _, _) => c(Op::Add, rs1, 0, rs2, 0), // c.mv
                (1, 0, 0) => c(Op::Ebreak, 0, 0, 0, 0),  // c.ebreak
                (1, _, 0) => c(Op::Jalr, 1, rs1, 0, 0),  // c.jalr
                _ => c(Op::Add, rs1, rs1, rs2, 0),       // c.add
            }
        }
        (2, 0b110) => {
            // c.swsp: uimm[5:2] = 12:9, uimm[7:6] = 8:7
            let imm = (bits(raw, 9, 4) << 2) | (bits(raw, 7, 2) << 6);
            c(Op::Sw, 0, 2, rs2_full(raw), imm as i32)
        }
        (2, 0b111) => {
            // c.sdsp: uimm[5:3] = 12:10, uimm[8:6] = 9:7
            let imm = (bits(raw, 10, 3) << 3) | (bits(raw, 7, 3) << 6);
            c(Op::Sd, 0, 2, rs2_full(raw), imm as i32)
        }
        _ => illegal, // c.fldsp, c.fsdsp
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hart::insn::SINK;

    #[test]
    fn common_forms_expand_to_their_base_instructions() {
        // c.addi sp, -16  => addi sp, sp, -16
        let i = decode16(0x1141);
        assert_eq!((i.op, i.rd, i.rs1, i.imm, i.len), (Op::Addi, 2, 2, -16, 2));
        // c.sdsp ra, 8(sp)
        let i = decode16(0xe406);
        assert_eq!((i.op, i.rs1, i.rs2, i.imm), (Op::Sd, 2, 1, 8));
        // c.ldsp ra, 8(sp)
        let i = decode16(0x60a2);
        assert_eq!((i.op, i.rd, i.rs1, i.imm), (Op::Ld, 1, 2, 8));
        // c.jr ra (ret)
        let i = decode16(0x8082);
        assert_eq!((i.op, i.rd, i.rs1), (Op::Jalr, SINK, 1));
        // c.li a0, -1
        let i = decode16(0x557d);
        assert_eq!((i.op, i.rd, i.rs1, i.imm), (Op::Addi, 10, 0, -1));
        // c.j -2 (jump to self - 2)
        let i = decode16(0xbffd);
        assert_eq!((i.op, i.imm), (Op::Jal, -2));
        // c.beqz a0, -4
        let i = decode16(0xdd75);
        assert_eq!((i.op, i.rs1, i.rs2, i.imm), (Op::Beq, 10, 0, -4));
        // c.lui a0, 0xfffff => lui a0, -4096
        let i = decode16(0x757d);
        assert_eq!((i.op, i.imm), (Op::Lui, -4096));
    }

    #[test]
    fn reserved_compressed_encodings_are_illegal() {
        for raw in [
            0x0000u32, // the all-zero halfword (c.addi4spn with nzuimm = 0)
            0x2000,    // c.fld: no D extension
            0x6101,    // c.addi16sp with nzimm = 0
            0x6501,    // c.lui a0 with nzimm = 0
            0x4002,    // c.lwsp x0
            0x6002,    // c.ldsp x0
            0x8002,    // c.jr x0
            0x2001,    // c.addiw x0
            0x9c41,    // quadrant 1 MISC-ALU, bit 12 set, funct2 = 10: reserved
        ] {
            assert_eq!(decode16(raw).op, Op::Illegal, "{raw:#06x}");
        }
    }
}
