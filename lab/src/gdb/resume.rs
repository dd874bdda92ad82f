//! Running under GDB: continue (`c`, `vCont;c`), single step (`s`, `vCont;s`), Ctrl-C, and the
//! stop reports (`T05 swbreak`, `T05 watch`/`rwatch`/`awatch`, `S02`, `W`, `X`).
//!
//! A continue runs the machine in bounded chunks (`CHUNK` instructions, or until a breakpoint,
//! a watchpoint or the end) and looks at the connection between chunks, so a Ctrl-C (or any
//! other byte GDB sends) is noticed within a chunk. Cutting a run into chunks changes nothing it
//! counts (see `emu::Machine::run`), so a run continued without stops counts exactly what a run
//! without GDB counts. A hart idling for live console input is bounded the same way
//! (`Machine::set_live_wait_limit`).
//!
//! A step executes one instruction; if it traps (an `ecall`, a fault), the step ends at the first
//! instruction of the trap handler, as on hardware. An interrupt that is due is taken first, as
//! between any two instructions.

use std::marker::PhantomData;

use emu::{DebugStop, Exit};
use gdbstub::common::Signal;
use gdbstub::conn::ConnectionExt;
use gdbstub::stub::SingleThreadStopReason;
use gdbstub::stub::run_blocking::{BlockingEventLoop, Event, WaitForStopReasonError};
use gdbstub::target::Target;
use gdbstub::target::ext::base::singlethread::{
    SingleThreadResume, SingleThreadSingleStep, SingleThreadSingleStepOps,
};
use gdbstub::target::ext::breakpoints::WatchKind;

use super::target::{Fatal, KlabTarget, Mode};

/// Instructions run between two looks at the connection.
const CHUNK: u64 = 1 << 20;

/// The stop reasons klab reports.
pub type StopReason = SingleThreadStopReason<u64>;

/// `ecall`, `ebreak`, `sret` and `mret` (32-bit encodings), and `c.ebreak`: the instructions
/// whose next pc GDB's RISC-V software single-step cannot know (it assumes the next one).
const TRAPPING: [(u32, u64); 5] = [
    (0x0000_0073, 4),
    (0x0010_0073, 4),
    (0x1020_0073, 4),
    (0x3020_0073, 4),
    (0x9002, 2),
];

impl SingleThreadResume for KlabTarget<'_> {
    /// Continue. A signal GDB asks to deliver is ignored: a machine has no signals.
    ///
    /// GDB steps a RISC-V target by itself (a breakpoint on the next instruction, then
    /// continue), never with `s`, so a `stepi` on an `ecall` would run the whole system call
    /// and an `sret` would run away. A continue from one of those instructions with a
    /// breakpoint on the instruction after it is therefore taken for what it is, a step: klab
    /// executes that one instruction and stops where it went (the trap handler, `sepc`).
    fn resume(&mut self, _signal: Option<Signal>) -> Result<(), Fatal> {
        self.mode = if self.is_gdb_stepping_a_trap() {
            Mode::Step
        } else {
            Mode::Continue
        };
        // Resuming from a breakpoint runs the instruction under it.
        self.m.skip_breakpoint_here();
        Ok(())
    }

    #[inline(always)]
    fn support_single_step(&mut self) -> Option<SingleThreadSingleStepOps<'_, Self>> {
        Some(self)
    }
}

impl SingleThreadSingleStep for KlabTarget<'_> {
    fn step(&mut self, _signal: Option<Signal>) -> Result<(), Fatal> {
        self.mode = Mode::Step;
        Ok(())
    }
}

impl KlabTarget<'_> {
    /// Whether the instruction at the pc is one of `TRAPPING` and a breakpoint sits right
    /// after it (see `resume`).
    fn is_gdb_stepping_a_trap(&self) -> bool {
        let pc = self.m.hart.pc;
        let mut b = [0u8; 4];
        let n = self.m.debug_read(pc, &mut b);
        let word = u32::from_le_bytes(b);
        TRAPPING.iter().any(|&(bits, len)| {
            let insn = if len == 2 { word & 0xffff } else { word };
            n >= len as usize
                && insn == bits
                && self
                    .m
                    .breakpoints()
                    .binary_search(&pc.wrapping_add(len))
                    .is_ok()
        })
    }

    /// Runs one chunk (or one step); the stop to report, if the machine stopped.
    fn run_chunk(&mut self) -> Option<StopReason> {
        let limit = self.limit.unwrap_or(u64::MAX);
        let exit = match self.mode {
            Mode::Step => {
                self.mode = Mode::Continue;
                if self.m.executed() >= limit {
                    Exit::InstructionLimit
                } else {
                    match self.m.step() {
                        Exit::InstructionLimit if self.m.executed() < limit => {
                            return Some(StopReason::DoneStep);
                        }
                        exit => exit,
                    }
                }
            }
            Mode::Continue => {
                let to = self.m.executed().saturating_add(CHUNK).min(limit);
                match self.m.run(Some(to)) {
                    Exit::InstructionLimit if to < limit => return None,
                    Exit::Debug(DebugStop::Paused) => return None,
                    exit => exit,
                }
            }
        };
        Some(self.report(exit))
    }

    /// The stop report for `exit`; an exit that ends the run is remembered.
    fn report(&mut self, exit: Exit) -> StopReason {
        let end = |t: &mut Self, reason| {
            t.ended = Some(exit);
            reason
        };
        match exit {
            Exit::Debug(DebugStop::Breakpoint { .. }) => StopReason::SwBreak(()),
            Exit::Debug(DebugStop::Watchpoint { kind, addr }) => StopReason::Watch {
                tid: (),
                kind: match kind {
                    emu::WatchKind::Write => WatchKind::Write,
                    emu::WatchKind::Read => WatchKind::Read,
                    emu::WatchKind::Access => WatchKind::ReadWrite,
                },
                addr,
            },
            Exit::Debug(DebugStop::Paused) => StopReason::Signal(Signal::SIGINT),
            Exit::Status(code) => end(self, StopReason::Exited(code.min(255) as u8)),
            Exit::InstructionLimit => end(self, StopReason::Terminated(Signal::SIGXCPU)),
            Exit::Stuck => end(self, StopReason::Terminated(Signal::SIGTERM)),
            Exit::Reset => end(self, StopReason::Terminated(Signal::SIGABRT)),
        }
    }
}

/// `gdbstub`'s blocking event loop for a klab machine, over connection `C` (a TCP stream, or
/// the fuzz targets' in-memory one).
pub struct EventLoop<'m, C = std::net::TcpStream>(PhantomData<(&'m (), C)>);

impl<'m, C: ConnectionExt<Error = std::io::Error>> BlockingEventLoop for EventLoop<'m, C> {
    type Target = KlabTarget<'m>;
    type Connection = C;
    type StopReason = StopReason;

    #[allow(clippy::type_complexity)]
    fn wait_for_stop_reason(
        target: &mut KlabTarget<'m>,
        conn: &mut C,
    ) -> Result<
        Event<StopReason>,
        WaitForStopReasonError<<KlabTarget<'m> as Target>::Error, std::io::Error>,
    > {
        loop {
            if let Some(reason) = target.run_chunk() {
                return Ok(Event::TargetStopped(reason));
            }
            match ConnectionExt::peek(conn) {
                Ok(None) => {}
                Ok(Some(_)) => {
                    let byte =
                        ConnectionExt::read(conn).map_err(WaitForStopReasonError::Connection)?;
                    return Ok(Event::IncomingData(byte));
                }
                Err(e) => return Err(WaitForStopReasonError::Connection(e)),
            }
        }
    }

    fn on_interrupt(
        _target: &mut KlabTarget<'m>,
    ) -> Result<Option<StopReason>, <KlabTarget<'m> as Target>::Error> {
        // The machine runs only inside `wait_for_stop_reason`: it is already stopped.
        Ok(Some(StopReason::Signal(Signal::SIGINT)))
    }
}
