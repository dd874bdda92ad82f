//! Taking one call-stack sample: which table the pc's code is in, and the frame-pointer chain
//! walked through the guest's own page tables, changing nothing (no A/D bits, no modeled TLB or
//! cache state, no counters) — the rules are in `crate::symbols`.

use crate::hart::Privilege;
use crate::symbols::{Stack, UNKNOWN};

use super::Machine;

/// The deepest stack walked (frames beyond it are dropped, the outermost ones).
pub const MAX_DEPTH: usize = 64;

/// The frame pointer register, `s0`/`fp` (x8).
const FP: u8 = 8;

impl Machine {
    /// Takes the samples due, if any: the stack at the current pc.
    pub(crate) fn take_samples(&mut self) {
        let cycles = self.cycles();
        if !self.sampler.as_ref().is_some_and(|s| s.due(cycles)) {
            return;
        }
        let key = self.stats.key();
        let label = match key.mode {
            Privilege::User => match &self.stats.spaces()[key.space].name {
                Some(name) => name.clone(),
                None => format!("space {:#x}", self.stats.spaces()[key.space].root),
            },
            _ => "kernel".to_string(),
        };
        let (table, frames) = self.walk_stack(key.mode);
        let retired = self.retired;
        if let Some(s) = &mut self.sampler {
            let label = s.label(&label);
            s.record(
                cycles,
                retired,
                Stack {
                    mode: key.mode.index(),
                    region: key.region,
                    label,
                    table,
                    frames,
                },
            );
        }
    }

    /// The table whose code is at the pc, and the stack's frames in it, innermost first.
    fn walk_stack(&self, mode: Privilege) -> (Option<u32>, Vec<u32>) {
        let pc = self.hart.pc;
        let Some(t) = self.table_at(mode, pc) else {
            return (None, vec![UNKNOWN]);
        };
        let table = &self.symbol_tables[t];
        let mut frames = vec![table.index_of(pc).unwrap_or(UNKNOWN)];
        let mut fp = self.hart.reg(FP);
        while frames.len() < MAX_DEPTH {
            // A frame record: the caller's fp at fp - 16, the return address at fp - 8.
            let mut record = [0u8; 16];
            if !fp.is_multiple_of(8) || fp < 16 || !self.peek_virtual(fp - 16, &mut record) {
                break;
            }
            let caller_fp = u64::from_le_bytes(record[..8].try_into().expect("8 bytes"));
            let ra = u64::from_le_bytes(record[8..].try_into().expect("8 bytes"));
            // The call instruction ends at ra: look up the byte before it. A return address
            // outside this ELF ends the stack (never another table's).
            let Some(f) = ra.checked_sub(1).and_then(|a| table.index_of(a)) else {
                break;
            };
            frames.push(f);
            // Callers' frames lie higher on the stack: anything else is not a chain.
            if caller_fp <= fp {
                break;
            }
            fp = caller_fp;
        }
        (Some(t as u32), frames)
    }

    /// The index of the table whose code runs at `pc` in `mode`: the kernel's for S and M, for U
    /// the table named like the current address space, if its bytes at `pc` are the guest's.
    fn table_at(&self, mode: Privilege, pc: u64) -> Option<usize> {
        let t = match mode {
            Privilege::User => {
                let name = self.stats.spaces()[self.stats.key().space]
                    .name
                    .as_deref()?;
                self.symbol_tables
                    .iter()
                    .position(|t| !t.kernel && t.name == name)?
            }
            _ => self.symbol_tables.iter().position(|t| t.kernel)?,
        };
        // Compare the instruction's first 2 bytes (a compressed one's whole), and 4 when the
        // page holds them.
        let mut guest = [0u8; 4];
        let n = if self.peek_virtual(pc, &mut guest) {
            4
        } else if self.peek_virtual(pc, &mut guest[..2]) {
            2
        } else {
            return None;
        };
        let table = &self.symbol_tables[t];
        let elf = table.bytes_at(pc, n).or_else(|| table.bytes_at(pc, 2))?;
        (elf == &guest[..elf.len()]).then_some(t)
    }
}
