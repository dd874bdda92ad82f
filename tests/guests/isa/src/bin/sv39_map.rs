//! sv39_map: does Sv39 translate through 4 KiB pages, 2 MiB megapages and 1 GiB gigapages (identity and
//! offset mappings, aliases, a high canonical address), fetch instructions through them (including a
//! 32-bit instruction split over two pages that map to distant physical pages), raise a page fault with
//! the virtual address in mtval for a misaligned superpage (PPN bits below its level not zero), see a
//! changed PTE after SFENCE.VMA (global and for one address), report mepc = the instruction and mtval =
//! the second page for a fetch that crosses into an unmapped page, and ignore a satp write with an
//! unsupported MODE (the whole write)?
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
# Virtual layout
.equ VA_4K,         0x40000000         # l0[0]: data_page0, l0[1]: data_page1, l0[2]: data_page0 again
.equ VA_CODE,       0x40003000         # l0[3]: code_page0, l0[4]: code_page1, l0[5]: unmapped
.equ VA_MEGA,       0x40200000         # 2 MiB at RAM_BASE
.equ VA_MEGA_BAD,   0x40400000         # 2 MiB "at" RAM_BASE + 4 KiB: misaligned
.equ VA_GIGA_BAD,   0xc0000000         # 1 GiB "at" RAM_BASE + 2 MiB: misaligned
.equ VA_HIGH,       0xffffffc000000000 # 1 GiB at RAM_BASE, VPN[2] = 256
.equ INSN_ADDI_A0_1, 0x00150513        # addi a0, a0, 1
.equ INSN_C_RET,    0x8082             # c.jr ra
.equ INSN_C_NOP,    0x0001
.equ SATP_MODE_RESERVED, 1             # MODE values 1..7 are reserved
.equ SATP_MODE_RESERVED_15, 15         # and so is 15

test_main:
    PMP_OPEN_ALL
    # Physical contents
    la t0, data_page0
    li t1, 0x0000000011111111
    sd t1, 0(t0)
    la t0, data_page1
    li t1, 0x0000000022222222
    sd t1, 0(t0)
    # code_page0 ends with c.nop and the first half of addi a0, a0, 1; code_page1 starts with the second
    # half and a c.ret; code_page1 ends with the first half of the addi, the next page is unmapped
    la t0, code_page0 + PAGE_SIZE - 4
    li t1, INSN_C_NOP
    sh t1, 0(t0)
    li t1, INSN_ADDI_A0_1 & 0xffff
    sh t1, 2(t0)
    la t0, code_page1
    li t1, INSN_ADDI_A0_1 >> 16
    sh t1, 0(t0)
    li t1, INSN_C_RET
    sh t1, 2(t0)
    la t0, code_page1 + PAGE_SIZE - 2
    li t1, INSN_ADDI_A0_1 & 0xffff
    sh t1, 0(t0)
    fence.i

    # Page tables
    MAP_PA root, RAM_BASE, 2, RAM_BASE, PTE_RWX_AD
    MAP_PA root, VA_HIGH, 2, RAM_BASE, PTE_RWX_AD
    MAP_PA root, VA_GIGA_BAD, 2, RAM_BASE + MEGAPAGE_SIZE, PTE_RW_AD
    MAP root, VA_4K, 2, l1, PTE_V
    MAP l1, VA_4K, 1, l0, PTE_V
    MAP_PA l1, VA_MEGA, 1, RAM_BASE, PTE_RWX_AD
    MAP_PA l1, VA_MEGA_BAD, 1, RAM_BASE + PAGE_SIZE, PTE_RWX_AD
    MAP l0, VA_4K, 0, data_page0, PTE_RW_AD
    MAP l0, VA_4K + PAGE_SIZE, 0, data_page1, PTE_RW_AD
    MAP l0, VA_4K + 2 * PAGE_SIZE, 0, data_page0, PTE_RW_AD
    MAP l0, VA_CODE, 0, code_page0, PTE_RWX_AD
    MAP l0, VA_CODE + PAGE_SIZE, 0, code_page1, PTE_RWX_AD
    SATP_SV39 root
    ENTER_S                            # from here on S-mode runs translated, through the identity gigapage

    # --- 4 KiB pages ----------------------------------------------------------------------------------
    li s0, VA_4K
    ld a0, 0(s0)
    TEST_EQ 2, a0, 0x11111111
    li t0, PAGE_SIZE
    add s1, s0, t0
    ld a0, 0(s1)
    TEST_EQ 3, a0, 0x22222222
    li t0, 2 * PAGE_SIZE
    add s2, s0, t0
    li t1, 0x3333
    sd t1, 8(s2)                       # through the alias ...
    ld a0, 8(s0)                       # ... seen through the first mapping
    TEST_EQ 4, a0, 0x3333
    ENTER_M
    la t0, data_page0                  # ... and physically
    ld a0, 8(t0)
    TEST_EQ 5, a0, 0x3333
    ENTER_S

    # --- A 2 MiB megapage at RAM_BASE -----------------------------------------------------------------
    la s3, data_page1                  # physical = identity-mapped virtual
    li t0, RAM_BASE
    sub s3, s3, t0
    li t0, VA_MEGA
    add s3, s3, t0                     # s3 = data_page1 through the megapage
    ld a0, 0(s3)
    TEST_EQ 6, a0, 0x22222222
    li t1, 0x4444
    sd t1, 16(s3)
    ld a0, 16(s1)
    TEST_EQ 7, a0, 0x4444

    # --- A 1 GiB gigapage at a high canonical address: data and code ---------------------------------
    la s4, data_page0
    li t0, RAM_BASE
    sub s4, s4, t0
    li t0, VA_HIGH
    add s4, s4, t0
    ld a0, 0(s4)
    TEST_EQ 8, a0, 0x11111111
    la t1, where_am_i
    li t0, RAM_BASE
    sub t1, t1, t0
    li t0, VA_HIGH
    add s5, t1, t0                     # s5 = where_am_i through the high mapping
    jalr ra, 0(s5)
    TEST_REGS_EQ 9, a0, s5             # auipc there sees the high pc

    # --- Misaligned superpages --------------------------------------------------------------------------
    li s6, VA_MEGA_BAD + 0x10
    TEST_TRAP 10, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s6)
    TEST_REGS_EQ 11, t6, s6
    TEST_TRAP 12, CAUSE_STORE_PAGE_FAULT, sd a0, 0(s6)
    TEST_REGS_EQ 13, t6, s6
    li gp, 14
    la tp, 1f
    jalr ra, 0(s6)
1:  TEST_EQ 15, t5, CAUSE_FETCH_PAGE_FAULT
    TEST_REGS_EQ 16, t6, s6
    TEST_REGS_EQ 17, t4, s6
    li s6, VA_GIGA_BAD + 0x123458
    TEST_TRAP 18, CAUSE_LOAD_PAGE_FAULT, lw a0, 0(s6)
    TEST_REGS_EQ 19, t6, s6

    # --- A 32-bit instruction across two pages ------------------------------------------------------------
    li a0, 41
    li t0, VA_CODE + PAGE_SIZE - 4
    jalr ra, 0(t0)                     # c.nop; addi a0, a0, 1 (split); c.ret
    TEST_EQ 20, a0, 42
    # ... and across into an unmapped page: mepc = the instruction, mtval = the unmapped page
    li s7, VA_CODE + 2 * PAGE_SIZE - 2
    li gp, 21
    la tp, 1f
    jalr ra, 0(s7)
1:  TEST_EQ 22, t5, CAUSE_FETCH_PAGE_FAULT
    TEST_REGS_EQ 23, t4, s7
    li t0, VA_CODE + 2 * PAGE_SIZE
    TEST_REGS_EQ 24, t6, t0

    # --- SFENCE.VMA makes a changed PTE visible ---------------------------------------------------------
    ld a0, 0(s0)                       # translation of VA_4K in use: data_page0
    TEST_EQ 25, a0, 0x11111111
    ENTER_M
    MAP l0, VA_4K, 0, data_page1, PTE_RW_AD
    ENTER_S
    sfence.vma
    ld a0, 0(s0)
    TEST_EQ 26, a0, 0x22222222
    ENTER_M
    MAP l0, VA_4K, 0, data_page0, PTE_RW_AD
    ENTER_S
    sfence.vma s0, zero                # just this address
    ld a0, 0(s0)
    TEST_EQ 27, a0, 0x11111111
    ENTER_M
    MAP l0, VA_4K, 0, data_page1, PTE_RW_AD
    ENTER_S
    sfence.vma zero, zero              # all addresses, all ASIDs (ASID 0 in use)
    ld a0, 0(s0)
    TEST_EQ 28, a0, 0x22222222

    # --- satp with a reserved MODE: the write is ignored, translation goes on ----------------------------
    csrr s8, satp
    li t0, SATP_MODE_RESERVED << SATP_MODE_SHIFT
    csrw satp, t0
    csrr a0, satp
    TEST_REGS_EQ 29, a0, s8
    ld a0, 0(s0)
    TEST_EQ 30, a0, 0x22222222
    li t0, SATP_MODE_RESERVED_15 << SATP_MODE_SHIFT
    csrw satp, t0
    csrr a0, satp
    TEST_REGS_EQ 31, a0, s8
    # satp = Bare from S-mode switches translation off
    csrw satp, zero
    sfence.vma
    la t0, data_page0
    ld a0, 0(t0)
    TEST_EQ 32, a0, 0x11111111
    ENTER_M
    j pass

where_am_i:
    auipc a0, 0
    ret

.data
.balign 4096
root:       .zero 4096
l1:         .zero 4096
l0:         .zero 4096
data_page0: .zero 4096
data_page1: .zero 4096
code_page0: .zero 4096
.zero 4096                             # keeps code_page1 away from code_page0
code_page1: .zero 4096
"#
);
