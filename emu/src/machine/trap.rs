//! Taking traps and interrupts, and returning from them (privileged spec 1.12 §3.1.6–3.1.9,
//! §3.3.2, §4.1.1). This is the one place that writes `xcause`, `xepc`, `xtval` and moves
//! the privilege level on a trap.
//!
//! Delegation: a trap taken in S- or U-mode goes to S-mode if its bit is set in `medeleg`
//! (exceptions) or `mideleg` (interrupts); otherwise, and always from M-mode, to M-mode.
//!
//! Interrupts: an M-level interrupt (not delegated) is enabled when running below M or with
//! `mstatus.MIE`; an S-level one (delegated) when running in U, or in S with `mstatus.SIE`,
//! and never in M. M-level interrupts go first; within a level the order is MEI, MSI, MTI,
//! SEI, SSI, STI.
//!
//! Both trap entry and xRET clear the LR reservation, as QEMU's `riscv_cpu_set_mode` does (the
//! spec permits it and it makes a context switch safe without an explicit SC).

use crate::hart::csr::{Privilege, mstatus, tvec};
use crate::stats::Event;
use crate::timeline::Boundary;
use crate::trap::{Interrupt, Trap};

use super::Machine;
use super::fetch::FetchState;

impl Machine {
    /// Takes a synchronous trap at the current pc. The faulting instruction retires nothing
    /// but costs a cycle, so that a guest stuck in a fault loop still advances time. (A
    /// debugger's watchpoint cancels an instruction by unwinding it like a trap; that one is not
    /// taken: nothing happens and the pc stays on the instruction.)
    pub(crate) fn take_trap(&mut self, t: Trap) {
        if self.cancelled() {
            return;
        }
        self.exceptions += 1;
        self.carry = super::pipeline::Carry::NONE;
        self.stats.count(Event::Exception);
        self.stamp(Boundary::TrapEnter {
            cause: t.cause.code(),
        });
        self.spend_trap_cycles();
        self.enter_trap(t.cause.code(), false, t.tval);
        self.stamp(Boundary::TrapTaken);
    }

    /// Takes interrupt `i` before the instruction at the current pc (one cycle). Like an
    /// exception, it drops what the pipeline model carried from the last block: trap entry
    /// flushes the pipeline, and the results in flight land during its penalty cycles.
    pub(crate) fn take_interrupt(&mut self, i: Interrupt) {
        self.interrupts += 1;
        self.carry = super::pipeline::Carry::NONE;
        self.stats.count(Event::Interrupt);
        self.stamp(Boundary::TrapEnter {
            cause: i.code() | 1 << 63,
        });
        self.spend_trap_cycles();
        self.enter_trap(i.code(), true, 0);
        self.stamp(Boundary::TrapTaken);
    }

    /// Trap entry takes a cycle (so a fault loop advances time), or the profile's penalty. Under
    /// the pipeline model it first ends the issue group in flight (`end_group`), so the penalty
    /// starts on a whole cycle and the group's last tick stays where the group ran.
    fn spend_trap_cycles(&mut self) {
        self.end_group();
        let cost = self.timing.as_deref().map_or(1, |t| t.penalty.trap.max(1));
        self.spend_cycles(cost);
    }

    fn enter_trap(&mut self, code: u64, interrupt: bool, tval: u64) {
        let from = self.hart.privilege;
        let pc = self.hart.pc;
        let csr = &mut self.hart.csr;
        let deleg = if interrupt { csr.mideleg } else { csr.medeleg };
        let cause = code | (u64::from(interrupt) << 63);
        let to_supervisor = from != Privilege::Machine && (deleg >> code) & 1 != 0;
        let s = csr.mstatus;
        let (base_vector, new_status) = if to_supervisor {
            csr.scause = cause;
            csr.sepc = pc;
            csr.stval = tval;
            let spie = if s & mstatus::SIE != 0 {
                mstatus::SPIE
            } else {
                0
            };
            let spp = if from == Privilege::Supervisor {
                mstatus::SPP
            } else {
                0
            };
            (
                csr.stvec,
                (s & !(mstatus::SPIE | mstatus::SIE | mstatus::SPP)) | spie | spp,
            )
        } else {
            csr.mcause = cause;
            csr.mepc = pc;
            csr.mtval = tval;
            let mpie = if s & mstatus::MIE != 0 {
                mstatus::MPIE
            } else {
                0
            };
            let mpp = (from as u64) << mstatus::MPP_SHIFT;
            (
                csr.mtvec,
                (s & !(mstatus::MPIE | mstatus::MIE | mstatus::MPP)) | mpie | mpp,
            )
        };
        csr.mstatus = new_status;
        let to = if to_supervisor {
            Privilege::Supervisor
        } else {
            Privilege::Machine
        };
        if to != from {
            self.stats.set_mode(to, self.retired, self.cycles());
        }
        self.hart.privilege = to;
        let base = base_vector & !3;
        self.hart.pc = if interrupt && base_vector & 3 == tvec::VECTORED {
            base + 4 * code
        } else {
            base
        };
        // As QEMU does on every privilege change: a trap breaks any LR reservation.
        self.hart.reservation = None;
        self.fetch = FetchState::INVALID;
        self.update_dmode();
    }

    /// The interrupt to take now, if any.
    pub(crate) fn pending_interrupt(&self) -> Option<Interrupt> {
        let csr = &self.hart.csr;
        let pending = self.mip() & csr.mie;
        if pending == 0 {
            return None;
        }
        let p = self.hart.privilege;
        let m_enabled = p < Privilege::Machine || csr.mstatus & mstatus::MIE != 0;
        let s_enabled = p < Privilege::Supervisor
            || (p == Privilege::Supervisor && csr.mstatus & mstatus::SIE != 0);
        let m_level = if m_enabled { pending & !csr.mideleg } else { 0 };
        let s_level = if s_enabled { pending & csr.mideleg } else { 0 };
        let first = |set: u64| {
            Interrupt::PRIORITY
                .into_iter()
                .find(|i| set & i.mask() != 0)
        };
        first(m_level).or_else(|| first(s_level))
    }

    /// Ends the slice if an interrupt has become takeable (after CSR writes and xRET).
    pub(crate) fn recheck_interrupts(&mut self) {
        if self.pending_interrupt().is_some() {
            self.stop_slice();
        }
    }

    /// MRET: back to MPP, MIE = MPIE, MPIE = 1, MPP = U, and MPRV = 0 unless returning to M.
    pub(crate) fn mret(&mut self) {
        let csr = &mut self.hart.csr;
        let s = csr.mstatus;
        let to = Privilege::from_bits(s >> mstatus::MPP_SHIFT);
        let mie = if s & mstatus::MPIE != 0 {
            mstatus::MIE
        } else {
            0
        };
        let mprv = if to == Privilege::Machine {
            s & mstatus::MPRV
        } else {
            0
        };
        csr.mstatus =
            (s & !(mstatus::MIE | mstatus::MPP | mstatus::MPRV)) | mie | mstatus::MPIE | mprv;
        self.hart.pc = csr.mepc;
        self.return_to(to);
    }

    /// SRET: back to SPP, SIE = SPIE, SPIE = 1, SPP = U, MPRV = 0.
    pub(crate) fn sret(&mut self) {
        let csr = &mut self.hart.csr;
        let s = csr.mstatus;
        let to = if s & mstatus::SPP != 0 {
            Privilege::Supervisor
        } else {
            Privilege::User
        };
        let sie = if s & mstatus::SPIE != 0 {
            mstatus::SIE
        } else {
            0
        };
        csr.mstatus = (s & !(mstatus::SIE | mstatus::SPP | mstatus::MPRV)) | sie | mstatus::SPIE;
        self.hart.pc = csr.sepc;
        self.return_to(to);
    }

    fn return_to(&mut self, to: Privilege) {
        self.stamp(Boundary::XretEnter);
        self.stats.count(Event::Xret);
        self.penalize(|p| p.xret);
        if to != self.hart.privilege {
            self.stats.set_mode(to, self.retired, self.cycles());
        }
        self.hart.privilege = to;
        // As QEMU does on every privilege change: xRET breaks any LR reservation.
        self.hart.reservation = None;
        self.fetch = FetchState::INVALID;
        self.update_dmode();
        self.stamp(Boundary::XretDone);
        self.recheck_interrupts();
    }
}
