//! Helpers shared by the host integration tests: finding guest binaries, running them on klab
//! (in process, through the `emu` library, or through the `klab` binary) and on QEMU.
//!
//! Guests are built by `make guests` into `tests/guests/target/…`; a missing guest is a test
//! failure that says so, never a silent skip. QEMU is installed by `make deps`; a missing QEMU is
//! likewise a failure naming the fix.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use emu::{Config, ElfImage, Exit, Input, Machine, Output};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The path of bare-metal test guest `name` (from `tests/guests`), which must have been built.
pub fn guest(name: &str) -> PathBuf {
    let p = repo_root()
        .join("tests/guests/target/riscv64imac-unknown-none-elf/release")
        .join(name);
    assert!(
        p.is_file(),
        "guest {name} is not built ({}): run `make guests`",
        p.display()
    );
    p
}

/// A kernel ELF (`mono`, `micro`) from the `kernels` guest workspace, which must have been built.
pub fn kernel(name: &str) -> PathBuf {
    let p = repo_root()
        .join("kernels/target/riscv64imac-unknown-none-elf/release")
        .join(name);
    assert!(
        p.is_file(),
        "kernel {name} is not built ({}): run `make guests`",
        p.display()
    );
    p
}

/// The initrd (`userland/target/initrd.tar`, the ustar archive of /bin), which must have been
/// built.
pub fn initrd() -> PathBuf {
    let p = repo_root().join("userland/target/initrd.tar");
    assert!(
        p.is_file(),
        "the initrd is not built ({}): run `make guests`",
        p.display()
    );
    p
}

/// The names of the user programs (`userland/bin/src/bin/*.rs`), sorted.
pub fn programs() -> Vec<String> {
    let dir = repo_root().join("userland/bin/src/bin");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".rs").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

/// An embedded profile, with `timing` set as asked.
pub fn profile(name: &str, timing: bool) -> emu::profile::Profile {
    let mut p = emu::profile::Profile::embedded(name).expect("embedded profile");
    p.set_timing(timing).expect("timing switch");
    p
}

/// How to run a guest.
#[derive(Clone, Debug, Default)]
pub struct RunOpts {
    /// Console input, delivered as a script.
    pub stdin: Vec<u8>,
    /// `/chosen/bootargs`.
    pub bootargs: Option<String>,
    /// An initrd file.
    pub initrd: Option<PathBuf>,
    /// Instruction limit (default 200 million).
    pub max_insns: Option<u64>,
    /// Machine profile (default: the embedded `default`, timing on).
    pub profile: Option<emu::profile::Profile>,
    /// `--check-tlb`.
    pub check_tlb: bool,
}

/// How a run ended and what it printed.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The guest's exit status, or `None` if it did not exit by itself.
    pub status: Option<u32>,
    /// klab's exit reason (klab runs only).
    pub exit: Option<Exit>,
    /// Console output.
    pub output: String,
    /// Instructions retired (klab runs only).
    pub retired: u64,
    /// Cycles (klab runs only).
    pub cycles: u64,
    /// The statistics (klab runs only).
    pub report: Option<emu::report::RunReport>,
}

/// Builds a klab machine for `elf` with `opts`, capturing the console.
pub fn klab_machine(
    elf: &Path,
    opts: &RunOpts,
) -> (Machine, std::sync::Arc<std::sync::Mutex<Vec<u8>>>) {
    let bytes = std::fs::read(elf).unwrap_or_else(|e| panic!("cannot read {}: {e}", elf.display()));
    let image = ElfImage::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", elf.display()));
    let (output, buf) = Output::capture();
    let config = Config {
        initrd: opts
            .initrd
            .as_ref()
            .map(|p| std::fs::read(p).expect("initrd")),
        bootargs: opts.bootargs.clone(),
        input: Input::bytes(opts.stdin.clone()),
        output,
        profile: opts.profile.clone().unwrap_or_default(),
        check_tlb: opts.check_tlb,
        ..Config::default()
    };
    let machine = Machine::new(config, &image).unwrap_or_else(|e| panic!("{}: {e}", elf.display()));
    (machine, buf)
}

/// Runs `elf` on klab in process.
pub fn run_klab(elf: &Path, opts: &RunOpts) -> Outcome {
    let (mut m, buf) = klab_machine(elf, opts);
    let exit = m.run(Some(opts.max_insns.unwrap_or(200_000_000)));
    let output = String::from_utf8_lossy(&buf.lock().unwrap()).into_owned();
    let status = match exit {
        Exit::Status(s) => Some(s),
        _ => None,
    };
    let report = emu::report::RunReport::of(&mut m);
    Outcome {
        status,
        exit: Some(exit),
        output,
        retired: m.retired,
        cycles: m.cycles(),
        report: Some(report),
    }
}

/// The QEMU binary, which `make deps` installs.
pub fn qemu() -> &'static str {
    let q = "qemu-system-riscv64";
    let found = Command::new(q)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    assert!(
        found.is_ok_and(|s| s.success()),
        "{q} is not installed: run `make deps`"
    );
    q
}

/// Runs `elf` on `qemu-system-riscv64 -machine virt -bios none` with a timeout.
pub fn run_qemu(elf: &Path, opts: &RunOpts) -> Outcome {
    let mut cmd = Command::new(qemu());
    cmd.args([
        "-machine",
        "virt",
        "-bios",
        "none",
        "-m",
        "128M",
        "-nographic",
        "-monitor",
        "none",
    ])
    .args(["-serial", "stdio", "-kernel"])
    .arg(elf);
    if let Some(a) = &opts.bootargs {
        cmd.args(["-append", a]);
    }
    if let Some(i) = &opts.initrd {
        cmd.arg("-initrd").arg(i);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn qemu");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = opts.stdin.clone();
    std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
        // Keep the pipe open a while: QEMU treats EOF on stdio as nothing special, but a guest
        // polling for input should see bytes before the test gives up.
        std::thread::sleep(Duration::from_secs(30));
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait qemu") {
            break s.code();
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let out = child.wait_with_output().expect("qemu output");
    Outcome {
        status: status.map(|s| s as u32),
        exit: None,
        output: String::from_utf8_lossy(&out.stdout).into_owned(),
        retired: 0,
        cycles: 0,
        report: None,
    }
}
