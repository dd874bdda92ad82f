//! pmp_none: what happens to S-mode when no PMP entry is active (all pmpcfg A fields OFF, whatever the
//! pmpaddr registers hold)? MRET to M-mode works; an SRET from M-mode to S-mode is carried out and the
//! first S-mode fetch then fails with an instruction access fault (mepc = mtval = the SRET target): S-mode
//! may access nothing without a matching PMP entry. With one active entry, S-mode runs.
//! (QEMU 7.2 also refuses an MRET to S or U outright in this state, an illegal instruction the spec does
//! not call for; klab follows the spec there, which `klab_pmp_none` checks.)
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

    # --- MRET to M-mode works --------------------------------------------------------------------------
    MRET_SETUP PRV_M, 1f
    li gp, 8
    mret
    j fail
1:
    # --- SRET to S-mode: the fetch at the target fails ---------------------------------------------------
    li t0, MSTATUS_SPP
    csrs mstatus, t0
    la t0, .Lsret_target
    csrw sepc, t0
    li gp, 9
    la tp, 1f + 1                      # resume in M-mode
    sret
.Lsret_target:
    j fail
1:  TEST_EQ 10, t5, CAUSE_FETCH_ACCESS
    la t0, .Lsret_target
    TEST_REGS_EQ 11, t4, t0
    TEST_REGS_EQ 12, t6, t0
    TEST_FROM_MODE 13, PRV_S
    # --- With one active entry, MRET to S-mode is fine ---------------------------------------------------
    PMP_OPEN_ALL
    ENTER_S
    TEST_TRAP 14, CAUSE_SUPERVISOR_ECALL, ecall
    ENTER_M
    j pass
"#
);
