//! The host side of the console: where UART output goes and where input comes from.
//!
//! Input has two modes, chosen so that runs stay deterministic whenever they can be:
//!
//! * **Script** (stdin is a pipe or a file, or bytes given by a test): the bytes are a recording
//!   typed before boot. Whenever the guest looks at the receiver and finds it empty, the next
//!   byte is fetched, waiting for it if the pipe has not delivered it yet. When each byte
//!   arrives is therefore a function of the guest's own execution, never of host timing.
//! * **Live** (stdin is a terminal): a thread reads keystrokes and the machine polls for them
//!   between instruction slices. Interactive runs are not reproducible, and need not be.
//!
//! A script read from the host's stdin ends the way a user at a terminal ends input: with ^D
//! ([`SCRIPT_END`]) after its last byte — one after a finished line, two after an unfinished one
//! (a last line without `\n`: the first ^D hands the line to the reader, the second is the end of
//! file) — so a guest in canonical mode sees an end of file and a piped session
//! (`echo ls | klab run mono`, `printf abc | klab run mono wc`) finishes instead of waiting
//! forever. Scripts made with [`Input::bytes`] end with nothing.

use std::collections::VecDeque;
use std::io::{self, IsTerminal, Read, Write};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{Arc, Mutex};

/// The byte typed after the last byte of a stdin script: ^D, the terminal's end-of-file key.
pub const SCRIPT_END: u8 = 0x04;

/// Where the guest's console input comes from.
pub enum Input {
    /// No input ever arrives.
    None,
    /// A recording, read on demand (see the module note).
    Script {
        /// The source of bytes.
        reader: Box<dyn Read + Send>,
        /// Set once the source is exhausted.
        eof: bool,
        /// A byte delivered after the source's last byte: once, or twice if `line_open`.
        end: Option<u8>,
        /// The last byte delivered left a line unfinished (see the module note).
        line_open: bool,
    },
    /// Keystrokes from a terminal, gathered by a reader thread.
    Live(Receiver<u8>),
}

impl Input {
    /// Input from fixed bytes, delivered as a script.
    pub fn bytes(data: impl Into<Vec<u8>>) -> Input {
        Input::Script {
            reader: Box::new(io::Cursor::new(data.into())),
            eof: false,
            end: None,
            line_open: false,
        }
    }

    /// The host's standard input: live if it is a terminal, a script otherwise.
    pub fn stdin() -> Input {
        if io::stdin().is_terminal() {
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                let mut byte = [0u8; 1];
                let mut stdin = io::stdin().lock();
                while let Ok(1) = stdin.read(&mut byte) {
                    if tx.send(byte[0]).is_err() {
                        break;
                    }
                }
            });
            Input::Live(rx)
        } else {
            Input::Script {
                reader: Box::new(io::stdin()),
                eof: false,
                end: Some(SCRIPT_END),
                line_open: false,
            }
        }
    }

    /// Whether this input is a script (so reading it may wait, deterministically).
    pub fn is_script(&self) -> bool {
        matches!(self, Input::Script { .. })
    }

    /// Whether more input may still arrive.
    pub fn may_have_more(&self) -> bool {
        match self {
            Input::None => false,
            Input::Script { eof, .. } => !eof,
            Input::Live(_) => true,
        }
    }

    /// The next byte of a script, waiting for it; `None` at the end.
    pub fn next_scripted(&mut self) -> Option<u8> {
        let Input::Script {
            reader,
            eof,
            end,
            line_open,
        } = self
        else {
            return None;
        };
        if *eof {
            return None;
        }
        let mut byte = [0u8; 1];
        loop {
            match reader.read(&mut byte) {
                Ok(1) => {
                    // A line ends with `\n` (or `\r`), ^D or ^U (which erases it).
                    *line_open = !matches!(byte[0], b'\n' | b'\r' | SCRIPT_END | 0x15);
                    return Some(byte[0]);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                _ => {
                    if *line_open && end.is_some() {
                        // The first of two: it finishes the line; the next read ends input.
                        *line_open = false;
                        return *end;
                    }
                    *eof = true;
                    return end.take();
                }
            }
        }
    }

    /// Moves whatever live keystrokes have arrived into `fifo`, up to `room` bytes.
    pub fn poll_live(&mut self, fifo: &mut VecDeque<u8>, room: usize) {
        let Input::Live(rx) = self else { return };
        while fifo.len() < room {
            match rx.try_recv() {
                Ok(b) => fifo.push_back(b),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    *self = Input::None;
                    break;
                }
            }
        }
    }

    /// Waits up to `timeout` (forever if `None`) for a live keystroke. Returns `None` on
    /// timeout, or if the terminal closed (input then becomes [`Input::None`]).
    pub fn wait_live(&mut self, timeout: Option<std::time::Duration>) -> Option<u8> {
        let Input::Live(rx) = self else { return None };
        let got = match timeout {
            None => rx.recv().map_err(|_| true),
            Some(t) => rx
                .recv_timeout(t)
                .map_err(|e| e == mpsc::RecvTimeoutError::Disconnected),
        };
        match got {
            Ok(b) => Some(b),
            Err(closed) => {
                if closed {
                    *self = Input::None;
                }
                None
            }
        }
    }

    /// Whether this input is a terminal.
    pub fn is_live(&self) -> bool {
        matches!(self, Input::Live(_))
    }
}

/// Where the guest's console output goes.
pub enum Output {
    /// The host's standard output.
    Stdout(io::BufWriter<io::Stdout>),
    /// A shared buffer (tests and the bench runner read it).
    Buffer(Arc<Mutex<Vec<u8>>>),
    /// Dropped.
    Discard,
}

impl Output {
    /// Buffered standard output, flushed between instruction slices.
    pub fn stdout() -> Output {
        Output::Stdout(io::BufWriter::with_capacity(1 << 16, io::stdout()))
    }

    /// A new capture buffer and the handle to read it.
    pub fn capture() -> (Output, Arc<Mutex<Vec<u8>>>) {
        let buf = Arc::new(Mutex::new(Vec::new()));
        (Output::Buffer(buf.clone()), buf)
    }

    /// Emits one byte.
    pub fn put(&mut self, byte: u8) {
        match self {
            // A closed stdout (e.g. `klab run … | head`) must not stop the guest.
            Output::Stdout(w) => drop(w.write_all(&[byte])),
            Output::Buffer(b) => b.lock().unwrap_or_else(|e| e.into_inner()).push(byte),
            Output::Discard => {}
        }
    }

    /// Pushes buffered bytes to the host.
    pub fn flush(&mut self) {
        if let Output::Stdout(w) = self {
            drop(w.flush());
        }
    }
}
