//! The process table against a model: the documented rules over a `BTreeMap` by pid (the table
//! as it was before pids named slots), driven by random steps. The table picks each new pid; the
//! model checks that pid's slot is the lowest free one, that it was never handed out before, and
//! then agrees on every answer — so stale pids, reuse after reaping and a full table are all
//! exercised.

use super::*;
use alloc::collections::{BTreeMap, BTreeSet};
use proptest::prelude::*;

/// One step; the `usize`s pick a pid among those ever handed out (or a never-used one).
#[derive(Clone, Debug)]
enum Step {
    Create(Option<usize>),
    Exit(usize, i32),
    Wait(usize, Option<usize>),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => proptest::option::of(any::<usize>()).prop_map(Step::Create),
        2 => (any::<usize>(), 0..4i32).prop_map(|(p, s)| Step::Exit(p, s)),
        2 => (any::<usize>(), proptest::option::of(any::<usize>()))
            .prop_map(|(p, w)| Step::Wait(p, w)),
    ]
}

/// The model's entry: parent and status, as `Entry`.
type Model = BTreeMap<Pid, (Option<Pid>, Option<i32>)>;

fn alive(m: &Model, p: Pid) -> bool {
    m.get(&p).is_some_and(|e| e.1.is_none())
}

proptest! {
    /// Does the slot table answer every call as the documented rules say?
    #[test]
    fn it_agrees_with_the_rules_over_a_map(steps in proptest::collection::vec(step(), 1..120)) {
        const CAPACITY: usize = 6;
        let mut t = ProcTable::new(CAPACITY);
        let mut m: Model = BTreeMap::new();
        let mut ever: Vec<Pid> = Vec::new();
        let unused = Pid::new(CAPACITY + 1, 0);
        let pick = |i: usize, ever: &Vec<Pid>| {
            ever.get(i % (ever.len() + 1)).copied().unwrap_or(unused)
        };
        for s in steps {
            match s {
                Step::Create(parent) => {
                    let parent = parent.map(|i| pick(i, &ever));
                    let got = t.create(parent, "p");
                    let want_err = if m.len() >= CAPACITY {
                        Some(Errno::Again)
                    } else if parent.is_some_and(|p| !alive(&m, p)) {
                        Some(Errno::Srch)
                    } else {
                        None
                    };
                    match (got, want_err) {
                        (Err(e), Some(w)) => prop_assert_eq!(e, w),
                        (Ok(pid), None) => {
                            let used: BTreeSet<usize> = m.keys().map(|p| p.slot()).collect();
                            let lowest = (0..CAPACITY).find(|s| !used.contains(s)).unwrap();
                            prop_assert_eq!(pid.slot(), lowest, "the lowest free slot");
                            prop_assert!(!ever.contains(&pid), "a pid is never handed out twice");
                            ever.push(pid);
                            m.insert(pid, (parent, None));
                        }
                        (got, want) => {
                            prop_assert!(false, "create: got {:?}, want {:?}", got, want)
                        }
                    }
                }
                Step::Exit(i, status) => {
                    let pid = pick(i, &ever);
                    let want = if alive(&m, pid) {
                        let parent = m[&pid].0;
                        m.get_mut(&pid).unwrap().1 = Some(status);
                        let heir = (pid != Pid::INIT && alive(&m, Pid::INIT)).then_some(Pid::INIT);
                        m.retain(|_, e| {
                            if e.0 != Some(pid) {
                                return true;
                            }
                            e.0 = heir;
                            e.1.is_none()
                        });
                        if parent.is_none() {
                            m.remove(&pid);
                        }
                        parent
                    } else {
                        None
                    };
                    prop_assert_eq!(t.exit(pid, status), want);
                }
                Step::Wait(i, which) => {
                    let parent = pick(i, &ever);
                    let which = which.map(|w| pick(w, &ever));
                    let mine = |p: &Pid, e: &(Option<Pid>, Option<i32>)| {
                        e.0 == Some(parent) && which.is_none_or(|w| w == *p)
                    };
                    let zombie = m
                        .iter()
                        .find(|(p, e)| mine(p, e) && e.1.is_some())
                        .map(|(p, e)| (*p, e.1.unwrap()));
                    let want = match zombie {
                        Some((p, s)) => {
                            m.remove(&p);
                            Ok(Some((p, s)))
                        }
                        None if m.iter().any(|(p, e)| mine(p, e)) => Ok(None),
                        None => Err(Errno::Child),
                    };
                    prop_assert_eq!(t.wait(parent, which), want);
                }
            }
            // The whole table agrees with the model after every step.
            prop_assert_eq!(t.len(), m.len());
            for &p in &ever {
                prop_assert_eq!(t.exists(p), m.contains_key(&p));
                prop_assert_eq!(t.is_alive(p), alive(&m, p));
                prop_assert_eq!(t.parent(p), m.get(&p).and_then(|e| e.0));
                prop_assert_eq!(t.status(p), m.get(&p).and_then(|e| e.1));
            }
        }
    }
}
