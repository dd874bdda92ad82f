//! Traps as values: an exception cause and its `tval`, carried together.
//!
//! Everything the hart does that can fail returns `Result<_, Trap>`; the one place that maps a
//! trap onto `mcause`/`scause`, `mtval`/`stval`, `mepc`/`sepc` is `Machine::take_trap`.
//! Interrupts are not `Trap`s: they are taken between instructions (see `machine::interrupt`).

/// Synchronous exception causes (privileged spec 1.12, table 3.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Exception {
    /// Instruction address misaligned.
    InstructionAddressMisaligned = 0,
    /// Instruction access fault.
    InstructionAccessFault = 1,
    /// Illegal instruction.
    IllegalInstruction = 2,
    /// Breakpoint (`ebreak`).
    Breakpoint = 3,
    /// Load address misaligned.
    LoadAddressMisaligned = 4,
    /// Load access fault.
    LoadAccessFault = 5,
    /// Store/AMO address misaligned.
    StoreAddressMisaligned = 6,
    /// Store/AMO access fault.
    StoreAccessFault = 7,
    /// Environment call from U-mode.
    EcallFromU = 8,
    /// Environment call from S-mode.
    EcallFromS = 9,
    /// Environment call from M-mode.
    EcallFromM = 11,
    /// Instruction page fault.
    InstructionPageFault = 12,
    /// Load page fault.
    LoadPageFault = 13,
    /// Store/AMO page fault.
    StorePageFault = 15,
}

impl Exception {
    /// The value of the cause register's exception-code field.
    pub const fn code(self) -> u64 {
        self as u64
    }

    /// A short spec-style name, for messages and statistics.
    pub const fn name(self) -> &'static str {
        match self {
            Exception::InstructionAddressMisaligned => "instruction address misaligned",
            Exception::InstructionAccessFault => "instruction access fault",
            Exception::IllegalInstruction => "illegal instruction",
            Exception::Breakpoint => "breakpoint",
            Exception::LoadAddressMisaligned => "load address misaligned",
            Exception::LoadAccessFault => "load access fault",
            Exception::StoreAddressMisaligned => "store/AMO address misaligned",
            Exception::StoreAccessFault => "store/AMO access fault",
            Exception::EcallFromU => "environment call from U-mode",
            Exception::EcallFromS => "environment call from S-mode",
            Exception::EcallFromM => "environment call from M-mode",
            Exception::InstructionPageFault => "instruction page fault",
            Exception::LoadPageFault => "load page fault",
            Exception::StorePageFault => "store/AMO page fault",
        }
    }
}

/// Interrupt causes (privileged spec 1.12, table 3.6, with the interrupt bit clear).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Interrupt {
    /// Supervisor software interrupt.
    SupervisorSoftware = 1,
    /// Machine software interrupt.
    MachineSoftware = 3,
    /// Supervisor timer interrupt.
    SupervisorTimer = 5,
    /// Machine timer interrupt.
    MachineTimer = 7,
    /// Supervisor external interrupt.
    SupervisorExternal = 9,
    /// Machine external interrupt.
    MachineExternal = 11,
    /// Local counter-overflow interrupt (Sscofpmf).
    CounterOverflow = 13,
}

impl Interrupt {
    /// Decreasing priority order for interrupts taken into one mode (privileged spec §3.1.9):
    /// MEI, MSI, MTI, SEI, SSI, STI, then Sscofpmf's LCOFI.
    pub const PRIORITY: [Interrupt; 7] = [
        Interrupt::MachineExternal,
        Interrupt::MachineSoftware,
        Interrupt::MachineTimer,
        Interrupt::SupervisorExternal,
        Interrupt::SupervisorSoftware,
        Interrupt::SupervisorTimer,
        Interrupt::CounterOverflow,
    ];

    /// The cause code (without the interrupt bit).
    pub const fn code(self) -> u64 {
        self as u64
    }

    /// This interrupt's bit in `mip`/`mie`.
    pub const fn mask(self) -> u64 {
        1 << self as u64
    }

    /// The privileged specification's name for it.
    pub const fn name(self) -> &'static str {
        match self {
            Interrupt::SupervisorSoftware => "supervisor software interrupt",
            Interrupt::MachineSoftware => "machine software interrupt",
            Interrupt::SupervisorTimer => "supervisor timer interrupt",
            Interrupt::MachineTimer => "machine timer interrupt",
            Interrupt::SupervisorExternal => "supervisor external interrupt",
            Interrupt::MachineExternal => "machine external interrupt",
            Interrupt::CounterOverflow => "counter-overflow interrupt",
        }
    }
}

/// The name of an `mcause`/`scause` value (the interrupt bit is bit 63), as the privileged
/// specification's cause table gives it; a code it does not list is `cause N`.
pub fn cause_name(cause: u64) -> String {
    let code = cause & !(1 << 63);
    let named = if cause >> 63 == 1 {
        Interrupt::PRIORITY
            .iter()
            .find(|i| i.code() == code)
            .map(|i| i.name())
    } else {
        [
            Exception::InstructionAddressMisaligned,
            Exception::InstructionAccessFault,
            Exception::IllegalInstruction,
            Exception::Breakpoint,
            Exception::LoadAddressMisaligned,
            Exception::LoadAccessFault,
            Exception::StoreAddressMisaligned,
            Exception::StoreAccessFault,
            Exception::EcallFromU,
            Exception::EcallFromS,
            Exception::EcallFromM,
            Exception::InstructionPageFault,
            Exception::LoadPageFault,
            Exception::StorePageFault,
        ]
        .iter()
        .find(|e| e.code() == code)
        .map(|e| e.name())
    };
    named.map_or_else(|| format!("cause {code}"), str::to_string)
}

/// A synchronous trap: the cause and the value for `xtval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trap {
    /// Why.
    pub cause: Exception,
    /// The faulting address or instruction bits, per the spec for `cause`.
    pub tval: u64,
}

impl Trap {
    /// A trap with cause `cause` and value `tval`.
    pub const fn new(cause: Exception, tval: u64) -> Trap {
        Trap { cause, tval }
    }

    /// Illegal instruction, with the instruction bits in `tval`.
    pub const fn illegal(bits: u32) -> Trap {
        Trap::new(Exception::IllegalInstruction, bits as u64)
    }
}

/// Kinds of memory access, for permission checks and for choosing the fault cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Instruction fetch.
    Fetch,
    /// Data load (including LR).
    Load,
    /// Data store (including SC and AMOs).
    Store,
}

impl Access {
    /// The page fault this access raises.
    pub const fn page_fault(self, addr: u64) -> Trap {
        let cause = match self {
            Access::Fetch => Exception::InstructionPageFault,
            Access::Load => Exception::LoadPageFault,
            Access::Store => Exception::StorePageFault,
        };
        Trap::new(cause, addr)
    }

    /// The access fault this access raises.
    pub const fn access_fault(self, addr: u64) -> Trap {
        let cause = match self {
            Access::Fetch => Exception::InstructionAccessFault,
            Access::Load => Exception::LoadAccessFault,
            Access::Store => Exception::StoreAccessFault,
        };
        Trap::new(cause, addr)
    }

    /// The misaligned-address exception this access raises.
    pub const fn misaligned(self, addr: u64) -> Trap {
        let cause = match self {
            Access::Fetch => Exception::InstructionAddressMisaligned,
            Access::Load => Exception::LoadAddressMisaligned,
            Access::Store => Exception::StoreAddressMisaligned,
        };
        Trap::new(cause, addr)
    }
}
