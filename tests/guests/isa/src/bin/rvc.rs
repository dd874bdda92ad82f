//! rvc: does every compressed instruction valid on RV64 — C.ADDI4SPN, C.LW, C.LD, C.SW, C.SD, C.NOP,
//! C.ADDI, C.ADDIW, C.LI, C.ADDI16SP, C.LUI, C.SRLI, C.SRAI, C.ANDI, C.SUB, C.XOR, C.OR, C.AND, C.SUBW,
//! C.ADDW, C.J, C.BEQZ, C.BNEZ, C.SLLI, C.LWSP, C.LDSP, C.JR, C.MV, C.EBREAK, C.JALR, C.ADD, C.SWSP,
//! C.SDSP — do what its 32-bit expansion does, with the scaled, zero- or sign-extended immediates at their
//! extremes, does C.JALR link pc + 2, and do the HINT encodings (C.NOP, C.ADDI
//! with immediate 0, C.LI/C.LUI/C.MV/C.ADD/C.SLLI with rd = x0, shifts by 0) execute as no-ops?
//! Every compressed instruction is written as an explicit `c.` mnemonic or a raw `.2byte`.
//! (Reserved compressed encodings are in `rvc_illegal`.)
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
# HINT encodings the assembler will not emit from mnemonics
.equ HINT_C_NOP_IMM1,     0x0005       # c.nop with nzimm = 1
.equ HINT_C_ADDI_A0_0,    0x0501       # c.addi a0, 0
.equ HINT_C_LI_X0_5,      0x4015       # c.li x0, 5
.equ HINT_C_LUI_X0_1,     0x6005       # c.lui x0, 1
.equ HINT_C_MV_X0_A0,     0x802a       # c.mv x0, a0
.equ HINT_C_ADD_X0_A0,    0x902a       # c.add x0, a0
.equ HINT_C_SLLI_X0_1,    0x0006       # c.slli x0, 1
.equ HINT_C_SLLI_A0_0,    0x0502       # c.slli a0, 0 (RV64: shift by 0 is a HINT)
.equ HINT_C_SRLI_A0_0,    0x8101       # c.srli a0, 0
.equ HINT_C_SRAI_A0_0,    0x8501       # c.srai a0, 0

test_main:
    mv s11, sp                         # sp is an operand below; restored at the end
.option push
.option rvc
    # --- Quadrant 0 -------------------------------------------------------------------------------
    # C.ADDI4SPN: rd' = sp + nzuimm (zero-extended, scaled by 4, up to 1020)
    la sp, rvc_data
    c.addi4spn a0, sp, 4
    la a1, rvc_data + 4
    TEST_REGS_EQ 2, a0, a1
    c.addi4spn s1, sp, 1020
    li a2, 1020
    la a1, rvc_data
    add a1, a1, a2
    TEST_REGS_EQ 3, s1, a1

    # C.LW (sign-extends), C.LD, offsets scaled by 4 and 8 up to 124 and 248
    la s0, rvc_data
    c.lw a0, 0(s0)
    TEST_EQ 4, a0, 0xffffffff80000001
    c.lw a1, 4(s0)
    TEST_EQ 5, a1, 0x7ffffff2
    c.lw a2, 124(s0)
    TEST_EQ 6, a2, 0xfffffffffedcba98
    c.ld a3, 8(s0)
    TEST_EQ 7, a3, 0x0123456789abcdef
    c.ld a4, 248(s0)
    TEST_EQ 8, a4, 0xfedcba9876543210
    c.ld s0, 0(s0)                     # rd' = rs1'
    TEST_EQ 9, s0, 0x7ffffff280000001

    # C.SW, C.SD
    la a5, rvc_store
    li a0, 0x1122334455667788
    c.sd a0, 0(a5)
    c.sw a0, 8(a5)
    c.sw a0, 12(a5)
    c.sd a0, 248(a5)
    ld a1, 0(a5)
    TEST_EQ 10, a1, 0x1122334455667788
    ld a1, 8(a5)
    TEST_EQ 11, a1, 0x5566778855667788
    ld a1, 248(a5)
    TEST_EQ 12, a1, 0x1122334455667788
    li a0, 0x99
    c.sw a0, 124(a5)
    lwu a1, 124(a5)
    TEST_EQ 13, a1, 0x99

    # --- Quadrant 1 -------------------------------------------------------------------------------
    li a0, 5
    c.nop
    TEST_EQ 14, a0, 5
    # C.ADDI: 6-bit signed, non-zero immediate
    c.addi a0, 31
    TEST_EQ 15, a0, 36
    c.addi a0, -32
    TEST_EQ 16, a0, 4
    li t1, 0x7fffffffffffffff
    c.addi t1, 1                       # full 64-bit add
    TEST_EQ 17, t1, 0x8000000000000000
    # C.ADDIW: 32-bit add, sign-extended; immediate 0 is sext.w
    li a1, 0x7fffffff
    c.addiw a1, 1
    TEST_EQ 18, a1, 0xffffffff80000000
    li a1, 0x12345678ffffffff
    c.addiw a1, 0
    TEST_EQ 19, a1, 0xffffffffffffffff
    li t2, 0xffffffff80000000
    c.addiw t2, -1
    TEST_EQ 20, t2, 0x7fffffff
    # C.LI: sign-extended 6-bit immediate, any rd
    c.li a2, -32
    TEST_EQ 21, a2, -32
    c.li t3, 31
    TEST_EQ 22, t3, 31
    c.li a2, 0
    TEST_EQ 23, a2, 0
    # C.ADDI16SP: sp += nzimm, a multiple of 16 in [-512, 496]
    la sp, rvc_data + 512
    c.addi16sp sp, -512
    la a0, rvc_data
    TEST_REGS_EQ 24, sp, a0
    c.addi16sp sp, 496
    la a0, rvc_data + 496
    TEST_REGS_EQ 25, sp, a0
    c.addi16sp sp, 16
    la a0, rvc_data + 512
    TEST_REGS_EQ 26, sp, a0
    # C.LUI: nzimm[17:12], sign-extended
    c.lui a3, 1
    TEST_EQ 27, a3, 0x1000
    c.lui a3, 31
    TEST_EQ 28, a3, 0x1f000
    c.lui a3, 0xfffe0                  # nzimm = -32 << 12
    TEST_EQ 29, a3, 0xfffffffffffe0000
    c.lui t4, 0xfffff
    TEST_EQ 30, t4, 0xfffffffffffff000
    # C.SRLI, C.SRAI: shift amounts 1..63
    li a4, 0x8000000000000010
    c.srli a4, 4
    TEST_EQ 31, a4, 0x0800000000000001
    li a4, 0x8000000000000010
    c.srli a4, 63
    TEST_EQ 32, a4, 1
    li a4, 0x8000000000000010
    c.srai a4, 4
    TEST_EQ 33, a4, 0xf800000000000001
    li a4, 0x8000000000000010
    c.srai a4, 63
    TEST_EQ 34, a4, -1
    li a4, 0x8000000000000010
    c.srli a4, 32
    TEST_EQ 35, a4, 0x80000000
    # C.ANDI: sign-extended 6-bit immediate
    li a5, 0x123456789abcdef0
    c.andi a5, -16
    TEST_EQ 36, a5, 0x123456789abcdef0
    c.andi a5, 0x1f
    TEST_EQ 37, a5, 0x10
    c.andi a5, 0
    TEST_EQ 38, a5, 0
    # C.SUB, C.XOR, C.OR, C.AND, C.SUBW, C.ADDW
    li s0, 0x00ff00ff00ff00ff
    li s1, 0x0f0f0f0f0f0f0f0f
    mv a0, s0
    c.sub a0, s1
    TEST_EQ 39, a0, 0xf1eff1eff1eff1f0
    mv a0, s0
    c.xor a0, s1
    TEST_EQ 40, a0, 0x0ff00ff00ff00ff0
    mv a0, s0
    c.or a0, s1
    TEST_EQ 41, a0, 0x0fff0fff0fff0fff
    mv a0, s0
    c.and a0, s1
    TEST_EQ 42, a0, 0x000f000f000f000f
    li a0, 0x100000000
    li a1, 1
    c.subw a0, a1
    TEST_EQ 43, a0, -1
    li a0, 0x7fffffff
    c.addw a0, a1
    TEST_EQ 44, a0, 0xffffffff80000000
    li a0, 0xffffffff00000005
    li a1, 0x00000001fffffffe
    c.addw a0, a1
    TEST_EQ 45, a0, 3
    # C.J forward and backward
    li gp, 46
    c.j 2f
1:  c.j 3f
2:  c.j 1b
    j fail
3:
    # C.BEQZ / C.BNEZ taken and not taken, forward and backward
    li gp, 47
    li s0, 0
    li s1, 1
    c.bnez s0, 9f
    c.beqz s1, 9f
    c.beqz s0, 1f
9:  j fail
1:  li a0, 3                           # count down with a backward c.bnez
    li a1, 0
2:  addi a1, a1, 1
    addi a0, a0, -1
    c.bnez a0, 2b
    TEST_EQ 48, a1, 3
    li a0, 0x100000000                 # all 64 bits are compared
    li gp, 49
    c.beqz a0, 9b

    # --- Quadrant 2 -------------------------------------------------------------------------------
    # C.SLLI: shift amounts 1..63
    li a0, 0x0000000080000001
    c.slli a0, 1
    TEST_EQ 50, a0, 0x100000002
    li a0, 3
    c.slli a0, 63
    TEST_EQ 51, a0, 0x8000000000000000
    li t5, 1
    c.slli t5, 32
    TEST_EQ 52, t5, 0x100000000
    # C.LWSP (sign-extends), C.LDSP, offsets scaled by 4 and 8 up to 252 and 504
    la sp, rvc_data
    c.lwsp a0, 0(sp)
    TEST_EQ 53, a0, 0xffffffff80000001
    c.lwsp t6, 252(sp)
    TEST_EQ 54, t6, 0xfffffffffedcba98
    c.ldsp ra, 8(sp)
    TEST_EQ 55, ra, 0x0123456789abcdef
    c.ldsp a1, 504(sp)
    TEST_EQ 56, a1, 0x0f0e0d0c0b0a0908
    # C.SWSP, C.SDSP
    la sp, rvc_store
    li a0, 0xaabbccdd11223344
    c.sdsp a0, 504(sp)
    c.swsp a0, 252(sp)
    c.swsp a0, 0(sp)
    ld a1, 504(sp)
    TEST_EQ 57, a1, 0xaabbccdd11223344
    lwu a1, 252(sp)
    TEST_EQ 58, a1, 0x11223344
    ld a1, 0(sp)
    TEST_EQ 59, a1, 0x1122334411223344
    # C.MV, C.ADD
    li a1, 0x123456789
    c.mv a0, a1
    TEST_EQ 60, a0, 0x123456789
    c.mv t0, a1
    TEST_EQ 61, t0, 0x123456789
    c.add a0, a1
    TEST_EQ 62, a0, 0x2468acf12
    li a2, -1
    c.add a0, a2
    TEST_EQ 63, a0, 0x2468acf11
    # C.JR: jump to rs1, no link
    li gp, 64
    la a0, 1f
    li ra, 0
    c.jr a0
    j fail
1:  bnez ra, fail
    # C.JALR: link = pc + 2, target read before the link is written (rs1 = ra)
    li gp, 65
    la a0, 2f
1:  c.jalr a0
    j fail
2:  la a1, 1b + 2
    bne ra, a1, fail
    li gp, 66
    la ra, 2f
1:  c.jalr ra
    j fail
2:  la a1, 1b + 2
    bne ra, a1, fail
    # C.EBREAK: breakpoint at the c.ebreak itself
    TEST_TRAP 67, CAUSE_BREAKPOINT, c.ebreak

    # --- HINTs: no effect on the architectural state --------------------------------------------
    li a0, 0x5a5a
    li gp, 68
    .2byte HINT_C_NOP_IMM1
    .2byte HINT_C_ADDI_A0_0
    .2byte HINT_C_LI_X0_5
    .2byte HINT_C_LUI_X0_1
    .2byte HINT_C_MV_X0_A0
    .2byte HINT_C_ADD_X0_A0
    .2byte HINT_C_SLLI_X0_1
    bnez x0, fail
    TEST_EQ 69, a0, 0x5a5a
    .2byte HINT_C_SLLI_A0_0
    .2byte HINT_C_SRLI_A0_0
    .2byte HINT_C_SRAI_A0_0
    TEST_EQ 70, a0, 0x5a5a
.option pop

    # A 32-bit instruction at an address = 2 mod 4, right after a compressed one
    li gp, 71
    .balign 4
    c.li a0, 1
.option push
.option norvc
    addi a0, a0, 1
.option pop
    TEST_EQ 72, a0, 2

    mv sp, s11
    j pass

.data
.balign 16
rvc_data:
    .word 0x80000001                   # +0
    .word 0x7ffffff2                   # +4
    .dword 0x0123456789abcdef          # +8
    .skip 124 - 16
    .word 0xfedcba98                   # +124
    .skip 248 - 128
    .dword 0xfedcba9876543210          # +248 (its upper word is the word at +252)
    .skip 504 - 256
    .dword 0x0f0e0d0c0b0a0908          # +504
    .skip 512
.balign 16
rvc_store:
    .zero 512
"#
);
