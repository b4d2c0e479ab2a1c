//! The table layout, the account item, and the rename: planned here and
//! committed by the shared driver ([`shared::store::write::write`]), run
//! beside the bounded prospects query ([`prospects`]).
//!
//! # Keys
//!
//! One partition per (tenant, account), `pk = TENANT#<tenantId>#ACCOUNT#<accountId>`,
//! holding the account item (`sk = ACCOUNT`) and its prospects
//! (`sk = PROSPECT#<createdAt>#<prospectId>`, see [`prospects`]).
//!
//! Every key this endpoint builds takes the caller's tenant, so a request can
//! only ever address its own tenant's items: another tenant's account id
//! names a partition that does not exist, and the write and the prospects
//! query both find nothing there, exactly as for a missing account.
//!
//! The partition key is injective: an account id is always
//! `account_` + 26 characters of `[a-z0-9]` (never a `#`,
//! [`AccountId`]), so the fixed-length tail `#ACCOUNT#<accountId>`
//! separates the tenant id from the account id whatever the tenant id holds.
//!
//! # The account item
//!
//! Attributes named as the contract names them (`accountId`, `tenantId`,
//! `domain`, `name`, `createdAt`, `updatedAt`, `latestActivityAt`, see
//! [`attrs`]) plus `version`.
//!
//! # The rename
//!
//! One UpdateItem on the caller's tenant's key (the driver's `first`),
//! `ReturnValues = ALL_NEW` giving the response, under `attribute_exists(pk)
//! AND tenantId = :tenant AND updatedAt < :now`. Another tenant's account id
//! names a key that does not exist, so the condition fails with no item
//! and the answer is the same 404 as for a missing account (the `tenantId`
//! clause is defence in depth). The last clause keeps `updatedAt` strictly
//! increasing: when it fails (two renames in one millisecond, or clocks
//! apart), the item DynamoDB returns gives the stored `updatedAt`, and the
//! plan renames at one millisecond later, conditioned on that value; the
//! driver plans again from the newer item whenever that condition fails.

pub mod prospects;
mod read;
pub mod seeded;
pub mod view;

use crate::{State, change::Rename, error::ApiError, request::AccountId, response::Account};
use aws_sdk_dynamodb::types::AttributeValue;
use prospects::LinkedProspects;
use shared::{
    Ctx,
    clock::Timestamp,
    error::Common,
    store::{
        Cond, Item, Key, PK, Table, Update,
        write::{Plan, write as drive},
    },
};

/// Attribute names of an account item.
pub mod attrs {
    /// Account id.
    pub const ACCOUNT_ID: &str = "accountId";
    /// Owning tenant.
    pub const TENANT_ID: &str = "tenantId";
    /// Domain.
    pub const DOMAIN: &str = "domain";
    /// Name.
    pub const NAME: &str = "name";
    /// Creation time.
    pub const CREATED_AT: &str = "createdAt";
    /// Last update time, strictly increasing.
    pub const UPDATED_AT: &str = "updatedAt";
    /// Last activity time, never touched by a rename.
    pub const LATEST_ACTIVITY_AT: &str = "latestActivityAt";
    /// Write counter.
    pub const VERSION: &str = "version";
}

/// Sort key of the account item.
pub const ACCOUNT_SK: &str = "ACCOUNT";

/// The partition of account `account_id` of `tenant`: the account item and
/// its prospects.
pub fn account_pk(tenant: &str, account_id: &str) -> String {
    format!("TENANT#{tenant}#ACCOUNT#{account_id}")
}

/// The key of the account item of account `account_id` of `tenant`.
pub fn account_key(tenant: &str, account_id: &str) -> Key {
    Key::new(account_pk(tenant, account_id), ACCOUNT_SK)
}

/// What a successful write leaves: the account after the rename and its
/// newest linked prospects, read concurrently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The account as stored after the rename.
    pub account: Account,
    /// Its newest linked prospects.
    pub prospects: LinkedProspects,
}

/// Renames account `id` of `tenant` and, concurrently, lists its newest
/// linked prospects: both calls are scoped to the caller's tenant by their
/// keys, so neither can touch another tenant's items.
///
/// The response's ETag is weak: the body lists prospects, which change
/// without the account's `version`.
///
/// Errors: the rename's first ([`rename`]), then the query's (503 or 500).
pub async fn write(
    ctx: &Ctx,
    state: &State,
    tenant: &str,
    id: &AccountId,
    rename: &Rename,
) -> Result<Written, ApiError> {
    ctx.etag_is_weak();
    let (account, prospects) = tokio::join!(
        self::rename(ctx, &state.table, tenant, id, rename),
        prospects::newest_linked_prospects(&state.table, tenant, id.as_str(), state.prospect_page_size),
    );
    let account = account?;
    let prospects = prospects?;
    Ok(Written { account, prospects })
}

/// Renames account `id` of `tenant` through the shared driver; returns the
/// account as stored after.
///
/// Errors: [`Common::NotFound`] when the account is missing or another
/// tenant's; [`Common::Contention`] when the plan loses every race.
pub async fn rename(
    ctx: &Ctx,
    table: &Table,
    tenant: &str,
    id: &AccountId,
    rename: &Rename,
) -> Result<Account, ApiError> {
    let now = Timestamp::now();
    let mut first = rename_update(tenant, rename, now);
    first.require(Cond::not_exists(attrs::UPDATED_AT).or(Cond::Lt(
        vec![attrs::UPDATED_AT.to_owned()],
        AttributeValue::S(now.to_string()),
    )));
    let item = drive(
        ctx,
        table,
        &account_key(tenant, id.as_str()),
        Some(first),
        |item| plan(tenant, rename, now, item).map(Plan::Item),
    )
    .await?;
    read::account(&item).map_err(|e| Common::Internal(format!("stored account is malformed: {e}")).into())
}

/// The rename at `at`, on an account that exists and is `tenant`'s.
fn rename_update(tenant: &str, rename: &Rename, at: Timestamp) -> Update {
    let mut update = Update::new();
    update
        .set(&[attrs::NAME], AttributeValue::S(rename.name.as_str().to_owned()))
        .set(&[attrs::UPDATED_AT], AttributeValue::S(at.to_string()))
        .increment(attrs::VERSION, 1)
        .require(Cond::exists(PK))
        .require(Cond::eq_str(attrs::TENANT_ID, tenant));
    update
}

/// The plan from the item as it is: 404 unless the account is this
/// tenant's; else rename at the later of now and one millisecond past the
/// stored `updatedAt`, conditioned on that stored value.
fn plan(tenant: &str, rename: &Rename, now: Timestamp, item: Option<&Item>) -> Result<Update, ApiError> {
    let item = item.ok_or(Common::NotFound)?;
    if item.get(attrs::TENANT_ID) != Some(&AttributeValue::S(tenant.to_owned())) {
        return Err(Common::NotFound.into());
    }
    let stored = item.get(attrs::UPDATED_AT);
    let at = match stored {
        Some(AttributeValue::S(text)) => Timestamp::parse(text)
            .map(|t| t.next_millisecond().max(now))
            .unwrap_or(now),
        _ => now,
    };
    let mut update = rename_update(tenant, rename, at);
    update.require(Cond::unchanged(item, attrs::UPDATED_AT));
    Ok(update)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_scoped_by_tenant() {
        let id = "account_01jfrt4z00fay8vvr14d2pf2db";
        assert_ne!(account_key("tenant_a", id), account_key("tenant_b", id));
        assert_eq!(
            account_pk("tenant_a", id),
            "TENANT#tenant_a#ACCOUNT#account_01jfrt4z00fay8vvr14d2pf2db"
        );
        let prospect = prospects::prospect_key("t", id, "2025-01-01T00:00:00.000Z", "prospect_x");
        assert_eq!(prospect.pk, account_pk("t", id));
        assert_eq!(prospect.sk, "PROSPECT#2025-01-01T00:00:00.000Z#prospect_x");
    }
}
