//! The console line discipline, canonical mode only: bytes from the UART are edited into lines
//! (backspace, ^U, ^D, history), echoed, and handed to readers a completed line at a time;
//! ^C interrupts the foreground group.
//!
//! Input rules (POSIX "canonical mode input processing", reduced):
//! - `\r` becomes `\n` (ICRNL: terminals send CR for Enter); `\n` completes the line (echo `\n`).
//! - Backspace (DEL 0x7f or BS 0x08) erases the last byte of the line being edited (ERASE), echo
//!   `"\x08 \x08"`; ^U (0x15) erases the whole line being edited (KILL), the same echo per byte.
//! - ^D (0x04, EOF): on an empty line, an end of file for one read; otherwise the line so far
//!   becomes readable without a newline.
//! - ^C (0x03, INTR): acted on as soon as the UART delivers it, even while nobody reads (see
//!   "Watching" below): the driver is told ([`Tty::take_interrupt`]) and sends `SIGINT` to the
//!   foreground group; the line being edited and the bytes typed ahead are discarded (Linux's
//!   flush on INTR), and `^C` and a newline are echoed.
//! - Escape sequences (ESC, then `[` and parameters up to a final byte 0x40..=0x7e, or one
//!   other byte) are swallowed, never typed: the up and down arrows (`ESC [ A`, `ESC [ B`)
//!   recall the previous and next of the last [`Tty::HISTORY`] lines completed with `\n`
//!   (the line being edited is erased on the screen and replaced), and down past the newest
//!   gives an empty line. Left and right arrows, Home and End (and ^A, ^E) move the cursor
//!   inside the line, where bytes are then inserted and erased ([`cursor`]); `\n` and ^D
//!   complete the whole line wherever the cursor is.
//! - Printable bytes (0x20..=0x7e) and tab are inserted at the cursor and echoed; other control
//!   bytes are ignored.
//! - **Long lines**: a line holds at most [`Tty::LINE_MAX`] bytes (4095: with its `\n`, the
//!   4096 bytes of Linux's canonical-mode buffer). Further bytes are dropped, not echoed, until
//!   the line ends, and the first dropped byte of a line echoes one BEL (0x07), as Linux does
//!   (it acts as if IMAXBEL were always set), so whoever types or pipes the line is told it was
//!   cut — once per line rather than once per byte (a 1 MiB line rings once; after an erase it
//!   may ring again). The line keeps its `\n`, and the editing keys and ^D work on a full line as
//!   on any other. Why cut rather than hand out the first 4095 bytes and go on: in canonical mode
//!   a line may be erased until it ends, so no part of it may reach a reader before; a program
//!   that wants input of any length reads a file or a pipe.
//! - **End of file is always delivered**: completed input waits in a queue of at most
//!   [`Tty::QUEUE_MAX`] bytes (each end of file counts as one); a byte is appended to the line only
//!   while the queue keeps room for the line, its `\n` and one end of file, so a completed line
//!   always fits with its `\n` and a ^D after it is never lost. Only bytes are ever dropped.
//!
//! A line without a newline needs two ^D, as at a Unix terminal: the first makes the line
//! readable, the second (on the now empty line) is the end of file. (klab ends piped input that
//! way: two ^D after an unfinished last line, one after a `\n`.)
//!
//! **Watching.** The drivers take bytes from the UART through [`Tty::pump`]: while a reader
//! waits, only until a line is complete (the rest waits in the UART, unechoed, so a scripted
//! session reads as a transcript); while nobody reads, only if [`Tty::set_watch`] is on (the
//! foreground was handed to a job: `services::signal`'s `tcsetpgrp`), and then into a small
//! type-ahead queue, unechoed, whose ^C acts at once; the queued bytes are edited and echoed
//! when a reader comes ([`Tty::cook`]). The queue takes at most one line (up to its `\n` or
//! ^D) and [`Tty::AHEAD_MAX`] bytes — what a reader would take — so a script piped into klab,
//! whose bytes arrive whenever the guest looks, is not swallowed whole by the first job: the
//! ^C after `cat /dev/zero | wc` in a script interrupts that job, not an earlier one. The cost:
//! a ^C typed after a whole line typed ahead waits in the UART with it.
//!
//! Left out: raw mode, output processing (ONLCR is the UART writer's business), stop/continue
//! (^Z) and UTF-8-aware erasing.

mod cursor;

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::vec;
use alloc::vec::Vec;

/// DEL: what most terminals send for Backspace.
const DEL: u8 = 0x7f;
/// BS: what some terminals send for Backspace.
const BS: u8 = 0x08;
/// NAK, ^U: erase the line (KILL).
const KILL: u8 = 0x15;
/// EOT, ^D: end of file (EOF).
const EOF: u8 = 0x04;
/// ETX, ^C: interrupt (INTR).
const INTR: u8 = 0x03;
/// ESC: starts an escape sequence.
const ESC: u8 = 0x1b;
/// SOH, ^A: the cursor to the start of the line.
const HOME: u8 = 0x01;
/// ENQ, ^E: the cursor to the end of the line.
const END: u8 = 0x05;
/// What an interrupt echoes.
const INTR_ECHO: &[u8] = b"^C\n";
/// What erasing one byte echoes: back, blank, back.
const ERASE_ECHO: &[u8] = b"\x08 \x08";
/// BEL: echoed when a line overflows (see the module note).
pub const BEL: u8 = 0x07;

/// The console's line discipline.
#[derive(Debug)]
pub struct Tty {
    /// The line being edited, [`Tty::LINE_MAX`] bytes on the heap: inline, 4 KiB would push
    /// every field after it in an enclosing kernel state out of reach of a load's 12-bit offset
    /// (mono's null system call paid 20 instructions for that).
    line: Box<[u8]>,
    line_len: usize,
    /// Where in the line being edited the next byte goes (`0..=line_len`).
    cursor: usize,
    /// Completed input, in order; `records` says where each completed line ends.
    data: VecDeque<u8>,
    /// The length of each completed record still (partly) unread; 0 is an end of file.
    records: VecDeque<usize>,
    /// Bytes and end-of-file marks queued, against [`Tty::QUEUE_MAX`].
    queued: usize,
    /// The line being edited has lost a byte (its BEL is echoed).
    overflowed: bool,
    /// Where in an escape sequence the input is.
    escape: Escape,
    /// The last lines completed with `\n`, oldest first, without their `\n`.
    history: VecDeque<Vec<u8>>,
    /// Which history line the up and down arrows are at (`history.len()`: below the newest).
    recall: usize,
    /// Bytes taken from the UART, not yet edited (see "Watching").
    ahead: VecDeque<u8>,
    /// Whether bytes are taken from the UART while nobody reads.
    watch: bool,
    /// A ^C arrived that the driver has not taken yet.
    interrupted: bool,
}

/// Progress through an escape sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Escape {
    /// Not in one.
    None,
    /// After ESC.
    Esc,
    /// After `ESC [`, before the final byte; the last parameter digit seen (0: none).
    Csi(u8),
    /// After `ESC O` (SS3: Home and End on some terminals).
    Ss3,
}

/// What [`Tty::pump`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pumped {
    /// A reader may now make progress (a line or an end of file is available).
    pub ready: bool,
    /// A ^C arrived: send `SIGINT` to the foreground group.
    pub interrupt: bool,
}

impl Tty {
    /// Longest line, in bytes, before its `\n` (Linux's 4096-byte line with its `\n`).
    pub const LINE_MAX: usize = 4095;
    /// Most completed input (bytes, plus one per end of file) waiting for readers: two longest
    /// lines.
    pub const QUEUE_MAX: usize = 2 * (Tty::LINE_MAX + 1);
    /// Most bytes taken ahead from the UART while nobody reads (see "Watching").
    pub const AHEAD_MAX: usize = 256;
    /// How many completed lines the up arrow can recall.
    pub const HISTORY: usize = 16;

    /// A console with nothing typed.
    pub fn new() -> Tty {
        Tty {
            line: vec![0; Tty::LINE_MAX].into_boxed_slice(),
            line_len: 0,
            cursor: 0,
            data: VecDeque::with_capacity(Tty::QUEUE_MAX),
            records: VecDeque::new(),
            queued: 0,
            overflowed: false,
            escape: Escape::None,
            history: VecDeque::new(),
            recall: 0,
            ahead: VecDeque::new(),
            watch: false,
            interrupted: false,
        }
    }

    /// Whether bytes are taken from the UART while nobody reads (see "Watching"); turned on
    /// when the foreground is handed to a job, off when a shell takes it back.
    pub fn set_watch(&mut self, on: bool) {
        self.watch = on;
    }

    /// Whether the driver should take another byte from the UART now (its receive interrupt is
    /// on exactly then); `reading`: a reader waits for the console.
    pub fn wants_input(&self, reading: bool) -> bool {
        if reading {
            !self.has_input()
        } else {
            self.watch
                && self.ahead.len() < Tty::AHEAD_MAX
                && !self.ahead.iter().any(|&b| matches!(b, b'\n' | b'\r' | EOF))
        }
    }

    /// Edits the bytes typed ahead into lines, echoing them, until a line (or an end of file)
    /// is complete: a reader has come. Whether a reader may now make progress.
    pub fn cook(&mut self, echo: &mut dyn FnMut(&[u8])) -> bool {
        let mut ready = false;
        while !self.has_input() {
            let Some(b) = self.ahead.pop_front() else {
                break;
            };
            ready |= self.input(b, echo);
        }
        ready
    }

    /// The driver's loop: takes bytes from `getc` while [`Tty::wants_input`] says so, editing
    /// them into lines if `reading` (a reader waits), else keeping them ahead; a ^C acts at
    /// once. Echo goes to `echo`.
    pub fn pump(
        &mut self,
        reading: bool,
        getc: &mut dyn FnMut() -> Option<u8>,
        echo: &mut dyn FnMut(&[u8]),
    ) -> Pumped {
        let mut ready = false;
        loop {
            if reading {
                ready |= self.cook(echo);
            }
            if !self.wants_input(reading) {
                break;
            }
            let Some(b) = getc() else { break };
            if b == INTR {
                self.interrupt(echo);
            } else {
                self.ahead.push_back(b);
            }
        }
        Pumped {
            ready,
            interrupt: self.take_interrupt(),
        }
    }

    /// Whether a ^C arrived since the last call.
    pub fn take_interrupt(&mut self) -> bool {
        core::mem::take(&mut self.interrupted)
    }

    /// ^C: discard the line being edited and the bytes typed ahead, echo `^C`, and flag it.
    fn interrupt(&mut self, echo: &mut dyn FnMut(&[u8])) {
        self.line_len = 0;
        self.cursor = 0;
        self.overflowed = false;
        self.escape = Escape::None;
        self.recall = self.history.len();
        self.ahead.clear();
        self.interrupted = true;
        echo(INTR_ECHO);
    }

    /// One byte of an escape sequence (`self.escape` is not `None`): swallowed; an arrow up or
    /// down recalls a history line.
    fn escape_byte(&mut self, byte: u8, echo: &mut dyn FnMut(&[u8])) {
        self.escape = match (self.escape, byte) {
            (Escape::Esc, b'[') => Escape::Csi(0),
            (Escape::Esc, b'O') => Escape::Ss3,
            (Escape::Csi(_), b'0'..=b'9') => Escape::Csi(byte - b'0'),
            (Escape::Csi(param), 0x40..=0x7e) => {
                match (byte, param) {
                    (b'A', _) if self.recall > 0 => self.recall_line(self.recall - 1, echo),
                    (b'B', _) if self.recall < self.history.len() => {
                        self.recall_line(self.recall + 1, echo)
                    }
                    (b'C', _) => self.right(echo),
                    (b'D', _) => self.left(echo),
                    (b'H', _) | (b'~', 1 | 7) => self.home(echo),
                    (b'F', _) | (b'~', 4 | 8) => self.end(echo),
                    _ => {}
                }
                Escape::None
            }
            (Escape::Csi(param), _) => Escape::Csi(param),
            (Escape::Ss3, b'H') => {
                self.home(echo);
                Escape::None
            }
            (Escape::Ss3, b'F') => {
                self.end(echo);
                Escape::None
            }
            _ => Escape::None,
        };
    }

    /// Replaces the line being edited with history line `i` (empty at `history.len()`),
    /// erasing the old one on the screen.
    fn recall_line(&mut self, i: usize, echo: &mut dyn FnMut(&[u8])) {
        self.end(echo);
        while self.line_len > 0 {
            self.line_len -= 1;
            echo(ERASE_ECHO);
        }
        self.overflowed = false;
        self.recall = i;
        let Some(line) = self.history.get(i) else {
            return;
        };
        let line = line.clone();
        for b in line {
            if self.append(b) {
                echo(&[b]);
            }
        }
        self.cursor = self.line_len;
    }

    /// Remembers a line completed with `\n` (an empty one, or a repeat of the newest, is not).
    fn remember(&mut self, len: usize) {
        let line = &self.line[..len];
        if !line.is_empty() && self.history.back().is_none_or(|last| last[..] != *line) {
            if self.history.len() == Tty::HISTORY {
                self.history.pop_front();
            }
            self.history.push_back(line.to_vec());
        }
        self.recall = self.history.len();
    }

    /// One byte from the UART. Echo bytes are handed to `echo` (the kernel writes them to the
    /// UART). Returns true when a reader may now make progress (a line or an end of file became
    /// available).
    pub fn input(&mut self, byte: u8, echo: &mut dyn FnMut(&[u8])) -> bool {
        if self.escape != Escape::None {
            self.escape_byte(byte, echo);
            return false;
        }
        let byte = if byte == b'\r' { b'\n' } else { byte };
        match byte {
            b'\n' => {
                echo(b"\n");
                self.remember(self.line_len);
                self.complete(true)
            }
            INTR => {
                self.interrupt(echo);
                false
            }
            ESC => {
                self.escape = Escape::Esc;
                false
            }
            DEL | BS => {
                if self.cursor > 0 {
                    self.erase(echo);
                    self.overflowed = false;
                }
                false
            }
            HOME => {
                self.home(echo);
                false
            }
            END => {
                self.end(echo);
                false
            }
            KILL => {
                self.end(echo);
                self.cursor = 0;
                while self.line_len > 0 {
                    self.line_len -= 1;
                    echo(ERASE_ECHO);
                }
                self.overflowed = false;
                false
            }
            EOF => {
                if self.line_len == 0 {
                    if self.queued < Tty::QUEUE_MAX {
                        self.records.push_back(0);
                        self.queued += 1;
                        return true;
                    }
                    return false;
                }
                self.complete(false)
            }
            b'\t' | 0x20..=0x7e => {
                if self.insert(byte, echo) {
                } else if !self.overflowed {
                    self.overflowed = true;
                    echo(&[BEL]);
                }
                false
            }
            _ => false,
        }
    }

    /// Appends a byte to the line being edited if the line has room for it, and the queue for
    /// it, the line's eventual `\n` and an end of file after it.
    fn append(&mut self, byte: u8) -> bool {
        let room_in_queue = self.queued + self.line_len + 3 <= Tty::QUEUE_MAX;
        match self.line.get_mut(self.line_len) {
            Some(slot) if room_in_queue => {
                *slot = byte;
                self.line_len += 1;
                true
            }
            _ => false,
        }
    }

    /// Moves the line being edited to the queue, with a `\n` if `newline`; whether that queued
    /// anything. Room for the `\n` and an end of file after it is kept by [`Tty::append`], so
    /// only an empty line typed into a full queue is lost (it would take the end of file's room).
    fn complete(&mut self, newline: bool) -> bool {
        let mut len = self.line_len;
        self.data.extend(&self.line[..self.line_len]);
        if newline && self.queued + len + 2 <= Tty::QUEUE_MAX {
            self.data.push_back(b'\n');
            len += 1;
        }
        self.line_len = 0;
        self.cursor = 0;
        self.overflowed = false;
        if len == 0 {
            return false;
        }
        self.records.push_back(len);
        self.queued += len;
        true
    }

    /// Up to `buf.len()` bytes of the first completed line (a read never goes past a `\n`);
    /// `Some(0)` once for each ^D on an empty line (end of file), and for an empty `buf`; `None`
    /// if nothing is completed yet (the read would block).
    pub fn read(&mut self, buf: &mut [u8]) -> Option<usize> {
        if buf.is_empty() {
            return Some(0);
        }
        let left = self.records.front_mut()?;
        if *left == 0 {
            self.records.pop_front();
            self.queued -= 1;
            return Some(0);
        }
        let n = buf.len().min(*left);
        for (dst, src) in buf.iter_mut().zip(self.data.drain(..n)) {
            *dst = src;
        }
        *left -= n;
        if *left == 0 {
            self.records.pop_front();
        }
        self.queued -= n;
        Some(n)
    }

    /// Whether a read would not block (a line or an end of file is waiting).
    pub fn has_input(&self) -> bool {
        !self.records.is_empty()
    }
}

impl Default for Tty {
    fn default() -> Self {
        Tty::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// Types `bytes`, returning the echo and whether the last byte made input available.
    fn type_in(tty: &mut Tty, bytes: &[u8]) -> (Vec<u8>, bool) {
        let mut echoed = Vec::new();
        let mut ready = false;
        for &b in bytes {
            ready = tty.input(b, &mut |e| echoed.extend_from_slice(e));
        }
        (echoed, ready)
    }

    fn read_all(tty: &mut Tty, len: usize) -> Option<Vec<u8>> {
        let mut buf = vec![0; len];
        tty.read(&mut buf).map(|n| buf[..n].to_vec())
    }

    #[test]
    fn nothing_is_readable_until_the_line_is_completed() {
        let mut t = Tty::new();
        let (echo, ready) = type_in(&mut t, b"ls");
        assert_eq!(echo, b"ls");
        assert!(!ready);
        assert!(!t.has_input());
        assert_eq!(t.read(&mut [0; 8]), None);
        let (echo, ready) = type_in(&mut t, b"\n");
        assert_eq!(echo, b"\n");
        assert!(ready);
        assert_eq!(read_all(&mut t, 8).unwrap(), b"ls\n");
        assert!(!t.has_input());
    }

    #[test]
    fn carriage_return_becomes_newline() {
        let mut t = Tty::new();
        let (echo, ready) = type_in(&mut t, b"a\r");
        assert!(ready);
        assert_eq!(echo, b"a\n");
        assert_eq!(read_all(&mut t, 8).unwrap(), b"a\n");
    }

    #[test]
    fn backspace_erases_one_byte_and_nothing_on_an_empty_line() {
        let mut t = Tty::new();
        let (echo, _) = type_in(&mut t, b"\x7fab\x7fc\x08d\n");
        assert_eq!(echo, b"ab\x08 \x08c\x08 \x08d\n");
        assert_eq!(read_all(&mut t, 8).unwrap(), b"ad\n");
    }

    #[test]
    fn kill_erases_the_whole_line_being_edited_but_not_completed_lines() {
        let mut t = Tty::new();
        let (echo, _) = type_in(&mut t, b"one\nxy\x15two\n");
        assert_eq!(echo, b"one\nxy\x08 \x08\x08 \x08two\n");
        assert_eq!(read_all(&mut t, 16).unwrap(), b"one\n");
        assert_eq!(read_all(&mut t, 16).unwrap(), b"two\n");
    }

    #[test]
    fn ctrl_d_on_an_empty_line_is_one_end_of_file_per_press() {
        let mut t = Tty::new();
        let (echo, ready) = type_in(&mut t, b"\x04");
        assert!(ready);
        assert!(echo.is_empty());
        type_in(&mut t, b"\x04");
        assert_eq!(t.read(&mut [0; 4]), Some(0));
        assert_eq!(t.read(&mut [0; 4]), Some(0));
        assert_eq!(t.read(&mut [0; 4]), None);
    }

    #[test]
    fn ctrl_d_on_a_non_empty_line_makes_it_readable_without_a_newline() {
        let mut t = Tty::new();
        let (_, ready) = type_in(&mut t, b"abc\x04");
        assert!(ready);
        type_in(&mut t, b"def\n");
        assert_eq!(read_all(&mut t, 16).unwrap(), b"abc");
        assert_eq!(read_all(&mut t, 16).unwrap(), b"def\n");
        assert_eq!(t.read(&mut [0; 4]), None);
    }

    #[test]
    fn a_read_never_crosses_a_line_and_short_reads_resume_mid_line() {
        let mut t = Tty::new();
        type_in(&mut t, b"hello\nworld\n");
        assert_eq!(read_all(&mut t, 3).unwrap(), b"hel");
        assert_eq!(read_all(&mut t, 100).unwrap(), b"lo\n");
        assert_eq!(read_all(&mut t, 100).unwrap(), b"world\n");
    }

    #[test]
    fn control_bytes_are_ignored_and_tab_is_kept() {
        let mut t = Tty::new();
        // ^B (^A and ^E move the cursor, see `cursor`).
        let (echo, _) = type_in(&mut t, b"a\x02\tb\n");
        assert_eq!(echo, b"a\tb\n");
        assert_eq!(read_all(&mut t, 8).unwrap(), b"a\tb\n");
    }

    #[test]
    fn a_line_longer_than_line_max_drops_the_excess_rings_once_and_keeps_its_newline() {
        let mut t = Tty::new();
        assert_eq!(
            Tty::LINE_MAX,
            4095,
            "Linux's line: 4096 bytes with the newline"
        );
        // A 5000-byte line: 4095 kept and echoed, one BEL for the 905 dropped.
        let long: Vec<u8> = (0..5000).map(|i| b'a' + (i % 26) as u8).collect();
        let (echo, ready) = type_in(&mut t, &long);
        assert!(!ready);
        assert_eq!(echo.len(), Tty::LINE_MAX + 1);
        assert_eq!(&echo[..Tty::LINE_MAX], &long[..Tty::LINE_MAX]);
        assert_eq!(echo[Tty::LINE_MAX], BEL);
        let (echo, ready) = type_in(&mut t, b"\n");
        assert!(ready);
        assert_eq!(echo, b"\n");
        let line = read_all(&mut t, 10_000).unwrap();
        assert_eq!(line.len(), Tty::LINE_MAX + 1);
        assert_eq!(&line[..Tty::LINE_MAX], &long[..Tty::LINE_MAX]);
        assert_eq!(line.last(), Some(&b'\n'));
        // The next line starts afresh, and rings again only if it overflows too.
        let (echo, _) = type_in(&mut t, b"ok\n");
        assert_eq!(echo, b"ok\n");
        assert_eq!(read_all(&mut t, 8).unwrap(), b"ok\n");
    }

    #[test]
    fn an_erase_on_a_full_line_makes_room_and_the_next_overflow_rings_again() {
        let mut t = Tty::new();
        type_in(&mut t, &vec![b'x'; Tty::LINE_MAX + 3]);
        let (echo, _) = type_in(&mut t, b"\x7fyz");
        assert_eq!(echo, [ERASE_ECHO, b"y", &[BEL]].concat());
        let (echo, _) = type_in(&mut t, b"\x15");
        assert_eq!(
            echo.len(),
            Tty::LINE_MAX * ERASE_ECHO.len(),
            "KILL erases it all"
        );
        let (echo, _) = type_in(&mut t, b"k\n");
        assert_eq!(echo, b"k\n");
        assert_eq!(read_all(&mut t, 8).unwrap(), b"k\n");
    }

    #[test]
    fn a_megabyte_line_without_newline_then_two_ctrl_d_is_its_first_bytes_then_end_of_file() {
        // What klab sends for `head -c 1M /dev/zero | tr '\0' x | klab run KERNEL wc`.
        let mut t = Tty::new();
        let mut echoed = 0;
        let mut bells = 0;
        for _ in 0..(1 << 20) {
            t.input(b'x', &mut |e| {
                echoed += e.len();
                bells += e.iter().filter(|&&b| b == BEL).count();
            });
        }
        assert_eq!((echoed, bells), (Tty::LINE_MAX + 1, 1));
        assert!(
            type_in(&mut t, b"\x04").1,
            "the first ^D makes the line readable"
        );
        assert!(type_in(&mut t, b"\x04").1, "the second is an end of file");
        assert_eq!(
            read_all(&mut t, 1 << 16).unwrap(),
            vec![b'x'; Tty::LINE_MAX]
        );
        assert_eq!(t.read(&mut [0; 8]), Some(0));
        assert_eq!(t.read(&mut [0; 8]), None);
    }

    #[test]
    fn an_end_of_file_after_a_line_always_fits_even_in_a_full_queue() {
        let mut t = Tty::new();
        // Fill the queue with completed lines nobody reads.
        loop {
            type_in(&mut t, &vec![b'q'; Tty::LINE_MAX + 10]);
            let before = t.queued;
            type_in(&mut t, b"\n");
            if t.queued == before {
                break;
            }
        }
        assert!(t.queued + 3 > Tty::QUEUE_MAX, "the queue is full");
        // A last unfinished line, ^D, ^D: whatever fit of it (here nothing: the line stays
        // empty, so both ^D are ends of file), and at least one end of file.
        let (echo, _) = type_in(&mut t, b"tail\x04\x04");
        assert_eq!(echo, [BEL], "the dropped bytes are reported");
        let mut eofs = 0;
        let mut buf = [0; Tty::QUEUE_MAX];
        while let Some(n) = t.read(&mut buf) {
            if n == 0 {
                eofs += 1;
            }
        }
        assert!(eofs >= 1, "the end of file was lost");
    }

    #[test]
    fn queued_input_is_bounded_and_later_bytes_are_dropped() {
        let mut t = Tty::new();
        let line = [b'y'; 99];
        for _ in 0..100 {
            type_in(&mut t, &line);
            type_in(&mut t, b"\n");
        }
        let mut total = 0;
        let mut buf = [0; 512];
        while let Some(n) = t.read(&mut buf) {
            assert!(n > 0);
            assert_eq!(buf[n - 1], b'\n', "every completed line keeps its newline");
            total += n;
        }
        assert!(total <= Tty::QUEUE_MAX);
        assert!(total >= Tty::QUEUE_MAX - 100);
        // Once drained, input is accepted again.
        type_in(&mut t, b"ok\n");
        assert_eq!(read_all(&mut t, 8).unwrap(), b"ok\n");
    }

    #[test]
    fn an_empty_buffer_reads_nothing_and_consumes_nothing() {
        let mut t = Tty::new();
        type_in(&mut t, b"\x04");
        assert_eq!(t.read(&mut []), Some(0));
        assert!(t.has_input());
    }

    #[test]
    fn escape_sequences_are_swallowed_never_typed() {
        let mut t = Tty::new();
        // Right at the end (nothing to pass), a longer CSI (Delete: ESC [ 3 ~), and Alt-x
        // (ESC x); the moving keys are `cursor`'s tests.
        let (echo, _) = type_in(&mut t, b"ab\x1b[C\x1b[3~\x1bxc\n");
        assert_eq!(echo, b"abc\n");
        assert_eq!(read_all(&mut t, 8).unwrap(), b"abc\n");
    }

    #[test]
    fn up_and_down_recall_completed_lines_and_erase_the_line_being_edited() {
        let mut t = Tty::new();
        type_in(&mut t, b"one\ntwo\n");
        read_all(&mut t, 8);
        read_all(&mut t, 8);
        let (echo, _) = type_in(&mut t, b"xy\x1b[A");
        assert_eq!(
            echo,
            [b"xy".as_slice(), ERASE_ECHO, ERASE_ECHO, b"two"].concat()
        );
        let (echo, _) = type_in(&mut t, b"\x1b[A\x1b[A");
        assert_eq!(
            echo,
            [ERASE_ECHO, ERASE_ECHO, ERASE_ECHO, b"one"].concat(),
            "stops at the oldest"
        );
        let (echo, _) = type_in(&mut t, b"\x1b[B\x1b[B");
        assert_eq!(
            echo,
            [
                ERASE_ECHO, ERASE_ECHO, ERASE_ECHO, b"two", ERASE_ECHO, ERASE_ECHO, ERASE_ECHO
            ]
            .concat(),
            "down past the newest is an empty line"
        );
        let (_, ready) = type_in(&mut t, b"\x1b[A!\n");
        assert!(ready);
        assert_eq!(read_all(&mut t, 8).unwrap(), b"two!\n");
        // The recalled and edited line is the newest now.
        type_in(&mut t, b"\x1b[A\n");
        assert_eq!(read_all(&mut t, 8).unwrap(), b"two!\n");
    }

    #[test]
    fn ctrl_c_discards_the_line_echoes_and_is_reported_once() {
        let mut t = Tty::new();
        let (echo, ready) = type_in(&mut t, b"sleep\x03");
        assert!(!ready);
        assert_eq!(echo, b"sleep^C\n");
        assert!(t.take_interrupt());
        assert!(!t.take_interrupt());
        type_in(&mut t, b"ok\n");
        assert_eq!(read_all(&mut t, 8).unwrap(), b"ok\n");
    }

    /// Pumps `bytes` (as the UART holds them) with `reading`; the echo, what it reported and
    /// what stayed in the UART.
    fn pump(t: &mut Tty, reading: bool, bytes: &[u8]) -> (Vec<u8>, Pumped, Vec<u8>) {
        let mut uart: VecDeque<u8> = bytes.iter().copied().collect();
        let mut echoed = Vec::new();
        let p = t.pump(reading, &mut || uart.pop_front(), &mut |e| {
            echoed.extend_from_slice(e)
        });
        (echoed, p, uart.into_iter().collect())
    }

    #[test]
    fn while_nobody_reads_input_stays_in_the_uart_unless_watched() {
        let mut t = Tty::new();
        let (echo, p, left) = pump(&mut t, false, b"ls\n\x03");
        assert_eq!(
            (echo.len(), p, left.len()),
            (0, Pumped::default(), 4),
            "not watched: untouched"
        );
        t.set_watch(true);
        let (echo, p, left) = pump(&mut t, false, b"ls\x03pwd\nmore\n");
        assert_eq!(echo, b"^C\n", "typed-ahead bytes are not echoed; ^C is");
        assert!(p.interrupt && !p.ready);
        assert_eq!(left, b"more\n", "one line is taken ahead, no more");
        // A reader comes: what was typed after the ^C is edited and echoed now.
        let (echo, p, _) = pump(&mut t, true, b"");
        assert_eq!(echo, b"pwd\n");
        assert!(p.ready && !p.interrupt);
        assert_eq!(read_all(&mut t, 8).unwrap(), b"pwd\n");
    }

    #[test]
    fn a_reader_takes_one_line_and_leaves_the_rest_in_the_uart() {
        let mut t = Tty::new();
        let (echo, p, left) = pump(&mut t, true, b"a\nb\n");
        assert_eq!(echo, b"a\n");
        assert!(p.ready);
        assert_eq!(left, b"b\n");
    }

    #[test]
    fn type_ahead_is_bounded() {
        let mut t = Tty::new();
        t.set_watch(true);
        let (_, _, left) = pump(&mut t, false, &[b'z'; Tty::AHEAD_MAX + 5]);
        assert_eq!(left.len(), 5);
        assert!(!t.wants_input(false));
        assert!(t.wants_input(true), "a reader still takes input");
    }
}
