//! Shared memory between processes (issue 16): two processes that open one name see each other's
//! writes; a futex mutex in the object serialises two processes; bad pointers, names, sizes and
//! handles are refused; an unlinked object lives on while open; and mapping, unmapping, closing
//! and exiting with a mapping held free every frame exactly once (the kernel dies on a double
//! free, and a leak runs a loop through more memory than the machine has into `ENOMEM`).

use alloc::format;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};

use abi::layout::PAGE_SIZE;
use abi::types::limits::{SHM_MAX_BYTES, SHM_NAME_MAX, SHM_OBJECTS};
use ulib::futex::Mutex;
use ulib::shm::{self, Shared};
use ulib::{Errno, raw, sys};

use crate::harness::{BAD_ADDRESSES, Outcome, Test, check, expect_err, ok, reap, spawn_victim};

/// Bytes of the objects the sharing tests use: two pages, so both pages are checked.
const LEN: usize = 2 * PAGE_SIZE;

/// The word the parent writes at offset `at` of the shared object.
fn parent_word(at: usize) -> u32 {
    0x5eed_0000 | at as u32
}

/// The parent fills offsets 0 and `PAGE_SIZE` and the child answers at `+ 4` of each.
fn shm_share() -> Outcome {
    let name = "ut.share";
    let obj = ok(Shared::open(name, LEN), "shm_open + shm_map")?;
    for at in [0, PAGE_SIZE] {
        // Safety: aligned, inside the object, a plain atomic word.
        let w: &AtomicU32 = unsafe { obj.at(at) };
        ensure!(w.load(Ordering::Relaxed) == 0, "a new object is not zeroed");
        w.store(parent_word(at), Ordering::Release);
    }
    let pid = spawn_victim(&["shm_peer", name], None)?;
    let status = reap(pid)?;
    ensure!(status == 0, "the peer saw something else (status {status})");
    for at in [0, PAGE_SIZE] {
        // Safety: as above.
        let w: &AtomicU32 = unsafe { obj.at(at + 4) };
        let got = w.load(Ordering::Acquire);
        ensure!(
            got == !parent_word(at),
            "the peer's answer at {at:#x} is {got:#x}"
        );
    }
    ok(shm::unlink(name), "shm_unlink")?;
    Ok(())
}

/// Victim `shm_peer NAME`: opens and maps object NAME, checks the parent's words and answers
/// with their complements: 0, or 1 if a word is not the parent's.
pub fn peer(args: &[&str]) -> i32 {
    let Some(name) = args.first() else { return 2 };
    let Ok(obj) = Shared::open(name, LEN) else {
        return 3;
    };
    for at in [0, PAGE_SIZE] {
        // Safety: aligned, inside the object, plain atomic words.
        let (w, answer): (&AtomicU32, &AtomicU32) = unsafe { (obj.at(at), obj.at(at + 4)) };
        if w.load(Ordering::Acquire) != parent_word(at) {
            return 1;
        }
        answer.store(!parent_word(at), Ordering::Release);
    }
    0
}

/// Increments per process in the race.
const ROUNDS: u32 = 1000;
/// Where the race's mutex and counter sit in the object (on one page, separate words).
const LOCK_AT: usize = 0;
const COUNT_AT: usize = 64;

/// `ROUNDS` read-yield-write increments of the counter in `obj` under its futex mutex.
fn race(obj: &Shared) {
    // Safety: aligned, inside the object; a Mutex is one atomic word, zero = free.
    let (lock, count): (&Mutex, &AtomicU32) = unsafe { (obj.at(LOCK_AT), obj.at(COUNT_AT)) };
    for i in 0..ROUNDS {
        lock.lock();
        let v = count.load(Ordering::Relaxed);
        if i % 3 == 0 {
            // Let the other process find the lock held and sleep on it in the kernel.
            sys::yield_now();
        }
        count.store(v + 1, Ordering::Relaxed);
        lock.unlock();
    }
}

/// Two processes race on the shared counter: only a mutex whose waiters the other process's
/// wake finds keeps all 2000 increments (and a lost wake hangs a sleeper: the watchdog fails
/// the test).
fn shm_futex_race() -> Outcome {
    let name = "ut.race";
    let obj = ok(Shared::open(name, PAGE_SIZE), "shm_open + shm_map")?;
    let pid = spawn_victim(&["shm_racer", name], None)?;
    race(&obj);
    let status = reap(pid)?;
    ensure!(status == 0, "the racing child failed (status {status})");
    // Safety: as in `race`.
    let got = unsafe { obj.at::<AtomicU32>(COUNT_AT) }.load(Ordering::Acquire);
    ensure!(
        got == 2 * ROUNDS,
        "the counter is {got}, want {}",
        2 * ROUNDS
    );
    ok(shm::unlink(name), "shm_unlink")?;
    Ok(())
}

/// Victim `shm_racer NAME`: races on object NAME's counter: 0 (3 if it cannot map it).
pub fn racer(args: &[&str]) -> i32 {
    let Some(name) = args.first() else { return 2 };
    let Ok(obj) = Shared::open(name, PAGE_SIZE) else {
        return 3;
    };
    race(&obj);
    0
}

/// Victim `shm_foreign HANDLE`: 0 if mapping and closing a handle this process never opened are
/// `EBADF`.
pub fn foreign(args: &[&str]) -> i32 {
    let Some(h) = args.first().and_then(|a| a.parse::<usize>().ok()) else {
        return 2;
    };
    match (shm::map(h), shm::close(h)) {
        (Err(Errno::BadF), Err(Errno::BadF)) => 0,
        _ => 1,
    }
}

/// Victim `shm_holder NAME`: opens and maps object NAME (1 MiB), writes to it and exits
/// holding both: 0 (3 if it cannot).
pub fn holder(args: &[&str]) -> i32 {
    let Some(name) = args.first() else { return 2 };
    let Ok(h) = shm::open(name, SHM_MAX_BYTES) else {
        return 3;
    };
    let Ok(addr) = shm::map(h) else { return 3 };
    // Safety: the object's first word, mapped read-write.
    unsafe { &*(addr as *const AtomicU32) }.store(7, Ordering::Relaxed);
    0
}

fn shm_errors() -> Outcome {
    for &(what, addr) in BAD_ADDRESSES {
        // Safety: the kernel checks the pointer and refuses it.
        let r = check(unsafe { raw::shm_open(addr, 4, PAGE_SIZE) });
        expect_err(
            r,
            Errno::Fault,
            format_args!("shm_open with a name at {what}"),
        )?;
        // Safety: as above.
        let r = check(unsafe { raw::shm_unlink(addr, 4) });
        expect_err(
            r,
            Errno::Fault,
            format_args!("shm_unlink with a name at {what}"),
        )?;
    }
    expect_err(shm::open("", PAGE_SIZE), Errno::Inval, "an empty name")?;
    let long = "n".repeat(SHM_NAME_MAX + 1);
    expect_err(shm::open(&long, PAGE_SIZE), Errno::Inval, "a name too long")?;
    expect_err(shm::open("ut.err", 0), Errno::Inval, "length 0")?;
    expect_err(
        shm::open("ut.err", SHM_MAX_BYTES + 1),
        Errno::Inval,
        "a length above SHM_MAX_BYTES",
    )?;
    let h = ok(shm::open("ut.err", PAGE_SIZE), "shm_open")?;
    expect_err(
        shm::open("ut.err", 2 * PAGE_SIZE),
        Errno::Inval,
        "opening an object with another size",
    )?;
    expect_err(
        shm::map(SHM_OBJECTS + 3),
        Errno::BadF,
        "shm_map of no handle",
    )?;
    expect_err(
        shm::close(SHM_OBJECTS + 3),
        Errno::BadF,
        "shm_close of no handle",
    )?;
    expect_err(
        shm::unlink("ut.none"),
        Errno::NoEnt,
        "shm_unlink of no name",
    )?;
    let arg = format!("{h}");
    let pid = spawn_victim(&["shm_foreign", &arg], None)?;
    ensure!(reap(pid)? == 0, "another process's handle worked there");
    ok(shm::unlink("ut.err"), "shm_unlink")?;
    ok(shm::close(h), "shm_close")?;
    expect_err(shm::map(h), Errno::BadF, "shm_map after shm_close")?;
    // Every slot taken: the next new name is ENOSPC, and all come back.
    let mut names = Vec::new();
    let full = loop {
        let name = format!("ut.fill{}", names.len());
        match shm::open(&name, PAGE_SIZE) {
            Ok(h) => names.push((name, h)),
            Err(e) => break e,
        }
        ensure!(names.len() <= SHM_OBJECTS, "more than SHM_OBJECTS objects");
    };
    ensure!(
        full == Errno::NoSpc,
        "a full table is {full:?}, want ENOSPC"
    );
    for (name, h) in &names {
        ok(shm::unlink(name), "shm_unlink")?;
        ok(shm::close(*h), "shm_close")?;
    }
    let h = ok(
        shm::open("ut.after", PAGE_SIZE),
        "shm_open once all are gone",
    )?;
    ok(shm::unlink("ut.after"), "shm_unlink")?;
    ok(shm::close(h), "shm_close")?;
    Ok(())
}

/// `shm_unlink` removes the name only: the open handle still maps the old object with its data,
/// and the name opens a fresh one.
fn shm_map_after_unlink() -> Outcome {
    let name = "ut.unlinked";
    let old = ok(shm::open(name, PAGE_SIZE), "shm_open")?;
    let a = ok(shm::map(old), "shm_map")?;
    // Safety: the object's first word, mapped read-write.
    unsafe { &*(a as *const AtomicU32) }.store(42, Ordering::Relaxed);
    ok(shm::unlink(name), "shm_unlink")?;
    expect_err(shm::unlink(name), Errno::NoEnt, "a second shm_unlink")?;
    let b = ok(shm::map(old), "shm_map after shm_unlink")?;
    ensure!(a != b, "two mappings at one address");
    // Safety: as above, the second mapping.
    let seen = unsafe { &*(b as *const AtomicU32) }.load(Ordering::Relaxed);
    ensure!(
        seen == 42,
        "the second mapping shows {seen}, not the first's 42"
    );
    let new = ok(shm::open(name, PAGE_SIZE), "shm_open of the name again")?;
    ensure!(new != old, "the unlinked object came back");
    let c = ok(shm::map(new), "shm_map of the new object")?;
    // Safety: as above.
    let fresh = unsafe { &*(c as *const AtomicU32) }.load(Ordering::Relaxed);
    ensure!(fresh == 0, "the new object is not zeroed: {fresh}");
    ok(shm::close(old), "shm_close of the old object")?;
    // The old object is gone, its frames live while mapped: both mappings still agree.
    // Safety: as above.
    unsafe { &*(b as *const AtomicU32) }.store(43, Ordering::Relaxed);
    // Safety: as above.
    let seen = unsafe { &*(a as *const AtomicU32) }.load(Ordering::Relaxed);
    ensure!(seen == 43, "after shm_close the mappings differ");
    for addr in [a, b, c] {
        // Safety: nothing uses these mappings any more.
        ok(unsafe { sys::munmap(addr, PAGE_SIZE) }, "munmap")?;
    }
    ok(shm::unlink(name), "shm_unlink of the new object")?;
    ok(shm::close(new), "shm_close of the new object")?;
    Ok(())
}

/// Rounds of the leak test: each makes and frees a 1 MiB object, 130 MiB in all — more than the
/// default machine's RAM, so frames that were not given back run out. Each of the three orders
/// of letting go has at least 26 rounds: `lab/tests/shm.rs` runs the test on a 32 MiB machine,
/// where a leak on any one of them alone runs out.
const LEAK_ROUNDS: usize = 130;

fn shm_no_leak() -> Outcome {
    let name = "ut.leak";
    for i in 0..LEAK_ROUNDS {
        let h = ok(
            shm::open(name, SHM_MAX_BYTES),
            format_args!("shm_open, round {i}"),
        )?;
        let a = ok(shm::map(h), format_args!("shm_map, round {i}"))?;
        // Touch the first and last pages.
        for at in [a, a + SHM_MAX_BYTES - PAGE_SIZE] {
            // Safety: inside the mapping.
            unsafe { &*(at as *const AtomicU32) }.store(i as u32, Ordering::Relaxed);
        }
        match if i % 5 == 4 { 2 } else { i % 2 } {
            // Unmap, then close and unlink.
            0 => {
                // Safety: nothing uses the mapping any more.
                ok(unsafe { sys::munmap(a, SHM_MAX_BYTES) }, "munmap")?;
                ok(shm::close(h), "shm_close")?;
                ok(shm::unlink(name), "shm_unlink")?;
            }
            // Unlink and close first: the mapping alone keeps the frames until munmap.
            1 => {
                ok(shm::unlink(name), "shm_unlink")?;
                ok(shm::close(h), "shm_close")?;
                // Safety: nothing uses the mapping any more.
                ok(unsafe { sys::munmap(a, SHM_MAX_BYTES) }, "munmap")?;
            }
            // A child maps it too and exits holding its mapping and its open.
            _ => {
                let pid = spawn_victim(&["shm_holder", name], None)?;
                ensure!(reap(pid)? == 0, "the holder could not map the object");
                // Safety: inside the mapping.
                let seen = unsafe { &*(a as *const AtomicU32) }.load(Ordering::Relaxed);
                ensure!(seen == 7, "the holder's write is not seen");
                // Safety: nothing uses the mapping any more.
                ok(unsafe { sys::munmap(a, SHM_MAX_BYTES) }, "munmap")?;
                ok(shm::unlink(name), "shm_unlink")?;
                ok(shm::close(h), "shm_close")?;
            }
        }
    }
    Ok(())
}

/// The tests.
pub const TESTS: &[Test] = &[
    Test {
        name: "shm_share",
        question: "Do two processes that open one shared-memory name see each other's writes, \
                   on both of its pages, starting from zero?",
        run: shm_share,
    },
    Test {
        name: "shm_futex_race",
        question: "Do 2 processes x 1000 read-yield-write increments under a futex mutex in \
                   shared memory give exactly 2000?",
        run: shm_futex_race,
    },
    Test {
        name: "shm_errors",
        question: "Are bad name pointers EFAULT, bad names and sizes EINVAL, foreign or closed \
                   handles EBADF, a missing name ENOENT, a full table ENOSPC?",
        run: shm_errors,
    },
    Test {
        name: "shm_map_after_unlink",
        question: "After shm_unlink, does the open handle still map the old data while the \
                   name opens a fresh zeroed object?",
        run: shm_map_after_unlink,
    },
    Test {
        name: "shm_no_leak",
        question: "Do 130 rounds of a 1 MiB object mapped, unmapped, closed, unlinked in every \
                   order and held by exiting children fit in RAM (no frame leaks or is freed \
                   twice)?",
        run: shm_no_leak,
    },
];
