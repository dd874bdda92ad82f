//! tvm_tw: with mstatus.TVM = 1, do satp reads and writes and SFENCE.VMA in S-mode raise illegal
//! instruction (while M-mode is unaffected), and are they legal in S-mode with TVM = 0; with
//! mstatus.TW = 1, is WFI in S-mode illegal while WFI in M-mode still completes; does WFI complete in
//! S-mode with TW = 0 when an interrupt is pending but disabled; and is WFI in U-mode illegal whatever TW
//! says (QEMU 7.2, S-mode being present), as is SFENCE.VMA in U-mode? mtval = the instruction each time.
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ INSN_WFI,          0x10500073
.equ INSN_SFENCE_VMA,   0x12000073     # sfence.vma x0, x0
.equ INSN_CSRR_A0_SATP, 0x18002573

test_main:
    PMP_OPEN_ALL
    csrw satp, zero
.option push
.option norvc

    # --- TVM -----------------------------------------------------------------------------------------
    li t0, MSTATUS_TVM
    csrs mstatus, t0
    ENTER_S
    TEST_TRAP 2, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, satp
    TEST_TVAL 3, INSN_CSRR_A0_SATP
    TEST_FROM_MODE 4, PRV_S
    TEST_TRAP 5, CAUSE_ILLEGAL_INSTRUCTION, csrw satp, zero
    TEST_TRAP 6, CAUSE_ILLEGAL_INSTRUCTION, sfence.vma
    TEST_TVAL 7, INSN_SFENCE_VMA
    li a1, 0x1000
    TEST_TRAP 8, CAUSE_ILLEGAL_INSTRUCTION, sfence.vma a1, zero
    ENTER_M
    TEST_NO_TRAP 9, csrr a0, satp      # M-mode ignores TVM
    csrw satp, zero
    sfence.vma
    li t0, MSTATUS_TVM
    csrc mstatus, t0
    ENTER_S
    TEST_NO_TRAP 10, csrr a0, satp
    csrw satp, zero
    sfence.vma
    li a1, 0x1000
    sfence.vma a1, zero
    sfence.vma zero, a1
    ENTER_M
    ENTER_U
    TEST_TRAP 11, CAUSE_ILLEGAL_INSTRUCTION, sfence.vma
    TEST_FROM_MODE 12, PRV_U
    ENTER_M

    # --- TW ------------------------------------------------------------------------------------------
    # Make WFI return at once without taking an interrupt: in M-mode MTIP pending and enabled in mie
    # with MIE = 0; in S-mode SSIP delegated, pending and enabled in sie with SIE = 0.
    li t0, CLINT_BASE + CLINT_MTIMECMP
    sd zero, 0(t0)                     # mtime >= 0: MTIP pending
    csrci mstatus, MSTATUS_MIE
    li t0, MSTATUS_TW
    csrs mstatus, t0
    li t0, MIP_MTIP
    csrw mie, t0
    TEST_NO_TRAP 13, wfi               # M-mode ignores TW
    csrw mie, zero
    li t0, MIP_SSIP
    csrw mideleg, t0
    csrw mie, t0
    csrs mip, t0
    ENTER_S
    csrci sstatus, MSTATUS_SIE
    TEST_TRAP 14, CAUSE_ILLEGAL_INSTRUCTION, wfi
    TEST_TVAL 15, INSN_WFI
    TEST_FROM_MODE 16, PRV_S
    ENTER_M
    li t0, MSTATUS_TW
    csrc mstatus, t0
    ENTER_S
    TEST_NO_TRAP 17, wfi               # TW = 0: WFI completes (SSIP pending)
    ENTER_M
    csrci mip, MIP_SSIP                # in U-mode the delegated SSI would be taken at once
    csrw mie, zero
    csrw mideleg, zero

    # --- WFI in U-mode is illegal with TW = 0 and TW = 1 ---------------------------------------------
    ENTER_U
    TEST_TRAP 18, CAUSE_ILLEGAL_INSTRUCTION, wfi
    TEST_TVAL 19, INSN_WFI
    TEST_FROM_MODE 20, PRV_U
    ENTER_M
    li t0, MSTATUS_TW
    csrs mstatus, t0
    ENTER_U
    TEST_TRAP 21, CAUSE_ILLEGAL_INSTRUCTION, wfi
    TEST_FROM_MODE 22, PRV_U
    ENTER_M
.option pop
    li t0, MSTATUS_TW
    csrc mstatus, t0
    li t0, CLINT_BASE + CLINT_MTIMECMP
    li t1, -1
    sd t1, 0(t0)
    j pass
"#
);
