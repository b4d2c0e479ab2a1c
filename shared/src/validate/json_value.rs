//! A JSON value a client stores as given (metadata values), bounded in
//! size and depth and storable in DynamoDB.

use crate::store::attr::{self, AttrError};
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

/// `value` as the attribute to store: at most `max_bytes` as compact JSON
/// (checked first), at most `max_depth` levels deep, every number within
/// DynamoDB's range and no empty object key.
pub fn stored_json(
    value: &Value,
    max_bytes: usize,
    max_depth: usize,
) -> Result<AttributeValue, JsonValueError> {
    let size = serde_json::to_vec(value).map(|v| v.len()).unwrap_or(usize::MAX);
    if size > max_bytes {
        return Err(JsonValueError::TooLarge { size, max: max_bytes });
    }
    Ok(attr::from_json(value, max_depth)?)
}

#[cfg(test)]
mod tests {
    use super::*;
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
}
