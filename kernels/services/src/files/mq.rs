//! Message queues as open files: `mq_open` by name, `mq_send` and `mq_receive` by fd, the
//! messages kept by [`Queue`].
//!
//! - **Names** are their own namespace (like Linux's `/dev/mqueue`, not paths of the file
//!   system): 1 to [`NAME_MAX`] bytes, compared byte for byte. `O_CREAT` makes a missing queue;
//!   without it a missing name is `ENOENT`. At most [`limits::MQ_QUEUES`] exist (`EAGAIN`).
//! - **Lifetime**: a queue lives while an open file refers to it (there is no `mq_unlink`: the
//!   last close removes the name and the messages).
//! - **Blocking**: a send to a full queue waits for `MqWritable`, a receive from an empty one for
//!   `MqReadable`; every send wakes `MqReadable`, every receive `MqWritable`.
//! - Sending or receiving on an fd that is no queue is `EBADF`.

use super::{Files, Object};
use crate::mq::Queue;
use crate::{Error, Pid, Wait, Wakes};
use abi::Errno;
use abi::types::limits;
use abi::types::{NAME_MAX, open};
use alloc::vec::Vec;

/// A queue with its name and the open files referring to it.
#[derive(Debug)]
pub(super) struct Named {
    name: Vec<u8>,
    queue: Queue,
    refs: usize,
}

impl Files<'_> {
    /// `mq_open(name, flags)` for `pid`: a new fd of the queue `name` (rules in the module
    /// note). `EINVAL` for an empty name or flags other than the access mode and `O_CREAT`,
    /// `ENAMETOOLONG` past [`NAME_MAX`].
    pub fn mq_open(&mut self, pid: Pid, name: &[u8], flags: usize) -> Result<usize, Errno> {
        if name.is_empty() || flags & !(open::ACCMODE | open::CREAT) != 0 {
            return Err(Errno::Inval);
        }
        if name.len() > NAME_MAX {
            return Err(Errno::NameTooLong);
        }
        let fd = self.free_fd(pid)?;
        let found = self
            .mqs
            .iter()
            .position(|q| q.as_ref().is_some_and(|q| q.name == name));
        let (q, made) = match found {
            Some(q) => (q, false),
            None if flags & open::CREAT == 0 => return Err(Errno::NoEnt),
            None => {
                let q = match self.mqs.iter().position(Option::is_none) {
                    Some(q) => q,
                    None if self.mqs.len() < limits::MQ_QUEUES => {
                        self.mqs.push(None);
                        self.mqs.len() - 1
                    }
                    None => return Err(Errno::Again),
                };
                self.mqs[q] = Some(Named {
                    name: name.to_vec(),
                    queue: Queue::new(),
                    refs: 0,
                });
                (q, true)
            }
        };
        let id = match self.new_open(Object::Mq(q)) {
            Ok(id) => id,
            Err(e) => {
                if made {
                    self.mqs[q] = None;
                }
                return Err(e);
            }
        };
        if let Some(Some(n)) = self.mqs.get_mut(q) {
            n.refs += 1;
        }
        self.set_fd(pid, fd, id);
        Ok(fd)
    }

    /// `mq_send(fd, msg)` for `pid`: 0, or wait for `MqWritable` while the queue is full.
    pub fn mq_send(
        &mut self,
        pid: Pid,
        fd: usize,
        msg: &[u8],
        wakes: &mut Wakes,
    ) -> Result<usize, Error> {
        let q = self.mq_of(pid, fd)?;
        let named = self.mqs[q].as_mut().ok_or(Errno::BadF)?;
        if named.queue.send(msg)? {
            wakes.push(Wait::MqReadable(q));
            Ok(0)
        } else {
            Err(Error::WouldBlock(Wait::MqWritable(q)))
        }
    }

    /// `mq_receive(fd, buf)` for `pid`: the message's length, or wait for `MqReadable` while
    /// the queue is empty.
    pub fn mq_receive(
        &mut self,
        pid: Pid,
        fd: usize,
        buf: &mut [u8],
        wakes: &mut Wakes,
    ) -> Result<usize, Error> {
        let q = self.mq_of(pid, fd)?;
        let named = self.mqs[q].as_mut().ok_or(Errno::BadF)?;
        match named.queue.receive(buf)? {
            Some(n) => {
                wakes.push(Wait::MqWritable(q));
                Ok(n)
            }
            None => Err(Error::WouldBlock(Wait::MqReadable(q))),
        }
    }

    /// Message queues in use.
    pub fn mqs_in_use(&self) -> usize {
        self.mqs.iter().filter(|q| q.is_some()).count()
    }

    /// The queue `fd` of `pid` refers to (`EBADF` if none).
    fn mq_of(&self, pid: Pid, fd: usize) -> Result<usize, Errno> {
        match self.object(self.open_id(pid, fd)?)? {
            Object::Mq(q) if matches!(self.mqs.get(q), Some(Some(_))) => Ok(q),
            _ => Err(Errno::BadF),
        }
    }

    /// Messages waiting in queue `q` (0 for no queue).
    pub(super) fn mq_len(&self, q: usize) -> usize {
        self.mqs
            .get(q)
            .and_then(Option::as_ref)
            .map_or(0, |n| n.queue.len())
    }

    /// An open file of queue `q` closed: the last one removes it; waiters look again.
    pub(super) fn mq_put(&mut self, q: usize, wakes: &mut Wakes) {
        let Some(Some(n)) = self.mqs.get_mut(q) else {
            return;
        };
        n.refs = n.refs.saturating_sub(1);
        if n.refs == 0 {
            self.mqs[q] = None;
        }
        wakes.push(Wait::MqReadable(q));
        wakes.push(Wait::MqWritable(q));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::Fs;
    use abi::types::kind;

    fn pid(n: usize) -> Pid {
        Pid::from_raw(n).unwrap()
    }

    fn two() -> Files<'static> {
        let mut f = Files::new(Fs::new(64));
        f.new_console_process(pid(1)).unwrap();
        f.spawn(pid(2), pid(1), [-1; 3]).unwrap();
        f
    }

    #[test]
    fn two_processes_opening_one_name_share_one_queue_with_boundaries_kept() {
        let mut f = two();
        assert_eq!(f.mq_open(pid(1), b"q", open::RDWR), Err(Errno::NoEnt));
        let a = f.mq_open(pid(1), b"q", open::RDWR | open::CREAT).unwrap();
        let b = f.mq_open(pid(2), b"q", open::RDWR).unwrap();
        let mut w = Wakes::new();
        assert_eq!(f.mq_send(pid(1), a, b"hello", &mut w), Ok(0));
        assert_eq!(f.mq_send(pid(1), a, b"!", &mut w), Ok(0));
        assert_eq!(w.iter().collect::<Vec<_>>(), [Wait::MqReadable(0)]);
        let mut buf = [0u8; 64];
        assert_eq!(f.mq_receive(pid(2), b, &mut buf, &mut w), Ok(5));
        assert_eq!(&buf[..5], b"hello");
        assert_eq!(f.mq_receive(pid(2), b, &mut buf, &mut w), Ok(1));
        assert_eq!(
            f.mq_receive(pid(2), b, &mut buf, &mut w),
            Err(Error::WouldBlock(Wait::MqReadable(0)))
        );
        assert_eq!(f.kind_of(pid(2), b), Ok(kind::MQUEUE));
    }

    #[test]
    fn a_full_queue_blocks_and_the_last_close_removes_it() {
        let mut f = two();
        let a = f.mq_open(pid(1), b"q", open::CREAT).unwrap();
        let mut w = Wakes::new();
        for _ in 0..limits::MQ_MESSAGES {
            assert_eq!(f.mq_send(pid(1), a, b"x", &mut w), Ok(0));
        }
        assert_eq!(
            f.mq_send(pid(1), a, b"x", &mut w),
            Err(Error::WouldBlock(Wait::MqWritable(0)))
        );
        assert_eq!(f.fstat(pid(1), a).unwrap().size, limits::MQ_MESSAGES as u64);
        let d = f.dup(pid(1), a).unwrap();
        f.close(pid(1), a, &mut w).unwrap();
        assert_eq!(f.mqs_in_use(), 1, "the dup keeps it");
        f.close(pid(1), d, &mut w).unwrap();
        assert_eq!(f.mqs_in_use(), 0);
        assert_eq!(f.mq_open(pid(1), b"q", 0), Err(Errno::NoEnt));
    }

    #[test]
    fn bad_names_flags_and_fds_are_refused() {
        let mut f = two();
        assert_eq!(f.mq_open(pid(1), b"", open::CREAT), Err(Errno::Inval));
        assert_eq!(f.mq_open(pid(1), b"q", open::TRUNC), Err(Errno::Inval));
        let long = [b'n'; NAME_MAX + 1];
        assert_eq!(
            f.mq_open(pid(1), &long, open::CREAT),
            Err(Errno::NameTooLong)
        );
        let mut w = Wakes::new();
        assert_eq!(
            f.mq_send(pid(1), 0, b"x", &mut w),
            Err(Errno::BadF.into()),
            "the console is no queue"
        );
        assert_eq!(f.mq_send(pid(1), 9, b"x", &mut w), Err(Errno::BadF.into()));
        let q = f.mq_open(pid(1), b"q", open::CREAT).unwrap();
        assert_eq!(
            f.read(pid(1), q, &mut [0; 4], &mut w),
            Err(Errno::BadF.into())
        );
        assert_eq!(
            f.mq_send(pid(1), q, &[0; 65], &mut w),
            Err(Errno::MsgSize.into())
        );
        for i in 1..limits::MQ_QUEUES {
            f.mq_open(pid(1 + i % 2), &[b'a' + i as u8], open::CREAT)
                .unwrap();
        }
        assert_eq!(f.mq_open(pid(2), b"z", open::CREAT), Err(Errno::Again));
    }
}
