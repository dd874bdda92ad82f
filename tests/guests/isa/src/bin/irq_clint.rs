//! irq_clint: does the CLINT's msip raise mip.MSIP and a machine software interrupt (cause 3) that ends
//! when msip is cleared; does mip.MTIP follow mtime >= mtimecmp (clear once mtimecmp is in the future,
//! set once mtime reaches it) and raise a machine timer interrupt (cause 7) no earlier than mtimecmp,
//! waiting with WFI; are MSIP and MTIP read-only in mip; is an interrupt taken with mepc = the
//! interrupted instruction, MPIE = 1, MIE = 0, MPP = M; and does WFI return for a pending, enabled
//! interrupt even with MIE = 0 (without taking it)? mtime runs in real time on QEMU: every wait is
//! bounded by reading mtime, never by an assumed latency.
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ TIMER_DELTA,    20000             # mtime ticks until the timer fires (2 ms at 10 MHz)
.equ TIMER_TIMEOUT,  50000000          # give up after 5 s of mtime

# a0 = mtime. Clobbers t0.
.macro READ_MTIME
    li t0, CLINT_BASE + CLINT_MTIME
    ld a0, 0(t0)
.endm

# mtimecmp = reg. Clobbers t0.
.macro SET_MTIMECMP reg
    li t0, CLINT_BASE + CLINT_MTIMECMP
    sd \reg, 0(t0)
.endm

test_main:
    csrw mie, zero
    li s11, -1
    SET_MTIMECMP s11                   # no timer interrupt pending
    li s10, CLINT_BASE + CLINT_MSIP

    # --- msip -> mip.MSIP ----------------------------------------------------------------------------
    csrr a0, mip
    andi a0, a0, MIP_MSIP | MIP_MTIP
    TEST_EQ 2, a0, 0
    li t0, 1
    sw t0, 0(s10)
    lw a0, 0(s10)
    TEST_EQ 3, a0, 1
    csrr a0, mip
    andi a0, a0, MIP_MSIP
    TEST_EQ 4, a0, MIP_MSIP
    csrci mip, MIP_MSIP                # read-only in mip: no effect
    csrr a0, mip
    andi a0, a0, MIP_MSIP
    TEST_EQ 5, a0, MIP_MSIP
    sw zero, 0(s10)
    lw a0, 0(s10)
    TEST_EQ 6, a0, 0
    csrr a0, mip
    andi a0, a0, MIP_MSIP
    TEST_EQ 7, a0, 0
    csrsi mip, MIP_MSIP                # read-only in mip: cannot be set either
    csrr a0, mip
    andi a0, a0, MIP_MSIP
    TEST_EQ 8, a0, 0

    # --- Machine software interrupt -------------------------------------------------------------------
    la t0, trap_vector_snap            # t3 = mstatus at entry
    csrw mtvec, t0
    li t0, MIP_MSIP
    csrw mie, t0
    li t0, 1
    sw t0, 0(s10)
    li gp, 9
    la tp, 1f
    csrsi mstatus, MSTATUS_MIE         # taken right after this instruction
.Lmsi_epc:
    j fail
1:  TEST_EQ 10, t5, CAUSE_INTERRUPT | IRQ_M_SOFT
    la t0, .Lmsi_epc
    TEST_REGS_EQ 11, t4, t0            # mepc = the next instruction, not yet executed
    TEST_EQ 12, t6, 0                  # mtval = 0 for interrupts
    li t0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
    and t3, t3, t0
    TEST_EQ 13, t3, MSTATUS_MPIE | MSTATUS_MPP_M
    sw zero, 0(s10)
    la t0, trap_vector
    csrw mtvec, t0
    # MIE = 0: pending and enabled but not taken; WFI still returns
    csrr a0, mie
    TEST_EQ 14, a0, 0                  # the handler disabled MSIP in mie
    li t0, MIP_MSIP
    csrw mie, t0
    li t0, 1
    sw t0, 0(s10)
    TEST_NO_TRAP 15, wfi
    csrr a0, mip
    andi a0, a0, MIP_MSIP
    TEST_EQ 16, a0, MIP_MSIP
    sw zero, 0(s10)
    csrw mie, zero

    # --- mtimecmp and mip.MTIP -----------------------------------------------------------------------
    SET_MTIMECMP zero                  # in the past: pending at once
    csrr a0, mip
    andi a0, a0, MIP_MTIP
    TEST_EQ 17, a0, MIP_MTIP
    csrci mip, 0                       # reads only
    li t0, MIP_MTIP
    csrc mip, t0                       # read-only in mip
    csrr a0, mip
    andi a0, a0, MIP_MTIP
    TEST_EQ 18, a0, MIP_MTIP
    SET_MTIMECMP s11                   # far future: clear
    csrr a0, mip
    andi a0, a0, MIP_MTIP
    TEST_EQ 19, a0, 0
    li t0, CLINT_BASE + CLINT_MTIMECMP
    ld a0, 0(t0)
    TEST_EQ 20, a0, -1                 # mtimecmp reads back
    li t0, MIP_MTIP
    csrs mip, t0                       # cannot be set by software
    csrr a0, mip
    andi a0, a0, MIP_MTIP
    TEST_EQ 21, a0, 0

    # --- Machine timer interrupt, waited for with WFI ---------------------------------------------------
    READ_MTIME
    li t1, TIMER_DELTA
    add s0, a0, t1                     # s0 = deadline
    SET_MTIMECMP s0
    csrr a0, mip
    andi a0, a0, MIP_MTIP
    TEST_EQ 22, a0, 0                  # not yet
    li t1, TIMER_TIMEOUT
    add s1, s0, t1                     # s1 = give up
    li t0, MIP_MTIP
    csrw mie, t0
    li gp, 23
    la tp, 2f
    csrsi mstatus, MSTATUS_MIE
1:  wfi
    READ_MTIME
    bltu a0, s1, 1b
    j fail                             # timed out
2:  TEST_EQ 24, t5, CAUSE_INTERRUPT | IRQ_M_TIMER
    READ_MTIME
    li gp, 25
    bltu a0, s0, fail                  # not before mtimecmp
    csrr a0, mip
    andi a0, a0, MIP_MTIP
    TEST_EQ 26, a0, MIP_MTIP           # still pending: the handler only disabled it in mie
    csrr a0, mie
    TEST_EQ 27, a0, 0
    SET_MTIMECMP s11
    csrr a0, mip
    andi a0, a0, MIP_MTIP
    TEST_EQ 28, a0, 0

    # --- The timer interrupt reaches M-mode from U-mode while MIE = 0 --------------------------------
    PMP_OPEN_ALL
    READ_MTIME
    li t1, TIMER_DELTA
    add s0, a0, t1
    SET_MTIMECMP s0
    li t1, TIMER_TIMEOUT
    add s1, s0, t1
    li t0, MIP_MTIP
    csrw mie, t0
    li t0, MSTATUS_MPIE
    csrc mstatus, t0                   # MIE = 0 after the MRET into U-mode
    ENTER_U
    li gp, 29
    la tp, 2f
1:  READ_MTIME                         # U-mode cannot WFI: spin on mtime instead
    bltu a0, s1, 1b
    j fail
2:  TEST_EQ 30, t5, CAUSE_INTERRUPT | IRQ_M_TIMER
    TEST_FROM_MODE 31, PRV_U
    ENTER_M
    SET_MTIMECMP s11
    csrw mie, zero
    j pass
"#
);
