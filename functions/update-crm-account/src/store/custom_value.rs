//! Custom values as stored: each [`CustomValue`] becomes the attribute
//! DynamoDB holds, once, when the write is planned.
//!
//! Text, dates and dropdown choices are strings (`S`), numbers `N` (their
//! JSON text), booleans `BOOL`, multiselect choices a list of strings (`L`).

use crate::change::custom::CustomValue;
use aws_sdk_dynamodb::types::AttributeValue;
use shared::store::merge::Stored;

impl Stored for CustomValue {
    fn to_attribute(&self) -> AttributeValue {
        match self {
            CustomValue::Text(text) => AttributeValue::S(text.as_str().to_owned()),
            CustomValue::Number(number) => AttributeValue::N(number.get().to_string()),
            CustomValue::Boolean(flag) => AttributeValue::Bool(*flag),
            CustomValue::Date(date) => AttributeValue::S(date.as_str().to_owned()),
            CustomValue::Dropdown(choice) => AttributeValue::S(choice.clone()),
            CustomValue::Multiselect(choices) => {
                AttributeValue::L(choices.iter().map(|c| AttributeValue::S(c.clone())).collect())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::custom::{DateValue, NumberValue, TextValue};
    use serde_json::{Value, json};
    use shared::store::attr;

    #[test]
    fn every_value_is_stored_as_its_json_would_be() {
        let number = |v: Value| match v {
            Value::Number(n) => CustomValue::Number(NumberValue::parse(&n).unwrap()),
            _ => unreachable!(),
        };
        for (value, json) in [
            (
                CustomValue::Text(TextValue::parse_multiline("a\nb".to_owned()).unwrap()),
                json!("a\nb"),
            ),
            (number(json!(12.5)), json!(12.5)),
            (number(json!(-3)), json!(-3)),
            (CustomValue::Boolean(true), json!(true)),
            (
                CustomValue::Date(DateValue::parse("2024-02-29").unwrap()),
                json!("2024-02-29"),
            ),
            (CustomValue::Dropdown("north".to_owned()), json!("north")),
            (
                CustomValue::Multiselect(vec!["a".to_owned(), "b".to_owned()]),
                json!(["a", "b"]),
            ),
        ] {
            assert_eq!(
                value.to_attribute(),
                attr::from_json(&json, 2).unwrap(),
                "{value:?}"
            );
        }
    }
}
