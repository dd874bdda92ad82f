//! rv64i_fence: do FENCE (all predecessor/successor sets, FENCE.TSO, PAUSE) execute as no-ops, and does
//! FENCE.I make stores to instruction memory visible to later instruction fetches — for a routine that
//! has already run (and may be cached or predecoded), for the very next instruction of the running
//! straight-line code, and when a 32-bit instruction is replaced by two compressed ones?
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ INSN_ADDI_A0_ZERO,  0x00000513    # addi a0, x0, 0: add (imm << 20) for another immediate
.equ INSN_C_LI_A0,       0x4501        # c.li a0, 0: add (imm & 0x1f) << 2 for 0 <= imm < 32
.equ INSN_C_NOP,         0x0001
.equ INSN_PAUSE,         0x0100000f    # fence w, 0 (Zihintpause PAUSE, a FENCE hint)

test_main:
    # FENCE variants are ordinary instructions here
    li gp, 2
    fence
    fence rw, rw
    fence r, r
    fence w, w
    fence iorw, iorw
    fence i, o
    fence.tso
    .4byte INSN_PAUSE
    fence.i
    li x14, 5
    TEST_EQ 3, x14, 5

    # A routine in RAM returns 1; run it, patch it to return 42, FENCE.I, run it again
    la s0, patch_routine
    jalr ra, 0(s0)
    TEST_EQ 4, a0, 1
    li t0, INSN_ADDI_A0_ZERO + (42 << 20)
    sw t0, 0(s0)
    fence.i
    jalr ra, 0(s0)
    TEST_EQ 5, a0, 42
    li t0, INSN_ADDI_A0_ZERO + (-7 << 20)
    sw t0, 0(s0)
    fence.i
    jalr ra, 0(s0)
    TEST_EQ 6, a0, -7

    # Replace the 32-bit instruction by two compressed ones: c.li a0, 9; c.nop
    li t0, INSN_C_LI_A0 + (9 << 2)
    sh t0, 0(s0)
    li t0, INSN_C_NOP
    sh t0, 2(s0)
    fence.i
    jalr ra, 0(s0)
    TEST_EQ 7, a0, 9

    # Patch the next instruction of straight-line code, twice, in a loop: each pass must see its own
    # patch, not the instruction of the pass before
    li s1, 0                           # pass number
.Lpatch_loop:
    la s2, .Lpatched
    addi t1, s1, 100                   # pass 0 writes addi a0, x0, 100; pass 1 writes 101
    slli t1, t1, 20
    li t0, INSN_ADDI_A0_ZERO
    or t0, t0, t1
    sw t0, 0(s2)
    fence.i
.option push
.option norvc
.Lpatched:
    addi a0, x0, 1                     # replaced before it runs
.option pop
    addi t1, s1, 100
    li gp, 8
    bne a0, t1, fail
    addi s1, s1, 1
    li t0, 2
    blt s1, t0, .Lpatch_loop
    TEST_EQ 9, s1, 2

    j pass

.data
.balign 4
.option push
.option norvc
patch_routine:
    addi a0, x0, 1
    ret
.option pop
"#
);
