//! Thread and address-space ids.
//!
//! A [`ThreadId`] is 32 bits: the slot index in the low [`INDEX_BITS`] (slot 0 is never used, so
//! the low bits of an id are never 0 and no id is 0), the slot's generation above. Removing a
//! thread bumps its slot's generation, so an old id (in a badge, a server's table, a `join`) no
//! longer names anything; the generation wraps after 2^20 reuses of one slot. Being never 0, an
//! id is a `NonZeroU32`, so `Option<ThreadId>` (the current thread, an endpoint's receiver) is
//! one word, tested with one branch.

use core::fmt;
use core::num::NonZeroU32;

/// Bits of a [`ThreadId`] that index the table.
pub const INDEX_BITS: u32 = 12;

/// The most threads a table holds at once (slot 0 is never used).
pub const MAX_THREADS: usize = (1 << INDEX_BITS) - 1;

const INDEX_MASK: u32 = (1 << INDEX_BITS) - 1;

/// A thread's id: slot index and generation (see the module note).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(transparent)]
pub struct ThreadId(NonZeroU32);

impl ThreadId {
    /// The id of slot `index` (1..=[`MAX_THREADS`]) in generation `generation`.
    pub(crate) const fn new(index: usize, generation: u32) -> ThreadId {
        let raw = (index as u32 & INDEX_MASK) | generation << INDEX_BITS;
        match NonZeroU32::new(raw) {
            Some(id) => ThreadId(id),
            None => panic!("slot 0 is never used"),
        }
    }

    /// The id as a number (for badges and the user-visible thread ids); never 0.
    #[inline(always)]
    pub const fn raw(self) -> u32 {
        self.0.get()
    }

    /// The id a number names (from a badge, or a user's argument), `None` for 0: it may name
    /// no thread, which every lookup checks.
    #[inline(always)]
    pub const fn from_raw(raw: u32) -> Option<ThreadId> {
        match NonZeroU32::new(raw) {
            Some(id) => Some(ThreadId(id)),
            None => None,
        }
    }

    /// The slot index.
    #[inline(always)]
    pub const fn index(self) -> usize {
        (self.0.get() & INDEX_MASK) as usize
    }

    /// The slot generation.
    pub const fn generation(self) -> u32 {
        self.0.get() >> INDEX_BITS
    }
}

impl fmt::Display for ThreadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An address space's id, chosen by the kernel (mono: its process's slot in the process table;
/// micro: its space number). The shared switch activates a thread's space when it differs from the active one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(transparent)]
pub struct SpaceId(pub u32);

impl fmt::Display for SpaceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
