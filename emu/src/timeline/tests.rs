use proptest::prelude::*;

use super::*;

const HOME: (u64, u16) = (0x8010_0000, 0);
const PROC: (u64, u16) = (0x8020_0000, 0);

fn stamp(
    boundary: Boundary,
    instructions: u64,
    cycles: u64,
    mode: Privilege,
    space: (u64, u16),
) -> Stamp {
    Stamp {
        boundary,
        instructions,
        cycles,
        tally: Tally {
            walks: instructions / 10,
            l1i_misses: cycles / 50,
            l1d_misses: cycles / 70,
            l2_misses: cycles / 200,
        },
        mode,
        space,
    }
}

fn names(s: (u64, u16)) -> Option<String> {
    match s {
        HOME => Some("bench".into()),
        PROC => Some("proc".into()),
        _ => None,
    }
}

/// A forwarded system call as micro makes it: user, trap, kernel, switch to `proc`, return to
/// the server, its call back, switch home, return to the caller.
fn forwarded_call() -> Vec<Stamp> {
    use Boundary::*;
    use Privilege::{Supervisor as S, User as U};
    vec![
        stamp(OpStart, 1000, 5000, U, HOME),
        stamp(TrapEnter { cause: 8 }, 1010, 5012, U, HOME),
        stamp(TrapTaken, 1010, 5022, S, HOME),
        stamp(SatpWrite, 1100, 5150, S, PROC),
        stamp(SatpDone, 1100, 5170, S, PROC),
        stamp(FenceEnter, 1101, 5171, S, PROC),
        stamp(FenceDone, 1101, 5191, S, PROC),
        stamp(XretEnter, 1150, 5250, S, PROC),
        stamp(XretDone, 1150, 5260, U, PROC),
        stamp(TrapEnter { cause: 8 }, 1200, 5330, U, PROC),
        stamp(TrapTaken, 1200, 5340, S, PROC),
        stamp(SatpWrite, 1260, 5420, S, HOME),
        stamp(SatpDone, 1260, 5440, S, HOME),
        stamp(FenceEnter, 1261, 5441, S, HOME),
        stamp(FenceDone, 1261, 5461, S, HOME),
        stamp(XretEnter, 1300, 5520, S, HOME),
        stamp(XretDone, 1300, 5530, U, HOME),
        stamp(OpEnd, 1305, 5540, U, HOME),
    ]
}

// Does a forwarded call read as a kernel engineer names its phases, in order?
#[test]
fn a_forwarded_call_reads_as_user_trap_kernel_switch_server_and_back() {
    let t = timeline(7, &forwarded_call(), names);
    let labels: Vec<&str> = t.phases.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "user (bench)",
            "trap (ecall from U)",
            "kernel",
            "address-space switch → proc",
            "kernel",
            "sret",
            "server (proc)",
            "trap (ecall from U)",
            "kernel",
            "address-space switch → bench",
            "kernel",
            "sret",
            "user (bench)",
        ]
    );
    let switch = &t.phases[3];
    // The write's charge, the instruction before the fence and the fence: 5150..5191.
    assert_eq!(
        (switch.start_cycle, switch.cycles, switch.instructions),
        (150, 41, 1)
    );
    assert_eq!(t.count(PhaseKind::Switch), 2);
    assert_eq!(t.count(PhaseKind::Server), 1);
    assert_eq!((t.op, t.cycles, t.instructions), (7, 540, 305));
    assert_eq!(t.phases[1].mode, 'S');
    assert_eq!(t.phases[5].mode, 'S');
    assert_eq!(t.phases[6].mode, 'U');
}

// Without ASIDs' fence (a kernel that does not fence), is the switch only the write's charge?
#[test]
fn a_switch_without_a_fence_ends_with_the_write_charge() {
    use Boundary::*;
    use Privilege::Supervisor as S;
    let stamps = vec![
        stamp(OpStart, 0, 0, S, HOME),
        stamp(SatpWrite, 5, 5, S, PROC),
        stamp(SatpDone, 5, 25, S, PROC),
        stamp(OpEnd, 40, 60, S, PROC),
    ];
    let t = timeline(1, &stamps, names);
    let kinds: Vec<PhaseKind> = t.phases.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [PhaseKind::Kernel, PhaseKind::Switch, PhaseKind::Kernel]
    );
    assert_eq!(t.phases[1].cycles, 20);
}

// An unnamed space is shown by its root; a fence on its own is its own phase.
#[test]
fn unnamed_spaces_show_their_root_and_a_lone_fence_is_a_fence() {
    use Boundary::*;
    use Privilege::{Supervisor as S, User as U};
    let other = (0x8030_0000, 0);
    let stamps = vec![
        stamp(OpStart, 0, 0, S, HOME),
        stamp(FenceEnter, 3, 3, S, HOME),
        stamp(FenceDone, 3, 13, S, HOME),
        stamp(XretEnter, 4, 14, S, other),
        stamp(XretDone, 4, 20, U, other),
        stamp(OpEnd, 9, 25, U, other),
    ];
    let t = timeline(1, &stamps, names);
    assert_eq!(t.phases[1].kind, PhaseKind::Fence);
    assert_eq!(t.phases[4].label, "server (root 0x80300000)");
}

// Timer visits to M-mode are named by their cause and run as `machine`.
#[test]
fn a_machine_timer_visit_is_a_trap_machine_and_mret() {
    use Boundary::*;
    use Privilege::{Machine as M, User as U};
    let stamps = vec![
        stamp(OpStart, 0, 0, U, HOME),
        stamp(TrapEnter { cause: 7 | 1 << 63 }, 2, 2, U, HOME),
        stamp(TrapTaken, 2, 12, M, HOME),
        stamp(XretEnter, 30, 40, M, HOME),
        stamp(XretDone, 30, 50, U, HOME),
        stamp(OpEnd, 31, 51, U, HOME),
    ];
    let t = timeline(1, &stamps, names);
    let labels: Vec<&str> = t.phases.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "user (bench)",
            "trap (M timer interrupt)",
            "machine",
            "mret",
            "user (bench)"
        ]
    );
    assert_eq!(t.phases[1].mode, 'M');
}

fn boundary() -> impl Strategy<Value = Boundary> {
    prop_oneof![
        Just(Boundary::TrapEnter { cause: 8 }),
        Just(Boundary::TrapTaken),
        Just(Boundary::XretEnter),
        Just(Boundary::XretDone),
        Just(Boundary::SatpWrite),
        Just(Boundary::SatpDone),
        Just(Boundary::FenceEnter),
        Just(Boundary::FenceDone),
    ]
}

proptest! {
    // Whatever the boundaries, do the phases tile the operation: contiguous, and adding up to
    // its cycles, instructions and events?
    #[test]
    fn phases_tile_the_operation(
        steps in prop::collection::vec((boundary(), 0u64..50, 0u64..80, 0u8..3, any::<bool>()), 0..40)
    ) {
        let mut stamps = vec![stamp(Boundary::OpStart, 100, 200, Privilege::User, HOME)];
        let (mut n, mut c) = (100, 200);
        for (b, dn, dc, mode, home) in steps {
            n += dn;
            c += dn + dc;
            let mode = [Privilege::User, Privilege::Supervisor, Privilege::Machine][mode as usize];
            stamps.push(stamp(b, n, c, mode, if home { HOME } else { PROC }));
        }
        stamps.push(stamp(Boundary::OpEnd, n + 1, c + 1, Privilege::User, HOME));
        let t = timeline(1, &stamps, names);
        prop_assert_eq!(t.phases.iter().map(|p| p.cycles).sum::<u64>(), t.cycles);
        prop_assert_eq!(t.phases.iter().map(|p| p.instructions).sum::<u64>(), t.instructions);
        let (last, first) = (stamps.last().unwrap(), &stamps[0]);
        prop_assert_eq!(
            t.phases.iter().map(|p| p.tlb_walks).sum::<u64>(),
            last.tally.walks - first.tally.walks
        );
        prop_assert_eq!(
            t.phases.iter().map(|p| p.l1i_misses + p.l1d_misses + p.l2_misses).sum::<u64>(),
            (last.tally.l1i_misses + last.tally.l1d_misses + last.tally.l2_misses)
                - (first.tally.l1i_misses + first.tally.l1d_misses + first.tally.l2_misses)
        );
        let mut at = (0, 0);
        for p in &t.phases {
            prop_assert_eq!((p.start_cycle, p.start_instruction), at);
            at = (at.0 + p.cycles, at.1 + p.instructions);
        }
    }
}
