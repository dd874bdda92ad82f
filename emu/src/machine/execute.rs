//! Executing one decoded instruction: the one `match` the hot loop runs.
//!
//! Each arm is the unprivileged or privileged spec's definition of the operation. On success
//! the pc moves to the next instruction (or the branch/jump target) and the caller retires the
//! instruction; on a trap nothing architectural has changed except what the spec allows (the
//! walker's A/D updates).
//!
//! LR/SC follow QEMU: the reservation remembers the address and the value loaded, and an SC
//! succeeds when the address matches and memory still holds that value. AMOs and LR/SC must
//! be naturally aligned (misaligned LR raises a load address-misaligned exception, SC and AMOs a
//! store/AMO one).

use crate::hart::csr::{Privilege, mstatus};
use crate::hart::insn::{Insn, Op};
use crate::trap::{Access, Exception, Trap};

use super::Machine;
use super::threaded::{Suffix, own_cost};

/// Sign-extends the low 32 bits.
#[inline(always)]
fn sext32(v: u64) -> u64 {
    v as i32 as i64 as u64
}

/// Why [`Machine::execute`] did not complete an instruction.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Stop {
    /// It raised a trap.
    Trap(Trap),
    /// In `FAST` mode: it needs the slow path (nothing was changed).
    Slow,
}

impl From<Trap> for Stop {
    fn from(t: Trap) -> Stop {
        Stop::Trap(t)
    }
}

/// Whether `op` can run in `FAST` mode: everything whose only call is the memory slow path.
pub(crate) const fn is_simple(op: Op) -> bool {
    use Op::*;
    !op.is_atomic()
        && !matches!(
            op,
            CrossPage
                | Illegal
                | FenceI
                | Ecall
                | Ebreak
                | Csrrw
                | Csrrs
                | Csrrc
                | Csrrwi
                | Csrrsi
                | Csrrci
                | Mret
                | Sret
                | Wfi
                | SfenceVma
                | Marker
        )
}

/// Which CSR instruction form.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum CsrOp {
    /// CSRRW/CSRRWI.
    Write,
    /// CSRRS/CSRRSI.
    Set,
    /// CSRRC/CSRRCI.
    Clear,
}

impl Machine {
    /// Executes `i`, whose operation is `op` (a constant where this is inlined into a
    /// handler), at `pc`; returns the next pc.
    ///
    /// With `FAST`, loads and stores try only the host-TLB fast path and give up with
    /// [`Stop::Slow`] (having changed nothing) when it misses, so that a handler's fast path makes
    /// no calls; only the operations [`is_simple`] accepts may be executed with `FAST`.
    #[inline(always)]
    pub(crate) fn execute<const FAST: bool, const TIMING: bool>(
        &mut self,
        op: Op,
        i: Insn,
        pc: u64,
    ) -> Result<u64, Stop> {
        let mut npc = pc.wrapping_add(i.len as u64);
        // Operands are read by the arms that use them, not before the dispatch.
        macro_rules! a {
            () => {
                self.hart.reg(i.rs1)
            };
        }
        macro_rules! b {
            () => {
                self.hart.reg(i.rs2)
            };
        }
        let imm = i.imm as i64 as u64;
        let rd = i.rd;
        macro_rules! set {
            ($v:expr) => {{
                let v = $v;
                self.hart.set_reg(rd, v)
            }};
        }
        macro_rules! branch {
            ($cond:expr) => {
                if $cond {
                    npc = pc.wrapping_add(imm);
                }
            };
        }
        match op {
            Op::Addi => set!(a!().wrapping_add(imm)),
            Op::Add => set!(a!().wrapping_add(b!())),
            Op::Ld => set!(self.ld::<FAST, TIMING, 8>(a!().wrapping_add(imm))?),
            Op::Sd => self.st::<FAST, TIMING, 8>(a!().wrapping_add(imm), b!())?,
            Op::Lw => set!(sext32(self.ld::<FAST, TIMING, 4>(a!().wrapping_add(imm))?)),
            Op::Sw => self.st::<FAST, TIMING, 4>(a!().wrapping_add(imm), b!())?,
            Op::Beq => branch!(a!() == b!()),
            Op::Bne => branch!(a!() != b!()),
            Op::Blt => branch!((a!() as i64) < (b!() as i64)),
            Op::Bge => branch!((a!() as i64) >= (b!() as i64)),
            Op::Bltu => branch!(a!() < b!()),
            Op::Bgeu => branch!(a!() >= b!()),
            Op::Jal => {
                set!(npc);
                npc = pc.wrapping_add(imm);
            }
            Op::Jalr => {
                // Read rs1 before writing rd: they may be the same register.
                let target = a!().wrapping_add(imm) & !1;
                set!(npc);
                npc = target;
            }
            Op::Lui => set!(imm),
            Op::Auipc => set!(pc.wrapping_add(imm)),
            Op::Lb => set!(self.ld::<FAST, TIMING, 1>(a!().wrapping_add(imm))? as i8 as i64 as u64),
            Op::Lh => {
                set!(self.ld::<FAST, TIMING, 2>(a!().wrapping_add(imm))? as i16 as i64 as u64)
            }
            Op::Lbu => set!(self.ld::<FAST, TIMING, 1>(a!().wrapping_add(imm))?),
            Op::Lhu => set!(self.ld::<FAST, TIMING, 2>(a!().wrapping_add(imm))?),
            Op::Lwu => set!(self.ld::<FAST, TIMING, 4>(a!().wrapping_add(imm))?),
            Op::Sb => self.st::<FAST, TIMING, 1>(a!().wrapping_add(imm), b!())?,
            Op::Sh => self.st::<FAST, TIMING, 2>(a!().wrapping_add(imm), b!())?,
            Op::Slti => set!(((a!() as i64) < (imm as i64)) as u64),
            Op::Sltiu => set!((a!() < imm) as u64),
            Op::Xori => set!(a!() ^ imm),
            Op::Ori => set!(a!() | imm),
            Op::Andi => set!(a!() & imm),
            Op::Slli => set!(a!() << (imm & 63)),
            Op::Srli => set!(a!() >> (imm & 63)),
            Op::Srai => set!(((a!() as i64) >> (imm & 63)) as u64),
            Op::Sub => set!(a!().wrapping_sub(b!())),
            Op::Sll => set!(a!() << (b!() & 63)),
            Op::Slt => set!(((a!() as i64) < (b!() as i64)) as u64),
            Op::Sltu => set!((a!() < b!()) as u64),
            Op::Xor => set!(a!() ^ b!()),
            Op::Srl => set!(a!() >> (b!() & 63)),
            Op::Sra => set!(((a!() as i64) >> (b!() & 63)) as u64),
            Op::Or => set!(a!() | b!()),
            Op::And => set!(a!() & b!()),
            Op::Addiw => set!(sext32(a!().wrapping_add(imm))),
            Op::Slliw => set!(sext32(((a!() as u32) << (imm & 31)) as u64)),
            Op::Srliw => set!(sext32(((a!() as u32) >> (imm & 31)) as u64)),
            Op::Sraiw => set!(((a!() as i32) >> (imm & 31)) as i64 as u64),
            Op::Addw => set!(sext32(a!().wrapping_add(b!()))),
            Op::Subw => set!(sext32(a!().wrapping_sub(b!()))),
            Op::Sllw => set!(sext32(((a!() as u32) << (b!() & 31)) as u64)),
            Op::Srlw => set!(sext32(((a!() as u32) >> (b!() & 31)) as u64)),
            Op::Sraw => set!(((a!() as i32) >> (b!() & 31)) as i64 as u64),

            Op::Mul => set!(a!().wrapping_mul(b!())),
            Op::Mulh => set!(((a!() as i64 as i128 * b!() as i64 as i128) >> 64) as u64),
            Op::Mulhsu => set!(((a!() as i64 as i128).wrapping_mul(b!() as i128) >> 64) as u64),
            Op::Mulhu => set!(((a!() as u128 * b!() as u128) >> 64) as u64),
            // Division by zero gives all ones (quotient) or the dividend (remainder); signed
            // overflow gives the dividend (quotient) or zero (remainder): spec table 7.1.
            Op::Div => set!(if b!() == 0 {
                u64::MAX
            } else {
                (a!() as i64).wrapping_div(b!() as i64) as u64
            }),
            Op::Divu => set!(a!().checked_div(b!()).unwrap_or(u64::MAX)),
            Op::Rem => set!(if b!() == 0 {
                a!()
            } else {
                (a!() as i64).wrapping_rem(b!() as i64) as u64
            }),
            Op::Remu => set!(if b!() == 0 { a!() } else { a!() % b!() }),
            Op::Mulw => set!((a!() as i32).wrapping_mul(b!() as i32) as i64 as u64),
            Op::Divw => set!(if b!() as i32 == 0 {
                u64::MAX
            } else {
                (a!() as i32).wrapping_div(b!() as i32) as i64 as u64
            }),
            Op::Divuw => set!(sext32(
                (a!() as u32).checked_div(b!() as u32).unwrap_or(u32::MAX) as u64
            )),
            Op::Remw => set!(if b!() as i32 == 0 {
                sext32(a!())
            } else {
                (a!() as i32).wrapping_rem(b!() as i32) as i64 as u64
            }),
            Op::Remuw => set!(if b!() as u32 == 0 {
                sext32(a!())
            } else {
                sext32(((a!() as u32) % (b!() as u32)) as u64)
            }),

            Op::LrW => set!(sext32(self.load_reserved::<TIMING, 4>(a!())?)),
            Op::LrD => set!(self.load_reserved::<TIMING, 8>(a!())?),
            Op::ScW => set!(self.store_conditional::<4>(a!(), b!())?),
            Op::ScD => set!(self.store_conditional::<8>(a!(), b!())?),
            Op::AmoswapW
            | Op::AmoaddW
            | Op::AmoxorW
            | Op::AmoandW
            | Op::AmoorW
            | Op::AmominW
            | Op::AmomaxW
            | Op::AmominuW
            | Op::AmomaxuW
            | Op::AmoswapD
            | Op::AmoaddD
            | Op::AmoxorD
            | Op::AmoandD
            | Op::AmoorD
            | Op::AmominD
            | Op::AmomaxD
            | Op::AmominuD
            | Op::AmomaxuD => set!(self.execute_amo(op, a!(), b!())?),

            Op::Csrrw => {
                set!(self.csr_instruction(i.imm as u16, i.rs1, i.raw, a!(), CsrOp::Write)?)
            }
            Op::Csrrs => {
                set!(self.csr_instruction(i.imm as u16, i.rs1, i.raw, a!(), CsrOp::Set)?)
            }
            Op::Csrrc => {
                set!(self.csr_instruction(i.imm as u16, i.rs1, i.raw, a!(), CsrOp::Clear)?)
            }
            Op::Csrrwi => set!(self.csr_instruction(
                i.imm as u16,
                i.rs1,
                i.raw,
                i.rs1 as u64,
                CsrOp::Write
            )?),
            Op::Csrrsi => {
                set!(self.csr_instruction(i.imm as u16, i.rs1, i.raw, i.rs1 as u64, CsrOp::Set)?)
            }
            Op::Csrrci => set!(self.csr_instruction(
                i.imm as u16,
                i.rs1,
                i.raw,
                i.rs1 as u64,
                CsrOp::Clear
            )?),

            Op::Fence => {}
            Op::FenceI => {
                self.fetch = super::fetch::FetchState::INVALID;
                self.stats.count(crate::stats::Event::FenceI);
                self.penalize(|p| p.fence_i);
            }
            Op::Ecall => {
                let cause = match self.hart.privilege {
                    Privilege::User => Exception::EcallFromU,
                    Privilege::Supervisor => Exception::EcallFromS,
                    Privilege::Machine => Exception::EcallFromM,
                };
                return Err(Trap::new(cause, 0).into());
            }
            // tval = 0 on a!() breakpoint, as QEMU 7.2 (the spec also allows the pc).
            Op::Ebreak => return Err(Trap::new(Exception::Breakpoint, 0).into()),
            Op::Mret => {
                if self.hart.privilege != Privilege::Machine {
                    return Err(Trap::illegal(i.raw).into());
                }
                self.mret();
                return Ok(self.hart.pc);
            }
            Op::Sret => {
                let p = self.hart.privilege;
                let tsr = self.hart.csr.mstatus & mstatus::TSR != 0;
                if p == Privilege::User || (p == Privilege::Supervisor && tsr) {
                    return Err(Trap::illegal(i.raw).into());
                }
                self.sret();
                return Ok(self.hart.pc);
            }
            Op::Wfi => {
                let p = self.hart.privilege;
                let tw = self.hart.csr.mstatus & mstatus::TW != 0;
                if p == Privilege::User || (p == Privilege::Supervisor && tw) {
                    return Err(Trap::illegal(i.raw).into());
                }
                self.waiting = true;
                self.stop_slice();
            }
            Op::SfenceVma => {
                let p = self.hart.privilege;
                let tvm = self.hart.csr.mstatus & mstatus::TVM != 0;
                if p == Privilege::User || (p == Privilege::Supervisor && tvm) {
                    return Err(Trap::illegal(i.raw).into());
                }
                self.stamp(crate::timeline::Boundary::FenceEnter);
                self.fetch = super::fetch::FetchState::INVALID;
                self.stats.count(crate::stats::Event::SfenceVma);
                let vaddr = (i.rs1 != 0).then(|| a!());
                let asid = (i.rs2 != 0).then(|| b!());
                self.fence_tlbs(vaddr, asid);
                self.penalize(|p| p.sfence_vma);
                self.stamp(crate::timeline::Boundary::FenceDone);
            }
            Op::Marker => self.marker(i.imm, a!()),
            Op::Illegal => return Err(Trap::illegal(i.raw).into()),
            Op::CrossPage => return Ok(self.execute_cross_page(i.raw, pc)?),
        }
        Ok(npc)
    }

    /// [`Machine::execute`] out of line, for the cold paths that decode on the fly.
    #[inline(never)]
    pub(crate) fn execute_cold(&mut self, i: Insn, pc: u64) -> Result<u64, Trap> {
        let r = if self.timing.is_some() {
            self.execute::<false, true>(i.op, i, pc)
        } else {
            self.execute::<false, false>(i.op, i, pc)
        };
        r.map_err(|s| match s {
            Stop::Trap(t) => t,
            Stop::Slow => unreachable!("the slow path does not give up"),
        })
    }

    /// [`Machine::execute_cold`] for an instruction no block booked in full: one fetched from a
    /// page a PMP boundary cuts (`booked_extra` 0), or the real instruction behind a page-crossing
    /// stand-in, which its block booked as an ALU instruction (`booked_extra` = that cost minus
    /// one). Books what a block would have booked for it beyond that — its static cycles, loads,
    /// stores and L1D access — and takes it back if it traps.
    #[inline(never)]
    pub(crate) fn execute_unbooked(
        &mut self,
        i: Insn,
        pc: u64,
        booked_extra: u32,
    ) -> Result<u64, Trap> {
        let shift = self.tick_shift;
        let own = self.timing.as_deref().map(|t| {
            // Its class's cost, in ticks (the pipeline model's are half cycles).
            let cost = own_cost(&t.cost, i.op) << shift;
            let mut s = Suffix::default().with(cost, i.op, false);
            s.extra = s
                .extra
                .saturating_sub(booked_extra.min(u32::from(u16::MAX)) as u16);
            s.insns = 0;
            s
        });
        if let Some(s) = &own {
            self.book_suffix(s);
        }
        let r = self.execute_cold(i, pc);
        if let (Err(_), Some(s)) = (&r, &own) {
            self.unbook_suffix(s);
        }
        r
    }

    /// A load of `N` bytes: the fast path only (`FAST`), or the full one; in timing mode
    /// (`TIMING`) the fast path is the one that proves no modeled state changes, and a load
    /// that completes counts its `N` bytes (`Stats::bytes`, one add).
    #[inline(always)]
    fn ld<const FAST: bool, const TIMING: bool, const N: usize>(
        &mut self,
        vaddr: u64,
    ) -> Result<u64, Stop> {
        let fast = if TIMING && FAST {
            self.timed_load_fast::<N, false>(vaddr)
        } else if TIMING {
            self.timed_load_fast::<N, true>(vaddr)
        } else {
            self.load_fast::<N>(vaddr)
        };
        let v = match fast {
            Some(v) => v,
            None if FAST => return Err(Stop::Slow),
            None => self.load_slow(vaddr, N as u64)?,
        };
        if TIMING {
            self.stats.bytes[0] += N as u64;
        }
        Ok(v)
    }

    /// A store of `N` bytes: the fast path only (`FAST`), or the full one (see `ld`); in timing
    /// mode a store that completes counts its `N` bytes.
    #[inline(always)]
    fn st<const FAST: bool, const TIMING: bool, const N: usize>(
        &mut self,
        vaddr: u64,
        value: u64,
    ) -> Result<(), Stop> {
        let done = if TIMING && FAST {
            self.timed_store_fast::<N, false>(vaddr, value)
        } else if TIMING {
            self.timed_store_fast::<N, true>(vaddr, value)
        } else {
            self.store_fast::<N>(vaddr, value)
        };
        match done {
            true => {}
            false if FAST => return Err(Stop::Slow),
            false => self.store_slow(vaddr, N as u64, value)?,
        }
        if TIMING {
            self.stats.bytes[1] += N as u64;
        }
        Ok(())
    }

    /// The AMOs: `addr` from rs1, `b` from rs2; returns the value for rd (the old memory value,
    /// sign-extended for the .W forms).
    #[inline(never)]
    fn execute_amo(&mut self, op: Op, addr: u64, b: u64) -> Result<u64, Trap> {
        let a = addr;
        Ok(match op {
            Op::AmoswapW => sext32(self.amo::<4>(a, |_| b)?),
            Op::AmoaddW => sext32(self.amo::<4>(a, |m| m.wrapping_add(b))?),
            Op::AmoxorW => sext32(self.amo::<4>(a, |m| m ^ b)?),
            Op::AmoandW => sext32(self.amo::<4>(a, |m| m & b)?),
            Op::AmoorW => sext32(self.amo::<4>(a, |m| m | b)?),
            Op::AmominW => sext32(self.amo::<4>(a, |m| (m as i32).min(b as i32) as u64)?),
            Op::AmomaxW => sext32(self.amo::<4>(a, |m| (m as i32).max(b as i32) as u64)?),
            Op::AmominuW => sext32(self.amo::<4>(a, |m| (m as u32).min(b as u32) as u64)?),
            Op::AmomaxuW => sext32(self.amo::<4>(a, |m| (m as u32).max(b as u32) as u64)?),
            Op::AmoswapD => self.amo::<8>(a, |_| b)?,
            Op::AmoaddD => self.amo::<8>(a, |m| m.wrapping_add(b))?,
            Op::AmoxorD => self.amo::<8>(a, |m| m ^ b)?,
            Op::AmoandD => self.amo::<8>(a, |m| m & b)?,
            Op::AmoorD => self.amo::<8>(a, |m| m | b)?,
            Op::AmominD => self.amo::<8>(a, |m| (m as i64).min(b as i64) as u64)?,
            Op::AmomaxD => self.amo::<8>(a, |m| (m as i64).max(b as i64) as u64)?,
            Op::AmominuD => self.amo::<8>(a, |m| m.min(b))?,
            Op::AmomaxuD => self.amo::<8>(a, |m| m.max(b))?,
            _ => unreachable!("execute_amo called with {op:?}"),
        })
    }

    /// Checks natural alignment for LR/SC/AMOs.
    #[inline]
    fn check_aligned(addr: u64, size: u64, access: Access) -> Result<(), Trap> {
        if addr & (size - 1) != 0 {
            Err(access.misaligned(addr))
        } else {
            Ok(())
        }
    }

    /// LR: load and reserve.
    fn load_reserved<const TIMING: bool, const N: usize>(
        &mut self,
        addr: u64,
    ) -> Result<u64, Trap> {
        Self::check_aligned(addr, N as u64, Access::Load)?;
        let v = match self.ld::<false, TIMING, N>(addr) {
            Ok(v) => v,
            Err(Stop::Trap(t)) => return Err(t),
            Err(Stop::Slow) => unreachable!("the slow path does not give up"),
        };
        self.hart.reservation = Some((addr, v));
        Ok(v)
    }

    /// SC: store if the reservation holds; returns 0 on success, 1 on failure. The reservation
    /// is gone afterwards either way.
    fn store_conditional<const N: usize>(&mut self, addr: u64, value: u64) -> Result<u64, Trap> {
        Self::check_aligned(addr, N as u64, Access::Store)?;
        // Without a matching reservation an SC fails without touching memory: no lookup.
        let Some((raddr, rval)) = self.hart.reservation else {
            self.book_data_lookups(0);
            return Ok(1);
        };
        if raddr != addr {
            self.hart.reservation = None;
            self.book_data_lookups(0);
            return Ok(1);
        }
        if self.debug.watching() {
            self.watch_before(addr, N as u64, false, true)?;
        }
        self.hart.reservation = None;
        let mut stored = false;
        self.read_modify_write::<N>(addr, |current| {
            stored = current == rval;
            if stored { value } else { current }
        })?;
        if stored && self.timing.is_some() {
            self.stats.bytes[1] += N as u64;
        }
        Ok(u64::from(!stored))
    }

    /// An AMO: read, apply `f`, write back; returns the old value (zero-extended from N bytes).
    fn amo<const N: usize>(&mut self, addr: u64, f: impl FnOnce(u64) -> u64) -> Result<u64, Trap> {
        Self::check_aligned(addr, N as u64, Access::Store)?;
        if self.debug.watching() {
            self.watch_before(addr, N as u64, true, true)?;
        }
        let old = self.read_modify_write::<N>(addr, f)?;
        if self.timing.is_some() {
            self.stats.bytes[0] += N as u64;
            self.stats.bytes[1] += N as u64;
        }
        Ok(old)
    }
}
