//! deleg: do the exceptions delegated in medeleg (ecall from U, illegal instruction, breakpoint) go to
//! the S-mode handler at stvec — with scause, sepc, stval, sstatus.SPP/SPIE/SIE set as for an M-mode
//! trap — when they happen in U-mode or S-mode, but still to M-mode when they happen in M-mode or are not
//! delegated; and in vectored mode, do mtvec and stvec send exceptions to the base and interrupt i to
//! base + 4 * i (MSI, MTI and SSI at M-level, SSI delegated to S-level)?
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ TVEC_MODE_VECTORED, 1
.equ DELEGATED, (1 << CAUSE_USER_ECALL) | (1 << CAUSE_ILLEGAL_INSTRUCTION) | (1 << CAUSE_BREAKPOINT)
.equ INSN_CSRR_A0_MSTATUS, 0x30002573

# Counting wrappers around the default handlers: s9 counts M-mode traps, s10 S-mode traps.
.macro RESET_COUNTS
    li s9, 0
    li s10, 0
.endm

# Check `num`: s9 == m and s10 == s.
.macro TEST_COUNTS num, m, s
    TEST_EQ \num, s9, \m
    li x7, \s
    bne s10, x7, fail
.endm

test_main:
    PMP_OPEN_ALL
    la t0, m_count_vector
    csrw mtvec, t0
    la t0, s_count_vector
    csrw stvec, t0
    li t0, DELEGATED
    csrw medeleg, t0

    # --- Delegated exceptions from U-mode and S-mode go to S-mode ---------------------------------
    ENTER_U
    RESET_COUNTS
    TEST_TRAP 2, CAUSE_USER_ECALL, ecall
    TEST_COUNTS 3, 0, 1
    TEST_FROM_MODE 4, PRV_U
    TEST_TVAL 5, 0
    RESET_COUNTS
    TEST_TRAP 6, CAUSE_BREAKPOINT, ebreak
    TEST_COUNTS 7, 0, 1
    ENTER_M
    ENTER_S
    RESET_COUNTS
.option push
.option norvc
    TEST_TRAP 8, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, mstatus
.option pop
    TEST_COUNTS 9, 0, 1
    TEST_FROM_MODE 10, PRV_S
    TEST_TVAL 11, INSN_CSRR_A0_MSTATUS
    # ecall from S-mode is not delegated
    RESET_COUNTS
    TEST_TRAP 12, CAUSE_SUPERVISOR_ECALL, ecall
    TEST_COUNTS 13, 1, 0
    ENTER_M
    # scause/sepc/stval hold the last delegated trap (the illegal instruction); mcause is ours
    csrr a0, scause
    TEST_EQ 14, a0, CAUSE_ILLEGAL_INSTRUCTION
    csrr a0, stval
    TEST_EQ 15, a0, INSN_CSRR_A0_MSTATUS

    # --- Traps in M-mode are never delegated ----------------------------------------------------------
    RESET_COUNTS
    TEST_TRAP 16, CAUSE_ILLEGAL_INSTRUCTION, csrw mhartid, zero
    TEST_TRAP 17, CAUSE_BREAKPOINT, ebreak
    TEST_COUNTS 18, 2, 0

    # --- Not delegated: to M-mode from U-mode ---------------------------------------------------------
    li t0, 1 << CAUSE_USER_ECALL
    csrc medeleg, t0
    ENTER_U
    RESET_COUNTS
    TEST_TRAP 19, CAUSE_USER_ECALL, ecall
    TEST_COUNTS 20, 1, 0
    RESET_COUNTS
    TEST_TRAP 21, CAUSE_BREAKPOINT, ebreak      # still delegated
    TEST_COUNTS 22, 0, 1
    ENTER_M
    li t0, 1 << CAUSE_USER_ECALL
    csrs medeleg, t0

    # --- sstatus on entry to S-mode: SPIE <- SIE, SIE <- 0, SPP <- previous mode --------------------
    la t0, strap_vector_snap
    csrw stvec, t0
    csrw mie, zero                     # SIE = 1 below enables nothing
    li t0, MSTATUS_SIE
    csrs mstatus, t0
    li t0, MSTATUS_SPIE
    csrc mstatus, t0
    ENTER_U
    TEST_TRAP 23, CAUSE_USER_ECALL, ecall
    li t0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
    and t3, t3, t0
    TEST_EQ 24, t3, MSTATUS_SPIE
    ENTER_M
    li t0, MSTATUS_SIE | MSTATUS_SPIE
    csrc mstatus, t0
    ENTER_S
    TEST_TRAP 25, CAUSE_BREAKPOINT, ebreak
    li t0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
    and t3, t3, t0
    TEST_EQ 26, t3, MSTATUS_SPP
    ENTER_M
    csrw medeleg, zero

    # --- Vectored mtvec ---------------------------------------------------------------------------------
    la t0, m_vector_table
    ori t0, t0, TVEC_MODE_VECTORED
    csrw mtvec, t0
    li s8, -1
    TEST_TRAP 27, CAUSE_MACHINE_ECALL, ecall
    TEST_EQ 28, s8, 0                  # exceptions use the base
    # SSI at M-level (not delegated): entry 1
    li s8, -1
    li gp, 29
    csrsi mip, MIP_SSIP
    li t0, MIP_SSIP
    csrw mie, t0
    la tp, 1f
    csrsi mstatus, MSTATUS_MIE
    j fail
1:  csrci mip, MIP_SSIP
    TEST_EQ 30, s8, IRQ_S_SOFT
    TEST_EQ 31, t5, CAUSE_INTERRUPT | IRQ_S_SOFT
    # MSI from the CLINT: entry 3
    li s8, -1
    li gp, 32
    li t1, CLINT_BASE + CLINT_MSIP
    li t0, 1
    sw t0, 0(t1)
    li t0, MIP_MSIP
    csrw mie, t0
    la tp, 1f
    csrsi mstatus, MSTATUS_MIE
    j fail
1:  li t1, CLINT_BASE + CLINT_MSIP
    sw zero, 0(t1)
    TEST_EQ 33, s8, IRQ_M_SOFT
    TEST_EQ 34, t5, CAUSE_INTERRUPT | IRQ_M_SOFT
    # MTI: mtimecmp = 0 is already reached: entry 7
    li s8, -1
    li gp, 35
    li t1, CLINT_BASE + CLINT_MTIMECMP
    sd zero, 0(t1)
    li t0, MIP_MTIP
    csrw mie, t0
    la tp, 1f
    csrsi mstatus, MSTATUS_MIE
    j fail
1:  li t1, CLINT_BASE + CLINT_MTIMECMP
    li t0, -1
    sd t0, 0(t1)
    TEST_EQ 36, s8, IRQ_M_TIMER
    TEST_EQ 37, t5, CAUSE_INTERRUPT | IRQ_M_TIMER
    la t0, trap_vector
    csrw mtvec, t0

    # --- Vectored stvec: delegated SSI taken in S-mode goes to entry 1, exceptions to the base -----
    la t0, s_vector_table
    ori t0, t0, TVEC_MODE_VECTORED
    csrw stvec, t0
    li t0, 1 << CAUSE_BREAKPOINT
    csrw medeleg, t0
    li t0, MIP_SSIP
    csrw mideleg, t0
    csrw mie, t0
    ENTER_S
    li s8, -1
    TEST_TRAP 38, CAUSE_BREAKPOINT, ebreak
    TEST_EQ 39, s8, 0
    li s8, -1
    li gp, 40
    csrsi sip, MIP_SSIP
    la tp, 1f
    csrsi sstatus, MSTATUS_SIE
    j fail
1:  csrci sip, MIP_SSIP
    TEST_EQ 41, s8, IRQ_S_SOFT
    TEST_EQ 42, t5, CAUSE_INTERRUPT | IRQ_S_SOFT
    ENTER_M
    csrw medeleg, zero
    csrw mideleg, zero
    csrw mie, zero
    la t0, strap_vector
    csrw stvec, t0
    j pass

.balign 4
m_count_vector:
    addi s9, s9, 1
    j trap_vector
.balign 4
s_count_vector:
    addi s10, s10, 1
    j strap_vector

# Vector tables: one 4-byte jump per cause; the stubs note the entry in s8.
.option push
.option norvc
.balign 256
m_vector_table:
.irp i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    j m_vector_stub_\i
.endr
.balign 256
s_vector_table:
.irp i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
    j s_vector_stub_\i
.endr
.option pop
.irp i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
m_vector_stub_\i:
    li s8, \i
    j trap_vector
s_vector_stub_\i:
    li s8, \i
    j strap_vector
.endr
"#
);
