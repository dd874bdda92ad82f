//! What every user-mode process starts with, the same for programs (`ulib`) and `micro`'s
//! servers: the `_start` entry ([`entry_point!`]) and the argument vector ([`Args`]).

use abi::types::Str;

/// Defines `_start`, where the kernel starts a process's first thread (sp 16-byte aligned,
/// `a0` = argc, `a1` = argv): it clears the frame pointer and return address, so backtraces
/// end there, and calls `$start(argc, argv)`, which must not return.
#[macro_export]
macro_rules! entry_point {
    ($start:path) => {
        core::arch::global_asm!(
            r#"
    .section .text._start, "ax", @progbits
    .globl _start
_start:
    mv fp, zero
    mv ra, zero
    call {start}
1:  j 1b
"#,
            start = sym $start,
        );
    };
}

/// The argument vector the kernel gave the process: `get(0)` is by convention its name.
#[derive(Clone, Copy, Debug)]
pub struct Args {
    argv: &'static [Str],
}

impl Args {
    /// Wraps the vector the kernel passed.
    ///
    /// # Safety
    /// `argv` must point to `argc` `Str`s whose bytes stay readable and unchanged for the rest of
    /// the process (the kernel puts them at the top of the stack, which `_start` never pops).
    pub unsafe fn from_raw(argc: usize, argv: *const Str) -> Args {
        let argv = if argc == 0 || argv.is_null() {
            &[][..]
        } else {
            // Safety: the caller vouches for `argc` entries at `argv`.
            unsafe { core::slice::from_raw_parts(argv, argc) }
        };
        Args { argv }
    }

    /// How many arguments there are.
    pub fn len(&self) -> usize {
        self.argv.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.argv.is_empty()
    }

    /// Argument `i` as bytes.
    pub fn bytes(&self, i: usize) -> Option<&'static [u8]> {
        let s = self.argv.get(i)?;
        if s.len == 0 {
            return Some(&[]);
        }
        // Safety: `from_raw`'s contract covers every entry's bytes.
        Some(unsafe { core::slice::from_raw_parts(s.ptr as *const u8, s.len as usize) })
    }

    /// Argument `i` as text (`"\u{fffd}"` if it is not UTF-8).
    pub fn get(&self, i: usize) -> Option<&'static str> {
        self.bytes(i)
            .map(|b| core::str::from_utf8(b).unwrap_or("\u{fffd}"))
    }

    /// Every argument as text.
    pub fn iter(&self) -> impl Iterator<Item = &'static str> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}
