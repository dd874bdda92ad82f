//! What the two ipctest processes agree on: the labels of their protocol, the table of calls the
//! client makes ([`cases`]), the patterns every word and leased byte carries (derived from the
//! call's sequence number, so each side computes what the other must have sent), and the
//! [`Checks`] counter with its [`ensure!`]. Both sides walk the same table, so the server checks
//! each message against what the table says, not against what the message claims.
//!
//! Left out: any IPC — the client and server modules make the calls.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt::Debug;

use abi::ipc::lease::{READ, WRITE};
use abi::ipc::{MAX_LEASES, MAX_WORDS};
use abi::layout::PAGE_SIZE;
use ulib::Errno;

/// The program's path, as it spawns itself.
pub const SELF: &str = "/bin/ipctest";

/// Exit status: every check passed.
pub const PASSED: i32 = 0;
/// Exit status: a check failed (an `ipctest: FAIL …` line says which).
pub const FAILED: i32 = 1;
/// Exit status: this kernel has no IPC (`mono`): nothing was tested, which is not a pass.
pub const NO_IPC: i32 = 2;

/// The labels of ipctest's own protocol. They live on ipctest's own endpoint, so they cannot be
/// mistaken for a server's.
pub mod label {
    /// Case `i` of [`super::cases`] has label `CASE + i`.
    pub const CASE: u32 = 0x1000;
    /// Client → server, after two notifications: word 0 = the bits they carried together. The
    /// reply is [`RETRY`] while some have not arrived yet.
    pub const NOTIFY_CHECK: u32 = 1;
    /// A call the kernel must refuse before it reaches the server; arriving is a failure.
    pub const REFUSED: u32 = 2;
    /// Client → server: the last call; word 0 = the client's checks so far, lease 0 = one byte
    /// (read), which must be gone once the server has replied.
    pub const DONE: u32 = 3;
    /// Watcher thread → server: the client has exited. Word 0 = 0 and word 1 = its status, or
    /// word 0 = 1 and word 1 = the errno `wait` failed with.
    pub const EXITED: u32 = 4;

    /// Reply label: the server found everything as expected.
    pub const OK: u32 = 0;
    /// Reply label: the server found a mismatch (and printed it).
    pub const FAIL: u32 = 1;
    /// Reply label to [`NOTIFY_CHECK`]: not every bit has arrived yet; call again.
    pub const RETRY: u32 = 2;
}

/// Lease sizes of the single-lease cases: empty, tiny, odd, and around a page and beyond.
pub const SIZES: [usize; 7] = [
    0,
    1,
    7,
    PAGE_SIZE - 1,
    PAGE_SIZE,
    PAGE_SIZE + 1,
    16 * PAGE_SIZE,
];
/// Access of the single-lease cases: read-only, write-only, read+write.
pub const ACCESSES: [u64; 3] = [READ, WRITE, READ | WRITE];
/// Where in its page a lease starts, cycled through the cases: aligned, odd, just before the
/// page's end (so even a 7-byte lease spans two pages).
pub const MISALIGN: [usize; 4] = [0, 1, PAGE_SIZE - 3, 7];

/// Bytes of guard before and after each leased buffer in the client, which must stay intact.
pub const GUARD: usize = 64;
/// The guard bytes' value (fresh mappings are guarded by their zeros instead).
pub const GUARD_BYTE: u8 = 0xc5;

/// One lease of a case.
#[derive(Clone, Copy, Debug)]
pub struct LeaseSpec {
    /// Bytes.
    pub len: usize,
    /// [`abi::ipc::lease`] bits.
    pub access: u64,
    /// Offset of the lease's first byte in its page.
    pub misalign: usize,
    /// The buffer is a fresh `mmap` the client never touched (write-only leases): the kernel must
    /// fault its pages in when the call is made.
    pub fresh: bool,
}

/// The groups of cases, each reported on one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// Register words only.
    Words,
    /// One lease per call, of each size and access.
    Single,
    /// Several leases per call.
    Multi,
}

impl Group {
    /// The group's line: `ipctest: TITLE: ok`.
    pub fn title(self) -> String {
        match self {
            Group::Words => format!("words 0..{MAX_WORDS}"),
            Group::Single => {
                let sizes: Vec<String> = SIZES.iter().map(|s| format!("{s}")).collect();
                let access: Vec<&str> = ACCESSES.iter().map(|&a| access_name(a)).collect();
                format!(
                    "one lease of {} bytes, {}",
                    sizes.join(", "),
                    access.join(", ")
                )
            }
            Group::Multi => format!("1 to {MAX_LEASES} leases per call"),
        }
    }
}

/// One call of the table.
#[derive(Clone, Debug)]
pub struct Case {
    /// The line it is reported on.
    pub group: Group,
    /// Register words sent, and words in the reply.
    pub words: usize,
    /// The leases.
    pub leases: Vec<LeaseSpec>,
}

/// `read`, `write` or `read+write`.
pub fn access_name(access: u64) -> &'static str {
    match access {
        READ => "read",
        WRITE => "write",
        _ => "read+write",
    }
}

/// The calls the client makes, in order; the server expects them in the same order.
pub fn cases() -> Vec<Case> {
    let spec = |len, access, misalign| LeaseSpec {
        len,
        access,
        misalign,
        fresh: false,
    };
    let mut cases = Vec::new();
    for words in 0..=MAX_WORDS {
        cases.push(Case {
            group: Group::Words,
            words,
            leases: Vec::new(),
        });
    }
    let mut k = 0;
    for &len in &SIZES {
        for &access in &ACCESSES {
            cases.push(Case {
                group: Group::Single,
                words: k % (MAX_WORDS + 1),
                leases: vec![spec(len, access, MISALIGN[k % MISALIGN.len()])],
            });
            k += 1;
        }
    }
    let multi = [
        vec![spec(7, READ, 1)],
        vec![spec(PAGE_SIZE, READ, 0), spec(PAGE_SIZE + 1, WRITE, 1)],
        vec![
            spec(1, READ | WRITE, PAGE_SIZE - 1),
            spec(0, READ, 0),
            spec(16 * PAGE_SIZE, WRITE, 7),
        ],
        vec![
            spec(PAGE_SIZE - 1, READ, 1),
            spec(7, WRITE, PAGE_SIZE - 3),
            spec(PAGE_SIZE + 1, READ | WRITE, 0),
            spec(16 * PAGE_SIZE, READ, PAGE_SIZE - 3),
        ],
        vec![
            LeaseSpec {
                fresh: true,
                ..spec(3 * PAGE_SIZE - 5, WRITE, 3)
            },
            spec(PAGE_SIZE + 1, READ, 0),
        ],
    ];
    for leases in multi {
        cases.push(Case {
            group: Group::Multi,
            words: leases.len(),
            leases,
        });
    }
    cases
}

/// SplitMix64's finaliser: a cheap bijection that spreads every input bit over the output.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Word `i` of call `seq`, as the client sends it.
pub fn word(seq: usize, i: usize) -> u64 {
    mix((seq as u64) << 8 | i as u64)
}

/// Word `i` of the reply to call `seq`.
pub fn reply_word(seq: usize, i: usize) -> u64 {
    mix((seq as u64) << 8 | 0x80 | i as u64)
}

/// The seed of the bytes the client puts in lease `j` of call `seq`.
pub fn client_seed(seq: usize, j: usize) -> u64 {
    mix(1 << 40 | (seq as u64) << 8 | (j as u64) << 1)
}

/// The seed of the bytes the server writes to lease `j` of call `seq`.
pub fn server_seed(seq: usize, j: usize) -> u64 {
    mix(1 << 40 | (seq as u64) << 8 | (j as u64) << 1 | 1)
}

/// Fills `dst` with the pattern of `seed` from byte `offset` on: a pseudo-random stream, so a
/// byte from the wrong offset, page, lease or call does not match.
pub fn fill(seed: u64, offset: usize, dst: &mut [u8]) {
    let mut word = mix(seed.wrapping_add((offset / 8) as u64));
    for (k, b) in dst.iter_mut().enumerate() {
        let at = offset.wrapping_add(k);
        if at % 8 == 0 && k > 0 {
            word = mix(seed.wrapping_add((at / 8) as u64));
        }
        *b = (word >> (at % 8 * 8)) as u8;
    }
}

/// `got` against the pattern of `seed` from `offset`: `Err` names the first wrong byte.
pub fn compare(seed: u64, offset: usize, got: &[u8]) -> Result<(), String> {
    let mut want = vec![0u8; got.len()];
    fill(seed, offset, &mut want);
    match got.iter().zip(&want).position(|(g, w)| g != w) {
        None => Ok(()),
        Some(i) => Err(format!(
            "byte {} is {:#04x}, want {:#04x}",
            offset + i,
            got[i],
            want[i]
        )),
    }
}

/// A call's result as a message shows it: `Ok(VALUE)` or the error's name (`EFAULT`).
pub fn show<T: Debug>(r: &Result<T, Errno>) -> String {
    match r {
        Ok(v) => format!("Ok({v:?})"),
        Err(e) => String::from(e.name()),
    }
}

/// What a refused or bounded call returned, in a summary line: `0 bytes` or the errno's name.
pub fn outcome(r: &Result<usize, Errno>) -> String {
    match r {
        Ok(n) => format!("{n} bytes"),
        Err(e) => String::from(e.name()),
    }
}

/// Counts passed checks; the first failed one becomes the `Err` of the step it is in.
#[derive(Default)]
pub struct Checks {
    passed: u64,
}

impl Checks {
    /// Checks passed so far.
    pub fn passed(&self) -> u64 {
        self.passed
    }

    /// Counts `ok` as a passed check, or fails with `what()`.
    pub fn ensure(&mut self, ok: bool, what: impl FnOnce() -> String) -> Result<(), String> {
        if ok {
            self.passed += 1;
            Ok(())
        } else {
            Err(what())
        }
    }

    /// The value of a call that must succeed (a passed check), or fails naming its error.
    pub fn ok<T>(
        &mut self,
        r: Result<T, Errno>,
        what: impl FnOnce() -> String,
    ) -> Result<T, String> {
        match r {
            Ok(v) => {
                self.passed += 1;
                Ok(v)
            }
            Err(e) => Err(format!("{}: {}", what(), e.name())),
        }
    }
}

/// Outcomes seen for one kind of refused or bounded access, for the summary lines.
#[derive(Default)]
pub struct Seen {
    outcomes: Vec<(&'static str, Vec<String>)>,
}

impl Seen {
    /// Notes that `what` gave `outcome` (each distinct outcome is kept once).
    pub fn note(&mut self, what: &'static str, outcome: String) {
        let slot = match self.outcomes.iter().position(|(w, _)| *w == what) {
            Some(i) => &mut self.outcomes[i].1,
            None => {
                self.outcomes.push((what, Vec::new()));
                &mut self.outcomes.last_mut().expect("just pushed").1
            }
        };
        if !slot.contains(&outcome) {
            slot.push(outcome);
        }
    }

    /// `what: OUTCOME; what: OUTCOME or OUTCOME; …`, in the order first seen.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self
            .outcomes
            .iter()
            .map(|(what, seen)| format!("{what}: {}", seen.join(" or ")))
            .collect();
        parts.join("; ")
    }
}

/// Fails the step with a formatted reason unless `cond` holds; counts a passed check.
macro_rules! ensure {
    ($checks:expr, $cond:expr, $($reason:tt)+) => {
        $checks.ensure($cond, || alloc::format!($($reason)+))?
    };
}
