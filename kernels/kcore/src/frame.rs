//! The physical frame allocator: a free list threaded through the free frames themselves (each
//! free frame's first word holds the next one's address), and a frame table with one byte per
//! frame of RAM saying what the frame is — free, outside the pool, or in use and mapped in user
//! page tables so many times. Frames come out zeroed. RAM is mapped 1:1, so a frame's physical
//! address is also where the kernel reads and writes it.
//!
//! The table makes the allocator's invariants checked rather than hoped for (issue 13): a frame on
//! the free list is never mapped, and a frame is freed only once nothing maps it. `vm` counts every
//! leaf PTE it writes or clears ([`FrameAllocator::note_map`], [`FrameAllocator::note_unmap`],
//! [`FrameAllocator::unmap_and_free`]); allocating a frame the table does not call free, freeing
//! one that is free or still mapped, mapping a free frame or a pool frame that is mapped already,
//! and unmapping one that is not mapped are kernel bugs, and each panics with a line naming the
//! frame and what was wrong — before the free list (threaded through the frames) or another
//! process's memory is corrupted. One byte load and store per map, unmap, alloc and free. The table
//! (32 KiB for 128 MiB) lives in RAM set aside at boot (`boot`), not on the kernel heap.
//!
//! Frames outside the pool (the kernel image, heap, DTB, initrd, devices) may be mapped (a
//! server's UART page, the initrd) and are neither counted nor freed.
//!
//! Shared user pages (shared-memory objects, issue 16) are the one case of a pool frame mapped
//! more than once: the object's holder maps it first ([`FrameAllocator::note_map`]: on `mono`
//! the kernel's object table counts as that mapping, on `micro` the memory server's own page),
//! each further mapping is [`FrameAllocator::note_share`], and whoever unmaps last frees it.

use core::ops::Range;

/// Bytes in a frame.
pub const FRAME_SIZE: usize = 4096;
/// log2 of [`FRAME_SIZE`].
const FRAME_SHIFT: u32 = FRAME_SIZE.trailing_zeros();

/// Frame-table entry of a frame on the free list.
const FREE: u8 = u8::MAX;
/// Frame-table entry of a frame the allocator does not own.
const OUTSIDE: u8 = u8::MAX - 1;
/// Most user mappings of one frame the table can count.
const MAX_MAPPINGS: u8 = u8::MAX - 2;

/// What the frame table says of a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameState {
    /// On the free list.
    Free,
    /// Not the allocator's (or outside RAM).
    Outside,
    /// Allocated, and mapped in user page tables this many times (0: a page table, or a frame
    /// being set up or given back).
    Used(u8),
}

/// The free frames, and what every frame of RAM is.
pub struct FrameAllocator {
    /// The first free frame (0: none).
    head: usize,
    free: usize,
    total: usize,
    /// The first frame the table describes.
    base: usize,
    /// One entry per frame from `base`: [`FREE`], [`OUTSIDE`] or a mapping count.
    table: &'static mut [u8],
}

impl FrameAllocator {
    /// Bytes of frame table that [`new`](Self::new) needs for `ram`: one per frame.
    pub fn table_bytes(ram: Range<usize>) -> usize {
        ram.end
            .saturating_sub(ram.start & !(FRAME_SIZE - 1))
            .div_ceil(FRAME_SIZE)
    }

    /// An allocator with no frames, whose frame table covers `ram` (every frame outside the
    /// pool until [`add`](Self::add) gives it). The table lives at `table_at`, RAM set aside at
    /// boot (not the kernel heap, whose layout stays what it was without the table).
    ///
    /// # Safety
    /// `table_at..table_at + table_bytes(ram)` is RAM that nothing else uses, now or later (and
    /// that is never given to [`add`](Self::add)).
    pub unsafe fn new(ram: Range<usize>, table_at: usize) -> FrameAllocator {
        let base = ram.start & !(FRAME_SIZE - 1);
        let len = Self::table_bytes(ram);
        // Safety: the caller gives us these bytes for good; RAM is mapped 1:1.
        let table = unsafe { core::slice::from_raw_parts_mut(table_at as *mut u8, len) };
        table.fill(OUTSIDE);
        FrameAllocator {
            head: 0,
            free: 0,
            total: 0,
            base,
            table,
        }
    }

    /// Adds every whole frame of `range` (which must lie in the RAM given to [`new`](Self::new);
    /// frames beyond it are left out).
    ///
    /// # Safety
    /// The range must be RAM that nothing else uses, now or later.
    pub unsafe fn add(&mut self, range: Range<usize>) {
        let start = range.start.next_multiple_of(FRAME_SIZE);
        let end = range.end & !(FRAME_SIZE - 1);
        // Pushed from the top so that allocation hands out ascending addresses.
        let mut frame = end;
        while frame >= start + FRAME_SIZE {
            frame -= FRAME_SIZE;
            let Some(e) = self.entry(frame) else {
                continue;
            };
            *e = FREE;
            // Safety: the caller gives us the frame.
            unsafe { self.push(frame) };
            self.total += 1;
        }
    }

    /// The frame table's entry for the frame holding `pa`, if the table describes it (one
    /// subtraction, one shift, one bounds check: this is on the page-fault path).
    #[inline(always)]
    fn entry(&mut self, pa: usize) -> Option<&mut u8> {
        self.table
            .get_mut(pa.wrapping_sub(self.base) >> FRAME_SHIFT)
    }

    /// What the table says of the frame holding `pa`.
    pub fn state(&self, pa: usize) -> FrameState {
        match self
            .table
            .get(pa.wrapping_sub(self.base) >> FRAME_SHIFT)
            .copied()
        {
            None | Some(OUTSIDE) => FrameState::Outside,
            Some(FREE) => FrameState::Free,
            Some(n) => FrameState::Used(n),
        }
    }

    /// # Safety
    /// `frame` is a free, unused frame.
    unsafe fn push(&mut self, frame: usize) {
        // Safety: the frame is ours and mapped 1:1.
        unsafe { (frame as *mut usize).write(self.head) };
        self.head = frame;
        self.free += 1;
    }

    /// A zeroed frame, or None when RAM is exhausted.
    pub fn alloc(&mut self) -> Option<usize> {
        if self.head == 0 {
            return None;
        }
        let frame = self.head;
        match self.entry(frame) {
            Some(e) if *e == FREE => *e = 0,
            _ => violation(frame, "is on the free list but not free", self.state(frame)),
        }
        // Safety: `frame` is on the free list and free, so it is ours; its first word links the
        // list.
        unsafe {
            self.head = (frame as *const usize).read();
            core::ptr::write_bytes(frame as *mut u8, 0, FRAME_SIZE);
        }
        self.free -= 1;
        Some(frame)
    }

    /// Gives a frame back. Panics (a kernel bug) if the frame is free already, not the pool's,
    /// or still mapped.
    ///
    /// # Safety
    /// `frame` came from [`alloc`](Self::alloc) and nothing uses it any more (no mapping, no
    /// pointer).
    pub unsafe fn free(&mut self, frame: usize) {
        let aligned = frame.is_multiple_of(FRAME_SIZE);
        match self.entry(frame) {
            Some(e) if aligned && *e == 0 => *e = FREE,
            _ => violation(frame, "is freed", self.state(frame)),
        }
        // Safety: forwarded to the caller; the table says nothing maps it.
        unsafe { self.push(frame) };
    }

    /// Counts a new user mapping of the frame at `pa`, which must be a pool frame in use that no
    /// page table maps yet (or a frame outside the pool, which is not counted). Panics
    /// otherwise: a kernel bug.
    #[inline]
    pub fn note_map(&mut self, pa: usize) {
        if let Some(e) = self.entry(pa) {
            match *e {
                0 => *e = 1,
                OUTSIDE => {}
                _ => violation(pa, "is mapped", self.state(pa)),
            }
        }
    }

    /// Counts one more mapping of the pool frame at `pa`, which must be mapped already (a
    /// shared page). `false`, nothing counted, if the frame is not the pool's, not mapped, or
    /// mapped the most times the table can count: the caller refuses the mapping.
    #[inline]
    pub fn note_share(&mut self, pa: usize) -> bool {
        match self.entry(pa) {
            Some(e) if (1..MAX_MAPPINGS).contains(e) => {
                *e += 1;
                true
            }
            _ => false,
        }
    }

    /// Counts a user mapping of the frame at `pa` gone; returns the mappings left (0 for a
    /// frame outside the pool). Panics if the frame was not mapped: a kernel bug.
    #[inline]
    pub fn note_unmap(&mut self, pa: usize) -> u8 {
        let Some(e) = self.entry(pa) else {
            return 0;
        };
        match *e {
            n @ 1..=MAX_MAPPINGS => {
                *e = n - 1;
                n - 1
            }
            OUTSIDE => 0,
            _ => violation(pa, "is unmapped", self.state(pa)),
        }
    }

    /// Unmaps a user page of frame `pa` and frees the frame if that was its last mapping;
    /// whether it was freed (a frame outside the pool never is). Panics if the frame was not
    /// mapped.
    #[inline]
    pub fn unmap_and_free(&mut self, pa: usize) -> bool {
        let Some(e) = self.entry(pa) else {
            return false;
        };
        match *e {
            1 => {
                *e = 0;
                // Safety: the table says the page just unmapped was the frame's only mapping,
                // and the frame is the pool's.
                unsafe { self.free(pa) };
                true
            }
            n @ 2..=MAX_MAPPINGS => {
                *e = n - 1;
                false
            }
            OUTSIDE => false,
            _ => violation(pa, "is unmapped", self.state(pa)),
        }
    }

    /// Free frames.
    pub fn free_count(&self) -> usize {
        self.free
    }

    /// Frames managed in all.
    pub fn total(&self) -> usize {
        self.total
    }
}

/// Reports a broken frame invariant and stops the kernel: going on would hand one process's
/// memory to another or corrupt the free list.
#[cold]
#[inline(never)]
fn violation(frame: usize, what: &str, state: FrameState) -> ! {
    match state {
        FrameState::Free => panic!("frame invariant broken: frame {frame:#x} {what} while free"),
        FrameState::Outside => {
            panic!("frame invariant broken: frame {frame:#x} {what} but is not the pool's")
        }
        FrameState::Used(n) => {
            panic!("frame invariant broken: frame {frame:#x} {what} while in use, mapped {n} times")
        }
    }
}
