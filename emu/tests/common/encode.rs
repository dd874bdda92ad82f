//! RV64 instruction encoders for the hand-assembled test programs (the formats of the
//! unprivileged spec, chapter "RV32I Base Integer Instruction Set", and the C extension's CS/CL).

/// An I-type instruction.
pub fn i_type(imm: i32, rs1: u32, funct3: u32, rd: u32, opcode: u32) -> u32 {
    ((imm as u32 & 0xfff) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode
}

/// An S-type store of width `funct3` at `off(rs1)`.
pub fn s_type(off: u32, rs2: u32, rs1: u32, funct3: u32) -> u32 {
    ((off >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | ((off & 0x1f) << 7) | 0x23
}

/// A U-type instruction (`lui` 0x37, `auipc` 0x17).
pub fn u_type(imm20: u32, rd: u32, opcode: u32) -> u32 {
    (imm20 << 12) | (rd << 7) | opcode
}

/// `addi rd, rs1, imm`.
pub fn addi(rd: u32, rs1: u32, imm: i32) -> u32 {
    i_type(imm, rs1, 0, rd, 0x13)
}

/// `add rd, rs1, rs2`.
pub fn add(rd: u32, rs1: u32, rs2: u32) -> u32 {
    (rs2 << 20) | (rs1 << 15) | (rd << 7) | 0x33
}

/// `auipc rd, imm20`.
pub fn auipc(rd: u32, imm20: u32) -> u32 {
    u_type(imm20, rd, 0x17)
}

/// `ld rd, off(rs1)`.
pub fn ld(rd: u32, off: i32, rs1: u32) -> u32 {
    i_type(off, rs1, 3, rd, 0x03)
}

/// `lbu rd, off(rs1)`.
pub fn lbu(rd: u32, off: i32, rs1: u32) -> u32 {
    i_type(off, rs1, 4, rd, 0x03)
}

/// `sw rs2, off(rs1)`.
pub fn sw(rs2: u32, off: u32, rs1: u32) -> u32 {
    s_type(off, rs2, rs1, 2)
}

/// `sd rs2, off(rs1)`.
pub fn sd(rs2: u32, off: u32, rs1: u32) -> u32 {
    s_type(off, rs2, rs1, 3)
}

/// `jalr rd, off(rs1)`.
pub fn jalr(rd: u32, rs1: u32, off: i32) -> u32 {
    i_type(off, rs1, 0, rd, 0x67)
}

/// `ret` (`jalr x0, 0(ra)`).
pub fn ret() -> u32 {
    jalr(0, reg::RA, 0)
}

/// `bne rs1, rs2, off` (`off` even, within ±4 KiB).
pub fn bne(rs1: u32, rs2: u32, off: i32) -> u32 {
    let o = off as u32;
    (((o >> 12) & 1) << 31)
        | (((o >> 5) & 0x3f) << 25)
        | (rs2 << 20)
        | (rs1 << 15)
        | (1 << 12)
        | (((o >> 1) & 0xf) << 8)
        | (((o >> 11) & 1) << 7)
        | 0x63
}

/// `jal x0, off` (`off` even, within ±1 MiB).
pub fn jal(off: i32) -> u32 {
    let o = off as u32;
    (((o >> 20) & 1) << 31)
        | (((o >> 1) & 0x3ff) << 21)
        | (((o >> 11) & 1) << 20)
        | (((o >> 12) & 0xff) << 12)
        | 0x6f
}

/// `csrrw x0, csr, rs1`.
pub fn csrw(csr: u32, rs1: u32) -> u32 {
    (csr << 20) | (rs1 << 15) | (1 << 12) | 0x73
}

/// `csrrs x0, csr, rs1`.
pub fn csrs(csr: u32, rs1: u32) -> u32 {
    i_type(csr as i32, rs1, 2, 0, 0x73)
}

/// `csrrsi x0, csr, uimm`.
pub fn csrsi(csr: u32, uimm: u32) -> u32 {
    (csr << 20) | (uimm << 15) | (6 << 12) | 0x73
}

/// `csrrs rd, csr, x0`.
pub fn csrr(rd: u32, csr: u32) -> u32 {
    (csr << 20) | (2 << 12) | (rd << 7) | 0x73
}

/// An A-extension instruction: `funct5`, width `funct3` (2 .W, 3 .D), no aq/rl.
pub fn amo(funct5: u32, funct3: u32, rd: u32, rs1: u32, rs2: u32) -> u32 {
    (funct5 << 27) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | 0x2f
}

/// The compressed register number of x8..x15.
fn creg(x: u32) -> u32 {
    x - 8
}

/// `c.sd rs2, 0(rs1)` (CS format, funct3 111).
pub fn c_sd(rs2: u32, rs1: u32) -> u32 {
    (0b111 << 13) | (creg(rs1) << 7) | (creg(rs2) << 2)
}

/// `c.lw rd, 0(rs1)` (CL format, funct3 010).
pub fn c_lw(rd: u32, rs1: u32) -> u32 {
    (0b010 << 13) | (creg(rs1) << 7) | (creg(rd) << 2)
}

/// An R-type instruction on the OP opcode (0x33).
pub fn r_type(funct7: u32, rs2: u32, rs1: u32, funct3: u32, rd: u32) -> u32 {
    (funct7 << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | 0x33
}

/// `lui rd, imm20`.
pub fn lui(rd: u32, imm20: u32) -> u32 {
    u_type(imm20, rd, 0x37)
}

/// The integer registers' ABI names (the psABI's table).
pub mod reg {
    pub const RA: u32 = 1;
    pub const SP: u32 = 2;
    pub const T0: u32 = 5;
    pub const T1: u32 = 6;
    pub const T2: u32 = 7;
    pub const S0: u32 = 8;
    pub const S1: u32 = 9;
    pub const A0: u32 = 10;
    pub const A1: u32 = 11;
    pub const A2: u32 = 12;
    pub const A3: u32 = 13;
    pub const A4: u32 = 14;
    pub const A5: u32 = 15;
    pub const A6: u32 = 16;
    pub const A7: u32 = 17;
    pub const S2: u32 = 18;
    pub const S3: u32 = 19;
    pub const S4: u32 = 20;
    pub const S5: u32 = 21;
    pub const S6: u32 = 22;
    pub const S7: u32 = 23;
    pub const S8: u32 = 24;
    pub const S9: u32 = 25;
    pub const T3: u32 = 28;
    pub const T4: u32 = 29;
    pub const T5: u32 = 30;
    pub const T6: u32 = 31;
}
