//! Placeholders: the only way names and values enter an expression.
//!
//! User text (map keys such as `a.b`, `#x`, `:v`, `size`, `REMOVE`) is data;
//! it becomes an `ExpressionAttributeNames` / `ExpressionAttributeValues`
//! entry and never a character of the expression itself.
//!
//! Every write renders here, so this is written for the hot path: the
//! expression text is appended to one buffer (no string per placeholder),
//! names and values are kept in placeholder order in vectors, and the two
//! maps the SDK takes are built once, sized, at the end.

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;
use std::fmt::Write as _;

/// `ExpressionAttributeNames`: placeholder to attribute name.
pub type Names = HashMap<String, String>;
/// `ExpressionAttributeValues`: placeholder to value.
pub type Values = HashMap<String, AttributeValue>;

/// Up to this many distinct names, a name's placeholder is found by a scan
/// of the names so far (a plan names a handful of attributes); past it, by
/// an index, so a request naming thousands of map keys stays linear.
const SCAN_NAMES: usize = 16;

/// Allocates `#nN` name placeholders (one per distinct name) and `:vN`
/// value placeholders for one request; `#nN` is the N-th distinct name
/// given, `:vN` the N-th value.
#[derive(Debug, Default, Clone)]
pub struct Placeholders {
    names: Vec<String>,
    /// Name → index in `names`, kept once there are more than [`SCAN_NAMES`].
    index: HashMap<String, usize>,
    values: Vec<AttributeValue>,
}

impl Placeholders {
    fn name_index(&mut self, name: &str) -> usize {
        let found = if self.names.len() <= SCAN_NAMES {
            self.names.iter().position(|n| n == name)
        } else {
            if self.index.is_empty() {
                self.index = self.names.iter().cloned().zip(0..).collect();
            }
            self.index.get(name).copied()
        };
        found.unwrap_or_else(|| {
            let i = self.names.len();
            self.names.push(name.to_owned());
            if !self.index.is_empty() {
                self.index.insert(name.to_owned(), i);
            }
            i
        })
    }

    /// Appends the placeholder for an attribute name to `out` (the same
    /// name gets the same placeholder).
    pub fn write_name(&mut self, out: &mut String, name: &str) {
        let i = self.name_index(name);
        write_placeholder(out, "#n", i);
    }

    /// Appends a document path (`#n0.#n1`) to `out`, one placeholder per segment.
    pub fn write_path<S: AsRef<str>>(&mut self, out: &mut String, segments: &[S]) {
        for (k, segment) in segments.iter().enumerate() {
            if k > 0 {
                out.push('.');
            }
            self.write_name(out, segment.as_ref());
        }
    }

    /// Appends the placeholder for a value to `out`.
    pub fn write_value(&mut self, out: &mut String, value: AttributeValue) {
        write_placeholder(out, ":v", self.values.len());
        self.values.push(value);
    }

    /// The name and value maps, `None` when empty (DynamoDB rejects empty maps).
    pub fn into_maps(self) -> (Option<Names>, Option<Values>) {
        fn keyed<T>(prefix: &str, items: Vec<T>) -> Option<HashMap<String, T>> {
            if items.is_empty() {
                return None;
            }
            let mut map = HashMap::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let mut key = String::with_capacity(prefix.len() + 3);
                write_placeholder(&mut key, prefix, i);
                map.insert(key, item);
            }
            Some(map)
        }
        (keyed("#n", self.names), keyed(":v", self.values))
    }
}

/// Appends `prefix` and `i` in decimal (`#n12`), without `format!`'s machinery
/// for the common case of a few placeholders.
fn write_placeholder(out: &mut String, prefix: &str, i: usize) {
    out.push_str(prefix);
    if i < 10 {
        out.push(char::from(b'0' + i as u8));
    } else {
        // Infallible: writing to a String.
        let _ = write!(out, "{i}");
    }
}

/// A rendered write: expressions plus the placeholder maps they use.
#[derive(Debug, Clone, Default)]
pub struct ExprParts {
    /// `UpdateExpression`, when the write is an update.
    pub update: Option<String>,
    /// `ConditionExpression`, when the write is conditional.
    pub condition: Option<String>,
    /// `ExpressionAttributeNames`.
    pub names: Option<Names>,
    /// `ExpressionAttributeValues`.
    pub values: Option<Values>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `write_*` appends, as its own string.
    fn written(p: &mut Placeholders, write: impl FnOnce(&mut Placeholders, &mut String)) -> String {
        let mut out = String::new();
        write(p, &mut out);
        out
    }

    #[test]
    fn hostile_names_never_reach_the_expression() {
        let mut p = Placeholders::default();
        let path = written(&mut p, |p, o| p.write_path(o, &["metadata", "a.b"]));
        let again = written(&mut p, |p, o| p.write_path(o, &["metadata", ":v0 REMOVE #x"]));
        assert_eq!(path, "#n0.#n1");
        assert_eq!(again, "#n0.#n2");
        let (names, values) = p.into_maps();
        let names = names.unwrap();
        assert_eq!(names["#n1"], "a.b");
        assert_eq!(names["#n2"], ":v0 REMOVE #x");
        assert!(values.is_none());
    }

    #[test]
    fn many_names_keep_one_placeholder_each_past_the_scan() {
        let mut p = Placeholders::default();
        let keys: Vec<String> = (0..40).map(|i| format!("k{i}")).collect();
        for key in &keys {
            written(&mut p, |p, o| p.write_name(o, key));
        }
        // Asked again (scan and index alike), each name keeps its placeholder.
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(written(&mut p, |p, o| p.write_name(o, key)), format!("#n{i}"));
        }
        assert_eq!(
            written(&mut p, |p, o| p.write_value(o, AttributeValue::Null(true))),
            ":v0"
        );
        let (names, values) = p.into_maps();
        let names = names.unwrap();
        assert_eq!(names.len(), 40);
        assert_eq!(names["#n7"], "k7");
        assert_eq!(names["#n39"], "k39");
        assert_eq!(values.unwrap().len(), 1);
    }
}
