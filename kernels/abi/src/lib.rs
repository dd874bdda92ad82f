//! abi: everything the kernels and the user programs agree on, defined once (DESIGN.md §3, Hubris'
//! `sys/abi`): system call numbers and their arguments ([`sys`]), error numbers ([`errno`]), the
//! structures system calls exchange ([`types`]), the user address-space layout ([`layout`]), marker
//! operations and region ids ([`marker`]), process ids ([`pid`]), signals ([`signal`]) and the
//! IPC message layout ([`ipc`]).
//!
//! The calling convention is `ecall` with `a7` = the number, `a0..a5` = the arguments and `a0` = the
//! result: a value ≥ 0, or `-errno`. Both kernels implement exactly this table; `ulib` generates its
//! stubs from it ([`for_each_syscall`]). Nothing here is privileged or allocates.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

pub mod errno;
pub mod ipc;
pub mod layout;
pub mod marker;
pub mod pid;
pub mod ring;
pub mod signal;
pub mod sys;
pub mod types;

pub use errno::Errno;
pub use pid::Pid;
pub use sys::Sys;
