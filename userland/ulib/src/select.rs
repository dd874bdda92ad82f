//! `select` over `poll`: descriptor sets as bitmaps, turned into a `PollFd` array, polled, and
//! turned back. It is a library function, not a system call: the kernels offer `poll` only, so
//! `select` costs what `poll` costs plus building and reading the array (O(highest fd)).

use abi::Errno;
use abi::types::limits::FDS;
use abi::types::{PollFd, poll};
use alloc::vec::Vec;

/// Words of an [`FdSet`].
const WORDS: usize = FDS.div_ceil(64);

/// A set of descriptors below `abi::types::limits::FDS`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FdSet {
    bits: [u64; WORDS],
}

impl FdSet {
    /// The empty set.
    pub const fn new() -> FdSet {
        FdSet { bits: [0; WORDS] }
    }

    /// Adds `fd` (ignored at or past `FDS`).
    pub fn insert(&mut self, fd: usize) {
        if fd < FDS {
            self.bits[fd / 64] |= 1 << (fd % 64);
        }
    }

    /// Whether `fd` is in the set.
    pub fn contains(&self, fd: usize) -> bool {
        fd < FDS && self.bits[fd / 64] & (1 << (fd % 64)) != 0
    }

    /// Empties the set.
    pub fn clear(&mut self) {
        self.bits = [0; WORDS];
    }

    /// The descriptors in the set, lowest first.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..FDS).filter(|&fd| self.contains(fd))
    }
}

/// `select(read, write, timeout_ns)`: leaves in `read` the descriptors a read would not block
/// on (data, end of file) and in `write` those a write would not block on (or would fail at
/// once); returns how many descriptors are left in either. `EBADF` if a descriptor is not open.
/// `timeout_ns` as `sys::poll`'s. `fds` is the caller's scratch array, reused between calls.
pub fn select(
    read: &mut FdSet,
    write: &mut FdSet,
    timeout_ns: usize,
    fds: &mut Vec<PollFd>,
) -> Result<usize, Errno> {
    fds.clear();
    for fd in 0..FDS {
        let mut events = 0;
        if read.contains(fd) {
            events |= poll::IN;
        }
        if write.contains(fd) {
            events |= poll::OUT;
        }
        if events != 0 {
            fds.push(PollFd {
                fd: fd as i32,
                events,
                revents: 0,
            });
        }
    }
    crate::sys::poll(fds, timeout_ns)?;
    read.clear();
    write.clear();
    let mut n = 0;
    for p in fds.iter() {
        if p.revents & poll::NVAL != 0 {
            return Err(Errno::BadF);
        }
        let fd = p.fd as usize;
        let r = p.revents & (poll::IN | poll::HUP) != 0 && p.events & poll::IN != 0;
        let w = p.revents & (poll::OUT | poll::ERR) != 0 && p.events & poll::OUT != 0;
        if r {
            read.insert(fd);
        }
        if w {
            write.insert(fd);
        }
        if r || w {
            n += 1;
        }
    }
    Ok(n)
}
