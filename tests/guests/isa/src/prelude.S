# prelude.S — shared by every ISA test: platform and CSR-field names, the test macros, `_start`, the
# default M-mode and S-mode trap handlers, and the pass/fail exits.
#
# Conventions (as in riscv-tests):
#   gp (x3)   number of the check being run; printed and reported on failure.
#   tp (x4)   resume address of an *expected* trap, 0 when no trap is expected. A trap while tp = 0 is
#             unexpected and fails the test with number 0x7000 | cause (M-mode handler) or 0x6000 | cause
#             (S-mode handler); bit 11 of that number marks an interrupt.
#   t3..t6    written by the trap handlers when an expected trap is taken:
#             t3 = previous privilege (xPP), t4 = xepc, t5 = xcause, t6 = xtval.
# Every body starts at `test_main` in M-mode with mtvec = trap_vector (direct), stvec = strap_vector,
# medeleg = mideleg = mie = 0, satp = 0, and ends with `j pass` (or `j fail` / a failing macro).
#
# The expected-trap protocol, as the default handlers implement it:
#   - a trap with tp = 0 is unexpected: print mcause/mepc/mtval and fail;
#   - otherwise record t3..t6, set xepc = tp & ~1, clear tp and xRET: execution resumes at the address
#     that was in tp, in the privilege mode the trap came from;
#   - if bit 0 of tp was set, the M-mode handler returns in M-mode instead (MPP = M, and MIE = 0 after the
#     MRET); the S-mode handler forwards such a request to M-mode with `ecall`. This is how `ENTER_M`
#     gets back to M-mode;
#   - on an interrupt the handler also clears the interrupt's bit in mie (sie) and clears MPIE (SPIE), so
#     that the interrupted code resumes with that interrupt disabled and can look at what happened.
#
# Exits (reachable from any mode; both first get to M-mode and clear MPRV):
#   pass: 64-bit store of 1 to `tohost`, then FINISHER_PASS to the test finisher (QEMU exits 0).
#   fail: print "FAIL test N" on the UART, store (N << 1) | 1 to `tohost`, then (N << 16) | FINISHER_FAIL
#         to the finisher (QEMU exits with N & 0xff). klab, like Spike, stops at the `tohost` store.
#
# global_asm! starts with no ISA extensions enabled: the line below turns on M, A, C, Zicsr and Zifencei.
# With C on, the assembler picks compressed encodings wherever it can, so ordinary test code is a mix of
# 16- and 32-bit instructions; tests that need exact encodings use `.option norvc`, `c.` mnemonics or
# raw `.2byte`/`.4byte`.

.option arch, +m, +a, +c, +zicsr, +zifencei

# ---------------------------------------------------------------------------------------------------
# Platform (QEMU virt memory map)
# ---------------------------------------------------------------------------------------------------
.equ RAM_BASE,              0x80000000
.equ FINISHER_BASE,         0x00100000    # SiFive test finisher
.equ FINISHER_PASS,         0x5555        # 32-bit store: exit status 0
.equ FINISHER_FAIL,         0x3333        # 32-bit store of (code << 16) | FINISHER_FAIL: exit status code
.equ UART0_BASE,            0x10000000    # NS16550A, byte registers
.equ UART_THR,              0             # transmit holding register (write)
.equ UART_RBR,              0             # receive buffer register (read)
.equ UART_IER,              1             # interrupt enable register
.equ UART_IIR,              2             # interrupt identification register (read)
.equ UART_FCR,              2             # FIFO control register (write)
.equ UART_LCR,              3             # line control register
.equ UART_MCR,              4             # modem control register
.equ UART_LSR,              5             # line status register
.equ UART_IER_ERBFI,        0x01          # IER: received data available interrupt
.equ UART_IER_ETBEI,        0x02          # IER: transmit holding register empty interrupt
.equ UART_IIR_NO_INT,       0x01          # IIR: no interrupt pending
.equ UART_LSR_DR,           0x01          # LSR: data ready
.equ UART_LSR_THRE,         0x20          # LSR: transmit holding register empty
.equ CLINT_BASE,            0x02000000
.equ CLINT_MSIP,            0x0000        # hart 0 msip (32-bit)
.equ CLINT_MTIMECMP,        0x4000        # hart 0 mtimecmp (64-bit)
.equ CLINT_MTIME,           0xbff8        # mtime (64-bit)
.equ PLIC_BASE,             0x0c000000
.equ PLIC_PRIORITY,         0x000000      # + 4 * source
.equ PLIC_PENDING,          0x001000      # bit per source
.equ PLIC_ENABLE_M,         0x002000      # context 0: hart 0 M-mode, bit per source
.equ PLIC_ENABLE_S,         0x002080      # context 1: hart 0 S-mode
.equ PLIC_THRESHOLD_M,      0x200000
.equ PLIC_CLAIM_M,          0x200004
.equ PLIC_THRESHOLD_S,      0x201000
.equ PLIC_CLAIM_S,          0x201004
.equ UART0_IRQ,             10            # PLIC source of the UART

# ---------------------------------------------------------------------------------------------------
# Privileged architecture names (privileged spec 1.12)
# ---------------------------------------------------------------------------------------------------
.equ PRV_U,                 0
.equ PRV_S,                 1
.equ PRV_M,                 3

.equ MSTATUS_SIE,           1 << 1
.equ MSTATUS_MIE,           1 << 3
.equ MSTATUS_SPIE,          1 << 5
.equ MSTATUS_UBE,           1 << 6
.equ MSTATUS_MPIE,          1 << 7
.equ MSTATUS_SPP,           1 << 8
.equ MSTATUS_SPP_SHIFT,     8
.equ MSTATUS_MPP,           3 << 11
.equ MSTATUS_MPP_SHIFT,     11
.equ MSTATUS_MPP_S,         PRV_S << 11
.equ MSTATUS_MPP_M,         PRV_M << 11
.equ MSTATUS_FS,            3 << 13
.equ MSTATUS_XS,            3 << 15
.equ MSTATUS_MPRV,          1 << 17
.equ MSTATUS_SUM,           1 << 18
.equ MSTATUS_MXR,           1 << 19
.equ MSTATUS_TVM,           1 << 20
.equ MSTATUS_TW,            1 << 21
.equ MSTATUS_TSR,           1 << 22
.equ MSTATUS_UXL,           3 << 32
.equ MSTATUS_SXL,           3 << 34
.equ MSTATUS_SD,            1 << 63

.equ CAUSE_MISALIGNED_FETCH,    0
.equ CAUSE_FETCH_ACCESS,        1
.equ CAUSE_ILLEGAL_INSTRUCTION, 2
.equ CAUSE_BREAKPOINT,          3
.equ CAUSE_MISALIGNED_LOAD,     4
.equ CAUSE_LOAD_ACCESS,         5
.equ CAUSE_MISALIGNED_STORE,    6        # store/AMO address misaligned
.equ CAUSE_STORE_ACCESS,        7        # store/AMO access fault
.equ CAUSE_USER_ECALL,          8
.equ CAUSE_SUPERVISOR_ECALL,    9
.equ CAUSE_MACHINE_ECALL,       11
.equ CAUSE_FETCH_PAGE_FAULT,    12
.equ CAUSE_LOAD_PAGE_FAULT,     13
.equ CAUSE_STORE_PAGE_FAULT,    15       # store/AMO page fault
.equ CAUSE_INTERRUPT,           1 << 63  # mcause/scause: interrupt bit

.equ IRQ_S_SOFT,            1
.equ IRQ_M_SOFT,            3
.equ IRQ_S_TIMER,           5
.equ IRQ_M_TIMER,           7
.equ IRQ_S_EXT,             9
.equ IRQ_M_EXT,             11
.equ MIP_SSIP,              1 << IRQ_S_SOFT
.equ MIP_MSIP,              1 << IRQ_M_SOFT
.equ MIP_STIP,              1 << IRQ_S_TIMER
.equ MIP_MTIP,              1 << IRQ_M_TIMER
.equ MIP_SEIP,              1 << IRQ_S_EXT
.equ MIP_MEIP,              1 << IRQ_M_EXT
.equ MIP_S_ALL,             MIP_SSIP | MIP_STIP | MIP_SEIP

.equ MCOUNTEREN_CY,         1 << 0
.equ MCOUNTEREN_TM,         1 << 1
.equ MCOUNTEREN_IR,         1 << 2

.equ SATP_MODE_SHIFT,       60
.equ SATP_MODE_BARE,        0
.equ SATP_MODE_SV39,        8
.equ SATP_SV39,             SATP_MODE_SV39 << SATP_MODE_SHIFT

# Sv39 page-table entry fields
.equ PTE_V,                 1 << 0
.equ PTE_R,                 1 << 1
.equ PTE_W,                 1 << 2
.equ PTE_X,                 1 << 3
.equ PTE_U,                 1 << 4
.equ PTE_G,                 1 << 5
.equ PTE_A,                 1 << 6
.equ PTE_D,                 1 << 7
.equ PTE_PPN_SHIFT,         10
.equ PAGE_SHIFT,            12
.equ PAGE_SIZE,             1 << PAGE_SHIFT
.equ MEGAPAGE_SIZE,         1 << 21       # 2 MiB: a level-1 leaf
.equ GIGAPAGE_SIZE,         1 << 30       # 1 GiB: a level-2 leaf
.equ PTE_SIZE,              8

# pmpcfg entry fields
.equ PMP_R,                 1 << 0
.equ PMP_W,                 1 << 1
.equ PMP_X,                 1 << 2
.equ PMP_A_OFF,             0 << 3
.equ PMP_A_TOR,             1 << 3
.equ PMP_A_NA4,             2 << 3
.equ PMP_A_NAPOT,           3 << 3
.equ PMP_L,                 1 << 7
.equ PMP_RWX,               PMP_R | PMP_W | PMP_X

# Numbers of the failures that are not checks of a body.
.equ FAIL_UNEXPECTED_M,     0x7000        # | mcause code, | FAIL_INTERRUPT for an interrupt
.equ FAIL_UNEXPECTED_S,     0x6000        # | scause code, | FAIL_INTERRUPT for an interrupt
.equ FAIL_INTERRUPT,        0x0800
.equ FAIL_CAUSE_MASK,       0x07ff
.equ S_UNEXPECTED_MAGIC,    0x5bad7a9     # in t3 when the S-mode handler escalates an unexpected trap

# ---------------------------------------------------------------------------------------------------
# Check macros (in the style of riscv-tests' test_macros.h). The registers x1, x7, x11..x14 are used.
# ---------------------------------------------------------------------------------------------------

# Fail check `num` unless register `reg` holds `val`.
.macro TEST_EQ num, reg, val
    li gp, \num
    li x7, \val
    bne \reg, x7, fail
.endm

# Fail check `num` unless registers `a` and `b` are equal.
.macro TEST_REGS_EQ num, a, b
    li gp, \num
    bne \a, \b, fail
.endm

# Register-register operation.
.macro TEST_RR_OP num, inst, result, val1, val2
    li gp, \num
    li x11, \val1
    li x12, \val2
    \inst x14, x11, x12
    li x7, \result
    bne x14, x7, fail
.endm

# Register-register operation whose destination is also the first source.
.macro TEST_RR_SRC1_EQ_DEST num, inst, result, val1, val2
    li gp, \num
    li x11, \val1
    li x12, \val2
    \inst x11, x11, x12
    li x7, \result
    bne x11, x7, fail
.endm

# Register-register operation whose destination is also the second source.
.macro TEST_RR_SRC2_EQ_DEST num, inst, result, val1, val2
    li gp, \num
    li x11, \val1
    li x12, \val2
    \inst x12, x11, x12
    li x7, \result
    bne x12, x7, fail
.endm

# Register-register operation with both sources and the destination the same register.
.macro TEST_RR_SRC12_EQ_DEST num, inst, result, val1
    li gp, \num
    li x11, \val1
    \inst x11, x11, x11
    li x7, \result
    bne x11, x7, fail
.endm

# Register-register operation with x0 as first source.
.macro TEST_RR_ZEROSRC1 num, inst, result, val
    li gp, \num
    li x12, \val
    \inst x14, x0, x12
    li x7, \result
    bne x14, x7, fail
.endm

# Register-register operation with x0 as second source.
.macro TEST_RR_ZEROSRC2 num, inst, result, val
    li gp, \num
    li x11, \val
    \inst x14, x11, x0
    li x7, \result
    bne x14, x7, fail
.endm

# Register-register operation writing x0: x0 must stay zero.
.macro TEST_RR_ZERODEST num, inst, val1, val2
    li gp, \num
    li x11, \val1
    li x12, \val2
    \inst x0, x11, x12
    bne x0, x0, fail
    mv x14, x0
    bnez x14, fail
.endm

# Register-immediate operation.
.macro TEST_IMM_OP num, inst, result, val1, imm
    li gp, \num
    li x11, \val1
    \inst x14, x11, \imm
    li x7, \result
    bne x14, x7, fail
.endm

# Register-immediate operation whose destination is its source.
.macro TEST_IMM_SRC1_EQ_DEST num, inst, result, val1, imm
    li gp, \num
    li x11, \val1
    \inst x11, x11, \imm
    li x7, \result
    bne x11, x7, fail
.endm

# Register-immediate operation with x0 as source.
.macro TEST_IMM_ZEROSRC1 num, inst, result, imm
    li gp, \num
    \inst x14, x0, \imm
    li x7, \result
    bne x14, x7, fail
.endm

# Register-immediate operation writing x0.
.macro TEST_IMM_ZERODEST num, inst, val1, imm
    li gp, \num
    li x11, \val1
    \inst x0, x11, \imm
    mv x14, x0
    bnez x14, fail
.endm

# Load from `base + offset` (base is a symbol), compare with `result`.
.macro TEST_LD_OP num, inst, result, offset, base
    li gp, \num
    la x11, \base
    \inst x14, \offset(x11)
    li x7, \result
    bne x14, x7, fail
.endm

# Store `val` at `base + offset` with `st`, load it back with `ld`, compare with `result`.
.macro TEST_ST_OP num, ld, st, result, val, offset, base
    li gp, \num
    la x11, \base
    li x12, \val
    \st x12, \offset(x11)
    \ld x14, \offset(x11)
    li x7, \result
    bne x14, x7, fail
.endm

# Branch with operands val1, val2: `taken` is 1 when the branch must be taken.
.macro TEST_BR num, inst, taken, val1, val2
    li gp, \num
    li x11, \val1
    li x12, \val2
    li x14, 0
    \inst x11, x12, .Lbr_target\@
    li x14, 1                      # fall-through path
    j .Lbr_join\@
.Lbr_target\@:
    li x14, 2                      # taken path
.Lbr_join\@:
    li x7, 1 + \taken
    bne x14, x7, fail
.endm

# ---------------------------------------------------------------------------------------------------
# Trap macros
# ---------------------------------------------------------------------------------------------------

# Run `insn` as check `num` and require it to trap with exception `cause`, with xepc pointing at it.
# Afterwards t6 = xtval and t3 = the privilege mode the trap came from.
.macro TEST_TRAP num, cause, insn:vararg
    li gp, \num
    la tp, .Ltrap_resume\@
.Ltrap_insn\@:
    \insn
.Ltrap_resume\@:
    bnez tp, fail                  # no trap was taken
    li x7, \cause
    bne t5, x7, fail
    la x7, .Ltrap_insn\@
    bne t4, x7, fail
.endm

# Run `insn` as check `num`; it must not trap (with tp = 0, the default handler fails the test).
.macro TEST_NO_TRAP num, insn:vararg
    li gp, \num
    li tp, 0
    \insn
.endm

# Fail check `num` unless the last trap's xtval (t6) is `val`.
.macro TEST_TVAL num, val
    TEST_EQ \num, t6, \val
.endm

# Fail check `num` unless the last trap came from privilege `mode`.
.macro TEST_FROM_MODE num, mode
    TEST_EQ \num, t3, \mode
.endm

# ---------------------------------------------------------------------------------------------------
# Privilege-mode changes
# ---------------------------------------------------------------------------------------------------

# From M-mode: continue at the next instruction in privilege `mode` (PRV_U or PRV_S). Clobbers t0.
.macro ENTER_MODE mode
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, \mode << MSTATUS_MPP_SHIFT
    csrs mstatus, t0
    la t0, .Lenter_mode\@
    csrw mepc, t0
    mret
.Lenter_mode\@:
.endm

.macro ENTER_S
    ENTER_MODE PRV_S
.endm

.macro ENTER_U
    ENTER_MODE PRV_U
.endm

# From any mode: continue at the next instruction in M-mode, with MIE = 0 (through `ecall` and the
# handlers). Clobbers t3..t6.
.macro ENTER_M
    la tp, .Lenter_m\@ + 1
    ecall
.Lenter_m\@:
.endm

# Open the physical address space to S- and U-mode with PMP entry 0 (NAPOT over everything), as
# bare-metal kernels do. Clobbers t0.
.macro PMP_OPEN_ALL
    li t0, -1
    csrw pmpaddr0, t0
    li t0, PMP_RWX | PMP_A_NAPOT
    csrw pmpcfg0, t0
.endm

# ---------------------------------------------------------------------------------------------------
# Sv39 page tables (built at run time, in M-mode, in tables the test reserves in .data)
#
#   VA: | 63..39 = bit 38 | VPN[2] 38..30 | VPN[1] 29..21 | VPN[0] 20..12 | offset 11..0 |
#   PTE: | 63..54 reserved | PPN 53..10 | RSW 9..8 | D A G U X W R V |
# ---------------------------------------------------------------------------------------------------

# dst = PTE for the physical address in register `pa` (low 12 bits dropped) with `flags`.
.macro MAKE_PTE dst, pa, flags
    srli \dst, \pa, PAGE_SHIFT
    slli \dst, \dst, PTE_PPN_SHIFT
    ori \dst, \dst, \flags
.endm

# Store register `pte` into `table` (a label) at the index VPN[level] of the constant `va`.
# Clobbers t1, t2.
.macro STORE_PTE table, va, level, pte
    la t1, \table
    li t2, (((\va) >> (PAGE_SHIFT + 9 * (\level))) & 511) * PTE_SIZE
    add t1, t1, t2
    sd \pte, 0(t1)
.endm

# t1 = address of the PTE of `table` for VPN[level] of `va` (for tests that read it back). Clobbers t2.
.macro PTE_ADDR table, va, level
    la t1, \table
    li t2, (((\va) >> (PAGE_SHIFT + 9 * (\level))) & 511) * PTE_SIZE
    add t1, t1, t2
.endm

# table[VPN[level](va)] = PTE to the label `target` (its link address is its physical address).
# Clobbers t0..t2.
.macro MAP table, va, level, target, flags
    la t0, \target
    MAKE_PTE t0, t0, \flags
    STORE_PTE \table, \va, \level, t0
.endm

# table[VPN[level](va)] = PTE to the constant physical address `pa`. Clobbers t0..t2.
.macro MAP_PA table, va, level, pa, flags
    li t0, \pa
    MAKE_PTE t0, t0, \flags
    STORE_PTE \table, \va, \level, t0
.endm

# satp = Sv39 with root page table `table` (ASID 0), then sfence.vma. Clobbers t0, t1.
.macro SATP_SV39 table
    la t0, \table
    srli t0, t0, PAGE_SHIFT
    li t1, SATP_SV39
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
.endm

# Leaf permission sets
.equ PTE_RWX_AD,            PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
.equ PTE_RW_AD,             PTE_V | PTE_R | PTE_W | PTE_A | PTE_D

# ---------------------------------------------------------------------------------------------------
# Entry
# ---------------------------------------------------------------------------------------------------
.section .text.init, "ax", @progbits
.globl _start
_start:
    la t0, trap_vector
    csrw mtvec, t0
    la t0, strap_vector
    csrw stvec, t0
    csrwi medeleg, 0
    csrwi mideleg, 0
    csrwi mie, 0
    csrwi satp, 0
    la sp, stack_top
    li tp, 0
    li gp, 0
    la t0, test_main
    jr t0

# ---------------------------------------------------------------------------------------------------
# Default M-mode trap handler (direct mode). See the protocol at the top of this file.
# ---------------------------------------------------------------------------------------------------
.text
.balign 4
.globl trap_vector
trap_vector:
    beqz tp, unexpected_trap
    csrr t5, mcause
    csrr t4, mepc
    csrr t6, mtval
    bgez t5, 1f                    # an exception
    li t3, 1                       # an interrupt: disable it in mie and keep MIE off after mret
    sll t3, t3, t5                 # (sll uses the low six bits: the interrupt number)
    csrc mie, t3
    li t3, MSTATUS_MPIE
    csrc mstatus, t3
1:  andi t3, tp, 1                 # t3 = "return in M-mode" request
    xor tp, tp, t3
    csrw mepc, tp
    csrr tp, mstatus
    srli tp, tp, MSTATUS_MPP_SHIFT
    andi tp, tp, PRV_M             # tp = previous privilege
    beqz t3, 2f
    li t3, MSTATUS_MPP             # return in M-mode, with MIE = 0
    csrs mstatus, t3
    li t3, MSTATUS_MPIE
    csrc mstatus, t3
2:  mv t3, tp
    li tp, 0
    mret

# ---------------------------------------------------------------------------------------------------
# Default S-mode trap handler (direct mode).
# ---------------------------------------------------------------------------------------------------
.balign 4
.globl strap_vector
strap_vector:
    csrr t5, scause
    beqz tp, 3f
    andi t3, tp, 1
    bnez t3, 4f                    # a request to return in M-mode: forward it
    csrr t4, sepc
    csrr t6, stval
    bgez t5, 1f
    li t3, 1                       # an interrupt: disable it in sie, keep SIE off after sret
    sll t3, t3, t5
    csrc sie, t3
    li t3, MSTATUS_SPIE
    csrc sstatus, t3
1:  csrw sepc, tp
    csrr t3, sstatus
    srli t3, t3, MSTATUS_SPP_SHIFT
    andi t3, t3, 1                 # previous privilege: U or S
    li tp, 0
    sret
3:  li t3, S_UNEXPECTED_MAGIC      # unexpected: let M-mode report it
    csrr t4, sepc
    csrr t6, stval
4:  ecall
    j fail                         # not reached

# ---------------------------------------------------------------------------------------------------
# Snapshot handlers, for tests that look at the status register as the trap left it. Install with
# `csrw mtvec` / `csrw stvec`. Same protocol as the default handlers except that t3 = mstatus (sstatus)
# at trap entry instead of the previous privilege, t2 is clobbered, and there is no unexpected-trap
# check.
# ---------------------------------------------------------------------------------------------------
.balign 4
.globl trap_vector_snap
trap_vector_snap:
    csrr t3, mstatus
    csrr t4, mepc
    csrr t5, mcause
    csrr t6, mtval
    bgez t5, 2f
    li t2, 1                       # an interrupt: disable it in mie, MIE = 0 after the MRET
    sll t2, t2, t5
    csrc mie, t2
    li t2, MSTATUS_MPIE
    csrc mstatus, t2
2:    andi t2, tp, 1                 # "return in M-mode" request (clobbers t2)
    xor tp, tp, t2
    csrw mepc, tp
    beqz t2, 1f
    li t2, MSTATUS_MPP             # return in M-mode, with MIE = 0
    csrs mstatus, t2
    li t2, MSTATUS_MPIE
    csrc mstatus, t2
1:  li tp, 0
    mret

.balign 4
.globl strap_vector_snap
strap_vector_snap:
    andi t2, tp, 1
    bnez t2, 1f                    # a request to return in M-mode: forward it (clobbers t2)
    csrr t3, sstatus
    csrr t4, sepc
    csrr t5, scause
    csrr t6, stval
    bgez t5, 2f
    li t2, 1                       # an interrupt: disable it in sie, SIE = 0 after the SRET
    sll t2, t2, t5
    csrc sie, t2
    li t2, MSTATUS_SPIE
    csrc sstatus, t2
2:  csrw sepc, tp
    li tp, 0
    sret
1:  ecall

# ---------------------------------------------------------------------------------------------------
# Failure and success. `fail` and `pass` may be reached in any privilege mode: they first get to
# M-mode (a CSR read of mstatus traps below M-mode; the handler resumes at the M-mode label).
# ---------------------------------------------------------------------------------------------------
unexpected_trap:
    li t0, MSTATUS_MPRV
    csrc mstatus, t0
    mv s2, gp
    csrr s3, mcause
    li t0, CAUSE_SUPERVISOR_ECALL
    bne s3, t0, 1f                 # an ecall from S-mode ...
    li t0, S_UNEXPECTED_MAGIC
    bne t3, t0, 1f                 # ... from the S-mode handler: report the S-mode trap
    la a0, msg_unexpected_s
    mv s3, t5
    mv s4, t4
    mv s5, t6
    li s6, FAIL_UNEXPECTED_S
    j 2f
1:  la a0, msg_unexpected_m
    csrr s3, mcause
    csrr s4, mepc
    csrr s5, mtval
    li s6, FAIL_UNEXPECTED_M
2:  jal ra, uart_puts
    mv a0, s3
    jal ra, uart_puthex
    la a0, msg_epc
    jal ra, uart_puts
    mv a0, s4
    jal ra, uart_puthex
    la a0, msg_tval
    jal ra, uart_puts
    mv a0, s5
    jal ra, uart_puthex
    la a0, msg_in_test
    jal ra, uart_puts
    mv a0, s2
    jal ra, uart_putdec
    li a0, '\n'
    jal ra, uart_putc
    andi gp, s3, FAIL_CAUSE_MASK
    or gp, gp, s6
    bgez s3, fail_m
    li t0, FAIL_INTERRUPT
    or gp, gp, t0
    j fail_m

.globl fail
fail:
    la tp, fail_m + 1
    csrr t3, mstatus
fail_m:
    li t0, MSTATUS_MPRV
    csrc mstatus, t0
    mv s2, gp
    la a0, msg_fail
    jal ra, uart_puts
    mv a0, s2
    jal ra, uart_putdec
    li a0, '\n'
    jal ra, uart_putc
    slli t0, s2, 1
    ori t0, t0, 1
    la t1, tohost
    sd t0, 0(t1)
    li t1, FINISHER_BASE
    slli t0, s2, 16
    li t2, FINISHER_FAIL
    or t0, t0, t2
    sw t0, 0(t1)
1:  wfi
    j 1b

.globl pass
pass:
    la tp, pass_m + 1
    csrr t3, mstatus
pass_m:
    li t0, MSTATUS_MPRV
    csrc mstatus, t0
    li t0, 1
    la t1, tohost
    sd t0, 0(t1)
    li t1, FINISHER_BASE
    li t0, FINISHER_PASS
    sw t0, 0(t1)
1:  wfi
    j 1b

# ---------------------------------------------------------------------------------------------------
# Polled UART output, for failure reports. No stack: each routine keeps its return address in a3.
# ---------------------------------------------------------------------------------------------------

# Write the byte in a0. Clobbers t0, t1.
uart_putc:
    li t0, UART0_BASE
1:  lbu t1, UART_LSR(t0)
    andi t1, t1, UART_LSR_THRE
    beqz t1, 1b
    sb a0, UART_THR(t0)
    ret

# Write the NUL-terminated string at a0. Clobbers a0, a2, a3, t0, t1.
uart_puts:
    mv a3, ra
    mv a2, a0
1:  lbu a0, 0(a2)
    beqz a0, 2f
    jal ra, uart_putc
    addi a2, a2, 1
    j 1b
2:  jr a3

# Write a0 as 0x followed by 16 hex digits. Clobbers a0..a3, t0, t1.
uart_puthex:
    mv a3, ra
    mv a2, a0
    li a0, '0'
    jal ra, uart_putc
    li a0, 'x'
    jal ra, uart_putc
    li a1, 60                      # shift of the next digit
1:  srl a0, a2, a1
    andi a0, a0, 0xf
    addi a0, a0, '0'
    li t1, '9'
    ble a0, t1, 2f
    addi a0, a0, 'a' - '9' - 1
2:  jal ra, uart_putc
    addi a1, a1, -4
    bgez a1, 1b
    jr a3

# Write a0 as an unsigned decimal number. Clobbers a0..a4, t0, t1.
uart_putdec:
    mv a3, ra
    la a4, decimal_buffer_end
    li a1, 10
1:  remu a2, a0, a1
    divu a0, a0, a1
    addi a2, a2, '0'
    addi a4, a4, -1
    sb a2, 0(a4)
    bnez a0, 1b
2:  lbu a0, 0(a4)
    jal ra, uart_putc
    addi a4, a4, 1
    la t1, decimal_buffer_end
    bne a4, t1, 2b
    jr a3

.section .rodata
msg_fail:          .asciz "FAIL test "
msg_unexpected_m:  .asciz "unexpected trap: mcause="
msg_unexpected_s:  .asciz "unexpected S-mode trap: scause="
msg_epc:           .asciz " epc="
msg_tval:          .asciz " tval="
msg_in_test:       .asciz " in test "

.section .bss
.balign 16
stack:      .zero 4096
stack_top:
decimal_buffer:     .zero 24
decimal_buffer_end:

.section .tohost, "aw", @progbits
.balign 64
.globl tohost
tohost:     .dword 0
.size tohost, 8
.balign 64
.globl fromhost
fromhost:   .dword 0
.size fromhost, 8

.text
