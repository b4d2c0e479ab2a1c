//! The account read from its stored item attribute by attribute, under the
//! attribute names of [`super::attrs`] (as the prospects are, in
//! [`super::prospects`]): the wire types' field names never decide what is
//! read.

use super::attrs;
use crate::response::Account;
use shared::store::{
    Item,
    attr::{optional_text, required_text},
};

/// The account a stored account item holds (its keys and `version` are
/// not read); an error naming the attribute that is missing or malformed.
pub(super) fn account(item: &Item) -> Result<Account, String> {
    let required = |name| required_text(item, name).map(str::to_owned);
    let optional = |name| optional_text(item, name).map(|t| t.map(str::to_owned));
    Ok(Account {
        account_id: required(attrs::ACCOUNT_ID)?,
        tenant_id: required(attrs::TENANT_ID)?,
        domain: required(attrs::DOMAIN)?,
        name: optional(attrs::NAME)?,
        created_at: required(attrs::CREATED_AT)?,
        updated_at: required(attrs::UPDATED_AT)?,
        latest_activity_at: optional(attrs::LATEST_ACTIVITY_AT)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::AttributeValue;

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.to_owned())
    }

    fn stored() -> Item {
        [
            ("pk", s("TENANT#t#ACCOUNT#a1")),
            ("sk", s("ACCOUNT")),
            (attrs::ACCOUNT_ID, s("a1")),
            (attrs::TENANT_ID, s("t")),
            (attrs::DOMAIN, s("acme.com")),
            (attrs::NAME, s("Acme")),
            (attrs::CREATED_AT, s("2024-01-01T00:00:00.000Z")),
            (attrs::UPDATED_AT, s("2024-01-02T00:00:00.000Z")),
            (attrs::VERSION, AttributeValue::N("3".to_owned())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    #[test]
    fn an_account_item_is_read_under_the_store_s_attribute_names() {
        assert_eq!(
            account(&stored()),
            Ok(Account {
                account_id: "a1".to_owned(),
                tenant_id: "t".to_owned(),
                domain: "acme.com".to_owned(),
                name: Some("Acme".to_owned()),
                created_at: "2024-01-01T00:00:00.000Z".to_owned(),
                updated_at: "2024-01-02T00:00:00.000Z".to_owned(),
                latest_activity_at: None,
            })
        );
        let mut never_named = stored();
        never_named.insert(attrs::NAME.to_owned(), AttributeValue::Null(true));
        never_named.insert(
            attrs::LATEST_ACTIVITY_AT.to_owned(),
            s("2024-01-03T00:00:00.000Z"),
        );
        let read = account(&never_named).unwrap();
        assert_eq!(read.name, None);
        assert_eq!(
            read.latest_activity_at.as_deref(),
            Some("2024-01-03T00:00:00.000Z")
        );
    }

    #[test]
    fn a_missing_or_non_string_attribute_is_named() {
        let mut missing = stored();
        missing.remove(attrs::DOMAIN);
        assert_eq!(account(&missing), Err("domain is missing".to_owned()));
        let mut wrong = stored();
        wrong.insert(attrs::NAME.to_owned(), AttributeValue::N("5".to_owned()));
        assert_eq!(account(&wrong), Err("name is not a string".to_owned()));
    }
}
