//! illegal: do unknown and reserved 32-bit encodings in every major opcode — bad funct7/funct3/funct6
//! values, RV128-only loads and stores, SLLIW with shamt[5] set, unknown SYSTEM and MISC-MEM encodings,
//! custom-0, unknown AMOs, LR with rs2 != 0, floating point without F/D (or with mstatus.FS = Off on
//! QEMU) — raise an illegal-instruction exception (cause 2) with mepc at the instruction, mtval = the 32
//! instruction bits zero-extended (QEMU 7.2 writes the bits; the spec also allows 0), and no effect on rd?
//! The encodings avoid the Zba/Zbb/Zbc/Zbs, Zicbom and H opcode space, which QEMU 7.2 implements by
//! default and klab does not.
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ ILL_OP_FUNCT7,         0xfe000533  # OP, funct7 = 1111111, rd = a0
.equ ILL_OP_SLL_BIT30,      0x40001533  # OP, funct7 = 0100000 with funct3 = 001 (no such SLL)
.equ ILL_OP32_SLLW_BIT30,   0x4000153b  # OP-32, funct7 = 0100000 with funct3 = 001
.equ ILL_OPIMM32_FUNCT3,    0x0000251b  # OP-IMM-32, funct3 = 010
.equ ILL_SLLIW_SHAMT5,      0x0205151b  # slliw a0, a0, 32: shamt[5] must be 0
.equ ILL_SRAIW_FUNCT7,      0x2000551b  # OP-IMM-32 SRxIW with funct7 = 0010000
.equ ILL_SRAI_FUNCT6,       0x20005513  # OP-IMM SRxI with funct6 = 001000
.equ ILL_SLLI_FUNCT6,       0x40001513  # OP-IMM SLLI with funct6 = 010000
.equ ILL_LOAD_FUNCT3_7,     0x0005f503  # LOAD funct3 = 111 (RV128 LDU)
.equ ILL_STORE_FUNCT3_4,    0x00a5c023  # STORE funct3 = 100 (RV128 SQ)
.equ ILL_STORE_FUNCT3_7,    0x00a5f023  # STORE funct3 = 111
.equ ILL_BRANCH_FUNCT3_2,   0x00b52063  # BRANCH funct3 = 010
.equ ILL_BRANCH_FUNCT3_3,   0x00b53063  # BRANCH funct3 = 011
.equ ILL_JALR_FUNCT3_1,     0x00059567  # JALR funct3 = 001
.equ ILL_SYSTEM_IMM,        0x7ff00073  # SYSTEM funct3 = 000, unknown funct12 = 0x7ff
.equ ILL_MISC_MEM_FUNCT3_7, 0x0000700f  # MISC-MEM funct3 = 111
.equ ILL_CUSTOM0,           0x0000050b  # custom-0 opcode
.equ ILL_AMO_FUNCT5,        0x30b5a52f  # AMO funct5 = 00110, funct3 = 010
.equ ILL_AMO_FUNCT3_5,      0x00b5d52f  # AMOADD with funct3 = 101
.equ ILL_LR_RS2,            0x1015a52f  # lr.w a0, (a1) with rs2 = x1
.equ ILL_FADD_S,            0x00000053  # fadd.s f0, f0, f0 (rm = RNE)
.equ ILL_FLD,               0x0005b007  # fld f0, 0(a1)

# Check `num` and `num + 1`: the word `insn` traps as illegal with mtval = insn; a0 is not written.
.macro TEST_ILLEGAL num, insn
    li a0, 0x5a
    TEST_TRAP \num, CAUSE_ILLEGAL_INSTRUCTION, .4byte \insn
    li x7, \insn
    li gp, \num + 1
    bne t6, x7, fail
    li x7, 0x5a
    bne a0, x7, fail
.endm

test_main:
    la a1, scratch
    li a2, 0
    TEST_ILLEGAL 2, ILL_OP_FUNCT7
    TEST_ILLEGAL 4, ILL_OP_SLL_BIT30
    TEST_ILLEGAL 6, ILL_OP32_SLLW_BIT30
    TEST_ILLEGAL 8, ILL_OPIMM32_FUNCT3
    TEST_ILLEGAL 10, ILL_SLLIW_SHAMT5
    TEST_ILLEGAL 12, ILL_SRAIW_FUNCT7
    TEST_ILLEGAL 14, ILL_SRAI_FUNCT6
    TEST_ILLEGAL 16, ILL_SLLI_FUNCT6
    TEST_ILLEGAL 18, ILL_LOAD_FUNCT3_7
    TEST_ILLEGAL 20, ILL_STORE_FUNCT3_4
    TEST_ILLEGAL 22, ILL_STORE_FUNCT3_7
    TEST_ILLEGAL 24, ILL_BRANCH_FUNCT3_2
    TEST_ILLEGAL 26, ILL_BRANCH_FUNCT3_3
    TEST_ILLEGAL 28, ILL_JALR_FUNCT3_1
    TEST_ILLEGAL 30, ILL_SYSTEM_IMM
    TEST_ILLEGAL 32, ILL_MISC_MEM_FUNCT3_7
    TEST_ILLEGAL 34, ILL_CUSTOM0
    TEST_ILLEGAL 36, ILL_AMO_FUNCT5
    TEST_ILLEGAL 38, ILL_AMO_FUNCT3_5
    TEST_ILLEGAL 40, ILL_LR_RS2
    TEST_ILLEGAL 42, ILL_FADD_S
    TEST_ILLEGAL 44, ILL_FLD
    # Memory was not touched by the illegal stores and AMOs
    ld a3, 0(a1)
    TEST_EQ 46, a3, 0x0123456789abcdef
    j pass

.data
.balign 16
scratch:
    .dword 0x0123456789abcdef
    .zero 8
"#
);
