//! `klab-fuzz-afl TARGET`: runs one `klab-fuzz` target under AFL++ (persistent mode), e.g.
//! `cargo afl fuzz -i fuzz/corpus/elf -o target/fuzz/elf -- fuzz/afl/target/release/klab-fuzz-afl elf`.
//! Run by `make fuzz`; the targets themselves are in `fuzz/src/lib.rs`.

fn main() {
    let name = std::env::args().nth(1).unwrap_or_default();
    let Some(target) = klab_fuzz::target(&name) else {
        let names: Vec<&str> = klab_fuzz::TARGETS.iter().map(|(n, _)| *n).collect();
        eprintln!("klab-fuzz-afl: give a target: {}", names.join(", "));
        std::process::exit(2);
    };
    afl::fuzz!(|data: &[u8]| target(data));
}
