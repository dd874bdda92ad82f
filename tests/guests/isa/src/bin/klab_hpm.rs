//! klab_hpm (klab only): do klab's programmable counters behave as Zihpm and Sscofpmf (privileged spec
//! 1.12) say — is mhpmevent WARL (an unknown event number reads 0, OF/MINH/SINH/UINH read back,
//! VSINH/VUINH read 0); does mhpmcounterN count its event (11 = exception taken, 12 = interrupt taken,
//! 13 = satp write, 14 = sfence.vma) in the privilege mode where it happens, only in the modes whose
//! inhibit bit is clear, never while frozen by mcountinhibit, and on from a written value; are
//! hpmcounterN and scountovf gated by mcounteren/scounteren; and does a counter passing 2^64 - 1 wrap,
//! set OF and raise the local counter-overflow interrupt (LCOFI, cause 13) once — taken in M-mode, or
//! in S-mode when delegated with mideleg — with LCOFIP software-clearable in mip/sip? Only events
//! klab counts with and without its timing models are used. QEMU 7.2 fails at check 2: it keeps an
//! unknown event number as written (and has none of these events).
#![no_std]
#![no_main]

use isa as _;

core::arch::global_asm!(
    include_str!("../prelude.S"),
    r#"
# mhpmevent fields (Sscofpmf)
.equ HPM_OF,                1 << 63
.equ HPM_MINH,              1 << 62
.equ HPM_SINH,              1 << 61
.equ HPM_UINH,              1 << 60
.equ HPM_VSINH,             1 << 59
.equ HPM_VUINH,             1 << 58
.equ HPM_INH_ALL,           HPM_MINH | HPM_SINH | HPM_UINH
# klab's event numbers counted in every mode of the emulator
.equ EV_EXCEPTION,          11
.equ EV_INTERRUPT,          12
.equ EV_SATP_WRITE,         13
.equ EV_SFENCE_VMA,         14
.equ EV_LAST_KNOWN,         19
.equ EV_FIRST_UNKNOWN,      31                  # emu::stats::EVENTS
.equ EV_UNKNOWN,            200

.equ IRQ_LCOF,              13
.equ MIP_LCOFIP,            1 << IRQ_LCOF
.equ CSR_SCOUNTOVF,         0xda0
.equ COUNTEREN_ALL,         0xffffffff
.equ INSN_CSRR_A0_HPMCOUNTER3, 0xc0302573   # csrrs a0, hpmcounter3, x0
.equ INSN_CSRR_A0_SCOUNTOVF,   0xda002573   # csrrs a0, scountovf, x0
.equ INSN_CSRW_SCOUNTOVF_ZERO, 0xda001073   # csrrw x0, scountovf, x0
.equ WFI_TRIES,             1000
.equ QUIET_SPINS,           10000      # 20,000 instructions: more than klab's 4096-cycle slices
.equ COUNTER3_S_VALUE,      0x123456789abc
.equ COUNTER3_U_VALUE,      0x0fedcba987654321

# Fail check `num` unless bit 13 (LCOFI) of `csr` (mip, sip or sie) is `val`. Clobbers a0, t0.
.macro TEST_LCOFIP num, csr, val
    csrr a0, \csr
    li t0, MIP_LCOFIP
    and a0, a0, t0
    TEST_EQ \num, a0, \val
.endm

test_main:
    csrw mcountinhibit, zero
    csrw mcounteren, zero
    csrw scounteren, zero
    li t0, MIP_LCOFIP
    csrc mip, t0

    # --- 1. Is mhpmevent WARL: an unknown event reads 0, OF/MINH/SINH/UINH read back, VSINH/VUINH 0? ---
    li t0, EV_UNKNOWN
    csrw mhpmevent3, t0
    csrr a0, mhpmevent3
    TEST_EQ 2, a0, 0
    li t0, EV_FIRST_UNKNOWN
    csrw mhpmevent3, t0
    csrr a0, mhpmevent3
    TEST_EQ 3, a0, 0
    li t0, EV_LAST_KNOWN
    csrw mhpmevent3, t0
    csrr a0, mhpmevent3
    TEST_EQ 4, a0, EV_LAST_KNOWN
    li t0, EV_EXCEPTION
    csrw mhpmevent3, t0
    csrr a0, mhpmevent3
    TEST_EQ 5, a0, EV_EXCEPTION
    li t0, HPM_OF | HPM_INH_ALL | HPM_VSINH | HPM_VUINH | EV_UNKNOWN
    csrw mhpmevent3, t0
    csrr a0, mhpmevent3
    TEST_EQ 6, a0, HPM_OF | HPM_INH_ALL        # event 0, VSINH/VUINH read 0
    li t0, HPM_VSINH | HPM_VUINH | EV_EXCEPTION
    csrw mhpmevent3, t0
    csrr a0, mhpmevent3
    TEST_EQ 7, a0, EV_EXCEPTION                # OF and the inhibit bits clear again
    csrw mhpmevent3, zero
    csrr a0, mhpmevent3
    TEST_EQ 8, a0, 0

    # --- 2. Does event 11 count exceptions taken, from 0 and on from a written value? -------------------
    li t0, EV_EXCEPTION
    csrw mhpmevent3, t0
    csrw mhpmcounter3, zero
    csrr a0, mhpmcounter3
    TEST_EQ 9, a0, 0
    TEST_TRAP 10, CAUSE_MACHINE_ECALL, ecall
    TEST_TRAP 11, CAUSE_MACHINE_ECALL, ecall
    TEST_TRAP 12, CAUSE_MACHINE_ECALL, ecall
    csrr a0, mhpmcounter3
    TEST_EQ 13, a0, 3
    li t0, 100
    csrw mhpmcounter3, t0
    csrr a0, mhpmcounter3
    TEST_EQ 14, a0, 100
    TEST_TRAP 15, CAUSE_MACHINE_ECALL, ecall
    csrr a0, mhpmcounter3
    TEST_EQ 16, a0, 101

    # --- 3. Is an exception counted in the mode that raised it, only where MINH/SINH/UINH is clear? -----
    # ENTER_M is an ecall from the mode it leaves: it counts there too.
    PMP_OPEN_ALL
    li t0, 1 << 4
    csrw mcounteren, t0                # hpmcounter4 readable in S-mode
    li t0, EV_EXCEPTION | HPM_MINH
    csrw mhpmevent4, t0
    csrw mhpmcounter4, zero
    TEST_TRAP 17, CAUSE_MACHINE_ECALL, ecall
    csrr a0, mhpmcounter4
    TEST_EQ 18, a0, 0                  # M-mode exception: inhibited
    ENTER_S
    TEST_TRAP 19, CAUSE_SUPERVISOR_ECALL, ecall
    TEST_FROM_MODE 20, PRV_S
    csrr a0, hpmcounter4
    TEST_EQ 21, a0, 1                  # S-mode exception, handled in M-mode: counted in S
    ENTER_M
    csrr a0, mhpmcounter4
    TEST_EQ 22, a0, 2                  # ENTER_M's ecall from S
    # SINH: S-mode exceptions are not counted, U-mode ones are
    li t0, EV_EXCEPTION | HPM_MINH | HPM_SINH
    csrw mhpmevent4, t0
    csrw mhpmcounter4, zero
    ENTER_S
    TEST_TRAP 23, CAUSE_SUPERVISOR_ECALL, ecall
    ENTER_M
    csrr a0, mhpmcounter4
    TEST_EQ 24, a0, 0
    ENTER_U
    TEST_TRAP 25, CAUSE_USER_ECALL, ecall
    TEST_FROM_MODE 26, PRV_U
    ENTER_M
    csrr a0, mhpmcounter4
    TEST_EQ 27, a0, 2                  # the ecall and ENTER_M's ecall from U
    # UINH: U-mode exceptions are not counted, S-mode ones are
    li t0, EV_EXCEPTION | HPM_MINH | HPM_UINH
    csrw mhpmevent4, t0
    csrw mhpmcounter4, zero
    ENTER_U
    TEST_TRAP 28, CAUSE_USER_ECALL, ecall
    ENTER_M
    csrr a0, mhpmcounter4
    TEST_EQ 29, a0, 0
    ENTER_S
    TEST_TRAP 30, CAUSE_SUPERVISOR_ECALL, ecall
    ENTER_M
    csrr a0, mhpmcounter4
    TEST_EQ 31, a0, 2
    csrw mhpmevent4, zero
    csrw mcounteren, zero

    # --- 4. Does mcountinhibit freeze a counter, keep a value written meanwhile, and resume? ------------
    li t0, 1 << 5
    csrs mcountinhibit, t0
    li t0, EV_EXCEPTION
    csrw mhpmevent5, t0
    li t0, 7
    csrw mhpmcounter5, t0
    TEST_TRAP 32, CAUSE_MACHINE_ECALL, ecall
    TEST_TRAP 33, CAUSE_MACHINE_ECALL, ecall
    csrr a0, mhpmcounter5
    TEST_EQ 34, a0, 7                  # frozen
    li t0, 50
    csrw mhpmcounter5, t0
    csrr a0, mhpmcounter5
    TEST_EQ 35, a0, 50                 # a write while frozen sets the value
    TEST_TRAP 36, CAUSE_MACHINE_ECALL, ecall
    csrr a0, mhpmcounter5
    TEST_EQ 37, a0, 50                 # and stays frozen
    li t0, 1 << 5
    csrc mcountinhibit, t0
    csrr a0, mhpmcounter5
    TEST_EQ 38, a0, 50
    TEST_TRAP 39, CAUSE_MACHINE_ECALL, ecall
    csrr a0, mhpmcounter5
    TEST_EQ 40, a0, 51                 # counting again, on from the written value
    csrw mhpmevent5, zero

    # --- 5. Are satp writes (13) and sfence.vma (14) counted in the mode that executes them? ------------
    li t0, MSTATUS_TVM
    csrc mstatus, t0
    li t0, EV_SATP_WRITE | HPM_MINH
    csrw mhpmevent6, t0
    csrw mhpmcounter6, zero
    csrw satp, zero                    # M-mode: inhibited
    csrr a0, mhpmcounter6
    TEST_EQ 41, a0, 0
    ENTER_S
    csrw satp, zero                    # bare
    csrr a0, satp                      # a read is not a write
    ENTER_M
    csrr a0, mhpmcounter6
    TEST_EQ 42, a0, 1
    li t0, EV_SFENCE_VMA | HPM_MINH
    csrw mhpmevent6, t0
    csrw mhpmcounter6, zero
    sfence.vma                         # M-mode: inhibited
    csrr a0, mhpmcounter6
    TEST_EQ 43, a0, 0
    ENTER_S
    sfence.vma
    ENTER_M
    csrr a0, mhpmcounter6
    TEST_EQ 44, a0, 1
    csrw mhpmevent6, zero

    # --- 6. Are hpmcounter3 and scountovf gated by mcounteren (S) and also scounteren (U)? --------------
    csrw mcounteren, zero
    csrw scounteren, zero
    ENTER_S
    TEST_TRAP 45, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, hpmcounter3
    TEST_FROM_MODE 46, PRV_S
    TEST_TVAL 47, INSN_CSRR_A0_HPMCOUNTER3
    ENTER_M
    li t0, 1 << 3
    csrw mcounteren, t0
    li s0, COUNTER3_S_VALUE
    csrw mhpmcounter3, s0              # still counting event 11; no exception until the read
    ENTER_S
    TEST_NO_TRAP 48, csrr a0, hpmcounter3
    TEST_REGS_EQ 49, a0, s0
    ENTER_M
    ENTER_U                            # mcounteren bit 3 set, scounteren bit 3 clear
    TEST_TRAP 50, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, hpmcounter3
    ENTER_M
    TEST_FROM_MODE 51, PRV_U
    li t0, 1 << 3
    csrw mcounteren, t0
    csrw scounteren, t0
    li s0, COUNTER3_U_VALUE
    csrw mhpmcounter3, s0
    ENTER_U
    TEST_NO_TRAP 52, csrr a0, hpmcounter3
    TEST_REGS_EQ 53, a0, s0
    ENTER_M
    csrw mcounteren, zero              # scounteren alone is not enough
    ENTER_U
    TEST_TRAP 54, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, hpmcounter3
    TEST_FROM_MODE 55, PRV_U
    TEST_TVAL 56, INSN_CSRR_A0_HPMCOUNTER3
    ENTER_M
    csrw mhpmevent3, zero
    # scountovf: OF bits set by software in mhpmevent9 and mhpmevent10 (no event selected)
    li t0, HPM_OF
    csrw mhpmevent9, t0
    csrw mhpmevent10, t0
    li t0, 1 << 9
    csrw mcounteren, t0
    li t0, COUNTEREN_ALL
    csrw scounteren, t0
    csrr a0, CSR_SCOUNTOVF
    TEST_EQ 57, a0, (1 << 9) | (1 << 10)       # M-mode sees every OF bit
    TEST_TRAP 58, CAUSE_ILLEGAL_INSTRUCTION, .4byte INSN_CSRW_SCOUNTOVF_ZERO
    TEST_TVAL 59, INSN_CSRW_SCOUNTOVF_ZERO     # read-only
    ENTER_S
    TEST_NO_TRAP 60, csrr a0, CSR_SCOUNTOVF
    TEST_EQ 61, a0, 1 << 9                     # masked by mcounteren
    ENTER_M
    li t0, COUNTEREN_ALL
    csrw mcounteren, t0
    ENTER_S
    csrr a0, CSR_SCOUNTOVF
    TEST_EQ 62, a0, (1 << 9) | (1 << 10)
    ENTER_M
    ENTER_U
    TEST_TRAP 63, CAUSE_ILLEGAL_INSTRUCTION, csrr a0, CSR_SCOUNTOVF
    TEST_FROM_MODE 64, PRV_U
    TEST_TVAL 65, INSN_CSRR_A0_SCOUNTOVF       # never from U-mode
    ENTER_M
    csrw mhpmevent9, zero
    csrw mhpmevent10, zero
    csrr a0, CSR_SCOUNTOVF
    TEST_EQ 66, a0, 0
    csrw mcounteren, zero
    csrw scounteren, zero

    # --- 7. Does a counter passing 2^64 - 1 wrap, set OF and raise LCOFI (cause 13) once, in M-mode? ----
    csrw mie, zero
    li t0, EV_EXCEPTION
    csrw mhpmevent7, t0
    li t0, -2
    csrw mhpmcounter7, t0
    li t0, EV_INTERRUPT                # counter 9 counts interrupts taken
    csrw mhpmevent9, t0
    csrw mhpmcounter9, zero
    TEST_LCOFIP 67, mip, 0
    li t0, MIP_LCOFIP
    csrw mie, t0                       # enabled, but MIE = 0 until the wait
    TEST_TRAP 68, CAUSE_MACHINE_ECALL, ecall
    csrr a0, mhpmcounter7
    TEST_EQ 69, a0, -1
    csrr a0, mhpmevent7
    TEST_EQ 70, a0, EV_EXCEPTION       # not yet an overflow
    TEST_TRAP 71, CAUSE_MACHINE_ECALL, ecall   # ...ff -> 0
    li gp, 72
    li s0, WFI_TRIES
    la tp, 2f
    csrsi mstatus, MSTATUS_MIE
1:  wfi
    addi s0, s0, -1
    bnez s0, 1b
    j fail                             # no interrupt
2:  TEST_EQ 73, t5, CAUSE_INTERRUPT | IRQ_LCOF
    TEST_FROM_MODE 74, PRV_M
    csrr a0, mhpmevent7
    TEST_EQ 75, a0, HPM_OF | EV_EXCEPTION
    csrr a0, mhpmcounter7
    TEST_EQ 76, a0, 0                  # wrapped
    csrr a0, CSR_SCOUNTOVF
    TEST_EQ 77, a0, 1 << 7
    csrr a0, mhpmcounter9
    TEST_EQ 78, a0, 1                  # event 12: the LCOFI
    TEST_LCOFIP 79, mip, MIP_LCOFIP    # still pending: the handler only disabled it in mie
    li t0, MIP_LCOFIP
    csrc mip, t0
    TEST_LCOFIP 80, mip, 0             # software-clearable
    # another overflow while OF is set: no interrupt
    li t0, -1
    csrw mhpmcounter7, t0
    TEST_TRAP 81, CAUSE_MACHINE_ECALL, ecall   # ...ff -> 0 again
    li t0, MIP_LCOFIP
    csrs mie, t0
    li gp, 82
    la tp, fail                        # an interrupt now fails check 82
    csrsi mstatus, MSTATUS_MIE
    li s0, QUIET_SPINS
1:  addi s0, s0, -1
    bnez s0, 1b
    csrci mstatus, MSTATUS_MIE
    beqz tp, fail
    li tp, 0
    csrw mie, zero
    TEST_LCOFIP 83, mip, 0
    csrr a0, mhpmcounter7
    TEST_EQ 84, a0, 0
    csrr a0, mhpmevent7
    TEST_EQ 85, a0, HPM_OF | EV_EXCEPTION
    csrr a0, mhpmcounter9
    TEST_EQ 86, a0, 1
    # software clears OF
    li t0, EV_EXCEPTION
    csrw mhpmevent7, t0
    csrr a0, mhpmevent7
    TEST_EQ 87, a0, EV_EXCEPTION
    csrr a0, CSR_SCOUNTOVF
    TEST_EQ 88, a0, 0
    csrw mhpmevent7, zero
    csrw mhpmevent9, zero

    # --- 8. Is LCOFI delegated with mideleg bit 13 taken by the S-mode handler, with sip.LCOFIP? --------
    li t0, EV_EXCEPTION | HPM_MINH | HPM_UINH
    csrw mhpmevent8, t0
    li t0, -1
    csrw mhpmcounter8, t0
    li t0, MIP_LCOFIP
    csrw mideleg, t0
    csrw mie, t0
    li t0, 1 << 8
    csrw mcounteren, t0
    li t0, MSTATUS_SIE
    csrc mstatus, t0
    ENTER_S
    csrw scause, zero
    TEST_LCOFIP 89, sie, MIP_LCOFIP
    TEST_LCOFIP 90, sip, 0
    TEST_TRAP 91, CAUSE_SUPERVISOR_ECALL, ecall  # from S, handled in M: ...ff -> 0
    li gp, 92
    li s0, WFI_TRIES
    la tp, 2f
    csrsi sstatus, MSTATUS_SIE
1:  wfi
    addi s0, s0, -1
    bnez s0, 1b
    j fail                             # no interrupt
2:  TEST_EQ 93, t5, CAUSE_INTERRUPT | IRQ_LCOF
    TEST_FROM_MODE 94, PRV_S
    csrr a0, scause
    TEST_EQ 95, a0, CAUSE_INTERRUPT | IRQ_LCOF   # taken by the S-mode handler
    TEST_LCOFIP 96, sip, MIP_LCOFIP
    csrr a0, CSR_SCOUNTOVF
    TEST_EQ 97, a0, 1 << 8
    li t0, MIP_LCOFIP
    csrc sip, t0
    TEST_LCOFIP 98, sip, 0             # S-mode clears it
    ENTER_M
    TEST_LCOFIP 99, mip, 0
    csrr a0, mhpmevent8
    TEST_EQ 100, a0, HPM_OF | EV_EXCEPTION | HPM_MINH | HPM_UINH
    csrr a0, mhpmcounter8
    TEST_EQ 101, a0, 1                 # ENTER_M's ecall from S
    csrw mie, zero
    csrw mideleg, zero
    csrw mcounteren, zero
    csrw mhpmevent8, zero
    j pass
"#
);
