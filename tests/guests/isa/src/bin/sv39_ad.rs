//! sv39_ad: when a leaf PTE has A or D clear, does an access set them in the PTE in memory (QEMU 7.2
//! updates A and D itself instead of raising a page fault): a load, a fetch and an AMO set A, a store
//! and an AMO also set D, in 4 KiB and in superpage leaves, for S-mode and U-mode and for M-mode with
//! MPRV; does an access that faults for another reason (a store to a read-only page) leave A and D alone;
//! and are inner PTEs never changed?
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ VA_BASE,       0x40000000
.equ VA_LOAD,       VA_BASE + 0x0000   # R W, A = D = 0: a load
.equ VA_STORE,      VA_BASE + 0x1000   # R W, A = D = 0: a store
.equ VA_AMO,        VA_BASE + 0x2000   # R W, A = D = 0: an AMO
.equ VA_DIRTY,      VA_BASE + 0x3000   # R W, A = 1, D = 0: a store
.equ VA_FETCH,      VA_BASE + 0x4000   # X, A = 0 (code_page)
.equ VA_RO,         VA_BASE + 0x5000   # R, A = 0: a store faults
.equ VA_USER,       VA_BASE + 0x6000   # U R W, A = D = 0: U-mode store
.equ VA_MPRV,       VA_BASE + 0x7000   # R W, A = D = 0: M-mode store with MPRV, MPP = S
.equ VA_MEGA,       VA_BASE + 0x200000 # 2 MiB R W leaf at RAM_BASE, A = D = 0
.equ PTE_RW,        PTE_V | PTE_R | PTE_W
.equ PTE_AD,        PTE_A | PTE_D
.equ INSN_C_LI_A0_7, 0x451d
.equ INSN_C_RET,    0x8082

# a0 = the l0 PTE of `va` (read in M-mode). Clobbers t1, t2.
.macro READ_PTE0 va
    PTE_ADDR l0, \va, 0
    ld a0, 0(t1)
.endm

# Check `num`: the A and D bits of the PTE in a0 are `ad`.
.macro TEST_AD num, ad
    andi a0, a0, PTE_AD
    TEST_EQ \num, a0, \ad
.endm

test_main:
    PMP_OPEN_ALL
    la t0, code_page
    li t1, INSN_C_LI_A0_7 | (INSN_C_RET << 16)
    sw t1, 0(t0)
    fence.i
    MAP_PA root_s, RAM_BASE, 2, RAM_BASE, PTE_RWX_AD
    MAP_PA root_u, RAM_BASE, 2, RAM_BASE, PTE_RWX_AD | PTE_U
    MAP root_s, VA_BASE, 2, l1, PTE_V
    MAP root_u, VA_BASE, 2, l1, PTE_V
    MAP l1, VA_BASE, 1, l0, PTE_V
    MAP_PA l1, VA_MEGA, 1, RAM_BASE, PTE_RW
    MAP l0, VA_LOAD, 0, data_page, PTE_RW
    MAP l0, VA_STORE, 0, data_page, PTE_RW
    MAP l0, VA_AMO, 0, data_page, PTE_RW
    MAP l0, VA_DIRTY, 0, data_page, PTE_RW | PTE_A
    MAP l0, VA_FETCH, 0, code_page, PTE_V | PTE_X
    MAP l0, VA_RO, 0, data_page, PTE_V | PTE_R
    MAP l0, VA_USER, 0, data_page, PTE_RW | PTE_U
    MAP l0, VA_MPRV, 0, data_page, PTE_RW
    PTE_ADDR l1, VA_BASE, 1
    ld s11, 0(t1)                      # the inner PTE as written
    SATP_SV39 root_s

    # --- S-mode accesses ---------------------------------------------------------------------------------
    ENTER_S
    li s0, VA_LOAD
    ld a0, 0(s0)
    li s0, VA_STORE
    sd zero, 0(s0)
    li s0, VA_AMO
    amoadd.d zero, zero, (s0)
    li s0, VA_DIRTY
    sw zero, 4(s0)
    li s0, VA_FETCH
    jalr ra, 0(s0)
    TEST_EQ 2, a0, 7
    li s0, VA_RO
    TEST_TRAP 3, CAUSE_STORE_PAGE_FAULT, sd zero, 0(s0)
    li s0, VA_MEGA
    ld a0, 0(s0)
    ENTER_M
    READ_PTE0 VA_LOAD
    TEST_AD 4, PTE_A
    READ_PTE0 VA_STORE
    TEST_AD 5, PTE_AD
    READ_PTE0 VA_AMO
    TEST_AD 6, PTE_AD
    READ_PTE0 VA_DIRTY
    TEST_AD 7, PTE_AD
    READ_PTE0 VA_FETCH
    TEST_AD 8, PTE_A
    READ_PTE0 VA_RO
    TEST_AD 9, 0                       # faulting store: untouched
    PTE_ADDR l1, VA_MEGA, 1
    ld a0, 0(t1)
    TEST_AD 10, PTE_A                  # a megapage leaf gets its A bit
    # the rest of the PTEs is unchanged: only A/D were added
    READ_PTE0 VA_STORE
    la t0, data_page
    MAKE_PTE t0, t0, PTE_RW | PTE_AD
    TEST_REGS_EQ 11, a0, t0
    PTE_ADDR l1, VA_BASE, 1
    ld a0, 0(t1)
    TEST_REGS_EQ 12, a0, s11           # inner PTEs are not changed

    # --- a store to the same megapage later sets D --------------------------------------------------------
    ENTER_S
    li s0, VA_MEGA
    la t0, data_page                   # data_page through the megapage
    li t1, RAM_BASE
    sub t0, t0, t1
    add s0, s0, t0
    sd zero, 8(s0)
    ENTER_M
    PTE_ADDR l1, VA_MEGA, 1
    ld a0, 0(t1)
    TEST_AD 13, PTE_AD

    # --- U-mode -----------------------------------------------------------------------------------------
    SATP_SV39 root_u
    ENTER_U
    li s0, VA_USER
    sb zero, 0(s0)
    ENTER_M
    READ_PTE0 VA_USER
    TEST_AD 14, PTE_AD

    # --- M-mode with MPRV = 1, MPP = S: translated with S-mode rules, A/D set as well --------------------
    SATP_SV39 root_s
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPP_S | MSTATUS_MPRV
    csrs mstatus, t0
    li s0, VA_MPRV
    sh zero, 2(s0)
    li t0, MSTATUS_MPRV
    csrc mstatus, t0
    READ_PTE0 VA_MPRV
    TEST_AD 15, PTE_AD

    csrw satp, zero
    sfence.vma
    j pass

.data
.balign 4096
root_s:     .zero 4096
root_u:     .zero 4096
l1:         .zero 4096
l0:         .zero 4096
data_page:  .zero 4096
code_page:  .zero 4096
"#
);
