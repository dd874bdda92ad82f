//! Links the memory programs with the guest runtime's memory layout (`../rt/link.x`).

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:rustc-link-arg-bins=-T{dir}/../rt/link.x");
    println!("cargo:rerun-if-changed=../rt/link.x");
}
