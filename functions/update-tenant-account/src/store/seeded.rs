//! The items a seed file puts: a key's principal, an account, a prospect,
//! each from its checked view.

use super::{account_key, attrs, prospects};
use crate::response::{Account, Prospect};
use aws_sdk_dynamodb::types::AttributeValue;
use shared::store::Item;

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

/// A string attribute, or `NULL` when there is no value.
fn optional(value: Option<&str>) -> AttributeValue {
    value.map_or(AttributeValue::Null(true), s)
}

/// The principal an API key of `tenant` stands for, as its credential
/// item holds it.
pub fn key_principal(tenant: &str) -> Item {
    Item::from([("tenant_id".to_owned(), s(tenant))])
}

/// The item of `account` at version 0.
pub fn account_item(account: &Account) -> Item {
    account_key(&account.tenant_id, &account.account_id).into_item_with(Item::from([
        (attrs::ACCOUNT_ID.to_owned(), s(&account.account_id)),
        (attrs::TENANT_ID.to_owned(), s(&account.tenant_id)),
        (attrs::DOMAIN.to_owned(), s(&account.domain)),
        (attrs::CREATED_AT.to_owned(), s(&account.created_at)),
        (attrs::UPDATED_AT.to_owned(), s(&account.updated_at)),
        (attrs::VERSION.to_owned(), AttributeValue::N("0".to_owned())),
        (attrs::NAME.to_owned(), optional(account.name.as_deref())),
        (
            attrs::LATEST_ACTIVITY_AT.to_owned(),
            optional(account.latest_activity_at.as_deref()),
        ),
    ]))
}

/// The item of `prospect`, linked to account `account_id` of its tenant;
/// its `created_at` must be canonical (see [`prospects::prospect_key`]).
pub fn prospect_item(account_id: &str, prospect: &Prospect) -> Item {
    use prospects::attrs;
    let key = prospects::prospect_key(
        &prospect.tenant_id,
        account_id,
        &prospect.created_at,
        &prospect.prospect_id,
    );
    key.into_item_with(Item::from([
        (attrs::PROSPECT_ID.to_owned(), s(&prospect.prospect_id)),
        (attrs::TENANT_ID.to_owned(), s(&prospect.tenant_id)),
        (attrs::CREATED_AT.to_owned(), s(&prospect.created_at)),
        (attrs::UPDATED_AT.to_owned(), s(&prospect.updated_at)),
        (attrs::NAME.to_owned(), optional(prospect.name.as_deref())),
        (attrs::EMAIL.to_owned(), optional(prospect.email.as_deref())),
        (attrs::DOMAIN.to_owned(), optional(prospect.domain.as_deref())),
        (attrs::SLUG.to_owned(), optional(prospect.slug.as_deref())),
        (
            attrs::PHONE_NUMBER.to_owned(),
            optional(prospect.phone_number.as_deref()),
        ),
        (
            attrs::LINKEDIN_PROFILE_URL.to_owned(),
            optional(prospect.linkedin_profile_url.as_deref()),
        ),
    ]))
}
