//! The global allocator: `linked_list_allocator`'s first-fit heap over the server heap region
//! [`HEAP_BASE`]..[`HEAP_END`], grown on demand. Servers have no `brk`: when a request does not
//! fit, the heap asks the kernel for more pages (`heap_grow`, at least [`GROW_PAGES`] at a time)
//! and tries again; when the kernel has no frames left the allocation fails, so `try_reserve`
//! and friends report `ENOMEM` to the client instead of the server faulting on a page that
//! cannot be had (which would restart it in the middle of an update). A server's footprint
//! follows what it uses, in steps of [`GROW_PAGES`].
//!
//! The heap's spin lock is never contended (servers are single-threaded); it only makes the
//! static `Sync`. The heap outlives a restart of its server (`crate::rt`).

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::{self, NonNull};

use abi::layout::PAGE_SIZE;
use abi::layout::server::{HEAP_BASE, HEAP_END};
use linked_list_allocator::LockedHeap;

use crate::kernel;

/// Pages the heap grows by at least (64 KiB): few kernel calls, little unused memory.
pub const GROW_PAGES: usize = 16;

/// The server's heap.
struct GrowingHeap(LockedHeap);

#[global_allocator]
static HEAP: GrowingHeap = GrowingHeap(LockedHeap::empty());

/// Hands the heap's first pages to the allocator; `_start` calls it at the first start, before
/// anything allocates. Without them the server cannot run at all.
pub(crate) fn init() {
    let size = GROW_PAGES * PAGE_SIZE;
    if kernel::heap_grow(HEAP_BASE, HEAP_BASE + size).is_err() {
        crate::rt::crash();
    }
    // Safety: `HEAP_BASE..HEAP_BASE + size` is this server's heap region (`abi::layout::server`),
    // mapped just now and used by nothing else.
    unsafe { HEAP.0.lock().init(HEAP_BASE as *mut u8, size) };
}

/// After a restart: the heap stays as the previous instance left it (its blocks hold the state
/// the new one takes over); only its lock is released, in case the instance failed inside the
/// allocator.
pub(crate) fn reclaim() {
    if HEAP.0.is_locked() {
        // Safety: the server is single-threaded and its previous thread is gone, so nobody
        // holds the lock any more; the allocator's lists are as that thread left them.
        unsafe { HEAP.0.force_unlock() };
    }
}

// Safety: allocation and deallocation go to `linked_list_allocator::Heap` under its lock; the
// heap only ever grows over pages the kernel has just mapped for it.
unsafe impl GlobalAlloc for GrowingHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let mut heap = self.0.lock();
        if let Ok(p) = heap.allocate_first_fit(layout) {
            return p.as_ptr();
        }
        // Enough for the request wherever its alignment puts it, in whole growth steps.
        let need = layout.size().saturating_add(layout.align());
        let by = need.next_multiple_of(PAGE_SIZE).max(GROW_PAGES * PAGE_SIZE);
        let top = heap.top() as usize;
        let Some(end) = top.checked_add(by).filter(|&e| e <= HEAP_END) else {
            return ptr::null_mut();
        };
        if kernel::heap_grow(top, end).is_err() {
            return ptr::null_mut();
        }
        // Safety: `top..end` is mapped now, directly after the heap's last byte, and unused.
        unsafe { heap.extend(by) };
        heap.allocate_first_fit(layout)
            .map_or(ptr::null_mut(), NonNull::as_ptr)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // Safety: the caller's contract: `ptr` came from `alloc` with `layout`.
        unsafe {
            self.0
                .lock()
                .deallocate(NonNull::new_unchecked(ptr), layout)
        };
    }
}
