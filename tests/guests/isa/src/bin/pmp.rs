//! pmp: do S-mode and U-mode run under PMP set up the way bare-metal kernels do it (TOR up to
//! all-ones >> 10, or NAPOT over everything, RWX); do NAPOT, NA4 and TOR regions without a permission
//! deny S-mode and U-mode loads, stores and fetches with load/store/instruction access faults (causes 5,
//! 7, 1) and mtval = the address, while M-mode is not checked against unlocked entries; does the
//! lowest-numbered matching entry decide; does a S-mode access that no entry matches fail once any entry
//! is active (a fetch at the MRET target: mepc = mtval = the target); do MPRV accesses use the MPP
//! mode's PMP rights; and do page-table walks fail with an access fault of the original access type
//! (mtval = the virtual address) when a page-table page is not readable? (An AMO denied by PMP:
//! `klab_amo_spec`.)
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ PMP_NO_ACCESS,     0
.equ PMPADDR_ALL_TOR,   0x003fffffffffffff     # all ones >> 10: the top of a 56-bit space, TOR
.equ NAPOT_4K_BITS,     (PAGE_SIZE >> 3) - 1   # NAPOT mask for 4 KiB
.equ INSN_C_LI_A0_7,    0x451d
.equ INSN_C_RET,        0x8082
.equ VA_BASE,           0x40000000

# pmpaddr`n` = NAPOT encoding of the 4 KiB page at label `page`. Clobbers t0.
.macro PMP_NAPOT_4K n, page
    la t0, \page
    srli t0, t0, 2
    ori t0, t0, NAPOT_4K_BITS
    csrw pmpaddr\n, t0
.endm

# pmpaddr`n` = `label` >> 2 (for NA4 and TOR). Clobbers t0.
.macro PMP_ADDR n, label
    la t0, \label
    srli t0, t0, 2
    csrw pmpaddr\n, t0
.endm

# Clear every pmpcfg of entries 0..15. Clobbers nothing.
.macro PMP_OFF_ALL
    csrw pmpcfg0, zero
    csrw pmpcfg2, zero
.endm

# Check `num`..`num + 1`: `insn` raises access fault `cause` with mtval = register `reg`.
.macro TEST_AF num, cause, reg, insn:vararg
    TEST_TRAP \num, \cause, \insn
    TEST_REGS_EQ (\num + 1), t6, \reg
.endm

# Check `num`..`num + 2`: a jump to `reg` raises an instruction access fault there.
.macro TEST_FETCH_AF num, reg
    li gp, \num
    la tp, 99f
    jalr ra, 0(\reg)
99: bnez tp, fail
    TEST_EQ (\num + 1), t5, CAUSE_FETCH_ACCESS
    TEST_REGS_EQ (\num + 2), t6, \reg
    bne t4, \reg, fail
.endm

test_main:
    la t0, page_x
    li t1, INSN_C_LI_A0_7 | (INSN_C_RET << 16)
    sw t1, 0(t0)
    fence.i

    # --- Kernel-style PMP: TOR up to all ones >> 10, RWX ------------------------------------------------
    li t0, PMPADDR_ALL_TOR
    csrw pmpaddr0, t0
    li t0, PMP_RWX | PMP_A_TOR
    csrw pmpcfg0, t0
    ENTER_S
    la t0, page_none
    ld a0, 0(t0)
    TEST_EQ 2, a0, 0
    ENTER_M
    # ... and NAPOT over everything
    PMP_OPEN_ALL
    ENTER_U
    la t0, page_none
    sd zero, 0(t0)
    TEST_NO_TRAP 3, nop
    ENTER_M

    # --- Regions ----------------------------------------------------------------------------------------
    #   0 NAPOT page_none  ---      1 NAPOT page_r  R--      2 NAPOT page_x  --X
    #   3 NA4 page_na4+8   ---      4 OFF (TOR base page_tor)  5 TOR page_tor..+4K  ---
    #   6 NAPOT page_r RWX (shadowed by entry 1)               7 NAPOT everything  RWX
    PMP_NAPOT_4K 0, page_none
    PMP_NAPOT_4K 1, page_r
    PMP_NAPOT_4K 2, page_x
    PMP_ADDR 3, page_na4 + 8
    PMP_ADDR 4, page_tor
    PMP_ADDR 5, page_tor + PAGE_SIZE
    PMP_NAPOT_4K 6, page_r
    li t0, -1
    csrw pmpaddr7, t0
    li t0, ((PMP_RWX | PMP_A_NAPOT) << 56) | ((PMP_RWX | PMP_A_NAPOT) << 48) | (PMP_A_TOR << 40) | (PMP_A_NA4 << 24) | ((PMP_X | PMP_A_NAPOT) << 16) | ((PMP_R | PMP_A_NAPOT) << 8) | PMP_A_NAPOT
    csrw pmpcfg0, t0
    csrr a0, pmpcfg0
    TEST_REGS_EQ 4, a0, t0             # all these configurations are legal: read back as written

    ENTER_S
    la s0, page_none
    TEST_AF 5, CAUSE_LOAD_ACCESS, s0, ld a0, 0(s0)
    TEST_AF 7, CAUSE_STORE_ACCESS, s0, sd a0, 0(s0)
    TEST_FETCH_AF 11, s0
    la s0, page_r
    ld a0, 0(s0)                       # R: entry 1 decides, not entry 6
    TEST_AF 14, CAUSE_STORE_ACCESS, s0, sd a0, 0(s0)
    TEST_FETCH_AF 16, s0
    la s0, page_x
    jalr ra, 0(s0)
    TEST_EQ 19, a0, 7
    TEST_AF 20, CAUSE_LOAD_ACCESS, s0, lw a0, 0(s0)
    la s0, page_na4 + 8
    TEST_AF 22, CAUSE_LOAD_ACCESS, s0, lw a0, 0(s0)
    TEST_AF 24, CAUSE_STORE_ACCESS, s0, sb a0, 0(s0)
    lw a0, -4(s0)                      # the words on both sides are fine
    lw a0, 4(s0)
    la s0, page_tor
    TEST_AF 26, CAUSE_LOAD_ACCESS, s0, lb a0, 0(s0)
    la s0, page_tor + PAGE_SIZE - 8
    TEST_AF 28, CAUSE_STORE_ACCESS, s0, sd a0, 0(s0)
    la s0, page_tor + PAGE_SIZE        # TOR's top is exclusive
    ld a0, 0(s0)
    TEST_NO_TRAP 30, nop
    ENTER_M
    # U-mode is checked the same way
    ENTER_U
    la s0, page_none
    TEST_AF 31, CAUSE_LOAD_ACCESS, s0, lbu a0, 0(s0)
    TEST_FROM_MODE 33, PRV_U
    la s0, page_r
    TEST_AF 34, CAUSE_STORE_ACCESS, s0, sw a0, 0(s0)
    la s0, page_x
    jalr ra, 0(s0)
    TEST_EQ 36, a0, 7
    ENTER_M
    # M-mode is not checked against unlocked entries
    la s0, page_none
    sd zero, 0(s0)
    la s0, page_r
    sd zero, 0(s0)
    la s0, page_tor
    ld a0, 0(s0)
    TEST_NO_TRAP 37, nop
    # ... unless MPRV makes its loads and stores S-mode ones
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPP_S | MSTATUS_MPRV
    csrs mstatus, t0
    la s0, page_none
    TEST_AF 38, CAUSE_LOAD_ACCESS, s0, ld a0, 0(s0)
    TEST_FROM_MODE 40, PRV_M
    li t0, MSTATUS_MPRV
    csrc mstatus, t0

    # --- A page-table walk that reads a PMP-protected page -------------------------------------------
    # l0 lies in page_none: loads, stores and fetches through it fail as access faults at the VA
    MAP_PA root, RAM_BASE, 2, RAM_BASE, PTE_RWX_AD
    MAP root, VA_BASE, 2, l1, PTE_V
    MAP l1, VA_BASE, 1, page_none, PTE_V
    SATP_SV39 root
    ENTER_S
    li s0, VA_BASE + 0x10
    TEST_AF 41, CAUSE_LOAD_ACCESS, s0, ld a0, 0(s0)
    TEST_AF 43, CAUSE_STORE_ACCESS, s0, sd a0, 0(s0)
    TEST_FETCH_AF 45, s0
    ENTER_M
    csrw satp, zero
    sfence.vma

    # --- Entries active, none matching: an S-mode fetch fails --------------------------------------------
    PMP_OFF_ALL
    PMP_NAPOT_4K 0, page_none
    li t0, PMP_RWX | PMP_A_NAPOT
    csrw pmpcfg0, t0
    li gp, 48
    la tp, 1f + 1                      # resume in M-mode
    ENTER_S
.Lfirst_s_insn:
    j fail
1:  TEST_EQ 49, t5, CAUSE_FETCH_ACCESS
    la t0, .Lfirst_s_insn
    TEST_REGS_EQ 50, t4, t0
    TEST_REGS_EQ 51, t6, t0
    TEST_FROM_MODE 52, PRV_S
    PMP_OFF_ALL
    j pass

.data
.balign 4096
page_none:  .zero 4096
page_r:     .zero 4096
page_x:     .zero 4096
page_na4:   .zero 4096
page_tor:   .zero 4096
            .zero 4096
root:       .zero 4096
l1:         .zero 4096
"#
);
