//! The kernel's objects and its one entry. Every trap from a user thread lands in
//! [`kernel_trap_handler`], which handles it to completion and resumes whichever thread should
//! run next. All state is one [`Kernel`] behind a [`Global`]; the kernel runs with interrupts off
//! on a single hart (as mono).
//!
//! Objects:
//! - [`Space`]: an address space — a process (named by its pid, which the process server
//!   assigns) or a server (pid 0) — with its threads.
//! - [`Thread`]: registers, the [`State`] of its IPC, and the message it is sending or whose
//!   reply it waits for ([`Msg`], with the leases it lends meanwhile).
//! - [`Endpoint`]: a rendezvous point: the threads waiting to send, the one thread waiting to
//!   receive, and a notification word.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::String;
use alloc::vec::Vec;

use abi::ipc::{Lease, MAX_LEASES, MAX_RECV_WORDS, Tag, level};
use kcore::asid::Asids;
use kcore::frame::FrameAllocator;
use kcore::plic::Plic;
use kcore::sched::{RunQueue, Ticker};
use kcore::sync::Global;
use kcore::trap::{self, Cause, TrapFrame};
use kcore::vm::AddressSpace;

use crate::inject::Injection;
use crate::supervisor::Supervised;

/// An address space's id: a process's pid, or [`SERVER_SPACES`] + endpoint for a server.
pub type SpaceId = usize;

/// Server spaces' ids start here (above every pid).
pub const SERVER_SPACES: SpaceId = 1 << 32;

/// An address space.
pub struct Space {
    /// The pid badges carry (0 for a server).
    pub pid: usize,
    /// The program's name (argv\[0\]), for messages.
    pub name: String,
    /// Its page tables.
    pub vm: AddressSpace,
    /// Its threads.
    pub threads: Vec<usize>,
    /// For a server: its endpoint (its level in the deadlock rule).
    pub server: Option<usize>,
    /// Pages mapped from outside the frame pool (the UART, the initrd): unmapped, not freed,
    /// before the space is destroyed.
    pub foreign: Vec<core::ops::Range<usize>>,
}

/// What a thread is doing, as far as IPC and scheduling are concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Runnable: in the run queue, or running.
    Ready,
    /// Made but not started yet (`thread_start`).
    Created,
    /// Queued on an endpoint with a message, waiting for a receiver.
    Sending(usize),
    /// Waiting in `recv` on an endpoint.
    Receiving(usize),
    /// Its message was received by this thread; waiting for the reply.
    Calling(usize),
    /// Asleep until this timer deadline.
    Sleeping(u64),
}

/// Why a thread sent its message: what the reply means to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// A thread.
pub struct Thread {
    /// Its address space.
    pub space: SpaceId,
    /// Its registers while it is not running.
    pub frame: Box<TrapFrame>,
    /// What it is doing.
    pub state: State,
    /// Its message, while `Sending` or `Calling`.
    pub msg: Msg,
    /// What its message is.
    pub kind: CallKind,
}

impl Thread {
    /// A thread of `space` that would start with `frame`.
    pub fn new(space: SpaceId, frame: TrapFrame, state: State) -> Thread {
        Thread {
            space,
            frame: Box::new(frame),
            state,
            msg: Msg::default(),
            kind: CallKind::Raw,
        }
    }
}

/// A rendezvous point.
#[derive(Default)]
pub struct Endpoint {
    /// The space that may receive on it.
    pub owner: SpaceId,
    /// Threads waiting to send, in arrival order.
    pub senders: VecDeque<usize>,
    /// The thread waiting to receive.
    pub receiver: Option<usize>,
    /// Pending notification bits (and the kernel's [`crate::inject::CRASH_BIT`]).
    pub bits: u64,
    /// Its server was declared dead: every call to it fails with `EIO`.
    pub dead: bool,
}

/// Everything the kernel knows.
pub struct Kernel {
    /// Free physical frames.
    pub frames: FrameAllocator,
    /// ASID assignment.
    pub asids: Asids,
    /// Address spaces.
    pub spaces: BTreeMap<SpaceId, Space>,
    /// Threads by id (ids are never reused).
    pub threads: BTreeMap<usize, Thread>,
    /// The next thread id.
    pub next_tid: usize,
    /// Endpoints by id (0 is never used; 1..=4 are the servers').
    pub endpoints: BTreeMap<usize, Endpoint>,
    /// The next endpoint id.
    pub next_endpoint: usize,
    /// Runnable threads.
    pub runq: RunQueue,
    /// The thread that trapped (and runs next unless it blocks or is preempted).
    pub current: Option<usize>,
    /// The space in `satp`.
    pub active: Option<SpaceId>,
    /// The timer.
    pub ticker: Ticker,
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
}

static KERNEL: Global<Option<Kernel>> = Global::new("KERNEL", None);

impl Kernel {
    /// The thread `tid` (which must exist).
    pub fn thread(&mut self, tid: usize) -> &mut Thread {
        self.threads.get_mut(&tid).expect("a live thread")
    }

    /// The space of thread `tid`.
    pub fn space_of(&self, tid: usize) -> Option<SpaceId> {
        self.threads.get(&tid).map(|t| t.space)
    }

    /// The pid badges of thread `tid` carry.
    pub fn pid_of(&self, tid: usize) -> usize {
        self.space_of(tid)
            .and_then(|s| self.spaces.get(&s))
            .map_or(0, |s| s.pid)
    }

    /// The endpoint of the server thread `tid` belongs to, if it is a server's.
    pub fn server_of(&self, tid: usize) -> Option<usize> {
        self.space_of(tid)
            .and_then(|s| self.spaces.get(&s))
            .and_then(|s| s.server)
    }

    /// Makes `tid` runnable at the back of the queue.
    pub fn make_ready(&mut self, tid: usize) {
        if let Some(t) = self.threads.get_mut(&tid) {
            t.state = State::Ready;
            if self.current != Some(tid) {
                self.runq.push(tid);
            }
        }
    }

    /// The current thread stops running (it blocked): someone else is scheduled.
    pub fn block_current(&mut self, tid: usize, state: State) {
        if let Some(t) = self.threads.get_mut(&tid) {
            t.state = state;
        }
        self.runq.remove(tid);
        if self.current == Some(tid) {
            self.current = None;
        }
    }

    /// Handles a trap of the current thread.
    fn trap(&mut self) {
        let Some(tid) = self.current else { return };
        match Cause::current() {
            Cause::Syscall => crate::syscall::syscall(self, tid),
            Cause::Timer => self.tick(),
            Cause::External => self.external(),
            Cause::PageFault(access) => self.page_fault(tid, access),
            cause => self.fatal(tid, cause, kcore::csr::stval() as usize, ""),
        }
    }
}

/// Installs the kernel built at boot.
pub fn install(k: Kernel) {
    *KERNEL.lock() = Some(k);
}

/// Starts scheduling (after boot).
pub fn run() -> ! {
    trap::enter(&KERNEL, false)
}

/// Every trap from U-mode ends up here (kcore's `trap_entry`), on the kernel stack.
#[unsafe(no_mangle)]
extern "C" fn kernel_trap_handler(_frame: *mut TrapFrame) -> ! {
    trap::enter(&KERNEL, true)
}

impl trap::Dispatch for Kernel {
    fn trap(&mut self) {
        Kernel::trap(self);
    }

    fn schedule(&mut self) -> *const TrapFrame {
        Kernel::schedule(self)
    }
}
