//! The serving side of ipctest: receives the client's calls on the endpoint it owns and checks
//! each against the case table — the tag, every word, the badge, and every leased byte, read
//! with `lease_read` in odd-sized chunks (so at odd offsets) and written with `lease_write` the
//! same way; reads and writes at and past each lease's end; the access each lease denies; lease
//! indexes past the last. After the client's `done` it checks that a second reply and the
//! call's lease are refused, then waits for the watcher thread's report of the client's exit.
//!
//! The summary lines of what the kernel answered to refused and bounded accesses come from here;
//! the per-group lines come from the client, which sees the replies.

use alloc::format;
use alloc::string::String;
use alloc::vec;

use abi::ipc::MAX_LEASES;
use abi::ipc::label::NOTIFICATION;
use abi::ipc::lease::{READ, WRITE};
use ulib::ipc::{self, Badge, Message};
use ulib::{Errno, println, sys};

use crate::proto::{
    Case, Checks, LeaseSpec, Seen, access_name, cases, client_seed, compare, fill, label, outcome,
    reply_word, server_seed, show, word,
};

/// Chunk sizes `lease_read` is called with, in turn: odd sizes, so chunks start at odd offsets.
const READ_CHUNKS: [usize; 5] = [1021, 1, 4096, 7, 4097];
/// Chunk sizes `lease_write` is called with, in turn.
const WRITE_CHUNKS: [usize; 5] = [7, 4097, 1, 1021, 4096];
/// The largest chunk.
const CHUNK_MAX: usize = 4097;
/// What a destination buffer holds before a copy, to catch a kernel copying more than it says.
const SENTINEL: u8 = 0xee;
/// Bytes the server tries to write into a lease it must not write, or past a lease's end.
const JUNK: [u8; 16] = [0x5a; 16];

/// The serving process's state.
struct Server {
    child: usize,
    me: usize,
    /// The badge of the client's first call: every later one must carry the same.
    client: Option<Badge>,
    checks: Checks,
    failed: bool,
    /// Notification bits received so far.
    notified: u64,
    /// What reads and writes at or past a lease's end, and at bad indexes, returned.
    bounds: Seen,
    /// What accesses a lease does not grant returned.
    rights: Seen,
    /// What a second reply and a lease after the reply returned.
    answered: Seen,
}

/// Serves the client `child` on `ep` until the watcher reports its exit (or, without a watcher,
/// until its `done`, then waits for it). Returns the program's exit status.
pub fn serve(ep: usize, child: usize, watcher: bool) -> i32 {
    let mut s = Server {
        child,
        me: sys::getpid(),
        client: None,
        checks: Checks::default(),
        failed: false,
        notified: 0,
        bounds: Seen::default(),
        rights: Seen::default(),
        answered: Seen::default(),
    };
    let cases = cases();
    let mut next = 0;
    let mut done = false;
    let mut client_checks = 0;
    // The client's exit status, or why it is unknown.
    let status: Result<i32, String> = loop {
        let m = match ipc::recv(ep) {
            Ok(m) => m,
            Err(e) => {
                s.fail(format!("recv on my endpoint {ep}: {}", e.name()));
                // Not waited for: the watcher may be waiting for it already.
                let _ = sys::kill(child);
                return crate::proto::FAILED;
            }
        };
        match m.tag.label() {
            NOTIFICATION => {
                let r = s.notification(&m);
                s.report(r);
            }
            label::NOTIFY_CHECK => match s.notify_check(&m) {
                Ok(false) => {
                    if let Err(e) = ipc::reply(m.badge, label::RETRY, &[]) {
                        s.fail(format!("reply to {:?}: {}", m.badge, e.name()));
                    }
                }
                r => s.answer(&m, r.map(drop), 0, 0),
            },
            label::DONE => {
                client_checks = m.words[0];
                done = true;
                let r = s.done(&m);
                s.report(r);
                if !watcher {
                    break reap(child);
                }
            }
            label::EXITED => {
                let r = s.exited(&m);
                // The watcher only waits for this reply; a bad report is `r`'s failure.
                if let Err(e) = ipc::reply(m.badge, label::OK, &[]) {
                    s.fail(format!("reply to the watcher: {}", e.name()));
                }
                break r;
            }
            l if l >= label::CASE && (l - label::CASE) as usize == next && next < cases.len() => {
                let r = s.case(&m, next, &cases[next]);
                s.answer(&m, r, next, cases[next].words);
                next += 1;
            }
            l if l >= label::CASE => {
                let r = Err(format!(
                    "call with label {l:#x} out of step: expected case {next} of {}",
                    cases.len()
                ));
                s.answer(&m, r, 0, 0);
            }
            label::REFUSED => {
                let r = Err(String::from(
                    "the kernel delivered a call it should have refused (see the client's line)",
                ));
                s.answer(&m, r, 0, 0);
            }
            l => {
                let r = Err(format!("unexpected label {l:#x} from {:?}", m.badge));
                s.answer(&m, r, 0, 0);
            }
        }
    };
    match status {
        Ok(0) if done => println!("ipctest: client exited with status 0"),
        Ok(st) if done => s.fail(format!("the client exited with status {st}")),
        Ok(st) => s.fail(format!(
            "the client exited with status {st} before its last call"
        )),
        Err(why) => s.fail(why),
    }
    if s.failed {
        return crate::proto::FAILED;
    }
    println!("ipctest: lease bounds: ok ({})", s.bounds.summary());
    println!("ipctest: lease rights: ok ({})", s.rights.summary());
    println!(
        "ipctest: a call ends with its reply: ok ({})",
        s.answered.summary()
    );
    println!(
        "ipctest: {} checks passed",
        s.checks.passed() + client_checks
    );
    crate::proto::PASSED
}

impl Server {
    /// Prints a failure; the program will exit 1.
    fn fail(&mut self, why: String) {
        println!("ipctest: FAIL server: {why}");
        self.failed = true;
    }

    /// Prints `r`'s failure, if any.
    fn report(&mut self, r: Result<(), String>) {
        if let Err(why) = r {
            self.fail(why);
        }
    }

    /// Replies to `m`: label OK with `words` words of case `seq`'s reply pattern, or FAIL.
    fn answer(&mut self, m: &Message, r: Result<(), String>, seq: usize, words: usize) {
        let ok = r.is_ok();
        self.report(r);
        let w: [u64; abi::ipc::MAX_WORDS] = core::array::from_fn(|i| reply_word(seq, i));
        let label = if ok { label::OK } else { label::FAIL };
        let words = if ok { &w[..words] } else { &[][..] };
        if let Err(e) = ipc::reply(m.badge, label, words) {
            self.fail(format!("reply to {:?}: {}", m.badge, e.name()));
        }
    }

    /// Checks that `m` comes from the client: its process, and the same thread every time.
    fn check_sender(&mut self, m: &Message) -> Result<(), String> {
        let (b, child) = (m.badge, self.child);
        ensure!(
            self.checks,
            b.pid() == child,
            "badge {b:?} names process {}, not the client {child}",
            b.pid()
        );
        let first = *self.client.get_or_insert(b);
        ensure!(
            self.checks,
            b == first,
            "badge {b:?} differs from the client's first {first:?}"
        );
        Ok(())
    }

    /// Case `seq`: the tag, the words, then every lease.
    fn case(&mut self, m: &Message, seq: usize, case: &Case) -> Result<(), String> {
        self.check_sender(m)?;
        let c = &mut self.checks;
        let (t, n) = (m.tag, case.leases.len());
        ensure!(
            c,
            t.words() == case.words && t.leases() == n,
            "case {seq}: tag {t:?} has {} words and {} leases, want {} and {n}",
            t.words(),
            t.leases(),
            case.words
        );
        for i in 0..case.words {
            ensure!(
                c,
                m.words[i] == word(seq, i),
                "case {seq}: word {i} is {:#x}, want {:#x}",
                m.words[i],
                word(seq, i)
            );
        }
        for (j, spec) in case.leases.iter().enumerate() {
            let at = format!(
                "case {seq}: lease {j} ({} bytes, {})",
                spec.len,
                access_name(spec.access)
            );
            let mut l = LeaseCheck {
                c: &mut self.checks,
                bounds: &mut self.bounds,
                rights: &mut self.rights,
                b: m.badge,
                seq,
                j,
                spec,
                at,
            };
            l.run()?;
        }
        self.bad_indexes(m.badge, seq, n)
    }

    /// Lease indexes at and past the call's last must be refused.
    fn bad_indexes(&mut self, b: Badge, seq: usize, n: usize) -> Result<(), String> {
        let c = &mut self.checks;
        for index in [n, MAX_LEASES, usize::MAX] {
            let info = ipc::lease_info(b, index);
            ensure!(
                c,
                info.is_err(),
                "case {seq}: lease_info of index {index} (the call has {n}): {}",
                show(&info)
            );
            if let Err(e) = info {
                self.bounds
                    .note("index past the last", String::from(e.name()));
            }
            let mut dst = [SENTINEL; 16];
            let r = ipc::lease_read(b, index, 0, &mut dst);
            ensure!(
                c,
                r.is_err() && dst == [SENTINEL; 16],
                "case {seq}: lease_read of index {index} (the call has {n}): {}",
                show(&r)
            );
            let r = ipc::lease_write(b, index, 0, &JUNK);
            ensure!(
                c,
                r.is_err(),
                "case {seq}: lease_write of index {index} (the call has {n}): {}",
                show(&r)
            );
        }
        Ok(())
    }

    /// A notification: from nobody, with bits.
    fn notification(&mut self, m: &Message) -> Result<(), String> {
        ensure!(
            self.checks,
            m.badge == Badge(0) && m.words[0] != 0,
            "notification with badge {:?} and bits {:#x}, want badge 0 and some bits",
            m.badge,
            m.words[0]
        );
        self.notified |= m.words[0];
        Ok(())
    }

    /// The client notified twice, then called: whether all of their bits have arrived (the
    /// kernel may deliver the call before a pending notification; the client then calls again)
    /// and none other.
    fn notify_check(&mut self, m: &Message) -> Result<bool, String> {
        self.check_sender(m)?;
        let (want, got) = (m.words[0], self.notified);
        ensure!(
            self.checks,
            got & !want == 0,
            "notification bits {got:#x}, want only bits of {want:#x}"
        );
        Ok(got == want)
    }

    /// The client's last call: reply, then the reply and the lease must be spent.
    fn done(&mut self, m: &Message) -> Result<(), String> {
        let before = self.check_sender(m).and_then(|()| {
            let info = ipc::lease_info(m.badge, 0);
            ensure!(
                self.checks,
                m.tag.leases() == 1 && info == Ok((1, READ)),
                "done: tag {:?}, lease_info {}, want 1 lease of 1 byte, read",
                m.tag,
                show(&info)
            );
            Ok(())
        });
        let failed = before.is_err();
        self.answer(m, before, 0, 0);
        if failed {
            return Ok(());
        }
        let b = m.badge;
        let c = &mut self.checks;
        let again = ipc::reply(b, label::OK, &[]);
        ensure!(
            c,
            again.is_err(),
            "a second reply to the client's done: {}",
            show(&again)
        );
        let info = ipc::lease_info(b, 0);
        ensure!(
            c,
            info.is_err(),
            "lease_info after the reply: {}",
            show(&info)
        );
        let mut dst = [SENTINEL; 1];
        let read = ipc::lease_read(b, 0, 0, &mut dst);
        ensure!(
            c,
            read.is_err() && dst == [SENTINEL],
            "lease_read after the reply: {}",
            show(&read)
        );
        if let (Err(a), Err(i)) = (again, info) {
            self.answered.note("a second reply", String::from(a.name()));
            self.answered
                .note("the lease after the reply", String::from(i.name()));
        }
        Ok(())
    }

    /// The watcher's report: the client's exit status.
    fn exited(&mut self, m: &Message) -> Result<i32, String> {
        let me = self.me;
        ensure!(
            self.checks,
            m.badge.pid() == me,
            "exit report with badge {:?}, not from this process {me}",
            m.badge
        );
        if m.words[0] != 0 {
            let e = Errno::from_code(m.words[1] as i32).map_or("?", |e| e.name());
            return Err(format!("the watcher's wait for the client failed: {e}"));
        }
        Ok(m.words[1] as u32 as i32)
    }
}

/// Waits for the client: its exit status.
fn reap(child: usize) -> Result<i32, String> {
    sys::wait(Some(child))
        .map(|(_, status)| status)
        .map_err(|e| format!("waiting for the client: {}", e.name()))
}

/// The checks of one lease of one call.
struct LeaseCheck<'a> {
    c: &'a mut Checks,
    bounds: &'a mut Seen,
    rights: &'a mut Seen,
    b: Badge,
    seq: usize,
    j: usize,
    spec: &'a LeaseSpec,
    /// `case S: lease J (N bytes, ACCESS)`, for messages.
    at: String,
}

impl LeaseCheck<'_> {
    fn run(&mut self) -> Result<(), String> {
        let (len, access) = (self.spec.len, self.spec.access);
        let info = ipc::lease_info(self.b, self.j);
        ensure!(
            self.c,
            info == Ok((len, access)),
            "{}: lease_info {}, want Ok(({len}, {access}))",
            self.at,
            show(&info)
        );
        if access & READ != 0 {
            self.read_all()?;
            self.read_bounds()?;
        } else if len > 0 {
            self.read_refused()?;
        }
        if access & WRITE != 0 {
            self.write_all()?;
            self.write_bounds()?;
        } else if len > 0 {
            self.write_refused()?;
        }
        Ok(())
    }

    /// Reads the whole lease in chunks of [`READ_CHUNKS`] sizes and checks every byte.
    fn read_all(&mut self) -> Result<(), String> {
        let len = self.spec.len;
        let mut got = vec![0u8; len];
        let mut scratch = vec![0u8; CHUNK_MAX];
        let (mut off, mut k) = (0, 0);
        while off < len {
            let chunk = READ_CHUNKS[k % READ_CHUNKS.len()];
            k += 1;
            let dst = &mut scratch[..chunk];
            dst.fill(SENTINEL);
            let r = ipc::lease_read(self.b, self.j, off, dst);
            let want = chunk.min(len - off);
            ensure!(
                self.c,
                r == Ok(want),
                "{}: lease_read of {chunk} bytes at {off}: {}, want Ok({want})",
                self.at,
                show(&r)
            );
            ensure!(
                self.c,
                dst[want..].iter().all(|&x| x == SENTINEL),
                "{}: lease_read at {off} changed bytes past the {want} it copied",
                self.at
            );
            got[off..off + want].copy_from_slice(&dst[..want]);
            off += want;
        }
        let seed = client_seed(self.seq, self.j);
        let r = compare(seed, 0, &got);
        ensure!(self.c, r.is_ok(), "{}: read: {}", self.at, r.unwrap_err());
        Ok(())
    }

    /// Reads ending at, starting at and starting past the end: short counts, then nothing.
    fn read_bounds(&mut self) -> Result<(), String> {
        let len = self.spec.len;
        let mut dst = [SENTINEL; 16];
        if len >= 3 {
            let r = ipc::lease_read(self.b, self.j, len - 3, &mut dst);
            ensure!(
                self.c,
                r == Ok(3),
                "{}: lease_read of 16 bytes at {}: {}, want Ok(3)",
                self.at,
                len - 3,
                show(&r)
            );
            let tail = compare(client_seed(self.seq, self.j), len - 3, &dst[..3]);
            ensure!(
                self.c,
                tail.is_ok() && dst[3..].iter().all(|&x| x == SENTINEL),
                "{}: the last 3 bytes, read at {}: {:?}",
                self.at,
                len - 3,
                &dst[..]
            );
        }
        for (what, off) in past_end(len) {
            dst.fill(SENTINEL);
            let r = ipc::lease_read(self.b, self.j, off, &mut dst);
            ensure!(
                self.c,
                matches!(r, Ok(0) | Err(_)) && dst == [SENTINEL; 16],
                "{}: lease_read {what} (offset {off}): {}, want 0 bytes or an error",
                self.at,
                show(&r)
            );
            self.bounds.note(what, outcome(&r));
        }
        Ok(())
    }

    /// Writes the whole lease in chunks of [`WRITE_CHUNKS`] sizes (each may reach past the end;
    /// the kernel must clamp it, which the client's guard bytes check).
    fn write_all(&mut self) -> Result<(), String> {
        let len = self.spec.len;
        let seed = server_seed(self.seq, self.j);
        let mut src = vec![0u8; CHUNK_MAX];
        let (mut off, mut k) = (0, 0);
        while off < len {
            let chunk = WRITE_CHUNKS[k % WRITE_CHUNKS.len()];
            k += 1;
            fill(seed, off, &mut src[..chunk]);
            let r = ipc::lease_write(self.b, self.j, off, &src[..chunk]);
            let want = chunk.min(len - off);
            ensure!(
                self.c,
                r == Ok(want),
                "{}: lease_write of {chunk} bytes at {off}: {}, want Ok({want})",
                self.at,
                show(&r)
            );
            off += want;
        }
        Ok(())
    }

    /// Writes that end past the end, start at it and start past it: short counts, then nothing.
    fn write_bounds(&mut self) -> Result<(), String> {
        let len = self.spec.len;
        if len >= 2 {
            let mut src = [0u8; 5];
            fill(server_seed(self.seq, self.j), len - 2, &mut src);
            let r = ipc::lease_write(self.b, self.j, len - 2, &src);
            ensure!(
                self.c,
                r == Ok(2),
                "{}: lease_write of 5 bytes at {}: {}, want Ok(2)",
                self.at,
                len - 2,
                show(&r)
            );
        }
        for (what, off) in past_end(len) {
            let r = ipc::lease_write(self.b, self.j, off, &JUNK);
            ensure!(
                self.c,
                matches!(r, Ok(0) | Err(_)),
                "{}: lease_write {what} (offset {off}): {}, want 0 bytes or an error",
                self.at,
                show(&r)
            );
        }
        Ok(())
    }

    /// A lease without the read bit must not be read.
    fn read_refused(&mut self) -> Result<(), String> {
        let mut dst = [SENTINEL; 16];
        let n = self.spec.len.min(dst.len());
        let r = ipc::lease_read(self.b, self.j, 0, &mut dst[..n]);
        ensure!(
            self.c,
            r.is_err() && dst == [SENTINEL; 16],
            "{}: lease_read of a lease without the read bit: {}, want an error",
            self.at,
            show(&r)
        );
        self.rights.note("read of a write lease", outcome(&r));
        Ok(())
    }

    /// A lease without the write bit must not be written (the client checks its bytes too).
    fn write_refused(&mut self) -> Result<(), String> {
        let n = self.spec.len.min(JUNK.len());
        let r = ipc::lease_write(self.b, self.j, 0, &JUNK[..n]);
        ensure!(
            self.c,
            r.is_err(),
            "{}: lease_write to a lease without the write bit: {}, want an error",
            self.at,
            show(&r)
        );
        self.rights.note("write to a read lease", outcome(&r));
        Ok(())
    }
}

/// Offsets at which a copy must move nothing: at the end, one past it, and so far past it that
/// `offset + len` overflows.
fn past_end(len: usize) -> [(&'static str, usize); 3] {
    [
        ("offset at the end", len),
        ("offset past the end", len + 1),
        ("offset near 2^64", usize::MAX - 7),
    ]
}
