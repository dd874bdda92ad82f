//! The system-call table: `a7` selects the call, `a0..a5` are its arguments, `a0` gets the
//! result (`-errno` on failure). An unknown number is `-ENOSYS`.
//!
//! The path of a call is xv6's: the trap entry saved the registers in the caller's frame, the
//! number indexes [`TABLE`], and the entry reads its arguments from the frame, calls the body and
//! writes the result back; a call that returns to its caller says [`NextTask::Same`], and the
//! caller is resumed with no scheduling or timer work. A call that must wait leaves `sepc` on its
//! `ecall` and parks the thread ([`NextTask::Other`]); woken, the thread makes the call again.

use abi::Errno;
use abi::sys::Sys;
use kcore::sched::NextTask;
use kcore::timer;
use kcore::trap::{TrapFrame, reg};
use services::{Error, Wait};

use crate::kernel::{Caller, Kernel};
use crate::signals;

/// What a call did.
pub type Outcome = Result<usize, Error>;

/// A table entry: handles the call of the current thread, whose registers are `frame`.
type Entry = fn(&mut Kernel, &mut TrapFrame) -> NextTask;

/// Handles an `ecall` of the current thread, whose registers are `frame`.
#[inline(always)]
pub fn syscall(k: &mut Kernel, frame: &mut TrapFrame) -> NextTask {
    frame.pc += 4;
    let nr = frame.regs[reg::A7] as usize;
    match TABLE.get(nr) {
        Some(entry) => entry(k, frame),
        None => nosys(k, frame),
    }
}

/// One more than the highest call number.
const CALLS: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < Sys::ALL.len() {
        if Sys::ALL[i].number() >= n {
            n = Sys::ALL[i].number() + 1;
        }
        i += 1;
    }
    n
};

/// The entries by call number (`-ENOSYS` where no call has the number).
static TABLE: [Entry; CALLS] = {
    let mut t = [nosys as Entry; CALLS];
    let mut i = 0;
    while i < Sys::ALL.len() {
        t[Sys::ALL[i].number()] = entry(Sys::ALL[i]);
        i += 1;
    }
    t
};

/// The entry of `sys`.
const fn entry(sys: Sys) -> Entry {
    match sys {
        Sys::Exit => exit,
        Sys::Getpid => getpid,
        Sys::Yield => yield_now,
        Sys::Sleep => sleep,
        Sys::Clock => |k, f| done(k, f, Ok(timer::now_ns() as usize)),
        Sys::Read => |k, f| {
            call(k, f, |k, me, a| {
                k.sys_read(me, a.arg(0), a.arg(1), a.arg(2))
            })
        },
        Sys::Write => |k, f| {
            call(k, f, |k, me, a| {
                k.sys_write(me, a.arg(0), a.arg(1), a.arg(2))
            })
        },
        Sys::Open => |k, f| {
            call(k, f, |k, me, a| {
                k.sys_open(me, a.arg(0), a.arg(1), a.arg(2))
            })
        },
        Sys::Close => |k, f| call(k, f, |k, me, a| k.sys_close(me, a.arg(0))),
        Sys::Dup => |k, f| call(k, f, |k, me, a| Ok(k.files.dup(me.pid, a.arg(0))?)),
        Sys::Pipe => |k, f| call(k, f, |k, me, a| k.sys_pipe(me, a.arg(0))),
        Sys::Seek => |k, f| {
            call(k, f, |k, me, a| {
                k.sys_seek(me, a.arg(0), a.arg(1), a.arg(2))
            })
        },
        Sys::Fstat => |k, f| call(k, f, |k, me, a| k.sys_fstat(me, a.arg(0), a.arg(1))),
        Sys::Unlink => |k, f| call(k, f, |k, me, a| k.sys_unlink(me, a.arg(0), a.arg(1))),
        Sys::Mkdir => |k, f| call(k, f, |k, me, a| k.sys_mkdir(me, a.arg(0), a.arg(1))),
        Sys::Readdir => |k, f| call(k, f, |k, me, a| k.sys_readdir(me, a.arg(0), a.arg(1))),
        Sys::Spawn => |k, f| {
            call(k, f, |k, me, a| {
                k.sys_spawn(me, a.arg(0), a.arg(1), a.arg(2), a.arg(3), a.arg(4))
            })
        },
        Sys::Wait => |k, f| call(k, f, |k, me, a| k.sys_wait(me, a.arg(0), a.arg(1))),
        Sys::Kill => signals::kill,
        Sys::Sigaction => signals::sigaction,
        Sys::Sigprocmask => signals::sigprocmask,
        Sys::Sigreturn => signals::sigreturn,
        Sys::Setpgid => signals::setpgid,
        Sys::Getpgid => signals::getpgid,
        Sys::Brk => |k, f| call(k, f, |k, me, a| Ok(k.brk(me.space, a.arg(0))?)),
        Sys::Mmap => |k, f| call(k, f, |k, me, a| Ok(k.mmap(me.space, a.arg(0), a.arg(1))?)),
        Sys::Munmap => |k, f| {
            call(k, f, |k, me, a| {
                Ok(k.munmap(me.space, a.arg(0), a.arg(1))?)
            })
        },
        Sys::ThreadSpawn => |k, f| {
            call(k, f, |k, me, a| {
                Ok(k.thread_spawn(me, a.arg(0), a.arg(1), a.arg(2))?)
            })
        },
        Sys::ThreadExit => thread_exit,
        Sys::ThreadJoin => |k, f| call(k, f, |k, me, a| k.thread_join(me, a.arg(0))),
        Sys::Tcsetpgrp => signals::tcsetpgrp,
        Sys::Tcgetpgrp => |k, f| done(k, f, Ok(k.signals.tcgetpgrp())),
        Sys::Proclist => |k, f| call(k, f, |k, me, a| k.sys_proclist(me, a.arg(0), a.arg(1))),
        Sys::Mkfifo => |k, f| call(k, f, |k, me, a| k.sys_mkfifo(me, a.arg(0), a.arg(1))),
        Sys::Socketpair => |k, f| call(k, f, |k, me, a| k.sys_socketpair(me, a.arg(0))),
        Sys::FutexWait => crate::ipc::futex_wait,
        Sys::FutexWake => crate::ipc::futex_wake,
        Sys::MqOpen => |k, f| {
            call(k, f, |k, me, a| {
                k.sys_mq_open(me, a.arg(0), a.arg(1), a.arg(2))
            })
        },
        Sys::MqSend => |k, f| {
            call(k, f, |k, me, a| {
                k.sys_mq_send(me, a.arg(0), a.arg(1), a.arg(2))
            })
        },
        Sys::MqReceive => |k, f| {
            call(k, f, |k, me, a| {
                k.sys_mq_receive(me, a.arg(0), a.arg(1), a.arg(2))
            })
        },
        Sys::SetNonblock => {
            |k, f| call(k, f, |k, me, a| k.sys_set_nonblock(me, a.arg(0), a.arg(1)))
        }
        Sys::Poll => |k, f| {
            call(k, f, |k, me, a| {
                k.sys_poll(me, a.arg(0), a.arg(1), a.arg(2))
            })
        },
        Sys::EpollCreate => |k, f| call(k, f, |k, me, _| k.sys_epoll_create(me)),
        Sys::EpollCtl => |k, f| {
            call(k, f, |k, me, a| {
                k.sys_epoll_ctl(me, a.arg(0), a.arg(1), a.arg(2), a.arg(3))
            })
        },
        Sys::EpollWait => |k, f| {
            call(k, f, |k, me, a| {
                k.sys_epoll_wait(me, a.arg(0), a.arg(1), a.arg(2), a.arg(3))
            })
        },
        Sys::Sendfile => |k, f| {
            call(k, f, |k, me, a| {
                k.sys_sendfile(me, a.arg(0), a.arg(1), a.arg(2))
            })
        },
        Sys::RingSetup => |k, f| {
            call(k, f, |k, me, a| {
                k.sys_ring_setup(me, a.arg(0), a.arg(1), a.arg(2))
            })
        },
        Sys::RingEnter => |k, f| {
            call(k, f, |k, me, a| {
                k.sys_ring_enter(me, a.arg(0), (a.arg(1), a.arg(2)), a.arg(3), a.arg(4))
            })
        },
        Sys::AlarmArm => |k, f| call(k, f, |k, _, a| k.sys_alarm_arm(a.arg(0))),
        Sys::AlarmWait => |k, f| call(k, f, |k, me, a| k.sys_alarm_wait(me, a.arg(0))),
        Sys::RtcTime => |k, f| call(k, f, |k, _, _| k.sys_rtc_time()),
        Sys::ShmOpen => |k, f| {
            call(k, f, |k, me, a| {
                k.sys_shm_open(me, a.arg(0), a.arg(1), a.arg(2))
            })
        },
        Sys::ShmMap => |k, f| call(k, f, |k, me, a| k.sys_shm_map(me, a.arg(0))),
        Sys::ShmClose => |k, f| call(k, f, |k, me, a| k.sys_shm_close(me, a.arg(0))),
        Sys::ShmUnlink => |k, f| call(k, f, |k, me, a| k.sys_shm_unlink(me, a.arg(0), a.arg(1))),
        Sys::SigactionFlags => signals::sigaction_flags,
        Sys::Chdir => |k, f| call(k, f, |k, me, a| k.sys_chdir(me, a.arg(0), a.arg(1))),
        Sys::Getcwd => |k, f| call(k, f, |k, me, a| k.sys_getcwd(me, a.arg(0), a.arg(1))),
    }
}

/// `getpid()`: the null call, at the floor — the caller's pid (its space is the active one),
/// straight back.
fn getpid(k: &mut Kernel, f: &mut TrapFrame) -> NextTask {
    f.set_return(k.running.raw() as isize);
    NextTask::Same
}

/// An unknown number.
fn nosys(_: &mut Kernel, f: &mut TrapFrame) -> NextTask {
    f.set_return(Errno::NoSys.ret());
    NextTask::Same
}

/// `exit(status)`: the caller's process ends; someone else runs.
fn exit(k: &mut Kernel, f: &mut TrapFrame) -> NextTask {
    let me = k.caller();
    k.exit_process(me.space, f.arg(0) as i32);
    NextTask::Other
}

/// `thread_exit(status)`: the caller ends (its process too if it was the last); someone else
/// runs.
fn thread_exit(k: &mut Kernel, f: &mut TrapFrame) -> NextTask {
    let me = k.caller();
    k.thread_exit(me, f.arg(0) as i32);
    NextTask::Other
}

/// `yield()`: the caller goes to the back of the run queue.
fn yield_now(k: &mut Kernel, f: &mut TrapFrame) -> NextTask {
    f.set_return(0);
    k.sched.yield_current();
    NextTask::Other
}

/// `sleep(ns)`: the caller sleeps until the deadline; the timer must know.
fn sleep(k: &mut Kernel, f: &mut TrapFrame) -> NextTask {
    let until = timer::now().saturating_add(timer::ns_to_ticks(f.arg(0) as u64));
    let me = k.caller();
    f.set_return(0);
    k.sched.threads.sleep(me.tid, until);
    k.sched.ticker.sleep_until(until);
    NextTask::Other
}

/// A call with a body `body(kernel, caller, frame)` that reads the arguments it takes from the
/// frame: see [`done`].
#[inline(always)]
fn call(
    k: &mut Kernel,
    f: &mut TrapFrame,
    body: impl FnOnce(&mut Kernel, Caller, &TrapFrame) -> Outcome,
) -> NextTask {
    let me = k.caller();
    let result = body(k, me, f);
    if k.sched.threads.get(me.tid).is_none() {
        // The call ended its caller (e.g. `kill` of its own pid): `f` is no one's now.
        return NextTask::Other;
    }
    done(k, f, result)
}

/// Gives the caller `result`: the value or `-errno` in `a0` (it runs on), or, for a call that
/// must wait, parks it with `sepc` back on its `ecall` (someone else runs).
fn done(k: &mut Kernel, f: &mut TrapFrame, result: Outcome) -> NextTask {
    match result {
        Ok(v) => f.set_return(v as isize),
        Err(Error::Errno(e)) => {
            f.set_return(e.ret());
            if let Some(sig) = services::signal::raised_by(e) {
                return signals::raise(k, f, sig);
            }
        }
        Err(Error::WouldBlock(w)) => {
            f.pc -= 4;
            let me = k.caller();
            k.sched.threads.wait(me.tid, w);
            if w == Wait::Console {
                k.console_listen();
            }
            return NextTask::Other;
        }
    }
    NextTask::Same
}
