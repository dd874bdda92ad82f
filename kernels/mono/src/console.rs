//! The console: UART input through the line discipline (`services::tty`), output straight to the
//! UART.
//!
//! Input is taken a line at a time, and only while somebody waits for it: the receive interrupt
//! is on exactly when a thread is blocked reading the console and no completed input is queued.
//! The interrupt feeds bytes to the tty until a line (or an end of file) is complete. Bytes typed
//! ahead wait in the UART (and in klab's input queue) unechoed, so nothing is dropped, and a
//! scripted session (klab with piped stdin) reads as a transcript: each command is echoed when
//! the shell reads it, after the previous command's output.

use kcore::console;
use kcore::sched::Run;
use services::Wait;

use crate::kernel::Kernel;

impl Kernel {
    /// The UART has input: feed the line discipline until a line is complete.
    pub fn console_input(&mut self) {
        let mut ready = false;
        while !self.tty.has_input() {
            let Some(b) = console::getc() else { break };
            ready |= self.tty.input(b, &mut |echo| console::write_bytes(echo));
        }
        if ready {
            self.wake(Wait::Console);
        }
        self.console_listen();
    }

    /// Turns the receive interrupt on or off by the rule in the module note.
    pub fn console_listen(&mut self) {
        let want = !self.tty.has_input()
            && self
                .sched
                .threads
                .iter()
                .any(|t| t.run() == Run::Blocked(Wait::Console));
        if want != self.rx_on {
            self.rx_on = want;
            console::set_rx_interrupt(want);
        }
    }
}
