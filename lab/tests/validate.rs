//! Is the validation page current, and do its figures follow from the profile's parameters?
//!
//! - `docs/model.md` is exactly what `klab validate` writes for the default profile (the pipeline
//!   profile `u74`) with this build's guest (regenerate it with `make validate`).
//! - Under the simple cycle model (a base cost per instruction class plus miss penalties) every
//!   probe costs exactly what the profile's parameters say, for two profiles with different
//!   parameters: its operations' base cost, the loop's `addi` and taken `bnez`, and the penalties
//!   of the misses and write-backs the guest counted — up to the few instructions around the
//!   loop and the first trip's instruction fetches. A model without a branch predictor shows no
//!   mispredict penalty.
//! - Under a pipeline model (a profile with a `[pipeline]` table), a dependent L1 load costs the
//!   profile's load-use latency, within half a cycle (`u74`, the embedded pipeline profile, whose
//!   page `docs/model.md` is).

use emu::profile::Profile;
use lab::validate::{Measurement, Probe, default_guest, measure, render};

fn run(name: &str) -> (Profile, Measurement) {
    let p = Profile::embedded(name).expect("embedded profile");
    let m = measure(&p, &default_guest()).expect("the validate guest runs (make guests)");
    (p, m)
}

fn probe<'a>(m: &'a Measurement, name: &str) -> &'a Probe {
    m.probe(name).unwrap_or_else(|| panic!("no probe {name}"))
}

/// `pipeline.KEY` of the profile, if it has a pipeline model.
fn pipeline(p: &Profile, key: &str) -> Option<f64> {
    let t: toml::Table = p.to_toml().parse().expect("a profile's TOML parses");
    t.get("pipeline")?
        .as_table()?
        .get(key)?
        .as_integer()
        .map(|v| v as f64)
}

/// Cycles outside the measured operations' model: the calls, the counter reads and the `li`s
/// around each loop, the first trip's L1I misses (a few lines to memory), and the misses counted
/// between a counter read and the `cycle` read.
const SLACK: u64 = 600;

#[test]
fn the_committed_page_is_what_this_build_gives() {
    let (p, m) = run("default");
    assert_eq!(p.name, "u74", "the page is the default profile's");
    let page = render(&p, &m);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/model.md");
    let committed = std::fs::read_to_string(&path).expect("docs/model.md");
    assert!(
        committed == page,
        "docs/model.md is stale: run `make validate` and commit it"
    );
}

fn simple_model_probes_cost_what_the_parameters_say(name: &str) {
    let (p, m) = run(name);
    if pipeline(&p, "load_use").is_some() {
        return; // the pipeline model: see the next test
    }
    let (c, pen) = (&p.cost, &p.penalty);
    let loop_share = u64::from(c.alu + c.branch_taken);
    let cases: [(&str, u32); 10] = [
        ("load_l1", c.load),
        ("load_l2", c.load),
        ("load_mem", c.load),
        ("mul", c.mul),
        ("div", c.div),
        ("divw", c.div),
        ("alu_chain", c.alu),
        ("alu_pairs", c.alu),
        ("taken", c.branch_taken),
        ("not_taken", c.branch_not_taken),
    ];
    for (probe_name, base) in cases {
        let pr = probe(&m, probe_name);
        // The L2 counts fetch misses too: the data's L2 misses are at most its L1D misses.
        let to_memory = pr.l2_misses.min(pr.l1d_misses);
        let expected = pr.ops * u64::from(base)
            + pr.iterations * loop_share
            + u64::from(pen.l2_hit) * (pr.l1d_misses - to_memory)
            + u64::from(pen.memory) * to_memory
            + u64::from(pen.writeback) * (pr.l1d_writebacks + pr.l2_writebacks);
        assert!(
            pr.cycles.abs_diff(expected) <= SLACK,
            "{name}/{probe_name}: {} cycles, the parameters give {expected} (±{SLACK}): {pr:?}",
            pr.cycles
        );
    }
    // The levels are where the profile says: an L1 chase misses nowhere, an L2 one misses the
    // L1 on every load and the L2 on none, a memory one misses both.
    let (l1, l2, mem) = (
        probe(&m, "load_l1"),
        probe(&m, "load_l2"),
        probe(&m, "load_mem"),
    );
    assert!(l1.l1d_misses <= 2, "{name}: {l1:?}");
    assert!(
        l2.l1d_misses >= l2.ops && l2.l2_misses <= 2,
        "{name}: {l2:?}"
    );
    assert!(mem.l2_misses >= mem.ops, "{name}: {mem:?}");
    // No predictor: the random pattern costs what the sorted one does (same instructions, same
    // taken branches), up to a line or two fetched from memory.
    let (r, s) = (probe(&m, "branch_random"), probe(&m, "branch_sorted"));
    assert_eq!(
        (r.instructions, r.taken),
        (s.instructions, s.taken),
        "{name}: the two patterns run the same branches"
    );
    assert!(
        r.taken > r.ops / 3 && r.taken < 2 * r.ops / 3,
        "{name}: the random pattern takes about half its branches: {r:?}"
    );
    assert!(
        r.cycles.abs_diff(s.cycles) <= 2 * u64::from(pen.memory),
        "{name}: no predictor, no mispredict penalty: {r:?} {s:?}"
    );
}

#[test]
fn under_the_simple_model_the_simple_profile_costs_what_its_parameters_say() {
    simple_model_probes_cost_what_the_parameters_say("simple");
}

#[test]
fn under_the_simple_model_the_tiny_profile_costs_what_its_parameters_say() {
    simple_model_probes_cost_what_the_parameters_say("tiny");
}

#[test]
fn under_a_pipeline_model_a_dependent_l1_load_costs_the_load_use_latency() {
    let (p, m) = run("u74");
    let load_use = pipeline(&p, "load_use").expect("u74 has `pipeline.load_use`");
    let l1 = probe(&m, "load_l1").per_op();
    assert!(
        (l1 - load_use).abs() <= 0.5,
        "a dependent L1 load costs {l1:.2} cycles, the profile's load-use latency is {load_use}"
    );
}
