//! Accounts in DynamoDB: the item layout and the one conditional write that
//! applies a [`Change`].
//!
//! Item: `pk = ACCOUNT#<id>`, `sk = ACCOUNT`, with `id`, `ou_id`, `name`,
//! `domain`, `metadata` (a map), `version` (a counter every write bumps),
//! `created_at`, `updated_at`. Leads live in the same partition
//! (`sk = LEAD#<lead id>`) and hold no copy of the account's name or domain.
//!
//! # The write
//!
//! The common case is one UpdateItem: `SET name, domain, metadata.#k = :v`,
//! `REMOVE metadata.#k`, `ADD version 1`, under the condition
//! `attribute_exists(pk) AND ou_id = :ou AND size(metadata) <= 50 - keys set`.
//! That size bound assumes every key set is new, so it can only be too
//! strict, never too lenient; the OU check in the condition makes an account
//! of another OU answer exactly like a missing one.
//!
//! When the condition fails, DynamoDB returns the item as it was
//! (`ReturnValuesOnConditionCheckFailure = ALL_OLD`), so with no extra read
//! we know whether the account is missing or in another OU (404) or near
//! its key limit. Near the limit the exact merged map is computed from that
//! item and written whole, conditioned on the `version` it was computed
//! from; a concurrent writer makes that condition fail with the newer item,
//! and we recompute. No interleaving can exceed 50 keys or lose a key.

use crate::{
    change::{Change, MAX_METADATA_KEYS},
    problem::ApiError,
};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use shared::{
    clock::Timestamp,
    store::{Cond, Item, Key, PK, Table, Update, merge, optimistic},
    validate::is_record_id,
};

/// Attribute names of an account item.
pub mod attrs {
    /// The account id.
    pub const ID: &str = "id";
    /// The Organizational Unit the account belongs to.
    pub const OU: &str = "ou_id";
    /// Company name.
    pub const NAME: &str = "name";
    /// Primary email domain.
    pub const DOMAIN: &str = "domain";
    /// Metadata map.
    pub const METADATA: &str = "metadata";
    /// Write counter.
    pub const VERSION: &str = "version";
    /// Creation time.
    pub const CREATED_AT: &str = "created_at";
    /// Last update time.
    pub const UPDATED_AT: &str = "updated_at";
}

/// More mentioned metadata keys than this skip the one-call path: the
/// expression would approach DynamoDB's 4 KB expression limit.
const MAX_KEYS_IN_EXPRESSION: usize = 100;

/// An account id from the path: 1-128 ASCII letters, digits, `_` or `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountId(String);

impl AccountId {
    /// Checks an id from the path.
    pub fn parse(id: &str) -> Result<Self, ApiError> {
        is_record_id(id)
            .then(|| AccountId(id.to_owned()))
            .ok_or(ApiError::InvalidAccountId)
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The key of an account item.
pub fn account_key(id: &str) -> Key {
    Key::new(account_pk(id), "ACCOUNT")
}

/// The partition of an account (the account item and its leads).
pub fn account_pk(id: &str) -> String {
    format!("ACCOUNT#{id}")
}

/// Applies `change` to account `id` if it is in `ou`.
///
/// Errors: [`ApiError::NotFound`] (missing, or in another OU),
/// [`ApiError::TooManyMetadataKeys`] (the exact merged count exceeds the
/// limit), [`ApiError::Contention`] (the exact write lost every race).
pub async fn apply(table: &Table, ou: &str, id: &AccountId, change: &Change) -> Result<(), ApiError> {
    let key = account_key(id.as_str());
    let mentioned = change.metadata.set.len() + change.metadata.remove.len();
    let first = (mentioned <= MAX_KEYS_IN_EXPRESSION).then(|| one_call_update(ou, change));
    optimistic::update(table, &key, ReturnValue::None, first, |item| {
        exact_update(ou, change, item)
    })
    .await?;
    Ok(())
}

/// Name, domain, updated_at and version: what every write sets, and the
/// scoping every write requires.
fn common_update(ou: &str, change: &Change) -> Update {
    let mut update = Update::new();
    if let Some(name) = &change.name {
        update.set(&[attrs::NAME], AttributeValue::S(name.as_str().to_owned()));
    }
    if let Some(domain) = &change.domain {
        update.set(&[attrs::DOMAIN], AttributeValue::S(domain.as_str().to_owned()));
    }
    update
        .set(
            &[attrs::UPDATED_AT],
            AttributeValue::S(Timestamp::now().to_string()),
        )
        .increment(attrs::VERSION, 1)
        .require(Cond::exists(PK))
        .require(Cond::eq_str(attrs::OU, ou));
    update
}

/// The one-call update: per-key SET/REMOVE under a size bound that holds
/// whatever keys the stored map has (and fails when the map is missing,
/// which the exact path then handles).
fn one_call_update(ou: &str, change: &Change) -> Update {
    let mut update = common_update(ou, change);
    if change.touches_metadata {
        merge::merge_keys(
            &mut update,
            attrs::METADATA,
            &change.metadata,
            Some(MAX_METADATA_KEYS),
        );
    }
    update
}

/// The exact update, computed from the item as it is: the whole merged
/// metadata map, conditioned on the version it was computed from.
fn exact_update(ou: &str, change: &Change, item: Option<&Item>) -> Result<Update, ApiError> {
    let item = item.ok_or(ApiError::NotFound)?;
    if item.get(attrs::OU) != Some(&AttributeValue::S(ou.to_owned())) {
        return Err(ApiError::NotFound);
    }
    let mut update = common_update(ou, change);
    update.require(Cond::unchanged(item, attrs::VERSION));
    if change.touches_metadata {
        let merged = merge::merged(item, attrs::METADATA, &change.metadata);
        if merged.len() > MAX_METADATA_KEYS {
            return Err(ApiError::TooManyMetadataKeys {
                max: MAX_METADATA_KEYS,
                would_have: merged.len(),
            });
        }
        merge::set_merged(&mut update, attrs::METADATA, merged);
    }
    Ok(update)
}
