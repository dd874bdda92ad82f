//! Random system calls with random and nasty arguments, and forged IPC.
//!
//! Each call is drawn from the table with arguments from [`Nasty`]: kernel and device addresses,
//! null, unmapped and guard pages, misaligned pointers, lengths that wrap or span the address
//! space, and absurd descriptors, pids and thread ids. What must hold, and is checked: the call
//! returns (the kernel neither dies nor hangs), and a call handed memory it may not use never
//! succeeds in using it — a `write` from a kernel address must not put bytes in a file, `fstat`
//! or `pipe` into one must fail. Forged IPC (`micro`): raw `call`s with random labels, words
//! and leases to every server endpoint and to endpoints that do not exist; on a kernel without
//! IPC (`mono`) every IPC number must be `ENOSYS`. Server-only kernel calls must be refused to a
//! program (`EPERM` on micro, `ENOSYS` on mono).
//!
//! Calls that legitimately end the program or block it for good are left out, or given only
//! arguments that make them fail: `exit`, `thread_exit`, `wait`/`kill`/`thread_join` of real
//! pids or threads, `read` of the console, `brk` below the break, `munmap` of memory the other
//! threads use, `thread_spawn` (a thread started at a bad address kills the process, as it
//! should), `recv` on an endpoint of ours.

use alloc::format;
use alloc::string::String;

use abi::Sys;
use abi::ipc::{self as aipc, MAX_LEASES, MAX_WORDS, kcall, label, level};
use abi::layout::{MMAP_LIMIT, PAGE_SIZE, STACK_GUARD, USER_BASE, USER_TOP};
use abi::types::open;
use ulib::raw::{self, syscall};
use ulib::{Errno, ipc};

use bin::memstress::Rng;

/// Bytes of the scratch buffer random calls may read and write.
pub const SCRATCH: usize = 4096;

/// What the calls may use: the scratch buffer and a file of our own.
pub struct Ctx {
    /// A buffer nothing else uses: the only live memory random calls are lent.
    pub scratch: &'static mut [u8; SCRATCH],
    /// A regular file open read/write.
    pub file: usize,
    /// Whether the kernel has IPC (`micro`).
    pub ipc: bool,
    /// Calls made.
    pub calls: usize,
    /// Forged IPC calls made.
    pub forged: usize,
    /// Descriptors no random call may touch (pipes a read of would block).
    pub avoid: [usize; 2],
}

/// A pointer a program may not use, with the length to go with it.
#[derive(Clone, Copy, Debug)]
struct Nasty {
    addr: usize,
    len: usize,
}

/// Addresses no program may read or write, whatever its mappings.
const BAD_ADDRS: &[usize] = &[
    0,
    8,
    USER_BASE - 8,
    USER_TOP,
    USER_TOP + 1,
    0x8000_0000,
    0x8020_0000,
    0x1000_0000,
    0x0200_0000,
    usize::MAX - 7,
    0xffff_ffc0_0000_0000,
    STACK_GUARD,
    STACK_GUARD + 1,
    MMAP_LIMIT - PAGE_SIZE,
    MMAP_LIMIT - 3,
];

impl Ctx {
    fn nasty(&mut self, rng: &mut Rng) -> Nasty {
        let addr = BAD_ADDRS[rng.below(BAD_ADDRS.len())];
        let len = match rng.below(5) {
            0 => 1,
            1 => 16,
            2 => PAGE_SIZE + 1,
            3 => usize::MAX,
            _ => 1 << 40,
        };
        Nasty { addr, len }
    }

    /// A huge length over the scratch buffer: the range runs off what is mapped.
    fn overlong(&mut self, rng: &mut Rng) -> Nasty {
        let lens = [
            usize::MAX,
            1 << 40,
            usize::MAX - self.scratch.as_ptr() as usize,
        ];
        Nasty {
            addr: self.scratch.as_mut_ptr() as usize + rng.below(8),
            len: lens[rng.below(lens.len())],
        }
    }

    fn bad(&mut self, rng: &mut Rng) -> Nasty {
        if rng.below(4) == 0 {
            self.overlong(rng)
        } else {
            self.nasty(rng)
        }
    }

    /// A descriptor: often absurd, sometimes our file, never the standard ones.
    fn fd(&mut self, rng: &mut Rng) -> usize {
        let fd = match rng.below(4) {
            0 => self.file,
            1 => 3 + rng.below(60),
            2 => usize::MAX - rng.below(4),
            _ => 1 << (20 + rng.below(40)),
        };
        if self.avoid.contains(&fd) {
            self.file
        } else {
            fd
        }
    }

    /// A pid or thread id nobody has.
    fn nobody(rng: &mut Rng) -> usize {
        (1 << 24) + rng.below(1 << 20)
    }
}

/// Makes one random call; `Err` says what a kernel did wrong.
pub fn one(ctx: &mut Ctx, rng: &mut Rng) -> Result<(), String> {
    ctx.calls += 1;
    match rng.below(22) {
        0..=8 => pointer_call(ctx, rng),
        9..=11 => plain_call(ctx, rng),
        12..=14 => number_call(ctx, rng),
        _ => forged(ctx, rng),
    }
}

/// A call handed a pointer it may not use: it must fail, never use the memory. Calls that only
/// read our memory are also given the scratch buffer with a length running far past it (the
/// kernel may refuse that or clamp it: what follows the buffer is ours too); calls that write
/// our memory never are.
fn pointer_call(ctx: &mut Ctx, rng: &mut Rng) -> Result<(), String> {
    let fd = if rng.below(2) == 0 {
        ctx.file
    } else {
        ctx.fd(rng)
    };
    let reads_ours = rng.below(2) == 0;
    let n = if reads_ours {
        ctx.bad(rng)
    } else {
        ctx.nasty(rng)
    };
    // Safety (every call below): the pointers are ones no program may use, or (for calls that
    // only read our memory) the scratch buffer with a length running past it; nothing is
    // written to memory of ours.
    let (what, r) = unsafe {
        if reads_ours {
            match rng.below(5) {
                0 => ("write", raw::write(fd, n.addr, n.len)),
                1 => ("open", raw::open(n.addr, n.len, rng.below(open::ALL + 1))),
                2 => ("unlink", raw::unlink(n.addr, n.len)),
                3 => ("mkdir", raw::mkdir(n.addr, n.len)),
                _ => (
                    "spawn",
                    raw::spawn(n.addr, n.len, n.addr, rng.below(4), n.addr),
                ),
            }
        } else {
            match rng.below(5) {
                0 => ("read", raw::read(fd, n.addr, n.len)),
                1 => ("fstat", raw::fstat(fd, n.addr)),
                2 => ("pipe", raw::pipe(n.addr)),
                3 => ("readdir", raw::readdir(fd, n.addr)),
                _ => ("wait", raw::wait(Ctx::nobody(rng), n.addr)),
            }
        }
    };
    let ours = ctx.scratch.as_ptr() as usize == n.addr & !7;
    match Errno::check(r) {
        Err(_) => Ok(()),
        // `read` at the end of the file copies nothing, which is fine.
        Ok(0) if what == "read" => Ok(()),
        // A clamped length over our own memory.
        Ok(_) if ours && what == "write" => Ok(()),
        Ok(v) => Err(format!(
            "{what} with pointer {:#x} length {:#x} succeeded ({v}): memory a program may not \
             use was used",
            n.addr, n.len
        )),
    }
}

/// A call without pointers, with random or absurd arguments that cannot end or block us.
fn plain_call(ctx: &mut Ctx, rng: &mut Rng) -> Result<(), String> {
    let fd = ctx.fd(rng);
    // Safety (every call): no pointers; the descriptors, pids and thread ids are absurd or ours,
    // and the memory calls give back only what they just took.
    unsafe {
        match rng.below(10) {
            0 => {
                let _ = raw::getpid();
            }
            1 => {
                let _ = raw::clock();
            }
            2 => {
                let _ = raw::seek(fd, rng.bits() as usize, rng.below(5));
            }
            3 => {
                if fd > 2 && fd != ctx.file {
                    let _ = raw::close(fd);
                }
            }
            4 => {
                // A dup that works is closed again, so descriptors do not run out.
                if let Ok(new) = Errno::check(raw::dup(fd)) {
                    let _ = raw::close(new);
                }
            }
            5 => expect_err("kill", raw::kill(Ctx::nobody(rng), abi::signal::SIGKILL))?,
            6 => expect_err("thread_join", raw::thread_join(Ctx::nobody(rng)))?,
            7 => {
                // Above the break's limit, or below where any heap starts: refused.
                let end = [usize::MAX, USER_TOP, 0x8000_0000, USER_BASE, 8][rng.below(5)];
                expect_err("brk", raw::brk(end))?;
            }
            8 => {
                let len = [0, 1, PAGE_SIZE - 1, usize::MAX, 1 << 40, 3 * PAGE_SIZE][rng.below(6)];
                let r = raw::mmap(len, rng.below(16));
                if let Ok(addr) = Errno::check(r)
                    && let Err(e) = Errno::check(raw::munmap(addr, len))
                {
                    return Err(format!("munmap of a fresh mmap: {}", e.name()));
                }
            }
            _ => {
                // Outside the mmap window, misaligned, or wrapping: refused.
                let addr = [
                    0,
                    USER_BASE,
                    STACK_GUARD,
                    MMAP_LIMIT,
                    MMAP_LIMIT - 1,
                    usize::MAX,
                ][rng.below(6)];
                let len = [0, 1, usize::MAX, PAGE_SIZE][rng.below(4)];
                expect_err("munmap", raw::munmap(addr, len))?;
            }
        }
    }
    Ok(())
}

/// Numbers outside the table, and the server-only kernel calls.
fn number_call(ctx: &mut Ctx, rng: &mut Rng) -> Result<(), String> {
    let args = [
        rng.bits() as usize,
        rng.bits() as usize,
        rng.bits() as usize,
        rng.bits() as usize,
        rng.bits() as usize,
        rng.bits() as usize,
    ];
    match rng.below(4) {
        3 => {
            // Fault injection is klab's (`--inject`), never a program's.
            // Safety: the call is refused before it does anything.
            let r = unsafe { syscall(kcall::INJECT, args) };
            let e = if ctx.ipc { Errno::Perm } else { Errno::NoSys };
            want(r, e, "inject from a program")
        }
        0 => {
            let nr = [0, 44, 53, 74, 79, 95, 1000, usize::MAX][rng.below(8)];
            // Safety: no call has this number.
            let r = unsafe { syscall(nr, args) };
            want(r, Errno::NoSys, "an unknown call number")
        }
        1 => {
            let nr = kcall::SPACE_NEW + rng.below(kcall::SIG_RETURN - kcall::SPACE_NEW + 1);
            // Safety: a server-only call, which a program must be refused.
            let r = unsafe { syscall(nr, args) };
            let e = if ctx.ipc { Errno::Perm } else { Errno::NoSys };
            want(r, e, "a server-only kernel call from a program")
        }
        _ => {
            // IPC calls that cannot block: endpoints and badges that do not exist.
            let nr = [
                kcall::REPLY,
                kcall::NOTIFY,
                kcall::LEASE_INFO,
                kcall::LEASE_READ,
            ][rng.below(4)];
            let mut a = args;
            a[0] = Ctx::nobody(rng) << 8;
            // Safety: nothing of ours is named (the badge and endpoint are nobody's; a lease copy
            // to a badge nobody has copies nothing).
            let r = unsafe { syscall(nr, a) };
            if ctx.ipc {
                match Errno::check(r) {
                    Err(_) => Ok(()),
                    Ok(v) => Err(format!("IPC call {nr} to nobody succeeded ({v})")),
                }
            } else {
                want(r, Errno::NoSys, "IPC without IPC")
            }
        }
    }
}

/// A forged IPC call: random label, words and leases, to a server or nowhere.
fn forged(ctx: &mut Ctx, rng: &mut Rng) -> Result<(), String> {
    ctx.forged += 1;
    let ep = match rng.below(6) {
        0 => Ctx::nobody(rng),
        1 => 0,
        _ => 1 + rng.below(level::SERVERS),
    };
    let label = forged_label(rng);
    let mut words = [0u64; MAX_WORDS];
    for w in &mut words {
        *w = match rng.below(3) {
            0 => rng.bits(),
            1 => rng.below(64) as u64,
            _ => BAD_ADDRS[rng.below(BAD_ADDRS.len())] as u64,
        };
    }
    let nw = rng.below(MAX_WORDS + 1);
    let nl = rng.below(MAX_LEASES + 1);
    let mut leases = [ipc_lease(0, 0, 0); MAX_LEASES];
    for l in leases.iter_mut().take(nl) {
        let n = ctx.bad(rng);
        *l = ipc_lease(n.addr as u64, n.len as u64, rng.below(8) as u64);
    }
    // Safety: every lease names memory no program may use (or runs past the scratch buffer), so
    // the kernel refuses it before the server sees it.
    let leases = leases.map(|l| unsafe { ipc::Lease::from_raw(l) });
    let r = ipc::call(ep, label, &words[..nw], &leases[..nl]);
    match r {
        _ if ctx.ipc => Ok(()),
        Err(Errno::NoSys) => Ok(()),
        Err(e) => Err(format!(
            "a forged IPC call without IPC: got {}, want ENOSYS",
            e.name()
        )),
        Ok(_) => Err(String::from("a forged IPC call succeeded without IPC")),
    }
}

/// A label for a forged call: the protocol's, random ones, and system calls that cannot end or
/// block us.
fn forged_label(rng: &mut Rng) -> u32 {
    // `CRASH` is the kernel's alone (badge 0): from us a server must refuse it and live on.
    const PROTOCOL: &[u32] = &[
        label::CRASH,
        label::MEM_FAULT,
        label::MEM_NEW,
        label::MEM_DROP,
        label::FS_PROGRAM,
        label::FS_SPAWN,
        label::FS_EXIT,
        label::CON_READ,
        label::NOTIFICATION,
    ];
    const SYSCALLS: &[Sys] = &[
        Sys::Getpid,
        Sys::Clock,
        Sys::Open,
        Sys::Fstat,
        Sys::Unlink,
        Sys::Mkdir,
        Sys::Readdir,
        Sys::Seek,
        Sys::Pipe,
    ];
    match rng.below(3) {
        0 => PROTOCOL[rng.below(PROTOCOL.len())],
        1 => SYSCALLS[rng.below(SYSCALLS.len())].number() as u32,
        _ => loop {
            let l = rng.bits() as u32;
            if Sys::from_number(l as usize).is_none() {
                break l;
            }
        },
    }
}

fn ipc_lease(addr: u64, len: u64, access: u64) -> aipc::Lease {
    aipc::Lease { addr, len, access }
}

fn expect_err(what: &str, r: isize) -> Result<(), String> {
    match Errno::check(r) {
        Err(_) => Ok(()),
        Ok(v) => Err(format!("{what} with absurd arguments succeeded ({v})")),
    }
}

fn want(r: isize, e: Errno, what: &str) -> Result<(), String> {
    match Errno::check(r) {
        Err(got) if got == e => Ok(()),
        Err(got) => Err(format!("{what}: got {}, want {}", got.name(), e.name())),
        Ok(v) => Err(format!("{what}: got {v}, want {}", e.name())),
    }
}
