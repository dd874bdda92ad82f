//! Can a person debug both kernels and their programs with the real `gdb-multiarch` through
//! `klab run --gdb`, and does debugging leave the measurements alone? Each test starts the
//! `klab` binary with `--gdb 127.0.0.1:0`, reads the port from its stderr, and drives
//! `gdb-multiarch -batch` (or a raw socket) against it. Every child has a deadline and is killed
//! when a test fails, so a hang fails instead of hanging.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use klab_tests::{kernel, repo_root};

/// Longest any one gdb session or klab run may take.
const DEADLINE: Duration = Duration::from_secs(60);

/// A user program's ELF with symbols.
fn program(name: &str) -> PathBuf {
    let p = repo_root()
        .join("userland/target/riscv64imac-unknown-none-elf/release")
        .join(name);
    assert!(
        p.is_file(),
        "{} is not built: run `make guests`",
        p.display()
    );
    p
}

/// A `klab run … --gdb 127.0.0.1:0` child, killed when dropped.
struct Klab {
    child: Child,
    port: u16,
    stderr: Arc<Mutex<String>>,
    stdout: Arc<Mutex<String>>,
}

/// Copies `from` into `to` line by line on a thread; sends each line on `lines`.
fn collect(from: impl Read + Send + 'static, to: Arc<Mutex<String>>, lines: mpsc::Sender<String>) {
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            to.lock().unwrap().push_str(&line);
            to.lock().unwrap().push('\n');
            let _ = lines.send(line);
        }
    });
}

impl Klab {
    /// Starts `klab run --gdb 127.0.0.1:0 ARGS…` and waits for its port.
    fn start(args: &[&str]) -> Klab {
        let mut child = Command::new(env!("CARGO_BIN_EXE_klab"))
            .arg("run")
            .args(["--gdb", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start klab");
        let (stderr, stdout) = (Arc::default(), Arc::default());
        let (tx, rx) = mpsc::channel();
        collect(child.stderr.take().unwrap(), Arc::clone(&stderr), tx);
        let (otx, _orx) = mpsc::channel();
        collect(child.stdout.take().unwrap(), Arc::clone(&stdout), otx);
        let mut klab = Klab {
            child,
            port: 0,
            stderr,
            stdout,
        };
        klab.port = klab.wait_for_port(&rx);
        // Later "waiting" lines (after a dropped connection) are read from `stderr`.
        std::mem::forget(rx);
        klab
    }

    fn wait_for_port(&mut self, rx: &mpsc::Receiver<String>) -> u16 {
        let end = Instant::now() + Duration::from_secs(20);
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(addr) = line.strip_prefix("klab: waiting for gdb on ") {
                        return addr.rsplit(':').next().unwrap().parse().expect("port");
                    }
                }
                Err(_) => break,
            }
        }
        panic!("klab printed no port; stderr:\n{}", self.stderr());
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// Waits for klab to exit; its status.
    fn wait(&mut self) -> ExitStatus {
        wait_deadline(&mut self.child, "klab").unwrap_or_else(|| {
            panic!(
                "klab did not exit; stderr:\n{}\nstdout:\n{}",
                self.stderr(),
                self.stdout()
            )
        })
    }

    /// Waits until klab's stderr contains `text` `count` times.
    fn wait_for_stderr(&self, text: &str, count: usize) {
        let end = Instant::now() + Duration::from_secs(20);
        while Instant::now() < end {
            if self.stderr().matches(text).count() >= count {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "klab never said `{text}` ({count}×); stderr:\n{}",
            self.stderr()
        );
    }
}

impl Drop for Klab {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits up to `DEADLINE` for `child`; kills it and returns `None` if it is still running.
fn wait_deadline(child: &mut Child, what: &str) -> Option<ExitStatus> {
    let end = Instant::now() + DEADLINE;
    while Instant::now() < end {
        if let Some(s) = child.try_wait().unwrap_or_else(|e| panic!("{what}: {e}")) {
            return Some(s);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// Runs `gdb-multiarch -batch` against `port` with `elf` loaded and the given commands; its
/// output (stdout and stderr).
fn gdb(port: u16, elf: &Path, commands: &[&str]) -> String {
    let mut args: Vec<String> = vec![
        "-nx".into(),
        "-batch".into(),
        "-ex".into(),
        "set architecture riscv:rv64".into(),
        "-ex".into(),
        "set pagination off".into(),
        "-ex".into(),
        format!("target remote 127.0.0.1:{port}"),
    ];
    for c in commands {
        args.push("-ex".into());
        args.push((*c).into());
    }
    args.push(elf.display().to_string());
    let mut child = Command::new("gdb-multiarch")
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gdb-multiarch is not installed: run `make deps`");
    let out = Arc::new(Mutex::new(String::new()));
    let (tx, _rx) = mpsc::channel();
    collect(child.stdout.take().unwrap(), Arc::clone(&out), tx.clone());
    collect(child.stderr.take().unwrap(), Arc::clone(&out), tx);
    let status = wait_deadline(&mut child, "gdb");
    // Let the reader threads drain the pipes.
    std::thread::sleep(Duration::from_millis(50));
    let text = out.lock().unwrap().clone();
    assert!(status.is_some(), "gdb timed out; output:\n{text}");
    text
}

/// The value gdb printed for `$N = VALUE` lines, in order.
fn values(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| {
            let l = l.trim();
            let rest = l.strip_prefix('$')?;
            let (n, v) = rest.split_once(" = ")?;
            n.parse::<u32>().ok()?;
            Some(v.trim().to_string())
        })
        .collect()
}

/// A hexadecimal number in gdb's or klab's output.
fn hex(s: &str) -> u64 {
    let s = s.trim().trim_start_matches("0x");
    u64::from_str_radix(s, 16).unwrap_or_else(|_| panic!("not hex: {s}"))
}

const KERNELS: [&str; 2] = ["mono", "micro"];

#[test]
fn a_breakpoint_on_a_kernel_symbol_stops_there_in_s_mode() {
    for k in KERNELS {
        let mut klab = Klab::start(&[k, "hello"]);
        let out = gdb(
            klab.port,
            &kernel(k),
            &[
                "p/x $pc",
                "p $priv",
                "break kcore_trap_entry",
                "continue",
                "p/x $pc",
                "p $priv",
            ],
        );
        let v = values(&out);
        assert_eq!(v.len(), 4, "{k}: {out}");
        assert_eq!(
            hex(&v[0]),
            0x8000_0000,
            "{k}: halted before the first instruction"
        );
        assert_eq!(v[1], "3", "{k}: boots in M-mode");
        assert_eq!(
            hex(&v[2]),
            kernel_symbol(k, "kcore_trap_entry"),
            "{k}: stopped at the breakpoint: {out}"
        );
        assert_eq!(v[3], "1", "{k}: the trap handler runs in S-mode");
        assert!(out.contains("Breakpoint 1, "), "{k}: {out}");
        // gdb detached at the end of its commands: the guest ran on to its end.
        assert_eq!(klab.wait().code(), Some(0), "{k}: {}", klab.stderr());
        assert!(klab.stdout().contains("hello from pid"), "{k}");
        assert!(klab.stderr().contains("gdb detached"), "{k}");
    }
}

#[test]
fn stepping_an_ecall_lands_on_the_trap_vector() {
    for k in KERNELS {
        let mut klab = Klab::start(&[k, "hello"]);
        let out = gdb(
            klab.port,
            &kernel(k),
            &[
                &format!("add-symbol-file {}", program("hello").display()),
                "break ulib::sys::getpid",
                "continue",
                "stepi",
                "x/i $pc",
                "p $priv",
                "p/x $pc",
                "stepi",
                "p/x $pc",
                "p/x $stvec",
                "p $priv",
                "p $scause",
                "p/x $sepc",
                "stepi",
                "p/x $pc",
                "delete",
                &format!("break *{:#x}", kernel_sret(k)),
                "continue",
                "x/i $pc",
                "p/x $sepc",
                "stepi",
                "p/x $pc",
                "p $priv",
            ],
        );
        assert!(
            out.contains("ecall"),
            "{k}: the second instruction is the ecall: {out}"
        );
        let v = values(&out);
        assert_eq!(v.len(), 11, "{k}: {out}");
        assert_eq!(v[0], "0", "{k}: the program runs in U-mode");
        let stvec = hex(&v[3]);
        assert_eq!(
            hex(&v[2]),
            stvec,
            "{k}: pc = stvec after stepping the ecall: {out}"
        );
        assert_eq!(stvec, kernel_symbol(k, "kcore_trap_entry"), "{k}");
        assert_eq!(v[4], "1", "{k}: in S-mode");
        assert_eq!(v[5], "8", "{k}: scause = environment call from U-mode");
        assert_eq!(hex(&v[6]), hex(&v[1]), "{k}: sepc is the ecall");
        assert_eq!(
            hex(&v[7]),
            stvec + 4,
            "{k}: the next step runs the handler's first instruction"
        );
        assert!(out.contains("sret"), "{k}: stopped on the sret: {out}");
        assert_eq!(
            hex(&v[9]),
            hex(&v[8]),
            "{k}: stepping sret lands on sepc: {out}"
        );
        assert_eq!(v[10], "0", "{k}: back in U-mode");
        assert_eq!(klab.wait().code(), Some(0), "{k}: {}", klab.stderr());
    }
}

#[test]
fn csrs_and_the_privilege_level_read_as_the_hart_has_them() {
    for k in KERNELS {
        let mut klab = Klab::start(&[k, "hello"]);
        let out = gdb(
            klab.port,
            &kernel(k),
            &[
                &format!("add-symbol-file {}", program("hello").display()),
                "break kcore_trap_entry",
                "continue",
                "info registers satp scause",
                "p/x $satp",
                "p $scause",
                "p/x $mhartid",
                "p/x $misa",
                "p $priv",
                "monitor satp",
            ],
        );
        let v = values(&out);
        assert_eq!(v.len(), 5, "{k}: {out}");
        let satp = hex(&v[0]);
        assert_eq!(satp >> 60, 8, "{k}: Sv39 is on in the kernel: {out}");
        assert!(
            out.lines()
                .any(|l| l.starts_with("satp ") && l.contains(&format!("{satp:#x}"))),
            "{k}: `info registers satp`: {out}"
        );
        assert!(out.lines().any(|l| l.starts_with("scause ")), "{k}: {out}");
        assert_eq!(hex(&v[2]), 0, "{k}: mhartid");
        assert_eq!(hex(&v[3]), 0x8000_0000_0014_1105, "{k}: misa = RV64ACIMSU");
        assert_eq!(v[4], "1", "{k}");
        assert!(
            out.contains(&format!("satp = {satp:#018x}: MODE Sv39")),
            "{k}: monitor satp decodes the same value: {out}"
        );
        assert_eq!(klab.wait().code(), Some(0), "{k}");
    }
}

/// The address of the kernel symbol whose (mangled) name contains `part`.
fn kernel_symbol(k: &str, part: &str) -> u64 {
    let bytes = std::fs::read(kernel(k)).expect("kernel");
    let image = emu::ElfImage::parse(&bytes).expect("elf");
    image
        .symbols
        .iter()
        .find(|s| s.name.contains(part))
        .unwrap_or_else(|| panic!("{k} has no symbol like {part}"))
        .addr
}

/// The address of the `sret` with which kernel `k` resumes a thread (in `kcore_resume`).
fn kernel_sret(k: &str) -> u64 {
    let bytes = std::fs::read(kernel(k)).expect("kernel");
    let image = emu::ElfImage::parse(&bytes).expect("elf");
    let at = kernel_symbol(k, "kcore_resume");
    let seg = image
        .segments
        .iter()
        .find(|s| (s.paddr..s.paddr + s.data.len() as u64).contains(&at))
        .expect("kcore_resume is in a segment");
    let from = (at - seg.paddr) as usize;
    let sret = 0x1020_0073u32.to_le_bytes();
    let off = seg.data[from..]
        .windows(4)
        .step_by(2)
        .position(|w| w == sret)
        .expect("kcore_resume ends with sret");
    at + 2 * off as u64
}

#[test]
fn a_watchpoint_on_a_kernel_variable_fires_when_it_changes() {
    for k in KERNELS {
        // The kernel heap's lock byte: taken and released by every allocation.
        let heap = kernel_symbol(k, "5kcore4heap4HEAP");
        let mut klab = Klab::start(&[k, "hello"]);
        let out = gdb(
            klab.port,
            &kernel(k),
            &[
                "set language c",
                &format!("watch *(char *){heap:#x}"),
                "continue",
                "continue",
                "delete",
                "rwatch *(long *)&KCORE_MTIMECMP",
                "continue",
                "x/2i $pc - 4",
                "delete",
            ],
        );
        assert!(out.contains("Hardware watchpoint 1"), "{k}: {out}");
        assert!(
            out.contains("Old value = ") && out.contains("New value = "),
            "{k}: the write watchpoint fired: {out}"
        );
        assert!(
            out.contains("Old value = 1") && out.contains("New value = 0"),
            "{k}: {out}"
        );
        assert!(out.contains("Hardware read watchpoint 2"), "{k}: {out}");
        assert!(
            out.contains("Value = "),
            "{k}: the read watchpoint fired: {out}"
        );
        // GDB shows the stop after the load that read the variable.
        let before = out
            .lines()
            .find(|l| l.contains(">:\t") && !l.starts_with("=>"))
            .unwrap_or_else(|| panic!("{k}: no disassembly: {out}"));
        assert!(
            before.contains("\tld\t"),
            "{k}: the read was a load: {before}"
        );
        assert_eq!(klab.wait().code(), Some(0), "{k}");
    }
}

#[test]
fn a_breakpoint_in_a_user_programs_main_stops_there_in_u_mode() {
    for k in KERNELS {
        let mut klab = Klab::start(&[k, "echo", "hi", "there"]);
        let out = gdb(
            klab.port,
            &kernel(k),
            &[
                &format!("add-symbol-file {}", program("echo").display()),
                "break echo::main",
                "continue",
                "p $priv",
                "info symbol $pc",
                "monitor satp",
            ],
        );
        assert!(out.contains("Breakpoint 1, echo::main"), "{k}: {out}");
        assert_eq!(values(&out), ["0"], "{k}: U-mode: {out}");
        assert!(
            out.contains("named \"echo\""),
            "{k}: the program's address space: {out}"
        );
        assert_eq!(klab.wait().code(), Some(0), "{k}");
        assert!(klab.stdout().contains("hi there"), "{k}: {}", klab.stdout());
    }
}

/// The lines of a `monitor walk` as (PTE address, PTE value) and the final PA.
fn parse_walk(out: &str) -> (Vec<(u64, u64)>, u64) {
    let steps = out
        .lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("level ")?;
            let (_, rest) = rest.split_once("PTE at ")?;
            let (addr, rest) = rest.split_once(" = ")?;
            let value = rest.split_whitespace().next()?;
            Some((hex(addr), hex(value)))
        })
        .collect();
    let pa = out
        .lines()
        .find_map(|l| l.strip_prefix("PA "))
        .map(|l| hex(l.split_whitespace().next().unwrap()))
        .unwrap_or_else(|| panic!("no PA in the walk: {out}"));
    (steps, pa)
}

/// Bytes from `monitor phys` lines (`0x…: aa bb …  ascii`).
fn phys_bytes(out: &str) -> Vec<u8> {
    out.lines()
        .filter_map(|l| {
            let (addr, rest) = l.split_once(": ")?;
            addr.strip_prefix("0x")?;
            Some(
                rest.split("  ")
                    .next()?
                    .split_whitespace()
                    .map(|b| u8::from_str_radix(b, 16).unwrap())
                    .collect::<Vec<u8>>(),
            )
        })
        .flatten()
        .collect()
}

/// Bytes from gdb's `x/Nxb` lines.
fn x_bytes(out: &str) -> Vec<u8> {
    out.lines()
        .filter(|l| l.starts_with("0x") && l.contains(":\t"))
        .flat_map(|l| {
            l.split(":\t")
                .nth(1)
                .unwrap()
                .split('\t')
                .map(|b| u8::from_str_radix(b.trim().trim_start_matches("0x"), 16).unwrap())
                .collect::<Vec<u8>>()
        })
        .collect()
}

#[test]
fn monitor_walk_of_a_user_address_matches_the_page_tables() {
    for k in KERNELS {
        let mut klab = Klab::start(&[k, "hello"]);
        // First session: stop in main, walk its pc and its stack, and drop the connection
        // without detaching; klab stays halted for the next one.
        let out = gdb(
            klab.port,
            &kernel(k),
            &[
                &format!("add-symbol-file {}", program("hello").display()),
                "break hello::main",
                "continue",
                "p/x $pc",
                "eval \"monitor walk %#lx\", $pc",
                "x/16xb $pc",
                "disconnect",
            ],
        );
        let va = hex(&values(&out)[0]);
        let (steps, pa) = parse_walk(&out);
        assert_eq!(
            steps.len(),
            3,
            "{k}: a 4 KiB user page takes three levels: {out}"
        );
        assert_eq!(pa & 0xfff, va & 0xfff, "{k}: the offset is kept");
        let code = x_bytes(&out);
        assert_eq!(code.len(), 16, "{k}: {out}");
        klab.wait_for_stderr("waiting for gdb", 2);
        // Second session: the same machine, still halted. Read each PTE and the final bytes
        // from physical memory.
        let satp_root = steps[0].0 & !0xfff;
        let mut cmds: Vec<String> = steps
            .iter()
            .map(|(addr, _)| format!("monitor phys {addr:#x} 8"))
            .collect();
        cmds.push(format!("monitor phys {pa:#x} 16"));
        cmds.push("p/x $satp".into());
        cmds.push("p/x $pc".into());
        let refs: Vec<&str> = cmds.iter().map(String::as_str).collect();
        let out2 = gdb(klab.port, &kernel(k), &refs);
        let dumps: Vec<&str> = out2.split("\n0x").collect();
        let bytes = phys_bytes(&out2);
        assert_eq!(bytes.len(), 8 * steps.len() + 16, "{k}: {out2} ({dumps:?})");
        let mut table = satp_root;
        for (i, &(addr, value)) in steps.iter().enumerate() {
            let mem = u64::from_le_bytes(bytes[8 * i..8 * i + 8].try_into().unwrap());
            assert_eq!(mem, value, "{k}: the walk shows the PTE that is in memory");
            assert_eq!(
                addr & !0xfff,
                table,
                "{k}: each PTE is in the table the last one named"
            );
            let vpn = (va >> (12 + 9 * (2 - i))) & 0x1ff;
            assert_eq!(addr & 0xfff, vpn * 8, "{k}: indexed by VPN[{}]", 2 - i);
            table = ((value >> 10) & ((1 << 44) - 1)) << 12;
        }
        assert_eq!(pa & !0xfff, table, "{k}: the leaf names the page");
        assert_eq!(
            &bytes[8 * steps.len()..],
            &code[..],
            "{k}: PA holds what VA reads"
        );
        let v = values(&out2);
        assert_eq!(
            (hex(&v[0]) & ((1 << 44) - 1)) << 12,
            satp_root,
            "{k}: satp's root"
        );
        assert_eq!(
            hex(&v[1]),
            va,
            "{k}: the machine stayed where the first session left it"
        );
        assert_eq!(klab.wait().code(), Some(0), "{k}");
    }
}

/// `klab run ARGS… --stats-json FILE` without gdb; the statistics.
fn stats_without_gdb(args: &[&str], file: &Path) -> String {
    let status = Command::new(env!("CARGO_BIN_EXE_klab"))
        .arg("run")
        .arg("--stats-json")
        .arg(file)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("klab");
    assert_eq!(status.code(), Some(0));
    std::fs::read_to_string(file).expect("stats")
}

#[test]
fn a_run_under_gdb_counts_exactly_what_a_run_without_it_counts() {
    let dir = std::env::temp_dir().join(format!("klab-gdb-stats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for k in KERNELS {
        let plain = dir.join(format!("{k}-plain.json"));
        let expected = stats_without_gdb(&[k, "hello"], &plain);
        // Continued without stops.
        let file = dir.join(format!("{k}-continue.json"));
        let mut klab = Klab::start(&["--stats-json", file.to_str().unwrap(), k, "hello"]);
        let out = gdb(klab.port, &kernel(k), &["continue"]);
        assert!(out.contains("exited normally"), "{k}: {out}");
        assert_eq!(klab.wait().code(), Some(0), "{k}");
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            expected,
            "{k}: continue to the end"
        );
        // Stopped many times, looked at with every read-only command, stepped, continued.
        let file = dir.join(format!("{k}-stops.json"));
        let mut klab = Klab::start(&["--stats-json", file.to_str().unwrap(), k, "hello"]);
        let out = gdb(
            klab.port,
            &kernel(k),
            &[
                "break kcore_trap_entry",
                "continue",
                "stepi 20",
                "continue 3",
                "info registers",
                "info registers satp scause sstatus mstatus cycle instret",
                "x/32xg $sp",
                "x/8i $pc",
                "monitor stats",
                "monitor tlb",
                "monitor cache",
                "monitor regions",
                "monitor satp",
                "eval \"monitor walk %#lx\", $sepc",
                "monitor phys 0x80000000 256",
                "set language c",
                "rwatch *(long *)&KCORE_MTIMECMP",
                "continue",
                "delete",
                "continue",
            ],
        );
        assert!(out.contains("exited normally"), "{k}: {out}");
        assert_eq!(klab.wait().code(), Some(0), "{k}");
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            expected,
            "{k}: breakpoints, steps, a watchpoint and reads change no counter"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn monitor_commands_describe_the_machine() {
    let mut klab = Klab::start(&["mono", "bench", "getpid", "2000"]);
    let out = gdb(
        klab.port,
        &kernel("mono"),
        &[
            "monitor help",
            "break kcore_trap_entry",
            "ignore 1 1500",
            "continue",
            "monitor stats",
            "monitor regions",
            "monitor tlb",
            "monitor cache",
            "monitor walk 0x80000000",
            "monitor phys 0x80000000 32",
            "monitor phys 0x10 4",
            "monitor walk nonsense",
            "monitor frobnicate",
            "kill",
        ],
    );
    for needle in [
        "walk VA",
        "by mode:",
        "  U: instructions ",
        "by address space:",
        "\"bench\": instructions",
        "region 1: instructions",
        "ITLB: 32 entries",
        "DTLB: ",
        "1 GiB page, global",
        "L1D: 32 KiB 8-way",
        "L2: 2 MiB 16-way",
        "level 2: PTE at ",
        "0x0080000000: ",
        "error: 0x10..0x14 is not all RAM",
        "error: `nonsense` is not a number",
        "error: unknown command",
    ] {
        assert!(out.contains(needle), "`{needle}` missing from:\n{out}");
    }
    assert_eq!(klab.wait().code(), Some(137), "kill ends klab with 137");
    assert!(klab.stderr().contains("killed by gdb"));
}

/// A raw RSP packet.
fn packet(body: &str) -> Vec<u8> {
    let sum = body.bytes().fold(0u8, |a, b| a.wrapping_add(b));
    format!("${body}#{sum:02x}").into_bytes()
}

/// Reads from `s` until `want` returns true, the connection closes, or `limit` passes.
fn read_until(s: &mut TcpStream, limit: Duration, want: impl Fn(&str) -> bool) -> String {
    s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    let mut got = Vec::new();
    let end = Instant::now() + limit;
    let mut buf = [0u8; 4096];
    while Instant::now() < end && !want(&String::from_utf8_lossy(&got)) {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

/// Whether `r` ends with a whole packet (`$…#xx`).
fn whole_packet(r: &str) -> bool {
    r.contains('$') && r.rfind('#').is_some_and(|i| r.len() >= i + 3)
}

#[test]
fn ctrl_c_stops_a_running_guest() {
    let mut klab = Klab::start(&["mono", "bench", "getpid", "100000000"]);
    let mut s = TcpStream::connect(("127.0.0.1", klab.port)).unwrap();
    s.write_all(&packet("QStartNoAckMode")).unwrap();
    read_until(&mut s, Duration::from_secs(10), whole_packet);
    s.write_all(&packet("c")).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    s.write_all(&[0x03]).unwrap();
    let reply = read_until(&mut s, Duration::from_secs(10), whole_packet);
    assert!(
        reply.contains("$T02") || reply.contains("$S02"),
        "SIGINT stop: {reply:?}"
    );
    s.write_all(&packet("p20")).unwrap();
    let pc = read_until(&mut s, Duration::from_secs(10), whole_packet);
    assert!(pc.starts_with('$') && pc.len() > 10, "pc readable: {pc:?}");
    s.write_all(&packet("k")).unwrap();
    assert_eq!(klab.wait().code(), Some(137));
}

#[test]
fn a_hostile_byte_stream_does_not_crash_klab() {
    let mut klab = Klab::start(&["mono", "hello"]);
    let mut junk: Vec<Vec<u8>> = vec![
        b"hello, this is not a packet\n".to_vec(),
        b"$#00".to_vec(),
        b"$m80000000,4#zz".to_vec(),
        b"-".to_vec(),
        vec![0xff; 300],
        b"}}}}$}}#00".to_vec(),
    ];
    for body in [
        "m80000000,ffffffffffffffff",
        "mffffffffffffffff,10",
        "m0,100000",
        // Writes only where nothing is (a write to RAM would change the guest, as it should).
        "M10,4:zz",
        "M20,ffff:00",
        "X30,4:abc",
        "Mffffffffffffffff,10:00",
        "G00",
        "Pfffffff=00",
        "P1041=0500000000000000",
        "p1041",
        "pffffffffffffffff",
        "Z0,0,ffffffffffff",
        "Z2,ffffffffffffffff,8",
        "Z2,0,0",
        "Z4,80000000,ffffffffffffffff",
        "Z2,80000000,ffffffffff",
        "Z3,80000000,100001",
        "z3,1,1",
        "Z9,0,0",
        "vCont;x",
        "vCont;s:zz",
        "qXfer:features:read:target.xml:ffffffff,ffffffff",
        "qXfer:features:read:nonexistent.xml:0,fff",
        "qRcmd,zz",
        "qRcmd,706879732030786666666666666666666666666666666666",
        "qRcmd,77616c6b2030786666666666666666666666666666666666",
        "Hg-5",
        "T-1",
        "qSupported:PacketSize=0",
        "vMustReplyEmpty",
        "?",
    ] {
        junk.push(packet(body));
    }
    let huge = packet(&"A".repeat(100_000));
    junk.push(huge);
    for (i, chunk) in junk.iter().enumerate() {
        // Each piece on a fresh connection, since klab may end a session on the bad ones.
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", klab.port)) else {
            panic!(
                "klab stopped listening after piece {i}; stderr:\n{}",
                klab.stderr()
            );
        };
        let _ = s.write_all(chunk);
        let _ = s.write_all(&packet("g"));
        read_until(&mut s, Duration::from_millis(300), |r| {
            r.contains('#') && r.len() > 64
        });
        drop(s);
        klab.wait_for_stderr("waiting for gdb", i + 2);
        assert!(
            klab.child.try_wait().unwrap().is_none(),
            "klab exited after piece {i}: {}",
            klab.stderr()
        );
    }
    // A real session still works, and the guest still runs to its end.
    let out = gdb(klab.port, &kernel("mono"), &["p/x $pc", "continue"]);
    assert!(out.contains("exited normally"), "{out}");
    assert_eq!(klab.wait().code(), Some(0), "{}", klab.stderr());
    assert!(klab.stdout().contains("hello from pid 1"));
}
