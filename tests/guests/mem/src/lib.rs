//! mem: what the memory-hierarchy programs (`stride`, `stale_tlb`, `markers`) share — klab's
//! counter events and markers, counter access, an Sv39 page-table builder, the drop into S-mode,
//! pointer chasing, command-line parameters and fixed-point printing — and the memory they may use.
//!
//! Memory: the program, its `.bss` and its stack (`rt/link.x`) start at `RAM_BASE`; everything from
//! `__stack_top` up to `USABLE_END` (64 MiB into RAM, where QEMU puts an initrd; the DTB sits
//! higher still) is free. `Platform::layout` splits it into `PAGE_TABLE_FRAMES` frames for page
//! tables, then data.
#![no_std]
#![forbid(unsafe_op_in_unsafe_fn)]

pub mod args;
pub mod chase;
pub mod counters;
pub mod events;
pub mod fixed;
pub mod marker;
pub mod supervisor;
pub mod sv39;

use rt::board::Board;
use rt::console::{Uart, UART0_BASE};
use sv39::{FrameAllocator, PageTable, PAGE_SIZE};

/// Where RAM starts on QEMU `virt` and klab (and where the program is loaded).
pub const RAM_BASE: usize = 0x8000_0000;
/// The free memory ends here: QEMU loads an initrd at this address (and the DTB at 0x87e0_0000).
pub const USABLE_END: usize = 0x8400_0000;
/// Frames set aside for page tables: identity-mapping all 64 MiB with 4 KiB pages would take 34
/// (a root, one level-1 table, 32 leaf tables); the devices and `stale_tlb`'s extra mapping take a
/// few more.
pub const PAGE_TABLE_FRAMES: usize = 64;
/// Exit status for a bad command line.
pub const EXIT_USAGE: u16 = 2;
/// Exit status when a result is architecturally wrong.
pub const EXIT_WRONG: u16 = 1;

unsafe extern "C" {
    /// End of the stack (`rt/link.x`): free memory starts at the next page.
    static __stack_top: u8;
}

/// What a program learns at boot, in M-mode, before any paging.
pub struct Platform {
    /// The console.
    pub uart: Uart,
    /// Base address of the console's registers.
    pub uart_base: usize,
    /// `/chosen/bootargs`.
    pub args: args::Args<'static>,
    /// Free memory: `[free_start, free_end)`, page-aligned.
    pub free_start: usize,
    /// End of free memory.
    pub free_end: usize,
}

/// Free memory divided: page-table frames, then data.
pub struct Layout {
    /// The frames for page tables.
    pub frames: FrameAllocator,
    /// First byte of the data area (page-aligned).
    pub data_start: usize,
    /// End of the data area.
    pub data_end: usize,
}

impl Platform {
    /// Reads the device tree at `dtb`, installs the reporting trap handler and finds free memory.
    /// M-mode, first thing in `main`.
    pub fn setup(dtb: usize) -> Self {
        supervisor::install_trap_handler();
        // Safety: the boot protocol puts the address of the device tree in a1; nothing writes it.
        let board = unsafe { Board::from_addr(dtb) };
        let info = board.as_ref().and_then(|b| b.uart());
        let (uart, uart_base) = match info {
            // Safety: the device tree says an NS16550A-compatible UART is there.
            Some(info) => (unsafe { Uart::new(info.base, info.reg_shift) }, info.base),
            None => (Uart::console(), UART0_BASE),
        };
        let ram_end = board
            .as_ref()
            .and_then(|b| b.memory())
            .map_or(USABLE_END, |(base, size)| base + size);
        let stack_top = core::ptr::addr_of!(__stack_top) as usize;
        Self {
            uart,
            uart_base,
            args: args::Args::new(board.as_ref().and_then(|b| b.bootargs())),
            free_start: stack_top.next_multiple_of(PAGE_SIZE),
            free_end: ram_end.min(USABLE_END) & !(PAGE_SIZE - 1),
        }
    }

    /// The free memory split into page-table frames and data.
    pub fn layout(&self) -> Layout {
        let data_start = self.free_start + PAGE_TABLE_FRAMES * PAGE_SIZE;
        assert!(data_start <= self.free_end, "mem: no free memory");
        Layout {
            // Safety: free memory is used by nothing but this layout.
            frames: unsafe { FrameAllocator::new(self.free_start, data_start) },
            data_start,
            data_end: self.free_end,
        }
    }

    /// An address space in which RAM from `RAM_BASE` up to `end` (the program, its stack, the
    /// page-table frames, and as much data as `end` takes in) is mapped at its physical address
    /// with 4 KiB pages (R, W, X), and so are the console's page and the test finisher's (R, W), so
    /// that S-mode can print and exit.
    pub fn identity_space(&self, frames: &mut FrameAllocator, end: usize) -> PageTable {
        assert!(end <= self.free_end, "mem: mapping beyond free memory");
        let mut space = PageTable::new(frames);
        space.identity(frames, RAM_BASE, end, sv39::RWX);
        for device in [self.uart_base, rt::FINISHER_BASE] {
            space.identity(frames, device, device + 1, sv39::RW);
        }
        space
    }
}
