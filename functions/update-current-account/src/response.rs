//! The success view: an account item as the contract's 200 body, and its
//! rendering.

use crate::{
    error::ApiError,
    store::{attrs, text},
};
use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::{Body, Response, http::StatusCode};
use serde::Serialize;
use serde_json::{Map, Value};
use shared::{
    error::Common,
    http,
    store::{Item, attr},
};

/// The 200 response, in the contract's shape; `pending_email` appears only
/// while a change awaits confirmation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountView {
    /// Account id.
    pub id: String,
    /// Current email.
    pub email: String,
    /// Name.
    pub name: String,
    /// `individual` or `business`.
    #[serde(rename = "type")]
    pub account_type: String,
    /// Status.
    pub status: String,
    /// Creation time.
    pub created_at: String,
    /// Last update time.
    pub updated_at: String,
    /// Preferences.
    pub settings: Map<String, Value>,
    /// The address awaiting confirmation, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_email: Option<String>,
}

impl AccountView {
    /// The view of a stored account item.
    pub fn from_item(item: &Item) -> Result<Self, ApiError> {
        let field = |name: &str| -> Result<String, ApiError> {
            text(item, name)
                .map(str::to_owned)
                .ok_or_else(|| Common::Internal(format!("stored account has no {name}")).into())
        };
        Ok(AccountView {
            id: field(attrs::ID)?,
            email: field(attrs::EMAIL)?,
            name: field(attrs::NAME)?,
            account_type: field(attrs::TYPE)?,
            status: field(attrs::STATUS)?,
            created_at: field(attrs::CREATED_AT)?,
            updated_at: field(attrs::UPDATED_AT)?,
            settings: match item.get(attrs::SETTINGS) {
                Some(AttributeValue::M(map)) => attr::map_to_json(map),
                _ => Map::new(),
            },
            pending_email: text(item, attrs::PENDING_EMAIL).map(str::to_owned),
        })
    }
}

/// The 200 response for the account `item` (500 when the item lacks a
/// contract field).
pub fn render(item: &Item, request_id: &str) -> Result<Response<Body>, ApiError> {
    let view = AccountView::from_item(item)?;
    Ok(http::success(StatusCode::OK, &view, request_id))
}
