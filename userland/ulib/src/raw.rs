//! The system-call stubs: one `unsafe fn` per entry of `abi`'s table, taking and returning raw
//! registers (`a0..a5` in, `a0` out: a value or `-errno`). Generated from
//! [`abi::for_each_syscall!`], so a number can never be copied wrong. Use [`crate::sys`] unless
//! the point is to pass what a safe wrapper would not (the bad-pointer tests).

use core::arch::asm;

/// Traps into the kernel with `a7 = nr` and the `N` arguments in `a0..`; returns `a0`.
///
/// # Safety
/// The call may read or write memory through pointer arguments, or end the thread: the caller
/// answers for what the arguments mean to the kernel.
#[inline(always)]
pub unsafe fn syscall<const N: usize>(nr: usize, args: [usize; N]) -> isize {
    let a = |i: usize| if i < N { args[i] } else { 0 };
    let ret: isize;
    // Safety: `ecall` transfers to the kernel, which preserves every register but a0 (the ABI in
    // `abi`); memory effects are the caller's contract above.
    unsafe {
        match N {
            0 => asm!("ecall", in("a7") nr, lateout("a0") ret, options(nostack)),
            1 => asm!("ecall", in("a7") nr, inlateout("a0") a(0) => ret, options(nostack)),
            2 => asm!("ecall", in("a7") nr, inlateout("a0") a(0) => ret, in("a1") a(1),
                      options(nostack)),
            3 => asm!("ecall", in("a7") nr, inlateout("a0") a(0) => ret, in("a1") a(1),
                      in("a2") a(2), options(nostack)),
            4 => asm!("ecall", in("a7") nr, inlateout("a0") a(0) => ret, in("a1") a(1),
                      in("a2") a(2), in("a3") a(3), options(nostack)),
            5 => asm!("ecall", in("a7") nr, inlateout("a0") a(0) => ret, in("a1") a(1),
                      in("a2") a(2), in("a3") a(3), in("a4") a(4), options(nostack)),
            _ => asm!("ecall", in("a7") nr, inlateout("a0") a(0) => ret, in("a1") a(1),
                      in("a2") a(2), in("a3") a(3), in("a4") a(4), in("a5") a(5),
                      options(nostack)),
        }
    }
    ret
}

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
