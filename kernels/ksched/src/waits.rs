//! A wait index: members filed by what they wait for, so that a wake-up visits only those
//! waiting on its key (and the few sharing its hash bucket), not every member — O(1) in the
//! number of members for each one woken. [`crate::Threads`] files its threads here (mono's
//! `Wait`s, the futex waiters of both kernels); `services::parked` files a server's parked
//! requests the same way.
//!
//! The lists are intrusive: each member (a thread slot, a parked request) holds its own
//! [`Link`], and the index holds only the two ends of each bucket's list, so filing and unfiling
//! allocate nothing and cost O(1). A bucket's list is in filing order, so walking it gives the
//! members waiting on one key in the order they began to wait (FIFO).
//!
//! ```text
//!   ends[bucket(key)]: head ──► member ──► member ──► member ◄── tail
//!                                (next/prev in each member's Link; NIL ends the list)
//! ```
//!
//! The key is hashed with `core::hash::Hash` and a multiplicative hash (rustc's FxHash), so a
//! `#[derive(Hash)]` enum is a key. The index does not keep the keys: a walk's caller compares
//! each member's own key with the one it looks for (the members of a bucket may wait on other
//! keys of the same hash). Left out: resizing (the bucket count is fixed, [`BUCKETS`]), and any
//! order across buckets.

use core::hash::{Hash, Hasher};

/// Buckets of the index: a power of two, at most 256 (a [`Link`] names its bucket in a byte).
pub const BUCKETS: usize = 64;

/// The bits of a hash that pick its bucket.
const BUCKET_BITS: u32 = BUCKETS.trailing_zeros();

/// "No member" in the links and ends.
const NIL: u16 = u16::MAX;

/// "Not filed" as a link's bucket.
const UNFILED: u8 = u8::MAX;

/// The most members an index can file: a member's number must be below it.
pub const MAX_MEMBERS: usize = NIL as usize;

/// A member's place in its bucket's list (kept by the member: the lists are intrusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    next: u16,
    prev: u16,
    bucket: u8,
}

impl Link {
    /// The link of a member that is filed nowhere.
    pub const UNFILED: Link = Link {
        next: NIL,
        prev: NIL,
        bucket: UNFILED,
    };

    /// Whether its member is filed.
    #[inline(always)]
    pub fn is_filed(&self) -> bool {
        self.bucket != UNFILED
    }
}

impl Default for Link {
    fn default() -> Self {
        Link::UNFILED
    }
}

/// Something an index files: it holds its [`Link`].
pub trait Member {
    /// Its link.
    fn link(&self) -> &Link;
    /// Its link, writable.
    fn link_mut(&mut self) -> &mut Link;
}

/// The ends of one bucket's list.
#[derive(Clone, Copy, Debug)]
struct Ends {
    head: u16,
    tail: u16,
}

/// The index: the ends of every bucket's list (see the module note). Members are numbered by
/// their place in the slice every call passes (a thread's slot, a request's entry).
#[derive(Debug)]
pub struct Waits {
    ends: [Ends; BUCKETS],
}

impl Default for Waits {
    fn default() -> Self {
        Waits::new()
    }
}

/// rustc's FxHash: one rotate, xor and multiply per word.
struct Fx(u64);

impl Fx {
    const SEED: u64 = 0x517c_c1b7_2722_0a95;

    #[inline(always)]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Fx::SEED);
    }
}

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.add(b as u64);
        }
    }

    #[inline(always)]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }

    #[inline(always)]
    fn write_u16(&mut self, i: u16) {
        self.add(i as u64);
    }

    #[inline(always)]
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }

    #[inline(always)]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline(always)]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

/// The bucket of `key`: the high bits of its hash (a multiplicative hash mixes upwards).
#[inline(always)]
pub fn bucket<K: Hash + ?Sized>(key: &K) -> usize {
    let mut h = Fx(0);
    key.hash(&mut h);
    (h.0 >> (u64::BITS - BUCKET_BITS)) as usize
}

impl Waits {
    /// An empty index.
    pub const fn new() -> Waits {
        Waits {
            ends: [Ends {
                head: NIL,
                tail: NIL,
            }; BUCKETS],
        }
    }

    /// Files member `index` under `key`, at the back of its bucket's list. It must not be
    /// filed already, and `index` must be below [`MAX_MEMBERS`] (both checked: a broken caller
    /// panics rather than corrupting the lists).
    #[inline(always)]
    pub fn file<K: Hash + ?Sized, S: Member>(&mut self, members: &mut [S], index: usize, key: &K) {
        let b = bucket(key);
        let i = u16::try_from(index).ok().filter(|&i| i != NIL);
        let i = i.expect("a member's number is below MAX_MEMBERS");
        let tail = self.ends[b].tail;
        {
            let link = members[index].link_mut();
            assert!(!link.is_filed(), "a member is filed already");
            *link = Link {
                next: NIL,
                prev: tail,
                bucket: b as u8,
            };
        }
        if tail == NIL {
            self.ends[b].head = i;
        } else {
            members[tail as usize].link_mut().next = i;
        }
        self.ends[b].tail = i;
    }

    /// Takes member `index` out of its list, if it is filed; whether it was.
    #[inline(always)]
    pub fn unfile<S: Member>(&mut self, members: &mut [S], index: usize) -> bool {
        let link = core::mem::take(members[index].link_mut());
        if !link.is_filed() {
            return false;
        }
        let ends = &mut self.ends[link.bucket as usize];
        if link.prev == NIL {
            ends.head = link.next;
        } else {
            members[link.prev as usize].link_mut().next = link.next;
        }
        if link.next == NIL {
            ends.tail = link.prev;
        } else {
            members[link.next as usize].link_mut().prev = link.prev;
        }
        true
    }

    /// The first member of `key`'s bucket (which may wait on another key of the same hash).
    #[inline(always)]
    pub fn first<K: Hash + ?Sized>(&self, key: &K) -> Option<usize> {
        let head = self.ends[bucket(key)].head;
        (head != NIL).then_some(head as usize)
    }

    /// The member after `index` in its bucket's list. Read it before unfiling `index`: the
    /// walk of a wake-up takes members out as it goes.
    #[inline(always)]
    pub fn next<S: Member>(members: &[S], index: usize) -> Option<usize> {
        let next = members[index].link().next;
        (next != NIL).then_some(next as usize)
    }

    /// Checks that every list is well linked, that its members name its bucket, and that every
    /// filed member is on a list; `key_bucket(member)` is the bucket of what a filed member
    /// waits for, if the caller knows it (`None`: not checked). Panics with what broke (tests,
    /// debugging).
    pub fn check<S: Member>(&self, members: &[S], key_bucket: impl Fn(&S) -> Option<usize>) {
        let mut on_lists = 0;
        for (b, ends) in self.ends.iter().enumerate() {
            let mut prev = NIL;
            let mut at = ends.head;
            while at != NIL {
                let m = &members[at as usize];
                let link = m.link();
                assert_eq!(link.bucket as usize, b, "member {at} on the wrong list");
                if let Some(kb) = key_bucket(m) {
                    assert_eq!(kb, b, "member {at} filed under another key");
                }
                assert_eq!(link.prev, prev, "member {at}: broken back link");
                on_lists += 1;
                assert!(on_lists <= members.len(), "a list has a cycle");
                prev = at;
                at = link.next;
            }
            assert_eq!(ends.tail, prev, "bucket {b}: tail");
        }
        let filed = members.iter().filter(|m| m.link().is_filed()).count();
        assert_eq!(filed, on_lists, "members marked filed but on no list");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    /// A member for the tests: its link and the key it is filed under.
    #[derive(Clone, Copy, Default)]
    struct M {
        link: Link,
        key: u32,
    }

    impl Member for M {
        fn link(&self) -> &Link {
            &self.link
        }
        fn link_mut(&mut self) -> &mut Link {
            &mut self.link
        }
    }

    /// Files `index` under `key`, noting the key in the member.
    fn file(w: &mut Waits, ms: &mut [M], index: usize, key: u32) {
        ms[index].key = key;
        w.file(ms, index, &key);
    }

    /// The members a walk of `key`'s bucket finds waiting on `key`, in list order.
    fn waiting(w: &Waits, ms: &[M], key: u32) -> Vec<usize> {
        let mut v = Vec::new();
        let mut at = w.first(&key);
        while let Some(i) = at {
            at = Waits::next(ms, i);
            if ms[i].key == key {
                v.push(i);
            }
        }
        v
    }

    fn check(w: &Waits, ms: &[M]) {
        w.check(ms, |m| Some(bucket(&m.key)));
    }

    #[test]
    fn does_a_walk_find_the_waiters_of_one_key_in_the_order_they_were_filed() {
        let mut w = Waits::new();
        let mut ms = vec![M::default(); 8];
        for (i, key) in [(5, 1), (2, 2), (7, 1), (0, 1), (3, 2)] {
            file(&mut w, &mut ms, i, key);
        }
        check(&w, &ms);
        assert_eq!(waiting(&w, &ms, 1), [5, 7, 0]);
        assert_eq!(waiting(&w, &ms, 2), [2, 3]);
        assert_eq!(waiting(&w, &ms, 3), Vec::<usize>::new());
    }

    #[test]
    fn does_unfiling_from_the_head_middle_and_tail_keep_the_rest_in_order() {
        let mut w = Waits::new();
        let mut ms = vec![M::default(); 8];
        for i in 0..6 {
            file(&mut w, &mut ms, i, 9);
        }
        assert!(w.unfile(&mut ms, 3));
        assert!(w.unfile(&mut ms, 0));
        assert!(w.unfile(&mut ms, 5));
        assert!(!w.unfile(&mut ms, 5), "unfiled twice");
        assert!(!w.unfile(&mut ms, 7), "never filed");
        check(&w, &ms);
        assert_eq!(waiting(&w, &ms, 9), [1, 2, 4]);
        // Filed again, it goes to the back.
        file(&mut w, &mut ms, 0, 9);
        check(&w, &ms);
        assert_eq!(waiting(&w, &ms, 9), [1, 2, 4, 0]);
    }

    #[test]
    fn does_a_walk_visit_only_its_bucket_not_every_member() {
        // 64 members on 64 keys: a key's walk sees its own waiter and the few of its bucket.
        let mut w = Waits::new();
        let mut ms = vec![M::default(); 64];
        for i in 0..64 {
            file(&mut w, &mut ms, i, i as u32);
        }
        let mut longest = 0;
        for key in 0..64u32 {
            let mut seen = 0;
            let mut at = w.first(&key);
            while let Some(i) = at {
                at = Waits::next(&ms, i);
                seen += 1;
            }
            assert!(seen >= 1);
            longest = longest.max(seen);
        }
        assert!(
            longest <= 6,
            "a bucket holds {longest} of 64 consecutive keys"
        );
    }

    #[test]
    #[should_panic(expected = "filed already")]
    fn is_filing_a_member_twice_refused() {
        let mut w = Waits::new();
        let mut ms = vec![M::default(); 2];
        file(&mut w, &mut ms, 1, 4);
        file(&mut w, &mut ms, 1, 5);
    }

    proptest::proptest! {
        /// Files and unfiles at random, against a model: one `Vec` per key in filing order.
        #[test]
        fn do_random_files_and_unfiles_agree_with_a_list_per_key(
            steps in proptest::collection::vec((0usize..16, 0u32..5, proptest::bool::ANY), 0..200)
        ) {
            let mut w = Waits::new();
            let mut ms = vec![M::default(); 16];
            let mut model: Vec<Vec<usize>> = vec![Vec::new(); 5];
            for (i, key, add) in steps {
                if add && !ms[i].link.is_filed() {
                    file(&mut w, &mut ms, i, key);
                    model[key as usize].push(i);
                } else if !add {
                    let was = ms[i].link.is_filed();
                    proptest::prop_assert_eq!(w.unfile(&mut ms, i), was);
                    for l in &mut model {
                        l.retain(|&x| x != i);
                    }
                }
                check(&w, &ms);
                for key in 0..5u32 {
                    proptest::prop_assert_eq!(waiting(&w, &ms, key), model[key as usize].clone());
                }
            }
        }
    }
}
