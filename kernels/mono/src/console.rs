//! The console: UART input through the line discipline (`services::tty`), output straight to the
//! UART.
//!
//! Input is taken a line at a time, and only while somebody waits for it: the receive interrupt
//! is on exactly when a thread is blocked reading the console and no completed input is queued.
//! The interrupt feeds bytes to the tty until a line (or an end of file) is complete. Bytes typed
//! ahead wait in the UART (and in klab's input queue) unechoed, so nothing is dropped, and a
//! scripted session (klab with piped stdin) reads as a transcript: each command is echoed when
//! the shell reads it, after the previous command's output.
//!
//! The exception is a job in the foreground (`tcsetpgrp` handed the console to another group):
//! then input is watched even while nobody reads, so a Ctrl-C reaches a job that never reads
//! (`services::tty`'s "Watching"); it becomes `SIGINT` for the foreground group.
//!
//! A `poll` asking for console input counts as a reader while it is blocked
//! (`Kernel::console_polled`): the completed line wakes the blocked polls (`Wait::Polled`).

use kcore::console;
use kcore::trap::TrapFrame;
use services::{Pid, Wait};

use crate::kernel::Kernel;

impl Kernel {
    /// The UART has input: feed the line discipline until a line is complete (or, watching,
    /// take it ahead); a Ctrl-C interrupts the foreground group.
    /// `cur`: the interrupted thread's process and registers, if any.
    pub fn console_input(&mut self, mut cur: Option<(Pid, &mut TrapFrame)>) {
        let reading = self.console_reader();
        let p = self.tty.pump(reading, &mut console::getc, &mut |echo| {
            console::write_bytes(echo)
        });
        if p.ready {
            self.wake(Wait::Console);
            if core::mem::take(&mut self.console_polled) {
                self.wake(Wait::Polled);
            }
        }
        if p.interrupt {
            for pid in self.signals.interrupt() {
                self.act(pid, cur.as_mut().map(|(p, f)| (*p, &mut **f)));
            }
        }
        self.console_listen();
    }

    /// Whether a thread waits for console input (a read, or a `poll` of the console).
    fn console_reader(&self) -> bool {
        self.console_polled || self.sched.threads.waiting(&Wait::Console)
    }

    /// Turns the receive interrupt on or off by the rule in the module note.
    pub fn console_listen(&mut self) {
        let want = self.tty.wants_input(self.console_reader());
        if want != self.rx_on {
            self.rx_on = want;
            console::set_rx_interrupt(want);
        }
    }
}
