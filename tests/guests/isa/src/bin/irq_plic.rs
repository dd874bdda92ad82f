//! irq_plic: does the UART's transmitter-holding-register-empty interrupt (IER.ETBEI with an empty THR,
//! IIR = 0x2, cleared by reading IIR or clearing IER) reach the PLIC as source 10 — pending bit set,
//! mip.MEIP raised only while the source is enabled for context 0 with a priority above the threshold —
//! and become a machine external interrupt (cause 11) that M-mode claims (claim returns 10, the pending
//! bit clears) and completes; and, routed to context 1 with SEIP delegated, a supervisor external
//! interrupt (cause 9) that S-mode claims and completes through the context 1 registers?
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ UART_IRQ_BIT,          1 << UART0_IRQ
.equ UART_IIR_ID_MASK,      0x0f
.equ UART_IIR_THRE,         0x02       # interrupt ID: THR empty
.equ PLIC_UART_PRIORITY,    PLIC_BASE + PLIC_PRIORITY + 4 * UART0_IRQ

test_main:
    li s0, UART0_BASE
    li s1, PLIC_BASE
    li s2, PLIC_UART_PRIORITY
    csrw mie, zero
    sb zero, UART_IER(s0)
    sw zero, 0(s2)
    li t0, PLIC_ENABLE_M
    add s3, s1, t0                     # s3 = context 0 enables
    li t0, PLIC_ENABLE_S
    add s4, s1, t0                     # s4 = context 1 enables
    li t0, PLIC_THRESHOLD_M
    add s5, s1, t0                     # s5 = context 0 threshold, claim at +4
    li t0, PLIC_THRESHOLD_S
    add s6, s1, t0                     # s6 = context 1 threshold, claim at +4
    li t0, PLIC_PENDING
    add s7, s1, t0
    sw zero, 0(s3)
    sw zero, 0(s4)
    sw zero, 0(s5)
    sw zero, 0(s6)

    # --- The UART's THRE interrupt -----------------------------------------------------------------
    lbu a0, UART_IIR(s0)
    andi a0, a0, UART_IIR_ID_MASK
    TEST_EQ 2, a0, UART_IIR_NO_INT
    li t0, UART_IER_ETBEI
    sb t0, UART_IER(s0)
    lbu a0, UART_IIR(s0)               # reading IIR clears the THRE interrupt ...
    andi a0, a0, UART_IIR_ID_MASK
    TEST_EQ 3, a0, UART_IIR_THRE
    lbu a0, UART_IIR(s0)
    andi a0, a0, UART_IIR_ID_MASK
    TEST_EQ 4, a0, UART_IIR_NO_INT
    sb zero, UART_IER(s0)              # ... and enabling ETBEI again raises it again
    li t0, UART_IER_ETBEI
    sb t0, UART_IER(s0)

    # --- PLIC gateway and context 0 ----------------------------------------------------------------
    lw a0, 0(s7)
    andi a0, a0, UART_IRQ_BIT
    TEST_EQ 5, a0, UART_IRQ_BIT        # pending at the PLIC
    csrr a0, mip
    li t0, MIP_MEIP
    and a0, a0, t0
    TEST_EQ 6, a0, 0                   # priority 0, not enabled: no MEIP
    li t0, UART_IRQ_BIT
    sw t0, 0(s3)
    csrr a0, mip
    li t0, MIP_MEIP
    and a0, a0, t0
    TEST_EQ 7, a0, 0                   # enabled, but priority 0 never interrupts
    li t0, 1
    sw t0, 0(s2)
    lw a0, 0(s2)
    TEST_EQ 8, a0, 1
    csrr a0, mip
    li t0, MIP_MEIP
    and a0, a0, t0
    TEST_EQ 9, a0, MIP_MEIP
    li t0, 1
    sw t0, 0(s5)                       # threshold 1: priority must exceed it
    csrr a0, mip
    li t0, MIP_MEIP
    and a0, a0, t0
    TEST_EQ 10, a0, 0
    sw zero, 0(s5)
    csrr a0, mip
    li t0, MIP_MEIP
    and a0, a0, t0
    TEST_EQ 11, a0, MIP_MEIP
    csrr a0, mip
    li t0, MIP_SEIP
    and a0, a0, t0
    TEST_EQ 12, a0, 0                  # context 1 not enabled: no SEIP

    # --- Machine external interrupt, claim and complete ----------------------------------------------
    li t0, MIP_MEIP
    csrw mie, t0
    li gp, 13
    la tp, 1f
    csrsi mstatus, MSTATUS_MIE
    j fail
1:  TEST_EQ 14, t5, CAUSE_INTERRUPT | IRQ_M_EXT
    lw a0, 4(s5)                       # claim
    TEST_EQ 15, a0, UART0_IRQ
    lw a0, 0(s7)
    andi a0, a0, UART_IRQ_BIT
    TEST_EQ 16, a0, 0                  # claimed: no longer pending
    csrr a0, mip
    li t0, MIP_MEIP
    and a0, a0, t0
    TEST_EQ 17, a0, 0
    sb zero, UART_IER(s0)              # quiet the device, then complete
    li t0, UART0_IRQ
    sw t0, 4(s5)
    lw a0, 0(s7)
    andi a0, a0, UART_IRQ_BIT
    TEST_EQ 18, a0, 0
    lw a0, 4(s5)                       # nothing left to claim
    TEST_EQ 19, a0, 0
    csrr a0, mip
    li t0, MIP_MEIP
    and a0, a0, t0
    TEST_EQ 20, a0, 0
    sw zero, 0(s3)

    # --- Context 1: supervisor external interrupt, handled by S-mode ---------------------------------
    PMP_OPEN_ALL
    li t0, MIP_SEIP
    csrw mideleg, t0
    csrw mie, t0
    li t0, UART_IRQ_BIT
    sw t0, 0(s4)
    li t0, UART_IER_ETBEI
    sb t0, UART_IER(s0)
    csrr a0, mip
    li t0, MIP_SEIP | MIP_MEIP
    and a0, a0, t0
    TEST_EQ 21, a0, MIP_SEIP
    ENTER_S
    li gp, 22
    la tp, 1f
    csrsi sstatus, MSTATUS_SIE
    j fail
1:  TEST_EQ 23, t5, CAUSE_INTERRUPT | IRQ_S_EXT
    TEST_FROM_MODE 24, PRV_S
    lw a0, 4(s6)                       # claim through context 1
    TEST_EQ 25, a0, UART0_IRQ
    sb zero, UART_IER(s0)
    li t0, UART0_IRQ
    sw t0, 4(s6)                       # complete
    csrr a0, sip
    li t0, MIP_SEIP
    and a0, a0, t0
    TEST_EQ 26, a0, 0
    ENTER_M
    sw zero, 0(s4)
    sw zero, 0(s2)
    csrw mideleg, zero
    csrw mie, zero
    j pass
"#
);
