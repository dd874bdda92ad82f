//! Where a benchmark's cycles went by function: the call-stack samples of its measured region
//! (`emu::symbols`), as the top symbols every result carries and the folded stacks of the cost
//! ladder's flame graphs.

use emu::Machine;

use super::job::REGION;
use super::model::SymbolShare;

/// Cycles between samples in a benchmark run: a prime, so no loop of the benchmarks samples
/// one place in lock step; about 1,300 samples for `getpid` on micro.
pub const SAMPLE_PERIOD: u64 = 4999;

/// How many symbols a result keeps.
pub const TOP_SYMBOLS: usize = 12;

/// The top [`TOP_SYMBOLS`] symbols of the measured region, most cycles first.
pub fn symbols(m: &Machine) -> Vec<SymbolShare> {
    emu::report::symbol_cycles(m, Some(REGION))
        .into_iter()
        .take(TOP_SYMBOLS)
        .map(|s| SymbolShare {
            symbol: s.symbol,
            space: s.space,
            samples: s.samples,
            cycles: s.cycles,
            instructions: s.instructions,
        })
        .collect()
}

/// The measured region's folded stacks, one line each (without the newline).
pub fn folded(m: &Machine) -> Vec<String> {
    emu::report::folded(m, Some(REGION))
        .lines()
        .map(str::to_string)
        .collect()
}

/// The folded stacks of `results` for `--folded`: each result's lines with `KERNEL;BENCH;` (and
/// for a sweep point `k=v,…;`) in front, one per line, so one flame graph holds every run and
/// a tool can filter one by its prefix.
pub fn folded_lines(results: &[crate::bench::model::BenchResult]) -> String {
    let mut out = String::new();
    for r in results {
        let mut prefix = format!("{};{};", r.kernel, r.bench);
        if !r.point.is_empty() {
            let point: Vec<String> = r.point.iter().map(|(k, v)| format!("{k}={v}")).collect();
            prefix.push_str(&point.join(","));
            prefix.push(';');
        }
        for line in &r.stacks {
            out.push_str(&prefix);
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}
