//! Links every program at `abi::layout::PROGRAM_BASE` (LLD's default layout from there: one
//! segment per permission, each starting on a fresh page).
fn main() {
    println!("cargo:rustc-link-arg-bins=--image-base=0x40010000");
    println!("cargo:rerun-if-changed=build.rs");
}
