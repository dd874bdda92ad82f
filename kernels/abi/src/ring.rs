//! The asynchronous IO ring (`ring_setup`, `ring_enter`): a submission queue and a completion
//! queue in one region of the program's memory, which the kernel (`mono`) or the fs server
//! (`micro`, through a lease of the region on every `ring_enter`) reads and writes, io_uring-like.
//!
//! ```text
//! ring ─▶ +0   Header: sq_head sq_tail cq_head cq_tail entries (u32 each, little-endian)
//!         +32  SQ: entries × Sqe (32 bytes)   the program fills slot sq_tail % entries, then
//!                                              bumps sq_tail; the kernel consumes at sq_head
//!         +…   CQ: entries × Cqe (16 bytes)   the kernel fills slot cq_tail % entries, then
//!                                              bumps cq_tail; the program consumes at cq_head
//!         +…   data: the rest of the region   every buffer an Sqe names lies here
//! ```
//!
//! Who writes what: the program writes `sq_tail`, `cq_head` and the SQ slots; the kernel writes
//! `sq_head`, `cq_tail`, `entries` and the CQ slots, and keeps its own copy of `sq_head` and
//! `cq_tail` (what the program writes there is ignored). Counters are free-running `u32`s
//! (`tail - head`, wrapping, is the fill). A buffer outside the data area (a bad pointer) is an
//! `EFAULT` completion: the kernel never touches memory outside the region it was given.
//!
//! Left out: linked entries, timeouts, registered files, and a kernel thread polling the SQ.

/// Bytes of the [`Header`] at the start of the region.
pub const HEADER: usize = 32;
/// Byte offset of `sq_head` in the header.
pub const SQ_HEAD: usize = 0;
/// Byte offset of `sq_tail`.
pub const SQ_TAIL: usize = 4;
/// Byte offset of `cq_head`.
pub const CQ_HEAD: usize = 8;
/// Byte offset of `cq_tail`.
pub const CQ_TAIL: usize = 12;
/// Byte offset of `entries`.
pub const ENTRIES: usize = 16;
/// Most slots of each queue.
pub const MAX_ENTRIES: usize = 128;
/// Most bytes of a ring's region (header, queues and data).
pub const MAX_LEN: usize = 64 * 1024;

/// Operations ([`Sqe::op`]).
pub mod op {
    /// Completes at once with 0.
    pub const NOP: u32 = 0;
    /// `read(fd, addr, len)`: the completion's result is `read`'s.
    pub const READ: u32 = 1;
    /// `write(fd, addr, len)`: the completion's result is `write`'s.
    pub const WRITE: u32 = 2;
}

/// A submission queue entry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sqe {
    /// One of [`op`]; another value completes with `EINVAL`.
    pub op: u32,
    /// The file descriptor.
    pub fd: i32,
    /// The buffer's user address, inside the ring's data area.
    pub addr: u64,
    /// The buffer's length in bytes.
    pub len: u32,
    /// Copied into the completion unchanged.
    pub user_data: u64,
}

impl Sqe {
    /// Bytes of one entry in memory.
    pub const SIZE: usize = 32;

    /// The entry whose bytes are `b` (missing bytes read as 0).
    pub fn decode(b: &[u8]) -> Sqe {
        Sqe {
            op: le(b, 0, 4) as u32,
            fd: le(b, 4, 4) as u32 as i32,
            addr: le(b, 8, 8),
            len: le(b, 16, 4) as u32,
            user_data: le(b, 24, 8),
        }
    }

    /// The entry's bytes.
    pub fn encode(&self) -> [u8; Sqe::SIZE] {
        let mut b = [0; Sqe::SIZE];
        b[0..4].copy_from_slice(&self.op.to_le_bytes());
        b[4..8].copy_from_slice(&self.fd.to_le_bytes());
        b[8..16].copy_from_slice(&self.addr.to_le_bytes());
        b[16..20].copy_from_slice(&self.len.to_le_bytes());
        b[24..32].copy_from_slice(&self.user_data.to_le_bytes());
        b
    }
}

/// A completion queue entry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cqe {
    /// The submission's [`Sqe::user_data`].
    pub user_data: u64,
    /// The result: bytes moved, or `-errno`.
    pub res: i64,
}

impl Cqe {
    /// Bytes of one entry in memory.
    pub const SIZE: usize = 16;

    /// The entry whose bytes are `b` (missing bytes read as 0).
    pub fn decode(b: &[u8]) -> Cqe {
        Cqe {
            user_data: le(b, 0, 8),
            res: le(b, 8, 8) as i64,
        }
    }

    /// The entry's bytes.
    pub fn encode(&self) -> [u8; Cqe::SIZE] {
        let mut b = [0; Cqe::SIZE];
        b[0..8].copy_from_slice(&self.user_data.to_le_bytes());
        b[8..16].copy_from_slice(&self.res.to_le_bytes());
        b
    }
}

/// Byte offset of SQ slot `i` (of a ring with `entries` slots).
pub const fn sq_slot(entries: usize, i: usize) -> usize {
    HEADER + (i % entries) * Sqe::SIZE
}

/// Byte offset of CQ slot `i`.
pub const fn cq_slot(entries: usize, i: usize) -> usize {
    HEADER + entries * Sqe::SIZE + (i % entries) * Cqe::SIZE
}

/// Byte offset of the data area of a ring with `entries` slots.
pub const fn data_start(entries: usize) -> usize {
    HEADER + entries * (Sqe::SIZE + Cqe::SIZE)
}

/// The little-endian number of `n` bytes of `b` at `at` (missing bytes read as 0).
fn le(b: &[u8], at: usize, n: usize) -> u64 {
    (0..n).fold(0, |v, i| {
        v | u64::from(b.get(at + i).copied().unwrap_or(0)) << (8 * i)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_through_their_bytes() {
        let s = Sqe {
            op: op::WRITE,
            fd: -3,
            addr: 0x4000_1234,
            len: 77,
            user_data: u64::MAX - 5,
        };
        assert_eq!(Sqe::decode(&s.encode()), s);
        let c = Cqe {
            user_data: 9,
            res: -14,
        };
        assert_eq!(Cqe::decode(&c.encode()), c);
        assert_eq!(data_start(2), 32 + 2 * 48);
        assert_eq!(cq_slot(4, 5), 32 + 4 * 32 + 16);
    }
}
