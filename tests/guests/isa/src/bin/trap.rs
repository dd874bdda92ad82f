//! trap: does ECALL raise environment-call-from-U/S/M (causes 8, 9, 11) and EBREAK/C.EBREAK raise
//! breakpoint (cause 3) in every mode, with mepc = the address of the instruction (not the next one),
//! mtval = 0 (QEMU 7.2 writes 0 for both, also after mtval held something else), mstatus.MPP = the mode
//! the trap came from, and MPIE = the old MIE with MIE cleared on entry; and does MRET then restore MIE
//! from MPIE, set MPIE and leave MPP = U?
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ INSN_EBREAK, 0x00100073

# Check `num`: the status snapshot t3 (mstatus at trap entry) has the bits `mask` equal to `val`.
.macro TEST_STATUS num, mask, val
    li gp, \num
    li x7, \mask
    and x7, t3, x7
    li x1, \val
    bne x7, x1, fail
.endm

test_main:
    PMP_OPEN_ALL
    li s0, -1

    # --- ECALL in each mode ---------------------------------------------------------------------
    csrw mtval, s0
    TEST_TRAP 2, CAUSE_MACHINE_ECALL, ecall
    TEST_TVAL 3, 0
    TEST_FROM_MODE 4, PRV_M
    ENTER_S
    TEST_TRAP 5, CAUSE_SUPERVISOR_ECALL, ecall
    TEST_TVAL 6, 0
    TEST_FROM_MODE 7, PRV_S
    ENTER_M
    ENTER_U
    TEST_TRAP 8, CAUSE_USER_ECALL, ecall
    TEST_TVAL 9, 0
    TEST_FROM_MODE 10, PRV_U
    ENTER_M

    # --- EBREAK (32-bit) and C.EBREAK in each mode -------------------------------------------------
.option push
.option norvc
    csrw mtval, s0
    TEST_TRAP 11, CAUSE_BREAKPOINT, ebreak
    TEST_TVAL 12, 0
    TEST_FROM_MODE 13, PRV_M
    lwu a0, 0(t4)
    TEST_EQ 14, a0, INSN_EBREAK        # mepc points at the ebreak itself
    ENTER_S
    TEST_TRAP 15, CAUSE_BREAKPOINT, ebreak
    TEST_TVAL 16, 0
    TEST_FROM_MODE 17, PRV_S
    ENTER_M
    ENTER_U
    TEST_TRAP 18, CAUSE_BREAKPOINT, ebreak
    TEST_TVAL 19, 0
    TEST_FROM_MODE 20, PRV_U
    ENTER_M
.option pop
    csrw mtval, s0
    TEST_TRAP 21, CAUSE_BREAKPOINT, c.ebreak
    TEST_TVAL 22, 0
    ENTER_S
    TEST_TRAP 23, CAUSE_BREAKPOINT, c.ebreak
    TEST_FROM_MODE 24, PRV_S
    ENTER_M
    ENTER_U
    TEST_TRAP 25, CAUSE_BREAKPOINT, c.ebreak
    TEST_FROM_MODE 26, PRV_U
    ENTER_M

    # --- mstatus on trap entry and after MRET -------------------------------------------------------
    la t0, trap_vector_snap
    csrw mtvec, t0
    # from M with MIE = 1, MPIE = 0 (mie = 0: no interrupt can be taken)
    csrw mie, zero
    li t0, MSTATUS_MPIE
    csrc mstatus, t0
    csrsi mstatus, MSTATUS_MIE
    TEST_TRAP 27, CAUSE_MACHINE_ECALL, ecall
    TEST_STATUS 28, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE | MSTATUS_MPP_M
    csrr t3, mstatus                   # after MRET: MIE = 1 (from MPIE), MPIE = 1, MPP = U
    TEST_STATUS 29, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MIE | MSTATUS_MPIE
    # from M with MIE = 0
    csrci mstatus, MSTATUS_MIE
    TEST_TRAP 30, CAUSE_MACHINE_ECALL, ecall
    TEST_STATUS 31, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPP_M
    csrr t3, mstatus
    TEST_STATUS 32, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE
    # from S: MPP = S
    ENTER_S
    TEST_TRAP 33, CAUSE_SUPERVISOR_ECALL, ecall
    TEST_STATUS 34, MSTATUS_MIE | MSTATUS_MPP, MSTATUS_MPP_S
    ENTER_M
    # from U: MPP = U
    ENTER_U
    TEST_TRAP 35, CAUSE_USER_ECALL, ecall
    TEST_STATUS 36, MSTATUS_MIE | MSTATUS_MPP, 0
    ENTER_M
    # A trap to M-mode leaves the S-level fields alone
    li t0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
    csrs mstatus, t0
    TEST_TRAP 37, CAUSE_MACHINE_ECALL, ecall
    TEST_STATUS 38, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
    li t0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
    csrc mstatus, t0
    TEST_TRAP 39, CAUSE_MACHINE_ECALL, ecall
    TEST_STATUS 40, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP, 0
    la t0, trap_vector
    csrw mtvec, t0

    j pass
"#
);
