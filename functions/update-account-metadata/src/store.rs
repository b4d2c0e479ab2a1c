//! Accounts in DynamoDB: the item layout, and the one conditional write that
//! applies a [`Change`], planned here and committed by the shared driver
//! ([`shared::store::write::write`]).
//!
//! Item: `pk = ACCOUNT#<id>`, `sk = ACCOUNT`, with `id`, `ou_id`, `name`,
//! `domain`, `metadata` (a map), `version` (a counter every write bumps),
//! `created_at`, `updated_at`. Leads live in the same partition
//! (`sk = LEAD#<lead id>`, see [`leads`]) and hold no copy of the account's
//! name or domain.
//!
//! # The write
//!
//! The common case is one UpdateItem (the driver's `first`): `SET name,
//! domain, metadata.#k = :v`, `REMOVE metadata.#k`, `ADD version 1`, under
//! the condition `attribute_exists(pk) AND ou_id = :ou AND size(metadata)
//! <= 50 - keys set`. That size bound assumes every key set is new, so it
//! can only be too strict, never too lenient; the OU check in the condition
//! makes an account of another OU answer exactly like a missing one.
//!
//! When the condition fails, DynamoDB returns the item as it was
//! (`ReturnValuesOnConditionCheckFailure = ALL_OLD`), so with no extra read
//! the plan knows whether the account is missing or in another OU (404) or
//! near its key limit. Near the limit the exact merged map is computed from
//! that item and written whole, conditioned on the `version` it was
//! computed from; a concurrent writer makes that condition fail with the
//! newer item, and the driver plans again. No interleaving can exceed 50
//! keys or lose a key.

pub mod leads;

use crate::{
    change::{AccountName, Change, MAX_METADATA_KEYS},
    error::ApiError,
    request::AccountId,
};
use aws_sdk_dynamodb::types::AttributeValue;
use shared::{
    Ctx,
    clock::Timestamp,
    error::Common,
    store::{
        Cond, Item, Key, PK, Table, Update,
        merge::{self, Stored},
        write::{Plan, write as drive},
    },
    validate::{DomainName, StoredJson},
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

/// The sort key of the account item in its partition.
pub const ACCOUNT_SK: &str = "ACCOUNT";

/// More mentioned metadata keys than this skip the one-call path: the
/// expression would approach DynamoDB's 4 KB expression limit.
pub const MAX_KEYS_IN_EXPRESSION: usize = 100;

/// The key of an account item.
pub fn account_key(id: &str) -> Key {
    Key::new(account_pk(id), ACCOUNT_SK)
}

/// The partition of an account (the account item and its leads).
pub fn account_pk(id: &str) -> String {
    format!("ACCOUNT#{id}")
}

/// The principal a token active in `ou` stands for, as its credential
/// item holds it.
pub fn token_principal(ou: &str) -> Item {
    Item::from([(attrs::OU.to_owned(), AttributeValue::S(ou.to_owned()))])
}

/// A whole account item as first stored (version 0, created and updated
/// at `now`), from values already checked by the endpoint's rules.
pub fn account_item(
    id: &AccountId,
    ou: &str,
    name: &AccountName,
    domain: &DomainName,
    metadata: &[(String, StoredJson)],
    now: &str,
) -> Item {
    let s = |text: &str| AttributeValue::S(text.to_owned());
    let metadata = metadata
        .iter()
        .map(|(key, value)| (key.clone(), value.to_attribute()))
        .collect();
    account_key(id.as_str()).into_item_with(Item::from([
        (attrs::ID.to_owned(), s(id.as_str())),
        (attrs::OU.to_owned(), s(ou)),
        (attrs::NAME.to_owned(), s(name.as_str())),
        (attrs::DOMAIN.to_owned(), s(domain.as_str())),
        (attrs::METADATA.to_owned(), AttributeValue::M(metadata)),
        (attrs::VERSION.to_owned(), AttributeValue::N("0".to_owned())),
        (attrs::CREATED_AT.to_owned(), s(now)),
        (attrs::UPDATED_AT.to_owned(), s(now)),
    ]))
}

/// Applies `change` to account `id` if it is in `ou`, through the shared
/// driver: the one-call update first (when the expression stays small),
/// then exact plans from the item as it is.
///
/// Errors: [`Common::NotFound`] (missing, or in another OU),
/// [`ApiError::TooManyMetadataKeys`] (the exact merged count exceeds the
/// limit), [`Common::Contention`] (the exact write lost every race), and
/// the store's own failures.
pub async fn write(
    ctx: &Ctx,
    table: &Table,
    ou: &str,
    id: &AccountId,
    change: &Change,
) -> Result<(), ApiError> {
    let key = account_key(id.as_str());
    let mentioned = change.metadata.set.len() + change.metadata.remove.len();
    let first = (mentioned <= MAX_KEYS_IN_EXPRESSION).then(|| one_call_update(ou, change));
    drive(ctx, table, &key, first, |item| {
        exact_update(ou, change, item).map(Plan::Item)
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
/// which the exact plan then handles).
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

/// The exact update, planned from the item as it is: the whole merged
/// metadata map, conditioned on the version it was computed from.
fn exact_update(ou: &str, change: &Change, item: Option<&Item>) -> Result<Update, ApiError> {
    let item = item.ok_or(Common::NotFound)?;
    if item.get(attrs::OU) != Some(&AttributeValue::S(ou.to_owned())) {
        return Err(Common::NotFound.into());
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
