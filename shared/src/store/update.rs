//! An UpdateItem plan: SET / REMOVE / ADD clauses plus a condition, kept as
//! data so that the same plan renders the expression DynamoDB runs
//! ([`Update::into_parts`]) and the item it leaves behind
//! ([`Update::apply_to`]): one source of truth for what a write does.

use super::{
    Item,
    cond::Cond,
    expr::{ExprParts, Placeholders},
};
use aws_sdk_dynamodb::types::AttributeValue;

/// One clause of an update. Paths are lists of segments (map keys), each
/// rendered as its own placeholder.
#[derive(Debug, Clone, PartialEq)]
enum Op {
    /// `SET path = value`.
    Set(Vec<String>, AttributeValue),
    /// `SET path = list_append(path, values)`.
    Append(Vec<String>, Vec<AttributeValue>),
    /// `REMOVE path`.
    Remove(Vec<String>),
    /// `ADD name n`.
    Add(String, i64),
}

/// One conditional update of one item, built from data.
///
/// Paths are lists of segments, each segment a placeholder, so map keys
/// from requests are safe whatever characters they hold.
#[derive(Debug, Clone, Default)]
pub struct Update {
    ops: Vec<Op>,
    condition: Option<Cond>,
}

fn owned<S: AsRef<str>>(path: &[S]) -> Vec<String> {
    path.iter().map(|s| s.as_ref().to_owned()).collect()
}

impl Update {
    /// An empty plan.
    pub fn new() -> Self {
        Self::default()
    }

    /// `SET path = value`.
    pub fn set<S: AsRef<str>>(&mut self, path: &[S], value: AttributeValue) -> &mut Self {
        self.ops.push(Op::Set(owned(path), value));
        self
    }

    /// `SET path = list_append(path, values)`: appends to a list.
    pub fn append<S: AsRef<str>>(&mut self, path: &[S], values: Vec<AttributeValue>) -> &mut Self {
        self.ops.push(Op::Append(owned(path), values));
        self
    }

    /// `REMOVE path`.
    pub fn remove<S: AsRef<str>>(&mut self, path: &[S]) -> &mut Self {
        self.ops.push(Op::Remove(owned(path)));
        self
    }

    /// `ADD name n`: atomic counter increment (creates the attribute at `n`).
    pub fn increment(&mut self, name: &str, n: i64) -> &mut Self {
        self.ops.push(Op::Add(name.to_owned(), n));
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
        self.ops.is_empty()
    }

    /// The item as this update leaves `item` when its condition holds: the
    /// after-image a transaction's caller answers with, without reading the
    /// item again. SET replaces (creating missing intermediate maps),
    /// `list_append` extends (or creates) the list, REMOVE drops, ADD adds to
    /// a number (missing counts as 0).
    pub fn apply_to(&self, item: &Item) -> Item {
        let mut after = item.clone();
        for op in &self.ops {
            match op {
                Op::Set(path, value) => set_path(&mut after, path, value.clone()),
                Op::Append(path, values) => {
                    let mut list = match get_path(&after, path) {
                        Some(AttributeValue::L(list)) => list.clone(),
                        _ => Vec::new(),
                    };
                    list.extend(values.iter().cloned());
                    set_path(&mut after, path, AttributeValue::L(list));
                }
                Op::Remove(path) => remove_path(&mut after, path),
                Op::Add(name, n) => {
                    let old = match after.get(name) {
                        Some(AttributeValue::N(v)) => v.parse::<i64>().unwrap_or(0),
                        _ => 0,
                    };
                    after.insert(name.clone(), AttributeValue::N((old + n).to_string()));
                }
            }
        }
        after
    }

    /// Renders the expressions and placeholder maps. Placeholders are
    /// numbered in the order the clauses were added, then the condition's.
    pub fn into_parts(self) -> ExprParts {
        let mut p = Placeholders::default();
        // One buffer per clause kind, each starting with its keyword.
        let mut set = String::from("SET ");
        let mut remove = String::from("REMOVE ");
        let mut add = String::from("ADD ");
        let next = |clause: &mut String, keyword: &str| {
            if clause.len() > keyword.len() {
                clause.push_str(", ");
            }
        };
        for op in self.ops {
            match op {
                Op::Set(path, value) => {
                    next(&mut set, "SET ");
                    p.write_path(&mut set, &path);
                    set.push_str(" = ");
                    p.write_value(&mut set, value);
                }
                Op::Append(path, values) => {
                    next(&mut set, "SET ");
                    let start = set.len();
                    p.write_path(&mut set, &path);
                    let rendered = set[start..].to_owned();
                    set.push_str(" = list_append(");
                    set.push_str(&rendered);
                    set.push_str(", ");
                    p.write_value(&mut set, AttributeValue::L(values));
                    set.push(')');
                }
                Op::Remove(path) => {
                    next(&mut remove, "REMOVE ");
                    p.write_path(&mut remove, &path);
                }
                Op::Add(name, n) => {
                    next(&mut add, "ADD ");
                    p.write_name(&mut add, &name);
                    add.push(' ');
                    p.write_value(&mut add, AttributeValue::N(n.to_string()));
                }
            }
        }
        let mut update = String::new();
        for (clause, keyword) in [(set, "SET "), (remove, "REMOVE "), (add, "ADD ")] {
            if clause.len() == keyword.len() {
                continue;
            }
            if update.is_empty() {
                update = clause;
            } else {
                update.push(' ');
                update.push_str(&clause);
            }
        }
        let condition = self.condition.map(|c| c.render(&mut p));
        let (names, values) = p.into_maps();
        ExprParts {
            update: (!update.is_empty()).then_some(update),
            condition,
            names,
            values,
        }
    }
}

fn get_path<'a>(item: &'a Item, path: &[String]) -> Option<&'a AttributeValue> {
    let (first, rest) = path.split_first()?;
    let mut value = item.get(first)?;
    for segment in rest {
        value = match value {
            AttributeValue::M(map) => map.get(segment)?,
            _ => return None,
        };
    }
    Some(value)
}

fn set_path(item: &mut Item, path: &[String], value: AttributeValue) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut map = item;
    for segment in parents {
        let entry = map
            .entry(segment.clone())
            .or_insert_with(|| AttributeValue::M(Default::default()));
        if !matches!(entry, AttributeValue::M(_)) {
            *entry = AttributeValue::M(Default::default());
        }
        let AttributeValue::M(inner) = entry else {
            unreachable!("just made a map")
        };
        map = inner;
    }
    map.insert(last.clone(), value);
}

fn remove_path(item: &mut Item, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut map = item;
    for segment in parents {
        match map.get_mut(segment) {
            Some(AttributeValue::M(inner)) => map = inner,
            _ => return,
        }
    }
    map.remove(last);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.to_owned())
    }

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

    #[test]
    fn the_after_image_is_what_the_clauses_do() {
        let item: Item = [
            ("name".to_owned(), s("Old")),
            ("version".to_owned(), AttributeValue::N("4".into())),
            (
                "metadata".to_owned(),
                AttributeValue::M([("gone".to_owned(), s("x")), ("kept".to_owned(), s("y"))].into()),
            ),
            ("options".to_owned(), AttributeValue::L(vec![s("a")])),
        ]
        .into();
        let mut u = Update::new();
        u.set(&["name"], s("New"))
            .set(&["metadata", "added"], s("z"))
            .remove(&["metadata", "gone"])
            .remove(&["absent", "deep"])
            .append(&["options"], vec![s("b")])
            .append(&["fresh"], vec![s("c")])
            .set(&["settings", "tz"], s("UTC"))
            .increment("version", 1)
            .increment("count", 2);
        let after = u.apply_to(&item);
        assert_eq!(after["name"], s("New"));
        assert_eq!(after["version"], AttributeValue::N("5".into()));
        assert_eq!(after["count"], AttributeValue::N("2".into()));
        assert_eq!(
            after["metadata"],
            AttributeValue::M([("kept".to_owned(), s("y")), ("added".to_owned(), s("z"))].into())
        );
        assert_eq!(after["options"], AttributeValue::L(vec![s("a"), s("b")]));
        assert_eq!(after["fresh"], AttributeValue::L(vec![s("c")]));
        assert_eq!(
            after["settings"],
            AttributeValue::M([("tz".to_owned(), s("UTC"))].into())
        );
        assert!(!after.contains_key("absent"));
        // The item read is untouched.
        assert_eq!(item["name"], s("Old"));
    }
}
