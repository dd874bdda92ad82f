//! Links micro with kcore's linker script (the layout both kernels share) and embeds its servers:
//! the ELFs of the `servers` crate's binaries, which must be built first (`make guests` builds
//! `-p servers` before the kernels).
use std::path::Path;

const SERVERS: [&str; 4] = ["proc", "fs", "mem", "console"];

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = dir.join("../kcore/kernel.ld");
    println!("cargo:rustc-link-arg-bins=-T{}", script.display());
    println!("cargo:rerun-if-changed={}", script.display());
    let profile = std::env::var("PROFILE").unwrap_or_else(|_| "release".into());
    let bins = dir
        .join("../target/riscv64imac-unknown-none-elf")
        .join(profile);
    for name in SERVERS {
        let path = bins.join(name);
        if !path.exists() {
            panic!(
                "micro embeds its servers, but {} is missing: build them first \
                 (cd kernels && cargo build --release -p servers, which `make guests` does)",
                path.display()
            );
        }
        let var = format!("MICRO_SERVER_{}", name.to_uppercase());
        println!("cargo:rustc-env={var}={}", path.display());
        println!("cargo:rerun-if-changed={}", path.display());
    }
}
