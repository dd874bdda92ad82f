//! The program's arguments, as `spawn` gave them.

use abi::types::Str;

/// The argument vector: `args.get(0)` is by convention the program's name.
#[derive(Clone, Copy)]
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
