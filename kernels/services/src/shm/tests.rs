//! Unit tests of the shared-memory object table.

use super::*;
use abi::types::limits::{SHM_MAX_BYTES, SHM_NAME_MAX, SHM_OBJECTS};

fn pid(n: usize) -> Pid {
    Pid::from_raw(n).unwrap()
}

/// A backing that records which slot and size it was made for.
fn make(slot: usize, pages: usize) -> Result<(usize, usize), Errno> {
    Ok((slot, pages))
}

#[test]
fn two_processes_opening_one_name_get_one_object() {
    let mut t = Shm::new();
    let a = t.open(pid(1), b"ring", 5000, make).unwrap();
    let b = t.open(pid(2), b"ring", 8192, make).unwrap();
    assert_eq!(a, b);
    assert_eq!(t.get(pid(2), b).unwrap(), (2, &(a, 2)));
    assert_eq!(t.count(), 1);
    let other = t.open(pid(1), b"other", 1, make).unwrap();
    assert_ne!(other, a);
}

#[test]
fn a_handle_works_only_where_the_object_is_open() {
    let mut t = Shm::new();
    let h = t.open(pid(1), b"x", 4096, make).unwrap();
    assert_eq!(t.get(pid(3), h), Err(Errno::BadF));
    assert_eq!(t.close(pid(3), h), Err(Errno::BadF));
    assert_eq!(t.get(pid(1), SHM_OBJECTS + 7), Err(Errno::BadF));
}

#[test]
fn bad_names_and_sizes_are_einval() {
    let mut t: Shm<(usize, usize)> = Shm::new();
    assert_eq!(t.open(pid(1), b"", 4096, make), Err(Errno::Inval));
    let long = [b'a'; SHM_NAME_MAX + 1];
    assert_eq!(t.open(pid(1), &long, 4096, make), Err(Errno::Inval));
    assert!(t.open(pid(1), &long[..SHM_NAME_MAX], 4096, make).is_ok());
    assert_eq!(t.open(pid(1), b"z", 0, make), Err(Errno::Inval));
    assert_eq!(
        t.open(pid(1), b"z", SHM_MAX_BYTES + 1, make),
        Err(Errno::Inval)
    );
    t.open(pid(1), b"y", 4096, make).unwrap();
    assert_eq!(t.open(pid(2), b"y", 3 * 4096, make), Err(Errno::Inval));
    assert_eq!(t.unlink(b""), Err(Errno::Inval));
    assert_eq!(t.unlink(b"nope"), Err(Errno::NoEnt));
}

#[test]
fn the_object_dies_when_unlinked_and_closed_in_either_order() {
    let mut t = Shm::new();
    let h = t.open(pid(1), b"a", 1, make).unwrap();
    t.open(pid(1), b"a", 1, make).unwrap();
    assert_eq!(t.close(pid(1), h), Ok(None), "one open left");
    assert_eq!(t.unlink(b"a"), Ok(None), "still open");
    assert_eq!(t.close(pid(1), h), Ok(Some((h, (h, 1)))));
    assert_eq!(t.count(), 0);
    let h = t.open(pid(1), b"b", 1, make).unwrap();
    assert_eq!(t.close(pid(1), h), Ok(None), "named: lives on");
    assert_eq!(t.unlink(b"b"), Ok(Some((h, (h, 1)))));
}

#[test]
fn a_name_unlinked_while_open_makes_a_new_object_on_the_next_open() {
    let mut t = Shm::new();
    let old = t.open(pid(1), b"n", 1, make).unwrap();
    t.unlink(b"n").unwrap();
    assert_eq!(
        t.get(pid(1), old).map(|(p, _)| p),
        Ok(1),
        "the handle still works"
    );
    let new = t.open(pid(2), b"n", 2 * 4096, make).unwrap();
    assert_ne!(old, new);
    assert_eq!(t.count(), 2);
}

#[test]
fn exit_closes_every_open_of_the_process_only() {
    let mut t = Shm::new();
    let a = t.open(pid(1), b"a", 1, make).unwrap();
    let b = t.open(pid(1), b"b", 1, make).unwrap();
    t.open(pid(1), b"b", 1, make).unwrap();
    t.open(pid(2), b"b", 1, make).unwrap();
    t.unlink(b"a").unwrap();
    t.unlink(b"b").unwrap();
    assert_eq!(t.exit_process(pid(1)), vec![(a, (a, 1))]);
    assert_eq!(t.exit_process(pid(2)), vec![(b, (b, 1))]);
    assert_eq!(t.count(), 0);
}

#[test]
fn a_full_table_is_enospc_and_a_failed_backing_changes_nothing() {
    let mut t = Shm::new();
    for i in 0..SHM_OBJECTS {
        t.open(pid(1), format!("o{i}").as_bytes(), 1, make).unwrap();
    }
    assert_eq!(t.open(pid(1), b"more", 1, make), Err(Errno::NoSpc));
    assert!(
        t.open(pid(2), b"o3", 1, make).is_ok(),
        "an existing name still opens"
    );
    t.unlink(b"o0").unwrap();
    t.exit_process(pid(1));
    assert_eq!(
        t.open(pid(1), b"more", 1, |_, _| Err(Errno::NoMem)),
        Err(Errno::NoMem)
    );
    assert_eq!(t.count(), SHM_OBJECTS - 1);
    assert!(t.open(pid(1), b"more", 1, make).is_ok());
}
