//! The kernel calls only servers may make: what the process server needs to make and end
//! processes and threads, what the memory server needs to map and unmap pages, the console
//! server's interrupt acknowledgement, and power-off. The kernel checks each argument (a bad one
//! is `-errno`, never a kernel fault) but applies no policy: that is the servers'.

use alloc::string::String;
use alloc::vec::Vec;

use abi::Errno;
use abi::ipc::{ImageInfo, kcall};
use abi::types::{Str, limits, prot};
use kcore::trap::{TrapFrame, reg};
use kcore::uaccess;
use kcore::{console, loader, power};

use kcore::sched::Run;

use crate::kernel::{Kernel, Space, SpaceId, Thread, ThreadId, Wait};
use crate::syscall::Own;

/// Server call `nr` of thread `tid` with arguments `a`.
pub fn server_call(
    k: &mut Kernel,
    tid: ThreadId,
    nr: usize,
    a: [usize; 6],
) -> Result<usize, Errno> {
    let me = k.space_of(tid).ok_or(Errno::Srch)?;
    match nr {
        kcall::SPACE_NEW => k.space_new(me, a),
        kcall::SPACE_KILL => {
            if a[0] == 0 {
                return Err(Errno::Srch);
            }
            if let Some(sid) = k.spaces.of_pid(a[0]) {
                k.space_kill(sid);
            }
            Ok(0)
        }
        kcall::SPACE_READ => {
            let from = k.pid_space(a[0])?;
            k.copy(from, a[1], me, a[2], a[3])?;
            Ok(a[3])
        }
        kcall::THREAD_NEW => {
            let sid = k.pid_space(a[0])?;
            let t = k.new_thread(sid, TrapFrame::new(a[1], a[3], a[2], 0))?;
            k.make_ready(t);
            Ok(t.raw() as usize)
        }
        kcall::THREAD_START => {
            let t = thread_arg(a[0])?;
            match k.state(t) {
                Some(Run::Blocked(Wait::Created)) => {
                    k.make_ready(t);
                    Ok(0)
                }
                Some(_) => Err(Errno::Inval),
                None => Err(Errno::Srch),
            }
        }
        kcall::THREAD_KILL => {
            let t = thread_arg(a[0])?;
            if k.state(t).is_none() {
                return Err(Errno::Srch);
            }
            k.remove_thread(t);
            Ok(0)
        }
        kcall::MAP_NEW => {
            k.map_new(
                k.pid_space(a[0])?,
                a[1],
                a[2] & (prot::READ | prot::WRITE | prot::EXEC),
            )?;
            Ok(0)
        }
        kcall::UNMAP => {
            k.unmap(k.pid_space(a[0])?, a[1], a[2])?;
            Ok(0)
        }
        kcall::GRANT => {
            let to = k.pid_space(a[1])?;
            k.grant(me, a[0], to, a[2], a[3])?;
            Ok(0)
        }
        kcall::HEAP_GROW => {
            k.heap_grow(me, a[0], a[1])?;
            Ok(0)
        }
        kcall::IRQ_ACK => {
            match (a[0], k.rtc) {
                (abi::ipc::irq::UART, _) => k.plic.complete(k.uart_irq),
                (abi::ipc::irq::RTC, Some((_, irq))) => k.plic.complete(irq),
                _ => return Err(Errno::Inval),
            }
            Ok(0)
        }
        kcall::SIGNAL => k.signal_thread(tid, thread_arg(a[0])?, a),
        kcall::SIG_RETURN => {
            let (mask, a0) = k.sig_return(tid, thread_arg(a[0])?, a[1])?;
            k.thread(tid).frame.regs[reg::A1] = a0;
            Ok(mask)
        }
        kcall::HALT => power::exit(a[0] as i32),
        kcall::DEBUG_WRITE => {
            let mut own = Own { k, sid: me };
            uaccess::with_bytes(&mut own, a[0], a[1].min(4096), console::write_bytes)?;
            Ok(0)
        }
        _ => Err(Errno::NoSys),
    }
}

/// A thread id from a server's argument (a thread id is 32 bits; it may name no thread, which
/// the caller checks).
fn thread_arg(raw: usize) -> Result<ThreadId, Errno> {
    u32::try_from(raw)
        .ok()
        .and_then(ThreadId::from_raw)
        .ok_or(Errno::Srch)
}

impl Kernel {
    /// The space of process `pid` (processes are named by pid; 0 is nobody).
    pub fn pid_space(&self, pid: usize) -> Result<SpaceId, Errno> {
        self.spaces.of_pid(pid).ok_or(Errno::Srch)
    }

    /// A new thread of space `sid`, made but not started ([`Wait::Created`]). `EAGAIN` when the
    /// thread table is full.
    pub fn new_thread(&mut self, sid: SpaceId, frame: TrapFrame) -> Result<ThreadId, Errno> {
        let space = self.spaces.get_mut(&sid).ok_or(Errno::Srch)?;
        space.threads.try_reserve(1).map_err(|_| Errno::NoMem)?;
        let (pid, server) = (space.pid, space.server);
        let tid = self
            .sched
            .threads
            .insert(
                sid,
                Run::Blocked(Wait::Created),
                Thread::new(frame, pid, server),
            )
            .ok_or(Errno::Again)?;
        space.threads.push(tid);
        Ok(tid)
    }

    /// Ends thread `tid` wherever it is: out of the run queue and the endpoint queues. A
    /// server later answering its call finds it gone (`ESRCH`).
    pub fn remove_thread(&mut self, tid: ThreadId) {
        self.unqueue(tid);
        if let Some(t) = self.sched.threads.remove(tid)
            && let Some(s) = self.spaces.get_mut(&t.space)
        {
            s.threads.retain(|&x| x != tid);
        }
    }

    /// Ends every thread of `sid`, the endpoints it owns, and the space itself.
    pub fn space_kill(&mut self, sid: SpaceId) {
        let Some(space) = self.spaces.get(&sid) else {
            return;
        };
        for tid in space.threads.clone() {
            self.remove_thread(tid);
        }
        let owned = self.endpoints.owned_by(sid);
        for id in owned {
            if let Some(e) = self.endpoints.remove(id) {
                for s in e.senders {
                    if let Some(t) = self.complete(s, Err(Errno::Srch)) {
                        self.make_ready(t);
                    }
                }
            }
        }
        self.destroy_space(sid);
    }

    /// `space_new(pid, elf, elf_len, argv, argc, info)` by server space `me`.
    fn space_new(&mut self, me: SpaceId, a: [usize; 6]) -> Result<usize, Errno> {
        let [pid, elf, elf_len, argv, argc, info] = a;
        if abi::Pid::from_raw(pid).is_none() {
            return Err(Errno::Srch);
        }
        if self.spaces.of_pid(pid).is_some() {
            return Err(Errno::Exist);
        }
        if !self.spaces.pid_slot_free(pid) {
            return Err(Errno::Again);
        }
        if argc > limits::ARGS {
            return Err(Errno::TooBig);
        }
        let mut own = Own { k: self, sid: me };
        let bytes = {
            let mut v = Vec::new();
            uaccess::read_vec(&mut own, elf, elf_len, usize::MAX, Errno::TooBig, &mut v)?;
            v
        };
        let mut args: Vec<Vec<u8>> = Vec::with_capacity(argc);
        for i in 0..argc {
            let s: Str = uaccess::read(&mut own, argv + i * size_of::<Str>())?;
            let mut v = Vec::new();
            uaccess::read_vec(
                &mut own,
                s.ptr as usize,
                s.len as usize,
                limits::ARG_BYTES,
                Errno::TooBig,
                &mut v,
            )?;
            args.push(v);
        }
        let argv: Vec<&[u8]> = args.iter().map(|v| v.as_slice()).collect();
        let name = String::from_utf8_lossy(argv.first().copied().unwrap_or(b"?")).into_owned();
        let (sid, frame, image) = self.load(pid, name, None, &bytes, &argv)?;
        let mut out = ImageInfo {
            end: image.end as u64,
            count: image.count as u64,
            ..ImageInfo::default()
        };
        for (o, s) in out.segments.iter_mut().zip(image.segments()) {
            *o = [s.start as u64, s.end as u64, s.prot() as u64];
        }
        let mut own = Own { k: self, sid: me };
        if let Err(e) = uaccess::write(&mut own, info, &out) {
            self.space_kill(sid);
            return Err(e);
        }
        let tid = self.new_thread(sid, frame);
        if tid.is_err() {
            self.space_kill(sid);
        }
        tid.map(|t| t.raw() as usize)
    }

    /// Makes a space (pid `pid`, server endpoint `server`) with the program `bytes` and its
    /// arguments; returns it, its first thread's frame and what was loaded.
    pub fn load(
        &mut self,
        pid: usize,
        name: String,
        server: Option<usize>,
        bytes: &[u8],
        args: &[&[u8]],
    ) -> Result<(SpaceId, TrapFrame, loader::Image), Errno> {
        self.spaces.reserve()?;
        let (vm, image, frame) = loader::new_space(&mut self.frames, bytes, args)?;
        let space = Space {
            pid,
            name,
            vm,
            threads: Vec::new(),
            server,
            foreign: Vec::new(),
        };
        Ok((self.spaces.insert(space), frame, image))
    }
}
