//! The PLIC (RISC-V Platform-Level Interrupt Controller), as the S-mode context of hart 0 sees
//! it: source priorities, the context's enable bits and threshold, claim and complete.
//!
//! ```text
//! +0x00_0000 + 4*source         priority
//! +0x00_2000 + 0x80*context     enable bits (32 sources per word)
//! +0x20_0000 + 0x1000*context   threshold (+0), claim/complete (+4)
//! ```
//! On QEMU `virt` (and klab) context 2*hart is M-mode and 2*hart + 1 is S-mode.

/// A hart's S-mode context.
fn s_context(hartid: usize) -> usize {
    2 * hartid + 1
}

/// The PLIC of one hart's S-mode.
#[derive(Clone, Copy, Debug)]
pub struct Plic {
    base: usize,
    context: usize,
}

impl Plic {
    /// The PLIC at `base`, for `hartid`'s S-mode.
    pub fn new(base: usize, hartid: usize) -> Plic {
        Plic {
            base,
            context: s_context(hartid),
        }
    }

    /// The PLIC of the machine `info` describes, for this hart, with the UART's source enabled
    /// and the UART's receive interrupt off until someone reads (both kernels start so).
    pub fn with_uart(info: &crate::dtb::BootInfo) -> Plic {
        let plic = Plic::new(info.plic, info.hartid);
        plic.enable(info.uart_irq);
        crate::console::set_rx_interrupt(false);
        plic
    }

    fn reg(&self, offset: usize) -> *mut u32 {
        (self.base + offset) as *mut u32
    }

    fn write(&self, offset: usize, value: u32) {
        // Safety: a PLIC register, mapped 1:1 in every address space.
        unsafe { self.reg(offset).write_volatile(value) }
    }

    fn read(&self, offset: usize) -> u32 {
        // Safety: as in `write`.
        unsafe { self.reg(offset).read_volatile() }
    }

    /// Enables `source` at priority 1 with threshold 0.
    pub fn enable(&self, source: u32) {
        let s = source as usize;
        self.write(4 * s, 1);
        let word = 0x2000 + 0x80 * self.context + 4 * (s / 32);
        self.write(word, self.read(word) | 1 << (s % 32));
        self.write(0x20_0000 + 0x1000 * self.context, 0);
    }

    /// The highest-priority pending source, now claimed (None: nothing pending).
    pub fn claim(&self) -> Option<u32> {
        let s = self.read(0x20_0004 + 0x1000 * self.context);
        (s != 0).then_some(s)
    }

    /// Completes a claimed source.
    pub fn complete(&self, source: u32) {
        self.write(0x20_0004 + 0x1000 * self.context, source);
    }
}
