//! The servers' ELF images, embedded at build time (see build.rs), and where each one's endpoint
//! is. The boot loads them with kcore's loader, like any program (the supervisor restarts a
//! server in the address space it left, at the entry recorded then).

use abi::ipc::level;

/// A server the kernel starts at boot and restarts after a fault.
pub struct Image {
    /// Its name: argv\[0\] and in messages.
    pub name: &'static str,
    /// Its endpoint, which is also its level in the deadlock rule.
    pub endpoint: usize,
    /// The ELF.
    pub elf: &'static [u8],
}

/// Every server, in endpoint order.
pub static SERVERS: [Image; 4] = [
    Image {
        name: "proc",
        endpoint: level::PROC,
        elf: include_bytes!(env!("MICRO_SERVER_PROC")),
    },
    Image {
        name: "fs",
        endpoint: level::FS,
        elf: include_bytes!(env!("MICRO_SERVER_FS")),
    },
    Image {
        name: "mem",
        endpoint: level::MEM,
        elf: include_bytes!(env!("MICRO_SERVER_MEM")),
    },
    Image {
        name: "console",
        endpoint: level::CONSOLE,
        elf: include_bytes!(env!("MICRO_SERVER_CONSOLE")),
    },
];

/// The server image with endpoint `endpoint`.
pub fn server(endpoint: usize) -> Option<&'static Image> {
    SERVERS.iter().find(|s| s.endpoint == endpoint)
}
