//! The wire body validated into a typed [`Change`]: the value rules of the
//! contract, each limit a named constant next to the rule that uses it.
//! (The body's shape, unknown and immutable fields, is checked before, in
//! [`crate::request::WireBody::parse`]; the role, in
//! [`crate::auth::Principal::check_role`].)

use crate::{
    error::{ApiError, invalid},
    request::WireBody,
};
use serde_json::{Map, Value};
use shared::{
    patch::{MapMerge, Patch},
    validate::{
        BoundedText, EmailAddress, JsonValueError, MetadataError, MetadataLimits, PhoneNumber, is_country,
        is_iana_timezone, is_language_tag,
    },
};

/// At most this many metadata keys on an account (400 beyond).
pub const MAX_METADATA_KEYS: usize = 100;
/// Metadata keys are 1 to this many characters.
pub const MAX_METADATA_KEY_CHARS: usize = 64;
/// A metadata value is at most this many bytes as compact JSON.
pub const MAX_METADATA_VALUE_BYTES: usize = 1024;
/// A metadata value nests at most this many levels of objects and arrays.
pub const MAX_METADATA_VALUE_DEPTH: usize = 16;

/// The metadata limits above, as the shared metadata rule takes them.
pub const METADATA_LIMITS: MetadataLimits = MetadataLimits {
    key_chars: MAX_METADATA_KEY_CHARS,
    value_bytes: MAX_METADATA_VALUE_BYTES,
    value_depth: MAX_METADATA_VALUE_DEPTH,
};

/// `displayName` is at least this many characters.
pub const MIN_DISPLAY_NAME_CHARS: usize = 1;
/// `displayName` is at most this many characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 100;
/// Each address field is at least this many characters.
pub const MIN_ADDRESS_FIELD_CHARS: usize = 1;
/// Each address field is at most this many characters.
pub const MAX_ADDRESS_FIELD_CHARS: usize = 200;
/// The address fields; `country` is an ISO 3166-1 alpha-2 code, the others
/// are text.
pub const ADDRESS_FIELDS: [&str; 5] = ["street", "city", "state", "postalCode", "country"];

/// The settings an account has.
pub const SETTINGS: [&str; 6] = [
    "timezone",
    "language",
    "enableVoiceMail",
    "enableRecording",
    "recordingRetention",
    "smsEnabled",
];
/// `settings.recordingRetention` is at least this many days.
pub const MIN_RECORDING_RETENTION_DAYS: i64 = 1;
/// `settings.recordingRetention` is at most this many days.
pub const MAX_RECORDING_RETENTION_DAYS: i64 = 365;

/// The values `status` may take.
pub const STATUSES: [&str; 3] = ["active", "suspended", "closed"];

/// A `displayName`: [`MIN_DISPLAY_NAME_CHARS`] to [`MAX_DISPLAY_NAME_CHARS`]
/// characters, not blank, no control characters.
pub type DisplayName = BoundedText<MIN_DISPLAY_NAME_CHARS, MAX_DISPLAY_NAME_CHARS>;

/// An account's `status`: only the values in [`STATUSES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// `active`.
    Active,
    /// `suspended`.
    Suspended,
    /// `closed`.
    Closed,
}

impl Status {
    /// The status named `text` exactly as the contract spells it; `None`
    /// for anything not in [`STATUSES`].
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "active" => Some(Self::Active),
            "suspended" => Some(Self::Suspended),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }

    /// The status as the contract spells it (one of [`STATUSES`]).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Closed => "closed",
        }
    }
}

/// A validated change: only values that passed every rule, as domain
/// values (how they are stored is [`crate::store`]'s business).
///
/// Every value in the merges passed its key's rule: address fields are
/// strings (a country an ISO 3166-1 alpha-2 code), settings are strings,
/// booleans or an integer `recordingRetention` in range, and metadata
/// values are JSON within [`MAX_METADATA_VALUE_BYTES`] and
/// [`MAX_METADATA_VALUE_DEPTH`] that DynamoDB can store. No value set in a
/// merge is `null` (a `null` key is in its `remove` list).
#[derive(Debug, Default)]
pub struct Change {
    /// New display name.
    pub display_name: Option<DisplayName>,
    /// New email.
    pub email: Option<EmailAddress>,
    /// New phone (E.164), `Null` to clear it, `Absent` to keep it.
    pub phone: Patch<PhoneNumber>,
    /// New status.
    pub status: Option<Status>,
    /// Address fields to set and remove.
    pub address: MapMerge<Value>,
    /// Settings to set and remove.
    pub settings: MapMerge<Value>,
    /// Metadata keys to set and remove.
    pub metadata: MapMerge<Value>,
    /// `metadata` exactly as sent (`Null` when absent), echoed in the 400
    /// when the stored keys and the new ones together exceed
    /// [`MAX_METADATA_KEYS`].
    pub metadata_sent: Value,
}

/// A string of MIN..=MAX characters, not blank ([`MAX_DISPLAY_NAME_CHARS`],
/// [`MAX_ADDRESS_FIELD_CHARS`] and their minimums).
fn text_value<const MIN: usize, const MAX: usize>(
    field: &str,
    value: &Value,
) -> Result<BoundedText<MIN, MAX>, ApiError> {
    let text = value
        .as_str()
        .ok_or_else(|| invalid(field, format!("{field} must be a string"), Some(value)))?;
    BoundedText::<MIN, MAX>::parse(text.to_owned())
        .map_err(|e| invalid(field, format!("{field} {e}"), Some(value)))
}

impl Change {
    /// Checks every value; the first offending field is a 400
    /// ([`ApiError::Invalid`]) with its value as sent. A body that changes
    /// nothing is a 400 on `body`.
    pub fn validate(wire: WireBody) -> Result<Self, ApiError> {
        let mut change = Change::default();
        match wire.display_name {
            Patch::Absent => {}
            Patch::Null => {
                return Err(invalid(
                    "displayName",
                    "displayName cannot be null",
                    Some(&Value::Null),
                ));
            }
            Patch::Value(v) => {
                let name = text_value::<MIN_DISPLAY_NAME_CHARS, MAX_DISPLAY_NAME_CHARS>("displayName", &v)?;
                change.display_name = Some(name);
            }
        }
        match wire.email {
            Patch::Absent => {}
            Patch::Null => return Err(invalid("email", "email cannot be null", Some(&Value::Null))),
            Patch::Value(v) => {
                let text = v
                    .as_str()
                    .ok_or_else(|| invalid("email", "email must be a string", Some(&v)))?;
                let email = EmailAddress::parse(text)
                    .map_err(|e| invalid("email", format!("email {e}"), Some(&v)))?;
                change.email = Some(email);
            }
        }
        match wire.phone {
            Patch::Absent => {}
            Patch::Null => change.phone = Patch::Null,
            Patch::Value(v) => {
                let text = v
                    .as_str()
                    .ok_or_else(|| invalid("phone", "phone must be a string", Some(&v)))?;
                let phone =
                    PhoneNumber::parse(text).map_err(|e| invalid("phone", format!("phone {e}"), Some(&v)))?;
                change.phone = Patch::Value(phone);
            }
        }
        match wire.status {
            Patch::Absent => {}
            Patch::Value(v) if let Some(status) = v.as_str().and_then(Status::parse) => {
                change.status = Some(status);
            }
            Patch::Value(v) => {
                return Err(invalid(
                    "status",
                    "status must be one of active, suspended, closed",
                    Some(&v),
                ));
            }
            Patch::Null => {
                return Err(invalid(
                    "status",
                    "status must be one of active, suspended, closed",
                    Some(&Value::Null),
                ));
            }
        }
        // Only empty maps can leave a body without changes: it is `{}` plus those.
        let sent_maps: Map<String, Value> = [
            ("address", &wire.address),
            ("settings", &wire.settings),
            ("metadata", &wire.metadata),
        ]
        .into_iter()
        .filter(|(_, patch)| !patch.is_absent())
        .map(|(name, _)| (name.to_owned(), Value::Object(Map::new())))
        .collect();
        if let Patch::Value(Value::Object(keys)) = &wire.metadata
            && keys.values().filter(|v| !v.is_null()).count() > MAX_METADATA_KEYS
        {
            return Err(invalid(
                "metadata",
                format!("an account has at most {MAX_METADATA_KEYS} metadata keys"),
                Some(&Value::Object(keys.clone())),
            ));
        }
        if let Patch::Value(metadata) = &wire.metadata {
            change.metadata_sent = metadata.clone();
        }
        change.address = map("address", wire.address, address_value)?;
        change.settings = map("settings", wire.settings, setting_value)?;
        change.metadata = map("metadata", wire.metadata, metadata_value)?;
        if change.display_name.is_none()
            && change.email.is_none()
            && change.phone.is_absent()
            && change.status.is_none()
            && change.address.is_empty()
            && change.settings.is_empty()
            && change.metadata.is_empty()
        {
            return Err(invalid(
                "body",
                "include at least one field to update",
                Some(&Value::Object(sent_maps)),
            ));
        }
        Ok(change)
    }
}

type ValueRule = fn(&str, &Value) -> Result<Value, ApiError>;

/// A map merged key by key: `null` removes a key; the map itself must be an
/// object (not null, not any other type).
fn map(field: &str, patch: Patch<Value>, rule: ValueRule) -> Result<MapMerge<Value>, ApiError> {
    let object = match patch {
        Patch::Absent => return Ok(MapMerge::default()),
        Patch::Null => {
            return Err(invalid(
                field,
                format!("{field} must be an object"),
                Some(&Value::Null),
            ));
        }
        Patch::Value(Value::Object(object)) => object,
        Patch::Value(other) => {
            return Err(invalid(field, format!("{field} must be an object"), Some(&other)));
        }
    };
    let merge = MapMerge::from_object(object);
    for key in &merge.remove {
        rule(key, &Value::Null)?;
    }
    merge.try_map_values(|key, value| rule(key, &value))
}

/// Address fields; `Value::Null` checks only the key.
fn address_value(key: &str, value: &Value) -> Result<Value, ApiError> {
    let field = format!("address.{key}");
    match key {
        "country" => {
            if value.is_null() {
                return Ok(Value::Null);
            }
            return match value.as_str() {
                Some(code) if is_country(code) => Ok(Value::String(code.to_owned())),
                _ => Err(invalid(
                    field,
                    "country must be an ISO 3166-1 alpha-2 code such as US",
                    Some(value),
                )),
            };
        }
        _ if ADDRESS_FIELDS.contains(&key) => {}
        _ => {
            return Err(invalid(
                field,
                "address fields are street, city, state, postalCode and country",
                Some(value),
            ));
        }
    }
    if value.is_null() {
        return Ok(Value::Null);
    }
    text_value::<MIN_ADDRESS_FIELD_CHARS, MAX_ADDRESS_FIELD_CHARS>(&field, value)
        .map(|text| Value::String(text.into_string()))
}

/// Settings; `Value::Null` checks only the key.
fn setting_value(key: &str, value: &Value) -> Result<Value, ApiError> {
    let field = format!("settings.{key}");
    let bad = |message: &str| invalid(&field, message, Some(value));
    if !SETTINGS.contains(&key) {
        return Err(bad(&format!(
            "unknown setting; settings are {}",
            SETTINGS.join(", ")
        )));
    }
    if value.is_null() {
        return Ok(Value::Null);
    }
    match key {
        "timezone" => match value.as_str() {
            Some(tz) if is_iana_timezone(tz) => Ok(Value::String(tz.to_owned())),
            _ => Err(bad("Invalid timezone format")),
        },
        "language" => match value.as_str() {
            Some(tag) if is_language_tag(tag) => Ok(Value::String(tag.to_owned())),
            _ => Err(bad(
                "language must be an ISO 639-1 code or BCP 47 tag such as en or pt-BR",
            )),
        },
        "recordingRetention" => match value.as_i64() {
            Some(days) if (MIN_RECORDING_RETENTION_DAYS..=MAX_RECORDING_RETENTION_DAYS).contains(&days) => {
                Ok(Value::from(days))
            }
            _ => Err(bad(&format!(
                "recordingRetention must be an integer between {MIN_RECORDING_RETENTION_DAYS} and {MAX_RECORDING_RETENTION_DAYS}"
            ))),
        },
        _ => match value.as_bool() {
            Some(flag) => Ok(Value::Bool(flag)),
            None => Err(bad(&format!("{key} must be true or false"))),
        },
    }
}

/// Metadata keys: 1 to [`MAX_METADATA_KEY_CHARS`] characters. Values: any
/// JSON, at most [`MAX_METADATA_VALUE_BYTES`] compact and
/// [`MAX_METADATA_VALUE_DEPTH`] levels deep (the shared metadata rule,
/// [`METADATA_LIMITS`]); `Value::Null` checks only the key.
fn metadata_value(key: &str, value: &Value) -> Result<Value, ApiError> {
    let field = format!("metadata.{key}");
    let checked = match value {
        Value::Null => METADATA_LIMITS.key(key),
        value => METADATA_LIMITS.entry(key, value).map(|_| ()),
    };
    checked.map(|()| value.clone()).map_err(|e| {
        let message = match e {
            MetadataError::Key(e) => e.to_string(),
            MetadataError::Value(JsonValueError::TooLarge { .. }) => {
                format!("values are at most {MAX_METADATA_VALUE_BYTES} bytes as JSON")
            }
            MetadataError::Value(JsonValueError::Unstorable(e)) => format!("the value {e}"),
        };
        invalid(&field, message, Some(value))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{IMMUTABLE, JsonObjectBody};
    use lambda_http::Body;
    use serde_json::json;

    fn check(v: Value) -> Result<Change, ApiError> {
        Change::validate(WireBody::parse(&Body::from(v.to_string()))?)
    }

    fn details(e: ApiError) -> (String, Option<Value>) {
        match e {
            ApiError::Invalid { field, value, .. } => (field, value),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn display_name_boundaries() {
        assert_eq!(
            details(check(json!({"displayName": ""})).unwrap_err()).0,
            "displayName"
        );
        assert!(check(json!({"displayName": "a"})).is_ok());
        assert!(check(json!({"displayName": "a".repeat(100)})).is_ok());
        assert_eq!(
            details(check(json!({"displayName": "a".repeat(101)})).unwrap_err()).0,
            "displayName"
        );
    }

    #[test]
    fn retention_boundaries_and_timezones() {
        for (days, ok) in [(0, false), (1, true), (365, true), (366, false)] {
            assert_eq!(
                check(json!({"settings": {"recordingRetention": days}})).is_ok(),
                ok,
                "{days}"
            );
        }
        assert!(check(json!({"settings": {"recordingRetention": 1.5}})).is_err());
        assert_eq!(
            details(check(json!({"settings": {"timezone": "Invalid/Timezone"}})).unwrap_err()),
            ("settings.timezone".to_owned(), Some(json!("Invalid/Timezone")))
        );
        assert!(check(json!({"settings": {"timezone": "Etc/GMT+5"}})).is_ok());
    }

    #[test]
    fn immutable_fields_are_named() {
        for field in IMMUTABLE {
            assert_eq!(
                details(check(json!({ field: "x", "displayName": "ok" })).unwrap_err()).0,
                field
            );
        }
    }

    #[test]
    fn phones_and_emails() {
        let change = check(json!({"phone": "+1-555-0200", "email": "neo+admin@Acme.com"})).unwrap();
        assert_eq!(
            change.phone,
            Patch::Value(PhoneNumber::parse("+15550200").unwrap())
        );
        assert_eq!(change.email.unwrap().normalized(), "neo+admin@acme.com");
        assert_eq!(details(check(json!({"phone": "abc"})).unwrap_err()).0, "phone");
    }

    #[test]
    fn more_metadata_keys_than_an_account_may_hold_are_refused() {
        let keys: Map<String, Value> = (0..=MAX_METADATA_KEYS)
            .map(|i| (format!("k{i}"), json!(i)))
            .collect();
        assert_eq!(
            details(check(json!({ "metadata": keys })).unwrap_err()).0,
            "metadata"
        );
    }

    #[test]
    fn address_and_settings_keys_are_checked() {
        assert!(
            check(json!({"address": {"street": "456 Corporate Blvd", "country": "US", "state": null}}))
                .is_ok()
        );
        assert_eq!(
            details(check(json!({"address": {"country": "USA"}})).unwrap_err()).0,
            "address.country"
        );
        assert_eq!(
            details(check(json!({"address": {"zip": "1"}})).unwrap_err()).0,
            "address.zip"
        );
        assert_eq!(
            details(check(json!({"settings": {"theme": "dark"}})).unwrap_err()).0,
            "settings.theme"
        );
        assert_eq!(
            details(check(json!({"settings": {"smsEnabled": "yes"}})).unwrap_err()).0,
            "settings.smsEnabled"
        );
    }
}
