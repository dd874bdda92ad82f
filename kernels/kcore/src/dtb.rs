//! What the kernels learn from the device tree at boot, read with the `fdt` crate: RAM, the
//! initrd, the command line, the timebase, and where the UART, PLIC, CLINT, test finisher and RTC
//! are (the RTC only if the tree names one: a board without it has no alarm).
//! A fact the tree does not give falls back to QEMU `virt`'s value where one exists; a tree that
//! cannot be parsed, or lacks RAM or the timebase (every reading of time depends on it, and boards
//! differ: 10 MHz on QEMU `virt`, 1 MHz on the HiFive Unmatched), is an error the kernel reports
//! before it stops.
//!
//! ```text
//! /memory@80000000        reg = <base size>
//! /cpus                   timebase-frequency
//! /chosen                 bootargs, linux,initrd-start, linux,initrd-end
//! /soc/serial@10000000    ns16550a, interrupts = <10>
//! /soc/plic@c000000       riscv,plic0 / sifive,plic-1.0.0
//! /soc/clint@2000000      riscv,clint0 / sifive,clint0
//! /soc/test@100000        sifive,test0 / syscon
//! /soc/rtc@101000         google,goldfish-rtc, interrupts = <11>, klab,raised-cycle (klab's)
//! ```

use core::ops::Range;

use fdt::Fdt;

/// Longest command line kept.
pub const BOOTARGS_MAX: usize = 512;

/// The UART's interrupt on QEMU `virt` when the tree does not say.
const UART_IRQ_DEFAULT: u32 = 10;
/// QEMU `virt`'s UART.
const UART_DEFAULT: usize = 0x1000_0000;
/// QEMU `virt`'s PLIC.
const PLIC_DEFAULT: usize = 0x0c00_0000;

/// The boot facts, copied out of the tree.
#[derive(Clone, Debug)]
pub struct BootInfo {
    /// The hart we run on.
    pub hartid: usize,
    /// RAM.
    pub ram: Range<usize>,
    /// The tree itself (kept clear of the frame allocator).
    pub dtb: Range<usize>,
    /// The initrd, if one was loaded.
    pub initrd: Option<Range<usize>>,
    /// Timebase ticks per second (`time` CSR).
    pub timebase_hz: u64,
    /// The NS16550A's registers.
    pub uart: usize,
    /// The UART's PLIC source.
    pub uart_irq: u32,
    /// The PLIC's registers.
    pub plic: usize,
    /// The Goldfish RTC's registers and PLIC source, if the board has one.
    pub rtc: Option<(usize, u32)>,
    /// Whether the RTC has klab's `RAISED_*` registers (property `klab,raised-cycle`).
    pub rtc_raised: bool,
    bootargs: [u8; BOOTARGS_MAX],
    bootargs_len: usize,
}

impl BootInfo {
    /// `/chosen/bootargs` (empty if none).
    pub fn bootargs(&self) -> &str {
        core::str::from_utf8(&self.bootargs[..self.bootargs_len]).unwrap_or("")
    }

    /// The initrd's bytes.
    pub fn initrd_bytes(&self) -> &'static [u8] {
        match &self.initrd {
            // Safety: the loader put the initrd in RAM at this range, the kernel maps RAM 1:1, and
            // nothing allocates from it (the frame allocator is given RAM minus this range).
            Some(r) => unsafe { core::slice::from_raw_parts(r.start as *const u8, r.len()) },
            None => &[],
        }
    }
}

/// Parses the tree at `dtb`.
pub fn parse(hartid: usize, dtb: usize) -> Result<BootInfo, &'static str> {
    let fdt = open(dtb).ok_or("no valid device tree in a1")?;
    let region = fdt
        .memory()
        .regions()
        .next()
        .ok_or("the device tree has no memory")?;
    let ram_start = region.starting_address as usize;
    let ram = ram_start..ram_start + region.size.ok_or("the memory node has no size")?;
    let chosen = fdt.find_node("/chosen");
    let prop = |name: &str| {
        chosen
            .as_ref()
            .and_then(|c| c.property(name))
            .and_then(|p| p.as_usize())
    };
    let initrd = match (prop("linux,initrd-start"), prop("linux,initrd-end")) {
        (Some(s), Some(e)) if s < e => Some(s..e),
        _ => None,
    };
    let mut bootargs = [0u8; BOOTARGS_MAX];
    let args = chosen
        .as_ref()
        .and_then(|c| c.property("bootargs"))
        .map(|p| p.value)
        .unwrap_or(&[]);
    let args = args.split(|&b| b == 0).next().unwrap_or(&[]);
    let bootargs_len = args.len().min(BOOTARGS_MAX);
    bootargs[..bootargs_len].copy_from_slice(&args[..bootargs_len]);
    let timebase_hz = timebase(&fdt).ok_or("the device tree gives no timebase-frequency")?;
    let uart_node = fdt.find_compatible(&["ns16550a", "ns16550"]);
    let uart = uart_node
        .as_ref()
        .and_then(first_reg)
        .unwrap_or(UART_DEFAULT);
    let uart_irq = uart_node
        .as_ref()
        .and_then(|n| n.interrupts())
        .and_then(|mut i| i.next())
        .map_or(UART_IRQ_DEFAULT, |i| i as u32);
    let plic = fdt
        .find_compatible(&["riscv,plic0", "sifive,plic-1.0.0"])
        .as_ref()
        .and_then(first_reg)
        .unwrap_or(PLIC_DEFAULT);
    let rtc_node = fdt.find_compatible(&["google,goldfish-rtc"]);
    let rtc = rtc_node.as_ref().and_then(|n| {
        let irq = n.interrupts().and_then(|mut i| i.next())?;
        Some((first_reg(n)?, irq as u32))
    });
    let rtc_raised = rtc_node
        .as_ref()
        .is_some_and(|n| n.property("klab,raised-cycle").is_some());
    Ok(BootInfo {
        hartid,
        ram,
        dtb: dtb..dtb + fdt.total_size(),
        initrd,
        timebase_hz,
        uart,
        uart_irq,
        plic,
        rtc,
        rtc_raised,
        bootargs,
        bootargs_len,
    })
}

/// The CLINT's base, if the tree names one (used in M-mode, before [`parse`]).
pub fn clint_base(dtb: usize) -> Option<usize> {
    open(dtb)?
        .find_compatible(&["riscv,clint0", "sifive,clint0"])
        .as_ref()
        .and_then(first_reg)
}

/// The console UART's base, if the tree names one.
pub fn uart_base(dtb: usize) -> Option<usize> {
    open(dtb)?
        .find_compatible(&["ns16550a", "ns16550"])
        .as_ref()
        .and_then(first_reg)
}

/// The SiFive test finisher's base, if the tree names one.
pub fn finisher_base(dtb: usize) -> Option<usize> {
    open(dtb)?
        .find_compatible(&["sifive,test0", "sifive,test1"])
        .as_ref()
        .and_then(first_reg)
}

/// `timebase-frequency` of the first CPU node, or of `/cpus` (where boards put it), as one or two
/// cells; `None` if absent or zero. (`fdt`'s own accessor panics when the property is missing.)
fn timebase(fdt: &Fdt) -> Option<u64> {
    let cpus = fdt.find_node("/cpus")?;
    let cpu = cpus.children().find(|n| n.name.starts_with("cpu@"));
    let prop = cpu
        .and_then(|c| c.property("timebase-frequency"))
        .or_else(|| cpus.property("timebase-frequency"))?;
    let hz = match *prop.value {
        [a, b, c, d] => u64::from(u32::from_be_bytes([a, b, c, d])),
        [a, b, c, d, e, f, g, h] => u64::from_be_bytes([a, b, c, d, e, f, g, h]),
        _ => return None,
    };
    (hz > 0).then_some(hz)
}

fn open(dtb: usize) -> Option<Fdt<'static>> {
    // Safety: the boot loader (QEMU, klab) passes the tree's address in a1; `from_ptr` checks for
    // null and for the magic number before reading the header's size. The tree lies in RAM the
    // kernel never allocates.
    unsafe { Fdt::from_ptr(dtb as *const u8) }.ok()
}

fn first_reg(node: &fdt::node::FdtNode) -> Option<usize> {
    Some(node.reg()?.next()?.starting_address as usize)
}
