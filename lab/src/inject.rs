//! `klab run micro --inject SERVER@N`: planned server crashes, the only way to crash one (no
//! program may). Each becomes a leading `inject=SERVER@N` word of the kernel command line
//! (`/chosen/bootargs`), which `micro` takes off before the rest goes to the first program: the
//! kernel crashes server `SERVER` at its first timer tick once `N` instructions have retired
//! (`kernels/micro/src/inject.rs`). Only the embedded `micro` has servers; any other kernel is
//! refused with one line.

/// The servers a crash can be injected into.
pub const SERVERS: [&str; 4] = ["proc", "fs", "mem", "console"];

/// One `--inject` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Injection {
    /// The server's name.
    pub server: String,
    /// Retired instructions before the crash.
    pub at: u64,
}

/// Parses `SERVER@N` (`N` decimal, `_` allowed).
pub fn parse(s: &str) -> Result<Injection, String> {
    let shown: String = s.chars().take(40).collect();
    let (server, at) = s
        .split_once('@')
        .ok_or_else(|| format!("`{shown}` is not SERVER@N (e.g. fs@5000000)"))?;
    if !SERVERS.contains(&server) {
        return Err(format!(
            "no server `{server}` to crash: one of {}",
            SERVERS.join(", ")
        ));
    }
    let at = at
        .replace('_', "")
        .parse()
        .map_err(|_| format!("`{shown}`: N must be an instruction count"))?;
    Ok(Injection {
        server: server.into(),
        at,
    })
}

/// The kernel command line with `injections` for kernel `kernel` put in front of `bootargs`.
pub fn bootargs(
    kernel: &str,
    injections: &[Injection],
    bootargs: Option<String>,
) -> anyhow::Result<Option<String>> {
    if injections.is_empty() {
        return Ok(bootargs);
    }
    if kernel != "micro" {
        anyhow::bail!("--inject needs the micro kernel: {kernel} has no servers to crash");
    }
    let mut words: Vec<String> = injections
        .iter()
        .map(|i| format!("inject={}@{}", i.server, i.at))
        .collect();
    words.extend(bootargs);
    Ok(Some(words.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_does_an_inject_value_parse_to() {
        assert_eq!(
            parse("fs@5_000_000"),
            Ok(Injection {
                server: "fs".into(),
                at: 5_000_000
            })
        );
        assert!(parse("fs").unwrap_err().contains("SERVER@N"));
        assert!(
            parse("disk@5")
                .unwrap_err()
                .contains("proc, fs, mem, console")
        );
        assert!(parse("mem@soon").unwrap_err().contains("instruction count"));
    }

    #[test]
    fn injections_lead_the_command_line_and_only_micro_takes_them() {
        let i = [parse("proc@10").unwrap(), parse("fs@20").unwrap()];
        let line = bootargs("micro", &i, Some("echo inject=x".into())).unwrap();
        assert_eq!(
            line.as_deref(),
            Some("inject=proc@10 inject=fs@20 echo inject=x")
        );
        assert_eq!(
            bootargs("micro", &i[..1], None).unwrap().as_deref(),
            Some("inject=proc@10")
        );
        assert_eq!(bootargs("mono", &[], None).unwrap(), None);
        let e = bootargs("mono", &i, None).unwrap_err().to_string();
        assert!(e.contains("--inject needs the micro kernel"), "{e}");
    }
}
