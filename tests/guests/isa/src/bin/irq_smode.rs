//! irq_smode: with SSIP, STIP and SEIP delegated in mideleg, does S-mode take a supervisor software
//! interrupt it raises itself through sip.SSIP, a supervisor timer interrupt and a supervisor external
//! interrupt that M-mode raises by setting mip.STIP / mip.SEIP (causes 1, 5, 9 in scause with the
//! interrupt bit, sepc = the interrupted instruction, SPP, SPIE, SIE as for an exception); are STIP and
//! SEIP read-only in sip; is a delegated interrupt held while M-mode runs (even with SIE = 1) and taken as
//! soon as S-mode runs with SIE = 1; and taken in U-mode whatever SIE says?
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
# Check `num`, `num + 1`: the last S-mode trap was interrupt `irq`, taken at label `at`.
.macro TEST_S_IRQ num, irq, at
    TEST_EQ \num, t5, CAUSE_INTERRUPT | \irq
    la x7, \at
    li gp, \num + 1
    bne t4, x7, fail
.endm

test_main:
    PMP_OPEN_ALL
    csrw mie, zero
    li t0, MIP_S_ALL
    csrw mideleg, t0
    csrc mip, t0
    la t0, strap_vector_snap           # t3 = sstatus at entry
    csrw stvec, t0

    # --- SSI raised by S-mode itself ---------------------------------------------------------------
    ENTER_S
    csrci sstatus, MSTATUS_SIE
    li t0, MIP_SSIP
    csrw sie, t0
    csrs sip, t0
    csrr a0, sip
    TEST_EQ 2, a0, MIP_SSIP            # pending, not taken: SIE = 0
    li gp, 3
    la tp, 1f
    csrsi sstatus, MSTATUS_SIE
.Lssi_at:
    j fail
1:  TEST_S_IRQ 4, IRQ_S_SOFT, .Lssi_at
    li t0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
    and t3, t3, t0
    TEST_EQ 6, t3, MSTATUS_SPIE | MSTATUS_SPP
    csrr a0, stval
    TEST_EQ 7, a0, 0
    csrci sip, MIP_SSIP
    csrr a0, sip
    TEST_EQ 8, a0, 0
    ENTER_M

    # --- STI raised by M-mode through mip.STIP ------------------------------------------------------
    li t0, MIP_STIP
    csrs mip, t0
    csrw mie, t0
    csrsi mstatus, MSTATUS_SIE         # SIE = 1 in M-mode: an S interrupt is still not taken here
    li gp, 9
    nop
    nop
    csrr a0, mip
    andi a0, a0, MIP_STIP
    TEST_EQ 10, a0, MIP_STIP
    la tp, 1f
    ENTER_S                            # taken at the first instruction in S-mode
.Lsti_at:
    j fail
1:  TEST_S_IRQ 11, IRQ_S_TIMER, .Lsti_at
    andi t3, t3, MSTATUS_SPP           # snap handler: t3 = sstatus at entry
    TEST_EQ 13, t3, MSTATUS_SPP
    # STIP is read-only in sip: S-mode cannot clear it
    li t0, MIP_STIP
    csrc sip, t0
    csrr a0, sip
    andi a0, a0, MIP_STIP
    TEST_EQ 14, a0, MIP_STIP
    ENTER_M
    li t0, MIP_STIP
    csrc mip, t0
    csrr a0, mip
    andi a0, a0, MIP_STIP
    TEST_EQ 15, a0, 0

    # --- SEI raised by M-mode through mip.SEIP, taken in U-mode although SIE = 0 ---------------------
    li t0, MIP_SEIP
    csrs mip, t0
    csrw mie, t0
    csrci mstatus, MSTATUS_SIE
    li gp, 16
    la tp, 1f
    ENTER_U                            # taken at the first instruction in U-mode
.Lsei_at:
    j fail
1:  TEST_S_IRQ 17, IRQ_S_EXT, .Lsei_at
    andi t3, t3, MSTATUS_SPP
    TEST_EQ 19, t3, 0
    ENTER_M
    li t0, MIP_SEIP
    csrc mip, t0
    csrw mie, zero
    csrw mideleg, zero
    la t0, strap_vector
    csrw stvec, t0
    j pass
"#
);
