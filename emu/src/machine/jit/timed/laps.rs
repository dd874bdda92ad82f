//! Steady runs of a translated loop: the runs that every check of the model would let through,
//! made without the checks.
//!
//! A run of a timing-mode loop (see `timed`) changes nothing in the model while its fetches
//! and the predictor need no check (the env's `warm`, where `fetch_once` and `sticky` hold),
//! it books in closed form (its retired count at its branch at most the env's `lazy_end`),
//! and each of its loads and stores goes through the line it holds (`held_line`): the held
//! line is still the MRU line of its set and its page still held, so the access is a plain
//! load or store at the host address the held page gives. (A body whose one load or store
//! does not hold lines, its DTLB hits not deferred, is checked against the L1D's MRU word
//! instead: `alone_unchanged`.) Where every load and store of the
//! body moves by a fixed stride in each run (its base register is written only by `addi` of
//! itself), how many runs from now keep each access in its held line is a division, as is
//! how many keep the retired count within `lazy_end`. The loop's head works out the least of
//! these (`Gen::steady_laps`), and when it is at least one, that many runs go through a copy
//! of the body with no check at all: the loads and stores at their guest address plus a
//! per-access difference to the host address, the branch back counting the run as the inline
//! booking's quick path does (the retired count alone: `n0`), and a branch not taken going on
//! where the checked body's does. After them the checked body runs, which makes the next
//! line's access through its helper and books the run in full when the closed form ends;
//! its way back to the head tries again.
//!
//! In micro `usertests` the kernel's copy loop (`ld`, `sd`, two `addi`, `bltu`: 8 runs to a
//! 64-byte line) and fill loop (`sd`, `addi`, `bltu`) are such loops: see docs/speed.md for
//! what this saved.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{InstBuilder, Value, types};
use cranelift_frontend::Variable;

use crate::hart::insn::Op;
use crate::machine::threaded::{self, Decoded};
use crate::memmap::{PAGE_MASK, RAM_BASE};

use super::super::{ENV_LAZY_END, ENV_RAM, ENV_WARM, Gen, access_size, translated};
use super::line_word;

/// A load or store of a steady loop's body.
struct Stream {
    /// Its element.
    j: usize,
    /// Its `held_probe` words' env offset (`Env::held`).
    at: i32,
    /// Its base register.
    base: u8,
    /// Its guest address less its base register's value at the run's start: the `addi`s of the
    /// base before it in the body, plus its immediate.
    from_start: i64,
    /// Bytes its address moves in a run (a multiple of its size, less than a line either way).
    stride: i64,
    /// Bytes it accesses.
    n: u64,
    /// It is a store.
    write: bool,
    /// Its DTLB hits are deferred and it holds its line (`held_line`); else it is the body's
    /// only load or store, and the model's own MRU words are checked at the head.
    deferred: bool,
    /// Its host address less its guest address while it stays in its held line (set at the
    /// head, see `Gen::steady_laps`).
    delta: Variable,
}

/// The base register of a load or store at element `j` of loop body `body`, its offset from
/// the base's value at the run's start, and its stride, if every write of the base in the body
/// is an `addi` of the base itself.
fn affine(body: &[Decoded], j: usize) -> Option<(u8, i64, i64)> {
    let i = body[j].insn;
    let (mut from_start, mut stride) = (i64::from(i.imm), 0i64);
    for (m, e) in body.iter().enumerate() {
        let e = e.insn;
        if !super::super::writes_register(e.op) || e.rd != i.rs1 {
            continue;
        }
        if e.op != Op::Addi || e.rs1 != i.rs1 {
            return None;
        }
        stride += i64::from(e.imm);
        if m < j {
            from_start += i64::from(e.imm);
        }
    }
    Some((i.rs1, from_start, stride))
}

impl Gen<'_> {
    /// The loads and stores of the block's loop body if its runs may go steady (see the module
    /// note), in element order; `None` if they may not.
    fn steady_streams(&mut self, block: &[Decoded]) -> Option<Vec<Stream>> {
        let t = self.timed.as_ref()?;
        let k = t.plan.as_ref()?.k;
        if k > block.len() || t.closed.is_none() || !t.sticky {
            return None;
        }
        let body = &block[..k];
        if !body.iter().all(|d| translated(d.insn.op)) {
            return None;
        }
        // `warm` skips the fetches' checks only where `fetch_once` covers the body.
        if t.fetch_once < k && body.iter().any(|d| d.suffix.fetch_access()) {
            return None;
        }
        let line = 1i64 << t.l1d.1;
        // Held lines are kept only where the DTLB hits are deferred (`held_line`); without
        // them, a body with one load or store alone may go steady (see `alone_unchanged`).
        let deferred = t.defer_dtlb;
        let data = body.iter().filter(|d| threaded::is_data(d.insn.op)).count();
        if !deferred && data > 1 {
            return None;
        }
        let mut found = Vec::new();
        for (j, d) in body.iter().enumerate() {
            if !threaded::is_data(d.insn.op) {
                continue;
            }
            let at = t.held.get(j).copied().flatten()?;
            let n = access_size(d.insn.op);
            let (base, from_start, stride) = affine(body, j)?;
            if n as i64 >= line || stride % n as i64 != 0 || stride.abs() >= line {
                return None;
            }
            let write = matches!(d.insn.op, Op::Sb | Op::Sh | Op::Sw | Op::Sd);
            found.push((j, at, base, from_start, stride, n, write));
        }
        Some(
            found
                .into_iter()
                .map(|(j, at, base, from_start, stride, n, write)| Stream {
                    j,
                    at,
                    base,
                    from_start,
                    stride,
                    n,
                    write,
                    deferred,
                    delta: self.b.declare_var(types::I64),
                })
                .collect(),
        )
    }

    /// At the loop's head, before the checked body of `block` (from guest `start`): the steady
    /// runs, if the loop may have them (see the module note). Works out how many runs from
    /// now may go steady, makes them through an unchecked copy of the body, and goes on with
    /// the checked body (the current block at return) when none may or after them. The loop
    /// branch of the checked body, not taken, must go on at `Timed::stay`, which the copy's
    /// jumps to.
    pub(in super::super) fn steady_laps(&mut self, block: &[Decoded], start: u64) {
        let Some(streams) = self.steady_streams(block) else {
            return;
        };
        let Some(t) = self.timed.as_ref() else { return };
        let (n0, line) = (t.n0, 1u64 << t.l1d.1);
        let k = t.plan.as_ref().map_or(1, |p| p.k);
        let checked = self.b.create_block();
        let steady = self.b.create_block();
        let stay = self.b.create_block();
        if let Some(t) = &mut self.timed {
            t.stay = Some(stay);
        }
        let left = self.b.declare_var(types::I64);
        let steady_in = self.b.create_block();

        // The head: how many runs from now may go steady.
        let warm = self.env_word(ENV_WARM);
        let count = self.b.create_block();
        self.b.ins().brif(warm, count, &[], checked, &[]);
        self.b.switch_to_block(count);
        // Closed form: the run ending at `n0 + r k` books by itself while that is at most
        // `lazy_end` (0 when there is none).
        let n = self.b.use_var(n0);
        let end = self.env_word(ENV_LAZY_END);
        let first = self.b.ins().iadd_imm_s(n, k as i64);
        let mut ok = self
            .b
            .ins()
            .icmp(IntCC::UnsignedLessThanOrEqual, first, end);
        let ahead = self.b.ins().isub(end, n);
        let mut runs = self.laps(ahead, k as u64);
        let ram = self.field(ENV_RAM);
        for s in &streams {
            let base = self.get(s.base);
            let vaddr = self.b.ins().iadd_imm_s(base, s.from_start);
            let value = self.env_word(s.at + 8);
            let unchanged = if s.deferred {
                // In its held line (which also makes it aligned: see `held_line`).
                let key = self.aligned_key(vaddr, line, s.n);
                let held = self.env_word(line_word(s.at));
                self.b.ins().icmp(IntCC::Equal, key, held)
            } else {
                self.alone_unchanged(s, vaddr, value)
            };
            ok = self.b.ins().band(ok, unchanged);
            // The runs from this one whose access stays in the line.
            if s.stride != 0 {
                let off = self.b.ins().band_imm_s(vaddr, line as i64 - 1);
                let room = if s.stride > 0 {
                    let last = self.iconst(line - s.n);
                    self.b.ins().isub(last, off)
                } else {
                    off
                };
                let more = self.b.ins().udiv_imm_s(room, s.stride.abs());
                let these = self.b.ins().iadd_imm_s(more, 1);
                runs = self.umin(runs, these);
            }
            // The host address less the guest address within the held page.
            let off = self.offset_in(value, vaddr);
            let host = self.b.ins().iadd(ram, off);
            let delta = self.b.ins().isub(host, vaddr);
            self.b.def_var(s.delta, delta);
        }
        self.b.ins().brif(ok, steady_in, &[], checked, &[]);

        // Into the steady runs: the body's registers in variables of their own, live only
        // there (the checked body's live across its helpers' calls, so mostly in stack slots),
        // and the runs left (counted down: the count itself is needed only on the way out).
        self.b.switch_to_block(steady_in);
        let regs = self.steady_registers();
        self.b.def_var(left, runs);
        self.b.ins().jump(steady, &[]);

        // The steady runs.
        self.b.switch_to_block(steady);
        let mut pc = start;
        for (j, d) in block[..k].iter().enumerate() {
            let i = d.insn;
            let op = i.op;
            if threaded::is_data(op) {
                let Some(s) = streams.iter().find(|s| s.j == j) else {
                    unreachable!("`steady_streams` has a stream for every load and store");
                };
                let base = self.get(i.rs1);
                let delta = self.b.use_var(s.delta);
                let host = self.b.ins().iadd(base, delta);
                if s.write {
                    let v = self.get(i.rs2);
                    self.store_value(op, v, host, i.imm);
                } else {
                    let v = self.load_value(op, host, i.imm);
                    self.set(i.rd, v);
                }
            } else if j + 1 == k {
                // The loop branch: back to the start, or on where the checked body's goes on.
                let a = self.get(i.rs1);
                let b = self.get(i.rs2);
                let cc = super::super::branch_cc(op);
                let taken = self.b.ins().icmp(cc, a, b);
                let back = self.b.create_block();
                let out = self.b.create_block();
                self.b.ins().brif(taken, back, &[], out, &[]);
                self.b.switch_to_block(out);
                self.steady_out(&regs, runs, left, n0, k);
                self.b.ins().jump(stay, &[]);
                self.b.switch_to_block(back);
                let r = self.b.use_var(left);
                let r = self.b.ins().iadd_imm_s(r, -1);
                self.b.def_var(left, r);
                let last = self.b.create_block();
                self.b.ins().brif(r, steady, &[], last, &[]);
                self.b.switch_to_block(last);
                self.steady_out(&regs, runs, left, n0, k);
                self.b.ins().jump(checked, &[]);
            } else {
                self.operation(i, pc);
            }
            pc = pc.wrapping_add(u64::from(i.len));
        }
        for &(r, var, _) in &regs {
            self.vars[usize::from(r)] = Some(var);
        }
        self.b.switch_to_block(checked);
    }

    /// Whether the access of stream `s` at `vaddr`, the body's only load or store, changes
    /// nothing in the model, and nor would the same access to its line in the runs after
    /// (nothing else in them touches the model): its page is the one its last probe found
    /// (`held_probe`'s words: `value` is the entry's), aligned, and its line is the MRU line of
    /// its L1D set (dirty for a store). Its DTLB slot is then the MRU one (or it has none): the
    /// access made it so in the run before (the loop is warm), and nothing else in the native
    /// code touches the DTLB.
    fn alone_unchanged(&mut self, s: &Stream, vaddr: Value, value: Value) -> Value {
        let l1d = self.timed.as_ref().map_or(super::NO_CACHE, |t| t.l1d);
        let key = self.aligned_key(vaddr, PAGE_MASK + 1, s.n);
        let key = self.b.ins().bor_imm_s(key, 1);
        let page = self.env_word(s.at);
        let held = self.b.ins().icmp(IntCC::Equal, key, page);
        let off = self.offset_in(value, vaddr);
        let paddr = self.b.ins().iadd_imm_s(off, RAM_BASE as i64);
        let mru = self.is_mru(paddr, s.write, l1d);
        self.b.ins().band(held, mru)
    }

    /// For the steady runs: a new variable for each guest register the loop keeps in one
    /// (`loop_registers`), set from it, in its place until the steady body is made. Returns
    /// each register with the loop's variable and the new one.
    fn steady_registers(&mut self) -> Vec<(u8, Variable, Variable)> {
        let mut regs = Vec::new();
        for r in 1..self.vars.len() {
            let Some(var) = self.vars[r] else { continue };
            let v = self.b.use_var(var);
            let own = self.b.declare_var(types::I64);
            self.b.def_var(own, v);
            self.vars[r] = Some(own);
            regs.push((r as u8, var, own));
        }
        regs
    }

    /// Out of the steady runs, `left` of the `runs` not made (of `k` elements each): the
    /// registers back in the loop's variables and the run's start counted on (`n0`).
    fn steady_out(
        &mut self,
        regs: &[(u8, Variable, Variable)],
        runs: Value,
        left: Variable,
        n0: Variable,
        k: usize,
    ) {
        for &(_, var, own) in regs {
            let v = self.b.use_var(own);
            self.b.def_var(var, v);
        }
        let left = self.b.use_var(left);
        let done = self.b.ins().isub(runs, left);
        let span = self.b.ins().imul_imm_s(done, k as i64);
        let n = self.b.use_var(n0);
        let n = self.b.ins().iadd(n, span);
        self.b.def_var(n0, n);
    }
}
