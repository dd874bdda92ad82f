//! The wait index: blocked threads filed by what they wait for, so that waking the waiters of
//! one thing (a pipe, a child, a futex word) visits only them — O(waiters of that thing + the
//! few others hashed to the same bucket), not O(threads).
//!
//! A thread blocked on `b` is filed iff `b.wait_key()` is `Some(k)`; equal waits must give equal
//! keys (the index then only narrows the search, the wake compares waits exactly). Waits with no
//! key — micro's IPC states, which are woken by thread id, never by value — stay out of the
//! index, so the IPC fast path pays one test of the key, not a list update.
//!
//! Each bucket is a FIFO, doubly linked through per-slot links kept here rather than in the
//! thread slots (a hand-off holds two slots borrowed and still updates the index). A wake takes
//! a bucket's matching waiters in the order they blocked, as a wait queue does (seL4's endpoint
//! queues, Linux's wait queues).

use alloc::vec::Vec;

/// What a blocked thread may be woken by value for: a key for the wait index.
pub trait WaitKey {
    /// `Some(key)` if threads blocked on `self` are woken by value (equal waits, equal keys);
    /// `None` if they are only ever woken by thread id.
    fn wait_key(&self) -> Option<usize>;
}

macro_rules! int_keys {
    ($($t:ty),*) => {$(
        impl WaitKey for $t {
            fn wait_key(&self) -> Option<usize> {
                Some(*self as usize)
            }
        }
    )*};
}
int_keys!(u8, u16, u32, u64, usize, i32);

/// How many buckets (a power of two; more than a kernel's typical number of distinct waits).
pub const BUCKETS: usize = 64;

/// "No slot".
pub(crate) const NIL: u16 = 0;

/// "In no bucket".
const NONE: u8 = u8::MAX;

/// One slot's place in the index.
#[derive(Clone, Copy, Debug)]
struct Link {
    next: u16,
    prev: u16,
    bucket: u8,
}

const FREE: Link = Link {
    next: NIL,
    prev: NIL,
    bucket: NONE,
};

/// The buckets and the per-slot links (see the module note).
#[derive(Debug)]
pub struct WaitIndex {
    head: [u16; BUCKETS],
    tail: [u16; BUCKETS],
    links: Vec<Link>,
}

impl Default for WaitIndex {
    fn default() -> Self {
        WaitIndex::new()
    }
}

/// The bucket of `key`: Fibonacci hashing, so consecutive ids and aligned addresses spread.
#[inline(always)]
pub(crate) fn bucket(key: usize) -> usize {
    const PHI: u64 = 0x9e37_79b9_7f4a_7c15;
    ((key as u64).wrapping_mul(PHI) >> (64 - BUCKETS.trailing_zeros())) as usize
}

impl WaitIndex {
    /// An empty index.
    pub const fn new() -> WaitIndex {
        WaitIndex {
            head: [NIL; BUCKETS],
            tail: [NIL; BUCKETS],
            links: Vec::new(),
        }
    }

    /// Room for slots `0..n` (called as the thread table grows; `false` if memory is short).
    pub(crate) fn grow(&mut self, n: usize) -> bool {
        if self.links.len() >= n {
            return true;
        }
        if self.links.try_reserve(n - self.links.len()).is_err() {
            return false;
        }
        self.links.resize(n, FREE);
        true
    }

    /// Files slot `index` under `key`, at the back of its bucket (it must be in none).
    pub(crate) fn file(&mut self, index: usize, key: usize) {
        let b = bucket(key);
        let i = index as u16;
        let tail = self.tail[b];
        self.links[index] = Link {
            next: NIL,
            prev: tail,
            bucket: b as u8,
        };
        if tail == NIL {
            self.head[b] = i;
        } else {
            self.links[tail as usize].next = i;
        }
        self.tail[b] = i;
    }

    /// Takes slot `index` out of its bucket, if it is in one.
    #[inline(always)]
    pub(crate) fn unfile(&mut self, index: usize) {
        let Link { next, prev, bucket } = self.links[index];
        if bucket == NONE {
            return;
        }
        let b = bucket as usize;
        self.links[index] = FREE;
        if prev == NIL {
            self.head[b] = next;
        } else {
            self.links[prev as usize].next = next;
        }
        if next == NIL {
            self.tail[b] = prev;
        } else {
            self.links[next as usize].prev = prev;
        }
    }

    /// The first slot filed in `key`'s bucket (`NIL`: none).
    #[inline(always)]
    pub(crate) fn first(&self, key: usize) -> u16 {
        self.head[bucket(key)]
    }

    /// The slot after `index` in its bucket (`NIL`: the last).
    #[inline(always)]
    pub(crate) fn next(&self, index: usize) -> u16 {
        self.links[index].next
    }

    /// Whether slot `index` is filed, and in which bucket.
    pub(crate) fn bucket_of(&self, index: usize) -> Option<usize> {
        let b = self.links.get(index)?.bucket;
        (b != NONE).then_some(b as usize)
    }

    /// Checks the links (tests, debugging): every bucket a proper list whose members say so.
    pub(crate) fn check(&self) -> usize {
        let mut filed = 0;
        for b in 0..BUCKETS {
            let mut prev = NIL;
            let mut at = self.head[b];
            let mut n = 0;
            while at != NIL {
                let l = self.links[at as usize];
                assert_eq!(
                    l.bucket as usize, b,
                    "slot {at} in bucket {b} says {}",
                    l.bucket
                );
                assert_eq!(l.prev, prev, "slot {at}: broken back link in bucket {b}");
                n += 1;
                assert!(n <= self.links.len(), "cycle in bucket {b}");
                prev = at;
                at = l.next;
            }
            assert_eq!(self.tail[b], prev, "bucket {b}'s tail");
            filed += n;
        }
        let marked = self.links.iter().filter(|l| l.bucket != NONE).count();
        assert_eq!(marked, filed, "slots marked filed but not linked");
        filed
    }
}
