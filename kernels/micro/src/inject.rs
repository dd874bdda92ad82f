//! Fault injection, for whoever boots the machine and for nobody else: a leading boot argument
//! `inject=SERVER@N` (klab's `--inject SERVER@N`) has the kernel crash server `SERVER` (`proc`,
//! `fs`, `mem` or `console`) once the machine has retired `N` instructions. No program can ask
//! for a crash: the old `inject` kernel call answers `EPERM`, and a server obeys
//! `label::CRASH` only with badge 0, which only the kernel sends.
//!
//! The kernel looks at `instret` on each timer tick (every `kcore::sched::TIMESLICE_NS` of guest
//! time while a thread runs), never on the system-call or IPC paths, so an injection costs those
//! nothing; the crash comes at the first tick at or after `N`. It is delivered like a
//! notification, at a message boundary: at once if the server waits in `recv`, else at its next
//! `recv` (a kernel-only bit of the server endpoint's notification word, [`CRASH_BIT`], that
//! `notify` cannot set there). The server then crashes on purpose and the supervisor restarts
//! it. Runs are deterministic: the same arguments crash the same server at the same instruction.
//!
//! Injections must lead the command line (`inject=fs@5000000 usertests`): words after the first
//! that is not one are the first program's, so `echo inject=x` prints `inject=x`. A malformed
//! one is reported and ignored. The kernel's other leading word, `fastpath=off` (or `=on`, the
//! default), turns the IPC fast path off ([`crate::fastpath`]), so the tests can compare it with
//! the general path.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use abi::ipc::{Tag, label, level};
use kcore::kprintln;

use crate::images;
use crate::kernel::{EndpointId, Kernel, ThreadId};

/// The bit of a server endpoint's notification word that stands for a pending crash request.
/// Only the kernel sets it ([`Kernel::notify`] clears it from what callers pass); `recv` turns it
/// into a `label::CRASH` message with badge 0. On any other endpoint it is an ordinary bit.
pub const CRASH_BIT: u64 = 1 << 63;

/// [`CRASH_BIT`] on a server's endpoint `ep`, else no bit.
pub fn crash_bit(ep: EndpointId) -> u64 {
    if ep.level().is_some() { CRASH_BIT } else { 0 }
}

/// One planned crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Injection {
    /// Crash once `instret` has reached this.
    pub at: u64,
    /// The server's endpoint.
    pub endpoint: usize,
}

/// The kernel's own leading words of the boot command line.
pub struct KernelWords {
    /// The injections (`inject=SERVER@N`), in the order they fire.
    pub injections: VecDeque<Injection>,
    /// Whether the IPC fast path is on (`fastpath=off` turns it off).
    pub fastpath: bool,
}

/// Splits the kernel's leading words (`inject=SERVER@N`, `fastpath=on|off`) off `bootargs`:
/// what they ask for, and the rest of the command line (the first program's).
pub fn split(bootargs: &str) -> (KernelWords, String) {
    let mut plan: Vec<Injection> = Vec::new();
    let mut fastpath = true;
    let mut words = bootargs.split_ascii_whitespace().peekable();
    while let Some(&w) = words.peek() {
        if let Some(w) = w.strip_prefix("inject=") {
            match parse(w) {
                Some(i) => plan.push(i),
                None => kprintln!(
                    "{}: ignoring inject={}: want SERVER@N (proc, fs, mem or console; N instructions)",
                    crate::NAME,
                    w.get(..w.len().min(40)).unwrap_or("")
                ),
            }
        } else if let Some(v) = w.strip_prefix("fastpath=") {
            match v {
                "on" => fastpath = true,
                "off" => fastpath = false,
                _ => kprintln!(
                    "{}: ignoring fastpath={}: want on or off",
                    crate::NAME,
                    v.get(..v.len().min(40)).unwrap_or("")
                ),
            }
        } else {
            break;
        }
        words.next();
    }
    plan.sort_by_key(|i| i.at);
    let rest: Vec<&str> = words.collect();
    let kw = KernelWords {
        injections: plan.into(),
        fastpath,
    };
    (kw, rest.join(" "))
}

/// `SERVER@N`.
fn parse(w: &str) -> Option<Injection> {
    let (name, at) = w.split_once('@')?;
    let endpoint = images::SERVERS.iter().find(|s| s.name == name)?.endpoint;
    Some(Injection {
        at: at.parse().ok()?,
        endpoint,
    })
}

impl Kernel {
    /// At a timer tick: sends every injection that is due (one crash per server per tick).
    pub fn inject_due(&mut self) {
        let Some(first) = self.injections.front() else {
            return;
        };
        let now = kcore::csr::instret();
        if now < first.at {
            return;
        }
        while let Some(i) = self.injections.front().copied().filter(|i| i.at <= now) {
            self.injections.pop_front();
            self.crash_request(i.endpoint);
        }
    }

    /// Asks the server at `ep` to crash: at once if it waits in `recv`, else at its next one.
    fn crash_request(&mut self, ep: usize) {
        if !(1..=level::SERVERS).contains(&ep) {
            return;
        }
        let Some(e) = self.endpoints.get_mut(EndpointId::server(ep)) else {
            return;
        };
        match e.receiver.take() {
            Some(r) => {
                self.deliver_crash(r);
                self.make_ready(r);
            }
            None => e.bits |= CRASH_BIT,
        }
    }

    /// Puts the kernel's crash request (`label::CRASH`, badge 0) into receiver `to`'s registers.
    pub fn deliver_crash(&mut self, to: ThreadId) {
        crate::ipc::put(
            &mut self.thread(to).frame,
            0,
            Tag::new(label::CRASH, 0, 0),
            &[],
        );
    }
}
