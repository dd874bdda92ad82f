//! Sweep points: parameter → value, as `--param KEY=V1,V2,…` gives them, and how JSON stores
//! them (`report.json`, `compare.json`, `klab sweep --list-points --format json`).
//!
//! In memory a value is the text the user gave (`8`, `on`, `32K`), so every comparison and label
//! sees exactly what was asked for. In JSON a value whose text is a number in its canonical
//! form (`8`, `-3`, `1.5`; not `08`, `1e3` or `inf`) is a JSON number, anything else a string
//! (`"on"`, `"32K"`); reading accepts both, so reports written before values were typed (all
//! strings) still read, and every value reads back as the text it was written from.
//!
//! [`order`] is the order results and grid points are kept in: parameter by parameter in the
//! sweep's order, numbers by value, other text alphabetically.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};

/// One sweep point (empty for `klab bench`).
pub type Point = BTreeMap<String, String>;

/// The value as a JSON number when its text is a canonical number, else as a string.
pub fn typed(text: &str) -> serde_json::Value {
    if let Ok(n) = text.parse::<u64>()
        && n.to_string() == text
    {
        return n.into();
    }
    if let Ok(n) = text.parse::<i64>()
        && n.to_string() == text
    {
        return n.into();
    }
    if let Ok(x) = text.parse::<f64>()
        && x.is_finite()
        && x.to_string() == text
        && let Some(n) = serde_json::Number::from_f64(x)
    {
        return serde_json::Value::Number(n);
    }
    serde_json::Value::String(text.to_string())
}

/// The number the text is, for ordering (`None` for other text).
fn number(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Two values of one parameter: numbers by value (before any other text), other text
/// alphabetically; equal numbers with different text by their text.
pub fn value_order(a: &str, b: &str) -> Ordering {
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x.total_cmp(&y).then_with(|| a.cmp(b)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// Two points: value by value for the parameters of `sweep` in order, then every parameter
/// in key order (a parameter a point lacks comes first). A total order: each pair is compared
/// over the same sequence of keys.
pub fn order(sweep: &[String], a: &Point, b: &Point) -> Ordering {
    let all: std::collections::BTreeSet<&str> =
        a.keys().chain(b.keys()).map(String::as_str).collect();
    let keys = sweep.iter().map(String::as_str).chain(all);
    for key in keys {
        let o = match (a.get(key), b.get(key)) {
            (Some(x), Some(y)) => value_order(x, y),
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// `#[serde(with = "point::json")]`: a [`Point`] with typed values.
pub mod json {
    use super::*;

    /// Writes each value with [`typed`].
    pub fn serialize<S: Serializer>(point: &Point, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(point.len()))?;
        for (k, v) in point {
            map.serialize_entry(k, &typed(v))?;
        }
        map.end()
    }

    /// Reads values that are strings or numbers (booleans too, as `true`/`false`).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Point, D::Error> {
        d.deserialize_map(PointVisitor)
    }

    struct PointVisitor;

    impl<'de> Visitor<'de> for PointVisitor {
        type Value = Point;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a map of parameter names to numbers or strings")
        }

        fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Point, M::Error> {
            let mut out = Point::new();
            while let Some((k, v)) = m.next_entry::<String, serde_json::Value>()? {
                let text = match v {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Number(n) => n.to_string(),
                    serde_json::Value::Bool(b) => b.to_string(),
                    other => {
                        return Err(de::Error::custom(format!(
                            "the value of {k} is {other}: a number or a string was expected"
                        )));
                    }
                };
                out.insert(k, text);
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
    struct Holder {
        #[serde(with = "json")]
        point: Point,
    }

    fn point(pairs: &[(&str, &str)]) -> Point {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn numbers_are_json_numbers_and_read_back_as_their_text() {
        let values = ["8", "-3", "1.5", "on", "08", "1e3", "inf", "NaN", "32K", ""];
        for v in values {
            let h = Holder {
                point: point(&[("k", v)]),
            };
            let text = serde_json::to_string(&h).unwrap();
            let back: Holder = serde_json::from_str(&text).unwrap();
            assert_eq!(back, h, "{v} through {text}");
        }
        let h = Holder {
            point: point(&[
                ("tlb.entries", "8"),
                ("asid", "on"),
                ("x", "0.25"),
                ("y", "08"),
            ]),
        };
        assert_eq!(
            serde_json::to_value(&h).unwrap(),
            serde_json::json!({"point": {"tlb.entries": 8, "asid": "on", "x": 0.25, "y": "08"}})
        );
    }

    #[test]
    fn older_reports_with_string_values_still_read() {
        let old: Holder = serde_json::from_str(r#"{"point":{"tlb.entries":"8","asid":"on"}}"#)
            .expect("strings read");
        assert_eq!(old.point, point(&[("tlb.entries", "8"), ("asid", "on")]));
        let b: Holder = serde_json::from_str(r#"{"point":{"asid":true}}"#).unwrap();
        assert_eq!(b.point["asid"], "true");
        assert!(serde_json::from_str::<Holder>(r#"{"point":{"asid":null}}"#).is_err());
        assert!(serde_json::from_str::<Holder>(r#"{"point":{"asid":[1]}}"#).is_err());
    }

    #[test]
    fn points_order_by_value_in_sweep_order() {
        assert_eq!(value_order("8", "16"), Ordering::Less);
        assert_eq!(value_order("off", "on"), Ordering::Less);
        assert_eq!(value_order("64", "off"), Ordering::Less);
        let sweep = vec!["tlb.entries".to_string(), "asid".to_string()];
        let a = point(&[("tlb.entries", "8"), ("asid", "on")]);
        let b = point(&[("tlb.entries", "16"), ("asid", "off")]);
        assert_eq!(order(&sweep, &a, &b), Ordering::Less, "tlb.entries first");
        assert_eq!(order(&[], &a, &b), Ordering::Greater, "by key: asid first");
        assert_eq!(order(&sweep, &a, &a), Ordering::Equal);
        assert_eq!(order(&sweep, &Point::new(), &a), Ordering::Less);
        // Points with different parameters still order consistently both ways.
        let x = point(&[("x", "1")]);
        let y = point(&[("y", "1")]);
        assert_eq!(order(&[], &x, &y), Ordering::Greater);
        assert_eq!(order(&[], &y, &x), Ordering::Less);
    }
}

/// A point value as `report.json` writes it (the schema's view of [`json`]): a number, or a
/// word such as `on`.
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)] // only described, never built: the values are text in memory
pub enum JsonValue {
    /// A numeric parameter value.
    Number(f64),
    /// Any other value.
    Text(String),
}
