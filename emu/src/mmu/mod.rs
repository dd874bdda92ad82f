//! Address translation and protection: the Sv39 page walk, PMP, and the host-side fast path.
//!
//! The modeled TLB (a later layer) will sit between the fast path and the walk; here the walk is
//! the source of truth and the host TLB caches only what it has checked.

pub mod htlb;
pub mod pmp;
pub mod sv39;
