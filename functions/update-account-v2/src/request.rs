//! What the request carries, before any value rule of [`crate::change`]:
//! the method, the account id from the path (validated on parse, see
//! [`AccountId`]), and the body as sent ([`WireBody`]: its shape, unknown
//! and immutable fields refused). [`sent`] finds the value a client sent for
//! a field named by a shape error.

pub mod sent;

use crate::error::{ApiError, invalid};
use lambda_http::{Body, Request, http::Method};
use serde::Deserialize;
use serde_json::Value;
pub use shared::http::JsonObjectBody;
use shared::{
    http::{self, MAX_BODY_BYTES, parse_json_object},
    patch::Patch,
    validate::is_record_id,
};

/// The one method this route serves.
pub const METHOD: Method = Method::PATCH;

/// The path parameter naming the account (`/v2/accounts/{accountId}`).
pub const ACCOUNT_ID_PARAM: &str = "accountId";

/// Fields the contract calls immutable: sending one is a 400 naming it.
pub const IMMUTABLE: [&str; 4] = ["id", "name", "plan", "createdAt"];

/// An account id: 1-128 ASCII letters, digits, `_` or `-`
/// ([`shared::validate::is_record_id`]). Only [`AccountId::from_path`] makes
/// one, so access checks and keys are never built from an unchecked id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountId(String);

impl AccountId {
    /// The id in the request's path. A missing or malformed id is a 400 on
    /// `accountId` whose `details.value` is the id as sent (left out when
    /// the path holds none).
    pub fn from_path(req: &Request) -> Result<Self, ApiError> {
        let sent = http::path_param(req, ACCOUNT_ID_PARAM);
        let id = sent.unwrap_or_default();
        if !is_record_id(id) {
            return Err(invalid(
                ACCOUNT_ID_PARAM,
                "accountId must be 1-128 letters, digits, '_' or '-'",
                sent.map(|id| Value::String(id.to_owned())).as_ref(),
            ));
        }
        Ok(AccountId(id.to_owned()))
    }

    /// The id, as validated.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The body as sent: every field optional (absent, `null` or a value, kept
/// apart by [`Patch`]), unknown fields refused. Immutable fields are
/// captured only to be refused by name ([`WireBody::parse`]); values are
/// kept as JSON so that a 400 can echo them exactly as sent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WireBody {
    #[serde(default)]
    id: Patch<Value>,
    #[serde(default)]
    name: Patch<Value>,
    #[serde(default)]
    plan: Patch<Value>,
    #[serde(default)]
    created_at: Patch<Value>,
    /// `displayName`, as sent.
    #[serde(default)]
    pub display_name: Patch<Value>,
    /// `email`, as sent.
    #[serde(default)]
    pub email: Patch<Value>,
    /// `phone`, as sent.
    #[serde(default)]
    pub phone: Patch<Value>,
    /// `address`, as sent (an object to merge).
    #[serde(default)]
    pub address: Patch<Value>,
    /// `settings`, as sent (an object to merge).
    #[serde(default)]
    pub settings: Patch<Value>,
    /// `status`, as sent; only admins may change it.
    #[serde(default)]
    pub status: Patch<Value>,
    /// `metadata`, as sent (an object to merge).
    #[serde(default)]
    pub metadata: Patch<Value>,
}

/// Read by the shared body rules ([`JsonObjectBody`]: 415, 413, 400),
/// with the immutable fields refused by name.
impl JsonObjectBody for WireBody {
    type Error = ApiError;

    /// Parses the body's shape: at most [`MAX_BODY_BYTES`] (413), a JSON
    /// object, known fields, no [`IMMUTABLE`] field (400). A 400 that names
    /// a field carries the field's value as sent ([`sent::shape_error`]).
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let wire: WireBody =
            parse_json_object(body, MAX_BODY_BYTES).map_err(|e| sent::shape_error(body, e))?;
        for (field, patch) in IMMUTABLE
            .iter()
            .zip([&wire.id, &wire.name, &wire.plan, &wire.created_at])
        {
            if !patch.is_absent() {
                let value = match patch {
                    Patch::Value(v) => Some(v.clone()),
                    _ => Some(Value::Null),
                };
                return Err(ApiError::Invalid {
                    field: (*field).to_owned(),
                    message: format!("{field} is immutable and cannot be updated"),
                    value,
                });
            }
        }
        Ok(wire)
    }
}
