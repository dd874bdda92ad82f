//! The Sv39 page walk, following privileged spec 1.12 §4.3.2 step by step.
//!
//! ```text
//! Sv39 virtual address:                      Sv39 PTE:
//!  63    39 38    30 29    21 20    12 11   0   63  54 53   28 27  19 18  10 9 8 7 6 5 4 3 2 1 0
//! ┌────────┬────────┬────────┬────────┬──────┐ ┌──────┬──────┬──────┬──────┬───┬─┬─┬─┬─┬─┬─┬─┬─┐
//! │ =bit 38│ VPN[2] │ VPN[1] │ VPN[0] │offset│ │  0   │PPN[2]│PPN[1]│PPN[0]│RSW│D│A│G│U│X│W│R│V│
//! └────────┴────────┴────────┴────────┴──────┘ └──────┴──────┴──────┴──────┴───┴─┴─┴─┴─┴─┴─┴─┴─┘
//! ```
//!
//! A and D are managed by hardware, as QEMU does: a walk that finds A clear (or D clear on a
//! store) sets it in the PTE in memory. Bits 63:54 must be zero (no Svnapot, no Svpbmt), otherwise
//! the PTE is invalid; so is a non-leaf PTE with D, A or U set (reserved there; QEMU 7.2 faults). The walker reads PTEs through [`PteMemory`], which applies PMP and the
//! bus map; the modeled TLB and caches (a later layer) sit in front of it.

use crate::hart::Privilege;
use crate::trap::{Access, Trap};

/// Number of levels of an Sv39 table.
pub const LEVELS: usize = 3;
/// Bytes per PTE.
pub const PTE_SIZE: u64 = 8;
/// Bits of virtual page number per level.
pub const VPN_BITS: u32 = 9;

/// PTE bits.
pub mod pte {
    /// Valid.
    pub const V: u64 = 1 << 0;
    /// Readable.
    pub const R: u64 = 1 << 1;
    /// Writable.
    pub const W: u64 = 1 << 2;
    /// Executable.
    pub const X: u64 = 1 << 3;
    /// User-accessible.
    pub const U: u64 = 1 << 4;
    /// Global mapping.
    pub const G: u64 = 1 << 5;
    /// Accessed.
    pub const A: u64 = 1 << 6;
    /// Dirty.
    pub const D: u64 = 1 << 7;
    /// Shift of the PPN field.
    pub const PPN_SHIFT: u32 = 10;
    /// Width of the PPN field.
    pub const PPN_BITS: u32 = 44;
    /// Bits 63:54: reserved (Svnapot's N, Svpbmt's PBMT and reserved bits), must be zero.
    pub const RESERVED: u64 = !0 << 54;
}

/// Physical memory as the walker sees it.
pub trait PteMemory {
    /// Reads the PTE at physical `addr`; `None` means an access fault (no memory or PMP denies).
    fn read_pte(&mut self, addr: u64) -> Option<u64>;
    /// Writes back a PTE whose A/D bits changed; `None` means an access fault.
    fn write_pte(&mut self, addr: u64, pte: u64) -> Option<()>;
}

/// The inputs of a walk other than the address.
#[derive(Clone, Copy, Debug)]
pub struct Context {
    /// The `satp` value (MODE must be Sv39).
    pub satp: u64,
    /// Effective privilege of the access (U or S).
    pub mode: Privilege,
    /// `mstatus.SUM`.
    pub sum: bool,
    /// `mstatus.MXR`.
    pub mxr: bool,
    /// Set A/D in memory (false for debugger walks, which must not change guest state).
    pub update_ad: bool,
}

/// The result of a successful walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Translation {
    /// The physical address of the access.
    pub paddr: u64,
    /// The leaf PTE as it is now in memory (with any A/D update applied).
    pub pte: u64,
    /// The physical address of the leaf PTE.
    pub pte_addr: u64,
    /// The leaf's level: 0 = 4 KiB page, 1 = 2 MiB megapage, 2 = 1 GiB gigapage.
    pub level: usize,
    /// Whether the mapping is global: G set in the leaf or in any PTE above it.
    pub global: bool,
}

/// One step of a walk, for the debugger's `monitor walk`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// Level of this PTE (2 = root).
    pub level: usize,
    /// Physical address of the PTE.
    pub pte_addr: u64,
    /// The PTE read (`None` if reading it faulted).
    pub pte: Option<u64>,
}

/// Whether `vaddr` is a canonical Sv39 address: bits 63:39 all equal bit 38.
#[inline]
pub fn is_canonical(vaddr: u64) -> bool {
    ((vaddr as i64) << 25 >> 25) as u64 == vaddr
}

/// VPN[level] of `vaddr`.
#[inline]
pub fn vpn(vaddr: u64, level: usize) -> u64 {
    (vaddr >> (12 + VPN_BITS * level as u32)) & ((1 << VPN_BITS) - 1)
}

/// The PPN field of a PTE.
#[inline]
pub fn ppn(pte: u64) -> u64 {
    (pte >> pte::PPN_SHIFT) & ((1 << pte::PPN_BITS) - 1)
}

/// Whether a leaf PTE grants `access` under `ctx` (step 5).
pub fn permits(p: u64, access: Access, ctx: &Context) -> bool {
    let user_page = p & pte::U != 0;
    let mode_ok = match ctx.mode {
        Privilege::User => user_page,
        // S-mode may load/store U pages only with SUM, and never executes them.
        _ => !user_page || (ctx.sum && access != Access::Fetch),
    };
    let kind_ok = match access {
        Access::Fetch => p & pte::X != 0,
        Access::Load => p & pte::R != 0 || (ctx.mxr && p & pte::X != 0),
        Access::Store => p & pte::W != 0,
    };
    mode_ok && kind_ok
}

/// Translates `vaddr` for `access` (spec §4.3.2). `trace` is called with each PTE read.
pub fn walk(
    mem: &mut impl PteMemory,
    vaddr: u64,
    access: Access,
    ctx: &Context,
    mut trace: impl FnMut(Step),
) -> Result<Translation, Trap> {
    if !is_canonical(vaddr) {
        return Err(access.page_fault(vaddr));
    }
    // Step 1: a = satp.ppn × PAGESIZE, i = LEVELS − 1.
    let mut a = (ctx.satp & crate::hart::csr::satp::PPN_MASK) << 12;
    let mut i = LEVELS - 1;
    let mut global = false;
    loop {
        // Step 2: pte = mem[a + va.vpn[i] × PTESIZE]; a PMP or bus failure is an access fault.
        let pte_addr = a + vpn(vaddr, i) * PTE_SIZE;
        let read = mem.read_pte(pte_addr);
        trace(Step {
            level: i,
            pte_addr,
            pte: read,
        });
        let mut p = read.ok_or(access.access_fault(vaddr))?;
        global |= p & pte::G != 0;
        // Step 3: invalid, W without R, or reserved bits set: page fault.
        if p & pte::V == 0 || (p & pte::R == 0 && p & pte::W != 0) || p & pte::RESERVED != 0 {
            return Err(access.page_fault(vaddr));
        }
        // Step 4: a pointer to the next level unless R or X is set. D, A and U are reserved in
        // a pointer; QEMU 7.2 treats a pointer with any of them set as invalid, and so do we.
        if p & (pte::R | pte::X) == 0 {
            if i == 0 || p & (pte::D | pte::A | pte::U) != 0 {
                return Err(access.page_fault(vaddr));
            }
            i -= 1;
            a = ppn(p) << 12;
            continue;
        }
        // Step 5: a leaf; check the permissions.
        if !permits(p, access, ctx) {
            return Err(access.page_fault(vaddr));
        }
        // Step 6: a superpage's PPN must be aligned to its size.
        let low_ppn_mask = (1u64 << (VPN_BITS * i as u32)) - 1;
        if ppn(p) & low_ppn_mask != 0 {
            return Err(access.page_fault(vaddr));
        }
        // Step 7: set A, and D on a store, in hardware.
        let needed = pte::A | if access == Access::Store { pte::D } else { 0 };
        if p & needed != needed {
            if !ctx.update_ad {
                // A debugger walk reports the mapping as it would be; it changes nothing.
            } else {
                p |= needed;
                mem.write_pte(pte_addr, p)
                    .ok_or(access.access_fault(vaddr))?;
            }
        }
        // Step 8: the physical address; a superpage takes the low VPNs from the address.
        let page_mask = (1u64 << (12 + VPN_BITS * i as u32)) - 1;
        let paddr = ((ppn(p) << 12) & !page_mask) | (vaddr & page_mask);
        return Ok(Translation {
            paddr,
            pte: p,
            pte_addr,
            level: i,
            global,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[derive(Default)]
    struct Mem(HashMap<u64, u64>);
    impl PteMemory for Mem {
        fn read_pte(&mut self, addr: u64) -> Option<u64> {
            (addr >= 0x8000_0000).then(|| self.0.get(&addr).copied().unwrap_or(0))
        }
        fn write_pte(&mut self, addr: u64, pte: u64) -> Option<()> {
            self.0.insert(addr, pte);
            Some(())
        }
    }

    const ROOT: u64 = 0x8000_0000;
    const L1: u64 = 0x8000_1000;
    const L0: u64 = 0x8000_2000;

    fn leaf(pa: u64, flags: u64) -> u64 {
        ((pa >> 12) << pte::PPN_SHIFT) | flags | pte::V
    }
    fn table(pa: u64) -> u64 {
        ((pa >> 12) << pte::PPN_SHIFT) | pte::V
    }
    fn ctx(mode: Privilege) -> Context {
        let satp = (8 << 60) | (ROOT >> 12);
        Context {
            satp,
            mode,
            sum: false,
            mxr: false,
            update_ad: true,
        }
    }

    /// Maps VA 0x4000_0000.. with a 4 KiB page, VA 0x0020_0000 with a 2 MiB page and
    /// VA 0x8000_0000 with a 1 GiB page.
    fn mem() -> Mem {
        let mut m = Mem::default();
        m.0.insert(ROOT + 8, table(L1)); // VPN[2] = 1
        m.0.insert(L1, table(L0)); // VPN[1] = 0
        m.0.insert(L0 + 5 * 8, leaf(0x8765_4000, pte::R | pte::W | pte::U)); // VPN[0] = 5
        m.0.insert(ROOT, table(0x8000_3000));
        m.0.insert(0x8000_3000 + 8, leaf(0x8060_0000, pte::R | pte::X)); // 2 MiB at VA 2 MiB
        m.0.insert(ROOT + 2 * 8, leaf(0x8000_0000, pte::R | pte::W | pte::X)); // 1 GiB
        m
    }

    #[test]
    fn translates_4k_2m_and_1g_pages_and_sets_a_and_d() {
        let mut m = mem();
        let t = walk(
            &mut m,
            0x4000_5abc,
            Access::Store,
            &ctx(Privilege::User),
            |_| {},
        )
        .unwrap();
        assert_eq!((t.paddr, t.level), (0x8765_4abc, 0));
        assert_eq!(m.0[&(L0 + 40)] & (pte::A | pte::D), pte::A | pte::D);
        let s = ctx(Privilege::Supervisor);
        let t = walk(&mut m, 0x0023_4567, Access::Fetch, &s, |_| {}).unwrap();
        assert_eq!((t.paddr, t.level), (0x8063_4567, 1));
        assert_eq!(m.0[&0x8000_3008] & pte::D, 0, "a fetch sets A only");
        let t = walk(&mut m, 0x8123_4567, Access::Load, &s, |_| {}).unwrap();
        assert_eq!((t.paddr, t.level), (0x8123_4567, 2));
    }

    #[test]
    fn permission_rules_give_page_faults_with_the_address() {
        let mut m = mem();
        let s = ctx(Privilege::Supervisor);
        let pf = |a: Access, va| Err(a.page_fault(va));
        // S-mode touching a U page without SUM.
        assert_eq!(
            walk(&mut m, 0x4000_5000, Access::Load, &s, |_| {}),
            pf(Access::Load, 0x4000_5000)
        );
        let sum = Context { sum: true, ..s };
        assert!(walk(&mut m, 0x4000_5000, Access::Load, &sum, |_| {}).is_ok());
        // S-mode never executes a U page, even with SUM.
        assert_eq!(
            walk(&mut m, 0x4000_5000, Access::Fetch, &sum, |_| {}),
            pf(Access::Fetch, 0x4000_5000)
        );
        // U-mode touching an S page.
        let u = ctx(Privilege::User);
        assert_eq!(
            walk(&mut m, 0x8000_0000, Access::Load, &u, |_| {}),
            pf(Access::Load, 0x8000_0000)
        );
        // Store to a read-only page; load of an execute-only page needs MXR.
        assert_eq!(
            walk(&mut m, 0x0020_0000, Access::Store, &s, |_| {}),
            pf(Access::Store, 0x0020_0000)
        );
        // Unmapped and non-canonical addresses.
        assert_eq!(
            walk(&mut m, 0x4000_6000, Access::Load, &u, |_| {}),
            pf(Access::Load, 0x4000_6000)
        );
        let bad = 0x0000_0080_0000_0000;
        assert_eq!(
            walk(&mut m, bad, Access::Load, &s, |_| {}),
            pf(Access::Load, bad)
        );
    }

    #[test]
    fn misaligned_superpages_and_reserved_bits_fault() {
        let mut m = mem();
        m.0.insert(ROOT + 3 * 8, leaf(0x8020_0000, pte::R)); // 1 GiB leaf, PPN not 1 GiB aligned
        let s = ctx(Privilege::Supervisor);
        assert!(walk(&mut m, 0xc000_0000, Access::Load, &s, |_| {}).is_err());
        m.0.insert(ROOT + 3 * 8, leaf(0x4000_0000, pte::R) | (1 << 61)); // PBMT bits
        assert!(walk(&mut m, 0xc000_0000, Access::Load, &s, |_| {}).is_err());
    }

    #[test]
    fn a_debugger_walk_changes_nothing() {
        let mut m = mem();
        let c = Context {
            update_ad: false,
            ..ctx(Privilege::User)
        };
        let mut steps = vec![];
        walk(&mut m, 0x4000_5000, Access::Store, &c, |s| steps.push(s)).unwrap();
        assert_eq!(m.0[&(L0 + 40)] & pte::A, 0);
        assert_eq!(
            steps.iter().map(|s| s.level).collect::<Vec<_>>(),
            vec![2, 1, 0]
        );
    }
}
