//! A pipe: a ring buffer of [`PIPE_BUFFER`] bytes with counts of the read and write ends open.
//!
//! Reads and writes copy as much as they can and never allocate; "would block" is a value
//! (`None`), not a wait — [`crate::files::Files`] turns it into [`crate::Wait`]s and wake-ups.
//! A named pipe ([`Pipe::fifo`], `mkfifo`) starts with no ends and outlives them while its name
//! lives. Its ends are opened one at a time, so until the other side has been opened once, a
//! read of the empty pipe and a write both wait (where POSIX makes the `open` wait) instead of
//! reading end of file or failing with `EPIPE`; once every end is closed, the next pair meets
//! afresh.
//!
//! Left out: which processes hold the ends (the fd tables know) and atomicity of writes of up to
//! `PIPE_BUFFER` bytes (a write takes what fits; the rest is the caller's next call).

use abi::Errno;
use abi::types::limits::PIPE_BUFFER;
use alloc::boxed::Box;
use alloc::vec;

/// A pipe's buffer and its ends.
#[derive(Debug)]
pub struct Pipe {
    /// The ring: `len` bytes starting at `head`, wrapping at `PIPE_BUFFER`.
    buf: Box<[u8]>,
    head: usize,
    len: usize,
    readers: usize,
    writers: usize,
    /// A named pipe's (see the module note); false for an anonymous one.
    named: bool,
    /// A read end has been opened since the last time the pipe had no ends.
    reader_seen: bool,
    /// A write end has been opened since the last time the pipe had no ends.
    writer_seen: bool,
}

impl Pipe {
    /// An empty pipe with one reader and one writer.
    pub fn new() -> Pipe {
        Pipe {
            buf: vec![0; PIPE_BUFFER].into_boxed_slice(),
            head: 0,
            len: 0,
            readers: 1,
            writers: 1,
            named: false,
            reader_seen: true,
            writer_seen: true,
        }
    }

    /// An empty named pipe with no ends yet (see the module note).
    pub fn fifo() -> Pipe {
        Pipe {
            readers: 0,
            writers: 0,
            named: true,
            reader_seen: false,
            writer_seen: false,
            ..Pipe::new()
        }
    }

    /// Whether a name refers to the pipe (it stays when its ends are closed).
    pub fn is_named(&self) -> bool {
        self.named
    }

    /// The name is gone: the pipe lives only as long as its ends.
    pub fn unname(&mut self) {
        self.named = false;
    }

    /// Takes up to `buf.len()` bytes: `Some(n > 0)` with data; `Some(0)` at end of file (empty and
    /// no writers) or for an empty `buf`; `None` if it would block (empty, writers left).
    pub fn read(&mut self, buf: &mut [u8]) -> Option<usize> {
        if buf.is_empty() {
            return Some(0);
        }
        if self.len == 0 {
            return if self.writers == 0 && self.writer_seen {
                Some(0)
            } else {
                None
            };
        }
        let n = buf.len().min(self.len);
        // At most two pieces: head..end of the ring, then the start of the ring.
        let first = n.min(PIPE_BUFFER - self.head);
        buf[..first].copy_from_slice(&self.buf[self.head..self.head + first]);
        buf[first..n].copy_from_slice(&self.buf[..n - first]);
        self.head = (self.head + n) % PIPE_BUFFER;
        self.len -= n;
        if self.len == 0 {
            self.head = 0; // Keeps later reads and writes in one piece.
        }
        Some(n)
    }

    /// Adds up to `buf.len()` bytes: `Ok(Some(n))` wrote `n = min(room, buf.len())` (≥ 1 unless
    /// `buf` is empty); `Ok(None)` if it would block (full, or a named pipe's reader not opened
    /// yet); `Err(EPIPE)` if no reader is left.
    pub fn write(&mut self, buf: &[u8]) -> Result<Option<usize>, Errno> {
        if self.readers == 0 {
            return if self.reader_seen {
                Err(Errno::Pipe)
            } else {
                Ok(None)
            };
        }
        if buf.is_empty() {
            return Ok(Some(0));
        }
        let room = PIPE_BUFFER - self.len;
        if room == 0 {
            return Ok(None);
        }
        let n = buf.len().min(room);
        let tail = (self.head + self.len) % PIPE_BUFFER;
        let first = n.min(PIPE_BUFFER - tail);
        self.buf[tail..tail + first].copy_from_slice(&buf[..first]);
        self.buf[..n - first].copy_from_slice(&buf[first..n]);
        self.len += n;
        Ok(Some(n))
    }

    /// Adds up to `max` bytes that `fill` writes straight into the ring (no intermediate
    /// buffer: `sendfile`'s one copy). `fill` is given the free space in at most two pieces and
    /// returns how many bytes it wrote into each (a short piece ends the filling). Returns the
    /// bytes added; the caller checked there are readers and room.
    pub fn fill(&mut self, max: usize, mut fill: impl FnMut(&mut [u8]) -> usize) -> usize {
        let mut added = 0;
        while added < max.min(self.room()) {
            let want = max.min(self.room()) - added;
            let tail = (self.head + self.len) % PIPE_BUFFER;
            let piece = want.min(PIPE_BUFFER - tail);
            let n = fill(&mut self.buf[tail..tail + piece]).min(piece);
            self.len += n;
            added += n;
            if n < piece {
                break;
            }
        }
        added
    }

    /// Bytes a write could add now.
    pub fn room(&self) -> usize {
        PIPE_BUFFER - self.len
    }

    /// Bytes waiting to be read.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no bytes are waiting.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Open read ends.
    pub fn readers(&self) -> usize {
        self.readers
    }

    /// Open write ends.
    pub fn writers(&self) -> usize {
        self.writers
    }

    /// One more read end.
    pub fn add_reader(&mut self) {
        self.readers += 1;
        self.reader_seen = true;
    }

    /// One read end fewer (never below zero).
    pub fn drop_reader(&mut self) {
        self.readers = self.readers.saturating_sub(1);
        self.forget_ends();
    }

    /// One more write end.
    pub fn add_writer(&mut self) {
        self.writers += 1;
        self.writer_seen = true;
    }

    /// One write end fewer (never below zero).
    pub fn drop_writer(&mut self) {
        self.writers = self.writers.saturating_sub(1);
        self.forget_ends();
    }

    /// A named pipe with no end left waits for a new pair.
    fn forget_ends(&mut self) {
        if self.named && self.readers == 0 && self.writers == 0 {
            self.reader_seen = false;
            self.writer_seen = false;
        }
    }
}

impl Default for Pipe {
    fn default() -> Self {
        Pipe::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_come_out_in_the_order_they_went_in() {
        let mut p = Pipe::new();
        assert_eq!(p.write(b"hello"), Ok(Some(5)));
        assert_eq!(p.len(), 5);
        let mut buf = [0; 3];
        assert_eq!(p.read(&mut buf), Some(3));
        assert_eq!(&buf, b"hel");
        assert_eq!(p.read(&mut buf), Some(2));
        assert_eq!(&buf[..2], b"lo");
        assert!(p.is_empty());
    }

    #[test]
    fn an_empty_pipe_with_writers_would_block() {
        let mut p = Pipe::new();
        assert_eq!(p.read(&mut [0; 4]), None);
    }

    #[test]
    fn a_pipe_with_no_writers_reads_end_of_file_after_the_data() {
        let mut p = Pipe::new();
        p.write(b"ab").unwrap();
        p.drop_writer();
        let mut buf = [0; 8];
        assert_eq!(p.read(&mut buf), Some(2));
        assert_eq!(p.read(&mut buf), Some(0));
        assert_eq!(p.read(&mut buf), Some(0));
    }

    #[test]
    fn writing_with_no_readers_is_epipe_even_with_room() {
        let mut p = Pipe::new();
        p.drop_reader();
        assert_eq!(p.write(b"x"), Err(Errno::Pipe));
        assert_eq!(p.write(b""), Err(Errno::Pipe));
    }

    #[test]
    fn a_write_larger_than_the_room_is_partial_and_a_full_pipe_would_block() {
        let mut p = Pipe::new();
        let big = vec![7u8; PIPE_BUFFER + 100];
        assert_eq!(p.write(&big), Ok(Some(PIPE_BUFFER)));
        assert_eq!(p.write(b"x"), Ok(None));
        assert_eq!(p.write(b""), Ok(Some(0)));
        let mut buf = [0; 10];
        assert_eq!(p.read(&mut buf), Some(10));
        assert_eq!(p.write(&big), Ok(Some(10)));
        assert_eq!(p.len(), PIPE_BUFFER);
    }

    #[test]
    fn data_that_wraps_around_the_ring_comes_back_intact() {
        let mut p = Pipe::new();
        let mut out = vec![0u8; PIPE_BUFFER];
        // Leave the head near the end of the ring, with a little data in it.
        let filler = vec![1u8; PIPE_BUFFER - 3];
        assert_eq!(p.write(&filler), Ok(Some(PIPE_BUFFER - 3)));
        assert_eq!(p.write(b"ab"), Ok(Some(2)));
        assert_eq!(p.read(&mut out[..PIPE_BUFFER - 3]), Some(PIPE_BUFFER - 3));
        let msg: Vec<u8> = (0..100u8).collect();
        assert_eq!(p.write(&msg), Ok(Some(100)));
        assert_eq!(p.read(&mut out), Some(102));
        assert_eq!(&out[..2], b"ab");
        assert_eq!(&out[2..102], &msg[..]);
    }

    #[test]
    fn an_empty_read_buffer_reads_nothing_and_does_not_block() {
        let mut p = Pipe::new();
        assert_eq!(p.read(&mut []), Some(0));
        p.write(b"x").unwrap();
        assert_eq!(p.read(&mut []), Some(0));
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn a_named_pipe_waits_for_the_other_side_until_it_has_opened_once() {
        let mut p = Pipe::fifo();
        assert!(p.is_named());
        assert_eq!((p.readers(), p.writers()), (0, 0));
        p.add_reader();
        assert_eq!(
            p.read(&mut [0; 4]),
            None,
            "no writer yet: wait, not end of file"
        );
        p.add_writer();
        assert_eq!(p.write(b"hi"), Ok(Some(2)));
        p.drop_writer();
        let mut buf = [0; 4];
        assert_eq!(p.read(&mut buf), Some(2));
        assert_eq!(
            p.read(&mut buf),
            Some(0),
            "the writer came and went: end of file"
        );
        p.drop_reader();
        p.add_writer();
        assert_eq!(p.write(b"x"), Ok(None), "a new pair: wait for the reader");
        p.add_reader();
        p.drop_reader();
        assert_eq!(p.write(b"x"), Err(Errno::Pipe), "the reader came and went");
    }

    #[test]
    fn end_counts_follow_add_and_drop_and_never_go_negative() {
        let mut p = Pipe::new();
        p.add_reader();
        p.add_writer();
        assert_eq!((p.readers(), p.writers()), (2, 2));
        for _ in 0..3 {
            p.drop_reader();
            p.drop_writer();
        }
        assert_eq!((p.readers(), p.writers()), (0, 0));
    }
}
