//! rv64a_lrsc: do LR.W/LR.D and SC.W/SC.D succeed as a pair (SC writes 0 to rd and stores; LR.W
//! sign-extends), and does SC fail — writing 1, storing nothing — without a reservation, at another
//! address, a second time after a successful SC, after a trap and xRET in between, and after this hart
//! stored a different value to the reserved address? Does a misaligned LR raise load address misaligned
//! (cause 4) with mtval = the address, and does a misaligned AMO trap with mtval = the address and leave
//! memory alone?
//!
//! QEMU 7.2 specifics encoded here: the SC failure code is 1; an SC must name the LR's exact address (not
//! just its reservation set); a trap and MRET between LR and SC, or the hart's own store of a different
//! value to the reserved address, lose the reservation. Left to `klab_amo_spec` (QEMU 7.2 differs from the spec there): the cause of a
//! misaligned AMO (QEMU: 4, spec: 6) and a misaligned SC (QEMU: no trap, spec: cause 6).
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ SC_FAILURE, 1                     # rd of a failed SC (the spec's "unspecified failure" code)

test_main:
    la s0, lrsc_buf
    li t0, 0x1111111180000001
    sd t0, 0(s0)
    li t0, 0x2222222222222222
    sd t0, 8(s0)

    # LR.W / SC.W succeed: LR.W sign-extends, SC.W writes 0 and stores 32 bits only
    lr.w a0, (s0)
    TEST_EQ 2, a0, 0xffffffff80000001
    li a1, 0x7ffffffe
    sc.w a2, a1, (s0)
    TEST_EQ 3, a2, 0
    ld a3, 0(s0)
    TEST_EQ 4, a3, 0x111111117ffffffe

    # LR.D / SC.D succeed
    addi s1, s0, 8
    lr.d a0, (s1)
    TEST_EQ 5, a0, 0x2222222222222222
    li a1, 0x0123456789abcdef
    sc.d a2, a1, (s1)
    TEST_EQ 6, a2, 0
    ld a3, 8(s0)
    TEST_EQ 7, a3, 0x0123456789abcdef

    # A second SC after a successful one fails: the first SC consumed the reservation
    li a1, 0x55
    sc.d a2, a1, (s1)
    TEST_EQ 8, a2, SC_FAILURE
    ld a3, 8(s0)
    TEST_EQ 9, a3, 0x0123456789abcdef

    # SC without any LR before it fails
    sc.w a2, a1, (s0)
    TEST_EQ 10, a2, SC_FAILURE
    ld a3, 0(s0)
    TEST_EQ 11, a3, 0x111111117ffffffe

    # SC to another address than the reserved one fails and stores nothing; it also ends the
    # reservation, so an SC to the reserved address right after fails too
    lr.d a0, (s0)
    sc.d a2, a1, (s1)
    TEST_EQ 12, a2, SC_FAILURE
    ld a3, 8(s0)
    TEST_EQ 13, a3, 0x0123456789abcdef
    sc.d a2, a1, (s0)
    TEST_EQ 14, a2, SC_FAILURE
    ld a3, 0(s0)
    TEST_EQ 15, a3, 0x111111117ffffffe
    # The same with word operands four bytes apart
    lr.w a0, (s0)
    addi s2, s0, 4
    sc.w a2, a1, (s2)
    TEST_EQ 16, a2, SC_FAILURE
    ld a3, 0(s0)
    TEST_EQ 17, a3, 0x111111117ffffffe

    # A trap (illegal instruction) and MRET between LR and SC: the SC fails
    lr.d a0, (s0)
    TEST_TRAP 18, CAUSE_ILLEGAL_INSTRUCTION, csrw mhartid, zero
    sc.d a2, a1, (s0)
    TEST_EQ 19, a2, SC_FAILURE
    # ... and the same with an ECALL
    lr.w a0, (s0)
    TEST_TRAP 20, CAUSE_MACHINE_ECALL, ecall
    sc.w a2, a1, (s0)
    TEST_EQ 21, a2, SC_FAILURE
    ld a3, 0(s0)
    TEST_EQ 22, a3, 0x111111117ffffffe

    # This hart stores a different value to the reserved doubleword: the SC fails
    lr.d a0, (s0)
    li t0, 0x3333333333333333
    sd t0, 0(s0)
    sc.d a2, a1, (s0)
    TEST_EQ 23, a2, SC_FAILURE
    ld a3, 0(s0)
    TEST_EQ 24, a3, 0x3333333333333333

    # A constrained LR/SC loop (atomic increment) completes
    li s3, 0
    li s4, 100                        # bound on retries
1:  lr.d a0, (s0)
    addi a0, a0, 1
    sc.d a2, a0, (s0)
    addi s3, s3, 1
    beqz a2, 2f
    blt s3, s4, 1b
2:  TEST_EQ 25, a2, 0
    ld a3, 0(s0)
    TEST_EQ 26, a3, 0x3333333333333334

    # LR with rd = x0 still takes the reservation
    lr.w x0, (s0)
    li a1, 9
    sc.w a2, a1, (s0)
    TEST_EQ 27, a2, 0
    lw a3, 0(s0)
    TEST_EQ 28, a3, 9

    # Misaligned LR.W / LR.D: load address misaligned, mtval = the address, rd unchanged
    li a0, 0x77
    addi s5, s0, 2
    TEST_TRAP 29, CAUSE_MISALIGNED_LOAD, lr.w a0, (s5)
    TEST_REGS_EQ 30, t6, s5
    TEST_EQ 31, a0, 0x77
    addi s5, s0, 4
    TEST_TRAP 32, CAUSE_MISALIGNED_LOAD, lr.d a0, (s5)
    TEST_REGS_EQ 33, t6, s5
    addi s5, s0, 1
    TEST_TRAP 34, CAUSE_MISALIGNED_LOAD, lr.d a0, (s5)
    TEST_REGS_EQ 35, t6, s5
    TEST_EQ 36, a0, 0x77

    # Misaligned AMOs trap (cause: see klab_amo_spec), mtval = the address; memory and rd unchanged
    li t0, 0x0102030405060708
    sd t0, 0(s0)
    sd t0, 8(s0)
    li a1, 0x1000
    addi s5, s0, 2
    li gp, 37
    la tp, 1f
    amoadd.w a0, a1, (s5)
1:  call check_misaligned_amo
    addi s5, s0, 4
    li gp, 38
    la tp, 1f
    amoswap.d a0, a1, (s5)
1:  call check_misaligned_amo
    addi s5, s0, 6
    li gp, 39
    la tp, 1f
    amomaxu.d a0, a1, (s5)
1:  call check_misaligned_amo
    addi s5, s0, 7
    li gp, 40
    la tp, 1f
    amoor.w a0, a1, (s5)
1:  call check_misaligned_amo

    j pass

# After a misaligned AMO at s5 that set rd a0 (= 0x77 before): a trap was taken with cause 4 or 6,
# mtval = s5, a0 is unchanged, and both test doublewords still hold their pattern. Keeps gp.
check_misaligned_amo:
    bnez tp, fail                     # no trap
    li t0, CAUSE_MISALIGNED_LOAD
    beq t5, t0, 1f
    li t0, CAUSE_MISALIGNED_STORE
    bne t5, t0, fail
1:  bne t6, s5, fail
    li t0, 0x77
    bne a0, t0, fail
    li t0, 0x0102030405060708
    ld t1, 0(s0)
    bne t1, t0, fail
    ld t1, 8(s0)
    bne t1, t0, fail
    ret

.data
.balign 16
lrsc_buf:
    .zero 16
"#
);
