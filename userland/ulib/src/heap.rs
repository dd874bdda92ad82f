//! The global allocator: `linked_list_allocator`'s first-fit heap over the region `brk` grows.
//! The heap starts empty at the program's break; an allocation that does not fit grows the break
//! by at least [`GROW_STEP`] and retries, so a program's footprint follows what it uses.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::NonNull;

use abi::layout::PAGE_SIZE;
use linked_list_allocator::Heap;

use crate::sync::Mutex;
use crate::sys;

/// The least the break grows by at a time.
pub const GROW_STEP: usize = 64 * 1024;

struct BrkHeap {
    heap: Heap,
    /// The break: one past the heap's last byte (0 before the first allocation).
    end: usize,
}

impl BrkHeap {
    /// Grows the break so that `layout` fits; false when the kernel refuses.
    fn grow(&mut self, layout: Layout) -> bool {
        let need = (layout.size() + layout.align() + 64).max(GROW_STEP);
        let need = need.next_multiple_of(PAGE_SIZE);
        if self.end == 0 {
            let Ok(start) = sys::brk(0) else { return false };
            let Ok(end) = sys::brk(start + need) else {
                return false;
            };
            if end < start + need {
                return false;
            }
            // Safety: `start..end` is fresh heap memory the kernel just gave us, used by nothing
            // else.
            unsafe { self.heap.init(start as *mut u8, end - start) };
            self.end = end;
        } else {
            match sys::brk(self.end + need) {
                Ok(end) if end >= self.end + need => {
                    // Safety: the bytes from the old break to the new one are fresh heap memory
                    // directly after the heap's top.
                    unsafe { self.heap.extend(end - self.end) };
                    self.end = end;
                }
                _ => return false,
            }
        }
        true
    }
}

/// The allocator `alloc` uses.
pub struct Allocator {
    inner: Mutex<BrkHeap>,
}

#[global_allocator]
static ALLOCATOR: Allocator = Allocator {
    inner: Mutex::new(BrkHeap {
        heap: Heap::empty(),
        end: 0,
    }),
};

// Safety: the heap hands out disjoint blocks of its region with the requested layout, under the lock.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let mut h = self.inner.lock();
        loop {
            if let Ok(p) = h.heap.allocate_first_fit(layout) {
                return p.as_ptr();
            }
            if !h.grow(layout) {
                return core::ptr::null_mut();
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(p) = NonNull::new(ptr) {
            // Safety: `ptr` came from `alloc` with this layout (GlobalAlloc's contract).
            unsafe { self.inner.lock().heap.deallocate(p, layout) };
        }
    }
}

/// The heap's break now (0 before the first allocation).
pub fn end() -> usize {
    ALLOCATOR.inner.lock().end
}
