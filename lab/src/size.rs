//! Parsing of byte sizes such as `128M`, `1G`, `64K` or `4096` (powers of 1024, as QEMU's `-m`).

/// Parses a size; a bare number is bytes, a K/M/G suffix (optionally followed by `iB` or `B`)
/// multiplies by 1024, 1024² or 1024³.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (digits, shift) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 10),
        Some('m' | 'M') => (&t[..t.len() - 1], 20),
        Some('g' | 'G') => (&t[..t.len() - 1], 30),
        _ => (t, 0),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| "not a size: use a number of bytes or a K, M or G suffix".to_string())?;
    n.checked_mul(1u64 << shift)
        .ok_or_else(|| "too large for 64 bits".to_string())
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_parse_with_binary_suffixes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64K"), Ok(64 << 10));
        assert_eq!(parse_size("128M"), Ok(128 << 20));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert!(parse_size("12Q").is_err());
        assert!(parse_size("99999999999G").is_err());
    }
}
