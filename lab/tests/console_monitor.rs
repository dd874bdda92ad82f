//! klab's console keys on a real terminal: `klab run KERNEL` under a pseudo-terminal (util-linux
//! `script`), keys typed into it. Does Ctrl-A h list Ctrl-A c? Does Ctrl-A c open the monitor
//! prompt with the gdb monitor's commands (`stats`, `tlb`, `cache`, `walk`, `satp`,
//! `regions`), with the guest paused — the same `stats` twice, to the cycle — and do `c` and
//! Ctrl-A c resume it, so the shell answers again? Both kernels.
//!
//! A terminal's input is live, so timing is the host's: each step waits (with a deadline) for
//! what the previous one prints before typing the next.

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long one step may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(60);

/// `klab run KERNEL` on a pseudo-terminal, with everything it prints gathered.
struct Session {
    child: Child,
    keys: ChildStdin,
    out: Arc<Mutex<Vec<u8>>>,
}

impl Session {
    fn start(kernel: &str) -> Session {
        let klab = env!("CARGO_BIN_EXE_klab");
        let mut child = Command::new("script")
            .args(["-qfec", &format!("'{klab}' run {kernel}"), "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("util-linux `script` runs klab on a pseudo-terminal (`make deps`)");
        let keys = child.stdin.take().expect("stdin");
        let mut stdout = child.stdout.take().expect("stdout");
        let out = Arc::new(Mutex::new(Vec::new()));
        let sink = out.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Session { child, keys, out }
    }

    /// Everything printed so far, with the terminal's `\r` removed.
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.out.lock().unwrap()).replace('\r', "")
    }

    /// Waits until `want` has been printed `times` times in all.
    fn wait_for(&mut self, want: &str, times: usize) {
        let start = Instant::now();
        while self.text().matches(want).count() < times {
            if start.elapsed() > DEADLINE {
                let _ = self.child.kill();
                panic!(
                    "no {want:?} (×{times}) after {DEADLINE:?}; the terminal showed:\n{}",
                    self.text()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn type_keys(&mut self, keys: &[u8]) {
        self.keys.write_all(keys).expect("type");
        self.keys.flush().expect("flush");
    }

    /// Types the monitor command `cmd` and waits for the next prompt (the `n`th in all).
    fn command(&mut self, cmd: &str, n: usize) -> String {
        let before = self.text().len();
        self.type_keys(format!("{cmd}\r").as_bytes());
        self.wait_for("(klab) ", n);
        let text = self.text();
        let shown = &text[before..];
        shown[..shown.rfind("(klab) ").unwrap_or(shown.len())].to_string()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The figures of a `stats` output's first line: instructions and cycles so far.
fn figures(stats: &str) -> (u64, u64) {
    let line = stats
        .lines()
        .find(|l| l.contains("instructions retired"))
        .unwrap_or_else(|| panic!("no counters in\n{stats}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let insns = words
        .iter()
        .position(|w| *w == "instructions")
        .and_then(|i| i.checked_sub(1))
        .map(|i| words[i]);
    let cycles = words
        .iter()
        .position(|w| w.starts_with("cycles"))
        .and_then(|i| i.checked_sub(1))
        .map(|i| words[i]);
    (
        insns.and_then(|w| w.parse().ok()).expect("instructions"),
        cycles.and_then(|w| w.parse().ok()).expect("cycles"),
    )
}

fn monitor_pauses_the_guest_and_resumes_it(kernel: &str) {
    let mut s = Session::start(kernel);
    s.wait_for("$ ", 1);

    s.type_keys(b"\x01h");
    s.wait_for("monitor prompt", 1);

    // Open: the prompt, and the same counters however long we look.
    s.type_keys(b"\x01c");
    s.wait_for("(klab) ", 1);
    let first = s.command("stats", 2);
    assert!(
        first.contains("by mode:") && first.contains("by address space:"),
        "{first}"
    );
    std::thread::sleep(Duration::from_millis(300));
    let again = s.command("stats", 3);
    assert_eq!(
        figures(&first),
        figures(&again),
        "the guest ran while the monitor was open"
    );
    let satp = s.command("satp", 4);
    assert!(
        satp.contains("satp = 0x") && satp.contains("MODE Sv39"),
        "{satp}"
    );
    let walk = s.command("walk 0x10000", 5);
    assert!(walk.contains("walk of VA 0x10000"), "{walk}");
    let tlb = s.command("tlb", 6);
    assert!(tlb.contains("entries") && tlb.contains("lookups"), "{tlb}");
    let cache = s.command("cache", 7);
    assert!(
        cache.contains("L1D:") && cache.contains("misses"),
        "{cache}"
    );
    let regions = s.command("regions", 8);
    assert!(regions.contains("region"), "{regions}");
    let bad = s.command("frobnicate", 9);
    assert!(bad.contains("error: unknown command"), "{bad}");

    // `c` resumes: the shell answers.
    s.type_keys(b"c\r");
    s.wait_for("the guest resumes", 1);
    s.type_keys(b"echo after-one\r");
    s.wait_for("after-one\n", 1);

    // Ctrl-A c toggles: open again (the guest has run since), close with the key.
    s.type_keys(b"\x01c");
    s.wait_for("(klab) ", 10);
    let later = s.command("stats", 11);
    assert!(
        figures(&later).0 > figures(&first).0,
        "the guest did not run between the two monitor sessions"
    );
    s.type_keys(b"\x01c");
    s.wait_for("the guest resumes", 2);
    s.type_keys(b"echo after-two\r");
    s.wait_for("after-two\n", 1);

    s.type_keys(b"\x01x");
    s.wait_for("quit (Ctrl-A x)", 1);
}

#[test]
fn ctrl_a_c_opens_a_monitor_that_pauses_mono_and_resumes_it() {
    monitor_pauses_the_guest_and_resumes_it("mono");
}

#[test]
fn ctrl_a_c_opens_a_monitor_that_pauses_micro_and_resumes_it() {
    monitor_pauses_the_guest_and_resumes_it("micro");
}
