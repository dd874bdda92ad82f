//! access_fault: do loads, stores, LR and instruction fetches at physical addresses where nothing is —
//! just past the end of RAM (128 MiB), and in the hole between the test finisher's neighbours and the
//! CLINT — raise load/store/instruction access faults (causes 5, 7, 1) with mtval = the address (for a
//! fetch, mepc = the address too), leave rd alone, and can the same happen from S-mode and be delegated?
//! An AMO there traps as well (QEMU 7.2: cause 5; the spec's cause 7 is checked in `klab_amo_spec`).
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ RAM_END,       RAM_BASE + 0x8000000   # -m 128M
.equ UNMAPPED_HOLE, 0x00200000             # between the RTC (0x101000) and the CLINT (0x2000000)

test_main:
    li s1, RAM_END
    li a0, 0x5a
    TEST_TRAP 2, CAUSE_LOAD_ACCESS, lw a0, 0(s1)
    TEST_REGS_EQ 3, t6, s1
    TEST_EQ 4, a0, 0x5a
    TEST_TRAP 5, CAUSE_STORE_ACCESS, sd a0, 0(s1)
    TEST_REGS_EQ 6, t6, s1
    TEST_TRAP 7, CAUSE_LOAD_ACCESS, lbu a0, 8(s1)
    addi s2, s1, 8
    TEST_REGS_EQ 8, t6, s2
    TEST_TRAP 9, CAUSE_LOAD_ACCESS, lr.d a0, (s1)
    TEST_REGS_EQ 10, t6, s1
    TEST_EQ 11, a0, 0x5a
    # An AMO: some access fault, mtval = the address, rd unchanged
    li gp, 12
    la tp, 1f
    amoadd.w a0, a0, (s1)
1:  bnez tp, fail
    li t0, CAUSE_LOAD_ACCESS
    beq t5, t0, 2f
    li t0, CAUSE_STORE_ACCESS
    bne t5, t0, fail
2:  TEST_REGS_EQ 13, t6, s1
    TEST_EQ 14, a0, 0x5a
    # Fetch: the jump itself succeeds, the fetch at the target faults with mepc = mtval = target
    li gp, 15
    la tp, 1f
    li ra, 0
    jalr ra, 0(s1)
1:  bnez tp, fail
    TEST_EQ 16, t5, CAUSE_FETCH_ACCESS
    TEST_REGS_EQ 17, t4, s1
    TEST_REGS_EQ 18, t6, s1
    li gp, 19
    beqz ra, fail                      # the JALR completed and linked

    li s1, UNMAPPED_HOLE
    TEST_TRAP 20, CAUSE_LOAD_ACCESS, ld a0, 0(s1)
    TEST_REGS_EQ 21, t6, s1
    TEST_TRAP 22, CAUSE_STORE_ACCESS, sw a0, 4(s1)
    addi s2, s1, 4
    TEST_REGS_EQ 23, t6, s2
    li gp, 24
    la tp, 1f
    jalr ra, 0(s1)
1:  bnez tp, fail
    TEST_EQ 25, t5, CAUSE_FETCH_ACCESS
    TEST_REGS_EQ 26, t6, s1

    # From S-mode (PMP open), delegated to S-mode
    PMP_OPEN_ALL
    li t0, (1 << CAUSE_LOAD_ACCESS) | (1 << CAUSE_STORE_ACCESS) | (1 << CAUSE_FETCH_ACCESS)
    csrw medeleg, t0
    ENTER_S
    li s1, RAM_END
    TEST_TRAP 27, CAUSE_LOAD_ACCESS, lh a0, 2(s1)
    addi s2, s1, 2
    TEST_REGS_EQ 28, t6, s2
    TEST_FROM_MODE 29, PRV_S
    csrr a1, scause
    TEST_EQ 30, a1, CAUSE_LOAD_ACCESS
    TEST_TRAP 31, CAUSE_STORE_ACCESS, sb a0, 0(s1)
    li gp, 32
    la tp, 1f
    jalr ra, 0(s1)
1:  bnez tp, fail
    TEST_EQ 33, t5, CAUSE_FETCH_ACCESS
    TEST_REGS_EQ 34, t6, s1
    ENTER_M
    csrw medeleg, zero
    j pass
"#
);
