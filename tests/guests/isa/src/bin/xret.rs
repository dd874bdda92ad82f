//! xret: does MRET go to mepc in the mode held in MPP, with MIE = MPIE, MPIE = 1, MPP = U (and MPRV kept
//! when MPP = M); does SRET (from S-mode, and from M-mode) go to sepc in the mode held in SPP with
//! SIE = SPIE, SPIE = 1, SPP = U; and are MRET in S-mode and U-mode, SRET in U-mode, and SRET in S-mode
//! with mstatus.TSR = 1 illegal instructions (mtval = the instruction), while SRET in M-mode ignores TSR?
//!
//! Left to `klab_priv_spec`: xRET to a mode below M clears MPRV (privileged spec 1.12); QEMU 7.2 keeps it.
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ INSN_MRET, 0x30200073
.equ INSN_SRET, 0x10200073

# Check `num`: the bits `mask` of register `reg` equal `val`. Clobbers x1.
.macro TEST_BITS num, reg, mask, val
    li gp, \num
    li x7, \mask
    and x7, \reg, x7
    li x1, \val
    bne x7, x1, fail
.endm

test_main:
    PMP_OPEN_ALL
    la t0, trap_vector_snap            # t3 = mstatus at trap entry
    csrw mtvec, t0

    # --- MRET to M-mode: MIE <- MPIE, MPIE <- 1, MPP <- U ------------------------------------------
    li t0, MSTATUS_MIE
    csrc mstatus, t0
    li t0, MSTATUS_MPIE | MSTATUS_MPP
    csrs mstatus, t0
    la t0, 1f
    csrw mepc, t0
    mret
    j fail
1:  csrr a0, mstatus
    TEST_BITS 2, a0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MIE | MSTATUS_MPIE
    csrci mstatus, MSTATUS_MIE
    li t0, MSTATUS_MPIE
    csrc mstatus, t0
    li t0, MSTATUS_MPP
    csrs mstatus, t0
    la t0, 1f
    csrw mepc, t0
    mret
    j fail
1:  csrr a0, mstatus
    TEST_BITS 3, a0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE

    # --- MRET to S-mode and U-mode: the mode is MPP (seen by the next ECALL) -----------------------
    ENTER_S
    TEST_TRAP 4, CAUSE_SUPERVISOR_ECALL, ecall
    ENTER_M
    ENTER_U
    TEST_TRAP 5, CAUSE_USER_ECALL, ecall
    ENTER_M
    # MRET to S-mode with MPIE = 1: MIE was 1 in S-mode (MPIE at the next trap)
    li t0, MSTATUS_MPIE
    csrs mstatus, t0
    ENTER_S
    TEST_TRAP 6, CAUSE_SUPERVISOR_ECALL, ecall
    TEST_BITS 7, t3, MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE | MSTATUS_MPP_S
    ENTER_M

    # --- MPRV is kept by MRET to M-mode (its clearing by xRET to a lower mode: klab_priv_spec) -----
    li t0, MSTATUS_MPRV | MSTATUS_MPP  # MPP = M, so MPRV changes nothing for M-mode accesses
    csrs mstatus, t0
    la t0, 1f
    csrw mepc, t0
    li t0, MSTATUS_MPP
    csrs mstatus, t0
    mret
1:  csrr a0, mstatus
    TEST_BITS 8, a0, MSTATUS_MPRV, MSTATUS_MPRV
    li t0, MSTATUS_MPRV
    csrc mstatus, t0

    # --- SRET from S-mode --------------------------------------------------------------------------
    # SPP = U, SPIE = 1, SIE = 0: continue in U-mode with SIE = 1, SPIE = 1, SPP = U
    ENTER_S
    li t0, MSTATUS_SPP | MSTATUS_SIE
    csrc sstatus, t0
    li t0, MSTATUS_SPIE
    csrs sstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
    j fail
1:  TEST_TRAP 9, CAUSE_USER_ECALL, ecall
    TEST_BITS 10, t3, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP, MSTATUS_SIE | MSTATUS_SPIE
    ENTER_M
    # SPP = S, SPIE = 0, SIE = 1: continue in S-mode with SIE = 0, SPIE = 1, SPP = U
    ENTER_S
    li t0, MSTATUS_SPP | MSTATUS_SIE
    csrs sstatus, t0
    li t0, MSTATUS_SPIE
    csrc sstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
    j fail
1:  TEST_TRAP 11, CAUSE_SUPERVISOR_ECALL, ecall
    TEST_BITS 12, t3, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP, MSTATUS_SPIE
    ENTER_M

    # --- SRET from M-mode: to SPP --------------------------------------------------------------------
    li t0, MSTATUS_SPP
    csrs mstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
    j fail
1:  TEST_TRAP 13, CAUSE_SUPERVISOR_ECALL, ecall
    ENTER_M
    li t0, MSTATUS_SPP
    csrc mstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
    j fail
1:  TEST_TRAP 14, CAUSE_USER_ECALL, ecall
    ENTER_M

    # --- Illegal xRETs -----------------------------------------------------------------------------
    la t0, trap_vector
    csrw mtvec, t0
.option push
.option norvc
    ENTER_S
    TEST_TRAP 15, CAUSE_ILLEGAL_INSTRUCTION, mret
    TEST_TVAL 16, INSN_MRET
    TEST_FROM_MODE 17, PRV_S
    ENTER_M
    ENTER_U
    TEST_TRAP 18, CAUSE_ILLEGAL_INSTRUCTION, mret
    TEST_TVAL 19, INSN_MRET
    TEST_TRAP 20, CAUSE_ILLEGAL_INSTRUCTION, sret
    TEST_TVAL 21, INSN_SRET
    TEST_FROM_MODE 22, PRV_U
    ENTER_M
    # TSR = 1: SRET in S-mode is illegal ...
    li t0, MSTATUS_TSR
    csrs mstatus, t0
    ENTER_S
    TEST_TRAP 23, CAUSE_ILLEGAL_INSTRUCTION, sret
    TEST_TVAL 24, INSN_SRET
    TEST_FROM_MODE 25, PRV_S
    ENTER_M
    # ... but not in M-mode
    li t0, MSTATUS_SPP
    csrs mstatus, t0
    la t0, 1f
    csrw sepc, t0
    li gp, 26
    sret
    j fail
1:  TEST_TRAP 27, CAUSE_SUPERVISOR_ECALL, ecall
    ENTER_M
    li t0, MSTATUS_TSR
    csrc mstatus, t0
    # TSR = 0 again: SRET in S-mode works
    ENTER_S
    li t0, MSTATUS_SPP
    csrs sstatus, t0
    la t0, 1f
    csrw sepc, t0
    li gp, 28
    sret
    j fail
1:  TEST_TRAP 29, CAUSE_SUPERVISOR_ECALL, ecall
    ENTER_M
.option pop
    j pass
"#
);
