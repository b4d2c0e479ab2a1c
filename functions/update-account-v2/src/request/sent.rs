//! The value a client sent for a field, for the `details.value` of a 400.
//!
//! Rules checked by this crate have the offending value in hand. Errors
//! found while deserializing the body's shape (an unknown or duplicated
//! field) come from serde with at most a path and no value; [`shape_error`] looks
//! the value up in the body, read again as a [`Value`]. That second parse
//! happens only on this error path, and only after
//! [`shared::http::parse_json_object`] has checked the body's size
//! ([`shared::http::MAX_BODY_BYTES`]) and encoding, so it is bounded.

use crate::error::ApiError;
use lambda_http::Body;
use serde_json::Value;
use shared::{error::Common, http::BodyError};

/// The fields a PATCH body may hold, named in the message for an unknown one.
pub const UPDATABLE_FIELDS: [&str; 7] = [
    "displayName",
    "email",
    "phone",
    "address",
    "settings",
    "status",
    "metadata",
];

/// Turns an error in the body's shape into this crate's error.
///
/// A [`BodyError::Field`] that names a field (an unknown field, a duplicated
/// one, or a field of the wrong type) becomes [`ApiError::Invalid`] with the
/// field's path and its value exactly as sent; for a duplicated field that
/// is its last occurrence. If the body turns out not to be JSON after all
/// (serde stops at the first bad field, before reading the rest), the
/// answer is the syntax error. Every other error is passed through as
/// [`Common::Body`]. Call it explicitly: `?` on a [`BodyError`] gives
/// [`Common::Body`] without the value.
pub fn shape_error(body: &Body, error: BodyError) -> ApiError {
    let BodyError::Field { field, message } = error else {
        return Common::Body(error).into();
    };
    let (field, message) = if !field.is_empty() && message.contains("unknown field `") {
        let message = format!(
            "unknown field `{field}`; the fields that can be updated are {}",
            UPDATABLE_FIELDS.join(", ")
        );
        (field, message)
    } else if let Some(twice) = field.is_empty().then(|| duplicated(&message)).flatten() {
        (
            twice.to_owned(),
            format!("{twice} is sent more than once; send each field once"),
        )
    } else {
        (field, message)
    };
    if field.is_empty() {
        return Common::Body(BodyError::Field { field, message }).into();
    }
    let root: Value = match serde_json::from_slice(body.as_ref()) {
        Ok(root) => root,
        Err(e) => return Common::Body(BodyError::Syntax(e.to_string())).into(),
    };
    let value = value_at(&root, &field).cloned();
    ApiError::Invalid {
        field,
        message,
        value,
    }
}

/// The field named by serde's "duplicate field `name`" message (serde gives
/// no path for it).
fn duplicated(message: &str) -> Option<&str> {
    message.strip_prefix("duplicate field `")?.strip_suffix('`')
}

/// The value at a dotted `path` (`settings.timezone`) in `root`. Keys may
/// themselves hold dots: the longest key that matches is taken first.
pub fn value_at<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let object = root.as_object()?;
    if let Some(value) = object.get(path) {
        return Some(value);
    }
    path.match_indices('.').rev().find_map(|(dot, _)| {
        object
            .get(&path[..dot])
            .and_then(|inner| value_at(inner, &path[dot + 1..]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_found_by_dotted_paths() {
        let root = json!({"settings": {"timezone": "UTC"}, "metadata": {"a.b": {"c": 1}}, "x.y": 2});
        assert_eq!(value_at(&root, "settings.timezone"), Some(&json!("UTC")));
        assert_eq!(value_at(&root, "metadata.a.b.c"), Some(&json!(1)));
        assert_eq!(value_at(&root, "metadata.a.b"), Some(&json!({"c": 1})));
        assert_eq!(value_at(&root, "x.y"), Some(&json!(2)));
        assert_eq!(value_at(&root, "settings.language"), None);
        assert_eq!(value_at(&root, "settings.timezone.x"), None);
    }

    #[test]
    fn duplicated_field_names_are_read_from_serdes_message() {
        assert_eq!(duplicated("duplicate field `email`"), Some("email"));
        assert_eq!(duplicated("unknown field `foo`, expected `id`"), None);
    }

    #[test]
    fn unknown_and_duplicated_fields_carry_the_value_as_sent() {
        let body = Body::from(r#"{"a`b.c": [1], "email": "a@b.co", "email": "c@d.co"}"#);
        let unknown = BodyError::Field {
            field: "a`b.c".to_owned(),
            message: "a`b.c: unknown field `a`b.c`, expected one of `id`".to_owned(),
        };
        match shape_error(&body, unknown) {
            ApiError::Invalid {
                field,
                message,
                value,
            } => {
                assert_eq!(field, "a`b.c");
                assert!(message.contains("displayName, email"), "{message}");
                assert_eq!(value, Some(json!([1])));
            }
            other => panic!("{other:?}"),
        }
        let twice = BodyError::Field {
            field: String::new(),
            message: "duplicate field `email`".to_owned(),
        };
        match shape_error(&body, twice) {
            ApiError::Invalid { field, value, .. } => {
                assert_eq!(field, "email");
                assert_eq!(value, Some(json!("c@d.co")));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_body_that_is_not_json_past_the_bad_field_is_a_syntax_error() {
        let error = BodyError::Field {
            field: "foo".to_owned(),
            message: "unknown field `foo`".to_owned(),
        };
        assert!(matches!(
            shape_error(&Body::from(r#"{"foo": 1, "#), error),
            ApiError::Common(Common::Body(BodyError::Syntax(_)))
        ));
    }
}
