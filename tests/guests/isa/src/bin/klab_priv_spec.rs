//! klab_priv_spec (klab only): does klab follow the privileged spec 1.12 where QEMU 7.2 does not —
//! CSRRS/CSRRC with rs1 != x0 write even when the register holds 0, so they are illegal on a read-only
//! CSR; mstatus.MPP never holds the reserved value 2 and mstatus.UXL stays 2 (WARL); mepc[0] and sepc[0]
//! read 0 (IALIGN = 16); pmpaddr bits 63..54 read 0; MRET and SRET to a mode below M clear MPRV;
//! mcountinhibit.IR/CY stop instret/cycle; and S-mode may never execute a U page, even with SUM = 1 and
//! a data access to it just before (QEMU 7.2 reuses that access's TLB entry)?
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ MSTATUS_UXL_64,        2 << 32
.equ MCOUNTINHIBIT_CY,      1 << 0
.equ MCOUNTINHIBIT_IR,      1 << 2
.equ PMPADDR_HIGH_BITS,     0xffc0000000000000  # bits 63..54
.equ VA_U_CODE,             0x40000000
.equ INSN_C_LI_A0_7,        0x451d
.equ INSN_C_RET,            0x8082
.equ SPIN_COUNT,            200

test_main:
    # --- CSRRS / CSRRC with a zero register still write -------------------------------------------
    li s0, 0
    TEST_TRAP 2, CAUSE_ILLEGAL_INSTRUCTION, csrrs a0, mhartid, s0
    TEST_TRAP 3, CAUSE_ILLEGAL_INSTRUCTION, csrrc a0, mvendorid, s0
    TEST_TRAP 4, CAUSE_ILLEGAL_INSTRUCTION, csrrs a0, cycle, s0
    TEST_TRAP 5, CAUSE_ILLEGAL_INSTRUCTION, csrrc a0, time, s0

    # --- WARL fields keep legal values ---------------------------------------------------------------
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, 2 << MSTATUS_MPP_SHIFT
    csrs mstatus, t0
    csrr a0, mstatus
    srli a0, a0, MSTATUS_MPP_SHIFT
    andi a0, a0, 3
    li gp, 6
    li t0, 2
    beq a0, t0, fail                   # any of U, S, M, but not 2
    li t0, MSTATUS_UXL
    csrs mstatus, t0
    csrr a0, mstatus
    and a0, a0, t0
    TEST_EQ 7, a0, MSTATUS_UXL_64
    li t0, -1
    csrw mepc, t0
    csrr a0, mepc
    TEST_EQ 8, a0, -2
    csrw sepc, t0
    csrr a0, sepc
    TEST_EQ 9, a0, -2
    csrw pmpaddr0, t0
    csrr a0, pmpaddr0
    li t0, PMPADDR_HIGH_BITS
    and a0, a0, t0
    TEST_EQ 10, a0, 0
    csrw pmpaddr0, zero

    # --- xRET to a lower mode clears MPRV ----------------------------------------------------------------
    PMP_OPEN_ALL
    li t0, MSTATUS_MPRV
    csrs mstatus, t0
    ENTER_S                            # MRET with MPP = S
    ENTER_M
    csrr a0, mstatus
    li t0, MSTATUS_MPRV
    and a0, a0, t0
    TEST_EQ 11, a0, 0
    li t0, MSTATUS_MPRV
    csrs mstatus, t0
    ENTER_U
    ENTER_M
    csrr a0, mstatus
    li t0, MSTATUS_MPRV
    and a0, a0, t0
    TEST_EQ 12, a0, 0
    li t0, MSTATUS_MPRV | MSTATUS_SPP  # SRET from M-mode to S-mode
    csrs mstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
1:  ENTER_M
    csrr a0, mstatus
    li t0, MSTATUS_MPRV
    and a0, a0, t0
    TEST_EQ 13, a0, 0

    # --- mcountinhibit ---------------------------------------------------------------------------------
    li t0, MCOUNTINHIBIT_IR
    csrw mcountinhibit, t0
    rdinstret s0
    li t0, SPIN_COUNT
2:  addi t0, t0, -1
    bnez t0, 2b
    rdinstret s1
    TEST_REGS_EQ 14, s0, s1
    li t0, MCOUNTINHIBIT_CY
    csrw mcountinhibit, t0
    rdcycle s0
    li t0, SPIN_COUNT
2:  addi t0, t0, -1
    bnez t0, 2b
    rdcycle s1
    TEST_REGS_EQ 15, s0, s1
    rdinstret s0                       # IR no longer inhibited
    li t0, SPIN_COUNT
2:  addi t0, t0, -1
    bnez t0, 2b
    rdinstret s1
    li gp, 16
    bleu s1, s0, fail
    csrw mcountinhibit, zero

    # --- S-mode never executes a U page ----------------------------------------------------------------
    la t0, u_code_page
    li t1, INSN_C_LI_A0_7 | (INSN_C_RET << 16)
    sw t1, 0(t0)
    fence.i
    MAP_PA root, RAM_BASE, 2, RAM_BASE, PTE_RWX_AD
    MAP root, VA_U_CODE, 2, l1, PTE_V
    MAP l1, VA_U_CODE, 1, l0, PTE_V
    MAP l0, VA_U_CODE, 0, u_code_page, PTE_RWX_AD | PTE_U
    SATP_SV39 root
    li t0, MSTATUS_SUM
    csrs mstatus, t0
    ENTER_S
    li s0, VA_U_CODE
    lhu a0, 0(s0)                      # a data access (allowed by SUM) ...
    TEST_EQ 17, a0, INSN_C_LI_A0_7
    li gp, 18
    la tp, 1f
    jalr ra, 0(s0)                     # ... does not open the page to fetches
1:  bnez tp, fail
    TEST_EQ 19, t5, CAUSE_FETCH_PAGE_FAULT
    TEST_REGS_EQ 20, t6, s0
    ENTER_M
    li t0, MSTATUS_SUM
    csrc mstatus, t0
    csrw satp, zero
    sfence.vma
    j pass

.data
.balign 4096
root:           .zero 4096
l1:             .zero 4096
l0:             .zero 4096
u_code_page:    .zero 4096
"#
);
