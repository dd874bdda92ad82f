//! smc_shared_page: when code and data share a page, do stores to the data leave the code running
//! as it was, and does a store into the code still take effect at its next execution? A routine
//! and a data buffer sit in one 4 KiB page: the routine is called between many data stores (it
//! must return the same value, and the data must read back); then one of its instructions is
//! patched (after data stores to the same page) and the next call must see the patch, for the
//! first and for a later instruction of the routine. Last, a loop in that page stores to the
//! buffer and patches an instruction further on in its own straight-line code on each pass: each
//! pass must see its own patch.
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ INSN_ADDI_A0_ZERO,  0x00000513    # addi a0, x0, 0: add (imm << 20) for another immediate
.equ INSN_ADDI_A0_A0,    0x00050513    # addi a0, a0, 0: add (imm << 20) for another immediate

test_main:
    la s0, shared_routine
    la s1, shared_data

    # The routine returns 1 + 0
    jalr ra, 0(s0)
    TEST_EQ 2, a0, 1

    # 100 data stores into the routine's page, a call after each: still 1, and the data reads back
    li s2, 0
1:  andi t0, s2, 31
    slli t0, t0, 3
    add t0, t0, s1
    sd s2, 0(t0)
    jalr ra, 0(s0)
    li gp, 3
    li t1, 1
    bne a0, t1, fail
    andi t0, s2, 31
    slli t0, t0, 3
    add t0, t0, s1
    ld t1, 0(t0)
    li gp, 4
    bne t1, s2, fail
    addi s2, s2, 1
    li t0, 100
    blt s2, t0, 1b

    # Data store, patch the first instruction (return 42 + 0), data store, FENCE.I, call
    sd zero, 0(s1)
    li t0, INSN_ADDI_A0_ZERO + (42 << 20)
    sw t0, 0(s0)
    sd s2, 8(s1)
    fence.i
    jalr ra, 0(s0)
    TEST_EQ 5, a0, 42

    # Patch the second instruction (42 + 7) between data stores
    sd zero, 16(s1)
    li t0, INSN_ADDI_A0_A0 + (7 << 20)
    sw t0, 4(s0)
    sd zero, 24(s1)
    fence.i
    jalr ra, 0(s0)
    TEST_EQ 6, a0, 49
    ld t0, 8(s1)
    TEST_EQ 7, t0, 100

    # The loop in the shared page: each pass must see its own patch
    la s3, shared_loop
    jalr ra, 0(s3)
    TEST_EQ 8, a0, 3

    j pass

.data
.balign 4096
.option push
.option norvc
shared_routine:
    addi a0, x0, 1
    addi a0, a0, 0
    ret

# shared_loop: three passes; pass p stores to the buffer, patches .Lshared_patched to
# `addi a0, x0, 100 + p`, runs it and checks it; returns the number of passes.
shared_loop:
    li t2, 0
    la t3, .Lshared_patched
    la t4, shared_data
2:  sd t2, 32(t4)
    addi t1, t2, 100
    slli t1, t1, 20
    li t0, INSN_ADDI_A0_ZERO
    or t0, t0, t1
    sw t0, 0(t3)
    sd t2, 40(t4)
    fence.i
.Lshared_patched:
    addi a0, x0, 1                     # replaced before it runs
    addi t1, t2, 100
    li gp, 9
    bne a0, t1, fail
    addi t2, t2, 1
    li t0, 3
    blt t2, t0, 2b
    mv a0, t2
    ret
.option pop

.balign 64
shared_data:
    .zero 256
"#
);
