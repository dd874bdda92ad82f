//! The system-call table: `a7` selects the call, `a0..a5` are its arguments, `a0` gets the
//! result (`-errno` on failure). An unknown number is `-ENOSYS`. A call that must wait leaves
//! `sepc` on its `ecall` and parks the thread; woken, the thread makes the call again.

use abi::Errno;
use abi::sys::Sys;
use kcore::timer;
use kcore::trap::reg;
use services::{Error, Pid, Wait};

use crate::kernel::Kernel;

/// What a call did.
pub type Outcome = Result<usize, Error>;

/// Handles the `ecall` of thread `tid`.
pub fn syscall(k: &mut Kernel, tid: usize) {
    let (nr, a) = {
        let f = k.frame(tid);
        f.pc += 4;
        (
            f.regs[reg::A7] as usize,
            [f.arg(0), f.arg(1), f.arg(2), f.arg(3), f.arg(4), f.arg(5)],
        )
    };
    let pid = k.threads[&tid].pid;
    let result = dispatch(k, pid, tid, nr, a);
    let Some(t) = k.threads.get_mut(&tid) else {
        return;
    };
    if t.ended.is_some() {
        return;
    }
    match result {
        Ok(v) => t.frame.set_return(v as isize),
        Err(Error::Errno(e)) => t.frame.set_return(e.ret()),
        Err(Error::WouldBlock(w)) => {
            t.frame.pc -= 4;
            t.blocked_on = Some(w);
            k.runq.remove(tid);
            if w == Wait::Console {
                k.console_listen();
            }
        }
    }
}

fn dispatch(k: &mut Kernel, pid: Pid, tid: usize, nr: usize, a: [usize; 6]) -> Outcome {
    let Some(sys) = Sys::from_number(nr) else {
        return Err(Errno::NoSys.into());
    };
    match sys {
        Sys::Exit => {
            k.exit_process(pid, a[0] as i32);
            Ok(0)
        }
        Sys::Getpid => Ok(pid),
        Sys::Yield => {
            k.runq.push(tid);
            k.current = None;
            Ok(0)
        }
        Sys::Sleep => {
            let until = timer::now().saturating_add(timer::ns_to_ticks(a[0] as u64));
            if let Some(t) = k.threads.get_mut(&tid) {
                t.sleep_until = Some(until);
            }
            k.ticker.sleep_until(until);
            k.runq.remove(tid);
            Ok(0)
        }
        Sys::Clock => Ok(timer::now_ns() as usize),
        Sys::Read => k.sys_read(pid, a[0], a[1], a[2]),
        Sys::Write => k.sys_write(pid, a[0], a[1], a[2]),
        Sys::Open => k.sys_open(pid, a[0], a[1], a[2]),
        Sys::Close => k.sys_close(pid, a[0]),
        Sys::Dup => Ok(k.files.dup(pid, a[0])?),
        Sys::Pipe => k.sys_pipe(pid, a[0]),
        Sys::Seek => k.sys_seek(pid, a[0], a[1], a[2]),
        Sys::Fstat => k.sys_fstat(pid, a[0], a[1]),
        Sys::Unlink => k.sys_unlink(pid, a[0], a[1]),
        Sys::Mkdir => k.sys_mkdir(pid, a[0], a[1]),
        Sys::Readdir => k.sys_readdir(pid, a[0], a[1]),
        Sys::Spawn => k.sys_spawn(pid, a[0], a[1], a[2], a[3], a[4]),
        Sys::Wait => k.sys_wait(pid, a[0], a[1]),
        Sys::Kill => Ok(k.kill(a[0])?),
        Sys::Brk => Ok(k.brk(pid, a[0])?),
        Sys::Mmap => Ok(k.mmap(pid, a[0], a[1])?),
        Sys::Munmap => Ok(k.munmap(pid, a[0], a[1])?),
        Sys::ThreadSpawn => Ok(k.thread_spawn(pid, a[0], a[1], a[2])?),
        Sys::ThreadExit => {
            k.thread_exit(tid, a[0] as i32);
            Ok(0)
        }
        Sys::ThreadJoin => k.thread_join(pid, tid, a[0]),
    }
}
