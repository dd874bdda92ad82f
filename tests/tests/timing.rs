//! Does the cycle model measure what it claims, and only that?
//!
//! - The models change no architectural result: with timing on and off, bare-metal programs that
//!   take no interrupts and do not look at time print the same and retire the same instructions.
//!   The kernels do the same work (they print the same) but not the same instructions: their
//!   timer interrupts follow the cycle count, so they land elsewhere.
//! - Runs are reproducible: two runs give bit-identical statistics.
//! - The modeled TLB is architectural: a guest that forgets `sfence.vma` sees the stale mapping,
//!   and `--check-tlb` names the instruction, without changing the run.
//! - The hierarchy is where the profile says: a stride guest sees the cost per access step up
//!   exactly past the L1D, the L2 and the TLB reach, for two different profiles.
//! - Markers reach the statistics: regions count exactly the instructions between them.
//! - The pipeline model (profile `u74`) changes no architectural result either, is
//!   reproducible, and charges a dependent L1-hitting load its load-use latency.

use emu::profile::Profile;
use emu::report::RunReport;
use klab_tests::{Outcome, RunOpts, guest, profile, run_klab};

fn run(name: &str, p: Profile, bootargs: Option<&str>) -> Outcome {
    let opts = RunOpts {
        profile: Some(p),
        bootargs: bootargs.map(str::to_string),
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
    out
}

#[test]
fn bare_metal_guests_print_the_same_and_retire_the_same_instructions_with_timing_on_and_off() {
    let programs: &[(&str, Option<&str>)] = &[
        ("hello", None),
        ("compute", Some("20")),
        ("ecall", Some("5")),
        ("markers", None),
        ("rv64i_alu", None),
        ("rv64a_amo", None),
        ("rvc", None),
        ("sv39_map", None),
        ("sv39_perm", None),
        ("misaligned", None),
        ("pmp", None),
        ("deleg", None),
    ];
    // Both cycle models: the default (the pipeline model) and the simple one.
    for (&(name, args), model) in programs
        .iter()
        .flat_map(|p| ["default", "simple"].map(|m| (p, m)))
    {
        let on = run(name, profile(model, true), args);
        let off = run(name, profile(model, false), args);
        assert_eq!(on.output, off.output, "{name}: output differs");
        assert_eq!(
            on.retired, off.retired,
            "{name}: retired instructions differ"
        );
        let traps: u64 = off
            .report
            .as_ref()
            .unwrap()
            .by_mode
            .values()
            .map(|c| c.get(emu::stats::Event::Exception) + c.get(emu::stats::Event::Interrupt))
            .sum();
        assert_eq!(
            off.cycles,
            off.retired + traps,
            "{name}: functional cycles = instructions + traps"
        );
        // The simple model charges at least a cycle per instruction; the pipeline model may
        // charge less (dual issue), but never what the functional mode counts.
        if model == "simple" {
            assert!(on.cycles > on.retired, "{name}: the model costs something");
        } else {
            assert_ne!(on.cycles, off.cycles, "{name}: the model costs something");
        }
    }
}

#[test]
fn the_kernels_do_the_same_work_with_timing_on_and_off() {
    use klab_tests::{initrd, kernel, run_klab};
    for k in ["mono", "micro"] {
        let outcome = |timing: bool| {
            let opts = RunOpts {
                profile: Some(profile("default", timing)),
                initrd: Some(initrd()),
                // A test that sleeps: timer interrupts in both modes.
                bootargs: Some("usertests clock_sleep getpid".into()),
                ..RunOpts::default()
            };
            let out = run_klab(&kernel(k), &opts);
            assert_eq!(out.status, Some(0), "{k}: {}", out.output);
            out
        };
        let (on, off) = (outcome(true), outcome(false));
        assert_eq!(on.output, off.output, "{k}: the same work");
        assert!(
            on.output.contains("usertests: 2 passed, 0 failed"),
            "{k}: {}",
            on.output
        );
    }
}

#[test]
fn two_runs_give_bit_identical_statistics() {
    let json = |name: &str, args: Option<&str>| {
        let out = run(name, profile("default", true), args);
        out.report.unwrap().to_json()
    };
    for (name, args) in [
        ("stride", Some("max=64K max_pages=64 accesses=1024")),
        ("markers", None),
        ("ecall", Some("3")),
    ] {
        assert_eq!(json(name, args), json(name, args), "{name}");
    }
}

/// The `stale_read pc=0x… va=0x…` line of `stale_tlb`.
fn stale_read(output: &str) -> (u64, u64) {
    let line = output
        .lines()
        .find(|l| l.starts_with("stale_read"))
        .expect("stale_read line");
    let field = |key: &str| {
        let v = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix(key))
            .expect(key);
        u64::from_str_radix(v.trim_start_matches("0x"), 16).expect("hex")
    };
    (field("pc="), field("va="))
}

#[test]
fn a_missing_fence_leaves_the_stale_mapping_and_check_tlb_names_the_instruction() {
    let plain = run("stale_tlb", profile("default", true), None);
    assert!(
        plain
            .output
            .contains("first=aaaa before_fence=aaaa after_fence=bbbb"),
        "{}",
        plain.output
    );
    assert!(
        plain.report.as_ref().unwrap().tlb_check.is_empty(),
        "nothing checked without --check-tlb"
    );

    let opts = RunOpts {
        profile: Some(profile("default", true)),
        check_tlb: true,
        ..RunOpts::default()
    };
    let checked = run_klab(&guest("stale_tlb"), &opts);
    assert_eq!(checked.output, plain.output);
    assert_eq!(
        (checked.retired, checked.cycles),
        (plain.retired, plain.cycles),
        "--check-tlb changes nothing"
    );
    let (pc, va) = stale_read(&checked.output);
    let found = &checked.report.as_ref().unwrap().tlb_check;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].pc, found[0].vaddr), (pc, va));
    assert_ne!(Some(found[0].stale_paddr), found[0].fresh_paddr);
}

/// One measurement line of `stride`: its size (bytes or pages) and named per-access figures.
struct Point {
    size: u64,
    cycles: f64,
    fields: Vec<(String, f64)>,
}

impl Point {
    fn get(&self, key: &str) -> f64 {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("no {key}"))
    }
}

fn points(output: &str, kind: &str, size_key: &str) -> Vec<Point> {
    output
        .lines()
        .filter(|l| l.starts_with(kind))
        .map(|l| {
            let kv: Vec<(String, String)> = l
                .split_whitespace()
                .filter_map(|w| {
                    w.split_once('=')
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                })
                .collect();
            let num = |k: &str| {
                kv.iter()
                    .find(|(key, _)| key == k)
                    .map(|(_, v)| v.clone())
                    .expect(k)
            };
            Point {
                size: num(size_key).parse().expect("size"),
                cycles: num("cycles/access").parse().expect("cycles"),
                fields: kv
                    .iter()
                    .filter_map(|(k, v)| v.parse().ok().map(|v| (k.clone(), v)))
                    .collect(),
            }
        })
        .collect()
}

/// The first size at which `metric` per access exceeds one half.
fn first_step(points: &[Point], metric: &str) -> Option<u64> {
    points.iter().find(|p| p.get(metric) > 0.5).map(|p| p.size)
}

/// Runs `stride` on `profile_name` and checks the steps against that profile's geometry.
fn stride_steps_where_the_profile_says(profile_name: &str) {
    let p = profile(profile_name, true);
    let l1 = p.l1d.as_ref().expect("an L1D").size;
    let l2 = p.l2.as_ref().expect("an L2").size;
    let dtlb = u64::from(p.dtlb.entries);
    let walk_from = 2 * p.l2tlb.as_ref().map_or(dtlb, |t| u64::from(t.entries));
    let args = format!("max={} max_pages={} accesses=4096", 4 * l2, 2 * walk_from);
    let out = run("stride", p.clone(), Some(&args));

    let cache = points(&out.output, "cache", "size");
    assert_eq!(
        first_step(&cache, "l1d_miss/access"),
        Some(2 * l1),
        "{profile_name}: L1D step\n{}",
        out.output
    );
    assert_eq!(
        first_step(&cache, "l2_miss/access"),
        Some(2 * l2),
        "{profile_name}: L2 step\n{}",
        out.output
    );
    let at = |pts: &[Point], size: u64| {
        pts.iter()
            .find(|q| q.size == size)
            .map(|q| q.cycles)
            .expect("point")
    };
    assert!(
        at(&cache, 2 * l1) > 2.0 * at(&cache, l1),
        "{profile_name}: an L1 miss costs"
    );
    assert!(
        at(&cache, 2 * l2) > 2.0 * at(&cache, l2),
        "{profile_name}: an L2 miss costs more"
    );

    let tlb = points(&out.output, "tlb", "pages");
    assert_eq!(
        first_step(&tlb, "dtlb_miss/access"),
        Some(2 * dtlb),
        "{profile_name}: TLB reach\n{}",
        out.output
    );
    assert_eq!(
        first_step(&tlb, "walk/access"),
        Some(walk_from),
        "{profile_name}: walks\n{}",
        out.output
    );
    assert!(
        at(&tlb, walk_from) > at(&tlb, walk_from / 2),
        "{profile_name}: a walk costs"
    );
}

#[test]
fn stride_steps_at_the_default_profiles_l1_l2_and_tlb_reach() {
    stride_steps_where_the_profile_says("default");
}

#[test]
fn stride_steps_at_the_tiny_profiles_l1_l2_and_tlb_reach() {
    stride_steps_where_the_profile_says("tiny");
}

#[test]
fn markers_name_the_space_and_regions_count_exactly_what_runs_between_them() {
    // The simple model, whose cycles are at least its instructions (asserted below); the region
    // counts are the same under the pipeline model.
    let out = run("markers", profile("simple", true), None);
    let r: RunReport = out.report.unwrap();
    let region = |id: u64| {
        r.regions
            .iter()
            .find(|b| b.region == id)
            .unwrap_or_else(|| panic!("region {id}"))
    };
    // A region counts from its begin marker up to (not including) its end marker: the begin
    // marker and the loop (3 instructions × iterations).
    for (id, iterations) in [(7, 1000u64), (8, 500)] {
        let c = &region(id).counts;
        assert_eq!(c.instructions, 1 + 3 * iterations, "region {id}");
        assert_eq!(
            c.get(emu::stats::Event::TakenBranch),
            iterations - 1,
            "region {id}"
        );
        assert_eq!(
            (
                c.get(emu::stats::Event::Load),
                c.get(emu::stats::Event::Store)
            ),
            (0, 0)
        );
        assert!(c.cycles >= c.instructions);
    }
    assert_eq!(region(7).space_name.as_deref(), Some("markers-main"));
    assert!(r.snapshots.iter().any(|s| s.tag == 42), "snapshot 42");
}

// Under the pipeline model, does a chase of dependent loads that hit L1 cost the profile's
// load-use latency per load (within half a cycle), and do cycles fall below instructions on
// code that can dual-issue?
#[test]
fn the_pipeline_charges_a_dependent_l1_load_its_load_use_latency() {
    let p = profile("u74", true);
    let load_use = f64::from(p.pipeline.as_ref().expect("a pipeline profile").load_use);
    let out = run(
        "stride",
        p,
        Some("min=1K max=4K min_pages=1 max_pages=1 accesses=8192"),
    );
    let cache = points(&out.output, "cache", "size");
    assert_eq!(cache.len(), 3, "{}", out.output);
    for point in &cache {
        assert!(
            (point.cycles - load_use).abs() <= 0.5,
            "{} bytes: {} cycles per dependent load, load-use is {load_use}\n{}",
            point.size,
            point.cycles,
            out.output
        );
    }
    // The simple model charges the same chase about one cycle per instruction.
    let simple = run(
        "stride",
        profile("simple", true),
        Some("min=1K max=1K min_pages=1 max_pages=1 accesses=8192"),
    );
    let simple = points(&simple.output, "cache", "size");
    assert!(simple[0].cycles < 2.0, "{}", simple[0].cycles);
    // Integer code dual-issues: compute retires more than one instruction per cycle.
    let compute = run("compute", profile("u74", true), Some("20"));
    assert!(
        compute.cycles < compute.retired,
        "compute: {} cycles for {} instructions",
        compute.cycles,
        compute.retired
    );
}

// Does the pipeline model leave every architectural result alone, and is it reproducible?
#[test]
fn the_pipeline_model_prints_and_retires_the_same_and_reruns_identically() {
    let programs: &[(&str, Option<&str>)] = &[
        ("compute", Some("20")),
        ("ecall", Some("5")),
        ("markers", None),
        ("rv64a_amo", None),
        ("sv39_map", None),
        ("deleg", None),
    ];
    for &(name, args) in programs {
        let on = run(name, profile("u74", true), args);
        let off = run(name, profile("u74", false), args);
        assert_eq!(on.output, off.output, "{name}: output differs");
        assert_eq!(on.retired, off.retired, "{name}: retired differ");
        let again = run(name, profile("u74", true), args);
        assert_eq!(
            on.report.unwrap().to_json(),
            again.report.unwrap().to_json(),
            "{name}: reruns differ"
        );
    }
}
