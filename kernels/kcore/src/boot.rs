//! From reset to a kernel ready to make processes, the same for both kernels: `machine`'s M-mode
//! start drops to S-mode at the kernel's `kmain`, which calls [`init`]: read the device tree,
//! carve RAM into the kernel heap and the frame pool (keeping clear of the kernel image, the DTB
//! and the initrd), build the kernel page-table template, probe ASIDs, install the trap entry
//! and enable the timer and external interrupts (taken from U-mode only).

use core::ops::Range;

use crate::dtb::{self, BootInfo};
use crate::frame::FrameAllocator;
use crate::{asid, console, kprintln, power, timer, trap, vm};

unsafe extern "C" {
    static __kernel_start: u8;
    static __kernel_end: u8;
}

/// The kernel heap's share of RAM (a quarter, at most this much).
const HEAP_MAX: usize = 32 << 20;

/// `sip`/`sie`: the supervisor timer interrupt.
pub const STIP: u64 = 1 << 5;
/// `sip`/`sie`: the supervisor external interrupt.
pub const SEIP: u64 = 1 << 9;

/// What a kernel starts with.
pub struct Boot {
    /// The machine, from the device tree.
    pub info: BootInfo,
    /// Every frame of RAM not used by the kernel, its heap, the DTB or the initrd.
    pub frames: FrameAllocator,
    /// The ASIDs the hardware has.
    pub asids: asid::Asids,
}

/// Brings the machine up for kernel `name` (used in its messages); powers off with status 254
/// if the machine cannot run a kernel.
pub fn init(name: &str, hartid: usize, dtb_addr: usize) -> Boot {
    let info = match dtb::parse(hartid, dtb_addr) {
        Ok(info) => info,
        Err(e) => {
            kprintln!("{}: {e}", name);
            power::exit(254)
        }
    };
    console::init();
    timer::init(info.timebase_hz);
    let kernel_image =
        core::ptr::addr_of!(__kernel_start) as usize..core::ptr::addr_of!(__kernel_end) as usize;
    let initrd = info.initrd.clone().unwrap_or(0..0);
    // No allocation before the heap exists: the free ranges are computed in fixed arrays.
    let reserved = [kernel_image.clone(), info.dtb.clone(), initrd.clone()];
    let heap_size = (info.ram.len() / 4).min(HEAP_MAX) & !0xfff;
    let free = FreeRanges::of(info.ram.clone(), &reserved);
    let Some(heap) = free
        .iter()
        .find(|r| r.len() >= heap_size)
        .map(|r| r.start..r.start + heap_size)
    else {
        kprintln!(
            "{}: no room for a {} KiB kernel heap",
            name,
            heap_size >> 10
        );
        power::exit(254)
    };
    // Safety: `heap` is RAM outside the kernel image, the DTB and the initrd, used for nothing else.
    unsafe { crate::heap::init(heap.start, heap.len()) };
    // The frame table (one byte per frame of RAM) goes in RAM of its own, before the frames.
    let table_len = FrameAllocator::table_bytes(info.ram.clone()).next_multiple_of(4096);
    let Some(table) = FreeRanges::of(
        info.ram.clone(),
        &[
            kernel_image.clone(),
            info.dtb.clone(),
            initrd.clone(),
            heap.clone(),
        ],
    )
    .iter()
    .find(|r| r.len() >= table_len)
    .map(|r| r.start..r.start + table_len) else {
        kprintln!("{}: no room for the frame table", name);
        power::exit(254)
    };
    // Safety: `table` is RAM outside the kernel image, the DTB, the initrd and the heap, and it
    // is left out of the frames below.
    let mut frames = unsafe { FrameAllocator::new(info.ram.clone(), table.start) };
    for r in FreeRanges::of(
        info.ram.clone(),
        &[kernel_image, info.dtb.clone(), initrd, heap, table],
    )
    .iter()
    {
        // Safety: RAM that is neither kernel, DTB, initrd, heap nor frame table.
        unsafe { frames.add(r.clone()) };
    }
    if vm::init_kernel(&mut frames, info.ram.clone()).is_err() {
        kprintln!("{}: no frame for the kernel page table", name);
        power::exit(254)
    }
    vm::activate_kernel();
    let asids = asid::Asids::probe(vm::kernel_satp());
    trap::init();
    // Safety: enables the timer and external interrupt sources (taken from U-mode only, since the
    // kernel runs with sstatus.SIE off) and lets programs read every counter.
    unsafe {
        crate::csr::set_sie(STIP | SEIP);
        crate::csr::write_scounteren(u64::from(u32::MAX));
    }
    Boot {
        info,
        frames,
        asids,
    }
}

/// RAM minus some reserved ranges, without allocating.
struct FreeRanges {
    ranges: [Range<usize>; 8],
    len: usize,
}

impl FreeRanges {
    /// `ram` minus `reserved` (at most 7 ranges), in address order.
    fn of(ram: Range<usize>, reserved: &[Range<usize>]) -> FreeRanges {
        let mut cuts: [Range<usize>; 7] = Default::default();
        let mut n = 0;
        for r in reserved
            .iter()
            .filter(|r| !r.is_empty() && r.start < ram.end && ram.start < r.end)
            .take(7)
        {
            cuts[n] = r.start.max(ram.start)..r.end.min(ram.end);
            n += 1;
        }
        cuts[..n].sort_unstable_by_key(|r| r.start);
        let mut out = FreeRanges {
            ranges: Default::default(),
            len: 0,
        };
        let mut at = ram.start;
        for c in &cuts[..n] {
            if c.start > at {
                out.push(at..c.start);
            }
            at = at.max(c.end);
        }
        if at < ram.end {
            out.push(at..ram.end);
        }
        out
    }

    fn push(&mut self, r: Range<usize>) {
        if let Some(slot) = self.ranges.get_mut(self.len) {
            *slot = r;
            self.len += 1;
        }
    }

    fn iter(&self) -> impl Iterator<Item = &Range<usize>> {
        self.ranges[..self.len].iter()
    }
}
