//! The generated regions of a Markdown file: text between `<!-- klab:begin NAME -->` and
//! `<!-- klab:end NAME -->`, replaced whole by what klab generates for NAME.
//!
//! A region whose text starts with a line break is a block (a table, a code block: the markers
//! stand on lines of their own, outside any code fence); any other is inline (a figure in a
//! sentence). The markers stay, so the file can be regenerated any number of times. Text outside
//! the regions is never touched.

use std::collections::BTreeMap;

/// The opening marker of region `name`.
fn begin(name: &str) -> String {
    format!("<!-- klab:begin {name} -->")
}

/// The closing marker of region `name`.
fn end(name: &str) -> String {
    format!("<!-- klab:end {name} -->")
}

const BEGIN_PREFIX: &str = "<!-- klab:begin ";
const MARKER_SUFFIX: &str = " -->";

/// `text` with every region's content replaced by `generate(NAME)`, and the names of the
/// regions whose content changed (each once, in order of first appearance). An unknown name,
/// a missing or misplaced end marker is an error naming the region.
pub fn fill(
    text: &str,
    generate: &dyn Fn(&str) -> Option<String>,
) -> Result<(String, Vec<String>), String> {
    let mut out = String::with_capacity(text.len());
    let mut changed: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(BEGIN_PREFIX) {
        let after = &rest[at + BEGIN_PREFIX.len()..];
        let close = after
            .find(MARKER_SUFFIX)
            .ok_or("a `<!-- klab:begin` marker is not closed with ` -->`")?;
        let name = after[..close].trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(format!("a region marker names `{name}`: one word expected"));
        }
        let before = &text[..text.len() - rest.len() + at];
        if in_code(before) {
            return Err(format!(
                "region {name} begins inside code, where its markers would show: put them around it"
            ));
        }
        let content_start = at + BEGIN_PREFIX.len() + close + MARKER_SUFFIX.len();
        let end_marker = end(name);
        let content_len = rest[content_start..]
            .find(&end_marker)
            .ok_or_else(|| format!("region {name} has no `{end_marker}`"))?;
        let old = &rest[content_start..content_start + content_len];
        if old.contains(BEGIN_PREFIX) {
            return Err(format!("region {name} contains another region"));
        }
        let value = generate(name)
            .ok_or_else(|| format!("region {name}: klab generates no such region"))?;
        let new = if old.starts_with('\n') {
            let body = value.trim_end_matches('\n');
            format!("\n{body}\n")
        } else {
            value
        };
        if new != old && !changed.iter().any(|c| c == name) {
            changed.push(name.to_string());
        }
        out.push_str(&rest[..content_start]);
        out.push_str(&new);
        out.push_str(&end_marker);
        rest = &rest[content_start + content_len + end_marker.len()..];
    }
    out.push_str(rest);
    Ok((out, changed))
}

/// Whether the end of `before` lies inside a fenced code block or an inline code span (an odd
/// number of fence lines before it, or of backticks on its line), where Markdown shows comments.
fn in_code(before: &str) -> bool {
    let fences = before
        .lines()
        .filter(|l| l.trim_start().starts_with("```"))
        .count();
    let line = before.rsplit('\n').next().unwrap_or("");
    fences % 2 == 1 || line.matches('`').count() % 2 == 1
}

/// The names of the regions in `text`, in order, each once.
pub fn names(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (at, _) in text.match_indices(BEGIN_PREFIX) {
        let after = &text[at + BEGIN_PREFIX.len()..];
        if let Some(close) = after.find(MARKER_SUFFIX) {
            let name = after[..close].trim().to_string();
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// The text of region `name` in `text` (its first occurrence), if there is one.
pub fn content<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let (begin, end) = (begin(name), end(name));
    let start = text.find(&begin)? + begin.len();
    let len = text[start..].find(&end)?;
    Some(&text[start..start + len])
}

/// `template` with every `{{key}}` replaced by `values[key]`; an unknown key is an error.
pub fn expand(template: &str, values: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find("{{") {
        let close = rest[at..]
            .find("}}")
            .ok_or("a template's `{{` is not closed")?;
        let key = &rest[at + 2..at + close];
        let value = values.get(key).ok_or_else(|| {
            format!("a template names {{{{{key}}}}}, which klab does not compute")
        })?;
        out.push_str(&rest[..at]);
        out.push_str(value);
        rest = &rest[at + close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> BTreeMap<String, String> {
        [("a", "1"), ("b", "two\nlines\n")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn gen_of(v: &BTreeMap<String, String>) -> impl Fn(&str) -> Option<String> + '_ {
        |n: &str| v.get(n).cloned()
    }

    #[test]
    fn inline_and_block_regions_are_replaced_and_markers_kept() {
        let v = values();
        let text = format!(
            "x {}old{} y\n{}\nstale\n{}\nz",
            begin("a"),
            end("a"),
            begin("b"),
            end("b")
        );
        let (out, changed) = fill(&text, &gen_of(&v)).unwrap();
        assert_eq!(
            out,
            format!(
                "x {}1{} y\n{}\ntwo\nlines\n{}\nz",
                begin("a"),
                end("a"),
                begin("b"),
                end("b")
            )
        );
        assert_eq!(changed, ["a", "b"]);
        // Regenerating changes nothing.
        let (again, changed) = fill(&out, &gen_of(&v)).unwrap();
        assert_eq!(again, out);
        assert!(changed.is_empty());
        assert_eq!(names(&out), ["a", "b"]);
    }

    #[test]
    fn unknown_unclosed_and_nested_regions_are_errors() {
        let v = values();
        let unknown = format!("{}x{}", begin("c"), end("c"));
        assert!(
            fill(&unknown, &gen_of(&v))
                .unwrap_err()
                .contains("region c")
        );
        let unclosed = format!("{}x", begin("a"));
        assert!(fill(&unclosed, &gen_of(&v)).unwrap_err().contains("no `"));
        let nested = format!("{}{}x{}{}", begin("a"), begin("b"), end("b"), end("a"));
        assert!(fill(&nested, &gen_of(&v)).is_err());
        let in_span = format!("`x {}1{}`", begin("a"), end("a"));
        assert!(
            fill(&in_span, &gen_of(&v))
                .unwrap_err()
                .contains("inside code")
        );
        let in_fence = format!("```\n{}\n1\n{}\n```\n", begin("b"), end("b"));
        assert!(
            fill(&in_fence, &gen_of(&v))
                .unwrap_err()
                .contains("inside code")
        );
        let around = format!(
            "{}\n```\nx\n```\n{}\n`y` {}1{}",
            begin("b"),
            end("b"),
            begin("a"),
            end("a")
        );
        assert!(fill(&around, &gen_of(&v)).is_ok());
    }

    #[test]
    fn templates_expand_known_keys_only() {
        let v = values();
        assert_eq!(expand("a={{a}}, {x}", &v).unwrap(), "a=1, {x}");
        assert!(expand("{{nope}}", &v).unwrap_err().contains("nope"));
        assert!(expand("{{a", &v).is_err());
    }
}
