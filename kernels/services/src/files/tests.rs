//! Tests of the fd tables, each headed by the question it asks.

use super::*;
use crate::fs::tests::{Entry, ustar};
use alloc::vec;

/// Pid 1 with the console on 0, 1, 2, and a writable `/tmp`.
fn files<'a>(fs: Fs<'a>) -> Files<'a> {
    let mut f = Files::new(fs);
    f.mkdir(b"/tmp").unwrap();
    f.new_console_process(pid(1)).unwrap();
    f
}

fn plain() -> Files<'static> {
    files(Fs::new(64))
}

/// Pid number `n`.
fn pid(n: usize) -> Pid {
    Pid::from_raw(n).unwrap()
}

const CREATE_RW: usize = open::RDWR | open::CREAT;

/// Reads up to `n` bytes: the bytes, or the error.
fn rd(f: &mut Files, pid: Pid, fd: usize, n: usize) -> Result<Vec<u8>, Error> {
    let mut buf = vec![0xaa; n];
    match f.read(pid, fd, &mut buf, &mut Wakes::new())? {
        Io::Done(k) => Ok(buf[..k].to_vec()),
        Io::Console => panic!("not the console"),
    }
}

fn wr(f: &mut Files, pid: Pid, fd: usize, data: &[u8]) -> Result<Io, Error> {
    f.write(pid, fd, data, &mut Wakes::new())
}

fn wakes_of(w: &Wakes) -> Vec<Wait> {
    w.iter().collect()
}

#[test]
fn the_first_process_has_the_console_on_fds_0_1_2() {
    let mut f = plain();
    assert_eq!(f.fds(pid(1)).collect::<Vec<_>>(), [0, 1, 2]);
    let mut w = Wakes::new();
    assert_eq!(f.read(pid(1), 0, &mut [0; 8], &mut w), Ok(Io::Console));
    assert_eq!(f.write(pid(1), 1, b"hi", &mut w), Ok(Io::Console));
    assert_eq!(f.write(pid(1), 2, b"oops", &mut w), Ok(Io::Console));
    assert!(w.is_empty());
    let console = f.fs().lookup(b"/dev/console").unwrap();
    assert_eq!(
        f.fstat(pid(1), 2).map(|s| (s.kind, s.ino)),
        Ok((kind::DEVICE, console as u64))
    );
    assert_eq!(f.kind_of(pid(1), 0), Ok(kind::DEVICE));
    assert_eq!(f.seek(pid(1), 0, 0, seek::SET), Err(Errno::SPipe));
    assert_eq!(f.new_console_process(pid(1)), Err(Errno::Exist));
}

#[test]
fn a_write_only_console_fd_cannot_be_read() {
    let mut f = plain();
    let fd = f.open(pid(1), b"/dev/console", open::WRONLY).unwrap();
    assert_eq!(
        f.read(pid(1), fd, &mut [0; 4], &mut Wakes::new()),
        Err(Error::Errno(Errno::BadF))
    );
    assert_eq!(wr(&mut f, pid(1), fd, b"x"), Ok(Io::Console));
}

#[test]
fn a_new_fd_is_the_lowest_free_one() {
    let mut f = plain();
    assert_eq!(f.open(pid(1), b"/tmp/a", CREATE_RW), Ok(3));
    assert_eq!(f.open(pid(1), b"/tmp/b", CREATE_RW), Ok(4));
    assert_eq!(f.open(pid(1), b"/tmp/c", CREATE_RW), Ok(5));
    let mut w = Wakes::new();
    f.close(pid(1), 4, &mut w).unwrap();
    assert_eq!(
        f.close(pid(1), 4, &mut w),
        Err(Errno::BadF),
        "closed already"
    );
    assert_eq!(f.open(pid(1), b"/tmp/a", open::RDONLY), Ok(4));
    f.close(pid(1), 0, &mut w).unwrap();
    assert_eq!(f.dup(pid(1), 5), Ok(0));
    assert_eq!(f.pipe(pid(1)), Ok((6, 7)));
    assert_eq!(f.fds(pid(1)).collect::<Vec<_>>(), [0, 1, 2, 3, 4, 5, 6, 7]);
}

#[test]
fn a_full_fd_table_is_emfile_and_creates_nothing() {
    let mut f = plain();
    for want in 3..FDS {
        assert_eq!(f.open(pid(1), b"/tmp/a", CREATE_RW), Ok(want));
    }
    assert_eq!(f.open(pid(1), b"/tmp/new", CREATE_RW), Err(Errno::MFile));
    assert_eq!(f.fs().lookup(b"/tmp/new"), Err(Errno::NoEnt));
    assert_eq!(f.dup(pid(1), 3), Err(Errno::MFile));
    assert_eq!(f.pipe(pid(1)), Err(Errno::MFile));
    let mut w = Wakes::new();
    f.close(pid(1), 9, &mut w).unwrap();
    assert_eq!(f.pipe(pid(1)), Err(Errno::MFile), "a pipe needs two fds");
    assert_eq!(f.pipes_in_use(), 0, "and a failed pipe() holds none");
    f.close(pid(1), 12, &mut w).unwrap();
    assert_eq!(f.pipe(pid(1)), Ok((9, 12)));
}

#[test]
fn dup_shares_the_offset_and_outlives_the_original() {
    let mut f = plain();
    let fd = f.open(pid(1), b"/tmp/f", CREATE_RW).unwrap();
    assert_eq!(wr(&mut f, pid(1), fd, b"hello"), Ok(Io::Done(5)));
    let d = f.dup(pid(1), fd).unwrap();
    assert_eq!(
        f.seek(pid(1), d, 0, seek::CUR),
        Ok(5),
        "the dup sees the original's offset"
    );
    assert_eq!(f.seek(pid(1), d, 1, seek::SET), Ok(1));
    assert_eq!(
        rd(&mut f, pid(1), fd, 2),
        Ok(b"el".to_vec()),
        "the original sees the dup's seek"
    );
    f.close(pid(1), fd, &mut Wakes::new()).unwrap();
    assert_eq!(rd(&mut f, pid(1), d, 10), Ok(b"lo".to_vec()));
}

#[test]
fn two_opens_of_one_file_have_their_own_offsets() {
    let mut f = plain();
    let a = f.open(pid(1), b"/tmp/f", CREATE_RW).unwrap();
    let b = f.open(pid(1), b"/tmp/f", open::RDONLY).unwrap();
    wr(&mut f, pid(1), a, b"abcdef").unwrap();
    assert_eq!(rd(&mut f, pid(1), b, 3), Ok(b"abc".to_vec()));
    assert_eq!(f.seek(pid(1), a, 0, seek::CUR), Ok(6));
}

#[test]
fn open_flags_are_checked_and_honoured() {
    let mut f = plain();
    assert_eq!(
        f.open(pid(1), b"/tmp/f", CREATE_RW | 0o10000),
        Err(Errno::Inval)
    );
    assert_eq!(
        f.open(pid(1), b"/tmp/f", open::ACCMODE | open::CREAT),
        Err(Errno::Inval)
    );
    assert_eq!(
        f.open(pid(1), b"/tmp/f", open::RDWR),
        Err(Errno::NoEnt),
        "no CREAT, no file"
    );
    assert_eq!(f.open(pid(1), b"/nodir/f", CREATE_RW), Err(Errno::NoEnt));
    let w = f
        .open(pid(1), b"/tmp/f", open::WRONLY | open::CREAT)
        .unwrap();
    assert_eq!(
        f.read(pid(1), w, &mut [0; 4], &mut Wakes::new()),
        Err(Error::Errno(Errno::BadF))
    );
    wr(&mut f, pid(1), w, b"0123456789").unwrap();
    let r = f
        .open(pid(1), b"/tmp/f", open::RDONLY | open::TRUNC)
        .unwrap();
    assert_eq!(
        f.fstat(pid(1), r).map(|s| s.size),
        Ok(10),
        "TRUNC without write access is ignored"
    );
    assert_eq!(wr(&mut f, pid(1), r, b"x"), Err(Error::Errno(Errno::BadF)));
    let a = f
        .open(pid(1), b"/tmp/f", open::WRONLY | open::APPEND)
        .unwrap();
    f.seek(pid(1), a, 0, seek::SET).unwrap();
    assert_eq!(wr(&mut f, pid(1), a, b"AB"), Ok(Io::Done(2)));
    assert_eq!(
        f.seek(pid(1), a, 0, seek::CUR),
        Ok(12),
        "the write went to the end"
    );
    let t = f.open(pid(1), b"/tmp/f", open::RDWR | open::TRUNC).unwrap();
    assert_eq!(f.fstat(pid(1), t).map(|s| s.size), Ok(0));
    assert_eq!(
        rd(&mut f, pid(1), r, 10),
        Ok(vec![]),
        "every open sees the truncation"
    );
}

#[test]
fn a_directory_opens_read_only_and_cannot_be_read_as_bytes() {
    let mut f = plain();
    let d = f.open(pid(1), b"/tmp", open::RDONLY).unwrap();
    assert_eq!(f.kind_of(pid(1), d), Ok(kind::DIR));
    assert_eq!(rd(&mut f, pid(1), d, 4), Err(Error::Errno(Errno::IsDir)));
    for flags in [
        open::WRONLY,
        open::RDWR,
        open::RDONLY | open::CREAT,
        open::RDONLY | open::TRUNC,
    ] {
        assert_eq!(
            f.open(pid(1), b"/tmp", flags),
            Err(Errno::IsDir),
            "flags {flags:#o}"
        );
    }
}

#[test]
fn archive_files_open_for_reading_only() {
    let ar = ustar(&[("bin/sh", Entry::File(b"#!elf"))]);
    let mut f = files(Fs::from_ustar(&ar, 64).unwrap());
    let fd = f
        .open(pid(1), b"/bin/sh", open::RDONLY | open::CREAT)
        .unwrap();
    assert_eq!(rd(&mut f, pid(1), fd, 100), Ok(b"#!elf".to_vec()));
    assert_eq!(f.open(pid(1), b"/bin/sh", open::WRONLY), Err(Errno::RoFs));
    assert_eq!(
        f.open(pid(1), b"/bin/sh", open::RDWR | open::TRUNC),
        Err(Errno::RoFs)
    );
    assert_eq!(f.open(pid(1), b"/bin/new", CREATE_RW), Err(Errno::RoFs));
    assert_eq!(f.unlink(b"/bin/sh"), Err(Errno::RoFs));
    assert_eq!(f.mkdir(b"/bin/d"), Err(Errno::RoFs));
    assert_eq!(
        f.fstat(pid(1), fd).map(|s| s.size),
        Ok(5),
        "nothing was truncated"
    );
    assert_eq!(
        f.fds(pid(1)).collect::<Vec<_>>(),
        [0, 1, 2, 3],
        "failed opens hold no fd"
    );
}

#[test]
fn seek_moves_within_and_past_files_but_never_below_zero() {
    let mut f = plain();
    let fd = f.open(pid(1), b"/tmp/f", CREATE_RW).unwrap();
    wr(&mut f, pid(1), fd, b"abcdef").unwrap();
    assert_eq!(f.seek(pid(1), fd, 2, seek::SET), Ok(2));
    assert_eq!(f.seek(pid(1), fd, 1, seek::CUR), Ok(3));
    assert_eq!(f.seek(pid(1), fd, -2, seek::END), Ok(4));
    assert_eq!(f.seek(pid(1), fd, -5, seek::CUR), Err(Errno::Inval));
    assert_eq!(f.seek(pid(1), fd, -1, seek::SET), Err(Errno::Inval));
    assert_eq!(
        f.seek(pid(1), fd, i64::MAX, seek::CUR),
        Err(Errno::Inval),
        "overflow"
    );
    assert_eq!(f.seek(pid(1), fd, 0, 3), Err(Errno::Inval));
    assert_eq!(
        f.seek(pid(1), fd, 0, seek::CUR),
        Ok(4),
        "failed seeks moved nothing"
    );
    assert_eq!(f.seek(pid(1), fd, 2, seek::END), Ok(8));
    wr(&mut f, pid(1), fd, b"Z").unwrap();
    f.seek(pid(1), fd, 0, seek::SET).unwrap();
    assert_eq!(rd(&mut f, pid(1), fd, 20), Ok(b"abcdef\0\0Z".to_vec()));
    let (r, w) = f.pipe(pid(1)).unwrap();
    assert_eq!(f.seek(pid(1), r, 0, seek::SET), Err(Errno::SPipe));
    assert_eq!(f.seek(pid(1), w, 0, seek::CUR), Err(Errno::SPipe));
    let null = f.open(pid(1), b"/dev/null", open::RDONLY).unwrap();
    assert_eq!(f.seek(pid(1), null, 0, seek::SET), Err(Errno::SPipe));
}

#[test]
fn readdir_lists_entries_in_order_and_seek_rewinds() {
    let mut f = plain();
    for name in ["b", "c", "a"] {
        let fd = f
            .open(pid(1), format!("/tmp/{name}").as_bytes(), CREATE_RW)
            .unwrap();
        f.close(pid(1), fd, &mut Wakes::new()).unwrap();
    }
    f.mkdir(b"/tmp/d").unwrap();
    let d = f.open(pid(1), b"/tmp", open::RDONLY).unwrap();
    let mut seen = Vec::new();
    while let Some(e) = f.readdir(pid(1), d).unwrap() {
        seen.push((e.name().to_vec(), e.kind));
    }
    let want: Vec<(Vec<u8>, u32)> = [
        ("a", kind::FILE),
        ("b", kind::FILE),
        ("c", kind::FILE),
        ("d", kind::DIR),
    ]
    .iter()
    .map(|(n, k)| (n.as_bytes().to_vec(), *k))
    .collect();
    assert_eq!(seen, want);
    assert_eq!(f.readdir(pid(1), d), Ok(None), "the end stays the end");
    assert_eq!(f.fstat(pid(1), d).map(|s| s.size), Ok(4));
    assert_eq!(f.seek(pid(1), d, 0, seek::SET), Ok(0));
    assert_eq!(
        f.readdir(pid(1), d).unwrap().map(|e| e.name().to_vec()),
        Some(b"a".to_vec())
    );
    let file = f.open(pid(1), b"/tmp/a", open::RDONLY).unwrap();
    assert_eq!(f.readdir(pid(1), file), Err(Errno::NotDir));
    assert_eq!(f.readdir(pid(1), 0), Err(Errno::NotDir), "the console");
    let (r, _) = f.pipe(pid(1)).unwrap();
    assert_eq!(f.readdir(pid(1), r), Err(Errno::NotDir));
}

#[test]
fn bytes_go_through_a_pipe_in_order_and_each_transfer_wakes_the_other_side() {
    let mut f = plain();
    let (r, w) = f.pipe(pid(1)).unwrap();
    assert_eq!(
        (f.kind_of(pid(1), r), f.kind_of(pid(1), w)),
        (Ok(kind::PIPE), Ok(kind::PIPE))
    );
    let mut wakes = Wakes::new();
    assert_eq!(f.write(pid(1), w, b"abc", &mut wakes), Ok(Io::Done(3)));
    assert_eq!(wakes_of(&wakes), [Wait::PipeReadable(0)]);
    assert_eq!(
        f.fstat(pid(1), r),
        Ok(Stat {
            kind: kind::PIPE,
            _pad: 0,
            size: 3,
            ino: 0
        })
    );
    wakes.clear();
    let mut buf = [0; 2];
    assert_eq!(f.read(pid(1), r, &mut buf, &mut wakes), Ok(Io::Done(2)));
    assert_eq!(&buf, b"ab");
    assert_eq!(wakes_of(&wakes), [Wait::PipeWritable(0)]);
    assert_eq!(rd(&mut f, pid(1), r, 8), Ok(b"c".to_vec()));
    assert_eq!(
        rd(&mut f, pid(1), w, 8),
        Err(Error::Errno(Errno::BadF)),
        "the write end"
    );
    assert_eq!(
        wr(&mut f, pid(1), r, b"x"),
        Err(Error::Errno(Errno::BadF)),
        "the read end"
    );
}

#[test]
fn an_empty_pipe_blocks_while_a_writer_is_left_and_then_reads_end_of_file() {
    let mut f = plain();
    let (r, w) = f.pipe(pid(1)).unwrap();
    assert_eq!(
        rd(&mut f, pid(1), r, 8),
        Err(Error::WouldBlock(Wait::PipeReadable(0)))
    );
    wr(&mut f, pid(1), w, b"last").unwrap();
    let mut wakes = Wakes::new();
    f.close(pid(1), w, &mut wakes).unwrap();
    assert_eq!(
        wakes_of(&wakes),
        [Wait::PipeReadable(0)],
        "readers must see the end"
    );
    assert_eq!(rd(&mut f, pid(1), r, 8), Ok(b"last".to_vec()), "data first");
    assert_eq!(rd(&mut f, pid(1), r, 8), Ok(vec![]));
    assert_eq!(rd(&mut f, pid(1), r, 8), Ok(vec![]));
}

#[test]
fn a_full_pipe_blocks_a_writer_and_no_readers_is_epipe() {
    let mut f = plain();
    let (r, w) = f.pipe(pid(1)).unwrap();
    let big = vec![7; limits::PIPE_BUFFER + 10];
    assert_eq!(
        wr(&mut f, pid(1), w, &big),
        Ok(Io::Done(limits::PIPE_BUFFER)),
        "a partial write"
    );
    assert_eq!(
        wr(&mut f, pid(1), w, b"x"),
        Err(Error::WouldBlock(Wait::PipeWritable(0)))
    );
    let mut wakes = Wakes::new();
    f.close(pid(1), r, &mut wakes).unwrap();
    assert_eq!(
        wakes_of(&wakes),
        [Wait::PipeWritable(0)],
        "the blocked writer must retry"
    );
    assert_eq!(wr(&mut f, pid(1), w, b"x"), Err(Error::Errno(Errno::Pipe)));
    assert_eq!(wr(&mut f, pid(1), w, b""), Err(Error::Errno(Errno::Pipe)));
    assert_eq!(f.pipes_in_use(), 1);
    f.close(pid(1), w, &mut wakes).unwrap();
    assert_eq!(f.pipes_in_use(), 0, "both ends closed: the pipe is gone");
}

#[test]
fn the_write_limit_is_a_pipes_free_space_and_at_least_one() {
    let mut f = plain();
    let (r, w) = f.pipe(pid(1)).unwrap();
    assert_eq!(f.write_limit(pid(1), w), Some(limits::PIPE_BUFFER));
    assert_eq!(wr(&mut f, pid(1), w, &[1; 100]), Ok(Io::Done(100)));
    assert_eq!(f.write_limit(pid(1), w), Some(limits::PIPE_BUFFER - 100));
    let rest = vec![2; limits::PIPE_BUFFER];
    assert_eq!(
        wr(&mut f, pid(1), w, &rest),
        Ok(Io::Done(limits::PIPE_BUFFER - 100))
    );
    assert_eq!(
        f.write_limit(pid(1), w),
        Some(1),
        "full: one byte, to block on"
    );
    assert_eq!(
        f.write_limit(pid(1), r),
        None,
        "a read end is not limited (it fails)"
    );
    assert_eq!(f.write_limit(pid(1), 99), None, "nor is a bad fd");
    assert_eq!(f.write_limit(pid(1), 1), None, "nor the console");
    let file = f.open(pid(1), b"/tmp/a", CREATE_RW).unwrap();
    assert_eq!(f.write_limit(pid(1), file), None, "nor a file");
}

#[test]
fn exit_closes_every_fd_and_wakes_the_other_ends_of_pipes() {
    let mut f = plain();
    let (r, w) = f.pipe(pid(1)).unwrap();
    f.spawn(pid(2), pid(1), [-1, w as i32, -1]).unwrap();
    let mut wakes = Wakes::new();
    f.close(pid(1), w, &mut wakes).unwrap();
    assert_eq!(
        rd(&mut f, pid(1), r, 8),
        Err(Error::WouldBlock(Wait::PipeReadable(0))),
        "the child writes"
    );
    assert_eq!(wr(&mut f, pid(2), 1, b"hi"), Ok(Io::Done(2)));
    wakes.clear();
    f.exit_process(pid(2), &mut wakes);
    assert!(!f.has_process(pid(2)));
    assert_eq!(wakes_of(&wakes), [Wait::PipeReadable(0)]);
    assert_eq!(rd(&mut f, pid(1), r, 8), Ok(b"hi".to_vec()));
    assert_eq!(rd(&mut f, pid(1), r, 8), Ok(vec![]), "no writer left");
    assert_eq!(
        wr(&mut f, pid(2), 1, b"x"),
        Err(Error::Errno(Errno::BadF)),
        "the child's fds are gone"
    );
    assert_eq!(
        f.fds(pid(1)).collect::<Vec<_>>(),
        [0, 1, 2, r],
        "the parent keeps its own"
    );
    wakes.clear();
    f.exit_process(pid(2), &mut wakes);
    f.exit_process(pid(77), &mut wakes);
    assert!(
        wakes.is_empty(),
        "exiting twice or an unknown pid does nothing"
    );
}

#[test]
fn exit_releases_open_files_so_an_unlinked_one_is_freed() {
    let mut f = plain();
    f.spawn(pid(2), pid(1), [-1; 3]).unwrap();
    let fd = f.open(pid(2), b"/tmp/f", CREATE_RW).unwrap();
    wr(&mut f, pid(2), fd, b"data").unwrap();
    let ino = f.fs().lookup(b"/tmp/f").unwrap();
    f.unlink(b"/tmp/f").unwrap();
    f.exit_process(pid(2), &mut Wakes::new());
    assert_eq!(f.fs().stat(ino), Err(Errno::NoEnt));
    assert_eq!(f.fs().bytes_used(), 0);
}

#[test]
fn an_unlinked_open_file_stays_readable_until_its_last_close() {
    let mut f = plain();
    let fd = f.open(pid(1), b"/tmp/f", CREATE_RW).unwrap();
    wr(&mut f, pid(1), fd, b"still here").unwrap();
    let d = f.dup(pid(1), fd).unwrap();
    let used = f.fs().inodes_used();
    f.unlink(b"/tmp/f").unwrap();
    assert_eq!(f.open(pid(1), b"/tmp/f", open::RDONLY), Err(Errno::NoEnt));
    f.seek(pid(1), fd, 0, seek::SET).unwrap();
    assert_eq!(rd(&mut f, pid(1), fd, 5), Ok(b"still".to_vec()));
    let mut wakes = Wakes::new();
    f.close(pid(1), fd, &mut wakes).unwrap();
    assert_eq!(f.fstat(pid(1), d).map(|s| s.size), Ok(10));
    assert_eq!(f.fs().inodes_used(), used);
    f.close(pid(1), d, &mut wakes).unwrap();
    assert_eq!(f.fs().inodes_used(), used - 1, "the last close frees it");
}

#[test]
fn spawn_passes_only_stdio_as_the_caller_asks() {
    let mut f = plain();
    let (r, w) = f.pipe(pid(1)).unwrap();
    let file = f.open(pid(1), b"/tmp/f", CREATE_RW).unwrap();
    f.spawn(pid(2), pid(1), [r as i32, -1, w as i32]).unwrap();
    assert_eq!(
        f.fds(pid(2)).collect::<Vec<_>>(),
        [0, 1, 2],
        "fd {file} is not inherited"
    );
    assert_eq!(f.kind_of(pid(2), 0), Ok(kind::PIPE));
    assert_eq!(f.kind_of(pid(2), 1), Ok(kind::DEVICE));
    wr(&mut f, pid(2), 2, b"to parent").unwrap();
    assert_eq!(rd(&mut f, pid(1), r, 20), Ok(b"to parent".to_vec()));

    let mut wakes = Wakes::new();
    f.close(pid(1), 1, &mut wakes).unwrap();
    f.spawn(pid(3), pid(1), [-1; 3]).unwrap();
    assert_eq!(
        f.fds(pid(3)).collect::<Vec<_>>(),
        [0, 2],
        "a closed fd i stays closed"
    );

    assert_eq!(
        f.spawn(pid(4), pid(1), [1, -1, -1]),
        Err(Errno::BadF),
        "an explicit closed fd"
    );
    assert_eq!(f.spawn(pid(4), pid(1), [-2, -1, -1]), Err(Errno::BadF));
    assert_eq!(
        f.spawn(pid(4), pid(1), [i32::MAX, -1, -1]),
        Err(Errno::BadF)
    );
    assert!(!f.has_process(pid(4)), "a failed spawn leaves nothing");
    assert_eq!(f.spawn(pid(3), pid(1), [-1; 3]), Err(Errno::Exist));
    // The failed spawns took no references: closing the parent's ends still ends the pipe.
    f.exit_process(pid(2), &mut wakes);
    f.close(pid(1), r, &mut wakes).unwrap();
    f.close(pid(1), w, &mut wakes).unwrap();
    assert_eq!(f.pipes_in_use(), 0);
}

#[test]
fn new_process_without_a_parent_can_share_nothing() {
    let mut f = plain();
    assert_eq!(
        f.new_process(pid(5), None, [Some(0), None, None]),
        Err(Errno::BadF)
    );
    assert_eq!(
        f.new_process(pid(5), Some(pid(1)), [Some(0), Some(0), Some(0)]),
        Ok(())
    );
    assert_eq!(f.fds(pid(5)).collect::<Vec<_>>(), [0, 1, 2]);
}

#[test]
fn the_process_and_pipe_limits_are_eagain_until_something_is_freed() {
    let mut f = Files::with_limits(Fs::new(64), 2, 1);
    f.new_console_process(pid(1)).unwrap();
    f.spawn(pid(2), pid(1), [-1; 3]).unwrap();
    assert_eq!(f.spawn(pid(3), pid(1), [-1; 3]), Err(Errno::Again));
    assert_eq!(f.new_console_process(pid(3)), Err(Errno::Again));
    let mut wakes = Wakes::new();
    f.exit_process(pid(2), &mut wakes);
    assert_eq!(f.spawn(pid(3), pid(1), [-1; 3]), Ok(()));

    let (r, w) = f.pipe(pid(1)).unwrap();
    assert_eq!(f.pipe(pid(1)), Err(Errno::Again));
    assert_eq!(f.pipe(pid(3)), Err(Errno::Again));
    f.close(pid(1), r, &mut wakes).unwrap();
    assert_eq!(f.pipe(pid(1)), Err(Errno::Again), "one end is still open");
    f.close(pid(1), w, &mut wakes).unwrap();
    f.pipe(pid(1)).unwrap();
    assert_eq!(
        rd(&mut f, pid(1), r, 1),
        Err(Error::WouldBlock(Wait::PipeReadable(0))),
        "id 0 again"
    );
}

#[test]
fn bad_fds_and_unknown_processes_are_errors() {
    let mut f = plain();
    let mut wakes = Wakes::new();
    for fd in [3, FDS, usize::MAX] {
        assert_eq!(rd(&mut f, pid(1), fd, 1), Err(Error::Errno(Errno::BadF)));
        assert_eq!(wr(&mut f, pid(1), fd, b"x"), Err(Error::Errno(Errno::BadF)));
        assert_eq!(f.close(pid(1), fd, &mut wakes), Err(Errno::BadF));
        assert_eq!(f.dup(pid(1), fd), Err(Errno::BadF));
        assert_eq!(f.seek(pid(1), fd, 0, seek::SET), Err(Errno::BadF));
        assert_eq!(f.fstat(pid(1), fd), Err(Errno::BadF));
        assert_eq!(f.readdir(pid(1), fd), Err(Errno::BadF));
        assert_eq!(f.kind_of(pid(1), fd), Err(Errno::BadF));
    }
    assert_eq!(rd(&mut f, pid(9), 0, 1), Err(Error::Errno(Errno::BadF)));
    assert_eq!(f.open(pid(9), b"/dev/null", open::RDONLY), Err(Errno::Srch));
    assert_eq!(f.pipe(pid(9)), Err(Errno::Srch));
    assert!(wakes.is_empty());
    assert_eq!(f.fds(pid(9)).count(), 0);
}

#[test]
fn dev_null_reads_nothing_and_dev_zero_reads_zeros_and_both_swallow_writes() {
    let mut f = plain();
    let null = f.open(pid(1), b"/dev/null", open::RDWR).unwrap();
    let zero = f
        .open(
            pid(1),
            b"/dev/zero",
            open::RDWR | open::TRUNC | open::APPEND,
        )
        .unwrap();
    assert_eq!(rd(&mut f, pid(1), null, 8), Ok(vec![]));
    assert_eq!(wr(&mut f, pid(1), null, b"gone"), Ok(Io::Done(4)));
    assert_eq!(rd(&mut f, pid(1), zero, 5), Ok(vec![0; 5]));
    assert_eq!(
        rd(&mut f, pid(1), zero, 5),
        Ok(vec![0; 5]),
        "again and again"
    );
    assert_eq!(wr(&mut f, pid(1), zero, b"also gone"), Ok(Io::Done(9)));
    assert_eq!(
        f.fstat(pid(1), zero).map(|s| (s.kind, s.size)),
        Ok((kind::DEVICE, 0))
    );
    let ro = f.open(pid(1), b"/dev/null", open::RDONLY).unwrap();
    assert_eq!(wr(&mut f, pid(1), ro, b"x"), Err(Error::Errno(Errno::BadF)));
}

#[test]
fn a_preempted_append_returns_a_short_count_and_the_next_call_carries_on() {
    // mono's `write` passes "an interrupt is pending": the caller's write loop takes the rest.
    let mut f = plain();
    let fd = f
        .open(pid(1), b"/tmp/log", CREATE_RW | open::APPEND)
        .unwrap();
    let data: Vec<u8> = (0..3 * crate::fs::PAGE).map(|i| (i % 249) as u8).collect();
    let mut rest = &data[..];
    let mut calls = 0;
    while !rest.is_empty() {
        let io = f.write_with(pid(1), fd, rest, &mut Wakes::new(), &mut || true);
        let Ok(Io::Done(n)) = io else {
            panic!("append: {io:?}")
        };
        assert!(n > 0 && n <= crate::fs::PAGE);
        rest = &rest[n..];
        calls += 1;
    }
    assert_eq!(calls, 3, "one page per call");
    let mut buf = vec![0; data.len() + 1];
    assert_eq!(f.seek(pid(1), fd, 0, seek::SET), Ok(0));
    let io = f.read_with(pid(1), fd, &mut buf, &mut Wakes::new(), &mut || true);
    assert_eq!(io, Ok(Io::Done(crate::fs::PAGE)), "a read stops short too");
    assert_eq!(
        rd(&mut f, pid(1), fd, data.len()).unwrap(),
        &data[crate::fs::PAGE..]
    );
    assert_eq!(&buf[..crate::fs::PAGE], &data[..crate::fs::PAGE]);
}
