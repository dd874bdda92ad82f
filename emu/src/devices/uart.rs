//! NS16550A UART, modeled as QEMU's `serial.c` models it for a guest: byte registers, a 16-byte
//! receive FIFO, instant transmission, and the receive-data and THR-empty interrupts.
//!
//! ```text
//! offset  DLAB=0 read / write     DLAB=1
//!   0     RBR      / THR          DLL
//!   1     IER      / IER          DLM
//!   2     IIR      / FCR
//!   3     LCR      / LCR
//!   4     MCR      / MCR
//!   5     LSR      / (ignored)
//!   6     MSR      / (ignored)
//!   7     SCR      / SCR
//! ```
//!
//! Left out: line-status and modem-status interrupts, loopback, baud-rate timing (a byte is sent
//! the moment it is written, so LSR.THRE is always set).

use std::collections::VecDeque;

use super::Mmio;
use super::console::{Input, Output};

/// IER: receive data available interrupt.
const IER_RDI: u8 = 1 << 0;
/// IER: transmitter holding register empty interrupt.
const IER_THRI: u8 = 1 << 1;
/// IIR: no interrupt pending.
const IIR_NO_INT: u8 = 0x01;
/// IIR: THR empty.
const IIR_THRI: u8 = 0x02;
/// IIR: receive data available.
const IIR_RDI: u8 = 0x04;
/// IIR: FIFOs enabled (bits 7:6).
const IIR_FIFO_ENABLED: u8 = 0xc0;
/// FCR: enable FIFOs.
const FCR_ENABLE: u8 = 1 << 0;
/// FCR: clear the receive FIFO.
const FCR_CLEAR_RX: u8 = 1 << 1;
/// LCR: divisor latch access.
const LCR_DLAB: u8 = 1 << 7;
/// LSR: data ready.
const LSR_DR: u8 = 1 << 0;
/// LSR: THR empty.
const LSR_THRE: u8 = 1 << 5;
/// LSR: transmitter empty.
const LSR_TEMT: u8 = 1 << 6;
/// MSR as QEMU reports it with nothing attached: DCD, DSR, CTS.
const MSR_IDLE: u8 = 0xb0;
/// Receive FIFO depth.
const RX_FIFO: usize = 16;

/// The UART and its host console.
pub struct Uart {
    ier: u8,
    lcr: u8,
    mcr: u8,
    fcr: u8,
    scr: u8,
    dll: u8,
    dlm: u8,
    thr_ipending: bool,
    rx: VecDeque<u8>,
    /// Where received bytes come from.
    pub input: Input,
    /// Where transmitted bytes go.
    pub output: Output,
}

impl Uart {
    /// A UART in its reset state, connected to `input` and `output`.
    pub fn new(input: Input, output: Output) -> Uart {
        Uart {
            ier: 0,
            lcr: 0,
            mcr: 0,
            fcr: 0,
            scr: 0,
            dll: 0,
            dlm: 0,
            thr_ipending: false,
            rx: VecDeque::with_capacity(RX_FIFO),
            input,
            output,
        }
    }

    /// The interrupt output level.
    pub fn irq(&self) -> bool {
        (self.ier & IER_RDI != 0 && !self.rx.is_empty())
            || (self.ier & IER_THRI != 0 && self.thr_ipending)
    }

    /// For script input: when the receiver is empty, fetch the next byte (see `console`).
    pub fn refill(&mut self) {
        if self.rx.is_empty()
            && let Some(b) = self.input.next_scripted()
        {
            self.rx.push_back(b);
        }
    }

    /// Moves live keystrokes that have arrived into the FIFO; called between slices.
    pub fn poll(&mut self) {
        self.input.poll_live(&mut self.rx, RX_FIFO);
    }

    /// For live input and an idle guest: waits up to `timeout` (forever if `None`) for a
    /// keystroke. Returns whether one arrived.
    pub fn await_live(&mut self, timeout: Option<std::time::Duration>) -> bool {
        match self.input.wait_live(timeout) {
            Some(b) => {
                self.rx.push_back(b);
                true
            }
            None => false,
        }
    }

    /// Whether input may still arrive to wake an idle guest (with receive interrupts enabled).
    pub fn can_wake(&self) -> bool {
        self.ier & IER_RDI != 0 && (self.input.may_have_more() || !self.rx.is_empty())
    }

    fn lsr(&mut self) -> u8 {
        self.refill();
        let dr = if self.rx.is_empty() { 0 } else { LSR_DR };
        dr | LSR_THRE | LSR_TEMT
    }

    fn iir(&mut self) -> u8 {
        self.refill();
        let id = if self.ier & IER_RDI != 0 && !self.rx.is_empty() {
            IIR_RDI
        } else if self.ier & IER_THRI != 0 && self.thr_ipending {
            // Reading IIR while it reports THRI acknowledges it (16550 datasheet, QEMU).
            self.thr_ipending = false;
            IIR_THRI
        } else {
            IIR_NO_INT
        };
        let fifo = if self.fcr & FCR_ENABLE != 0 {
            IIR_FIFO_ENABLED
        } else {
            0
        };
        id | fifo
    }

    /// Flushes console output to the host.
    pub fn flush(&mut self) {
        self.output.flush();
    }
}

impl Mmio for Uart {
    fn read(&mut self, offset: u64, _size: u8, _now: u64) -> Option<u64> {
        let dlab = self.lcr & LCR_DLAB != 0;
        let v = match offset {
            0 if dlab => self.dll,
            0 => {
                self.refill();
                let b = self.rx.pop_front().unwrap_or(0);
                self.refill();
                b
            }
            1 if dlab => self.dlm,
            1 => self.ier,
            2 => self.iir(),
            3 => self.lcr,
            4 => self.mcr,
            5 => self.lsr(),
            6 => MSR_IDLE,
            7 => self.scr,
            _ => 0,
        };
        Some(u64::from(v))
    }

    fn write(&mut self, offset: u64, _size: u8, value: u64, _now: u64) -> Option<()> {
        let v = value as u8;
        let dlab = self.lcr & LCR_DLAB != 0;
        match offset {
            0 if dlab => self.dll = v,
            0 => {
                self.output.put(v);
                // Sent at once: the holding register is empty again, which raises THRI.
                self.thr_ipending = true;
            }
            1 if dlab => self.dlm = v,
            1 => {
                let old = self.ier;
                self.ier = v & 0x0f;
                if (old ^ self.ier) & IER_THRI != 0 {
                    self.thr_ipending = self.ier & IER_THRI != 0;
                }
                if self.ier & IER_RDI != 0 {
                    self.refill();
                }
            }
            2 => {
                self.fcr = v & !(FCR_CLEAR_RX | 0x04);
                if v & FCR_CLEAR_RX != 0 {
                    self.rx.clear();
                }
            }
            3 => self.lcr = v,
            4 => self.mcr = v & 0x1f,
            7 => self.scr = v,
            _ => {}
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uart(input: &str) -> (Uart, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
        let (out, buf) = Output::capture();
        (Uart::new(Input::bytes(input), out), buf)
    }

    #[test]
    fn transmits_bytes_and_reports_the_holding_register_empty() {
        let (mut u, buf) = uart("");
        u.write(0, 1, b'h' as u64, 0);
        u.write(0, 1, b'i' as u64, 0);
        assert_eq!(&*buf.lock().unwrap(), b"hi");
        assert_eq!(u.read(5, 1, 0).unwrap() as u8 & LSR_THRE, LSR_THRE);
    }

    #[test]
    fn scripted_input_arrives_when_the_guest_looks_and_raises_rdi() {
        let (mut u, _) = uart("ok");
        assert!(!u.irq());
        u.write(1, 1, u64::from(IER_RDI), 0);
        assert!(u.irq());
        assert_eq!(u.read(2, 1, 0).unwrap() as u8 & 0x0f, IIR_RDI);
        assert_eq!(u.read(0, 1, 0), Some(b'o' as u64));
        assert_eq!(u.read(5, 1, 0).unwrap() as u8 & LSR_DR, LSR_DR);
        assert_eq!(u.read(0, 1, 0), Some(b'k' as u64));
        assert_eq!(u.read(5, 1, 0).unwrap() as u8 & LSR_DR, 0);
        assert!(!u.irq());
        assert!(!u.can_wake());
    }

    /// A script as `Input::stdin` makes it for a pipe, over `bytes`.
    fn stdin_script(bytes: &[u8]) -> Input {
        Input::Script {
            reader: Box::new(std::io::Cursor::new(bytes.to_vec())),
            eof: false,
            end: Some(crate::devices::console::SCRIPT_END),
            line_open: false,
        }
    }

    #[test]
    fn a_stdin_script_ending_a_line_ends_with_one_ctrl_d_and_then_nothing() {
        let (out, _) = Output::capture();
        let mut u = Uart::new(stdin_script(b"a\n"), out);
        u.write(1, 1, u64::from(IER_RDI), 0);
        assert_eq!(u.read(0, 1, 0), Some(b'a' as u64));
        assert_eq!(u.read(0, 1, 0), Some(b'\n' as u64));
        assert_eq!(u.read(0, 1, 0), Some(0x04));
        assert_eq!(u.read(5, 1, 0).unwrap() as u8 & LSR_DR, 0);
        assert!(!u.can_wake());
    }

    #[test]
    fn a_stdin_script_with_an_unfinished_last_line_ends_with_two_ctrl_d_and_then_nothing() {
        // The first ^D hands `a` to the reader, the second is its end of file.
        let (out, _) = Output::capture();
        let mut u = Uart::new(stdin_script(b"a"), out);
        u.write(1, 1, u64::from(IER_RDI), 0);
        assert_eq!(u.read(0, 1, 0), Some(b'a' as u64));
        assert!(u.can_wake(), "more input is coming");
        assert_eq!(u.read(0, 1, 0), Some(0x04));
        assert_eq!(u.read(0, 1, 0), Some(0x04));
        assert_eq!(u.read(5, 1, 0).unwrap() as u8 & LSR_DR, 0);
        assert!(!u.can_wake());
    }

    #[test]
    fn thri_is_raised_on_enable_and_acknowledged_by_reading_iir() {
        let (mut u, _) = uart("");
        u.write(1, 1, u64::from(IER_THRI), 0);
        assert!(u.irq());
        assert_eq!(u.read(2, 1, 0).unwrap() as u8 & 0x0f, IIR_THRI);
        assert!(!u.irq());
        u.write(0, 1, b'x' as u64, 0);
        assert!(u.irq(), "writing THR empties it again");
    }

    #[test]
    fn the_divisor_latch_hides_behind_dlab() {
        let (mut u, buf) = uart("");
        u.write(3, 1, u64::from(LCR_DLAB), 0);
        u.write(0, 1, 3, 0);
        u.write(1, 1, 0, 0);
        u.write(3, 1, 3, 0);
        assert!(buf.lock().unwrap().is_empty(), "DLL writes are not output");
        u.write(3, 1, u64::from(LCR_DLAB | 3), 0);
        assert_eq!(u.read(0, 1, 0), Some(3));
    }
}
