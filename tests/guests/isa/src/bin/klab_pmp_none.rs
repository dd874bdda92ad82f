//! klab_pmp_none: with no active PMP entry, is an MRET to S-mode or U-mode carried out, so that the
//! first fetch in the lower mode fails with an instruction access fault (mepc = mtval = the MRET target,
//! previous privilege = the lower mode)? That is what the privileged spec says (no entry matches an S/U
//! access, so it fails). QEMU 7.2 instead raises an illegal-instruction exception at the MRET itself.
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
# Set MPP = `mode` and mepc = the label `target`. Clobbers t0.
.macro MRET_SETUP mode, target
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, \mode << MSTATUS_MPP_SHIFT
    csrs mstatus, t0
    la t0, \target
    csrw mepc, t0
.endm

test_main:
    csrw pmpcfg0, zero
    csrw pmpcfg2, zero
    li t0, -1
    csrw pmpaddr0, t0                  # an address alone does not make an entry active

    # --- MRET to S-mode: carried out, then the fetch at the target fails ----------------------------
    MRET_SETUP PRV_S, .Ls_target
    li gp, 2
    la tp, 1f + 1                      # resume in M-mode
    mret
.Ls_target:
    j fail
1:  TEST_EQ 3, t5, CAUSE_FETCH_ACCESS
    la t0, .Ls_target
    TEST_REGS_EQ 4, t4, t0
    TEST_REGS_EQ 5, t6, t0
    TEST_FROM_MODE 6, PRV_S

    # --- MRET to U-mode: the same --------------------------------------------------------------------
    MRET_SETUP PRV_U, .Lu_target
    li gp, 7
    la tp, 1f + 1
    mret
.Lu_target:
    j fail
1:  TEST_EQ 8, t5, CAUSE_FETCH_ACCESS
    la t0, .Lu_target
    TEST_REGS_EQ 9, t4, t0
    TEST_REGS_EQ 10, t6, t0
    TEST_FROM_MODE 11, PRV_U
    j pass
"#
);
