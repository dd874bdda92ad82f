//! The console line discipline, canonical mode only: bytes from the UART are edited into lines
//! (backspace, ^U, ^D), echoed, and handed to readers a completed line at a time.
//!
//! Input rules (POSIX "canonical mode input processing", reduced):
//! - `\r` becomes `\n` (ICRNL: terminals send CR for Enter); `\n` completes the line (echo `\n`).
//! - Backspace (DEL 0x7f or BS 0x08) erases the last byte of the line being edited (ERASE), echo
//!   `"\x08 \x08"`; ^U (0x15) erases the whole line being edited (KILL), the same echo per byte.
//! - ^D (0x04, EOF): on an empty line, an end of file for one read; otherwise the line so far
//!   becomes readable without a newline.
//! - Printable bytes (0x20..=0x7e) and tab are appended and echoed; other control bytes are ignored.
//! - A line holds at most [`Tty::LINE_MAX`] bytes; further bytes are dropped (not echoed) until
//!   the line ends. Completed input waits in a queue of at most [`Tty::QUEUE_MAX`] bytes (each
//!   end of file counts as one); bytes that would not fit are dropped, so a completed line always
//!   fits with its `\n`.
//!
//! Left out: raw mode, signals (^C), output processing (ONLCR is the UART writer's business), job
//! control and UTF-8-aware erasing.

use alloc::collections::VecDeque;

/// DEL: what most terminals send for Backspace.
const DEL: u8 = 0x7f;
/// BS: what some terminals send for Backspace.
const BS: u8 = 0x08;
/// NAK, ^U: erase the line (KILL).
const KILL: u8 = 0x15;
/// EOT, ^D: end of file (EOF).
const EOF: u8 = 0x04;
/// What erasing one byte echoes: back, blank, back.
const ERASE_ECHO: &[u8] = b"\x08 \x08";

/// The console's line discipline.
#[derive(Debug)]
pub struct Tty {
    /// The line being edited.
    line: [u8; Tty::LINE_MAX],
    line_len: usize,
    /// Completed input, in order; `records` says where each completed line ends.
    data: VecDeque<u8>,
    /// The length of each completed record still (partly) unread; 0 is an end of file.
    records: VecDeque<usize>,
    /// Bytes and end-of-file marks queued, against [`Tty::QUEUE_MAX`].
    queued: usize,
}

impl Tty {
    /// Longest line, in bytes, before its `\n`.
    pub const LINE_MAX: usize = 255;
    /// Most completed input (bytes, plus one per end of file) waiting for readers.
    pub const QUEUE_MAX: usize = 4096;

    /// A console with nothing typed.
    pub fn new() -> Tty {
        Tty {
            line: [0; Tty::LINE_MAX],
            line_len: 0,
            data: VecDeque::with_capacity(Tty::QUEUE_MAX),
            records: VecDeque::new(),
            queued: 0,
        }
    }

    /// One byte from the UART. Echo bytes are handed to `echo` (the kernel writes them to the
    /// UART). Returns true when a reader may now make progress (a line or an end of file became
    /// available).
    pub fn input(&mut self, byte: u8, echo: &mut dyn FnMut(&[u8])) -> bool {
        let byte = if byte == b'\r' { b'\n' } else { byte };
        match byte {
            b'\n' => {
                echo(b"\n");
                self.complete(true)
            }
            DEL | BS => {
                if self.line_len > 0 {
                    self.line_len -= 1;
                    echo(ERASE_ECHO);
                }
                false
            }
            KILL => {
                while self.line_len > 0 {
                    self.line_len -= 1;
                    echo(ERASE_ECHO);
                }
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
                if self.append(byte) {
                    echo(&[byte]);
                }
                false
            }
            _ => false,
        }
    }

    /// Appends a byte to the line being edited if the line and the queue have room for it and
    /// the line's eventual `\n`.
    fn append(&mut self, byte: u8) -> bool {
        let room_in_queue = self.queued + self.line_len + 2 <= Tty::QUEUE_MAX;
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
    /// anything. Room for the `\n` is kept by [`Tty::append`], so only an empty line typed into a
    /// full queue is lost.
    fn complete(&mut self, newline: bool) -> bool {
        let mut len = self.line_len;
        self.data.extend(&self.line[..self.line_len]);
        if newline && self.queued + len < Tty::QUEUE_MAX {
            self.data.push_back(b'\n');
            len += 1;
        }
        self.line_len = 0;
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
        let (echo, _) = type_in(&mut t, b"a\x01\x1b\tb\n");
        assert_eq!(echo, b"a\tb\n");
        assert_eq!(read_all(&mut t, 8).unwrap(), b"a\tb\n");
    }

    #[test]
    fn a_line_longer_than_line_max_drops_the_excess_but_keeps_its_newline() {
        let mut t = Tty::new();
        let long = vec![b'x'; Tty::LINE_MAX + 10];
        let (echo, _) = type_in(&mut t, &long);
        assert_eq!(echo.len(), Tty::LINE_MAX);
        type_in(&mut t, b"\n");
        let line = read_all(&mut t, 1000).unwrap();
        assert_eq!(line.len(), Tty::LINE_MAX + 1);
        assert_eq!(line.last(), Some(&b'\n'));
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
}
