//! HTIF, the Berkeley host-target interface, as Spike implements it: the guest writes a command
//! to the 64-bit word at its ELF symbol `tohost`, the host clears it and may answer in
//! `fromhost`. This is how the standard RISC-V ISA tests report results.
//!
//! ```text
//! tohost:  63    56 55    48 47                         0
//!         ┌────────┬────────┬────────────────────────────┐
//!         │ device │command │          payload           │
//!         └────────┴────────┴────────────────────────────┘
//! device 0, command 0, payload odd:  exit with status payload >> 1
//! device 0, command 0, payload even: system call; payload points at magic memory
//!                                    [number, arg0, arg1, arg2, …]; only write (64) is served
//! device 1, command 1:               console output of the byte payload & 0xff
//! ```

use super::{Exit, Machine};

/// Where HTIF's words live.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Htif {
    pub tohost: u64,
    pub fromhost: Option<u64>,
}

const SYS_WRITE: u64 = 64;
/// `-ENOSYS`, returned for system calls HTIF does not serve.
const ENOSYS: u64 = (-38i64) as u64;

impl Machine {
    /// A store touched the page holding `tohost`; act on it if it touched `tohost` itself.
    pub(crate) fn htif_store(&mut self, paddr: u64, size: u64) {
        let Some(h) = self.htif else { return };
        if paddr + size <= h.tohost || paddr >= h.tohost + 8 {
            return;
        }
        let Some(off) = self.bus.ram_offset(h.tohost, 8) else {
            return;
        };
        let cmd = self.bus.ram_read(off, 8);
        if cmd == 0 {
            return;
        }
        self.write_host(h.tohost, &0u64.to_le_bytes());
        let (device, command, payload) = (cmd >> 56, (cmd >> 48) & 0xff, cmd & 0xffff_ffff_ffff);
        let reply = match (device, command) {
            (0, 0) if payload & 1 == 1 => {
                self.exit = Some(Exit::Status((payload >> 1) as u32));
                self.stop_slice();
                return;
            }
            (0, 0) => {
                self.htif_syscall(payload);
                1
            }
            (1, 1) => {
                self.bus.uart.output.put(payload as u8);
                cmd & !0xffff_ffff_ffff
            }
            _ => return,
        };
        if let Some(fromhost) = h.fromhost {
            self.write_host(fromhost, &reply.to_le_bytes());
        }
    }

    /// Serves the proxied system call whose magic memory is at `magic`.
    fn htif_syscall(&mut self, magic: u64) {
        let word = |m: &Machine, i: u64| {
            m.bus
                .ram_offset(magic + 8 * i, 8)
                .map(|o| m.bus.ram_read(o, 8))
        };
        let (Some(number), Some(fd), Some(buf), Some(len)) =
            (word(self, 0), word(self, 1), word(self, 2), word(self, 3))
        else {
            return;
        };
        let ret = match (number, fd) {
            (SYS_WRITE, 1 | 2) => match self.bus.ram_offset(buf, len) {
                Some(off) => {
                    for k in 0..len as usize {
                        let b = self.bus.ram[off + k];
                        self.bus.uart.output.put(b);
                    }
                    len
                }
                None => (-14i64) as u64, // -EFAULT
            },
            _ => ENOSYS,
        };
        self.write_host(magic, &ret.to_le_bytes());
    }
}
