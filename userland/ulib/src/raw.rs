//! The system-call stubs: one `unsafe fn` per entry of `abi`'s table, taking and returning raw
//! registers (`a0..a5` in, `a0` out: a value or `-errno`). Generated from
//! [`abi::for_each_syscall!`], so a number can never be copied wrong. Use [`crate::sys`] unless
//! the point is to pass what a safe wrapper would not (the bad-pointer tests).

pub use ucall::syscall;

macro_rules! stubs {
    ($( $(#[$doc:meta])* $variant:ident = $nr:literal => $name:ident ( $($arg:ident),* ); )*) => {
        $(
            $(#[$doc])*
            ///
            /// # Safety
            /// Pointer arguments are passed to the kernel unchecked.
            #[inline(always)]
            pub unsafe fn $name($($arg: usize),*) -> isize {
                // Safety: forwarded to the caller.
                unsafe { syscall(abi::Sys::$variant.number(), [$($arg),*]) }
            }
        )*
    };
}

abi::for_each_syscall!(stubs);
