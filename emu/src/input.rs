//! Reading files a user names, with a bound, and echoing user input in messages, shortened.
//!
//! Every file klab reads from a user's path (a kernel ELF, an initrd, a `--symbols` ELF, a
//! profile, a report) goes through [`read_file`]: the path's type and size are checked from its
//! metadata before a byte is read — a directory, a device (`/dev/zero`), a FIFO or a socket is
//! refused, and so is a file larger than what it can be used for — and the read itself is
//! bounded (`take`), so a file that grows while it is read is refused too, never read whole.
//!
//! Messages that quote what a user typed (a path, a key, a value) quote it through [`shorten`],
//! so an error stays one short line whatever was given.

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

/// How many characters of user input a message quotes at most; longer input is cut to this
/// many, the last being `…`.
pub const ECHO_CHARS: usize = 64;

/// The largest file [`read_file`] accepts for one use, and what a user can do about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bound {
    /// The largest size accepted, in bytes.
    pub bytes: u64,
    /// What sets the bound, e.g. "the guest RAM".
    pub why: &'static str,
    /// What to do about it, e.g. "try a larger --mem".
    pub advice: &'static str,
}

/// Why a user's file was not read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Nothing is at the path.
    #[error("cannot read {what} {path}: no such file (check the path)")]
    NotFound {
        /// What the file was to be, e.g. "the initrd".
        what: &'static str,
        /// The path, shortened.
        path: String,
    },
    /// The path is not a regular file (a directory, a device, a FIFO, a socket).
    #[error("{what} {path} is {kind}, not a regular file: give the path of a file")]
    NotRegular {
        /// What the file was to be.
        what: &'static str,
        /// The path, shortened.
        path: String,
        /// What it is instead, e.g. "a character device".
        kind: &'static str,
    },
    /// The file's metadata gives a size larger than its use allows.
    #[error("{what} {path} is {size} bytes, more than {why} ({limit} bytes): {advice}")]
    TooLarge {
        /// What the file was to be.
        what: &'static str,
        /// The path, shortened.
        path: String,
        /// Its size, from its metadata.
        size: u64,
        /// The bound.
        limit: u64,
        /// What sets the bound.
        why: &'static str,
        /// What to do.
        advice: &'static str,
    },
    /// The file said it was within the bound but held more when read (it grew, or it is a
    /// file like those of `/proc` whose size is not known in advance).
    #[error("{what} {path} held more than {limit} bytes when read ({why}): {advice}")]
    Grew {
        /// What the file was to be.
        what: &'static str,
        /// The path, shortened.
        path: String,
        /// The bound.
        limit: u64,
        /// What sets the bound.
        why: &'static str,
        /// What to do.
        advice: &'static str,
    },
    /// The file could not be opened or read.
    #[error("cannot read {what} {path}: {cause}")]
    Io {
        /// What the file was to be.
        what: &'static str,
        /// The path, shortened.
        path: String,
        /// Why (in the message, not a `source()`, so it is said once).
        cause: std::io::Error,
    },
    /// A text file (a profile, a report) that is not UTF-8.
    #[error("{what} {path} is not UTF-8 text: give a text file")]
    NotText {
        /// What the file was to be.
        what: &'static str,
        /// The path, shortened.
        path: String,
    },
}

impl InputError {
    /// Whether nothing was at the path (callers that also accept a name say so then).
    pub fn is_not_found(&self) -> bool {
        matches!(self, InputError::NotFound { .. })
    }
}

/// `s` if it has at most [`ECHO_CHARS`] characters, else its first `ECHO_CHARS - 1` and `…`;
/// control characters (a newline in a value) are shown as `?`, so a message stays one line.
/// Shortening twice changes nothing more.
pub fn shorten(s: &str) -> Cow<'_, str> {
    let fits = s.chars().nth(ECHO_CHARS).is_none();
    if fits && !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    let keep = if fits { ECHO_CHARS } else { ECHO_CHARS - 1 };
    let mut out: String = s
        .chars()
        .take(keep)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if !fits {
        out.push('…');
    }
    Cow::Owned(out)
}

/// `message` with everything in it that may be user input shortened: each quoted part (between
/// backticks, single or double quotes) is cut as [`shorten`] cuts, and so is each unquoted word
/// longer than twice [`ECHO_CHARS`] (a shortened path followed by `:` is left alone); control
/// characters become `?`. For messages formed by other code (toml's, clap's, serde's) that quote
/// what the user gave, and as the last guard before klab prints an error.
pub fn shorten_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(1024));
    let mut rest = message;
    let word = |w: &str| {
        if w.chars().nth(2 * ECHO_CHARS).is_some() {
            shorten(w).into_owned()
        } else {
            w.replace(char::is_control, "?")
        }
    };
    while let Some(start) = rest.find(['`', '\'', '"', ' ']) {
        let (before, from) = rest.split_at(start);
        out.push_str(&word(before));
        let delim = from.chars().next().unwrap_or(' ');
        out.push(delim);
        let after = &from[delim.len_utf8()..];
        if delim == ' ' {
            rest = after;
            continue;
        }
        match after.find(delim) {
            Some(end) => {
                out.push_str(&shorten(&after[..end]));
                out.push(delim);
                rest = &after[end + delim.len_utf8()..];
            }
            None => rest = after,
        }
    }
    out.push_str(&word(rest));
    out
}

/// `path` for a message, shortened.
fn shown(path: &Path) -> String {
    shorten(&path.to_string_lossy()).into_owned()
}

/// What a file type is, for a message.
fn kind_of(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

/// Reads the regular file at `path`, at most `bound.bytes` of it; `what` names it in errors
/// ("the initrd"). The type and size are checked before the file is opened (opening a FIFO
/// would wait for a writer) and again on the open file; the read stops one byte past the bound.
pub fn read_file(path: &Path, what: &'static str, bound: Bound) -> Result<Vec<u8>, InputError> {
    let io = |source: std::io::Error| {
        if source.kind() == std::io::ErrorKind::NotFound {
            InputError::NotFound {
                what,
                path: shown(path),
            }
        } else {
            InputError::Io {
                what,
                path: shown(path),
                cause: source,
            }
        }
    };
    // The size, once the type and size are known to be right.
    let check = |meta: std::fs::Metadata| {
        if !meta.file_type().is_file() {
            return Err(InputError::NotRegular {
                what,
                path: shown(path),
                kind: kind_of(meta.file_type()),
            });
        }
        too_large(path, what, bound, meta.len()).map(|()| meta.len())
    };
    check(std::fs::metadata(path).map_err(io)?)?;
    let file = std::fs::File::open(path).map_err(io)?;
    // The path may have been replaced between the two calls: check what was opened.
    let size = check(file.metadata().map_err(io)?)?;
    let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(bound.bytes.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(io)?;
    if data.len() as u64 > bound.bytes {
        return Err(InputError::Grew {
            what,
            path: shown(path),
            limit: bound.bytes,
            why: bound.why,
            advice: bound.advice,
        });
    }
    Ok(data)
}

/// [`read_file`], for a text file.
pub fn read_text(path: &Path, what: &'static str, bound: Bound) -> Result<String, InputError> {
    String::from_utf8(read_file(path, what, bound)?).map_err(|_| InputError::NotText {
        what,
        path: shown(path),
    })
}

/// The error for a file of `size` bytes, if that is over `bound`.
fn too_large(path: &Path, what: &'static str, bound: Bound, size: u64) -> Result<(), InputError> {
    if size <= bound.bytes {
        return Ok(());
    }
    Err(InputError::TooLarge {
        what,
        path: shown(path),
        size,
        limit: bound.bytes,
        why: bound.why,
        advice: bound.advice,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Bound = Bound {
        bytes: 16,
        why: "the test bound",
        advice: "use a smaller file",
    };

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("emu-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    #[test]
    fn a_file_within_the_bound_is_read_whole() {
        let p = temp("ok");
        std::fs::write(&p, b"0123456789abcdef").unwrap();
        assert_eq!(
            read_file(&p, "the file", SMALL).unwrap(),
            b"0123456789abcdef"
        );
        assert_eq!(
            read_text(&p, "the file", SMALL).unwrap(),
            "0123456789abcdef"
        );
    }

    #[test]
    fn a_file_over_the_bound_is_refused_from_its_size() {
        // Sparse: 1 TiB that the check must never read (reading would take minutes).
        let p = temp("huge");
        std::fs::File::create(&p).unwrap().set_len(1 << 40).unwrap();
        let e = read_file(&p, "the file", SMALL).unwrap_err();
        assert!(
            matches!(e, InputError::TooLarge { size, limit: 16, .. } if size == 1 << 40),
            "{e}"
        );
        let msg = e.to_string();
        assert!(msg.contains("more than the test bound (16 bytes): use a smaller file"));
        std::fs::remove_file(&p).unwrap();
    }

    #[test]
    fn a_file_longer_than_its_metadata_says_is_cut_at_the_bound() {
        // /proc files are regular and report size 0, then give more bytes: the bounded read
        // is what stops them, as it stops a file that grows while it is read.
        let p = Path::new("/proc/self/maps");
        if std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.len() == 0) {
            let e = read_file(p, "the profile", SMALL).unwrap_err();
            assert!(matches!(e, InputError::Grew { limit: 16, .. }), "{e}");
        }
    }

    #[test]
    fn devices_directories_and_fifos_are_refused_before_reading() {
        let e = read_file(Path::new("/dev/zero"), "the initrd", SMALL).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the initrd /dev/zero is a character device, not a regular file: give the path of a file"
        );
        let e = read_file(&std::env::temp_dir(), "the initrd", SMALL).unwrap_err();
        assert!(
            matches!(
                e,
                InputError::NotRegular {
                    kind: "a directory",
                    ..
                }
            ),
            "{e}"
        );
        // Opening a FIFO for reading would block until a writer comes: it must not be opened.
        let fifo = temp("fifo");
        let _ = std::fs::remove_file(&fifo);
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let e = read_file(&fifo, "the profile", SMALL).unwrap_err();
            assert!(
                matches!(e, InputError::NotRegular { kind: "a FIFO", .. }),
                "{e}"
            );
        }
    }

    #[test]
    fn a_missing_file_and_bad_text_are_named() {
        let e = read_file(&temp("missing"), "the profile", SMALL).unwrap_err();
        assert!(e.is_not_found(), "{e}");
        let p = temp("binary");
        std::fs::write(&p, [0xff, 0xfe]).unwrap();
        let e = read_text(&p, "the profile", SMALL).unwrap_err();
        assert!(matches!(e, InputError::NotText { .. }), "{e}");
    }

    #[test]
    fn long_paths_are_echoed_shortened() {
        let long = "x".repeat(100_000);
        let e = read_file(Path::new(&long), "the kernel", SMALL).unwrap_err();
        let msg = e.to_string();
        assert!(msg.chars().count() < 200, "{msg}");
        assert!(
            msg.contains(&format!(" {}…:", "x".repeat(ECHO_CHARS - 1))),
            "{msg}"
        );
    }

    #[test]
    fn shorten_cuts_at_the_echo_limit_and_hides_control_characters() {
        assert_eq!(shorten("short"), "short");
        let exact = "y".repeat(ECHO_CHARS);
        assert_eq!(shorten(&exact), exact);
        let over = "é".repeat(ECHO_CHARS + 1);
        let cut = format!("{}…", "é".repeat(ECHO_CHARS - 1));
        assert_eq!(shorten(&over), cut);
        assert_eq!(shorten(&cut), cut);
        assert_eq!(shorten("a\nb"), "a?b");
    }

    #[test]
    fn shorten_quoted_cuts_each_quoted_part_and_long_word() {
        let long = "k".repeat(100_000);
        let cut = format!("{}…", "k".repeat(ECHO_CHARS - 1));
        assert_eq!(
            shorten_quoted(&format!("unknown field `{long}`, expected `a`")),
            format!("unknown field `{cut}`, expected `a`")
        );
        assert_eq!(
            shorten_quoted(&format!("value '{long} {long}' is bad")),
            format!("value '{cut}' is bad")
        );
        assert_eq!(
            shorten_quoted(&format!("bare {long} word")),
            format!("bare {cut} word")
        );
        assert_eq!(
            shorten_quoted("it's \"fine\" as `is`"),
            "it's \"fine\" as `is`"
        );
        assert_eq!(shorten_quoted("two\nlines"), "two?lines");
        let once = shorten_quoted(&format!("`{long}` and {long}"));
        assert_eq!(shorten_quoted(&once), once);
    }
}
