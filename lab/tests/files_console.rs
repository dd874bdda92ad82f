//! Files and the console under load (issue 13, findings 4 and 5), through the real `klab` binary
//! on both kernels:
//! - does appending to a file cost what is appended? The in-OS test `append_cost` appends 1 MiB
//!   and 2 MiB inside marker regions; `--stats-json` counts them exactly (all modes together);
//! - does filling the file system of a machine whose kernel heap is smaller than the file
//!   system's limit fail cleanly (`ENOMEM`) and leave the machine working (`usertests fill_fs`
//!   on 32 MiB)?
//! - does piped input always end, however long its last line, and is a line longer than the
//!   console's 4095 bytes cut the way `services::tty` documents (its first 4095 bytes, one BEL
//!   echoed, its newline kept)?

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// The kernels under test.
const KERNELS: [&str; 2] = ["mono", "micro"];
/// Instruction limit for every run here: a hang fails instead of hanging.
const MAX_INSNS: &str = "2000000000";
/// The console's longest line, without its newline (`services::tty::Tty::LINE_MAX`).
const LINE_MAX: usize = 4095;
/// What the console echoes when a line overflows.
const BEL: u8 = 0x07;
/// The marker regions of `usertests append_cost` (`userland/bin/src/usertests/append.rs`).
const REGION_1M: u64 = 0x131;
const REGION_2M: u64 = 0x132;

/// `klab run [FLAGS…] KERNEL ARGS…` with `stdin` piped in (klab ends it with ^D as a pipe's
/// end of input).
fn klab(flags: &[&str], kernel: &str, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_klab"))
        .args(["run", "--max-insns", MAX_INSNS])
        .args(flags)
        .arg(kernel)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run klab");
    let mut pipe = child.stdin.take().expect("stdin");
    let input = stdin.to_vec();
    // Written from a thread: klab reads input only as the guest asks for it.
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("klab output");
    writer.join().expect("stdin writer");
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Pipes `input` into `wc` on `kernel`: its console output, after checking that the run ended
/// with wc's status 0.
fn wc(kernel: &str, input: &[u8]) -> Vec<u8> {
    let out = klab(&[], kernel, &["wc"], input);
    assert_eq!(
        out.status.code(),
        Some(0),
        "wc did not end cleanly on {kernel}: {}",
        text(&out.stderr)
    );
    out.stdout
}

#[test]
fn a_megabyte_line_without_a_newline_ends_cleanly_with_its_first_4095_bytes_and_one_bel() {
    let line = vec![b'x'; 1 << 20];
    for kernel in KERNELS {
        let out = wc(kernel, &line);
        // The echo (the bytes kept, one BEL for the rest), then wc's counts.
        let mut want = vec![b'x'; LINE_MAX];
        want.push(BEL);
        want.extend_from_slice(format!("0 1 {LINE_MAX}\n").as_bytes());
        assert_output(kernel, &out, &want);
    }
}

/// `out` is exactly `want` (a long output is shown by its length and its last bytes).
fn assert_output(kernel: &str, out: &[u8], want: &[u8]) {
    assert!(
        out == want,
        "{kernel}: got {} bytes ending {:?}",
        out.len(),
        text(&out[out.len().saturating_sub(40)..])
    );
}

#[test]
fn a_5000_byte_line_is_cut_to_4095_bytes_rings_once_and_keeps_its_newline() {
    let mut input: Vec<u8> = (0..5000).map(|i| b'a' + (i % 26) as u8).collect();
    input.push(b'\n');
    for kernel in KERNELS {
        let out = wc(kernel, &input);
        let mut want = input[..LINE_MAX].to_vec();
        want.push(BEL);
        want.push(b'\n');
        want.extend_from_slice(format!("1 1 {}\n", LINE_MAX + 1).as_bytes());
        assert_output(kernel, &out, &want);
    }
}

#[test]
fn a_last_line_without_a_newline_is_read_and_then_input_ends() {
    for kernel in KERNELS {
        assert_eq!(text(&wc(kernel, b"one two\nabc")), "one two\nabc1 3 11\n");
        assert_eq!(
            text(&wc(kernel, b"")),
            "0 0 0\n",
            "{kernel}: no input at all"
        );
    }
}

/// Instructions in region `id` over every mode and address space of a `--stats-json` report.
fn region_instructions(stats: &serde_json::Value, id: u64) -> u64 {
    stats["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .filter(|r| r["region"] == id)
        .map(|r| r["counts"]["instructions"].as_u64().expect("a count"))
        .sum()
}

#[test]
fn appending_2_mib_costs_at_most_2_2_times_appending_1_mib_by_the_markers() {
    for kernel in KERNELS {
        let path =
            std::env::temp_dir().join(format!("klab-append-{kernel}-{}.json", std::process::id()));
        let out = klab(
            &["--stats-json", path.to_str().unwrap()],
            kernel,
            &["usertests", "append_cost"],
            b"",
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{kernel}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        let stats: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("stats")).expect("JSON");
        std::fs::remove_file(&path).ok();
        let one = region_instructions(&stats, REGION_1M);
        let two = region_instructions(&stats, REGION_2M);
        eprintln!(
            "{kernel}: 1 MiB {one} instructions ({} per KiB), 2 MiB {two} ({} per KiB)",
            one / 1024,
            two / 2048
        );
        assert!(one > 0, "{kernel}: no region {REGION_1M:#x}");
        assert!(
            two * 10 <= one * 22,
            "{kernel}: 2 MiB took {two} instructions, 1 MiB {one}"
        );
    }
}

/// `usertests fill_fs` on a 32 MiB machine: the kernel heap (a quarter of RAM) runs out before
/// the file system's 16 MiB limit.
fn fill_small_machine(kernel: &str) {
    let out = klab(&["--mem", "32M"], kernel, &["usertests", "fill_fs"], b"");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{kernel}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("usertests: fill_fs: ok"),
        "{kernel}: {}",
        text(&out.stdout)
    );
}

#[test]
fn filling_a_small_machines_file_system_is_enomem_and_mono_lives_on() {
    fill_small_machine("mono");
}

/// On micro the file server's heap grows only through `heap_grow`, which fails cleanly when RAM
/// runs out, so `fs` answers `ENOMEM` instead of faulting (and being restarted).
#[test]
fn filling_a_small_machines_file_system_is_enomem_and_micro_lives_on() {
    fill_small_machine("micro");
}
