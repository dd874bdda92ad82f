//! Endpoints: rendezvous points, and their ids.
//!
//! An [`EndpointId`] is a slot index in its low [`INDEX_BITS`] and that slot's generation above,
//! as kcore's `ThreadId`: removing an endpoint bumps its slot's generation, so the slot is reused
//! and an old id (kept by a program, or a server) names nothing (`EINVAL`). Slot 0 is never
//! used; slots 1..=[`level::SERVERS`] are the servers' endpoints, which live from boot on and are
//! never removed, so their ids stay the level numbers programs call (generation 0).
//!
//! The table is an array of [`SLOTS`] slots, a power of two, so a lookup by a user's word is a
//! mask, a load and one compare — no bounds check, no tree (the IPC fast path does one per
//! call). Each slot keeps the full id of its live endpoint, and a free slot a word no id of that
//! slot can equal: 0, or `u32::MAX` in slot 0. An id is at most 32 bits; a user's word with
//! higher bits set names nothing.
//!
//! Left out: what IPC does with an endpoint (`ipc`, `fastpath`).

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::fmt;

use abi::Errno;
use abi::ipc::level;

use crate::kernel::{SpaceId, ThreadId};

/// Bits of an [`EndpointId`] that index the table.
pub const INDEX_BITS: u32 = 10;

/// Slots of the table (slot 0 is never used): at most `SLOTS - 1` endpoints live at once.
pub const SLOTS: usize = 1 << INDEX_BITS;

const INDEX_MASK: u64 = SLOTS as u64 - 1;

/// Generations wrap after this many reuses of one slot, so an id fits 32 bits.
const GENERATIONS: u32 = 1 << (32 - INDEX_BITS);

/// An endpoint's id: slot index and generation (see the module note).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(transparent)]
pub struct EndpointId(u64);

impl EndpointId {
    /// The endpoint of the server at `level` (1..=[`level::SERVERS`]).
    #[inline(always)]
    pub const fn server(level: usize) -> EndpointId {
        EndpointId(level as u64)
    }

    /// The id a word names (a program's argument): it may name no endpoint, which every lookup
    /// checks.
    #[inline(always)]
    pub const fn from_raw(raw: u64) -> EndpointId {
        EndpointId(raw)
    }

    /// The id as a number (`ep_create`'s result; what programs pass).
    #[inline(always)]
    pub const fn raw(self) -> u64 {
        self.0
    }

    /// The slot index.
    #[inline(always)]
    pub const fn index(self) -> usize {
        (self.0 & INDEX_MASK) as usize
    }

    /// The server level this is the endpoint of, if it is a server's.
    #[inline(always)]
    pub const fn level(self) -> Option<usize> {
        if self.0 >= 1 && self.0 <= level::SERVERS as u64 {
            Some(self.0 as usize)
        } else {
            None
        }
    }
}

impl fmt::Display for EndpointId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A rendezvous point: one cache line, whatever its fields add up to.
#[derive(Default)]
#[repr(align(64))]
pub struct Endpoint {
    /// The space that may receive on it.
    pub owner: Option<SpaceId>,
    /// Threads waiting to send, in arrival order.
    pub senders: VecDeque<ThreadId>,
    /// The thread waiting to receive.
    pub receiver: Option<ThreadId>,
    /// Pending notification bits (and the kernel's [`crate::inject::CRASH_BIT`]).
    pub bits: u64,
    /// Its server was declared dead: every call to it fails with `EIO`.
    pub dead: bool,
    /// In the table: its id, 0 while its slot is free (`u32::MAX` in slot 0) — never an id of
    /// that slot (so the lookup's one compare also tells a free slot). Set by [`Endpoints`].
    id: u32,
}

/// The endpoints, direct-indexed by [`EndpointId`]. A slot is an [`Endpoint`] (64 bytes, so the
/// index scales with one shift), free ones default.
pub struct Endpoints {
    slots: Box<[Endpoint; SLOTS]>,
    /// The generation each slot's next endpoint gets.
    generations: Vec<u32>,
    /// Free slots above the servers', reused last-freed first (the lowest first at the start).
    free: Vec<u16>,
    /// One past the highest slot ever used: [`Endpoints::owned_by`] looks no further.
    end: usize,
}

impl Endpoints {
    /// An empty table (`ENOMEM` if the kernel heap cannot hold it).
    pub fn new() -> Result<Endpoints, Errno> {
        let mut slots = Vec::new();
        slots.try_reserve_exact(SLOTS).map_err(|_| Errno::NoMem)?;
        slots.resize_with(SLOTS, Endpoint::default);
        slots[0].id = u32::MAX;
        let slots: Box<[Endpoint; SLOTS]> = slots
            .into_boxed_slice()
            .try_into()
            .map_err(|_| Errno::NoMem)?;
        let mut generations = Vec::new();
        generations
            .try_reserve_exact(SLOTS)
            .map_err(|_| Errno::NoMem)?;
        generations.resize(SLOTS, 0);
        let mut free = Vec::new();
        free.try_reserve_exact(SLOTS).map_err(|_| Errno::NoMem)?;
        free.extend((level::SERVERS + 1..SLOTS).rev().map(|i| i as u16));
        Ok(Endpoints {
            slots,
            generations,
            free,
            end: level::SERVERS + 1,
        })
    }

    /// Endpoint `ep`, if it lives.
    #[inline(always)]
    pub fn get(&self, ep: EndpointId) -> Option<&Endpoint> {
        let e = &self.slots[ep.index()];
        (e.id as u64 == ep.0).then_some(e)
    }

    /// Endpoint `ep`, if it lives.
    #[inline(always)]
    pub fn get_mut(&mut self, ep: EndpointId) -> Option<&mut Endpoint> {
        let e = &mut self.slots[ep.index()];
        if e.id as u64 != ep.0 {
            return None;
        }
        Some(e)
    }

    /// Whether endpoint `ep` lives.
    pub fn contains(&self, ep: EndpointId) -> bool {
        self.get(ep).is_some()
    }

    /// The endpoint of the server at `level` (which exists from boot on), made if needed.
    pub fn server(&mut self, level: usize) -> &mut Endpoint {
        let e = &mut self.slots[level & INDEX_MASK as usize];
        e.id = EndpointId::server(level).0 as u32;
        e
    }

    /// A new endpoint that `owner` receives on: its id (`EAGAIN` if every slot is in use).
    pub fn create(&mut self, owner: SpaceId) -> Result<EndpointId, Errno> {
        let index = self.free.pop().ok_or(Errno::Again)? as usize;
        let id = self.generations[index] << INDEX_BITS | index as u32;
        self.slots[index] = Endpoint {
            owner: Some(owner),
            id,
            ..Endpoint::default()
        };
        self.end = self.end.max(index + 1);
        Ok(EndpointId(id as u64))
    }

    /// Takes endpoint `ep` out; its slot's next endpoint gets a new id. A server's endpoint
    /// is never removed (its id is its level).
    pub fn remove(&mut self, ep: EndpointId) -> Option<Endpoint> {
        if ep.level().is_some() || !self.contains(ep) {
            return None;
        }
        let index = ep.index();
        self.generations[index] = (self.generations[index] + 1) % GENERATIONS;
        // Reserved for every slot at `new`, so this never allocates.
        self.free.push(index as u16);
        Some(core::mem::take(&mut self.slots[index]))
    }

    /// The ids of the endpoints `owner` owns.
    pub fn owned_by(&self, owner: SpaceId) -> Vec<EndpointId> {
        self.slots[1..self.end]
            .iter()
            .filter(|e| e.id != 0 && e.owner == Some(owner))
            .map(|e| EndpointId(e.id as u64))
            .collect()
    }
}

// The table's index scales with one shift.
const _: () = assert!(core::mem::size_of::<Endpoint>() == 64);
