//! misaligned: are regular loads and stores at addresses that are not a multiple of their size —
//! LH/LHU/LW/LWU/LD and SH/SW/SD at every odd offset, across 8-byte boundaries — performed (QEMU 7.2 does
//! them in hardware, no trap), little-endian, with sign/zero extension, touching only their own bytes;
//! and, under Sv39, across a page boundary: performed when both pages are mapped (to non-contiguous
//! physical pages), and when the second page is unmapped or read-only, a page fault with mtval = the
//! start of the second page (QEMU 7.2) and for a store nothing written to the first page; when the first
//! page faults, mtval = the address itself? Across the end of RAM: an access fault with mtval = the first
//! address past RAM (QEMU 7.2 writes the bytes that are in RAM first; not checked).
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ VA_BASE,       0x40000000
.equ VA_P0,         VA_BASE + 0x0000   # page0 (R W)
.equ VA_P1,         VA_BASE + 0x1000   # page1 (R W), far from page0 physically
.equ VA_HOLE,       VA_BASE + 0x2000   # unmapped
.equ VA_P2,         VA_BASE + 0x3000   # page2 (R W)
.equ VA_RO,         VA_BASE + 0x4000   # page3 (R only)
.equ RAM_END,       RAM_BASE + 0x8000000

test_main:
    # LH
    TEST_LD_OP 2, lh, 0x5b3e, 1, mis_data
    TEST_LD_OP 3, lh, 0xffffffffffff9578, 3, mis_data
    TEST_LD_OP 4, lh, 0x9ec, 7, mis_data
    TEST_LD_OP 5, lh, 0xfffffffffffff1d4, 15, mis_data

    # LHU
    TEST_LD_OP 6, lhu, 0x5b3e, 1, mis_data
    TEST_LD_OP 7, lhu, 0xcfb2, 5, mis_data
    TEST_LD_OP 8, lhu, 0x4326, 9, mis_data

    # LW
    TEST_LD_OP 9, lw, 0xffffffff95785b3e, 1, mis_data
    TEST_LD_OP 10, lw, 0xffffffffb295785b, 2, mis_data
    TEST_LD_OP 11, lw, 0xffffffffcfb29578, 3, mis_data
    TEST_LD_OP 12, lw, 0x9eccfb2, 5, mis_data
    TEST_LD_OP 13, lw, 0x2609eccf, 6, mis_data
    TEST_LD_OP 14, lw, 0x432609ec, 7, mis_data
    TEST_LD_OP 15, lw, 0xfffffffff1d4b79a, 13, mis_data

    # LWU
    TEST_LD_OP 16, lwu, 0x95785b3e, 1, mis_data
    TEST_LD_OP 17, lwu, 0xcfb29578, 3, mis_data
    TEST_LD_OP 18, lwu, 0x2609eccf, 6, mis_data
    TEST_LD_OP 19, lwu, 0xb79a7d60, 11, mis_data

    # LD
    TEST_LD_OP 20, ld, 0x9eccfb295785b3e, 1, mis_data
    TEST_LD_OP 21, ld, 0x2609eccfb295785b, 2, mis_data
    TEST_LD_OP 22, ld, 0x432609eccfb29578, 3, mis_data
    TEST_LD_OP 23, ld, 0x60432609eccfb295, 4, mis_data
    TEST_LD_OP 24, ld, 0x7d60432609eccfb2, 5, mis_data
    TEST_LD_OP 25, ld, 0x9a7d60432609eccf, 6, mis_data
    TEST_LD_OP 26, ld, 0xb79a7d60432609ec, 7, mis_data
    TEST_LD_OP 27, ld, 0xf1d4b79a7d604326, 9, mis_data
    TEST_LD_OP 28, ld, 0x9f8265482b0ef1d4, 15, mis_data

    # Stores at odd offsets write exactly their bytes
    la s0, mis_buf
    sd zero, 0(s0)
    sd zero, 8(s0)
    sd zero, 16(s0)
    li a1, 0x8877665544332211
    sh a1, 1(s0)
    ld a0, 0(s0)
    TEST_EQ 29, a0, 0x0000000000221100
    sw a1, 5(s0)
    ld a0, 0(s0)
    TEST_EQ 30, a0, 0x3322110000221100
    ld a0, 8(s0)
    TEST_EQ 31, a0, 0x44
    sd a1, 11(s0)
    ld a0, 8(s0)
    TEST_EQ 32, a0, 0x5544332211000044
    ld a0, 16(s0)
    TEST_EQ 33, a0, 0x0000000000887766
    sh a1, 15(s0)
    ld a0, 8(s0)
    TEST_EQ 34, a0, 0x1144332211000044
    ld a0, 16(s0)
    TEST_EQ 35, a0, 0x0000000000887722
    # A misaligned store then a misaligned load of the same bytes
    li a1, -2
    sw a1, 19(s0)
    lw a0, 19(s0)
    TEST_EQ 36, a0, -2
    lwu a0, 19(s0)
    TEST_EQ 37, a0, 0xfffffffe
    lh a0, 21(s0)
    TEST_EQ 38, a0, -1

    # Across the end of RAM: access faults at the first address past it
    li s1, RAM_END - 2
    li s2, RAM_END
    TEST_TRAP 39, CAUSE_LOAD_ACCESS, lw a0, 0(s1)
    TEST_REGS_EQ 40, t6, s2
    li s1, RAM_END - 5
    TEST_TRAP 41, CAUSE_STORE_ACCESS, sd a0, 0(s1)
    TEST_REGS_EQ 42, t6, s2

    # --- Under Sv39, across page boundaries ---------------------------------------------------------------
    PMP_OPEN_ALL
    la t0, page0 + PAGE_SIZE - 8
    li t1, 0x1122334455667788
    sd t1, 0(t0)
    la t0, page1
    li t1, 0x99aabbccddeeff00
    sd t1, 0(t0)
    la t0, page2 + PAGE_SIZE - 8
    li t1, 0x0f0e0d0c0b0a0908
    sd t1, 0(t0)
    la t0, page3
    sd zero, 0(t0)
    MAP_PA root, RAM_BASE, 2, RAM_BASE, PTE_RWX_AD
    MAP root, VA_BASE, 2, l1, PTE_V
    MAP l1, VA_BASE, 1, l0, PTE_V
    MAP l0, VA_P0, 0, page0, PTE_RW_AD
    MAP l0, VA_P1, 0, page1, PTE_RW_AD
    MAP l0, VA_P2, 0, page2, PTE_RW_AD
    MAP l0, VA_RO, 0, page3, PTE_V | PTE_R | PTE_A | PTE_D
    SATP_SV39 root
    ENTER_S
    li s0, VA_P1 - 4
    ld a0, 0(s0)
    TEST_EQ 43, a0, 0xddeeff0011223344
    lw a0, 2(s0)
    TEST_EQ 44, a0, 0xffffffffff001122
    lhu a0, 3(s0)
    TEST_EQ 45, a0, 0x0011
    li a1, 0xa1a2a3a4a5a6a7a8
    sd a1, 1(s0)                       # three bytes in page0, five in page1
    ENTER_M
    la t0, page0 + PAGE_SIZE - 8
    ld a0, 0(t0)
    TEST_EQ 46, a0, 0xa6a7a84455667788
    la t0, page1
    ld a0, 0(t0)
    TEST_EQ 47, a0, 0x99aabba1a2a3a4a5
    ENTER_S
    # second page unmapped: mtval = its first address, the first page is not written
    li s0, VA_HOLE - 3
    li s1, VA_HOLE
    TEST_TRAP 48, CAUSE_LOAD_PAGE_FAULT, ld a0, 0(s0)
    TEST_REGS_EQ 49, t6, s1
    TEST_TRAP 50, CAUSE_LOAD_PAGE_FAULT, lw a0, 1(s0)
    TEST_REGS_EQ 51, t6, s1
    li a1, -1
    TEST_TRAP 52, CAUSE_STORE_PAGE_FAULT, sd a1, 0(s0)
    TEST_REGS_EQ 53, t6, s1
    ld a0, -5(s0)
    TEST_EQ 54, a0, 0                  # the end of page1 was not written
    # first page unmapped: mtval = the address
    li s0, VA_P2 - 2
    TEST_TRAP 55, CAUSE_LOAD_PAGE_FAULT, lw a0, 0(s0)
    TEST_REGS_EQ 56, t6, s0
    TEST_TRAP 57, CAUSE_STORE_PAGE_FAULT, sh a0, 1(s0)
    addi s1, s0, 1
    TEST_REGS_EQ 58, t6, s1
    # second page read-only: a store faults at its first address and writes nothing
    li s0, VA_RO - 2
    li s1, VA_RO
    li a1, 0x5a5a5a5a
    TEST_TRAP 59, CAUSE_STORE_PAGE_FAULT, sw a1, 0(s0)
    TEST_REGS_EQ 60, t6, s1
    lhu a0, 0(s0)
    TEST_EQ 61, a0, 0x0f0e             # page2's last bytes unchanged
    lw a0, 0(s0)                       # loads across are fine
    TEST_EQ 62, a0, 0x00000f0e
    ENTER_M
    csrw satp, zero
    sfence.vma
    j pass

.data
.balign 16
mis_data:
    .byte 0x21, 0x3e, 0x5b, 0x78, 0x95, 0xb2, 0xcf, 0xec, 0x09, 0x26, 0x43, 0x60, 0x7d, 0x9a, 0xb7, 0xd4
    .byte 0xf1, 0x0e, 0x2b, 0x48, 0x65, 0x82, 0x9f, 0xbc, 0xd9, 0xf6, 0x13, 0x30, 0x4d, 0x6a, 0x87, 0xa4
.balign 16
mis_buf:
    .zero 32
.balign 4096
root:   .zero 4096
l1:     .zero 4096
l0:     .zero 4096
page0:  .zero 4096
page2:  .zero 4096
page3:  .zero 4096
.zero 4096
page1:  .zero 4096
"#
);
