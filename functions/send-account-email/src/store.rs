//! The outbox item as the mailer reads and marks it (its names are the
//! writer's: `update_current_account::store::outbox`).
//!
//! The mailer reads the item (consistently) before sending, so a record
//! delivered again after its messages went out, or about a change that was
//! replaced, confirmed or dropped since, sends nothing. After each message
//! it marks the item through the shared write driver, conditioned on the
//! item still being about the same change and still owing that message:
//!
//! - code sent: `sent_at` set and the code removed, in one write (the code
//!   does not rest in plaintext once sent);
//! - notice sent: `notified_at` set and `notify` removed;
//! - code expired before it could be sent: code and `notify` removed.
//!
//! The item's `ttl` is left as it is.
//!
//! An item written before the outbox named its change (no `change`
//! attribute; the deploy that brings the mailer finds such items) is about
//! the change its code hashes to, which is what `change` would hold; its
//! marks are conditioned on the item still having no `change` and still
//! holding that very code. Such items have no `notify`: their code is sent,
//! and no notice.

use crate::{mail::Kind, request::Delivery};
use shared::{
    Ctx,
    clock::Timestamp,
    store::{
        Cond, Item, StoreError, Table, Update,
        attr::text,
        write::{Failure, write},
    },
    validate::EmailAddress,
};
use update_current_account::{
    change::code::code_hash,
    store::outbox::{attrs, outbox_key},
};

/// What the outbox item still owes for the record's change.
#[derive(Debug)]
pub struct Owed {
    /// Which change it is, as the marks find it again.
    pub about: About,
    /// The new address (the code message's recipient).
    pub to: EmailAddress,
    /// The code, while it is unsent.
    pub code: Option<String>,
    /// The current address, while its notice is unsent.
    pub notify: Option<EmailAddress>,
    /// When the code expires.
    pub expires_at: Option<Timestamp>,
}

/// The outbox as it is now, for a record's change.
#[derive(Debug)]
pub enum Found {
    /// It is about the record's change.
    Owes(Owed),
    /// There is no outbox item: the change was confirmed or dropped, or it
    /// expired.
    Gone,
    /// The item is about a newer change (its own record sends it), or its
    /// addresses cannot be read.
    Replaced,
}

/// Reads the outbox item of `delivery`'s account (strongly consistent).
pub async fn find(table: &Table, delivery: &Delivery) -> Result<Found, StoreError> {
    let Some(item) = table.get(&outbox_key(&delivery.account), true).await? else {
        return Ok(Found::Gone);
    };
    let Some(about) = About::of(&item, delivery) else {
        return Ok(Found::Replaced);
    };
    let address = |name| text(&item, name).and_then(|a| EmailAddress::parse(a).ok());
    let Some(to) = address(attrs::TO) else {
        return Ok(Found::Replaced);
    };
    Ok(Found::Owes(Owed {
        about,
        to,
        code: text(&item, attrs::CODE).map(str::to_owned),
        notify: address(attrs::NOTIFY),
        expires_at: text(&item, attrs::EXPIRES_AT).and_then(Timestamp::parse),
    }))
}

/// Which change an outbox item is about, as its marks find it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum About {
    /// The item names its change (`change`).
    Change(String),
    /// An item written before outbox items named their change: the change
    /// its code hashes to, found again by that code.
    Code(String),
}

impl About {
    /// What `item` is about, when that is `delivery`'s change.
    fn of(item: &Item, delivery: &Delivery) -> Option<About> {
        match (text(item, attrs::CHANGE), text(item, attrs::CODE)) {
            (Some(change), _) => (change == delivery.change).then(|| About::Change(change.to_owned())),
            (None, Some(code)) => {
                (code_hash(&delivery.account, code) == delivery.change).then(|| About::Code(code.to_owned()))
            }
            (None, None) => None,
        }
    }

    /// The item is still about this change.
    fn holds_of(&self, item: &Item) -> bool {
        match self {
            About::Change(change) => text(item, attrs::CHANGE) == Some(change.as_str()),
            About::Code(code) => {
                text(item, attrs::CHANGE).is_none() && text(item, attrs::CODE) == Some(code.as_str())
            }
        }
    }

    /// The condition that the item is still about this change.
    fn condition(&self) -> Cond {
        match self {
            About::Change(change) => Cond::eq_str(attrs::CHANGE, change),
            // Such an item owes only its code (`notify` came with
            // `change`), so this holds until the code is marked sent.
            About::Code(code) => Cond::not_exists(attrs::CHANGE).and(Cond::eq_str(attrs::CODE, code)),
        }
    }
}

/// Marks the message of `kind` for `delivery` sent at `now`: the code's
/// `sent_at` with the code removed, or the notice's `notified_at` with its
/// address removed. False when the item no longer owes it (replaced or
/// gone meanwhile).
pub async fn mark_sent(
    table: &Table,
    delivery: &Delivery,
    about: &About,
    kind: Kind,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let (sent_at, owed) = match kind {
        Kind::Code => (attrs::SENT_AT, attrs::CODE),
        Kind::Notice => (attrs::NOTIFIED_AT, attrs::NOTIFY),
    };
    let mut update = Update::new();
    update.set(&[sent_at], s(&now.to_string())).remove(&[owed]);
    mark(table, delivery, about, owed, update).await
}

/// Removes the code and the notice's address of a change whose code
/// expired unsent. False when the item no longer holds the code.
pub async fn drop_expired(table: &Table, delivery: &Delivery, about: &About) -> Result<bool, StoreError> {
    let mut update = Update::new();
    update.remove(&[attrs::CODE]).remove(&[attrs::NOTIFY]);
    mark(table, delivery, about, attrs::CODE, update).await
}

/// Applies `update` to `delivery`'s outbox item if it is still `about`
/// the same change and still holds `owed`.
async fn mark(
    table: &Table,
    delivery: &Delivery,
    about: &About,
    owed: &str,
    mut update: Update,
) -> Result<bool, StoreError> {
    update.require(about.condition().and(Cond::exists(owed)));
    // A stream record is no request: its write asks nothing of the driver.
    let result = write(
        &Ctx::detached(),
        table,
        &outbox_key(&delivery.account),
        Some(update.clone()),
        |item: Option<&Item>| {
            // The speculative write failed: it is ours to make again only if
            // the item still owes this (the driver re-conditions it).
            let owes = item.is_some_and(|i| about.holds_of(i) && i.contains_key(owed));
            if owes { Ok(update.clone().into()) } else { Err(()) }
        },
    )
    .await;
    match result {
        Ok(_) => Ok(true),
        Err(Failure::Refused(())) => Ok(false),
        Err(Failure::Store(e)) => Err(e),
        Err(Failure::Contention) => Err(StoreError::Unavailable(
            "the outbox item kept changing".to_owned(),
        )),
        Err(other) => Err(StoreError::Failed(format!(
            "unexpected outcome of a mark: {other:?}"
        ))),
    }
}

fn s(text: &str) -> aws_sdk_dynamodb::types::AttributeValue {
    aws_sdk_dynamodb::types::AttributeValue::S(text.to_owned())
}
