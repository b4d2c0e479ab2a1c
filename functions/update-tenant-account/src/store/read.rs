//! The contract's types read from stored items attribute by attribute,
//! under the attribute names of [`super::attrs`] and
//! [`super::prospects::attrs`]: the wire types' field names never decide
//! what is read.

use super::attrs;
use crate::response::Account;
use aws_sdk_dynamodb::types::AttributeValue;
use shared::store::Item;

/// The string attributes of one stored item, read as serde_dynamo reads
/// them into `String` and `Option<String>` fields: a required one must be a
/// string; an optional one a string, `NULL` or absent.
pub(super) struct Strings<'a>(pub(super) &'a Item);

impl Strings<'_> {
    /// The string attribute `name`; an error naming it when it is missing
    /// or not a string.
    pub(super) fn required(&self, name: &str) -> Result<String, String> {
        match self.0.get(name) {
            Some(AttributeValue::S(s)) => Ok(s.clone()),
            Some(_) => Err(format!("{name} is not a string")),
            None => Err(format!("{name} is missing")),
        }
    }

    /// The string attribute `name`, `None` when absent or `NULL`; an error
    /// naming it when it is something else.
    pub(super) fn optional(&self, name: &str) -> Result<Option<String>, String> {
        match self.0.get(name) {
            Some(AttributeValue::S(s)) => Ok(Some(s.clone())),
            None | Some(AttributeValue::Null(_)) => Ok(None),
            Some(_) => Err(format!("{name} is not a string")),
        }
    }
}

/// The account a stored account item holds (its keys and `version` are
/// not read); an error naming the attribute that is missing or malformed.
pub(super) fn account(item: &Item) -> Result<Account, String> {
    let strings = Strings(item);
    Ok(Account {
        account_id: strings.required(attrs::ACCOUNT_ID)?,
        tenant_id: strings.required(attrs::TENANT_ID)?,
        domain: strings.required(attrs::DOMAIN)?,
        name: strings.optional(attrs::NAME)?,
        created_at: strings.required(attrs::CREATED_AT)?,
        updated_at: strings.required(attrs::UPDATED_AT)?,
        latest_activity_at: strings.optional(attrs::LATEST_ACTIVITY_AT)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
