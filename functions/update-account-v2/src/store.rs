//! v2 accounts in DynamoDB: keys, attribute names, and the one write that
//! applies a [`Change`], planned here and committed by the shared driver
//! ([`shared::store::write::write`]).
//!
//! Items:
//! - account: `pk = ACCOUNT#<id>`, `sk = ACCOUNT`, attributes named as the
//!   contract names them ([`attrs`]: `id`, `name`, `displayName`, `email`,
//!   `phone`, `status`, `plan`, `address`, `settings`, `metadata`,
//!   `createdAt`, `updatedAt`) plus `version`, which every write bumps;
//! - email marker: `pk = EMAIL#<normalized>`, `sk = EMAIL`, naming the
//!   owning account in [`MARKER_OWNER`] (see [`shared::store::claims`]).
//!
//! # The write
//!
//! Without an email: one UpdateItem (the driver's `first`, no read before
//! it); `address`, `settings` and `metadata` merged key by key (`metadata`
//! bounded to [`MAX_METADATA_KEYS`], assuming every key new); `ALL_NEW`
//! gives the response. If the account is missing, a map is missing or the
//! bound is too strict, the plan writes the merged maps whole from the item
//! as it is, conditioned on the account's `version`.
//!
//! With an email: no speculative write; the plan, from the account as read,
//! is one TransactWriteItems: the same exact update plus the email,
//! conditioned on `version`, the new address's marker claimed, the old one
//! released. The same address in another case claims nothing. A taken
//! address is 409 ([`ApiError::EmailTaken`]).
//!
//! Either way the item after the write comes from the driver (the exact
//! [`Update`] applied to the item read, for a transaction): the update is
//! the single source of truth for what the write did.
//!
//! The [`Change`] holds domain values; [`StoredChange::of`] is the one place
//! they become attribute names and [`AttributeValue`]s. [`view`] reads the
//! item after the write into the contract's view; [`seeded`] builds the
//! seed's items.

pub mod seeded;
pub mod view;

use crate::{
    change::{Change, MAX_METADATA_KEYS},
    error::{ApiError, invalid},
    request::AccountId,
};
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Value;
use shared::{
    Ctx,
    clock::Timestamp,
    error::{Common, from_write_failure},
    patch::{MapMerge, Patch},
    store::{
        Cond, Item, Key, PK, Table, Update, attr,
        claims::{Owner, marker_key},
        merge,
        write::{Plan, Transaction, write as drive},
    },
    validate::EmailAddress,
};

/// Attribute names of an account item.
pub mod attrs {
    /// The account id.
    pub const ID: &str = "id";
    /// Original name (immutable).
    pub const NAME: &str = "name";
    /// Display name.
    pub const DISPLAY_NAME: &str = "displayName";
    /// Email, as sent (its marker holds the normalized form).
    pub const EMAIL: &str = "email";
    /// Phone in E.164, or null.
    pub const PHONE: &str = "phone";
    /// `active`, `suspended` or `closed`.
    pub const STATUS: &str = "status";
    /// Plan (immutable here).
    pub const PLAN: &str = "plan";
    /// Billing address (a map).
    pub const ADDRESS: &str = "address";
    /// Settings (a map).
    pub const SETTINGS: &str = "settings";
    /// Custom metadata (a map).
    pub const METADATA: &str = "metadata";
    /// Creation time, RFC 3339.
    pub const CREATED_AT: &str = "createdAt";
    /// Last update time, RFC 3339.
    pub const UPDATED_AT: &str = "updatedAt";
    /// Write counter, bumped by every write.
    pub const VERSION: &str = "version";
}

/// Marker attribute naming the account that holds an email.
pub const MARKER_OWNER: &str = "account_id";

/// The namespace of email markers (`pk = EMAIL#<normalized>`, `sk = EMAIL`).
pub const EMAIL_NAMESPACE: &str = "EMAIL";

/// The key of an account item (`ACCOUNT#<id>` / `ACCOUNT`).
pub fn account_key(id: &str) -> Key {
    Key::new(format!("ACCOUNT#{id}"), "ACCOUNT")
}

/// The key of the marker of a normalized email.
pub fn email_key(normalized: &str) -> Key {
    marker_key(EMAIL_NAMESPACE, normalized)
}

/// A [`Change`] as the account item stores it: attribute names and
/// [`AttributeValue`]s, nothing else decided.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredChange {
    /// Plain attributes to set, in the order written: `displayName`,
    /// `phone` (E.164, or `NULL` to clear it), `status`; each only when sent.
    pub fields: Vec<(&'static str, AttributeValue)>,
    /// `address` fields to set and remove.
    pub address: MapMerge<AttributeValue>,
    /// `settings` to set and remove.
    pub settings: MapMerge<AttributeValue>,
    /// `metadata` keys to set and remove.
    pub metadata: MapMerge<AttributeValue>,
}

impl StoredChange {
    /// Converts every value of `change`; JSON values as
    /// [`attr::from_json`] stores them (strings `S`, integers `N`, booleans
    /// `BOOL`, objects `M`, arrays `L`). A value the change's rules let
    /// through but DynamoDB could not store is a 500 ([`Common::Internal`]):
    /// the rules in [`crate::change`] exclude it.
    pub fn of(change: &Change) -> Result<Self, ApiError> {
        let mut fields = Vec::new();
        if let Some(name) = &change.display_name {
            fields.push((attrs::DISPLAY_NAME, AttributeValue::S(name.as_str().to_owned())));
        }
        match &change.phone {
            Patch::Absent => {}
            Patch::Null => fields.push((attrs::PHONE, AttributeValue::Null(true))),
            Patch::Value(phone) => fields.push((attrs::PHONE, AttributeValue::S(phone.as_str().to_owned()))),
        }
        if let Some(status) = change.status {
            fields.push((attrs::STATUS, AttributeValue::S(status.as_str().to_owned())));
        }
        Ok(Self {
            fields,
            address: stored_merge(attrs::ADDRESS, &change.address)?,
            settings: stored_merge(attrs::SETTINGS, &change.settings)?,
            metadata: stored_merge(attrs::METADATA, &change.metadata)?,
        })
    }
}

/// Each value of `merge` as an attribute value ([`attr::from_json`]).
fn stored_merge(name: &str, merge: &MapMerge<Value>) -> Result<MapMerge<AttributeValue>, ApiError> {
    merge.clone().try_map_values(|key, value| {
        attr::from_json(&value, attr::DYNAMODB_MAX_DEPTH).map_err(|e| {
            Common::Internal(format!(
                "{name}.{key} passed validation but cannot be stored: {e}"
            ))
            .into()
        })
    })
}

/// Each merged map, with its bound on keys and the map as sent (echoed in
/// the 400 when the bound is passed), where it has one.
type MergedMap<'a> = (
    &'static str,
    &'a MapMerge<AttributeValue>,
    Option<(usize, &'a Value)>,
);

fn maps<'a>(change: &'a Change, stored: &'a StoredChange) -> [MergedMap<'a>; 3] {
    [
        (attrs::ADDRESS, &stored.address, None),
        (attrs::SETTINGS, &stored.settings, None),
        (
            attrs::METADATA,
            &stored.metadata,
            Some((MAX_METADATA_KEYS, &change.metadata_sent)),
        ),
    ]
}

/// Applies `change` to account `id` in one conditional write; returns the
/// account item after it. Errors: 404 ([`Common::NotFound`]) when the
/// account is gone, 400 when the merged metadata would pass
/// [`MAX_METADATA_KEYS`], 409 when the email is taken
/// ([`ApiError::EmailTaken`]) or the account kept changing
/// ([`Common::Contention`]), and the store's errors.
pub async fn write(ctx: &Ctx, table: &Table, id: &AccountId, change: &Change) -> Result<Item, ApiError> {
    let key = account_key(id.as_str());
    let stored = StoredChange::of(change)?;
    let first = change
        .email
        .is_none()
        .then(|| speculative(change, &stored, Timestamp::now()));
    let owner = Owner::new(MARKER_OWNER, AttributeValue::S(id.as_str().to_owned()));
    drive(ctx, table, &key, first, |item| {
        let item = item.ok_or(Common::NotFound)?;
        let update = exact(change, &stored, item, Timestamp::now())?;
        let Some(email) = &change.email else {
            return Ok(Plan::Item(update));
        };
        let old = item
            .get(attrs::EMAIL)
            .and_then(|e| e.as_s().ok())
            .and_then(|e| EmailAddress::parse(e).ok())
            .map(|e| email_key(e.normalized()));
        let mut transaction = Transaction::new(table, &key, update);
        transaction.move_claim(&owner, &email_key(email.normalized()), old.as_ref(), Item::new());
        Ok(Plan::Transaction(transaction))
    })
    .await
    .map_err(|failure| {
        from_write_failure(failure, |_| match &change.email {
            Some(email) => ApiError::EmailTaken(email.as_str().to_owned()),
            None => Common::Internal("an email claim failed in a write without one".to_owned()).into(),
        })
    })
}

/// The one-call update without a read: fields set, maps merged key by key,
/// on the condition that the account and every merged map exist (and
/// `metadata` has room for every key set, as if all were new).
fn speculative(change: &Change, stored: &StoredChange, now: Timestamp) -> Update {
    let mut update = Update::new();
    set_fields(&mut update, change, stored, now);
    update.require(Cond::exists(PK));
    for (attr, merge, max) in maps(change, stored) {
        if !merge.is_empty() {
            merge::merge_keys(&mut update, attr, merge, max.map(|(max, _)| max));
        }
    }
    update
}

/// Plain fields, the email when one is sent, `updatedAt`, version bump.
fn set_fields(update: &mut Update, change: &Change, stored: &StoredChange, now: Timestamp) {
    for (name, value) in &stored.fields {
        update.set(&[*name], value.clone());
    }
    if let Some(email) = &change.email {
        update.set(&[attrs::EMAIL], AttributeValue::S(email.as_str().to_owned()));
    }
    update.set(&[attrs::UPDATED_AT], AttributeValue::S(now.to_string()));
    update.increment(attrs::VERSION, 1);
}

/// The exact update from the account as it is: maps merged whole, version
/// checked; a 400 when the merged `metadata` would pass its bound.
fn exact(change: &Change, stored: &StoredChange, item: &Item, now: Timestamp) -> Result<Update, ApiError> {
    let mut update = Update::new();
    set_fields(&mut update, change, stored, now);
    update.require(Cond::unchanged(item, attrs::VERSION));
    for (attr, merge, max) in maps(change, stored) {
        if merge.is_empty() {
            continue;
        }
        let merged = merge::merged(item, attr, merge);
        if let Some((max, sent)) = max
            && merged.len() > max
        {
            return Err(invalid(
                attr,
                format!("an account has at most {max} {attr} keys"),
                Some(sent),
            ));
        }
        merge::set_merged(&mut update, attr, merged);
    }
    Ok(update)
}
