//! [`Global`]: a kernel global on a single hart whose kernel runs with interrupts off.
//!
//! Nothing preempts the kernel, so mutual exclusion is only about re-entrancy: a borrow flag
//! turns an accidental nested borrow (a kernel bug) into a panic with the global's name instead of
//! aliasing `&mut`. The trap path, where no other borrow can exist, skips the flag
//! ([`Global::trap_borrow`]).

use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicBool, Ordering};

/// A named global cell, borrowed with [`Global::lock`].
pub struct Global<T> {
    name: &'static str,
    busy: AtomicBool,
    value: UnsafeCell<T>,
}

// Safety: one hart, kernel code not preempted; the borrow flag rules out two live `&mut T`.
unsafe impl<T> Sync for Global<T> {}

impl<T> Global<T> {
    /// A global named `name` (for the panic message) holding `value`.
    pub const fn new(name: &'static str, value: T) -> Global<T> {
        Global {
            name,
            busy: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Borrows the value; panics if it is borrowed already.
    ///
    /// A plain load and store of the flag, no atomic read-modify-write and no fence: the only
    /// other party that could borrow is this hart's own kernel code, re-entered (never an
    /// interrupt, never another hart), which sees its own stores in program order. On the path
    /// of every trap: a load, a branch and a store, where a byte swap (a masked word AMO on
    /// RV64IMAC) and a release fence cost twice as many instructions.
    #[inline]
    pub fn lock(&self) -> GlobalGuard<'_, T> {
        if self.busy.load(Ordering::Relaxed) {
            self.twice();
        }
        self.busy.store(true, Ordering::Relaxed);
        GlobalGuard { global: self }
    }

    /// The value, for the trap path: the one borrow a trap from U-mode takes, without the flag.
    ///
    /// No load, branch or store of the flag on the path of every system call and message (five
    /// instructions in each kernel). In debug builds the flag is still checked.
    ///
    /// # Safety
    /// The caller is the kernel's trap handler, entered for a trap from U-mode: no kernel code was
    /// running, so no other borrow of this global exists (S-mode runs with interrupts off, so
    /// none can start), and the caller does not borrow it again (with [`Global::lock`] or this)
    /// before it resumes a thread. Every kernel keeps that rule by borrowing its kernel global
    /// only at boot ([`Global::lock`]), at the first switch and at trap entry.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn trap_borrow(&self) -> &mut T {
        debug_assert!(
            !self.busy.load(Ordering::Relaxed),
            "kernel global `{}` borrowed on trap entry",
            self.name
        );
        // Safety: the caller's promise: no other reference to the value exists.
        unsafe { &mut *self.value.get() }
    }

    #[cold]
    #[inline(never)]
    fn twice(&self) -> ! {
        panic!("kernel global `{}` borrowed twice", self.name);
    }
}

/// A borrow of a [`Global`]; released on drop.
pub struct GlobalGuard<'a, T> {
    global: &'a Global<T>,
}

impl<T> Deref for GlobalGuard<'_, T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        // Safety: the flag is ours until drop, so no other reference exists.
        unsafe { &*self.global.value.get() }
    }
}

impl<T> DerefMut for GlobalGuard<'_, T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        // Safety: as in `deref`; `&mut self` makes this the only live borrow through the guard.
        unsafe { &mut *self.global.value.get() }
    }
}

impl<T> Drop for GlobalGuard<'_, T> {
    #[inline(always)]
    fn drop(&mut self) {
        self.global.busy.store(false, Ordering::Relaxed);
    }
}
