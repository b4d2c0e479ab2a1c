//! The items a seed file puts: a token's principal, an account as a PATCH
//! would store its fields, the marker of its address.

use super::{MARKER_OWNER, StoredChange, account_key, attrs, email_key};
use crate::{auth::Role, change::Change, error::ApiError};
use aws_sdk_dynamodb::types::AttributeValue;
use shared::{
    store::{Item, merge},
    validate::EmailAddress,
};

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

/// The principal a token of `role` on `account_ids` stands for, as its
/// credential item holds it.
pub fn token_principal(role: Role, account_ids: &[String]) -> Item {
    let role = match role {
        Role::Admin => "admin",
        Role::Manager => "manager",
        Role::Readonly => "readonly",
    };
    let accounts = AttributeValue::L(account_ids.iter().map(|a| s(a)).collect());
    Item::from([("role".to_owned(), s(role)), ("account_ids".to_owned(), accounts)])
}

/// An account's fields as seeded, each already checked by the seed.
#[derive(Debug, Clone, Copy)]
pub struct SeededAccount<'a> {
    /// Id.
    pub id: &'a str,
    /// Original name.
    pub name: &'a str,
    /// Plan.
    pub plan: &'a str,
    /// Email.
    pub email: &'a EmailAddress,
    /// Creation time, as given.
    pub created_at: &'a str,
    /// Last update time, as given.
    pub updated_at: &'a str,
    /// The updatable fields, as a PATCH body sets them.
    pub change: &'a Change,
}

impl SeededAccount<'_> {
    /// The account item at version 0, `active`, without a phone unless the
    /// change sets one; 500 ([`StoredChange::of`]) for a value DynamoDB
    /// cannot store.
    pub fn item(&self) -> Result<Item, ApiError> {
        let mut item = account_key(self.id).into_item_with(Item::from([
            (attrs::ID.to_owned(), s(self.id)),
            (attrs::NAME.to_owned(), s(self.name)),
            (attrs::PLAN.to_owned(), s(self.plan)),
            (attrs::EMAIL.to_owned(), s(self.email.as_str())),
            (attrs::STATUS.to_owned(), s("active")),
            (attrs::PHONE.to_owned(), AttributeValue::Null(true)),
            (attrs::CREATED_AT.to_owned(), s(self.created_at)),
            (attrs::UPDATED_AT.to_owned(), s(self.updated_at)),
            (attrs::VERSION.to_owned(), AttributeValue::N("0".to_owned())),
        ]));
        let stored = StoredChange::of(self.change)?;
        for (name, value) in stored.fields {
            item.insert(name.to_owned(), value);
        }
        for (attr, map) in [
            (attrs::ADDRESS, &stored.address),
            (attrs::SETTINGS, &stored.settings),
            (attrs::METADATA, &stored.metadata),
        ] {
            item.insert(
                attr.to_owned(),
                AttributeValue::M(merge::merged(&Item::new(), attr, map)),
            );
        }
        Ok(item)
    }

    /// The marker of the account's address.
    pub fn marker(&self) -> Item {
        email_key(self.email.normalized()).into_item_with(Item::from([(MARKER_OWNER.to_owned(), s(self.id))]))
    }
}
