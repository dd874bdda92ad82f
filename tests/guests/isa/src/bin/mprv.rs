//! mprv: with mstatus.MPRV = 1, do M-mode loads, stores and AMOs use the translation and permissions
//! of the mode in MPP — S (U pages need SUM), U (only U pages), and with MXR — raising page faults to
//! M-mode with mtval = the virtual address, while instruction fetches stay untranslated (the page table
//! used maps none of the code) and MPP = M means no translation at all? (A trap taken in M-mode sets
//! MPP = M and its MRET MPP = U, so MPP is set again after each expected trap.)
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ VA_BASE,       0x40000000
.equ VA_S,          VA_BASE + 0x0000   # R W: data_page
.equ VA_U,          VA_BASE + 0x1000   # U R W: data_page
.equ VA_X,          VA_BASE + 0x2000   # X only: data_page
.equ VA_UNMAPPED,   VA_BASE + 0x3000
.equ DATA_VALUE,    0x5555aaaa3333cccc

# Set MPRV = 1 with MPP = `mode`. Clobbers t0.
.macro MPRV_ON mode
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, (\mode << MSTATUS_MPP_SHIFT) | MSTATUS_MPRV
    csrs mstatus, t0
.endm

.macro MPRV_OFF
    li t0, MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR
    csrc mstatus, t0
.endm

test_main:
    PMP_OPEN_ALL
    la s10, data_page
    li t0, DATA_VALUE
    sd t0, 0(s10)
    MAP root, VA_BASE, 2, l1, PTE_V    # no mapping of the code or of the stack
    MAP l1, VA_BASE, 1, l0, PTE_V
    MAP l0, VA_S, 0, data_page, PTE_RW_AD
    MAP l0, VA_U, 0, data_page, PTE_RW_AD | PTE_U
    MAP l0, VA_X, 0, data_page, PTE_V | PTE_X | PTE_A | PTE_D
    SATP_SV39 root                     # M-mode: no effect on its own

    li s0, VA_S
    li s1, VA_U
    li s2, VA_X
    li s3, VA_UNMAPPED
    li s4, DATA_VALUE

    # --- MPP = S -----------------------------------------------------------------------------------------
    MPRV_ON PRV_S
    ld a0, 0(s0)
    TEST_REGS_EQ 2, a0, s4
    li t1, 0x77
    sd t1, 8(s0)
    addi t2, s0, 8
    amoadd.d a0, t1, (t2)              # an AMO through the translation
    TEST_EQ 3, a0, 0x77
    TEST_TRAP 4, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s3)
    TEST_REGS_EQ 5, t6, s3
    TEST_FROM_MODE 6, PRV_M
    MPRV_ON PRV_S                      # the trap and MRET left MPP = U: set it again
    TEST_TRAP 7, CAUSE_STORE_PAGE_FAULT, sd a0, 0(s3)
    MPRV_ON PRV_S
    TEST_TRAP 8, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s1)    # U page, SUM = 0
    MPRV_ON PRV_S
    TEST_TRAP 9, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s2)    # X only, MXR = 0
    MPRV_OFF
    ld a0, 8(s10)                      # physically: the AMO's result
    TEST_EQ 10, a0, 0xee
    MPRV_ON PRV_S
    li t0, MSTATUS_SUM | MSTATUS_MXR
    csrs mstatus, t0
    ld a0, 0(s1)
    TEST_REGS_EQ 11, a0, s4
    ld a0, 0(s2)
    TEST_REGS_EQ 12, a0, s4
    MPRV_OFF

    # --- MPP = U -----------------------------------------------------------------------------------------
    MPRV_ON PRV_U
    ld a0, 0(s1)
    TEST_REGS_EQ 13, a0, s4
    sw zero, 16(s1)
    TEST_TRAP 14, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s0)   # not a U page
    TEST_REGS_EQ 15, t6, s0
    MPRV_ON PRV_U
    TEST_TRAP 16, CAUSE_STORE_PAGE_FAULT, sd a0, 0(s0)
    MPRV_OFF

    # --- MPP = M: no translation -------------------------------------------------------------------------
    MPRV_ON PRV_M
    ld a0, 0(s10)                      # a physical address that is not mapped in the page table
    TEST_REGS_EQ 17, a0, s4
    MPRV_OFF

    # --- MPRV = 1 with satp = Bare: addresses are physical --------------------------------------------
    csrw satp, zero
    sfence.vma
    MPRV_ON PRV_S
    ld a0, 0(s10)
    TEST_REGS_EQ 18, a0, s4
    MPRV_OFF
    j pass

.data
.balign 4096
root:       .zero 4096
l1:         .zero 4096
l0:         .zero 4096
data_page:  .zero 4096
"#
);
