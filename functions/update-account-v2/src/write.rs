//! Applying a validated change.
//!
//! Without an email: one UpdateItem; `address`, `settings` and `metadata`
//! merged key by key (`metadata` bounded to 100 keys, assuming every key new);
//! `ALL_NEW` gives the response. If a map is missing or the bound is too
//! strict, the exact path writes the merged maps whole, conditioned on the
//! account's `version`.
//!
//! With an email: read the account, then one TransactWriteItems (through
//! [`shared::store::claims`]): the account update conditioned on its
//! `version`, the new address's marker claimed, the old one released. The
//! same address in another case claims nothing. A taken address is 409.

use crate::{
    account::{AccountView, MARKER_OWNER, account_key, email_key},
    change::{Change, MAX_METADATA_KEYS},
    error::{ApiError, invalid},
};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use serde_json::Value;
use shared::{
    clock::Timestamp,
    patch::MapMerge,
    store::{
        Cond, Item, PK, Table, Update,
        claims::{self, Commit, Owner},
        merge, optimistic, transact,
    },
    validate::EmailAddress,
};

/// Each merged map, with its bound on keys and the map as sent (echoed in
/// the 400 when the bound is passed), where it has one.
type MergedMap<'a> = (
    &'static str,
    &'a MapMerge<AttributeValue>,
    Option<(usize, &'a Value)>,
);

fn maps(change: &Change) -> [MergedMap<'_>; 3] {
    [
        ("address", &change.address, None),
        ("settings", &change.settings, None),
        (
            "metadata",
            &change.metadata,
            Some((MAX_METADATA_KEYS, &change.metadata_sent)),
        ),
    ]
}

/// Applies `change` to account `id`; returns the account after.
pub async fn apply(table: &Table, id: &str, change: &Change) -> Result<AccountView, ApiError> {
    let key = account_key(id);
    let Some(email) = &change.email else {
        let now = Timestamp::now();
        let mut first = Update::new();
        set_fields(&mut first, None, change, now);
        first.require(Cond::exists(PK));
        for (attr, merge, max) in maps(change) {
            if !merge.is_empty() {
                merge::merge_keys(&mut first, attr, merge, max.map(|(max, _)| max));
            }
        }
        let item = optimistic::update(table, &key, ReturnValue::AllNew, Some(first), |item| {
            let item = item.ok_or(ApiError::NotFound)?;
            exact(change, item, now).map(|(update, _)| update)
        })
        .await?
        .ok_or_else(|| ApiError::Internal("UpdateItem returned no attributes".to_owned()))?;
        return AccountView::from_item(&item);
    };
    let owner = Owner::new(MARKER_OWNER, AttributeValue::S(id.to_owned()));
    for _ in 0..optimistic::MAX_ATTEMPTS {
        let item = table.get(&key, true).await?.ok_or(ApiError::NotFound)?;
        let (mut update, mut after) = exact(change, &item, Timestamp::now())?;
        update.set(&["email"], AttributeValue::S(email.as_str().to_owned()));
        after.insert("email".to_owned(), AttributeValue::S(email.as_str().to_owned()));
        let old = item
            .get("email")
            .and_then(|e| e.as_s().ok())
            .and_then(|e| EmailAddress::parse(e).ok())
            .map(|e| email_key(e.normalized()));
        let claims = owner.move_claim(
            table.name(),
            &email_key(email.normalized()),
            old.as_ref(),
            Item::new(),
        );
        let claim_slots: &[usize] = if claims.is_empty() { &[] } else { &[1] };
        let mut items = vec![transact::update(table.name(), &key, update)];
        items.extend(claims);
        match claims::commit(table, items, claim_slots).await? {
            Commit::Committed => return AccountView::from_item(&after),
            Commit::Taken(_) => return Err(ApiError::EmailTaken(email.as_str().to_owned())),
            Commit::Missing => return Err(ApiError::NotFound),
            Commit::Changed => continue,
        }
    }
    Err(ApiError::Contention)
}

/// Plain fields, `updatedAt`, version bump; mirrored into `after` when given.
fn set_fields(update: &mut Update, mut after: Option<&mut Item>, change: &Change, now: Timestamp) {
    let stamp = AttributeValue::S(now.to_string());
    for (name, value) in change.assignments.iter().chain([("updatedAt", stamp)].iter()) {
        update.set(&[*name], value.clone());
        if let Some(after) = after.as_deref_mut() {
            after.insert((*name).to_owned(), value.clone());
        }
    }
    update.increment("version", 1);
}

/// The exact update from the account as it is (maps merged whole, version
/// checked), and the account as it will be.
fn exact(change: &Change, item: &Item, now: Timestamp) -> Result<(Update, Item), ApiError> {
    let mut update = Update::new();
    let mut after = item.clone();
    set_fields(&mut update, Some(&mut after), change, now);
    update.require(Cond::unchanged(item, "version"));
    for (attr, merge, max) in maps(change) {
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
        after.insert(attr.to_owned(), AttributeValue::M(merged.clone()));
        merge::set_merged(&mut update, attr, merged);
    }
    Ok((update, after))
}
