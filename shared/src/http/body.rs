//! Reading a JSON object from a request body, with the checks every endpoint
//! needs before its own rules run: size, UTF-8, syntax, nesting depth, "is an
//! object", duplicate and unknown fields, and the type of every field.

use lambda_http::Body;
use serde::de::DeserializeOwned;

/// The largest body any endpoint reads (64 KiB). API Gateway accepts up to
/// 10 MB; nothing in our contracts needs more than this.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Why a body could not be read as the endpoint's JSON object.
///
/// Every variant is the client's fault and maps to a 4xx: `TooLarge` to 413,
/// `UnsupportedMediaType` to 415, the others to 400.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// The `Content-Type` is not JSON, or a body came without one (415; see
    /// [`super::json_body`]).
    #[error("send the body as application/json or application/merge-patch+json (charset utf-8)")]
    UnsupportedMediaType,
    /// No body, or only whitespace.
    #[error("the request body is empty; send a JSON object")]
    Empty,
    /// More than the endpoint's limit.
    #[error("the request body is larger than {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The bytes are not UTF-8, so they cannot be JSON.
    #[error("the request body is not valid UTF-8")]
    NotUtf8,
    /// Not JSON at all (includes nesting deeper than the parser allows).
    #[error("the request body is not valid JSON: {0}")]
    Syntax(String),
    /// Valid JSON, but not an object.
    #[error("the request body must be a JSON object")]
    NotObject,
    /// An object whose fields do not fit the endpoint's model: an unknown or
    /// duplicate field, or a field of the wrong type.
    #[error("{message}")]
    Field {
        /// The path of the offending field (`settings.timezone`), or empty
        /// when the problem is the object itself.
        field: String,
        /// What is wrong, in words a client can act on.
        message: String,
    },
}

/// Reads `body` as a JSON object of type `T`.
///
/// `T` should use `#[serde(deny_unknown_fields)]` where the contract forbids
/// unknown fields, and [`crate::patch::Patch`] for optional fields. The body
/// is never copied; at most `limit` bytes are parsed.
pub fn parse_json_object<T: DeserializeOwned>(body: &Body, limit: usize) -> Result<T, BodyError> {
    let bytes: &[u8] = body.as_ref();
    if bytes.len() > limit {
        return Err(BodyError::TooLarge { limit });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| BodyError::NotUtf8)?;
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(BodyError::Empty);
    }
    if !trimmed.starts_with('{') {
        // Tell "not JSON" from "JSON, but not an object".
        return Err(match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => BodyError::NotObject,
            Err(e) => BodyError::Syntax(e.to_string()),
        });
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(field_error)?;
    de.end().map_err(|e| BodyError::Syntax(e.to_string()))?;
    Ok(value)
}

fn field_error(e: serde_path_to_error::Error<serde_json::Error>) -> BodyError {
    let field = e.path().to_string();
    let inner = e.into_inner();
    if inner.is_syntax() || inner.is_eof() {
        return BodyError::Syntax(inner.to_string());
    }
    let field = if field == "." { String::new() } else { field };
    let message = strip_position(&inner.to_string());
    let message = if field.is_empty() {
        message
    } else {
        format!("{field}: {message}")
    };
    BodyError::Field { field, message }
}

/// serde_json appends " at line L column C" to data errors; for a field
/// error the field path says more than the position does.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patch::Patch;
    use serde::Deserialize;
    use serde_json::{Map, Value};

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Model {
        #[serde(default)]
        name: Patch<String>,
        #[serde(default)]
        metadata: Patch<Map<String, Value>>,
    }

    fn parse(bytes: &[u8]) -> Result<Model, BodyError> {
        parse_json_object(&Body::from(bytes.to_vec()), MAX_BODY_BYTES)
    }

    #[test]
    fn accepts_an_object() {
        let m = parse(br#" {"name": "x", "metadata": {"a": 1}} "#).unwrap();
        assert_eq!(m.name, Patch::Value("x".into()));
    }

    #[test]
    fn rejects_empty_and_whitespace() {
        assert_eq!(parse(b"").unwrap_err(), BodyError::Empty);
        assert_eq!(parse(b" \n ").unwrap_err(), BodyError::Empty);
    }

    #[test]
    fn rejects_non_objects_and_garbage() {
        assert_eq!(parse(b"[1]").unwrap_err(), BodyError::NotObject);
        assert_eq!(parse(b"null").unwrap_err(), BodyError::NotObject);
        assert!(matches!(parse(b"nope").unwrap_err(), BodyError::Syntax(_)));
        assert!(matches!(parse(b"{\"name\":").unwrap_err(), BodyError::Syntax(_)));
        assert!(matches!(parse(b"{} {}").unwrap_err(), BodyError::Syntax(_)));
    }

    #[test]
    fn rejects_invalid_utf8() {
        assert_eq!(parse(b"{\"name\": \"\xff\"}").unwrap_err(), BodyError::NotUtf8);
    }

    #[test]
    fn rejects_oversized_bodies_before_parsing() {
        let big = vec![b' '; MAX_BODY_BYTES + 1];
        assert_eq!(
            parse(&big).unwrap_err(),
            BodyError::TooLarge {
                limit: MAX_BODY_BYTES
            }
        );
    }

    #[test]
    fn rejects_nesting_bombs_as_syntax() {
        let bomb = format!(
            "{{\"metadata\": {{\"a\": {}{}}}}}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        assert!(matches!(
            parse(bomb.as_bytes()).unwrap_err(),
            BodyError::Syntax(_)
        ));
    }

    #[test]
    fn names_unknown_wrong_typed_and_duplicate_fields() {
        match parse(br#"{"nmae": "x"}"#).unwrap_err() {
            BodyError::Field { message, .. } => assert!(message.contains("nmae"), "{message}"),
            other => panic!("{other:?}"),
        }
        match parse(br#"{"metadata": 5}"#).unwrap_err() {
            BodyError::Field { field, message } => {
                assert_eq!(field, "metadata");
                assert!(message.starts_with("metadata: invalid type"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        match parse(br#"{"name": "a", "name": "b"}"#).unwrap_err() {
            BodyError::Field { message, .. } => assert!(message.contains("duplicate"), "{message}"),
            other => panic!("{other:?}"),
        }
    }
}
