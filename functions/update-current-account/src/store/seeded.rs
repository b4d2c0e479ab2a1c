//! The items a seed file puts: a token's principal, an account with its
//! email marker, and a change awaiting confirmation, stored as the PATCH
//! and confirmation writes store them.

use super::{MARKER_OWNER, account_key, attrs, email::ACTIVE, email_key};
use crate::auth::Role;
use aws_sdk_dynamodb::types::AttributeValue;
use shared::{clock::Timestamp, store::Item, validate::EmailAddress};

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

/// The principal a token of `role` on account `account_id` stands for, as
/// its credential item holds it.
pub fn token_principal(account_id: &str, role: Role) -> Item {
    let role = match role {
        Role::Owner => "owner",
        Role::Admin => "admin",
    };
    Item::from([
        ("account_id".to_owned(), s(account_id)),
        ("role".to_owned(), s(role)),
    ])
}

/// An account's fields as seeded, each already checked by the seed.
#[derive(Debug, Clone)]
pub struct SeededAccount<'a> {
    /// Id.
    pub id: &'a str,
    /// Current email.
    pub email: &'a EmailAddress,
    /// Name.
    pub name: &'a str,
    /// `individual` or `business`.
    pub account_type: &'a str,
    /// Status.
    pub status: &'a str,
    /// `required` or `none`.
    pub email_verification: &'a str,
    /// Preferences, as strings.
    pub settings: Vec<(&'a str, &'a str)>,
    /// Creation time, as given.
    pub created_at: &'a str,
    /// Last update time, as given.
    pub updated_at: &'a str,
}

impl SeededAccount<'_> {
    /// The account item, at version 0, with no change pending.
    pub fn item(&self) -> Item {
        let settings = self
            .settings
            .iter()
            .map(|(key, value)| ((*key).to_owned(), s(value)))
            .collect();
        account_key(self.id).into_item_with(Item::from([
            (attrs::ID.to_owned(), s(self.id)),
            (attrs::EMAIL.to_owned(), s(self.email.as_str())),
            (attrs::NAME.to_owned(), s(self.name)),
            (attrs::TYPE.to_owned(), s(self.account_type)),
            (attrs::STATUS.to_owned(), s(self.status)),
            (attrs::EMAIL_VERIFICATION.to_owned(), s(self.email_verification)),
            (attrs::SETTINGS.to_owned(), AttributeValue::M(settings)),
            (attrs::CREATED_AT.to_owned(), s(self.created_at)),
            (attrs::UPDATED_AT.to_owned(), s(self.updated_at)),
            (attrs::VERSION.to_owned(), AttributeValue::N("0".to_owned())),
        ]))
    }

    /// The active marker of the account's address.
    pub fn marker(&self) -> Item {
        email_key(self.email.normalized()).into_item_with(Item::from([
            (MARKER_OWNER.to_owned(), s(self.id)),
            ("state".to_owned(), s(ACTIVE)),
        ]))
    }
}

/// Records on account `item` a change to `new` awaiting the code whose
/// hash is `code_hash`, until `expires_at`, with no attempt made yet.
pub fn pend(item: &mut Item, new: &EmailAddress, code_hash: &str, expires_at: Timestamp) {
    item.insert(attrs::PENDING_EMAIL.to_owned(), s(new.as_str()));
    item.insert(attrs::PENDING_CODE.to_owned(), s(code_hash));
    item.insert(attrs::PENDING_EXPIRES_AT.to_owned(), s(&expires_at.to_string()));
    item.insert(
        attrs::PENDING_ATTEMPTS.to_owned(),
        AttributeValue::N("0".to_owned()),
    );
}
