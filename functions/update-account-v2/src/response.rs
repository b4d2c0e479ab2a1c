//! The success view: the full account ([`AccountView`], `metadata`
//! included) read from the item after the write, rendered as `200 OK`.

use crate::{error::ApiError, store::attrs};
use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::{Body, Response, http::StatusCode};
use serde::Serialize;
use serde_json::{Map, Value};
use shared::{
    error::Common,
    http,
    store::{Item, attr},
};

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
    /// The view of a stored account item. Missing maps are empty, a missing
    /// or non-string `phone` is null; any other missing attribute is a 500
    /// ([`Common::Internal`]): the item is not an account.
    pub fn from_item(item: &Item) -> Result<Self, ApiError> {
        let text = |name: &str| match item.get(name) {
            Some(AttributeValue::S(s)) => Some(s.clone()),
            _ => None,
        };
        let required = |name: &str| -> Result<String, ApiError> {
            text(name).ok_or_else(|| Common::Internal(format!("stored account has no {name}")).into())
        };
        let map = |name: &str| match item.get(name) {
            Some(AttributeValue::M(m)) => attr::map_to_json(m),
            _ => Map::new(),
        };
        Ok(AccountView {
            id: required(attrs::ID)?,
            name: required(attrs::NAME)?,
            display_name: required(attrs::DISPLAY_NAME)?,
            email: required(attrs::EMAIL)?,
            phone: text(attrs::PHONE),
            status: required(attrs::STATUS)?,
            plan: required(attrs::PLAN)?,
            address: map(attrs::ADDRESS),
            settings: map(attrs::SETTINGS),
            metadata: map(attrs::METADATA),
            created_at: required(attrs::CREATED_AT)?,
            updated_at: required(attrs::UPDATED_AT)?,
        })
    }

    /// `200 OK` with the view as `application/json` and `x-request-id`.
    pub fn render(&self, request_id: &str) -> Response<Body> {
        http::success(StatusCode::OK, self, request_id)
    }
}
