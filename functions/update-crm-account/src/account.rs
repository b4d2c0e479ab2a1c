//! CRM accounts in DynamoDB: keys, attribute names, and the response shape.
//!
//! Items (tenant first in every key, so another tenant's records cannot be
//! addressed at all):
//!
//! - account: `pk = TENANT#<t>#ACCOUNT#<id>`, `sk = ACCOUNT`, attributes
//!   named as in the contract (`title`, `primaryEmail`, ...) plus `version`;
//! - number claim: `pk = TENANT#<t>#NUMBER#<n>`, `sk = NUMBER`, holding the
//!   `accountId` that owns number `n` (uniqueness within the tenant);
//! - custom field definition: `pk = TENANT#<t>#FIELDS`, `sk = FIELD#<key>`
//!   (see [`crate::custom`]).

use crate::error::ApiError;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use shared::store::{Item, Key, attr};

/// Attribute names of an account item (the contract's field names).
pub mod attrs {
    /// Account id (number).
    pub const ID: &str = "id";
    /// Creation time.
    pub const CREATED_AT: &str = "createdAt";
    /// Last update time.
    pub const UPDATED_AT: &str = "updatedAt";
    /// Title.
    pub const TITLE: &str = "title";
    /// Description (string or NULL).
    pub const DESCRIPTION: &str = "description";
    /// Address lines.
    pub const ADDRESS: &str = "address";
    /// Active flag.
    pub const IS_ACTIVE: &str = "isActive";
    /// Primary email (string or NULL).
    pub const PRIMARY_EMAIL: &str = "primaryEmail";
    /// Primary phone, E.164 (string or NULL).
    pub const PRIMARY_PHONE: &str = "primaryPhone";
    /// Number, unique within the tenant.
    pub const NUMBER: &str = "number";
    /// Custom fields map.
    pub const CUSTOM: &str = "custom";
    /// Account type (string or NULL).
    pub const ACCOUNT_TYPE: &str = "accountType";
    /// Contacts list.
    pub const CONTACTS: &str = "contacts";
    /// Write counter.
    pub const VERSION: &str = "version";
}

/// `residential` or `commercial`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountType {
    /// A home.
    Residential,
    /// A business.
    Commercial,
}

impl AccountType {
    /// The stored and shown form.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountType::Residential => "residential",
            AccountType::Commercial => "commercial",
        }
    }
}

/// The key of an account item.
pub fn account_key(tenant: &str, id: i64) -> Key {
    Key::new(format!("TENANT#{tenant}#ACCOUNT#{id}"), "ACCOUNT")
}

/// The key of the claim on number `n` within a tenant.
pub fn number_key(tenant: &str, number: i64) -> Key {
    Key::new(format!("TENANT#{tenant}#NUMBER#{number}"), "NUMBER")
}

/// A contact as the contract shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// Name.
    pub name: String,
    /// Email, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone (E.164), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Role, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// The 200 response: the full account, in the contract's shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    /// Account id.
    pub id: i64,
    /// Creation time.
    pub created_at: String,
    /// Last update time.
    pub updated_at: String,
    /// Title.
    pub title: String,
    /// Description or null.
    pub description: Option<String>,
    /// Address lines.
    pub address: Vec<String>,
    /// Active flag.
    pub is_active: bool,
    /// Primary email or null.
    pub primary_email: Option<String>,
    /// Primary phone or null.
    pub primary_phone: Option<String>,
    /// Number.
    pub number: i64,
    /// Custom fields.
    pub custom: Map<String, Value>,
    /// Account type or null.
    pub account_type: Option<String>,
    /// Contacts.
    pub contacts: Vec<Contact>,
}

impl AccountView {
    /// The view of a stored account item.
    pub fn from_item(item: &Item) -> Result<Self, ApiError> {
        let bad = |what: &str| ApiError::Internal(format!("stored account has a malformed {what}"));
        let text = |name: &str| match item.get(name) {
            Some(AttributeValue::S(s)) => Some(s.clone()),
            _ => None,
        };
        let number = |name: &str| match item.get(name) {
            Some(AttributeValue::N(n)) => n.parse::<i64>().ok(),
            _ => None,
        };
        let address = match item.get(attrs::ADDRESS) {
            Some(AttributeValue::L(lines)) => lines
                .iter()
                .map(|l| l.as_s().cloned().map_err(|_| bad("address")))
                .collect::<Result<_, _>>()?,
            _ => Vec::new(),
        };
        let contacts = match item.get(attrs::CONTACTS) {
            Some(value @ AttributeValue::L(_)) => {
                serde_dynamo::from_attribute_value(value.clone()).map_err(|_| bad("contacts"))?
            }
            _ => Vec::new(),
        };
        let custom = match item.get(attrs::CUSTOM) {
            Some(AttributeValue::M(map)) => attr::map_to_json(map),
            _ => Map::new(),
        };
        Ok(AccountView {
            id: number(attrs::ID).ok_or_else(|| bad("id"))?,
            created_at: text(attrs::CREATED_AT).ok_or_else(|| bad("createdAt"))?,
            updated_at: text(attrs::UPDATED_AT).ok_or_else(|| bad("updatedAt"))?,
            title: text(attrs::TITLE).ok_or_else(|| bad("title"))?,
            description: text(attrs::DESCRIPTION),
            address,
            is_active: matches!(item.get(attrs::IS_ACTIVE), Some(AttributeValue::Bool(true))),
            primary_email: text(attrs::PRIMARY_EMAIL),
            primary_phone: text(attrs::PRIMARY_PHONE),
            number: number(attrs::NUMBER).ok_or_else(|| bad("number"))?,
            custom,
            account_type: text(attrs::ACCOUNT_TYPE),
            contacts,
        })
    }
}
