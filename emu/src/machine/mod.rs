//! The machine: one hart, the bus, and the caches that make it fast.
//!
//! Execution runs in *slices*. A slice executes instructions back to back until the cycle count
//! reaches the slice's stop cycle; nothing else is checked per instruction. Everything that can change what
//! the hart should do next — a timer deadline, a device interrupt, a CSR write that enables an
//! interrupt, `wfi`, an exit request — either is the slice's stop cycle or ends the slice at once.
//! Between slices, [`Machine::run`] services devices, takes interrupts and handles idleness.
//!
//! Time is the cycle count. For now every instruction costs one cycle, so `mcycle` equals
//! `minstret` except for two things that take time but retire nothing: trap entry (one cycle,
//! so a guest in a fault loop still advances time) and the cycles a `wfi` spends idle waiting
//! for the timer (counted, as on real cores). `mtime` derives from cycles (see `clint`), and
//! nothing reads the host clock, so a run with script input is reproducible to the cycle.

mod csr;
mod debug;
mod execute;
mod fetch;
mod fused;
mod hpm;
mod htif;
mod inspect;
mod jit;
mod memory;
mod observe;
mod pipeline;
mod record;
mod stacks;
mod threaded;
mod timing;
mod trap;

pub use debug::{DebugStop, MAX_WATCH_LEN, STOP_POLL, WatchKind};
pub use hpm::ARMED_SLICE_CYCLES;
pub use timing::StaleUse;

use std::time::Duration;

use crate::bus::{Bus, page_flag};
use crate::devices::clint::Clint;
use crate::devices::console::{Input, Output};
use crate::devices::finisher::Finish;
use crate::devices::rtc::GoldfishRtc;
use crate::devices::uart::Uart;
use crate::fdt::{self, DtbConfig};
use crate::hart::csr::irq;
use crate::hart::{Hart, Privilege};
use crate::loader::{ElfImage, LoadError};
use crate::memmap::*;
use crate::mmu::htlb::{HostTlb, mode_index};
use crate::mmu::pmp::Pmp;

pub use fetch::DecodeCache;
use fetch::FetchState;
use htif::Htif;

/// Longest slice, in cycles: bounds how long live input and console output wait.
const SLICE_CYCLES: u64 = 1 << 20;
/// Instructions a chain of blocks may run before returning to the slice loop (bounds the stack
/// depth where the compiler does not turn the chaining calls into jumps).
const CHAIN_INSNS: u64 = 1024;

/// How a machine is put together.
pub struct Config {
    /// RAM size in bytes (a multiple of 4 KiB, at least 1 MiB).
    pub ram_size: u64,
    /// Bytes to load as the initrd.
    pub initrd: Option<Vec<u8>>,
    /// `/chosen/bootargs`.
    pub bootargs: Option<String>,
    /// Console input.
    pub input: Input,
    /// Console output.
    pub output: Output,
    /// The machine profile: clock, timebase, ASIDs, and in timing mode the cycle model.
    pub profile: crate::profile::Profile,
    /// Compare every use of a modeled TLB entry with the page tables (`--check-tlb`).
    pub check_tlb: bool,
    /// Sample the call stack every this many cycles, for cycles per symbol and folded stacks
    /// (`None`: no sampling).
    pub sample_period: Option<u64>,
    /// Symbol tables for the samples: the kernel's and each program's (`crate::symbols`).
    pub symbols: Vec<std::sync::Arc<crate::symbols::SymbolTable>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            ram_size: DEFAULT_RAM_SIZE,
            initrd: None,
            bootargs: None,
            input: Input::None,
            output: Output::Discard,
            profile: crate::profile::Profile::default(),
            check_tlb: false,
            sample_period: None,
            symbols: Vec::new(),
        }
    }
}

/// Why a machine could not be built.
#[derive(Debug, thiserror::Error)]
pub enum MachineError {
    /// The ELF was refused.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Bad RAM size.
    #[error(
        "RAM size {0:#x} is not usable: it must be a multiple of 4 KiB between 1 MiB and 16 GiB"
    )]
    RamSize(u64),
    /// The initrd does not fit.
    #[error("the initrd ({size} bytes at {base:#x}) {why}; try a larger --mem")]
    Initrd {
        /// Its size.
        size: u64,
        /// Where it would go.
        base: u64,
        /// What it collides with.
        why: &'static str,
    },
    /// The DTB could not be built or placed.
    #[error("the device tree could not be built: {0}")]
    Dtb(String),
    /// The profile is not valid.
    #[error(transparent)]
    Profile(#[from] crate::profile::ProfileError),
}

/// Why [`Machine::run`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The guest asked to exit with this status (test finisher or HTIF).
    Status(u32),
    /// The guest asked the test finisher for a reset; klab ends the run instead.
    Reset,
    /// The instruction limit given to `run` was reached.
    InstructionLimit,
    /// The hart executed `wfi` and nothing can ever wake it: no timer armed, no input to come.
    Stuck,
    /// A debugger's breakpoint or watchpoint, or a pause it asked for; `run` again goes on.
    Debug(DebugStop),
}

/// A klab machine.
pub struct Machine {
    /// The hart's architectural state.
    pub hart: Hart,
    /// RAM and devices.
    pub bus: Bus,
    /// Physical memory protection.
    pub pmp: Pmp,
    /// Instructions retired (the source of `minstret`).
    pub retired: u64,
    /// Ticks beyond one per retired instruction: static costs, penalties, trap entry and idle
    /// time. `cycles() = (retired + extra) >> tick_shift`.
    pub(crate) extra_cycles: u64,
    /// Ticks per cycle are `1 << tick_shift`: 0 (a tick is a cycle) except under the pipeline
    /// model, whose dual issue costs half a cycle per instruction (`pipeline::TICK_SHIFT`).
    pub(crate) tick_shift: u32,
    /// What the block left last hands to the next (pipeline model).
    pub(crate) carry: pipeline::Carry,
    /// Exceptions taken (instructions that trapped instead of retiring).
    pub exceptions: u64,
    /// Interrupts taken.
    pub interrupts: u64,
    /// The loaded image's symbols.
    pub symbols: Vec<crate::loader::Symbol>,
    /// Host-side statistics by mode, address space and region.
    pub stats: crate::stats::Stats,
    /// `mhpmcounter3..31` and their events.
    pub(crate) hpm: [hpm::HpmCounter; 29],
    /// The armed counters of `hpm`, bit `n` for `hpm[n]` (see `hpm_armed`).
    pub(crate) hpm_armed_mask: u32,
    /// Where the DTB was placed.
    pub dtb_addr: u64,
    pub(crate) htlb: HostTlb,
    pub(crate) icache: DecodeCache,
    pub(crate) fetch: FetchState,
    /// Host-TLB row for data accesses: the effective privilege (MPRV-aware).
    pub(crate) dmode: usize,
    /// `mip` bits driven by devices, as of the last time they were sampled.
    pub(crate) mip_hw: u64,
    /// The slice's deadline in ticks (0 once something asked it to stop).
    pub(crate) stop_cycle: u64,
    /// The slice must end when `retired` reaches this (the instruction limit).
    pub(crate) insn_limit: u64,
    /// The slice ends when `retired` reaches this: the smaller of `insn_limit` and
    /// `stop_cycle - extra_cycles` (see `refresh_stop`).
    pub(crate) stop_retired: u64,
    /// Timing mode's models and costs (`None`: functional mode).
    pub(crate) timing: Option<Box<timing::Timing>>,
    /// The ASID bits the profile implements (0 without ASIDs).
    pub(crate) asid_mask: u16,
    /// The machine profile it was built with.
    pub profile: crate::profile::Profile,
    /// The call-stack sampler, when sampling (`stacks`).
    pub sampler: Option<crate::symbols::Sampler>,
    /// The thread the last switch marker named (`observe`: context switches).
    pub(crate) last_thread: Option<u64>,
    /// Symbol tables for the samples.
    pub symbol_tables: Vec<std::sync::Arc<crate::symbols::SymbolTable>>,
    /// A chain may enter another block only if the block ends at or before this count.
    pub(crate) chain_limit: u64,
    pub(crate) exit: Option<Exit>,
    /// Set by `wfi`: the hart idles until an interrupt is pending.
    pub(crate) waiting: bool,
    /// Cycle count when console output was last flushed to the host.
    last_flush: u64,
    htif: Option<Htif>,
    /// A block the last slice cut short, to be continued by the next one.
    pub(crate) resume: Option<fetch::Resume>,
    /// While a counter may overflow: the cycle at or after which overflows are next checked.
    next_overflow_check: Option<u64>,
    /// The tick up to which no armed counter can have overflowed, as the last check found
    /// (0: none known; see `hpm::EVENTS_PER_TICK`).
    overflow_quiet_until: u64,
    /// Breakpoints, watchpoints and the debugger's stop.
    pub(crate) debug: debug::Debug,
    /// The timeline recorder, when a timeline was asked for (`record`).
    pub(crate) recorder: Option<Box<record::Recorder>>,
    /// The block translator (functional mode; `None` when off).
    pub(crate) jit: Option<Box<jit::Jit>>,
}

impl Machine {
    /// Builds a machine running `image`, with the DTB in `a1` as QEMU's `-bios none` does.
    pub fn new(config: Config, image: &ElfImage) -> Result<Machine, MachineError> {
        let ram_size = config.ram_size;
        if !ram_size.is_multiple_of(PAGE_SIZE) || !(1 << 20..=MAX_RAM_SIZE).contains(&ram_size) {
            return Err(MachineError::RamSize(ram_size));
        }
        let ram_end = RAM_BASE + ram_size;
        image.check_fits(RAM_BASE, ram_end)?;
        let profile = config.profile;
        profile.validate()?;
        let uart = Uart::new(config.input, config.output);
        let bus = Bus::new(
            ram_size,
            uart,
            Clint::new(profile.cycles_per_tick()),
            GoldfishRtc::new(profile.clock_hz),
        );
        let mut m = Machine {
            hart: Hart::new(image.entry),
            bus,
            pmp: Pmp::default(),
            retired: 0,
            extra_cycles: 0,
            tick_shift: if profile.timing && profile.pipeline.is_some() {
                pipeline::TICK_SHIFT
            } else {
                0
            },
            carry: pipeline::Carry::NONE,
            exceptions: 0,
            interrupts: 0,
            symbols: image.symbols.clone(),
            stats: crate::stats::Stats::default(),
            hpm: [hpm::HpmCounter::default(); 29],
            hpm_armed_mask: 0,
            dtb_addr: 0,
            htlb: HostTlb::default(),
            icache: DecodeCache::default(),
            fetch: FetchState::INVALID,
            dmode: mode_index(Privilege::Machine),
            mip_hw: 0,
            stop_cycle: 0,
            insn_limit: 0,
            stop_retired: 0,
            timing: profile.timing.then(|| {
                let mut t = timing::Timing::new(&profile);
                t.check_tlb = config.check_tlb;
                Box::new(t)
            }),
            asid_mask: ((1u32 << profile.asid_bits) - 1) as u16,
            profile: profile.clone(),
            sampler: config.sample_period.map(crate::symbols::Sampler::new),
            last_thread: None,
            symbol_tables: config.symbols,
            chain_limit: 0,
            exit: None,
            waiting: false,
            last_flush: 0,
            htif: None,
            resume: None,
            next_overflow_check: None,
            overflow_quiet_until: 0,
            debug: debug::Debug::default(),
            recorder: None,
            jit: None,
        };
        // `KLAB_JIT=0` turns the translator off (read once, here).
        if std::env::var_os("KLAB_JIT").is_none_or(|v| v != "0") {
            m.set_jit(true);
        }
        for s in &image.segments {
            m.write_host(s.paddr, &s.data);
        }

        let initrd = match &config.initrd {
            Some(data) => {
                let base = initrd_base(ram_size);
                let end = base + data.len() as u64;
                let err = |why| MachineError::Initrd {
                    size: data.len() as u64,
                    base,
                    why,
                };
                if end > ram_end {
                    return Err(err("does not fit in RAM"));
                }
                if image
                    .segments
                    .iter()
                    .any(|s| s.paddr < end && base < s.paddr + s.memsz)
                {
                    return Err(err("overlaps the kernel image"));
                }
                m.write_host(base, data);
                Some((base, end))
            }
            None => None,
        };

        let dtb = fdt::build(&DtbConfig {
            ram_size,
            bootargs: config.bootargs.clone(),
            initrd,
            timebase_hz: profile.timebase_hz,
            isa: fdt::ISA.into(),
        })
        .map_err(|e| MachineError::Dtb(e.to_string()))?;
        let dtb_addr = dtb_base(ram_size, dtb.len() as u64);
        let dtb_end = dtb_addr + dtb.len() as u64;
        if image
            .segments
            .iter()
            .any(|s| s.paddr < dtb_end && dtb_addr < s.paddr + s.memsz)
        {
            return Err(MachineError::Dtb(format!(
                "it would go at {dtb_addr:#x}, over the kernel image; use a larger --mem"
            )));
        }
        if let Some((base, end)) = initrd
            && dtb_addr < end
        {
            return Err(MachineError::Initrd {
                size: end - base,
                base,
                why: "overlaps the device tree",
            });
        }
        m.write_host(dtb_addr, &dtb);
        m.dtb_addr = dtb_addr;
        m.hart.set_reg(10, m.hart.hartid); // a0
        m.hart.set_reg(11, dtb_addr); // a1

        if let Some(tohost) = image.symbol("tohost")
            && let Some(off) = m.bus.ram_offset(tohost, 8)
        {
            m.bus.set_page_flags(off, page_flag::WATCH);
            m.htif = Some(Htif {
                tohost,
                fromhost: image.symbol("fromhost"),
            });
        }
        Ok(m)
    }

    /// Instructions executed so far: retired, plus those that raised an exception.
    pub fn executed(&self) -> u64 {
        self.retired + self.exceptions
    }

    /// Runs until the guest exits, the hart is stuck, `max_insns` instructions have been
    /// executed in total (retired or trapped, so a guest in a fault loop is stopped too), or a
    /// debugger's breakpoint or watchpoint stops it. Calling `run` again continues where it
    /// stopped, and however a run is cut into calls, it counts the same.
    pub fn run(&mut self, max_insns: Option<u64>) -> Exit {
        let exit = loop {
            if let Some(stop) = self.debug.hit.take() {
                break Exit::Debug(stop);
            }
            if let Some(exit) = self.between_slices() {
                break exit;
            }
            if max_insns.is_some_and(|max| self.executed() >= max) {
                break Exit::InstructionLimit;
            }
            // Until the timer deadline, the slice length, the next overflow check or the
            // instruction limit (in ticks). Every instruction, retired or trapped, costs at
            // least one tick, so none overshoots.
            let now = self.ticks();
            let tick = |cycle: u64| cycle.saturating_mul(1 << self.tick_shift);
            let mut stop = now + tick(SLICE_CYCLES);
            if let Some(check) = self.next_overflow_check {
                stop = stop.min(tick(check));
            }
            if let Some(deadline) = self.next_timer_event() {
                stop = stop.min(tick(deadline));
            }
            if let Some(alarm) = self.next_rtc_event() {
                stop = stop.min(tick(alarm));
            }
            if let Some(s) = &self.sampler {
                stop = stop.min(tick(s.next));
            }
            if let Some(max) = max_insns {
                // Every instruction, retired or trapped, costs at least one tick: this also
                // bounds a fault loop, which retires nothing.
                stop = stop.min(now.saturating_add(max - self.executed()));
            }
            self.stop_cycle = stop;
            self.insn_limit = match max_insns {
                Some(max) => self.retired.saturating_add(max - self.executed()),
                None => u64::MAX,
            };
            self.refresh_stop();
            self.run_slice();
        };
        self.bus.uart.flush();
        self.stats.flush(self.retired, self.cycles());
        exit
    }

    /// Executes instructions, block by block, until `retired` reaches `stop_retired`.
    ///
    /// Only the pc and the retired count are carried from one instruction to the next, in
    /// registers; the count is stored back after every instruction
    /// (a store nothing waits for) so that code off the fast path sees it exact. A trap reloads
    /// what it may have changed. The stop test runs after every instruction, so deadlines and
    /// stop requests act exactly.
    ///
    /// Where a slice ends changes nothing that is measured: a block cut short is continued by
    /// the next slice where it was cut (`Resume`), and a slice ends at the first instruction
    /// boundary where the cycle count has reached the stop cycle (or `retired` the instruction
    /// limit), whichever way the instructions before it were run. So a run in many short calls of
    /// [`Machine::run`] counts exactly what a run in one call counts.
    #[inline(never)]
    fn run_slice(&mut self) {
        let mut pc = self.hart.pc;
        while self.retired < self.stop_retired {
            let off = pc.wrapping_sub(self.fetch.vbase);
            if off >= PAGE_SIZE || self.fetch.page == 0 {
                if self.debug_stops_at(pc) {
                    break;
                }
                let result = match self.fetch_slow(pc) {
                    Ok(None) => continue, // the fetch state now covers pc
                    Ok(Some(insn)) => self.execute_unbooked(insn, pc, 0),
                    Err(t) => Err(t),
                };
                match result {
                    Ok(npc) => {
                        pc = npc;
                        self.retired += 1;
                    }
                    Err(t) => {
                        self.hart.pc = pc;
                        self.take_trap(t);
                        pc = self.hart.pc;
                    }
                }
                continue;
            }
            let page = self.fetch.page;
            let stepping = self.debug.code_page_watched(pc);
            if stepping && self.debug_stops_at(pc) {
                break;
            }
            // The rest of a block cut short at pc, or the block starting at pc.
            let idx = match self.resume_at(pc) {
                Some(idx) => idx,
                None => {
                    // A fresh block starts a fresh group (a cut pair not resumed ends here).
                    self.end_group();
                    if self.icache.entry(page, off) == 0 {
                        self.block_miss(pc);
                    }
                    (self.icache.entry(page, off) >> 8) as usize
                }
            };
            let Some(ip) = self.icache.element(page, idx) else {
                unreachable!("block_miss built the block")
            };
            if self.carry.any() {
                self.carry_in(ip);
            }
            let s = self.icache.suffix(page, idx);
            let static_extra = if self.timing.is_some() {
                u64::from(s.extra)
            } else {
                0
            };
            if !stepping && self.retired + u64::from(s.insns) + static_extra <= self.stop_retired {
                self.chain_limit = (self.retired + CHAIN_INSNS).min(self.stop_retired);
                pc = threaded::run_block(self, ip, pc);
            } else {
                // The block would run past the stop (or a breakpoint may be in it): step its
                // next instruction alone.
                pc = self.step_element(page, idx, pc);
            }
        }
        self.hart.pc = pc;
    }

    /// Steps the instruction of element `idx` of code page `page`'s blocks, at `pc`, with the
    /// same accounting a handler would do; returns the next pc. If the block goes on after it,
    /// the rest is left to be resumed.
    fn step_element(&mut self, page: usize, idx: usize, pc: u64) -> u64 {
        let insn = self.icache.insn(page, idx);
        let s = self.icache.suffix(page, idx);
        let last = s.insns == 1;
        let own = if self.timing.is_some() {
            let rest = if last {
                threaded::Suffix::default()
            } else {
                self.icache.suffix(page, idx + 1)
            };
            let own = s.minus(&rest);
            self.book_suffix(&own);
            if s.fetch_access() && !self.fetch_line_is_mru(pc) {
                self.fetch_line_access(pc);
            }
            Some(own)
        } else {
            None
        };
        self.hart.pc = pc;
        match self.execute_cold(insn, pc) {
            Ok(npc) => {
                self.retired += 1;
                let next = pc.wrapping_add(u64::from(insn.len));
                let branch = threaded::is_branch(insn.op);
                if own.is_some() && branch && npc != next {
                    self.stats.count(crate::stats::Event::TakenBranch);
                    if let Some(t) = self.timing.as_deref() {
                        let extra =
                            u64::from(t.cost.branch_taken.saturating_sub(t.cost.branch_not_taken));
                        self.spend_cycles(extra);
                    }
                }
                if own.is_some() && (last || (branch && npc != next)) {
                    // The block is left after this instruction: what it hands on, and the tick
                    // a first of a pair gave its unexecuted second.
                    if self.tick_shift != 0 {
                        self.carry = self.icache.carry_of(page, idx);
                    }
                    if !last && s.paired() {
                        self.spend_ticks(1);
                    }
                }
                if own.is_some() && (branch || threaded::is_jump(insn.op)) && self.predicts() {
                    if branch {
                        self.predict_branch(pc, npc != next, npc);
                    } else {
                        self.predict_jump(pc, &insn, npc);
                    }
                }
                if !last && npc == next {
                    self.cut_block(npc, idx + 1);
                }
                npc
            }
            Err(t) => {
                if let Some(own) = own {
                    self.unbook_trapped(&own);
                }
                if self.debug.cancel {
                    // A watchpoint cancelled the instruction: resume the block with it.
                    self.cut_block(pc, idx);
                }
                self.take_trap(t);
                self.hart.pc
            }
        }
    }

    /// Records that the block of the fetch page was left before element `idx`, at `pc`.
    pub(crate) fn cut_block(&mut self, pc: u64, idx: usize) {
        let page = self.fetch.page;
        self.resume = (page != 0).then_some(fetch::Resume {
            pc,
            page,
            idx,
            counts: (self.retired, self.exceptions, self.interrupts),
            generation: self.icache.generation(),
        });
    }

    /// The element to continue from at `pc`, if a block was cut there and nothing has happened
    /// since (consumes the record).
    fn resume_at(&mut self, pc: u64) -> Option<usize> {
        let r = self.resume.take()?;
        let valid = r.pc == pc
            && r.page == self.fetch.page
            && r.counts == (self.retired, self.exceptions, self.interrupts)
            && r.generation == self.icache.generation();
        valid.then_some(r.idx)
    }

    /// Recomputes the retired count at which the slice must stop: the instruction limit, or
    /// the stop cycle less the cycles that retired nothing, whichever comes first.
    #[inline]
    pub(crate) fn refresh_stop(&mut self) {
        self.stop_retired = self
            .insn_limit
            .min(self.stop_cycle.saturating_sub(self.extra_cycles));
        self.chain_limit = self.chain_limit.min(self.stop_retired);
    }

    /// Ends the current slice after this instruction.
    #[inline]
    pub(crate) fn stop_slice(&mut self) {
        self.stop_cycle = 0;
        self.stop_retired = 0;
        self.chain_limit = 0;
    }

    /// Cycles elapsed: the source of `mcycle` and `mtime`.
    #[inline]
    pub fn cycles(&self) -> u64 {
        self.ticks() >> self.tick_shift
    }

    /// Ticks elapsed (cycles, or half cycles under the pipeline model).
    #[inline]
    pub(crate) fn ticks(&self) -> u64 {
        self.retired + self.extra_cycles
    }

    /// Spends `n` cycles that retire nothing (trap entry, idling, penalties), keeping the
    /// slice's stop where it was.
    pub(crate) fn spend_cycles(&mut self, n: u64) {
        self.spend_ticks(n << self.tick_shift);
    }

    /// Pipeline model: ends the issue group in flight. Every group ends on an even tick count
    /// (a pair's first instruction costs one tick less than its group and the second the last
    /// one), so an odd count means a pair was broken: its first ran and its second will not run
    /// in this group (it trapped, or an interrupt or a slice stop came between them and the
    /// block is not resumed). The group's last tick is spent here, in the place where the pair
    /// ran; so every place boundary falls at the same tick parity whatever happened before, and
    /// each place's cycles move by exactly a penalty's change times its events there.
    #[inline]
    pub(crate) fn end_group(&mut self) {
        if self.tick_shift != 0 && self.ticks() & 1 != 0 {
            self.spend_ticks(1);
        }
    }

    /// Spends `n` ticks (see `spend_cycles`).
    pub(crate) fn spend_ticks(&mut self, n: u64) {
        self.extra_cycles += n;
        self.refresh_stop();
    }

    /// The cycle at which MTIP will rise, if it is clear now and will rise.
    fn next_timer_event(&self) -> Option<u64> {
        if self.mip_hw & irq::MTI != 0 {
            return None;
        }
        self.bus
            .clint
            .timer_deadline()
            .filter(|&d| d > self.cycles())
    }

    /// The cycle at which the RTC's alarm will fire, if it is armed and has not fired.
    fn next_rtc_event(&self) -> Option<u64> {
        self.bus.rtc.deadline().filter(|&d| d > self.cycles())
    }

    /// Samples device interrupt lines into `mip_hw`.
    pub(crate) fn sample_irqs(&mut self) {
        self.bus.sync_irq_lines(self.cycles());
        self.mip_hw = self.bus.irq_lines(self.cycles());
    }

    /// Work between slices: devices, exits, idleness, interrupts.
    fn between_slices(&mut self) -> Option<Exit> {
        if let Some(finish) = self.bus.finisher.finished.take() {
            self.exit = Some(match finish {
                Finish::Exit(code) => Exit::Status(code),
                Finish::Reset => Exit::Reset,
            });
        }
        if let Some(exit) = self.exit.take() {
            return Some(exit);
        }
        if self.stop_requested() {
            return Some(Exit::Debug(DebugStop::Paused));
        }
        self.bus.uart.poll();
        self.sample_irqs();
        self.overflow_checkpoint(self.waiting);
        self.take_samples();
        if self.waiting
            && let Some(exit) = self.idle()
        {
            return Some(exit);
        }
        if let Some(i) = self.pending_interrupt() {
            self.take_interrupt(i);
        }
        if self.cycles().wrapping_sub(self.last_flush) >= SLICE_CYCLES {
            self.bus.uart.flush();
            self.last_flush = self.cycles();
        }
        None
    }

    /// The hart is in `wfi`: wait until an interrupt is pending in `mip & mie` (whatever the
    /// global enables say), skipping the idle cycles up to the timer deadline. Returns
    /// [`Exit::Stuck`] when nothing can ever wake the hart.
    ///
    /// With live (terminal) input the wait is in real time, bounded by the guest's timer, so an
    /// idle shell costs no host CPU; script input never waits on the host clock.
    fn idle(&mut self) -> Option<Exit> {
        self.bus.uart.flush();
        loop {
            self.bus.uart.refill();
            self.bus.uart.poll();
            self.sample_irqs();
            let mie = self.hart.csr.mie;
            if self.mip() & mie != 0 {
                self.waiting = false;
                return None;
            }
            let clint = if mie & irq::MTI != 0 {
                self.next_timer_event()
            } else {
                None
            };
            // The RTC's alarm wakes the hart through the PLIC (whose enables decide; a masked
            // source just comes back here with the alarm fired and nothing pending).
            let rtc = if mie & (irq::MEI | irq::SEI) != 0 {
                self.next_rtc_event()
            } else {
                None
            };
            let timer = match (clint, rtc) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let live = self.bus.uart.input.is_live()
                && self.bus.uart.can_wake()
                && mie & (irq::MEI | irq::SEI) != 0;
            match (timer, live) {
                (Some(deadline), false) => self.spend_cycles(deadline - self.cycles()),
                (Some(deadline), true) => {
                    let cycles = u128::from(deadline - self.cycles());
                    let nanos = (cycles * 1_000_000_000 / u128::from(self.profile.clock_hz))
                        .min(u128::from(u64::MAX)) as u64;
                    let wait = Duration::from_nanos(nanos);
                    let limit = self.debug.live_wait.filter(|&l| l < wait);
                    match self.await_live_or_stop(Some(limit.unwrap_or(wait))) {
                        debug::Woken::Input => {}
                        debug::Woken::Stop => return Some(Exit::Debug(DebugStop::Paused)),
                        debug::Woken::Timeout => {
                            if limit.is_some() {
                                return Some(Exit::Debug(DebugStop::Paused));
                            }
                            self.spend_cycles(deadline - self.cycles());
                        }
                    }
                }
                (None, true) => match self.await_live_or_stop(self.debug.live_wait) {
                    debug::Woken::Input => {}
                    debug::Woken::Stop | debug::Woken::Timeout => {
                        return Some(Exit::Debug(DebugStop::Paused));
                    }
                },
                (None, false) => return Some(Exit::Stuck),
            }
        }
    }

    /// The value of `mip`: software-written bits and device lines.
    #[inline]
    pub(crate) fn mip(&self) -> u64 {
        self.hart.csr.mip_sw | self.mip_hw
    }

    /// Recomputes the data-access row after a privilege or `mstatus` change.
    pub(crate) fn update_dmode(&mut self) {
        self.dmode = mode_index(self.data_privilege());
    }

    /// Tells the machine that the host changed hart state directly (privilege, CSRs, PMP,
    /// memory mappings): drops every cached translation and re-derives what depends on state.
    pub fn state_changed(&mut self) {
        self.resume = None;
        self.flush_translations();
        self.update_dmode();
        self.sample_irqs();
        self.stop_slice();
    }

    /// The exit the machine has recorded, if any (for callers stepping by hand).
    pub fn pending_exit(&self) -> Option<Exit> {
        self.exit
    }

    /// The readable name of the function symbol containing `addr`, for messages: the nearest
    /// symbol at or below it that is not an assembler-local label (`.L…`, `$x`), if it covers
    /// `addr`, demangled.
    pub fn symbolize(&self, addr: u64) -> Option<String> {
        let n = self.symbols.partition_point(|s| s.addr <= addr);
        let s = self.symbols[..n]
            .iter()
            .rev()
            .find(|s| !s.name.starts_with(['.', '$']))?;
        (s.size == 0 || addr < s.addr.saturating_add(s.size))
            .then(|| crate::symbols::demangle(&s.name))
    }
}

impl std::fmt::Debug for Machine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Machine")
            .field("pc", &format_args!("{:#x}", self.hart.pc))
            .field("privilege", &self.hart.privilege)
            .field("retired", &self.retired)
            .field("cycles", &self.cycles())
            .field("ram", &format_args!("{} MiB", self.bus.ram.len() >> 20))
            .finish_non_exhaustive()
    }
}
