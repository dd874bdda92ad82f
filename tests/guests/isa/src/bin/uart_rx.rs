//! uart_rx: does the NS16550A receive path work with interrupts — bytes from the host (the run feeds
//! "klab" on standard input) set LSR.DR, raise the received-data interrupt (IER.ERBFI, IIR = 0x4) at
//! PLIC source 10 and, enabled for context 0, a machine external interrupt; does reading RBR return the
//! bytes in order and clear LSR.DR once they are all read? Waits are bounded by mtime (5 s for the first
//! byte), never by an assumed latency. Needs its standard input fed: `printf klab | qemu ...`.
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ UART_IIR_ID_MASK,      0x0f
.equ UART_IIR_RX_DATA,      0x04       # interrupt ID: received data available
.equ RX_TIMEOUT,            50000000   # mtime ticks: 5 s at 10 MHz
.equ EXPECTED_BYTES,        4          # "klab"

# Wait (bounded by RX_TIMEOUT from now) until LSR.DR is set; fail check `num` on timeout. Clobbers t0..t2.
.macro WAIT_DATA_READY num
    li gp, \num
    li t0, CLINT_BASE + CLINT_MTIME
    ld t1, 0(t0)
    li t2, RX_TIMEOUT
    add t2, t2, t1
98: lbu t1, UART_LSR(s0)
    andi t1, t1, UART_LSR_DR
    bnez t1, 99f
    ld t1, 0(t0)
    bltu t1, t2, 98b
    j fail
99:
.endm

test_main:
    li s0, UART0_BASE
    csrw mie, zero
    li t1, PLIC_BASE + PLIC_PRIORITY + 4 * UART0_IRQ
    li t0, 1
    sw t0, 0(t1)
    li t1, PLIC_BASE + PLIC_ENABLE_M
    li t0, 1 << UART0_IRQ
    sw t0, 0(t1)
    li t1, PLIC_BASE + PLIC_THRESHOLD_M
    sw zero, 0(t1)

    # --- The first byte arrives as an interrupt ------------------------------------------------------
    li t0, UART_IER_ERBFI
    sb t0, UART_IER(s0)
    li t0, MIP_MEIP
    csrw mie, t0
    li t0, CLINT_BASE + CLINT_MTIME
    ld t1, 0(t0)
    li s1, RX_TIMEOUT
    add s1, s1, t1
    li gp, 2
    la tp, 2f
    csrsi mstatus, MSTATUS_MIE
1:  wfi
    li t0, CLINT_BASE + CLINT_MTIME
    ld t1, 0(t0)
    bltu t1, s1, 1b
    j fail                             # no byte within the timeout
2:  TEST_EQ 3, t5, CAUSE_INTERRUPT | IRQ_M_EXT
    li t1, PLIC_BASE + PLIC_CLAIM_M
    lw a0, 0(t1)
    TEST_EQ 4, a0, UART0_IRQ
    lbu a0, UART_IIR(s0)
    andi a0, a0, UART_IIR_ID_MASK
    TEST_EQ 5, a0, UART_IIR_RX_DATA
    lbu a0, UART_LSR(s0)
    andi a0, a0, UART_LSR_DR
    TEST_EQ 6, a0, UART_LSR_DR
    sb zero, UART_IER(s0)              # the rest by polling
    li t1, PLIC_BASE + PLIC_CLAIM_M
    li t0, UART0_IRQ
    sw t0, 0(t1)                       # complete

    # --- All bytes, in order -----------------------------------------------------------------------
    la s2, rx_buffer
    li s3, 0
3:  WAIT_DATA_READY 7
    lbu a0, UART_RBR(s0)
    add t0, s2, s3
    sb a0, 0(t0)
    addi s3, s3, 1
    li t0, EXPECTED_BYTES
    blt s3, t0, 3b
    la s2, rx_buffer
    lbu a0, 0(s2)
    TEST_EQ 8, a0, 'k'
    lbu a0, 1(s2)
    TEST_EQ 9, a0, 'l'
    lbu a0, 2(s2)
    TEST_EQ 10, a0, 'a'
    lbu a0, 3(s2)
    TEST_EQ 11, a0, 'b'
    lbu a0, UART_LSR(s0)
    andi a0, a0, UART_LSR_DR
    TEST_EQ 12, a0, 0                  # nothing left
    lbu a0, UART_IIR(s0)
    andi a0, a0, UART_IIR_ID_MASK
    TEST_EQ 13, a0, UART_IIR_NO_INT
    li t1, PLIC_BASE + PLIC_ENABLE_M
    sw zero, 0(t1)
    csrw mie, zero
    j pass

.data
rx_buffer:
    .zero 8
"#
);
