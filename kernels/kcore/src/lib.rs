//! kcore: what both kernels share below the policy line (DESIGN.md §3) — the M-mode start and timer
//! firmware ([`machine`]), the S-mode start ([`boot`]), DTB parsing ([`dtb`]), the console and
//! power-off ([`console`], [`power`]), trap entry and exit ([`trap`]), Sv39 address spaces with the
//! kernel mapped in each ([`vm`]) and ASIDs ([`asid`]), physical frames ([`frame`]) and the kernel
//! heap ([`heap`]), the ELF loader for user programs ([`loader`]), checked user memory access
//! ([`uaccess`]), the PLIC ([`plic`]), the timer ([`timer`]), the thread table, scheduler and
//! kernel entry ([`sched`], with the `ksched` crate), entering and leaving signal handlers
//! ([`signal`]), the single-hart global cell ([`sync`]) and the panic report ([`panic`]).
//!
//! `mono` and `micro` link this crate unchanged: whatever differs between them is the
//! architecture under test, and nothing here is part of that.
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

pub mod asid;
pub mod boot;
pub mod console;
pub mod csr;
pub mod dtb;
pub mod frame;
pub mod heap;
pub mod loader;
pub mod machine;
pub mod panic;
pub mod plic;
pub mod power;
pub mod sched;
pub mod signal;
pub mod sync;
pub mod timer;
pub mod trap;
pub mod uaccess;
pub mod vm;
