//! Memory: brk and mmap up to the point where the kernel says ENOMEM — which must come, and
//! come as an error rather than a hang or a death — then everything given back and usable
//! again; the heap's fixed limit; fresh memory reading as zero.
//!
//! The brk tests move the break behind `ulib`'s allocator and put it back before anything
//! allocates (the allocator grows from its own notion of the end, so it never sees the gap).

use abi::layout::{HEAP_LIMIT, MMAP_BASE, MMAP_LIMIT, PAGE_SIZE, PROGRAM_BASE, USER_TOP};
use abi::types::prot;
use ulib::{Errno, sys};

use crate::harness::{Outcome, Test, expect_err, ok};

/// How much brk and mmap ask for at a time.
const CHUNK: usize = 1 << 20;
/// Most mmap chunks there is room for, and one more.
const MAX_MAPS: usize = (MMAP_LIMIT - MMAP_BASE) / CHUNK + 1;

/// Writes `value` to the first word of each page of `addr..addr + len` and reads it back.
///
/// # Safety
/// The range must be this process's writable memory that nothing else uses.
unsafe fn touch(addr: usize, len: usize, value: u64) -> Outcome {
    for page in (addr..addr + len).step_by(PAGE_SIZE) {
        let p = page as *mut u64;
        // Safety: the caller's contract.
        let (before, after) = unsafe {
            let before = p.read_volatile();
            p.write_volatile(value);
            (before, p.read_volatile())
        };
        ensure!(before == 0, "fresh memory did not read as zero");
        ensure!(after == value, "memory did not keep what was written");
    }
    Ok(())
}

fn brk_limit() -> Outcome {
    let start = ok(sys::brk(0), "brk(0)")?;
    expect_err(
        sys::brk(HEAP_LIMIT + PAGE_SIZE),
        Errno::NoMem,
        "brk beyond HEAP_LIMIT",
    )?;
    expect_err(
        sys::brk(USER_TOP),
        Errno::NoMem,
        "brk to the top of user memory",
    )?;
    expect_err(sys::brk(usize::MAX), Errno::NoMem, "brk(usize::MAX)")?;
    let into_image = sys::brk(PROGRAM_BASE);
    ensure!(
        into_image.is_err() || into_image == Ok(start),
        "brk into the program was obeyed"
    );
    ensure!(
        sys::brk(0) == Ok(start),
        "refused brk calls moved the break"
    );
    Ok(())
}

fn brk_oom() -> Outcome {
    let start = ok(sys::brk(0), "brk(0)")?;
    let mut end = start;
    let mut refusal = None;
    for _ in 0..(HEAP_LIMIT - start) / CHUNK + 2 {
        match sys::brk(end + CHUNK) {
            Ok(e) if e == end + CHUNK => end = e,
            other => {
                refusal = Some(other);
                break;
            }
        }
    }
    let back = sys::brk(start);
    ensure!(
        back == Ok(start),
        "brk back to the start: {}",
        crate::harness::show(&back)
    );
    match refusal {
        Some(Err(Errno::NoMem)) => {}
        Some(r) => {
            return Err(alloc::format!(
                "growing brk ended with {}, want ENOMEM",
                crate::harness::show(&r)
            ));
        }
        None => return Err("brk never refused, up to HEAP_LIMIT".into()),
    }
    ensure!(end > start, "brk could not grow by even 1 MiB");
    // Memory given back and taken again must be fresh.
    let page = start.next_multiple_of(PAGE_SIZE);
    for round in 0..2 {
        ensure!(
            sys::brk(page + 16 * PAGE_SIZE).is_ok(),
            "brk grow after ENOMEM (round {round})"
        );
        // Safety: the pages are above the allocator's end, ours alone.
        unsafe { touch(page, 16 * PAGE_SIZE, 0x5a5a)? };
        ensure!(sys::brk(start) == Ok(start), "brk shrink (round {round})");
    }
    Ok(())
}

/// Maps `CHUNK`s until mmap refuses; how many, and how it refused (`Ok` if it never did).
fn map_all(maps: &mut [usize; MAX_MAPS]) -> (usize, Result<(), Errno>) {
    for (n, slot) in maps.iter_mut().enumerate() {
        match sys::mmap(CHUNK, prot::READ | prot::WRITE) {
            Ok(a) => *slot = a,
            Err(e) => return (n, Err(e)),
        }
    }
    (MAX_MAPS, Ok(()))
}

/// Unmaps the first `n` chunks; whether each unmapping worked.
fn unmap_all(maps: &[usize]) -> bool {
    // Safety: these chunks were mapped by `map_all` and only looked at.
    maps.iter()
        .all(|&a| unsafe { sys::munmap(a, CHUNK) }.is_ok())
}

fn mmap_oom() -> Outcome {
    let mut maps = [0usize; MAX_MAPS];
    let (n, end) = map_all(&mut maps);
    let placed = maps[..n]
        .iter()
        .all(|&a| a % PAGE_SIZE == 0 && a >= MMAP_BASE && a + CHUNK <= MMAP_LIMIT);
    let mut sorted = maps;
    sorted[..n].sort_unstable();
    let disjoint = sorted[..n].windows(2).all(|w| w[0] + CHUNK <= w[1]);
    let unmapped = unmap_all(&maps[..n]);
    let (again, _) = map_all(&mut maps);
    let unmapped_again = unmap_all(&maps[..again]);
    // Everything is given back now, so a failure below can allocate its reason.
    expect_err(end, Errno::NoMem, "mmap until it refuses")?;
    ensure!(n > 0, "mmap could not map even 1 MiB");
    ensure!(
        placed,
        "mmap returned an address outside MMAP_BASE..MMAP_LIMIT or unaligned"
    );
    ensure!(disjoint, "mmap returned overlapping regions");
    ensure!(
        unmapped && unmapped_again,
        "munmap of a mapped chunk failed"
    );
    ensure!(
        again == n,
        "after munmap of all {n} chunks only {again} fitted again"
    );
    let a = ok(
        sys::mmap(CHUNK, prot::READ | prot::WRITE),
        "mmap after munmap",
    )?;
    // Safety: fresh mapping of ours.
    unsafe { touch(a, 4 * PAGE_SIZE, 7)? };
    // Safety: done with it.
    ok(unsafe { sys::munmap(a, CHUNK) }, "munmap")
}

fn mmap_basic() -> Outcome {
    let a = ok(
        sys::mmap(3 * PAGE_SIZE, prot::READ | prot::WRITE),
        "mmap 3 pages",
    )?;
    ensure!(a % PAGE_SIZE == 0, "mmap returned an unaligned address");
    // Safety: the mapping is ours.
    unsafe { touch(a, 3 * PAGE_SIZE, 0x1234)? };
    // Safety: nothing uses the middle page afterwards.
    ok(
        unsafe { sys::munmap(a + PAGE_SIZE, PAGE_SIZE) },
        "munmap the middle page",
    )?;
    for page in [a, a + 2 * PAGE_SIZE] {
        // Safety: the outer pages stay mapped.
        let v = unsafe { (page as *const u64).read_volatile() };
        ensure!(v == 0x1234, "unmapping one page changed its neighbours");
    }
    let b = ok(
        sys::mmap(PAGE_SIZE, prot::READ | prot::WRITE),
        "mmap 1 page",
    )?;
    // Safety: a fresh mapping of ours (perhaps where the middle page was).
    unsafe { touch(b, PAGE_SIZE, 99)? };
    // Safety: done with all three (b may sit where the middle page was).
    unsafe {
        ok(sys::munmap(a, PAGE_SIZE), "munmap the first page")?;
        ok(
            sys::munmap(a + 2 * PAGE_SIZE, PAGE_SIZE),
            "munmap the last page",
        )?;
        ok(sys::munmap(b, PAGE_SIZE), "munmap")
    }
}

/// The tests.
pub const TESTS: &[Test] = &[
    Test {
        name: "brk_limit",
        question: "Is brk beyond HEAP_LIMIT (or absurd) ENOMEM, leaving the break where it was?",
        run: brk_limit,
    },
    Test {
        name: "brk_oom",
        question: "Does a growing brk end in ENOMEM, and is memory given back fresh when retaken?",
        run: brk_oom,
    },
    Test {
        name: "mmap_oom",
        question: "Does mmap end in ENOMEM, and after munmap of all of it does as much fit again?",
        run: mmap_oom,
    },
    Test {
        name: "mmap_basic",
        question: "Is mapped memory zero and usable, and does a partial munmap spare the rest?",
        run: mmap_basic,
    },
];
