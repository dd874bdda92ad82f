//! The machine as a `gdbstub` target: registers and memory (`g`, `G`, `p`, `P`, `m`, `M`,
//! `X`), and which protocol extensions klab offers. Running, breakpoints and monitor commands
//! have their own files.
//!
//! Memory addresses are virtual, translated as the current translation would (see
//! `emu::machine::inspect`); reads change nothing the run measures. A read stops at the first
//! byte that is unmapped or not RAM (device registers are not readable: a read could consume
//! console input), and GDB shows it as "Cannot access memory".

use emu::hart::Privilege;
use emu::{Exit, Machine};
use gdbstub::target::ext::base::BaseOps;
use gdbstub::target::ext::base::single_register_access::{
    SingleRegisterAccess, SingleRegisterAccessOps,
};
use gdbstub::target::ext::base::singlethread::{SingleThreadBase, SingleThreadResumeOps};
use gdbstub::target::ext::breakpoints::BreakpointsOps;
use gdbstub::target::ext::monitor_cmd::MonitorCmdOps;
use gdbstub::target::{Target, TargetError, TargetResult};
use gdbstub_arch::riscv::reg::RiscvCoreRegs;

use super::arch::{KlabRiscv64, Reg};

/// What the next resumption does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Run until something stops it.
    Continue,
    /// Execute one instruction.
    Step,
}

/// A klab machine being debugged.
pub struct KlabTarget<'m> {
    /// The machine.
    pub m: &'m mut Machine,
    /// How the next resumption runs.
    pub mode: Mode,
    /// `--max-insns`: the run ends when this many instructions have executed.
    pub limit: Option<u64>,
    /// How the run ended, once it has (the guest exited, or the limit, a reset, a stuck hart).
    pub ended: Option<Exit>,
}

/// Errors that end a debugging session (none today: every failure is reported to GDB).
#[derive(Debug)]
pub struct Fatal(pub &'static str);

impl std::fmt::Display for Fatal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl Target for KlabTarget<'_> {
    type Arch = KlabRiscv64;
    type Error = Fatal;

    #[inline(always)]
    fn base_ops(&mut self) -> BaseOps<'_, Self::Arch, Self::Error> {
        BaseOps::SingleThread(self)
    }

    #[inline(always)]
    fn support_breakpoints(&mut self) -> Option<BreakpointsOps<'_, Self>> {
        Some(self)
    }

    #[inline(always)]
    fn support_monitor_cmd(&mut self) -> Option<MonitorCmdOps<'_, Self>> {
        Some(self)
    }
}

impl SingleThreadBase for KlabTarget<'_> {
    fn read_registers(&mut self, regs: &mut RiscvCoreRegs<u64>) -> TargetResult<(), Self> {
        for (i, r) in regs.x.iter_mut().enumerate() {
            *r = self.m.hart.reg(i as u8);
        }
        regs.pc = self.m.hart.pc;
        Ok(())
    }

    fn write_registers(&mut self, regs: &RiscvCoreRegs<u64>) -> TargetResult<(), Self> {
        for (i, &r) in regs.x.iter().enumerate().skip(1) {
            self.m.hart.set_reg(i as u8, r);
        }
        self.set_pc(regs.pc);
        Ok(())
    }

    fn read_addrs(&mut self, start: u64, data: &mut [u8]) -> TargetResult<usize, Self> {
        let n = self.m.debug_read(start, data);
        if n == 0 && !data.is_empty() {
            return Err(TargetError::Errno(14)); // EFAULT
        }
        Ok(n)
    }

    fn write_addrs(&mut self, start: u64, data: &[u8]) -> TargetResult<(), Self> {
        if self.m.debug_write(start, data) < data.len() {
            return Err(TargetError::Errno(14));
        }
        Ok(())
    }

    #[inline(always)]
    fn support_single_register_access(&mut self) -> Option<SingleRegisterAccessOps<'_, (), Self>> {
        Some(self)
    }

    #[inline(always)]
    fn support_resume(&mut self) -> Option<SingleThreadResumeOps<'_, Self>> {
        Some(self)
    }
}

impl KlabTarget<'_> {
    fn set_pc(&mut self, pc: u64) {
        if pc != self.m.hart.pc {
            self.m.hart.pc = pc;
            self.m.state_changed();
        }
    }
}

impl SingleRegisterAccess<()> for KlabTarget<'_> {
    fn read_register(&mut self, _tid: (), reg: Reg, buf: &mut [u8]) -> TargetResult<usize, Self> {
        let value = match reg {
            Reg::Gpr(i) => self.m.hart.reg(i),
            Reg::Pc => self.m.hart.pc,
            Reg::Priv => self.m.hart.privilege as u64,
            Reg::Csr(csr) => match self.m.debug_csr(csr) {
                Some(v) => v,
                None => return Ok(0), // unavailable: GDB shows <unavailable>
            },
        };
        let Some(dst) = buf.get_mut(..8) else {
            return Err(TargetError::NonFatal);
        };
        dst.copy_from_slice(&value.to_le_bytes());
        Ok(8)
    }

    fn write_register(&mut self, _tid: (), reg: Reg, val: &[u8]) -> TargetResult<(), Self> {
        let mut b = [0u8; 8];
        let n = val.len().min(8);
        b[..n].copy_from_slice(&val[..n]);
        let v = u64::from_le_bytes(b);
        match reg {
            Reg::Gpr(0) => {}
            Reg::Gpr(i) => self.m.hart.set_reg(i, v),
            Reg::Pc => self.set_pc(v),
            Reg::Priv => match v {
                0 => self.m.set_privilege(Privilege::User),
                1 => self.m.set_privilege(Privilege::Supervisor),
                3 => self.m.set_privilege(Privilege::Machine),
                _ => return Err(TargetError::Errno(22)), // EINVAL
            },
            Reg::Csr(csr) => {
                if !self.m.debug_set_csr(csr, v) {
                    return Err(TargetError::Errno(22));
                }
            }
        }
        Ok(())
    }
}
