//! The supervisor CSRs kcore touches, their fields (privileged spec 1.12, §4.1), and the few
//! instructions that go with them (`sfence.vma`, `wfi`).

use core::arch::asm;

/// `sstatus` fields.
pub mod sstatus {
    /// Supervisor interrupt enable.
    pub const SIE: u64 = 1 << 1;
    /// SIE before the trap.
    pub const SPIE: u64 = 1 << 5;
    /// The privilege before the trap (1 = S).
    pub const SPP: u64 = 1 << 8;
    /// Permit supervisor access to user memory.
    pub const SUM: u64 = 1 << 18;
}

/// `sie` / `sip` bits.
pub mod irq {
    /// Supervisor software interrupt.
    pub const SSI: u64 = 1 << 1;
    /// Supervisor timer interrupt.
    pub const STI: u64 = 1 << 5;
    /// Supervisor external interrupt.
    pub const SEI: u64 = 1 << 9;
}

/// `satp` fields (Sv39).
pub mod satp {
    /// MODE = 8: Sv39.
    pub const MODE_SV39: u64 = 8 << 60;
    /// The ASID field's position.
    pub const ASID_SHIFT: u32 = 44;
    /// The ASID field's mask (16 bits at most, WARL).
    pub const ASID_MASK: u64 = 0xffff;
}

macro_rules! csr_rw {
    ($read:ident, $write:ident, $set:ident, $clear:ident, $name:literal) => {
        #[doc = concat!("Reads `", $name, "`.")]
        #[inline(always)]
        pub fn $read() -> u64 {
            let v: u64;
            // Safety: reading this CSR has no side effects.
            unsafe { asm!(concat!("csrr {0}, ", $name), out(reg) v, options(nomem, nostack)) };
            v
        }

        #[doc = concat!("Writes `", $name, "`.")]
        ///
        /// # Safety
        /// The caller answers for what the new value does to the hart.
        #[inline(always)]
        pub unsafe fn $write(v: u64) {
            // Safety: forwarded to the caller.
            unsafe { asm!(concat!("csrw ", $name, ", {0}"), in(reg) v, options(nostack)) };
        }

        #[doc = concat!("Sets bits in `", $name, "`.")]
        ///
        /// # Safety
        /// The caller answers for what the new value does to the hart.
        #[inline(always)]
        pub unsafe fn $set(bits: u64) {
            // Safety: forwarded to the caller.
            unsafe { asm!(concat!("csrs ", $name, ", {0}"), in(reg) bits, options(nostack)) };
        }

        #[doc = concat!("Clears bits in `", $name, "`.")]
        ///
        /// # Safety
        /// The caller answers for what the new value does to the hart.
        #[inline(always)]
        pub unsafe fn $clear(bits: u64) {
            // Safety: forwarded to the caller.
            unsafe { asm!(concat!("csrc ", $name, ", {0}"), in(reg) bits, options(nostack)) };
        }
    };
}

csr_rw!(
    sstatus,
    write_sstatus,
    set_sstatus,
    clear_sstatus,
    "sstatus"
);
csr_rw!(sie, write_sie, set_sie, clear_sie, "sie");
csr_rw!(sip, write_sip, set_sip, clear_sip, "sip");
csr_rw!(satp, write_satp, set_satp, clear_satp, "satp");
csr_rw!(stvec, write_stvec, set_stvec, clear_stvec, "stvec");
csr_rw!(
    sscratch,
    write_sscratch,
    set_sscratch,
    clear_sscratch,
    "sscratch"
);
csr_rw!(
    scounteren,
    write_scounteren,
    set_scounteren,
    clear_scounteren,
    "scounteren"
);

/// Reads `scause`.
#[inline(always)]
pub fn scause() -> u64 {
    let v: u64;
    // Safety: reading this CSR has no side effects.
    unsafe { asm!("csrr {0}, scause", out(reg) v, options(nomem, nostack)) };
    v
}

/// Reads `stval`.
#[inline(always)]
pub fn stval() -> u64 {
    let v: u64;
    // Safety: reading this CSR has no side effects.
    unsafe { asm!("csrr {0}, stval", out(reg) v, options(nomem, nostack)) };
    v
}

/// Reads `time` (`rdtime`): timebase ticks since reset.
#[inline(always)]
pub fn time() -> u64 {
    let v: u64;
    // Safety: reading this CSR has no side effects.
    unsafe { asm!("csrr {0}, time", out(reg) v, options(nomem, nostack)) };
    v
}

/// Reads `instret` (`rdinstret`): instructions retired since reset.
#[inline(always)]
pub fn instret() -> u64 {
    let v: u64;
    // Safety: reading this CSR has no side effects.
    unsafe { asm!("csrr {0}, instret", out(reg) v, options(nomem, nostack)) };
    v
}

/// `sfence.vma x0, x0`: orders every earlier page-table write before later translations, for
/// every address and address space.
#[inline(always)]
pub fn sfence_vma_all() {
    // Safety: a fence; it only drops cached translations.
    unsafe { asm!("sfence.vma", options(nostack)) };
}

/// `sfence.vma vaddr, asid` (`asid` = None: every address space).
#[inline(always)]
pub fn sfence_vma(vaddr: usize, asid: Option<u16>) {
    // Safety: a fence; it only drops cached translations.
    unsafe {
        match asid {
            Some(a) => {
                asm!("sfence.vma {0}, {1}", in(reg) vaddr, in(reg) usize::from(a), options(nostack))
            }
            None => asm!("sfence.vma {0}, zero", in(reg) vaddr, options(nostack)),
        }
    }
}

/// `sfence.vma x0, asid`: drops every non-global translation of one address space.
#[inline(always)]
pub fn sfence_vma_asid(asid: u16) {
    // Safety: a fence; it only drops cached translations.
    unsafe { asm!("sfence.vma zero, {0}", in(reg) usize::from(asid), options(nostack)) };
}

/// `wfi`: waits until an interrupt is pending and enabled in `sie` (whatever `sstatus.SIE` says).
#[inline(always)]
pub fn wfi() {
    // Safety: WFI has no architectural effect besides waiting.
    unsafe { asm!("wfi", options(nomem, nostack)) };
}
