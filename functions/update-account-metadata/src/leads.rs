//! Leads: people at an account. A lead item references its account and
//! holds no copy of the account's name or domain, so a change to those takes
//! effect for every lead the moment the account write succeeds.
//!
//! Item: `pk = ACCOUNT#<account id>`, `sk = LEAD#<lead id>`, with `id`,
//! `account_id`, `email`, `full_name`.

use crate::account::{account_pk, attrs};
use serde::Serialize;
use shared::store::{Item, StoreError, Table};

/// Sort-key prefix of lead items.
pub const LEAD_SK_PREFIX: &str = "LEAD#";

/// A lead as callers see it: its own fields plus its account's current
/// name and domain, read in the same query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeadView {
    /// Lead id.
    pub id: String,
    /// The account it belongs to.
    pub account_id: String,
    /// Email address.
    pub email: String,
    /// Full name.
    pub full_name: String,
    /// The account's name now.
    pub company_name: String,
    /// The account's domain now.
    pub company_domain: String,
}

/// The leads of account `account_id` in OU `ou`, with the account's current
/// name and domain: one Query over the account's partition (paginated).
/// An account missing or in another OU has no visible leads.
pub async fn leads_of_account(
    table: &Table,
    ou: &str,
    account_id: &str,
) -> Result<Vec<LeadView>, StoreError> {
    let items = table.query_partition(&account_pk(account_id), "", None).await?;
    let Some(account) = items.iter().find(|i| text(i, "sk") == "ACCOUNT") else {
        return Ok(Vec::new());
    };
    if text(account, attrs::OU) != ou {
        return Ok(Vec::new());
    }
    Ok(items
        .iter()
        .filter(|i| text(i, "sk").starts_with(LEAD_SK_PREFIX))
        .map(|lead| LeadView {
            id: text(lead, "id").to_owned(),
            account_id: account_id.to_owned(),
            email: text(lead, "email").to_owned(),
            full_name: text(lead, "full_name").to_owned(),
            company_name: text(account, attrs::NAME).to_owned(),
            company_domain: text(account, attrs::DOMAIN).to_owned(),
        })
        .collect())
}

fn text<'a>(item: &'a Item, name: &str) -> &'a str {
    shared::store::attr::text(item, name).unwrap_or_default()
}
