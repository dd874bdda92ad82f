//! Cursor motion inside the line being edited (the line discipline's, so every program that
//! reads the console gets it, not just `sh`): left and right arrows, Home and End (`ESC [ H`,
//! `ESC [ F`, `ESC [ 1 ~`, `ESC [ 4 ~`, `ESC O H`, `ESC O F`) and ^A / ^E; a byte typed or
//! erased in the middle of the line shifts the rest, which is redrawn.
//!
//! The echo is what a VT100 needs and nothing more: BS (0x08) moves the terminal's cursor one
//! column left, a byte echoed moves it right; a change mid-line rewrites the tail (and a blank
//! where the tail shrank) and moves back with BS. No other control sequence is sent, so a
//! transcript stays readable. Left out: lines longer than the terminal's width (a wrapped line
//! is not redrawn across rows), word motion.

use super::{ERASE_ECHO, Tty};

/// What moving one column left echoes.
const BACK: &[u8] = b"\x08";

impl Tty {
    /// Moves the cursor one byte left, if it can.
    pub(super) fn left(&mut self, echo: &mut dyn FnMut(&[u8])) {
        if self.cursor > 0 {
            self.cursor -= 1;
            echo(BACK);
        }
    }

    /// Moves the cursor one byte right, if it can (echoing the byte it passes).
    pub(super) fn right(&mut self, echo: &mut dyn FnMut(&[u8])) {
        if self.cursor < self.line_len {
            echo(&self.line[self.cursor..self.cursor + 1]);
            self.cursor += 1;
        }
    }

    /// Moves the cursor to the start of the line.
    pub(super) fn home(&mut self, echo: &mut dyn FnMut(&[u8])) {
        while self.cursor > 0 {
            self.left(echo);
        }
    }

    /// Moves the cursor to the end of the line.
    pub(super) fn end(&mut self, echo: &mut dyn FnMut(&[u8])) {
        if self.cursor < self.line_len {
            echo(&self.line[self.cursor..self.line_len]);
            self.cursor = self.line_len;
        }
    }

    /// Inserts `byte` at the cursor, redrawing the tail; false (nothing changed) if the line
    /// has no room ([`Tty::append`]'s rule).
    pub(super) fn insert(&mut self, byte: u8, echo: &mut dyn FnMut(&[u8])) -> bool {
        let (at, len) = (self.cursor, self.line_len);
        if !self.append(byte) {
            return false;
        }
        if at < len {
            self.line.copy_within(at..len, at + 1);
            self.line[at] = byte;
        }
        echo(&self.line[at..self.line_len]);
        self.cursor = at + 1;
        for _ in self.cursor..self.line_len {
            echo(BACK);
        }
        true
    }

    /// Erases the byte before the cursor (none at the start), redrawing the tail.
    pub(super) fn erase(&mut self, echo: &mut dyn FnMut(&[u8])) {
        if self.cursor == 0 {
            return;
        }
        if self.cursor == self.line_len {
            self.cursor -= 1;
            self.line_len -= 1;
            echo(ERASE_ECHO);
            return;
        }
        self.line
            .copy_within(self.cursor..self.line_len, self.cursor - 1);
        self.cursor -= 1;
        self.line_len -= 1;
        echo(BACK);
        echo(&self.line[self.cursor..self.line_len]);
        echo(b" ");
        for _ in self.cursor..=self.line_len {
            echo(BACK);
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::*;

    /// Types `bytes`, returning the echo and the completed input.
    fn edit(bytes: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut tty = Tty::new();
        let mut out = Vec::new();
        for &b in bytes {
            tty.input(b, &mut |e| out.extend_from_slice(e));
        }
        let mut buf = [0u8; 64];
        let n = tty.read(&mut buf).unwrap_or(0);
        (out, buf[..n].to_vec())
    }

    #[test]
    fn a_byte_typed_after_left_arrows_is_inserted_and_the_tail_redrawn() {
        let (echo, line) = edit(b"wrld\x1b[D\x1b[D\x1b[Do\n");
        assert_eq!(line, b"world\n");
        assert_eq!(echo, b"wrld\x08\x08\x08orld\x08\x08\x08\n");
    }

    #[test]
    fn backspace_mid_line_closes_the_gap_and_blanks_the_last_column() {
        let (echo, line) = edit(b"helxlo\x1b[D\x1b[D\x7f\n");
        assert_eq!(line, b"hello\n");
        assert_eq!(echo, b"helxlo\x08\x08\x08lo \x08\x08\x08\n");
    }

    #[test]
    fn home_end_ctrl_a_ctrl_e_and_right_move_within_the_line_only() {
        assert_eq!(edit(b"cho\x1b[He\n").1, b"echo\n");
        assert_eq!(edit(b"cho\x01e\x05!\n").1, b"echo!\n");
        assert_eq!(edit(b"ab\x1b[1~\x1b[4~c\n").1, b"abc\n");
        assert_eq!(edit(b"ab\x1bOH\x1bOFc\n").1, b"abc\n");
        assert_eq!(
            edit(b"ab\x1b[D\x1b[D\x1b[D\x7fx\x1b[C\x1b[C\x1b[Cy\n").1,
            b"xaby\n"
        );
        let (echo, line) = edit(b"ab\x1b[D\x15z\n");
        assert_eq!(line, b"z\n", "^U erases the whole line from anywhere");
        assert_eq!(echo, b"ab\x08b\x08 \x08\x08 \x08z\n");
    }

    #[test]
    fn history_recall_from_mid_line_replaces_the_whole_line() {
        let mut tty = Tty::new();
        let mut out = Vec::new();
        for &b in b"one\nxyz\x1b[D\x1b[A\n" {
            tty.input(b, &mut |e| out.extend_from_slice(e));
        }
        let mut buf = [0u8; 8];
        assert_eq!(tty.read(&mut buf), Some(4));
        assert_eq!(tty.read(&mut buf), Some(4));
        assert_eq!(&buf[..4], b"one\n");
    }
}
