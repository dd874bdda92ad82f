//! The host terminal while a guest owns the console (`klab run` on a terminal): keystrokes go to
//! the guest unprocessed — no host line editing, echo or signals (the guest's own line
//! discipline echoes and edits, as a serial console would) — while output processing stays on,
//! so the guest's `\n` still starts a new line. As in QEMU, Ctrl-A x quits klab (restoring the
//! terminal), Ctrl-A h prints the keys ([`HELP`]) and Ctrl-A Ctrl-A types a Ctrl-A.
//!
//! The terminal is restored when the [`RawTerminal`] is dropped and before a Ctrl-A x exit.

use std::io::{self, IsTerminal, Read, Write};
use std::sync::Mutex;
use std::sync::mpsc;

use emu::Input;
use rustix::termios::{self, InputModes, LocalModes, OptionalActions, Termios};

/// The escape key: Ctrl-A.
const ESCAPE: u8 = 0x01;

/// What Ctrl-A h prints (on stderr, so a captured console stays the guest's).
pub const HELP: &str = "\r\nklab console keys (Ctrl-A, then):\r\n  \
    h       this help\r\n  \
    x       quit klab (the machine stops)\r\n  \
    Ctrl-A  type a Ctrl-A\r\n\
    the guest's own keys: Ctrl-C interrupts the foreground job, up/down recall lines\r\n";

/// The settings to restore, shared with the input thread (which may exit the process).
static SAVED: Mutex<Option<Termios>> = Mutex::new(None);

/// The terminal in klab's raw mode, until dropped.
pub struct RawTerminal(());

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
        std::thread::spawn(move || {
            let mut byte = [0u8; 1];
            let mut stdin = io::stdin().lock();
            let mut escaped = false;
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
                        ESCAPE => {}
                        _ => continue,
                    }
                } else if b == ESCAPE {
                    escaped = true;
                    continue;
                }
                if tx.send(b).is_err() {
                    break;
                }
            }
        });
        (Some(RawTerminal(())), Input::Live(rx))
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
