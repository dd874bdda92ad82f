//! The platform-level interrupt controller (SiFive PLIC 1.0.0, QEMU `virt` layout), with the
//! two contexts of hart 0: context 0 drives mip.MEIP, context 1 drives mip.SEIP.
//!
//! ```text
//! offset                 register
//! 0x00_0000 + 4·s        priority of source s (0..=7; 0 = never interrupts)
//! 0x00_1000 + 4·w        pending bits, sources 32·w .. 32·w + 31 (read-only)
//! 0x00_2000 + 0x80·c     enable bits of context c
//! 0x20_0000 + 0x1000·c   priority threshold of context c
//! 0x20_0004 + 0x1000·c   claim (read) / complete (write) of context c
//! ```
//!
//! Sources are level-triggered through a gateway: a source becomes pending when its line is high
//! and it is not in service; a claim takes the highest-priority pending enabled source above the
//! threshold (ties go to the lowest id) and puts it in service until completed.

use super::Mmio;
use crate::memmap::{PLIC_NUM_CONTEXTS, PLIC_NUM_SOURCES};

const PRIORITY_BASE: u64 = 0x0;
const PENDING_BASE: u64 = 0x1000;
const ENABLE_BASE: u64 = 0x2000;
const ENABLE_STRIDE: u64 = 0x80;
const CONTEXT_BASE: u64 = 0x20_0000;
const CONTEXT_STRIDE: u64 = 0x1000;
/// Priorities are 3 bits wide, as on QEMU's virt.
const PRIORITY_MASK: u32 = 7;
/// 32-bit words of source bitmaps.
const WORDS: usize = (PLIC_NUM_SOURCES as usize).div_ceil(32);
const CONTEXTS: usize = PLIC_NUM_CONTEXTS as usize;

/// The PLIC.
#[derive(Clone, Debug)]
pub struct Plic {
    priority: [u32; PLIC_NUM_SOURCES as usize],
    pending: [u32; WORDS],
    in_service: [u32; WORDS],
    level: [u32; WORDS],
    enable: [[u32; WORDS]; CONTEXTS],
    threshold: [u32; CONTEXTS],
}

impl Default for Plic {
    fn default() -> Self {
        Plic {
            priority: [0; PLIC_NUM_SOURCES as usize],
            pending: [0; WORDS],
            in_service: [0; WORDS],
            level: [0; WORDS],
            enable: [[0; WORDS]; CONTEXTS],
            threshold: [0; CONTEXTS],
        }
    }
}

fn bit(src: u32) -> (usize, u32) {
    ((src / 32) as usize, 1 << (src % 32))
}

impl Plic {
    /// Drives the interrupt line of `src` (1..NUM_SOURCES) to `high`.
    pub fn set_level(&mut self, src: u32, high: bool) {
        if src == 0 || src >= PLIC_NUM_SOURCES {
            return;
        }
        let (w, m) = bit(src);
        if high {
            self.level[w] |= m;
            if self.in_service[w] & m == 0 {
                self.pending[w] |= m;
            }
        } else {
            self.level[w] &= !m;
            self.pending[w] &= !m;
        }
    }

    /// The best source context `ctx` could claim now, if any.
    fn best(&self, ctx: usize) -> Option<u32> {
        let mut best: Option<(u32, u32)> = None;
        for w in 0..WORDS {
            let mut bits = self.pending[w] & self.enable[ctx][w];
            while bits != 0 {
                let src = w as u32 * 32 + bits.trailing_zeros();
                bits &= bits - 1;
                let prio = self.priority[src as usize];
                if prio > self.threshold[ctx] && best.is_none_or(|(_, p)| prio > p) {
                    best = Some((src, prio));
                }
            }
        }
        best.map(|(src, _)| src)
    }

    /// The interrupt output of context `ctx` (0 = M-mode, 1 = S-mode).
    pub fn output(&self, ctx: usize) -> bool {
        self.best(ctx).is_some()
    }

    fn claim(&mut self, ctx: usize) -> u32 {
        let Some(src) = self.best(ctx) else { return 0 };
        let (w, m) = bit(src);
        self.pending[w] &= !m;
        self.in_service[w] |= m;
        src
    }

    fn complete(&mut self, ctx: usize, src: u32) {
        if src == 0 || src >= PLIC_NUM_SOURCES {
            return;
        }
        let (w, m) = bit(src);
        // Completion of a source the context cannot claim is ignored (spec: "the completion
        // is silently ignored" when the source is not enabled for the target).
        if self.enable[ctx][w] & m == 0 {
            return;
        }
        self.in_service[w] &= !m;
        if self.level[w] & m != 0 {
            self.pending[w] |= m;
        }
    }
}

impl Mmio for Plic {
    fn read(&mut self, offset: u64, size: u8, _now: u64) -> Option<u64> {
        if size != 4 {
            return None;
        }
        let v = match offset {
            o if o < PENDING_BASE => self
                .priority
                .get(((o - PRIORITY_BASE) / 4) as usize)
                .copied()
                .unwrap_or(0),
            o if o < ENABLE_BASE => self
                .pending
                .get(((o - PENDING_BASE) / 4) as usize)
                .copied()
                .unwrap_or(0),
            o if o < CONTEXT_BASE => {
                let (ctx, w) = (
                    ((o - ENABLE_BASE) / ENABLE_STRIDE) as usize,
                    ((o % ENABLE_STRIDE) / 4) as usize,
                );
                self.enable
                    .get(ctx)
                    .and_then(|e| e.get(w))
                    .copied()
                    .unwrap_or(0)
            }
            o => {
                let ctx = ((o - CONTEXT_BASE) / CONTEXT_STRIDE) as usize;
                if ctx >= CONTEXTS {
                    return Some(0);
                }
                match o % CONTEXT_STRIDE {
                    0 => self.threshold[ctx],
                    4 => self.claim(ctx),
                    _ => 0,
                }
            }
        };
        Some(u64::from(v))
    }

    fn write(&mut self, offset: u64, size: u8, value: u64, _now: u64) -> Option<()> {
        if size != 4 {
            return None;
        }
        let v = value as u32;
        match offset {
            o if o < PENDING_BASE => {
                let src = ((o - PRIORITY_BASE) / 4) as usize;
                if (1..PLIC_NUM_SOURCES as usize).contains(&src) {
                    self.priority[src] = v & PRIORITY_MASK;
                }
            }
            o if o < ENABLE_BASE => {} // pending is read-only
            o if o < CONTEXT_BASE => {
                let (ctx, w) = (
                    ((o - ENABLE_BASE) / ENABLE_STRIDE) as usize,
                    ((o % ENABLE_STRIDE) / 4) as usize,
                );
                if ctx < CONTEXTS && w < WORDS {
                    // Source 0 does not exist; bits past the last source are hardwired to zero.
                    let valid = if w == 0 { !1 } else { u32::MAX };
                    self.enable[ctx][w] = v & valid;
                }
            }
            o => {
                let ctx = ((o - CONTEXT_BASE) / CONTEXT_STRIDE) as usize;
                if ctx < CONTEXTS {
                    match o % CONTEXT_STRIDE {
                        0 => self.threshold[ctx] = v & PRIORITY_MASK,
                        4 => self.complete(ctx, v),
                        _ => {}
                    }
                }
            }
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UART: u32 = 10;

    #[test]
    fn a_level_source_is_claimed_completed_and_pends_again_while_high() {
        let mut p = Plic::default();
        p.write(4 * UART as u64, 4, 1, 0);
        p.write(ENABLE_BASE + ENABLE_STRIDE, 4, 1 << UART, 0); // context 1 (S-mode)
        p.set_level(UART, true);
        assert!(p.output(1));
        assert!(!p.output(0), "not enabled for context 0");
        assert_eq!(p.read(PENDING_BASE, 4, 0), Some(1 << UART));
        assert_eq!(
            p.read(CONTEXT_BASE + CONTEXT_STRIDE + 4, 4, 0),
            Some(UART as u64)
        );
        assert!(!p.output(1), "in service");
        p.write(CONTEXT_BASE + CONTEXT_STRIDE + 4, 4, UART as u64, 0);
        assert!(p.output(1), "still high, so pending again");
        p.set_level(UART, false);
        assert!(!p.output(1));
    }

    #[test]
    fn threshold_and_priority_zero_mask_sources() {
        let mut p = Plic::default();
        p.write(ENABLE_BASE, 4, 1 << UART, 0);
        p.set_level(UART, true);
        assert!(!p.output(0), "priority 0 never interrupts");
        p.write(4 * UART as u64, 4, 3, 0);
        assert!(p.output(0));
        p.write(CONTEXT_BASE, 4, 3, 0);
        assert!(!p.output(0), "priority must exceed the threshold");
        assert_eq!(p.read(CONTEXT_BASE + 4, 4, 0), Some(0), "nothing to claim");
    }

    #[test]
    fn the_highest_priority_wins_and_ties_go_to_the_lowest_id() {
        let mut p = Plic::default();
        for (src, prio) in [(3u32, 2u64), (5, 5), (7, 5)] {
            p.write(4 * src as u64, 4, prio, 0);
            p.set_level(src, true);
        }
        p.write(ENABLE_BASE, 4, (1 << 3) | (1 << 5) | (1 << 7), 0);
        assert_eq!(p.read(CONTEXT_BASE + 4, 4, 0), Some(5));
        assert_eq!(p.read(CONTEXT_BASE + 4, 4, 0), Some(7));
        assert_eq!(p.read(CONTEXT_BASE + 4, 4, 0), Some(3));
    }
}
