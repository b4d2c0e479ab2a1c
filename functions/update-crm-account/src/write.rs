//! Applying a validated change: one UpdateItem, or one TransactWriteItems
//! when a number claim or a new custom option is involved. Either every
//! part is written or none is.
//!
//! - Plain path (no number, no new option): `SET` the fields, merge
//!   `custom` key by key, `ADD version 1`, under `attribute_exists(pk)`;
//!   `ALL_NEW` gives the response. A missing `custom` map falls back to an
//!   exact write of the merged map, conditioned on `version`.
//! - Transactional path: read the account (for its `version` and current
//!   number), then one transaction: the account update conditioned on that
//!   `version`; the claim on the new number (`attribute_not_exists(pk) OR
//!   accountId = :me`) and the release of the old one; each new option
//!   appended to its definition, conditioned on the definition's `version`
//!   (at most [`MAX_FIELDS_WITH_NEW_OPTIONS`] of them, checked by
//!   [`custom::plan`] before anything is written, so the transaction never
//!   exceeds DynamoDB's [`DYNAMODB_MAX_TRANSACTION_ACTIONS`]).
//!   Cancellation reasons decide: the claim failed -> 409; the account is
//!   gone -> 404; anything else changed meanwhile -> read, re-check, retry.
//!   The response is the read item with the change applied, which is
//!   exactly what the conditioned write stored.

use crate::{
    account::{AccountView, account_key, attrs, number_key},
    change::{AccountId, Change},
    custom::{self, CustomPlan},
    error::ApiError,
};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use shared::{
    clock::Timestamp,
    store::{
        Cond, Item, PK, Table, Update,
        claims::{self, Commit, Owner},
        merge, optimistic, transact,
    },
};

/// Attribute of a number claim naming the account that owns the number.
pub const CLAIM_OWNER: &str = "accountId";

/// DynamoDB's limit on the actions of one TransactWriteItems.
pub const DYNAMODB_MAX_TRANSACTION_ACTIONS: usize = 100;
/// The entries the account write itself may need in the transaction: the
/// account update, the claim on its new number, the release of its old one.
pub const ACCOUNT_WRITE_ACTIONS: usize = 3;
/// At most this many fields may gain new options in one request: each
/// needs its own entry in the transaction, beside the account write's.
pub const MAX_FIELDS_WITH_NEW_OPTIONS: usize = DYNAMODB_MAX_TRANSACTION_ACTIONS - ACCOUNT_WRITE_ACTIONS;

/// Applies `change` to account `id` of `tenant`; returns the account after.
pub async fn apply(
    table: &Table,
    tenant: &str,
    id: AccountId,
    change: &Change,
    allow_new_options: bool,
) -> Result<AccountView, ApiError> {
    for _ in 0..optimistic::MAX_ATTEMPTS {
        let custom = if change.custom.is_empty() {
            CustomPlan::default()
        } else {
            custom::plan(
                &custom::load(table, tenant).await?,
                &change.custom,
                allow_new_options,
            )?
        };
        if change.number.is_none() && custom.new_options.is_empty() {
            return plain(table, tenant, id, change, &custom).await;
        }
        if let Some(view) = transactional(table, tenant, id, change, &custom).await? {
            return Ok(view);
        }
    }
    Err(ApiError::Contention)
}

/// SET of every plain field, `updatedAt`, and the version bump.
fn fields_update(change: &Change, now: Timestamp) -> Update {
    let mut update = Update::new();
    for (name, value) in &change.assignments {
        update.set(&[*name], value.clone());
    }
    update
        .set(&[attrs::UPDATED_AT], AttributeValue::S(now.to_string()))
        .increment(attrs::VERSION, 1)
        .require(Cond::exists(PK));
    update
}

fn require_version(update: &mut Update, item: &Item) {
    update.require(Cond::unchanged(item, attrs::VERSION));
}

async fn plain(
    table: &Table,
    tenant: &str,
    id: AccountId,
    change: &Change,
    custom: &CustomPlan,
) -> Result<AccountView, ApiError> {
    let now = Timestamp::now();
    let mut first = fields_update(change, now);
    if !custom.merge.is_empty() {
        merge::merge_keys(&mut first, attrs::CUSTOM, &custom.merge, None);
    }
    let item = optimistic::update(
        table,
        &account_key(tenant, id.0),
        ReturnValue::AllNew,
        Some(first),
        |item| {
            let item = item.ok_or(ApiError::NotFound)?;
            let mut update = fields_update(change, now);
            require_version(&mut update, item);
            merge::set_merged(
                &mut update,
                attrs::CUSTOM,
                merge::merged(item, attrs::CUSTOM, &custom.merge),
            );
            Ok(update)
        },
    )
    .await?
    .ok_or_else(|| ApiError::Internal("UpdateItem returned no attributes".to_owned()))?;
    AccountView::from_item(&item)
}

/// `Ok(None)` when something changed meanwhile and the caller should retry.
async fn transactional(
    table: &Table,
    tenant: &str,
    id: AccountId,
    change: &Change,
    custom: &CustomPlan,
) -> Result<Option<AccountView>, ApiError> {
    let key = account_key(tenant, id.0);
    let item = table.get(&key, true).await?.ok_or(ApiError::NotFound)?;
    let now = Timestamp::now();
    let mut update = fields_update(change, now);
    require_version(&mut update, &item);

    // What the item will be if the transaction commits, for the response.
    let mut after = item.clone();
    for (name, value) in &change.assignments {
        after.insert((*name).to_owned(), value.clone());
    }
    after.insert(attrs::UPDATED_AT.to_owned(), AttributeValue::S(now.to_string()));
    if !custom.merge.is_empty() {
        let merged = merge::merged(&item, attrs::CUSTOM, &custom.merge);
        after.insert(attrs::CUSTOM.to_owned(), AttributeValue::M(merged.clone()));
        merge::set_merged(&mut update, attrs::CUSTOM, merged);
    }

    let old_number = item
        .get(attrs::NUMBER)
        .and_then(|n| n.as_n().ok())
        .and_then(|n| n.parse::<i64>().ok());
    let owner = Owner::new(CLAIM_OWNER, AttributeValue::N(id.0.to_string()));
    let mut claims = Vec::new();
    let mut claimed = None;
    if let Some(number) = change.number.filter(|n| Some(*n) != old_number) {
        update.set(&[attrs::NUMBER], AttributeValue::N(number.to_string()));
        after.insert(attrs::NUMBER.to_owned(), AttributeValue::N(number.to_string()));
        claimed = Some(number);
        claims.push(owner.claim(table.name(), &number_key(tenant, number), Item::new()));
        if let Some(old) = old_number {
            claims.push(owner.release(table.name(), &number_key(tenant, old)));
        }
    }
    let mut items = vec![transact::update(table.name(), &key, update)];
    items.extend(claims);
    for (def, new) in &custom.new_options {
        items.push(def.append_options(table.name(), tenant, new));
    }
    let claim_slots: &[usize] = if claimed.is_some() { &[1] } else { &[] };
    match claims::commit(table, items, claim_slots).await? {
        Commit::Committed => AccountView::from_item(&after).map(Some),
        Commit::Taken(_) => Err(ApiError::NumberTaken(claimed.unwrap_or_default())),
        Commit::Missing => Err(ApiError::NotFound),
        Commit::Changed => Ok(None),
    }
}
