//! Links every test binary of this crate with `link.x` (RAM at 0x8000_0000, `_start` first).

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:rustc-link-arg-bins=-T{dir}/link.x");
    println!("cargo:rerun-if-changed=link.x");
    println!("cargo:rerun-if-changed=src/prelude.S");
}
