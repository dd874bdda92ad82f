//! Does `klab run --trace` write a faithful commit log in Spike's format, within the window asked
//! for, without changing what the run counts? Each line is checked against the kernel and
//! program ELFs (the instruction bits at the pc), against the instruction's semantics where the
//! log alone decides them (`auipc`, `lui`, stores), and the statistics against a run without it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use klab_tests::{kernel, repo_root};

fn program(name: &str) -> PathBuf {
    repo_root()
        .join("userland/target/riscv64imac-unknown-none-elf/release")
        .join(name)
}

fn klab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_klab"))
        .arg("run")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("klab")
}

/// One commit-log line.
#[derive(Debug)]
struct Line {
    privilege: u8,
    pc: u64,
    bits: u32,
    len: u64,
    rd: Option<(u8, u64)>,
    mem: Vec<(u64, Option<u64>)>,
    /// A CSR written: number, name, new value.
    csr: Option<(u16, String, u64)>,
    /// The mnemonic (`addi`, `sd`, `amoadd.w.aqrl`).
    op: String,
    /// The whole disassembly.
    asm: String,
}

fn hex(s: &str) -> u64 {
    u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap_or_else(|_| panic!("hex: {s}"))
}

fn parse(line: &str) -> Line {
    let (fields, op) = line.split_once(" ; ").expect("--trace-disasm");
    let rest = fields.strip_prefix("core   0: ").expect("Spike's prefix");
    let w: Vec<&str> = rest.split_whitespace().collect();
    let bits_text = w[2].trim_start_matches('(').trim_end_matches(')');
    let mut l = Line {
        privilege: w[0].parse().unwrap(),
        pc: hex(w[1]),
        bits: hex(bits_text) as u32,
        len: if bits_text.len() == 6 { 2 } else { 4 },
        rd: None,
        mem: Vec::new(),
        csr: None,
        op: op.split_whitespace().next().unwrap_or_default().to_string(),
        asm: op.to_string(),
    };
    let mut i = 3;
    while i < w.len() {
        if w[i] == "mem" {
            let addr = hex(w[i + 1]);
            let value = w.get(i + 2).filter(|v| v.starts_with("0x")).map(|v| hex(v));
            i += 2 + usize::from(value.is_some());
            l.mem.push((addr, value));
        } else if let Some((n, name)) = w[i]
            .strip_prefix('c')
            .and_then(|c| c.split_once('_'))
            .filter(|(n, _)| n.chars().all(|c| c.is_ascii_digit()))
        {
            l.csr = Some((n.parse().unwrap(), name.to_string(), hex(w[i + 1])));
            i += 2;
        } else {
            let n: u8 = w[i].trim_start_matches('x').parse().expect("xN");
            l.rd = Some((n, hex(w[i + 1])));
            i += 2;
        }
    }
    l
}

fn image(elf: &Path) -> emu::ElfImage {
    emu::ElfImage::parse(&std::fs::read(elf).expect("elf")).expect("elf")
}

/// The `len` bytes at virtual `addr` of an ELF's loaded segments (its link addresses).
fn elf_bytes(image: &emu::ElfImage, addr: u64, len: u64) -> u32 {
    let seg = image
        .segments
        .iter()
        .find(|s| (s.paddr..s.paddr + s.data.len() as u64).contains(&addr))
        .unwrap_or_else(|| panic!("{addr:#x} is not in the ELF"));
    let off = (addr - seg.paddr) as usize;
    let mut b = [0u8; 4];
    b[..len as usize].copy_from_slice(&seg.data[off..off + len as usize]);
    u32::from_le_bytes(b)
}

fn sext(v: u64, bits: u32) -> u64 {
    (((v << (64 - bits)) as i64) >> (64 - bits)) as u64
}

/// Checks what one line says against the ELF and the instruction's meaning.
fn check(l: &Line, elf: &emu::ElfImage) {
    assert_eq!(l.bits, elf_bytes(elf, l.pc, l.len), "bits at {:#x}", l.pc);
    let imm20 = sext(u64::from(l.bits & 0xffff_f000), 32);
    match l.op.as_str() {
        "auipc" if l.len == 4 => {
            assert_eq!(l.rd.unwrap().1, l.pc.wrapping_add(imm20), "{l:?}");
        }
        "lui" if l.len == 4 => assert_eq!(l.rd.unwrap().1, imm20, "{l:?}"),
        "sd" | "sw" | "sh" | "sb" => {
            assert_eq!(l.mem.len(), 1, "{l:?}");
            assert!(l.mem[0].1.is_some(), "a store logs its value: {l:?}");
            assert!(l.rd.is_none(), "{l:?}");
        }
        "ld" | "lw" | "lwu" | "lh" | "lhu" | "lb" | "lbu" => {
            assert_eq!(l.mem.len(), 1, "{l:?}");
            assert!(l.mem[0].1.is_none(), "a load logs its address: {l:?}");
        }
        "beq" | "bne" | "blt" | "bge" | "bltu" | "bgeu" => assert!(l.rd.is_none(), "{l:?}"),
        _ => {}
    }
}

/// A trap or interrupt line.
fn is_trap(line: &str) -> bool {
    line.starts_with("core   0: exception ") || line.starts_with("core   0: interrupt ")
}

/// The instruction lines of a log.
fn lines(file: &Path) -> Vec<Line> {
    std::fs::read_to_string(file)
        .expect("trace")
        .lines()
        .filter(|l| !is_trap(l))
        .map(parse)
        .collect()
}

#[test]
fn the_first_instructions_of_a_kernel_are_logged_as_spike_would() {
    let dir = std::env::temp_dir().join(format!("klab-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for k in ["mono", "micro"] {
        let file = dir.join(format!("{k}.log"));
        let out = klab(&[
            "--trace",
            file.to_str().unwrap(),
            "--trace-disasm",
            "--trace-to",
            "2000",
            k,
            "hello",
        ]);
        assert_eq!(out.status.code(), Some(0), "{k}");
        let log = lines(&file);
        assert_eq!(
            log.len(),
            2000,
            "{k}: no trap in the first 2000 instructions of boot"
        );
        assert_eq!(log[0].pc, 0x8000_0000, "{k}: the entry");
        let elf = image(&kernel(k));
        for l in &log {
            assert_eq!(l.privilege, 3, "{k}: boot runs in M-mode");
            check(l, &elf);
        }
        for pair in log.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let control = a.op.starts_with('b') || a.op.starts_with('j') || a.op == "mret";
            if !control {
                assert_eq!(b.pc, a.pc + a.len, "{k}: straight-line code after {a:?}");
            }
        }
        assert!(log.iter().any(|l| l.op == "auipc") && log.iter().any(|l| l.op == "sd"));
        // Boot writes mtvec (csrw mtvec, …): logged as Spike logs a CSR write.
        assert!(
            log.iter().any(|l| l.asm.starts_with("csrrw")
                && l.csr
                    .as_ref()
                    .is_some_and(|c| c.0 == 0x305 && c.1 == "mtvec")),
            "{k}: no mtvec write in boot"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_window_from_a_programs_entry_logs_its_user_mode_instructions_and_counts_nothing_new() {
    let dir = std::env::temp_dir().join(format!("klab-trace-window-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let hello = image(&program("hello"));
    let entry = hello.entry;
    for k in ["mono", "micro"] {
        let plain = dir.join(format!("{k}-plain.json"));
        let traced = dir.join(format!("{k}-traced.json"));
        let file = dir.join(format!("{k}.log"));
        assert_eq!(
            klab(&["--stats-json", plain.to_str().unwrap(), k, "hello"])
                .status
                .code(),
            Some(0)
        );
        let out = klab(&[
            "--stats-json",
            traced.to_str().unwrap(),
            "--trace",
            file.to_str().unwrap(),
            "--trace-disasm",
            "--trace-from",
            &format!("{entry:#x}"),
            "--trace-to",
            "100000000",
            k,
            "hello",
        ]);
        assert_eq!(out.status.code(), Some(0), "{k}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("hello from pid"));
        let log = lines(&file);
        assert_eq!(log[0].pc, entry, "{k}: the window starts at the entry");
        assert_eq!(log[0].privilege, 0, "{k}");
        // Until its first system call, the user-mode lines are the program's own (on micro,
        // the servers run in U-mode too, at the same addresses).
        let own: Vec<&Line> = log.iter().take_while(|l| l.privilege == 0).collect();
        assert!(
            own.len() > 20,
            "{k}: {} instructions before the first trap",
            own.len()
        );
        for l in own {
            check(l, &hello);
        }
        assert!(
            log.iter().any(|l| l.privilege == 1),
            "{k}: the system calls are traced into the kernel"
        );
        assert_eq!(
            std::fs::read_to_string(&plain).unwrap(),
            std::fs::read_to_string(&traced).unwrap(),
            "{k}: tracing changes no counter"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn traps_and_interrupts_have_their_own_lines_with_cause_epc_tval_and_privileges() {
    // `deleg` takes 20 exceptions (ecall, ebreak, illegal instruction; from U, S and M, to S
    // and M) and 4 interrupts (software and timer, machine and supervisor).
    let dir = std::env::temp_dir().join(format!("klab-trace-traps-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("deleg.log");
    let stats = dir.join("deleg.json");
    let deleg = klab_tests::guest("deleg");
    let out = klab(&[
        "--trace",
        file.to_str().unwrap(),
        "--trace-disasm",
        "--stats-json",
        stats.to_str().unwrap(),
        deleg.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&file).unwrap();
    let traps: Vec<&str> = text.lines().filter(|l| is_trap(l)).collect();
    let exceptions = traps.iter().filter(|l| l.contains(": exception ")).count();
    let interrupts = traps.iter().filter(|l| l.contains(": interrupt ")).count();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    let total = |key: &str| {
        json.pointer(&format!("/total/{key}"))
            .and_then(|v| v.as_u64())
    };
    // As many lines as the machine counted (when the statistics name them).
    if let (Some(e), Some(i)) = (total("exceptions"), total("interrupts")) {
        assert_eq!((exceptions as u64, interrupts as u64), (e, i), "{traps:#?}");
    }
    assert_eq!((exceptions, interrupts), (20, 4), "{traps:#?}");
    let has = |needle: &str| traps.iter().any(|l| l.contains(needle));
    assert!(
        has("exception environment call from U-mode, epc 0x"),
        "{traps:#?}"
    );
    assert!(
        traps
            .iter()
            .any(|l| l.contains("environment call from U-mode") && l.ends_with("U -> S"))
    );
    assert!(
        traps
            .iter()
            .any(|l| l.contains("environment call from S-mode") && l.ends_with("S -> M"))
    );
    // The illegal `csrr a0, mstatus` in S-mode: tval holds its bits.
    assert!(
        traps.iter().any(|l| l.contains("illegal instruction")
            && l.contains("tval 0x0000000030002573")
            && l.ends_with("S -> S")),
        "{traps:#?}"
    );
    assert!(has("interrupt machine timer interrupt"), "{traps:#?}");
    assert!(has("interrupt supervisor software interrupt"), "{traps:#?}");
    // Each exception line follows the instruction that raised it: the epc is the pc of the
    // line before, which is not logged as retired (it has no line of its own).
    let all: Vec<&str> = text.lines().collect();
    for (i, l) in all
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains(": exception "))
    {
        let epc = l.split("epc ").nth(1).unwrap().split(',').next().unwrap();
        let next = all.get(i + 1).copied().unwrap_or_default();
        assert!(
            !next.contains(&format!(" {epc} ")) || next.contains(": interrupt "),
            "{l} then {next}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
