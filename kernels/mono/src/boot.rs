//! From reset to the first process: kcore's [`boot::init`](kcore::boot::init) brings the machine
//! up (the same code as `micro`'s); then the kernel populates the file system from the initrd and
//! starts the first process: the boot command line (`/chosen/bootargs`, e.g. `usertests` or
//! `echo hi`), or `/bin/init` when it is empty.

use alloc::vec::Vec;

use kcore::{boot, kprintln, power};

use crate::kernel::{self, Kernel};

/// The kernel's entry in S-mode, on the kernel stack, with paging off.
#[unsafe(no_mangle)]
extern "C" fn kmain(hartid: usize, dtb_addr: usize) -> ! {
    let boot::Boot {
        info,
        frames,
        asids,
    } = boot::init(crate::NAME, hartid, dtb_addr);
    let mut k = match Kernel::new(&info, frames, asids) {
        Ok(k) => k,
        Err(e) => {
            kprintln!("{}: cannot read the initrd: {}", crate::NAME, e.message());
            power::exit(254)
        }
    };
    let (program, args) = services::proc::first_command(info.bootargs());
    let argv: Vec<&[u8]> = args.iter().map(|w| w.as_bytes()).collect();
    match k.spawn_first(&program, &argv) {
        Ok(_) => {}
        Err(e) => {
            kprintln!("{}: cannot run {program}: {}", crate::NAME, e.message());
            power::exit(127)
        }
    }
    kernel::install(k);
    kernel::run()
}
