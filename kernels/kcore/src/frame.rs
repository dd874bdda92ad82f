//! The physical frame allocator: a free list threaded through the free frames themselves (each
//! free frame's first word holds the next one's address). Frames come out zeroed. RAM is mapped
//! 1:1, so a frame's physical address is also where the kernel reads and writes it.

use core::ops::Range;

/// Bytes in a frame.
pub const FRAME_SIZE: usize = 4096;

/// The free frames.
pub struct FrameAllocator {
    /// The first free frame (0: none).
    head: usize,
    free: usize,
    total: usize,
}

impl FrameAllocator {
    /// An allocator with no frames.
    pub const fn new() -> FrameAllocator {
        FrameAllocator {
            head: 0,
            free: 0,
            total: 0,
        }
    }

    /// Adds every whole frame of `range`.
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
            // Safety: the caller gives us the frame.
            unsafe { self.push(frame) };
            self.total += 1;
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
        // Safety: `frame` is on the free list, so it is ours; its first word links the list.
        unsafe {
            self.head = (frame as *const usize).read();
            core::ptr::write_bytes(frame as *mut u8, 0, FRAME_SIZE);
        }
        self.free -= 1;
        Some(frame)
    }

    /// Gives a frame back.
    ///
    /// # Safety
    /// `frame` came from [`alloc`](Self::alloc) and nothing uses it any more (no mapping, no
    /// pointer).
    pub unsafe fn free(&mut self, frame: usize) {
        debug_assert_eq!(frame % FRAME_SIZE, 0);
        // Safety: forwarded to the caller.
        unsafe { self.push(frame) };
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

impl Default for FrameAllocator {
    fn default() -> Self {
        Self::new()
    }
}
