//! From reset to the servers: kcore's [`boot::init`](kcore::boot::init) brings the machine up
//! (the same code as mono's); then the kernel takes its own leading words (`inject=`,
//! `fastpath=`) off the boot command line ([`crate::inject`]), makes the servers' endpoints and
//! starts each server from its embedded image, in its own address space:
//! - `proc` with the rest of the boot command line as its arguments (it starts the first
//!   program);
//! - `fs` with the initrd mapped read-only at `abi::layout::server::INITRD` and its length as
//!   its second argument;
//! - `mem`;
//! - `console` with the UART's registers mapped at `abi::layout::server::DEVICE` (and the
//!   Goldfish RTC's at `RTC_DEVICE`, when the board has one, with `rtc`, and `raised` for klab's `RAISED_*`, among its arguments); the UART's
//!   interrupt is notified to it.

use alloc::vec::Vec;

use abi::Errno;
use abi::ipc::level;
use abi::layout::{PAGE_SIZE, server};
use kcore::plic::Plic;
use kcore::sched::{NextTask, Sched};
use kcore::vm::PteFlags;
use kcore::{boot, console, kprintln, power};

use crate::kernel::{self, Endpoints, Kernel, Spaces};
use crate::{images, inject};

/// The kernel's entry in S-mode, on the kernel stack, with paging off.
#[unsafe(no_mangle)]
extern "C" fn kmain(hartid: usize, dtb_addr: usize) -> ! {
    let boot::Boot {
        info,
        frames,
        asids,
    } = boot::init(crate::NAME, hartid, dtb_addr);
    let plic = Plic::with_uart(&info);
    if let Some((_, irq)) = info.rtc {
        plic.enable(irq);
    }
    let (words, bootargs) = inject::split(info.bootargs());
    let mut k = Kernel {
        frames,
        asids,
        spaces: Spaces::default(),
        sched: Sched::new(),
        endpoints: Endpoints::new().expect("the endpoint table fits the kernel heap"),
        next: NextTask::Other,
        plic,
        uart_irq: info.uart_irq,
        initrd: info.initrd.clone().unwrap_or(0..0),
        bootargs,
        supervised: Default::default(),
        injections: words.injections,
        fast_cause: crate::fastpath::cause(words.fastpath),
        rtc: info.rtc,
        rtc_raised: info.rtc_raised,
        timers: [u64::MAX; level::SERVERS + 1],
    };
    for s in &images::SERVERS {
        if let Err(e) = k.start_server(s.endpoint) {
            kprintln!(
                "{}: cannot start server {}: {}",
                crate::NAME,
                s.name,
                e.message()
            );
            power::exit(254);
        }
    }
    kernel::install(k);
    kernel::run()
}

impl Kernel {
    /// Starts the server of endpoint `ep` from its image (the supervisor restarts it in the
    /// space it leaves).
    pub fn start_server(&mut self, ep: usize) -> Result<(), Errno> {
        let image = images::server(ep).ok_or(Errno::Inval)?;
        let args = self.server_args(ep);
        let argv: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        let (sid, frame, loaded) = self.load(0, image.name.into(), Some(ep), image.elf, &argv)?;
        self.supervised[ep].entry = loaded.entry;
        let mapped = match ep {
            level::CONSOLE => {
                let uart = console::base();
                let rtc = self.rtc.map(|(base, _)| base);
                self.map_foreign(
                    sid,
                    server::DEVICE,
                    uart..uart + PAGE_SIZE,
                    PteFlags::R | PteFlags::W,
                )
                .and_then(|()| match rtc {
                    Some(rtc) => self.map_foreign(
                        sid,
                        server::RTC_DEVICE,
                        rtc..rtc + PAGE_SIZE,
                        PteFlags::R | PteFlags::W,
                    ),
                    None => Ok(()),
                })
            }
            level::FS if !self.initrd.is_empty() => {
                let initrd = self.initrd.clone();
                self.map_foreign(sid, server::INITRD, initrd, PteFlags::R)
            }
            _ => Ok(()),
        };
        if let Err(e) = mapped {
            self.destroy_space(sid);
            return Err(e);
        }
        self.endpoints.server(ep).owner = Some(sid);
        let tid = self.new_thread(sid, frame)?;
        self.make_ready(tid);
        Ok(())
    }
}
