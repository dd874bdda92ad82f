//! irq_priority: with all six standard interrupts pending and enabled at once, is each taken exactly
//! once, one per trap; with SEI, SSI and STI delegated, does S-mode take all three; is an interrupt for
//! M-mode taken before a delegated one even when its number ranks lower; and do the global enables follow
//! the privileged spec — M-mode interrupts need MIE in M-mode but are always enabled in S-mode, delegated
//! interrupts need SIE in S-mode and are never taken in M-mode?
//!
//! The order among interrupts for the same mode (spec: MEI, MSI, MTI, SEI, SSI, STI) is checked in
//! `klab_irq_priority`: QEMU 7.2 without AIA takes the lowest-numbered one first (SSI, MSI, STI, MTI,
//! SEI, MEI).
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ ALL_SIX, MIP_MEIP | MIP_MSIP | MIP_MTIP | MIP_SEIP | MIP_SSIP | MIP_STIP

# Take the next pending interrupt in M-mode: s10 |= 1 << its code.
.macro TAKE_ONE_M num
    li gp, \num
    la tp, 99f
    csrsi mstatus, MSTATUS_MIE
    j fail
99: li x7, 1
    sll x7, x7, t5
    or s10, s10, x7
.endm

test_main:
    PMP_OPEN_ALL
    csrw mie, zero
    csrw mideleg, zero
    la t0, m_mark_vector
    csrw mtvec, t0
    la t0, s_mark_vector
    csrw stvec, t0

    # --- Raise all six at M-level -------------------------------------------------------------------
    call raise_all_six
    li t0, ALL_SIX
    csrr a0, mip
    and a0, a0, t0
    TEST_EQ 2, a0, ALL_SIX
    csrw mie, t0
    li s10, 0
    TAKE_ONE_M 3
    TAKE_ONE_M 4
    TAKE_ONE_M 5
    TAKE_ONE_M 6
    TAKE_ONE_M 7
    TAKE_ONE_M 8
    csrr a0, mie
    TEST_EQ 9, a0, 0                   # each disabled itself in mie when taken
    TEST_EQ 10, s10, ALL_SIX           # six different ones
    call lower_all_six

    # --- SEI, SSI, STI delegated and taken in S-mode -----------------------------------------------
    li t0, MIP_S_ALL
    csrw mideleg, t0
    csrs mip, t0
    csrw mie, t0
    ENTER_S
    li s10, 0
    li s9, 0
1:  li gp, 11
    la tp, 2f
    csrsi sstatus, MSTATUS_SIE
    j fail
2:  li x7, 1
    sll x7, x7, t5
    or s10, s10, x7
    li gp, 12
    li t0, PRV_S
    bne s8, t0, fail                   # handled by the S-mode handler
    addi s9, s9, 1
    li t0, 3
    blt s9, t0, 1b
    csrci sip, MIP_SSIP
    ENTER_M
    TEST_EQ 13, s10, MIP_S_ALL
    csrr a0, mie
    TEST_EQ 14, a0, 0
    li t0, MIP_S_ALL
    csrc mip, t0

    # --- An M-level interrupt goes first, whatever its number -----------------------------------------
    # STI not delegated (M-level), SEI delegated (S-level), SIE = 1: both pending and enabled the moment
    # S-mode is entered. The M-mode handler must run first; then the S-mode one (s_log_vector).
    li t0, MIP_SEIP
    csrw mideleg, t0
    li t0, MIP_SEIP | MIP_STIP
    csrs mip, t0
    csrw mie, t0
    csrsi mstatus, MSTATUS_SIE         # held while in M-mode
    la t0, s_log_vector
    csrw stvec, t0
    li s6, 0                           # handler sequence number
    li s5, -1                          # sequence number of the M-mode handler
    li s7, -1                          # sequence number of the S-mode handler
    li gp, 15
    la tp, 1f
    ENTER_S
    j fail
1:  TEST_EQ 16, s5, 0
    TEST_EQ 17, t5, CAUSE_INTERRUPT | IRQ_S_TIMER
    TEST_EQ 18, s7, 1
    TEST_EQ 19, s4, CAUSE_INTERRUPT | IRQ_S_EXT
    ENTER_M
    li t0, MIP_SEIP | MIP_STIP
    csrc mip, t0
    csrci mstatus, MSTATUS_SIE
    la t0, s_mark_vector
    csrw stvec, t0

    # --- Global enables -----------------------------------------------------------------------------
    # M-mode, MIE = 0: an M-level interrupt waits
    li t1, CLINT_BASE + CLINT_MSIP
    li t0, 1
    sw t0, 0(t1)
    li t0, MIP_MSIP
    csrw mie, t0
    csrci mstatus, MSTATUS_MIE
    li gp, 20
    nop
    nop
    csrr a0, mie
    TEST_EQ 21, a0, MIP_MSIP           # not taken (the handler would have cleared it)
    # S-mode with MIE = 0: taken at once
    li t0, MSTATUS_MPIE
    csrc mstatus, t0
    la tp, 1f
    ENTER_S
    j fail
1:  TEST_EQ 22, s8, PRV_M
    TEST_EQ 23, t5, CAUSE_INTERRUPT | IRQ_M_SOFT
    TEST_FROM_MODE 24, PRV_S
    ENTER_M
    li t1, CLINT_BASE + CLINT_MSIP
    sw zero, 0(t1)
    # S-mode, SIE = 0: a delegated interrupt waits; M-mode with SIE = 1: it waits too
    li t0, MIP_SSIP
    csrw mideleg, t0
    csrw mie, t0
    csrs mip, t0
    csrsi mstatus, MSTATUS_SIE
    li gp, 25
    nop
    nop
    csrci mstatus, MSTATUS_SIE
    ENTER_S
    nop
    nop
    csrr a0, sie
    TEST_EQ 26, a0, MIP_SSIP           # still enabled: not taken in M-mode nor here
    li gp, 27
    la tp, 1f
    csrsi sstatus, MSTATUS_SIE         # now it is
    j fail
1:  TEST_EQ 28, s8, PRV_S
    TEST_EQ 29, t5, CAUSE_INTERRUPT | IRQ_S_SOFT
    csrci sip, MIP_SSIP
    ENTER_M
    csrw mideleg, zero
    csrw mie, zero
    la t0, trap_vector
    csrw mtvec, t0
    la t0, strap_vector
    csrw stvec, t0
    j pass

# Make MEI (UART THRE through PLIC context 0), MSI, MTI, SEI, SSI and STI pending. Clobbers t0, t1.
raise_all_six:
    li t1, PLIC_BASE + PLIC_PRIORITY + 4 * UART0_IRQ
    li t0, 1
    sw t0, 0(t1)
    li t1, PLIC_BASE + PLIC_ENABLE_M
    li t0, 1 << UART0_IRQ
    sw t0, 0(t1)
    li t1, PLIC_BASE + PLIC_THRESHOLD_M
    sw zero, 0(t1)
    li t1, UART0_BASE
    li t0, UART_IER_ETBEI
    sb t0, UART_IER(t1)
    li t1, CLINT_BASE + CLINT_MSIP
    li t0, 1
    sw t0, 0(t1)
    li t1, CLINT_BASE + CLINT_MTIMECMP
    sd zero, 0(t1)
    li t0, MIP_S_ALL
    csrs mip, t0
    ret

# Undo raise_all_six. Clobbers t0, t1.
lower_all_six:
    li t1, UART0_BASE
    sb zero, UART_IER(t1)
    li t1, PLIC_BASE + PLIC_CLAIM_M
    lw t0, 0(t1)
    sw t0, 0(t1)                       # complete whatever was claimed
    li t1, PLIC_BASE + PLIC_ENABLE_M
    sw zero, 0(t1)
    li t1, CLINT_BASE + CLINT_MSIP
    sw zero, 0(t1)
    li t1, CLINT_BASE + CLINT_MTIMECMP
    li t0, -1
    sd t0, 0(t1)
    li t0, MIP_S_ALL
    csrc mip, t0
    ret

# Handlers that mark which mode handled the trap in s8; the M-mode one also takes a sequence number
# (s5 = s6++).
.balign 4
m_mark_vector:
    li s8, PRV_M
    mv s5, s6
    addi s6, s6, 1
    j trap_vector
.balign 4
s_mark_vector:
    li s8, PRV_S
    j strap_vector

# S-mode interrupt handler that logs instead of resuming at tp: s4 = scause, s7 = s6++; disables the
# interrupt in sie and returns to sepc.
.balign 4
s_log_vector:
    csrr s4, scause
    mv s7, s6
    addi s6, s6, 1
    li t2, 1
    sll t2, t2, s4
    csrc sie, t2
    sret
"#
);
