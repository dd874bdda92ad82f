//! fs: `micro`'s file server. It owns the file system built from the initrd, the pipes and every
//! process's fd table (`services::files`, the code `mono` calls from its kernel) and answers
//! `read` … `readdir`, `mkfifo`, `socketpair` and the message queues for the process named by the badge, as `mono`'s `files.rs` does — user
//! memory through the caller's leases, which the kernel checked before the call reached us.
//!
//! - [`io`]: `read` and `write`, and the console device through the console server;
//! - [`control`]: `FS_PROGRAM`, `FS_SPAWN`, `FS_EXIT`, the requests of `proc` (process id 0);
//! - [`poll`]: `poll` and `epoll_wait`, whose arrays travel through leases, and their
//!   timeouts (the kernel's timer notification, `bits::TIMER`);
//! - [`ring`]: the asynchronous IO ring, whose region is a lease;
//! - here: start-up, the dispatch and the calls that move no bulk data.
//!
//! A `read`, `write`, `poll` or `epoll_wait` that would block (an empty or full pipe, the console without a line) is
//! parked and performed again when its wait happens; before that, its caller is checked to be
//! still there, so no pipe data or console line is consumed for a process that was killed; proc
//! drops the parked calls of a thread a signal interrupted (`FS_CANCEL`, here).
//!
//! Files, pipes and fd tables outlive a restart of the server (`servers::serve::run`); the
//! parked reads and writes do not (the kernel failed them with `EIO`), and a pipe's data stays.

#![no_std]
#![no_main]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

mod control;
mod io;
mod poll;
mod ring;

use alloc::vec::Vec;

use abi::Errno;
use abi::ipc::{Badge, bits, label, level};
use abi::layout::server::INITRD;
use abi::sys::Sys;
use abi::types::limits;
use servers::serve::{self, args};
use servers::{Args, Fail, Outcome, Pending, Server, kernel, lease};
use services::files::Files;
use services::fs::{self, Fs};
use services::timeout::Deadlines;
use services::{Wait, Wakes};
use ucall::Message;

servers::entry!(c"fs", main);

/// The server's state.
pub struct FileServer {
    /// The file system, pipes and fd tables.
    files: Files<'static>,
    /// Parked reads and writes.
    pending: Pending,
    /// Bytes in transit between a lease and `files` (or the console): [`limits::IO_MAX`].
    buf: Vec<u8>,
    /// The deadlines (`clock` ns) of the `poll` and `epoll_wait` calls with a timeout, by
    /// caller.
    deadlines: Deadlines<Badge>,
    /// When the kernel is to notify us (`bits::TIMER`; `u64::MAX`: not asked).
    timer_at: u64,
}

fn main(args: Args) -> ! {
    serve::run(level::FS, || start(&args))
}

/// The file system from the initrd (the first start only: a restart keeps the files).
fn start(args: &Args) -> FileServer {
    // argv = ["fs", the initrd's length in decimal]
    let len: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let fs = if len == 0 {
        Fs::new(fs::INODES)
    } else {
        // Safety: the kernel maps the initrd read-only at `INITRD`, `len` bytes, for as long as
        // this server runs, and nothing writes it.
        let archive: &'static [u8] =
            unsafe { core::slice::from_raw_parts(INITRD as *const u8, len) };
        match Fs::from_ustar(archive, fs::INODES) {
            Ok(fs) => fs,
            Err(e) => {
                servers::rt::say(format_args!(
                    "micro: cannot read the initrd: {}",
                    e.message()
                ));
                kernel::halt(254)
            }
        }
    };
    FileServer {
        files: Files::new(fs),
        pending: Pending::new(),
        buf: alloc::vec![0; limits::IO_MAX],
        deadlines: Deadlines::new(),
        timer_at: u64::MAX,
    }
}

impl Server for FileServer {
    fn pending(&mut self) -> &mut Pending {
        &mut self.pending
    }

    fn perform(&mut self, msg: &Message, wakes: &mut Wakes) -> Outcome {
        let (badge, a) = (msg.badge, args(msg));
        match msg.tag.label() {
            label::FS_PROGRAM | label::FS_SPAWN | label::FS_EXIT | label::FS_CANCEL
                if badge.pid() != 0 =>
            {
                Err(Errno::Perm.into())
            }
            label::FS_CANCEL => {
                let parked = self.pending.drop_thread(a[0]);
                self.deadlines.remove_if(|b| b.tid() == a[0]);
                Ok(usize::from(parked))
            }
            label::FS_PROGRAM => self.program(badge, a[0]),
            label::FS_SPAWN => self.spawn(&a),
            label::FS_EXIT => self.exit(a[0], wakes),
            l => match Sys::from_number(l as usize) {
                Some(sys) => self.syscall(sys, badge, &a, wakes),
                None => Err(Errno::NoSys.into()),
            },
        }
    }

    fn notified(&mut self, bits: u64, wakes: &mut Wakes) {
        if bits & bits::CONSOLE_READY != 0 {
            wakes.push(Wait::Console);
            // A `poll` of the console looks again.
            wakes.push(Wait::Polled);
        }
        if bits & bits::TIMER != 0 {
            self.timer_fired(wakes);
        }
    }

    fn restarted(&mut self) {
        // The parked calls are gone (the kernel failed them), and so are their deadlines.
        self.deadlines.clear();
        self.timer_at = u64::MAX;
    }

    fn still_waiting(&mut self, msg: &Message) -> bool {
        // Every parked request (a read or write) has lease 0.
        !matches!(lease::info(msg.badge, 0), Err(Fail::Gone))
    }
}

impl FileServer {
    /// A forwarded system call `sys` with arguments `a` from thread `badge` (`EPERM` from a
    /// server: servers make no system calls).
    fn syscall(&mut self, sys: Sys, badge: Badge, a: &[usize; 6], wakes: &mut Wakes) -> Outcome {
        let pid = badge.process().ok_or(Errno::Perm)?;
        let files = &mut self.files;
        match sys {
            Sys::Read => self.read(pid, badge, a[0], a[2].min(limits::IO_MAX), wakes),
            Sys::Write => self.write(pid, badge, a[0], a[2].min(limits::IO_MAX), wakes),
            Sys::Open => {
                let path = lease::path(badge, 0, a[1])?;
                let path = files.resolve(pid, path.as_bytes())?.into_owned();
                Ok(files.open_with(pid, &path, a[2], wakes)?)
            }
            Sys::Close => {
                files.close(pid, a[0], wakes)?;
                Ok(0)
            }
            Sys::Dup => Ok(files.dup(pid, a[0])?),
            Sys::Pipe => {
                let (r, w) = files.pipe(pid)?;
                if let Err(e) = lease::write_value(badge, 0, &[r as i32, w as i32]) {
                    // Never seen by the caller: take the pipe back.
                    let _ = files.close(pid, r, wakes);
                    let _ = files.close(pid, w, wakes);
                    return Err(e);
                }
                Ok(0)
            }
            Sys::Seek => Ok(files.seek(pid, a[0], a[1] as i64, a[2])?),
            Sys::Fstat => {
                let st = files.fstat(pid, a[0])?;
                lease::write_value(badge, 0, &st)?;
                Ok(0)
            }
            Sys::Unlink => {
                let path = lease::path(badge, 0, a[1])?;
                let path = files.resolve(pid, path.as_bytes())?.into_owned();
                files.unlink(&path)?;
                Ok(0)
            }
            Sys::Mkdir => {
                let path = lease::path(badge, 0, a[1])?;
                let path = files.resolve(pid, path.as_bytes())?.into_owned();
                files.mkdir(&path)?;
                Ok(0)
            }
            Sys::Readdir => match files.readdir(pid, a[0])? {
                Some(entry) => {
                    lease::write_value(badge, 0, &entry)?;
                    Ok(1)
                }
                None => Ok(0),
            },
            Sys::Mkfifo => {
                let path = lease::path(badge, 0, a[1])?;
                let path = files.resolve(pid, path.as_bytes())?.into_owned();
                files.mkfifo(&path)?;
                Ok(0)
            }
            Sys::Chdir => {
                let path = lease::path(badge, 0, a[1])?;
                files.chdir(pid, path.as_bytes())?;
                Ok(0)
            }
            Sys::Getcwd => {
                let cwd = files.cwd(pid);
                if cwd.len() <= a[1] {
                    lease::write_all(badge, 0, cwd)?;
                }
                Ok(cwd.len())
            }
            Sys::MqOpen => {
                let name = lease::path(badge, 0, a[1])?;
                Ok(files.mq_open(pid, name.as_bytes(), a[2])?)
            }
            Sys::MqSend => {
                if a[2] > limits::MQ_MSG_MAX {
                    return Err(Errno::MsgSize.into());
                }
                let msg = &mut self.buf[..a[2]];
                lease::read_exact(badge, 0, msg)?;
                Ok(self.files.mq_send(pid, a[0], msg, wakes)?)
            }
            Sys::MqReceive => {
                let len = a[2].min(limits::MQ_MSG_MAX);
                let n = self
                    .files
                    .mq_receive(pid, a[0], &mut self.buf[..len], wakes)?;
                lease::write_all(badge, 0, &self.buf[..n])?;
                Ok(n)
            }
            Sys::Socketpair => {
                let (x, y) = files.socketpair(pid)?;
                if let Err(e) = lease::write_value(badge, 0, &[x as i32, y as i32]) {
                    // Never seen by the caller: take the sockets back.
                    let _ = files.close(pid, x, wakes);
                    let _ = files.close(pid, y, wakes);
                    return Err(e);
                }
                Ok(0)
            }
            Sys::SetNonblock => {
                files.set_nonblock(pid, a[0], a[1] != 0)?;
                Ok(0)
            }
            Sys::Poll => self.poll(pid, badge, a[1], a[2]),
            Sys::EpollCreate => Ok(files.epoll_create(pid)?),
            Sys::EpollCtl => {
                files.epoll_ctl(pid, a[0], a[1], a[2], a[3])?;
                Ok(0)
            }
            Sys::EpollWait => self.epoll_wait(pid, badge, a),
            Sys::Sendfile => Ok(files.sendfile(pid, a[0], a[1], a[2], wakes)?),
            Sys::RingSetup => self.ring_setup(pid, badge, a),
            Sys::RingEnter => self.ring_enter(pid, badge, a, wakes),
            _ => Err(Errno::NoSys.into()),
        }
    }
}
