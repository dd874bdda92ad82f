//! The CSR instructions: who may access which CSR, what each read returns and what each write
//! changes (privileged spec 1.12 chapters 2–4, Zicntr, Zihpm).
//!
//! Access rules (spec §2.1): CSR bits 9:8 give the lowest privilege that may access it, bits
//! 11:10 = 0b11 mark it read-only. CSRRS/CSRRC with `rs1 = x0` and the immediate forms with
//! `uimm = 0` do not write, so they may read read-only CSRs; CSRRW always writes. Counters
//! (`cycle`, `time`, `instret`, `hpmcounterN`) below M-mode need their bit in `mcounteren`, and
//! in U-mode also in `scounteren`. `satp` in S-mode traps when `mstatus.TVM` is set. A CSR that
//! does not exist, or may not be accessed, raises illegal-instruction with the instruction bits.
//!
//! Write side effects: `satp` and PMP writes flush the translation caches; `mstatus` writes that
//! change SUM or MXR flush them too; writes that may enable an interrupt end the slice.

use crate::hart::csr::{
    CsrFile, ENVCFG_FIOM, MEDELEG_WRITABLE, MISA_VALUE, Privilege, counteren, irq, mstatus, num,
    satp,
};
use crate::mmu::pmp::PMP_ENTRIES;
use crate::stats::Event;
use crate::trap::Trap;

use super::Machine;
use super::execute::CsrOp;
use super::fetch::FetchState;

/// `mcounteren`/`scounteren`/`mcountinhibit` are 32 bits wide.
const COUNTEREN_MASK: u64 = 0xffff_ffff;

impl Machine {
    /// Executes a CSR instruction on `csr` with source operand `src`; `rs1` is the instruction's
    /// rs1/uimm field and `raw` its bits. Returns the old value for `rd`.
    pub(crate) fn csr_instruction(
        &mut self,
        csr: u16,
        rs1: u8,
        raw: u32,
        src: u64,
        op: CsrOp,
    ) -> Result<u64, Trap> {
        let illegal = Trap::illegal(raw);
        // The register forms test rs1 = x0; the immediate forms uimm = 0. Both live in `rs1`.
        let writes = op == CsrOp::Write || rs1 != 0;
        if !self.csr_accessible(csr, writes) {
            return Err(illegal);
        }
        let old = self.csr_read(csr).ok_or(illegal)?;
        if writes {
            // mip/sip: read-modify-write sees only the software-writable SEIP, not the PLIC's.
            let base = match csr {
                num::MIP | num::SIP => {
                    old & !(self.mip_hw & irq::SEI) | (self.hart.csr.mip_sw & irq::SEI)
                }
                _ => old,
            };
            let new = match op {
                CsrOp::Write => src,
                CsrOp::Set => base | src,
                CsrOp::Clear => base & !src,
            };
            self.csr_write(csr, new).ok_or(illegal)?;
        }
        Ok(old)
    }

    /// Whether the current privilege may access `csr` (and write it, if `write`).
    fn csr_accessible(&self, csr: u16, write: bool) -> bool {
        let p = self.hart.privilege;
        let min_privilege = (csr >> 8) & 3;
        if (p as u16) < min_privilege || (write && csr >> 10 == 3) {
            return false;
        }
        let c = &self.hart.csr;
        if csr == num::SATP && p == Privilege::Supervisor && c.mstatus & mstatus::TVM != 0 {
            return false;
        }
        if (num::CYCLE..=num::HPMCOUNTER31).contains(&csr) && p != Privilege::Machine {
            let bit = 1u64 << (csr - num::CYCLE);
            if c.mcounteren & bit == 0 || (p == Privilege::User && c.scounteren & bit == 0) {
                return false;
            }
        }
        true
    }

    /// The value of `csr`, or `None` if there is no such CSR.
    pub(crate) fn csr_read(&self, csr: u16) -> Option<u64> {
        let c = &self.hart.csr;
        Some(match csr {
            num::CYCLE | num::MCYCLE => c.mcycle.read(self.cycles()),
            num::TIME => self.bus.clint.mtime(self.cycles()),
            num::INSTRET | num::MINSTRET => c.minstret.read(self.retired),
            num::HPMCOUNTER3..=num::HPMCOUNTER31 => {
                self.hpm_value((csr - num::HPMCOUNTER3) as usize)
            }
            num::MHPMCOUNTER3..=num::MHPMCOUNTER31 => {
                self.hpm_value((csr - num::MHPMCOUNTER3) as usize)
            }
            num::SCOUNTOVF => self.scountovf(),

            num::SSTATUS => c.mstatus & mstatus::SSTATUS_VISIBLE,
            num::SIE => c.mie & c.mideleg,
            num::STVEC => c.stvec,
            num::SCOUNTEREN => c.scounteren,
            num::SENVCFG => c.senvcfg,
            num::SSCRATCH => c.sscratch,
            num::SEPC => c.sepc,
            num::SCAUSE => c.scause,
            num::STVAL => c.stval,
            num::SIP => self.mip() & c.mideleg,
            num::SATP => c.satp,

            num::MVENDORID | num::MARCHID | num::MIMPID | num::MCONFIGPTR => 0,
            num::MHARTID => self.hart.hartid,
            num::MSTATUS => c.mstatus,
            num::MISA => MISA_VALUE,
            num::MEDELEG => c.medeleg,
            num::MIDELEG => c.mideleg,
            num::MIE => c.mie,
            num::MTVEC => c.mtvec,
            num::MCOUNTEREN => c.mcounteren,
            num::MENVCFG => c.menvcfg,
            num::MCOUNTINHIBIT => c.mcountinhibit,
            num::MHPMEVENT3..=num::MHPMEVENT31 => self.hpm[(csr - num::MHPMEVENT3) as usize].event,
            num::MSCRATCH => c.mscratch,
            num::MEPC => c.mepc,
            num::MCAUSE => c.mcause,
            num::MTVAL => c.mtval,
            num::MIP => self.mip(),
            num::PMPCFG0..=num::PMPCFG15 => {
                let n = (csr - num::PMPCFG0) as usize;
                // RV64 has only the even pmpcfg registers; 16 entries need pmpcfg0 and 2.
                if !n.is_multiple_of(2) || n * 4 >= PMP_ENTRIES {
                    return None;
                }
                self.pmp.read_cfg(n)
            }
            num::PMPADDR0..=num::PMPADDR63 => {
                let n = (csr - num::PMPADDR0) as usize;
                if n >= PMP_ENTRIES {
                    return None;
                }
                self.pmp.read_addr(n)
            }
            _ => return None,
        })
    }

    /// Writes `value` to `csr` (already checked accessible), applying WARL rules and side
    /// effects; `None` if there is no such CSR.
    pub(crate) fn csr_write(&mut self, csr: u16, value: u64) -> Option<()> {
        // Counter writes take effect for the next instruction: this one's count is included.
        let next_cycle = self.cycles() + 1;
        let c: &mut CsrFile = &mut self.hart.csr;
        match csr {
            num::MCYCLE => c.mcycle.write(next_cycle, value),
            num::MINSTRET => c.minstret.write(self.retired + 1, value),
            num::MHPMCOUNTER3..=num::MHPMCOUNTER31 => {
                self.hpm_write((csr - num::MHPMCOUNTER3) as usize, value)
            }
            num::MHPMEVENT3..=num::MHPMEVENT31 => {
                self.hpm_event((csr - num::MHPMEVENT3) as usize, value);
                // A counter may have become armed: overflow checks start from a fixed point.
                self.stop_slice();
            }
            num::MCOUNTINHIBIT => {
                // Bit 1 (TM) is hardwired to zero: time cannot be inhibited.
                let v = value & COUNTEREN_MASK & !counteren::TM;
                c.mcountinhibit = v;
                c.mcycle.inhibit(next_cycle, v & counteren::CY != 0);
                c.minstret.inhibit(self.retired + 1, v & counteren::IR != 0);
                self.hpm_inhibit(v);
                self.stop_slice();
            }

            num::SSTATUS => {
                let new =
                    (c.mstatus & !mstatus::SSTATUS_WRITABLE) | (value & mstatus::SSTATUS_WRITABLE);
                self.set_mstatus(new);
            }
            num::MSTATUS => {
                let mut new = (c.mstatus & !mstatus::WRITABLE) | (value & mstatus::WRITABLE);
                // MPP is WARL: the reserved encoding 2 leaves it unchanged.
                if (new & mstatus::MPP) >> mstatus::MPP_SHIFT == 2 {
                    new = (new & !mstatus::MPP) | (c.mstatus & mstatus::MPP);
                }
                self.set_mstatus(new);
            }
            num::SIE => {
                c.mie = (c.mie & !c.mideleg) | (value & c.mideleg & irq::ALL);
                self.recheck_interrupts();
            }
            num::MIE => {
                c.mie = value & irq::ALL;
                self.recheck_interrupts();
            }
            num::SIP => {
                let writable = irq::SIP_WRITABLE & c.mideleg;
                c.mip_sw = (c.mip_sw & !writable) | (value & writable);
                self.recheck_interrupts();
            }
            num::MIP => {
                c.mip_sw = (c.mip_sw & !irq::MIP_WRITABLE) | (value & irq::MIP_WRITABLE);
                self.recheck_interrupts();
            }
            num::MEDELEG => c.medeleg = value & MEDELEG_WRITABLE,
            num::MIDELEG => {
                c.mideleg = value & irq::DELEGABLE;
                self.recheck_interrupts();
            }
            // xtvec MODE is WARL; a reserved MODE (>= 2) leaves the register unchanged.
            num::STVEC if value & 3 < 2 => c.stvec = value,
            num::MTVEC if value & 3 < 2 => c.mtvec = value,
            num::STVEC | num::MTVEC => {}
            num::SCOUNTEREN => c.scounteren = value & COUNTEREN_MASK,
            num::MCOUNTEREN => c.mcounteren = value & COUNTEREN_MASK,
            num::SENVCFG => c.senvcfg = value & ENVCFG_FIOM,
            num::MENVCFG => c.menvcfg = value & ENVCFG_FIOM,
            num::SSCRATCH => c.sscratch = value,
            num::MSCRATCH => c.mscratch = value,
            // With IALIGN = 16, bit 0 of xepc is zero.
            num::SEPC => c.sepc = value & !1,
            num::MEPC => c.mepc = value & !1,
            num::SCAUSE => c.scause = value,
            num::MCAUSE => c.mcause = value,
            num::STVAL => c.stval = value,
            num::MTVAL => c.mtval = value,
            num::SATP => {
                let mode = value >> satp::MODE_SHIFT;
                // A write with an unsupported MODE has no effect at all (spec §4.1.11).
                if mode == satp::MODE_BARE || mode == satp::MODE_SV39 {
                    // ASIDLEN is the profile's: unimplemented ASID bits read as zero.
                    let unimplemented = u64::from(!self.asid_mask) << satp::ASID_SHIFT;
                    c.satp = value & !unimplemented;
                    self.stamp(crate::timeline::Boundary::SatpWrite);
                    self.flush_translations();
                    self.satp_written();
                    self.stats.count(Event::SatpWrite);
                    let (root, asid) = self.address_space();
                    self.stats
                        .set_space(root, asid, self.retired, self.cycles());
                    self.stamp(crate::timeline::Boundary::SatpDone);
                }
            }
            num::MISA => {} // WARL: the extensions cannot be switched off
            num::PMPCFG0..=num::PMPCFG15 => {
                self.pmp.write_cfg((csr - num::PMPCFG0) as usize, value);
                self.flush_translations();
            }
            num::PMPADDR0..=num::PMPADDR63 => {
                self.pmp.write_addr((csr - num::PMPADDR0) as usize, value);
                self.flush_translations();
            }
            _ => return None,
        }
        Some(())
    }

    fn set_mstatus(&mut self, new: u64) {
        let old = std::mem::replace(&mut self.hart.csr.mstatus, new);
        if (old ^ new) & (mstatus::SUM | mstatus::MXR) != 0 {
            self.htlb.flush();
        }
        self.update_dmode();
        self.recheck_interrupts();
    }

    /// Drops every cached translation (host TLB and fetch state).
    pub(crate) fn flush_translations(&mut self) {
        self.htlb.flush();
        self.fetch = FetchState::INVALID;
    }
}
