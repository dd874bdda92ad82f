//! Guest instructions per second on the two speed guests of `tests/guests/speed`: `compute`
//! (CPU-bound integer code) and `ecall` (a U-mode loop of system calls into an S-mode handler),
//! in functional mode (`--timing off`), with the `simple` profile's timing model (group
//! `timing`, the default until the pipeline model), and with the default profile `u74`'s
//! pipeline model (group `pipeline`). Criterion
//! reports the throughput in elements per second; an element is one retired guest instruction.
//! The guests must be built first (`make guests`).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use emu::profile::Profile;
use emu::{Config, ElfImage, Exit, Machine};

fn image(name: &str) -> ElfImage {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/guests/target/riscv64imac-unknown-none-elf/release")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; build the guests first with `make guests`",
            path.display()
        )
    });
    ElfImage::parse(&bytes).expect("a valid guest")
}

/// Runs `image` with bootargs `n` to its exit under embedded profile `profile` (timing on or
/// off); returns the instructions retired.
fn run(image: &ElfImage, n: &str, profile: &str, timing: bool) -> u64 {
    let mut profile = Profile::embedded(profile).expect("an embedded profile");
    profile.set_timing(timing).expect("timing switch");
    let config = Config {
        ram_size: 16 << 20,
        bootargs: Some(n.into()),
        profile,
        ..Config::default()
    };
    let mut m = Machine::new(config, image).expect("machine");
    assert_eq!(m.run(Some(1 << 32)), Exit::Status(0));
    m.retired
}

fn guests(c: &mut Criterion) {
    let modes = [
        ("functional", "default", false),
        ("timing", "simple", true),
        ("pipeline", "default", true),
    ];
    for (mode, profile, timing) in modes {
        let mut group = c.benchmark_group(mode);
        for (name, n) in [("compute", "300"), ("ecall", "300")] {
            let image = image(name);
            group.throughput(Throughput::Elements(run(&image, n, profile, timing)));
            group.bench_function(name, |b| b.iter(|| run(&image, n, profile, timing)));
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = guests
}
criterion_main!(benches);
