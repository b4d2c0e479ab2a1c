//! What a valid change to a CRM account is: the wire body validated into a
//! [`Change`], field by field. Every limit is a named constant next to the
//! rule that uses it; custom values, which need the tenant's field
//! definitions, are checked by [`custom`].

pub mod custom;

use crate::{
    error::{ApiError, invalid},
    request::{AccountId, AccountType, WireBody, WireContact},
};
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

/// One contact, validated: a name, and optionally an email, a phone and a
/// role, each within its rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    /// 1-255 characters, not blank.
    pub name: ContactName,
    /// A valid email address, if sent.
    pub email: Option<EmailAddress>,
    /// A valid E.164 phone number, if sent.
    pub phone: Option<PhoneNumber>,
    /// 1-100 characters, not blank, if sent.
    pub role: Option<ContactRole>,
}

/// A validated change: every field sent, as a value that already passed its
/// rule. `None` / [`Patch::Absent`] means "keep"; [`Patch::Null`] (only for
/// the fields the contract lets clear) means "clear". `number` and `custom`
/// are checked further by the write (uniqueness, the tenant's field
/// definitions).
#[derive(Debug, Default)]
pub struct Change {
    /// New title, if sent.
    pub title: Option<Title>,
    /// New description, or cleared.
    pub description: Patch<Description>,
    /// New address lines (at most [`MAX_ADDRESS_LINES`]), if sent.
    pub address: Option<Vec<AddressLine>>,
    /// New active flag, if sent.
    pub is_active: Option<bool>,
    /// New primary email, or cleared.
    pub primary_email: Patch<EmailAddress>,
    /// New primary phone (E.164), or cleared.
    pub primary_phone: Patch<PhoneNumber>,
    /// New account type, or cleared.
    pub account_type: Patch<AccountType>,
    /// New contacts (at most [`MAX_CONTACTS`]), if sent.
    pub contacts: Option<Vec<Contact>>,
    /// New number (at least [`MIN_NUMBER`]), if sent.
    pub number: Option<i64>,
    /// Custom fields to set (still raw JSON: checked against the tenant's
    /// definitions) and to remove; every key passed [`check_map_key`].
    pub custom: MapMerge<Value>,
}

impl Change {
    /// True when nothing would change.
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_absent()
            && self.address.is_none()
            && self.is_active.is_none()
            && self.primary_email.is_absent()
            && self.primary_phone.is_absent()
            && self.account_type.is_absent()
            && self.contacts.is_none()
            && self.number.is_none()
            && self.custom.is_empty()
    }

    /// Validates the body sent for account `id`: every field against its
    /// rule below (400 naming the field), `id` equal to the path's, and at
    /// least one field to change.
    pub fn validate(wire: WireBody, id: AccountId) -> Result<Self, ApiError> {
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
        let mut change = Change::default();
        if let Some(title) = wire.title.non_null().map_err(|e| invalid("title", e))? {
            change.title = Some(Title::parse(title).map_err(|e| invalid("title", e))?);
        }
        change.description = nullable(wire.description, |d| {
            Description::parse_multiline(d).map_err(|e| invalid("description", e))
        })?;
        if let Some(lines) = wire.address.non_null().map_err(|e| invalid("address", e))? {
            change.address = Some(address(lines)?);
        }
        change.is_active = wire.is_active.non_null().map_err(|e| invalid("isActive", e))?;
        change.primary_email = nullable(wire.primary_email, |e| {
            EmailAddress::parse(&e).map_err(|err| invalid("primaryEmail", err))
        })?;
        change.primary_phone = nullable(wire.primary_phone, |p| {
            PhoneNumber::parse(&p).map_err(|err| invalid("primaryPhone", err))
        })?;
        change.account_type = wire.account_type;
        if let Some(contacts) = wire.contacts.non_null().map_err(|e| invalid("contacts", e))? {
            change.contacts = Some(self::contacts(contacts)?);
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
}

/// A field that `null` clears: absent and `null` pass through, a value is
/// checked.
fn nullable<T, U>(
    patch: Patch<T>,
    check: impl FnOnce(T) -> Result<U, ApiError>,
) -> Result<Patch<U>, ApiError> {
    Ok(match patch {
        Patch::Absent => Patch::Absent,
        Patch::Null => Patch::Null,
        Patch::Value(v) => Patch::Value(check(v)?),
    })
}

fn address(lines: Vec<String>) -> Result<Vec<AddressLine>, ApiError> {
    if lines.len() > MAX_ADDRESS_LINES {
        return Err(invalid(
            "address",
            format!("must have at most {MAX_ADDRESS_LINES} lines"),
        ));
    }
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| AddressLine::parse(line).map_err(|e| invalid(format!("address[{i}]"), e)))
        .collect()
}

fn contacts(contacts: Vec<WireContact>) -> Result<Vec<Contact>, ApiError> {
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
        let name = ContactName::parse(contact.name).map_err(|e| text_error("name", e))?;
        let email = contact
            .email
            .map(|email| EmailAddress::parse(&email).map_err(|e| invalid(field("email"), e)))
            .transpose()?;
        let phone = contact
            .phone
            .map(|phone| PhoneNumber::parse(&phone).map_err(|e| invalid(field("phone"), e)))
            .transpose()?;
        let role = contact
            .role
            .map(|role| ContactRole::parse(role).map_err(|e| text_error("role", e)))
            .transpose()?;
        list.push(Contact {
            name,
            email,
            phone,
            role,
        });
    }
    Ok(list)
}
