//! Tenant accounts in DynamoDB and the rename.
//!
//! Item: key [`crate::keys::account_key`] (scoped by the tenant), attributes
//! named as the contract names them (`accountId`, `tenantId`, `domain`,
//! `name`, `createdAt`, `updatedAt`, `latestActivityAt`) plus `version`.
//! Prospects live in the same partition (see [`crate::prospects`]).
//!
//! The rename is one UpdateItem on the caller's tenant's key,
//! `ReturnValues = ALL_NEW` giving the response, under `attribute_exists(pk)
//! AND tenantId = :tenant AND updatedAt < :now`. Another tenant's account id
//! names a key that does not exist, so the condition fails with no item
//! and the answer is the same 404 as for a missing account (the `tenantId`
//! clause is defence in depth). The last clause keeps `updatedAt` strictly
//! increasing: when it fails (two renames in one millisecond, or clocks
//! apart), the item DynamoDB returns gives the stored `updatedAt`, and the
//! rename is retried at one millisecond later, conditioned on that value.

use crate::{error::ApiError, keys::account_key, limits::MAX_ACCOUNT_NAME_CHARS};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use serde::{Deserialize, Serialize};
use shared::{
    clock::Timestamp,
    store::{Cond, Item, PK, Table, Update, optimistic},
    validate::BoundedText,
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

/// An account name: 1-255 characters, not blank, no control characters.
pub type AccountName = BoundedText<1, MAX_ACCOUNT_NAME_CHARS>;

/// An account id: `account_` and 26 characters of `[a-z0-9]` (a TypeID;
/// the contract's pattern `^account_[a-z0-9]{26}$`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountId(String);

impl AccountId {
    /// Checks an id against the contract's pattern.
    pub fn parse(id: &str) -> Result<Self, ApiError> {
        let valid = id.strip_prefix("account_").is_some_and(|s| {
            s.len() == 26 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        valid
            .then(|| AccountId(id.to_owned()))
            .ok_or(ApiError::InvalidAccountId)
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An account as the contract shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// Account id.
    pub account_id: String,
    /// Owning tenant.
    pub tenant_id: String,
    /// Domain.
    pub domain: String,
    /// Name (`null` for accounts never named).
    #[serde(default)]
    pub name: Option<String>,
    /// Creation time (RFC 3339, UTC, `Z`).
    pub created_at: String,
    /// Last update time (RFC 3339, UTC, `Z`).
    pub updated_at: String,
    /// Last activity time, or `null`.
    #[serde(default)]
    pub latest_activity_at: Option<String>,
}

/// Renames account `id` of `tenant`; returns the account as stored after.
///
/// Errors: [`ApiError::NotFound`] when the account is missing or another
/// tenant's; [`ApiError::Contention`] when the retry loses every race.
pub async fn rename(
    table: &Table,
    tenant: &str,
    id: &AccountId,
    name: &AccountName,
) -> Result<Account, ApiError> {
    let now = Timestamp::now();
    let mut first = rename_update(tenant, name, now);
    first.require(Cond::not_exists(attrs::UPDATED_AT).or(Cond::Lt(
        vec![attrs::UPDATED_AT.to_owned()],
        AttributeValue::S(now.to_string()),
    )));
    let item = optimistic::update(
        table,
        &account_key(tenant, id.as_str()),
        ReturnValue::AllNew,
        Some(first),
        |item| retry_update(tenant, name, now, item),
    )
    .await?
    .ok_or_else(|| ApiError::Internal("UpdateItem returned no attributes".to_owned()))?;
    serde_dynamo::from_item(item).map_err(|e| ApiError::Internal(format!("stored account is malformed: {e}")))
}

fn rename_update(tenant: &str, name: &AccountName, at: Timestamp) -> Update {
    let mut update = Update::new();
    update
        .set(&[attrs::NAME], AttributeValue::S(name.as_str().to_owned()))
        .set(&[attrs::UPDATED_AT], AttributeValue::S(at.to_string()))
        .increment(attrs::VERSION, 1)
        .require(Cond::exists(PK))
        .require(Cond::eq_str(attrs::TENANT_ID, tenant));
    update
}

/// After a failed condition: 404 unless the account is this tenant's; else
/// rename at the later of now and one millisecond past the stored
/// `updatedAt`, conditioned on that stored value.
fn retry_update(
    tenant: &str,
    name: &AccountName,
    now: Timestamp,
    item: Option<&Item>,
) -> Result<Update, ApiError> {
    let item = item.ok_or(ApiError::NotFound)?;
    if item.get(attrs::TENANT_ID) != Some(&AttributeValue::S(tenant.to_owned())) {
        return Err(ApiError::NotFound);
    }
    let stored = item.get(attrs::UPDATED_AT);
    let at = match stored {
        Some(AttributeValue::S(text)) => Timestamp::parse(text)
            .map(|t| t.next_millisecond().max(now))
            .unwrap_or(now),
        _ => now,
    };
    let mut update = rename_update(tenant, name, at);
    update.require(Cond::unchanged(item, attrs::UPDATED_AT));
    Ok(update)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_follow_the_contract_pattern() {
        assert!(AccountId::parse("account_01h455vb4pex5vsknk084sn02q").is_ok());
        for bad in [
            "",
            "account_",
            "acct_01h455vb4pex5vsknk084sn02q",
            "account_01H455VB4PEX5VSKNK084SN02Q",
            "account_01h455vb4pex5vsknk084sn02",
            "account_01h455vb4pex5vsknk084sn02qq",
            "account_01h455vb4pex5vsknk084sn0-q",
            "xaccount_01h455vb4pex5vsknk084sn02q",
        ] {
            assert!(AccountId::parse(bad).is_err(), "{bad}");
        }
    }
}
