//! Custom field definitions as stored, read tolerantly, and the update that
//! appends options to one.
//!
//! Definition item: `pk = TENANT#<t>#FIELDS`, `sk = FIELD#<key>`, with
//! `key`, `type` (`text`, `number`, `boolean`, `date`, `dropdown`,
//! `multiselect`), `options` (a list of strings, for dropdown and
//! multiselect) and `version` (a number, bumped on every change).
//!
//! Definitions are tenant data, written by the seed or by other tools, so a
//! definition that lacks an attribute, or holds it with the wrong type, is a
//! case this endpoint handles, never a 500 or a retry loop:
//!
//! - the field's key is the sort key's suffix (the `key` attribute is
//!   informational);
//! - `type` missing or unknown: the field cannot be checked, so values for it
//!   are refused (400 naming `custom.<key>`); removing it (`null`) works;
//! - `options` missing or `NULL`: no options yet. A list: its strings are the
//!   options (other elements are ignored and kept). A string set: its strings.
//!   Any other type: no options. New options are appended to a list with
//!   `list_append`; in every other case `options` is written as a list of
//!   the readable options plus the new ones;
//! - `version` missing: the append is conditioned on
//!   `attribute_not_exists(version)` and creates it as 1. A number: the
//!   append is conditioned on that number and adds 1. Any other type: the
//!   append is conditioned on that exact value and sets `version` to 1.
//!
//! Every append is also conditioned on the definition still existing, so a
//! definition deleted meanwhile is never recreated by an append.

use crate::change::custom::Definition;
pub use crate::change::custom::FieldType;
use aws_sdk_dynamodb::types::AttributeValue;
use shared::store::{Cond, Item, Key, PK, SK, StoreError, Table, Update};
use std::collections::HashMap;

/// Attribute holding a definition's options.
pub const OPTIONS: &str = "options";
/// Attribute holding a definition's write counter.
pub const VERSION: &str = "version";
/// Sort key prefix of definition items.
pub const FIELD_SK_PREFIX: &str = "FIELD#";

/// How a definition's `options` attribute is stored, which decides how new
/// options are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionsShape {
    /// A list: new options are appended with `list_append`.
    List,
    /// Missing, `NULL`, or another type: `options` is written whole, as a
    /// list of the readable options plus the new ones.
    NotAList,
}

/// One custom field definition, as read.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    /// The key in `custom`.
    pub key: String,
    /// Its type; `None` when the stored type is missing or unknown (values
    /// for the field are then refused).
    pub field_type: Option<FieldType>,
    /// Allowed options (dropdown, multiselect); empty when there are none.
    pub options: Vec<String>,
    /// How `options` is stored.
    pub options_shape: OptionsShape,
    /// The stored `version` exactly as read (`None` when missing): the
    /// append's condition.
    pub version: Option<AttributeValue>,
}

impl FieldDef {
    /// A well-formed definition at version 0 (as the seed writes it).
    pub fn new(key: &str, field_type: FieldType, options: Vec<String>) -> Self {
        FieldDef {
            key: key.to_owned(),
            field_type: Some(field_type),
            options,
            options_shape: OptionsShape::List,
            version: Some(AttributeValue::N("0".to_owned())),
        }
    }

    /// Reads a stored definition item; `None` for an item that is not one
    /// (no `FIELD#<key>` sort key).
    pub fn from_item(item: &Item) -> Option<Self> {
        let key = item
            .get(SK)
            .and_then(|v| v.as_s().ok())
            .and_then(|sk| sk.strip_prefix(FIELD_SK_PREFIX))
            .filter(|key| !key.is_empty())?
            .to_owned();
        let field_type = item
            .get("type")
            .and_then(|v| v.as_s().ok())
            .and_then(|t| FieldType::parse(t));
        let (options, options_shape) = match item.get(OPTIONS) {
            Some(AttributeValue::L(list)) => (
                list.iter().filter_map(|v| v.as_s().ok().cloned()).collect(),
                OptionsShape::List,
            ),
            Some(AttributeValue::Ss(set)) => (set.clone(), OptionsShape::NotAList),
            _ => (Vec::new(), OptionsShape::NotAList),
        };
        Some(FieldDef {
            key,
            field_type,
            options,
            options_shape,
            version: item.get(VERSION).cloned(),
        })
    }

    /// The key of this definition's item in `tenant`'s partition.
    pub fn item_key(&self, tenant: &str) -> Key {
        field_key(tenant, &self.key)
    }

    /// The update that adds `new` to this definition's options, conditioned
    /// on the definition existing with the `version` that was read (see the
    /// module docs for each stored shape).
    pub fn append_options(&self, new: &[String]) -> Update {
        let new_values = || new.iter().map(|o| AttributeValue::S(o.clone()));
        let mut update = Update::new();
        match self.options_shape {
            OptionsShape::List => update.append(&[OPTIONS], new_values().collect()),
            OptionsShape::NotAList => update.set(
                &[OPTIONS],
                AttributeValue::L(
                    self.options
                        .iter()
                        .map(|o| AttributeValue::S(o.clone()))
                        .chain(new_values())
                        .collect(),
                ),
            ),
        };
        update.require(Cond::exists(PK));
        match &self.version {
            None => update.increment(VERSION, 1).require(Cond::not_exists(VERSION)),
            Some(number @ AttributeValue::N(_)) => update
                .increment(VERSION, 1)
                .require(Cond::eq(VERSION, number.clone())),
            Some(other) => update
                .set(&[VERSION], AttributeValue::N("1".to_owned()))
                .require(Cond::eq(VERSION, other.clone())),
        };
        update
    }
}

impl Definition for FieldDef {
    fn field_type(&self) -> Option<FieldType> {
        self.field_type
    }

    fn options(&self) -> &[String] {
        &self.options
    }
}

/// The partition holding a tenant's field definitions.
pub fn fields_pk(tenant: &str) -> String {
    format!("TENANT#{tenant}#FIELDS")
}

/// The key of one field definition.
pub fn field_key(tenant: &str, key: &str) -> Key {
    Key::new(fields_pk(tenant), format!("{FIELD_SK_PREFIX}{key}"))
}

/// The tenant's field definitions, by key (one Query, every page). Never
/// fails on a malformed definition: see the module docs.
pub async fn load(table: &Table, tenant: &str) -> Result<HashMap<String, FieldDef>, StoreError> {
    let items = table
        .query_partition(&fields_pk(tenant), FIELD_SK_PREFIX, None)
        .await?;
    Ok(items
        .iter()
        .filter_map(FieldDef::from_item)
        .map(|d| (d.key.clone(), d))
        .collect())
}

/// The stored item of a well-formed definition at version 0 (seeding).
pub fn definition_item(tenant: &str, key: &str, field_type: &str, options: &[String]) -> Item {
    field_key(tenant, key).into_item_with(Item::from([
        ("key".to_owned(), AttributeValue::S(key.to_owned())),
        ("type".to_owned(), AttributeValue::S(field_type.to_owned())),
        (
            OPTIONS.to_owned(),
            AttributeValue::L(options.iter().map(|o| AttributeValue::S(o.clone())).collect()),
        ),
        (VERSION.to_owned(), AttributeValue::N("0".to_owned())),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(extra: &[(&str, AttributeValue)]) -> Item {
        let mut item = field_key("t", "region").to_item();
        for (name, value) in extra {
            item.insert((*name).to_owned(), value.clone());
        }
        item
    }

    fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.to_owned())
    }

    #[test]
    fn reads_a_well_formed_definition() {
        let def =
            FieldDef::from_item(&definition_item("t", "region", "dropdown", &["n".to_owned()])).unwrap();
        assert_eq!(
            def,
            FieldDef::new("region", FieldType::Dropdown, vec!["n".to_owned()])
        );
    }

    #[test]
    fn tolerates_missing_and_mistyped_attributes() {
        let bare = FieldDef::from_item(&item(&[])).unwrap();
        assert_eq!(bare.key, "region");
        assert_eq!(bare.field_type, None);
        assert!(bare.options.is_empty());
        assert_eq!(bare.options_shape, OptionsShape::NotAList);
        assert_eq!(bare.version, None);

        let odd = FieldDef::from_item(&item(&[
            ("type", s("dropdown")),
            (
                "options",
                AttributeValue::L(vec![s("a"), AttributeValue::N("1".into())]),
            ),
            ("version", s("v7")),
        ]))
        .unwrap();
        assert_eq!(odd.options, ["a"]);
        assert_eq!(odd.options_shape, OptionsShape::List);
        assert_eq!(odd.version, Some(s("v7")));

        let set = FieldDef::from_item(&item(&[("options", AttributeValue::Ss(vec!["x".into()]))])).unwrap();
        assert_eq!(set.options, ["x"]);
        assert_eq!(set.options_shape, OptionsShape::NotAList);
        for other in [
            s("north"),
            AttributeValue::N("3".into()),
            AttributeValue::Null(true),
        ] {
            let def = FieldDef::from_item(&item(&[("options", other)])).unwrap();
            assert!(def.options.is_empty());
        }
    }

    #[test]
    fn items_that_are_not_definitions_are_skipped() {
        let mut not_a_field = item(&[]);
        not_a_field.insert(SK.to_owned(), s("OTHER"));
        assert_eq!(FieldDef::from_item(&not_a_field), None);
        let mut empty_key = item(&[]);
        empty_key.insert(SK.to_owned(), s(FIELD_SK_PREFIX));
        assert_eq!(FieldDef::from_item(&empty_key), None);
    }
}
