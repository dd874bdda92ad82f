//! Virtual memory, lmbench's `lat_pagefault` and `lat_mmap` for anonymous memory: the first
//! touch of an `mmap`ed page (op = one page: the fault that gives it a frame) and `mmap` +
//! `munmap` of P untouched pages (op = the pair).

use abi::layout::{MMAP_BASE, MMAP_LIMIT, PAGE_SIZE};
use abi::types::prot;
use ulib::sys;

use super::harness::{Outcome, Report, measure, ok};

/// Pages touched before the measured ones (at most).
const WARMUP_PAGES: u64 = 16;
/// Pairs run before the measured ones (at most).
const WARMUP_MAPS: u64 = 10;
/// The most pages `page-fault` and `mmap` map at once (a process may commit 8192).
const MAX_PAGES: u64 = 4096;

/// The byte written into page `i`: never 0, so a page that was not written shows.
fn mark(i: usize) -> u8 {
    (i % 255) as u8 + 1
}

/// `page-fault`: op = the first write to one page of a fresh mapping. The mapping is made before
/// the measurement and removed after; then every page must hold what was written, and zeros
/// elsewhere.
pub fn page_fault(n: u64, _: &[u64]) -> Outcome<Report> {
    let warm = n.min(WARMUP_PAGES);
    let pages = warm + n;
    ensure!(pages <= MAX_PAGES, "N is {n}, at most {}", MAX_PAGES - warm);
    let pages = pages as usize;
    let len = pages * PAGE_SIZE;
    let base = ok(
        sys::mmap(len, prot::READ | prot::WRITE),
        format_args!("mmap {pages} pages"),
    )?;
    let mut next = 0usize;
    let counts = measure(warm, n, || {
        // Safety: `next < pages`, so the byte is inside the fresh mapping, which nothing else
        // uses.
        unsafe { ((base + next * PAGE_SIZE) as *mut u8).write_volatile(mark(next)) };
        next += 1;
        Ok(())
    })?;
    for i in 0..pages {
        let page = (base + i * PAGE_SIZE) as *const u8;
        // Safety: both bytes are inside the mapping, which is still there.
        let (first, second) = unsafe { (page.read_volatile(), page.add(1).read_volatile()) };
        ensure!(
            first == mark(i) && second == 0,
            "page {i} holds {first}, {second}; want {}, 0",
            mark(i)
        );
    }
    // Safety: the mapping is ours and nothing uses it any more.
    ok(unsafe { sys::munmap(base, len) }, "munmap")?;
    Ok(Report::new(n, counts))
}

/// `mmap P`: op = `mmap` of P pages (read-write, never touched) and `munmap` of them; each
/// address must be page-aligned and in the `mmap` area.
pub fn mmap(n: u64, params: &[u64]) -> Outcome<Report> {
    let pages = params[0];
    ensure!(
        (1..=MAX_PAGES).contains(&pages),
        "P is {pages}, want 1..={MAX_PAGES}"
    );
    let len = pages as usize * PAGE_SIZE;
    let counts = measure(n.min(WARMUP_MAPS), n, || {
        let a = ok(
            sys::mmap(len, prot::READ | prot::WRITE),
            format_args!("mmap {pages} pages"),
        )?;
        ensure!(
            a.is_multiple_of(PAGE_SIZE) && (MMAP_BASE..MMAP_LIMIT).contains(&a),
            "mmap returned {a:#x}, outside the mmap area or not page-aligned"
        );
        // Safety: the mapping was just made here and is never used.
        ok(
            unsafe { sys::munmap(a, len) },
            format_args!("munmap {pages} pages"),
        )
    })?;
    Ok(Report::new(n, counts))
}
