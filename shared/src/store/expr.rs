//! Placeholders: the only way names and values enter an expression.
//!
//! User text (map keys such as `a.b`, `#x`, `:v`, `size`, `REMOVE`) is data;
//! it becomes an `ExpressionAttributeNames` / `ExpressionAttributeValues`
//! entry and never a character of the expression itself.

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

/// `ExpressionAttributeNames`: placeholder to attribute name.
pub type Names = HashMap<String, String>;
/// `ExpressionAttributeValues`: placeholder to value.
pub type Values = HashMap<String, AttributeValue>;

/// Allocates `#nN` name placeholders (one per distinct name) and `:vN`
/// value placeholders for one request.
#[derive(Debug, Default, Clone)]
pub struct Placeholders {
    names: HashMap<String, String>,
    by_name: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Placeholders {
    /// The placeholder for an attribute name (the same name gets the same placeholder).
    pub fn name(&mut self, name: &str) -> String {
        if let Some(p) = self.by_name.get(name) {
            return p.clone();
        }
        let placeholder = format!("#n{}", self.names.len());
        self.names.insert(placeholder.clone(), name.to_owned());
        self.by_name.insert(name.to_owned(), placeholder.clone());
        placeholder
    }

    /// A document path (`#n0.#n1`), one placeholder per segment.
    pub fn path<S: AsRef<str>>(&mut self, segments: &[S]) -> String {
        let parts: Vec<String> = segments.iter().map(|s| self.name(s.as_ref())).collect();
        parts.join(".")
    }

    /// The placeholder for a value.
    pub fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    /// The name and value maps, `None` when empty (DynamoDB rejects empty maps).
    pub fn into_maps(self) -> (Option<Names>, Option<Values>) {
        let names = (!self.names.is_empty()).then_some(self.names);
        let values = (!self.values.is_empty()).then_some(self.values);
        (names, values)
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

    #[test]
    fn hostile_names_never_reach_the_expression() {
        let mut p = Placeholders::default();
        let path = p.path(&["metadata", "a.b"]);
        let again = p.path(&["metadata", ":v0 REMOVE #x"]);
        assert_eq!(path, "#n0.#n1");
        assert_eq!(again, "#n0.#n2");
        let (names, values) = p.into_maps();
        let names = names.unwrap();
        assert_eq!(names["#n1"], "a.b");
        assert_eq!(names["#n2"], ":v0 REMOVE #x");
        assert!(values.is_none());
    }
}
