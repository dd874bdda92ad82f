//! The guest images embedded at build time (see `lab/build.rs`): the kernels and the initrd
//! that `make guests` builds. The same initrd bytes are given to every kernel.

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/images.rs"));
}

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
