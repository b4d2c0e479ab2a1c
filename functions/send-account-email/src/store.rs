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

use crate::request::Delivery;
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
use update_current_account::store::outbox::{attrs, outbox_key};

/// What the outbox item still owes for the record's change.
#[derive(Debug)]
pub struct Owed {
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
    if text(&item, attrs::CHANGE) != Some(delivery.change.as_str()) {
        return Ok(Found::Replaced);
    }
    let address = |name| text(&item, name).and_then(|a| EmailAddress::parse(a).ok());
    let Some(to) = address(attrs::TO) else {
        return Ok(Found::Replaced);
    };
    Ok(Found::Owes(Owed {
        to,
        code: text(&item, attrs::CODE).map(str::to_owned),
        notify: address(attrs::NOTIFY),
        expires_at: text(&item, attrs::EXPIRES_AT).and_then(Timestamp::parse),
    }))
}

/// Marks the code of `delivery` sent at `now`, removing it. False when the
/// item no longer owes it (replaced or gone meanwhile).
pub async fn mark_code_sent(table: &Table, delivery: &Delivery, now: Timestamp) -> Result<bool, StoreError> {
    let mut update = Update::new();
    update
        .set(&[attrs::SENT_AT], s(&now.to_string()))
        .remove(&[attrs::CODE]);
    mark(table, delivery, attrs::CODE, update).await
}

/// Marks the notice of `delivery` sent at `now`, removing its address.
/// False when the item no longer owes it.
pub async fn mark_notified(table: &Table, delivery: &Delivery, now: Timestamp) -> Result<bool, StoreError> {
    let mut update = Update::new();
    update
        .set(&[attrs::NOTIFIED_AT], s(&now.to_string()))
        .remove(&[attrs::NOTIFY]);
    mark(table, delivery, attrs::NOTIFY, update).await
}

/// Removes the code and the notice's address of a change whose code
/// expired unsent. False when the item no longer holds the code.
pub async fn drop_expired(table: &Table, delivery: &Delivery) -> Result<bool, StoreError> {
    let mut update = Update::new();
    update.remove(&[attrs::CODE]).remove(&[attrs::NOTIFY]);
    mark(table, delivery, attrs::CODE, update).await
}

/// Applies `update` to the outbox item if it is still about `delivery`'s
/// change and still holds `owed`.
async fn mark(
    table: &Table,
    delivery: &Delivery,
    owed: &str,
    mut update: Update,
) -> Result<bool, StoreError> {
    let still_owed = || Cond::eq_str(attrs::CHANGE, &delivery.change).and(Cond::exists(owed));
    update.require(still_owed());
    // A stream record is no request: its write asks nothing of the driver.
    let result = write(
        &Ctx::detached(),
        table,
        &outbox_key(&delivery.account),
        Some(update.clone()),
        |item: Option<&Item>| {
            // The speculative write failed: it is ours to make again only if
            // the item still owes this (the driver re-conditions it).
            let owes = item.is_some_and(|i| {
                text(i, attrs::CHANGE) == Some(delivery.change.as_str()) && i.contains_key(owed)
            });
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
