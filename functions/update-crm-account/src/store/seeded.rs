//! The items a seed file puts: a key's principal, an account as a PATCH
//! would store it, the claim on its number.

use super::{CLAIM_OWNER, account_key, assignments, attrs, number_key};
use crate::{
    change::{Change, custom::CustomValue},
    request::AccountId,
};
use aws_sdk_dynamodb::types::AttributeValue;
use shared::{
    patch::MapMerge,
    store::{Item, merge},
};

/// The principal an API key of `tenant` stands for, as its credential
/// item holds it.
pub fn key_principal(tenant: &str) -> Item {
    Item::from([("tenant_id".to_owned(), AttributeValue::S(tenant.to_owned()))])
}

/// The claim on `number` within `tenant`, held by account `id`.
pub fn number_claim(tenant: &str, number: i64, id: AccountId) -> Item {
    number_key(tenant, number).into_item_with(Item::from([(
        CLAIM_OWNER.to_owned(),
        AttributeValue::N(id.to_string()),
    )]))
}

/// Account `id` of `tenant` at version 0 with the given times: every field
/// `change` sets as a PATCH stores it, the others at their defaults
/// (active, no address or contacts, the nullable fields null), `custom`
/// holding exactly the values given.
pub fn account_item(
    tenant: &str,
    id: AccountId,
    created_at: String,
    updated_at: String,
    change: &Change,
    custom: Vec<(String, CustomValue)>,
) -> Item {
    let mut item = account_key(tenant, id.get()).into_item_with(Item::from([
        (attrs::ID.to_owned(), AttributeValue::N(id.to_string())),
        (attrs::CREATED_AT.to_owned(), AttributeValue::S(created_at)),
        (attrs::UPDATED_AT.to_owned(), AttributeValue::S(updated_at)),
        (attrs::VERSION.to_owned(), AttributeValue::N("0".to_owned())),
        (attrs::IS_ACTIVE.to_owned(), AttributeValue::Bool(true)),
        (attrs::ADDRESS.to_owned(), AttributeValue::L(vec![])),
        (attrs::CONTACTS.to_owned(), AttributeValue::L(vec![])),
        (attrs::DESCRIPTION.to_owned(), AttributeValue::Null(true)),
        (attrs::PRIMARY_EMAIL.to_owned(), AttributeValue::Null(true)),
        (attrs::PRIMARY_PHONE.to_owned(), AttributeValue::Null(true)),
        (attrs::ACCOUNT_TYPE.to_owned(), AttributeValue::Null(true)),
    ]));
    for (name, value) in assignments(change) {
        item.insert(name.to_owned(), value);
    }
    if let Some(number) = change.number {
        item.insert(attrs::NUMBER.to_owned(), AttributeValue::N(number.to_string()));
    }
    let custom = merge::merged(
        &Item::new(),
        attrs::CUSTOM,
        &MapMerge {
            set: custom,
            remove: vec![],
        },
    );
    item.insert(attrs::CUSTOM.to_owned(), AttributeValue::M(custom));
    item
}
