//! csr_priv: are CSR accesses checked against the privilege level encoded in csr[9:8] — M-mode CSRs
//! (mstatus, misa, medeleg, mideleg, mie, mtvec, mscratch, mepc, mcause, mtval, mip, mhartid, pmpcfg0,
//! pmpaddr0, mcounteren) illegal from S-mode and U-mode, S-mode CSRs (sstatus, sie, stvec, scounteren,
//! sscratch, sepc, scause, stval, sip, satp) legal from S-mode and illegal from U-mode — with mtval =
//! the instruction bits and the trap taken from the right mode, while the same S-mode CSRs work from
//! S-mode?
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
# Check `num`: reading `csr` traps as illegal from the current mode `mode`, mtval = the instruction.
.macro TEST_CSR_READ_ILLEGAL num, mode, csr
    TEST_TRAP \num, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, \csr
    li gp, \num
    li x7, \mode
    bne t3, x7, fail
    lwu x7, 0(t4)                      # the instruction at mepc (identity-mapped, 4-byte aligned)
    bne t6, x7, fail
.endm

# Check `num`: writing `csr` traps as illegal from `mode`.
.macro TEST_CSR_WRITE_ILLEGAL num, mode, csr
    TEST_TRAP \num, CAUSE_ILLEGAL_INSTRUCTION, csrw \csr, zero
    li gp, \num
    li x7, \mode
    bne t3, x7, fail
.endm

test_main:
    PMP_OPEN_ALL

    # --- S-mode ------------------------------------------------------------------------------------
    ENTER_S
.option push
.option norvc                          # 4-byte alignment for the mtval check (lwu at mepc)
    TEST_CSR_READ_ILLEGAL 2, PRV_S, mstatus
    TEST_CSR_READ_ILLEGAL 3, PRV_S, misa
    TEST_CSR_READ_ILLEGAL 4, PRV_S, medeleg
    TEST_CSR_READ_ILLEGAL 5, PRV_S, mideleg
    TEST_CSR_READ_ILLEGAL 6, PRV_S, mie
    TEST_CSR_READ_ILLEGAL 7, PRV_S, mtvec
    TEST_CSR_READ_ILLEGAL 8, PRV_S, mscratch
    TEST_CSR_READ_ILLEGAL 9, PRV_S, mepc
    TEST_CSR_READ_ILLEGAL 10, PRV_S, mcause
    TEST_CSR_READ_ILLEGAL 11, PRV_S, mtval
    TEST_CSR_READ_ILLEGAL 12, PRV_S, mip
    TEST_CSR_READ_ILLEGAL 13, PRV_S, mhartid
    TEST_CSR_READ_ILLEGAL 14, PRV_S, pmpcfg0
    TEST_CSR_READ_ILLEGAL 15, PRV_S, pmpaddr0
    TEST_CSR_READ_ILLEGAL 16, PRV_S, mcounteren
    TEST_CSR_READ_ILLEGAL 17, PRV_S, mvendorid
    TEST_CSR_WRITE_ILLEGAL 18, PRV_S, mstatus
    TEST_CSR_WRITE_ILLEGAL 19, PRV_S, mscratch
    TEST_CSR_WRITE_ILLEGAL 20, PRV_S, mtvec
.option pop
    # S-mode CSRs work from S-mode
    li a1, 0x1234
    csrw sscratch, a1
    csrr a0, sscratch
    TEST_EQ 21, a0, 0x1234
    csrw sepc, a1
    csrr a0, sepc
    TEST_EQ 22, a0, 0x1234
    csrw stval, a1
    csrr a0, stval
    TEST_EQ 23, a0, 0x1234
    csrw scause, a1
    csrr a0, scause
    TEST_EQ 24, a0, 0x1234
    TEST_NO_TRAP 25, csrr a0, sstatus
    TEST_NO_TRAP 26, csrr a0, sie
    TEST_NO_TRAP 27, csrr a0, sip
    TEST_NO_TRAP 28, csrr a0, stvec
    TEST_NO_TRAP 29, csrr a0, scounteren
    TEST_NO_TRAP 30, csrr a0, satp
    ENTER_M
    # The writes from S-mode did not reach the M-mode registers
    csrr a0, mscratch
    li a1, 0x1234
    li gp, 31
    beq a0, a1, fail

    # --- U-mode ------------------------------------------------------------------------------------
    ENTER_U
.option push
.option norvc
    TEST_CSR_READ_ILLEGAL 32, PRV_U, mstatus
    TEST_CSR_READ_ILLEGAL 33, PRV_U, mhartid
    TEST_CSR_READ_ILLEGAL 34, PRV_U, mscratch
    TEST_CSR_READ_ILLEGAL 35, PRV_U, pmpcfg0
    TEST_CSR_READ_ILLEGAL 36, PRV_U, sstatus
    TEST_CSR_READ_ILLEGAL 37, PRV_U, sie
    TEST_CSR_READ_ILLEGAL 38, PRV_U, stvec
    TEST_CSR_READ_ILLEGAL 39, PRV_U, scounteren
    TEST_CSR_READ_ILLEGAL 40, PRV_U, sscratch
    TEST_CSR_READ_ILLEGAL 41, PRV_U, sepc
    TEST_CSR_READ_ILLEGAL 42, PRV_U, scause
    TEST_CSR_READ_ILLEGAL 43, PRV_U, stval
    TEST_CSR_READ_ILLEGAL 44, PRV_U, sip
    TEST_CSR_READ_ILLEGAL 45, PRV_U, satp
    TEST_CSR_WRITE_ILLEGAL 46, PRV_U, sscratch
    TEST_CSR_WRITE_ILLEGAL 47, PRV_U, satp
    TEST_CSR_WRITE_ILLEGAL 48, PRV_U, mstatus
.option pop
    ENTER_M
    j pass
"#
);
