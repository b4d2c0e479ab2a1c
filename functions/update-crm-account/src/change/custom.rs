//! Custom values: each tenant defines its fields (key, type, options; how
//! they are stored is the store's business), and `custom` values are
//! checked against those definitions into [`CustomValue`]s.
//!
//! With `allow_new_options=true`, a dropdown or multiselect value that is
//! not an option yet is appended to the definition in the same transaction
//! as the account update, conditioned on the definition's `version`, so a
//! concurrent change to the definition makes the request re-read and
//! re-check, and an option is never added twice. One request may add
//! options to at most [`MAX_FIELDS_WITH_NEW_OPTIONS`] fields (one
//! transaction entry each).

use crate::error::{ApiError, invalid};
use serde_json::{Number, Value};
use shared::{
    patch::MapMerge,
    store::write::MAX_PLANNED_ACTIONS,
    validate::{BoundedText, storable_number},
};
use std::collections::HashMap;

/// A text custom value has at most this many characters.
pub const MAX_TEXT_VALUE_CHARS: usize = 1000;
/// A text custom value: up to 1000 characters, line breaks allowed.
pub type TextValue = BoundedText<0, MAX_TEXT_VALUE_CHARS>;
/// A new option has at least this many characters (not blank).
pub const MIN_OPTION_LABEL_CHARS: usize = 1;
/// A new option has at most this many characters.
pub const MAX_OPTION_LABEL_CHARS: usize = 100;
/// A new dropdown / multiselect option: 1-100 characters, not blank.
pub type OptionLabel = BoundedText<MIN_OPTION_LABEL_CHARS, MAX_OPTION_LABEL_CHARS>;

/// At most this many options per field (keeps a definition far below
/// DynamoDB's 400 KB item limit).
pub const MAX_OPTIONS: usize = 500;
/// At most this many values in one multiselect value.
pub const MAX_MULTISELECT_VALUES: usize = 100;
/// The entries the account write itself may need in the transaction: the
/// account update, the claim on its new number, the release of its old one.
pub const ACCOUNT_WRITE_ACTIONS: usize = 3;
/// At most this many fields may gain new options in one request: each
/// needs its own entry in the transaction, beside the account write's
/// [`ACCOUNT_WRITE_ACTIONS`], within the actions a plan may use
/// ([`MAX_PLANNED_ACTIONS`]: DynamoDB's 100, less one for a keyed request's
/// record).
pub const MAX_FIELDS_WITH_NEW_OPTIONS: usize = MAX_PLANNED_ACTIONS - ACCOUNT_WRITE_ACTIONS;

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
    /// Parses the type's name (`text`, `number`, `boolean`, `date`,
    /// `dropdown`, `multiselect`); `None` for anything else.
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

/// What checking a value reads of its field's definition, however the
/// definition is stored.
pub trait Definition {
    /// The field's type; `None` when the definition has no usable type
    /// (values for the field are then refused, removing it works).
    fn field_type(&self) -> Option<FieldType>;
    /// The field's options (dropdown, multiselect); empty when none.
    fn options(&self) -> &[String];
}

/// A date custom value: `YYYY-MM-DD`, a day that exists, kept as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateValue(String);

impl DateValue {
    /// `text` if it is a date as `YYYY-MM-DD` that exists.
    pub fn parse(text: &str) -> Option<Self> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(text, &format)
            .ok()
            .map(|_| DateValue(text.to_owned()))
    }

    /// The date as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A number custom value: a JSON number DynamoDB can store, kept as sent.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberValue(Number);

impl NumberValue {
    /// `number` if DynamoDB can store it; else why not.
    pub fn parse(number: &Number) -> Result<Self, String> {
        storable_number(number)
            .map(|()| NumberValue(number.clone()))
            .map_err(|e| e.to_string())
    }

    /// The number as sent.
    pub fn get(&self) -> &Number {
        &self.0
    }
}

/// A custom value that passed its field's definition: one variant per
/// field type the contract allows, each holding only what its type admits.
#[derive(Debug, Clone, PartialEq)]
pub enum CustomValue {
    /// Up to [`MAX_TEXT_VALUE_CHARS`] characters.
    Text(TextValue),
    /// A number DynamoDB can store.
    Number(NumberValue),
    /// `true` / `false`.
    Boolean(bool),
    /// A date that exists, `YYYY-MM-DD`.
    Date(DateValue),
    /// One option of the field (possibly one this request adds).
    Dropdown(String),
    /// Distinct options of the field (possibly some this request adds),
    /// at most [`MAX_MULTISELECT_VALUES`], in the order sent.
    Multiselect(Vec<String>),
}

/// Checked custom values, and the options to add on the way.
#[derive(Debug)]
pub struct CustomPlan<D> {
    /// Values to set and keys to remove.
    pub merge: MapMerge<CustomValue>,
    /// Options to append, per field definition (as given to [`plan`]).
    pub new_options: Vec<(D, Vec<String>)>,
}

impl<D> Default for CustomPlan<D> {
    fn default() -> Self {
        CustomPlan {
            merge: MapMerge::default(),
            new_options: Vec::new(),
        }
    }
}

/// Checks every key and value of `custom` against `defs`.
///
/// Errors (400, naming `custom.<key>`): a key with no definition, a value
/// for a definition with no usable type, a value of the wrong type, an
/// option that does not exist (unless `allow_new_options`), duplicate
/// multiselect values, a field's options beyond [`MAX_OPTIONS`]. And (400,
/// naming `custom`) new options for more than [`MAX_FIELDS_WITH_NEW_OPTIONS`]
/// fields, which one transaction cannot hold.
pub fn plan<D: Definition + Clone>(
    defs: &HashMap<String, D>,
    custom: &MapMerge<Value>,
    allow_new_options: bool,
) -> Result<CustomPlan<D>, ApiError> {
    let mut plan = CustomPlan::default();
    for key in &custom.remove {
        defs.get(key).ok_or_else(|| undefined(key))?;
        plan.merge.remove.push(key.clone());
    }
    for (key, value) in &custom.set {
        let def = defs.get(key).ok_or_else(|| undefined(key))?;
        let field = format!("custom.{key}");
        let (checked, new) =
            check_value(def, value, allow_new_options).map_err(|message| invalid(&field, message))?;
        plan.merge.set.push((key.clone(), checked));
        if def.options().len() + new.len() > MAX_OPTIONS {
            return Err(invalid(
                &field,
                format!("a field has at most {MAX_OPTIONS} options"),
            ));
        }
        if !new.is_empty() {
            plan.new_options.push((def.clone(), new));
        }
    }
    if plan.new_options.len() > MAX_FIELDS_WITH_NEW_OPTIONS {
        return Err(invalid(
            "custom",
            format!(
                "new options can be added to at most {MAX_FIELDS_WITH_NEW_OPTIONS} fields in one request \
                 ({} here); add the rest in another request",
                plan.new_options.len()
            ),
        ));
    }
    Ok(plan)
}

fn undefined(key: &str) -> ApiError {
    invalid(
        format!("custom.{key}"),
        "is not a custom field of this account's tenant",
    )
}

/// The checked value, and the options it would add.
fn check_value(
    def: &impl Definition,
    value: &Value,
    allow_new: bool,
) -> Result<(CustomValue, Vec<String>), String> {
    let Some(field_type) = def.field_type() else {
        return Err(
            "cannot be set: the field's definition has no known type (fix the definition first)".to_owned(),
        );
    };
    match (field_type, value) {
        (FieldType::Text, Value::String(text)) => TextValue::parse_multiline(text.clone())
            .map(|t| (CustomValue::Text(t), vec![]))
            .map_err(|e| e.to_string()),
        (FieldType::Number, Value::Number(n)) => {
            NumberValue::parse(n).map(|n| (CustomValue::Number(n), vec![]))
        }
        (FieldType::Boolean, Value::Bool(b)) => Ok((CustomValue::Boolean(*b), vec![])),
        (FieldType::Date, Value::String(text)) => DateValue::parse(text)
            .map(|date| (CustomValue::Date(date), vec![]))
            .ok_or_else(|| "must be a date as YYYY-MM-DD".to_owned()),
        (FieldType::Dropdown, Value::String(choice)) => {
            let new = option_check(def, choice, allow_new)?;
            Ok((CustomValue::Dropdown(choice.clone()), new.into_iter().collect()))
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
            Ok((CustomValue::Multiselect(chosen), new))
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
fn option_check(def: &impl Definition, choice: &str, allow_new: bool) -> Result<Option<String>, String> {
    if def.options().iter().any(|o| o == choice) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A definition as the tests write it.
    #[derive(Debug, Clone)]
    struct FieldDef {
        key: String,
        field_type: Option<FieldType>,
        options: Vec<String>,
    }

    impl FieldDef {
        fn new(key: &str, field_type: FieldType, options: Vec<String>) -> Self {
            FieldDef {
                key: key.to_owned(),
                field_type: Some(field_type),
                options,
            }
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

    fn defs() -> HashMap<String, FieldDef> {
        let def = |key: &str, t: FieldType, options: &[&str]| {
            (
                key.to_owned(),
                FieldDef::new(key, t, options.iter().map(|o| (*o).to_owned()).collect()),
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

    #[test]
    fn new_options_fit_one_transaction() {
        let many = |n: usize| -> HashMap<String, FieldDef> {
            (0..n)
                .map(|i| {
                    let key = format!("f{i}");
                    let def = FieldDef::new(&key, FieldType::Dropdown, vec![]);
                    (key, def)
                })
                .collect()
        };
        let body = |n: usize| {
            merge(Value::Object(
                (0..n).map(|i| (format!("f{i}"), json!("new"))).collect(),
            ))
        };
        let at_bound = MAX_FIELDS_WITH_NEW_OPTIONS;
        let plan_ok = plan(&many(at_bound + 1), &body(at_bound), true).unwrap();
        assert_eq!(plan_ok.new_options.len(), at_bound);
        let err = plan(&many(at_bound + 1), &body(at_bound + 1), true).unwrap_err();
        assert!(
            matches!(&err, ApiError::Invalid { field, .. } if field == "custom"),
            "{err}"
        );
        assert!(err.to_string().contains(&at_bound.to_string()), "{err}");
        // Existing options need no transaction entry: no bound.
        assert!(plan(&many(at_bound + 1), &body(at_bound + 1), false).is_err());
    }

    #[test]
    fn a_definition_without_a_type_refuses_values_but_allows_removal() {
        let mut defs = defs();
        defs.get_mut("note").unwrap().field_type = None;
        assert!(plan(&defs, &merge(json!({"note": "x"})), true).is_err());
        assert!(plan(&defs, &merge(json!({"note": null})), true).is_ok());
    }
}
