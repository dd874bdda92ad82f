//! The IPC message layout of the microkernel (DESIGN.md §3): synchronous rendezvous with short
//! messages in registers and bulk data in leases of the sender's memory.
//!
//! In registers, at `call`, `recv`, `reply` and `reply_recv`:
//! ```text
//! a0  capability / endpoint (call, reply_recv: where to; recv: which endpoint)
//! a1  tag: label (bits 0..32) | words (bits 32..36) | leases (bits 36..40)
//! a2..a5  message words 0..3 (MAX_WORDS)
//! a6  pointer to `leases` Lease descriptors, when the tag says there are any
//! ```

/// Message words carried in registers.
pub const MAX_WORDS: usize = 4;
/// Leases one message may carry.
pub const MAX_LEASES: usize = 4;

/// The tag register: what a message is and how much of it there is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(transparent)]
pub struct Tag(pub u64);

impl Tag {
    /// A tag with `label`, `words` register words and `leases` leases (each clamped to its maximum).
    pub const fn new(label: u32, words: usize, leases: usize) -> Tag {
        let w = if words > MAX_WORDS { MAX_WORDS } else { words };
        let l = if leases > MAX_LEASES {
            MAX_LEASES
        } else {
            leases
        };
        Tag(label as u64 | (w as u64) << 32 | (l as u64) << 36)
    }

    /// The label: the operation a request asks for, or a reply's status.
    pub const fn label(self) -> u32 {
        self.0 as u32
    }

    /// Message words in `a2..`.
    pub const fn words(self) -> usize {
        ((self.0 >> 32) & 0xf) as usize
    }

    /// Leases at `a6`.
    pub const fn leases(self) -> usize {
        ((self.0 >> 36) & 0xf) as usize
    }
}

/// Lease access bits.
pub mod lease {
    /// The receiver may read the leased bytes.
    pub const READ: u64 = 1;
    /// The receiver may write the leased bytes.
    pub const WRITE: u64 = 2;
}

/// A lease: the receiver may copy from or to this part of the sender's memory until it replies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct Lease {
    /// User virtual address in the sender.
    pub addr: u64,
    /// Length in bytes.
    pub len: u64,
    /// [`lease`] bits.
    pub access: u64,
}
