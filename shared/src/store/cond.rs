//! Condition expressions as data, rendered with placeholders.

use super::expr::Placeholders;
use aws_sdk_dynamodb::types::AttributeValue;

/// A document path: attribute name, then map keys (`["metadata", "a.b"]`).
pub type Path = Vec<String>;

fn path(segments: &[&str]) -> Path {
    segments.iter().map(|s| (*s).to_owned()).collect()
}

/// A condition on the item a write targets.
///
/// Tenant / OU scoping, "the item exists", version checks and limits are
/// all conditions of the write itself, so they hold atomically with it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// `attribute_exists(path)`.
    Exists(Path),
    /// `attribute_not_exists(path)`.
    NotExists(Path),
    /// `path = value`.
    Eq(Path, AttributeValue),
    /// `path < value`.
    Lt(Path, AttributeValue),
    /// `contains(path, value)`: a string holds a substring, or a list or set holds an element.
    Contains(Path, AttributeValue),
    /// The condition does not hold.
    Not(Box<Cond>),
    /// `size(path) <= n` (false when the attribute is missing).
    SizeAtMost(Path, usize),
    /// Every condition holds.
    And(Vec<Cond>),
    /// At least one condition holds.
    Or(Vec<Cond>),
}

impl Cond {
    /// `attribute_exists` of a top-level attribute.
    pub fn exists(name: &str) -> Self {
        Cond::Exists(path(&[name]))
    }

    /// `attribute_not_exists` of a top-level attribute.
    pub fn not_exists(name: &str) -> Self {
        Cond::NotExists(path(&[name]))
    }

    /// A top-level attribute equals a value.
    pub fn eq(name: &str, value: AttributeValue) -> Self {
        Cond::Eq(path(&[name]), value)
    }

    /// A top-level string attribute equals a string.
    pub fn eq_str(name: &str, value: &str) -> Self {
        Cond::eq(name, AttributeValue::S(value.to_owned()))
    }

    /// The size of a top-level attribute is at most `n`.
    pub fn size_at_most(name: &str, n: usize) -> Self {
        Cond::SizeAtMost(path(&[name]), n)
    }

    /// The top-level attribute `name` still has the value it has in `item`
    /// (or is still missing): the condition of an exact write planned from
    /// a read (`version`, `updatedAt`).
    pub fn unchanged(item: &super::Item, name: &str) -> Self {
        match item.get(name) {
            Some(value) => Cond::eq(name, value.clone()),
            None => Cond::not_exists(name),
        }
    }

    /// This condition or another.
    pub fn or(self, other: Cond) -> Self {
        match self {
            Cond::Or(mut any) => {
                any.push(other);
                Cond::Or(any)
            }
            first => Cond::Or(vec![first, other]),
        }
    }

    /// The negation of this condition.
    pub fn negate(self) -> Self {
        Cond::Not(Box::new(self))
    }

    /// This condition and another.
    pub fn and(self, other: Cond) -> Self {
        match self {
            Cond::And(mut all) => {
                all.push(other);
                Cond::And(all)
            }
            first => Cond::And(vec![first, other]),
        }
    }

    /// Renders a lone condition (a put, delete or condition check) as the
    /// parts a request takes: `condition` and its placeholder maps.
    pub fn into_parts(self) -> super::ExprParts {
        let mut p = Placeholders::default();
        let condition = Some(self.render(&mut p));
        let (names, values) = p.into_maps();
        super::ExprParts {
            update: None,
            condition,
            names,
            values,
        }
    }

    /// Renders the condition, allocating its placeholders.
    pub fn render(&self, p: &mut Placeholders) -> String {
        let mut out = String::with_capacity(64);
        self.render_into(p, &mut out);
        out
    }

    /// Appends the rendered condition to `out`, allocating its placeholders.
    pub fn render_into(&self, p: &mut Placeholders, out: &mut String) {
        match self {
            Cond::Exists(path) => call("attribute_exists(", path, None, p, out),
            Cond::NotExists(path) => call("attribute_not_exists(", path, None, p, out),
            Cond::Eq(path, value) => compare(path, " = ", value.clone(), p, out),
            Cond::Lt(path, value) => compare(path, " < ", value.clone(), p, out),
            Cond::Contains(path, value) => call("contains(", path, Some(value.clone()), p, out),
            Cond::Not(cond) => {
                out.push_str("NOT (");
                cond.render_into(p, out);
                out.push(')');
            }
            Cond::SizeAtMost(path, n) => {
                out.push_str("size(");
                p.write_path(out, path);
                out.push_str(") <= ");
                p.write_value(out, AttributeValue::N(n.to_string()));
            }
            Cond::And(all) => join(all, " AND ", p, out),
            Cond::Or(any) => join(any, " OR ", p, out),
        }
    }
}

/// `path op value`.
fn compare(path: &[String], op: &str, value: AttributeValue, p: &mut Placeholders, out: &mut String) {
    p.write_path(out, path);
    out.push_str(op);
    p.write_value(out, value);
}

/// `function(path)` or `function(path, value)`.
fn call(
    function: &str,
    path: &[String],
    value: Option<AttributeValue>,
    p: &mut Placeholders,
    out: &mut String,
) {
    out.push_str(function);
    p.write_path(out, path);
    if let Some(value) = value {
        out.push_str(", ");
        p.write_value(out, value);
    }
    out.push(')');
}

fn join(conds: &[Cond], op: &str, p: &mut Placeholders, out: &mut String) {
    for (i, cond) in conds.iter().enumerate() {
        if i > 0 {
            out.push_str(op);
        }
        out.push('(');
        cond.render_into(p, out);
        out.push(')');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_nested_conditions_with_placeholders_only() {
        let cond = Cond::exists("pk")
            .and(Cond::eq_str("ou_id", "ou) OR (1=1"))
            .and(Cond::size_at_most("metadata", 49));
        let mut p = Placeholders::default();
        let text = cond.render(&mut p);
        assert_eq!(
            text,
            "(attribute_exists(#n0)) AND (#n1 = :v0) AND (size(#n2) <= :v1)"
        );
        let (_, values) = p.into_maps();
        assert_eq!(values.unwrap()[":v0"], AttributeValue::S("ou) OR (1=1".into()));
    }
}
