//! rvc_illegal: do the reserved compressed encodings — the all-zero halfword, C.ADDI4SPN with a zero
//! immediate, C.LUI and C.ADDI16SP with a zero immediate, C.JR with rs1 = x0, C.LWSP/C.LDSP with rd = x0,
//! C.ADDIW with rd = x0, quadrant 0 funct3 = 100, the reserved C.SUBW/C.ADDW neighbours — and the
//! compressed floating-point loads and stores (no F/D here, or mstatus.FS = Off on QEMU) raise an
//! illegal-instruction exception (cause 2) with mepc at the halfword and mtval = the 16 instruction bits
//! zero-extended (QEMU 7.2 writes the bits), without changing any register?
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ RVC_ZERO,              0x0000     # defined illegal: all-zero halfword
.equ RVC_ADDI4SPN_IMM0,     0x0004     # c.addi4spn s1, sp, 0
.equ RVC_LUI_IMM0,          0x6501     # c.lui a0, 0
.equ RVC_ADDI16SP_IMM0,     0x6101     # c.addi16sp sp, 0
.equ RVC_JR_X0,             0x8002     # c.jr x0
.equ RVC_LWSP_X0,           0x4002     # c.lwsp x0, 0(sp)
.equ RVC_LWSP_X0_OFF,       0x4052     # c.lwsp x0, 20(sp)
.equ RVC_LDSP_X0,           0x6002     # c.ldsp x0, 0(sp)
.equ RVC_ADDIW_X0,          0x2005     # c.addiw x0, 1
.equ RVC_ADDIW_X0_IMM0,     0x2001     # c.addiw x0, 0
.equ RVC_Q0_RESERVED,       0x8004     # quadrant 0, funct3 = 100
.equ RVC_Q1_RESERVED_10,    0x9d49     # funct6 = 100111, funct2 = 10
.equ RVC_Q1_RESERVED_11,    0x9d69     # funct6 = 100111, funct2 = 11
.equ RVC_FLD,               0x2100     # c.fld fs0, 0(a0)
.equ RVC_FSD,               0xa100     # c.fsd fs0, 0(a0)
.equ RVC_FLDSP,             0x2002     # c.fldsp ft0, 0(sp)
.equ RVC_FSDSP,             0xa002     # c.fsdsp ft0, 0(sp)

# Check `num` and `num + 1`: the halfword `insn` traps as illegal with mtval = insn.
.macro TEST_RVC_ILLEGAL num, insn
    TEST_TRAP \num, CAUSE_ILLEGAL_INSTRUCTION, .2byte \insn
    TEST_TVAL (\num + 1), \insn
.endm

test_main:
    # Registers that a wrongly executed encoding would change
    mv s11, sp
    la sp, scratch
    la a0, scratch
    li s1, 0x51
    TEST_RVC_ILLEGAL 2, RVC_ZERO
    TEST_RVC_ILLEGAL 4, RVC_ADDI4SPN_IMM0
    TEST_EQ 6, s1, 0x51
    li a0, 0x55
    TEST_RVC_ILLEGAL 7, RVC_LUI_IMM0
    TEST_EQ 9, a0, 0x55
    la a0, scratch
    TEST_RVC_ILLEGAL 10, RVC_ADDI16SP_IMM0
    TEST_RVC_ILLEGAL 12, RVC_JR_X0
    TEST_RVC_ILLEGAL 14, RVC_LWSP_X0
    TEST_RVC_ILLEGAL 16, RVC_LWSP_X0_OFF
    TEST_RVC_ILLEGAL 18, RVC_LDSP_X0
    TEST_RVC_ILLEGAL 20, RVC_ADDIW_X0
    TEST_RVC_ILLEGAL 22, RVC_ADDIW_X0_IMM0
    TEST_RVC_ILLEGAL 24, RVC_Q0_RESERVED
    li a0, 0x33
    li a2, 0x44
    TEST_RVC_ILLEGAL 26, RVC_Q1_RESERVED_10
    TEST_RVC_ILLEGAL 28, RVC_Q1_RESERVED_11
    TEST_EQ 30, a0, 0x33
    la a0, scratch
    TEST_RVC_ILLEGAL 31, RVC_FLD
    TEST_RVC_ILLEGAL 33, RVC_FSD
    TEST_RVC_ILLEGAL 35, RVC_FLDSP
    TEST_RVC_ILLEGAL 37, RVC_FSDSP
    la a1, scratch
    TEST_REGS_EQ 39, sp, a1
    ld a1, 0(a1)
    TEST_EQ 40, a1, 0x0123456789abcdef
    mv sp, s11
    j pass

.data
.balign 16
scratch:
    .dword 0x0123456789abcdef
    .zero 56
"#
);
