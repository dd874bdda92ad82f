//! `emu` — the klab machine: a RV64IMAC system emulator compatible with QEMU's `virt` board.
//!
//! The pieces, from the bottom up:
//! - [`memmap`]: the physical address map (every device address named once);
//! - [`hart`]: architectural state, CSR layouts, the decoders and the predecoded format;
//! - [`mmu`]: the Sv39 walk, PMP and the host translation fast path;
//! - [`devices`] and [`bus`]: UART, CLINT, PLIC, test finisher, RAM;
//! - [`loader`] and [`fdt`]: ELF loading (goblin) and the device tree (vm-fdt);
//! - [`input`]: reading the files a user names with a bound, and quoting user input shortened;
//! - [`timeline`]: the phases of one operation, from the machine's own events;
//! - [`machine`]: the execution engine that ties them together, with what a debugger needs
//!   (breakpoints, watchpoints, single steps, reads that change nothing; the protocol is `lab`'s).
//!
//! The emulator reads no host clock: time is the cycle count, so runs are reproducible.
//! Nothing a guest does can panic the host: traps are values ([`trap::Trap`]) and every
//! physical access that nothing answers is an access fault.
#![deny(unsafe_code)] // allowed in `machine::threaded`, `machine::jit` and `model::cache::masks_n` (SSE2)

pub mod bus;
pub mod devices;
pub mod fdt;
pub mod hart;
pub mod input;
pub mod loader;
pub mod machine;
pub mod memmap;
pub mod mmu;
pub mod model;
pub mod profile;
pub mod report;
pub mod stats;
pub mod symbols;
pub mod timeline;
pub mod trap;

pub use devices::console::{Input, Output};
pub use loader::{ElfImage, LoadError};
pub use machine::{Config, DebugStop, Exit, Machine, MachineError, WatchKind};
