//! The `mhpmevent` selectors of klab's counters, named as in klab's event table (emu's
//! `stats::Event`, documented in klab's README): `L1D_MISS` here is `Event::L1dMiss` there. Event 0
//! counts nothing. The high bits of `mhpmevent` are Sscofpmf's overflow flag and mode inhibits.
//!
//! On QEMU 7.2 these numbers select nothing (its events are SBI-encoded), so the counters read 0.

/// L1 instruction cache accesses.
pub const L1I_ACCESS: u64 = 1;
/// L1 instruction cache misses.
pub const L1I_MISS: u64 = 2;
/// L1 data cache accesses (loads, stores, AMOs, page-walk reads).
pub const L1D_ACCESS: u64 = 3;
/// L1 data cache misses.
pub const L1D_MISS: u64 = 4;
/// L2 cache accesses.
pub const L2_ACCESS: u64 = 5;
/// L2 cache misses.
pub const L2_MISS: u64 = 6;
/// Instruction TLB misses.
pub const ITLB_MISS: u64 = 7;
/// Data TLB misses.
pub const DTLB_MISS: u64 = 8;
/// L2 TLB misses.
pub const L2TLB_MISS: u64 = 9;
/// Memory accesses made by the page walker.
pub const WALK_ACCESS: u64 = 10;
/// Exceptions taken.
pub const EXCEPTION: u64 = 11;
/// Interrupts taken.
pub const INTERRUPT: u64 = 12;
/// `satp` writes.
pub const SATP_WRITE: u64 = 13;
/// `sfence.vma` instructions.
pub const SFENCE_VMA: u64 = 14;
/// Loads retired.
pub const LOAD: u64 = 15;
/// Stores retired.
pub const STORE: u64 = 16;
/// Conditional branches taken.
pub const TAKEN_BRANCH: u64 = 17;
/// Dirty lines written back from L1D.
pub const L1D_WRITEBACK: u64 = 18;
/// Dirty lines written back from L2.
pub const L2_WRITEBACK: u64 = 19;

/// `mhpmevent` bit 63 (Sscofpmf): the counter overflowed.
pub const OF: u64 = 1 << 63;
/// `mhpmevent` bit 62: do not count in M-mode.
pub const MINH: u64 = 1 << 62;
/// `mhpmevent` bit 61: do not count in S-mode.
pub const SINH: u64 = 1 << 61;
/// `mhpmevent` bit 60: do not count in U-mode.
pub const UINH: u64 = 1 << 60;
