//! A message queue: a bounded ring of [`MQ_MESSAGES`] messages of at most [`MQ_MSG_MAX`]
//! bytes each, kept whole (a receive takes exactly one message, however long the buffer).
//!
//! As in [`crate::pipe`], "would block" is a value (`None`), not a wait; [`crate::files`] names
//! the queue, counts its fds, and turns it into [`crate::Wait`]s. Left out: priorities,
//! notification (`mq_notify`), attributes other than the fixed limits.

use abi::Errno;
use abi::types::limits::{MQ_MESSAGES, MQ_MSG_MAX};

/// A message queue's messages.
#[derive(Debug)]
pub struct Queue {
    /// The ring: `len` messages from `head`; each slot holds a length and its bytes.
    slots: [(usize, [u8; MQ_MSG_MAX]); MQ_MESSAGES],
    head: usize,
    len: usize,
}

impl Queue {
    /// An empty queue.
    pub fn new() -> Queue {
        Queue {
            slots: [(0, [0; MQ_MSG_MAX]); MQ_MESSAGES],
            head: 0,
            len: 0,
        }
    }

    /// Queues `msg`: `Ok(true)`; `Ok(false)` if the queue is full (it would block);
    /// `EMSGSIZE` if `msg` is longer than [`MQ_MSG_MAX`].
    pub fn send(&mut self, msg: &[u8]) -> Result<bool, Errno> {
        if msg.len() > MQ_MSG_MAX {
            return Err(Errno::MsgSize);
        }
        if self.len == MQ_MESSAGES {
            return Ok(false);
        }
        let slot = &mut self.slots[(self.head + self.len) % MQ_MESSAGES];
        slot.0 = msg.len();
        slot.1[..msg.len()].copy_from_slice(msg);
        self.len += 1;
        Ok(true)
    }

    /// Takes the oldest message into `buf`: `Ok(Some(its length))`; `Ok(None)` if the queue is
    /// empty (it would block); `EMSGSIZE` if it is longer than `buf` (it stays queued).
    pub fn receive(&mut self, buf: &mut [u8]) -> Result<Option<usize>, Errno> {
        if self.len == 0 {
            return Ok(None);
        }
        let (n, bytes) = &self.slots[self.head];
        if *n > buf.len() {
            return Err(Errno::MsgSize);
        }
        buf[..*n].copy_from_slice(&bytes[..*n]);
        let n = *n;
        self.head = (self.head + 1) % MQ_MESSAGES;
        self.len -= 1;
        Ok(Some(n))
    }

    /// Messages waiting.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no message is waiting.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Default for Queue {
    fn default() -> Self {
        Queue::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_come_out_whole_and_in_order() {
        let mut q = Queue::new();
        assert_eq!(q.send(b"one"), Ok(true));
        assert_eq!(q.send(b""), Ok(true));
        assert_eq!(q.send(b"three!"), Ok(true));
        let mut buf = [0u8; 64];
        assert_eq!(q.receive(&mut buf), Ok(Some(3)));
        assert_eq!(&buf[..3], b"one");
        assert_eq!(q.receive(&mut buf), Ok(Some(0)));
        assert_eq!(q.receive(&mut buf), Ok(Some(6)));
        assert_eq!(&buf[..6], b"three!");
        assert_eq!(q.receive(&mut buf), Ok(None));
    }

    #[test]
    fn a_full_queue_would_block_and_wraps_around_intact() {
        let mut q = Queue::new();
        for i in 0..MQ_MESSAGES {
            assert_eq!(q.send(&[i as u8]), Ok(true));
        }
        assert_eq!(q.send(b"x"), Ok(false));
        let mut b = [0u8; 1];
        for round in 0..3 * MQ_MESSAGES {
            assert_eq!(q.receive(&mut b), Ok(Some(1)));
            assert_eq!(b[0], (round % 256) as u8);
            assert_eq!(q.send(&[(round + MQ_MESSAGES) as u8]), Ok(true));
        }
        assert_eq!(q.len(), MQ_MESSAGES);
    }

    #[test]
    fn too_long_is_emsgsize_and_a_short_buffer_leaves_the_message() {
        let mut q = Queue::new();
        assert_eq!(q.send(&[0; MQ_MSG_MAX + 1]), Err(Errno::MsgSize));
        assert_eq!(q.send(&[7; MQ_MSG_MAX]), Ok(true));
        assert_eq!(q.receive(&mut [0; 10]), Err(Errno::MsgSize));
        assert_eq!(q.len(), 1);
        assert_eq!(q.receive(&mut [0; MQ_MSG_MAX]), Ok(Some(MQ_MSG_MAX)));
    }
}
