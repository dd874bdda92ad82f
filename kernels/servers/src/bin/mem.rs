//! mem: `micro`'s memory server and pager. It keeps each process's memory policy — a
//! `services::mm::Vm`, the very policy `mono` keeps per process — and answers `brk`, `mmap`,
//! `munmap` and the page faults the kernel forwards, as `mono`'s `memory.rs` and `process.rs`
//! do; the kernel does the page-table work it decides on (`MAP_NEW`, `UNMAP`).
//!
//! Shared memory (`shm_*`) is served here too, with `services::shm`'s table: an object's frames
//! are held mapped in this server's own window (`abi::layout::server::SHM_HOLD`, slot `i` at
//! `i` × `SHM_MAX_BYTES`) and `shm_map` has the kernel map them once more in the caller
//! (`SHM_SHARE`, see the kernel's `shm.rs`); a process's opens close at `MEM_DROP`.
//!
//! Requests: the forwarded calls and `MEM_FAULT` name their process by the badge; `MEM_NEW`,
//! `MEM_DROP` and `MEM_FAULT_FOR` (a page of a signal frame) come from `proc` (process id 0)
//! only. Nothing here blocks, and mem calls nobody.
//! The policies outlive a restart of the server (`servers::serve::run`).

#![no_std]
#![no_main]
#![forbid(unsafe_op_in_unsafe_fn)]

extern crate alloc;

use abi::Errno;
use abi::ipc::{ImageInfo, access, label, level};
use abi::layout::PAGE_SIZE;
use abi::layout::server::SHM_HOLD;
use abi::sys::Sys;
use abi::types::limits::{SHM_MAX_BYTES, SHM_NAME_MAX};
use abi::types::prot;
use servers::serve::{self, args};
use servers::{Args, Outcome, Pending, Server, kernel, lease};
use services::mm::{Access, Perms, Vm};
use services::shm::{self, Shm};
use services::{Pid, PidMap, Wakes};
use ucall::Message;

servers::entry!(c"mem", main);

/// The server's state: one policy per live process.
struct Mem {
    /// The memory policy of each process, from `MEM_NEW` to `MEM_DROP`, by pid slot: a fault
    /// or `mmap` finds its policy in O(1).
    vms: PidMap<Vm>,
    /// Always empty: nothing here blocks.
    pending: Pending,
    /// Shared-memory objects; an object's frames are its window of ours ([`hold_window`]).
    shm: Shm<()>,
}

/// Where this server holds the frames of object slot `slot`: `pages` pages from there.
fn hold_window(slot: usize) -> usize {
    SHM_HOLD.start + slot * SHM_MAX_BYTES
}

fn main(_args: Args) -> ! {
    serve::run(level::MEM, || Mem {
        vms: PidMap::new(),
        pending: Pending::new(),
        shm: Shm::new(),
    })
}

impl Server for Mem {
    fn pending(&mut self) -> &mut Pending {
        &mut self.pending
    }

    fn perform(&mut self, msg: &Message, _wakes: &mut Wakes) -> Outcome {
        // The calling process; `None` for `proc` (pid 0).
        let caller = msg.badge.process();
        let a = args(msg);
        match msg.tag.label() {
            label::MEM_FAULT => self.fault(caller, a[0], a[1]),
            label::MEM_NEW if caller.is_none() => self.new_process(msg, a[0]),
            label::MEM_DROP if caller.is_none() => {
                if let Some(pid) = Pid::from_raw(a[0]) {
                    self.vms.remove(pid);
                    for (slot, ()) in self.shm.exit_process(pid) {
                        self.shm_free(slot);
                    }
                }
                Ok(0)
            }
            label::MEM_FAULT_FOR if caller.is_none() => self.fault(Pid::from_raw(a[0]), a[1], a[2]),
            label::MEM_NEW | label::MEM_DROP | label::MEM_FAULT_FOR => Err(Errno::Perm.into()),
            l => match Sys::from_number(l as usize) {
                Some(Sys::Brk) => self.brk(self.known(caller)?, a[0]),
                Some(Sys::Mmap) => Ok(self.vm(self.known(caller)?)?.mmap(a[0], a[1])?),
                Some(Sys::Munmap) => self.munmap(self.known(caller)?, a[0], a[1]),
                Some(Sys::ShmOpen) => self.shm_open(msg, self.known(caller)?, a[1], a[2]),
                Some(Sys::ShmMap) => self.shm_map(self.known(caller)?, a[0]),
                Some(Sys::ShmClose) => {
                    if let Some((slot, ())) = self.shm.close(self.known(caller)?, a[0])? {
                        self.shm_free(slot);
                    }
                    Ok(0)
                }
                Some(Sys::ShmUnlink) => {
                    self.known(caller)?;
                    let name = shm_name(msg, a[1])?;
                    if let Some((slot, ())) = self.shm.unlink(&name[..a[1]])? {
                        self.shm_free(slot);
                    }
                    Ok(0)
                }
                _ => Err(Errno::NoSys.into()),
            },
        }
    }
}

impl Mem {
    /// `caller`, if it is a process with a policy (`ESRCH` if not).
    fn known(&self, caller: Option<Pid>) -> Result<Pid, Errno> {
        caller.filter(|&p| self.vms.contains(p)).ok_or(Errno::Srch)
    }

    /// The policy of process `pid`.
    fn vm(&mut self, pid: Pid) -> Result<&mut Vm, Errno> {
        self.vms.get_mut(pid).ok_or(Errno::Srch)
    }

    /// `MEM_FAULT`: a thread of `pid` touched `addr` with access `kind` ([`abi::ipc::access`]).
    /// A page the policy allows is mapped fresh and zeroed (`mono`'s `fault_in`); anything else
    /// (or no process) is `EFAULT`, and the kernel kills the process.
    fn fault(&mut self, pid: Option<Pid>, addr: usize, kind: usize) -> Outcome {
        let access = match kind as u64 {
            access::READ => Access::Read,
            access::WRITE => Access::Write,
            access::EXECUTE => Access::Execute,
            _ => return Err(Errno::Inval.into()),
        };
        let page = addr & !(PAGE_SIZE - 1);
        let pid = pid.ok_or(Errno::Fault)?;
        let vm = self.vms.get(pid).ok_or(Errno::Fault)?;
        let perms = vm.fault(page, access).ok_or(Errno::Fault)?;
        match kernel::map_new(pid, page, perms.prot()) {
            // Two threads faulted on the same page (or the process asked twice): the first
            // request mapped it, with the region's permissions; the thread runs again.
            Ok(()) | Err(Errno::Exist) => Ok(0),
            Err(e) => Err(e.into()),
        }
    }

    /// `MEM_NEW`: the policy of new process `pid` from its `ImageInfo` (lease 0), as `mono`'s
    /// `build` makes it: the heap after the image, the stack, and each loaded segment.
    /// `EINVAL` if `pid` is no pid, `EEXIST` if it has a policy.
    fn new_process(&mut self, msg: &Message, pid: usize) -> Outcome {
        let pid = Pid::from_raw(pid).ok_or(Errno::Inval)?;
        if self.vms.contains(pid) {
            return Err(Errno::Exist.into());
        }
        let info: ImageInfo = lease::read_value(msg.badge, 0)?;
        let segments = info.segments.iter().take(info.count as usize).map(|s| {
            let [start, end, bits] = s.map(|w| w as usize);
            (start, end, Perms::from_bits(bits))
        });
        self.vms
            .insert(pid, Vm::for_image(info.end as usize, segments)?)?;
        Ok(0)
    }

    /// `brk(end)`: pages the heap gives back are unmapped.
    fn brk(&mut self, pid: Pid, end: usize) -> Outcome {
        let (now, freed) = self.vm(pid)?.set_brk(end)?;
        if let Some(r) = freed {
            release(pid, r.start, r.end)?;
        }
        Ok(now)
    }

    /// `munmap(addr, len)`: the removed ranges are unmapped.
    fn munmap(&mut self, pid: Pid, addr: usize, len: usize) -> Outcome {
        let mut result = Ok(0);
        for r in self.vm(pid)?.munmap(addr, len)? {
            if let Err(e) = release(pid, r.start, r.end) {
                result = Err(e);
            }
        }
        result
    }
}

/// The name leased as 0 by a `shm_open` or `shm_unlink` of `len` bytes (`EINVAL` for a bad
/// length, before the lease is read).
fn shm_name(msg: &Message, len: usize) -> Result<[u8; SHM_NAME_MAX], servers::Fail> {
    shm::name_len_ok(len)?;
    let mut name = [0; SHM_NAME_MAX];
    lease::read_exact(msg.badge, 0, &mut name[..len])?;
    Ok(name)
}

impl Mem {
    /// `shm_open(name, name_len, len)` of `pid`: a new object's frames are held in its window.
    fn shm_open(&mut self, msg: &Message, pid: Pid, name_len: usize, len: usize) -> Outcome {
        shm::pages_for(len)?;
        let name = shm_name(msg, name_len)?;
        Ok(self.shm.open(pid, &name[..name_len], len, |slot, pages| {
            let at = hold_window(slot);
            kernel::shm_hold(at, at + pages * PAGE_SIZE)
        })?)
    }

    /// `shm_map(handle)` of `pid`: a shared region of its policy, where the kernel maps the
    /// object's frames.
    fn shm_map(&mut self, pid: Pid, handle: usize) -> Outcome {
        let (pages, ()) = self.shm.get(pid, handle)?;
        let vm = self.vm(pid)?;
        let addr = vm.map_shared(pages)?;
        let rw = prot::READ | prot::WRITE;
        if let Err(e) = kernel::shm_share(hold_window(handle), pid, addr, pages, rw) {
            self.vm(pid)?.munmap(addr, pages * PAGE_SIZE)?;
            return Err(e.into());
        }
        Ok(addr)
    }

    /// Object slot `slot` died: our hold on its frames goes (each is freed once no process maps
    /// it either).
    fn shm_free(&mut self, slot: usize) {
        let at = hold_window(slot);
        if let Err(e) = kernel::shm_release(at, at + SHM_MAX_BYTES) {
            servers::rt::say(format_args!(
                "mem: release of shared object {slot}'s frames refused: {}",
                e.name()
            ));
        }
    }
}

/// Unmaps (and frees) what was faulted in of `pid`'s `start..end`, which the policy has let go.
/// `ESRCH` means the process is gone, and its pages went with its address space: nothing is
/// left mapped, so that is success. Any other refusal means pages the policy calls free may
/// still be mapped — the page tables and the policy disagree, and a later `mmap` could show a
/// program stale memory — so it is reported on the console and the call fails with `EIO`
/// rather than pretending the memory is gone.
fn release(pid: Pid, start: usize, end: usize) -> Outcome {
    match kernel::unmap(pid, start, end) {
        Ok(()) | Err(Errno::Srch) => Ok(0),
        Err(e) => {
            servers::rt::say(format_args!(
                "mem: unmap of process {pid}'s pages {start:#x}..{end:#x} refused: {}",
                e.name()
            ));
            Err(Errno::Io.into())
        }
    }
}
