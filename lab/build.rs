//! Embeds the guest images `make guests` built — the kernels, micro's servers (for their
//! symbols) and the initrd — into `klab`, so
//! `klab run mono` needs no paths. A missing image is embedded as `None` and `klab` says to run
//! `make guests`; Cargo rebuilds `klab` whenever an image changes. It also records the git commit
//! (`KLAB_COMMIT`) for benchmark reports.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = "riscv64imac-unknown-none-elf";
    let images = [
        (
            "MONO",
            root.join(format!("kernels/target/{target}/release/mono")),
        ),
        (
            "MICRO",
            root.join(format!("kernels/target/{target}/release/micro")),
        ),
        ("INITRD", root.join("userland/target/initrd.tar")),
        // micro's servers, for their symbols (micro embeds the same bytes).
        (
            "SERVER_PROC",
            root.join(format!("kernels/target/{target}/release/proc")),
        ),
        (
            "SERVER_FS",
            root.join(format!("kernels/target/{target}/release/fs")),
        ),
        (
            "SERVER_MEM",
            root.join(format!("kernels/target/{target}/release/mem")),
        ),
        (
            "SERVER_CONSOLE",
            root.join(format!("kernels/target/{target}/release/console")),
        ),
    ];
    let mut code = String::new();
    for (name, path) in &images {
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_file() {
            let path = path
                .canonicalize()
                .expect("an existing file has a canonical path");
            writeln!(
                code,
                "pub const {name}: Option<&[u8]> = Some(include_bytes!({:?}));",
                path.display().to_string()
            )
            .unwrap();
        } else {
            writeln!(code, "pub const {name}: Option<&[u8]> = None;").unwrap();
        }
    }
    // The source tree's commit, recorded in benchmark reports.
    let commit = std::process::Command::new("git")
        .args(["describe", "--always", "--dirty", "--abbrev=12"])
        .current_dir(&root)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=KLAB_COMMIT={commit}");
    // In a linked worktree `.git` is a file: ask git where HEAD and the index are (a path that
    // does not exist would rerun this script, and rebuild klab, on every build).
    for git in ["HEAD", "index"] {
        let path = std::process::Command::new("git")
            .args(["rev-parse", "--path-format=absolute", "--git-path", git])
            .current_dir(&root)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
            .unwrap_or_else(|| root.join(".git").join(git));
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out).join("images.rs"), code).expect("OUT_DIR is writable");
}
