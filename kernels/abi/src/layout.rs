//! The user address space (Sv39), the same under both kernels; programs are linked at
//! [`PROGRAM_BASE`] (`userland/ulib/user.ld`).
//!
//! ```text
//! 0x0000_0000 .. 0x4000_0000   kernel only: devices (identity-mapped, no U bit)
//! 0x4000_0000 .. 0x4001_0000   unmapped: null-ish pointers fault
//! 0x4001_0000                  PROGRAM_BASE: text, rodata, data, bss of the ELF
//!   ...                        heap: from the page after the bss, grown by brk, up to HEAP_LIMIT
//! 0x6000_0000 .. 0x7000_0000   MMAP_BASE..MMAP_LIMIT: anonymous mmap regions
//!   ...                        unmapped
//! 0x7fef_f000 .. 0x7ff0_0000   the stack guard page: never mapped
//! 0x7ff0_0000 .. 0x8000_0000   the stack, demand-zero, growing down from STACK_TOP
//! 0x8000_0000 ..               kernel only: RAM (identity-mapped, no U bit)
//! ```
//!
//! A user pointer outside `USER_BASE..USER_TOP` is `EFAULT` before anything else is looked at.

/// Bytes in a page.
pub const PAGE_SIZE: usize = 4096;
/// Lowest user address.
pub const USER_BASE: usize = 0x4000_0000;
/// One past the highest user address.
pub const USER_TOP: usize = 0x8000_0000;
/// Where programs are linked: the first byte of their lowest segment.
pub const PROGRAM_BASE: usize = 0x4001_0000;
/// The heap may not grow beyond this address.
pub const HEAP_LIMIT: usize = MMAP_BASE;
/// Lowest address `mmap` returns.
pub const MMAP_BASE: usize = 0x6000_0000;
/// One past the highest address `mmap` returns.
pub const MMAP_LIMIT: usize = 0x7000_0000;
/// One past the stack's highest byte: the initial `sp` is just below (the arguments sit there).
pub const STACK_TOP: usize = USER_TOP;
/// The stack's largest size; one page below it is the guard.
pub const STACK_SIZE: usize = 1 << 20;
/// Lowest stack address.
pub const STACK_BASE: usize = STACK_TOP - STACK_SIZE;
/// The guard page below the stack: touching it kills the process.
pub const STACK_GUARD: usize = STACK_BASE - PAGE_SIZE;

/// `micro`'s servers: the same layout as programs (linked at [`PROGRAM_BASE`], stack below
/// [`STACK_TOP`]), plus these. The kernel maps a server's stack pages on first touch and its
/// heap pages when the server asks (`heap_grow`), so that running out of RAM is an error the
/// server can answer rather than a fault (servers are not paged by the memory server, which is
/// one of them).
pub mod server {
    /// The server heap, grown from here by `heap_grow` ...
    pub const HEAP_BASE: usize = super::MMAP_BASE;
    /// ... to here.
    pub const HEAP_END: usize = super::MMAP_LIMIT;
    /// The console server: the UART's registers (one page).
    pub const DEVICE: usize = 0x5fff_0000;
    /// The console server: the Goldfish RTC's registers (one page), when the board has one.
    pub const RTC_DEVICE: usize = DEVICE + super::PAGE_SIZE;
    /// The file server: the initrd, read-only.
    pub const INITRD: usize = super::MMAP_LIMIT;
    /// The memory server: where it holds the frames of shared-memory objects, object slot `i`
    /// at `SHM_HOLD.start + i * SHM_MAX_BYTES` (`crate::types::limits`).
    pub const SHM_HOLD: core::ops::Range<usize> = 0x5e00_0000..0x5f00_0000;
}
