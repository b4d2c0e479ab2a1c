//! The account as the contract shows it, read from a stored account item.

use super::{attrs, text};
use crate::{error::ApiError, response::AccountView};
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Map;
use shared::{
    error::Common,
    store::{Item, attr},
};

impl AccountView {
    /// The view of a stored account item; 500 when a contract field is
    /// missing.
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
