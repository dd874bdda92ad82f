//! The validation page (`docs/model.md`) from a measurement: a table "what / published figure
//! (source) / klab / the profile's parameters / within?" and what remains uncalibrated and why.
//!
//! The profile's parameters are looked up by key in its TOML (`cost.load`, `pipeline.load_use`, …),
//! and only those the profile has are shown, so one page serves every cycle model.

use std::fmt::Write as _;

use emu::profile::Profile;

use super::Measurement;

/// A published figure: the value (cycles) and where it comes from.
struct Published {
    value: f64,
    source: &'static str,
}

/// One row of the table.
struct Row {
    what: &'static str,
    /// Cycles per operation klab gives.
    klab: f64,
    published: Option<Published>,
    /// Profile keys that produce the figure.
    keys: &'static [&'static str],
}

/// How close a figure must be to its published value to count as "within": half a cycle, or a
/// tenth of the value for long latencies.
fn within(klab: f64, published: f64) -> bool {
    (klab - published).abs() <= (published * 0.1).max(0.5)
}

/// The rows, from the measurement.
fn rows(m: &Measurement) -> Vec<Row> {
    let per = |name: &str| m.probe(name).map_or(f64::NAN, super::Probe::per_op);
    let mispredict = match (m.probe("branch_random"), m.probe("branch_sorted")) {
        // A random pattern defeats any predictor on about half its branches.
        (Some(r), Some(s)) => (r.cycles as f64 - s.cycles as f64) / (r.ops as f64 / 2.0),
        _ => f64::NAN,
    };
    vec![
        Row {
            what: "dependent load, L1 hit (load-use latency)",
            klab: per("load_l1"),
            published: Some(Published {
                value: 3.0,
                source: "LLVM: `LoadLatency = 3`, `WriteLDD` latency 3",
            }),
            keys: &["cost.load", "pipeline.load_use"],
        },
        Row {
            what: "dependent load, L2 hit",
            klab: per("load_l2"),
            published: Some(Published {
                value: 20.0,
                source: "gem5: L2 `data_latency = 20` (a simulator's setting, not a measurement)",
            }),
            keys: &["cost.load", "penalty.l2_hit", "pipeline.load_use"],
        },
        Row {
            what: "dependent load, memory",
            klab: per("load_mem"),
            published: None,
            keys: &["cost.load", "penalty.memory", "pipeline.load_use"],
        },
        Row {
            what: "multiply chain (`mul`), per multiply",
            klab: per("mul"),
            published: Some(Published {
                value: 3.0,
                source: "LLVM: `WriteIMul` latency 3; gem5: `U74IntMulFU` `opLat = 3`",
            }),
            keys: &["cost.mul", "pipeline.mul"],
        },
        Row {
            what: "64-bit divide chain (`divu`), per divide",
            klab: per("div"),
            published: Some(Published {
                value: 66.0,
                source: "LLVM: `WriteIDiv` latency 66 (worst case; the divider is variable)",
            }),
            keys: &["cost.div", "pipeline.div_64"],
        },
        Row {
            what: "32-bit divide chain (`divuw`), per divide",
            klab: per("divw"),
            published: Some(Published {
                value: 34.0,
                source: "LLVM: `WriteIDiv32` latency 34 (worst case)",
            }),
            keys: &["cost.div", "pipeline.div_32"],
        },
        Row {
            what: "dependent ALU chain (`addi`), cycles per instruction",
            klab: per("alu_chain"),
            published: Some(Published {
                value: 1.0,
                source: "LLVM: `WriteIALU` latency 3 less the ALU-to-ALU bypass (`ReadAdvance` 2)",
            }),
            keys: &["cost.alu"],
        },
        Row {
            what: "independent ALU pairs, cycles per instruction (dual issue)",
            klab: per("alu_pairs"),
            published: Some(Published {
                value: 0.5,
                source: "LLVM: `IssueWidth = 2`, integer ALUs in both pipes A and B",
            }),
            keys: &["cost.alu", "core.model"],
        },
        Row {
            what: "taken conditional branch",
            klab: per("taken"),
            published: None,
            keys: &["cost.branch_taken"],
        },
        Row {
            what: "not-taken conditional branch",
            klab: per("not_taken"),
            published: None,
            keys: &["cost.branch_not_taken"],
        },
        Row {
            what: "branch mispredict penalty (random − sorted pattern, per mispredict)",
            klab: mispredict,
            published: Some(Published {
                value: 3.0,
                source: "LLVM: `MispredictPenalty = 3`",
            }),
            keys: &["pipeline.mispredict"],
        },
    ]
}

/// The value of `key` (`table.field`) in the profile's TOML, as written there.
fn param(table: &toml::Table, key: &str) -> Option<String> {
    let (t, f) = key.split_once('.')?;
    let v = table.get(t)?.as_table()?.get(f)?;
    Some(match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// `x` with two decimals.
fn fixed(x: f64) -> String {
    if x.is_nan() {
        "—".into()
    } else {
        format!("{x:.2}")
    }
}

/// The page.
pub fn render(p: &Profile, m: &Measurement) -> String {
    let table: toml::Table = p.to_toml().parse().unwrap_or_default();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# The cycle model against published figures\n\n\
         Generated by `make validate` (`klab validate --profile {name}`): do not edit; a test \
         checks that this page is what the current build gives. Profile `{name}` ({hash}); the \
         guest `tests/guests/mem/src/bin/validate.rs`, bare metal in M-mode, reads \
         `cycle` and `instret` around loops of 32 unrolled operations (65536 measured), so every \
         figure is exact for this profile and image. Each figure is cycles per operation and \
         includes the loop's share (an `addi` and a taken `bnez` per 32 operations). The pointer \
         chases run over {l1} (L1), {l2} (L2) and {mem} (memory) bytes, one slot per line in a \
         random cyclic order, after one warm-up trip.\n",
        name = p.name,
        hash = p.hash(),
        l1 = m.levels[0],
        l2 = m.levels[1],
        mem = m.levels[2],
    );
    let _ = writeln!(
        s,
        "| what | published (source) | klab | profile parameters | within? |\n|---|---|---|---|---|"
    );
    for r in rows(m) {
        let params: Vec<String> = r
            .keys
            .iter()
            .filter_map(|k| param(&table, k).map(|v| format!("`{k}` = {v}")))
            .collect();
        let params = if params.is_empty() {
            "— (not modeled)".to_string()
        } else {
            params.join(", ")
        };
        let (published, ok) = match &r.published {
            Some(pb) => (
                format!("{} ({})", fixed(pb.value), pb.source),
                if within(r.klab, pb.value) {
                    "yes"
                } else {
                    "**no**"
                },
            ),
            None => ("— (none found)".to_string(), "—"),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            r.what,
            published,
            fixed(r.klab),
            params,
            ok
        );
    }
    let _ = writeln!(
        s,
        "\n\"within\": no further than half a cycle, or a tenth of the published value, whichever \
         is more.\n"
    );
    s.push_str(NOTES);
    s
}

/// What the table does not say: sources in full and what remains uncalibrated.
const NOTES: &str = "## Sources

- LLVM `llvm/lib/Target/RISCV/RISCVSchedSiFive7.td`, the SiFive 7-series (U74) scheduling model:
  `IssueWidth = 2`, `LoadLatency = 3`, `MispredictPenalty = 3`; integer loads latency 3, `mul`
  latency 3 (pipe B), `div`/`rem` latency 66 (64-bit) and 34 (32-bit), occupying the divider for 65
  and 33 cycles; integer ALU latency 3 with a 2-cycle bypass to ALU consumers.
- gem5 `src/python/gem5/prebuilt/riscvmatched/` (a model of the HiFive Unmatched, tuned to it):
  `U74IntMulFU opLat = 3`, `U74IntDivFU opLat = 6` (\"latency is variable\"), L2 `data_latency = 20`,
  L1D `response_latency = 10`, a tournament predictor with 32 BTB entries and a 12-entry RAS.
- Linux `arch/riscv/boot/dts/sifive/fu740-c000.dtsi` and `hifive-unmatched-a00.dts`: the cache and
  TLB geometry the default profile uses, and the board's 1 MHz timebase.

## What remains uncalibrated, and why

- **L2 hit latency.** No primary source: gem5's 20 cycles is a simulator setting chosen to match
  the board's overall behaviour, and a third-party book appendix gives 12 cycles without saying how
  it was measured. A pointer chase on a HiFive Unmatched would settle it.
- **Memory latency.** The same appendix says about 100 ns (about 120 cycles at 1.2 GHz); DRAM
  latency also depends on page state and refresh, which the model folds into one constant.
- **Divide.** The U74's divider takes a data-dependent number of cycles: LLVM gives the worst
  cases (66 and 34), gem5 a single 6. The probe divides all ones by one, which a divider with an
  early exit may finish sooner than the worst case.
- **Taken and not-taken branches, jumps.** No published per-branch cost for the U74 found.
  SiFive's E31 and E51 core complex manuals say of their predictors that \"correctly predicted
  control-flow instructions result in no penalty\"; the pipeline model follows them, so a
  correctly predicted taken branch or jump costs only the end of its issue group (the target
  issues in the next cycle), and adds no fetch bubble: none is sourced for the U74.
- **Mispredict penalty.** Only LLVM's figure (3); the probe estimates it as the extra cycles of a
  random pattern over a sorted one with the same branches, divided by half the branches (a random
  bit defeats any predictor about half the time). A model without a predictor shows 0.
- **Traps, xRET, `satp` writes, `sfence.vma`, `fence.i`, page-walk steps.** Estimates with no
  published figure; a bare guest can measure what klab charges for them, but there is no hardware
  figure to hold them against.
- **Pairing across blocks.** A decoded block ends at a jump (fetch is redirected, so on hardware
  the target cannot issue with it either), at a serial instruction (which issues alone anyway), at
  a page end or after 64 instructions; a taken branch leaves its block (a redirect again). Only at
  the last two boundaries could a real pair span two blocks, and the model does not pair there:
  it errs slow by at most one cycle at each of them. On `compute 1000` that is 1,076 boundaries
  (1,068 cuts after 64 instructions, 8 page ends; counted from its commit log) in 6.6 million
  cycles, so pairing there could raise its IPC by at most 0.0003. A divide still busy when its
  block ends does not hold the divider in the next; `compute` has no divide. Trap entry, an
  exception's or an interrupt's, drops the register delays a block hands to the next.
- **Whole programs.** The 7-series' published 4.9 CoreMark/MHz (IPC about 1.7 on that workload)
  is not checked by this page: the project has no CoreMark port. It was judged on the integer
  workload `compute` (sieve, CRC-32, insertion sort, matrix product; `klab run --stats
  tests/guests/target/riscv64imac-unknown-none-elf/release/compute 1000`), where the pipeline
  model gives an IPC of 1.56 (the simple model 0.86). Its mispredicts (140,670 in 10.3 million
  instructions, 3 cycles each) cost 6% of its cycles, and one in six of its instructions is a load
  or store, which only pipe A takes. No parameter was moved to close the gap to 1.7: every figure
  above matches its source, the workload is not CoreMark, and the remaining difference is within
  what the predictor's organisation (bimodal here, an estimate; gem5 models a tournament
  predictor) and the instruction mix can explain. Pairing across block boundaries closes none of
  it (at most 0.0003 of IPC, above): the gap is not at the boundaries the model leaves out.
";
