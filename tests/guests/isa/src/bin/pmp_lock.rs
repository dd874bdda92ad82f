//! pmp_lock: do locked PMP entries (L = 1) apply to M-mode as well — a read-only NAPOT page denies
//! M-mode stores and fetches, a locked NA4 word and a locked TOR range deny M-mode loads — with access
//! faults and mtval = the address; do they apply to S-mode too; and are a locked entry's pmpcfg byte and
//! pmpaddr (and, for TOR, the pmpaddr below it) ignored on write until reset, while unlocked entries in
//! the same pmpcfg register stay writable? Locked entries stay until reset: nothing runs after this.
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ NAPOT_4K_BITS,     (PAGE_SIZE >> 3) - 1
.equ CFG_LOCKED,        ((PMP_L | PMP_A_TOR) << 32) | ((PMP_L | PMP_A_NA4) << 8) | (PMP_L | PMP_R | PMP_A_NAPOT)
.equ CFG_LOCKED_MASK,   (0xff << 32) | (0xff << 8) | 0xff
.equ CFG_OPEN_7,        (PMP_RWX | PMP_A_NAPOT) << 56
.equ CFG_ALL_NAPOT_RWX, 0x1f1f1f1f1f1f1f1f     # every byte RWX NAPOT, L clear

# Check `num`..`num + 1`: `insn` raises access fault `cause` with mtval = register `reg`.
.macro TEST_AF num, cause, reg, insn:vararg
    TEST_TRAP \num, \cause, \insn
    TEST_REGS_EQ (\num + 1), t6, \reg
.endm

test_main:
    la t0, page_ro
    li t1, 0x8082                      # c.ret, for the fetch check
    sh t1, 0(t0)
    fence.i
    # entries: 0 L NAPOT page_ro R--, 1 L NA4 page_word+16 ---, 3 OFF (TOR base page_tor),
    #          4 L TOR page_tor..+4K ---, 7 NAPOT everything RWX (unlocked, for S-mode)
    la t0, page_ro
    srli t0, t0, 2
    ori t0, t0, NAPOT_4K_BITS
    csrw pmpaddr0, t0
    la t0, page_word + 16
    srli t0, t0, 2
    csrw pmpaddr1, t0
    la t0, page_tor
    srli t0, t0, 2
    csrw pmpaddr3, t0
    la t0, page_tor + PAGE_SIZE
    srli t0, t0, 2
    csrw pmpaddr4, t0
    li t0, -1
    csrw pmpaddr7, t0
    li t0, CFG_LOCKED | CFG_OPEN_7
    csrw pmpcfg0, t0
    csrr s11, pmpcfg0
    TEST_REGS_EQ 2, s11, t0

    # --- M-mode is checked against locked entries ----------------------------------------------------
    la s0, page_ro
    ld a0, 0(s0)                       # R
    TEST_AF 3, CAUSE_STORE_ACCESS, s0, sd a0, 0(s0)
    li gp, 5
    la tp, 1f
    jalr ra, 0(s0)                     # no X
1:  bnez tp, fail
    TEST_EQ 6, t5, CAUSE_FETCH_ACCESS
    TEST_REGS_EQ 7, t6, s0
    la s0, page_word + 16
    TEST_AF 8, CAUSE_LOAD_ACCESS, s0, lw a0, 0(s0)
    TEST_AF 10, CAUSE_STORE_ACCESS, s0, sw a0, 0(s0)
    lw a0, 4(s0)                       # the next word is outside
    la s0, page_tor + 0x800
    TEST_AF 12, CAUSE_LOAD_ACCESS, s0, ld a0, 0(s0)
    la s0, page_tor + PAGE_SIZE
    ld a0, 0(s0)
    TEST_NO_TRAP 14, nop

    # --- ... and so is S-mode ---------------------------------------------------------------------------
    ENTER_S
    la s0, page_ro
    ld a0, 0(s0)
    TEST_AF 15, CAUSE_STORE_ACCESS, s0, sb a0, 0(s0)
    TEST_FROM_MODE 17, PRV_S
    la s0, page_tor
    TEST_AF 18, CAUSE_LOAD_ACCESS, s0, lbu a0, 0(s0)
    ENTER_M

    # --- Locked entries ignore writes -------------------------------------------------------------------
    csrw pmpcfg0, zero                 # clears only the unlocked entries (7)
    csrr a0, pmpcfg0
    TEST_EQ 20, a0, CFG_LOCKED
    li t0, CFG_ALL_NAPOT_RWX
    csrw pmpcfg0, t0                   # the locked bytes stay; the unlocked ones take the write
    csrr a0, pmpcfg0
    TEST_EQ 21, a0, CFG_LOCKED | (CFG_ALL_NAPOT_RWX & ~CFG_LOCKED_MASK)
    csrw pmpcfg0, zero
    csrr s1, pmpaddr0
    csrw pmpaddr0, zero
    csrr a0, pmpaddr0
    TEST_REGS_EQ 22, a0, s1
    csrr s1, pmpaddr1
    csrw pmpaddr1, zero
    csrr a0, pmpaddr1
    TEST_REGS_EQ 23, a0, s1
    csrr s1, pmpaddr3                  # the base of a locked TOR entry is locked too
    csrw pmpaddr3, zero
    csrr a0, pmpaddr3
    TEST_REGS_EQ 24, a0, s1
    csrr s1, pmpaddr4
    csrw pmpaddr4, zero
    csrr a0, pmpaddr4
    TEST_REGS_EQ 25, a0, s1
    li t0, 0x1234                      # an unlocked entry's address is writable
    csrw pmpaddr6, t0
    csrr a0, pmpaddr6
    TEST_EQ 26, a0, 0x1234
    # the protection still holds
    la s0, page_ro
    TEST_AF 27, CAUSE_STORE_ACCESS, s0, sd a0, 0(s0)
    j pass

.data
.balign 4096
page_ro:    .zero 4096
page_word:  .zero 4096
page_tor:   .zero 4096
            .zero 4096
"#
);
