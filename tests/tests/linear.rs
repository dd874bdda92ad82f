//! Does every penalty enter the cycle count exactly linearly, bucket by bucket?
//!
//! `emu::profile::linear` claims `cycles(p') = cycles(p) + Σ (p'_i − p_i) × count_i` for every
//! mode × address space × region bucket. Here guests that exercise every penalty (cache misses
//! to L2 and memory, write-backs, device accesses, TLB walks and L2 TLB hits, traps, xRET, `satp`
//! writes, `sfence.vma`, `fence.i`, mispredicts) run under the default profile and the pipeline
//! profile `u74`, each also with every penalty changed; the recompute from the first run's counts must give the second run's cycles
//! in every bucket, and the events themselves must not change.

use emu::profile::Profile;
use emu::profile::linear::{LINEAR, recompute};
use klab_tests::{RunOpts, guest, profile, run_klab};

/// Guests without interrupts or idle time (whose points would move with the cycle count), and
/// whether to compare only their measured regions: `stride` prints the cycles it measured, so
/// its printing work differs between the runs, while its measured loops do not.
const GUESTS: [(&str, Option<&str>, bool); 6] = [
    ("hello", None, false),
    ("ecall", Some("3"), false),
    ("sv39_map", None, false),
    ("rv64i_fence", None, false),
    ("stride", Some("max=4M max_pages=1024 accesses=4096"), true),
    ("stale_tlb", None, false),
];

fn buckets(p: &Profile, name: &str, args: Option<&str>, regions: bool) -> Vec<emu::report::Bucket> {
    let opts = RunOpts {
        profile: Some(p.clone()),
        bootargs: args.map(str::to_string),
        ..RunOpts::default()
    };
    let out = run_klab(&guest(name), &opts);
    assert_eq!(
        out.status,
        Some(0),
        "{name}: {:?}\n{}",
        out.exit,
        out.output
    );
    let report = out.report.expect("klab report");
    if regions {
        report.regions
    } else {
        report.buckets
    }
}

/// Every penalty of `name` changed to another value (trap to 0, which charges its floor of one
/// cycle); the pipeline's mispredict penalty too, on a pipeline profile.
fn changed(name: &str) -> Profile {
    let mut p = profile(name, true);
    for (i, t) in LINEAR.iter().enumerate() {
        let field = match t.key.split_once('.') {
            Some(("penalty", f)) => f,
            Some(("pipeline", f)) if p.pipeline.is_some() => f,
            _ => continue,
        };
        let value = if field == "trap" {
            0
        } else {
            7 + 13 * i as u32
        };
        p.set(t.key, &value.to_string()).expect("settable penalty");
    }
    p
}

#[test]
fn the_linear_recompute_of_every_bucket_equals_a_rerun_with_every_penalty_changed() {
    let mut charged = vec![0u64; LINEAR.len()];
    // The simple model, and the pipeline model (whose mispredicts are charged too).
    for (profile_name, (name, args, regions)) in ["simple", "u74"]
        .into_iter()
        .flat_map(|p| GUESTS.into_iter().map(move |g| (p, g)))
    {
        let base = profile(profile_name, true);
        let other = changed(profile_name);
        let a = buckets(&base, name, args, regions);
        let b = buckets(&other, name, args, regions);
        assert_eq!(a.len(), b.len(), "{name}: the same buckets");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(
                (&x.mode, x.address_space, x.region),
                (&y.mode, y.address_space, y.region),
                "{name}: buckets in the same order"
            );
            assert_eq!(x.counts.events, y.counts.events, "{name}: the same events");
            assert_eq!(x.counts.instructions, y.counts.instructions, "{name}");
            assert_eq!(
                recompute(&x.counts, &base, &other),
                Some(y.counts.cycles),
                "{name}: bucket {} {} region {}",
                x.mode,
                x.address_space,
                x.region
            );
            assert_eq!(recompute(&y.counts, &other, &base), Some(x.counts.cycles));
            for (c, t) in charged.iter_mut().zip(LINEAR) {
                *c += t.count(&x.counts);
            }
        }
    }
    for (c, t) in charged.iter().zip(LINEAR) {
        assert!(
            *c > 0,
            "no guest charged {}: the test proves nothing for it",
            t.key
        );
    }
}
