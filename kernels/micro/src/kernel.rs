//! The kernel's objects and its one entry. Every trap from a user thread lands in
//! [`kernel_trap_handler`], which handles it to completion and resumes whichever thread should
//! run next. All state is one [`Kernel`] behind a [`Global`]; the kernel runs with interrupts off
//! on a single hart (as mono).
//!
//! Objects, every table direct-indexed (no tree on any IPC path):
//! - [`Space`]: an address space — a process (named by its pid, which the process server
//!   assigns) or a server (pid 0) — with its threads ([`Spaces`], by [`SpaceId`]).
//! - threads: the shared table of `kcore::sched` (by [`ThreadId`]), whose run state says what a
//!   blocked thread [`Wait`]s for; the kernel's own [`Thread`] data: registers, and the message
//!   it is sending or whose reply it waits for ([`Msg`], with the leases it lends meanwhile).
//! - [`crate::endpoint::Endpoint`]: a rendezvous point: the threads waiting to send, the one
//!   thread waiting to receive, and a notification word ([`Endpoints`], by [`EndpointId`], a
//!   slot and its generation: see [`crate::endpoint`]).

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use abi::ipc::{Lease, MAX_LEASES, MAX_RECV_WORDS, Tag, level};
use abi::{Errno, Pid};
use kcore::asid::Asids;
use kcore::frame::FrameAllocator;
use kcore::plic::Plic;
use kcore::sched::{Framed, NextTask, Run, Sched};
use kcore::sync::Global;
use kcore::trap::{Cause, TrapFrame};
use kcore::vm::AddressSpace;

use crate::inject::Injection;
use crate::supervisor::Supervised;

pub use crate::endpoint::{EndpointId, Endpoints};
pub use kcore::sched::{SpaceId, ThreadId};

/// An address space.
pub struct Space {
    /// The pid badges carry (0 for a server).
    pub pid: usize,
    /// The program's name (argv\[0\]), for messages.
    pub name: String,
    /// Its page tables.
    pub vm: AddressSpace,
    /// Its threads.
    pub threads: Vec<ThreadId>,
    /// For a server: its endpoint (its level in the deadlock rule).
    pub server: Option<usize>,
    /// Pages mapped from outside the frame pool (the UART, the initrd): unmapped, not freed,
    /// before the space is destroyed.
    pub foreign: Vec<core::ops::Range<usize>>,
}

/// The address spaces, direct-indexed by [`SpaceId`] (a slot; freed slots are reused). Processes
/// are also found by pid (indexed by [`Pid::slot`], checked against the space's pid) and servers
/// by endpoint, for the servers' kernel calls that name them so (never on an IPC path).
pub struct Spaces {
    slots: Vec<Option<Space>>,
    free: Vec<u32>,
    /// By pid slot (on the heap: the kernel's own state stays small).
    by_pid: Box<[Option<SpaceId>; Pid::SLOTS]>,
    servers: [Option<SpaceId>; level::SERVERS + 1],
}

impl Default for Spaces {
    fn default() -> Self {
        Spaces {
            slots: Vec::new(),
            free: Vec::new(),
            by_pid: Box::new([None; Pid::SLOTS]),
            servers: [None; level::SERVERS + 1],
        }
    }
}

impl Spaces {
    /// Space `sid`, if it lives.
    #[inline(always)]
    pub fn get(&self, sid: &SpaceId) -> Option<&Space> {
        self.slots.get(sid.0 as usize)?.as_ref()
    }

    /// Space `sid`, if it lives.
    #[inline(always)]
    pub fn get_mut(&mut self, sid: &SpaceId) -> Option<&mut Space> {
        self.slots.get_mut(sid.0 as usize)?.as_mut()
    }

    /// Whether space `sid` lives.
    pub fn contains_key(&self, sid: &SpaceId) -> bool {
        self.get(sid).is_some()
    }

    /// Makes sure the next [`Spaces::insert`] finds a free slot (`ENOMEM` if memory is short).
    /// A process's space also needs its pid slot free ([`Spaces::pid_slot_free`]).
    pub fn reserve(&mut self) -> Result<(), Errno> {
        if self.free.is_empty() {
            self.slots.try_reserve(1).map_err(|_| Errno::NoMem)?;
            self.free
                .try_reserve(self.slots.len() + 1)
                .map_err(|_| Errno::NoMem)?;
            self.slots.push(None);
            self.free.push((self.slots.len() - 1) as u32);
        }
        Ok(())
    }

    /// Adds `space` (a process's, found by its pid from now on, or server `space.server`'s) in
    /// the slot [`Spaces::reserve`] made sure of.
    pub fn insert(&mut self, space: Space) -> SpaceId {
        let index = self.free.pop().expect("a slot reserved") as usize;
        let sid = SpaceId(index as u32);
        match space.server {
            Some(ep) => self.servers[ep] = Some(sid),
            None => {
                if let Some(pid) = Pid::from_raw(space.pid) {
                    self.by_pid[pid.slot()] = Some(sid);
                }
            }
        }
        self.slots[index] = Some(space);
        sid
    }

    /// Takes space `sid` out.
    pub fn remove(&mut self, sid: &SpaceId) -> Option<Space> {
        let space = self.slots.get_mut(sid.0 as usize)?.take()?;
        match space.server {
            Some(ep) => self.servers[ep] = None,
            None => {
                if let Some(pid) = Pid::from_raw(space.pid) {
                    self.by_pid[pid.slot()] = None;
                }
            }
        }
        // Reserved at insert, so this never allocates.
        self.free.push(sid.0);
        Some(space)
    }

    /// The space of process `pid` (a number from a kernel call: 0 or any other non-pid names
    /// nothing, nor does a stale pid).
    pub fn of_pid(&self, pid: usize) -> Option<SpaceId> {
        let sid = self.by_pid[Pid::from_raw(pid)?.slot()]?;
        self.get(&sid).filter(|s| s.pid == pid).map(|_| sid)
    }

    /// Whether a space for process `pid` can be inserted: a pid whose slot no live space
    /// holds (the process server reuses a slot only for a new pid once the old one is reaped,
    /// and its space is gone before that).
    pub fn pid_slot_free(&self, pid: usize) -> bool {
        Pid::from_raw(pid).is_some_and(|p| self.by_pid[p.slot()].is_none())
    }

    /// The space of the server of endpoint `ep`.
    pub fn of_server(&self, ep: usize) -> Option<SpaceId> {
        self.servers.get(ep).copied().flatten()
    }
}

/// What a blocked thread waits for, as far as IPC is concerned (the run state of the shared
/// thread table: [`kcore::sched::Run::Blocked`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Wait {
    /// Made but not started yet (`thread_start`).
    Created,
    /// Queued on an endpoint with a message, waiting for a receiver.
    Sending(EndpointId),
    /// Waiting in `recv` on an endpoint.
    Receiving(EndpointId),
    /// Its message was received by this thread; waiting for the reply.
    Calling(ThreadId),
    /// In `futex_wait` on the word at this physical address ([`crate::futex`]).
    Futex(usize),
}

/// A thread's run state.
pub type State = Run<Wait>;

/// Why a thread sent its message: what the reply means to it. An explicit tag byte (`repr(u8)`),
/// so the fast path tells a raw call from a forwarded one with one compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum CallKind {
    /// A `call` of the thread's own: the reply goes into `a0..a5` as sent.
    Raw,
    /// A forwarded system call: the reply's word 0 becomes `a0`.
    Syscall,
    /// A page fault sent to the pager: a refusal kills the process.
    Fault {
        /// What faulted.
        cause: Cause,
        /// The faulting address.
        addr: usize,
    },
    /// A leased page the pager must map before a call can go on: a refusal is `EFAULT`.
    LeasePage,
}

/// A message in flight: what a `Sending` thread offers, or what a `Calling` thread sent (its
/// leases stay valid until the reply).
#[derive(Clone, Copy, Debug, Default)]
pub struct Msg {
    /// Label, words, leases.
    pub tag: Tag,
    /// The words.
    pub words: [u64; MAX_RECV_WORDS],
    /// The leases (`tag.leases()` of them).
    pub leases: [Lease; MAX_LEASES],
}

/// A message to send, by parts: the tag, the words, and the leases (`tag.leases()` of them).
/// [`Kernel::send`] writes them into the sender's [`Msg`] one by one, leases only as many as
/// there are.
pub type Parts<'a> = (Tag, [u64; MAX_RECV_WORDS], &'a [Lease]);

/// What the kernel keeps per thread beside the shared table's id, space and run state.
pub struct Thread {
    /// Its registers while it is not running.
    pub frame: Box<TrapFrame>,
    /// Its space's pid (what its badges carry; 0 for a server's), kept here so the IPC fast
    /// path needs no look at the space.
    pub pid: usize,
    /// Its space's server endpoint (None for a program), for the deadlock rule.
    pub server: Option<usize>,
    /// Its message, while `Sending` or `Calling`.
    pub msg: Msg,
    /// What its message is.
    pub kind: CallKind,
}

impl Thread {
    /// A thread of a space with `pid` and `server` that would start with `frame`.
    pub fn new(frame: TrapFrame, pid: usize, server: Option<usize>) -> Thread {
        Thread {
            frame: Box::new(frame),
            pid,
            server,
            msg: Msg::default(),
            kind: CallKind::Raw,
        }
    }
}

impl Framed for Thread {
    #[inline(always)]
    fn frame(&self) -> *const TrapFrame {
        &*self.frame
    }
}

/// Everything the kernel knows. `repr(C)` with the fields a message and a switch touch first,
/// starting a cache line: they share as few lines as they can, and each line the kernel touches
/// may evict a line of a program's working set (mono's `Kernel` is laid out the same way).
#[repr(C, align(64))]
pub struct Kernel {
    /// The threads (the shared table), the run queue, the timer and the space in `satp`.
    pub sched: Sched<Thread, Wait>,
    /// The `scause` the IPC fast path takes ([`crate::fastpath`]): an `ecall` from U-mode, or
    /// with `fastpath=off` on the boot command line a value no trap has (one compare decides
    /// both).
    pub fast_cause: u64,
    /// A direct hand-off the IPC code asks for (a call to a waiting receiver, a reply to a
    /// waiting caller): what the trap handler returns.
    pub next: NextTask,
    /// Endpoints.
    pub endpoints: Endpoints,
    /// Address spaces.
    pub spaces: Spaces,
    /// ASID assignment.
    pub asids: Asids,
    /// Free physical frames.
    pub frames: FrameAllocator,
    /// The interrupt controller.
    pub plic: Plic,
    /// The UART's PLIC source (notified to the console server).
    pub uart_irq: u32,
    /// The initrd's physical range (mapped into the file server).
    pub initrd: core::ops::Range<usize>,
    /// The boot command line, the process server's arguments.
    pub bootargs: String,
    /// The supervisor's record of each server, by endpoint.
    pub supervised: [Supervised; level::SERVERS + 1],
    /// The crashes to inject (`inject=` boot arguments), in the order they fire.
    pub injections: VecDeque<Injection>,
    /// The Goldfish RTC's registers and PLIC source, if the board has one: its interrupt is
    /// notified to the console server, which drives it; the kernel only asks it whether an
    /// alarm is armed (something can still wake a thread, `sched.rs`).
    pub rtc: Option<(usize, u32)>,
    /// Whether the RTC has klab's `RAISED_*` registers (told to the console server).
    pub rtc_raised: bool,
    /// The timer notification each server asked for (`kcall::TIMER_NOTIFY`), by endpoint: the
    /// tick at which it gets `bits::TIMER` (`u64::MAX`: none).
    pub timers: [u64; level::SERVERS + 1],
}

pub(crate) static KERNEL: Global<Option<Kernel>> = Global::new("KERNEL", None);

impl Kernel {
    /// The kernel's data of thread `tid` (which must exist).
    #[inline]
    pub fn thread(&mut self, tid: ThreadId) -> &mut Thread {
        &mut self.sched.threads.get_mut(tid).expect("a live thread").data
    }

    /// The run state of thread `tid`, if it lives.
    #[inline]
    pub fn state(&self, tid: ThreadId) -> Option<State> {
        self.sched.threads.get(tid).map(|t| t.run())
    }

    /// The space of thread `tid`.
    #[inline]
    pub fn space_of(&self, tid: ThreadId) -> Option<SpaceId> {
        self.sched.threads.get(tid).map(|t| t.space)
    }

    /// The pid badges of thread `tid` carry.
    pub fn pid_of(&self, tid: ThreadId) -> usize {
        self.space_of(tid)
            .and_then(|s| self.spaces.get(&s))
            .map_or(0, |s| s.pid)
    }

    /// The endpoint of the server thread `tid` belongs to, if it is a server's.
    pub fn server_of(&self, tid: ThreadId) -> Option<usize> {
        self.space_of(tid)
            .and_then(|s| self.spaces.get(&s))
            .and_then(|s| s.server)
    }

    /// Makes `tid` runnable (at the back of the queue unless it is the current thread).
    pub fn make_ready(&mut self, tid: ThreadId) {
        self.sched.threads.ready(tid);
    }

    /// Thread `tid` blocks on `wait` (the current thread: someone else is scheduled).
    pub fn block(&mut self, tid: ThreadId, wait: Wait) {
        self.sched.threads.block(tid, wait);
    }

    /// Handles a trap of the current thread; what runs next.
    fn trap(&mut self) -> NextTask {
        let Some(tid) = self.sched.threads.current() else {
            return NextTask::Other;
        };
        self.next = NextTask::Other;
        match Cause::current() {
            Cause::Syscall => {
                crate::syscall::syscall(self, tid);
                let next = core::mem::replace(&mut self.next, NextTask::Other);
                // The caller goes on, in its own space which is still the active one, and
                // nothing the timer waits for changed (a sleep blocks it): resume it at once.
                if next == NextTask::Other
                    && self.sched.threads.current() == Some(tid)
                    && self.sched.active.is_some()
                    && self.sched.active == self.space_of(tid)
                {
                    return NextTask::Same;
                }
                return next;
            }
            Cause::Timer => self.tick(),
            Cause::External => self.external(),
            Cause::PageFault(access) => self.page_fault(tid, access),
            cause => self.fatal(tid, cause, kcore::csr::stval() as usize, ""),
        }
        core::mem::replace(&mut self.next, NextTask::Other)
    }
}

/// Installs the kernel built at boot.
pub fn install(k: Kernel) {
    *KERNEL.lock() = Some(k);
}

/// Starts scheduling (after boot).
pub fn run() -> ! {
    kcore::sched::start(&KERNEL)
}

/// Every trap from U-mode ends up here (kcore's `trap_entry`), on the kernel stack, with
/// `frame` = the current thread's registers. An `ecall` the IPC fast path can do is done
/// before anything else ([`crate::fastpath::entry`]); the rest goes through the shared entry.
#[unsafe(no_mangle)]
extern "C" fn kernel_trap_handler(frame: *mut TrapFrame) -> ! {
    // Safety: a trap from U-mode (kcore's `trap_entry` comes here for no other), `frame` its
    // frame, and nothing borrows the kernel yet.
    if let Some(next) = unsafe { crate::fastpath::entry(frame) } {
        // Safety: `next` is the frame of a live thread (boxed: it stays put until that thread
        // traps again) of the address space now active.
        unsafe { kcore::trap::resume(next) }
    }
    general(frame)
}

/// The general path: the shared kernel entry (kept out of line, so the fast path does not pay
/// for the registers it saves).
#[inline(never)]
fn general(frame: *mut TrapFrame) -> ! {
    // Safety: `frame` is the frame `trap_entry` just filled, the current thread's.
    unsafe { kcore::sched::enter(&KERNEL, frame) }
}

impl kcore::sched::Kernel for Kernel {
    type Thread = Thread;
    type Block = Wait;

    #[inline(always)]
    fn sched(&mut self) -> &mut Sched<Thread, Wait> {
        &mut self.sched
    }

    fn trap(&mut self, _frame: &mut TrapFrame) -> NextTask {
        // The registers are read through the thread's own (boxed) frame, the same memory.
        Kernel::trap(self)
    }

    fn activate(&mut self, space: SpaceId) {
        match self.spaces.get_mut(&space) {
            Some(s) => s.vm.activate(&mut self.asids),
            None => kcore::vm::activate_kernel(),
        }
    }

    const NAME: &'static str = crate::NAME;

    fn can_wake(&mut self) -> bool {
        Kernel::can_wake(self)
    }

    fn tick(&mut self) {
        Kernel::tick(self);
    }

    fn external(&mut self) {
        Kernel::external(self);
    }
}
