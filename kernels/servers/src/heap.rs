//! The global allocator: `linked_list_allocator`'s first-fit heap over the whole server heap
//! region [`HEAP_BASE`]..[`HEAP_END`]. Servers have no `brk`: the kernel maps a heap page on the
//! first touch, so a server's footprint follows what it uses. The heap's spin lock is never
//! contended (servers are single-threaded); it only makes the static `Sync`. The heap outlives a
//! restart of its server (`crate::rt`).

use abi::layout::server::{HEAP_BASE, HEAP_END};
use linked_list_allocator::LockedHeap;

#[global_allocator]
static HEAP: LockedHeap = LockedHeap::empty();

/// Hands the heap region to the allocator; `_start` calls it at the first start, before
/// anything allocates.
pub(crate) fn init() {
    // Safety: `HEAP_BASE..HEAP_END` is this server's heap region (`abi::layout::server`), used
    // by nothing else; the kernel maps its pages on first touch.
    unsafe { HEAP.lock().init(HEAP_BASE as *mut u8, HEAP_END - HEAP_BASE) };
}

/// After a restart: the heap stays as the previous instance left it (its blocks hold the state
/// the new one takes over); only its lock is released, in case the instance failed inside the
/// allocator.
pub(crate) fn reclaim() {
    if HEAP.is_locked() {
        // Safety: the server is single-threaded and its previous thread is gone, so nobody
        // holds the lock any more; the allocator's lists are as that thread left them.
        unsafe { HEAP.force_unlock() };
    }
}
