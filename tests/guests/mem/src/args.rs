//! Parameters from the kernel command line (`/chosen/bootargs`, QEMU's and klab's `-append`):
//! whitespace-separated `key=value` words; other words are ignored. Values are decimal numbers with
//! an optional binary suffix `K`, `M` or `G` (`max=1M` is 1048576).

/// Why a parameter could not be used.
#[derive(Debug)]
pub struct BadArg<'a> {
    /// The key.
    pub key: &'a str,
    /// The value given.
    pub value: &'a str,
}

/// The command line, split into words when asked.
#[derive(Clone, Copy, Default)]
pub struct Args<'a> {
    line: &'a str,
}

impl<'a> Args<'a> {
    /// The parameters in `line` (none when `None`).
    pub fn new(line: Option<&'a str>) -> Self {
        Self {
            line: line.unwrap_or(""),
        }
    }

    /// The value of the last `key=...` word, if any.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.line
            .split_ascii_whitespace()
            .filter_map(|word| word.split_once('='))
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v)
            .next_back()
    }

    /// The size `key=...`, or `default` when the line does not give one.
    pub fn size(&self, key: &'a str, default: usize) -> Result<usize, BadArg<'a>> {
        match self.get(key) {
            None => Ok(default),
            Some(value) => parse_size(value).ok_or(BadArg { key, value }),
        }
    }
}

/// `123`, `4K`, `1M`, `2G` (binary multiples); `None` if it does not parse or overflows.
pub fn parse_size(text: &str) -> Option<usize> {
    let (digits, shift) = match text.as_bytes().last()? {
        b'K' | b'k' => (&text[..text.len() - 1], 10),
        b'M' | b'm' => (&text[..text.len() - 1], 20),
        b'G' | b'g' => (&text[..text.len() - 1], 30),
        _ => (text, 0),
    };
    let value: usize = digits.parse().ok()?;
    value.checked_mul(1 << shift)
}
