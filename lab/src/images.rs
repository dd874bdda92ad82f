//! The guest images embedded at build time (see `lab/build.rs`): the kernels, micro's servers
//! and the initrd that `make guests` builds. The same initrd bytes are given to every kernel.

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/images.rs"));
}

/// The names of the embedded kernels.
pub const KERNELS: [&str; 2] = ["mono", "micro"];

/// The embedded kernel called `name`, if `name` is one and it was built.
pub fn kernel(name: &str) -> Option<Option<&'static [u8]>> {
    match name {
        "mono" => Some(embedded::MONO),
        "micro" => Some(embedded::MICRO),
        _ => None,
    }
}

/// The embedded initrd (a ustar archive of `/bin`), if it was built.
pub fn initrd() -> Option<&'static [u8]> {
    embedded::INITRD
}

/// micro's servers by the name each gives its address space, as built with the embedded
/// kernels (for their symbols: `crate::symbols`).
pub fn servers() -> [(&'static str, Option<&'static [u8]>); 4] {
    [
        ("proc", embedded::SERVER_PROC),
        ("fs", embedded::SERVER_FS),
        ("mem", embedded::SERVER_MEM),
        ("console", embedded::SERVER_CONSOLE),
    ]
}

/// Every embedded image by name, in the order `klab images` lists them.
pub fn all() -> [(&'static str, Option<&'static [u8]>); 3] {
    [
        ("mono", embedded::MONO),
        ("micro", embedded::MICRO),
        ("initrd", embedded::INITRD),
    ]
}

/// `klab images`: one line per embedded image — name, hash, size — so a run can be tied to
/// the exact kernel and initrd bytes (both kernels get the same initrd).
pub fn list() -> i32 {
    for (name, bytes) in all() {
        match bytes {
            Some(b) => println!(
                "{name:<7}{} {:>9} bytes",
                emu::profile::short_hash(b),
                b.len()
            ),
            None => println!("{name:<7}(not built: run `make guests`)"),
        }
    }
    0
}
