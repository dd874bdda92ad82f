//! klab_irq_priority (klab only): with all six standard interrupts pending and enabled in M-mode, are
//! they taken in the privileged spec's priority order MEI, MSI, MTI, SEI, SSI, STI; and with SEI, SSI and
//! STI delegated, does S-mode take them as SEI, SSI, STI? QEMU 7.2 without AIA deviates: it takes the
//! lowest-numbered pending interrupt first (SSI, MSI, STI, MTI, SEI, MEI).
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ ALL_SIX, MIP_MEIP | MIP_MSIP | MIP_MTIP | MIP_SEIP | MIP_SSIP | MIP_STIP

# Take the next pending interrupt (in the current mode, enabled by `csrsi status, ie`) and append its
# code to the log at s9.
.macro TAKE_ONE num, status, ie
    li gp, \num
    la tp, 99f
    csrsi \status, \ie
    j fail
99: sb t5, 0(s9)
    addi s9, s9, 1
.endm

# Check `num`: byte `off` of the log is `code`.
.macro TEST_LOGGED num, off, code
    la x7, order_log
    lbu x7, \off(x7)
    li gp, \num
    li x1, \code
    bne x7, x1, fail
.endm

test_main:
    PMP_OPEN_ALL
    csrw mie, zero
    csrw mideleg, zero
    # MEI: UART THRE through PLIC context 0; MSI: CLINT msip; MTI: mtimecmp = 0; SEI, SSI, STI: mip
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
    li t0, ALL_SIX
    csrr a0, mip
    and a0, a0, t0
    TEST_EQ 2, a0, ALL_SIX

    # --- M-level order ------------------------------------------------------------------------------------
    csrw mie, t0
    la s9, order_log
    TAKE_ONE 3, mstatus, MSTATUS_MIE
    TAKE_ONE 4, mstatus, MSTATUS_MIE
    TAKE_ONE 5, mstatus, MSTATUS_MIE
    TAKE_ONE 6, mstatus, MSTATUS_MIE
    TAKE_ONE 7, mstatus, MSTATUS_MIE
    TAKE_ONE 8, mstatus, MSTATUS_MIE
    TEST_LOGGED 9, 0, IRQ_M_EXT
    TEST_LOGGED 10, 1, IRQ_M_SOFT
    TEST_LOGGED 11, 2, IRQ_M_TIMER
    TEST_LOGGED 12, 3, IRQ_S_EXT
    TEST_LOGGED 13, 4, IRQ_S_SOFT
    TEST_LOGGED 14, 5, IRQ_S_TIMER
    li t1, UART0_BASE
    sb zero, UART_IER(t1)
    li t1, PLIC_BASE + PLIC_ENABLE_M
    sw zero, 0(t1)
    li t1, CLINT_BASE + CLINT_MSIP
    sw zero, 0(t1)
    li t1, CLINT_BASE + CLINT_MTIMECMP
    li t0, -1
    sd t0, 0(t1)

    # --- S-level order (SEI, SSI, STI delegated; all still pending in mip) --------------------------------
    li t0, MIP_S_ALL
    csrw mideleg, t0
    csrw mie, t0
    la s9, order_log
    ENTER_S
    TAKE_ONE 15, sstatus, MSTATUS_SIE
    TAKE_ONE 16, sstatus, MSTATUS_SIE
    TAKE_ONE 17, sstatus, MSTATUS_SIE
    csrci sip, MIP_SSIP
    ENTER_M
    TEST_LOGGED 18, 0, IRQ_S_EXT
    TEST_LOGGED 19, 1, IRQ_S_SOFT
    TEST_LOGGED 20, 2, IRQ_S_TIMER
    li t0, MIP_S_ALL
    csrc mip, t0
    csrw mideleg, zero
    csrw mie, zero
    j pass

.data
order_log:
    .zero 8
"#
);
