//! Threads: each gets a [`STACK_SIZE`] stack from `mmap` with an unmapped guard page below it,
//! starts in [`trampoline`], runs its function and ends with its value as status. Joining
//! returns the status and gives the stack back — the stack only: the guard page was given back
//! when the thread was made, and by the time it is joined that address may belong to a region
//! someone else has mapped since (issue 13: unmapping it again took a page out of another
//! thread's region, whose next touch then landed in whatever was mapped there next).

use alloc::boxed::Box;

use abi::Errno;
use abi::layout::PAGE_SIZE;
use abi::types::prot;

use crate::raw;
use crate::sys;

/// Bytes of stack per thread.
pub const STACK_SIZE: usize = 64 * 1024;

/// What a new thread runs.
struct Start {
    f: fn(usize) -> i32,
    arg: usize,
}

/// A running (or ended, not yet joined) thread.
#[must_use = "a thread that is never joined keeps its stack"]
pub struct Thread {
    tid: usize,
    /// The lowest address of the stack proper (just above the guard page).
    stack: usize,
}

impl Thread {
    /// The thread id.
    pub fn id(&self) -> usize {
        self.tid
    }

    /// Waits for the thread to end; its status.
    pub fn join(self) -> Result<i32, Errno> {
        let status = sys::thread_join(self.tid)?;
        // Safety: the thread has ended, so nothing uses its stack any more; the guard page
        // below it is not ours to unmap (it was given back at `spawn`).
        unsafe { sys::munmap(self.stack, STACK_SIZE)? };
        Ok(status)
    }
}

/// Starts a thread running `f(arg)`.
pub fn spawn(f: fn(usize) -> i32, arg: usize) -> Result<Thread, Errno> {
    let base = sys::mmap(STACK_SIZE + PAGE_SIZE, prot::READ | prot::WRITE)?;
    // The lowest page becomes the guard: an overflow faults instead of scribbling.
    // Safety: nothing uses the fresh mapping yet.
    unsafe { sys::munmap(base, PAGE_SIZE)? };
    let start = Box::into_raw(Box::new(Start { f, arg }));
    let top = base + PAGE_SIZE + STACK_SIZE;
    // Safety: `trampoline` takes ownership of `start`; the stack is ours and unused.
    let ret = unsafe { raw::thread_spawn(trampoline as *const () as usize, start as usize, top) };
    match Errno::check(ret) {
        Ok(tid) => Ok(Thread {
            tid,
            stack: base + PAGE_SIZE,
        }),
        Err(e) => {
            // Safety: the thread never started, so `start` is still ours, and so is the stack.
            unsafe {
                drop(Box::from_raw(start));
                let _ = sys::munmap(base + PAGE_SIZE, STACK_SIZE);
            }
            Err(e)
        }
    }
}

/// Where a new thread begins: `a0` is the `Start` that `spawn` leaked for it.
extern "C" fn trampoline(start: usize) -> ! {
    // Safety: `spawn` passed a `Box<Start>` turned into a raw pointer, used only here.
    let start = unsafe { Box::from_raw(start as *mut Start) };
    let status = (start.f)(start.arg);
    sys::thread_exit(status)
}
