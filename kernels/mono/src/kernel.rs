//! The kernel's state and its one entry: every trap from a user thread lands in
//! [`kernel_trap_handler`], which handles it to completion and resumes whichever thread should run
//! next. The kernel holds all its state in one [`Kernel`] behind a [`Global`]; it runs with
//! interrupts off on a single hart, so a trap is handled start to finish before the next.

use alloc::collections::BTreeMap;

use abi::Errno;
use kcore::asid::Asids;
use kcore::dtb::BootInfo;
use kcore::frame::FrameAllocator;
use kcore::plic::Plic;
use kcore::sched::{RunQueue, Ticker};
use kcore::sync::Global;
use kcore::trap::{self, Cause, TrapFrame};
use services::files::Files;
use services::fs::Fs;
use services::proc::ProcTable;
use services::tty::Tty;
use services::{Pid, Wait};

use crate::process::{Process, Thread};

/// Everything the kernel knows.
pub struct Kernel {
    /// Free physical frames.
    pub frames: FrameAllocator,
    /// ASID assignment.
    pub asids: Asids,
    /// Process ids, parents, exit statuses.
    pub procs: ProcTable,
    /// The file system, pipes and file-descriptor tables.
    pub files: Files<'static>,
    /// The console line discipline.
    pub tty: Tty,
    /// The interrupt controller and the UART's source on it.
    pub plic: Plic,
    /// The UART's PLIC source.
    pub uart_irq: u32,
    /// Live processes by pid.
    pub processes: BTreeMap<Pid, Process>,
    /// Threads by id (ids are never reused).
    pub threads: BTreeMap<usize, Thread>,
    /// The next thread id.
    pub next_tid: usize,
    /// Runnable threads.
    pub runq: RunQueue,
    /// The thread that trapped (and runs next unless it blocks or is preempted).
    pub current: Option<usize>,
    /// The process whose address space is in `satp`.
    pub active: Option<Pid>,
    /// The timer.
    pub ticker: Ticker,
    /// Whether the UART's receive interrupt is on (see `console`).
    pub rx_on: bool,
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
        let plic = Plic::new(info.plic, info.hartid);
        plic.enable(info.uart_irq);
        kcore::console::set_rx_interrupt(false);
        Ok(Kernel {
            frames,
            asids,
            procs: ProcTable::new(abi::types::limits::PROCESSES),
            files: Files::new(fs),
            tty: Tty::new(),
            plic,
            uart_irq: info.uart_irq,
            processes: BTreeMap::new(),
            threads: BTreeMap::new(),
            next_tid: 1,
            runq: RunQueue::new(),
            current: None,
            active: None,
            ticker: Ticker::new(),
            rx_on: false,
        })
    }

    /// The frame of thread `tid` (which must exist).
    pub fn frame(&mut self, tid: usize) -> &mut TrapFrame {
        &mut self.threads.get_mut(&tid).expect("a live thread").frame
    }

    /// Makes every thread blocked on `wait` runnable (it retries its call).
    pub fn wake(&mut self, wait: Wait) {
        for (tid, t) in self.threads.iter_mut() {
            if t.blocked_on == Some(wait) {
                t.blocked_on = None;
                self.runq.push(*tid);
            }
        }
    }

    /// Wakes everything in `wakes` (every blocked thread if it overflowed).
    pub fn wake_all(&mut self, wakes: &services::Wakes) {
        if wakes.overflowed() {
            let blocked: alloc::vec::Vec<Wait> =
                self.threads.values().filter_map(|t| t.blocked_on).collect();
            for w in blocked {
                self.wake(w);
            }
            return;
        }
        for w in wakes.iter() {
            self.wake(w);
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
            cause => self.user_fault(tid, cause),
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
