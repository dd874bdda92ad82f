//! Does klab hold against hostile input on its command line? A device (`/dev/zero`) given as
//! the kernel, the initrd, the profile or a symbols file, and a file larger than the guest RAM,
//! are refused at once, from their metadata, without being read; every malformed input — a
//! TOML error, a bad argument, a 100,000-character key — is exactly one short line on stderr
//! starting `klab: `, with status 1 (klab's) or 2 (a malformed command line, clap's).
//! Each command runs under a deadline, so a regression fails instead of hanging.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use emu::loader::minimal_elf;
use emu::memmap::RAM_BASE;

/// How long one refused command may take before it counts as hanging (it takes milliseconds).
const DEADLINE: Duration = Duration::from_secs(20);

/// A fresh directory for this test process's files, removed when it exits.
fn dir() -> PathBuf {
    common::shared("input", "files")
}

/// A valid ELF (`j .`; it is never run in these tests), in a file of its own: tests run in
/// parallel.
fn elf() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let p = dir().join(format!("ok-{}.elf", NEXT.fetch_add(1, Ordering::Relaxed)));
    let spin = 0x0000_006f_u32.to_le_bytes();
    std::fs::write(&p, minimal_elf(RAM_BASE, &spin, 0)).unwrap();
    p
}

/// What a finished klab run gave.
struct Ran {
    status: Option<i32>,
    stderr: String,
}

/// Runs klab with `args`, killing it if it outlives `DEADLINE` (then the test fails).
fn klab(args: &[&str]) -> Ran {
    let mut child = Command::new(env!("CARGO_BIN_EXE_klab"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start klab");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for klab") {
            break status;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("klab {:.80?} still running after {DEADLINE:?}", args);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    Ran {
        status: status.code(),
        stderr,
    }
}

/// Asserts exactly one stderr line, starting `klab: `, shorter than 200 characters, containing
/// `what`, with `status`; returns the line.
fn one_line(r: &Ran, status: i32, what: &str) -> String {
    one_line_within(r, status, what, 200)
}

/// `one_line`, for a line under `max` characters: a message that quotes user input twice
/// (`bad setting `K=V`: `V` is not a size…`) or lists what is valid may be longer than 200.
fn one_line_within(r: &Ran, status: i32, what: &str, max: usize) -> String {
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "not one line: {:?}", r.stderr);
    let line = lines[0];
    assert!(line.starts_with("klab: "), "{line}");
    assert!(
        line.chars().count() < max,
        "{} chars: {line}",
        line.chars().count()
    );
    assert!(line.contains(what), "expected {what:?} in: {line}");
    assert_eq!(r.status, Some(status), "{line}");
    line.to_string()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn dev_zero_as_any_input_file_is_refused_at_once() {
    let elf = elf();
    let elf = path(&elf);
    for args in [
        vec!["run", "/dev/zero"],
        vec!["run", "--initrd", "/dev/zero", elf],
        vec!["run", "--profile", "/dev/zero", elf],
        vec!["run", "--symbols", "/dev/zero", elf],
        vec![
            "run",
            "--stats-json",
            "/dev/null",
            "--symbols",
            "/dev/zero",
            elf,
        ],
        vec!["report", "/dev/zero"],
    ] {
        let r = klab(&args);
        // A profile klab cannot use is a usage error (2); other inputs are status 1.
        let status = if args.contains(&"--profile") { 2 } else { 1 };
        one_line(
            &r,
            status,
            "/dev/zero is a character device, not a regular file",
        );
    }
}

#[test]
fn an_initrd_or_kernel_larger_than_ram_is_refused_unread() {
    // Sparse: 64 GiB that cost no disk, and that a read would take minutes over.
    let big = dir().join("big.img");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(64 << 30)
        .unwrap();
    let elf = elf();
    let r = klab(&["run", "--initrd", path(&big), path(&elf)]);
    one_line(
        &r,
        1,
        "is 68719476736 bytes, more than the guest RAM (--mem",
    );
    let r = klab(&["run", "--mem", "1G", path(&big)]);
    one_line(&r, 1, "the kernel ELF");
    std::fs::remove_file(&big).unwrap();
}

#[test]
fn a_directory_is_refused_as_a_kernel_and_a_profile() {
    let d = dir();
    one_line(&klab(&["run", path(&d)]), 1, "is a directory");
    let r = klab(&["run", "--profile", path(&d), path(&elf())]);
    one_line(&r, 2, "is a directory");
}

#[test]
fn a_toml_error_is_one_line() {
    let p = dir().join("bad.toml");
    std::fs::write(&p, "name = \"x\"\n[core]\nclock_hz = \"fast\"\n").unwrap();
    let line = one_line(
        &klab(&["run", "--profile", path(&p), path(&elf())]),
        2,
        "in [core]: `clock_hz`: invalid type",
    );
    assert!(line.ends_with("(line 3)"), "{line}");
    let p = dir().join("long.toml");
    let long_key = "k".repeat(100_000);
    std::fs::write(&p, format!("{long_key} = 1\n")).unwrap();
    one_line_within(
        &klab(&["run", "--profile", path(&p), path(&elf())]),
        2,
        "unknown field `kkkk",
        300,
    );
}

#[test]
fn clap_errors_are_one_line_with_status_2() {
    let elf = elf();
    let elf = path(&elf);
    for (args, what) in [
        (vec![], "no command given: the commands are run, bench"),
        (vec!["runn"], "unrecognized subcommand 'runn'"),
        (vec!["run"], "required arguments were not provided"),
        (vec!["run", "--foo", elf], "unexpected argument '--foo'"),
        (vec!["run", "--mem", "12Q", elf], "not a size"),
        (vec!["run", "--asid", "maybe", elf], "neither on nor off"),
        (vec!["run", "--mem"], "a value is required for '--mem"),
        (
            vec!["bench", "--jobs", "x"],
            "invalid value 'x' for '--jobs",
        ),
    ] {
        let line = one_line(&klab(&args), 2, what);
        assert!(line.ends_with("--help`"), "no pointer to the help: {line}");
    }
    let line = one_line(&klab(&["run", "--mem", "1Q", elf]), 2, "--mem");
    assert!(line.ends_with("see `klab run --help`"), "{line}");
    // Arguments that are not UTF-8, before and after the subcommand.
    use std::os::unix::ffi::OsStrExt;
    let bad = std::ffi::OsStr::from_bytes(b"--mem=\xff\xfe");
    for args in [
        vec![bad, "run".as_ref()],
        vec!["run".as_ref(), bad, elf.as_ref()],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_klab"))
            .args(&args)
            .output()
            .unwrap();
        let r = Ran {
            status: o.status.code(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        };
        one_line(&r, 2, "--help`");
    }
}

#[test]
fn long_input_is_echoed_shortened() {
    let long = "k".repeat(100_000);
    let elf = elf();
    let elf = path(&elf);
    let set = format!("{long}=1");
    one_line(
        &klab(&["run", "--set", &set, elf]),
        2,
        "unknown profile key `kkk",
    );
    one_line(
        &klab(&["run", "--set", &long, elf]),
        2,
        "expected KEY=VALUE",
    );
    let set = format!("l1d.size={long}");
    one_line_within(&klab(&["run", "--set", &set, elf]), 2, "bad setting", 300);
    one_line(&klab(&["run", "--mem", &long, elf]), 2, "not a size");
    one_line(&klab(&["run", &format!("--{long}"), elf]), 2, "unexpected");
    one_line(&klab(&["run", &long]), 1, "File name too long");
    one_line(
        &klab(&["run", "--profile", &long, elf]),
        2,
        "cannot read the profile kkk",
    );
}

#[test]
fn a_malformed_report_is_one_line() {
    let long = "k".repeat(100_000);
    for (name, text, what) in [
        ("not-json.json", "{\"schema\":".to_string(), "is not JSON"),
        ("schema.json", "{\"schema\": 7}".to_string(), "has schema 7"),
        (
            "shape.json",
            format!("{{\"schema\": 1, \"klab\": \"{long}\"}}"),
            "does not follow the report schema",
        ),
        (
            "bad-key.json",
            format!("{{\"schema\": 1, \"{long}\": 1}}"),
            "does not follow the report schema",
        ),
    ] {
        let p = dir().join(name);
        std::fs::write(&p, text).unwrap();
        let out = dir().join(format!("{name}.out"));
        let r = klab(&["report", path(&p), "--out", path(&out)]);
        one_line_within(&r, 1, what, 300);
    }
}

#[test]
fn help_and_version_still_print_normally() {
    for args in [
        vec!["--help"],
        vec!["run", "--help"],
        vec!["help", "run"],
        vec!["--version"],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_klab"))
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        assert!(o.stderr.is_empty(), "{args:?}");
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            out.lines().count() >= 1 && out.contains("klab") || out.contains("Usage"),
            "{out}"
        );
    }
    let o = Command::new(env!("CARGO_BIN_EXE_klab"))
        .args(["run", "--help"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("Usage: klab run") && out.lines().count() > 10,
        "{out}"
    );
}
