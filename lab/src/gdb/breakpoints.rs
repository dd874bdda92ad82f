//! Breakpoints and watchpoints (`Z0`–`Z4`, `z0`–`z4`): all of them live in the emulator
//! (`emu::machine::debug`), none is written into guest memory, so a software breakpoint (`Z0`)
//! and a hardware one (`Z1`) are the same thing, GDB cannot see a patched instruction, and the
//! guest cannot either. Watchpoints cover any length; one that cannot be set (its address does
//! not map to RAM under the current translation) is refused and GDB says so.

use gdbstub::target::TargetResult;
use gdbstub::target::ext::breakpoints::{
    Breakpoints, HwBreakpoint, HwBreakpointOps, HwWatchpoint, HwWatchpointOps, SwBreakpoint,
    SwBreakpointOps, WatchKind,
};

use super::target::KlabTarget;

impl Breakpoints for KlabTarget<'_> {
    #[inline(always)]
    fn support_sw_breakpoint(&mut self) -> Option<SwBreakpointOps<'_, Self>> {
        Some(self)
    }

    #[inline(always)]
    fn support_hw_breakpoint(&mut self) -> Option<HwBreakpointOps<'_, Self>> {
        Some(self)
    }

    #[inline(always)]
    fn support_hw_watchpoint(&mut self) -> Option<HwWatchpointOps<'_, Self>> {
        Some(self)
    }
}

impl SwBreakpoint for KlabTarget<'_> {
    fn add_sw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        self.m.add_breakpoint(addr);
        Ok(true)
    }

    fn remove_sw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        Ok(self.m.remove_breakpoint(addr))
    }
}

impl HwBreakpoint for KlabTarget<'_> {
    fn add_hw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        self.m.add_breakpoint(addr);
        Ok(true)
    }

    fn remove_hw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        Ok(self.m.remove_breakpoint(addr))
    }
}

/// The emulator's name for a GDB watchpoint kind.
fn kind(k: WatchKind) -> emu::WatchKind {
    match k {
        WatchKind::Write => emu::WatchKind::Write,
        WatchKind::Read => emu::WatchKind::Read,
        WatchKind::ReadWrite => emu::WatchKind::Access,
    }
}

impl HwWatchpoint for KlabTarget<'_> {
    fn add_hw_watchpoint(&mut self, addr: u64, len: u64, k: WatchKind) -> TargetResult<bool, Self> {
        Ok(self.m.add_watchpoint(addr, len, kind(k)))
    }

    fn remove_hw_watchpoint(
        &mut self,
        addr: u64,
        len: u64,
        k: WatchKind,
    ) -> TargetResult<bool, Self> {
        Ok(self.m.remove_watchpoint(addr, len, kind(k)))
    }
}
