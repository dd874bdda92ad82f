//! The device-tree facts the guest programs need, read with the `fdt` crate. Each look-up returns
//! `None` when the tree does not say; none of them panics on a tree that lacks a node.
//!
//! Where QEMU `virt` (and klab, which copies it) keeps them:
//! ```text
//! /memory@80000000        reg = <base size>
//! /cpus                   timebase-frequency
//! /soc/serial@10000000    compatible = "ns16550a", reg, (reg-shift)
//! /chosen                 stdout-path = "/soc/serial@10000000", bootargs,
//!                         linux,initrd-start, linux,initrd-end
//! ```

use fdt::node::FdtNode;
use fdt::Fdt;

/// Compatible strings of the UARTs `Uart` can drive.
const NS16550_COMPATIBLE: &[&str] = &["ns16550a", "ns16550"];

/// A UART found in the device tree.
#[derive(Clone, Copy, Debug)]
pub struct UartInfo<'a> {
    /// Base physical address of its registers.
    pub base: usize,
    /// `reg-shift`: log2 of the register spacing (0 when absent).
    pub reg_shift: u32,
    /// Its first compatible string.
    pub compatible: &'a str,
}

/// The flattened device tree handed over in a1 at boot.
pub struct Board<'a> {
    fdt: Fdt<'a>,
}

impl<'a> Board<'a> {
    /// Parses the tree at `dtb`; `None` if there is no valid tree there.
    ///
    /// # Safety
    /// `dtb` must be 0 or point to readable memory holding a flattened device tree (its header tells how
    /// much is read), which stays unchanged for `'a`.
    pub unsafe fn from_addr(dtb: usize) -> Option<Self> {
        // Safety: the caller vouches for the memory at `dtb`; `from_ptr` checks null and the magic.
        let fdt = unsafe { Fdt::from_ptr(dtb as *const u8) }.ok()?;
        Some(Self { fdt })
    }

    /// Base and size of the first region of the memory node.
    pub fn memory(&self) -> Option<(usize, usize)> {
        let region = self.fdt.find_node("/memory")?.reg()?.next()?;
        Some((region.starting_address as usize, region.size?))
    }

    /// `timebase-frequency` of `/cpus`, or of the first CPU node.
    pub fn timebase_frequency(&self) -> Option<usize> {
        let cpus = self.fdt.find_node("/cpus")?;
        cpus.property("timebase-frequency")
            .or_else(|| {
                cpus.children()
                    .find(|c| c.name.split('@').next() == Some("cpu"))?
                    .property("timebase-frequency")
            })?
            .as_usize()
    }

    /// The console UART: the node `/chosen/stdout-path` names (options after ':' dropped), or else the
    /// first NS16550-compatible node.
    pub fn uart(&self) -> Option<UartInfo<'a>> {
        let by_path = self
            .chosen_str("stdout-path")
            .and_then(|path| path.split(':').next())
            .and_then(|path| self.fdt.find_node(path));
        let node = by_path.or_else(|| self.fdt.find_compatible(NS16550_COMPATIBLE))?;
        uart_info(node)
    }

    /// `/chosen/bootargs`, if present and not empty.
    pub fn bootargs(&self) -> Option<&'a str> {
        self.chosen_str("bootargs").filter(|s| !s.is_empty())
    }

    /// `/chosen/linux,initrd-start` and `linux,initrd-end` (32- or 64-bit cells).
    pub fn initrd(&self) -> Option<(usize, usize)> {
        let chosen = self.fdt.find_node("/chosen")?;
        let start = chosen.property("linux,initrd-start")?.as_usize()?;
        let end = chosen.property("linux,initrd-end")?.as_usize()?;
        Some((start, end))
    }

    fn chosen_str(&self, name: &str) -> Option<&'a str> {
        self.fdt.find_node("/chosen")?.property(name)?.as_str()
    }
}

fn uart_info<'a>(node: FdtNode<'_, 'a>) -> Option<UartInfo<'a>> {
    let base = node.reg()?.next()?.starting_address as usize;
    let reg_shift = node
        .property("reg-shift")
        .and_then(|p| p.as_usize())
        .unwrap_or(0) as u32;
    let compatible = node.compatible().map(|c| c.first()).unwrap_or("");
    Some(UartInfo {
        base,
        reg_shift,
        compatible,
    })
}
