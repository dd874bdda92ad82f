//! Links every server at `abi::layout::PROGRAM_BASE`, exactly as the user programs are linked
//! (`userland/bin/build.rs`): the kernel loads a server the way it loads a program.
fn main() {
    println!("cargo:rustc-link-arg-bins=--image-base=0x40010000");
    println!("cargo:rerun-if-changed=build.rs");
}
