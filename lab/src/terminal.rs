//! The host terminal while a guest owns the console (`klab run` on a terminal): keystrokes go to
//! the guest unprocessed — no host line editing, echo or signals (the guest's own line
//! discipline echoes and edits, as a serial console would) — while output processing stays on,
//! so the guest's `\n` still starts a new line. As in QEMU, Ctrl-A x quits klab (restoring the
//! terminal), Ctrl-A h prints the keys ([`HELP`]), Ctrl-A Ctrl-A types a Ctrl-A, and Ctrl-A c
//! toggles a monitor prompt with the gdb monitor's commands (`stats`, `tlb`, `cache`, `walk VA`,
//! `satp`, `regions`, `phys`; [`crate::gdb::monitor`]).
//!
//! The monitor: the key reader thread raises the machine's stop request
//! ([`emu::Machine::set_stop_request`]) and from then on gathers lines instead of typing them;
//! the run loop ([`RawTerminal::monitor`]) sees the run stop and serves the lines on the halted
//! machine, so the guest does not run and its counters stay frozen while the prompt is open.
//! Ctrl-A c again, `c`, `continue` or `quit` closes it and the guest goes on.
//!
//! The terminal is restored when the [`RawTerminal`] is dropped and before a Ctrl-A x exit.

use std::io::{self, IsTerminal, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

use emu::{Input, Machine};
use rustix::termios::{self, InputModes, LocalModes, OptionalActions, Termios};

/// The escape key: Ctrl-A.
const ESCAPE: u8 = 0x01;

/// What Ctrl-A h prints (on stderr, so a captured console stays the guest's).
pub const HELP: &str = "\r\nklab console keys (Ctrl-A, then):\r\n  \
    h       this help\r\n  \
    c       monitor prompt (stats, tlb, cache, walk VA, satp, regions, phys; the guest\r\n\
    \x20         is paused while it is open; Ctrl-A c again or `c` resumes)\r\n  \
    x       quit klab (the machine stops)\r\n  \
    Ctrl-A  type a Ctrl-A\r\n\
    the guest's own keys: Ctrl-C interrupts the foreground job, up/down recall lines\r\n";

/// The settings to restore, shared with the input thread (which may exit the process).
static SAVED: Mutex<Option<Termios>> = Mutex::new(None);

/// The monitor prompt.
const PROMPT: &str = "(klab) ";

/// What the key reader thread tells the run loop about the monitor.
enum Monitor {
    /// A command line typed at the prompt.
    Line(String),
    /// Ctrl-A c while the prompt is open: close it.
    Close,
}

/// The terminal in klab's raw mode, until dropped.
pub struct RawTerminal {
    /// The stop request the key reader raises on Ctrl-A c (given to the machine).
    stop: Arc<AtomicBool>,
    /// The monitor's lines, from the key reader.
    lines: Receiver<Monitor>,
}

impl RawTerminal {
    /// Live input from the terminal on stdin (in raw mode while the result lives), or `None`
    /// with the ordinary stdin input when stdin is not a terminal.
    pub fn open() -> (Option<RawTerminal>, Input) {
        let stdin = io::stdin();
        if !stdin.is_terminal() {
            return (None, Input::stdin());
        }
        let Ok(saved) = termios::tcgetattr(&stdin) else {
            return (None, Input::stdin());
        };
        let mut raw = saved.clone();
        raw.local_modes
            .remove(LocalModes::ICANON | LocalModes::ECHO | LocalModes::ISIG | LocalModes::IEXTEN);
        raw.input_modes.remove(InputModes::ICRNL | InputModes::IXON);
        if termios::tcsetattr(&stdin, OptionalActions::Now, &raw).is_err() {
            return (None, Input::stdin());
        }
        *SAVED.lock().unwrap_or_else(|e| e.into_inner()) = Some(saved);
        let (tx, rx) = mpsc::channel();
        let (mon_tx, mon_rx) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let raise = stop.clone();
        std::thread::spawn(move || read_keys(&tx, &mon_tx, &raise));
        let term = RawTerminal {
            stop,
            lines: mon_rx,
        };
        (Some(term), Input::Live(rx))
    }

    /// The flag Ctrl-A c raises, for [`emu::Machine::set_stop_request`].
    pub fn stop_request(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    /// Whether Ctrl-A c has asked for the monitor (the run stopped for it).
    pub fn monitor_requested(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// The monitor prompt on the halted machine `m`, until it is closed: each line typed is
    /// a monitor command, its output printed on the terminal (stderr).
    pub fn monitor(&self, m: &Machine) {
        let mut err = io::stderr();
        let _ = io::stdout().flush();
        let _ = write!(
            err,
            "\r\nklab monitor: the guest is paused at {} instructions, {} cycles; `help` lists \
             the commands, Ctrl-A c or `c` resumes\r\n{PROMPT}",
            m.retired,
            m.cycles()
        );
        let _ = err.flush();
        while let Ok(Monitor::Line(line)) = self.lines.recv() {
            let cmd = line.trim();
            if matches!(cmd, "c" | "continue" | "quit" | "q") {
                break;
            }
            if !cmd.is_empty() {
                let text = crate::gdb::monitor::run(m, cmd);
                let _ = write!(err, "{}", text.replace('\n', "\r\n"));
            }
            let _ = write!(err, "{PROMPT}");
            let _ = err.flush();
        }
        let _ = write!(err, "\r\nklab monitor: closed, the guest resumes\r\n");
        let _ = err.flush();
        self.stop.store(false, Ordering::Relaxed);
    }
}

/// The key reader: keystrokes to the guest through `tx`, Ctrl-A commands acted on; while the
/// monitor is open, lines (echoed on stderr, with backspace) to the run loop through `mon`.
fn read_keys(tx: &Sender<u8>, mon: &Sender<Monitor>, stop: &AtomicBool) {
    let mut byte = [0u8; 1];
    let mut stdin = io::stdin().lock();
    let mut escaped = false;
    let mut line: Option<String> = None;
    while let Ok(1) = stdin.read(&mut byte) {
        let b = byte[0];
        if escaped {
            escaped = false;
            match b {
                b'x' | b'X' => quit(),
                b'h' | b'H' => {
                    eprint!("{HELP}");
                    continue;
                }
                b'c' | b'C' => {
                    if line.take().is_some() {
                        let _ = mon.send(Monitor::Close);
                    } else {
                        line = Some(String::new());
                        stop.store(true, Ordering::Relaxed);
                    }
                    continue;
                }
                ESCAPE => {}
                _ => continue,
            }
        } else if b == ESCAPE {
            escaped = true;
            continue;
        }
        if let Some(l) = &mut line {
            match b {
                b'\r' | b'\n' => {
                    eprint!("\r\n");
                    let done = std::mem::take(l);
                    if matches!(done.trim(), "c" | "continue" | "quit" | "q") {
                        line = None;
                    }
                    if mon.send(Monitor::Line(done)).is_err() {
                        break;
                    }
                }
                0x7f | 0x08 if l.pop().is_some() => eprint!("\x08 \x08"),
                0x20..0x7f => {
                    l.push(b as char);
                    eprint!("{}", b as char);
                }
                _ => {}
            }
            continue;
        }
        if tx.send(b).is_err() {
            break;
        }
    }
}

/// Restores the terminal settings saved by [`RawTerminal::open`].
fn restore() {
    if let Some(saved) = SAVED.lock().unwrap_or_else(|e| e.into_inner()).take() {
        let _ = termios::tcsetattr(io::stdin(), OptionalActions::Now, &saved);
    }
}

/// Ctrl-A x: restore the terminal and end klab.
fn quit() -> ! {
    let _ = io::stdout().flush();
    restore();
    eprintln!("\r\nklab: quit (Ctrl-A x)");
    std::process::exit(0)
}

impl Drop for RawTerminal {
    fn drop(&mut self) {
        restore();
    }
}
