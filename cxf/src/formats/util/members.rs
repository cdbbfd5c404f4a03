//! Naming the members of a JSON record that a reader does not map.
//!
//! CSV readers name every column they do not read ([`Table::report_unread`]); JSON readers do the
//! same with [`Unmapped`]: for each object of a record the reader walks, it lists the members the
//! reader maps (or ignores on purpose because they carry no user data), and every other member
//! with a value becomes one loss entry per item, named by its path in the source. Only names go
//! into the report, never values (they may be secrets).
//!
//! [`Table::report_unread`]: super::tabular::Table::report_unread

use serde_json::Value;

use crate::formats::loss::ItemRef;
use crate::formats::{Format, LossReason, LossReport};

/// Whether a source value holds nothing worth carrying: `null`, `false`, `0`, a blank string,
/// or an array or object whose values are all empty.
pub(crate) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.iter().all(is_empty),
        Value::Object(o) => o.values().all(is_empty),
    }
}

/// The unmapped members of one source record (item), gathered over the objects the reader
/// walks; [`Unmapped::report`] turns them into one loss entry per member path.
#[derive(Debug, Default)]
pub(crate) struct Unmapped {
    /// Member paths in the order first seen, with how many values each had.
    found: Vec<(String, usize)>,
}

impl Unmapped {
    /// Nothing found yet.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Notes every member of `obj` that is not in `mapped` and whose value is not empty, as
    /// `prefix.member` (just `member` when `prefix` is empty). Anything but an object is
    /// ignored. Members of several objects with the same prefix (the elements of an array, as
    /// `extraFields[]`) count under one path.
    pub(crate) fn check(&mut self, obj: &Value, prefix: &str, mapped: &[&str]) {
        let Some(obj) = obj.as_object() else {
            return;
        };
        for (name, value) in obj {
            if mapped.contains(&name.as_str()) || is_empty(value) {
                continue;
            }
            let path = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}.{name}")
            };
            match self.found.iter_mut().find(|(p, _)| *p == path) {
                Some((_, n)) => *n += 1,
                None => self.found.push((path, 1)),
            }
        }
    }

    /// Reports each member found once, for the item `r`: what = the member's path, reason
    /// [`LossReason::Unsupported`]. The entry names the member and counts its values; it never
    /// holds a value.
    pub(crate) fn report(self, r: &ItemRef<'_>, format: Format, loss: &mut LossReport) {
        for (path, n) in self.found {
            loss.add(
                r,
                path.clone(),
                LossReason::Unsupported,
                format!(
                    "the {} reader does not convert the member {path:?}: {n} value{} not carried",
                    format.display_name(),
                    if n == 1 { " was" } else { "s were" },
                ),
            );
        }
    }
}

/// Reports the unmapped members of a single object (see [`Unmapped::check`]) for the item `r`.
pub(crate) fn report_unmapped(
    obj: &Value,
    prefix: &str,
    mapped: &[&str],
    r: &ItemRef<'_>,
    format: Format,
    loss: &mut LossReport,
) {
    let mut u = Unmapped::new();
    u.check(obj, prefix, mapped);
    u.report(r, format, loss);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_each_unmapped_member_once_without_its_value() {
        let mut u = Unmapped::new();
        let fields = json!([
            {"name": "a", "secret": "s3cr3t-value", "flag": false, "n": 0, "blank": " "},
            {"name": "b", "secret": "other-value", "nested": {"x": false, "y": [null, ""]}},
            {"name": "c", "extra": {"x": true}, "list": [1]},
        ]);
        for f in fields.as_array().unwrap() {
            u.check(f, "fields[]", &["name"]);
        }
        u.check(&json!("not an object"), "x", &[]);
        u.check(&json!({"top": 1}), "", &[]);
        let mut loss = LossReport::new();
        u.report(&ItemRef::default(), Format::ProtonpassJson, &mut loss);
        let whats: Vec<&str> = loss.entries().iter().map(|e| e.what.as_str()).collect();
        assert_eq!(
            whats,
            ["fields[].secret", "fields[].extra", "fields[].list", "top"]
        );
        assert!(
            loss.entries()[0]
                .detail
                .contains(": 2 values were not carried")
        );
        let text = format!("{loss}");
        assert!(!text.contains("s3cr3t-value") && !text.contains("other-value"));
    }

    #[test]
    fn emptiness() {
        for v in [
            json!(null),
            json!(false),
            json!(0),
            json!(0.0),
            json!(""),
            json!("  "),
            json!([]),
            json!({}),
            json!({"a": [false, {"b": ""}]}),
        ] {
            assert!(is_empty(&v), "{v}");
        }
        for v in [
            json!(true),
            json!(1),
            json!("x"),
            json!([0, 2]),
            json!({"a": "x"}),
        ] {
            assert!(!is_empty(&v), "{v}");
        }
    }
}
