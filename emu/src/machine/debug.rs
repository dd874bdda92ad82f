//! What a debugger asks of the machine: breakpoints, watchpoints, and the reason a run stopped
//! for it. The protocol (GDB's) lives in `lab`; this is the core it drives, which knows nothing of
//! packets.
//!
//! Breakpoints are virtual addresses, checked against the pc in any address space (as QEMU's
//! gdbstub does); nothing is written into guest memory. Code on a virtual page that holds a
//! breakpoint is run one instruction at a time (`run_slice` checks the page before entering a
//! block); code on other pages runs at full speed. Because a block cut short is resumed where it
//! was cut, stepping changes nothing the cycle model counts.
//!
//! Watchpoints reuse the `WATCH` page flag of HTIF's `tohost`: the RAM page a watched address
//! maps to (under the `satp` current when the watchpoint is set) gets no host fast-path entry
//! for stores — nor for loads while a read or access watchpoint exists — so every access to it
//! takes the slow path, which compares its *virtual* address with the watched ranges before
//! anything else. A hit cancels the accessing instruction before it has any effect (it is
//! unwound like a trap that is never taken) and stops the run with the pc on it: RISC-V
//! watchpoints are "nonsteppable" for GDB, which then steps the instruction itself with the
//! watchpoint removed and compares old and new values. Not covered: an access to the watched
//! virtual address in another address space that maps it to another page, and accesses by the
//! page walker.
//!
//! A stop for the debugger is one more place where a slice ends: it is invisible to the
//! counters (see `Machine::run_slice`), so a debugged run counts exactly what an undebugged one
//! counts, however often it stops, as long as the debugger changes no state.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::bus::page_flag;
use crate::memmap::{PAGE_MASK, PAGE_SHIFT, PAGE_SIZE};
use crate::trap::Trap;

use super::{Exit, Machine};

/// How often an idle hart waiting on live console input looks at the host's stop request
/// ([`Machine::set_stop_request`]).
pub const STOP_POLL: Duration = Duration::from_millis(50);

/// What ended a wait for live console input.
pub(crate) enum Woken {
    /// A keystroke arrived.
    Input,
    /// The host asked the run to stop.
    Stop,
    /// The time ran out (or the terminal closed).
    Timeout,
}

impl Machine {
    /// Waits up to `timeout` (forever if `None`) for a live keystroke, looking at the host's
    /// stop request every [`STOP_POLL`] when one is installed.
    pub(crate) fn await_live_or_stop(&mut self, timeout: Option<Duration>) -> Woken {
        if self.debug.stop_request.is_none() {
            return if self.bus.uart.await_live(timeout) {
                Woken::Input
            } else {
                Woken::Timeout
            };
        }
        let mut left = timeout;
        loop {
            let slice = left.map_or(STOP_POLL, |l| l.min(STOP_POLL));
            if self.bus.uart.await_live(Some(slice)) {
                return Woken::Input;
            }
            if self.stop_requested() {
                return Woken::Stop;
            }
            if !self.bus.uart.input.is_live() {
                return Woken::Timeout;
            }
            if let Some(l) = &mut left {
                *l = l.saturating_sub(slice);
                if l.is_zero() {
                    return Woken::Timeout;
                }
            }
        }
    }
}

/// The longest range one watchpoint may watch.
pub const MAX_WATCH_LEN: u64 = 1 << 20;

/// What a watchpoint watches for (GDB's `Z2`, `Z3`, `Z4`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WatchKind {
    /// Stores (and the store half of AMOs and SC).
    Write,
    /// Loads (and the load half of AMOs and LR).
    Read,
    /// Both.
    Access,
}

impl WatchKind {
    fn matches(self, load: bool, store: bool) -> bool {
        match self {
            WatchKind::Write => store,
            WatchKind::Read => load,
            WatchKind::Access => load || store,
        }
    }
}

/// Why [`Machine::run`] returned to the debugger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DebugStop {
    /// The pc reached a breakpoint; the instruction there has not run.
    Breakpoint {
        /// The pc.
        pc: u64,
    },
    /// An instruction accessed a watched range; it has completed.
    Watchpoint {
        /// What the watchpoint watches.
        kind: WatchKind,
        /// The first watched address the access touched.
        addr: u64,
    },
    /// The hart idles waiting for live console input and the debugger asked not to wait longer
    /// than [`Machine::set_live_wait_limit`] (so it can poll its connection); or the host set
    /// the flag given to [`Machine::set_stop_request`] (klab's console monitor).
    Paused,
}

/// One watchpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Watch {
    addr: u64,
    len: u64,
    kind: WatchKind,
}

/// The debugger's state in the machine.
#[derive(Debug, Default)]
pub(crate) struct Debug {
    /// Breakpoint addresses, sorted, without duplicates.
    breakpoints: Vec<u64>,
    /// Virtual page numbers holding a breakpoint, sorted, without duplicates.
    bp_pages: Vec<u64>,
    watchpoints: Vec<Watch>,
    /// RAM offsets of the pages flagged `WATCH` for watchpoints.
    watched_pages: Vec<usize>,
    /// Loads must leave the fast path on watched pages (a read or access watchpoint exists).
    pub watch_loads: bool,
    /// The stop that ended the run, to be reported by `run`.
    pub hit: Option<DebugStop>,
    /// Set with a watchpoint hit: the trap being unwound is the cancelled instruction, not a
    /// trap to take (see `Machine::take_trap`).
    pub cancel: bool,
    /// Ignore the breakpoint at this pc until something executes (resuming from it).
    skip: Option<(u64, (u64, u64, u64))>,
    /// Ignore watchpoints until something executes (resuming from a watchpoint stop).
    skip_watch: Option<(u64, u64, u64)>,
    /// The counts when a watchpoint last stopped the run (the instruction it cancelled).
    watch_stop: Option<(u64, u64, u64)>,
    /// The longest wait for live console input before `run` returns [`DebugStop::Paused`].
    pub live_wait: Option<Duration>,
    /// Set by the host (any thread) to stop the run: see [`Machine::set_stop_request`].
    pub stop_request: Option<Arc<AtomicBool>>,
}

impl Debug {
    /// Whether a breakpoint lies on the virtual page of `pc` (its code must be stepped).
    #[inline(always)]
    pub fn code_page_watched(&self, pc: u64) -> bool {
        !self.bp_pages.is_empty() && self.bp_pages.binary_search(&(pc >> PAGE_SHIFT)).is_ok()
    }

    /// Whether any watchpoint exists (slow-path accesses must be checked).
    #[inline(always)]
    pub fn watching(&self) -> bool {
        !self.watchpoints.is_empty()
    }

    fn rebuild_bp_pages(&mut self) {
        self.bp_pages = self.breakpoints.iter().map(|a| a >> PAGE_SHIFT).collect();
        self.bp_pages.dedup();
    }
}

impl Machine {
    /// Sets a breakpoint at virtual address `addr` (any address space).
    pub fn add_breakpoint(&mut self, addr: u64) {
        if let Err(i) = self.debug.breakpoints.binary_search(&addr) {
            self.debug.breakpoints.insert(i, addr);
            self.debug.rebuild_bp_pages();
        }
    }

    /// Removes the breakpoint at `addr`; false if there was none.
    pub fn remove_breakpoint(&mut self, addr: u64) -> bool {
        match self.debug.breakpoints.binary_search(&addr) {
            Ok(i) => {
                self.debug.breakpoints.remove(i);
                self.debug.rebuild_bp_pages();
                true
            }
            Err(_) => false,
        }
    }

    /// The breakpoints, sorted.
    pub fn breakpoints(&self) -> &[u64] {
        &self.debug.breakpoints
    }

    /// Watches `len` bytes at virtual `addr` for `kind` accesses. False (nothing set) if `len`
    /// is 0 or above [`MAX_WATCH_LEN`], or some page of the range does not map to RAM under the
    /// current translation.
    pub fn add_watchpoint(&mut self, addr: u64, len: u64, kind: WatchKind) -> bool {
        let Some(end) = addr.checked_add(len) else {
            return false;
        };
        if len == 0 || len > MAX_WATCH_LEN {
            return false;
        }
        let mut pages = Vec::new();
        let mut va = addr & !PAGE_MASK;
        while va < end {
            let Some(off) = self
                .debug_translate(va)
                .and_then(|pa| self.bus.ram_offset(pa, PAGE_SIZE))
            else {
                return false;
            };
            pages.push(off);
            let Some(next) = va.checked_add(PAGE_SIZE) else {
                break;
            };
            va = next;
        }
        self.debug.watchpoints.push(Watch { addr, len, kind });
        for off in pages {
            self.bus.set_page_flags(off, page_flag::WATCH);
            self.debug.watched_pages.push(off);
        }
        self.watch_changed();
        true
    }

    /// Removes one watchpoint equal to `(addr, len, kind)`; false if there was none.
    pub fn remove_watchpoint(&mut self, addr: u64, len: u64, kind: WatchKind) -> bool {
        let w = Watch { addr, len, kind };
        let Some(i) = self.debug.watchpoints.iter().position(|x| *x == w) else {
            return false;
        };
        self.debug.watchpoints.remove(i);
        if self.debug.watchpoints.is_empty() {
            self.unflag_watched_pages();
        }
        self.watch_changed();
        true
    }

    /// Removes every breakpoint and watchpoint (a debugger detaches).
    pub fn clear_debug(&mut self) {
        self.debug.breakpoints.clear();
        self.debug.rebuild_bp_pages();
        self.debug.watchpoints.clear();
        self.unflag_watched_pages();
        self.watch_changed();
        self.debug.hit = None;
        self.debug.skip = None;
        self.debug.skip_watch = None;
        self.debug.watch_stop = None;
    }

    /// Clears the `WATCH` flag of the pages watchpoints flagged (the page of HTIF's `tohost`
    /// keeps it). Pages stay flagged until the last watchpoint goes: a stale flag only slows
    /// accesses down.
    fn unflag_watched_pages(&mut self) {
        let htif = self
            .htif
            .and_then(|h| self.bus.ram_offset(h.tohost, 8))
            .map(|off| off >> PAGE_SHIFT);
        for off in std::mem::take(&mut self.debug.watched_pages) {
            if Some(off >> PAGE_SHIFT) != htif {
                self.bus.clear_page_flags(off, page_flag::WATCH);
            }
        }
    }

    /// Watchpoints changed: recompute what the fast path may do and drop its entries.
    fn watch_changed(&mut self) {
        self.debug.watch_loads = self
            .debug
            .watchpoints
            .iter()
            .any(|w| w.kind != WatchKind::Write);
        // Host-TLB entries are a host-side cache: dropping them changes nothing measured.
        self.htlb.flush();
    }

    /// The next run ignores a breakpoint at the current pc until an instruction has executed,
    /// and, if a watchpoint stopped the machine here, the watchpoints for that instruction
    /// (resuming from a breakpoint or a watchpoint stop).
    pub fn skip_breakpoint_here(&mut self) {
        let counts = self.debug_counts();
        self.debug.skip = Some((self.hart.pc, counts));
        self.debug.skip_watch = self.debug.watch_stop.take().filter(|&c| c == counts);
    }

    /// Executes one instruction (or takes the trap it raises; an interrupt due first is taken
    /// before it, as between any two instructions), ignoring a breakpoint at the current pc.
    /// Returns [`Exit::InstructionLimit`] normally, or how the run ended otherwise.
    pub fn step(&mut self) -> Exit {
        self.skip_breakpoint_here();
        let to = self.executed() + 1;
        self.run(Some(to))
    }

    /// Bounds how long an idle hart waits for live console input before `run` returns
    /// [`DebugStop::Paused`] (`None`: wait as long as it takes, the default).
    pub fn set_live_wait_limit(&mut self, limit: Option<Duration>) {
        self.debug.live_wait = limit;
    }

    /// Gives the machine a flag the host may set from any thread to stop a run: `run` then
    /// returns [`DebugStop::Paused`] at the next slice boundary, or within [`STOP_POLL`] of
    /// host time while the hart idles on live console input. The flag stays set until the host
    /// clears it. Where a run is stopped changes nothing it counts (see [`Machine::run`]).
    pub fn set_stop_request(&mut self, flag: Option<Arc<AtomicBool>>) {
        self.debug.stop_request = flag;
    }

    /// Whether the host has asked the run to stop (see [`Machine::set_stop_request`]).
    #[inline]
    pub(crate) fn stop_requested(&self) -> bool {
        self.debug
            .stop_request
            .as_ref()
            .is_some_and(|f| f.load(Ordering::Relaxed))
    }

    fn debug_counts(&self) -> (u64, u64, u64) {
        (self.retired, self.exceptions, self.interrupts)
    }

    /// Whether the run must stop before the instruction at `pc` for a breakpoint; if so the
    /// stop is recorded and the slice ended.
    #[inline]
    pub(crate) fn debug_stops_at(&mut self, pc: u64) -> bool {
        if self.debug.breakpoints.is_empty() || self.debug.breakpoints.binary_search(&pc).is_err() {
            return false;
        }
        if self.debug.skip == Some((pc, self.debug_counts())) {
            return false;
        }
        self.debug.skip = None;
        self.debug.hit = Some(DebugStop::Breakpoint { pc });
        self.stop_slice();
        true
    }

    /// A slow-path access of `size` bytes at virtual `vaddr` is about to happen, before any
    /// of its effects: if it touches a watched range of a matching kind, record the stop and
    /// cancel the instruction (the returned trap only unwinds it; it is never taken).
    #[cold]
    pub(crate) fn watch_before(
        &mut self,
        vaddr: u64,
        size: u64,
        load: bool,
        store: bool,
    ) -> Result<(), Trap> {
        if self.debug.skip_watch == Some(self.debug_counts()) {
            return Ok(());
        }
        let end = vaddr.saturating_add(size);
        let hit = self.debug.watchpoints.iter().find(|w| {
            vaddr < w.addr.saturating_add(w.len) && w.addr < end && w.kind.matches(load, store)
        });
        let Some(w) = hit else { return Ok(()) };
        self.debug.hit = Some(DebugStop::Watchpoint {
            kind: w.kind,
            addr: vaddr.max(w.addr),
        });
        self.debug.cancel = true;
        self.debug.watch_stop = Some(self.debug_counts());
        self.stop_slice();
        Err(Trap::new(crate::trap::Exception::Breakpoint, vaddr))
    }

    /// Whether the trap being unwound is an instruction a watchpoint cancelled (consumes it).
    pub(crate) fn cancelled(&mut self) -> bool {
        std::mem::take(&mut self.debug.cancel)
    }
}
