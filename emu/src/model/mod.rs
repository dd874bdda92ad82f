//! The modeled memory hierarchy: set-associative caches and TLBs that keep tags and replacement
//! state only (data always lives in RAM), for the cycle model and the performance counters.
//!
//! These are plain data structures with no knowledge of the hart: the machine decides when to
//! consult them (see `machine::timing`).

pub mod cache;
pub mod replacement;
pub mod tlb;
