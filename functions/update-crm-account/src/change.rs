//! What a valid change to a CRM account is: the wire body validated into a
//! [`Change`], field by field. Every limit is a named constant next to the
//! rule that uses it; custom values, which need the tenant's field
//! definitions, are checked by [`custom`].

pub mod custom;

use crate::{
    error::{ApiError, invalid},
    request::{AccountId, WireBody, WireContact},
    store::attrs,
};
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Value;
use shared::{
    patch::{MapMerge, Patch},
    validate::{BoundedText, EmailAddress, PhoneNumber, TextError, check_map_key},
};

/// A title has at least this many characters (not blank).
pub const MIN_TITLE_CHARS: usize = 1;
/// A title has at most this many characters.
pub const MAX_TITLE_CHARS: usize = 255;
/// Title: 1-255 characters, not blank.
pub type Title = BoundedText<MIN_TITLE_CHARS, MAX_TITLE_CHARS>;
/// A description has at most this many characters (it may be empty).
pub const MAX_DESCRIPTION_CHARS: usize = 5000;
/// Description: up to 5000 characters (may be empty).
pub type Description = BoundedText<0, MAX_DESCRIPTION_CHARS>;
/// An address line has at most this many characters.
pub const MAX_ADDRESS_LINE_CHARS: usize = 255;
/// One address line: up to 255 characters.
pub type AddressLine = BoundedText<0, MAX_ADDRESS_LINE_CHARS>;
/// A contact's name has at least this many characters (not blank).
pub const MIN_CONTACT_NAME_CHARS: usize = 1;
/// A contact's name has at most this many characters.
pub const MAX_CONTACT_NAME_CHARS: usize = 255;
/// A contact's name: 1-255 characters, not blank.
pub type ContactName = BoundedText<MIN_CONTACT_NAME_CHARS, MAX_CONTACT_NAME_CHARS>;
/// A contact's role has at least this many characters (not blank).
pub const MIN_CONTACT_ROLE_CHARS: usize = 1;
/// A contact's role has at most this many characters.
pub const MAX_CONTACT_ROLE_CHARS: usize = 100;
/// A contact's role: 1-100 characters, not blank.
pub type ContactRole = BoundedText<MIN_CONTACT_ROLE_CHARS, MAX_CONTACT_ROLE_CHARS>;

/// At most this many address lines.
pub const MAX_ADDRESS_LINES: usize = 10;
/// At most this many contacts.
pub const MAX_CONTACTS: usize = 50;
/// Custom field keys are 1 to this many characters.
pub const MAX_CUSTOM_KEY_CHARS: usize = 64;
/// The smallest account number.
pub const MIN_NUMBER: i64 = 0;

/// A validated change. Plain fields are ready-made DynamoDB assignments;
/// `number` and `custom` need the store (uniqueness, field definitions).
#[derive(Debug, Default)]
pub struct Change {
    /// Top-level attributes to set, in a fixed order.
    pub assignments: Vec<(&'static str, AttributeValue)>,
    /// New number, if sent.
    pub number: Option<i64>,
    /// Custom fields to set (still raw JSON: checked against the tenant's
    /// definitions) and to remove.
    pub custom: MapMerge<Value>,
}

impl Change {
    /// True when nothing would change.
    pub fn is_empty(&self) -> bool {
        self.assignments.is_empty() && self.number.is_none() && self.custom.is_empty()
    }

    /// Validates the body sent for account `id`: every field against its
    /// rule below (400 naming the field), `id` equal to the path's, and at
    /// least one field to change.
    pub fn validate(wire: WireBody, id: AccountId) -> Result<Self, ApiError> {
        let mut change = Change::default();
        match wire.id {
            Patch::Absent => {}
            Patch::Value(v) if v == id.get() => {}
            _ => {
                return Err(invalid(
                    "id",
                    format!("must equal the account id in the path ({id})"),
                ));
            }
        }
        if let Some(title) = wire.title.non_null().map_err(|e| invalid("title", e))? {
            let title = Title::parse(title).map_err(|e| invalid("title", e))?;
            change.set(attrs::TITLE, s(title.as_str()));
        }
        change.nullable(attrs::DESCRIPTION, wire.description, |d| {
            Description::parse_multiline(d)
                .map(|d| s(d.as_str()))
                .map_err(|e| invalid("description", e))
        })?;
        if let Some(lines) = wire.address.non_null().map_err(|e| invalid("address", e))? {
            change.set(attrs::ADDRESS, address(lines)?);
        }
        if let Some(active) = wire.is_active.non_null().map_err(|e| invalid("isActive", e))? {
            change.set(attrs::IS_ACTIVE, AttributeValue::Bool(active));
        }
        change.nullable(attrs::PRIMARY_EMAIL, wire.primary_email, |e| {
            EmailAddress::parse(&e)
                .map(|e| s(e.as_str()))
                .map_err(|err| invalid("primaryEmail", err))
        })?;
        change.nullable(attrs::PRIMARY_PHONE, wire.primary_phone, |p| {
            PhoneNumber::parse(&p)
                .map(|p| s(p.as_str()))
                .map_err(|err| invalid("primaryPhone", err))
        })?;
        change.nullable(attrs::ACCOUNT_TYPE, wire.account_type, |t| Ok(s(t.as_str())))?;
        if let Some(contacts) = wire.contacts.non_null().map_err(|e| invalid("contacts", e))? {
            change.set(attrs::CONTACTS, self::contacts(contacts)?);
        }
        if let Some(number) = wire.number.non_null().map_err(|e| invalid("number", e))? {
            if number < MIN_NUMBER {
                return Err(invalid("number", format!("must be {MIN_NUMBER} or more")));
            }
            change.number = Some(number);
        }
        if let Some(custom) = wire
            .custom
            .non_null()
            .map_err(|_| invalid("custom", "must be an object"))?
        {
            for key in custom.keys() {
                check_map_key(key, MAX_CUSTOM_KEY_CHARS).map_err(|e| invalid(format!("custom.{key}"), e))?;
            }
            change.custom = MapMerge::from_object(custom);
        }
        if change.is_empty() {
            return Err(ApiError::NothingToUpdate);
        }
        Ok(change)
    }

    fn set(&mut self, name: &'static str, value: AttributeValue) {
        self.assignments.push((name, value));
    }

    /// A field that `null` clears (stored as NULL, shown as `null`).
    fn nullable<T>(
        &mut self,
        name: &'static str,
        patch: Patch<T>,
        check: impl FnOnce(T) -> Result<AttributeValue, ApiError>,
    ) -> Result<(), ApiError> {
        match patch {
            Patch::Absent => Ok(()),
            Patch::Null => {
                self.set(name, AttributeValue::Null(true));
                Ok(())
            }
            Patch::Value(v) => {
                let value = check(v)?;
                self.set(name, value);
                Ok(())
            }
        }
    }
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

fn address(lines: Vec<String>) -> Result<AttributeValue, ApiError> {
    if lines.len() > MAX_ADDRESS_LINES {
        return Err(invalid(
            "address",
            format!("must have at most {MAX_ADDRESS_LINES} lines"),
        ));
    }
    let lines = lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            AddressLine::parse(line)
                .map(|l| s(l.as_str()))
                .map_err(|e| invalid(format!("address[{i}]"), e))
        })
        .collect::<Result<_, _>>()?;
    Ok(AttributeValue::L(lines))
}

fn contacts(contacts: Vec<WireContact>) -> Result<AttributeValue, ApiError> {
    if contacts.len() > MAX_CONTACTS {
        return Err(invalid(
            "contacts",
            format!("must have at most {MAX_CONTACTS} contacts"),
        ));
    }
    let mut list = Vec::with_capacity(contacts.len());
    for (i, contact) in contacts.into_iter().enumerate() {
        let field = |name: &str| format!("contacts[{i}].{name}");
        let text_error = |name: &str, e: TextError| invalid(field(name), e);
        let mut map = std::collections::HashMap::new();
        let name = ContactName::parse(contact.name).map_err(|e| text_error("name", e))?;
        map.insert("name".to_owned(), s(name.as_str()));
        if let Some(email) = contact.email {
            let email = EmailAddress::parse(&email).map_err(|e| invalid(field("email"), e))?;
            map.insert("email".to_owned(), s(email.as_str()));
        }
        if let Some(phone) = contact.phone {
            let phone = PhoneNumber::parse(&phone).map_err(|e| invalid(field("phone"), e))?;
            map.insert("phone".to_owned(), s(phone.as_str()));
        }
        if let Some(role) = contact.role {
            let role = ContactRole::parse(role).map_err(|e| text_error("role", e))?;
            map.insert("role".to_owned(), s(role.as_str()));
        }
        list.push(AttributeValue::M(map));
    }
    Ok(AttributeValue::L(list))
}
