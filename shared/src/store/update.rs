//! An UpdateItem plan: SET / REMOVE / ADD clauses plus a condition.

use super::{
    cond::Cond,
    expr::{ExprParts, Placeholders},
};
use aws_sdk_dynamodb::types::AttributeValue;

/// One conditional update of one item, built from data.
///
/// Paths are lists of segments, each segment a placeholder, so map keys
/// from requests are safe whatever characters they hold.
#[derive(Debug, Clone, Default)]
pub struct Update {
    p: Placeholders,
    set: Vec<String>,
    remove: Vec<String>,
    add: Vec<String>,
    condition: Option<Cond>,
}

impl Update {
    /// An empty plan.
    pub fn new() -> Self {
        Self::default()
    }

    /// `SET path = value`.
    pub fn set<S: AsRef<str>>(&mut self, path: &[S], value: AttributeValue) -> &mut Self {
        let path = self.p.path(path);
        let value = self.p.value(value);
        self.set.push(format!("{path} = {value}"));
        self
    }

    /// `SET path = if_not_exists(path, value)`: set only when missing.
    pub fn set_if_missing<S: AsRef<str>>(&mut self, path: &[S], value: AttributeValue) -> &mut Self {
        let path = self.p.path(path);
        let value = self.p.value(value);
        self.set.push(format!("{path} = if_not_exists({path}, {value})"));
        self
    }

    /// `SET path = list_append(path, values)`: appends to a list.
    pub fn append<S: AsRef<str>>(&mut self, path: &[S], values: Vec<AttributeValue>) -> &mut Self {
        let path = self.p.path(path);
        let value = self.p.value(AttributeValue::L(values));
        self.set.push(format!("{path} = list_append({path}, {value})"));
        self
    }

    /// `REMOVE path`.
    pub fn remove<S: AsRef<str>>(&mut self, path: &[S]) -> &mut Self {
        let path = self.p.path(path);
        self.remove.push(path);
        self
    }

    /// `ADD path n`: atomic counter increment (creates the attribute at `n`).
    pub fn increment(&mut self, name: &str, n: i64) -> &mut Self {
        let path = self.p.name(name);
        let value = self.p.value(AttributeValue::N(n.to_string()));
        self.add.push(format!("{path} {value}"));
        self
    }

    /// Adds a condition; several calls are joined with AND.
    pub fn require(&mut self, cond: Cond) -> &mut Self {
        self.condition = Some(match self.condition.take() {
            None => cond,
            Some(existing) => existing.and(cond),
        });
        self
    }

    /// True when the plan has no SET, REMOVE or ADD clause.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.remove.is_empty() && self.add.is_empty()
    }

    /// Renders the expressions and placeholder maps.
    pub fn into_parts(self) -> ExprParts {
        let Update {
            mut p,
            set,
            remove,
            add,
            condition,
        } = self;
        let mut clauses = Vec::new();
        if !set.is_empty() {
            clauses.push(format!("SET {}", set.join(", ")));
        }
        if !remove.is_empty() {
            clauses.push(format!("REMOVE {}", remove.join(", ")));
        }
        if !add.is_empty() {
            clauses.push(format!("ADD {}", add.join(", ")));
        }
        let condition = condition.map(|c| c.render(&mut p));
        let (names, values) = p.into_maps();
        ExprParts {
            update: (!clauses.is_empty()).then(|| clauses.join(" ")),
            condition,
            names,
            values,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_all_clauses_with_placeholders() {
        let mut u = Update::new();
        u.set(&["name"], AttributeValue::S("Acme".into()))
            .set(&["metadata", "REMOVE"], AttributeValue::N("1".into()))
            .remove(&["metadata", "#x"])
            .increment("version", 1)
            .require(Cond::exists("pk"));
        let parts = u.into_parts();
        assert_eq!(
            parts.update.as_deref(),
            Some("SET #n0 = :v0, #n1.#n2 = :v1 REMOVE #n1.#n3 ADD #n4 :v2")
        );
        assert_eq!(parts.condition.as_deref(), Some("attribute_exists(#n5)"));
        let names = parts.names.unwrap();
        assert_eq!(names["#n2"], "REMOVE");
        assert_eq!(names["#n3"], "#x");
    }
}
