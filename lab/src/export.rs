//! Output for scripts: `-` as stdout for every output-file option ([`Sink`]), and
//! `--format json|csv` ([`Format`]), which prints a command's results to stdout while the
//! human text (tables, progress, the files written) stays off it.
//!
//! CSV is one header line and then one line per record, RFC 4180 quoting (the `csv` crate); the
//! JSON is the same document the command writes to its directory (`report.json`,
//! `compare.json`). Nothing here knows what a benchmark is: the callers give the rows.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

/// A machine-readable format for stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The JSON document the command also writes to its directory.
    Json,
    /// One line per record, with a header line.
    Csv,
}

/// Where an output-file option writes: a file, or stdout for `-`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sink {
    /// Standard output (the option's value was `-`).
    Stdout,
    /// A file, created or truncated.
    File(PathBuf),
}

impl Sink {
    /// The sink an option's value names: `-` is stdout, anything else a file.
    pub fn of(path: &Path) -> Sink {
        if path.as_os_str() == "-" {
            Sink::Stdout
        } else {
            Sink::File(path.to_path_buf())
        }
    }

    /// A buffered writer to the sink (the caller flushes it).
    pub fn open(&self) -> anyhow::Result<Box<dyn Write>> {
        Ok(match self {
            Sink::Stdout => Box::new(BufWriter::new(io::stdout())),
            Sink::File(p) => Box::new(BufWriter::new(
                File::create(p).with_context(|| format!("cannot write {}", p.display()))?,
            )),
        })
    }

    /// Writes `text` whole to the sink.
    pub fn write(&self, text: &str) -> anyhow::Result<()> {
        let mut w = self.open()?;
        w.write_all(text.as_bytes())
            .and_then(|()| w.flush())
            .with_context(|| format!("cannot write {}", self.shown()))
    }

    /// The sink as messages name it.
    pub fn shown(&self) -> String {
        match self {
            Sink::Stdout => "stdout".to_string(),
            Sink::File(p) => p.display().to_string(),
        }
    }
}

/// `header` and `rows` as CSV text.
pub fn csv(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing into a Vec cannot fail, and every row is written as given (no serde).
    let _ = w.write_record(header);
    for row in rows {
        let _ = w.write_record(&row);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Prints `text` on stdout and flushes, so a script reading a pipe gets it whole.
pub fn print(text: &str) -> anyhow::Result<()> {
    Sink::Stdout.write(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dash_is_stdout_and_anything_else_a_file() {
        assert_eq!(Sink::of(Path::new("-")), Sink::Stdout);
        assert_eq!(Sink::of(Path::new("./-")), Sink::File(PathBuf::from("./-")));
        assert_eq!(Sink::of(Path::new("a.json")).shown(), "a.json");
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let text = csv(
            &["a", "b"],
            [
                vec!["x".to_string(), "1, 2".to_string()],
                vec!["say \"hi\"".to_string(), String::new()],
            ],
        );
        assert_eq!(text, "a,b\nx,\"1, 2\"\n\"say \"\"hi\"\"\",\n");
    }
}
