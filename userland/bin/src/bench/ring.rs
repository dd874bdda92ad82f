//! `ring P K`, lmbench's `lat_ctx`: P processes in a ring of pipes pass a one-byte token; each,
//! on receiving it, touches its private K KiB working set (a read-modify-write of one word per
//! 64-byte line) and passes it on, plus one. One op is one pass (one hop).
//!
//! The ring is the parent (process 0, which measures) and P − 1 children
//! (`bench @ring-member K`, reading the token on stdin and passing it on stdout):
//!
//! ```text
//! parent ─pipe 1→ member 1 ─pipe 2→ member 2 ─ … → member P−1 ─pipe 0→ parent
//! ```
//!
//! The parent drives whole circuits, so N is rounded down to a multiple of P (at least one
//! circuit). Every process touches its working set once before the measurement; at the end each
//! checks that every line it owns was touched once per token it held, plus that first time.

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use abi::types::fd;
use ulib::sys;

use super::harness::{
    Outcome, Report, close, fail, get_byte, measure, ok, put_byte, reap, spawn_role, stdio,
};

/// The member role: `@ring-member K`.
pub const MEMBER: &str = "@ring-member";
/// The most processes a ring may have (the kernels allow 64 processes in all).
const MAX_PROCESSES: u64 = 32;
/// The largest working set, in KiB.
const MAX_KIB: u64 = 1024;
/// Circuits run before the measured ones (at most).
const WARMUP_CIRCUITS: u64 = 8;
/// Bytes between the words a touch changes: one per cache line.
const LINE: usize = 64;
/// Words per line.
const LINE_WORDS: usize = LINE / size_of::<u64>();

/// A process's private working set.
struct WorkingSet {
    words: Vec<u64>,
}

impl WorkingSet {
    /// `kib` KiB of zeros, touched once.
    fn new(kib: u64) -> WorkingSet {
        let mut ws = WorkingSet {
            words: vec![0; kib as usize * 1024 / size_of::<u64>()],
        };
        ws.touch();
        ws
    }

    /// Read-modify-writes the first word of every line.
    fn touch(&mut self) {
        for w in self.words.iter_mut().step_by(LINE_WORDS) {
            *w = w.wrapping_add(1);
        }
    }

    /// Requires every line to have been touched `times` times.
    fn check(&self, times: u64, who: &str) -> Outcome {
        let bad = self
            .words
            .iter()
            .step_by(LINE_WORDS)
            .filter(|&&w| w != times)
            .count();
        ensure!(
            bad == 0,
            "{who}: {bad} lines were not touched {times} times"
        );
        Ok(())
    }
}

/// `ring P K`: op = one pass of the token.
pub fn ring(n: u64, params: &[u64]) -> Outcome<Report> {
    let (p, kib) = (params[0], params[1]);
    ensure!(
        (2..=MAX_PROCESSES).contains(&p),
        "P is {p}, want 2..={MAX_PROCESSES}"
    );
    ensure!(kib <= MAX_KIB, "K is {kib}, at most {MAX_KIB}");
    let circuits = (n / p).max(1);
    let warm = circuits.min(WARMUP_CIRCUITS);
    let (input, output, members) = build(p, kib)?;
    let mut ws = WorkingSet::new(kib);
    let mut token = 0u8;
    let counts = measure(warm, circuits, || {
        put_byte(output, token)?;
        let want = token.wrapping_add(p as u8 - 1);
        match get_byte(input)? {
            Some(t) if t == want => token = t,
            Some(t) => return fail(format_args!("the token came back as {t}, want {want}")),
            None => return fail("the ring broke (a member exited)"),
        }
        ws.touch();
        Ok(())
    })?;
    close(output)?;
    ensure!(
        get_byte(input)?.is_none(),
        "the ring passed a token after the last"
    );
    close(input)?;
    for (i, pid) in members.into_iter().enumerate() {
        reap(pid, &format!("ring member {}", i + 1))?;
    }
    ws.check(warm + circuits + 1, "the parent")?;
    Ok(Report::new(circuits * p, counts))
}

/// Starts members 1..P with their pipes; the parent's ends (token in, token out) and the
/// members' pids. The parent holds at most six pipe ends at a time (each process may have 16
/// fds), closing each as soon as the member that needs it has been started.
fn build(p: u64, kib: u64) -> Outcome<(usize, usize, Vec<usize>)> {
    let (input, last_out) = ok(sys::pipe(), "pipe")?;
    let (mut next_in, output) = ok(sys::pipe(), "pipe")?;
    let kib = format!("{kib}");
    let mut members = Vec::new();
    for i in 1..p {
        let (after, out) = if i == p - 1 {
            (None, last_out)
        } else {
            let (r, w) = ok(sys::pipe(), "pipe")?;
            (Some(r), w)
        };
        members.push(spawn_role(
            MEMBER,
            &[&kib],
            stdio(Some(next_in), Some(out)),
        )?);
        close(next_in)?;
        close(out)?;
        if let Some(r) = after {
            next_in = r;
        }
    }
    Ok((input, output, members))
}

/// `@ring-member K`: passes each token from stdin to stdout plus one, touching its K KiB first,
/// until end of input.
pub fn member(params: &[u64]) -> Outcome {
    ensure!(
        params[0] <= MAX_KIB,
        "K is {}, at most {MAX_KIB}",
        params[0]
    );
    let mut ws = WorkingSet::new(params[0]);
    let mut passes = 0u64;
    while let Some(t) = get_byte(fd::STDIN)? {
        ws.touch();
        passes += 1;
        put_byte(fd::STDOUT, t.wrapping_add(1))?;
    }
    ws.check(passes + 1, "a member")
}
