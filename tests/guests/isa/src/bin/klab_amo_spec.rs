//! klab_amo_spec (klab only): do AMOs and SC report store/AMO causes as the A extension and the
//! privileged spec require — a misaligned AMO.W/AMO.D or SC.W/SC.D raises store/AMO address misaligned
//! (cause 6, mtval = the address; SC even without a reservation), an AMO to a physical address where
//! nothing is or one that PMP denies raises store/AMO access fault (cause 7) — while a misaligned LR
//! stays a load address misaligned (cause 4)? QEMU 7.2 deviates: its single-hart AMOs are a load then a
//! store, so they report causes 4 and 5, and an SC without a matching reservation fails without any
//! alignment check.
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ EXPECT_AMO_MISALIGNED, CAUSE_MISALIGNED_STORE     # QEMU 7.2: CAUSE_MISALIGNED_LOAD
.equ EXPECT_AMO_ACCESS,     CAUSE_STORE_ACCESS         # QEMU 7.2: CAUSE_LOAD_ACCESS
.equ RAM_END,               RAM_BASE + 0x8000000

# Check `num`..`num + 2`: `insn` traps with `cause`, mtval = register `reg`, and a0 (= 0x77) unchanged.
.macro TEST_AMO_TRAP num, cause, reg, insn:vararg
    li a0, 0x77
    TEST_TRAP \num, \cause, \insn
    TEST_REGS_EQ (\num + 1), t6, \reg
    TEST_EQ (\num + 2), a0, 0x77
.endm

test_main:
    la s0, amo_buf
    li t0, 0x0102030405060708
    sd t0, 0(s0)
    sd t0, 8(s0)
    li a1, 1

    # --- Misaligned AMOs ----------------------------------------------------------------------------------
    addi s1, s0, 2
    TEST_AMO_TRAP 2, EXPECT_AMO_MISALIGNED, s1, amoadd.w a0, a1, (s1)
    addi s1, s0, 1
    TEST_AMO_TRAP 5, EXPECT_AMO_MISALIGNED, s1, amoswap.w a0, a1, (s1)
    addi s1, s0, 4
    TEST_AMO_TRAP 8, EXPECT_AMO_MISALIGNED, s1, amoor.d a0, a1, (s1)
    addi s1, s0, 7
    TEST_AMO_TRAP 11, EXPECT_AMO_MISALIGNED, s1, amomaxu.d a0, a1, (s1)

    # --- Misaligned SC, with and without a reservation elsewhere ------------------------------------------
    addi s1, s0, 2
    TEST_AMO_TRAP 14, CAUSE_MISALIGNED_STORE, s1, sc.w a0, a1, (s1)
    addi s1, s0, 4
    TEST_AMO_TRAP 17, CAUSE_MISALIGNED_STORE, s1, sc.d a0, a1, (s1)
    lr.d t0, (s0)
    addi s1, s0, 12
    TEST_AMO_TRAP 20, CAUSE_MISALIGNED_STORE, s1, sc.d a0, a1, (s1)

    # --- Misaligned LR: a load ------------------------------------------------------------------------------
    addi s1, s0, 6
    TEST_AMO_TRAP 23, CAUSE_MISALIGNED_LOAD, s1, lr.w a0, (s1)

    # memory untouched by all of the above
    li t0, 0x0102030405060708
    ld t1, 0(s0)
    TEST_REGS_EQ 26, t1, t0
    ld t1, 8(s0)
    TEST_REGS_EQ 27, t1, t0

    # --- AMO access faults ----------------------------------------------------------------------------------
    li s1, RAM_END
    TEST_AMO_TRAP 28, EXPECT_AMO_ACCESS, s1, amoadd.d a0, a1, (s1)
    TEST_AMO_TRAP 31, EXPECT_AMO_ACCESS, s1, amoswap.w a0, a1, (s1)
    # PMP: entry 0 denies amo_page to S-mode, entry 1 opens everything else
    la t0, amo_page
    srli t0, t0, 2
    ori t0, t0, (PAGE_SIZE >> 3) - 1
    csrw pmpaddr0, t0
    li t0, -1
    csrw pmpaddr1, t0
    li t0, ((PMP_RWX | PMP_A_NAPOT) << 8) | PMP_A_NAPOT
    csrw pmpcfg0, t0
    ENTER_S
    la s1, amo_page
    TEST_AMO_TRAP 34, EXPECT_AMO_ACCESS, s1, amoand.d a0, a1, (s1)
    ENTER_M
    csrw pmpcfg0, zero
    j pass

.data
.balign 16
amo_buf:
    .zero 16
.balign 4096
amo_page:
    .zero 4096
"#
);
