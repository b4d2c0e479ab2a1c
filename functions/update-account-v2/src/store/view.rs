//! The account as the contract shows it, read from a stored account item.

use super::attrs;
use crate::{error::ApiError, response::AccountView};
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Map;
use shared::{
    error::Common,
    store::{Item, attr},
};

impl AccountView {
    /// The view of a stored account item. Missing maps are empty, a missing
    /// or non-string `phone` is null; any other missing attribute is a 500
    /// ([`Common::Internal`]): the item is not an account.
    pub fn from_item(item: &Item) -> Result<Self, ApiError> {
        let text = |name: &str| attr::text(item, name).map(str::to_owned);
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
}
