//! v2 accounts in DynamoDB and the response shape.
//!
//! Items:
//! - account: `pk = ACCOUNT#<id>`, `sk = ACCOUNT`, attributes named as the
//!   contract names them (`id`, `name`, `displayName`, `email`, `phone`,
//!   `status`, `plan`, `address`, `settings`, `metadata`, `createdAt`,
//!   `updatedAt`) plus `version`;
//! - email marker: `pk = EMAIL#<normalized>`, `sk = EMAIL`, naming the
//!   owning `account_id` (see [`shared::store::claims`]).

use crate::error::ApiError;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;
use serde_json::{Map, Value};
use shared::store::{Item, Key, attr, claims::marker_key};

/// Marker attribute naming the account that holds an email.
pub const MARKER_OWNER: &str = "account_id";

/// The key of an account item.
pub fn account_key(id: &str) -> Key {
    Key::new(format!("ACCOUNT#{id}"), "ACCOUNT")
}

/// The key of the marker of a normalized email.
pub fn email_key(normalized: &str) -> Key {
    marker_key("EMAIL", normalized)
}

/// The 200 response: the full account.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    /// Id.
    pub id: String,
    /// Original name (immutable).
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// Email.
    pub email: String,
    /// Phone (E.164) or null.
    pub phone: Option<String>,
    /// `active`, `suspended` or `closed`.
    pub status: String,
    /// Plan (immutable here).
    pub plan: String,
    /// Billing address.
    pub address: Map<String, Value>,
    /// Settings.
    pub settings: Map<String, Value>,
    /// Custom metadata.
    pub metadata: Map<String, Value>,
    /// Creation time.
    pub created_at: String,
    /// Last update time.
    pub updated_at: String,
}

impl AccountView {
    /// The view of a stored account item.
    pub fn from_item(item: &Item) -> Result<Self, ApiError> {
        let text = |name: &str| match item.get(name) {
            Some(AttributeValue::S(s)) => Some(s.clone()),
            _ => None,
        };
        let required = |name: &str| {
            text(name).ok_or_else(|| ApiError::Internal(format!("stored account has no {name}")))
        };
        let map = |name: &str| match item.get(name) {
            Some(AttributeValue::M(m)) => attr::map_to_json(m),
            _ => Map::new(),
        };
        Ok(AccountView {
            id: required("id")?,
            name: required("name")?,
            display_name: required("displayName")?,
            email: required("email")?,
            phone: text("phone"),
            status: required("status")?,
            plan: required("plan")?,
            address: map("address"),
            settings: map("settings"),
            metadata: map("metadata"),
            created_at: required("createdAt")?,
            updated_at: required("updatedAt")?,
        })
    }
}
