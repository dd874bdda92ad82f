//! The block translator in timing mode: the same native code as functional mode's, plus the
//! cycle model's work that the threaded timing handlers do, with the same results.
//!
//! What a translated block does besides running its instructions (see `threaded` and `timing`
//! for what each step means):
//! - **Booking.** Nothing here: the block's static costs and counts (its `Suffix`) are booked by
//!   whoever enters it (`chain`, `run_block`), as for the interpreter, and taken back by the
//!   continuations `enter_timed` calls (a taken branch's `taken_costs`, a `cut`).
//! - **Fetch.** An element that makes an L1I access (`Suffix::fetch_access`) checks inline
//!   whether its line is the MRU line of its set (`Cache::is_mru`: nothing would change); if
//!   not, it calls `fetch_line_access` through a helper.
//! - **Data.** A load or store first probes the host TLB, which changes nothing: if the probe
//!   fails (not held, misaligned) the element is a bail, and the interpreter runs it, fetch and
//!   all. Otherwise its DTLB slot and L1D line are checked inline against the most recently
//!   used ones (`timed_fast_offset`'s test); if either is not, a helper makes exactly the
//!   interpreter's model changes (`Machine::timed_not_mru`, the same function).
//! - **Branches.** A taken conditional branch leaves the native code (`TAKEN`), and
//!   `enter_timed` runs the interpreter's `taken_costs` and `chain`. A branch that is not taken
//!   calls the pipeline model's predictor through a helper (`predict_branch`). A jump ends the
//!   block and is predicted by `enter_timed` (`END`).
//! - **Stops.** Every helper returns `stop_retired` after its work: a cost may have moved the
//!   slice's stop before the block's end, and then the native code leaves before the next
//!   element (`CUT`), which `enter_timed` cuts exactly as the handlers' check does.
//!
//! Translated only with an L1I and an L1D (the profiles without one take the interpreter's
//! slow paths for every access), and entered only while no watchpoint is set (the fast path's
//! L1D miss gives way to the slow path then).
#![allow(unsafe_code)]

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{AbiParam, InstBuilder, MemFlagsData, Signature, Value, types};
use cranelift_frontend::Variable;

use crate::memmap::{PAGE_MASK, RAM_BASE};
use crate::model::cache::{DIRTY, VALID};

use super::super::Machine;
use super::super::threaded::{self, Decoded};
use super::super::timing::SLOT_SHIFT;
use super::{
    BAIL, CUT, END, ENV_DTLB_MRU, ENV_EPOCH, ENV_FETCH_PBASE, ENV_L1D_MASK, ENV_L1D_MRU,
    ENV_L1D_SHIFT, ENV_L1I_MASK, ENV_L1I_MRU, ENV_L1I_SHIFT, ENV_M, ENV_N0, ENV_RAM, ENV_RAM_LEN,
    Env, Gen, TAKEN,
};

/// Timing mode's code generation state of one block.
pub(super) struct Timed {
    /// Elements in the block.
    len: usize,
    /// The pipeline model's predictor runs (`Machine::predicts`).
    predicts: bool,
    /// Nonzero once a helper has moved the stop before the block's end.
    cut: Variable,
    /// Some helper was called in the element being translated (so `timed_check` checks).
    pending: bool,
}

/// A helper's signature: the machine and two words in, `stop_retired` out.
type Helper = extern "C" fn(*mut Machine, u64, u64) -> u64;

/// Helper: the L1I access of the instruction at `pc` (not an MRU hit).
extern "C" fn fetch_helper(m: *mut Machine, pc: u64, _: u64) -> u64 {
    // Safety: `m` is the machine whose `enter_timed` runs the calling native code; nothing
    // else uses it during the call (`enter_timed` made every pointer it passed from it).
    let m = unsafe { &mut *m };
    m.fetch_line_access(pc);
    m.stop_retired
}

/// Helper: a load's (`WRITE` false) or store's access to physical `paddr` through DTLB slot
/// `slot` (+ 1, or 0), whose slot or line is not the MRU one.
extern "C" fn data_helper<const WRITE: bool>(m: *mut Machine, paddr: u64, slot: u64) -> u64 {
    // Safety: as in `fetch_helper`.
    let m = unsafe { &mut *m };
    // The native code checked the whole access is in RAM, and no watchpoint is set, so this
    // cannot give up; if it did, stopping the slice after this element keeps the loss visible.
    match m.timed_not_mru(slot, paddr, paddr - RAM_BASE, 1, WRITE) {
        Some(_) => m.stop_retired,
        None => 0,
    }
}

/// Helper: the DTLB hit of a load or store through DTLB slot `slot` (+ 1) that is not the MRU
/// slot, to a line that is the MRU line of its set (so the access changes nothing in L1D):
/// `timed_not_mru`'s `dtlb_hit`, the only change it makes then.
extern "C" fn dtlb_helper(m: *mut Machine, slot: u64, _: u64) -> u64 {
    // Safety: as in `fetch_helper`.
    let m = unsafe { &mut *m };
    if let Some(t) = m.timing.as_deref_mut() {
        t.dtlb_hit(slot);
    }
    m.stop_retired
}

/// Helper: the conditional branch at `pc` was not taken (it goes on at `npc`).
extern "C" fn not_taken_helper(m: *mut Machine, pc: u64, npc: u64) -> u64 {
    // Safety: as in `fetch_helper`.
    let m = unsafe { &mut *m };
    m.predict_branch(pc, false, npc);
    m.stop_retired
}

impl Gen<'_> {
    /// Timing mode: load the env's fields at the entry (so they dominate every use) and start
    /// the cut flag clear. `len`: the block's elements; `predicts`: as in `Timed`.
    pub(super) fn timed_prologue(&mut self, len: usize, predicts: bool) {
        for off in [
            ENV_M,
            ENV_N0,
            ENV_FETCH_PBASE,
            ENV_L1I_MRU,
            ENV_L1I_SHIFT,
            ENV_L1I_MASK,
            ENV_L1D_MRU,
            ENV_L1D_SHIFT,
            ENV_L1D_MASK,
            ENV_DTLB_MRU,
            super::ENV_BYTES,
            ENV_EPOCH,
            ENV_RAM,
            ENV_RAM_LEN,
            super::ENV_READ,
            super::ENV_WRITE,
        ] {
            self.field(off);
        }
        let cut = self.b.declare_var(types::I64);
        let zero = self.iconst(0);
        self.b.def_var(cut, zero);
        self.timed = Some(Timed {
            len,
            predicts,
            cut,
            pending: false,
        });
    }

    /// Calls helper `f` with the machine and `a`, `b` in a cold block; afterwards the cut flag
    /// is set if the stop it returns comes before the block's end.
    fn call_helper(&mut self, f: Helper, a: Value, b: Value) {
        let Some(t) = &self.timed else { return };
        let (len, cut) = (t.len, t.cut);
        let mut sig = Signature::new(self.call_conv);
        sig.params.extend([AbiParam::new(types::I64); 3]);
        sig.returns.push(AbiParam::new(types::I64));
        let sig = self.b.import_signature(sig);
        let callee = self.iconst(f as usize as u64);
        let m = self.field(ENV_M);
        let call = self.b.ins().call_indirect(sig, callee, &[m, a, b]);
        let stop = self.b.inst_results(call)[0];
        let n0 = self.field(ENV_N0);
        let end = self.b.ins().iadd_imm_s(n0, len as i64);
        let over = self.b.ins().icmp(IntCC::UnsignedGreaterThan, end, stop);
        let over = self.b.ins().uextend(types::I64, over);
        let old = self.b.use_var(cut);
        let now = self.b.ins().bor(old, over);
        self.b.def_var(cut, now);
        if let Some(t) = &mut self.timed {
            t.pending = true;
        }
    }

    /// Runs `then` in a cold block when `cond` is false, and goes on after it either way.
    fn unless(&mut self, cond: Value, then: impl FnOnce(&mut Self)) {
        let cold = self.b.create_block();
        let join = self.b.create_block();
        self.b.set_cold_block(cold);
        self.b.ins().brif(cond, join, &[], cold, &[]);
        self.b.switch_to_block(cold);
        then(self);
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(join);
    }

    /// Whether the line of physical `addr` is the MRU line of its set in the cache whose env
    /// fields are `mru`, `shift`, `mask` (`Cache::is_mru`).
    fn is_mru(&mut self, addr: Value, write: bool, [mru, shift, mask]: [i32; 3]) -> Value {
        let table = self.field(mru);
        let shift = self.field(shift);
        let mask = self.field(mask);
        let number = self.b.ins().ushr(addr, shift);
        let line = self.b.ins().ishl(number, shift);
        let want = self.b.ins().bor_imm_s(line, VALID as i64);
        let set = self.b.ins().band(number, mask);
        let at = self.b.ins().ishl_imm_s(set, 3);
        let at = self.b.ins().iadd(table, at);
        let word = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), at, 0);
        if write {
            let want = self.b.ins().bor_imm_s(want, DIRTY as i64);
            self.b.ins().icmp(IntCC::Equal, word, want)
        } else {
            let word = self.b.ins().band_imm_s(word, !(DIRTY as i64));
            self.b.ins().icmp(IntCC::Equal, word, want)
        }
    }

    /// The L1I access of the instruction at `pc`.
    pub(super) fn timed_fetch(&mut self, pc: u64) {
        let base = self.field(ENV_FETCH_PBASE);
        let addr = self.b.ins().iadd_imm_s(base, (pc & PAGE_MASK) as i64);
        let hit = self.is_mru(addr, false, [ENV_L1I_MRU, ENV_L1I_SHIFT, ENV_L1I_MASK]);
        self.unless(hit, |g| {
            let pc = g.iconst(pc);
            let zero = g.iconst(0);
            g.call_helper(fetch_helper, pc, zero);
        });
    }

    /// The host address of an `n`-byte access at `vaddr` through the host TLB table at env
    /// offset `table`, with its L1I access first if `fetch` and then its DTLB and L1D model;
    /// a bail to element `j` when the host TLB does not hold it.
    pub(super) fn timed_address(
        &mut self,
        table: i32,
        vaddr: Value,
        n: u64,
        j: usize,
        fetch: bool,
    ) -> Value {
        let write = table == super::ENV_WRITE;
        let pc = self.cur_pc;
        let (value, i) = self.probe(table, vaddr, n, j, pc);
        if fetch {
            self.timed_fetch(pc);
        }
        // The model: nothing changes when both the DTLB slot and the line are the MRU ones. A
        // line that is not goes to `timed_not_mru` (which makes the DTLB hit too); then a slot
        // that is not the MRU one makes the DTLB hit alone (a copy between two pages changes the
        // DTLB's MRU slot at every access, not the lines').
        let slot = self.b.ins().ushr_imm_s(value, i64::from(SLOT_SHIFT));
        let paddr = self.b.ins().iadd_imm_s(i, RAM_BASE as i64);
        let line_mru = self.is_mru(paddr, write, [ENV_L1D_MRU, ENV_L1D_SHIFT, ENV_L1D_MASK]);
        let helper: Helper = if write {
            data_helper::<true>
        } else {
            data_helper::<false>
        };
        self.unless(line_mru, |g| g.call_helper(helper, paddr, slot));
        let dtlb = self.field(ENV_DTLB_MRU);
        let last = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), dtlb, 0);
        let none = self.b.ins().icmp_imm_s(IntCC::Equal, slot, 0);
        let prev = self.b.ins().iadd_imm_s(slot, -1);
        let same = self.b.ins().icmp(IntCC::Equal, prev, last);
        let tlb_mru = self.b.ins().bor(none, same);
        let zero = self.iconst(0);
        self.unless(tlb_mru, |g| g.call_helper(dtlb_helper, slot, zero));
        let ram = self.field(ENV_RAM);
        self.b.ins().iadd(ram, i)
    }

    /// A conditional branch at `pc` not taken (to `npc`): the pipeline model's prediction.
    pub(super) fn timed_not_taken(&mut self, pc: u64, npc: u64) {
        if self.timed.as_ref().is_some_and(|t| t.predicts) {
            let pc = self.iconst(pc);
            let npc = self.iconst(npc);
            self.call_helper(not_taken_helper, pc, npc);
        }
    }

    /// After an element that called a helper: leave before element `k` (at `npc`) if the stop
    /// moved before the block's end.
    pub(super) fn timed_check(&mut self, k: usize, npc: u64) {
        let Some(t) = &mut self.timed else { return };
        if !std::mem::take(&mut t.pending) {
            return;
        }
        let cut = t.cut;
        let flag = self.b.use_var(cut);
        self.side_exit(flag, true, k, npc, CUT);
    }
}

/// The handler of a block's first element in timing mode with a translator (see `enter` and the
/// module note).
pub(crate) fn enter_timed(m: &mut Machine, ip: *const Decoded, pc: u64, n: u64) -> u64 {
    let (code, orig) = match super::native_for(m, ip, pc) {
        Ok(found) => found,
        Err(h) => return h(m, ip, pc, n),
    };
    let Some(t) = m.timing.as_deref() else {
        return orig(m, ip, pc, n);
    };
    if m.debug.watching() {
        return orig(m, ip, pc, n);
    }
    let (Some(l1i), Some(l1d)) = (&t.l1i, &t.l1d) else {
        return orig(m, ip, pc, n);
    };
    let (l1i_mru, l1i_shift, l1i_mask) = l1i.mru_table();
    let (l1d_mru, l1d_shift, l1d_mask) = l1d.mru_table();
    let (fetch_pbase, dtlb_mru) = (t.fetch_pbase, &t.dtlb_mru as *const usize);
    let dmode = m.dmode & 3;
    let machine: *mut Machine = m;
    let mut env = Env {
        read: m.htlb.read[dmode].as_ptr(),
        write: m.htlb.write[dmode].as_ptr(),
        ram: m.bus.ram.as_mut_ptr(),
        ram_len: m.bus.ram.len() as u64,
        epoch: m.htlb.epoch(),
        npc: 0,
        bail: 0,
        m: machine,
        n0: n,
        fetch_pbase,
        l1i_mru,
        l1i_shift: u64::from(l1i_shift),
        l1i_mask,
        l1d_mru,
        l1d_shift: u64::from(l1d_shift),
        l1d_mask,
        dtlb_mru,
        bytes: m.stats.bytes.as_mut_ptr(),
        pc: 0,
    };
    // Safety: `ip` is the first element of a block of `suffix.insns` elements, and the native
    // code retires at most that many (a bail or cut names one of them).
    let first = unsafe { &*ip };
    let len = u64::from(first.suffix.insns);
    let mut n = n;
    let mut runs = 0u32;
    loop {
        env.n0 = n;
        // Safety: `code` is this block's translation (made by `translate` in timing mode, with
        // the `Native` signature, not freed); it reads and writes `Hart::x` (indices below 32),
        // the env, the host-TLB rows, RAM within `ram_len`, `Stats::bytes` and the cache and
        // DTLB words the env points at, and calls the helpers above with `machine`. Nothing
        // else uses `m` until it returns. (Nothing the helpers do moves or frees what the env
        // points at, nor changes the host TLB's epoch or the data privilege.)
        let k = unsafe { code(m.hart.x.as_mut_ptr(), &mut env) };
        n += k;
        runs += 1;
        if env.bail == BAIL {
            super::bailed(m, ip, runs);
        }
        match env.bail {
            BAIL if k == 0 => return orig(m, ip, env.npc, n),
            BAIL => {
                // Safety: as above, `k` < `len`.
                let next = unsafe { ip.add(k as usize) };
                // Safety: as above.
                let h = unsafe { (*next).handler };
                return h(m, next, env.npc, n);
            }
            CUT => {
                // Safety: as above, 0 < `k` < `len`.
                threaded::cut::<true>(m, unsafe { ip.add(k as usize) }, env.npc, n);
                return env.npc;
            }
            TAKEN => {
                m.retired = n;
                // Safety: as above, the branch is element `k - 1`.
                let at = unsafe { ip.add(k as usize - 1) };
                if k == len {
                    threaded::taken_costs::<true>(m, at, env.pc, env.npc);
                } else {
                    threaded::taken_costs::<false>(m, at, env.pc, env.npc);
                }
                if env.npc != pc {
                    return threaded::chain::<true>(m, env.npc, n);
                }
                // A branch back to the block's own start: what `chain` does for it (the block is
                // live and the fetch page unchanged: native code neither stores to code nor
                // changes the fetch state), without looking the block up again.
                if m.carry.any() {
                    m.carry_in(ip);
                }
                if n + len + u64::from(first.suffix.extra) > m.chain_limit {
                    return env.npc;
                }
                m.book_suffix(&first.suffix);
            }
            _ => {
                debug_assert_eq!(env.bail, END);
                // Safety: as above, the block's last element.
                let last = unsafe { ip.add(len as usize - 1) };
                // A jump ends the block; the native code predicted a last branch not taken.
                // Safety: as above.
                let insn = unsafe { (*last).insn };
                if threaded::is_jump(insn.op) && m.predicts() {
                    m.predict_jump(env.pc, &insn, env.npc);
                }
                m.retired = n;
                if m.tick_shift != 0 {
                    m.carry = m.icache.carry(m.fetch.page, last);
                }
                return threaded::chain::<true>(m, env.npc, n);
            }
        }
    }
}
