//! mono: the monolithic kernel (DESIGN.md §3). Every system call is a trap into one privileged
//! program that links the shared policy code (`services`) and calls it directly: the baseline the
//! microkernel is measured against.
//!
//! Shape of the kernel (see the modules):
//! - [`boot`]: from `kmain` to the first process — memory, devices, the file system.
//! - [`kernel`]: the one global [`kernel::Kernel`] and the trap handler: every trap from a user
//!   thread enters `kernel_trap_handler` on the single kernel stack, is handled to completion and
//!   ends by resuming some thread; the kernel never blocks inside a call. A call that must wait
//!   parks its thread with `sepc` still on the `ecall`, so it runs again when woken.
//! - [`process`]: processes (address space, memory policy, threads), spawn, exit, kill, faults.
//! - [`syscall`]: the system-call table; [`files`], [`io_models`], [`memory`] and [`proc_calls`]
//!   hold the calls' bodies, [`ipc`] those of named pipes, socket pairs and futexes.
//! - [`sched`]: what is mono's in scheduling (the timer tick, interrupts, idling); the thread
//!   table, run queue and the choice of the next thread are kcore's, shared with micro.
#![no_std]
#![no_main]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

mod alarm;
mod boot;
mod console;
mod files;
mod io_models;
mod ipc;
mod kernel;
mod memory;
mod proc_calls;
mod process;
mod ring;
mod sched;
mod shm;
mod signals;
mod syscall;

/// The kernel's name in its messages.
pub const NAME: &str = "mono";
