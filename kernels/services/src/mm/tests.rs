//! Tests of the memory policy, each headed by the question it asks.

// `munmap` answers with a list of page ranges; a list holding one range is what some tests expect.
#![allow(clippy::single_range_in_vec_init)]

use super::*;
use abi::layout::{PROGRAM_BASE, STACK_GUARD, STACK_SIZE};
use alloc::vec;

const P: usize = PAGE_SIZE;
const STACK_PAGES: usize = STACK_SIZE / PAGE_SIZE;

/// A process whose image is text (RX, 2 pages) then data (RW, 1 page and a bit).
fn vm(max_pages: usize) -> Vm {
    let data_end = PROGRAM_BASE + 3 * P + 100;
    let mut vm = Vm::new(data_end, max_pages);
    vm.add_image(PROGRAM_BASE, PROGRAM_BASE + 2 * P, Perms::RX)
        .unwrap();
    vm.add_image(PROGRAM_BASE + 2 * P, data_end, Perms::RW)
        .unwrap();
    vm
}

#[test]
fn a_new_address_space_has_an_empty_heap_after_the_image_and_a_committed_stack() {
    let vm = vm(1000);
    assert_eq!(vm.heap_start(), PROGRAM_BASE + 4 * P);
    assert_eq!(vm.brk(), vm.heap_start());
    assert_eq!(vm.committed_pages(), STACK_PAGES + 4);
    let kinds: Vec<_> = vm.regions().map(|r| (r.start, r.kind)).collect();
    assert_eq!(
        kinds,
        [
            (PROGRAM_BASE, RegionKind::Image),
            (PROGRAM_BASE + 2 * P, RegionKind::Image),
            (STACK_BASE, RegionKind::Stack)
        ]
    );
}

#[test]
fn brk_zero_asks_without_changing_anything() {
    let mut vm = vm(1000);
    let hs = vm.heap_start();
    assert_eq!(vm.set_brk(0), Ok((hs, None)));
    assert_eq!(vm.committed_pages(), STACK_PAGES + 4);
}

#[test]
fn brk_grows_by_pages_returns_the_exact_end_and_shrinking_returns_pages_to_unmap() {
    let mut vm = vm(1000);
    let hs = vm.heap_start();
    let base = vm.committed_pages();
    assert_eq!(vm.set_brk(hs + 1), Ok((hs + 1, None)));
    assert_eq!(vm.committed_pages(), base + 1);
    assert_eq!(vm.set_brk(hs + 3 * P), Ok((hs + 3 * P, None)));
    assert_eq!(vm.committed_pages(), base + 3);
    assert_eq!(vm.brk(), hs + 3 * P);
    assert_eq!(vm.fault(hs + 3 * P - 1, Access::Write), Some(Perms::RW));
    assert_eq!(vm.fault(hs + 3 * P, Access::Write), None);
    assert_eq!(vm.set_brk(hs + 10), Ok((hs + 10, Some(hs + P..hs + 3 * P))));
    assert_eq!(vm.committed_pages(), base + 1);
    assert_eq!(
        vm.set_brk(hs + 20),
        Ok((hs + 20, None)),
        "same page: nothing to map or unmap"
    );
    assert_eq!(vm.set_brk(hs), Ok((hs, Some(hs..hs + P))));
    assert_eq!(vm.committed_pages(), base);
    assert_eq!(vm.fault(hs, Access::Read), None);
}

#[test]
fn brk_below_the_heap_or_beyond_its_limit_is_enomem_and_changes_nothing() {
    let mut vm = vm(usize::MAX);
    let hs = vm.heap_start();
    assert_eq!(vm.set_brk(hs - 1), Err(Errno::NoMem));
    assert_eq!(vm.set_brk(HEAP_LIMIT + 1), Err(Errno::NoMem));
    assert_eq!(vm.set_brk(usize::MAX), Err(Errno::NoMem));
    assert_eq!(vm.brk(), hs);
    assert_eq!(
        vm.set_brk(HEAP_LIMIT),
        Ok((HEAP_LIMIT, None)),
        "the whole heap area is allowed"
    );
}

#[test]
fn brk_past_the_commit_limit_is_enomem() {
    let mut vm = vm(STACK_PAGES + 4 + 2);
    let hs = vm.heap_start();
    assert_eq!(vm.set_brk(hs + 3 * P), Err(Errno::NoMem));
    assert_eq!(vm.brk(), hs);
    assert_eq!(vm.set_brk(hs + 2 * P), Ok((hs + 2 * P, None)));
}

#[test]
fn mmap_is_first_fit_from_mmap_base_and_reuses_holes() {
    let mut vm = vm(10_000);
    let a = vm.mmap(2 * P, prot::READ | prot::WRITE).unwrap();
    let b = vm.mmap(1, prot::READ).unwrap();
    let c = vm.mmap(P, prot::READ).unwrap();
    assert_eq!((a, b, c), (MMAP_BASE, MMAP_BASE + 2 * P, MMAP_BASE + 3 * P));
    vm.munmap(a, 2 * P).unwrap();
    assert_eq!(
        vm.mmap(3 * P, prot::READ),
        Ok(MMAP_BASE + 4 * P),
        "too big for the hole"
    );
    assert_eq!(
        vm.mmap(P, prot::READ),
        Ok(MMAP_BASE),
        "the first hole that fits"
    );
    assert_eq!(vm.mmap(P, prot::READ), Ok(MMAP_BASE + P));
}

#[test]
fn mmap_runs_out_of_room_at_mmap_limit() {
    let mut vm = vm(usize::MAX);
    let all = MMAP_LIMIT - MMAP_BASE;
    assert_eq!(vm.mmap(all, prot::READ), Ok(MMAP_BASE));
    assert_eq!(vm.mmap(1, prot::READ), Err(Errno::NoMem));
    vm.munmap(MMAP_LIMIT - P, P).unwrap();
    assert_eq!(vm.mmap(P, prot::READ), Ok(MMAP_LIMIT - P));
    assert_eq!(
        vm.mmap(usize::MAX, prot::READ),
        Err(Errno::NoMem),
        "rounding up overflows"
    );
}

#[test]
fn mmap_past_the_commit_limit_is_enomem_and_munmap_gives_pages_back() {
    let mut vm = vm(STACK_PAGES + 4 + 3);
    let a = vm.mmap(3 * P, prot::READ).unwrap();
    assert_eq!(vm.mmap(P, prot::READ), Err(Errno::NoMem));
    vm.munmap(a, P).unwrap();
    assert_eq!(vm.mmap(P, prot::READ), Ok(a));
}

#[test]
fn mmap_rejects_a_zero_length_and_unknown_protection_bits() {
    let mut vm = vm(1000);
    assert_eq!(vm.mmap(0, prot::READ), Err(Errno::Inval));
    assert_eq!(vm.mmap(P, 8), Err(Errno::Inval));
    assert_eq!(vm.regions().count(), 3);
}

#[test]
fn mmap_write_implies_read_and_exec_alone_stays_exec_only() {
    let mut vm = vm(1000);
    let w = vm.mmap(P, prot::WRITE).unwrap();
    assert_eq!(vm.region(w).unwrap().perms, Perms::RW);
    let x = vm.mmap(P, prot::EXEC).unwrap();
    assert_eq!(
        vm.fault(x, Access::Execute),
        Some(Perms {
            read: false,
            write: false,
            exec: true
        })
    );
    assert_eq!(vm.fault(x, Access::Read), None);
    let none = vm.mmap(P, 0).unwrap();
    assert_eq!(
        vm.fault(none, Access::Read),
        None,
        "PROT_NONE reserves but allows nothing"
    );
}

#[test]
fn munmap_in_the_middle_splits_a_region_and_returns_only_that_range() {
    let mut vm = vm(1000);
    let a = vm.mmap(4 * P, prot::READ | prot::WRITE).unwrap();
    let before = vm.committed_pages();
    assert_eq!(vm.munmap(a + P, 2 * P), Ok(vec![a + P..a + 3 * P]));
    assert_eq!(vm.committed_pages(), before - 2);
    assert_eq!(vm.region(a).map(|r| (r.start, r.end)), Some((a, a + P)));
    assert_eq!(
        vm.region(a + 3 * P).map(|r| (r.start, r.end)),
        Some((a + 3 * P, a + 4 * P))
    );
    assert_eq!(vm.fault(a + P, Access::Read), None);
    assert_eq!(vm.fault(a + 3 * P, Access::Write), Some(Perms::RW));
}

#[test]
fn munmap_across_regions_and_holes_removes_just_the_mapped_parts() {
    let mut vm = vm(1000);
    let a = vm.mmap(2 * P, prot::READ).unwrap();
    let b = vm.mmap(2 * P, prot::READ).unwrap();
    vm.munmap(a, P).unwrap();
    assert_eq!(
        vm.munmap(a, 3 * P + 1),
        Ok(vec![a + P..b, b..b + 2 * P]),
        "len rounds up to pages"
    );
    assert_eq!(vm.munmap(a, 10 * P), Ok(vec![]), "a range of holes is fine");
    assert_eq!(
        vm.regions().filter(|r| r.kind == RegionKind::Anon).count(),
        0
    );
}

#[test]
fn munmap_rejects_unaligned_empty_overflowing_or_out_of_area_ranges() {
    let mut vm = vm(1000);
    let a = vm.mmap(P, prot::READ).unwrap();
    assert_eq!(vm.munmap(a + 1, P), Err(Errno::Inval));
    assert_eq!(vm.munmap(a, 0), Err(Errno::Inval));
    assert_eq!(vm.munmap(a, usize::MAX), Err(Errno::Inval));
    assert_eq!(vm.munmap(MMAP_BASE - P, 2 * P), Err(Errno::Inval));
    assert_eq!(vm.munmap(MMAP_LIMIT - P, 2 * P), Err(Errno::Inval));
    assert_eq!(
        vm.munmap(STACK_BASE, P),
        Err(Errno::Inval),
        "the stack is not mmap's"
    );
    assert_eq!(vm.munmap(vm.heap_start(), P), Err(Errno::Inval));
    assert!(vm.region(a).is_some(), "a failed munmap changes nothing");
}

#[test]
fn faults_map_demand_zero_pages_only_where_the_access_is_allowed() {
    let mut vm = vm(1000);
    let hs = vm.heap_start();
    vm.set_brk(hs + P).unwrap();
    assert_eq!(vm.fault(hs, Access::Write), Some(Perms::RW));
    assert_eq!(
        vm.fault(hs, Access::Execute),
        None,
        "the heap is not executable"
    );
    assert_eq!(vm.fault(STACK_TOP - 1, Access::Write), Some(Perms::RW));
    assert_eq!(vm.fault(STACK_BASE, Access::Read), Some(Perms::RW));
    assert_eq!(
        vm.fault(STACK_GUARD, Access::Read),
        None,
        "the guard page is never mapped"
    );
    assert_eq!(vm.fault(STACK_BASE - 1, Access::Write), None);
    assert_eq!(
        vm.fault(PROGRAM_BASE, Access::Write),
        None,
        "writing text is a violation"
    );
    assert_eq!(
        vm.fault(PROGRAM_BASE, Access::Execute),
        None,
        "images are mapped eagerly"
    );
    assert_eq!(vm.fault(USER_BASE, Access::Read), None);
    assert_eq!(vm.fault(STACK_TOP, Access::Read), None);
    let ro = vm.mmap(P, prot::READ).unwrap();
    assert_eq!(vm.fault(ro, Access::Read), Some(Perms::R));
    assert_eq!(vm.fault(ro, Access::Write), None);
}

#[test]
fn check_accepts_ranges_across_adjacent_regions_and_refuses_holes_and_overflow() {
    let vm = vm(1000);
    assert!(
        vm.check(PROGRAM_BASE + P, 2 * P, Access::Read),
        "text then data, both readable"
    );
    assert!(
        !vm.check(PROGRAM_BASE + P, 2 * P, Access::Write),
        "text is not writable"
    );
    assert!(vm.check(PROGRAM_BASE + 2 * P, 2 * P, Access::Write));
    assert!(
        !vm.check(PROGRAM_BASE + 2 * P, 2 * P + 1, Access::Write),
        "the empty heap"
    );
    assert!(vm.check(STACK_TOP - 16, 16, Access::Write));
    assert!(!vm.check(STACK_TOP - 16, 17, Access::Write));
    assert!(!vm.check(STACK_BASE - 1, 2, Access::Read), "the guard page");
    assert!(!vm.check(usize::MAX, 2, Access::Read), "wraps around");
    assert!(!vm.check(STACK_TOP - 1, usize::MAX, Access::Read));
    assert!(vm.check(0, 0, Access::Read), "an empty range needs nothing");
}

#[test]
fn image_segments_sharing_a_page_merge_with_the_union_of_permissions() {
    let mut vm = Vm::new(PROGRAM_BASE + 3 * P, 1000);
    vm.add_image(PROGRAM_BASE, PROGRAM_BASE + P + 10, Perms::RX)
        .unwrap();
    vm.add_image(PROGRAM_BASE + P + 100, PROGRAM_BASE + 3 * P, Perms::RW)
        .unwrap();
    assert_eq!(
        vm.committed_pages(),
        STACK_PAGES + 3,
        "the shared page counts once"
    );
    let got: Vec<_> = vm
        .regions()
        .filter(|r| r.kind == RegionKind::Image)
        .map(|r| (r.start, r.perms))
        .collect();
    let rwx = Perms {
        read: true,
        write: true,
        exec: true,
    };
    assert_eq!(
        got,
        [
            (PROGRAM_BASE, Perms::RX),
            (PROGRAM_BASE + P, rwx),
            (PROGRAM_BASE + 2 * P, Perms::RW)
        ]
    );
    assert!(vm.check(PROGRAM_BASE, 3 * P, Access::Read));
}

#[test]
fn image_segments_outside_the_image_area_are_einval() {
    let mut vm = Vm::new(PROGRAM_BASE + P, 1000);
    assert_eq!(
        vm.add_image(PROGRAM_BASE, PROGRAM_BASE + 2 * P, Perms::R),
        Err(Errno::Inval)
    );
    assert_eq!(
        vm.add_image(USER_BASE - P, USER_BASE, Perms::R),
        Err(Errno::Inval)
    );
    assert_eq!(
        vm.add_image(PROGRAM_BASE, PROGRAM_BASE, Perms::R),
        Err(Errno::Inval)
    );
    assert_eq!(
        vm.add_image(PROGRAM_BASE, usize::MAX, Perms::R),
        Err(Errno::Inval)
    );
    assert_eq!(vm.committed_pages(), STACK_PAGES);
}

#[test]
fn an_image_past_the_commit_limit_is_enomem() {
    let mut vm = Vm::new(PROGRAM_BASE + 4 * P, STACK_PAGES + 2);
    assert_eq!(
        vm.add_image(PROGRAM_BASE, PROGRAM_BASE + 4 * P, Perms::R),
        Err(Errno::NoMem)
    );
    assert_eq!(vm.regions().count(), 1);
}

#[test]
fn an_image_end_beyond_the_heap_limit_leaves_an_empty_heap_that_cannot_grow() {
    let mut vm = Vm::new(usize::MAX, usize::MAX);
    assert_eq!(vm.heap_start(), HEAP_LIMIT);
    assert_eq!(vm.set_brk(HEAP_LIMIT + P), Err(Errno::NoMem));
    let a = vm.mmap(P, prot::READ).unwrap();
    assert_eq!(a, MMAP_BASE);
    assert_eq!(
        vm.region(a).map(|r| r.kind),
        Some(RegionKind::Anon),
        "not shadowed by the heap"
    );
    assert_eq!(vm.munmap(a, P), Ok(vec![a..a + P]));
}

/// A SplitMix64 generator for the model test.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[test]
fn random_mmap_and_munmap_agree_with_a_page_model() {
    // Is every page `mmap` hands out one that no live region holds, and does `munmap` give back
    // exactly the live pages of its range, whatever the order of whole, partial and
    // hole-spanning calls? (A range handed out twice is fresh memory that is not fresh.)
    use alloc::collections::BTreeSet;
    for seed in 1..=4u64 {
        let mut rng = seed;
        let mut vm = vm(100_000);
        let mut live: BTreeSet<usize> = BTreeSet::new();
        let mut maps: Vec<(usize, usize)> = Vec::new();
        for step in 0..3000 {
            let r = next(&mut rng);
            if r % 3 != 0 || maps.is_empty() {
                let pages = 1 + (next(&mut rng) % 24) as usize;
                let len = pages * P - (next(&mut rng) % 2) as usize * 100;
                let a = vm.mmap(len, prot::READ | prot::WRITE).unwrap();
                for p in (a..a + pages * P).step_by(P) {
                    assert!(
                        live.insert(p),
                        "seed {seed} step {step}: {p:#x} handed out twice"
                    );
                }
                maps.push((a, pages));
            } else {
                // Part of a region mapped before (maybe unmapped since, maybe merged with
                // neighbours' holes), or a range reaching past it.
                let (a, pages) = maps[(next(&mut rng) % maps.len() as u64) as usize];
                let first = (next(&mut rng) % pages as u64) as usize;
                let count = 1 + (next(&mut rng) % (pages + 4) as u64) as usize;
                let start = a + first * P;
                let removed = vm.munmap(start, count * P).unwrap();
                let want: BTreeSet<usize> = live.range(start..start + count * P).copied().collect();
                let got: BTreeSet<usize> = removed
                    .iter()
                    .flat_map(|r| (r.start..r.end).step_by(P))
                    .collect();
                assert_eq!(
                    got, want,
                    "seed {seed} step {step}: munmap gave back other pages"
                );
                for p in want {
                    live.remove(&p);
                }
            }
            let probe = MMAP_BASE + (next(&mut rng) % 2048) as usize * P;
            assert_eq!(
                vm.fault(probe, Access::Write).is_some(),
                live.contains(&probe),
                "seed {seed} step {step}: fault at {probe:#x}"
            );
        }
    }
}

#[test]
fn a_shared_region_sits_where_mmap_would_is_never_demand_zero_and_munmap_removes_it() {
    let mut vm = vm(100_000);
    let before = vm.committed_pages();
    let a = vm.mmap(P, prot::READ | prot::WRITE).unwrap();
    let s = vm.map_shared(3).unwrap();
    assert_eq!((a, s), (MMAP_BASE, MMAP_BASE + P));
    assert_eq!(vm.committed_pages(), before + 4);
    let r = *vm.region(s + 2 * P).unwrap();
    assert_eq!((r.kind, r.perms), (RegionKind::Shared, Perms::RW));
    // Mapped eagerly by the kernel: a fault there is never answered with a fresh page.
    assert_eq!(vm.fault(s, Access::Write), None);
    assert!(vm.check(s, 3 * P, Access::Write));
    assert_eq!(vm.map_shared(0), Err(Errno::Inval));
    assert_eq!(vm.munmap(s + P, P), Ok(vec![s + P..s + 2 * P]));
    assert_eq!(
        vm.munmap(s, 3 * P),
        Ok(vec![s..s + P, s + 2 * P..s + 3 * P])
    );
    assert_eq!(vm.committed_pages(), before + 1);
    assert!(vm.region(s).is_none());
}
