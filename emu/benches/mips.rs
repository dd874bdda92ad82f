//! Guest instructions per second on the four workload kinds of the speed work (issue 19):
//! - `compute` (CPU-bound integer code, `tests/guests/speed`);
//! - `sharedpage` (a loop whose data shares a 4 KiB page with its code, `tests/guests/speed`);
//! - `ecall` (a U-mode loop of system calls into an S-mode handler, `tests/guests/speed`);
//! - `micro-usertests` (the micro kernel running `usertests`, cut at a fixed instruction count:
//!   kernel code, servers, many processes and address spaces),
//!
//! in functional mode (`--timing off`), with the `simple` profile's timing model (group
//! `timing`) and with the default profile `u74`'s pipeline model (group `pipeline`). Criterion
//! reports the throughput in elements per second; an element is one retired guest instruction.
//! The guests and kernels must be built first (`make guests`).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use emu::profile::Profile;
use emu::{Config, ElfImage, Exit, Machine};

/// Instructions of the `micro-usertests` workload.
const USERTESTS_INSNS: u64 = 20_000_000;

fn read(rel: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; build the guests first with `make guests`",
            path.display()
        )
    })
}

fn image(rel: &str) -> ElfImage {
    ElfImage::parse(&read(rel)).expect("a valid guest")
}

/// One workload: the image, its initrd, bootargs and the instruction limit (None: to its exit,
/// which must be status 0).
struct Workload {
    image: ElfImage,
    initrd: Option<Vec<u8>>,
    bootargs: &'static str,
    limit: Option<u64>,
}

/// Runs `w` under embedded profile `profile` (timing on or off); returns the instructions
/// retired.
fn run(w: &Workload, profile: &str, timing: bool) -> u64 {
    let mut profile = Profile::embedded(profile).expect("an embedded profile");
    profile.set_timing(timing).expect("timing switch");
    let config = Config {
        ram_size: if w.initrd.is_some() {
            128 << 20
        } else {
            16 << 20
        },
        initrd: w.initrd.clone(),
        bootargs: Some(w.bootargs.into()),
        profile,
        ..Config::default()
    };
    let mut m = Machine::new(config, &w.image).expect("machine");
    match w.limit {
        Some(limit) => {
            m.run(Some(limit));
        }
        None => assert_eq!(m.run(Some(1 << 32)), Exit::Status(0)),
    }
    m.retired
}

fn guests(c: &mut Criterion) {
    const GUESTS: &str = "tests/guests/target/riscv64imac-unknown-none-elf/release";
    let guest = |name: &str, bootargs: &'static str| Workload {
        image: image(&format!("{GUESTS}/{name}")),
        initrd: None,
        bootargs,
        limit: None,
    };
    let workloads = [
        ("compute", guest("compute", "300")),
        ("sharedpage", guest("sharedpage", "300")),
        ("ecall", guest("ecall", "300")),
        (
            "micro-usertests",
            Workload {
                image: image("kernels/target/riscv64imac-unknown-none-elf/release/micro"),
                initrd: Some(read("userland/target/initrd.tar")),
                bootargs: "usertests",
                limit: Some(USERTESTS_INSNS),
            },
        ),
    ];
    let modes = [
        ("functional", "default", false),
        ("timing", "simple", true),
        ("pipeline", "default", true),
    ];
    for (mode, profile, timing) in modes {
        let mut group = c.benchmark_group(mode);
        for (name, w) in &workloads {
            group.throughput(Throughput::Elements(run(w, profile, timing)));
            group.bench_function(*name, |b| b.iter(|| run(w, profile, timing)));
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = guests
}
criterion_main!(benches);
