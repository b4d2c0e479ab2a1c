//! What a valid change to an account is: the wire body
//! ([`crate::request::WireBody`]) validated into a [`Change`], with every
//! limit of the contract (and of this endpoint where the contract is
//! silent) a named constant beside the rule that uses it.

use crate::{
    error::{ApiError, invalid},
    request::WireBody,
};
use serde_json::{Map, Value};
use shared::{
    patch::MapMerge,
    validate::{BoundedText, DomainName, JsonValueError, MetadataError, MetadataLimits, StoredJson},
};

/// An account name is at least this many characters (and not only whitespace).
pub const MIN_NAME_CHARS: usize = 1;
/// An account name is at most this many characters.
pub const MAX_NAME_CHARS: usize = 255;
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

/// The metadata limits above, as the shared metadata rule takes them.
pub const METADATA_LIMITS: MetadataLimits = MetadataLimits {
    key_chars: MAX_METADATA_KEY_CHARS,
    value_bytes: MAX_METADATA_VALUE_BYTES,
    value_depth: MAX_METADATA_VALUE_DEPTH,
};

/// An account name: [`MIN_NAME_CHARS`] to [`MAX_NAME_CHARS`] characters, not
/// only whitespace, no control characters.
pub type AccountName = BoundedText<MIN_NAME_CHARS, MAX_NAME_CHARS>;

/// A validated change: at least one part present, every value within the
/// rules. Only [`Change::validate`] makes one.
#[derive(Debug)]
pub struct Change {
    /// New name, if sent.
    pub name: Option<AccountName>,
    /// New domain (normalized), if sent.
    pub domain: Option<DomainName>,
    /// Metadata keys to set (values checked storable) and to remove.
    pub metadata: MapMerge<StoredJson>,
    /// Whether the body had a `metadata` object (possibly empty).
    pub touches_metadata: bool,
}

impl Change {
    /// Validates a parsed body.
    ///
    /// Errors: 413 for more than [`MAX_METADATA_KEYS`] keys set at once, or
    /// a value over [`MAX_METADATA_VALUE_BYTES`]; 400 for everything else
    /// (`null` name, domain or metadata, invalid values, no field at all).
    pub fn validate(raw: WireBody) -> Result<Self, ApiError> {
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

/// The metadata object of a body as a merge: every key 1 to
/// [`MAX_METADATA_KEY_CHARS`] characters without control characters, at
/// most [`MAX_METADATA_KEYS`] keys set, every value set checked by
/// [`metadata_value`]; `null` values become removals.
pub fn metadata_merge(object: Map<String, Value>) -> Result<MapMerge<StoredJson>, ApiError> {
    let merge = MapMerge::from_object(object);
    for key in merge.keys() {
        METADATA_LIMITS.key(key).map_err(|e| metadata_error(key, e))?;
    }
    if merge.set.len() > MAX_METADATA_KEYS {
        return Err(ApiError::TooManyMetadataKeys {
            max: MAX_METADATA_KEYS,
            would_have: merge.set.len(),
        });
    }
    merge.try_map_values(|key, value| metadata_value(key, &value))
}

/// The metadata-value rule (the shared one, [`METADATA_LIMITS`]): one value
/// is at most [`MAX_METADATA_VALUE_BYTES`] as compact JSON
/// ([`ApiError::MetadataValueTooLarge`], 413), nests at most
/// [`MAX_METADATA_VALUE_DEPTH`] levels and holds only numbers DynamoDB can
/// store ([`ApiError::InvalidField`] on `metadata.<key>`, 400).
pub fn metadata_value(key: &str, value: &Value) -> Result<StoredJson, ApiError> {
    METADATA_LIMITS
        .entry(key, value)
        .map_err(|e| metadata_error(key, e))
}

/// A refused metadata entry in this contract's terms.
fn metadata_error(key: &str, e: MetadataError) -> ApiError {
    match e {
        MetadataError::Value(JsonValueError::TooLarge { size, max }) => ApiError::MetadataValueTooLarge {
            key: key.to_owned(),
            size,
            max,
        },
        MetadataError::Value(JsonValueError::Unstorable(e)) => invalid(&format!("metadata.{key}"), e),
        MetadataError::Key(e) => invalid(&format!("metadata.{key}"), e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::JsonObjectBody;
    use lambda_http::Body;
    use serde_json::json;

    fn parse(v: Value) -> Result<Change, ApiError> {
        Change::validate(WireBody::parse(&Body::from(v.to_string()))?)
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
