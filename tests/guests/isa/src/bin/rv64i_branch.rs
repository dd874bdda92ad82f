//! rv64i_branch: do the conditional branches BEQ, BNE, BLT, BGE, BLTU, BGEU decide taken/not taken
//! right on signed and unsigned edge values (and with the same register or x0 as operand), reach
//! targets near the ends of their range backwards and forwards, and do JAL and JALR link pc + 4, jump to
//! (rs1 + imm) with bit 0 cleared, use the old rs1 when rd = rs1, and leave x0 alone?
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
test_main:
    # BEQ
    TEST_BR 2, beq, 1, 0, 0
    TEST_BR 3, beq, 1, 1, 1
    TEST_BR 4, beq, 1, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_BR 5, beq, 0, 0, 1
    TEST_BR 6, beq, 0, 1, 0
    TEST_BR 7, beq, 0, 0xffffffffffffffff, 0
    TEST_BR 8, beq, 0, 0, 0xffffffffffffffff
    TEST_BR 9, beq, 0, 0xffffffffffffffff, 1
    TEST_BR 10, beq, 0, 0x8000000000000000, 0x7fffffffffffffff
    TEST_BR 11, beq, 0, 0x7fffffffffffffff, 0x8000000000000000
    TEST_BR 12, beq, 0, 0x8000000000000000, 0
    TEST_BR 13, beq, 0, 0x80000000, 0x7fffffff
    TEST_BR 14, beq, 0, 0xffffffff80000000, 0x80000000
    TEST_BR 15, beq, 0, 0x100000000, 0xffffffff

    # BNE
    TEST_BR 16, bne, 0, 0, 0
    TEST_BR 17, bne, 0, 1, 1
    TEST_BR 18, bne, 0, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_BR 19, bne, 1, 0, 1
    TEST_BR 20, bne, 1, 1, 0
    TEST_BR 21, bne, 1, 0xffffffffffffffff, 0
    TEST_BR 22, bne, 1, 0, 0xffffffffffffffff
    TEST_BR 23, bne, 1, 0xffffffffffffffff, 1
    TEST_BR 24, bne, 1, 0x8000000000000000, 0x7fffffffffffffff
    TEST_BR 25, bne, 1, 0x7fffffffffffffff, 0x8000000000000000
    TEST_BR 26, bne, 1, 0x8000000000000000, 0
    TEST_BR 27, bne, 1, 0x80000000, 0x7fffffff
    TEST_BR 28, bne, 1, 0xffffffff80000000, 0x80000000
    TEST_BR 29, bne, 1, 0x100000000, 0xffffffff

    # BLT
    TEST_BR 30, blt, 0, 0, 0
    TEST_BR 31, blt, 0, 1, 1
    TEST_BR 32, blt, 0, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_BR 33, blt, 1, 0, 1
    TEST_BR 34, blt, 0, 1, 0
    TEST_BR 35, blt, 1, 0xffffffffffffffff, 0
    TEST_BR 36, blt, 0, 0, 0xffffffffffffffff
    TEST_BR 37, blt, 1, 0xffffffffffffffff, 1
    TEST_BR 38, blt, 1, 0x8000000000000000, 0x7fffffffffffffff
    TEST_BR 39, blt, 0, 0x7fffffffffffffff, 0x8000000000000000
    TEST_BR 40, blt, 1, 0x8000000000000000, 0
    TEST_BR 41, blt, 0, 0x80000000, 0x7fffffff
    TEST_BR 42, blt, 1, 0xffffffff80000000, 0x80000000
    TEST_BR 43, blt, 0, 0x100000000, 0xffffffff

    # BGE
    TEST_BR 44, bge, 1, 0, 0
    TEST_BR 45, bge, 1, 1, 1
    TEST_BR 46, bge, 1, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_BR 47, bge, 0, 0, 1
    TEST_BR 48, bge, 1, 1, 0
    TEST_BR 49, bge, 0, 0xffffffffffffffff, 0
    TEST_BR 50, bge, 1, 0, 0xffffffffffffffff
    TEST_BR 51, bge, 0, 0xffffffffffffffff, 1
    TEST_BR 52, bge, 0, 0x8000000000000000, 0x7fffffffffffffff
    TEST_BR 53, bge, 1, 0x7fffffffffffffff, 0x8000000000000000
    TEST_BR 54, bge, 0, 0x8000000000000000, 0
    TEST_BR 55, bge, 1, 0x80000000, 0x7fffffff
    TEST_BR 56, bge, 0, 0xffffffff80000000, 0x80000000
    TEST_BR 57, bge, 1, 0x100000000, 0xffffffff

    # BLTU
    TEST_BR 58, bltu, 0, 0, 0
    TEST_BR 59, bltu, 0, 1, 1
    TEST_BR 60, bltu, 0, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_BR 61, bltu, 1, 0, 1
    TEST_BR 62, bltu, 0, 1, 0
    TEST_BR 63, bltu, 0, 0xffffffffffffffff, 0
    TEST_BR 64, bltu, 1, 0, 0xffffffffffffffff
    TEST_BR 65, bltu, 0, 0xffffffffffffffff, 1
    TEST_BR 66, bltu, 0, 0x8000000000000000, 0x7fffffffffffffff
    TEST_BR 67, bltu, 1, 0x7fffffffffffffff, 0x8000000000000000
    TEST_BR 68, bltu, 0, 0x8000000000000000, 0
    TEST_BR 69, bltu, 0, 0x80000000, 0x7fffffff
    TEST_BR 70, bltu, 0, 0xffffffff80000000, 0x80000000
    TEST_BR 71, bltu, 0, 0x100000000, 0xffffffff

    # BGEU
    TEST_BR 72, bgeu, 1, 0, 0
    TEST_BR 73, bgeu, 1, 1, 1
    TEST_BR 74, bgeu, 1, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_BR 75, bgeu, 0, 0, 1
    TEST_BR 76, bgeu, 1, 1, 0
    TEST_BR 77, bgeu, 1, 0xffffffffffffffff, 0
    TEST_BR 78, bgeu, 0, 0, 0xffffffffffffffff
    TEST_BR 79, bgeu, 1, 0xffffffffffffffff, 1
    TEST_BR 80, bgeu, 1, 0x8000000000000000, 0x7fffffffffffffff
    TEST_BR 81, bgeu, 0, 0x7fffffffffffffff, 0x8000000000000000
    TEST_BR 82, bgeu, 1, 0x8000000000000000, 0
    TEST_BR 83, bgeu, 1, 0x80000000, 0x7fffffff
    TEST_BR 84, bgeu, 1, 0xffffffff80000000, 0x80000000
    TEST_BR 85, bgeu, 1, 0x100000000, 0xffffffff

    # Same register on both sides, and x0 as an operand
    li x11, -5
    li x14, 0
    beq x11, x11, 1f
    li x14, 1
1:  TEST_EQ 86, x14, 0
    blt x11, x11, fail
    bltu x11, x11, fail
    bne x11, x11, fail
    li gp, 87
    bge x11, x11, 1f
    j fail
1:  li gp, 88
    bltu x0, x11, 1f
    j fail
1:  li gp, 89
    blt x11, x0, 1f
    j fail
1:  li gp, 90
    bgeu x0, x11, fail
    bne x0, x0, fail

    # A backward branch closes a loop: ten iterations
    li x14, 0
    li x11, 10
1:  addi x14, x14, 1
    addi x11, x11, -1
    bnez x11, 1b
    TEST_EQ 91, x14, 10

    # Branch offsets near the ends of the +-4 KiB range, forward and backward
    li gp, 92
    li x11, 1
    bnez x11, .Lfar_forward
    j fail
.Lfar_back:
    li gp, 93
    j .Lfar_done
    .skip 4000
.Lfar_forward:
    li gp, 94
    li x12, 2
    bgeu x12, x11, .Lfar_back
    j fail
.Lfar_done:

.option push
.option norvc                          # JAL and JALR in their 32-bit forms
    # JAL writes pc + 4 to rd
    li gp, 95
1:  jal x1, 2f
    j fail
2:  la x14, 1b + 4
    bne x1, x14, fail
    li gp, 96
    jal x0, 1f                         # x0 as link register: plain jump
    j fail
1:  bnez x0, fail
    # JAL across more than 1 MiB would need a bigger image; jump over 64 KiB forward and back
    li gp, 97
    jal x13, .Ljal_far
.Ljal_back:
    li gp, 98
    la x14, .Ljal_back
    bne x13, x14, fail
    j .Ljal_done
.Ljal_far_pad:
    .skip 65536
.Ljal_far:
    li gp, 99
    jal x0, .Ljal_back
.Ljal_done:

    # JALR: target = (rs1 + imm) & ~1, link = pc + 4
    li gp, 100
    la x11, .Ljalr_t1
1:  jalr x1, 0(x11)
    j fail
.Ljalr_t1:
    la x14, 1b + 4
    bne x1, x14, fail
    li gp, 101
    la x11, .Ljalr_t2 + 1              # bit 0 of the sum is cleared
    jalr x1, 0(x11)
    j fail
.Ljalr_t2:
    li gp, 102
    la x11, .Ljalr_t3 - 1
    jalr x1, 1(x11)                    # an odd rs1 plus an odd immediate
    j fail
.Ljalr_t3:
    li gp, 103
    la x11, .Ljalr_t4 + 2048
    jalr x1, -2048(x11)
    j fail
.Ljalr_t4:
    li gp, 104
    la x11, .Ljalr_t5 - 2046           # rs1 + 2047 = target + 1: bit 0 cleared
    jalr x1, 2047(x11)
    j fail
.Ljalr_t5:
    li gp, 105
    la x11, .Ljalr_t6
1:  jalr x11, 0(x11)                   # rd = rs1: the target uses the old value
    j fail
.Ljalr_t6:
    la x14, 1b + 4
    bne x11, x14, fail
    li gp, 106
    la x11, .Ljalr_t7
    jalr x0, 0(x11)                    # no link
    j fail
.Ljalr_t7:
    bnez x0, fail
    # A call and return pair through x1
    li gp, 107
    li x14, 0
    jal x1, .Lsubroutine
    TEST_EQ 108, x14, 42
.option pop
    j pass

.Lsubroutine:
    li x14, 42
    ret
"#
);
