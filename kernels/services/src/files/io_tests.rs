//! Tests of non-blocking mode, `poll` and epoll instances, each headed by the question it asks.

use super::*;
use abi::types::{EpollEvent, PollFd, epoll, poll};
use alloc::vec;

fn files() -> Files<'static> {
    let mut f = Files::new(Fs::new(64));
    f.new_console_process(pid(1)).unwrap();
    f
}

fn pid(n: usize) -> Pid {
    Pid::from_raw(n).unwrap()
}

fn pfd(fd: i32, events: u16) -> PollFd {
    PollFd {
        fd,
        events,
        revents: 0,
    }
}

#[test]
fn a_nonblocking_pipe_says_eagain_where_a_blocking_one_would_wait() {
    let mut f = files();
    let (r, w) = f.pipe(pid(1)).unwrap();
    let mut wk = Wakes::new();
    assert_eq!(
        f.read(pid(1), r, &mut [0; 4], &mut wk),
        Err(Error::WouldBlock(Wait::PipeReadable(0)))
    );
    f.set_nonblock(pid(1), r, true).unwrap();
    assert!(f.is_nonblocking(pid(1), r));
    assert_eq!(
        f.read(pid(1), r, &mut [0; 4], &mut wk),
        Err(Errno::Again.into())
    );
    f.set_nonblock(pid(1), w, true).unwrap();
    let big = vec![1u8; abi::types::limits::PIPE_BUFFER];
    assert_eq!(f.write(pid(1), w, &big, &mut wk), Ok(Io::Done(big.len())));
    assert_eq!(f.write(pid(1), w, b"x", &mut wk), Err(Errno::Again.into()));
    // A dup shares the mode; switching it off makes the call block again.
    let d = f.dup(pid(1), w).unwrap();
    assert!(f.is_nonblocking(pid(1), d));
    f.set_nonblock(pid(1), d, false).unwrap();
    assert_eq!(
        f.write(pid(1), w, b"x", &mut wk),
        Err(Error::WouldBlock(Wait::PipeWritable(0)))
    );
    assert_eq!(f.set_nonblock(pid(1), 99, true), Err(Errno::BadF));
}

#[test]
fn open_takes_the_nonblock_flag() {
    let mut f = files();
    let fd = f
        .open(pid(1), b"/dev/console", open::RDONLY | open::NONBLOCK)
        .unwrap();
    assert!(f.is_nonblocking(pid(1), fd));
    assert!(!f.is_nonblocking(pid(1), 0));
}

#[test]
fn poll_reports_data_room_hangup_and_bad_fds() {
    let mut f = files();
    let (r, w) = f.pipe(pid(1)).unwrap();
    let mut fds = [
        pfd(r as i32, poll::IN),
        pfd(w as i32, poll::OUT),
        pfd(-1, poll::IN),
        pfd(77, poll::IN),
    ];
    assert_eq!(f.poll(pid(1), &mut fds, false), Ok(2));
    assert_eq!(
        fds.map(|p| p.revents),
        [0, poll::OUT, 0, poll::NVAL],
        "empty pipe: writable only; a negative fd is skipped; a closed one is NVAL"
    );
    f.write(pid(1), w, b"hi", &mut Wakes::new()).unwrap();
    assert_eq!(f.poll(pid(1), &mut fds[..1], false), Ok(1));
    assert_eq!(fds[0].revents, poll::IN);
    f.close(pid(1), w, &mut Wakes::new()).unwrap();
    assert_eq!(f.poll(pid(1), &mut fds[..1], false), Ok(1));
    assert_eq!(fds[0].revents, poll::IN | poll::HUP);
}

#[test]
fn a_blocked_poll_is_woken_by_a_change_of_a_pipe_it_watches_only() {
    let mut f = files();
    let (r, w) = f.pipe(pid(1)).unwrap();
    let (r2, w2) = f.pipe(pid(1)).unwrap();
    let mut fds = [pfd(r as i32, poll::IN)];
    assert_eq!(
        f.poll(pid(1), &mut fds, true),
        Err(Error::WouldBlock(Wait::Polled))
    );
    let mut wk = Wakes::new();
    f.write(pid(1), w2, b"x", &mut wk).unwrap();
    assert!(!wk.iter().any(|x| x == Wait::Polled), "another pipe");
    f.read(pid(1), r2, &mut [0; 1], &mut Wakes::new()).unwrap();
    let mut wk = Wakes::new();
    f.write(pid(1), w, b"x", &mut wk).unwrap();
    assert!(wk.iter().any(|x| x == Wait::Polled));
    assert_eq!(f.poll(pid(1), &mut fds, true), Ok(1));
}

#[test]
fn epoll_wait_returns_only_the_ready_descriptors() {
    let mut f = files();
    let ep = f.epoll_create(pid(1)).unwrap();
    let mut ends = vec![];
    for _ in 0..5 {
        let (r, w) = f.pipe(pid(1)).unwrap();
        f.epoll_ctl(pid(1), ep, epoll::ADD, r, poll::IN.into())
            .unwrap();
        ends.push((r, w));
    }
    let mut out = [EpollEvent::default(); 8];
    assert_eq!(f.epoll_wait(pid(1), ep, &mut out, false), Ok(0));
    let (r3, w3) = ends[3];
    assert_eq!(
        f.epoll_wait(pid(1), ep, &mut out, true),
        Err(Error::WouldBlock(Wait::Epoll(0)))
    );
    let mut wk = Wakes::new();
    f.write(pid(1), w3, b"x", &mut wk).unwrap();
    assert!(wk.iter().any(|x| x == Wait::Epoll(0)));
    assert_eq!(f.epoll_wait(pid(1), ep, &mut out, true), Ok(1));
    assert_eq!(
        out[0],
        EpollEvent {
            fd: r3 as i32,
            events: poll::IN.into()
        }
    );
    // Level-triggered: still ready until read.
    assert_eq!(f.epoll_wait(pid(1), ep, &mut out, false), Ok(1));
    f.read(pid(1), r3, &mut [0; 1], &mut Wakes::new()).unwrap();
    assert_eq!(f.epoll_wait(pid(1), ep, &mut out, false), Ok(0));
    // A closed writer is a hang-up.
    let (r1, w1) = ends[1];
    f.close(pid(1), w1, &mut Wakes::new()).unwrap();
    assert_eq!(f.epoll_wait(pid(1), ep, &mut out, false), Ok(1));
    assert_eq!(out[0].fd, r1 as i32);
    assert_eq!(out[0].events, u32::from(poll::IN | poll::HUP));
}

#[test]
fn epoll_ctl_refuses_bad_and_closed_descriptors() {
    let mut f = files();
    let ep = f.epoll_create(pid(1)).unwrap();
    let (r, w) = f.pipe(pid(1)).unwrap();
    let add = epoll::ADD;
    let ev = usize::from(poll::IN);
    assert_eq!(f.epoll_ctl(pid(1), 50, add, r, ev), Err(Errno::BadF));
    assert_eq!(f.epoll_ctl(pid(1), r, add, w, ev), Err(Errno::Inval));
    assert_eq!(f.epoll_ctl(pid(1), ep, add, ep, ev), Err(Errno::Inval));
    assert_eq!(f.epoll_ctl(pid(1), ep, add, 0, ev), Err(Errno::Perm));
    assert_eq!(f.epoll_ctl(pid(1), ep, add, 40, ev), Err(Errno::BadF));
    assert_eq!(
        f.epoll_ctl(pid(1), ep, epoll::DEL, r, ev),
        Err(Errno::NoEnt)
    );
    assert_eq!(f.epoll_ctl(pid(1), ep, 9, r, ev), Err(Errno::Inval));
    f.epoll_ctl(pid(1), ep, add, r, ev).unwrap();
    assert_eq!(f.epoll_ctl(pid(1), ep, add, r, ev), Err(Errno::Exist));
    // A registered fd that is closed is forgotten; its pipe's change wakes nobody.
    f.write(pid(1), w, b"x", &mut Wakes::new()).unwrap();
    f.close(pid(1), r, &mut Wakes::new()).unwrap();
    let mut out = [EpollEvent::default(); 2];
    assert_eq!(f.epoll_wait(pid(1), ep, &mut out, false), Ok(0));
    assert_eq!(
        f.epoll_wait(pid(1), ep, &mut [], false),
        Err(Errno::Inval.into())
    );
    f.close(pid(1), ep, &mut Wakes::new()).unwrap();
    assert_eq!(
        f.epoll_wait(pid(1), ep, &mut out, false),
        Err(Errno::BadF.into())
    );
    assert!(f.epolls.iter().all(Option::is_none));
}

#[test]
fn epoll_wait_cost_does_not_grow_with_the_registered_count() {
    // The number of interest entries a wait looks at is the ready list's length: one ready
    // pipe among 1 or 60 registered gives the same single look.
    for n in [1, 60] {
        let mut f = files();
        let ep = f.epoll_create(pid(1)).unwrap();
        let mut last = (0, 0);
        for _ in 0..n {
            last = f.pipe(pid(1)).unwrap();
            f.epoll_ctl(pid(1), ep, epoll::ADD, last.0, poll::IN.into())
                .unwrap();
        }
        f.write(pid(1), last.1, b"x", &mut Wakes::new()).unwrap();
        assert_eq!(f.epolls[0].as_ref().unwrap().ready.len(), 1, "n = {n}");
    }
}

#[test]
fn sendfile_moves_file_bytes_into_a_pipe_and_advances_the_offset() {
    let mut f = files();
    f.mkdir(b"/tmp").unwrap();
    let fd = f.open(pid(1), b"/tmp/f", open::RDWR | open::CREAT).unwrap();
    let data: Vec<u8> = (0..6000u32).map(|i| (i % 251) as u8).collect();
    f.write(pid(1), fd, &data, &mut Wakes::new()).unwrap();
    f.seek(pid(1), fd, 0, abi::types::seek::SET).unwrap();
    let (r, w) = f.pipe(pid(1)).unwrap();
    let mut wk = Wakes::new();
    assert_eq!(f.sendfile(pid(1), w, fd, 10, &mut wk), Ok(10));
    assert!(wk.iter().any(|x| x == Wait::PipeReadable(0)));
    let full = abi::types::limits::PIPE_BUFFER;
    assert_eq!(f.sendfile(pid(1), w, fd, 1 << 20, &mut wk), Ok(full - 10));
    f.set_nonblock(pid(1), w, true).unwrap();
    assert_eq!(
        f.sendfile(pid(1), w, fd, 1, &mut wk),
        Err(Errno::Again.into()),
        "a full pipe"
    );
    let mut out = vec![0u8; full];
    assert_eq!(f.read(pid(1), r, &mut out, &mut wk), Ok(Io::Done(full)));
    assert_eq!(out, data[..full]);
    assert_eq!(f.sendfile(pid(1), w, fd, 1 << 20, &mut wk), Ok(6000 - full));
    assert_eq!(
        f.sendfile(pid(1), w, fd, 1 << 20, &mut wk),
        Ok(0),
        "end of file"
    );
    assert_eq!(
        f.read(pid(1), r, &mut out, &mut wk),
        Ok(Io::Done(6000 - full))
    );
    assert_eq!(out[..6000 - full], data[full..]);
    // Wrong kinds of fds.
    assert_eq!(
        f.sendfile(pid(1), fd, w, 1, &mut wk),
        Err(Errno::BadF.into())
    );
    assert_eq!(
        f.sendfile(pid(1), w, 0, 1, &mut wk),
        Err(Errno::Inval.into())
    );
    assert_eq!(
        f.sendfile(pid(1), w, 99, 1, &mut wk),
        Err(Errno::BadF.into())
    );
    f.close(pid(1), r, &mut wk).unwrap();
    assert_eq!(
        f.sendfile(pid(1), w, fd, 1, &mut wk),
        Err(Errno::Pipe.into())
    );
}

#[test]
fn a_nonblocking_socket_or_fifo_says_eagain_and_still_epipe_without_a_reader() {
    let mut f = files();
    let mut wk = Wakes::new();
    let (a, b) = f.socketpair(pid(1)).unwrap();
    assert_eq!(
        f.read(pid(1), a, &mut [0; 4], &mut wk),
        Err(Error::WouldBlock(Wait::PipeReadable(1)))
    );
    f.set_nonblock(pid(1), a, true).unwrap();
    assert_eq!(
        f.read(pid(1), a, &mut [0; 4], &mut wk),
        Err(Errno::Again.into())
    );
    let big = vec![1u8; abi::types::limits::PIPE_BUFFER];
    assert_eq!(f.write(pid(1), a, &big, &mut wk), Ok(Io::Done(big.len())));
    assert_eq!(f.write(pid(1), a, b"x", &mut wk), Err(Errno::Again.into()));
    // The blocking peer still waits for room rather than failing.
    assert_eq!(f.write(pid(1), b, &big, &mut wk), Ok(Io::Done(big.len())));
    assert_eq!(
        f.write(pid(1), b, b"x", &mut wk),
        Err(Error::WouldBlock(Wait::PipeWritable(1)))
    );
    // Once the peer is gone a non-blocking write is EPIPE, not EAGAIN (SIGPIPE's cue).
    f.close(pid(1), b, &mut wk).unwrap();
    assert_eq!(f.write(pid(1), a, b"x", &mut wk), Err(Errno::Pipe.into()));

    f.mkdir(b"/tmp").unwrap();
    f.mkfifo(b"/tmp/q").unwrap();
    let r = f
        .open(pid(1), b"/tmp/q", open::RDONLY | open::NONBLOCK)
        .unwrap();
    let w = f.open(pid(1), b"/tmp/q", open::WRONLY).unwrap();
    assert_eq!(
        f.read(pid(1), r, &mut [0; 4], &mut wk),
        Err(Errno::Again.into())
    );
    assert_eq!(f.write(pid(1), w, b"hi", &mut wk), Ok(Io::Done(2)));
    assert_eq!(f.read(pid(1), r, &mut [0; 4], &mut wk), Ok(Io::Done(2)));
}
