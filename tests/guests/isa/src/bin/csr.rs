//! csr: do CSRRW, CSRRS, CSRRC and CSRRWI, CSRRSI, CSRRCI return the old value and write the new one;
//! do CSRRS/CSRRC with rs1 = x0 and CSRRSI/CSRRCI with uimm = 0 not write (so they may read read-only
//! CSRs) while CSRRW/CSRRWI always write (so they fault on one, even with rd = x0); do writes to
//! read-only CSRs (mhartid, mvendorid, cycle, time) and accesses to unimplemented CSRs raise illegal
//! instruction with mtval = the instruction; and do the WARL fields behave: misa ignores writes, mtvec
//! and stvec keep their old value when written with a reserved MODE (QEMU 7.2), mstatus.MPP holds M, S
//! and U, sstatus is a view of mstatus, and sie/sip show and change only the bits delegated in mideleg?
//!
//! Left to `klab_priv_spec` (QEMU 7.2 differs from the spec there): CSRRS/CSRRC with rs1 != x0 holding 0
//! on a read-only CSR, MPP = 2, and mepc/sepc bit 0.
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
.equ MISA_MXL_64,           2 << 62
.equ MISA_MXL_MASK,         3 << 62
.equ MISA_REQUIRED,         (1 << ('I' - 'A')) | (1 << ('M' - 'A')) | (1 << ('A' - 'A')) | (1 << ('C' - 'A')) | (1 << ('S' - 'A')) | (1 << ('U' - 'A'))
.equ TVEC_MODE_VECTORED,    1
.equ TVEC_MODE_RESERVED,    2
.equ CSR_CUSTOM_URW,        0x800      # custom read/write CSRs, unimplemented on QEMU and klab
.equ CSR_CUSTOM_SRW,        0x5c0
.equ CSR_CUSTOM_MRW,        0x7c0
.equ CSR_CUSTOM_MRO,        0xfc0
.equ CSR_USTATUS,           0x000      # N extension, gone from the 1.12 spec
.equ CSR_PMPCFG1,           0x3a1      # odd pmpcfg registers do not exist on RV64
.equ CSR_RESERVED_M,        0x321      # between mcountinhibit and mhpmevent3
.equ INSN_CSRRW_X0_MHARTID_X0, 0xf1401073
.equ SSTATUS_VIEW,          MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR
.equ MSTATUS_M_ONLY,        MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR

test_main:
    # --- CSRRW / CSRRS / CSRRC on mscratch ---------------------------------------------------------
    li a1, 0x0123456789abcdef
    csrw mscratch, a1
    li a2, 0xfedcba9876543210
    csrrw a0, mscratch, a2
    TEST_EQ 2, a0, 0x0123456789abcdef
    csrr a0, mscratch
    TEST_EQ 3, a0, 0xfedcba9876543210
    li a2, 0x0f
    csrrs a0, mscratch, a2
    TEST_EQ 4, a0, 0xfedcba9876543210
    csrr a0, mscratch
    TEST_EQ 5, a0, 0xfedcba987654321f
    li a2, 0xff00000000000001
    csrrc a0, mscratch, a2
    TEST_EQ 6, a0, 0xfedcba987654321f
    csrr a0, mscratch
    TEST_EQ 7, a0, 0x00dcba987654321e
    # rd = rs1: the old value goes to rd, the write uses the old rs1
    li a0, 0x77
    csrrw a0, mscratch, a0
    TEST_EQ 8, a0, 0x00dcba987654321e
    csrr a0, mscratch
    TEST_EQ 9, a0, 0x77
    # rd = x0 still writes
    li a2, 0x99
    csrrw x0, mscratch, a2
    csrr a0, mscratch
    TEST_EQ 10, a0, 0x99

    # --- Immediate forms: a zero-extended 5-bit uimm ----------------------------------------------
    csrrwi a0, mscratch, 31
    TEST_EQ 11, a0, 0x99
    csrrsi a0, mscratch, 0
    TEST_EQ 12, a0, 31
    csrrci a0, mscratch, 0x11
    TEST_EQ 13, a0, 31
    csrrsi a0, mscratch, 0x10
    TEST_EQ 14, a0, 0x0e
    csrr a0, mscratch
    TEST_EQ 15, a0, 0x1e
    li a1, -1
    csrw mscratch, a1
    csrrci a0, mscratch, 31
    csrr a0, mscratch
    TEST_EQ 16, a0, 0xffffffffffffffe0
    csrrwi a0, sscratch, 0
    csrrwi a0, sscratch, 0x15
    TEST_EQ 17, a0, 0
    csrr a0, sscratch
    TEST_EQ 18, a0, 0x15

    # --- Reads of read-only CSRs that do not write ------------------------------------------------
    TEST_NO_TRAP 19, csrrs a0, mhartid, x0
    TEST_EQ 20, a0, 0                  # we run on hart 0
    TEST_NO_TRAP 21, csrrc a0, mhartid, x0
    TEST_NO_TRAP 22, csrrsi a0, mvendorid, 0
    TEST_NO_TRAP 23, csrrci a0, marchid, 0
    TEST_NO_TRAP 24, csrrs a0, mimpid, x0
    TEST_NO_TRAP 25, csrrs a0, cycle, x0
    TEST_NO_TRAP 26, csrrsi a0, instret, 0
    TEST_NO_TRAP 27, csrr a0, time
    TEST_NO_TRAP 28, csrr a0, mconfigptr

    # --- Writes to read-only CSRs ----------------------------------------------------------------
    li a1, 1
    TEST_TRAP 29, CAUSE_ILLEGAL_INSTRUCTION, csrw mhartid, a1
    TEST_TRAP 30, CAUSE_ILLEGAL_INSTRUCTION, csrrw x0, mhartid, x0
    TEST_TVAL 31, INSN_CSRRW_X0_MHARTID_X0
    TEST_TRAP 32, CAUSE_ILLEGAL_INSTRUCTION, csrrwi a0, mvendorid, 0
    TEST_TRAP 33, CAUSE_ILLEGAL_INSTRUCTION, csrrs a0, mimpid, a1
    TEST_TRAP 34, CAUSE_ILLEGAL_INSTRUCTION, csrrci a0, marchid, 1
    TEST_TRAP 35, CAUSE_ILLEGAL_INSTRUCTION, csrw cycle, a1
    TEST_TRAP 36, CAUSE_ILLEGAL_INSTRUCTION, csrrsi a0, instret, 1
    TEST_TRAP 37, CAUSE_ILLEGAL_INSTRUCTION, csrw time, x0
    TEST_TRAP 38, CAUSE_ILLEGAL_INSTRUCTION, csrrc a0, mconfigptr, a1
    # rd is not written by a faulting CSR instruction
    li a0, 0x5a
    TEST_TRAP 39, CAUSE_ILLEGAL_INSTRUCTION, csrrw a0, mhartid, a1
    TEST_EQ 40, a0, 0x5a

    # --- Unimplemented CSR numbers ---------------------------------------------------------------
    TEST_TRAP 41, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, CSR_CUSTOM_URW
    TEST_TRAP 42, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, CSR_CUSTOM_SRW
    TEST_TRAP 43, CAUSE_ILLEGAL_INSTRUCTION, csrw CSR_CUSTOM_MRW, a1
    TEST_TRAP 44, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, CSR_CUSTOM_MRO
    TEST_TRAP 45, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, CSR_USTATUS
    TEST_TRAP 46, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, CSR_PMPCFG1
    TEST_TRAP 47, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, CSR_RESERVED_M
    TEST_EQ 48, a0, 0x5a

    # --- misa: RV64 with I, M, A, C, S, U; writes are ignored ------------------------------------
    csrr s0, misa
    li t0, MISA_MXL_MASK
    and a0, s0, t0
    TEST_EQ 49, a0, MISA_MXL_64
    li t0, MISA_REQUIRED
    and a0, s0, t0
    TEST_EQ 50, a0, MISA_REQUIRED
    csrw misa, zero
    csrr a0, misa
    TEST_REGS_EQ 51, a0, s0
    li t0, 1 << ('C' - 'A')
    csrc misa, t0
    csrr a0, misa
    TEST_REGS_EQ 52, a0, s0

    # --- mtvec / stvec: direct and vectored are kept; a reserved MODE leaves the register alone ----
    la s1, aligned_vector
    csrr s2, mtvec
    csrw mtvec, s1
    csrr a0, mtvec
    TEST_REGS_EQ 53, a0, s1
    ori a1, s1, TVEC_MODE_VECTORED
    csrw mtvec, a1
    csrr a0, mtvec
    TEST_REGS_EQ 54, a0, a1
    ori a2, s1, TVEC_MODE_RESERVED
    csrw mtvec, a2
    csrr a0, mtvec
    TEST_REGS_EQ 55, a0, a1            # unchanged (QEMU 7.2 drops the whole write)
    csrw mtvec, s2
    csrr s3, stvec
    csrw stvec, a1
    csrr a0, stvec
    TEST_REGS_EQ 56, a0, a1
    csrw stvec, a2
    csrr a0, stvec
    TEST_REGS_EQ 57, a0, a1
    csrw stvec, s3

    # --- mstatus.MPP holds M, S and U ------------------------------------------------------------
    li s4, MSTATUS_MPP
    csrc mstatus, s4
    csrr a0, mstatus
    and a0, a0, s4
    TEST_EQ 58, a0, 0
    li t0, MSTATUS_MPP_S
    csrs mstatus, t0
    csrr a0, mstatus
    and a0, a0, s4
    TEST_EQ 59, a0, MSTATUS_MPP_S
    csrs mstatus, s4
    csrr a0, mstatus
    and a0, a0, s4
    TEST_EQ 60, a0, MSTATUS_MPP_M

    # --- sstatus is a restricted view of mstatus ---------------------------------------------------
    li s5, SSTATUS_VIEW
    csrc mstatus, s5
    li t0, MSTATUS_SIE | MSTATUS_SUM
    csrs sstatus, t0
    csrr a0, mstatus
    and a0, a0, s5
    TEST_EQ 61, a0, MSTATUS_SIE | MSTATUS_SUM
    li t0, MSTATUS_SPP | MSTATUS_MXR | MSTATUS_SPIE
    csrs mstatus, t0
    csrr a0, sstatus
    and a0, a0, s5
    TEST_EQ 62, a0, SSTATUS_VIEW
    csrc sstatus, s5
    csrr a0, mstatus
    and a0, a0, s5
    TEST_EQ 63, a0, 0
    # M-only fields are invisible in sstatus and cannot be written through it
    li s6, MSTATUS_M_ONLY
    li t0, MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_TW | MSTATUS_TSR | MSTATUS_TVM
    csrs mstatus, t0
    csrr a0, sstatus
    and a0, a0, s6
    TEST_EQ 64, a0, 0
    csrc sstatus, s6
    csrr a0, mstatus
    and a0, a0, s6
    TEST_EQ 65, a0, MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_TW | MSTATUS_TSR | MSTATUS_TVM
    li t0, MSTATUS_MIE | MSTATUS_MPRV
    csrs sstatus, t0
    csrr a0, mstatus
    and a0, a0, t0
    TEST_EQ 66, a0, 0
    li t0, MSTATUS_TW | MSTATUS_TSR | MSTATUS_TVM
    csrc mstatus, t0

    # --- sie / sip: views of mie / mip through mideleg -------------------------------------------
    csrw mie, zero
    csrw mideleg, zero
    li s7, MIP_S_ALL
    csrw sie, s7                       # nothing delegated: no effect
    csrr a0, mie
    TEST_EQ 67, a0, 0
    csrr a0, sie
    TEST_EQ 68, a0, 0
    csrw mideleg, s7
    csrw sie, s7
    csrr a0, sie
    and a0, a0, s7
    TEST_EQ 69, a0, MIP_S_ALL
    csrr a0, mie
    TEST_EQ 70, a0, MIP_S_ALL
    li t0, MIP_MSIP | MIP_MTIP | MIP_MEIP
    csrs sie, t0                       # M-level bits are not in sie
    csrr a0, mie
    TEST_EQ 71, a0, MIP_S_ALL
    csrw mie, zero
    # sip.SSIP is writable when delegated and reflects mip.SSIP
    csrci mip, MIP_SSIP
    csrsi sip, MIP_SSIP
    csrr a0, mip
    andi a0, a0, MIP_SSIP
    TEST_EQ 72, a0, MIP_SSIP
    csrr a0, sip
    andi a0, a0, MIP_SSIP
    TEST_EQ 73, a0, MIP_SSIP
    # not delegated: sip shows nothing and ignores writes
    csrw mideleg, zero
    csrr a0, sip
    TEST_EQ 74, a0, 0
    csrci sip, MIP_SSIP
    csrr a0, mip
    andi a0, a0, MIP_SSIP
    TEST_EQ 75, a0, MIP_SSIP
    csrci mip, MIP_SSIP
    csrr a0, mip
    andi a0, a0, MIP_SSIP
    TEST_EQ 76, a0, 0

    # --- Full-width read/write registers --------------------------------------------------------
    li a1, 0xa5a5a5a5a5a5a5a4
    csrw mepc, a1
    csrr a0, mepc
    TEST_REGS_EQ 77, a0, a1
    csrw sepc, a1
    csrr a0, sepc
    TEST_REGS_EQ 78, a0, a1
    csrw mtval, a1
    csrr a0, mtval
    TEST_REGS_EQ 79, a0, a1
    csrw stval, a1
    csrr a0, stval
    TEST_REGS_EQ 80, a0, a1
    csrw sscratch, a1
    csrr a0, sscratch
    TEST_REGS_EQ 81, a0, a1
    li t0, MCOUNTEREN_CY | MCOUNTEREN_TM | MCOUNTEREN_IR
    csrw mcounteren, t0
    csrr a0, mcounteren
    andi a0, a0, MCOUNTEREN_CY | MCOUNTEREN_TM | MCOUNTEREN_IR
    TEST_EQ 82, a0, MCOUNTEREN_CY | MCOUNTEREN_TM | MCOUNTEREN_IR
    csrw scounteren, t0
    csrr a0, scounteren
    andi a0, a0, MCOUNTEREN_CY | MCOUNTEREN_TM | MCOUNTEREN_IR
    TEST_EQ 83, a0, MCOUNTEREN_CY | MCOUNTEREN_TM | MCOUNTEREN_IR

    j pass

.balign 256
aligned_vector:
    j fail
"#
);
