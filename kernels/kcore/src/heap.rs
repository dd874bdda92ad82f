//! The kernel heap: `linked_list_allocator` over a region carved out of RAM at boot. The
//! services (file system, pipes, tables) allocate from it; page-sized memory for user space and
//! page tables comes from the frame allocator instead.

use linked_list_allocator::LockedHeap;

#[global_allocator]
static HEAP: LockedHeap = LockedHeap::empty();

/// Hands `start..start + size` to the heap.
///
/// # Safety
/// Call once; the region must be RAM that nothing else uses.
pub unsafe fn init(start: usize, size: usize) {
    // Safety: forwarded to the caller.
    unsafe { HEAP.lock().init(start as *mut u8, size) };
}

/// Bytes in use and in all.
pub fn usage() -> (usize, usize) {
    let h = HEAP.lock();
    (h.used(), h.size())
}
