//! Prospects linked to an account: items in the account's partition,
//! `pk = ACCOUNT#<accountId>`, `sk = PROSPECT#<prospectId>`, attributes named
//! as the contract names them.

use crate::account::account_pk;
use serde::{Deserialize, Serialize};
use shared::store::{StoreError, Table};

/// Sort-key prefix of prospect items.
pub const PROSPECT_SK_PREFIX: &str = "PROSPECT#";

/// A prospect as the contract shows it. Contact fields a prospect lacks are
/// `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Prospect {
    /// Prospect id.
    pub prospect_id: String,
    /// Owning tenant.
    pub tenant_id: String,
    /// Full name.
    #[serde(default)]
    pub name: Option<String>,
    /// Email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Email domain.
    #[serde(default)]
    pub domain: Option<String>,
    /// URL slug.
    #[serde(default)]
    pub slug: Option<String>,
    /// Phone number (E.164).
    #[serde(default)]
    pub phone_number: Option<String>,
    /// LinkedIn profile URL.
    #[serde(default)]
    pub linkedin_profile_url: Option<String>,
    /// Creation time.
    pub created_at: String,
    /// Last update time.
    pub updated_at: String,
}

/// Every prospect of account `account_id` that belongs to `tenant`, in
/// prospect-id order: one Query, followed page by page to the end.
/// `page_size` bounds each page (tests force paging with it).
pub async fn linked_prospects(
    table: &Table,
    account_id: &str,
    tenant: &str,
    page_size: Option<i32>,
) -> Result<Vec<Prospect>, StoreError> {
    let items = table
        .query_partition(&account_pk(account_id), PROSPECT_SK_PREFIX, page_size)
        .await?;
    items
        .into_iter()
        .map(|item| {
            serde_dynamo::from_item::<_, Prospect>(item)
                .map_err(|e| StoreError::Rejected(format!("stored prospect is malformed: {e}")))
        })
        .filter(|p| p.as_ref().map_or(true, |p| p.tenant_id == tenant))
        .collect()
}
