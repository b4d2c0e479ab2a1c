//! Custom fields: each tenant defines its fields (key, type, options), and
//! `custom` values are checked against those definitions.
//!
//! Definition item: `pk = TENANT#<t>#FIELDS`, `sk = FIELD#<key>`, with
//! `key`, `type` (`text`, `number`, `boolean`, `date`, `dropdown`,
//! `multiselect`), `options` (a list, for dropdown and multiselect) and
//! `version`. With `allow_new_options=true`, a dropdown or multiselect value
//! that is not an option yet is appended to the definition in the same
//! transaction as the account update, conditioned on the definition's
//! `version`, so a concurrent change to the definition makes the request
//! re-read and re-check, and an option is never added twice.

use crate::error::{ApiError, invalid};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use serde_json::Value;
use shared::{
    patch::MapMerge,
    store::{Cond, Item, Key, StoreError, Table, Update, attr, transact},
    validate::BoundedText,
};
use std::collections::HashMap;

/// A text custom value: up to 1000 characters, line breaks allowed.
pub type TextValue = BoundedText<0, 1000>;
/// A new dropdown / multiselect option: 1-100 characters, not blank.
pub type OptionLabel = BoundedText<1, 100>;

/// At most this many options per field (keeps a definition far below
/// DynamoDB's 400 KB item limit).
pub const MAX_OPTIONS: usize = 500;
/// At most this many values in one multiselect value.
pub const MAX_MULTISELECT_VALUES: usize = 100;

/// The type of a custom field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Free text.
    Text,
    /// A JSON number.
    Number,
    /// `true` / `false`.
    Boolean,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// One of the options.
    Dropdown,
    /// Distinct options, as a list.
    Multiselect,
}

impl FieldType {
    /// Parses the stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "text" => FieldType::Text,
            "number" => FieldType::Number,
            "boolean" => FieldType::Boolean,
            "date" => FieldType::Date,
            "dropdown" => FieldType::Dropdown,
            "multiselect" => FieldType::Multiselect,
            _ => return None,
        })
    }
}

/// One custom field definition.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    /// The key in `custom`.
    pub key: String,
    /// Its type.
    pub field_type: FieldType,
    /// Allowed options (dropdown, multiselect).
    pub options: Vec<String>,
    /// The definition's write counter.
    pub version: AttributeValue,
}

/// The partition holding a tenant's field definitions.
pub fn fields_pk(tenant: &str) -> String {
    format!("TENANT#{tenant}#FIELDS")
}

/// The key of one field definition.
pub fn field_key(tenant: &str, key: &str) -> Key {
    Key::new(fields_pk(tenant), format!("FIELD#{key}"))
}

/// The tenant's field definitions, by key (one Query).
pub async fn load(table: &Table, tenant: &str) -> Result<HashMap<String, FieldDef>, StoreError> {
    let items = table.query_partition(&fields_pk(tenant), "FIELD#", None).await?;
    items
        .iter()
        .map(|item| parse_def(item).map(|d| (d.key.clone(), d)))
        .collect()
}

fn parse_def(item: &Item) -> Result<FieldDef, StoreError> {
    let bad = || StoreError::Rejected("a custom field definition is malformed".to_owned());
    let key = item
        .get("key")
        .and_then(|v| v.as_s().ok())
        .ok_or_else(bad)?
        .clone();
    let field_type = item
        .get("type")
        .and_then(|v| v.as_s().ok())
        .and_then(|t| FieldType::parse(t))
        .ok_or_else(bad)?;
    let options = match item.get("options") {
        Some(AttributeValue::L(list)) => list.iter().filter_map(|v| v.as_s().ok().cloned()).collect(),
        _ => Vec::new(),
    };
    let version = item
        .get("version")
        .cloned()
        .unwrap_or(AttributeValue::N("0".to_owned()));
    Ok(FieldDef {
        key,
        field_type,
        options,
        version,
    })
}

/// Checked custom values, and the options to add on the way.
#[derive(Debug, Default)]
pub struct CustomPlan {
    /// Values to set (as stored) and keys to remove.
    pub merge: MapMerge<AttributeValue>,
    /// Options to append, per field definition.
    pub new_options: Vec<(FieldDef, Vec<String>)>,
}

/// Checks every key and value of `custom` against `defs`.
///
/// Errors (400, naming `custom.<key>`): a key with no definition, a value
/// of the wrong type, an option that does not exist (unless
/// `allow_new_options`), duplicate multiselect values.
pub fn plan(
    defs: &HashMap<String, FieldDef>,
    custom: &MapMerge<Value>,
    allow_new_options: bool,
) -> Result<CustomPlan, ApiError> {
    let mut plan = CustomPlan::default();
    for key in &custom.remove {
        defs.get(key).ok_or_else(|| undefined(key))?;
        plan.merge.remove.push(key.clone());
    }
    for (key, value) in &custom.set {
        let def = defs.get(key).ok_or_else(|| undefined(key))?;
        let field = format!("custom.{key}");
        let (stored, new) =
            check_value(def, value, allow_new_options).map_err(|message| invalid(&field, message))?;
        plan.merge.set.push((key.clone(), stored));
        if def.options.len() + new.len() > MAX_OPTIONS {
            return Err(invalid(
                &field,
                format!("a field has at most {MAX_OPTIONS} options"),
            ));
        }
        if !new.is_empty() {
            plan.new_options.push((def.clone(), new));
        }
    }
    Ok(plan)
}

fn undefined(key: &str) -> ApiError {
    invalid(
        format!("custom.{key}"),
        "is not a custom field of this account's tenant",
    )
}

/// The stored value, and the options it would add.
fn check_value(
    def: &FieldDef,
    value: &Value,
    allow_new: bool,
) -> Result<(AttributeValue, Vec<String>), String> {
    let s = |text: &str| AttributeValue::S(text.to_owned());
    match (def.field_type, value) {
        (FieldType::Text, Value::String(text)) => TextValue::parse_multiline(text.clone())
            .map(|t| (s(t.as_str()), vec![]))
            .map_err(|e| e.to_string()),
        (FieldType::Number, Value::Number(_)) => attr::from_json(value, 1)
            .map(|v| (v, vec![]))
            .map_err(|e| e.to_string()),
        (FieldType::Boolean, Value::Bool(b)) => Ok((AttributeValue::Bool(*b), vec![])),
        (FieldType::Date, Value::String(text)) => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            time::Date::parse(text, &format)
                .map(|_| (s(text), vec![]))
                .map_err(|_| "must be a date as YYYY-MM-DD".to_owned())
        }
        (FieldType::Dropdown, Value::String(choice)) => {
            let new = option_check(def, choice, allow_new)?;
            Ok((s(choice), new.into_iter().collect()))
        }
        (FieldType::Multiselect, Value::Array(items)) => {
            if items.len() > MAX_MULTISELECT_VALUES {
                return Err(format!("must list at most {MAX_MULTISELECT_VALUES} options"));
            }
            let mut chosen: Vec<String> = Vec::with_capacity(items.len());
            let mut new = Vec::new();
            for item in items {
                let choice = item.as_str().ok_or("must be a list of strings")?;
                if chosen.iter().any(|c| c == choice) {
                    return Err(format!("lists {choice:?} twice"));
                }
                new.extend(option_check(def, choice, allow_new)?);
                chosen.push(choice.to_owned());
            }
            Ok((AttributeValue::L(chosen.iter().map(|c| s(c)).collect()), new))
        }
        (field_type, _) => Err(format!("must be {}", expected(field_type))),
    }
}

fn expected(field_type: FieldType) -> &'static str {
    match field_type {
        FieldType::Text => "a string",
        FieldType::Number => "a number",
        FieldType::Boolean => "true or false",
        FieldType::Date => "a date as YYYY-MM-DD",
        FieldType::Dropdown => "one of the field's options (a string)",
        FieldType::Multiselect => "a list of the field's options",
    }
}

/// `Ok(None)` for an existing option, `Ok(Some(choice))` for a new one that
/// may be added, an error otherwise.
fn option_check(def: &FieldDef, choice: &str, allow_new: bool) -> Result<Option<String>, String> {
    if def.options.iter().any(|o| o == choice) {
        return Ok(None);
    }
    if !allow_new {
        return Err(format!(
            "{choice:?} is not an option of this field; send allow_new_options=true to add it"
        ));
    }
    OptionLabel::parse(choice.to_owned())
        .map(|o| Some(o.into_string()))
        .map_err(|e| format!("new option {e}"))
}

/// The transaction entry that appends `new` to a definition's options,
/// conditioned on the version that was checked.
pub fn append_options(table: &str, tenant: &str, def: &FieldDef, new: &[String]) -> TransactWriteItem {
    let mut update = Update::new();
    update
        .append(
            &["options"],
            new.iter().map(|o| AttributeValue::S(o.clone())).collect(),
        )
        .increment("version", 1)
        .require(Cond::eq("version", def.version.clone()));
    transact::update(table, &field_key(tenant, &def.key), update)
}

/// The stored item of a definition (seeding).
pub fn definition_item(tenant: &str, key: &str, field_type: &str, options: &[String]) -> Item {
    field_key(tenant, key).into_item_with(Item::from([
        ("key".to_owned(), AttributeValue::S(key.to_owned())),
        ("type".to_owned(), AttributeValue::S(field_type.to_owned())),
        (
            "options".to_owned(),
            AttributeValue::L(options.iter().map(|o| AttributeValue::S(o.clone())).collect()),
        ),
        ("version".to_owned(), AttributeValue::N("0".to_owned())),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn defs() -> HashMap<String, FieldDef> {
        let def = |key: &str, t: FieldType, options: &[&str]| {
            (
                key.to_owned(),
                FieldDef {
                    key: key.to_owned(),
                    field_type: t,
                    options: options.iter().map(|o| (*o).to_owned()).collect(),
                    version: AttributeValue::N("0".into()),
                },
            )
        };
        HashMap::from([
            def("note", FieldType::Text, &[]),
            def("size", FieldType::Number, &[]),
            def("vip", FieldType::Boolean, &[]),
            def("since", FieldType::Date, &[]),
            def("region", FieldType::Dropdown, &["north", "south"]),
            def("tags", FieldType::Multiselect, &["a", "b"]),
        ])
    }

    fn merge(v: Value) -> MapMerge<Value> {
        MapMerge::from_object(v.as_object().unwrap().clone())
    }

    #[test]
    fn accepts_values_of_the_defined_types() {
        let custom = merge(
            json!({"note": "hi\nthere", "size": 12.5, "vip": true, "since": "2024-02-29",
                                  "region": "north", "tags": ["a", "b"], "gone": null}),
        );
        let defs = {
            let mut d = defs();
            d.insert("gone".into(), d["note"].clone());
            d
        };
        let plan = plan(&defs, &custom, false).unwrap();
        assert_eq!(plan.merge.set.len(), 6);
        assert_eq!(plan.merge.remove, vec!["gone".to_owned()]);
        assert!(plan.new_options.is_empty());
    }

    #[test]
    fn refuses_wrong_types_undefined_keys_and_unknown_options() {
        for body in [
            json!({"note": 5}),
            json!({"size": "5"}),
            json!({"vip": "yes"}),
            json!({"since": "2023-02-29"}),
            json!({"since": "29/02/2024"}),
            json!({"region": "east"}),
            json!({"region": ["north"]}),
            json!({"tags": "a"}),
            json!({"tags": ["a", "a"]}),
            json!({"tags": ["c"]}),
            json!({"undefined": 1}),
            json!({"undefined": null}),
        ] {
            assert!(plan(&defs(), &merge(body.clone()), false).is_err(), "{body}");
        }
    }

    #[test]
    fn option_lists_are_bounded() {
        let mut defs = defs();
        defs.get_mut("tags").unwrap().options = (0..MAX_OPTIONS).map(|i| format!("o{i}")).collect();
        assert!(plan(&defs, &merge(json!({"tags": ["o1", "o2"]})), true).is_ok());
        assert!(plan(&defs, &merge(json!({"tags": ["new"]})), true).is_err());
        let many: Vec<String> = (0..=MAX_MULTISELECT_VALUES).map(|i| format!("o{i}")).collect();
        assert!(plan(&defs, &merge(json!({ "tags": many })), true).is_err());
    }

    #[test]
    fn new_options_only_when_allowed() {
        let plan = plan(
            &defs(),
            &merge(json!({"region": "east", "tags": ["a", "c", "d"]})),
            true,
        )
        .unwrap();
        let added: Vec<(&str, Vec<String>)> = plan
            .new_options
            .iter()
            .map(|(d, o)| (d.key.as_str(), o.clone()))
            .collect();
        assert!(added.contains(&("region", vec!["east".to_owned()])));
        assert!(added.contains(&("tags", vec!["c".to_owned(), "d".to_owned()])));
        assert!(super::plan(&defs(), &merge(json!({"region": "  "})), true).is_err());
    }
}
