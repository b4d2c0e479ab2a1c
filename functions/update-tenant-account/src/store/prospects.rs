//! Prospects linked to an account: their keys, their items, and the bounded
//! query that lists the newest of them.
//!
//! Prospect items live in the account's partition, which is scoped by the
//! tenant ([`super::account_pk`]); attributes are named as the contract
//! names them. Sort keys put the creation time (canonical, fixed-width UTC
//! with milliseconds, so string order is time order) before the id: a Query
//! in descending key order reads the newest prospects first and can stop
//! after the first few.

use super::account_pk;
use crate::response::{
    Prospect,
    size::{MAX_LINKED_PROSPECTS, MAX_LINKED_PROSPECTS_JSON_BYTES},
};
use aws_sdk_dynamodb::types::AttributeValue;
use shared::store::{
    Item, Key, PK, SK, StoreError, Table,
    attr::{optional_text, required_text},
};
use shared::validate::compact_json_len;

/// Attribute names of a prospect item (the contract's field names).
pub mod attrs {
    /// Prospect id.
    pub const PROSPECT_ID: &str = "prospectId";
    /// Owning tenant.
    pub const TENANT_ID: &str = "tenantId";
    /// Full name (string or NULL).
    pub const NAME: &str = "name";
    /// Email address (string or NULL).
    pub const EMAIL: &str = "email";
    /// Email domain (string or NULL).
    pub const DOMAIN: &str = "domain";
    /// URL slug (string or NULL).
    pub const SLUG: &str = "slug";
    /// Phone number, E.164 (string or NULL).
    pub const PHONE_NUMBER: &str = "phoneNumber";
    /// LinkedIn profile URL (string or NULL).
    pub const LINKEDIN_PROFILE_URL: &str = "linkedinProfileUrl";
    /// Creation time.
    pub const CREATED_AT: &str = "createdAt";
    /// Last update time.
    pub const UPDATED_AT: &str = "updatedAt";
}

/// Sort-key prefix of prospect items.
pub const PROSPECT_SK_PREFIX: &str = "PROSPECT#";

/// The key of a prospect of account `account_id` of `tenant`; `created_at`
/// must be canonical ([`shared::clock::Timestamp`]'s `Display`) so that key
/// order is creation order.
pub fn prospect_key(tenant: &str, account_id: &str, created_at: &str, prospect_id: &str) -> Key {
    Key::new(
        account_pk(tenant, account_id),
        format!("{PROSPECT_SK_PREFIX}{created_at}#{prospect_id}"),
    )
}

/// The prospects a response lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedProspects {
    /// At most [`MAX_LINKED_PROSPECTS`], newest `createdAt` first (ties: the
    /// greater `prospectId` first), together at most
    /// [`MAX_LINKED_PROSPECTS_JSON_BYTES`] as JSON.
    pub prospects: Vec<Prospect>,
    /// Whether the account has more linked prospects than are listed.
    pub truncated: bool,
}

/// The newest linked prospects of account `account_id` of `tenant`.
///
/// One Query of the tenant-scoped partition, newest first, that stops as
/// soon as it holds one prospect more than [`MAX_LINKED_PROSPECTS`] (that
/// one only tells whether the list is truncated): the cost is bounded
/// however many prospects the account has. Further pages are read only when
/// DynamoDB cuts a page short (1 MB) or `page_size` (tests force paging
/// with it) is smaller than what is still wanted.
pub async fn newest_linked_prospects(
    table: &Table,
    tenant: &str,
    account_id: &str,
    page_size: Option<i32>,
) -> Result<LinkedProspects, StoreError> {
    let wanted = MAX_LINKED_PROSPECTS + 1;
    let mut items: Vec<Item> = Vec::with_capacity(wanted);
    let mut start = None;
    loop {
        let remaining = i32::try_from(wanted - items.len()).unwrap_or(i32::MAX);
        let limit = page_size.map_or(remaining, |size| size.clamp(1, remaining));
        // Boxed, as `shared::store::Table` sends: the SDK future is kilobytes.
        let out = Box::pin(
            table
                .client()
                .query()
                .table_name(table.name())
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#pk", PK)
                .expression_attribute_names("#sk", SK)
                .expression_attribute_values(":pk", AttributeValue::S(account_pk(tenant, account_id)))
                .expression_attribute_values(":prefix", AttributeValue::S(PROSPECT_SK_PREFIX.to_owned()))
                .scan_index_forward(false)
                .limit(limit)
                .set_exclusive_start_key(start)
                .send(),
        )
        .await
        .map_err(StoreError::from_sdk)?;
        items.extend(out.items.unwrap_or_default());
        match out.last_evaluated_key {
            Some(next) if !next.is_empty() && items.len() < wanted => start = Some(next),
            _ => break,
        }
    }
    let mut truncated = items.len() > MAX_LINKED_PROSPECTS;
    items.truncate(MAX_LINKED_PROSPECTS);
    let mut prospects = Vec::with_capacity(items.len());
    let mut bytes: usize = 0;
    for item in items {
        let prospect = prospect_from_item(&item)
            .map_err(|e| StoreError::Rejected(format!("stored prospect is malformed: {e}")))?;
        bytes = bytes.saturating_add(compact_json_len(&prospect));
        if bytes > MAX_LINKED_PROSPECTS_JSON_BYTES {
            tracing::warn!(
                account_id,
                listed = prospects.len(),
                "linked prospects exceed their byte budget; listing fewer"
            );
            truncated = true;
            break;
        }
        prospects.push(prospect);
    }
    Ok(LinkedProspects { prospects, truncated })
}

/// The prospect `item` stores, read attribute by attribute, as serde_dynamo
/// would read it (a required field must be a string; an optional one a
/// string, `NULL` or absent; other attributes are ignored) without
/// rebuilding each item's map first (a request lists up to
/// [`MAX_LINKED_PROSPECTS`] of them).
fn prospect_from_item(item: &Item) -> Result<Prospect, String> {
    let required = |name| required_text(item, name).map(str::to_owned);
    let optional = |name| optional_text(item, name).map(|t| t.map(str::to_owned));
    Ok(Prospect {
        prospect_id: required(attrs::PROSPECT_ID)?,
        tenant_id: required(attrs::TENANT_ID)?,
        name: optional(attrs::NAME)?,
        email: optional(attrs::EMAIL)?,
        domain: optional(attrs::DOMAIN)?,
        slug: optional(attrs::SLUG)?,
        phone_number: optional(attrs::PHONE_NUMBER)?,
        linkedin_profile_url: optional(attrs::LINKEDIN_PROFILE_URL)?,
        created_at: required(attrs::CREATED_AT)?,
        updated_at: required(attrs::UPDATED_AT)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(fields: &[(&str, AttributeValue)]) -> Item {
        fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
    }

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.to_owned())
    }

    #[test]
    fn items_are_read_as_serde_dynamo_reads_them() {
        let full = [
            (PK, s("TENANT#t#ACCOUNT#a")),
            (SK, s("PROSPECT#2025#p")),
            (attrs::PROSPECT_ID, s("p")),
            (attrs::TENANT_ID, s("t")),
            (attrs::NAME, s("Ada \"L\"\n")),
            (attrs::EMAIL, s("ada@example.com")),
            (attrs::DOMAIN, s("example.com")),
            (attrs::SLUG, s("ada")),
            (attrs::PHONE_NUMBER, s("+15555550100")),
            (attrs::LINKEDIN_PROFILE_URL, s("https://linkedin.com/in/ada")),
            (attrs::CREATED_AT, s("2025-01-01T00:00:00.000Z")),
            (attrs::UPDATED_AT, s("2025-01-02T00:00:00.000Z")),
        ];
        let mut cases = vec![item(&full)];
        for (i, (name, _)) in full.iter().enumerate().skip(2) {
            let mut without = full.to_vec();
            without.remove(i);
            cases.push(item(&without));
            let mut null = full.to_vec();
            null[i] = (name, AttributeValue::Null(true));
            cases.push(item(&null));
            let mut number = full.to_vec();
            number[i] = (name, AttributeValue::N("1".to_owned()));
            cases.push(item(&number));
        }
        assert!(prospect_from_item(&cases[0]).is_ok(), "the full item reads");
        let mut read_both = 0;
        for case in &cases {
            let expected: Result<Prospect, _> = serde_dynamo::from_item(case.clone());
            match (prospect_from_item(case), expected) {
                (Ok(read), Ok(expected)) => {
                    assert_eq!(read, expected);
                    read_both += 1;
                }
                (Err(_), Err(_)) => {}
                (read, expected) => panic!("{case:?}: read {read:?}, serde_dynamo {expected:?}"),
            }
        }
        // The full item, and each of the six optional fields absent or NULL.
        assert_eq!(read_both, 1 + 6 * 2);
    }

    #[test]
    fn the_json_length_is_the_serialized_length() {
        let prospect = prospect_from_item(&item(&[
            (attrs::PROSPECT_ID, s("p")),
            (attrs::TENANT_ID, s("t")),
            (attrs::NAME, s("Zoë \"\\\u{1}")),
            (attrs::CREATED_AT, s("c")),
            (attrs::UPDATED_AT, s("u")),
        ]))
        .unwrap();
        assert_eq!(
            compact_json_len(&prospect),
            serde_json::to_vec(&prospect).unwrap().len()
        );
    }
}
