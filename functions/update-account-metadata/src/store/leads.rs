//! Leads: people at an account, stored in the account's partition.
//!
//! This endpoint never writes or serves leads. They are here because the
//! contract says "changes to name and domain take effect immediately across
//! all leads": a lead item references its account and holds no copy of the
//! account's name or domain, so a change to those takes effect for every
//! lead the moment the account write succeeds. [`leads_of_account`] is the
//! read that proves it (the tests call it); [`lead_item`] is how the seed
//! stores a lead.
//!
//! Item: `pk = ACCOUNT#<account id>`, `sk = LEAD#<lead id>`, with `id`,
//! `account_id`, `email`, `full_name`.

use super::{ACCOUNT_SK, account_pk, attrs as account};
use crate::request::AccountId;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;
use shared::store::{Item, Key, SK, StoreError, Table};

/// Sort-key prefix of lead items.
pub const LEAD_SK_PREFIX: &str = "LEAD#";

/// Attribute names of a lead item.
pub mod attrs {
    /// The lead id.
    pub const ID: &str = "id";
    /// The account it belongs to.
    pub const ACCOUNT_ID: &str = "account_id";
    /// Email address.
    pub const EMAIL: &str = "email";
    /// Full name.
    pub const FULL_NAME: &str = "full_name";
}

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

/// The item of lead `id` at account `account_id`, in the account's partition.
pub fn lead_item(account_id: &AccountId, id: &str, email: &str, full_name: &str) -> Item {
    let s = |text: &str| AttributeValue::S(text.to_owned());
    let key = Key::new(account_pk(account_id.as_str()), format!("{LEAD_SK_PREFIX}{id}"));
    key.into_item_with(Item::from([
        (attrs::ID.to_owned(), s(id)),
        (attrs::ACCOUNT_ID.to_owned(), s(account_id.as_str())),
        (attrs::EMAIL.to_owned(), s(email)),
        (attrs::FULL_NAME.to_owned(), s(full_name)),
    ]))
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
    let Some(account) = items.iter().find(|i| text(i, SK) == ACCOUNT_SK) else {
        return Ok(Vec::new());
    };
    if text(account, account::OU) != ou {
        return Ok(Vec::new());
    }
    Ok(items
        .iter()
        .filter(|i| text(i, SK).starts_with(LEAD_SK_PREFIX))
        .map(|lead| LeadView {
            id: text(lead, attrs::ID).to_owned(),
            account_id: account_id.to_owned(),
            email: text(lead, attrs::EMAIL).to_owned(),
            full_name: text(lead, attrs::FULL_NAME).to_owned(),
            company_name: text(account, account::NAME).to_owned(),
            company_domain: text(account, account::DOMAIN).to_owned(),
        })
        .collect())
}

fn text<'a>(item: &'a Item, name: &str) -> &'a str {
    shared::store::attr::text(item, name).unwrap_or_default()
}
