//! Number and text formatting shared by every rendering: one way to print a per-operation value,
//! a ratio and a missing result, and the escapes for HTML and Markdown.
//!
//! Numbers carry no thousands separators so they can be pasted into a spreadsheet; precision
//! shrinks as values grow (integers from 100 up, one decimal from 1, two significant digits below).

/// What a missing value (no result, or a ratio with a zero denominator) prints as.
pub const MISSING: &str = "–";

/// A per-operation value: `1234`, `42.5`, `0.52`, `0.052`, `2.0e-4`; `0` for zero.
pub fn num(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() {
        MISSING.to_string()
    } else if a == 0.0 {
        "0".to_string()
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.1}")
    } else if a >= 0.1 {
        format!("{v:.2}")
    } else if a >= 0.01 {
        format!("{v:.3}")
    } else {
        format!("{v:.1e}")
    }
}

/// An optional per-operation value: [`num`] or [`MISSING`].
pub fn opt_num(v: Option<f64>) -> String {
    v.map_or_else(|| MISSING.to_string(), num)
}

/// `micro / mono`, when both exist and `mono` is positive.
pub fn ratio_of(mono: Option<f64>, micro: Option<f64>) -> Option<f64> {
    match (mono, micro) {
        (Some(a), Some(b)) if a > 0.0 && a.is_finite() && b.is_finite() => Some(b / a),
        _ => None,
    }
}

/// A ratio as `4.07×`, or [`MISSING`].
pub fn ratio(r: Option<f64>) -> String {
    match r {
        Some(r) if r.is_finite() => format!("{r:.2}×"),
        _ => MISSING.to_string(),
    }
}

/// A band's end at a ratio's precision, rounded outwards (`down` for the low end) so the
/// printed band always holds the printed ratio: `3.9`, `12`, `0.13`.
pub fn band_end(v: f64, down: bool) -> String {
    let decimals = if v >= 10.0 {
        0
    } else if v >= 1.0 {
        1
    } else {
        2
    };
    let scale = 10f64.powi(decimals);
    let r = if down {
        (v * scale * (1.0 + 1e-12)).floor()
    } else {
        (v * scale * (1.0 - 1e-12)).ceil()
    } / scale;
    format!("{r:.prec$}", prec = decimals as usize)
}

/// A band as `3.9–4.8`, or `None` when it has no width (no estimated parameter moves it).
pub fn band(low: f64, high: f64) -> Option<String> {
    (low.is_finite() && high.is_finite() && low < high)
        .then(|| format!("{}–{}", band_end(low, true), band_end(high, false)))
}

/// A ratio with its band as `4.16× (3.9–4.8)`; without a band (or one of no width) as
/// [`ratio`] prints it.
pub fn ratio_band(r: Option<f64>, band_of: Option<(f64, f64)>) -> String {
    match (r, band_of.and_then(|(l, h)| band(l, h))) {
        (Some(r), Some(b)) if r.is_finite() => format!("{} ({b})", ratio(Some(r))),
        _ => ratio(r),
    }
}

/// A share of a total as `42.1%`, or [`MISSING`] when the total is zero.
pub fn percent(part: f64, total: f64) -> String {
    if total > 0.0 && part.is_finite() {
        format!("{:.1}%", 100.0 * part / total)
    } else {
        MISSING.to_string()
    }
}

/// `text` safe inside HTML element content and double-quoted attributes.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `text` safe inside a Markdown table cell: backslash-escapes the punctuation that would start
/// markup or end the cell, and turns line breaks into spaces.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '|' | '<' | '>' | '*' | '_' | '`' | '[' | ']' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A short axis label for a power of ten or other tick value: `1`, `100`, `10k`, `1M`, `0.01`.
pub fn tick(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{}G", trim(v / 1e9))
    } else if a >= 1e6 {
        format!("{}M", trim(v / 1e6))
    } else if a >= 1e3 {
        format!("{}k", trim(v / 1e3))
    } else if a >= 1e-3 || a == 0.0 {
        trim(v)
    } else {
        format!("{v:.0e}")
    }
}

/// `v` with at most three decimals and no trailing zeros.
fn trim(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".to_string()
    } else {
        s.to_string()
    }
}
