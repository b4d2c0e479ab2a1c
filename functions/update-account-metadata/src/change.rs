//! The request body and its rules: what a valid change to an account is.

use crate::problem::ApiError;
use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::Body;
use serde::Deserialize;
use serde_json::{Map, Value};
use shared::{
    http::{MAX_BODY_BYTES, parse_json_object},
    patch::{MapMerge, Patch},
    store::attr,
    validate::{BoundedText, DomainName, check_map_key},
};

/// At most this many metadata keys on an account, after the merge (413 beyond).
pub const MAX_METADATA_KEYS: usize = 50;
/// At most this many bytes per metadata value, as compact JSON (413 beyond).
pub const MAX_METADATA_VALUE_BYTES: usize = 500;
/// Metadata keys are 1 to this many characters.
pub const MAX_METADATA_KEY_CHARS: usize = 40;
/// A metadata value nests at most this deep (`{"a": [1]}` is 3 levels).
/// DynamoDB allows 32 for a whole item; 16 leaves room and is far beyond
/// what metadata needs.
pub const MAX_METADATA_VALUE_DEPTH: usize = 16;

/// An account name: 1-255 characters, not only whitespace, no control characters.
pub type AccountName = BoundedText<1, 255>;

/// The body as sent: every field optional, unknown fields refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireBody {
    #[serde(default)]
    name: Patch<String>,
    #[serde(default)]
    domain: Patch<String>,
    #[serde(default)]
    metadata: Patch<Map<String, Value>>,
}

/// A validated change: at least one part present, every value within the
/// rules. Only [`Change::parse`] makes one.
#[derive(Debug)]
pub struct Change {
    /// New name, if sent.
    pub name: Option<AccountName>,
    /// New domain (normalized), if sent.
    pub domain: Option<DomainName>,
    /// Metadata keys to set (as DynamoDB values) and to remove.
    pub metadata: MapMerge<AttributeValue>,
    /// Whether the body had a `metadata` object (possibly empty).
    pub touches_metadata: bool,
}

impl Change {
    /// Parses and validates a request body.
    ///
    /// Errors: 413 for a body over 64 KiB, more than [`MAX_METADATA_KEYS`]
    /// keys set at once, or a value over [`MAX_METADATA_VALUE_BYTES`]; 400
    /// for everything else (syntax, types, unknown fields, `null` name,
    /// domain or metadata, invalid values, no field at all).
    pub fn parse(body: &Body) -> Result<Self, ApiError> {
        let raw: WireBody = parse_json_object(body, MAX_BODY_BYTES)?;
        if raw.name.is_absent() && raw.domain.is_absent() && raw.metadata.is_absent() {
            return Err(ApiError::NothingToUpdate);
        }
        let name = raw
            .name
            .non_null()
            .map_err(|e| invalid("name", e))?
            .map(AccountName::parse)
            .transpose()
            .map_err(|e| invalid("name", e))?;
        let domain = raw
            .domain
            .non_null()
            .map_err(|e| invalid("domain", e))?
            .map(|d| DomainName::parse(&d))
            .transpose()
            .map_err(|e| invalid("domain", e))?;
        let object = raw
            .metadata
            .non_null()
            .map_err(|_| invalid("metadata", "must be an object; set a key to null to remove it"))?;
        let touches_metadata = object.is_some();
        let metadata = metadata_merge(object.unwrap_or_default())?;
        Ok(Change {
            name,
            domain,
            metadata,
            touches_metadata,
        })
    }
}

pub(crate) fn metadata_merge(object: Map<String, Value>) -> Result<MapMerge<AttributeValue>, ApiError> {
    let merge = MapMerge::from_object(object);
    for key in merge.keys() {
        check_map_key(key, MAX_METADATA_KEY_CHARS).map_err(|e| invalid(&format!("metadata.{key}"), e))?;
    }
    if merge.set.len() > MAX_METADATA_KEYS {
        return Err(ApiError::TooManyMetadataKeys {
            max: MAX_METADATA_KEYS,
            would_have: merge.set.len(),
        });
    }
    merge.try_map_values(|key, value| metadata_value(key, &value))
}

/// Checks one metadata value (size, depth, DynamoDB's limits) and converts
/// it to the DynamoDB value stored under `key`.
pub(crate) fn metadata_value(key: &str, value: &Value) -> Result<AttributeValue, ApiError> {
    let size = serde_json::to_vec(value).map(|v| v.len()).unwrap_or(usize::MAX);
    if size > MAX_METADATA_VALUE_BYTES {
        return Err(ApiError::MetadataValueTooLarge {
            key: key.to_owned(),
            size,
            max: MAX_METADATA_VALUE_BYTES,
        });
    }
    attr::from_json(value, MAX_METADATA_VALUE_DEPTH).map_err(|e| invalid(&format!("metadata.{key}"), e))
}

fn invalid(field: &str, message: impl ToString) -> ApiError {
    ApiError::InvalidField {
        field: field.to_owned(),
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<Change, ApiError> {
        Change::parse(&Body::from(v.to_string()))
    }

    fn field_of(e: ApiError) -> String {
        match e {
            ApiError::InvalidField { field, .. } => field,
            other => panic!("expected an invalid field, got {other:?}"),
        }
    }

    #[test]
    fn needs_at_least_one_field() {
        assert!(matches!(parse(json!({})), Err(ApiError::NothingToUpdate)));
        assert!(parse(json!({"metadata": {}})).is_ok());
    }

    #[test]
    fn refuses_null_name_domain_and_metadata() {
        assert_eq!(field_of(parse(json!({"name": null})).unwrap_err()), "name");
        assert_eq!(field_of(parse(json!({"domain": null})).unwrap_err()), "domain");
        assert_eq!(
            field_of(parse(json!({"metadata": null})).unwrap_err()),
            "metadata"
        );
    }

    #[test]
    fn name_boundaries() {
        assert!(parse(json!({"name": "a"})).is_ok());
        assert!(parse(json!({"name": "a".repeat(255)})).is_ok());
        assert_eq!(
            field_of(parse(json!({"name": "a".repeat(256)})).unwrap_err()),
            "name"
        );
        assert_eq!(field_of(parse(json!({"name": ""})).unwrap_err()), "name");
        assert_eq!(field_of(parse(json!({"name": " \t "})).unwrap_err()), "name");
    }

    #[test]
    fn domain_is_normalized() {
        let change = parse(json!({"domain": "ACME.com"})).unwrap();
        assert_eq!(change.domain.unwrap().as_str(), "acme.com");
        assert_eq!(
            field_of(parse(json!({"domain": "https://acme.com"})).unwrap_err()),
            "domain"
        );
    }

    #[test]
    fn metadata_limits() {
        let fifty: Map<String, Value> = (0..50).map(|i| (format!("k{i}"), json!(i))).collect();
        assert!(parse(json!({"metadata": fifty})).is_ok());
        let fifty_one: Map<String, Value> = (0..51).map(|i| (format!("k{i}"), json!(i))).collect();
        assert!(matches!(
            parse(json!({"metadata": fifty_one})),
            Err(ApiError::TooManyMetadataKeys {
                max: 50,
                would_have: 51
            })
        ));
        // 500 bytes exactly: a string of 498 characters plus its quotes.
        assert!(parse(json!({"metadata": {"k": "x".repeat(498)}})).is_ok());
        assert!(matches!(
            parse(json!({"metadata": {"k": "x".repeat(499)}})),
            Err(ApiError::MetadataValueTooLarge { size: 501, .. })
        ));
        assert_eq!(
            field_of(parse(json!({"metadata": {"": 1}})).unwrap_err()),
            "metadata."
        );
        assert!(parse(json!({"metadata": {"k".repeat(40): 1}})).is_ok());
        assert!(parse(json!({"metadata": {"k".repeat(41): 1}})).is_err());
    }

    #[test]
    fn metadata_values_must_fit_dynamodb() {
        let mut deep = json!(1);
        for _ in 0..MAX_METADATA_VALUE_DEPTH {
            deep = json!([deep]);
        }
        assert_eq!(
            field_of(parse(json!({"metadata": {"deep": deep}})).unwrap_err()),
            "metadata.deep"
        );
        assert_eq!(
            field_of(parse(json!({"metadata": {"n": 1e200}})).unwrap_err()),
            "metadata.n"
        );
        assert_eq!(
            field_of(parse(json!({"metadata": {"o": {"": 1}}})).unwrap_err()),
            "metadata.o"
        );
    }
}
