//! The `Content-Type` a JSON body must declare.
//!
//! Every endpoint reads JSON, and only JSON: a body sent as a form, as text,
//! or with no `Content-Type` at all is refused with 415 Unsupported Media
//! Type before anything is parsed or written, so a client that sends the
//! wrong thing learns it at once instead of getting a confusing 400.

use super::body::BodyError;
use lambda_http::{Body, Request, http::header::CONTENT_TYPE};

/// The media types a body may be declared as: plain JSON, and JSON Merge
/// Patch (RFC 7396), which is what these PATCH bodies are.
pub const ACCEPTED_MEDIA_TYPES: [&str; 2] = ["application/json", "application/merge-patch+json"];

/// The request's body, once its `Content-Type` says it is JSON.
///
/// Accepted: `application/json` or `application/merge-patch+json`, in any
/// case, with no parameter or with `charset=utf-8` (any case, quoted or
/// not). A body with any other type, another charset or another parameter,
/// or a non-empty body with no `Content-Type`, is
/// [`BodyError::UnsupportedMediaType`] (415). A request with no body and no
/// `Content-Type` passes, so that it gets the endpoint's "empty body" 400.
pub fn json_body(req: &Request) -> Result<&Body, BodyError> {
    let body = req.body();
    match req.headers().get(CONTENT_TYPE) {
        None if body.as_ref().is_empty() => Ok(body),
        None => Err(BodyError::UnsupportedMediaType),
        Some(value) => match value.to_str() {
            Ok(value) if is_json(value) => Ok(body),
            _ => Err(BodyError::UnsupportedMediaType),
        },
    }
}

/// Whether a `Content-Type` value names JSON in UTF-8.
fn is_json(value: &str) -> bool {
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    if !ACCEPTED_MEDIA_TYPES
        .iter()
        .any(|t| t.eq_ignore_ascii_case(essence))
    {
        return false;
    }
    parts.all(|param| {
        let param = param.trim();
        // A trailing ";" leaves an empty parameter; tolerate it.
        param.is_empty()
            || param.split_once('=').is_some_and(|(name, value)| {
                name.trim().eq_ignore_ascii_case("charset")
                    && value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::http;

    fn request(content_type: Option<&str>, body: &str) -> Request {
        let mut builder = http::Request::builder().method("PATCH").uri("/x");
        if let Some(t) = content_type {
            builder = builder.header("content-type", t);
        }
        builder.body(Body::from(body)).unwrap()
    }

    #[test]
    fn json_and_merge_patch_in_any_case_with_utf8_pass() {
        for t in [
            "application/json",
            "Application/JSON",
            "application/merge-patch+json",
            "APPLICATION/MERGE-PATCH+JSON",
            "application/json; charset=utf-8",
            "application/json;charset=UTF-8",
            "application/json; charset=\"utf-8\"",
            "application/merge-patch+json ; Charset=utf-8;",
        ] {
            assert!(json_body(&request(Some(t), "{}")).is_ok(), "{t}");
        }
    }

    #[test]
    fn other_types_charsets_and_parameters_are_415() {
        for t in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/jsonx",
            "application/json-patch+json",
            "application/json; charset=latin1",
            "application/json; version=2",
            "application/json; charset",
            "",
        ] {
            assert_eq!(
                json_body(&request(Some(t), "{}")).unwrap_err(),
                BodyError::UnsupportedMediaType,
                "{t}"
            );
        }
    }

    #[test]
    fn a_body_without_content_type_is_415_and_no_body_passes() {
        assert_eq!(
            json_body(&request(None, "{\"name\":\"x\"}")).unwrap_err(),
            BodyError::UnsupportedMediaType
        );
        assert!(json_body(&request(None, "")).is_ok());
    }
}
