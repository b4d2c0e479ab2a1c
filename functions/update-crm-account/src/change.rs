//! The request (path id, `allow_new_options`, body) and its rules: what a
//! valid change to a CRM account is.

use crate::{
    account::{AccountType, attrs},
    error::{ApiError, invalid},
};
use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::Body;
use serde::Deserialize;
use serde_json::{Map, Value};
use shared::{
    http::{MAX_BODY_BYTES, parse_json_object},
    patch::{MapMerge, Patch},
    validate::{BoundedText, EmailAddress, PhoneNumber, TextError, check_map_key},
};

/// Title: 1-255 characters, not blank.
pub type Title = BoundedText<1, 255>;
/// Description: up to 5000 characters (may be empty).
pub type Description = BoundedText<0, 5000>;
/// One address line: up to 255 characters.
pub type AddressLine = BoundedText<0, 255>;
/// A contact's name: 1-255 characters, not blank.
pub type ContactName = BoundedText<1, 255>;
/// A contact's role: 1-100 characters, not blank.
pub type ContactRole = BoundedText<1, 100>;

/// At most this many address lines.
pub const MAX_ADDRESS_LINES: usize = 10;
/// At most this many contacts.
pub const MAX_CONTACTS: usize = 50;
/// Custom field keys are 1 to this many characters.
pub const MAX_CUSTOM_KEY_CHARS: usize = 64;

/// A positive account id that fits an i64, from the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountId(pub i64);

impl AccountId {
    /// Parses the path parameter: digits only, no sign, no leading zero, 1..=i64::MAX.
    pub fn parse(text: Option<&str>) -> Result<Self, ApiError> {
        let text = text.unwrap_or_default();
        let canonical =
            !text.is_empty() && !text.starts_with('0') && text.bytes().all(|b| b.is_ascii_digit());
        match text.parse::<i64>() {
            Ok(id) if canonical && id > 0 => Ok(AccountId(id)),
            _ => Err(invalid(
                "accountId",
                "must be a positive integer (at most 9223372036854775807)",
            )),
        }
    }
}

/// `allow_new_options`: `true` or `false`, default `false`.
pub fn allow_new_options(value: Option<&str>) -> Result<bool, ApiError> {
    match value {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(invalid("allow_new_options", "must be true or false")),
    }
}

/// A contact as sent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireContact {
    name: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    role: Option<String>,
}

/// The body as sent. `createdAt` and `updatedAt` are accepted and ignored:
/// the server manages them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct WireBody {
    #[serde(default)]
    id: Patch<i64>,
    #[serde(default, rename = "createdAt")]
    _created_at: Patch<Value>,
    #[serde(default, rename = "updatedAt")]
    _updated_at: Patch<Value>,
    #[serde(default)]
    title: Patch<String>,
    #[serde(default)]
    description: Patch<String>,
    #[serde(default)]
    address: Patch<Vec<String>>,
    #[serde(default)]
    is_active: Patch<bool>,
    #[serde(default)]
    primary_email: Patch<String>,
    #[serde(default)]
    primary_phone: Patch<String>,
    #[serde(default)]
    number: Patch<i64>,
    #[serde(default)]
    custom: Patch<Map<String, Value>>,
    #[serde(default)]
    account_type: Patch<AccountType>,
    #[serde(default)]
    contacts: Patch<Vec<WireContact>>,
}

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

    /// Parses and validates a body for account `id`.
    pub fn parse(body: &Body, id: AccountId) -> Result<Self, ApiError> {
        let wire: WireBody = parse_json_object(body, MAX_BODY_BYTES)?;
        let mut change = Change::default();
        match wire.id {
            Patch::Absent => {}
            Patch::Value(v) if v == id.0 => {}
            _ => {
                return Err(invalid(
                    "id",
                    format!("must equal the account id in the path ({})", id.0),
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
            if number < 0 {
                return Err(invalid("number", "must be 0 or more"));
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
