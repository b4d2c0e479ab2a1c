//! JSON values stored as native DynamoDB values, within DynamoDB's limits.
//!
//! Objects become maps (`M`), arrays lists (`L`), strings `S`, numbers `N`,
//! booleans `BOOL`, null `NULL`. [`from_json`] checks what DynamoDB would
//! refuse with a ValidationException (a 500 for us) so endpoints can answer
//! with a 400 instead: nesting depth, empty map keys, numbers out of range.

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{Map, Number, Value};

/// DynamoDB's own nesting limit for documents.
pub const DYNAMODB_MAX_DEPTH: usize = 32;

/// Why a JSON value cannot be stored as a DynamoDB value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttrError {
    /// Nested deeper than allowed.
    #[error("is nested more than {max} levels deep")]
    TooDeep {
        /// The allowed depth (a scalar is depth 1, `[1]` depth 2).
        max: usize,
    },
    /// An object with an empty key.
    #[error("holds an object with an empty key")]
    EmptyKey,
    /// A number DynamoDB cannot store (beyond ±9.9999999999999999999999999999999999999E+125,
    /// or smaller than 1E-130 in magnitude).
    #[error("holds the number {0}, outside the range DynamoDB can store")]
    NumberOutOfRange(String),
}

/// Converts a JSON value; `max_depth` counts the value itself as level 1.
pub fn from_json(value: &Value, max_depth: usize) -> Result<AttributeValue, AttrError> {
    convert(value, 1, max_depth.min(DYNAMODB_MAX_DEPTH))
}

fn convert(value: &Value, depth: usize, max: usize) -> Result<AttributeValue, AttrError> {
    if depth > max {
        return Err(AttrError::TooDeep { max });
    }
    Ok(match value {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::String(s) => AttributeValue::S(s.clone()),
        Value::Number(n) => AttributeValue::N(number(n)?),
        Value::Array(items) => AttributeValue::L(
            items
                .iter()
                .map(|v| convert(v, depth + 1, max))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => AttributeValue::M(
            map.iter()
                .map(|(k, v)| {
                    if k.is_empty() {
                        Err(AttrError::EmptyKey)
                    } else {
                        Ok((k.clone(), convert(v, depth + 1, max)?))
                    }
                })
                .collect::<Result<_, _>>()?,
        ),
    })
}

fn number(n: &Number) -> Result<String, AttrError> {
    check_number(n)?;
    Ok(n.to_string())
}

/// `Ok` when DynamoDB can store `n` ([`from_json`] stores it as `N` with
/// its JSON text), else [`AttrError::NumberOutOfRange`].
pub fn check_number(n: &Number) -> Result<(), AttrError> {
    if n.is_i64() || n.is_u64() {
        return Ok(());
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    let magnitude = f.abs();
    if !f.is_finite() || magnitude >= 1e126 || (magnitude != 0.0 && magnitude < 1e-130) {
        return Err(AttrError::NumberOutOfRange(n.to_string()));
    }
    Ok(())
}

/// Converts a stored DynamoDB value back to JSON. Binary values and sets
/// (which this project never writes) become arrays; numbers come back as
/// integers when they are integers.
pub fn to_json(value: &AttributeValue) -> Value {
    match value {
        AttributeValue::S(s) => Value::String(s.clone()),
        AttributeValue::N(n) => number_to_json(n),
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::L(items) => Value::Array(items.iter().map(to_json).collect()),
        AttributeValue::M(map) => Value::Object(map_to_json(map)),
        AttributeValue::Ss(items) => Value::Array(items.iter().cloned().map(Value::String).collect()),
        AttributeValue::Ns(items) => Value::Array(items.iter().map(|n| number_to_json(n)).collect()),
        _ => Value::Null,
    }
}

/// A string attribute of an item; `None` when missing or of another type.
pub fn text<'a>(item: &'a super::Item, name: &str) -> Option<&'a str> {
    match item.get(name) {
        Some(AttributeValue::S(s)) => Some(s),
        _ => None,
    }
}

/// A string attribute an item must hold: an error naming it when it is
/// missing or of another type (what reading it into a `String` field with
/// serde_dynamo refuses).
pub fn required_text<'a>(item: &'a super::Item, name: &str) -> Result<&'a str, String> {
    match item.get(name) {
        Some(AttributeValue::S(s)) => Ok(s),
        Some(_) => Err(format!("{name} is not a string")),
        None => Err(format!("{name} is missing")),
    }
}

/// A string attribute an item may hold: `None` when absent or `NULL`, an
/// error naming it when it is of another type (as serde_dynamo reads an
/// `Option<String>` field).
pub fn optional_text<'a>(item: &'a super::Item, name: &str) -> Result<Option<&'a str>, String> {
    match item.get(name) {
        Some(AttributeValue::S(s)) => Ok(Some(s)),
        None | Some(AttributeValue::Null(_)) => Ok(None),
        Some(_) => Err(format!("{name} is not a string")),
    }
}

/// Converts a stored map back to a JSON object.
pub fn map_to_json(map: &std::collections::HashMap<String, AttributeValue>) -> Map<String, Value> {
    map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()
}

fn number_to_json(n: &str) -> Value {
    if let Ok(i) = n.parse::<i64>() {
        return Value::from(i);
    }
    if let Ok(u) = n.parse::<u64>() {
        return Value::from(u);
    }
    n.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map(Value::Number)
        .unwrap_or_else(|| Value::String(n.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_attributes_are_read_as_serde_dynamo_reads_them() {
        let item: crate::store::Item = [
            ("s", AttributeValue::S("x".to_owned())),
            ("null", AttributeValue::Null(true)),
            ("n", AttributeValue::N("1".to_owned())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(required_text(&item, "s"), Ok("x"));
        assert_eq!(
            required_text(&item, "null"),
            Err("null is not a string".to_owned())
        );
        assert_eq!(required_text(&item, "n"), Err("n is not a string".to_owned()));
        assert_eq!(required_text(&item, "gone"), Err("gone is missing".to_owned()));
        assert_eq!(optional_text(&item, "s"), Ok(Some("x")));
        assert_eq!(optional_text(&item, "null"), Ok(None));
        assert_eq!(optional_text(&item, "gone"), Ok(None));
        assert_eq!(optional_text(&item, "n"), Err("n is not a string".to_owned()));
    }
    use serde_json::json;

    #[test]
    fn round_trips_every_json_type() {
        let value = json!({"s": "x", "n": 2500, "f": 1.5, "neg": -3, "b": true, "z": null,
                           "l": [1, "a", {"k": []}], "m": {"nested": {"deep": "v"}}});
        let stored = from_json(&value, 10).unwrap();
        assert_eq!(to_json(&stored), value);
    }

    #[test]
    fn enforces_depth() {
        let mut v = json!(1);
        for _ in 0..4 {
            v = json!([v]);
        }
        assert!(from_json(&v, 5).is_ok());
        assert_eq!(from_json(&v, 4), Err(AttrError::TooDeep { max: 4 }));
        assert!(from_json(&v, 100).is_ok());
    }

    #[test]
    fn rejects_empty_keys_and_out_of_range_numbers() {
        assert_eq!(from_json(&json!({"a": {"": 1}}), 5), Err(AttrError::EmptyKey));
        assert!(matches!(
            from_json(&json!(1e200), 5),
            Err(AttrError::NumberOutOfRange(_))
        ));
        assert!(matches!(
            from_json(&json!(1e-200), 5),
            Err(AttrError::NumberOutOfRange(_))
        ));
        assert!(from_json(&json!(0.0), 5).is_ok());
        assert!(from_json(&json!(u64::MAX), 5).is_ok());
    }
}
