//! The predecoded instruction: what `decode` makes once and `execute` runs many times.
//!
//! Compressed instructions are expanded to the base operation they stand for (`c.addi` becomes
//! `Addi`), so the executor knows only base operations; `len` says how far the pc advances and
//! `raw` keeps the original bits for `tval` and for tracing.
//!
//! Register fields are indices into the register file. A write to `x0` is redirected at decode
//! time to [`SINK`], a register nobody reads, so the executor never tests for `rd == 0`.

/// The register that absorbs writes to `x0`.
pub const SINK: u8 = 32;

/// One operation per instruction the hart executes, plus the decoder's own markers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
#[allow(missing_docs)] // the names are the spec's mnemonics
pub enum Op {
    /// A 32-bit instruction whose upper half is on the next page: fetched and decoded each time.
    CrossPage = 0,
    /// An illegal or unsupported encoding: raises illegal-instruction with `raw` in `tval`.
    Illegal,

    // RV64I
    Lui,
    Auipc,
    Jal,
    Jalr,
    Beq,
    Bne,
    Blt,
    Bge,
    Bltu,
    Bgeu,
    Lb,
    Lh,
    Lw,
    Ld,
    Lbu,
    Lhu,
    Lwu,
    Sb,
    Sh,
    Sw,
    Sd,
    Addi,
    Slti,
    Sltiu,
    Xori,
    Ori,
    Andi,
    Slli,
    Srli,
    Srai,
    Add,
    Sub,
    Sll,
    Slt,
    Sltu,
    Xor,
    Srl,
    Sra,
    Or,
    And,
    Addiw,
    Slliw,
    Srliw,
    Sraiw,
    Addw,
    Subw,
    Sllw,
    Srlw,
    Sraw,
    Fence,
    FenceI,
    Ecall,
    Ebreak,

    // M
    Mul,
    Mulh,
    Mulhsu,
    Mulhu,
    Div,
    Divu,
    Rem,
    Remu,
    Mulw,
    Divw,
    Divuw,
    Remw,
    Remuw,

    // A
    LrW,
    ScW,
    AmoswapW,
    AmoaddW,
    AmoxorW,
    AmoandW,
    AmoorW,
    AmominW,
    AmomaxW,
    AmominuW,
    AmomaxuW,
    LrD,
    ScD,
    AmoswapD,
    AmoaddD,
    AmoxorD,
    AmoandD,
    AmoorD,
    AmominD,
    AmomaxD,
    AmominuD,
    AmomaxuD,

    // Zicsr: `imm` holds the CSR number; for the immediate forms `rs1` holds the 5-bit uimm.
    Csrrw,
    Csrrs,
    Csrrc,
    Csrrwi,
    Csrrsi,
    Csrrci,

    // Privileged
    Mret,
    Sret,
    Wfi,
    SfenceVma,

    /// A klab marker: the HINT `slti x0, rs1, imm12` with `imm12` in 1..=6 (see `observe`).
    Marker,
}

impl Op {
    /// Number of operations.
    pub const COUNT: usize = 101;

    /// Whether this is an LR, SC or AMO (each returns a value as a load does).
    pub const fn is_atomic(self) -> bool {
        use Op::*;
        matches!(
            self,
            LrW | ScW
                | AmoswapW
                | AmoaddW
                | AmoxorW
                | AmoandW
                | AmoorW
                | AmominW
                | AmomaxW
                | AmominuW
                | AmomaxuW
                | LrD
                | ScD
                | AmoswapD
                | AmoaddD
                | AmoxorD
                | AmoandD
                | AmoorD
                | AmominD
                | AmomaxD
                | AmominuD
                | AmomaxuD
        )
    }

    /// Whether this writes `rd` (stores, branches, fences, system instructions, markers and the
    /// two pseudo-operations do not).
    pub const fn writes_rd(self) -> bool {
        use Op::*;
        !matches!(
            self,
            Sb | Sh
                | Sw
                | Sd
                | Beq
                | Bne
                | Blt
                | Bge
                | Bltu
                | Bgeu
                | Fence
                | FenceI
                | Ecall
                | Ebreak
                | Mret
                | Sret
                | Wfi
                | SfenceVma
                | Illegal
                | CrossPage
                | Marker
        )
    }

    /// Every operation, indexed by its discriminant.
    pub const ALL: [Op; Op::COUNT] = [
        Op::CrossPage,
        Op::Illegal,
        Op::Lui,
        Op::Auipc,
        Op::Jal,
        Op::Jalr,
        Op::Beq,
        Op::Bne,
        Op::Blt,
        Op::Bge,
        Op::Bltu,
        Op::Bgeu,
        Op::Lb,
        Op::Lh,
        Op::Lw,
        Op::Ld,
        Op::Lbu,
        Op::Lhu,
        Op::Lwu,
        Op::Sb,
        Op::Sh,
        Op::Sw,
        Op::Sd,
        Op::Addi,
        Op::Slti,
        Op::Sltiu,
        Op::Xori,
        Op::Ori,
        Op::Andi,
        Op::Slli,
        Op::Srli,
        Op::Srai,
        Op::Add,
        Op::Sub,
        Op::Sll,
        Op::Slt,
        Op::Sltu,
        Op::Xor,
        Op::Srl,
        Op::Sra,
        Op::Or,
        Op::And,
        Op::Addiw,
        Op::Slliw,
        Op::Srliw,
        Op::Sraiw,
        Op::Addw,
        Op::Subw,
        Op::Sllw,
        Op::Srlw,
        Op::Sraw,
        Op::Fence,
        Op::FenceI,
        Op::Ecall,
        Op::Ebreak,
        Op::Mul,
        Op::Mulh,
        Op::Mulhsu,
        Op::Mulhu,
        Op::Div,
        Op::Divu,
        Op::Rem,
        Op::Remu,
        Op::Mulw,
        Op::Divw,
        Op::Divuw,
        Op::Remw,
        Op::Remuw,
        Op::LrW,
        Op::ScW,
        Op::AmoswapW,
        Op::AmoaddW,
        Op::AmoxorW,
        Op::AmoandW,
        Op::AmoorW,
        Op::AmominW,
        Op::AmomaxW,
        Op::AmominuW,
        Op::AmomaxuW,
        Op::LrD,
        Op::ScD,
        Op::AmoswapD,
        Op::AmoaddD,
        Op::AmoxorD,
        Op::AmoandD,
        Op::AmoorD,
        Op::AmominD,
        Op::AmomaxD,
        Op::AmominuD,
        Op::AmomaxuD,
        Op::Csrrw,
        Op::Csrrs,
        Op::Csrrc,
        Op::Csrrwi,
        Op::Csrrsi,
        Op::Csrrci,
        Op::Mret,
        Op::Sret,
        Op::Wfi,
        Op::SfenceVma,
        Op::Marker,
    ];
}

const _: () = {
    let mut i = 0;
    while i < Op::COUNT {
        assert!(Op::ALL[i] as usize == i);
        i += 1;
    }
};

/// A decoded instruction, 16 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Insn {
    /// What to do.
    pub op: Op,
    /// Destination register (or [`SINK`] for `x0`).
    pub rd: u8,
    /// First source register (or the CSR uimm).
    pub rs1: u8,
    /// Second source register.
    pub rs2: u8,
    /// Sign-extended immediate (branch/jump offsets, shift amounts, CSR numbers).
    pub imm: i32,
    /// The instruction bits as fetched (16 significant bits for compressed forms).
    pub raw: u32,
    /// Length in bytes: 2 or 4.
    pub len: u8,
    /// Spare bytes the decode cache uses for the translator: in the first element of a block,
    /// the block's translation or its entries so far (see `machine::jit::TRANSLATED`). The
    /// decoder leaves them 0.
    pub(crate) tag: [u8; 3],
}

impl Insn {
    /// Builds an instruction; `rd == 0` is redirected to [`SINK`].
    pub const fn new(op: Op, rd: u8, rs1: u8, rs2: u8, imm: i32, raw: u32, len: u8) -> Insn {
        Insn {
            op,
            rd: if rd == 0 { SINK } else { rd },
            rs1,
            rs2,
            imm,
            raw,
            len,
            tag: [0; 3],
        }
    }

    /// An illegal instruction of `len` bytes whose bits are `raw`.
    pub const fn illegal(raw: u32, len: u8) -> Insn {
        Insn::new(Op::Illegal, 0, 0, 0, 0, raw, len)
    }
}

const _: () = assert!(core::mem::size_of::<Insn>() == 16);
