//! The account as the contract shows it, read from a stored account item.

use super::attrs;
use crate::{error::ApiError, response::AccountView};
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Map;
use shared::store::{Item, attr};

impl AccountView {
    /// The view of a stored account item; 500 when a required attribute is
    /// missing or malformed.
    pub fn from_item(item: &Item) -> Result<Self, ApiError> {
        let bad = |what: &str| -> ApiError {
            shared::error::Common::Internal(format!("stored account has a malformed {what}")).into()
        };
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
