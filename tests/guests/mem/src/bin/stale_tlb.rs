//! stale_tlb: does a translation stay in use after its PTE changes, until `sfence.vma`?
//!
//! M-mode identity-maps the program (Sv39, 4 KiB pages), maps the virtual page `STALE_VA` to a
//! physical page A filled with `PATTERN_A`, and enters S-mode. There, in one assembly sequence,
//! `stale_sequence` reads `STALE_VA` (filling any TLB), rewrites the leaf PTE to point to page B
//! (filled with `PATTERN_B`) without `sfence.vma`, reads it again (the load at the global label
//! `stale_read`), executes `sfence.vma`, and reads it a third time. Prints
//! ```text
//! stale_read pc=0x<address of the load> va=0x<STALE_VA>
//! first=<aaaa|bbbb> before_fence=<aaaa|bbbb> after_fence=<aaaa|bbbb>
//! ```
//! and exits with status 0 whatever `before_fence` shows (both are allowed: a TLB may or may not
//! still hold the old translation; the host test decides what a klab mode must show). It exits with
//! status 1 if `first` is not `aaaa` or `after_fence` not `bbbb` (which no correct machine shows)
//! and 3 on an unexpected trap. The address space is named `stale-tlb`.
#![no_std]
#![no_main]

use core::fmt::Write;
use mem::sv39::{self, PAGE_SIZE};
use mem::{marker, supervisor, Platform, EXIT_WRONG};
use rt::console::Uart;

/// The virtual page whose translation goes stale: 1 GiB, outside the identity-mapped RAM.
const STALE_VA: usize = 0x4000_0000;
/// Every word of page A.
const PATTERN_A: u64 = 0xaaaa_aaaa_aaaa_aaaa;
/// Every word of page B.
const PATTERN_B: u64 = 0xbbbb_bbbb_bbbb_bbbb;

core::arch::global_asm!(
    r#"
    .text
    .balign 4
    .globl stale_sequence
# stale_sequence(a0 = va, a1 = &leaf PTE, a2 = new PTE, a3 = &[u64; 3] for the three values read)
stale_sequence:
    ld t0, 0(a0)            # first read: the walk sees page A
    sd a2, 0(a1)            # repoint the leaf PTE to page B, no sfence.vma
    .globl stale_read
stale_read:
    ld t1, 0(a0)            # page A if the old translation is still in use
    sfence.vma zero, zero
    ld t2, 0(a0)            # page B
    sd t0, 0(a3)
    sd t1, 8(a3)
    sd t2, 16(a3)
    ret
"#
);

unsafe extern "C" {
    fn stale_sequence(va: usize, pte: *mut u64, new_pte: u64, values: *mut [u64; 3]);
    /// The load that may use a stale translation (a code label, not data).
    static stale_read: u8;
}

/// What S-mode needs: the PTE to rewrite and its new value.
struct Stale {
    pte: *mut u64,
    new_pte: u64,
}

/// Called by `rt`'s entry point in M-mode.
#[unsafe(no_mangle)]
pub extern "C" fn main(_hartid: usize, dtb: usize) -> ! {
    let platform = Platform::setup(dtb);
    let mut layout = platform.layout();
    let mut space = platform.identity_space(&mut layout.frames, layout.data_start);
    let [page_a, page_b] = [PATTERN_A, PATTERN_B].map(|pattern| {
        let page = layout.frames.alloc();
        let words = PAGE_SIZE / core::mem::size_of::<u64>();
        // Safety: a fresh frame of PAGE_SIZE bytes, ours alone.
        unsafe { core::slice::from_raw_parts_mut(page as *mut u64, words).fill(pattern) };
        page
    });
    let pte = space.map(&mut layout.frames, STALE_VA, page_a, sv39::RW);
    let stale = Stale {
        pte,
        new_pte: sv39::leaf(page_b, sv39::RW),
    };
    supervisor::enter_supervisor(run, &stale, space.satp())
}

/// In S-mode: the three reads, the report, the exit.
extern "C" fn run(stale: &Stale) -> ! {
    marker::name_space(c"stale-tlb");
    let mut out = Uart::console();
    let mut values = [0u64; 3];
    // Safety: STALE_VA is mapped (to page A), the PTE is in identity-mapped memory, and the new PTE
    // maps page B with the same permissions.
    unsafe { stale_sequence(STALE_VA, stale.pte, stale.new_pte, &mut values) };
    let pc = core::ptr::addr_of!(stale_read) as usize;
    let _ = writeln!(out, "stale_read pc={pc:#x} va={STALE_VA:#x}");
    let [first, before, after] = values.map(name);
    let _ = writeln!(
        out,
        "first={first} before_fence={before} after_fence={after}"
    );
    if values[0] == PATTERN_A && values[2] == PATTERN_B {
        rt::exit(0)
    }
    let _ = writeln!(out, "stale_tlb: wrong values {values:#x?}");
    rt::exit(EXIT_WRONG)
}

/// `aaaa` or `bbbb` for the two patterns, `????` for anything else.
fn name(value: u64) -> &'static str {
    match value {
        PATTERN_A => "aaaa",
        PATTERN_B => "bbbb",
        _ => "????",
    }
}
