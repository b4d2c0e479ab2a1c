//! The outbox: the message a pending email change owes, one item per
//! account (`pk = ACCOUNT#<id>`, `sk = OUTBOX#EMAIL_CHANGE`), written in the
//! same transaction as the change and read by the mailer
//! (`functions/send-account-email`) from the table's stream.
//!
//! While its code is unsent the item holds the code in plaintext: the one
//! place it exists outside the message, until the mailer sends it, or
//! until the item expires or goes (a code the mailer could not send, or
//! whose change was replaced, stays until then; DynamoDB deletes expired
//! items within days of their TTL). The mailer removes the code in the conditional write
//! that marks it sent ([`attrs::SENT_AT`]), and the notice's address in the
//! write that marks the notice sent ([`attrs::NOTIFIED_AT`]); the item
//! itself expires with the code ([`attrs::TTL`]), or goes when the change is
//! confirmed or dropped. A new change replaces the item whole, so a
//! message is always about the change the account awaits now.

use aws_sdk_dynamodb::types::AttributeValue;
use shared::{
    clock::Timestamp,
    store::{Item, Key},
};

/// The outbox item's sort key.
pub const OUTBOX_SK: &str = "OUTBOX#EMAIL_CHANGE";

/// Attribute names of an outbox item.
pub mod attrs {
    /// The new address, where the code goes.
    pub const TO: &str = "to";
    /// The code, until it is sent.
    pub const CODE: &str = "code";
    /// Which change this is: the account's `pending_code_sha256` for it.
    pub const CHANGE: &str = "change";
    /// The account's current address, told of the change (without the
    /// code), until that notice is sent. Absent for an account without one.
    pub const NOTIFY: &str = "notify";
    /// When the change was asked for (RFC 3339).
    pub const CREATED_AT: &str = "created_at";
    /// When the code expires (RFC 3339).
    pub const EXPIRES_AT: &str = "expires_at";
    /// When the code was sent (RFC 3339), set as the code is removed.
    pub const SENT_AT: &str = "sent_at";
    /// When the notice was sent (RFC 3339), set as `notify` is removed.
    pub const NOTIFIED_AT: &str = "notified_at";
    /// Expiry in epoch seconds (the table's TTL attribute).
    pub const TTL: &str = "ttl";
}

/// The key of an account's outbox item.
pub fn outbox_key(id: &(impl AsRef<str> + ?Sized)) -> Key {
    Key::new(format!("ACCOUNT#{}", id.as_ref()), OUTBOX_SK)
}

/// The message a new pending change owes.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    /// The account.
    pub account: &'a str,
    /// The new address.
    pub to: &'a str,
    /// The code, in plaintext.
    pub code: &'a str,
    /// The change's code hash (see [`attrs::CHANGE`]).
    pub change: &'a str,
    /// The account's current address, if it has one.
    pub notify: Option<&'a str>,
    /// When it was asked for.
    pub created_at: Timestamp,
    /// When the code expires.
    pub expires_at: Timestamp,
}

impl Message<'_> {
    /// The outbox item (to put, replacing any earlier one).
    pub fn item(&self) -> Item {
        let s = |t: &str| AttributeValue::S(t.to_owned());
        let mut item = Item::from([
            (attrs::TO.to_owned(), s(self.to)),
            (attrs::CODE.to_owned(), s(self.code)),
            (attrs::CHANGE.to_owned(), s(self.change)),
            (attrs::CREATED_AT.to_owned(), s(&self.created_at.to_string())),
            (attrs::EXPIRES_AT.to_owned(), s(&self.expires_at.to_string())),
            (
                attrs::TTL.to_owned(),
                AttributeValue::N(self.expires_at.unix_seconds().to_string()),
            ),
        ]);
        if let Some(notify) = self.notify {
            item.insert(attrs::NOTIFY.to_owned(), s(notify));
        }
        outbox_key(self.account).into_item_with(item)
    }
}
