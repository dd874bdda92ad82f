//! CSR numbers and register-field layouts (privileged spec 1.12, chapter 2 and 3), and the
//! storage of the CSRs that are plain state.
//!
//! The access rules, side effects and the CSRs backed by other state (counters, `time`, `mip`'s
//! hardware bits, PMP) live in `machine::csr`, which is the one place that reads and writes them.
//!
//! ```text
//! mstatus (RV64), the fields implemented:
//!  63  ..  36 35:34 33:32 .. 22  21 20  19  18  17  .. 12:11 .. 8   7    5    3   1
//! ┌──┬──────┬─────┬─────┬──┬───┬──┬───┬───┬───┬────┬──┬─────┬──┬───┬────┬────┬───┬───┐
//! │SD│  0   │ SXL │ UXL │ 0│TSR│TW│TVM│MXR│SUM│MPRV│0 │ MPP │0 │SPP│MPIE│SPIE│MIE│SIE│
//! └──┴──────┴─────┴─────┴──┴───┴──┴───┴───┴───┴────┴──┴─────┴──┴───┴────┴────┴───┴───┘
//! SD, FS, VS, XS are zero: the hart has no F, D or V state. SXL = UXL = 2 (64-bit), read-only.
//! ```

/// CSR numbers (privileged spec 1.12, tables 2.2–2.5).
#[allow(missing_docs)]
pub mod num {
    // Unprivileged counters and timers (read-only shadows).
    pub const CYCLE: u16 = 0xc00;
    pub const TIME: u16 = 0xc01;
    pub const INSTRET: u16 = 0xc02;
    pub const HPMCOUNTER3: u16 = 0xc03;
    pub const HPMCOUNTER31: u16 = 0xc1f;

    // Supervisor.
    pub const SSTATUS: u16 = 0x100;
    pub const SIE: u16 = 0x104;
    pub const STVEC: u16 = 0x105;
    pub const SCOUNTEREN: u16 = 0x106;
    pub const SENVCFG: u16 = 0x10a;
    pub const SSCRATCH: u16 = 0x140;
    pub const SEPC: u16 = 0x141;
    pub const SCAUSE: u16 = 0x142;
    pub const STVAL: u16 = 0x143;
    pub const SIP: u16 = 0x144;
    pub const SATP: u16 = 0x180;

    // Machine information.
    pub const MVENDORID: u16 = 0xf11;
    pub const MARCHID: u16 = 0xf12;
    pub const MIMPID: u16 = 0xf13;
    pub const MHARTID: u16 = 0xf14;
    pub const MCONFIGPTR: u16 = 0xf15;

    // Machine trap setup and handling.
    pub const MSTATUS: u16 = 0x300;
    pub const MISA: u16 = 0x301;
    pub const MEDELEG: u16 = 0x302;
    pub const MIDELEG: u16 = 0x303;
    pub const MIE: u16 = 0x304;
    pub const MTVEC: u16 = 0x305;
    pub const MCOUNTEREN: u16 = 0x306;
    pub const MENVCFG: u16 = 0x30a;
    pub const MCOUNTINHIBIT: u16 = 0x320;
    pub const MHPMEVENT3: u16 = 0x323;
    pub const MHPMEVENT31: u16 = 0x33f;
    pub const MSCRATCH: u16 = 0x340;
    pub const MEPC: u16 = 0x341;
    pub const MCAUSE: u16 = 0x342;
    pub const MTVAL: u16 = 0x343;
    pub const MIP: u16 = 0x344;

    // Machine memory protection.
    pub const PMPCFG0: u16 = 0x3a0;
    pub const PMPCFG15: u16 = 0x3af;
    pub const PMPADDR0: u16 = 0x3b0;
    pub const PMPADDR63: u16 = 0x3ef;

    // Machine counters.
    pub const MCYCLE: u16 = 0xb00;
    pub const MINSTRET: u16 = 0xb02;
    pub const MHPMCOUNTER3: u16 = 0xb03;
    pub const MHPMCOUNTER31: u16 = 0xb1f;

    // Sscofpmf.
    pub const SCOUNTOVF: u16 = 0xda0;
}

/// The CSRs the hart implements, by spec name (the debugger's register list and the commit
/// log's disassembly).
pub const NAMES: &[(&str, u16)] = {
    use num::*;
    &[
        ("sstatus", SSTATUS),
        ("sie", SIE),
        ("stvec", STVEC),
        ("scounteren", SCOUNTEREN),
        ("senvcfg", SENVCFG),
        ("sscratch", SSCRATCH),
        ("sepc", SEPC),
        ("scause", SCAUSE),
        ("stval", STVAL),
        ("sip", SIP),
        ("satp", SATP),
        ("mstatus", MSTATUS),
        ("misa", MISA),
        ("medeleg", MEDELEG),
        ("mideleg", MIDELEG),
        ("mie", MIE),
        ("mtvec", MTVEC),
        ("mcounteren", MCOUNTEREN),
        ("menvcfg", MENVCFG),
        ("mcountinhibit", MCOUNTINHIBIT),
        ("mscratch", MSCRATCH),
        ("mepc", MEPC),
        ("mcause", MCAUSE),
        ("mtval", MTVAL),
        ("mip", MIP),
        ("pmpcfg0", PMPCFG0),
        ("pmpcfg2", PMPCFG0 + 2),
        ("mcycle", MCYCLE),
        ("minstret", MINSTRET),
        ("cycle", CYCLE),
        ("time", TIME),
        ("instret", INSTRET),
        ("scountovf", SCOUNTOVF),
        ("mvendorid", MVENDORID),
        ("marchid", MARCHID),
        ("mimpid", MIMPID),
        ("mhartid", MHARTID),
    ]
};

/// The spec name of CSR `n`, if it is one of [`NAMES`].
pub fn name(n: u16) -> Option<&'static str> {
    NAMES.iter().find(|&&(_, c)| c == n).map(|&(name, _)| name)
}

/// The spec name of CSR `n` including the numbered families (`pmpaddr3`, `mhpmcounter4`,
/// `hpmcounter5`, `mhpmevent6`, `pmpcfg4`), or its number in hex.
pub fn display_name(n: u16) -> String {
    use num::*;
    if let Some(name) = name(n) {
        return name.to_string();
    }
    match n {
        PMPCFG0..=PMPCFG15 => format!("pmpcfg{}", n - PMPCFG0),
        PMPADDR0..=PMPADDR63 => format!("pmpaddr{}", n - PMPADDR0),
        MHPMCOUNTER3..=MHPMCOUNTER31 => format!("mhpmcounter{}", n - MHPMCOUNTER3 + 3),
        HPMCOUNTER3..=HPMCOUNTER31 => format!("hpmcounter{}", n - HPMCOUNTER3 + 3),
        MHPMEVENT3..=MHPMEVENT31 => format!("mhpmevent{}", n - MHPMEVENT3 + 3),
        _ => format!("{n:#05x}"),
    }
}

/// `mstatus` / `sstatus` fields.
pub mod mstatus {
    /// Supervisor interrupt enable.
    pub const SIE: u64 = 1 << 1;
    /// Machine interrupt enable.
    pub const MIE: u64 = 1 << 3;
    /// SIE before the trap into S-mode.
    pub const SPIE: u64 = 1 << 5;
    /// MIE before the trap into M-mode.
    pub const MPIE: u64 = 1 << 7;
    /// Privilege before the trap into S-mode (0 = U, 1 = S).
    pub const SPP: u64 = 1 << 8;
    /// Shift of MPP, the privilege before the trap into M-mode.
    pub const MPP_SHIFT: u32 = 11;
    /// Mask of MPP.
    pub const MPP: u64 = 3 << MPP_SHIFT;
    /// Modify privilege: M-mode loads and stores translate as MPP.
    pub const MPRV: u64 = 1 << 17;
    /// Permit supervisor access to user memory.
    pub const SUM: u64 = 1 << 18;
    /// Make executable readable.
    pub const MXR: u64 = 1 << 19;
    /// Trap virtual memory: `satp` and `sfence.vma` trap in S-mode.
    pub const TVM: u64 = 1 << 20;
    /// Timeout wait: `wfi` traps in S-mode.
    pub const TW: u64 = 1 << 21;
    /// Trap `sret` in S-mode.
    pub const TSR: u64 = 1 << 22;
    /// UXL = 2 (64-bit U-mode), read-only.
    pub const UXL_64: u64 = 2 << 32;
    /// SXL = 2 (64-bit S-mode), read-only.
    pub const SXL_64: u64 = 2 << 34;

    /// Bits an `mstatus` write may change.
    pub const WRITABLE: u64 =
        SIE | MIE | SPIE | MPIE | SPP | MPP | MPRV | SUM | MXR | TVM | TW | TSR;
    /// Bits `sstatus` shows (the rest of its layout is zero in this hart: UBE, VS, FS, XS, SD).
    pub const SSTATUS_VISIBLE: u64 = SIE | SPIE | SPP | SUM | MXR | UXL_64;
    /// Bits an `sstatus` write may change.
    pub const SSTATUS_WRITABLE: u64 = SIE | SPIE | SPP | SUM | MXR;
}

/// Interrupt bits of `mip`/`mie` (and their S-mode views).
pub mod irq {
    /// Supervisor software interrupt.
    pub const SSI: u64 = 1 << 1;
    /// Machine software interrupt.
    pub const MSI: u64 = 1 << 3;
    /// Supervisor timer interrupt.
    pub const STI: u64 = 1 << 5;
    /// Machine timer interrupt.
    pub const MTI: u64 = 1 << 7;
    /// Supervisor external interrupt.
    pub const SEI: u64 = 1 << 9;
    /// Machine external interrupt.
    pub const MEI: u64 = 1 << 11;
    /// Local counter-overflow interrupt (Sscofpmf).
    pub const LCOFI: u64 = 1 << 13;
    /// All implemented interrupts (the writable bits of `mie`).
    pub const ALL: u64 = SSI | MSI | STI | MTI | SEI | MEI | LCOFI;
    /// Interrupts that may be delegated to S-mode (the writable bits of `mideleg`).
    pub const DELEGABLE: u64 = SSI | STI | SEI | LCOFI;
    /// `mip` bits M-mode software may write; MSIP, MTIP and MEIP come from the CLINT and PLIC.
    pub const MIP_WRITABLE: u64 = SSI | STI | SEI | LCOFI;
    /// `sip` bits S-mode software may write (when delegated).
    pub const SIP_WRITABLE: u64 = SSI | LCOFI;
}

/// Exceptions that `medeleg` can delegate: all but environment call from M-mode and the
/// reserved codes (10, 14).
pub const MEDELEG_WRITABLE: u64 = 0xb3ff;

/// `misa`: MXL = 2 (64-bit) and the extensions A, C, I, M, S, U.
pub const MISA_VALUE: u64 = (2 << 62) | misa_bits(b"ACIMSU");

/// The `misa` extension bits of the letters in `exts`.
const fn misa_bits(exts: &[u8]) -> u64 {
    let mut bits = 0;
    let mut i = 0;
    while i < exts.len() {
        bits |= 1 << (exts[i] - b'A');
        i += 1;
    }
    bits
}

/// `satp` fields for RV64.
pub mod satp {
    /// Shift of MODE (bits 63:60).
    pub const MODE_SHIFT: u32 = 60;
    /// MODE = Bare: no translation.
    pub const MODE_BARE: u64 = 0;
    /// MODE = Sv39.
    pub const MODE_SV39: u64 = 8;
    /// Shift of ASID (bits 59:44).
    pub const ASID_SHIFT: u32 = 44;
    /// Mask of PPN (bits 43:0).
    pub const PPN_MASK: u64 = (1 << 44) - 1;
}

/// `xtvec` MODE field values.
pub mod tvec {
    /// All traps set pc to BASE.
    pub const DIRECT: u64 = 0;
    /// Interrupts set pc to BASE + 4 × cause.
    pub const VECTORED: u64 = 1;
}

/// The counter-enable bits shared by `mcounteren`, `scounteren` and `mcountinhibit`.
pub mod counteren {
    /// `cycle`.
    pub const CY: u64 = 1 << 0;
    /// `time`.
    pub const TM: u64 = 1 << 1;
    /// `instret`.
    pub const IR: u64 = 1 << 2;
}

/// `menvcfg`/`senvcfg`: FIOM (fence of I/O implies memory) is the only implemented field.
pub const ENVCFG_FIOM: u64 = 1;

/// The privilege levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Privilege {
    /// U-mode.
    User = 0,
    /// S-mode.
    Supervisor = 1,
    /// M-mode.
    Machine = 3,
}

impl Privilege {
    /// The privilege encoded in an MPP-style two-bit field; the reserved value 2 reads as U.
    pub const fn from_bits(bits: u64) -> Privilege {
        match bits & 3 {
            3 => Privilege::Machine,
            1 => Privilege::Supervisor,
            _ => Privilege::User,
        }
    }

    /// The index of this level in per-mode arrays: U 0, S 1, M 2.
    #[inline(always)]
    pub const fn index(self) -> usize {
        (self as usize).div_ceil(2)
    }

    /// The one-letter name used in traces: U, S or M.
    pub const fn letter(self) -> char {
        match self {
            Privilege::User => 'U',
            Privilege::Supervisor => 'S',
            Privilege::Machine => 'M',
        }
    }
}

/// A counter that can be written and inhibited: reads `now - base` while running and a frozen
/// value while inhibited by `mcountinhibit`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Counter {
    base: u64,
    frozen: Option<u64>,
}

impl Counter {
    /// The counter's value when the underlying event count is `now`.
    pub fn read(&self, now: u64) -> u64 {
        self.frozen.unwrap_or(now.wrapping_sub(self.base))
    }

    /// Sets the counter so that it reads `value` when the event count is `now`.
    pub fn write(&mut self, now: u64, value: u64) {
        match &mut self.frozen {
            Some(v) => *v = value,
            None => self.base = now.wrapping_sub(value),
        }
    }

    /// Stops (`true`) or restarts (`false`) counting at event count `now`.
    pub fn inhibit(&mut self, now: u64, inhibit: bool) {
        match (self.frozen, inhibit) {
            (None, true) => self.frozen = Some(self.read(now)),
            (Some(v), false) => {
                self.frozen = None;
                self.base = now.wrapping_sub(v);
            }
            _ => {}
        }
    }
}

/// The CSRs that are plain state. Reset values follow the privileged spec §3.4: everything zero
/// except `mstatus.MPP`'s legal reset and the read-only fields.
#[derive(Clone, Debug)]
#[allow(missing_docs)] // the field names are the spec's CSR names
pub struct CsrFile {
    pub mstatus: u64,
    pub medeleg: u64,
    pub mideleg: u64,
    pub mie: u64,
    /// The software-writable `mip` bits (SSIP, STIP, SEIP); the hardware bits are ORed in on read.
    pub mip_sw: u64,
    pub mtvec: u64,
    pub mcounteren: u64,
    pub mcountinhibit: u64,
    pub mscratch: u64,
    pub mepc: u64,
    pub mcause: u64,
    pub mtval: u64,
    pub menvcfg: u64,
    pub stvec: u64,
    pub scounteren: u64,
    pub senvcfg: u64,
    pub sscratch: u64,
    pub sepc: u64,
    pub scause: u64,
    pub stval: u64,
    pub satp: u64,
    pub mcycle: Counter,
    pub minstret: Counter,
}

impl Default for CsrFile {
    fn default() -> Self {
        CsrFile {
            mstatus: mstatus::UXL_64 | mstatus::SXL_64,
            medeleg: 0,
            mideleg: 0,
            mie: 0,
            mip_sw: 0,
            mtvec: 0,
            mcounteren: 0,
            mcountinhibit: 0,
            mscratch: 0,
            mepc: 0,
            mcause: 0,
            mtval: 0,
            menvcfg: 0,
            stvec: 0,
            scounteren: 0,
            senvcfg: 0,
            sscratch: 0,
            sepc: 0,
            scause: 0,
            stval: 0,
            satp: 0,
            mcycle: Counter::default(),
            minstret: Counter::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counter_reads_what_was_written_and_freezes_when_inhibited() {
        let mut c = Counter::default();
        assert_eq!(c.read(100), 100);
        c.write(100, 5);
        assert_eq!(c.read(110), 15);
        c.inhibit(110, true);
        assert_eq!(c.read(500), 15);
        c.write(500, 40);
        assert_eq!(c.read(900), 40);
        c.inhibit(900, false);
        assert_eq!(c.read(905), 45);
    }

    #[test]
    fn misa_names_rv64acimsu() {
        assert_eq!(MISA_VALUE >> 62, 2);
        assert_eq!(MISA_VALUE & 0x3ff_ffff, 0x0014_1105);
    }
}
