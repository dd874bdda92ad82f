//! counters: are the Zicntr counters readable with rdcycle/rdtime/rdinstret in M-mode, do cycle and
//! instret advance, do writes to mcycle/minstret show up in
//! cycle/instret, does time follow the CLINT's mtime, and are cycle, time, instret and hpmcounter3
//! readable from S-mode only when the mcounteren bit is set and from U-mode only when both the mcounteren
//! and scounteren bits are set (illegal instruction otherwise)? QEMU 7.2's cycle and instret count host
//! ticks, not instructions, so only "advances" is checked, never exact counts; its mcountinhibit makes
//! them jump backwards, so inhibiting is left to `klab_priv_spec`.
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ COUNTEREN_HPM3,        1 << 3
.equ COUNTEREN_ALL,         MCOUNTEREN_CY | MCOUNTEREN_TM | MCOUNTEREN_IR | COUNTEREN_HPM3
.equ SPIN_COUNT,            200
.equ TIME_POLLS,            10000000   # reads of time before giving up on it advancing

# Spin SPIN_COUNT times (clobbers t0).
.macro SPIN
    li t0, SPIN_COUNT
99: addi t0, t0, -1
    bnez t0, 99b
.endm

# Check `num`: each of the four counters is readable.
.macro TEST_COUNTERS_READABLE num
    TEST_NO_TRAP \num, rdcycle a0
    rdtime a0
    rdinstret a0
    csrr a0, hpmcounter3
.endm

# Checks `num`..`num + 3`: each of the four counters traps as illegal, taken from `mode`.
.macro TEST_COUNTERS_ILLEGAL num, mode
    TEST_TRAP \num, CAUSE_ILLEGAL_INSTRUCTION, rdcycle a0
    TEST_TRAP (\num + 1), CAUSE_ILLEGAL_INSTRUCTION, rdtime a0
    TEST_TRAP (\num + 2), CAUSE_ILLEGAL_INSTRUCTION, rdinstret a0
    TEST_TRAP (\num + 3), CAUSE_ILLEGAL_INSTRUCTION, csrr a0, hpmcounter3
    TEST_FROM_MODE (\num + 3), \mode
.endm

test_main:
    csrw mcountinhibit, zero
    # --- M-mode: the counters advance -------------------------------------------------------------
    rdinstret s0
    rdcycle s1
    SPIN
    rdinstret s2
    rdcycle s3
    li gp, 2
    bleu s2, s0, fail
    li gp, 3
    bleu s3, s1, fail
    # time follows mtime: time <= mtime <= time read later
    rdtime s0
    li t1, CLINT_BASE + CLINT_MTIME
    ld s1, 0(t1)
    rdtime s2
    li gp, 4
    bltu s1, s0, fail
    bltu s2, s1, fail
    # time advances (10 MHz on QEMU): wait, bounded, until it does
    rdtime s0
    li s3, TIME_POLLS
1:  rdtime s1
    bne s1, s0, 2f
    addi s3, s3, -1
    bnez s3, 1b
2:  li gp, 5
    bleu s1, s0, fail

    # --- Writing minstret / mcycle ----------------------------------------------------------------
    li s4, 0x100000000                  # far from any value counted since reset
    csrw minstret, s4
    rdinstret a0
    li gp, 6
    bltu a0, s4, fail
    csrw mcycle, s4
    rdcycle a0
    li gp, 7
    bltu a0, s4, fail
    csrr a0, minstret                   # the M-mode names read the same counters
    li gp, 8
    bltu a0, s4, fail

    # --- S-mode: gated by mcounteren --------------------------------------------------------------
    PMP_OPEN_ALL
    csrw scounteren, zero
    csrw mcounteren, zero
    ENTER_S
    TEST_COUNTERS_ILLEGAL 9, PRV_S
    ENTER_M
    li t0, COUNTEREN_ALL
    csrw mcounteren, t0
    ENTER_S
    TEST_COUNTERS_READABLE 13
    rdinstret s0                        # instret advances while in S-mode too
    SPIN
    rdinstret s1
    li gp, 14
    bleu s1, s0, fail
    ENTER_M
    # one bit at a time: only TM set
    li t0, MCOUNTEREN_TM
    csrw mcounteren, t0
    ENTER_S
    TEST_NO_TRAP 15, rdtime a0
    TEST_TRAP 16, CAUSE_ILLEGAL_INSTRUCTION, rdcycle a0
    TEST_TRAP 17, CAUSE_ILLEGAL_INSTRUCTION, rdinstret a0
    ENTER_M

    # --- U-mode: gated by mcounteren and scounteren -----------------------------------------------
    li t0, COUNTEREN_ALL
    csrw mcounteren, t0
    csrw scounteren, zero
    ENTER_U
    TEST_COUNTERS_ILLEGAL 18, PRV_U
    ENTER_M
    csrw mcounteren, zero
    li t0, COUNTEREN_ALL
    csrw scounteren, t0
    ENTER_U
    TEST_COUNTERS_ILLEGAL 22, PRV_U
    ENTER_M
    li t0, COUNTEREN_ALL
    csrw mcounteren, t0
    ENTER_U
    TEST_COUNTERS_READABLE 26
    rdcycle s0
    SPIN
    rdcycle s1
    li gp, 27
    bleu s1, s0, fail
    # The counters stay read-only from U-mode
    TEST_TRAP 28, CAUSE_ILLEGAL_INSTRUCTION, csrw cycle, zero
    # and the M-mode names are not accessible
    TEST_TRAP 29, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, mcycle
    TEST_TRAP 30, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, minstret
    ENTER_M
    # only IR set in scounteren
    li t0, MCOUNTEREN_IR
    csrw scounteren, t0
    ENTER_U
    TEST_NO_TRAP 31, rdinstret a0
    TEST_TRAP 32, CAUSE_ILLEGAL_INSTRUCTION, rdtime a0
    ENTER_M
    j pass
"#
);
