//! A JSON value a client stores as given (metadata values), bounded in
//! size and depth and storable in DynamoDB.

use super::map_key::{MapKeyError, check_map_key};
use crate::store::{
    attr::{self, AttrError},
    merge::Stored,
};
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Value;

/// Why a JSON value cannot be stored as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonValueError {
    /// Larger than allowed, as compact JSON.
    #[error("is {size} bytes as compact JSON; at most {max} are allowed")]
    TooLarge {
        /// Its size in bytes.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// Nested too deep, or holding what DynamoDB cannot store.
    #[error("{0}")]
    Unstorable(#[from] AttrError),
}

/// How many bytes `value` takes as compact JSON (`serde_json::to_vec`'s
/// length), counted as it is written, without a buffer. A value that does
/// not serialize counts as `usize::MAX` (over every limit).
pub fn compact_json_len<T: serde::Serialize + ?Sized>(value: &T) -> usize {
    /// Counts what is written to it, keeping nothing.
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    serde_json::to_writer(&mut count, value).map_or(usize::MAX, |()| count.0)
}

/// `value` as the attribute to store: at most `max_bytes` as compact JSON
/// (checked first), at most `max_depth` levels deep, every number within
/// DynamoDB's range and no empty object key.
pub fn stored_json(
    value: &Value,
    max_bytes: usize,
    max_depth: usize,
) -> Result<AttributeValue, JsonValueError> {
    let size = compact_json_len(value);
    if size > max_bytes {
        return Err(JsonValueError::TooLarge { size, max: max_bytes });
    }
    Ok(attr::from_json(value, max_depth)?)
}

/// A JSON value a client stores as given, checked storable
/// ([`StoredJson::check`]). It holds the value's DynamoDB form, which only
/// the store reads ([`StoredJson::attribute`]): a change carries it without
/// naming storage, and the value is converted once.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredJson(AttributeValue);

impl StoredJson {
    /// `value` if it is at most `max_bytes` as compact JSON, at most
    /// `max_depth` levels deep and storable (see [`stored_json`]).
    pub fn check(value: &Value, max_bytes: usize, max_depth: usize) -> Result<Self, JsonValueError> {
        stored_json(value, max_bytes, max_depth).map(StoredJson)
    }

    /// The value as DynamoDB stores it.
    pub fn attribute(&self) -> &AttributeValue {
        &self.0
    }
}

impl Stored for StoredJson {
    fn to_attribute(&self) -> AttributeValue {
        self.0.clone()
    }
}

/// `Ok` when DynamoDB can store the number `n` as sent, else why not
/// ([`AttrError::NumberOutOfRange`]).
pub fn storable_number(n: &serde_json::Number) -> Result<(), AttrError> {
    attr::check_number(n)
}

/// The limits of a free-form metadata map (contracts 000 and 004 each set
/// their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetadataLimits {
    /// A key has 1 to this many characters.
    pub key_chars: usize,
    /// A value is at most this many bytes as compact JSON.
    pub value_bytes: usize,
    /// A value nests at most this many levels.
    pub value_depth: usize,
}

/// Why a metadata entry is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    /// The key (see [`check_map_key`]).
    #[error("{0}")]
    Key(#[from] MapKeyError),
    /// The value (see [`StoredJson::check`]).
    #[error("{0}")]
    Value(#[from] JsonValueError),
}

impl MetadataLimits {
    /// The key rule: 1 to [`MetadataLimits::key_chars`] characters, no
    /// control characters (keys being removed are checked too).
    pub fn key(&self, key: &str) -> Result<(), MetadataError> {
        Ok(check_map_key(key, self.key_chars)?)
    }

    /// The metadata rule for an entry set: its key ([`MetadataLimits::key`])
    /// and its value, checked storable within the limits (size first).
    pub fn entry(&self, key: &str, value: &Value) -> Result<StoredJson, MetadataError> {
        self.key(key)?;
        Ok(StoredJson::check(value, self.value_bytes, self.value_depth)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compact_length_is_what_serde_json_writes() {
        for value in [
            serde_json::json!(null),
            serde_json::json!({"a": [1, 2.5, "é\"\n\u{1}"], "b": {"c": true}}),
            serde_json::json!("x".repeat(600)),
        ] {
            assert_eq!(
                compact_json_len(&value),
                serde_json::to_vec(&value).unwrap().len()
            );
        }
    }
    use serde_json::json;

    #[test]
    fn size_is_checked_before_depth_and_range() {
        assert_eq!(
            stored_json(&json!("x".repeat(20)), 10, 16),
            Err(JsonValueError::TooLarge { size: 22, max: 10 })
        );
        assert!(matches!(
            stored_json(&json!([[[1]]]), 100, 2),
            Err(JsonValueError::Unstorable(AttrError::TooDeep { max: 2 }))
        ));
        assert_eq!(stored_json(&json!(5), 10, 1), Ok(AttributeValue::N("5".into())));
    }

    #[test]
    fn metadata_entries_check_the_key_then_the_value() {
        let limits = MetadataLimits {
            key_chars: 3,
            value_bytes: 10,
            value_depth: 2,
        };
        assert_eq!(
            limits.entry("long", &json!(1)),
            Err(MetadataError::Key(MapKeyError::TooLong { max: 3 }))
        );
        assert_eq!(
            limits.entry("k", &json!("x".repeat(20))),
            Err(MetadataError::Value(JsonValueError::TooLarge {
                size: 22,
                max: 10
            }))
        );
        assert_eq!(
            limits.entry("k", &json!({"a": 1})).map(|v| v.attribute().clone()),
            Ok(AttributeValue::M(
                [("a".to_owned(), AttributeValue::N("1".into()))].into()
            ))
        );
    }
}
