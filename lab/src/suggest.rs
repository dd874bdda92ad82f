//! Did-you-mean: the known name closest to a mistyped one (benchmarks, kernels, profile keys),
//! by Jaro–Winkler similarity as clap suggests subcommands, so `getpd` finds `getpid`.

/// How similar two names must be to suggest one for the other (clap's threshold).
const THRESHOLD: f64 = 0.7;

/// The candidate most similar to `typed`, if any is similar enough.
pub fn closest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(typed, c), c))
        .filter(|&(score, _)| score > THRESHOLD)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `" (did you mean `NAME`?)"` for the closest candidate, or nothing.
pub fn did_you_mean<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(typed, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_nearest_name_and_nothing_for_nonsense() {
        let names = ["getpid", "getpid-lib", "pipe-rt", "ring-2"];
        assert_eq!(closest("getpd", names), Some("getpid"));
        assert_eq!(closest("pipe_rt", names), Some("pipe-rt"));
        assert_eq!(closest("zzzzzz", names), None);
        assert_eq!(
            did_you_mean("mnoo", ["mono", "micro"]),
            " (did you mean `mono`?)"
        );
        assert_eq!(did_you_mean("qqq", ["mono", "micro"]), "");
    }
}
