//! The device tree blob handed to the guest in `a1`, generated with `vm-fdt`.
//!
//! It mirrors what QEMU 7.2's `virt` board generates for one hart with `-bios none`, node names
//! and property encodings included, so a kernel that boots on QEMU finds the same facts here:
//!
//! ```text
//! /                    compatible "riscv-virtio", model "riscv-virtio,qemu"
//! ├── chosen           bootargs, stdout-path, linux,initrd-start/-end
//! ├── memory@80000000  reg = <RAM_BASE, size>
//! ├── cpus             timebase-frequency
//! │   └── cpu@0        riscv,isa, mmu-type "riscv,sv39"
//! │       └── interrupt-controller   riscv,cpu-intc
//! └── soc              simple-bus
//!     ├── test@100000      sifive,test0
//!     ├── rtc@101000       google,goldfish-rtc, interrupts = <11>, klab,raised-cycle
//!     ├── clint@2000000    interrupts-extended = <&intc 3 &intc 7>
//!     ├── plic@c000000     interrupts-extended = <&intc 11 &intc 9>
//!     └── serial@10000000  ns16550a, interrupts = <10>
//! ```

use crate::memmap::*;
use vm_fdt::{Error, FdtWriter};

const PHANDLE_CPU0_INTC: u32 = 1;
const PHANDLE_PLIC: u32 = 2;
const PHANDLE_TEST: u32 = 3;

/// What the DTB describes beyond the fixed board.
#[derive(Clone, Debug, Default)]
pub struct DtbConfig {
    /// RAM size in bytes.
    pub ram_size: u64,
    /// `/chosen/bootargs`, if any.
    pub bootargs: Option<String>,
    /// The initrd's physical range `[start, end)`, if any.
    pub initrd: Option<(u64, u64)>,
    /// `/cpus/timebase-frequency`.
    pub timebase_hz: u64,
    /// `riscv,isa` of the hart.
    pub isa: String,
}

/// The ISA string of the hart.
pub const ISA: &str = "rv64imac_zicntr_zicsr_zifencei_zihpm_sscofpmf";

fn reg(base: u64, size: u64) -> [u64; 2] {
    [base, size]
}

/// A property holding one 32-bit cell when the value fits, else one 64-bit value (QEMU 7.2 uses
/// cells for the initrd bounds).
fn cell_or_u64(fdt: &mut FdtWriter, name: &str, v: u64) -> Result<(), Error> {
    match u32::try_from(v) {
        Ok(c) => fdt.property_u32(name, c),
        Err(_) => fdt.property_u64(name, v),
    }
}

/// Builds the DTB.
pub fn build(cfg: &DtbConfig) -> Result<Vec<u8>, Error> {
    let mut fdt = FdtWriter::new()?;
    let root = fdt.begin_node("")?;
    fdt.property_u32("#address-cells", 2)?;
    fdt.property_u32("#size-cells", 2)?;
    fdt.property_string("compatible", "riscv-virtio")?;
    fdt.property_string("model", "riscv-virtio,qemu")?;

    let chosen = fdt.begin_node("chosen")?;
    if let Some(args) = &cfg.bootargs {
        fdt.property_string("bootargs", args)?;
    }
    fdt.property_string("stdout-path", &format!("/soc/serial@{UART0_BASE:x}"))?;
    if let Some((start, end)) = cfg.initrd {
        cell_or_u64(&mut fdt, "linux,initrd-start", start)?;
        cell_or_u64(&mut fdt, "linux,initrd-end", end)?;
    }
    fdt.end_node(chosen)?;

    let memory = fdt.begin_node(&format!("memory@{RAM_BASE:x}"))?;
    fdt.property_string("device_type", "memory")?;
    fdt.property_array_u64("reg", &reg(RAM_BASE, cfg.ram_size))?;
    fdt.end_node(memory)?;

    let cpus = fdt.begin_node("cpus")?;
    fdt.property_u32("#address-cells", 1)?;
    fdt.property_u32("#size-cells", 0)?;
    fdt.property_u32("timebase-frequency", cfg.timebase_hz as u32)?;
    let cpu = fdt.begin_node("cpu@0")?;
    fdt.property_string("device_type", "cpu")?;
    fdt.property_u32("reg", 0)?;
    fdt.property_string("status", "okay")?;
    fdt.property_string("compatible", "riscv")?;
    fdt.property_string("riscv,isa", &cfg.isa)?;
    fdt.property_string("mmu-type", "riscv,sv39")?;
    let intc = fdt.begin_node("interrupt-controller")?;
    fdt.property_u32("#interrupt-cells", 1)?;
    fdt.property_null("interrupt-controller")?;
    fdt.property_string("compatible", "riscv,cpu-intc")?;
    fdt.property_phandle(PHANDLE_CPU0_INTC)?;
    fdt.end_node(intc)?;
    fdt.end_node(cpu)?;
    fdt.end_node(cpus)?;

    let soc = fdt.begin_node("soc")?;
    fdt.property_u32("#address-cells", 2)?;
    fdt.property_u32("#size-cells", 2)?;
    fdt.property_string("compatible", "simple-bus")?;
    fdt.property_null("ranges")?;

    let test = fdt.begin_node(&format!("test@{TEST_BASE:x}"))?;
    fdt.property_string_list(
        "compatible",
        vec![
            "sifive,test1".into(),
            "sifive,test0".into(),
            "syscon".into(),
        ],
    )?;
    fdt.property_array_u64("reg", &reg(TEST_BASE, TEST_SIZE))?;
    fdt.property_phandle(PHANDLE_TEST)?;
    fdt.end_node(test)?;

    let rtc = fdt.begin_node(&format!("rtc@{RTC_BASE:x}"))?;
    fdt.property_string("compatible", "google,goldfish-rtc")?;
    fdt.property_array_u64("reg", &reg(RTC_BASE, RTC_SIZE))?;
    fdt.property_u32("interrupt-parent", PHANDLE_PLIC)?;
    fdt.property_u32("interrupts", RTC_IRQ)?;
    // klab's extension (QEMU's RTC faults there): RAISED_* say when the line rose.
    fdt.property_null("klab,raised-cycle")?;
    fdt.end_node(rtc)?;

    let clint = fdt.begin_node(&format!("clint@{CLINT_BASE:x}"))?;
    fdt.property_string_list(
        "compatible",
        vec!["sifive,clint0".into(), "riscv,clint0".into()],
    )?;
    fdt.property_array_u64("reg", &reg(CLINT_BASE, CLINT_SIZE))?;
    fdt.property_array_u32(
        "interrupts-extended",
        &[PHANDLE_CPU0_INTC, 3, PHANDLE_CPU0_INTC, 7],
    )?;
    fdt.end_node(clint)?;

    let plic = fdt.begin_node(&format!("plic@{PLIC_BASE:x}"))?;
    fdt.property_string_list(
        "compatible",
        vec!["sifive,plic-1.0.0".into(), "riscv,plic0".into()],
    )?;
    fdt.property_array_u64("reg", &reg(PLIC_BASE, PLIC_SIZE))?;
    fdt.property_u32("#address-cells", 0)?;
    fdt.property_u32("#interrupt-cells", 1)?;
    fdt.property_null("interrupt-controller")?;
    fdt.property_array_u32(
        "interrupts-extended",
        &[PHANDLE_CPU0_INTC, 11, PHANDLE_CPU0_INTC, 9],
    )?;
    fdt.property_u32("riscv,ndev", PLIC_NUM_SOURCES - 1)?;
    fdt.property_phandle(PHANDLE_PLIC)?;
    fdt.end_node(plic)?;

    let serial = fdt.begin_node(&format!("serial@{UART0_BASE:x}"))?;
    fdt.property_string("compatible", "ns16550a")?;
    fdt.property_array_u64("reg", &reg(UART0_BASE, UART0_SIZE))?;
    fdt.property_u32("clock-frequency", UART0_CLOCK_HZ)?;
    fdt.property_u32("interrupt-parent", PHANDLE_PLIC)?;
    fdt.property_u32("interrupts", UART0_IRQ)?;
    fdt.end_node(serial)?;

    fdt.end_node(soc)?;
    fdt.end_node(root)?;
    fdt.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_blob_is_well_formed_and_carries_the_chosen_facts() {
        let dtb = build(&DtbConfig {
            ram_size: 128 << 20,
            bootargs: Some("console=ttyS0".into()),
            initrd: Some((0x8400_0000, 0x8400_1000)),
            timebase_hz: 1_000_000,
            isa: ISA.into(),
        })
        .unwrap();
        assert_eq!(&dtb[..4], &[0xd0, 0x0d, 0xfe, 0xed], "FDT magic");
        let total = u32::from_be_bytes(dtb[4..8].try_into().unwrap()) as usize;
        assert_eq!(total, dtb.len());
        let has = |s: &str| dtb.windows(s.len()).any(|w| w == s.as_bytes());
        for s in [
            "console=ttyS0",
            "/soc/serial@10000000",
            "riscv,sv39",
            "ns16550a",
            "memory@80000000",
            "rtc@101000",
            "google,goldfish-rtc",
            "klab,raised-cycle",
        ] {
            assert!(has(s), "missing {s}");
        }
    }
}
