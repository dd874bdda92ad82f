//! The kernel's state and its one entry: every trap from a user thread lands in
//! [`kernel_trap_handler`], which hands it to kcore's shared entry ([`kcore::sched::enter`]): the
//! handler here ([`Kernel::trap`]) handles it to completion and says which thread runs next (a
//! [`NextTask`]); `Same` resumes the trapping thread at once. The kernel holds all its state in
//! one [`Kernel`] behind a [`Global`]; it runs with interrupts off on a single hart, so a trap is
//! handled start to finish before the next.

use alloc::boxed::Box;

use abi::Errno;
use kcore::asid::Asids;
use kcore::csr;
use kcore::dtb::BootInfo;
use kcore::frame::FrameAllocator;
use kcore::plic::Plic;
use kcore::sched::{self, NextTask, Sched, SpaceId, ThreadId};
use kcore::sync::Global;
use kcore::trap::{Cause, TrapFrame};
use services::files::Files;
use services::fs::Fs;
use services::proc::ProcTable;
use services::signal::Signals;
use services::tty::Tty;
use services::{Pid, Wait};

use crate::process::{Processes, Thread};

/// Everything the kernel knows. `repr(C)` with the fields a system call and a switch touch
/// first, starting a cache line: they share as few lines as they can, and each line the kernel
/// touches may evict a line of the program's working set (`ring-2-16k` counts them).
#[repr(C, align(64))]
pub struct Kernel {
    /// The threads (each a [`Thread`], blocked on a [`Wait`]), the run queue, the current
    /// thread, the timer and the active address space (kcore's shared scheduler).
    pub sched: Sched<Thread, Wait>,
    /// The pid of the process whose address space is active (set with it, by
    /// [`sched::Kernel::activate`]): whenever a thread trapped, its pid, one load away (before
    /// the first process runs, pid 1's, which it will be).
    pub running: Pid,
    /// The file system, pipes and file-descriptor tables.
    pub files: Files<'static>,
    /// Live processes, by address-space id.
    pub processes: Processes,
    /// Process ids, parents, exit statuses.
    pub procs: ProcTable,
    /// Whether the UART's receive interrupt is on (see `console`).
    pub rx_on: bool,
    /// A blocked `poll` waits for console input (see `console`).
    pub console_polled: bool,
    /// The registers of the last thread that ended while it was the current one: the trap
    /// entry still refers to them until the trap is handled, so they are freed at the next end.
    retired: Option<Box<TrapFrame>>,
    /// Signal actions, masks, pending signals and process groups.
    pub signals: Signals,
    /// ASID assignment.
    pub asids: Asids,
    /// Free physical frames.
    pub frames: FrameAllocator,
    /// The console line discipline.
    pub tty: Tty,
    /// The interrupt controller and the UART's source on it.
    pub plic: Plic,
    /// The UART's PLIC source.
    pub uart_irq: u32,
    /// The Goldfish RTC and its PLIC source, if the board has one (see `alarm`).
    pub rtc: Option<(rtc::Rtc, u32)>,
    /// The alarm programs arm and wait for.
    pub alarm: services::alarm::Alarm,
    /// Shared-memory objects, each with its frames (the table counts as one mapping of each).
    pub shm: services::shm::Shm<alloc::vec::Vec<usize>>,
}

/// The thread that trapped, as a system call sees it.
#[derive(Clone, Copy, Debug)]
pub struct Caller {
    /// Its thread.
    pub tid: ThreadId,
    /// Its process.
    pub pid: Pid,
    /// Its process's address space (the active one).
    pub space: SpaceId,
}

static KERNEL: Global<Option<Kernel>> = Global::new("KERNEL", None);

impl Kernel {
    /// The kernel for the machine `info` describes.
    pub fn new(info: &BootInfo, frames: FrameAllocator, asids: Asids) -> Result<Kernel, Errno> {
        let fs = if info.initrd.is_some() {
            Fs::from_ustar(info.initrd_bytes(), services::fs::INODES)?
        } else {
            Fs::new(services::fs::INODES)
        };
        let plic = Plic::with_uart(info);
        let rtc = crate::alarm::init(info, &plic);
        Ok(Kernel {
            frames,
            asids,
            procs: ProcTable::new(abi::types::limits::PROCESSES),
            signals: Signals::new(),
            files: Files::new(fs),
            tty: Tty::new(),
            plic,
            uart_irq: info.uart_irq,
            processes: Processes::new(),
            sched: Sched::new(),
            running: Pid::INIT,
            rx_on: false,
            console_polled: false,
            retired: None,
            rtc,
            alarm: services::alarm::Alarm::new(),
            shm: services::shm::Shm::new(),
        })
    }

    /// The thread that trapped (the current one), its process and address space.
    #[inline(always)]
    pub fn caller(&self) -> Caller {
        let tid = self.sched.threads.current().expect("a thread trapped");
        let t = self
            .sched
            .threads
            .get(tid)
            .expect("the current thread lives");
        Caller {
            tid,
            pid: t.data.pid,
            space: t.space,
        }
    }

    /// Takes thread `tid` out of the table. The current thread's registers are kept until the
    /// next thread ends (see `retired`).
    pub fn remove_thread(&mut self, tid: ThreadId) {
        let current = self.sched.threads.current() == Some(tid);
        if let Some(t) = self.sched.threads.remove(tid)
            && current
        {
            self.retired = Some(t.data.frame);
        }
    }

    /// Makes every thread waiting for `wait` runnable, first come first (it retries its call);
    /// visits only those (`kcore::sched::Threads::wake_key`).
    pub fn wake(&mut self, wait: Wait) {
        self.sched.threads.wake_key(&wait, usize::MAX);
    }

    /// Wakes everything in `wakes`, wait by wait (every blocked thread if it overflowed).
    pub fn wake_all(&mut self, wakes: &services::Wakes) {
        if wakes.overflowed() {
            self.wake_everybody();
            return;
        }
        for w in wakes.iter() {
            self.wake(w);
        }
    }

    /// Every blocked thread retries (a `Wakes` that overflowed: some wake-up was lost).
    #[inline(never)]
    fn wake_everybody(&mut self) {
        self.sched.threads.wake(|_| true);
    }

    /// Handles a trap other than a system call.
    #[inline(never)]
    fn exception(&mut self, cause: Cause, frame: &mut TrapFrame) -> NextTask {
        match cause {
            Cause::Timer => self.tick(),
            Cause::External => {
                let me = self.caller();
                Kernel::external(self, Some((me.pid, frame)));
                if self.sched.threads.get(me.tid).is_none() {
                    // A Ctrl-C ended the interrupted thread's process.
                    return NextTask::Other;
                }
                NextTask::Same
            }
            Cause::PageFault(access) => self.page_fault(access, frame),
            cause => self.user_fault(cause, frame),
        }
    }
}

/// `scause` of an `ecall` from U-mode (privileged spec, table 4.2).
const SCAUSE_ECALL_U: u64 = 8;

impl sched::Kernel for Kernel {
    type Thread = Thread;
    type Block = Wait;

    #[inline(always)]
    fn sched(&mut self) -> &mut Sched<Thread, Wait> {
        &mut self.sched
    }

    #[inline(always)]
    fn trap(&mut self, frame: &mut TrapFrame) -> NextTask {
        let scause = csr::scause();
        if scause == SCAUSE_ECALL_U {
            return crate::syscall::syscall(self, frame);
        }
        self.exception(Cause::from_scause(scause), frame)
    }

    fn activate(&mut self, space: SpaceId) {
        let p = self
            .processes
            .get_mut(space)
            .expect("a thread's process is live");
        p.space.activate(&mut self.asids);
        self.running = p.pid;
    }

    const NAME: &'static str = crate::NAME;

    fn can_wake(&mut self) -> bool {
        Kernel::can_wake(self)
    }

    fn tick(&mut self) {
        let _ = Kernel::tick(self);
    }

    fn external(&mut self) {
        Kernel::external(self, None);
    }
}

/// Installs the kernel built at boot.
pub fn install(k: Kernel) {
    *KERNEL.lock() = Some(k);
}

/// Starts scheduling (after boot).
pub fn run() -> ! {
    sched::start(&KERNEL)
}

/// Every trap from U-mode ends up here (kcore's `trap_entry`), on the kernel stack.
#[unsafe(no_mangle)]
extern "C" fn kernel_trap_handler(frame: *mut TrapFrame) -> ! {
    // Safety: `trap_entry` passes the frame it just filled, the current thread's; nothing else
    // refers to it while the kernel runs (`Kernel::remove_thread` keeps it alive to the end).
    unsafe { sched::enter(&KERNEL, frame) }
}
