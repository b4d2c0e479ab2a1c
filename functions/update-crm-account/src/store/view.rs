//! The account as the contract shows it, read from a stored account item.

use super::attrs;
use crate::{
    error::ApiError,
    response::{AccountView, Contact},
};
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Map;
use shared::store::{Item, attr};

impl AccountView {
    /// The view of a stored account item; 500 when a required attribute is
    /// missing or malformed.
    pub fn from_item(item: &Item) -> Result<Self, ApiError> {
        let bad = |what: &str| -> ApiError {
            shared::error::Common::Internal(format!("stored account has a malformed {what}")).into()
        };
        let text = |name: &str| attr::text(item, name).map(str::to_owned);
        let number = |name: &str| match item.get(name) {
            Some(AttributeValue::N(n)) => n.parse::<i64>().ok(),
            _ => None,
        };
        let address = match item.get(attrs::ADDRESS) {
            Some(AttributeValue::L(lines)) => lines
                .iter()
                .map(|l| l.as_s().cloned().map_err(|_| bad("address")))
                .collect::<Result<_, _>>()?,
            _ => Vec::new(),
        };
        let contacts = match item.get(attrs::CONTACTS) {
            Some(AttributeValue::L(list)) => contacts(list).ok_or_else(|| bad("contacts"))?,
            _ => Vec::new(),
        };
        let custom = match item.get(attrs::CUSTOM) {
            Some(AttributeValue::M(map)) => attr::map_to_json(map),
            _ => Map::new(),
        };
        Ok(AccountView {
            id: number(attrs::ID).ok_or_else(|| bad("id"))?,
            created_at: text(attrs::CREATED_AT).ok_or_else(|| bad("createdAt"))?,
            updated_at: text(attrs::UPDATED_AT).ok_or_else(|| bad("updatedAt"))?,
            title: text(attrs::TITLE).ok_or_else(|| bad("title"))?,
            description: text(attrs::DESCRIPTION),
            address,
            is_active: matches!(item.get(attrs::IS_ACTIVE), Some(AttributeValue::Bool(true))),
            primary_email: text(attrs::PRIMARY_EMAIL),
            primary_phone: text(attrs::PRIMARY_PHONE),
            number: number(attrs::NUMBER).ok_or_else(|| bad("number"))?,
            custom,
            account_type: text(attrs::ACCOUNT_TYPE),
            contacts,
        })
    }
}

/// The contacts a stored list holds, each a map with a string
/// [`attrs::contact::NAME`] and the other attributes of
/// [`attrs::contact`] a string, `NULL` or absent (any other attribute is
/// ignored); `None` when one is not so.
fn contacts(list: &[AttributeValue]) -> Option<Vec<Contact>> {
    use attrs::contact::{EMAIL, NAME, PHONE, ROLE};
    list.iter()
        .map(|stored| {
            let map = stored.as_m().ok()?;
            let optional = |name| attr::optional_text(map, name).ok().map(|t| t.map(str::to_owned));
            Some(Contact {
                name: attr::required_text(map, NAME).ok()?.to_owned(),
                email: optional(EMAIL)?,
                phone: optional(PHONE)?,
                role: optional(ROLE)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change;
    use shared::validate::{EmailAddress, PhoneNumber};

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.to_owned())
    }

    fn map(fields: &[(&str, AttributeValue)]) -> AttributeValue {
        AttributeValue::M(fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect())
    }

    #[test]
    fn contacts_are_read_as_the_write_stores_them() {
        let full = change::Contact {
            name: change::ContactName::parse("Jane Doe".to_owned()).unwrap(),
            email: Some(EmailAddress::parse("jane@example.com").unwrap()),
            phone: Some(PhoneNumber::parse("+15550100").unwrap()),
            role: Some(change::ContactRole::parse("Owner".to_owned()).unwrap()),
        };
        let bare = change::Contact {
            name: change::ContactName::parse("Joe".to_owned()).unwrap(),
            email: None,
            phone: None,
            role: None,
        };
        let stored = [super::super::contact(&full), super::super::contact(&bare)];
        assert_eq!(
            contacts(&stored),
            Some(vec![
                Contact {
                    name: "Jane Doe".to_owned(),
                    email: Some("jane@example.com".to_owned()),
                    phone: Some("+15550100".to_owned()),
                    role: Some("Owner".to_owned()),
                },
                Contact {
                    name: "Joe".to_owned(),
                    email: None,
                    phone: None,
                    role: None,
                },
            ])
        );
    }

    #[test]
    fn a_contact_without_a_string_name_or_with_a_non_string_field_is_malformed() {
        let n = AttributeValue::N("5".to_owned());
        for malformed in [
            map(&[("email", s("a@b.co"))]),
            map(&[("name", n.clone())]),
            map(&[("name", s("Joe")), ("role", n.clone())]),
            s("Joe"),
        ] {
            assert_eq!(contacts(std::slice::from_ref(&malformed)), None, "{malformed:?}");
        }
        let tolerated = map(&[
            ("name", s("Joe")),
            ("email", AttributeValue::Null(true)),
            ("nickname", n),
        ]);
        assert_eq!(contacts(&[tolerated]).map(|c| c[0].email.clone()), Some(None));
    }
}
