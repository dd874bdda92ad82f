//! sv39_perm: does every Sv39 permission rule raise the right page fault — load (13), store/AMO (15) or
//! fetch (12), with mtval = the virtual address and mepc = the instruction — for: no R (load), no W
//! (store, AMO), no X (fetch), W without R (reserved), V = 0 at the leaf and at an inner level, a
//! level-0 PTE that points further, reserved PTE bits 63..54 (including PBMT and N), an inner PTE with
//! U, A or D set (QEMU 7.2 faults), a non-canonical address (bits 63..39 not all equal to bit 38); the U
//! bit (S-mode may not touch U pages unless SUM = 1 and may never execute them; U-mode may only touch U
//! pages); MXR (loads from X-only pages); and are page faults delegated to S-mode with stval = the
//! address?
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
# Every test page maps to data_page (holding DATA_VALUE), or to code_page (c.li a0, 7; c.ret)
.equ VA_BASE,       0x40000000
.equ VA_R,          VA_BASE + 0x0000   # R
.equ VA_X,          VA_BASE + 0x1000   # X (code_page)
.equ VA_RW,         VA_BASE + 0x2000   # R W (no X)
.equ VA_W,          VA_BASE + 0x3000   # W only: reserved
.equ VA_INVALID,    VA_BASE + 0x4000   # V = 0, R W X set
.equ VA_POINTER,    VA_BASE + 0x5000   # level-0 PTE with R = W = X = 0
.equ VA_RSV54,      VA_BASE + 0x6000   # R W with bit 54 set
.equ VA_PBMT,       VA_BASE + 0x7000   # R W with PBMT = 1 (bit 61)
.equ VA_NAPOT,      VA_BASE + 0x8000   # R W with N (bit 63)
.equ VA_U_RWX,      VA_BASE + 0x9000   # U R W X (code_page)
.equ VA_U_X,        VA_BASE + 0xa000   # U X only (code_page)
.equ VA_NO_L0,      VA_BASE + 0x200000 # l1 entry V = 0
.equ VA_INNER_U,    VA_BASE + 0x400000 # l1 entry points to l0 but has U set
.equ VA_NONCANON,   0x0000004000000000 # bit 38 set, bits 63..39 clear
.equ VA_NONCANON2,  0xffffff8000000000 & ~(1 << 38) # bits 63..39 set, bit 38 clear
.equ DATA_VALUE,    0x0123456789abcdef
.equ CODE_VALUE,    7
.equ INSN_C_LI_A0_7, 0x451d            # c.li a0, 7
.equ INSN_C_RET,    0x8082
.equ PTE_RSV54,     1 << 54
.equ PTE_PBMT_NC,   1 << 61
.equ PTE_N,         1 << 63
.equ ALL_PAGE_FAULTS, (1 << CAUSE_FETCH_PAGE_FAULT) | (1 << CAUSE_LOAD_PAGE_FAULT) | (1 << CAUSE_STORE_PAGE_FAULT)

# Check `num`..`num + 1`: `insn` with address register `reg` raises page fault `cause`, mtval = reg.
.macro TEST_PF num, cause, reg, insn:vararg
    TEST_TRAP \num, \cause, \insn
    TEST_REGS_EQ (\num + 1), t6, \reg
.endm

# Check `num`..`num + 2`: a jump to `reg` raises a fetch page fault at reg (mepc = mtval = reg).
.macro TEST_FETCH_PF num, reg
    li gp, \num
    la tp, 99f
    jalr ra, 0(\reg)
99: bnez tp, fail
    TEST_EQ (\num + 1), t5, CAUSE_FETCH_PAGE_FAULT
    TEST_REGS_EQ (\num + 2), t6, \reg
    bne t4, \reg, fail
.endm

# Map VA `va` in l0 to `target` with `flags`, then OR `extra` (a 64-bit constant) into the PTE.
.macro MAP_EXTRA va, target, flags, extra
    MAP l0, \va, 0, \target, \flags
    PTE_ADDR l0, \va, 0
    ld t0, 0(t1)
    li t2, \extra
    or t0, t0, t2
    sd t0, 0(t1)
.endm

test_main:
    PMP_OPEN_ALL
    la t0, data_page
    li t1, DATA_VALUE
    sd t1, 0(t0)
    la t0, code_page
    li t1, INSN_C_LI_A0_7 | (INSN_C_RET << 16)
    sw t1, 0(t0)
    fence.i

    # root_s: identity gigapage for S-mode code; root_u: the same with U for U-mode code
    MAP_PA root_s, RAM_BASE, 2, RAM_BASE, PTE_RWX_AD
    MAP_PA root_u, RAM_BASE, 2, RAM_BASE, PTE_RWX_AD | PTE_U
    MAP root_s, VA_BASE, 2, l1, PTE_V
    MAP root_u, VA_BASE, 2, l1, PTE_V
    MAP l1, VA_BASE, 1, l0, PTE_V
    MAP l1, VA_INNER_U, 1, l0, PTE_V | PTE_U
    MAP l0, VA_R, 0, data_page, PTE_V | PTE_R | PTE_A | PTE_D
    MAP l0, VA_X, 0, code_page, PTE_V | PTE_X | PTE_A | PTE_D
    MAP l0, VA_RW, 0, data_page, PTE_RW_AD
    MAP l0, VA_W, 0, data_page, PTE_V | PTE_W | PTE_A | PTE_D
    MAP l0, VA_INVALID, 0, data_page, PTE_RWX_AD & ~PTE_V
    MAP l0, VA_POINTER, 0, data_page, PTE_V
    MAP_EXTRA VA_RSV54, data_page, PTE_RW_AD, PTE_RSV54
    MAP_EXTRA VA_PBMT, data_page, PTE_RW_AD, PTE_PBMT_NC
    MAP_EXTRA VA_NAPOT, data_page, PTE_RW_AD, PTE_N
    MAP l0, VA_U_RWX, 0, code_page, PTE_RWX_AD | PTE_U
    MAP l0, VA_U_X, 0, code_page, PTE_V | PTE_X | PTE_U | PTE_A | PTE_D
    SATP_SV39 root_s

    # --- S-mode ------------------------------------------------------------------------------------------
    ENTER_S
    li s0, VA_R
    ld a0, 0(s0)
    li t0, DATA_VALUE
    TEST_REGS_EQ 2, a0, t0
    TEST_PF 3, CAUSE_STORE_PAGE_FAULT, s0, sd a0, 0(s0)
    TEST_PF 5, CAUSE_STORE_PAGE_FAULT, s0, amoadd.d a0, a0, (s0)
    TEST_FETCH_PF 7, s0
    li s0, VA_X
    jalr ra, 0(s0)
    TEST_EQ 10, a0, CODE_VALUE
    TEST_PF 11, CAUSE_LOAD_PAGE_FAULT, s0, ld a0, 0(s0)
    TEST_PF 13, CAUSE_STORE_PAGE_FAULT, s0, sw a0, 0(s0)
    li t0, MSTATUS_MXR                 # MXR: X-only pages become readable
    csrs sstatus, t0
    lhu a0, 0(s0)
    TEST_EQ 15, a0, INSN_C_LI_A0_7
    TEST_PF 16, CAUSE_STORE_PAGE_FAULT, s0, sw a0, 0(s0)
    li t0, MSTATUS_MXR
    csrc sstatus, t0
    li s0, VA_RW
    li t1, DATA_VALUE
    sd t1, 0(s0)
    TEST_FETCH_PF 18, s0
    li s0, VA_W
    TEST_PF 21, CAUSE_LOAD_PAGE_FAULT, s0, ld a0, 0(s0)
    TEST_PF 23, CAUSE_STORE_PAGE_FAULT, s0, sd a0, 0(s0)
    li s0, VA_INVALID
    TEST_PF 25, CAUSE_LOAD_PAGE_FAULT, s0, ld a0, 0(s0)
    TEST_PF 27, CAUSE_STORE_PAGE_FAULT, s0, sd a0, 0(s0)
    TEST_FETCH_PF 29, s0
    li s0, VA_POINTER
    TEST_PF 32, CAUSE_LOAD_PAGE_FAULT, s0, ld a0, 0(s0)
    li s0, VA_RSV54
    TEST_PF 34, CAUSE_LOAD_PAGE_FAULT, s0, ld a0, 0(s0)
    li s0, VA_PBMT
    TEST_PF 36, CAUSE_LOAD_PAGE_FAULT, s0, ld a0, 0(s0)
    li s0, VA_NAPOT
    TEST_PF 38, CAUSE_STORE_PAGE_FAULT, s0, sd a0, 0(s0)
    li s0, VA_NO_L0 + 0x18
    TEST_PF 40, CAUSE_LOAD_PAGE_FAULT, s0, ld a0, 0(s0)
    li s0, VA_INNER_U + 0x2008         # l0 through an inner PTE with U set: QEMU 7.2 faults
    TEST_PF 42, CAUSE_LOAD_PAGE_FAULT, s0, ld a0, 0(s0)
    li s0, VA_NONCANON
    TEST_PF 44, CAUSE_LOAD_PAGE_FAULT, s0, ld a0, 0(s0)
    TEST_PF 46, CAUSE_STORE_PAGE_FAULT, s0, sd a0, 0(s0)
    TEST_FETCH_PF 48, s0
    li s0, VA_NONCANON2
    TEST_PF 51, CAUSE_LOAD_PAGE_FAULT, s0, lb a0, 0(s0)
    # U pages from S-mode: no access without SUM, data access with SUM, never execution
    li s0, VA_U_RWX
    TEST_PF 53, CAUSE_LOAD_PAGE_FAULT, s0, lw a0, 0(s0)
    addi s1, s0, 8
    TEST_PF 55, CAUSE_STORE_PAGE_FAULT, s1, sb a0, 0(s1)
    TEST_FETCH_PF 58, s0
    li t0, MSTATUS_SUM
    csrs sstatus, t0
    lhu a0, 0(s0)
    TEST_EQ 61, a0, INSN_C_LI_A0_7
    li t1, 0x99
    sb t1, 8(s0)
    lbu a0, 8(s0)
    TEST_EQ 62, a0, 0x99
    sfence.vma                         # QEMU 7.2 would reuse the data access's TLB entry for the fetch
    TEST_FETCH_PF 63, s0
    # SUM does not open X-only U pages to loads; MXR does
    li s0, VA_U_X
    TEST_PF 66, CAUSE_LOAD_PAGE_FAULT, s0, lhu a0, 0(s0)
    li t0, MSTATUS_MXR
    csrs sstatus, t0
    lhu a0, 0(s0)
    TEST_EQ 68, a0, INSN_C_LI_A0_7
    li t0, MSTATUS_SUM | MSTATUS_MXR
    csrc sstatus, t0
    ENTER_M

    # --- U-mode ------------------------------------------------------------------------------------------
    SATP_SV39 root_u
    ENTER_U
    li s0, VA_U_RWX
    jalr ra, 0(s0)
    TEST_EQ 69, a0, CODE_VALUE
    lhu a0, 0(s0)
    TEST_EQ 70, a0, INSN_C_LI_A0_7
    li s0, VA_U_X
    jalr ra, 0(s0)
    TEST_EQ 71, a0, CODE_VALUE
    TEST_PF 72, CAUSE_LOAD_PAGE_FAULT, s0, lhu a0, 0(s0)
    TEST_FROM_MODE 74, PRV_U
    li s0, VA_RW                       # not a U page
    TEST_PF 75, CAUSE_LOAD_PAGE_FAULT, s0, ld a0, 0(s0)
    TEST_PF 77, CAUSE_STORE_PAGE_FAULT, s0, sd a0, 0(s0)
    li s0, VA_X
    TEST_FETCH_PF 79, s0
    ENTER_M
    li t0, MSTATUS_SUM                 # SUM changes nothing for U-mode
    csrs mstatus, t0
    ENTER_U
    li s0, VA_R
    TEST_PF 82, CAUSE_LOAD_PAGE_FAULT, s0, ld a0, 0(s0)
    ENTER_M
    li t0, MSTATUS_MXR                 # MXR applies to U-mode loads
    csrs mstatus, t0
    ENTER_U
    li s0, VA_U_X
    lhu a0, 0(s0)
    TEST_EQ 84, a0, INSN_C_LI_A0_7
    ENTER_M
    li t0, MSTATUS_SUM | MSTATUS_MXR
    csrc mstatus, t0

    # --- Page faults delegated to S-mode ----------------------------------------------------------------
    SATP_SV39 root_s
    li t0, ALL_PAGE_FAULTS
    csrw medeleg, t0
    ENTER_S
    li s0, VA_R
    TEST_PF 85, CAUSE_STORE_PAGE_FAULT, s0, sd a0, 0(s0)
    csrr a0, stval
    TEST_REGS_EQ 87, a0, s0
    csrr a0, scause
    TEST_EQ 88, a0, CAUSE_STORE_PAGE_FAULT
    li s0, VA_INVALID
    TEST_PF 89, CAUSE_LOAD_PAGE_FAULT, s0, ld a0, 0(s0)
    TEST_FETCH_PF 91, s0
    TEST_FROM_MODE 94, PRV_S
    ENTER_M
    csrw medeleg, zero
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
